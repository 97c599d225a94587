/* stream.c - the end-of-file guard of gw-stream.h.
 *
 * Owns a small driver that passes every call to the stream's own
 * transport (socket or TLS), with one change: a read that returns 0
 * bytes for a request of more returns -1.  Calls the transport does not
 * have stay absent, since libetpan tests for them. */
#include "gw-stream.h"

#include <stdlib.h>

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
