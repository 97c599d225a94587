/* gw-stream.h - a guard around libetpan's streams.
 *
 * libetpan 1.9.4 (Debian 12) reads a literal in a loop that treats a
 * read of 0 bytes as progress: a server or link that closes the
 * connection in the middle of a FETCH leaves it spinning at full CPU
 * for ever.  The guard makes end of file a read error, which every
 * caller in libetpan handles. */
#pragma once

#include <glib.h>
#include <libetpan/libetpan.h>

/* Puts the guard between s and its transport; call once the stream is
 * final (after STARTTLS).  FALSE only when out of memory. */
gboolean gw_stream_guard_eof(mailstream *s);
