/* metrics.c - counters, and the HTTP endpoint of `plaint run`.
 *
 * Owns the counters (one mutex: the filing workers bump them too) and
 * the libmicrohttpd daemon, the only user of that library.  The
 * endpoint runs in libmicrohttpd's own thread with a database
 * connection of its own, used in that thread alone, whose connect and
 * statements time out after SCRAPE_TIMEOUT seconds: a scrape never
 * blocks the main loop.  Counters come from the process; gauges of
 * state (the outbox, the quarantine, cursors) are read from the
 * database at each scrape, so that they hold whichever gateway did the
 * work.  Must never listen on another address than the one configured,
 * nor show a password or a message's content. */
#include "gw-metrics.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <microhttpd.h>

#include "gw-db.h"
#include "gw-imap.h"
#include "gw-log.h"
#include "gw-smtp.h"
#include "gw-status.h"

G_DEFINE_QUARK(gw-metrics-error-quark, gw_metrics_error)

#define SCRAPE_TIMEOUT 5	/* seconds: the endpoint's connect and statements */
#define MAX_CONNECTIONS 16	/* scrapers at once */
#define IDLE_TIMEOUT 10		/* seconds a client may keep a connection idle */
#define LISTEN_BACKLOG 16
#define MAX_UNRESOLVED 100000	/* acknowledgements whose latency is not read yet */
#define TEXT_PLAIN "text/plain; charset=utf-8"
#define PROMETHEUS_TEXT "text/plain; version=0.0.4; charset=utf-8"

static const double latency_bounds[] = { 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600 };

static const struct {
	const char *name;
	const char *label;
	const char *help;
} counter_info[GW_METRIC_N_COUNTERS] = {
	[GW_METRIC_FETCHED] = { "plaint_messages_fetched_total", "mailbox",
		"Messages fetched from each mailbox and stored." },
	[GW_METRIC_FILED] = { "plaint_messages_filed_total", "mailbox",
		"Messages filed on a ticket: one opened, one answered, or the ticket of the mail a bounce names." },
	[GW_METRIC_DUPLICATE] = { "plaint_messages_duplicate_total", "mailbox",
		"Messages that were copies of one filed before." },
	[GW_METRIC_DROPPED] = { "plaint_messages_dropped_total", "mailbox",
		"Messages a rule dropped (stored, on no ticket)." },
	[GW_METRIC_OPENED] = { "plaint_tickets_opened_total", "queue",
		"Tickets opened, per queue." },
	[GW_METRIC_SENT] = { "plaint_mail_sent_total", "kind",
		"Mail the SMTP server accepted: acknowledgements (ack), agents' replies, escalations, satisfaction questions (survey)." },
	[GW_METRIC_SUPPRESSED] = { "plaint_acks_suppressed_total", "reason",
		"New tickets whose acknowledgement was withheld, per reason." },
	[GW_METRIC_RULE_HIT] = { "plaint_rule_hits_total", "rule",
		"Messages each rule matched." },
	[GW_METRIC_ERROR] = { "plaint_errors_total", "kind",
		"Failures talking to the IMAP servers, the SMTP server and the database." },
};

/* Labels that exist from the start, at 0. */
static const char *const error_kinds[] = { "imap", "smtp", "database" };
static const char *const sent_kinds[] = { "ack", "reply", "escalation", "survey" };

struct GwMetrics {
	const GwConfig *config;
	GMutex lock;		/* guards everything below */
	GHashTable *counts[GW_METRIC_N_COUNTERS];	/* label -> guint64* */
	GHashTable *lag;	/* mailbox -> guint64*: seen, not stored */
	GHashTable *polled;	/* mailbox -> gint64*: monotonic µs of the
				 * last poll that worked */
	GArray *unresolved;	/* gint64 outbox ids of acknowledgements sent
				 * whose latency is not read yet */
	guint64 buckets[G_N_ELEMENTS(latency_bounds)];	/* cumulative */
	guint64 latencies;
	double latency_sum;
};

struct GwMetricsServer {
	GwMetrics *m;
	struct MHD_Daemon *mhd;
	GwDb *db;		/* the endpoint's own: its thread's alone */
	char *where;		/* "127.0.0.1:9187", for messages */
};

/* ---- counting ------------------------------------------------------ */

