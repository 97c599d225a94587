/* config.c - plaint.conf (a GLib key file) -> an immutable GwConfig.
 *
 * Every key is one row of the table below: section, name, type,
 * default, bounds.  A key the table does not know, a value that does
 * not parse or fails its check, a missing required key: each is refused
 * as "file:line: message", because GKeyFile reports no line numbers and
 * an admin needs them.  Secrets come only from *_file keys; their
 * contents never reach a log or an error message.  Besides main.c this
 * is the only module that reads files.
 *
 * OAuth 2.0 access tokens live an hour or so, so they are fetched for
 * each new connection (gw_config_load_token), from token_file or from
 * the program token_command names.  Like a password, a token is never
 * logged, never part of an error and never written anywhere; its
 * buffers are wiped before they are freed. */
#include "gw-config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>

#include "gw-log.h"

G_DEFINE_QUARK(gw-config-error-quark, gw_config_error)

#define MAX_CONFIG_BYTES	(1024 * 1024)
#define MAX_SECRET_BYTES	4096
#define MAX_RULE_FILE_BYTES	(1024 * 1024)
#define MAX_RULE_FILES		1000
#define MAX_TOKEN_BYTES		(64 * 1024)	/* Entra ID tokens run to a few KiB */
#define MAX_TOKEN_STDERR	4096		/* kept of token_command's stderr */

typedef enum {
	KEY_STRING,
	KEY_INT,
	KEY_BOOL,
	KEY_SECURITY,
	KEY_AUTH,	/* password or xoauth2 */
	KEY_COMMAND,	/* a command line, split as a shell would: an argv */
	KEY_PATH,	/* made absolute against the config file's directory */
	KEY_SECRET,	/* a path; the value kept is the file's content */
	KEY_TEXTFILE,	/* a path; the value kept is the file's text */
	KEY_CHARSETS,	/* a list of charset names iconv knows */
	KEY_DOMAINS,	/* a list of domain names, kept in lower case */
	KEY_CHOICE,	/* one of the words of def, "a|b|c" with the default
			 * first; kept as a string */
	KEY_AUTHFAILS,	/* a list of sender authentication failures
			 * (auth_failures), kept as a strv */
	KEY_HOURS,	/* business hours or "always", kept as a GwHours */
	KEY_LISTEN,	/* ADDRESS:PORT, a numeric address: a GwListenConfig */
} KeyType;

typedef enum {
	IN_CONFIG,	/* a field of GwConfig */
	IN_SMTP,	/* of GwConfig.smtp */
	IN_ITEM,	/* of the section's own struct (mailbox, queue, ...) */
	IN_SERVER,	/* of GwMailboxConfig.server */
} KeyTarget;

typedef struct {
	const char *section;	/* "mailbox" stands for every [mailbox NAME] */
	const char *name;
	KeyType type;
	KeyTarget target;
	size_t offset;
	const char *def;	/* NULL: required (unless optional) */
	gboolean optional;	/* NULL default is fine */
	gint64 min, max;	/* KEY_INT bounds */
} KeyRule;

#define CFG(f) IN_CONFIG, offsetof(GwConfig, f)
#define SMTP(f) IN_SMTP, offsetof(GwServerConfig, f)
#define MBOX(f) IN_ITEM, offsetof(GwMailboxConfig, f)
#define QUEUE(f) IN_ITEM, offsetof(GwQueueConfig, f)
#define TMPL(f) IN_ITEM, offsetof(GwTemplateConfig, f)
#define SRV(f) IN_SERVER, offsetof(GwServerConfig, f)

