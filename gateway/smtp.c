/* smtp.c - submits mail to an SMTP server with libetpan.
 *
 * Owns one mailsmtp session.  Must never send AUTH or an envelope to a
 * server whose certificate did not verify, and must tell a temporary
 * failure (retry) from a permanent one (record once, never retry).  An
 * XOAUTH2 token is fetched for each connection and wiped after. */
#include "gw-smtp.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <libetpan/libetpan.h>

#include "gw-log.h"
#include "gw-stream.h"
#include "gw-tls.h"

G_DEFINE_QUARK(gw-smtp-error-quark, gw_smtp_error)

struct GwSmtp {
	mailsmtp *session;
	char *host;
	gboolean broken;	/* a failure left the session unusable */
};

static char *
reply_text(const GwSmtp *smtp)
{
	g_autofree char *text = g_strdup(smtp->session->response ?
					 smtp->session->response : "");
	g_autofree char *clean = gw_log_clean(g_strstrip(text), 300);

	return g_strdup_printf("%d %s", smtp->session->response_code, clean);
}

/* A reply code decides: 5xx permanent, anything else temporary. */
static gboolean
fail(GwSmtp *smtp, GError **error, int r, const char *doing)
{
	g_autofree char *reply = reply_text(smtp);
	int code = smtp->session->response_code;
	int kind = code >= 500 && code < 600 ? GW_SMTP_ERROR_PERMANENT
					     : GW_SMTP_ERROR_TEMPORARY;

	if (code == 0 || r == MAILSMTP_ERROR_STREAM)
		smtp->broken = TRUE;
	g_set_error(error, GW_SMTP_ERROR, kind, "smtp %s: %s failed: %s (%s)",
		    smtp->host, doing, code ? reply : "no reply",
		    mailsmtp_strerror(r));
	return FALSE;
}

static void
set_sni(struct mailstream_ssl_context *ctx, void *data)
{
	mailstream_ssl_set_server_name(ctx, data);
}

static gboolean
verify_peer(GwSmtp *smtp, const GwServerConfig *server, GError **error)
{
	carray *chain = mailstream_get_certificate_chain(smtp->session->stream);
	g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_bytes_unref);

	for (unsigned int i = 0; chain != NULL && i < carray_count(chain); i++) {
		MMAPString *der = carray_get(chain, i);

		g_ptr_array_add(certs, g_bytes_new(der->str, der->len));
	}
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	if (gw_tls_verify(certs, server->host, server->ca_file, error))
		return TRUE;
	(*error)->domain = GW_SMTP_ERROR;
	(*error)->code = GW_SMTP_ERROR_REFUSED;
	g_prefix_error(error, "smtp %s: refusing to send: ", smtp->host);
	return FALSE;
}

static gboolean
ehlo(GwSmtp *smtp, GError **error)
{
	int r = mailesmtp_ehlo(smtp->session);

	if (r == MAILSMTP_ERROR_NOT_IMPLEMENTED)
		r = mailsmtp_helo(smtp->session);
	return r == MAILSMTP_NO_ERROR || fail(smtp, error, r, "EHLO");
}

/* Each command goes out at once: with Nagle's algorithm, the end of
 * DATA waited for the server's delayed ACK, 40 ms a message. */
static void
no_delay(GwSmtp *smtp)
{
	int fd = mailstream_low_get_fd(mailstream_get_low(smtp->session->stream));
	int on = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

/* Once the stream is final: a server that hangs up mid-reply is an
 * error, not a loop (gw-stream.h). */
static gboolean
guard(GwSmtp *smtp, GError **error)
{
	if (gw_stream_guard_eof(smtp->session->stream))
		return TRUE;
	smtp->broken = TRUE;
	g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_TEMPORARY,
		    "smtp %s: out of memory", smtp->host);
	return FALSE;
}

static gboolean
open_session(GwSmtp *smtp, const GwServerConfig *server, GError **error)
{
	int r;

	if (server->security == GW_SECURITY_TLS)
		r = mailsmtp_ssl_connect_with_callback(smtp->session, server->host,
						       server->port, set_sni,
						       server->host);
	else
		r = mailsmtp_socket_connect(smtp->session, server->host,
					    server->port);
	if (r != MAILSMTP_NO_ERROR) {
		smtp->broken = TRUE;
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_TEMPORARY,
			    "smtp %s: cannot connect: %s", smtp->host,
			    mailsmtp_strerror(r));
		return FALSE;
	}
	no_delay(smtp);
	if (server->security == GW_SECURITY_TLS &&
	    !verify_peer(smtp, server, error))
		return FALSE;
	if (!ehlo(smtp, error))
		return FALSE;
	if (server->security != GW_SECURITY_STARTTLS)
		return guard(smtp, error);
	if (!(smtp->session->esmtp & MAILSMTP_ESMTP_STARTTLS)) {
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_REFUSED,
			    "smtp %s: the server offers no STARTTLS", smtp->host);
		return FALSE;
	}
	r = mailsmtp_socket_starttls_with_callback(smtp->session, set_sni,
						   server->host);
	if (r != MAILSMTP_NO_ERROR)
		return fail(smtp, error, r, "STARTTLS");
	return verify_peer(smtp, server, error) && guard(smtp, error) &&
	       ehlo(smtp, error);
}

/* A 4xx reply or a broken connection may heal by itself; any other
 * failure refuses these credentials, and an admin must act. */
