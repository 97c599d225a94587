/* daemon.c - `plaint run`: timers, signals, reload, systemd's notify.
 *
 * Owns the main loop and the pipeline it drives.  Each callback does
 * one bounded unit of work (one mailbox poll with its processing and
 * sending, one outbox round); housekeeping (the check of deadlines each
 * minute, a round of retention each hour) runs in a thread beside the
 * loop, one round at a time.  Signals only schedule work, so SIGTERM
 * lets the current unit finish, except a download: a thread of its own
 * hears SIGTERM and SIGINT and cuts the download short, leaving the
 * mail unflagged on the server for the next run.  A reload that fails keeps the rules
 * that run.  It is the only module that talks to systemd (sd_notify:
 * READY, RELOADING, STOPPING, STATUS, WATCHDOG); without $NOTIFY_SOCKET
 * those calls do nothing.  The watchdog is fed from the loop, so a unit
 * of work stuck longer than WatchdogSec gets the process restarted.
 * With [metrics] listen it counts what happens (gw-metrics.h) and
 * serves the counts from a thread of their own. */
#include "gw-daemon.h"

#include <stdlib.h>
#include <sysexits.h>
#include <pthread.h>
#include <signal.h>

#include <glib-unix.h>
#include <systemd/sd-daemon.h>

#include "gw-db.h"
#include "gw-log.h"
#include "gw-metrics.h"
#include "gw-pipeline.h"

#define OUTBOX_INTERVAL 5	/* seconds between outbox rounds (retries) */
#define RETRY_MAX 60		/* cap of the reconnect backoff, seconds */
#define SMTP_IDLE 30		/* an SMTP session idle this long is closed */
#define MAX_ROUNDS 20		/* polls in a row while mail keeps coming */
#define STATUS_ERROR_CHARS 160	/* of the last error in STATUS= */
#define OVERDUE_INTERVAL 60	/* seconds between checks of deadlines */
#define RETENTION_INTERVAL 3600	/* seconds between rounds of retention */

typedef struct {
	const GwConfig *config;
	GwPipeline *pipeline;
	GMainLoop *loop;
	GMainLoop *signals;	/* run by the thread that hears SIGTERM */
	gint stopping;		/* atomic: set by that thread */
	int failures;		/* in a row, for the log-once rule */
	GwDb *listener;		/* LISTENs for outbox work, or NULL */
	guint listen_watch;
	guint mailboxes;
	GDateTime *last_poll;	/* or NULL before the first */
	char *last_poll_mailbox;
	GDateTime *last_error_at;	/* or NULL if nothing failed yet */
	char *last_error;	/* cleaned to one line */
	gint64 outbox_depth;	/* unsent rows when last read; -1: unknown */
	GwMetrics *metrics;	/* with [metrics] listen, else NULL */
	GwMetricsServer *server;
	GPtrArray *timers;	/* of MailboxTimer */
	guint recover;		/* retries processing each second while it fails */
	int overdue_failures;
	int survey_failures;
	int retention_failures;
	guint retention_more;	/* the next round soon, while one was full */
	GThread *house;		/* housekeeping running beside, or NULL */
	gpointer house_job;	/* its HouseJob, until its result is read */
} Daemon;

typedef struct {
	Daemon *d;
	const GwMailboxConfig *mbox;
	int failures;
	GwImap *session;	/* kept open between polls, or NULL */
	guint timer;		/* the next poll */
	guint idle_watch;	/* the session's socket while IDLE */
} MailboxTimer;

/* systemd's one-line STATUS=, after state (such as "READY=1\n", or "").
 * A failure to notify is not ours to handle: sd_notify's result is
 * ignored, as systemd's own daemons do. */
static void
notify_status(const Daemon *d, const char *state)
{
	g_autofree char *poll = NULL, *error = NULL, *outbox = NULL;

	if (d->last_poll != NULL) {
		g_autofree char *at = g_date_time_format(d->last_poll, "%T");

		poll = g_strdup_printf("%s (%s)", at, d->last_poll_mailbox);
	}
	if (d->last_error_at != NULL) {
		g_autofree char *at = g_date_time_format(d->last_error_at, "%T");

		error = g_strdup_printf("last error %s %s", at, d->last_error);
	}
	outbox = d->outbox_depth < 0 ? g_strdup("unknown")
				     : g_strdup_printf("%" G_GINT64_FORMAT " unsent",
						       d->outbox_depth);
	sd_notifyf(0, "%sSTATUS=%u mailbox%s, last poll %s, outbox %s, %s", state,
		   d->mailboxes, d->mailboxes == 1 ? "" : "es",
		   poll ? poll : "none yet", outbox, error ? error : "no errors");
}

