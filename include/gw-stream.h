/* gw-stream.h - TCP connections for libetpan's streams, and a guard.
 *
 * plaint opens the TCP connection of IMAP and SMTP itself, so that a
 * failure names the host, the port and the system's reason (libetpan
 * says only "connection refused", whatever happened), and hands the
 * socket to libetpan.  When a server does not speak as `security`
 * says, two probes tell what it does speak.
 *
 * libetpan 1.9.4 (Debian 12) reads a literal in a loop that treats a
 * read of 0 bytes as progress: a server or link that closes the
 * connection in the middle of a FETCH leaves it spinning at full CPU
 * for ever.  The guard makes end of file a read error, which every
 * caller in libetpan handles. */
#pragma once

#include <glib.h>
#include <libetpan/libetpan.h>

#define GW_STREAM_ERROR (gw_stream_error_quark())
GQuark gw_stream_error_quark(void);
typedef enum {
	GW_STREAM_ERROR_CONNECT,	/* no address of the host answered */
} GwStreamError;

/* A TCP connection to host:port, non-blocking as libetpan's own: every
 * address of host is tried in turn, each for at most timeout seconds.
 * The error says why, as "cannot connect: Connection refused", "cannot
 * connect: no answer within 30 s" or "cannot resolve the name: ...";
 * the caller adds host and port. */
int gw_stream_connect(const char *host, int port, int timeout, GError **error);

/* libetpan's stream over the connected socket fd: TLS at once (with
 * host as SNI; nothing verified yet, see gw_tls_verify) when tls, else
 * plain.  NULL on failure, fd closed then. */
mailstream *gw_stream_open(int fd, const char *host, gboolean tls, int timeout);
/* For libetpan's STARTTLS with a callback: host (data) as SNI. */
void gw_stream_set_sni(struct mailstream_ssl_context *ctx, void *host);

/* Probes, for an error message once a connection failed.  The first
 * line a server sends unasked within timeout seconds, cleaned (NULL if
 * none): a plain text server greets at once, a TLS one waits. */
char *gw_stream_greeting(const char *host, int port, int timeout);
/* TRUE if host:port completes a TLS handshake (nothing is verified). */
gboolean gw_stream_speaks_tls(const char *host, int port, int timeout);

/* Why the handshake of security = tls with host:port failed, for an
 * error message: GnuTLS's words (gw_tls_take_handshake_failure), and
 * when the server greets in plain text at once (greets_plain says of its
 * first line), a hint that security = starttls fits and that the
 * protocol's TLS port is usually tls_port.  Caller frees. */
char *gw_stream_tls_failure(const char *host, int port, int timeout,
			    gboolean (*greets_plain)(const char *line),
			    const char *tls_port);

/* Puts the guard between s and its transport; call once the stream is
 * final (after STARTTLS).  FALSE only when out of memory. */
gboolean gw_stream_guard_eof(mailstream *s);
