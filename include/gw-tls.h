/* gw-tls.h - verifies a server's certificate chain and host name.
 *
 * libetpan as Debian builds it accepts any certificate, so imap.c and
 * smtp.c hand the chain they received to this module before any
 * password is sent.  Only this module includes GnuTLS. */
#pragma once

#include <glib.h>

#define GW_TLS_ERROR (gw_tls_error_quark())
GQuark gw_tls_error_quark(void);
typedef enum {
	GW_TLS_ERROR_UNTRUSTED,	/* chain or name does not verify */
} GwTlsError;

/* chain: GBytes of DER certificates, the server's first.  ca_file NULL
 * means the system trust store.  TRUE iff the chain leads to a trusted
 * CA and the leaf certificate names host (a DNS name or an IP). */
gboolean gw_tls_verify(GPtrArray *chain, const char *host,
		       const char *ca_file, GError **error);