static const KeyRule key_rules[] = {
	{ "database", "conninfo", KEY_STRING, CFG(conninfo), NULL, TRUE, 0, 0 },
	{ "database", "conninfo_file", KEY_SECRET, CFG(conninfo_file), NULL, TRUE, 0, 0 },
	{ "database", "timeout", KEY_INT, CFG(db_timeout), "30", FALSE, 1, 3600 },
	{ "tickets", "prefix", KEY_STRING, CFG(ticket_prefix), "CMP", FALSE, 0, 0 },
	{ "tickets", "message_id_domain", KEY_STRING, CFG(message_id_domain), NULL, TRUE, 0, 0 },
	{ "tickets", "customer_reply_to", KEY_BOOL, CFG(customer_reply_to), "false", FALSE, 0, 0 },
	{ "tickets", "unlinked_bounce_queue", KEY_STRING, CFG(unlinked_bounce_queue), "bounces", FALSE, 0, 0 },
	{ "tickets", "tag_from_strangers", KEY_CHOICE, CFG(tag_from_strangers), "new|thread", FALSE, 0, 0 },
	{ "tickets", "repeat_tickets", KEY_INT, CFG(repeat_tickets), "3", FALSE, 0, 1000 },
	{ "tickets", "repeat_days", KEY_INT, CFG(repeat_days), "30", FALSE, 0, 3650 },
	{ "mail", "max_message_bytes", KEY_INT, CFG(max_message_bytes), "67108864", FALSE, 1024, 1 << 30 },
	{ "mail", "max_header_bytes", KEY_INT, CFG(max_header_bytes), "1048576", FALSE, 1024, 64 << 20 },
	{ "mail", "max_text_bytes", KEY_INT, CFG(max_text_bytes), "1048576", FALSE, 1024, 64 << 20 },
	{ "mail", "max_headers", KEY_INT, CFG(max_headers), "1000", FALSE, 10, 100000 },
	{ "mail", "max_mime_depth", KEY_INT, CFG(max_mime_depth), "30", FALSE, 1, 1000 },
	{ "mail", "max_parts", KEY_INT, CFG(max_parts), "1000", FALSE, 1, 100000 },
	{ "mail", "workers", KEY_INT, CFG(workers), "2", FALSE, 1, 32 },
	{ "mail", "filing_batch", KEY_INT, CFG(filing_batch), "50", FALSE, 1, 1000 },
	{ "mail", "batch_bytes", KEY_INT, CFG(batch_bytes), "16777216", FALSE, 65536, 1 << 30 },
	{ "mail", "max_attempts", KEY_INT, CFG(max_attempts), "3", FALSE, 1, 100 },
	{ "mail", "fallback_charsets", KEY_CHARSETS, CFG(fallback_charsets), "windows-1252", FALSE, 0, 0 },
	{ "rules", "dir", KEY_PATH, CFG(rules_dir), "/etc/plaint/rules.d", FALSE, 0, 0 },
	{ "rules", "jit", KEY_BOOL, CFG(rules_jit), "true", FALSE, 0, 0 },
	{ "ack", "within", KEY_INT, CFG(ack_within), "60", FALSE, 1, 7 * 86400 },
	{ "ack", "respond_within", KEY_INT, CFG(respond_within), "86400", FALSE, 60, 90 * 86400 },
	{ "ack", "rate_limit", KEY_INT, CFG(ack_rate_limit), "5", FALSE, 0, 10000 },
	{ "ack", "rate_window", KEY_INT, CFG(ack_rate_window), "86400", FALSE, 60, 90 * 86400 },
	{ "ack", "domain_rate_limit", KEY_INT, CFG(domain_rate_limit), "30", FALSE, 0, 100000 },
	{ "ack", "domain_rate_window", KEY_INT, CFG(domain_rate_window), "3600", FALSE, 60, 90 * 86400 },
	{ "ack", "domain_rate_exempt", KEY_DOMAINS, CFG(domain_rate_exempt), "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com icloud.com me.com aol.com gmx.de gmx.net web.de proton.me protonmail.com yandex.ru mail.ru", FALSE, 0, 0 },
	{ "ack", "similar_rate_limit", KEY_INT, CFG(similar_rate_limit), "3", FALSE, 0, 100000 },
	{ "ack", "template", KEY_STRING, CFG(ack_template), NULL, TRUE, 0, 0 },
	{ "ack", "bounce_address", KEY_STRING, CFG(bounce_address), NULL, TRUE, 0, 0 },
	{ "ack", "trusted_authserv_id", KEY_STRING, CFG(trusted_authserv_id), NULL, TRUE, 0, 0 },
	{ "ack", "skip_when", KEY_AUTHFAILS, CFG(skip_when), "dmarc-fail", FALSE, 0, 0 },
	{ "retention", "raw_days", KEY_INT, CFG(retention_raw_days), "0", FALSE, 0, 36500 },
	{ "satisfaction", "enabled", KEY_BOOL, CFG(satisfaction_enabled), "false", FALSE, 0, 0 },
	{ "satisfaction", "template", KEY_STRING, CFG(satisfaction_template), NULL, TRUE, 0, 0 },
	{ "satisfaction", "ask_after", KEY_INT, CFG(satisfaction_ask_after), "3600", FALSE, 0, 30 * 86400 },
	{ "satisfaction", "quiet_days", KEY_INT, CFG(satisfaction_quiet_days), "30", FALSE, 0, 3650 },
	{ "satisfaction", "low_score_queue", KEY_STRING, CFG(low_score_queue), NULL, TRUE, 0, 0 },
	{ "smtp", "host", KEY_STRING, SMTP(host), NULL, FALSE, 0, 0 },
	{ "smtp", "port", KEY_INT, SMTP(port), "0", FALSE, 0, 65535 },
	{ "smtp", "security", KEY_SECURITY, SMTP(security), "starttls", FALSE, 0, 0 },
	{ "smtp", "ca_file", KEY_PATH, SMTP(ca_file), NULL, TRUE, 0, 0 },
	{ "smtp", "username", KEY_STRING, SMTP(username), NULL, TRUE, 0, 0 },
	{ "smtp", "auth", KEY_AUTH, SMTP(auth), "password", FALSE, 0, 0 },
	{ "smtp", "password_file", KEY_SECRET, SMTP(password), NULL, TRUE, 0, 0 },
	{ "smtp", "token_command", KEY_COMMAND, SMTP(token_command), NULL, TRUE, 0, 0 },
	{ "smtp", "token_file", KEY_PATH, SMTP(token_file), NULL, TRUE, 0, 0 },
	{ "smtp", "timeout", KEY_INT, SMTP(timeout), "30", FALSE, 1, 600 },
	{ "smtp", "from", KEY_STRING, CFG(smtp_from), NULL, FALSE, 0, 0 },
	{ "mailbox", "host", KEY_STRING, SRV(host), NULL, FALSE, 0, 0 },
	{ "mailbox", "port", KEY_INT, SRV(port), "0", FALSE, 0, 65535 },
	{ "mailbox", "security", KEY_SECURITY, SRV(security), "tls", FALSE, 0, 0 },
	{ "mailbox", "ca_file", KEY_PATH, SRV(ca_file), NULL, TRUE, 0, 0 },
	{ "mailbox", "username", KEY_STRING, SRV(username), NULL, FALSE, 0, 0 },
	{ "mailbox", "auth", KEY_AUTH, SRV(auth), "password", FALSE, 0, 0 },
	{ "mailbox", "password_file", KEY_SECRET, SRV(password), NULL, TRUE, 0, 0 },
	{ "mailbox", "token_command", KEY_COMMAND, SRV(token_command), NULL, TRUE, 0, 0 },
	{ "mailbox", "token_file", KEY_PATH, SRV(token_file), NULL, TRUE, 0, 0 },
	{ "mailbox", "timeout", KEY_INT, SRV(timeout), "30", FALSE, 1, 600 },
	{ "mailbox", "folder", KEY_STRING, MBOX(folder), "INBOX", FALSE, 0, 0 },
	{ "mailbox", "queue", KEY_STRING, MBOX(queue), "general", FALSE, 0, 0 },
	{ "mailbox", "poll_interval", KEY_INT, MBOX(poll_interval), "30", FALSE, 1, 86400 },
	{ "mailbox", "batch", KEY_INT, MBOX(batch), "100", FALSE, 1, 5000 },
	{ "mailbox", "start", KEY_CHOICE, MBOX(start), "unseen|all|new", FALSE, 0, 0 },
	{ "queue", "ack_within", KEY_INT, QUEUE(ack_within), "0", FALSE, 0, 7 * 86400 },
	{ "queue", "respond_within", KEY_INT, QUEUE(respond_within), "0", FALSE, 0, 90 * 86400 },
	{ "queue", "resolve_within", KEY_INT, QUEUE(resolve_within), "0", FALSE, 0, 366 * 86400 },
	{ "queue", "hours", KEY_HOURS, QUEUE(hours), NULL, TRUE, 0, 0 },
	{ "queue", "escalate_to", KEY_STRING, QUEUE(escalate_to), NULL, TRUE, 0, 0 },
	{ "queue", "template", KEY_STRING, QUEUE(template), NULL, TRUE, 0, 0 },
	{ "queue", "team", KEY_STRING, QUEUE(team), NULL, TRUE, 0, 0 },
	{ "template", "file", KEY_TEXTFILE, TMPL(path), NULL, FALSE, 0, 0 },
	{ "template", "html_file", KEY_TEXTFILE, TMPL(html_path), NULL, TRUE, 0, 0 },
	{ "metrics", "listen", KEY_LISTEN, CFG(metrics), NULL, TRUE, 0, 0 },
};

#define MAX_TEMPLATE_BYTES (64 * 1024)

/* Where each group and key sits in the file, for messages. */
typedef struct {
	const char *path;
	char *dir;
	GHashTable *lines;	/* "group" or "group\nkey" -> line */
} Source;

static int
line_of(const Source *src, const char *group, const char *key)
{
	g_autofree char *k = key ? g_strconcat(group, "\n", key, NULL)
				 : g_strdup(group);

	return GPOINTER_TO_INT(g_hash_table_lookup(src->lines, k));
}

static gboolean
fail(GError **error, const Source *src, int line, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

static gboolean
fail(GError **error, const Source *src, int line, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		g_set_error(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_INVALID,
			    "%s:%d: %s", src->path, line, msg);
	else	/* about something the file lacks */
		g_set_error(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_INVALID,
			    "%s: %s", src->path, msg);
	return FALSE;
}

/* Checks the line structure (which GKeyFile would report without a
 * line number) and records where each group and key is. */
static gboolean
scan_lines(Source *src, const char *text, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autofree char *group = NULL;

	for (int i = 0; lines[i] != NULL; i++) {
		g_autofree char *key = NULL;
		char *line = g_strstrip(lines[i]);
		char *eq;

		if (*line == '\0' || *line == '#')
			continue;
		if (*line == '[') {
			if (line[strlen(line) - 1] != ']')
				return fail(error, src, i + 1,
					    "a section header must end with ']'");
			g_free(group);
			group = g_strndup(line + 1, strlen(line) - 2);
			if (g_hash_table_contains(src->lines, group))
				return fail(error, src, i + 1,
					    "section [%s] appears twice", group);
			g_hash_table_insert(src->lines, g_strdup(group),
					    GINT_TO_POINTER(i + 1));
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL)
			return fail(error, src, i + 1,
				    "expected 'key = value', '[section]' or a '#' comment");
		if (group == NULL)
			return fail(error, src, i + 1,
				    "a key before any [section]");
		*eq = '\0';
		key = g_strconcat(group, "\n", g_strstrip(line), NULL);
		if (g_hash_table_contains(src->lines, key))
			return fail(error, src, i + 1, "key '%s' appears twice",
				    g_strstrip(line));
		g_hash_table_insert(src->lines, g_steal_pointer(&key),
				    GINT_TO_POINTER(i + 1));
	}
	return TRUE;
}

static char *
absolute_path(const Source *src, const char *value)
{
	if (g_path_is_absolute(value))
		return g_strdup(value);
	return g_build_filename(src->dir, value, NULL);
}

static char *
read_secret(const Source *src, int line, const char *path, GError **error)
{
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) local = NULL;
	gsize len;
	const char *data;

	bytes = gw_config_read_file(path, MAX_SECRET_BYTES, &local);
	if (bytes == NULL) {
		fail(error, src, line, "%s", local->message);
		return NULL;
	}
	data = g_bytes_get_data(bytes, &len);
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len == 0 || memchr(data, '\0', len) != NULL ||
	    memchr(data, '\n', len) != NULL) {
		fail(error, src, line, "%s: must hold one line, the secret", path);
		return NULL;
	}
	return g_strndup(data, len);
}