static guint64 *
slot(GHashTable *table, const char *label)
{
	guint64 *v = g_hash_table_lookup(table, label);

	if (v == NULL) {
		v = g_new0(guint64, 1);
		g_hash_table_insert(table, g_strdup(label), v);
	}
	return v;
}

static GHashTable *
new_table(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

GwMetrics *
gw_metrics_new(const GwConfig *config)
{
	GwMetrics *m = g_new0(GwMetrics, 1);

	m->config = config;
	g_mutex_init(&m->lock);
	for (int i = 0; i < GW_METRIC_N_COUNTERS; i++)
		m->counts[i] = new_table();
	m->lag = new_table();
	m->polled = new_table();
	m->unresolved = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (guint i = 0; i < config->mailboxes->len; i++) {
		const char *name = ((GwMailboxConfig *)config->mailboxes->pdata[i])->name;

		slot(m->counts[GW_METRIC_FETCHED], name);
		slot(m->counts[GW_METRIC_FILED], name);
		slot(m->counts[GW_METRIC_DUPLICATE], name);
		slot(m->counts[GW_METRIC_DROPPED], name);
		slot(m->lag, name);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(error_kinds); i++)
		slot(m->counts[GW_METRIC_ERROR], error_kinds[i]);
	for (gsize i = 0; i < G_N_ELEMENTS(sent_kinds); i++)
		slot(m->counts[GW_METRIC_SENT], sent_kinds[i]);
	return m;
}

void
gw_metrics_free(GwMetrics *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < GW_METRIC_N_COUNTERS; i++)
		g_hash_table_unref(m->counts[i]);
	g_hash_table_unref(m->lag);
	g_hash_table_unref(m->polled);
	g_array_unref(m->unresolved);
	g_mutex_clear(&m->lock);
	g_free(m);
}

void
gw_metrics_add(GwMetrics *m, GwMetric metric, const char *label, guint64 n)
{
	if (m == NULL || label == NULL)
		return;
	g_mutex_lock(&m->lock);
	*slot(m->counts[metric], label) += n;
	g_mutex_unlock(&m->lock);
}

void
gw_metrics_error(GwMetrics *m, const GError *error)
{
	const char *kind = NULL;

	if (error == NULL)
		return;
	if (error->domain == GW_IMAP_ERROR && error->code != GW_IMAP_ERROR_CANCELLED)
		kind = "imap";
	else if (error->domain == GW_SMTP_ERROR)
		kind = "smtp";
	else if (error->domain == GW_DB_ERROR)
		kind = "database";
	gw_metrics_add(m, GW_METRIC_ERROR, kind, 1);
}

void
gw_metrics_filed(GwMetrics *m, const char *mailbox, const GwFiled *filed,
		 const char *queue, const GPtrArray *matched)
{
	if (m == NULL)
		return;
	g_mutex_lock(&m->lock);
	switch (filed->action) {
	case GW_TICKET_OPENED:
		(*slot(m->counts[GW_METRIC_OPENED], queue ? queue : ""))++;
		if (filed->ack_suppressed != NULL)
			(*slot(m->counts[GW_METRIC_SUPPRESSED], filed->ack_suppressed))++;
		/* fall through */
	case GW_TICKET_THREADED:
	case GW_TICKET_BOUNCE:
		(*slot(m->counts[GW_METRIC_FILED], mailbox))++;
		break;
	case GW_TICKET_DUPLICATE:
		(*slot(m->counts[GW_METRIC_DUPLICATE], mailbox))++;
		break;
	case GW_TICKET_DROPPED:
		(*slot(m->counts[GW_METRIC_DROPPED], mailbox))++;
		break;
	}
	for (guint i = 0; matched != NULL && i < matched->len; i++)
		(*slot(m->counts[GW_METRIC_RULE_HIT], matched->pdata[i]))++;
	g_mutex_unlock(&m->lock);
}

void
gw_metrics_pending(GwMetrics *m, const char *mailbox, guint pending)
{
	if (m == NULL)
		return;
	g_mutex_lock(&m->lock);
	*slot(m->lag, mailbox) = pending;
	g_mutex_unlock(&m->lock);
}

