/* pipeline.c - the three transactions: fetch, process, send.
 *
 * Owns the database connection and the rule set in use.  This is where
 * failures are decided and logged, once each.  Must never flag a
 * message on the IMAP server before its raw bytes are committed, never
 * let one bad message stop the others (it is quarantined with its
 * reason), and never hold a transaction open across SMTP. */
#include "gw-pipeline.h"

#include "gw-ack.h"
#include "gw-db.h"
#include "gw-decide.h"
#include "gw-imap.h"
#include "gw-log.h"
#include "gw-mail.h"
#include "gw-metrics.h"
#include "gw-outbox.h"
#include "gw-smtp.h"
#include "gw-status.h"
#include "gw-store.h"
#include "gw-survey.h"
#include "gw-thread.h"
#include "gw-ticket.h"

#define SEND_BATCH	50	/* outbox rows claimed at once */
#define INSERT_BYTES	(8 << 20)	/* fetched bytes stored per statement */
#define INGEST_MAILBOX	"ingest"
#define CONFLICT_RETRIES 8	/* a batch lost to a deadlock is filed again */
#define LOCKS_PER_MESSAGE 5	/* advisory locks filing may hold for one */
#define STATISTICS_EVERY 10	/* a worker's batches between two looks at
				 * the statistics of the tables it fills */

/* A filing worker: a thread of T2 with a connection of its own. */
typedef struct {
	GwPipeline *p;
	GwDb *db;
	const GArray *only;	/* file only these raw ids, or NULL */
	guint batches;		/* fresh batches it filed */
	gboolean ok;
	GError *error;		/* why it stopped, if not ok */
} Worker;

struct GwPipeline {
	const GwConfig *config;
	GwRules *rules;
	GwDb *db;		/* T1, T3 and the rest */
	GwDb *house;		/* housekeeping's own: it may run beside */
	Worker *workers;	/* config->workers of them */
	GwMailLimits limits;
	GwSmtp *smtp;		/* kept open between sends, or NULL */
	gint64 smtp_used;	/* when it last sent, monotonic µs */
	GError *smtp_down;	/* why the last connection failed, or NULL */
	GMutex lock;		/* for logged and fresh, which workers share */
	GHashTable *logged;	/* what was logged once for the rules in use */
	GHashTable *fresh;	/* raw id (gint64*) -> GBytes: mail this
				 * process stored and has not filed yet,
				 * filed from memory rather than read back */
	gsize fresh_bytes;
	GwMetrics *metrics;	/* lent by plaint run, or NULL */
	/* Filing beside a download (gw_pipeline_filing_start): the workers'
	 * threads, and under lock whether more may be stored and how many
	 * batches were, which stored signals. */
	GThread **filers;
	gboolean intake_open;
	guint stored_batches;
	GCond stored;
	/* Beside a download, worker 0 first files what a crash interrupted,
	 * alone; the others wait until retried is set (and file nothing if
	 * that failed, retried_failed). */
	gboolean retried;
	gboolean retried_failed;
};

/* The SLA of the config's [queue] sections, into plaint.queues; what
 * changed is said once, when it changes. */
static gboolean
seed_queues(GwPipeline *p, GError **error)
{
	g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func(g_free);

	if (!gw_ticket_seed_queues(p->db, p->config->queues, p->config->respond_within,
				   changes, error)) {
		g_prefix_error(error, "[queue] sections into plaint.queues: ");
		return FALSE;
	}
	for (guint i = 0; i < changes->len; i++)
		gw_log_notice("%s (from %s)", (char *)changes->pdata[i], p->config->path);
	return TRUE;
}

/* *db as it is if it works, else connected afresh (*fresh_out TRUE):
 * the caller then sets the new session up. */
static gboolean
reconnect(const GwConfig *c, GwDb **db, gboolean *fresh_out, GError **error)
{
	*fresh_out = FALSE;
	if (*db != NULL && gw_db_ok(*db))
		return TRUE;
	g_clear_pointer(db, gw_db_free);
	*db = gw_db_connect(c->conninfo, c->db_timeout, error);
	*fresh_out = TRUE;
	return *db != NULL;
}

/* The connection of the overdue check, the satisfaction questions and
 * retention, which the caller may run in a thread of its own beside
 * the rest (one of them at a time). */
static gboolean
ensure_house(GwPipeline *p, GError **error)
{
	gboolean fresh;

	return reconnect(p->config, &p->house, &fresh, error);
}

static gboolean
ensure_db(GwPipeline *p, GError **error)
{
	gboolean fresh;

	if (!reconnect(p->config, &p->db, &fresh, error))
		return FALSE;
	if (!fresh)
		return TRUE;
	if (!gw_db_check_schema(p->db, error) ||
	    !gw_store_register_worker(p->db, error) ||
	    !gw_ticket_publish_settings(p->db, p->config->ticket_prefix,
					p->config->message_id_domain, error) ||
	    !seed_queues(p, error)) {
		g_clear_pointer(&p->db, gw_db_free);
		return FALSE;
	}
	return TRUE;
}

void
gw_pipeline_mail_limits(const GwConfig *config, GwMailLimits *limits_out)
{
	limits_out->max_message_bytes = config->max_message_bytes;
	limits_out->max_header_bytes = config->max_header_bytes;
	limits_out->max_text_bytes = config->max_text_bytes;
	limits_out->max_headers = config->max_headers;
	limits_out->max_depth = config->max_mime_depth;
	limits_out->max_parts = config->max_parts;
	limits_out->fallback_charsets = (const char *const *)config->fallback_charsets;
}

/* Filing holds up to LOCKS_PER_MESSAGE advisory locks per message until
 * its batch commits (plaint.file_messages: the fingerprint, the
 * Message-ID, the Message-ID it answers, the first of its thread, the
 * sender).  Said once, at start, when the workers could fill half the
 * server's lock table: a batch that finds it full ("out of shared
 * memory") is filed again a message at a time (file_claimed), which is
 * slower. */
static void
check_lock_table(GwPipeline *p)
{
	static const char sql[] =
		"SELECT current_setting('max_locks_per_transaction')::bigint * "
		"  (current_setting('max_connections')::bigint + "
		"   current_setting('max_prepared_transactions')::bigint)";
	const GwConfig *c = p->config;
	gint64 want = (gint64)c->workers * c->filing_batch * LOCKS_PER_MESSAGE;
	g_autoptr(GError) error = NULL;
	g_autoptr(GwDbResult) res = gw_db_exec(p->db, sql, NULL, &error);
	gint64 slots;

	if (res == NULL) {
		gw_log_debug("the server's lock table: %s", error->message);
		return;
	}
	slots = gw_db_result_int(res, 0, 0);
	if (want * 2 > slots)
		gw_log_warning("%s: [mail] workers = %d and filing_batch = %d may hold "
			       "%" G_GINT64_FORMAT " advisory locks at once, more than half "
			       "of the server's lock table (%" G_GINT64_FORMAT ": "
			       "max_locks_per_transaction times max_connections); "
			       "lower filing_batch or raise max_locks_per_transaction",
			       c->path, c->workers, c->filing_batch, want, slots);
}

GwPipeline *
gw_pipeline_new(const GwConfig *config, GwRules *rules, GError **error)
{
	g_autoptr(GwPipeline) p = g_new0(GwPipeline, 1);

	p->config = config;
	p->rules = rules;
	gw_pipeline_mail_limits(config, &p->limits);
	p->logged = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p->fresh = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
					 (GDestroyNotify)g_bytes_unref);
	g_mutex_init(&p->lock);
	g_cond_init(&p->stored);
	p->workers = g_new0(Worker, config->workers);
	for (int i = 0; i < config->workers; i++)
		p->workers[i].p = p;
	if (!ensure_db(p, error))
		return NULL;
	check_lock_table(p);
	return g_steal_pointer(&p);
}

