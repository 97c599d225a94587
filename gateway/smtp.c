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
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "gw-log.h"
#include "gw-stream.h"
#include "gw-tls.h"

G_DEFINE_QUARK(gw-smtp-error-quark, gw_smtp_error)

#define PROBE_SECONDS 5		/* at most, to tell what a port speaks */
#define MAX_REPLY_LINES 100	/* of one reply; more is not SMTP */

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
static int
error_kind(int code)
{
	return code >= 500 && code < 600 ? GW_SMTP_ERROR_PERMANENT
					 : GW_SMTP_ERROR_TEMPORARY;
}

static gboolean
fail(GwSmtp *smtp, GError **error, int r, const char *doing)
{
	g_autofree char *reply = reply_text(smtp);
	int code = smtp->session->response_code;
	int kind = error_kind(code);

	if (code == 0 || r == MAILSMTP_ERROR_STREAM)
		smtp->broken = TRUE;
	g_set_error(error, GW_SMTP_ERROR, kind, "smtp %s: %s failed: %s (%s)",
		    smtp->host, doing, code ? reply : "no reply",
		    mailsmtp_strerror(r));
	return FALSE;
}

static gboolean
verify_peer(GwSmtp *smtp, const GwServerConfig *server, GError **error)
{
	carray *chain = mailstream_get_certificate_chain(smtp->session->stream);
	g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_bytes_unref);
	g_autoptr(GError) local = NULL;

	for (unsigned int i = 0; chain != NULL && i < carray_count(chain); i++) {
		MMAPString *der = carray_get(chain, i);

		g_ptr_array_add(certs, g_bytes_new(der->str, der->len));
	}
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	if (gw_tls_verify(certs, server->host, server->ca_file, &local))
		return TRUE;
	g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_REFUSED,
		    "smtp %s: refusing to send: %s", smtp->host, local->message);
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

/* An SMTP server greets with a three-digit reply code. */
static gboolean
smtp_greeting(const char *line)
{
	return g_ascii_isdigit(line[0]) && g_ascii_isdigit(line[1]) &&
	       g_ascii_isdigit(line[2]);
}

/* The TLS handshake of security = tls failed. */
static gboolean
tls_failed(GwSmtp *smtp, const GwServerConfig *server, GError **error)
{
	g_autofree char *why = gw_stream_tls_failure(
		server->host, server->port, MIN(server->timeout, PROBE_SECONDS),
		smtp_greeting, "SMTPS, security = tls, is usually on 465");

	g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_TEMPORARY, "smtp %s: %s",
		    smtp->host, why);
	return FALSE;
}

/* No greeting came: a server waiting for a TLS handshake is silent. */
static gboolean
greeting_failed(GwSmtp *smtp, const GwServerConfig *server, int r,
		GError **error)
{
	gboolean tls = server->security != GW_SECURITY_TLS &&
		       r == MAILSMTP_ERROR_STREAM &&
		       gw_stream_speaks_tls(server->host, server->port,
					    MIN(server->timeout, PROBE_SECONDS));

	if (!tls)
		return fail(smtp, error, r, "the greeting");
	g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_TEMPORARY,
		    "smtp %s: no greeting in plain text within %d s, but the "
		    "port answers a TLS handshake: security = tls probably fits "
		    "it (security = %s waits for a plain text greeting first)",
		    smtp->host, server->timeout,
		    server->security == GW_SECURITY_STARTTLS ? "starttls" : "none");
	return FALSE;
}

/* Connects (the socket is plaint's, for a clear error) and reads the
 * greeting; with security = tls, after the TLS handshake. */
static gboolean
open_stream(GwSmtp *smtp, const GwServerConfig *server, GError **error)
{
	g_autoptr(GError) local = NULL;
	int fd = gw_stream_connect(server->host, server->port, server->timeout, &local);
	mailstream *stream;
	int r;

	if (fd < 0) {
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_TEMPORARY,
			    "smtp %s: %s", smtp->host, local->message);
		return FALSE;
	}
	stream = gw_stream_open(fd, server->host, server->security == GW_SECURITY_TLS,
				server->timeout);
	if (stream == NULL) {
		if (server->security == GW_SECURITY_TLS)
			return tls_failed(smtp, server, error);
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_TEMPORARY,
			    "smtp %s: out of memory", smtp->host);
		return FALSE;
	}
	r = mailsmtp_connect(smtp->session, stream);	/* closes it on failure */
	return r == MAILSMTP_NO_ERROR || greeting_failed(smtp, server, r, error);
}

