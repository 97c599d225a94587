/* gw-smtp.h - submits mail to one SMTP server over one connection.
 *
 * The only module with libetpan's SMTP half.  TLS certificates are
 * verified (gw-tls.h) before AUTH or any envelope is sent. */
#pragma once

#include "gw-config.h"

typedef struct GwSmtp GwSmtp;

#define GW_SMTP_ERROR (gw_smtp_error_quark())
GQuark gw_smtp_error_quark(void);
typedef enum {
	GW_SMTP_ERROR_TEMPORARY,	/* 4xx, network, timeout: retry later */
	GW_SMTP_ERROR_PERMANENT,	/* 5xx for this message: never retry */
	GW_SMTP_ERROR_REFUSED,		/* TLS untrusted or AUTH refused */
} GwSmtpError;

/* Connects, verifies TLS, and with a username authenticates: AUTH with
 * the password, or AUTH XOAUTH2 with a token fetched now (a token that
 * cannot be had is GW_SMTP_ERROR_TEMPORARY). */
GwSmtp *gw_smtp_connect(const GwServerConfig *server, GError **error);
void gw_smtp_free(GwSmtp *smtp);	/* QUIT, best effort */

/* Sends message from envelope_from ("" is the null sender) to rcpt and
 * to each address of cc (NULL-terminated, or NULL).  rcpt must be
 * accepted; a Cc address the server refuses is left out and described
 * ("addr (550 ...)") in refused (may be NULL), and the others get the
 * mail.  *reply_out: the server's final reply ("250 ..."), caller
 * frees.  On failure the connection may be unusable: check
 * gw_smtp_ok(). */
gboolean gw_smtp_send(GwSmtp *smtp, const char *envelope_from,
		      const char *rcpt, const char *const *cc,
		      GBytes *message, char **reply_out, GPtrArray *refused,
		      GError **error);
gboolean gw_smtp_ok(const GwSmtp *smtp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwSmtp, gw_smtp_free)