void
gw_pipeline_free(GwPipeline *p)
{
	if (p == NULL)
		return;
	if (p->filers != NULL)
		gw_pipeline_filing_finish(p, NULL);
	gw_rules_free(p->rules);
	gw_smtp_free(p->smtp);
	g_clear_error(&p->smtp_down);
	gw_db_free(p->db);
	gw_db_free(p->house);
	for (int i = 0; i < p->config->workers; i++)
		gw_db_free(p->workers[i].db);
	g_free(p->workers);
	g_hash_table_unref(p->logged);
	g_hash_table_unref(p->fresh);
	g_mutex_clear(&p->lock);
	g_cond_clear(&p->stored);
	g_free(p);
}

void
gw_pipeline_set_metrics(GwPipeline *p, GwMetrics *metrics)
{
	p->metrics = metrics;
}

void
gw_pipeline_set_rules(GwPipeline *p, GwRules *rules)
{
	gw_rules_free(p->rules);
	p->rules = rules;
	g_mutex_lock(&p->lock);
	g_hash_table_remove_all(p->logged);
	g_mutex_unlock(&p->lock);
}

/* ---- T1: fetch ---------------------------------------------------- */

/* One message downloaded, not yet stored. */
typedef struct {
	guint32 uid;
	char *internaldate;
	GBytes *bytes;
} Fetched;

static void
fetched_free(gpointer data)
{
	Fetched *f = data;

	g_free(f->internaldate);
	g_bytes_unref(f->bytes);
	g_free(f);
}

static gboolean
on_fetched(guint32 uid, const char *internaldate, GBytes *bytes, gpointer data,
	   GError **error)
{
	Fetched *f = g_new0(Fetched, 1);

	(void)error;
	f->uid = uid;
	f->internaldate = g_strdup(internaldate);
	f->bytes = g_bytes_ref(bytes);
	g_ptr_array_add(data, f);
	return TRUE;
}

/* Flags uids \Seen on the server and records it. */
static gboolean
flag(GwPipeline *p, GwImap *imap, const GwMailboxConfig *mbox,
     guint32 uidvalidity, GArray *uids, GError **error)
{
	return gw_imap_flag_seen(imap, (guint32 *)(void *)uids->data, uids->len,
				 error) &&
	       gw_store_mark_flagged(p->db, mbox->name, uidvalidity,
				     (guint32 *)(void *)uids->data, uids->len,
				     error);
}

/* Wakes the workers filing beside the download, if any: there is more
 * to claim. */
static void
announce_stored(GwPipeline *p)
{
	g_mutex_lock(&p->lock);
	p->stored_batches++;
	g_cond_broadcast(&p->stored);
	g_mutex_unlock(&p->lock);
}

/* Keeps the bytes of raw row id, just stored, for its filing; beyond
 * twice [mail] batch_bytes they are read back from the database. */
static void
keep_fresh(GwPipeline *p, gint64 id, GBytes *bytes)
{
	gsize size = g_bytes_get_size(bytes);

	g_mutex_lock(&p->lock);
	if (p->fresh_bytes + size <= 2 * (gsize)p->config->batch_bytes) {
		g_hash_table_insert(p->fresh, g_memdup2(&id, sizeof id),
				    g_bytes_ref(bytes));
		p->fresh_bytes += size;
	}
	g_mutex_unlock(&p->lock);
}

/* Takes out of the fresh bytes those of ids: a table of its own. */
static GHashTable *
take_fresh(GwPipeline *p, const GArray *ids)
{
	GHashTable *have = g_hash_table_new_full(g_int64_hash, g_int64_equal,
						 g_free, (GDestroyNotify)g_bytes_unref);

	g_mutex_lock(&p->lock);
	for (guint i = 0; i < ids->len && g_hash_table_size(p->fresh) > 0; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		gpointer key, bytes;

		if (!g_hash_table_steal_extended(p->fresh, &id, &key, &bytes))
			continue;
		p->fresh_bytes -= g_bytes_get_size(bytes);
		g_hash_table_insert(have, key, bytes);
	}
	g_mutex_unlock(&p->lock);
	return have;
}

/* Logs and counts what was stored of items (n of them). */
static void
stored_items(const GwMailboxConfig *mbox, const GwStoreItem *items, guint n,
	     GArray *stored, guint32 *max_uid)
{
	for (guint i = 0; i < n; i++) {
		g_array_append_val(stored, items[i].uid);
		*max_uid = MAX(*max_uid, items[i].uid);
		gw_log_info("raw=%" G_GINT64_FORMAT " mailbox=%s uid=%u size=%"
			    G_GSIZE_FORMAT " stored=%s", items[i].id, mbox->name,
			    items[i].uid, g_bytes_get_size(items[i].bytes),
			    items[i].inserted ? "new" : "already");
	}
}

/* Stores what one FETCH brought, in one transaction: up to
 * INSERT_BYTES of messages per statement, a larger one alone.  The
 * bytes of the new rows are kept for their filing (from before the
 * commit, and taken back if it fails). */
static gboolean
store_batch(GwPipeline *p, const GwMailboxConfig *mbox, guint32 uidvalidity,
	    GPtrArray *got, GArray *stored, GError **error)
{
	g_autofree GwStoreItem *items = g_new0(GwStoreItem, got->len);
	g_autoptr(GArray) kept = g_array_new(FALSE, FALSE, sizeof(gint64));
	guint32 max_uid = 0;
	gboolean ok;

	for (guint i = 0; i < got->len; i++) {
		Fetched *f = got->pdata[i];

		items[i] = (GwStoreItem){ f->uid, f->internaldate, f->bytes, 0, FALSE };
	}
	if (!gw_db_begin(p->db, error))
		return FALSE;
	for (guint i = 0, n; i < got->len; i += n) {
		gsize bytes = g_bytes_get_size(items[i].bytes);
		GwStoreItem *it = &items[i];

		for (n = 1; i + n < got->len; n++) {
			gsize next = g_bytes_get_size(items[i + n].bytes);

			if (bytes + next > INSERT_BYTES)
				break;
			bytes += next;
		}
		if (n == 1 && bytes > INSERT_BYTES)
			ok = gw_store_insert(p->db, mbox->name, uidvalidity, it->uid,
					     it->internaldate, it->bytes, &it->id,
					     &it->inserted, error);
		else
			ok = gw_store_insert_fetched(p->db, mbox->name, uidvalidity,
						     it, n, error);
		if (!ok)
			goto fail;
		stored_items(mbox, it, n, stored, &max_uid);
	}
	/* Kept before the commit: a worker may claim the rows at once. */
	for (guint i = 0; i < got->len; i++)
		if (items[i].inserted) {
			keep_fresh(p, items[i].id, items[i].bytes);
			g_array_append_val(kept, items[i].id);
		}
	if (gw_store_set_cursor(p->db, mbox->name, uidvalidity, max_uid,
				(guint32 *)(void *)stored->data, stored->len, error) &&
	    gw_db_commit(p->db, error)) {
		announce_stored(p);
		return TRUE;
	}
	g_hash_table_unref(take_fresh(p, kept));
fail:
	gw_db_rollback(p->db);
	return FALSE;
}

/* One batch: download the whole of it into memory with no transaction
 * open (a slow link must not hold one), then store it in one
 * transaction, commit, and only then flag it on the server. */
static gboolean
fetch_batch(GwPipeline *p, GwImap *imap, const GwMailboxConfig *mbox,
	    guint32 uidvalidity, const guint32 *uids, guint n, GError **error)
{
	g_autoptr(GArray) stored = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(fetched_free);

	if (!gw_imap_fetch(imap, uids, n, on_fetched, got, error) ||
	    !store_batch(p, mbox, uidvalidity, got, stored, error))
		return FALSE;
	g_clear_pointer(&got, g_ptr_array_unref);
	gw_crash_point("fetched", NULL);
	/* Committed: now, and only now, the server may forget them. */
	return flag(p, imap, mbox, uidvalidity, stored, error);
}

/* The highest UID in use in the selected folder: UIDNEXT - 1 when the
 * server said it, else the last UID a search finds (0: empty). */
static gboolean
top_uid(GwImap *imap, guint32 uidnext, guint32 *top_out, GError **error)
{
	g_autoptr(GArray) all = NULL;

	if (uidnext > 0) {
		*top_out = uidnext - 1;
		return TRUE;
	}
	all = gw_imap_search_from(imap, 1, error);
	if (all == NULL)
		return FALSE;
	*top_out = all->len ? g_array_index(all, guint32, all->len - 1) : 0;
	return TRUE;
}