/* Logs a failure once per outage, then at debug until it heals; the
 * latest one shows in the STATUS line either way.  what is left out
 * when the error already starts with it (the pipeline names mailboxes). */
static void
report(Daemon *d, int *failures, const char *what, const GError *error)
{
	g_autofree char *prefix = g_strconcat(what, ": ", NULL);
	g_autofree char *line = g_str_has_prefix(error->message, prefix)
		? g_strdup(error->message)
		: g_strconcat(prefix, error->message, NULL);

	gw_metrics_error(d->metrics, error);
	if ((*failures)++ == 0)
		gw_log_err("%s", line);
	else
		gw_log_debug("%s: still failing (%d): %s", what, *failures,
			     error->message);
	g_free(d->last_error);
	d->last_error = gw_log_clean(line, STATUS_ERROR_CHARS);
	g_clear_pointer(&d->last_error_at, g_date_time_unref);
	d->last_error_at = g_date_time_new_now_local();
	notify_status(d, "");
}

static void
healed(int *failures, const char *what)
{
	if (*failures > 0)
		gw_log_notice("%s: working again after %d failures", what, *failures);
	*failures = 0;
}

static gboolean on_poll(gpointer data);
static void poll_failed_soon(Daemon *d);
static gboolean on_recover(gpointer data);

/* The outbox depth of the STATUS= line, read after each round of
 * sending; a failure to read it keeps the last one. */
static void
refresh_outbox(Daemon *d)
{
	GwOutboxStatus o;
	gint64 before = d->outbox_depth;

	if (!gw_pipeline_outbox(d->pipeline, &o, NULL))
		return;
	d->outbox_depth = o.unsent;
	gw_outbox_status_clear(&o);
	if (d->outbox_depth != before)
		notify_status(d, "");
}

static void
process_and_send(Daemon *d)
{
	g_autoptr(GError) err = NULL;

	if (!gw_pipeline_process(d->pipeline, &err) ||
	    !gw_pipeline_send(d->pipeline, &err)) {
		report(d, &d->failures, "processing", err);
		/* With the SMTP server away mail piles up: say how much
		 * (with the database away there is nothing to ask). */
		if (err->domain != GW_DB_ERROR)
			refresh_outbox(d);
		/* The database (or SMTP server) may be back any moment:
		 * look each second rather than at the next outbox round. */
		if (d->recover == 0)
			d->recover = g_timeout_add_seconds(1, on_recover, d);
	} else {
		refresh_outbox(d);
		if (d->failures > 0) {
			healed(&d->failures, "processing");
			/* The database is back: mailboxes that failed with
			 * it need not wait out their backoff. */
			poll_failed_soon(d);
		}
	}
}
static gboolean on_idle_news(gint fd, GIOCondition cond, gpointer data);

static void
schedule_poll(MailboxTimer *t)
{
	/* Back off after failures: interval * 2^n, capped. */
	int delay = t->mbox->poll_interval;

	for (int i = 0; i < t->failures && delay < RETRY_MAX; i++)
		delay *= 2;
	t->timer = g_timeout_add_seconds(MIN(delay, MAX(RETRY_MAX, t->mbox->poll_interval)),
					 on_poll, t);
}

/* Waits in IDLE for news, if the server can; the timer stays as a
 * safety net and renews the IDLE well within RFC 2177's 29 minutes. */
static void
start_idle(MailboxTimer *t)
{
	g_autoptr(GError) err = NULL;
	int fd;

	if (t->session == NULL)
		return;
	if (!gw_imap_idle_start(t->session, &fd, &err)) {
		if (err != NULL) {
			gw_log_warning("mailbox=%s IDLE refused, polling instead: %s",
				       t->mbox->name, err->message);
			g_clear_pointer(&t->session, gw_imap_free);
		}
		return;
	}
	t->idle_watch = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
				      on_idle_news, t);
}

static void
polled(Daemon *d, const char *mailbox)
{
	g_clear_pointer(&d->last_poll, g_date_time_unref);
	d->last_poll = g_date_time_new_now_local();
	g_free(d->last_poll_mailbox);
	d->last_poll_mailbox = g_strdup(mailbox);
	notify_status(d, "");
}