void
gw_metrics_fetched(GwMetrics *m, const char *mailbox, guint n)
{
	guint64 *lag;

	if (m == NULL)
		return;
	g_mutex_lock(&m->lock);
	*slot(m->counts[GW_METRIC_FETCHED], mailbox) += n;
	lag = slot(m->lag, mailbox);
	*lag -= MIN(*lag, n);
	g_mutex_unlock(&m->lock);
}

void
gw_metrics_polled(GwMetrics *m, const char *mailbox)
{
	if (m == NULL)
		return;
	g_mutex_lock(&m->lock);
	*(gint64 *)(void *)slot(m->polled, mailbox) = g_get_monotonic_time();
	g_mutex_unlock(&m->lock);
}

void
gw_metrics_sent(GwMetrics *m, gint64 outbox_id, const char *kind)
{
	if (m == NULL)
		return;
	g_mutex_lock(&m->lock);
	(*slot(m->counts[GW_METRIC_SENT], kind))++;
	if (g_strcmp0(kind, "ack") == 0 && m->unresolved->len < MAX_UNRESOLVED)
		g_array_append_val(m->unresolved, outbox_id);
	g_mutex_unlock(&m->lock);
}

/* ---- the database's part of a scrape -------------------------------- */

static const char sql_ping[] = "SELECT 1";
static const char sql_latencies[] =
	"SELECT outbox_id, latency::text FROM plaint.ack_latencies($1::bigint[])";

/* The endpoint's connection, made anew when the last one broke. */
static gboolean
ensure_db(GwMetricsServer *s, GError **error)
{
	const GwConfig *c = s->m->config;

	if (s->db != NULL && gw_db_ok(s->db))
		return TRUE;
	g_clear_pointer(&s->db, gw_db_free);
	s->db = gw_db_connect(c->conninfo, MIN(c->db_timeout, SCRAPE_TIMEOUT), error);
	return s->db != NULL;
}

/* A statement failed: a broken connection is made anew next time. */
static void
drop_db_if_broken(GwMetricsServer *s, const GError *error)
{
	if (g_error_matches(error, GW_DB_ERROR, GW_DB_ERROR_TRANSIENT))
		g_clear_pointer(&s->db, gw_db_free);
}

static void
observe(GwMetrics *m, double seconds)
{
	for (gsize i = 0; i < G_N_ELEMENTS(latency_bounds); i++)
		if (seconds <= latency_bounds[i])
			m->buckets[i]++;
	m->latencies++;
	m->latency_sum += seconds;
}

/* Reads the latencies of the acknowledgements sent since the last
 * scrape into the histogram; those not recorded as sent yet wait for
 * the next. */
static gboolean
resolve_latencies(GwMetricsServer *s, GError **error)
{
	GwMetrics *m = s->m;
	g_autoptr(GArray) ids = NULL;
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	g_mutex_lock(&m->lock);
	ids = g_steal_pointer(&m->unresolved);
	m->unresolved = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_mutex_unlock(&m->lock);
	if (ids->len == 0)
		return TRUE;
	gw_db_params_ids(p, ids);
	res = gw_db_exec(s->db, sql_latencies, p, error);
	g_mutex_lock(&m->lock);
	for (int r = 0; res != NULL && r < gw_db_result_rows(res); r++) {
		const char *v = gw_db_result_text(res, r, 1);
		gint64 id = gw_db_result_int(res, r, 0);

		if (v != NULL)
			observe(m, g_ascii_strtod(v, NULL));
		else if (m->unresolved->len < MAX_UNRESOLVED)
			g_array_append_val(m->unresolved, id);	/* its 250 is being
								 * recorded: next time */
	}
	if (res == NULL)	/* all of them again next time */
		g_array_append_vals(m->unresolved, ids->data,
				    MIN(ids->len, MAX_UNRESOLVED - m->unresolved->len));
	g_mutex_unlock(&m->lock);
	return res != NULL;
}

/* ---- the Prometheus text format -------------------------------------- */

/* A label value: backslash, double quote and newline escaped. */
static void
append_label(GString *out, const char *name, const char *value)
{
	g_string_append_printf(out, "{%s=\"", name);
	for (const char *c = value; *c != '\0'; c++) {
		if (*c == '\\' || *c == '"')
			g_string_append_c(out, '\\');
		if (*c == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *c);
	}
	g_string_append(out, "\"}");
}