/* The UIDs to fetch.  Once a mailbox was polled, its cursor alone
 * decides: every UID above it, whatever its flags, so mail a person
 * read first is fetched too.  The first poll follows [mailbox] start,
 * and *cursor_out is where the cursor stands once the UIDs are stored;
 * after a UIDVALIDITY change every message is read again and the
 * copies already filed end as duplicates. */
static GArray *
uids_to_fetch(GwPipeline *p, GwImap *imap, const GwMailboxConfig *mbox,
	      guint32 uidvalidity, guint32 uidnext, guint32 *cursor_out,
	      GError **error)
{
	guint32 old_validity, last_uid;

	*cursor_out = 0;
	if (!gw_store_cursor(p->db, mbox->name, &old_validity, &last_uid, error))
		return NULL;
	if (old_validity == uidvalidity) {
		*cursor_out = last_uid;
		return gw_imap_search_from(imap, last_uid + 1, error);
	}
	if (old_validity != 0) {
		gw_log_notice("mailbox=%s uidvalidity=%u was=%u: UIDs restart, "
			      "every message is read again; copies filed before "
			      "are recorded as duplicates", mbox->name,
			      uidvalidity, old_validity);
		return gw_imap_search_from(imap, 1, error);
	}
	if (g_strcmp0(mbox->start, "all") == 0)
		return gw_imap_search_from(imap, 1, error);
	/* A crash before the last batch commits leaves the cursor at the
	 * last UID stored: the next poll then reads more, never less. */
	if (!top_uid(imap, uidnext, cursor_out, error))
		return NULL;
	gw_log_notice("mailbox=%s first poll: start=%s, cursor at uid %u",
		      mbox->name, mbox->start, *cursor_out);
	if (g_strcmp0(mbox->start, "unseen") == 0)
		return gw_imap_search_unseen(imap, error);
	return g_array_new(FALSE, FALSE, sizeof(guint32));
}

/* Adds to sizes (UID to size) what the server gives for the UIDs
 * todo[from .. to). */
static gboolean
add_sizes(GwImap *imap, const GArray *todo, guint from, guint to,
	  GHashTable *sizes, GError **error)
{
	g_autoptr(GHashTable) got = gw_imap_fetch_sizes(
		imap, &g_array_index(todo, guint32, from), to - from, error);
	GHashTableIter iter;
	gpointer uid, size;

	if (got == NULL)
		return FALSE;
	g_hash_table_iter_init(&iter, got);
	while (g_hash_table_iter_next(&iter, &uid, &size))
		g_hash_table_insert(sizes, uid, size);
	return TRUE;
}

static gboolean
fetch_new(GwPipeline *p, GwImap *imap, const GwMailboxConfig *mbox,
	  guint max_fetch, guint *fetched_out, GError **error)
{
	g_autoptr(GArray) found = NULL, unflagged = NULL;
	g_autoptr(GArray) todo = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autoptr(GHashTable) known = NULL;
	g_autoptr(GHashTable) sizes = g_hash_table_new(NULL, NULL);
	guint32 uidvalidity, uidnext, cursor, last_uid = 0;
	guint asked = 0;	/* todo[0 .. asked) had their sizes asked */

	if (!gw_imap_select(imap, mbox->folder, &uidvalidity, &uidnext, error))
		return FALSE;
	/* Stored before a crash cut the flagging short. */
	unflagged = gw_store_unflagged(p->db, mbox->name, uidvalidity, error);
	if (unflagged == NULL || !flag(p, imap, mbox, uidvalidity, unflagged, error))
		return FALSE;
	found = uids_to_fetch(p, imap, mbox, uidvalidity, uidnext, &cursor, error);
	if (found == NULL)
		return FALSE;
	known = gw_store_known_uids(p->db, mbox->name, uidvalidity,
				    (guint32 *)(void *)found->data, found->len,
				    error);
	if (known == NULL)
		return FALSE;
	/* At most max_fetch this time: the cursor stops before the first
	 * left for the next round.  Not on a first poll that searched for
	 * unseen mail: its cursor is already at the top, and the next round
	 * would read only above it, so every unseen message is taken now. */
	if (found->len > 0 && g_array_index(found, guint32, 0) <= cursor)
		max_fetch = 0;
	for (guint i = 0; i < found->len; i++) {
		guint32 uid = g_array_index(found, guint32, i);

		if (!g_hash_table_contains(known, GUINT_TO_POINTER(uid))) {
			if (max_fetch > 0 && todo->len == max_fetch)
				break;
			g_array_append_val(todo, uid);
		}
		last_uid = MAX(last_uid, uid);
	}
	gw_metrics_pending(p->metrics, mbox->name, todo->len);
	/* Batches of at most batch messages and batch_bytes bytes (a
	 * larger message alone): what one download holds in memory.  The
	 * first is one filing batch, and each next one twice the last, up
	 * to batch: filing starts on the first messages while the rest
	 * download (of 2,000 waiting, the first 50 were stored 0.26 s
	 * after the start, where the first 500 had been at 0.32 s).  The
	 * sizes are asked for each batch's candidates as it comes, each
	 * once: those of 2,000 messages at once took 40 ms before the first
	 * download. */
	for (guint i = 0, cap = MIN((guint)mbox->batch, (guint)p->config->filing_batch);
	     i < todo->len; cap = MIN(cap * 2, (guint)mbox->batch)) {
		guint n = 0, want = MIN(i + cap, todo->len);
		gint64 bytes = 0;

		if (want > asked &&
		    !add_sizes(imap, todo, asked, want, sizes, error))
			return FALSE;
		asked = MAX(asked, want);
		while (i + n < todo->len && n < cap) {
			gint64 size = GPOINTER_TO_UINT(g_hash_table_lookup(
				sizes, GUINT_TO_POINTER(g_array_index(todo, guint32, i + n))));

			if (n > 0 && bytes + size > p->config->batch_bytes)
				break;
			bytes += size;
			n++;
		}
		if (!fetch_batch(p, imap, mbox, uidvalidity,
				 &g_array_index(todo, guint32, i), n, error))
			return FALSE;
		*fetched_out += n;
		i += n;
		gw_metrics_fetched(p->metrics, mbox->name, n);
	}
	return gw_store_set_cursor(p->db, mbox->name, uidvalidity,
				   MAX(cursor, last_uid), NULL, 0, error);
}

gboolean
gw_pipeline_poll_session(GwPipeline *p, const GwMailboxConfig *mbox,
			 GwImap **imap, guint max_fetch, guint *fetched_out,
			 GError **error)
{
	gboolean held, ok;

	if (!ensure_db(p, error))
		return FALSE;
	if (!gw_store_lease_mailbox(p->db, mbox->name, &held, error))
		return FALSE;
	if (!held) {
		gw_log_info("mailbox=%s skipped: another gateway is polling it",
			    mbox->name);
		return TRUE;
	}
	if (*imap == NULL)
		*imap = gw_imap_connect(&mbox->server, error);
	*fetched_out = 0;
	ok = *imap != NULL && fetch_new(p, *imap, mbox, max_fetch, fetched_out, error);
	if (gw_db_ok(p->db))
		gw_store_release_mailbox(p->db, mbox->name, NULL);
	if (!ok) {
		g_clear_pointer(imap, gw_imap_free);
		/* For plaint status; the database may be what failed. */
		if (gw_db_ok(p->db) &&
		    !g_error_matches(*error, GW_IMAP_ERROR, GW_IMAP_ERROR_CANCELLED))
			gw_status_record_failure(p->db, mbox->name, (*error)->message,
						 NULL);
		g_prefix_error(error, "mailbox %s: ", mbox->name);
	}
	return ok;
}

gboolean
gw_pipeline_poll(GwPipeline *p, const GwMailboxConfig *mbox, GError **error)
{
	g_autoptr(GwImap) imap = NULL;
	guint fetched;

	return gw_pipeline_poll_session(p, mbox, &imap, 0, &fetched, error);
}

/* ---- T2: process -------------------------------------------------- */

