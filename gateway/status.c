/* status.c - the gateway's state, read from the database.
 *
 * Reads the summary views (plaint.mailbox_status, plaint.outbox_status,
 * plaint.breaches_today) and prints them for `plaint status`; records a
 * failed poll through plaint.mailbox_failed().  Owns no table and
 * writes nothing else.  Every time is the database's, so that the
 * status of several gateways on several hosts reads alike. */
#include "gw-status.h"


#include "gw-json.h"
#include "gw-log.h"

#define ERROR_CHARS 300		/* of a failure recorded for a mailbox */

static const char sql_failed[] = "SELECT plaint.mailbox_failed($1, $2)";
static const char sql_mailboxes[] =
	"SELECT mailbox, coalesce(uidvalidity, 0), coalesce(last_uid, 0), "
	"  coalesce(extract(epoch FROM polled_at), 0)::float8::text, last_error, "
	"  coalesce(extract(epoch FROM last_error_at), 0)::float8::text, quarantined "
	"FROM plaint.mailbox_status";
static const char sql_outbox[] =
	"SELECT unsent, due_now, overdue, coalesce(oldest_id, 0), oldest_kind, "
	"  oldest_ticket, "
	"  coalesce(extract(epoch FROM oldest_queued_at), 0)::float8::text, "
	"  coalesce(extract(epoch FROM oldest_due_at), 0)::float8::text, "
	"  coalesce(extract(epoch FROM now() - oldest_queued_at), 0)::float8::text, "
	"  coalesce(oldest_attempts, 0), oldest_last_error "
	"FROM plaint.outbox_status";
static const char sql_breaches[] =
	"SELECT kind, breaches, extract(epoch FROM now())::float8::text "
	"FROM plaint.breaches_today";

void
gw_mailbox_status_free(GwMailboxStatus *s)
{
	if (s == NULL)
		return;
	g_free(s->name);
	g_free(s->last_error);
	g_free(s);
}

void
gw_outbox_status_clear(GwOutboxStatus *s)
{
	g_clear_pointer(&s->oldest_kind, g_free);
	g_clear_pointer(&s->oldest_ticket, g_free);
	g_clear_pointer(&s->oldest_last_error, g_free);
}

void
gw_status_free(GwStatus *s)
{
	if (s == NULL)
		return;
	if (s->mailboxes != NULL)
		g_ptr_array_unref(s->mailboxes);
	gw_outbox_status_clear(&s->outbox);
	g_free(s);
}

gboolean
gw_status_record_failure(GwDb *db, const char *mailbox, const char *why,
			 GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	g_autofree char *line = gw_log_clean(why, ERROR_CHARS);

	gw_db_params_text(p, mailbox);
	gw_db_params_text(p, line);
	res = gw_db_exec(db, sql_failed, p, error);
	return res != NULL;
}

static double
result_double(const GwDbResult *res, int row, int col)
{
	const char *v = gw_db_result_text(res, row, col);

	return v ? g_ascii_strtod(v, NULL) : 0;
}

GPtrArray *
gw_status_mailboxes(GwDb *db, GError **error)
{
	g_autoptr(GwDbResult) res = gw_db_exec(db, sql_mailboxes, NULL, error);
	GPtrArray *out;

	if (res == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)gw_mailbox_status_free);
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		GwMailboxStatus *s = g_new0(GwMailboxStatus, 1);

		s->name = g_strdup(gw_db_result_text(res, r, 0));
		s->uidvalidity = gw_db_result_int(res, r, 1);
		s->last_uid = gw_db_result_int(res, r, 2);
		s->polled_at = result_double(res, r, 3);
		s->last_error = g_strdup(gw_db_result_text(res, r, 4));
		s->last_error_at = result_double(res, r, 5);
		s->quarantined = gw_db_result_int(res, r, 6);
		g_ptr_array_add(out, s);
	}
	return out;
}

gboolean
gw_status_outbox(GwDb *db, GwOutboxStatus *o, GError **error)
{
	g_autoptr(GwDbResult) res = gw_db_exec(db, sql_outbox, NULL, error);

	*o = (GwOutboxStatus){ 0 };
	if (res == NULL)
		return FALSE;
	o->unsent = gw_db_result_int(res, 0, 0);
	o->due_now = gw_db_result_int(res, 0, 1);
	o->overdue = gw_db_result_int(res, 0, 2);
	o->oldest_id = gw_db_result_int(res, 0, 3);
	o->oldest_kind = g_strdup(gw_db_result_text(res, 0, 4));
	o->oldest_ticket = g_strdup(gw_db_result_text(res, 0, 5));
	o->oldest_queued_at = result_double(res, 0, 6);
	o->oldest_due_at = result_double(res, 0, 7);
	o->oldest_age = result_double(res, 0, 8);
	o->oldest_attempts = (int)gw_db_result_int(res, 0, 9);
	o->oldest_last_error = g_strdup(gw_db_result_text(res, 0, 10));
	return TRUE;
}