/* One unit: end IDLE, poll the mailbox, file and send, IDLE again. */
static void
poll_now(MailboxTimer *t)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *what = g_strdup_printf("mailbox %s", t->mbox->name);

	g_clear_handle_id(&t->timer, g_source_remove);
	g_clear_handle_id(&t->idle_watch, g_source_remove);
	if (t->session != NULL && gw_imap_idling(t->session) &&
	    !gw_imap_idle_done(t->session, NULL))
		g_clear_pointer(&t->session, gw_imap_free);	/* reconnect below */
	/* Mail that arrives while a poll runs is announced in the replies
	 * to its commands, not again when IDLE starts: poll until a poll
	 * finds nothing, then IDLE.  Each round takes one batch, files it
	 * and sends its acknowledgements, so that a flood is answered as it
	 * comes rather than once it is all in; after MAX_ROUNDS, the other
	 * mailboxes and timers get their turn before the next. */
	for (int round = 0;; round++) {
		guint fetched = 0;
		gboolean ok;

		if (round == MAX_ROUNDS) {
			t->timer = g_idle_add(on_poll, t);
			return;
		}
		ok = gw_pipeline_poll_session(t->d->pipeline, t->mbox, &t->session,
					      (guint)t->mbox->batch, &fetched, &err);

		if (ok) {
			healed(&t->failures, what);
			gw_metrics_polled(t->d->metrics, t->mbox->name);
		} else if (g_error_matches(err, GW_IMAP_ERROR, GW_IMAP_ERROR_CANCELLED))
			gw_log_notice("mailbox=%s download interrupted to stop: "
				      "what was not stored stays unflagged on "
				      "the server", t->mbox->name);
		else
			report(t->d, &t->failures, what, err);
		g_clear_error(&err);
		if (g_atomic_int_get(&t->d->stopping))
			return;		/* the loop quits next */
		polled(t->d, t->mbox->name);
		process_and_send(t->d);
		if (!ok || fetched == 0)
			break;
	}
	if (t->failures == 0)
		start_idle(t);
	schedule_poll(t);
}

static gboolean
on_recover(gpointer data)
{
	Daemon *d = data;

	process_and_send(d);
	if (d->failures > 0)
		return G_SOURCE_CONTINUE;
	d->recover = 0;
	return G_SOURCE_REMOVE;
}

static void
poll_failed_soon(Daemon *d)
{
	for (guint i = 0; d->timers != NULL && i < d->timers->len; i++) {
		MailboxTimer *t = d->timers->pdata[i];

		if (t->failures == 0 || t->timer == 0)
			continue;
		g_source_remove(t->timer);
		t->timer = g_idle_add(on_poll, t);
	}
}

static gboolean
on_poll(gpointer data)
{
	MailboxTimer *t = data;

	t->timer = 0;
	poll_now(t);
	return G_SOURCE_REMOVE;
}

static gboolean
on_idle_news(gint fd, GIOCondition cond, gpointer data)
{
	MailboxTimer *t = data;

	(void)fd;
	(void)cond;
	t->idle_watch = 0;
	poll_now(t);
	return G_SOURCE_REMOVE;
}

static void
mailbox_timer_free(gpointer data)
{
	MailboxTimer *t = data;

	g_clear_handle_id(&t->timer, g_source_remove);
	g_clear_handle_id(&t->idle_watch, g_source_remove);
	gw_imap_free(t->session);	/* ends IDLE, logs out */
	g_free(t);
}

static gboolean on_notify(gint fd, GIOCondition cond, gpointer data);

/* A second connection LISTENs, so that an agent's plaint.reply() is
 * sent within a second of its commit, and a message an admin requeued
 * (plaint.requeue) is filed as soon. */
static void
ensure_listener(Daemon *d)
{
	g_autoptr(GError) err = NULL;

	if (d->listener != NULL)
		return;
	d->listener = gw_db_connect(d->config->conninfo, d->config->db_timeout, &err);
	if (d->listener == NULL || !gw_db_listen(d->listener, "plaint_outbox", &err) ||
	    !gw_db_listen(d->listener, "plaint_intake", &err)) {
		gw_log_debug("listen for outbox work: %s", err->message);
		g_clear_pointer(&d->listener, gw_db_free);
		return;
	}
	d->listen_watch = g_unix_fd_add(gw_db_socket(d->listener), G_IO_IN, on_notify, d);
}