static const char *
queue_of(GwPipeline *p, const char *mailbox)
{
	const GwMailboxConfig *mbox = gw_config_mailbox(p->config, mailbox);

	return mbox ? mbox->queue : "general";
}

/* TRUE the first time key (taken over) is seen with the rules in use:
 * what is logged once.  Workers share it. */
static gboolean
first_time(GwPipeline *p, char *key)
{
	gboolean first;

	g_mutex_lock(&p->lock);
	first = g_hash_table_add(p->logged, key);
	g_mutex_unlock(&p->lock);
	return first;
}

/* The template a rule, the queue or [ack] chose, or NULL (built in). */
static const GwTemplateConfig *
template_for(GwPipeline *p, const GwVerdict *verdict, const GwQueueConfig *qc)
{
	const char *name = verdict->template;
	const GwTemplateConfig *t;

	if (name == NULL && qc != NULL)
		name = qc->template;
	if (name == NULL)
		name = p->config->ack_template;
	if (name == NULL)
		return NULL;
	t = gw_config_template(p->config, name);
	if (t == NULL && first_time(p, g_strconcat("template:", name, NULL)))
		gw_log_warning("template=%s chosen by a rule has no [template %s] "
			       "section: the built-in one is used", name, name);
	return t;
}

/* A claimed row on its way to a ticket. */
typedef struct {
	GwRaw *raw;
	GwMail *mail;		/* NULL: not mail, quarantined */
	GError *not_mail;	/* why */
	GwDecision decision;
	GwThreadKeys keys;
	GwFiled filed;
	char *ack_subject, *ack_body, *ack_html, *ack_id, *ack_due;
	char *ack_team;		/* the queue's team, from the database */
} Item;

static void
item_clear(Item *it)
{
	g_clear_pointer(&it->mail, gw_mail_free);
	g_clear_error(&it->not_mail);
	if (it->decision.verdict.matched != NULL)
		gw_decision_clear(&it->decision);
	if (it->keys.refs != NULL)
		gw_thread_keys_clear(&it->keys);
	gw_filed_clear(&it->filed);
	g_clear_pointer(&it->ack_subject, g_free);
	g_clear_pointer(&it->ack_body, g_free);
	g_clear_pointer(&it->ack_html, g_free);
	g_clear_pointer(&it->ack_id, g_free);
	g_clear_pointer(&it->ack_due, g_free);
	g_clear_pointer(&it->ack_team, g_free);
}

/* The acknowledgement of the ticket it opened, rendered into it; its
 * {due} and {team} are it->ack_due and it->ack_team, from the database
 * ({team} is else the name of plaint's From). */
static void
render_ack(GwPipeline *p, Item *it, GwAckRequest *ack_out)
{
	const GwVerdict *verdict = &it->decision.verdict;
	const char *queue = it->decision.queue;
	const GwQueueConfig *qc = gw_config_queue(p->config, queue);
	const GwTemplateConfig *t = template_for(p, verdict, qc);
	const char *irt = gw_mail_message_id(it->mail);
	const GwMailAddress *customer = gw_ticket_customer(it->mail,
							   p->config->customer_reply_to);
	const char *team = it->ack_team != NULL ? it->ack_team
						: p->config->smtp_from_name;
	GwAckValues values;

	values = (GwAckValues){ it->filed.ticket_number, gw_mail_subject(it->mail),
				*customer->name ? customer->name : customer->address,
				queue, it->ack_due, team };
	gw_ack_render(t ? t->subject : NULL, t ? t->body : NULL, &values,
		      &it->ack_subject, &it->ack_body);
	if (t != NULL && t->html != NULL)
		it->ack_html = gw_ack_render_html(t->html, &values);
	it->ack_id = gw_ack_new_message_id(p->config->message_id_domain);
	*ack_out = (GwAckRequest){
		it->filed.ticket_id, it->filed.message_row, customer->address,
		it->ack_subject, it->ack_body, it->ack_id, *irt ? irt : NULL,
		gw_mail_references(it->mail), it->ack_html,
	};
}

/* A pattern over its limit is logged once per rule and rule set; the
 * routing table counts every hit. */
static void
note_limit_hits(GwPipeline *p, const GwVerdict *verdict)
{
	for (guint i = 0; i < verdict->limit_hits->len; i++) {
		const char *rule = verdict->limit_hits->pdata[i];

		if (first_time(p, g_strdup(rule)))
			gw_log_warning("rule=%s rules=%s: a pattern hit its match "
				       "limit and counts as no match (logged once; "
				       "see plaint.rule_limit_hits)",
				       rule, gw_rules_version(p->rules));
	}
}

/* What decides for mail that came in by mailbox. */
static void
decide_input(GwPipeline *p, const char *mailbox, GwDecideInput *in_out)
{
	*in_out = (GwDecideInput){
		p->rules, mailbox, queue_of(p, mailbox),
		p->config->unlinked_bounce_queue, p->config->smtp_from_addr,
		p->config->trusted_authserv_id,
		(const char *const *)p->config->skip_when,
	};
}

/* What filing needs of the config; a queue's own SLA is the
 * database's (gw_ticket_seed_queues put it there). */
static void
ticket_settings(GwPipeline *p, GwTicketSettings *s_out)
{
	*s_out = (GwTicketSettings){
		p->config->ticket_prefix, p->config->ack_within,
		p->config->respond_within,
		gw_rules_version(p->rules), p->config->customer_reply_to,
		p->config->tag_from_strangers, p->config->ack_rate_limit,
		p->config->ack_rate_window, p->config->domain_rate_limit,
		p->config->domain_rate_window,
		(const char *const *)p->config->domain_rate_exempt,
		p->config->similar_rate_limit, p->config->low_score_queue,
		p->config->repeat_tickets, p->config->repeat_days,
	};
}

static char *
log_line(const Item *it, gboolean ack)
{
	const GwRaw *raw = it->raw;
	const GwFiled *filed = &it->filed;
	g_autofree char *from = NULL, *rules = NULL, *note = NULL;
	GPtrArray *matched = it->decision.verdict.matched;

	if (it->mail == NULL)
		return g_strdup_printf("raw=%" G_GINT64_FORMAT " action=quarantined "
				       "reason=\"%s\"", raw->id, it->not_mail->message);
	from = gw_log_clean(gw_mail_from_addr(it->mail), 80);
	note = gw_log_clean(filed->note, 200);
	g_ptr_array_add(matched, NULL);
	rules = g_strjoinv(",", (char **)matched->pdata);
	g_ptr_array_remove_index(matched, matched->len - 1);
	return g_strdup_printf(
		"raw=%" G_GINT64_FORMAT " mailbox=%s action=%s ticket=%s from=%s "
		"rules=%s ack=%s%s%s%s", raw->id, raw->mailbox,
		gw_ticket_action_name(filed->action),
		filed->ticket_number ? filed->ticket_number : "-",
		*from ? from : "<>", *rules ? rules : "-",
		ack ? "queued" : filed->ack_suppressed ? filed->ack_suppressed : "none",
		filed->note ? " note=\"" : "", filed->note ? note : "",
		filed->note ? "\"" : "");
}

/* Parses and decides one row: a fact to file, or a quarantine. */
static gboolean
prepare(Worker *w, Item *it, GwTicketFacts *facts_out, GError **error)
{
	GwPipeline *p = w->p;
	GwDecideInput in;

	gw_crash_point("parse", it->raw->bytes);
	it->mail = gw_mail_parse(it->raw->bytes, &p->limits, &it->not_mail);
	if (it->mail == NULL)
		return gw_store_quarantine(w->db, it->raw->id, it->not_mail->message,
					   error);
	decide_input(p, it->raw->mailbox, &in);
	gw_decide(&in, it->mail, FALSE, &it->decision);
	gw_thread_keys(it->mail, p->config->ticket_prefix, &it->keys);
	facts_out->raw_id = it->raw->id;
	facts_out->internaldate = it->raw->internaldate;
	facts_out->mail = it->mail;
	facts_out->decision = &it->decision;
	facts_out->keys = &it->keys;
	ticket_settings(p, &facts_out->settings);
	note_limit_hits(p, &it->decision.verdict);
	return TRUE;
}

