/* stream.c - TCP connections and the end-of-file guard of gw-stream.h.
 *
 * Owns the sockets it opens until it hands them over, and a small
 * driver that passes every call to the stream's own transport (socket
 * or TLS), with one change: a read that returns 0 bytes for a request
 * of more returns -1.  Calls the transport does not have stay absent,
 * since libetpan tests for them.  The probes send nothing but a TLS
 * ClientHello, and read nothing but a greeting. */
#include "gw-stream.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw-log.h"
#include "gw-tls.h"

G_DEFINE_QUARK(gw-stream-error-quark, gw_stream_error)

#define GREETING_BYTES 200	/* read of a greeting by the probe */

/* Waits for a non-blocking connect to end; 0, or the errno why not
 * (ETIMEDOUT when timeout seconds pass). */
static int
wait_connected(int fd, int timeout)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout * G_USEC_PER_SEC;
	int r, err = 0;
	socklen_t len = sizeof err;

	do {
		gint64 left = deadline - g_get_monotonic_time();

		if (left <= 0)
			return ETIMEDOUT;
		r = poll(&pfd, 1, (int)MIN(left / 1000 + 1, G_MAXINT));
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	if (r == 0)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

/* One address: the connected socket, or -1 with *errno_out. */
static int
connect_one(const struct addrinfo *ai, int timeout, int *errno_out)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);

	if (fd < 0) {
		*errno_out = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	*errno_out = errno == EINPROGRESS ? wait_connected(fd, timeout) : errno;
	if (*errno_out == 0)
		return fd;
	close(fd);
	return -1;
}

static char *
address_text(const struct addrinfo *ai)
{
	char host[NI_MAXHOST];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, NULL, 0,
			NI_NUMERICHOST) != 0)
		return g_strdup("?");
	return g_strdup(host);
}