static gboolean
on_notify(gint fd, GIOCondition cond, gpointer data)
{
	Daemon *d = data;
	guint count;

	(void)fd;
	(void)cond;
	if (!gw_db_notifications(d->listener, &count)) {
		g_clear_pointer(&d->listener, gw_db_free);	/* again at the next tick */
		d->listen_watch = 0;
		return G_SOURCE_REMOVE;
	}
	if (count > 0)
		process_and_send(d);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_outbox(gpointer data)
{
	Daemon *d = data;

	ensure_listener(d);
	process_and_send(d);
	gw_pipeline_close_idle(d->pipeline, SMTP_IDLE);
	return G_SOURCE_CONTINUE;
}

/* One round of housekeeping, in a thread beside the loop: its checks
 * read every open ticket, which takes a while on a large desk, and the
 * loop meanwhile polls, files and sends.  One at a time (they share a
 * connection); the loop reads the outcome. */
typedef struct {
	Daemon *d;
	gboolean overdue;	/* deadlines and questions; else retention */
	gboolean ok, survey_ok, more;
	GError *error, *survey_error;
} HouseJob;

static void
house_job_free(gpointer data)
{
	HouseJob *j = data;

	g_clear_error(&j->error);
	g_clear_error(&j->survey_error);
	g_free(j);
}

static gboolean on_retention_more(gpointer data);

/* In the loop, once the thread is done. */
static gboolean
house_done(gpointer data)
{
	HouseJob *j = data;
	Daemon *d = j->d;

	g_thread_join(d->house);
	d->house = NULL;
	d->house_job = NULL;
	if (j->overdue) {
		if (j->ok)
			healed(&d->overdue_failures, "overdue check");
		else
			report(d, &d->overdue_failures, "overdue check", j->error);
		if (j->survey_ok)
			healed(&d->survey_failures, "satisfaction");
		else
			report(d, &d->survey_failures, "satisfaction", j->survey_error);
		return G_SOURCE_REMOVE;
	}
	if (j->ok)
		healed(&d->retention_failures, "retention");
	else
		report(d, &d->retention_failures, "retention", j->error);
	/* While rounds come back full, the next follows a second later
	 * rather than an hour. */
	if (j->more && d->retention_more == 0)
		d->retention_more = g_timeout_add_seconds(1, on_retention_more, d);
	return G_SOURCE_REMOVE;
}

static gpointer
house_thread(gpointer data)
{
	HouseJob *j = data;
	GwPipeline *p = j->d->pipeline;
	guint found, asked;

	if (j->overdue) {
		j->ok = gw_pipeline_check_overdue(p, &found, &j->error);
		j->survey_ok = gw_pipeline_ask_satisfaction(p, &asked, &j->survey_error);
	} else {
		j->ok = gw_pipeline_apply_retention(p, &j->more, &j->error);
	}
	g_idle_add_full(G_PRIORITY_DEFAULT, house_done, j, house_job_free);
	return NULL;
}

/* FALSE: a round still runs. */
static gboolean
start_house(Daemon *d, gboolean overdue)
{
	HouseJob *j;

	if (d->house != NULL)
		return FALSE;
	j = g_new0(HouseJob, 1);
	j->d = d;
	j->overdue = overdue;
	d->house_job = j;
	d->house = g_thread_new("plaint-house", house_thread, j);
	return TRUE;
}

/* Waits for a round still running and drops its outcome (stopping). */
static void
stop_house(Daemon *d)
{
	GSource *done;

	if (d->house == NULL)
		return;
	g_thread_join(d->house);
	d->house = NULL;
	done = g_main_context_find_source_by_user_data(NULL, d->house_job);
	if (done != NULL)
		g_source_destroy(done);		/* frees the job */
	d->house_job = NULL;
}

/* Missed deadlines: recorded, notified and escalated in the database;
 * then the satisfaction questions now due.  The mails go out with the
 * outbox's next round (NOTIFY plaint_outbox wakes it).  A check still
 * running lets this one pass: the next comes within a minute. */
static gboolean
on_overdue(gpointer data)
{
	if (!start_house(data, TRUE))
		gw_log_debug("overdue check: the last round still runs");
	return G_SOURCE_CONTINUE;
}

static gboolean
on_overdue_first(gpointer data)
{
	on_overdue(data);
	return G_SOURCE_REMOVE;
}

/* One bounded round; with another round running, a second later. */
static gboolean
on_retention(gpointer data)
{
	Daemon *d = data;

	if (!start_house(d, FALSE) && d->retention_more == 0)
		d->retention_more = g_timeout_add_seconds(1, on_retention_more, d);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_retention_more(gpointer data)
{
	Daemon *d = data;

	d->retention_more = 0;
	on_retention(d);
	return G_SOURCE_REMOVE;
}

static gboolean
on_retention_first(gpointer data)
{
	on_retention(data);
	return G_SOURCE_REMOVE;
}

static gboolean
on_terminate(gpointer data)
{
	Daemon *d = data;

	gw_log_notice("stopping");
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	g_main_loop_quit(d->loop);
	return G_SOURCE_REMOVE;
}

/* In the signal thread: cut a download short, then let the main loop
 * stop once its current unit returns. */
static gboolean
on_stop_signal(gpointer data)
{
	Daemon *d = data;

	if (g_atomic_int_exchange(&d->stopping, TRUE))
		return G_SOURCE_CONTINUE;
	gw_imap_cancel_all();
	g_main_context_invoke(NULL, on_terminate, d);
	return G_SOURCE_CONTINUE;
}

static gpointer
signal_thread(gpointer data)
{
	GMainLoop *loop = data;
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	pthread_sigmask(SIG_UNBLOCK, &stops, NULL);
	g_main_context_push_thread_default(g_main_loop_get_context(loop));
	g_main_loop_run(loop);
	g_main_context_pop_thread_default(g_main_loop_get_context(loop));
	return NULL;
}

/* Every thread but the signal thread blocks SIGTERM and SIGINT (the
 * mask is inherited: call this before any thread starts), so no system
 * call of theirs is cut short by one: a stop is a decision, not an
 * EINTR. */
static void
block_stop_signals(void)
{
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stops, NULL);
}

/* SIGTERM and SIGINT are heard by a thread of their own, so that they
 * reach a download the main loop is blocked in. */
static GThread *
start_signal_thread(Daemon *d)
{
	g_autoptr(GMainContext) ctx = g_main_context_new();
	int sigs[] = { SIGTERM, SIGINT };

	d->signals = g_main_loop_new(ctx, FALSE);
	for (guint i = 0; i < G_N_ELEMENTS(sigs); i++) {
		GSource *src = g_unix_signal_source_new(sigs[i]);

		g_source_set_callback(src, on_stop_signal, d, NULL);
		g_source_attach(src, ctx);
		g_source_unref(src);
	}
	return g_thread_new("signals", signal_thread, d->signals);
}

static void
stop_signal_thread(Daemon *d, GThread *thread)
{
	g_main_loop_quit(d->signals);
	g_thread_join(thread);
	g_clear_pointer(&d->signals, g_main_loop_unref);
}

static gboolean
on_reload(gpointer data)
{
	Daemon *d = data;
	g_autoptr(GPtrArray) names = NULL, texts = NULL;
	g_autoptr(GError) err = NULL;
	GwRules *rules;

	/* MONOTONIC_USEC lets systemd 253+ match it to its own SIGHUP. */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT,
		   g_get_monotonic_time());
	if (!gw_config_read_rules(d->config->rules_dir, &names, &texts, &err) ||
	    (rules = gw_rules_compile(names, texts, d->config->rules_jit, &err)) == NULL) {
		report(d, &(int){ 0 }, "reload refused, the running rules stay", err);
		notify_status(d, "READY=1\n");
		return G_SOURCE_CONTINUE;
	}
	gw_log_notice("reloaded rules=%u version=%s", gw_rules_count(rules),
		      gw_rules_version(rules));
	gw_pipeline_set_rules(d->pipeline, rules);
	notify_status(d, "READY=1\n");
	return G_SOURCE_CONTINUE;
}