static gboolean
load_breaches(GwDb *db, GwStatus *s, GError **error)
{
	g_autoptr(GwDbResult) res = gw_db_exec(db, sql_breaches, NULL, error);

	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		const char *kind = gw_db_result_text(res, r, 0);
		gint64 n = gw_db_result_int(res, r, 1);

		if (g_strcmp0(kind, "ack") == 0)
			s->breaches_ack = n;
		else if (g_strcmp0(kind, "first_response") == 0)
			s->breaches_first_response = n;
		else if (g_strcmp0(kind, "resolution") == 0)
			s->breaches_resolution = n;
		s->now = result_double(res, r, 2);
	}
	return TRUE;
}

/* The configured mailboxes first, in the config's order (a row of its
 * own for one never polled), then the rest of the database's. */
static GPtrArray *
in_config_order(GPtrArray *known, const GwConfig *config)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_mailbox_status_free);

	for (guint i = 0; config != NULL && i < config->mailboxes->len; i++) {
		const GwMailboxConfig *mbox = config->mailboxes->pdata[i];
		GwMailboxStatus *s = NULL;

		for (guint j = 0; j < known->len && s == NULL; j++)
			if (g_strcmp0(((GwMailboxStatus *)known->pdata[j])->name,
				      mbox->name) == 0)
				s = g_ptr_array_steal_index(known, j);
		if (s == NULL) {
			s = g_new0(GwMailboxStatus, 1);
			s->name = g_strdup(mbox->name);
		}
		g_ptr_array_add(out, s);
	}
	while (known->len > 0)
		g_ptr_array_add(out, g_ptr_array_steal_index(known, 0));
	return out;
}

GwStatus *
gw_status_load(GwDb *db, const GwConfig *config, GError **error)
{
	g_autoptr(GwStatus) s = g_new0(GwStatus, 1);
	g_autoptr(GPtrArray) known = gw_status_mailboxes(db, error);

	if (known == NULL || !gw_status_outbox(db, &s->outbox, error) ||
	    !load_breaches(db, s, error))
		return NULL;
	s->mailboxes = in_config_order(known, config);
	for (guint i = 0; i < s->mailboxes->len; i++)
		s->quarantined += ((GwMailboxStatus *)s->mailboxes->pdata[i])->quarantined;
	return g_steal_pointer(&s);
}

/* ---- printing ------------------------------------------------------ */

/* t: seconds since 1970, positive (the times of status are). */
static GDateTime *
date_time(double t, gboolean utc)
{
	gint64 whole = (gint64)t;
	g_autoptr(GDateTime) dt = utc ? g_date_time_new_from_unix_utc(whole)
				      : g_date_time_new_from_unix_local(whole);

	return g_date_time_add(dt, (GTimeSpan)((t - (double)whole) * G_USEC_PER_SEC));
}

/* "2026-12-01 14:05:09", local time. */
static char *
local_time(double t)
{
	g_autoptr(GDateTime) dt = date_time(t, FALSE);

	return g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");
}

/* "12 s", "5 min", "3 h", "2 days". */
static char *
span(double seconds)
{
	gint64 s = (gint64)MAX(seconds, 0);

	if (s < 120)
		return g_strdup_printf("%" G_GINT64_FORMAT " s", s);
	if (s < 7200)
		return g_strdup_printf("%" G_GINT64_FORMAT " min", s / 60);
	if (s < 172800)
		return g_strdup_printf("%" G_GINT64_FORMAT " h", s / 3600);
	return g_strdup_printf("%" G_GINT64_FORMAT " days", s / 86400);
}

