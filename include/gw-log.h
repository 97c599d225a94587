/* gw-log.h - the log sink: one key=value line per event.
 *
 * Under systemd (JOURNAL_STREAM set) or when asked, lines go to stderr
 * with a "<N>" priority prefix journald understands; otherwise to
 * stderr plainly (interactive commands) or syslog(3) (the daemon).
 * GLib's and GMime's own messages are routed here too.  The log is one
 * of the two globals the project allows. */
#pragma once

#include <glib.h>

typedef enum {
	GW_LOG_STDERR,		/* "plaint: warning: ..." for a person */
	GW_LOG_JOURNAL,		/* "<4>..." for journald */
	GW_LOG_SYSLOG,
} GwLogSink;

/* Chooses the sink and the least important priority shown (LOG_INFO,
 * LOG_DEBUG, ...), and installs the GLib log writer. */
void gw_log_init(GwLogSink sink, int max_priority);

void gw_log_err(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void gw_log_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void gw_log_notice(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void gw_log_info(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void gw_log_debug(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* For the reliability tests: with PLAINT_CRASH_POINT=NAME (or
 * NAME:TEXT) in the environment, the process kills itself with SIGKILL,
 * as kill -9 would, when it reaches the point called name (and, with
 * TEXT, only while working on bytes that hold TEXT; bytes may be NULL).
 * Points: fetched (raw rows committed, not yet flagged), parse (about to
 * parse a claimed message), filed (filed, not yet committed), sent (the
 * SMTP server said 250, not yet recorded).  Without the variable, a
 * test of one cached pointer. */
void gw_crash_point(const char *name, GBytes *bytes);

/* A copy of untrusted text fit for one log value: control characters
 * become '?', at most max_chars characters are kept ("..." marks a
 * cut), never NULL (NULL in gives "").  Caller frees. */
char *gw_log_clean(const char *text, gsize max_chars);
