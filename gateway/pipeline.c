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
#include "gw-outbox.h"
#include "gw-smtp.h"
#include "gw-store.h"
#include "gw-thread.h"
#include "gw-ticket.h"

#define PROCESS_BATCH	50	/* messages per T2 commit */
#define SEND_BATCH	50	/* outbox rows leased at once */
#define SEND_LEASE	300	/* seconds a leased row stays ours */
#define INGEST_MAILBOX	"ingest"

struct GwPipeline {
	const GwConfig *config;
	GwRules *rules;
	GwDb *db;
	GwMailLimits limits;
	GHashTable *logged;	/* what was logged once for the rules in use */
};

static gboolean
ensure_db(GwPipeline *p, GError **error)
{
	if (p->db != NULL && gw_db_ok(p->db))
		return TRUE;
	g_clear_pointer(&p->db, gw_db_free);
	p->db = gw_db_connect(p->config->conninfo, p->config->db_timeout, error);
	if (p->db == NULL)
		return FALSE;
	if (!gw_db_check_schema(p->db, error) ||
	    !gw_ticket_publish_settings(p->db, p->config->ticket_prefix,
					p->config->message_id_domain, error)) {
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

GwPipeline *
gw_pipeline_new(const GwConfig *config, GwRules *rules, GError **error)
{
	g_autoptr(GwPipeline) p = g_new0(GwPipeline, 1);

	p->config = config;
	p->rules = rules;
	gw_pipeline_mail_limits(config, &p->limits);
	p->logged = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!ensure_db(p, error))
		return NULL;
	return g_steal_pointer(&p);
}

void
gw_pipeline_free(GwPipeline *p)
{
	if (p == NULL)
		return;
	gw_rules_free(p->rules);
	gw_db_free(p->db);
	g_hash_table_unref(p->logged);
	g_free(p);
}

void
gw_pipeline_set_rules(GwPipeline *p, GwRules *rules)
{
	gw_rules_free(p->rules);
	p->rules = rules;
	g_hash_table_remove_all(p->logged);
}

/* ---- T1: fetch ---------------------------------------------------- */

typedef struct {
	GwPipeline *p;
	const GwMailboxConfig *mbox;
	guint32 uidvalidity;
	guint32 max_uid;
	GArray *stored;		/* UIDs committed by this batch: to flag */
} FetchBatch;

static gboolean
on_fetched(guint32 uid, const char *internaldate, GBytes *bytes, gpointer data,
	   GError **error)
{
	FetchBatch *b = data;
	gint64 id;
	gboolean inserted;

	if (!gw_store_insert(b->p->db, b->mbox->name, b->uidvalidity, uid,
			     internaldate, bytes, &id, &inserted, error))
		return FALSE;
	g_array_append_val(b->stored, uid);
	b->max_uid = MAX(b->max_uid, uid);
	gw_log_info("raw=%" G_GINT64_FORMAT " mailbox=%s uid=%u size=%" G_GSIZE_FORMAT
		    " stored=%s", id, b->mbox->name, uid, g_bytes_get_size(bytes),
		    inserted ? "new" : "already");
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

/* One batch: fetch and insert in one transaction, commit, then flag. */
static gboolean
fetch_batch(GwPipeline *p, GwImap *imap, const GwMailboxConfig *mbox,
	    guint32 uidvalidity, const guint32 *uids, guint n, GError **error)
{
	g_autoptr(GArray) stored = g_array_new(FALSE, FALSE, sizeof(guint32));
	FetchBatch b = { p, mbox, uidvalidity, 0, stored };

	if (!gw_db_begin(p->db, error))
		return FALSE;
	if (!gw_imap_fetch(imap, uids, n, on_fetched, &b, error) ||
	    !gw_store_set_cursor(p->db, mbox->name, uidvalidity, b.max_uid, error) ||
	    !gw_db_commit(p->db, error)) {
		gw_db_rollback(p->db);
		return FALSE;
	}
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

static gboolean
fetch_new(GwPipeline *p, GwImap *imap, const GwMailboxConfig *mbox,
	  GError **error)
{
	g_autoptr(GArray) found = NULL, unflagged = NULL;
	g_autoptr(GArray) todo = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autoptr(GHashTable) known = NULL;
	guint32 uidvalidity, uidnext, cursor, last_uid = 0;

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
	for (guint i = 0; i < found->len; i++) {
		guint32 uid = g_array_index(found, guint32, i);

		if (!g_hash_table_contains(known, GUINT_TO_POINTER(uid)))
			g_array_append_val(todo, uid);
		last_uid = MAX(last_uid, uid);
	}
	for (guint i = 0; i < todo->len; i += mbox->batch) {
		guint n = MIN((guint)mbox->batch, todo->len - i);

		if (!fetch_batch(p, imap, mbox, uidvalidity,
				 &g_array_index(todo, guint32, i), n, error))
			return FALSE;
	}
	return gw_store_set_cursor(p->db, mbox->name, uidvalidity,
				   MAX(cursor, last_uid), error);
}

gboolean
gw_pipeline_poll_session(GwPipeline *p, const GwMailboxConfig *mbox,
			 GwImap **imap, GError **error)
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
	ok = *imap != NULL && fetch_new(p, *imap, mbox, error);
	if (gw_db_ok(p->db))
		gw_store_release_mailbox(p->db, mbox->name, NULL);
	if (!ok) {
		g_clear_pointer(imap, gw_imap_free);
		g_prefix_error(error, "mailbox %s: ", mbox->name);
	}
	return ok;
}

gboolean
gw_pipeline_poll(GwPipeline *p, const GwMailboxConfig *mbox, GError **error)
{
	g_autoptr(GwImap) imap = NULL;

	return gw_pipeline_poll_session(p, mbox, &imap, error);
}

/* ---- T2: process -------------------------------------------------- */

static const char *
queue_of(GwPipeline *p, const char *mailbox)
{
	const GwMailboxConfig *mbox = gw_config_mailbox(p->config, mailbox);

	return mbox ? mbox->queue : "general";
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
	if (t == NULL && g_hash_table_add(p->logged, g_strconcat("template:", name, NULL)))
		gw_log_warning("template=%s chosen by a rule has no [template %s] "
			       "section: the built-in one is used", name, name);
	return t;
}

/* "Monday 23 November 2026, 14:05 UTC": when a person will answer. */
static char *
due_text(int seconds)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autoptr(GDateTime) due = g_date_time_add_seconds(now, seconds);

	return g_date_time_format(due, "%A %-d %B %Y, %H:%M UTC");
}

static gboolean
queue_ack(GwPipeline *p, const GwMail *mail, const GwFiled *filed,
	  const GwVerdict *verdict, const char *queue, GError **error)
{
	const GwQueueConfig *qc = gw_config_queue(p->config, queue);
	const GwTemplateConfig *t = template_for(p, verdict, qc);
	g_autofree char *subject = NULL, *body = NULL, *mid = NULL, *due = NULL;
	const char *irt = gw_mail_message_id(mail);
	const GwMailAddress *customer = gw_ticket_customer(mail, p->config->customer_reply_to);
	const char *name = customer->name;
	GwAckValues values;
	GwAckRequest ack = { 0 };
	gboolean queued;

	due = due_text(qc && qc->respond_within ? qc->respond_within
						 : p->config->respond_within);
	values = (GwAckValues){ filed->ticket_number, gw_mail_subject(mail),
				*name ? name : customer->address, queue, due };
	gw_ack_render(t ? t->subject : NULL, t ? t->body : NULL, &values,
		      &subject, &body);
	mid = gw_ack_new_message_id(p->config->message_id_domain);
	ack.ticket_id = filed->ticket_id;
	ack.reply_to_row = filed->message_row;
	ack.recipient = customer->address;
	ack.subject = subject;
	ack.body = body;
	ack.message_id = mid;
	ack.in_reply_to = *irt ? irt : NULL;
	ack.references = gw_mail_references(mail);
	return gw_outbox_enqueue_ack(p->db, &ack, &queued, error);
}

/* A pattern over its limit is logged once per rule and rule set; the
 * routing table counts every hit. */
static void
note_limit_hits(GwPipeline *p, const GwVerdict *verdict)
{
	for (guint i = 0; i < verdict->limit_hits->len; i++) {
		const char *rule = verdict->limit_hits->pdata[i];

		if (g_hash_table_add(p->logged, g_strdup(rule)))
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
	};
}

static void
ticket_settings(GwPipeline *p, const char *queue, GwTicketSettings *s_out)
{
	const GwQueueConfig *qc = gw_config_queue(p->config, queue);

	*s_out = (GwTicketSettings){
		p->config->ticket_prefix,
		qc != NULL && qc->ack_within > 0 ? qc->ack_within : p->config->ack_within,
		gw_rules_version(p->rules), p->config->customer_reply_to,
		p->config->tag_from_strangers, p->config->ack_rate_limit,
		p->config->ack_rate_window,
	};
}

static char *
log_line(const GwRaw *raw, const GwMail *mail, const GwDecision *d,
	 const GwFiled *filed, gboolean ack)
{
	g_autofree char *from = gw_log_clean(gw_mail_from_addr(mail), 80);
	g_autofree char *rules = NULL, *note = gw_log_clean(filed->note, 200);
	GPtrArray *matched = d->verdict.matched;

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

/* Files one claimed message inside the open transaction.  *line_out is
 * its log line, to be written once the transaction commits. */
static gboolean
process_one(GwPipeline *p, GwRaw *raw, char **line_out, GError **error)
{
	g_autoptr(GError) parse_error = NULL;
	g_autoptr(GwMail) mail = gw_mail_parse(raw->bytes, &p->limits, &parse_error);
	GwDecideInput in;
	GwDecision d;
	GwTicketSettings s;
	GwThreadKeys keys;
	GwFiled filed = { 0 };
	gboolean ok, ack;

	if (mail == NULL) {
		*line_out = g_strdup_printf("raw=%" G_GINT64_FORMAT " action=quarantined "
					    "reason=\"%s\"", raw->id, parse_error->message);
		return gw_store_quarantine(p->db, raw->id, parse_error->message, error);
	}
	decide_input(p, raw->mailbox, &in);
	gw_decide(&in, mail, FALSE, &d);
	ticket_settings(p, d.queue, &s);
	gw_thread_keys(mail, p->config->ticket_prefix, &keys);
	ok = gw_ticket_file(p->db, raw->id, raw->internaldate, mail, &d, &keys,
			    &s, &filed, error) &&
	     ((filed.action != GW_TICKET_OPENED && filed.action != GW_TICKET_THREADED) ||
	      gw_ticket_record_attachments(p->db, filed.message_row, mail, error));
	note_limit_hits(p, &d.verdict);
	ack = ok && filed.action == GW_TICKET_OPENED && filed.ack_suppressed == NULL;
	if (ack)
		ok = queue_ack(p, mail, &filed, &d.verdict, d.queue, error);
	if (ok)
		*line_out = log_line(raw, mail, &d, &filed, ack);
	gw_filed_clear(&filed);
	gw_thread_keys_clear(&keys);
	gw_decision_clear(&d);
	return ok;
}

/* Processes rows in one transaction.  FALSE: nothing was committed. */
static gboolean
process_rows(GwPipeline *p, GPtrArray *rows, GError **error)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < rows->len; i++) {
		char *line = NULL;
		gboolean ok = process_one(p, rows->pdata[i], &line, error);

		if (line != NULL)
			g_ptr_array_add(lines, line);
		if (!ok)
			return FALSE;
	}
	if (!gw_db_commit(p->db, error))
		return FALSE;
	for (guint i = 0; i < lines->len; i++) {
		const char *line = lines->pdata[i];

		if (g_strstr_len(line, -1, "action=quarantined"))
			gw_log_warning("%s", line);
		else
			gw_log_info("%s", line);
	}
	return TRUE;
}