/* A command line split as a shell would split it, to be run without
 * one; a relative program path (one with a '/') is taken from the
 * config file's directory, a bare name from PATH. */
static gboolean
parse_command(const Source *src, const KeyRule *rule, int line,
	      const char *value, char ***argv_out, GError **error)
{
	g_autoptr(GError) local = NULL;
	char **argv = NULL;

	if (!g_shell_parse_argv(value, NULL, &argv, &local))
		return fail(error, src, line, "%s: %s", rule->name, local->message);
	if (strchr(argv[0], '/') != NULL && !g_path_is_absolute(argv[0])) {
		char *abs = g_canonicalize_filename(argv[0], src->dir);

		g_free(argv[0]);
		argv[0] = abs;
	}
	*argv_out = argv;
	return TRUE;
}

static gboolean
parse_auth(const Source *src, const KeyRule *rule, int line,
	   const char *value, GwAuth *auth_out, GError **error)
{
	if (g_strcmp0(value, "password") == 0)
		*auth_out = GW_AUTH_PASSWORD;
	else if (g_strcmp0(value, "xoauth2") == 0)
		*auth_out = GW_AUTH_XOAUTH2;
	else
		return fail(error, src, line, "%s must be password or xoauth2, not '%s'",
			    rule->name, value);
	return TRUE;
}

/* What [ack] skip_when may name: the acknowledgement reasons of ack.c
 * for sender authentication that failed. */
static const char *const auth_failures[] = { "dmarc-fail", "spf-fail", "dkim-fail" };

static gboolean
parse_authfails(const Source *src, const KeyRule *rule, int line,
		const char *value, char ***list_out, GError **error)
{
	g_auto(GStrv) words = g_strsplit_set(value, ", ", -1);
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);

	for (int i = 0; words[i] != NULL; i++) {
		gboolean known = FALSE, twice = FALSE;

		if (*words[i] == '\0')
			continue;
		for (gsize k = 0; k < G_N_ELEMENTS(auth_failures); k++)
			known |= strcmp(words[i], auth_failures[k]) == 0;
		if (!known)
			return fail(error, src, line, "%s: '%s' is none of dmarc-fail, "
				    "spf-fail, dkim-fail", rule->name, words[i]);
		for (guint j = 0; j < list->len; j++)
			twice |= strcmp(list->pdata[j], words[i]) == 0;
		if (!twice)
			g_ptr_array_add(list, g_strdup(words[i]));
	}
	if (list->len == 0)
		return fail(error, src, line, "%s must name dmarc-fail, spf-fail or "
			    "dkim-fail (to trust no header, leave out "
			    "trusted_authserv_id)", rule->name);
	g_ptr_array_add(list, NULL);
	g_ptr_array_set_free_func(list, NULL);
	*list_out = (char **)g_ptr_array_free(g_steal_pointer(&list), FALSE);
	return TRUE;
}

/* "Mon" ... "Sun" (any case) -> 1 ... 7, else 0. */
static int
weekday(const char *s, gsize len)
{
	static const char *const names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

	for (gsize i = 0; len == 3 && i < G_N_ELEMENTS(names); i++)
		if (g_ascii_strncasecmp(s, names[i], 3) == 0)
			return (int)i + 1;
	return 0;
}

/* "Mon-Fri", "Mon,Wed,Fri", "Mon-Fri,Sun" -> bits 1 to 7. */
static gboolean
parse_days(const char *value, guint8 *days_out)
{
	g_auto(GStrv) items = g_strsplit(value, ",", -1);

	*days_out = 0;
	for (int i = 0; items[i] != NULL; i++) {
		const char *dash = strchr(items[i], '-');
		int from = weekday(items[i], dash ? (gsize)(dash - items[i]) : strlen(items[i]));
		int to = dash ? weekday(dash + 1, strlen(dash + 1)) : from;

		if (from == 0 || to == 0 || to < from)
			return FALSE;
		for (int d = from; d <= to; d++)
			*days_out |= 1 << d;
	}
	return *days_out != 0;
}

/* "HH:MM" -> minutes after midnight; 24:00 only as an end. */
static gboolean
parse_clock(const char *s, gsize len, gboolean end, int *minutes_out)
{
	if (len != 5 || !g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]) || s[2] != ':' ||
	    !g_ascii_isdigit(s[3]) || !g_ascii_isdigit(s[4]))
		return FALSE;
	*minutes_out = ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 + s[4] - '0';
	return (s[3] - '0') < 6 && (*minutes_out < 24 * 60 || (end && *minutes_out == 24 * 60));
}

/* Letters, '_', '-' and '/', starting with a letter; digits and '+'
 * only in the Etc/ zones (Etc/GMT+5). */
static gboolean
iana_zone_name(const char *s)
{
	const char *allowed = g_str_has_prefix(s, "Etc/")
		? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-/+0123456789"
		: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-/";

	return g_ascii_isalpha(*s) && strspn(s, allowed) == strlen(s);
}

/* "Mon-Fri 09:00-17:00 Europe/Berlin", or "always". */
static gboolean
parse_hours(const Source *src, const KeyRule *rule, int line, const char *value,
	    GwHours *hours, GError **error)
{
	g_auto(GStrv) words = g_strsplit_set(value, " \t", -1);
	g_autoptr(GPtrArray) w = g_ptr_array_new();
	g_autoptr(GTimeZone) tz = NULL;
	const char *dash;

	for (int i = 0; words[i] != NULL; i++)
		if (*words[i] != '\0')
			g_ptr_array_add(w, words[i]);
	hours->set = TRUE;
	if (w->len == 1 && strcmp(w->pdata[0], "always") == 0) {
		hours->always = TRUE;
		return TRUE;
	}
	if (w->len != 3)
		return fail(error, src, line, "%s must be days, hours and a time zone, "
			    "such as 'Mon-Fri 09:00-17:00 Europe/Berlin', or 'always'",
			    rule->name);
	if (!parse_days(w->pdata[0], &hours->days))
		return fail(error, src, line, "%s: '%s' are no days such as Mon-Fri "
			    "or Mon,Wed,Fri", rule->name, (char *)w->pdata[0]);
	dash = strchr(w->pdata[1], '-');
	if (dash == NULL ||
	    !parse_clock(w->pdata[1], dash - (char *)w->pdata[1], FALSE, &hours->start) ||
	    !parse_clock(dash + 1, strlen(dash + 1), TRUE, &hours->end) ||
	    hours->start >= hours->end)
		return fail(error, src, line, "%s: '%s' is no span of the day such as "
			    "09:00-17:00 (24:00 for midnight)", rule->name,
			    (char *)w->pdata[1]);
	/* A name of the tz database, which GLib and PostgreSQL read alike:
	 * offsets and POSIX rules ("UTC+5") they would read differently. */
	if (!iana_zone_name(w->pdata[2]) ||
	    (tz = g_time_zone_new_identifier(w->pdata[2])) == NULL)
		return fail(error, src, line, "%s: unknown time zone '%s' (give a "
			    "name such as Europe/Berlin or UTC)", rule->name,
			    (char *)w->pdata[2]);
	hours->tz = g_strdup(w->pdata[2]);
	return TRUE;
}

