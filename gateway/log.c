/* log.c - the log sink of gw-log.h.
 *
 * Owns the choice of sink and the least priority shown; never formats
 * untrusted text unless through gw_log_clean().  Writes one line per
 * call, so concurrent writers never interleave within a line. */
#define _GNU_SOURCE	/* memmem */
#include "gw-log.h"

#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>

static GwLogSink log_sink = GW_LOG_STDERR;
static int log_max = LOG_INFO;

static const char *
priority_name(int priority)
{
	switch (priority) {
	case LOG_ERR:		return "error";
	case LOG_WARNING:	return "warning";
	case LOG_NOTICE:	return "notice";
	case LOG_INFO:		return "info";
	default:		return "debug";
	}
}

static void
log_line(int priority, const char *fmt, va_list ap)
{
	g_autofree char *text = NULL;

	if (priority > log_max)
		return;
	text = g_strdup_vprintf(fmt, ap);
	switch (log_sink) {
	case GW_LOG_SYSLOG:
		syslog(priority, "%s", text);
		break;
	case GW_LOG_JOURNAL:
		fprintf(stderr, "<%d>%s\n", priority, text);
		break;
	case GW_LOG_STDERR:
		fprintf(stderr, "plaint: %s: %s\n", priority_name(priority),
			text);
		break;
	}
}

#define DEFINE_LOG(fn, priority)			\
	void fn(const char *fmt, ...)			\
	{						\
		va_list ap;				\
		va_start(ap, fmt);			\
		log_line(priority, fmt, ap);		\
		va_end(ap);				\
	}

DEFINE_LOG(gw_log_err, LOG_ERR)
DEFINE_LOG(gw_log_warning, LOG_WARNING)
DEFINE_LOG(gw_log_notice, LOG_NOTICE)
DEFINE_LOG(gw_log_info, LOG_INFO)
DEFINE_LOG(gw_log_debug, LOG_DEBUG)

static void
log_printf(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(priority, fmt, ap);
	va_end(ap);
}

/* GLib, GIO and GMime messages: criticals are bugs and stay fatal under
 * G_DEBUG=fatal-criticals, which GLib applies before calling us. */
static GLogWriterOutput
write_glib(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
	   gpointer data)
{
	const char *domain = "glib", *message = "";
	int priority = LOG_DEBUG;

	(void)data;
	for (gsize i = 0; i < n_fields; i++) {
		if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
			message = fields[i].value;
		else if (g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0)
			domain = fields[i].value;
	}
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		priority = LOG_ERR;
	else if (level & G_LOG_LEVEL_WARNING)
		priority = LOG_WARNING;
	else if (level & G_LOG_LEVEL_MESSAGE)
		priority = LOG_NOTICE;
	else if (level & G_LOG_LEVEL_INFO)
		priority = LOG_INFO;
	log_printf(priority, "library=%s %s", domain, message);
	return G_LOG_WRITER_HANDLED;
}

void
gw_log_init(GwLogSink sink, int max_priority)
{
	log_sink = sink;
	log_max = max_priority;
	if (sink == GW_LOG_SYSLOG)
		openlog("plaint", LOG_PID, LOG_MAIL);
	g_log_set_writer_func(write_glib, NULL, NULL);
}

char *
gw_log_clean(const char *text, gsize max_chars)
{
	g_autofree char *valid = NULL;
	GString *out;
	gsize n = 0;

	if (text == NULL)
		return g_strdup("");
	valid = g_utf8_make_valid(text, -1);	/* bad bytes -> U+FFFD */
	out = g_string_new(NULL);
	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (n++ == max_chars) {
			g_string_append(out, "...");
			break;
		}
		if (g_unichar_iscntrl(c) || c == '"')
			g_string_append_c(out, '?');
		else
			g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

void
gw_crash_point(const char *name, GBytes *bytes)
{
	static gsize once;
	static char *point, *text;
	gsize len;
	const char *data;

	if (g_once_init_enter(&once)) {
		const char *v = g_getenv("PLAINT_CRASH_POINT");
		const char *colon = v ? strchr(v, ':') : NULL;

		if (v != NULL && *v != '\0') {
			point = colon ? g_strndup(v, colon - v) : g_strdup(v);
			text = colon ? g_strdup(colon + 1) : NULL;
		}
		g_once_init_leave(&once, 1);
	}
	if (point == NULL || strcmp(point, name) != 0)
		return;
	if (text != NULL) {
		data = bytes ? g_bytes_get_data(bytes, &len) : NULL;
		if (data == NULL || memmem(data, len, text, strlen(text)) == NULL)
			return;
	}
	gw_log_notice("crash point %s reached: killed (PLAINT_CRASH_POINT)", name);
	raise(SIGKILL);
}