static gboolean
on_watchdog(gpointer data)
{
	(void)data;
	sd_notify(0, "WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

/* Feeds systemd's watchdog at half its interval, if it watches us. */
static guint
start_watchdog(void)
{
	guint64 usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	on_watchdog(NULL);
	return g_timeout_add(MAX(usec / 2000, 1), on_watchdog, NULL);
}

static void
daemon_clear(Daemon *d)
{
	stop_house(d);
	gw_db_free(d->listener);
	g_main_loop_unref(d->loop);
	gw_metrics_server_free(d->server);	/* before what it reads */
	gw_pipeline_free(d->pipeline);
	gw_metrics_free(d->metrics);
	g_clear_pointer(&d->last_poll, g_date_time_unref);
	g_clear_pointer(&d->last_error_at, g_date_time_unref);
	g_free(d->last_poll_mailbox);
	g_free(d->last_error);
}

/* The HTTP endpoint of [metrics] listen, if any: FALSE if it cannot
 * listen (logged, and said on the STATUS= line). */
static gboolean
start_metrics(Daemon *d, int *status_out)
{
	g_autoptr(GError) err = NULL;

	if (d->config->metrics.address == NULL)
		return TRUE;
	d->metrics = gw_metrics_new(d->config);
	d->server = gw_metrics_serve(d->metrics, &err);
	if (d->server == NULL) {
		g_autofree char *line = gw_log_clean(err->message, STATUS_ERROR_CHARS);

		gw_log_err("cannot start: %s", err->message);
		sd_notifyf(0, "STATUS=cannot start: %s", line);
		/* A port still held by a stopping process frees itself. */
		*status_out = g_error_matches(err, GW_METRICS_ERROR,
					      GW_METRICS_ERROR_IN_USE)
				      ? EX_TEMPFAIL : EX_CONFIG;
		g_clear_pointer(&d->metrics, gw_metrics_free);
		return FALSE;
	}
	gw_pipeline_set_metrics(d->pipeline, d->metrics);
	return TRUE;
}

int
gw_daemon_run(const GwConfig *config, GwRules *rules)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) timers = g_ptr_array_new_with_free_func(mailbox_timer_free);
	Daemon d = { .config = config, .mailboxes = config->mailboxes->len,
		     .timers = timers, .outbox_depth = -1 };
	guint watchdog;
	GThread *signals;
	int status;

	block_stop_signals();
	d.pipeline = gw_pipeline_new(config, rules, &err);
	if (d.pipeline == NULL) {
		g_autofree char *line = gw_log_clean(err->message, STATUS_ERROR_CHARS);

		gw_log_err("cannot start: %s", err->message);
		sd_notifyf(0, "STATUS=cannot start: %s", line);
		return g_error_matches(err, GW_DB_ERROR, GW_DB_ERROR_SCHEMA)
			       ? EX_CONFIG : EX_TEMPFAIL;
	}
	if (!start_metrics(&d, &status)) {
		gw_pipeline_free(d.pipeline);
		return status;
	}
	signal(SIGPIPE, SIG_IGN);
	d.loop = g_main_loop_new(NULL, FALSE);
	signals = start_signal_thread(&d);
	g_unix_signal_add(SIGHUP, on_reload, &d);
	for (guint i = 0; i < config->mailboxes->len; i++) {
		MailboxTimer *t = g_new0(MailboxTimer, 1);

		t->d = &d;
		t->mbox = config->mailboxes->pdata[i];
		g_ptr_array_add(timers, t);
		t->timer = g_idle_add(on_poll, t);
	}
	g_timeout_add_seconds(OUTBOX_INTERVAL, on_outbox, &d);
	g_idle_add(on_overdue_first, &d);
	g_timeout_add_seconds(OVERDUE_INTERVAL, on_overdue, &d);
	if (config->retention_raw_days > 0) {
		g_idle_add(on_retention_first, &d);
		g_timeout_add_seconds(RETENTION_INTERVAL, on_retention, &d);
	}
	ensure_listener(&d);
	gw_log_notice("started mailboxes=%u rules=%s", config->mailboxes->len,
		      gw_rules_version(rules));
	watchdog = start_watchdog();
	refresh_outbox(&d);
	notify_status(&d, "READY=1\n");
	g_main_loop_run(d.loop);
	stop_signal_thread(&d, signals);
	g_clear_handle_id(&d.recover, g_source_remove);
	g_clear_handle_id(&d.retention_more, g_source_remove);
	if (watchdog != 0)
		g_source_remove(watchdog);
	g_ptr_array_set_size(timers, 0);	/* sessions log out */
	if (d.listen_watch != 0)
		g_source_remove(d.listen_watch);
	daemon_clear(&d);
	gw_log_notice("stopped");
	return EX_OK;
}