/* "127.0.0.1:9187" or "[::1]:9187": a numeric address, so that what is
 * bound is exactly what the admin wrote (a name may resolve to several
 * addresses, or to another one tomorrow). */
static gboolean
parse_listen(const Source *src, const KeyRule *rule, int line,
	     const char *value, GwListenConfig *listen_out, GError **error)
{
	g_autofree char *host = NULL;
	g_autoptr(GInetAddress) address = NULL;
	const char *colon;
	guint64 port;

	if (value[0] == '[') {
		const char *end = strchr(value, ']');

		colon = end != NULL && end[1] == ':' ? end + 1 : NULL;
		if (colon != NULL)
			host = g_strndup(value + 1, end - value - 1);
	} else {
		colon = strrchr(value, ':');
		if (colon != NULL && memchr(value, ':', colon - value) == NULL)
			host = g_strndup(value, colon - value);
	}
	if (host != NULL)
		address = g_inet_address_new_from_string(host);
	if (address == NULL ||
	    !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL))
		return fail(error, src, line, "%s must be ADDRESS:PORT with a "
			    "numeric address, such as 127.0.0.1:9187 or "
			    "[::1]:9187, not '%s'", rule->name, value);
	listen_out->address = g_inet_address_to_string(address);
	listen_out->port = (int)port;
	return TRUE;
}

static gboolean
parse_value(const Source *src, const KeyRule *rule, int line,
	    const char *value, void *field, GError **error)
{
	char *end = NULL;
	gint64 n;

	switch (rule->type) {
	case KEY_STRING:
		if (*value == '\0')
			return fail(error, src, line, "%s must not be empty",
				    rule->name);
		*(char **)field = g_strdup(value);
		return TRUE;
	case KEY_PATH:
	case KEY_TEXTFILE:	/* read and checked once the section is known */
		*(char **)field = absolute_path(src, value);
		return TRUE;
	case KEY_SECRET: {
		g_autofree char *path = absolute_path(src, value);

		*(char **)field = read_secret(src, line, path, error);
		return *(char **)field != NULL;
	}
	case KEY_INT:
		errno = 0;
		n = g_ascii_strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' ||
		    n < rule->min || n > rule->max)
			return fail(error, src, line,
				    "%s must be a whole number from %" G_GINT64_FORMAT
				    " to %" G_GINT64_FORMAT ", not '%s'",
				    rule->name, rule->min, rule->max, value);
		*(int *)field = (int)n;
		return TRUE;
	case KEY_CHARSETS: {
		g_auto(GStrv) names = g_strsplit_set(value, ", ", -1);
		GPtrArray *list = g_ptr_array_new();

		for (int i = 0; names[i] != NULL; i++) {
			GIConv cd;

			if (*names[i] == '\0')
				continue;
			cd = g_iconv_open("UTF-8", names[i]);
			if (cd == (GIConv)-1) {
				g_ptr_array_add(list, NULL);
				g_strfreev((char **)g_ptr_array_free(list, FALSE));
				return fail(error, src, line, "%s: unknown charset '%s'",
					    rule->name, names[i]);
			}
			g_iconv_close(cd);
			g_ptr_array_add(list, g_strdup(names[i]));
		}
		g_ptr_array_add(list, NULL);
		*(char ***)field = (char **)g_ptr_array_free(list, FALSE);
		return TRUE;
	}
	case KEY_DOMAINS: {
		g_auto(GStrv) names = g_strsplit_set(value, ", ", -1);
		GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

		for (int i = 0; names[i] != NULL; i++) {
			if (*names[i] == '\0')
				continue;
			if (strchr(names[i], '.') == NULL ||
			    strspn(names[i], "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
				    strlen(names[i])) {
				g_ptr_array_unref(list);
				return fail(error, src, line, "%s: '%s' is not a domain name",
					    rule->name, names[i]);
			}
			g_ptr_array_add(list, g_ascii_strdown(names[i], -1));
		}
		g_ptr_array_add(list, NULL);
		g_ptr_array_set_free_func(list, NULL);
		*(char ***)field = (char **)g_ptr_array_free(list, FALSE);
		return TRUE;
	}
	case KEY_BOOL:
		if (g_ascii_strcasecmp(value, "true") == 0 ||
		    g_ascii_strcasecmp(value, "yes") == 0)
			*(gboolean *)field = TRUE;
		else if (g_ascii_strcasecmp(value, "false") == 0 ||
			 g_ascii_strcasecmp(value, "no") == 0)
			*(gboolean *)field = FALSE;
		else
			return fail(error, src, line,
				    "%s must be true or false, not '%s'",
				    rule->name, value);
		return TRUE;
	case KEY_CHOICE: {
		g_auto(GStrv) words = g_strsplit(rule->def, "|", -1);

		if (!g_strv_contains((const char *const *)words, value)) {
			g_autofree char *list = g_strjoinv(", ", words);

			return fail(error, src, line, "%s must be one of %s, not '%s'",
				    rule->name, list, value);
		}
		*(char **)field = g_strdup(value);
		return TRUE;
	}
	case KEY_SECURITY:
		if (g_strcmp0(value, "tls") == 0)
			*(GwSecurity *)field = GW_SECURITY_TLS;
		else if (g_strcmp0(value, "starttls") == 0)
			*(GwSecurity *)field = GW_SECURITY_STARTTLS;
		else if (g_strcmp0(value, "none") == 0)
			*(GwSecurity *)field = GW_SECURITY_NONE;
		else
			return fail(error, src, line,
				    "%s must be tls, starttls or none, not '%s'",
				    rule->name, value);
		return TRUE;
	case KEY_AUTH:
		return parse_auth(src, rule, line, value, field, error);
	case KEY_COMMAND:
		return parse_command(src, rule, line, value, field, error);
	case KEY_AUTHFAILS:
		return parse_authfails(src, rule, line, value, field, error);
	case KEY_HOURS:
		return parse_hours(src, rule, line, value, field, error);
	case KEY_LISTEN:
		return parse_listen(src, rule, line, value, field, error);
	}
	g_assert_not_reached();
}

static void *
field_of(const KeyRule *rule, GwConfig *config, void *item)
{
	switch (rule->target) {
	case IN_CONFIG:		return (char *)config + rule->offset;
	case IN_SMTP:		return (char *)&config->smtp + rule->offset;
	case IN_ITEM:		return (char *)item + rule->offset;
	case IN_SERVER:		return (char *)&((GwMailboxConfig *)item)->server + rule->offset;
	}
	g_assert_not_reached();
}