/* After a batch failed: each row alone, so only the guilty one is
 * quarantined, with the database's own words as the reason. */
static gboolean
process_alone(GwPipeline *p, gint64 id, GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_raw_free);
	g_autoptr(GError) local = NULL;

	if (!gw_db_begin(p->db, error) || !gw_store_claim_id(p->db, id, rows, error)) {
		gw_db_rollback(p->db);
		return FALSE;
	}
	if (rows->len == 0 || process_rows(p, rows, &local))
		return rows->len == 0 ? gw_db_commit(p->db, error) : TRUE;
	gw_db_rollback(p->db);
	if (g_error_matches(local, GW_DB_ERROR, GW_DB_ERROR_TRANSIENT)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	gw_log_warning("raw=%" G_GINT64_FORMAT " action=quarantined reason=\"%s\"",
		       id, local->message);
	if (!gw_db_begin(p->db, error))
		return FALSE;
	if (!gw_store_quarantine(p->db, id, local->message, error) ||
	    !gw_db_commit(p->db, error)) {
		gw_db_rollback(p->db);
		return FALSE;
	}
	return TRUE;
}

/* One batch; *claimed_out: how many rows it covered. */
static gboolean
process_batch(GwPipeline *p, guint *claimed_out, GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_raw_free);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GError) local = NULL;

	*claimed_out = 0;
	if (!gw_db_begin(p->db, error))
		return FALSE;
	if (!gw_store_claim_new(p->db, PROCESS_BATCH, rows, error)) {
		gw_db_rollback(p->db);
		return FALSE;
	}
	*claimed_out = rows->len;
	if (rows->len == 0)
		return gw_db_commit(p->db, error);
	for (guint i = 0; i < rows->len; i++)
		g_array_append_val(ids, ((GwRaw *)rows->pdata[i])->id);
	if (process_rows(p, rows, &local))
		return TRUE;
	gw_db_rollback(p->db);
	if (g_error_matches(local, GW_DB_ERROR, GW_DB_ERROR_TRANSIENT)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	g_ptr_array_set_size(rows, 0);	/* free the bytes before retrying */
	for (guint i = 0; i < ids->len; i++)
		if (!process_alone(p, g_array_index(ids, gint64, i), error))
			return FALSE;
	return TRUE;
}