/* Fills the {due} and {team} of the items to acknowledge (of todo)
 * from the database, in one round trip. */
static gboolean
fill_due(Worker *w, Item *items, GArray *todo, GError **error)
{
	guint n = todo->len;
	g_autofree const char **numbers = g_new0(const char *, n + 1);
	g_autofree double *due = g_new0(double, n);
	g_autofree char **tz = g_new0(char *, n + 1);
	g_autofree char **team = g_new0(char *, n + 1);
	gboolean ok;

	for (guint k = 0; k < n; k++)
		numbers[k] = items[g_array_index(todo, guint, k)].filed.ticket_number;
	ok = gw_ticket_response_due(w->db, numbers, n, due, tz, team, error);
	for (guint k = 0; ok && k < n; k++) {
		Item *it = &items[g_array_index(todo, guint, k)];

		it->ack_due = gw_ack_format_due(due[k], tz[k]);
		it->ack_team = g_steal_pointer(&team[k]);
	}
	for (guint k = 0; k < n; k++) {
		g_free(tz[k]);
		g_free(team[k]);
	}
	return ok;
}

/* After filing: attachments, and the acknowledgements of new tickets. */
static gboolean
finish_items(Worker *w, Item *items, guint n, GError **error)
{
	g_autoptr(GArray) acks = g_array_new(FALSE, FALSE, sizeof(GwAckRequest));
	g_autoptr(GArray) todo = g_array_new(FALSE, FALSE, sizeof(guint));
	guint queued;

	for (guint i = 0; i < n; i++) {
		Item *it = &items[i];
		GwTicketAction a = it->filed.action;

		if (it->mail == NULL)
			continue;
		if ((a == GW_TICKET_OPENED || a == GW_TICKET_THREADED) &&
		    !gw_ticket_record_attachments(w->db, it->filed.message_row,
						  it->mail, error))
			return FALSE;
		if (a == GW_TICKET_OPENED && it->filed.ack_suppressed == NULL)
			g_array_append_val(todo, i);
	}
	if (todo->len > 0 && !fill_due(w, items, todo, error))
		return FALSE;
	for (guint k = 0; k < todo->len; k++) {
		GwAckRequest ack;

		render_ack(w->p, &items[g_array_index(todo, guint, k)], &ack);
		g_array_append_val(acks, ack);
	}
	return gw_outbox_enqueue_acks(w->db, (GwAckRequest *)(void *)acks->data,
				      acks->len, &queued, error);
}

static void
log_poisoned(const Worker *w, GArray *poisoned)
{
	for (guint i = 0; i < poisoned->len; i++)
		gw_log_warning("raw=%" G_GINT64_FORMAT " action=quarantined "
			       "reason=\"crashed %d times while processing\"",
			       g_array_index(poisoned, gint64, i),
			       w->p->config->max_attempts);
	g_array_set_size(poisoned, 0);
}

/* The claim limits of w's config: fresh rows, or (retried) one that a
 * crash interrupted. */
static GwClaimLimits
claim_limits(const Worker *w, gboolean retried)
{
	const GwConfig *c = w->p->config;

	return (GwClaimLimits){ c->filing_batch, c->batch_bytes, c->max_attempts,
				retried };
}

/* Files rows (locked, in the open transaction) and commits.  With next,
 * the worker's next fresh rows are claimed in the same transaction, so
 * that one commit holds both.  FALSE: nothing was committed, and next
 * is empty. */
static gboolean
file_rows(Worker *w, GPtrArray *rows, GArray *next, GError **error)
{
	GwClaimLimits limits = claim_limits(w, FALSE);
	g_autoptr(GArray) poisoned = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autofree Item *items = g_new0(Item, rows->len);
	g_autoptr(GArray) facts = g_array_new(FALSE, TRUE, sizeof(GwTicketFacts));
	g_autofree GwFiled *filed = NULL;
	gboolean ok = TRUE;

	for (guint i = 0; ok && i < rows->len; i++) {
		GwTicketFacts f;

		items[i].raw = rows->pdata[i];
		ok = prepare(w, &items[i], &f, error);
		if (ok && items[i].mail != NULL)
			g_array_append_val(facts, f);
	}
	filed = g_new0(GwFiled, facts->len);
	ok = ok && (facts->len == 0 ||
		    gw_ticket_file(w->db, (GwTicketFacts *)(void *)facts->data,
				   facts->len, filed, error));
	for (guint i = 0, f = 0; ok && i < rows->len; i++) {
		if (items[i].mail != NULL)
			items[i].filed = filed[f++];
		gw_crash_point("filed", items[i].raw->bytes);
	}
	ok = ok && finish_items(w, items, rows->len, error) &&
	     (next == NULL || gw_store_claim_within(w->db, &limits, w->only, next,
						     poisoned, error)) &&
	     gw_db_commit(w->db, error);
	if (ok)
		log_poisoned(w, poisoned);
	else if (next != NULL)
		g_array_set_size(next, 0);
	for (guint i = 0; i < rows->len; i++) {
		Item *it = &items[i];
		gboolean ack = it->ack_id != NULL;

		if (ok) {
			g_autofree char *line = log_line(it, ack);

			if (it->mail == NULL)
				gw_log_warning("%s", line);
			else
				gw_log_info("%s", line);
			if (it->mail != NULL)
				gw_metrics_filed(w->p->metrics, it->raw->mailbox, &it->filed,
						 it->decision.queue,
						 it->decision.verdict.matched);
		}
		item_clear(it);
	}
	return ok;
}

/* Files the claimed rows of ids in one transaction (with next, the
 * next rows are claimed in it: see file_rows); if that fails for the
 * data's sake, or the server has no room for so many at once, each
 * alone, so that only the guilty one is quarantined, with the
 * database's own words as the reason. */