/* Applies every rule of section kind to group (one [section]). */
static gboolean
load_group(const Source *src, GKeyFile *kf, const char *group,
	   const char *kind, GwConfig *config, void *item, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (int i = 0; keys != NULL && keys[i] != NULL; i++) {
		gboolean known = FALSE;

		for (gsize r = 0; r < G_N_ELEMENTS(key_rules); r++)
			known |= g_strcmp0(key_rules[r].section, kind) == 0 &&
				 g_strcmp0(key_rules[r].name, keys[i]) == 0;
		if (!known)
			return fail(error, src, line_of(src, group, keys[i]),
				    "unknown key '%s' in [%s]", keys[i], group);
	}
	for (gsize r = 0; r < G_N_ELEMENTS(key_rules); r++) {
		const KeyRule *rule = &key_rules[r];
		g_autofree char *value = NULL;
		int line;

		if (g_strcmp0(rule->section, kind) != 0)
			continue;
		value = g_key_file_get_string(kf, group, rule->name, NULL);
		line = line_of(src, group, rule->name);
		if (value == NULL && rule->def == NULL) {
			if (rule->optional)
				continue;
			return fail(error, src, line_of(src, group, NULL),
				    "[%s] needs a value for '%s'", group,
				    rule->name);
		}
		/* A choice's default is the first of its words. */
		if (value == NULL && rule->type == KEY_CHOICE)
			value = g_strndup(rule->def, strcspn(rule->def, "|"));
		if (!parse_value(src, rule, value ? line : line_of(src, group, NULL),
				 value ? value : rule->def,
				 field_of(rule, config, item), error))
			return FALSE;
	}
	return TRUE;
}

static int
default_port(GwSecurity security, int tls_port, int plain_port)
{
	return security == GW_SECURITY_TLS ? tls_port : plain_port;
}

static void
clear_server(GwServerConfig *server)
{
	g_free(server->host);
	g_free(server->ca_file);
	g_free(server->username);
	if (server->password != NULL)
		explicit_bzero(server->password, strlen(server->password));
	g_free(server->password);
	g_strfreev(server->token_command);
	g_free(server->token_file);
}

static void
mailbox_free(gpointer data)
{
	GwMailboxConfig *mbox = data;

	g_free(mbox->name);
	clear_server(&mbox->server);
	g_free(mbox->folder);
	g_free(mbox->queue);
	g_free(mbox->start);
	g_free(mbox);
}

static gboolean
valid_name(const char *s, gsize max)
{
	gsize n = strlen(s);

	if (n == 0 || n > max)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return FALSE;
	return TRUE;
}

/* auth = password: a password_file (the mailbox's; SMTP's only with a
 * username) and no token keys.  auth = xoauth2: a username, exactly one
 * of token_command and token_file, and no password_file. */
static gboolean
check_auth(const Source *src, const char *group, const GwServerConfig *s,
	   gboolean login_required, GError **error)
{
	int line = line_of(src, group, "auth");
	int token_line = MAX(line_of(src, group, "token_command"),
			     line_of(src, group, "token_file"));

	if (s->auth == GW_AUTH_PASSWORD) {
		if (s->token_command != NULL || s->token_file != NULL)
			return fail(error, src, token_line, "%s needs auth = xoauth2",
				    s->token_command ? "token_command" : "token_file");
		if (login_required && s->password == NULL)
			return fail(error, src, line_of(src, group, NULL),
				    "[%s] needs a value for 'password_file'", group);
		if ((s->username == NULL) != (s->password == NULL))
			return fail(error, src, line_of(src, group, NULL),
				    "username and password_file go together");
		return TRUE;
	}
	if (s->password != NULL)
		return fail(error, src, line_of(src, group, "password_file"),
			    "password_file does not go with auth = xoauth2: the "
			    "token comes from token_command or token_file");
	if (s->token_command != NULL && s->token_file != NULL)
		return fail(error, src, token_line,
			    "token_command and token_file exclude each other: keep one");
	if (s->token_command == NULL && s->token_file == NULL)
		return fail(error, src, line,
			    "auth = xoauth2 needs token_command or token_file");
	if (s->username == NULL)
		return fail(error, src, line, "auth = xoauth2 needs a username");
	for (const char *p = s->username; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			return fail(error, src, line_of(src, group, "username"),
				    "username must not hold control characters");
	return TRUE;
}

/* The display name of a From value: what stands before its <address>,
 * without the quotes around it ("" if none). */
static char *
from_name(const char *from)
{
	const char *lt = strrchr(from, '<');
	g_autofree char *name = lt ? g_strndup(from, lt - from) : g_strdup("");
	gsize n;

	g_strstrip(name);
	n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		name[n - 1] = '\0';
		return g_strstrip(g_strdup(name + 1));
	}
	return g_steal_pointer(&name);
}

/* Checks that involve several keys, once all are read. */
static gboolean
check_whole(const Source *src, GwConfig *config, GError **error)
{
	const char *at;

	if (config->conninfo != NULL && config->conninfo_file != NULL)
		return fail(error, src, line_of(src, "database", "conninfo_file"),
			    "conninfo and conninfo_file exclude each other: keep one");
	if (config->conninfo_file != NULL)
		config->conninfo = g_steal_pointer(&config->conninfo_file);
	if (config->conninfo == NULL)
		return fail(error, src, line_of(src, "database", NULL),
			    "[database] needs a value for 'conninfo' (or "
			    "conninfo_file, naming a file that holds it)");
	if (!valid_name(config->ticket_prefix, 16) ||
	    strchr(config->ticket_prefix, '-') != NULL)
		return fail(error, src, line_of(src, "tickets", "prefix"),
			    "prefix must be 1 to 16 letters, digits or '_'");
	config->smtp_from_addr = NULL;
	{
		const char *lt = strrchr(config->smtp_from, '<');
		const char *gt = lt ? strchr(lt, '>') : NULL;

		config->smtp_from_addr = lt && gt ? g_strndup(lt + 1, gt - lt - 1)
						  : g_strdup(config->smtp_from);
		g_strstrip(config->smtp_from_addr);
	}
	at = strchr(config->smtp_from_addr, '@');
	if (at == NULL || at == config->smtp_from_addr || at[1] == '\0' ||
	    strpbrk(config->smtp_from, "\r\n") != NULL)
		return fail(error, src, line_of(src, "smtp", "from"),
			    "from must be an address such as 'Care <care@example.com>'");
	config->smtp_from_name = from_name(config->smtp_from);
	if (config->repeat_tickets == 1)
		return fail(error, src, line_of(src, "tickets", "repeat_tickets"),
			    "repeat_tickets is 0 (off) or a count of 2 or more: "
			    "every ticket is its customer's first");
	if (config->message_id_domain == NULL)
		config->message_id_domain = g_ascii_strdown(at + 1, -1);
	if (config->trusted_authserv_id != NULL &&
	    strpbrk(config->trusted_authserv_id, " \t;()\"\\") != NULL)
		return fail(error, src, line_of(src, "ack", "trusted_authserv_id"),
			    "trusted_authserv_id is one name, the first word of the "
			    "receiving server's Authentication-Results (e.g. mx.example.com)");
	if (config->smtp.port == 0)
		config->smtp.port = config->smtp.security == GW_SECURITY_TLS ? 465 : 587;
	if (!check_auth(src, "smtp", &config->smtp, FALSE, error))
		return FALSE;
	for (guint i = 0; i < config->mailboxes->len; i++) {
		GwMailboxConfig *mbox = config->mailboxes->pdata[i];
		g_autofree char *group = g_strconcat("mailbox ", mbox->name, NULL);

		if (!check_auth(src, group, &mbox->server, TRUE, error))
			return FALSE;
		if (mbox->server.port == 0)
			mbox->server.port = default_port(mbox->server.security, 993, 143);
	}
	return TRUE;
}

static void
queue_free(gpointer data)
{
	GwQueueConfig *q = data;

	g_free(q->name);
	g_free(q->template);
	g_free(q->escalate_to);
	g_free(q->team);
	g_free(q->hours.tz);
	g_free(q);
}

static void
template_free(gpointer data)
{
	GwTemplateConfig *t = data;

	g_free(t->name);
	g_free(t->path);
	g_free(t->subject);
	g_free(t->body);
	g_free(t->html_path);
	g_free(t->html);
	g_free(t);
}