gboolean
gw_pipeline_process(GwPipeline *p, GError **error)
{
	guint claimed;

	if (!ensure_db(p, error))
		return FALSE;
	do {
		if (!process_batch(p, &claimed, error))
			return FALSE;
	} while (claimed == PROCESS_BATCH);
	return TRUE;
}

gboolean
gw_pipeline_ingest(GwPipeline *p, const char *mailbox, GBytes *raw,
		   GError **error)
{
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
	return process_alone(p, id, error);
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

/* ---- T3: send ----------------------------------------------------- */

static void
record(GwPipeline *p, const GwOutboxRow *row, gboolean sent, const char *text,
       const GError *send_error)
{
	g_autoptr(GError) err = NULL;
	gboolean ok;

	if (sent)
		ok = gw_outbox_mark_sent(p->db, row->id, text, &err);
	else if (g_error_matches(send_error, GW_SMTP_ERROR, GW_SMTP_ERROR_PERMANENT))
		ok = gw_outbox_mark_failed(p->db, row->id, text, &err);
	else
		ok = gw_outbox_mark_retry(p->db, row->id, text, &err);
	if (!ok)	/* the lease runs out and the row is sent again */
		gw_log_err("outbox=%" G_GINT64_FORMAT " outcome not recorded: %s",
			   row->id, err->message);
}

static void
send_row(GwPipeline *p, GwSmtp *smtp, const GwOutboxRow *row)
{
	g_autoptr(GBytes) msg = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *reply = NULL, *rcpt = gw_log_clean(row->recipient, 80);
	gboolean is_ack = g_strcmp0(row->kind, "ack") == 0;
	GwLetter letter = {
		p->config->smtp_from, row->recipient, row->subject, row->body,
		row->message_id, row->in_reply_to,
		(const char *const *)row->references, is_ack,
		p->config->smtp_from_addr,
	};
	const char *bounce = p->config->bounce_address;

	msg = gw_ack_compose(&letter);
	/* RFC 3834: automatic answers go with the null sender. */
	if (gw_smtp_send(smtp, is_ack ? (bounce ? bounce : "") : p->config->smtp_from_addr,
			 row->recipient, msg, &reply, &err)) {
		gw_log_info("outbox=%" G_GINT64_FORMAT " kind=%s to=%s sent reply=\"%s\"",
			    row->id, row->kind, rcpt, reply);
		record(p, row, TRUE, reply, NULL);
		return;
	}
	gw_log_warning("outbox=%" G_GINT64_FORMAT " kind=%s to=%s attempt=%d %s: %s",
		       row->id, row->kind, rcpt, row->attempts,
		       g_error_matches(err, GW_SMTP_ERROR, GW_SMTP_ERROR_PERMANENT)
			       ? "failed" : "deferred", err->message);
	record(p, row, FALSE, err->message, err);
}

/* One leased batch; *claimed_out: its size. */
static gboolean
send_batch(GwPipeline *p, guint *claimed_out, GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_outbox_row_free);
	g_autoptr(GwSmtp) smtp = NULL;

	*claimed_out = 0;
	if (!gw_outbox_claim_due(p->db, SEND_BATCH, SEND_LEASE, rows, error))
		return FALSE;
	*claimed_out = rows->len;
	for (guint i = 0; i < rows->len; i++) {
		if (smtp != NULL && !gw_smtp_ok(smtp))
			g_clear_pointer(&smtp, gw_smtp_free);
		if (smtp == NULL)
			smtp = gw_smtp_connect(&p->config->smtp, error);
		if (smtp == NULL) {
			for (; i < rows->len; i++)
				record(p, rows->pdata[i], FALSE, (*error)->message, *error);
			*claimed_out = 0;	/* no point in another batch now */
			return FALSE;
		}
		send_row(p, smtp, rows->pdata[i]);
	}
	return TRUE;
}

gboolean
gw_pipeline_send(GwPipeline *p, GError **error)
{
	guint claimed;

	if (!ensure_db(p, error))
		return FALSE;
	do {
		if (!send_batch(p, &claimed, error))
			return FALSE;
	} while (claimed == SEND_BATCH);
	return TRUE;
}