static void
append_head(GString *out, const char *name, const char *type, const char *help)
{
	g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Whole numbers as such (counts, UIDs), others to the microsecond. */
static void
append_double(GString *out, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (v > -9e15 && v < 9e15 && v == (double)(gint64)v)
		g_string_append_printf(out, "%" G_GINT64_FORMAT, (gint64)v);
	else
		g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.6f", v));
}

static gint
compare_keys(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One family, its series in label order. */
static void
append_table(GString *out, GHashTable *table, const char *name,
	     const char *label, const char *type, const char *help)
{
	g_autofree gpointer *keys = g_hash_table_get_keys_as_array(table, NULL);
	guint n = g_hash_table_size(table);

	append_head(out, name, type, help);
	qsort(keys, n, sizeof *keys, compare_keys);
	for (guint i = 0; i < n; i++) {
		g_string_append(out, name);
		append_label(out, label, keys[i]);
		g_string_append_printf(out, " %" G_GUINT64_FORMAT "\n",
				       *(guint64 *)g_hash_table_lookup(table, keys[i]));
	}
}

static void
append_histogram(GString *out, const GwMetrics *m)
{
	const char *name = "plaint_ack_latency_seconds";

	append_head(out, name, "histogram",
		    "Seconds from the arrival of a complaint at the mail server "
		    "to the SMTP server's acceptance of its acknowledgement.");
	for (gsize i = 0; i < G_N_ELEMENTS(latency_bounds); i++) {
		char le[G_ASCII_DTOSTR_BUF_SIZE];

		g_ascii_formatd(le, sizeof le, "%g", latency_bounds[i]);
		g_string_append_printf(out, "%s_bucket{le=\"%s\"} %" G_GUINT64_FORMAT "\n",
				       name, le, m->buckets[i]);
	}
	g_string_append_printf(out, "%s_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n",
			       name, m->latencies);
	g_string_append_printf(out, "%s_sum ", name);
	append_double(out, m->latency_sum);
	g_string_append_printf(out, "\n%s_count %" G_GUINT64_FORMAT "\n", name,
			       m->latencies);
}

/* The counters and what the process itself knows, under the lock. */
static void
append_process(GString *out, GwMetrics *m)
{
	g_mutex_lock(&m->lock);
	for (int i = 0; i < GW_METRIC_N_COUNTERS; i++)
		append_table(out, m->counts[i], counter_info[i].name,
			     counter_info[i].label, "counter", counter_info[i].help);
	append_histogram(out, m);
	append_table(out, m->lag, "plaint_mailbox_cursor_lag_messages", "mailbox",
		     "gauge", "Messages the last poll found above the mailbox's "
		     "cursor that are not stored yet.");
	g_mutex_unlock(&m->lock);
}

/* One gauge series: name{label="value"} v. */
static void
append_gauge(GString *out, const char *name, const char *label,
	     const char *value, double v)
{
	g_string_append(out, name);
	if (label != NULL)
		append_label(out, label, value);
	g_string_append_c(out, ' ');
	append_double(out, v);
	g_string_append_c(out, '\n');
}

static void
append_mailboxes(GString *out, const GPtrArray *boxes)
{
	static const struct {
		const char *name, *help;
	} families[] = {
		{ "plaint_mailbox_cursor_uid",
		  "The highest UID stored from the mailbox (its cursor)." },
		{ "plaint_mailbox_last_poll_timestamp_seconds",
		  "When a poll of the mailbox last worked, seconds since 1970 (0: never)." },
		{ "plaint_messages_quarantined",
		  "Messages of the mailbox in quarantine now (plaint.quarantine)." },
	};

	for (gsize f = 0; f < G_N_ELEMENTS(families); f++) {
		append_head(out, families[f].name, "gauge", families[f].help);
		for (guint i = 0; i < boxes->len; i++) {
			const GwMailboxStatus *b = boxes->pdata[i];
			double v = f == 0 ? (double)b->last_uid
				 : f == 1 ? b->polled_at : (double)b->quarantined;

			append_gauge(out, families[f].name, "mailbox", b->name, v);
		}
	}
}

static void
append_outbox(GString *out, const GwOutboxStatus *o)
{
	append_head(out, "plaint_outbox_depth", "gauge",
		    "Outbox rows neither sent nor given up.");
	append_gauge(out, "plaint_outbox_depth", NULL, NULL, (double)o->unsent);
	append_head(out, "plaint_outbox_due_now", "gauge",
		    "Of those, the rows whose next attempt is due now.");
	append_gauge(out, "plaint_outbox_due_now", NULL, NULL, (double)o->due_now);
	append_head(out, "plaint_outbox_overdue", "gauge",
		    "Of those, the rows past their deadline.");
	append_gauge(out, "plaint_outbox_overdue", NULL, NULL, (double)o->overdue);
	append_head(out, "plaint_outbox_oldest_due_age_seconds", "gauge",
		    "Seconds since the oldest due row (the unsent one with the "
		    "earliest deadline) was queued; 0 when nothing waits.");
	append_gauge(out, "plaint_outbox_oldest_due_age_seconds", NULL, NULL,
		     o->oldest_age);
}

/* The gauges read from the database now; FALSE (and nothing appended)
 * when it does not answer. */
static gboolean
append_database(GString *out, GwMetricsServer *s, GError **error)
{
	g_autoptr(GPtrArray) boxes = NULL;
	GwOutboxStatus outbox;

	if (!ensure_db(s, error) || !resolve_latencies(s, error))
		return FALSE;
	boxes = gw_status_mailboxes(s->db, error);
	if (boxes == NULL || !gw_status_outbox(s->db, &outbox, error))
		return FALSE;
	append_mailboxes(out, boxes);
	append_outbox(out, &outbox);
	gw_outbox_status_clear(&outbox);
	return TRUE;
}

/* Resident memory from /proc/self/statm, in bytes; 0 if unknown. */
static double
resident_bytes(void)
{
	g_autofree char *text = NULL;
	unsigned long size, resident;

	if (!g_file_get_contents("/proc/self/statm", &text, NULL, NULL) ||
	    sscanf(text, "%lu %lu", &size, &resident) != 2)
		return 0;
	return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

static char *
render(GwMetricsServer *s)
{
	GString *out = g_string_new(NULL);
	g_autoptr(GString) db = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	gboolean up = append_database(db, s, &err);

	if (!up) {
		gw_log_debug("metrics: the database's gauges are left out: %s",
			     err->message);
		drop_db_if_broken(s, err);
	}
	append_process(out, s->m);
	g_string_append(out, db->str);
	append_head(out, "plaint_database_up", "gauge",
		    "1 if the database answered this scrape, else 0.");
	append_gauge(out, "plaint_database_up", NULL, NULL, up ? 1 : 0);
	append_head(out, "process_resident_memory_bytes", "gauge",
		    "Resident memory size in bytes.");
	append_gauge(out, "process_resident_memory_bytes", NULL, NULL, resident_bytes());
	return g_string_free(out, FALSE);
}

/* ---- readiness ------------------------------------------------------- */

/* NULL when ready; else the reasons, one a line. */
static char *
unready(GwMetricsServer *s)
{
	GwMetrics *m = s->m;
	GString *why = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwDbResult) res = NULL;
	gint64 now = g_get_monotonic_time();

	if (ensure_db(s, &err))
		res = gw_db_exec(s->db, sql_ping, NULL, &err);
	if (res == NULL) {
		g_autofree char *line = g_strdelimit(g_strdup(err->message), "\r\n", ' ');

		g_string_append_printf(why, "database: %s\n", line);
		drop_db_if_broken(s, err);
	}
	g_mutex_lock(&m->lock);
	for (guint i = 0; i < m->config->mailboxes->len; i++) {
		const GwMailboxConfig *mbox = m->config->mailboxes->pdata[i];
		gint64 *at = g_hash_table_lookup(m->polled, mbox->name);
		gint64 limit = 2 * (gint64)mbox->poll_interval * G_USEC_PER_SEC;

		if (at == NULL)
			g_string_append_printf(why, "mailbox %s: no poll has worked "
					       "yet\n", mbox->name);
		else if (now - *at > limit)
			g_string_append_printf(why, "mailbox %s: the last poll that "
					       "worked was %" G_GINT64_FORMAT " s ago, "
					       "more than twice its poll_interval "
					       "(%d s)\n", mbox->name,
					       (now - *at) / G_USEC_PER_SEC,
					       mbox->poll_interval);
	}
	g_mutex_unlock(&m->lock);
	if (why->len == 0) {
		g_string_free(why, TRUE);
		return NULL;
	}
	return g_string_free(why, FALSE);
}

/* ---- HTTP ------------------------------------------------------------- */

/* Queues body (taken over) with status. */
static enum MHD_Result
respond(struct MHD_Connection *c, unsigned int status, char *body,
	const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(
		strlen(body), body, g_free);
	enum MHD_Result ok;

	if (r == NULL) {
		g_free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_data_size, void **con_cls)
{
	GwMetricsServer *s = cls;
	char *why;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			       g_strdup("only GET and HEAD\n"), TEXT_PLAIN);
	if (strcmp(url, "/metrics") == 0)
		return respond(c, MHD_HTTP_OK, render(s), PROMETHEUS_TEXT);
	if (strcmp(url, "/healthz") == 0)
		return respond(c, MHD_HTTP_OK, g_strdup("ok\n"), TEXT_PLAIN);
	if (strcmp(url, "/readyz") == 0) {
		why = unready(s);
		if (why == NULL)
			return respond(c, MHD_HTTP_OK, g_strdup("ready\n"), TEXT_PLAIN);
		return respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, why, TEXT_PLAIN);
	}
	return respond(c, MHD_HTTP_NOT_FOUND,
		       g_strdup("not found; try /metrics, /healthz or /readyz\n"),
		       TEXT_PLAIN);
}

/* libmicrohttpd's own complaints go to plaint's log. */
static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	g_autofree char *text = g_strdup_vprintf(fmt, ap);

	(void)cls;
	gw_log_warning("library=libmicrohttpd %s", g_strchomp(text));
}