/* A [mailbox NAME], [queue NAME] or [template NAME] section. */
static gboolean
load_named(const Source *src, GKeyFile *kf, const char *g, GwConfig *config,
	   GError **error)
{
	static const char *const kinds[] = { "mailbox", "queue", "template" };
	const char *kind = NULL, *name = NULL;
	void *item;

	for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++)
		if (g_str_has_prefix(g, kinds[k]) && g[strlen(kinds[k])] == ' ') {
			kind = kinds[k];
			name = g + strlen(kinds[k]) + 1;
		}
	if (kind == NULL)
		return fail(error, src, line_of(src, g, NULL), "unknown section [%s]", g);
	if (!valid_name(name, 64) || g_strcmp0(name, "ingest") == 0)
		return fail(error, src, line_of(src, g, NULL),
			    "a %s name is 1 to 64 letters, digits, '-', '_' or '.'%s",
			    kind, kind[0] == 'm' ? ", and not 'ingest'" : "");
	if (kind[0] == 'm') {
		GwMailboxConfig *mbox = g_new0(GwMailboxConfig, 1);

		mbox->name = g_strdup(name);
		g_ptr_array_add(config->mailboxes, mbox);
		item = mbox;
	} else if (kind[0] == 'q') {
		GwQueueConfig *q = g_new0(GwQueueConfig, 1);

		q->name = g_strdup(name);
		g_ptr_array_add(config->queues, q);
		item = q;
	} else {
		GwTemplateConfig *t = g_new0(GwTemplateConfig, 1);

		t->name = g_strdup(name);
		g_ptr_array_add(config->templates, t);
		item = t;
	}
	return load_group(src, kf, g, kind, config, item, error);
}

static gboolean
template_error(GError **error, const GwTemplateConfig *t, int line,
	       const char *what)
{
	g_set_error(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_INVALID, "%s:%d: %s",
		    t->path, line, what);
	return FALSE;
}

/* Every {word} of line is a known placeholder. */
static gboolean
check_placeholders(const GwTemplateConfig *t, int line, const char *text,
		   GError **error)
{
	static const char *const known[] = {
		"ticket", "subject", "name", "queue", "due", "team",
	};

	for (const char *o = strchr(text, '{'); o != NULL; o = strchr(o + 1, '{')) {
		const char *c = strchr(o, '}');
		gboolean ok = FALSE;

		for (gsize k = 0; c != NULL && k < G_N_ELEMENTS(known); k++)
			ok |= (gsize)(c - o - 1) == strlen(known[k]) &&
			      strncmp(o + 1, known[k], c - o - 1) == 0;
		if (!ok)
			return template_error(error, t, line, "unknown placeholder "
					      "(known: {ticket} {subject} {name} "
					      "{queue} {due} {team})");
	}
	return TRUE;
}

/* In HTML, braces also open CSS and script blocks: only {word}, a word
 * of lower-case letters right inside the braces, is a placeholder, and
 * it must be a known one. */
static gboolean
check_html_placeholders(const GwTemplateConfig *t, int line, const char *text,
			GError **error)
{
	static const char *const known[] = {
		"ticket", "subject", "name", "queue", "due", "team",
	};

	for (const char *o = strchr(text, '{'); o != NULL; o = strchr(o + 1, '{')) {
		gsize n = strspn(o + 1, "abcdefghijklmnopqrstuvwxyz_");
		gboolean ok = FALSE;

		if (n == 0 || o[1 + n] != '}')
			continue;
		for (gsize k = 0; k < G_N_ELEMENTS(known); k++)
			ok |= n == strlen(known[k]) && strncmp(o + 1, known[k], n) == 0;
		if (!ok) {
			g_set_error(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_INVALID,
				    "%s:%d: unknown placeholder {%.*s} (known: {ticket} "
				    "{subject} {name} {queue} {due} {team})", t->html_path,
				    line, (int)n, o + 1);
			return FALSE;
		}
	}
	return TRUE;
}

/* The HTML alternative of a template: UTF-8 text, placeholders known. */
static gboolean
read_html_template(GwTemplateConfig *t, GError **error)
{
	g_autoptr(GBytes) bytes = gw_config_read_file(t->html_path, MAX_TEMPLATE_BYTES, error);
	g_auto(GStrv) lines = NULL;
	g_autofree char *text = NULL;
	gsize len;
	const char *data;

	if (bytes == NULL)
		return FALSE;
	data = g_bytes_get_data(bytes, &len);
	text = g_strndup(data ? data : "", len);
	if (strlen(text) != len || !g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_INVALID,
			    "%s:1: not a UTF-8 text file", t->html_path);
		return FALSE;
	}
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++)
		if (!check_html_placeholders(t, i + 1, lines[i], error))
			return FALSE;
	t->html = g_steal_pointer(&text);
	return TRUE;
}

/* Splits a template file into its Subject line and body, and checks
 * it; errors name the template file and its line. */