static gboolean
file_claimed(Worker *w, const GArray *ids, int attempt, GArray *next,
	     GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_raw_free);
	g_autoptr(GError) local = NULL;
	g_autoptr(GHashTable) have = take_fresh(w->p, ids);

	if (!gw_db_begin(w->db, error))
		return FALSE;
	if (!gw_store_lock_claimed(w->db, ids, have, rows, error)) {
		gw_db_rollback(w->db);
		return FALSE;
	}
	if (file_rows(w, rows, next, &local))
		return TRUE;
	gw_db_rollback(w->db);
	if (gw_db_error_is_conflict(local) && attempt < CONFLICT_RETRIES) {
		/* Two workers locked two tickets in turn: one of them was
		 * chosen to roll back; it files the same rows again. */
		gw_log_debug("raw=%" G_GINT64_FORMAT "...: %s; filing again",
			     g_array_index(ids, gint64, 0), local->message);
		g_usleep(g_random_int_range(5000, 50000) * (attempt + 1));
		g_ptr_array_set_size(rows, 0);
		return file_claimed(w, ids, attempt + 1, next, error);
	}
	/* A batch too large for the server's lock table is filed a
	 * message at a time, as one with a bad message is; a message alone
	 * that does not fit waits, as for any other outage. */
	if (ids->len > 1 && gw_db_error_is_out_of_memory(local)) {
		gw_log_warning("raw=%" G_GINT64_FORMAT "...: %u messages at once: %s; "
			       "filing them one at a time",
			       g_array_index(ids, gint64, 0), ids->len, local->message);
	} else if (g_error_matches(local, GW_DB_ERROR, GW_DB_ERROR_TRANSIENT)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	g_ptr_array_set_size(rows, 0);	/* free the bytes before retrying */
	if (ids->len > 1) {
		for (guint i = 0; i < ids->len; i++) {
			g_autoptr(GArray) one = g_array_new(FALSE, FALSE, sizeof(gint64));

			g_array_append_val(one, g_array_index(ids, gint64, i));
			if (!file_claimed(w, one, 0, NULL, error))
				return FALSE;
		}
		return TRUE;
	}
	gw_log_warning("raw=%" G_GINT64_FORMAT " action=quarantined reason=\"%s\"",
		       g_array_index(ids, gint64, 0), local->message);
	if (!gw_db_begin(w->db, error))
		return FALSE;
	if (!gw_store_quarantine(w->db, g_array_index(ids, gint64, 0),
				 local->message, error) ||
	    !gw_db_commit(w->db, error)) {
		gw_db_rollback(w->db);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ensure_worker(Worker *w, GError **error)
{
	gboolean fresh;

	if (!reconnect(w->p->config, &w->db, &fresh, error))
		return FALSE;
	if (fresh && !gw_store_register_worker(w->db, error)) {
		g_clear_pointer(&w->db, gw_db_free);
		return FALSE;
	}
	return TRUE;
}

/* With nothing left to claim: while a download beside goes on, waits
 * until it stores more than the seen batches (TRUE: claim again); FALSE
 * once it ended.  The wait is bounded, so that a lost wake-up costs a
 * second, not the rows. */
static gboolean
wait_for_more(GwPipeline *p, guint seen)
{
	gboolean more;

	g_mutex_lock(&p->lock);
	if (p->intake_open && p->stored_batches == seen)
		g_cond_wait_until(&p->stored, &p->lock,
				  g_get_monotonic_time() + G_TIME_SPAN_SECOND);
	more = p->intake_open || p->stored_batches != seen;
	g_mutex_unlock(&p->lock);
	return more;
}

/* Between batches: the tables filing writes to are analyzed again if
 * they grew far past their statistics (a backlog into a new database),
 * so that no session goes on with plans made while they were small.
 * Only said, if it fails: filing goes on as it was. */
static void
refresh_statistics(Worker *w)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *analyzed = NULL;

	if (!gw_ticket_refresh_statistics(w->db, &analyzed, &local))
		gw_log_warning("statistics not refreshed: %s", local->message);
	else if (analyzed != NULL)
		gw_log_info("statistics refreshed: %s", analyzed);
}

/* Claims and files until nothing is left (of w->only, if set): rows a
 * crash interrupted when retried, fresh rows otherwise; beside a
 * download, until it ended and nothing is left.  Fresh rows of any
 * mailbox are claimed ahead: the transaction that files a batch claims
 * the next (a crash while filing those still counts an attempt on each,
 * as it was committed before). */
static gboolean
work(Worker *w, gboolean retried, GError **error)
{
	GwClaimLimits limits = claim_limits(w, retried);
	gboolean ahead = !retried && w->only == NULL;
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) next = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) poisoned = g_array_new(FALSE, FALSE, sizeof(gint64));

	if (!ensure_worker(w, error))
		return FALSE;
	for (;;) {
		GArray *swap;
		gboolean found;
		guint seen;

		g_mutex_lock(&w->p->lock);
		seen = w->p->stored_batches;
		g_mutex_unlock(&w->p->lock);
		if (ids->len == 0 &&
		    !gw_store_claim(w->db, &limits, w->only, ids, poisoned, error))
			return FALSE;
		found = ids->len > 0 || poisoned->len > 0;
		log_poisoned(w, poisoned);
		if (ids->len > 0) {
			if (!file_claimed(w, ids, 0, ahead ? next : NULL, error))
				return FALSE;
			if (!retried && ++w->batches % STATISTICS_EVERY == 0)
				refresh_statistics(w);
		}
		swap = ids;
		ids = next;
		next = swap;
		g_array_set_size(next, 0);
		if (!found && (retried || !wait_for_more(w->p, seen)))
			return TRUE;
	}
}

static gpointer
worker_thread(gpointer data)
{
	Worker *w = data;

	w->ok = work(w, FALSE, &w->error);
	return NULL;
}

/* Beside a download: worker 0 files what a crash interrupted, alone,
 * while the others wait; then all file what is stored. */
static gpointer
intake_worker_thread(gpointer data)
{
	Worker *w = data;
	GwPipeline *p = w->p;
	gboolean retried_ok;

	if (w == &p->workers[0]) {
		w->ok = retried_ok = work(w, TRUE, &w->error);
		g_mutex_lock(&p->lock);
		p->retried = TRUE;
		p->retried_failed = !retried_ok;
		g_cond_broadcast(&p->stored);
		g_mutex_unlock(&p->lock);
	} else {
		g_mutex_lock(&p->lock);
		while (!p->retried)
			g_cond_wait(&p->stored, &p->lock);
		retried_ok = !p->retried_failed;
		g_mutex_unlock(&p->lock);
		w->ok = TRUE;	/* the failure is worker 0's to report */
	}
	if (retried_ok)
		w->ok = work(w, FALSE, &w->error);
	return NULL;
}

/* Starts the workers side by side, each on its own connection (one
 * alone, in this thread, when only is set or config has one).  What a
 * crash interrupted is filed first, by one worker alone, one message at
 * a time: if one of them kills the process again, only it is blamed.
 * Beside a download (intake), that is done in worker 0's thread, so
 * that the download need not wait for it. */
static gboolean
start_workers(GwPipeline *p, const GArray *only, gboolean intake, GError **error)
{
	int n = only != NULL ? 1 : p->config->workers;

	for (int i = 0; i < n; i++) {
		p->workers[i].only = only;
		p->workers[i].ok = FALSE;
		g_clear_error(&p->workers[i].error);
	}
	p->filers = g_new0(GThread *, n + 1);
	if (intake) {
		g_mutex_lock(&p->lock);
		p->intake_open = TRUE;
		p->retried = FALSE;
		p->retried_failed = FALSE;
		g_mutex_unlock(&p->lock);
		for (int i = 0; i < n; i++)
			p->filers[i] = g_thread_new("plaint-file", intake_worker_thread,
						    &p->workers[i]);
		return TRUE;
	}
	if (!work(&p->workers[0], TRUE, error)) {
		g_clear_pointer(&p->filers, g_free);
		return FALSE;
	}
	for (int i = 0; i < n; i++) {
		if (n == 1)
			worker_thread(&p->workers[i]);
		else
			p->filers[i] = g_thread_new("plaint-file", worker_thread,
						    &p->workers[i]);
	}
	return TRUE;
}

/* Ends the intake, waits for the workers to file what is left and
 * returns the first failure. */
static gboolean
finish_workers(GwPipeline *p, GError **error)
{
	int n = p->workers[0].only != NULL ? 1 : p->config->workers;
	gboolean ok = TRUE;

	g_mutex_lock(&p->lock);
	p->intake_open = FALSE;
	g_cond_broadcast(&p->stored);
	g_mutex_unlock(&p->lock);
	for (int i = 0; i < n; i++) {
		Worker *w = &p->workers[i];

		if (p->filers[i] != NULL)
			g_thread_join(p->filers[i]);
		if (!w->ok && ok) {
			ok = FALSE;
			g_propagate_error(error, g_steal_pointer(&w->error));
		}
		g_clear_error(&w->error);
		w->only = NULL;
	}
	g_clear_pointer(&p->filers, g_free);
	return ok;
}

/* Runs the workers until nothing is left to file; the first failure is
 * returned. */
static gboolean
run_workers(GwPipeline *p, const GArray *only, GError **error)
{
	return start_workers(p, only, FALSE, error) && finish_workers(p, error);
}

gboolean
gw_pipeline_filing_start(GwPipeline *p, GError **error)
{
	g_return_val_if_fail(p->filers == NULL, FALSE);
	return ensure_db(p, error) && start_workers(p, NULL, TRUE, error);
}

gboolean
gw_pipeline_filing_finish(GwPipeline *p, GError **error)
{
	if (p->filers == NULL)
		return TRUE;
	return finish_workers(p, error);
}

gboolean
gw_pipeline_process(GwPipeline *p, GError **error)
{
	return ensure_db(p, error) && run_workers(p, NULL, error);
}

gboolean
gw_pipeline_ingest(GwPipeline *p, const char *mailbox, GBytes *raw,
		   GError **error)
{
	g_autoptr(GArray) only = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 id;
	gboolean inserted;

	if (!ensure_db(p, error))
		return FALSE;
	if (mailbox == NULL)
		mailbox = INGEST_MAILBOX;
	if (!gw_store_insert(p->db, mailbox, 0, 0, NULL, raw, &id, &inserted, error))
		return FALSE;
	gw_log_info("raw=%" G_GINT64_FORMAT " mailbox=%s size=%" G_GSIZE_FORMAT
		    " stored=%s", id, mailbox, g_bytes_get_size(raw),
		    inserted ? "new" : "already");
	g_array_append_val(only, id);
	keep_fresh(p, id, raw);
	return run_workers(p, only, error);
}