static gboolean
open_session(GwSmtp *smtp, const GwServerConfig *server, GError **error)
{
	int r;

	if (!open_stream(smtp, server, error)) {
		smtp->broken = TRUE;
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
	r = mailsmtp_socket_starttls_with_callback(smtp->session, gw_stream_set_sni,
						   server->host);
	if (r != MAILSMTP_NO_ERROR) {
		const char *why = gw_tls_take_handshake_failure();

		if (why == NULL)
			return fail(smtp, error, r, "STARTTLS");
		smtp->broken = TRUE;
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_TEMPORARY,
			    "smtp %s: STARTTLS failed: the TLS handshake failed: %s",
			    smtp->host, why);
		return FALSE;
	}
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
	if (xoauth2)
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_REFUSED,
			    "smtp %s: XOAUTH2 refused for %s: %s (%s)", smtp->host,
			    server->username, reply, mailsmtp_strerror(r));
	else
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_REFUSED,
			    "smtp %s: AUTH refused for %s: the user name or the "
			    "password is wrong (the server said: %s)", smtp->host,
			    server->username, reply);
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

/* One reply, which may span lines ("250-..." up to "250 ..."): its code,
 * and its text as reply_text() words it (caller frees).  NULL: no
 * well-formed reply, and the connection is broken. */
static char *
read_reply(GwSmtp *smtp, int *code_out)
{
	mailsmtp *s = smtp->session;

	*code_out = 0;
	s->response_code = 0;
	s->response = NULL;
	mmap_string_truncate(s->response_buffer, 0);
	for (int lines = 0; lines < MAX_REPLY_LINES; lines++) {
		char *line = mailstream_read_line_remove_eol(s->stream, s->line_buffer);

		if (line == NULL || !smtp_greeting(line) ||
		    (line[3] != '\0' && line[3] != ' ' && line[3] != '-'))
			break;
		if (s->response_buffer->len > 0)
			mmap_string_append_c(s->response_buffer, '\n');
		mmap_string_append(s->response_buffer, line[3] != '\0' ? line + 4 : "");
		if (line[3] != '-') {
			*code_out = s->response_code = (line[0] - '0') * 100 +
						       (line[1] - '0') * 10 + (line[2] - '0');
			s->response = s->response_buffer->str;
			return reply_text(smtp);
		}
	}
	smtp->broken = TRUE;
	return NULL;
}