static gboolean
read_template(GwTemplateConfig *t, GError **error)
{
	g_autoptr(GBytes) bytes = gw_config_read_file(t->path, MAX_TEMPLATE_BYTES, error);
	g_autoptr(GString) body = g_string_new(NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len;

	const char *data;

	if (bytes == NULL)
		return FALSE;
	data = g_bytes_get_data(bytes, &len);
	text = g_strndup(data, len);
	if (strlen(text) != len || !g_utf8_validate(text, -1, NULL))
		return template_error(error, t, 1, "not a UTF-8 text file");
	lines = g_strsplit(text, "\n", -1);
	if (g_ascii_strncasecmp(lines[0], "Subject:", 8) != 0)
		return template_error(error, t, 1, "a template starts with a 'Subject:' line");
	if (strstr(lines[0], "{ticket}") == NULL)
		return template_error(error, t, 1, "the Subject line must hold "
				      "{ticket}: replies thread by it");
	if (lines[1] == NULL || *g_strchomp(lines[1]) != '\0')
		return template_error(error, t, 2, "a blank line follows the Subject line");
	for (int i = 0; lines[i] != NULL; i++) {
		g_strchomp(lines[i]);
		if (!check_placeholders(t, i + 1, lines[i], error))
			return FALSE;
		if (i > 1)
			g_string_append_printf(body, "%s\n", lines[i]);
	}
	t->subject = g_strstrip(g_strdup(lines[0] + 8));
	t->body = g_strdup(body->str);
	return TRUE;
}

/* name@domain, without spaces, brackets or separators: what
 * plaint.queues.escalate_to accepts. */
static gboolean
bare_address(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && at != a && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	       strpbrk(a, " \t<>,;\"") == NULL;
}

/* A name shown to customers: no control characters, at most max
 * characters. */
static gboolean
one_line_name(const char *s, glong max)
{
	for (const char *p = s; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			return FALSE;
	return g_utf8_strlen(s, -1) <= max;
}

/* Templates are read and queues' template names resolved. */
static gboolean
check_sections(const Source *src, GwConfig *config, GError **error)
{
	for (guint i = 0; i < config->templates->len; i++) {
		GwTemplateConfig *t = config->templates->pdata[i];
		g_autofree char *group = g_strconcat("template ", t->name, NULL);

		if (!read_template(t, error)) {
			g_prefix_error(error, "%s:%d: [%s]: ", src->path,
				       line_of(src, group, "file"), group);
			return FALSE;
		}
		if (t->html_path != NULL && !read_html_template(t, error)) {
			g_prefix_error(error, "%s:%d: [%s]: ", src->path,
				       line_of(src, group, "html_file"), group);
			return FALSE;
		}
	}
	if (config->ack_template != NULL &&
	    gw_config_template(config, config->ack_template) == NULL)
		return fail(error, src, line_of(src, "ack", "template"),
			    "no [template %s] section", config->ack_template);
	if (config->satisfaction_template != NULL &&
	    gw_config_template(config, config->satisfaction_template) == NULL)
		return fail(error, src, line_of(src, "satisfaction", "template"),
			    "no [template %s] section", config->satisfaction_template);
	if (config->low_score_queue != NULL && !valid_name(config->low_score_queue, 64))
		return fail(error, src, line_of(src, "satisfaction", "low_score_queue"),
			    "low_score_queue is a queue name: 1 to 64 letters, "
			    "digits, '-', '_' or '.', not '%s'", config->low_score_queue);
	for (guint i = 0; i < config->queues->len; i++) {
		GwQueueConfig *q = config->queues->pdata[i];
		g_autofree char *group = g_strconcat("queue ", q->name, NULL);

		if (q->template != NULL && gw_config_template(config, q->template) == NULL)
			return fail(error, src, line_of(src, group, "template"),
				    "no [template %s] section", q->template);
		if (q->escalate_to != NULL && !bare_address(q->escalate_to))
			return fail(error, src, line_of(src, group, "escalate_to"),
				    "escalate_to must be one address such as "
				    "lead@example.com, not '%s'", q->escalate_to);
		if (q->team != NULL && !one_line_name(q->team, 100))
			return fail(error, src, line_of(src, group, "team"),
				    "team is a name of at most 100 characters on "
				    "one line, such as 'Refunds team'");
	}
	return TRUE;
}

static gboolean
load_groups(const Source *src, GKeyFile *kf, GwConfig *config, GError **error)
{
	static const char *const fixed[] = {
		"database", "tickets", "rules", "ack", "smtp", "mail", "retention", "metrics",
		"satisfaction",
	};
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

	for (gsize f = 0; f < G_N_ELEMENTS(fixed); f++)
		if (!load_group(src, kf, fixed[f], fixed[f], config, NULL, error))
			return FALSE;
	for (int i = 0; groups[i] != NULL; i++) {
		const char *g = groups[i];
		gboolean is_fixed = FALSE;

		for (gsize f = 0; f < G_N_ELEMENTS(fixed); f++)
			is_fixed |= g_strcmp0(g, fixed[f]) == 0;
		if (is_fixed)
			continue;
		if (!load_named(src, kf, g, config, error))
			return FALSE;
	}
	return TRUE;
}

GwConfig *
gw_config_load(const char *path, GError **error)
{
	g_autoptr(GwConfig) config = g_new0(GwConfig, 1);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree char *abs = NULL;
	Source src;
	gsize len;
	const char *data;
	gboolean ok;

	bytes = gw_config_read_file(path, MAX_CONFIG_BYTES, error);
	if (bytes == NULL)
		return NULL;
	data = g_bytes_get_data(bytes, &len);
	if (data == NULL)	/* an empty file */
		data = "";
	if (memchr(data, '\0', len) != NULL || !g_utf8_validate(data, len, NULL)) {
		g_set_error(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_INVALID,
			    "%s: not a UTF-8 text file", path);
		return NULL;
	}
	abs = g_canonicalize_filename(path, NULL);
	src.path = path;
	src.dir = g_path_get_dirname(abs);
	src.lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	config->path = g_strdup(path);
	config->mailboxes = g_ptr_array_new_with_free_func(mailbox_free);
	config->queues = g_ptr_array_new_with_free_func(queue_free);
	config->templates = g_ptr_array_new_with_free_func(template_free);
	{
		g_autofree char *text = g_strndup(data, len);

		ok = scan_lines(&src, text, error);
	}
	if (ok && !g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local))
		ok = fail(error, &src, 0, "%s", local->message);
	ok = ok && load_groups(&src, kf, config, error) &&
	     check_whole(&src, config, error) && check_sections(&src, config, error);
	g_free(src.dir);
	g_hash_table_unref(src.lines);
	return ok ? g_steal_pointer(&config) : NULL;
}

void
gw_config_free(GwConfig *config)
{
	if (config == NULL)
		return;
	g_free(config->path);
	/* conninfo may hold a password (always, from conninfo_file). */
	if (config->conninfo != NULL)
		explicit_bzero(config->conninfo, strlen(config->conninfo));
	g_free(config->conninfo);
	g_free(config->conninfo_file);	/* NULL once checked */
	g_free(config->ticket_prefix);
	g_free(config->message_id_domain);
	g_free(config->unlinked_bounce_queue);
	g_free(config->tag_from_strangers);
	g_free(config->rules_dir);
	clear_server(&config->smtp);
	g_free(config->smtp_from);
	g_free(config->smtp_from_addr);
	g_free(config->smtp_from_name);
	g_free(config->ack_template);
	g_free(config->satisfaction_template);
	g_free(config->low_score_queue);
	g_strfreev(config->fallback_charsets);
	g_strfreev(config->domain_rate_exempt);
	g_free(config->bounce_address);
	g_free(config->trusted_authserv_id);
	g_strfreev(config->skip_when);
	g_free(config->metrics.address);
	if (config->mailboxes != NULL)
		g_ptr_array_unref(config->mailboxes);
	if (config->queues != NULL)
		g_ptr_array_unref(config->queues);
	if (config->templates != NULL)
		g_ptr_array_unref(config->templates);
	g_free(config);
}

const GwMailboxConfig *
gw_config_mailbox(const GwConfig *config, const char *name)
{
	for (guint i = 0; i < config->mailboxes->len; i++) {
		const GwMailboxConfig *mbox = config->mailboxes->pdata[i];

		if (g_strcmp0(mbox->name, name) == 0)
			return mbox;
	}
	return NULL;
}

const GwQueueConfig *
gw_config_queue(const GwConfig *config, const char *name)
{
	for (guint i = 0; i < config->queues->len; i++) {
		const GwQueueConfig *q = config->queues->pdata[i];

		if (g_strcmp0(q->name, name) == 0)
			return q;
	}
	return NULL;
}

const GwTemplateConfig *
gw_config_template(const GwConfig *config, const char *name)
{
	for (guint i = 0; i < config->templates->len; i++) {
		const GwTemplateConfig *t = config->templates->pdata[i];

		if (g_strcmp0(t->name, name) == 0)
			return t;
	}
	return NULL;
}

GBytes *
gw_config_read_file(const char *path, gsize max_bytes, GError **error)
{
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GByteArray) buf = g_byte_array_new();
	guint8 chunk[65536];

	if (g_strcmp0(path, "-") == 0) {
		in = g_unix_input_stream_new(0, FALSE);
	} else {
		g_autoptr(GFile) file = g_file_new_for_path(path);

		in = G_INPUT_STREAM(g_file_read(file, NULL, error));
		if (in == NULL)
			return NULL;
	}
	for (;;) {
		gssize n = g_input_stream_read(in, chunk, sizeof chunk, NULL, error);

		if (n < 0)
			return NULL;
		if (n == 0)
			break;
		if (buf->len + (gsize)n > max_bytes) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
				    "%s: larger than %" G_GSIZE_FORMAT " bytes",
				    path, max_bytes);
			return NULL;
		}
		g_byte_array_append(buf, chunk, n);
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

