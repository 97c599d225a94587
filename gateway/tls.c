/* tls.c - verifies a peer's certificate chain and name with GnuTLS.
 *
 * Owns nothing past one call.  Must never return TRUE for a chain that
 * does not lead to a trusted CA or does not name the host: imap.c and
 * smtp.c send passwords only after it said yes.  Whatever GnuTLS would
 * print, and what libetpan prints of it, goes to plaint's log. */
#include "gw-tls.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "gw-log.h"

G_DEFINE_QUARK(gw-tls-error-quark, gw_tls_error)

/* The GnuTLS error of the last handshake libetpan gave up in this
 * thread, or 0 (see gnutls_perror below). */
static _Thread_local int handshake_failure;

/* XXX: libetpan 1.9.4 reports a failed TLS handshake with
 * gnutls_perror(), which writes "GnuTLS error: ..." straight to
 * standard error, past plaint's log, and tells its caller nothing but
 * "failed".  The dynamic linker binds libetpan's call to the first
 * definition it finds, and the executable's comes before libgnutls':
 * this one keeps the reason for the error plaint reports, and logs the
 * line at debug. */
void
gnutls_perror(int error)
{
	handshake_failure = error;
	gw_log_debug("library=gnutls handshake: %s", gnutls_strerror(error));
}

const char *
gw_tls_take_handshake_failure(void)
{
	int error = handshake_failure;

	handshake_failure = 0;
	return error != 0 ? gnutls_strerror(error) : NULL;
}

static void
on_gnutls_log(int level, const char *text)
{
	g_autofree char *line = g_strchomp(g_strdup(text));

	gw_log_debug("library=gnutls level=%d %s", level, line);
}

/* Audit notes, such as the weak Diffie-Hellman parameters libetpan
 * allows (the verdict on a peer is gw_tls_verify's). */
static void
on_gnutls_audit(gnutls_session_t session, const char *text)
{
	g_autofree char *line = g_strchomp(g_strdup(text));

	(void)session;
	gw_log_debug("library=gnutls audit: %s", line);
}

void
gw_tls_init(void)
{
	gnutls_global_set_log_function(on_gnutls_log);
	gnutls_global_set_audit_log_function(on_gnutls_audit);
}

#define MAX_CHAIN 16

static gboolean
untrusted(GError **error, const char *host, const char *why)
{
	g_set_error(error, GW_TLS_ERROR, GW_TLS_ERROR_UNTRUSTED,
		    "certificate of %s not trusted: %s", host, why);
	return FALSE;
}

static gboolean
load_trust(gnutls_x509_trust_list_t list, const char *ca_file, GError **error)
{
	int n;

	if (ca_file != NULL)
		n = gnutls_x509_trust_list_add_trust_file(list, ca_file, NULL,
							  GNUTLS_X509_FMT_PEM, 0, 0);
	else
		n = gnutls_x509_trust_list_add_system_trust(list, 0, 0);
	if (n <= 0) {
		g_set_error(error, GW_TLS_ERROR, GW_TLS_ERROR_UNTRUSTED,
			    "no CA certificate could be loaded from %s%s",
			    ca_file ? ca_file : "the system trust store",
			    n < 0 ? gnutls_strerror(n) : "");
		return FALSE;
	}
	return TRUE;
}

gboolean
gw_tls_verify(GPtrArray *chain, const char *host, const char *ca_file,
	      GError **error)
{
	gnutls_x509_crt_t crts[MAX_CHAIN];
	gnutls_x509_trust_list_t list = NULL;
	gnutls_typed_vdata_st vdata = {
		.type = GNUTLS_DT_DNS_HOSTNAME,
		.data = (unsigned char *)host,
	};
	unsigned int n = 0, status = 0;
	gboolean ok = FALSE;
	int rc;

	if (chain == NULL || chain->len == 0)
		return untrusted(error, host, "the server sent no certificate");
	if (chain->len > MAX_CHAIN)
		return untrusted(error, host, "the chain is too long");
	for (n = 0; n < chain->len; n++) {
		gsize len;
		gnutls_datum_t der;

		der.data = (unsigned char *)g_bytes_get_data(chain->pdata[n], &len);
		der.size = len;
		if (gnutls_x509_crt_init(&crts[n]) < 0)
			goto out;
		if (gnutls_x509_crt_import(crts[n], &der, GNUTLS_X509_FMT_DER) < 0) {
			n++;
			untrusted(error, host, "a certificate does not parse");
			goto out;
		}
	}
	if (gnutls_x509_trust_list_init(&list, 0) < 0 ||
	    !load_trust(list, ca_file, error))
		goto out;
	rc = gnutls_x509_trust_list_verify_crt2(list, crts, n, &vdata, 1, 0,
						&status, NULL);
	if (rc < 0) {
		untrusted(error, host, gnutls_strerror(rc));
	} else if (status != 0) {
		gnutls_datum_t why = { NULL, 0 };

		gnutls_certificate_verification_status_print(
			status, GNUTLS_CRT_X509, &why, 0);
		untrusted(error, host, why.data ? (char *)why.data : "unknown reason");
		gnutls_free(why.data);
	} else {
		ok = TRUE;
	}
out:
	if (list != NULL)
		gnutls_x509_trust_list_deinit(list, 1);
	for (unsigned int i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (!ok && error != NULL && *error == NULL)
		untrusted(error, host, "out of memory");
	return ok;
}