int
gw_stream_connect(const char *host, int port, int timeout, GError **error)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *found = NULL;
	g_autofree char *service = g_strdup_printf("%d", port);
	g_autoptr(GString) tried = g_string_new(NULL);
	int r, fd = -1, err = 0, n = 0;

	r = getaddrinfo(host, service, &hints, &found);
	if (r != 0) {
		g_set_error(error, GW_STREAM_ERROR, GW_STREAM_ERROR_CONNECT,
			    "cannot resolve the name: %s",
			    r == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (const struct addrinfo *ai = found; ai != NULL && fd < 0; ai = ai->ai_next) {
		g_autofree char *address = address_text(ai);

		fd = connect_one(ai, timeout, &err);
		g_string_append_printf(tried, "%s%s", n++ ? ", " : "", address);
	}
	freeaddrinfo(found);
	if (fd >= 0)
		return fd;
	if (err == ETIMEDOUT)
		g_set_error(error, GW_STREAM_ERROR, GW_STREAM_ERROR_CONNECT,
			    "cannot connect: no answer within %d s%s%s%s", timeout,
			    n > 1 ? " (tried " : "", n > 1 ? tried->str : "", n > 1 ? ")" : "");
	else
		g_set_error(error, GW_STREAM_ERROR, GW_STREAM_ERROR_CONNECT,
			    "cannot connect: %s%s%s%s", g_strerror(err),
			    n > 1 ? " (tried " : "", n > 1 ? tried->str : "", n > 1 ? ")" : "");
	return -1;
}

void
gw_stream_set_sni(struct mailstream_ssl_context *ctx, void *host)
{
	mailstream_ssl_set_server_name(ctx, host);
}

mailstream *
gw_stream_open(int fd, const char *host, gboolean tls, int timeout)
{
	mailstream *stream = tls
		? mailstream_ssl_open_with_callback_timeout(fd, timeout, gw_stream_set_sni,
							    (void *)host)
		: mailstream_socket_open_timeout(fd, timeout);

	if (stream == NULL)
		close(fd);
	return stream;
}

char *
gw_stream_greeting(const char *host, int port, int timeout)
{
	int fd = gw_stream_connect(host, port, timeout, NULL);
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[GREETING_BYTES + 1];
	ssize_t n = -1;

	if (fd < 0)
		return NULL;
	if (poll(&pfd, 1, timeout * 1000) == 1)
		n = recv(fd, buf, GREETING_BYTES, 0);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return gw_log_clean(buf, 80);
}

gboolean
gw_stream_speaks_tls(const char *host, int port, int timeout)
{
	int fd = gw_stream_connect(host, port, timeout, NULL);
	mailstream *s;

	if (fd < 0)
		return FALSE;
	s = mailstream_ssl_open_timeout(fd, timeout);
	if (s == NULL) {
		close(fd);
		return FALSE;
	}
	mailstream_close(s);	/* closes fd */
	return TRUE;
}

char *
gw_stream_tls_failure(const char *host, int port, int timeout,
		      gboolean (*greets_plain)(const char *line),
		      const char *tls_port)
{
	g_autofree char *why = g_strdup(gw_tls_take_handshake_failure());
	g_autofree char *greeting = gw_stream_greeting(host, port, timeout);

	if (why != NULL && g_str_has_suffix(why, "."))
		why[strlen(why) - 1] = '\0';	/* GnuTLS ends with one */
	if (greeting == NULL || !greets_plain(greeting))
		return g_strdup_printf("the TLS handshake failed (%s)",
				       why ? why : "the server broke it off");
	return g_strdup_printf("the TLS handshake failed (%s); the server greets "
			       "in plain text (\"%s\"), so security = starttls "
			       "probably fits this port (%s)",
			       why ? why : "the server broke it off", greeting,
			       tls_port);
}

typedef struct {
	mailstream_low *inner;
	mailstream_low_driver driver;	/* this guard's, pointed to by its low */
} Guard;

static mailstream_low *
inner_of(mailstream_low *s)
{
	return ((Guard *)s->data)->inner;
}

static ssize_t
guard_read(mailstream_low *s, void *buf, size_t count)
{
	ssize_t r = mailstream_low_read(inner_of(s), buf, count);

	return r == 0 && count > 0 ? -1 : r;
}

static ssize_t
guard_write(mailstream_low *s, const void *buf, size_t count)
{
	return mailstream_low_write(inner_of(s), buf, count);
}

static int
guard_close(mailstream_low *s)
{
	return mailstream_low_close(inner_of(s));
}

static int
guard_get_fd(mailstream_low *s)
{
	return mailstream_low_get_fd(inner_of(s));
}

static void
guard_free(mailstream_low *s)
{
	Guard *g = s->data;

	mailstream_low_free(g->inner);
	g_free(g);
	free(s);	/* allocated by mailstream_low_new */
}

static void
guard_cancel(mailstream_low *s)
{
	mailstream_low_cancel(inner_of(s));
}

static struct mailstream_cancel *
guard_get_cancel(mailstream_low *s)
{
	return mailstream_low_get_cancel(inner_of(s));
}

static carray *
guard_certificate_chain(mailstream_low *s)
{
	mailstream_low *in = inner_of(s);

	return in->driver->mailstream_get_certificate_chain(in);
}

static int
guard_setup_idle(mailstream_low *s)
{
	mailstream_low *in = inner_of(s);

	return in->driver->mailstream_setup_idle(in);
}

static int
guard_unsetup_idle(mailstream_low *s)
{
	mailstream_low *in = inner_of(s);

	return in->driver->mailstream_unsetup_idle(in);
}

static int
guard_interrupt_idle(mailstream_low *s)
{
	mailstream_low *in = inner_of(s);

	return in->driver->mailstream_interrupt_idle(in);
}

gboolean
gw_stream_guard_eof(mailstream *s)
{
	mailstream_low *inner = mailstream_get_low(s);
	const mailstream_low_driver *d = inner->driver;
	Guard *g = g_new0(Guard, 1);
	mailstream_low *low;

	g->inner = inner;
	g->driver = (mailstream_low_driver){
		.mailstream_read = guard_read,
		.mailstream_write = guard_write,
		.mailstream_close = guard_close,
		.mailstream_get_fd = guard_get_fd,
		.mailstream_free = guard_free,
		.mailstream_cancel = d->mailstream_cancel ? guard_cancel : NULL,
		.mailstream_get_cancel = d->mailstream_get_cancel ? guard_get_cancel : NULL,
		.mailstream_get_certificate_chain =
			d->mailstream_get_certificate_chain ? guard_certificate_chain : NULL,
		.mailstream_setup_idle = d->mailstream_setup_idle ? guard_setup_idle : NULL,
		.mailstream_unsetup_idle = d->mailstream_unsetup_idle ? guard_unsetup_idle : NULL,
		.mailstream_interrupt_idle =
			d->mailstream_interrupt_idle ? guard_interrupt_idle : NULL,
	};
	low = mailstream_low_new(g, &g->driver);
	if (low == NULL) {
		g_free(g);
		return FALSE;
	}
	mailstream_low_set_timeout(low, mailstream_low_get_timeout(inner));
	mailstream_set_low(s, low);
	return TRUE;
}
