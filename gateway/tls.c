/* tls.c - verifies a peer's certificate chain and name with GnuTLS.
 *
 * Owns nothing past one call.  Must never return TRUE for a chain that
 * does not lead to a trusted CA or does not name the host: imap.c and
 * smtp.c send passwords only after it said yes. */
#include "gw-tls.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

G_DEFINE_QUARK(gw-tls-error-quark, gw_tls_error)

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
