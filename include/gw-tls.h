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

/* Sends what GnuTLS would print to plaint's log (gw-log.h); call once,
 * after gw_log_init(). */
void gw_tls_init(void);

/* Why the last TLS handshake that libetpan gave up on in this thread
 * failed, in GnuTLS's words; NULL if none failed since the last call. */
const char *gw_tls_take_handshake_failure(void);

/* chain: GBytes of DER certificates, the server's first.  ca_file NULL
 * means the system trust store.  TRUE iff the chain leads to a trusted
 * CA and the leaf certificate names host (a DNS name or an IP). */
gboolean gw_tls_verify(GPtrArray *chain, const char *host,
		       const char *ca_file, GError **error);