gboolean
gw_pipeline_requeue(GwPipeline *p, gboolean all, const char *reason,
		    const GArray *ids, GPtrArray **outcomes_out, GError **error)
{
	g_autoptr(GArray) requeued = NULL;

	*outcomes_out = NULL;
	if (!ensure_db(p, error))
		return FALSE;
	requeued = gw_store_requeue(p->db, all, reason, ids, error);
	if (requeued == NULL)
		return FALSE;
	for (guint i = 0; i < requeued->len; i++)
		gw_log_notice("raw=%" G_GINT64_FORMAT " requeued",
			      g_array_index(requeued, gint64, i));
	if (!gw_pipeline_process(p, error))
		return FALSE;
	*outcomes_out = gw_store_outcomes(p->db, requeued, error);
	return *outcomes_out != NULL;
}

/* ---- deadlines and retention -------------------------------------- */

#define RETENTION_BATCH 1000	/* raw rows and blobs per round */

gboolean
gw_pipeline_check_overdue(GwPipeline *p, guint *found_out, GError **error)
{
	g_autoptr(GPtrArray) breaches = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_breach_free);

	*found_out = 0;
	if (!ensure_house(p, error) || !gw_ticket_check_overdue(p->house, breaches, error))
		return FALSE;
	for (guint i = 0; i < breaches->len; i++) {
		const GwBreach *b = breaches->pdata[i];

		if (b->outbox_id != 0)
			gw_log_warning("ticket=%s overdue=%s due=\"%s\" escalation=outbox %"
				       G_GINT64_FORMAT, b->ticket, b->kind, b->due_at,
				       b->outbox_id);
		else
			gw_log_warning("ticket=%s overdue=%s due=\"%s\" escalation=none",
				       b->ticket, b->kind, b->due_at);
	}
	*found_out = breaches->len;
	return TRUE;
}

gboolean
gw_pipeline_ask_satisfaction(GwPipeline *p, guint *asked_out, GError **error)
{
	const GwConfig *c = p->config;
	const GwTemplateConfig *t = c->satisfaction_template
		? gw_config_template(c, c->satisfaction_template) : NULL;
	g_autoptr(GPtrArray) asked = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_survey_asked_free);
	GwSurveySettings s = {
		c->satisfaction_ask_after, c->satisfaction_quiet_days,
		t ? t->subject : NULL, t ? t->body : NULL, t ? t->html : NULL,
		c->message_id_domain, c->smtp_from_name,
	};

	*asked_out = 0;
	if (!c->satisfaction_enabled)
		return TRUE;
	if (!ensure_house(p, error) || !gw_survey_ask(p->house, &s, asked, error))
		return FALSE;
	for (guint i = 0; i < asked->len; i++) {
		const GwSurveyAsked *a = asked->pdata[i];
		g_autofree char *to = gw_log_clean(a->recipient, 80);

		gw_log_info("ticket=%s satisfaction=asked outbox=%" G_GINT64_FORMAT
			    " to=%s", a->ticket, a->outbox_id, to);
	}
	*asked_out = asked->len;
	return TRUE;
}

gboolean
gw_pipeline_apply_retention(GwPipeline *p, gboolean *more_out, GError **error)
{
	GwRetention done;

	*more_out = FALSE;
	if (p->config->retention_raw_days == 0)
		return TRUE;
	if (!ensure_house(p, error) ||
	    !gw_store_apply_retention(p->house, p->config->retention_raw_days,
				      RETENTION_BATCH, &done, error))
		return FALSE;
	if (done.raw > 0 || done.blobs > 0)
		gw_log_notice("retention raw_days=%d removed raw=%" G_GINT64_FORMAT
			      " blobs=%" G_GINT64_FORMAT " bytes=%" G_GINT64_FORMAT,
			      p->config->retention_raw_days, done.raw, done.blobs,
			      done.bytes);
	*more_out = done.raw == RETENTION_BATCH || done.blobs == RETENTION_BATCH;
	return TRUE;
}

/* ---- T3: send ----------------------------------------------------- */

/* Records that the rows of ids (gint64) failed for send_error: given
 * up if it was permanent, else retried later. */
static void
record_failures(GwPipeline *p, const GArray *ids, const GError *send_error)
{
	g_autoptr(GError) err = NULL;
	gboolean ok = TRUE;

	if (g_error_matches(send_error, GW_SMTP_ERROR, GW_SMTP_ERROR_PERMANENT) ||
	    g_error_matches(send_error, GW_OUTBOX_ERROR, GW_OUTBOX_ERROR_FILE_GONE)) {
		for (guint i = 0; ok && i < ids->len; i++)
			ok = gw_outbox_mark_failed(p->db, g_array_index(ids, gint64, i),
						   send_error->message, &err);
	} else {
		ok = gw_outbox_mark_retry(p->db, ids, send_error->message, &err);
	}
	if (!ok) {	/* claimed by this session: free again when it ends */
		g_autofree char *list = gw_db_id_array(ids);

		gw_log_err("outbox=%s outcome not recorded: %s", list, err->message);
	}
}

static void
record_failure(GwPipeline *p, const GwOutboxRow *row, const GError *send_error)
{
	g_autoptr(GArray) one = g_array_new(FALSE, FALSE, sizeof(gint64));

	g_array_append_val(one, row->id);
	record_failures(p, one, send_error);
}

/* The Cc of a row as it goes out: each address once, never the
 * recipient nor plaint's own (lent from row, NULL-terminated). */
static GPtrArray *
row_cc(GwPipeline *p, const GwOutboxRow *row)
{
	GPtrArray *cc = g_ptr_array_new();

	for (guint i = 0; row->cc != NULL && row->cc[i] != NULL; i++) {
		const char *a = row->cc[i];
		gboolean seen = g_ascii_strcasecmp(a, row->recipient) == 0 ||
				g_ascii_strcasecmp(a, p->config->smtp_from_addr) == 0;

		for (guint j = 0; !seen && j < cc->len; j++)
			seen = g_ascii_strcasecmp(a, cc->pdata[j]) == 0;
		if (!seen && *a != '\0')
			g_ptr_array_add(cc, (gpointer)a);
	}
	g_ptr_array_add(cc, NULL);
	return cc;
}

/* Mail plaint writes of itself, not a person: it carries
 * Auto-Submitted, so that a customer's own robot does not answer it.
 * An acknowledgement replies to the customer's mail; the satisfaction
 * question is plaint's own (RFC 3834, 5). */
static const char *
automatic(const GwOutboxRow *row)
{
	if (g_strcmp0(row->kind, "ack") == 0)
		return "auto-replied";
	if (g_strcmp0(row->kind, "survey") == 0)
		return "auto-generated";
	return NULL;
}

/* The row as a message: its files read from the database. */
static GBytes *
compose_row(GwPipeline *p, const GwOutboxRow *row, const char *const *cc,
	    GError **error)
{
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_outbox_file_free);
	g_autofree GwLetterFile *letter_files = NULL;
	GwLetter letter = {
		p->config->smtp_from, row->recipient, row->subject, row->body,
		row->message_id, row->in_reply_to,
		(const char *const *)row->references, automatic(row),
		p->config->smtp_from_addr, cc, row->body_html, NULL, 0,
		row->from_name,
	};

	if (row->n_files > 0 && !gw_outbox_files(p->db, row->id, files, error))
		return NULL;
	letter_files = g_new0(GwLetterFile, files->len + 1);
	for (guint i = 0; i < files->len; i++) {
		const GwOutboxFile *f = files->pdata[i];

		letter_files[i] = (GwLetterFile){ f->filename, f->content_type, f->content };
	}
	letter.files = letter_files;
	letter.n_files = files->len;
	return gw_ack_compose(&letter);
}

/* Says that row went out, and returns the reply to record (taking
 * reply over): with the Cc addresses the server refused, which stay out
 * of the log. */