/* A socket bound to exactly the configured address, listening. */
static int
listen_on(const GwListenConfig *l, const char *where, GError **error)
{
	g_autoptr(GInetAddress) address = g_inet_address_new_from_string(l->address);
	g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(address, l->port);
	struct sockaddr_storage native;
	gsize len = g_socket_address_get_native_size(sa);
	int fd, on = 1, saved;

	if (!g_socket_address_to_native(sa, &native, sizeof native, error))
		return -1;
	fd = socket(native.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 &&
	    (native.ss_family != AF_INET6 ||
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == 0) &&
	    bind(fd, (struct sockaddr *)&native, len) == 0 &&
	    listen(fd, LISTEN_BACKLOG) == 0)
		return fd;
	saved = errno;
	if (fd >= 0)
		close(fd);
	g_set_error(error, GW_METRICS_ERROR,
		    saved == EADDRINUSE ? GW_METRICS_ERROR_IN_USE : GW_METRICS_ERROR_LISTEN,
		    "[metrics] listen %s: cannot listen there: %s", where,
		    g_strerror(saved));
	return -1;
}

GwMetricsServer *
gw_metrics_serve(GwMetrics *m, GError **error)
{
	const GwListenConfig *l = &m->config->metrics;
	GwMetricsServer *s = g_new0(GwMetricsServer, 1);
	int fd;

	s->m = m;
	s->where = strchr(l->address, ':') ? g_strdup_printf("[%s]:%d", l->address, l->port)
					   : g_strdup_printf("%s:%d", l->address, l->port);
	fd = listen_on(l, s->where, error);
	if (fd >= 0)
		s->mhd = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
			NULL, NULL, on_request, s,
			MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
			MHD_OPTION_LISTEN_SOCKET, fd,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT,
			MHD_OPTION_END);
	if (s->mhd == NULL) {
		if (fd >= 0) {
			close(fd);
			g_set_error(error, GW_METRICS_ERROR, GW_METRICS_ERROR_LISTEN,
				    "[metrics] listen %s: the HTTP server did not "
				    "start", s->where);
		}
		gw_metrics_server_free(s);
		return NULL;
	}
	gw_log_notice("metrics: listening on http://%s/ (/metrics, /healthz, /readyz)",
		      s->where);
	return s;
}

void
gw_metrics_server_free(GwMetricsServer *s)
{
	if (s == NULL)
		return;
	if (s->mhd != NULL)
		MHD_stop_daemon(s->mhd);	/* joins its thread */
	gw_db_free(s->db);
	g_free(s->where);
	g_free(s);
}