gboolean
gw_config_read_rules(const char *dir, GPtrArray **names_out,
		     GPtrArray **texts_out, GError **error)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, error);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
	const char *entry;

	if (d == NULL) {
		g_prefix_error(error, "rules dir: ");
		return FALSE;
	}
	while ((entry = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(entry, ".rules") || entry[0] == '.')
			continue;
		if (names->len == MAX_RULE_FILES) {
			g_set_error(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_INVALID,
				    "%s: more than %d rule files", dir, MAX_RULE_FILES);
			return FALSE;
		}
		g_ptr_array_add(names, g_build_filename(dir, entry, NULL));
	}
	g_ptr_array_sort(names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		g_autoptr(GBytes) bytes = gw_config_read_file(names->pdata[i],
							      MAX_RULE_FILE_BYTES,
							      error);
		gsize len;
		const char *data;

		if (bytes == NULL)
			return FALSE;
		data = g_bytes_get_data(bytes, &len);
		g_ptr_array_add(texts, g_strndup(data, len));
		if (strlen(texts->pdata[i]) != len) {
			g_set_error(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_INVALID,
				    "%s: contains a NUL byte", (char *)names->pdata[i]);
			return FALSE;
		}
	}
	*names_out = g_steal_pointer(&names);
	*texts_out = g_steal_pointer(&texts);
	return TRUE;
}

/* ---- access tokens ------------------------------------------------- */

static gboolean
token_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
token_error(GError **error, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, GW_CONFIG_ERROR, GW_CONFIG_ERROR_TOKEN, msg);
	return FALSE;
}

/* The token on the first line of data, or NULL if that line is empty
 * or holds anything but visible ASCII (which would also let it break
 * out of an IMAP or SMTP command line). */
static char *
first_line_token(const guint8 *data, gsize len)
{
	gsize n = 0;

	while (n < len && data[n] != '\n')
		n++;
	if (n > 0 && data[n - 1] == '\r')
		n--;
	if (n == 0)
		return NULL;
	for (gsize i = 0; i < n; i++)
		if (data[i] <= ' ' || data[i] >= 0x7f)
			return NULL;
	return g_strndup((const char *)data, n);
}

static char *
token_from_file(const char *path, GError **error)
{
	g_autoptr(GError) local = NULL;
	GBytes *bytes = gw_config_read_file(path, MAX_TOKEN_BYTES, &local);
	gsize len;
	guint8 *data;
	char *token;

	if (bytes == NULL) {
		token_error(error, "token_file %s: %s", path, local->message);
		return NULL;
	}
	data = g_bytes_unref_to_data(bytes, &len);
	token = first_line_token(data, len);
	if (data != NULL)	/* NULL for an empty file */
		explicit_bzero(data, len);
	g_free(data);
	if (token == NULL)
		token_error(error, "token_file %s: the first line is not an "
			    "access token (empty, or not visible ASCII)", path);
	return token;
}

/* One output of token_command, read up to max bytes: the first ones
 * (stdout: the token is on the first line) or the last ones (stderr:
 * the reason for a failure usually comes last). */
typedef struct {
	int fd;			/* -1 once closed */
	GByteArray *buf;
	gsize max;
	gboolean keep_tail;
} Output;

/* Reads what is there; FALSE at end of file or on an error. */
static gboolean
read_output(Output *o)
{
	guint8 chunk[4096];
	ssize_t n;

	do
		n = read(o->fd, chunk, sizeof chunk);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return FALSE;
	if (o->keep_tail) {
		g_byte_array_append(o->buf, chunk, n);
		if (o->buf->len > o->max)
			g_byte_array_remove_range(o->buf, 0, o->buf->len - o->max);
	} else if (o->buf->len < o->max) {
		g_byte_array_append(o->buf, chunk, MIN((gsize)n, o->max - o->buf->len));
	}
	explicit_bzero(chunk, sizeof chunk);
	return TRUE;
}

/* Reads both outputs until both are closed (TRUE) or the deadline
 * (monotonic microseconds) passes (FALSE). */
static gboolean
drain(Output out[2], gint64 deadline)
{
	while (out[0].fd >= 0 || out[1].fd >= 0) {
		struct pollfd pfd[2] = { { out[0].fd, POLLIN, 0 },
					 { out[1].fd, POLLIN, 0 } };
		gint64 left = deadline - g_get_monotonic_time();

		if (left <= 0)
			return FALSE;
		if (poll(pfd, 2, (int)MIN(left / 1000 + 1, G_MAXINT)) < 0 &&
		    errno != EINTR)
			return FALSE;
		for (int i = 0; i < 2; i++)
			if (out[i].fd >= 0 && pfd[i].revents != 0 &&
			    !read_output(&out[i])) {
				close(out[i].fd);
				out[i].fd = -1;
			}
	}
	return TRUE;
}

/* Waits for pid until the deadline; FALSE if it is still running. */
static gboolean
reap(GPid pid, gint64 deadline, int *status_out)
{
	for (;;) {
		pid_t r = waitpid(pid, status_out, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return r == pid;
		if (g_get_monotonic_time() >= deadline)
			return FALSE;
		g_usleep(10 * 1000);
	}
}

/* "exited with status 1: <the end of its stderr, cleaned>" */
static gboolean
command_failed(const char *name, int status, GByteArray *err, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *clean = NULL;
	char *last;

	g_byte_array_append(err, (const guint8 *)"", 1);	/* data is NULL if empty */
	text = g_strstrip(g_strdup((const char *)err->data));
	last = strrchr(text, '\n');	/* a traceback ends with its reason */
	clean = gw_log_clean(last ? last + 1 : text, 300);
	if (WIFEXITED(status))
		return token_error(error, "token_command %s exited with status %d%s%s",
				   name, WEXITSTATUS(status), *clean ? ": " : "",
				   clean);
	return token_error(error, "token_command %s was killed by signal %d%s%s",
			   name, WTERMSIG(status), *clean ? ": " : "", clean);
}

/* Runs argv, standard input from /dev/null, for at most timeout
 * seconds; fills out with the start of its standard output. */
static gboolean
run_token_command(char **argv, int timeout, GByteArray *out, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GByteArray) err = g_byte_array_new();
	g_autofree char *name = gw_log_clean(argv[0], 200);
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout * G_USEC_PER_SEC;
	Output o[2] = { { -1, out, MAX_TOKEN_BYTES, FALSE },
			{ -1, err, MAX_TOKEN_STDERR, TRUE } };
	int status = 0;
	GPid pid;

	if (!g_spawn_async_with_pipes(NULL, argv, NULL,
				      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
				      NULL, NULL, &pid, NULL, &o[0].fd, &o[1].fd, &local))
		return token_error(error, "token_command %s: %s", name, local->message);
	if (!drain(o, deadline) || !reap(pid, deadline, &status)) {
		for (int i = 0; i < 2; i++)
			if (o[i].fd >= 0)
				close(o[i].fd);
		kill(pid, SIGKILL);	/* our own child, not yet reaped */
		waitpid(pid, &status, 0);
		return token_error(error, "token_command %s gave no token within "
				   "%d s and was killed", name, timeout);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return TRUE;
	return command_failed(name, status, err, error);
}

static char *
token_from_command(char **argv, int timeout, GError **error)
{
	/* Sized once, so that no reallocation leaves a copy of the token
	 * behind; it is wiped below. */
	g_autoptr(GByteArray) out = g_byte_array_sized_new(MAX_TOKEN_BYTES);
	char *token = NULL;
	gboolean ran = run_token_command(argv, timeout, out, error);

	if (ran)
		token = first_line_token(out->data, out->len);
	explicit_bzero(out->data, out->len);
	if (ran && token == NULL) {
		g_autofree char *name = gw_log_clean(argv[0], 200);

		token_error(error, "token_command %s printed no access token on "
			    "its first line (empty, or not visible ASCII)", name);
	}
	return token;
}

char *
gw_config_load_token(const GwServerConfig *server, GError **error)
{
	g_assert(server->auth == GW_AUTH_XOAUTH2);
	if (server->token_file != NULL)
		return token_from_file(server->token_file, error);
	return token_from_command(server->token_command, server->timeout, error);
}

void
gw_config_token_free(char *token)
{
	if (token == NULL)
		return;
	explicit_bzero(token, strlen(token));
	g_free(token);
}