/* A reply that refused a pipelined command, worded as fail() words it. */
static gboolean
refused_reply(GwSmtp *smtp, GError **error, int code, const char *reply,
	      const char *doing)
{
	g_set_error(error, GW_SMTP_ERROR, error_kind(code),
		    "smtp %s: %s failed: %s", smtp->host, doing,
		    reply != NULL ? reply : "no reply");
	return FALSE;
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

/* MAIL, RCPT and DATA one after the other, each reply awaited. */
static gboolean
envelope_in_turn(GwSmtp *smtp, const char *envelope_from, const char *rcpt,
		 const char *const *cc, GPtrArray *refused, GError **error)
{
	int r = mailesmtp_mail(smtp->session, envelope_from, 0, NULL);

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
	return TRUE;
}

/* RFC 2920: MAIL, every RCPT and DATA in one write, then their replies
 * in order: two round trips a message instead of four.  The commands
 * are those libetpan writes (RET=HDRS where the server offers DSN).
 * After a refusal the transaction is reset; should a server start DATA
 * (354) although the envelope was refused, the connection is dropped
 * instead, so that nothing is delivered. */
static gboolean
envelope_pipelined(GwSmtp *smtp, const char *envelope_from, const char *rcpt,
		   const char *const *cc, GPtrArray *refused, GError **error)
{
	mailsmtp *s = smtp->session;
	g_autoptr(GString) out = g_string_sized_new(256);
	g_autofree char *mail = NULL, *to = NULL, *data = NULL;
	int mail_code = 0, to_code = 0, data_code = 0;

	g_string_append_printf(out, "MAIL FROM:<%s>%s\r\nRCPT TO:<%s>\r\n",
			       envelope_from,
			       (s->esmtp & MAILSMTP_ESMTP_DSN) ? " RET=HDRS" : "", rcpt);
	for (guint i = 0; cc != NULL && cc[i] != NULL; i++)
		g_string_append_printf(out, "RCPT TO:<%s>\r\n", cc[i]);
	g_string_append(out, "DATA\r\n");
	if (mailstream_write(s->stream, out->str, out->len) != (ssize_t)out->len ||
	    mailstream_flush(s->stream) != 0) {
		smtp->broken = TRUE;
		return refused_reply(smtp, error, 0, NULL, "MAIL FROM");
	}
	mail = read_reply(smtp, &mail_code);
	to = mail != NULL ? read_reply(smtp, &to_code) : NULL;
	for (guint i = 0; to != NULL && cc != NULL && cc[i] != NULL; i++) {
		int code;
		g_autofree char *reply = read_reply(smtp, &code);

		if (reply == NULL)
			return refused_reply(smtp, error, 0, NULL, "RCPT TO");
		if (code / 100 != 2 && refused != NULL) {
			g_autofree char *addr = gw_log_clean(cc[i], 80);

			g_ptr_array_add(refused, g_strdup_printf("%s (%s)", addr, reply));
		}
	}
	data = to != NULL ? read_reply(smtp, &data_code) : NULL;
	if (data == NULL)
		return refused_reply(smtp, error, 0, NULL,
				     mail == NULL ? "MAIL FROM" : to == NULL ? "RCPT TO" : "DATA");
	if (mail_code / 100 == 2 && to_code / 100 == 2 && data_code == 354)
		return TRUE;
	if (data_code == 354)
		smtp->broken = TRUE;
	else
		mailsmtp_reset(s);
	if (mail_code / 100 != 2)
		return refused_reply(smtp, error, mail_code, mail, "MAIL FROM");
	if (to_code / 100 != 2)
		return refused_reply(smtp, error, to_code, to, "RCPT TO");
	return refused_reply(smtp, error, data_code, data, "DATA");
}

/* An address that would end an SMTP command line early. */
static gboolean
breaks_line(const char *address)
{
	return address != NULL && strpbrk(address, "\r\n") != NULL;
}

gboolean
gw_smtp_send(GwSmtp *smtp, const char *envelope_from, const char *rcpt,
	     const char *const *cc, GBytes *message, char **reply_out,
	     GPtrArray *refused, GError **error)
{
	gsize len;
	const char *data = g_bytes_get_data(message, &len);
	gboolean ok;
	int r;

	ok = !breaks_line(envelope_from) && !breaks_line(rcpt);
	for (guint i = 0; ok && cc != NULL && cc[i] != NULL; i++)
		ok = !breaks_line(cc[i]);
	if (!ok) {
		g_set_error(error, GW_SMTP_ERROR, GW_SMTP_ERROR_PERMANENT,
			    "smtp %s: an address of the envelope holds a line "
			    "break; not sent", smtp->host);
		return FALSE;
	}
	/* libetpan ends DATA with CRLF . CRLF itself. */
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (smtp->session->esmtp & MAILSMTP_ESMTP_PIPELINING)
		ok = envelope_pipelined(smtp, envelope_from, rcpt, cc, refused, error);
	else
		ok = envelope_in_turn(smtp, envelope_from, rcpt, cc, refused, error);
	if (!ok)
		return FALSE;
	r = mailsmtp_data_message(smtp->session, data, len);
	if (r != MAILSMTP_NO_ERROR)
		return fail(smtp, error, r, "end of DATA");
	*reply_out = reply_text(smtp);
	return TRUE;
}