static const char *
plural(gint64 n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
print_mailbox(const GwMailboxStatus *m, double now, FILE *out)
{
	if (m->uidvalidity == 0)
		fprintf(out, "mailbox %s: never polled", m->name);
	else {
		g_autofree char *at = local_time(m->polled_at);
		g_autofree char *ago = span(now - m->polled_at);

		fprintf(out, "mailbox %s: cursor uid %" G_GINT64_FORMAT
			" (uidvalidity %" G_GINT64_FORMAT "), last poll %s (%s ago)",
			m->name, m->last_uid, m->uidvalidity, at, ago);
	}
	fprintf(out, ", %" G_GINT64_FORMAT " quarantined\n", m->quarantined);
	if (m->last_error != NULL) {
		g_autofree char *at = local_time(m->last_error_at);
		g_autofree char *ago = span(now - m->last_error_at);

		fprintf(out, "  last error %s (%s ago%s): %s\n", at, ago,
			m->last_error_at < m->polled_at ? ", it works again since" : "",
			m->last_error);
	}
}

static void
print_outbox(const GwOutboxStatus *o, FILE *out)
{
	g_autofree char *queued = NULL, *age = NULL, *due = NULL;

	fprintf(out, "outbox: %" G_GINT64_FORMAT " unsent, %" G_GINT64_FORMAT
		" due now, %" G_GINT64_FORMAT " past its deadline\n",
		o->unsent, o->due_now, o->overdue);
	if (o->oldest_id == 0)
		return;
	queued = local_time(o->oldest_queued_at);
	age = span(o->oldest_age);
	due = local_time(o->oldest_due_at);
	fprintf(out, "  oldest due: outbox %" G_GINT64_FORMAT " (%s of %s), queued %s "
		"(%s ago), deadline %s, %d attempt%s%s%s\n", o->oldest_id,
		o->oldest_kind, o->oldest_ticket ? o->oldest_ticket : "no ticket",
		queued, age, due, o->oldest_attempts,
		plural(o->oldest_attempts, "", "s"),
		o->oldest_last_error ? ", last error: " : "",
		o->oldest_last_error ? o->oldest_last_error : "");
}

static void
print_text(const GwStatus *s, FILE *out)
{
	for (guint i = 0; i < s->mailboxes->len; i++)
		print_mailbox(s->mailboxes->pdata[i], s->now, out);
	print_outbox(&s->outbox, out);
	fprintf(out, "SLA breaches today: %" G_GINT64_FORMAT " acknowledgement%s, %"
		G_GINT64_FORMAT " first response%s, %" G_GINT64_FORMAT " resolution%s\n",
		s->breaches_ack, plural(s->breaches_ack, "", "s"),
		s->breaches_first_response, plural(s->breaches_first_response, "", "s"),
		s->breaches_resolution, plural(s->breaches_resolution, "", "s"));
	fprintf(out, "quarantined: %" G_GINT64_FORMAT " message%s%s\n", s->quarantined,
		plural(s->quarantined, "", "s"),
		s->quarantined ? " (SELECT * FROM plaint.quarantine lists them)" : "");
}

/* A time as ISO 8601 in UTC, or null for 0. */
static void
add_time(GwJson *j, const char *key, double t)
{
	g_autoptr(GDateTime) dt = t != 0 ? date_time(t, TRUE) : NULL;
	g_autofree char *iso = dt != NULL ? g_date_time_format_iso8601(dt) : NULL;

	gw_json_member_string(j, key, iso);
}

/* value, or null when the mailbox was never polled (uidvalidity 0). */
static void
add_polled(GwJson *j, const char *key, const GwMailboxStatus *m, gint64 value)
{
	gw_json_key(j, key);
	if (m->uidvalidity == 0)
		gw_json_null(j);
	else
		gw_json_int(j, value);
}

static void
add_mailbox(GwJson *j, const GwMailboxStatus *m)
{
	gw_json_begin_object(j);
	gw_json_member_string(j, "name", m->name);
	add_polled(j, "uidvalidity", m, m->uidvalidity);
	add_polled(j, "cursor", m, m->last_uid);
	add_time(j, "last_poll", m->polled_at);
	gw_json_member_string(j, "last_error", m->last_error);
	add_time(j, "last_error_at", m->last_error_at);
	gw_json_member_int(j, "quarantined", m->quarantined);
	gw_json_end_object(j);
}

static void
add_outbox(GwJson *j, const GwOutboxStatus *o)
{
	gw_json_begin_object(j);
	gw_json_member_int(j, "unsent", o->unsent);
	gw_json_member_int(j, "due_now", o->due_now);
	gw_json_member_int(j, "overdue", o->overdue);
	gw_json_key(j, "oldest_due");
	if (o->oldest_id == 0) {
		gw_json_null(j);
	} else {
		gw_json_begin_object(j);
		gw_json_member_int(j, "id", o->oldest_id);
		gw_json_member_string(j, "kind", o->oldest_kind);
		gw_json_member_string(j, "ticket", o->oldest_ticket);
		add_time(j, "queued_at", o->oldest_queued_at);
		add_time(j, "due_at", o->oldest_due_at);
		gw_json_key(j, "age_seconds");
		gw_json_double(j, o->oldest_age);
		gw_json_member_int(j, "attempts", o->oldest_attempts);
		gw_json_member_string(j, "last_error", o->oldest_last_error);
		gw_json_end_object(j);
	}
	gw_json_end_object(j);
}

static void
print_json(const GwStatus *s, FILE *out)
{
	GwJson *j = gw_json_new();
	g_autofree char *text = NULL;

	gw_json_begin_object(j);
	add_time(j, "time", s->now);
	gw_json_key(j, "mailboxes");
	gw_json_begin_array(j);
	for (guint i = 0; i < s->mailboxes->len; i++)
		add_mailbox(j, s->mailboxes->pdata[i]);
	gw_json_end_array(j);
	gw_json_key(j, "outbox");
	add_outbox(j, &s->outbox);
	gw_json_key(j, "sla_breaches_today");
	gw_json_begin_object(j);
	gw_json_member_int(j, "ack", s->breaches_ack);
	gw_json_member_int(j, "first_response", s->breaches_first_response);
	gw_json_member_int(j, "resolution", s->breaches_resolution);
	gw_json_end_object(j);
	gw_json_member_int(j, "quarantined", s->quarantined);
	gw_json_end_object(j);
	text = gw_json_free_to_text(j);
	fprintf(out, "%s\n", text);
}

void
gw_status_print(const GwStatus *status, gboolean json, FILE *out)
{
	if (json)
		print_json(status, out);
	else
		print_text(status, out);
}