static char *
sent_reply(const GwOutboxRow *row, guint n_cc, char *reply, GPtrArray *refused)
{
	g_autofree char *rcpt = gw_log_clean(row->recipient, 80);
	g_autofree char *list = NULL;

	gw_log_info("outbox=%" G_GINT64_FORMAT " kind=%s to=%s cc=%u files=%d "
		    "sent reply=\"%s\"", row->id, row->kind, rcpt, n_cc,
		    row->n_files, reply);
	if (refused->len == 0)
		return reply;
	gw_log_warning("outbox=%" G_GINT64_FORMAT " %u of %u Cc addresses "
		       "refused by the server and left out (see "
		       "plaint.outbox.smtp_reply)", row->id, refused->len, n_cc);
	g_ptr_array_add(refused, NULL);
	list = g_strjoinv("; ", (char **)refused->pdata);
	g_ptr_array_remove_index(refused, refused->len - 1);
	{
		char *recorded = g_strdup_printf("%s; Cc refused: %s", reply, list);

		g_free(reply);
		return recorded;
	}
}

/* Rows the SMTP server accepted, not yet in a statement.  Each statement
 * records all that are there, and runs while the next mails go out; the
 * next one is sent as soon as it is done.  So a crash sends again at
 * most the mails accepted during one commit (with the same Message-IDs),
 * and a slow commit costs no sending time. */
typedef struct {
	GArray *ids;		/* gint64 */
	GPtrArray *replies;	/* char*: the server's final replies */
} Unrecorded;

static void
record(GwPipeline *p, Unrecorded *u, gboolean wait)
{
	g_autoptr(GError) err = NULL;

	if (wait)
		gw_db_wait(p->db, NULL);
	else if (u->ids->len == 0 || gw_db_busy(p->db))
		return;
	if (u->ids->len > 0 &&
	    !gw_outbox_record_sent(p->db, u->ids, u->replies, &err))
		gw_log_err("outbox: %u mails sent but not recorded (they are sent "
			   "again, with the same Message-IDs): %s", u->ids->len,
			   err->message);
	g_array_set_size(u->ids, 0);
	g_ptr_array_set_size(u->replies, 0);
	if (wait)
		gw_db_wait(p->db, NULL);
}

/* Sends one row; a sent one joins u, a failed one is recorded. */
static void
send_row(GwPipeline *p, GwSmtp *smtp, const GwOutboxRow *row, Unrecorded *u)
{
	g_autoptr(GBytes) msg = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) cc = row_cc(p, row);
	g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *reply = NULL, *rcpt = gw_log_clean(row->recipient, 80);
	gboolean is_ack = g_strcmp0(row->kind, "ack") == 0;
	const char *bounce = p->config->bounce_address;

	msg = compose_row(p, row, (const char *const *)cc->pdata, &err);
	/* RFC 3834: automatic answers go with the null sender. */
	if (msg != NULL &&
	    gw_smtp_send(smtp, is_ack ? (bounce ? bounce : "") : p->config->smtp_from_addr,
			 row->recipient, (const char *const *)cc->pdata, msg,
			 &reply, refused, &err)) {
		g_autofree char *recorded = sent_reply(row, cc->len - 1,
						       g_steal_pointer(&reply), refused);

		gw_metrics_sent(p->metrics, row->id, row->kind);
		gw_crash_point("sent", msg);
		g_array_append_val(u->ids, row->id);
		g_ptr_array_add(u->replies, g_steal_pointer(&recorded));
		record(p, u, FALSE);
		return;
	}
	gw_log_warning("outbox=%" G_GINT64_FORMAT " kind=%s to=%s attempt=%d %s: %s",
		       row->id, row->kind, rcpt, row->attempts,
		       g_error_matches(err, GW_SMTP_ERROR, GW_SMTP_ERROR_PERMANENT) ||
		       g_error_matches(err, GW_OUTBOX_ERROR, GW_OUTBOX_ERROR_FILE_GONE)
			       ? "failed" : "deferred", err->message);
	gw_metrics_error(p->metrics, err);
	record_failure(p, row, err);
}

/* The SMTP session, kept open across batches and wakes; a broken one is
 * dropped and a new one opened. */
static GwSmtp *
smtp_session(GwPipeline *p, GError **error)
{
	if (p->smtp != NULL && !gw_smtp_ok(p->smtp))
		g_clear_pointer(&p->smtp, gw_smtp_free);
	if (p->smtp == NULL)
		p->smtp = gw_smtp_connect(&p->config->smtp, error);
	g_clear_error(&p->smtp_down);
	if (p->smtp == NULL) {
		p->smtp_down = g_error_copy(*error);
		return NULL;
	}
	p->smtp_used = g_get_monotonic_time();
	return p->smtp;
}

static GPtrArray *
outbox_rows_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)gw_outbox_row_free);
}

/* Sends the claimed rows, earliest deadline first.  A full batch says
 * more may be due: the next one is claimed while these go out (leaving
 * them out, not yet recorded) and appended to next. */
static gboolean
send_batch(GwPipeline *p, GPtrArray *rows, GPtrArray *next, GError **error)
{
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func(g_free);
	Unrecorded u = { ids, replies };
	gboolean ahead = FALSE;

	if (rows->len == SEND_BATCH) {
		g_autoptr(GArray) these = g_array_sized_new(FALSE, FALSE, sizeof(gint64),
							    rows->len);

		for (guint i = 0; i < rows->len; i++)
			g_array_append_val(these, ((GwOutboxRow *)rows->pdata[i])->id);
		if (!gw_outbox_claim_ahead(p->db, SEND_BATCH, these, error))
			return FALSE;
		ahead = TRUE;
	}
	for (guint i = 0; i < rows->len; i++) {
		GwSmtp *smtp = smtp_session(p, error);

		/* No server now: each row is deferred, timed against its
		 * deadline, and says why (plaint.outbox.last_error); those
		 * claimed ahead too, and no batch follows. */
		if (smtp == NULL) {
			g_autoptr(GPtrArray) later = outbox_rows_new();
			g_autoptr(GArray) failed = g_array_new(FALSE, FALSE, sizeof(gint64));

			record(p, &u, TRUE);
			if (ahead)
				gw_outbox_claimed(p->db, later, NULL);
			for (; i < rows->len; i++)
				g_array_append_val(failed, ((GwOutboxRow *)rows->pdata[i])->id);
			for (guint k = 0; k < later->len; k++)
				g_array_append_val(failed, ((GwOutboxRow *)later->pdata[k])->id);
			record_failures(p, failed, *error);
			return FALSE;
		}
		send_row(p, smtp, rows->pdata[i], &u);
	}
	if (ahead && !gw_outbox_claimed(p->db, next, error)) {
		record(p, &u, TRUE);
		return FALSE;
	}
	record(p, &u, TRUE);	/* the rest; a failure is logged */
	return TRUE;
}

gboolean
gw_pipeline_send(GwPipeline *p, GError **error)
{
	g_autoptr(GPtrArray) rows = outbox_rows_new();

	if (!ensure_db(p, error) ||
	    !gw_outbox_claim_due(p->db, SEND_BATCH, rows, error))
		return FALSE;
	while (rows->len > 0) {
		g_autoptr(GPtrArray) next = outbox_rows_new();

		if (!send_batch(p, rows, next, error))
			return FALSE;
		g_ptr_array_unref(rows);
		rows = g_steal_pointer(&next);
	}
	/* Nothing was due, or all went out.  A server that refused the
	 * last connection is down until a connection succeeds: sending is
	 * not said to work again before it does. */
	if (p->smtp_down != NULL) {
		g_propagate_error(error, g_error_copy(p->smtp_down));
		return FALSE;
	}
	return TRUE;
}

void
gw_pipeline_close_idle(GwPipeline *p, int seconds)
{
	if (p->smtp != NULL &&
	    g_get_monotonic_time() - p->smtp_used >= (gint64)seconds * G_USEC_PER_SEC)
		g_clear_pointer(&p->smtp, gw_smtp_free);
}

gboolean
gw_pipeline_outbox(GwPipeline *p, GwOutboxStatus *status_out, GError **error)
{
	return ensure_db(p, error) && gw_status_outbox(p->db, status_out, error);
}