static gboolean
auth_failed(GwSmtp *smtp, const GwServerConfig *server, int r, GError **error)
{
	gboolean xoauth2 = server->auth == GW_AUTH_XOAUTH2;
	int code = smtp->session->response_code;
	g_autofree char *reply = NULL;

	if (code == 0 || r == MAILSMTP_ERROR_STREAM || (code >= 400 && code < 500))
		return fail(smtp, error, r, xoauth2 ? "AUTH XOAUTH2" : "AUTH");
	reply = reply_text(smtp);
	g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_REFUSED,
		    "smtp %s: %s refused for %s: %s (%s)", smtp->host,
		    xoauth2 ? "XOAUTH2" : "AUTH", server->username, reply,
		    mailsmtp_strerror(r));
	return FALSE;
}

/* AUTH XOAUTH2 sends the initial response, which libetpan builds as
 * base64("user=" user ^A "auth=Bearer " token ^A ^A).  A refusing server
 * may first send a 334 with an error JSON; libetpan answers it with an
 * empty line and reads the final reply (535). */
static gboolean
authenticate(GwSmtp *smtp, const GwServerConfig *server, GError **error)
{
	g_autoptr(GError) local = NULL;
	char *token;
	int r;

	if (server->auth == GW_AUTH_PASSWORD) {
		r = mailsmtp_auth(smtp->session, server->username, server->password);
		return r == MAILSMTP_NO_ERROR || auth_failed(smtp, server, r, error);
	}
	token = gw_config_load_token(server, &local);
	if (token == NULL) {
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_TEMPORARY,
			    "smtp %s: no XOAUTH2 token for %s: %s", smtp->host,
			    server->username, local->message);
		return FALSE;
	}
	r = mailsmtp_oauth2_authenticate(smtp->session, server->username, token);
	gw_config_token_free(token);
	return r == MAILSMTP_NO_ERROR || auth_failed(smtp, server, r, error);
}

GwSmtp *
gw_smtp_connect(const GwServerConfig *server, GError **error)
{
	g_autoptr(GwSmtp) smtp = g_new0(GwSmtp, 1);

	smtp->host = g_strdup_printf("%s:%d", server->host, server->port);
	/* XXX: libetpan applies mailsmtp_set_timeout() to the connect and
	 * the TLS stream only; the plain stream falls back to this global. */
	mailstream_network_delay.tv_sec = server->timeout;
	mailstream_network_delay.tv_usec = 0;
	smtp->session = mailsmtp_new(0, NULL);
	mailsmtp_set_timeout(smtp->session, server->timeout);
	if (!open_session(smtp, server, error))
		return NULL;
	if (server->username != NULL && !authenticate(smtp, server, error))
		return NULL;
	return g_steal_pointer(&smtp);
}

void
gw_smtp_free(GwSmtp *smtp)
{
	if (smtp == NULL)
		return;
	if (smtp->session != NULL) {
		if (!smtp->broken && smtp->session->stream != NULL)
			mailsmtp_quit(smtp->session);
		mailsmtp_free(smtp->session);
	}
	g_free(smtp->host);
	g_free(smtp);
}

gboolean
gw_smtp_ok(const GwSmtp *smtp)
{
	return !smtp->broken;
}

/* Each Cc address in turn, after the main recipient: one the server
 * refuses is left out (and named in refused), the others still get the
 * mail.  A connection that broke fails the whole. */
static gboolean
add_cc(GwSmtp *smtp, const char *const *cc, GPtrArray *refused, GError **error)
{
	for (guint i = 0; cc != NULL && cc[i] != NULL; i++) {
		int r = mailesmtp_rcpt(smtp->session, cc[i], 0, NULL);

		if (r == MAILSMTP_NO_ERROR)
			continue;
		if (smtp->session->response_code == 0 || r == MAILSMTP_ERROR_STREAM)
			return fail(smtp, error, r, "RCPT TO");
		if (refused != NULL) {
			g_autofree char *reply = reply_text(smtp);
			g_autofree char *addr = gw_log_clean(cc[i], 80);

			g_ptr_array_add(refused, g_strdup_printf("%s (%s)", addr, reply));
		}
	}
	return TRUE;
}

gboolean
gw_smtp_send(GwSmtp *smtp, const char *envelope_from, const char *rcpt,
	     const char *const *cc, GBytes *message, char **reply_out,
	     GPtrArray *refused, GError **error)
{
	gsize len;
	const char *data = g_bytes_get_data(message, &len);
	int r;

	/* libetpan ends DATA with CRLF . CRLF itself. */
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	r = mailesmtp_mail(smtp->session, envelope_from, 0, NULL);
	if (r != MAILSMTP_NO_ERROR)
		return fail(smtp, error, r, "MAIL FROM");
	r = mailesmtp_rcpt(smtp->session, rcpt, 0, NULL);
	if (r != MAILSMTP_NO_ERROR) {
		fail(smtp, error, r, "RCPT TO");
		mailsmtp_reset(smtp->session);
		return FALSE;
	}
	if (!add_cc(smtp, cc, refused, error))
		return FALSE;
	r = mailsmtp_data(smtp->session);
	if (r != MAILSMTP_NO_ERROR) {
		fail(smtp, error, r, "DATA");
		mailsmtp_reset(smtp->session);
		return FALSE;
	}
	r = mailsmtp_data_message(smtp->session, data, len);
	if (r != MAILSMTP_NO_ERROR)
		return fail(smtp, error, r, "end of DATA");
	*reply_out = reply_text(smtp);
	return TRUE;
}
