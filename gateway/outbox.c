/* outbox.c - the plaint.outbox table: queue, claim, record the outcome.
 *
 * Owns the statements on plaint.outbox.  A row is claimed by the session
 * that sends it, so that two gateways never send it together; if that
 * session dies, the row is free at once, and the resend carries the same
 * Message-ID (the one duplicate DESIGN.md allows). */
#include "gw-outbox.h"

#include <string.h>

#include "gw-json.h"

G_DEFINE_QUARK(gw-outbox-error-quark, gw_outbox_error)

static const char sql_queue_acks[] = "SELECT plaint.queue_acks($1::jsonb)";
/* Due rows nobody alive is sending, earliest deadline first.  A row is
 * held by this session (claimed_by) until it is recorded; a sender that
 * dies lets go at once (its session's advisory lock, as for filing).
 * The name in From is read now, so that an agent assigned since the
 * mail was queued is named. */
static const char sql_claim[] =
	"UPDATE plaint.outbox o "
	"SET claimed_by = pg_backend_pid(), attempts = o.attempts + 1 "
	"FROM plaint.messages m "
	"WHERE m.id = o.message_row AND o.id IN ("
	"  SELECT x.id FROM plaint.outbox x "
	"  WHERE x.sent_at IS NULL AND x.failed_at IS NULL "
	"    AND x.next_attempt_at <= now() "
	"    AND (x.claimed_by IS NULL OR x.claimed_by = pg_backend_pid() "
	"         OR x.claimed_by NOT IN (SELECT l.objid::integer FROM pg_locks l "
	"             WHERE l.locktype = 'advisory' AND l.classid = 70251653 "
	"               AND l.objsubid = 2 AND l.granted)) "
	"    AND ($2::bigint[] IS NULL OR x.id <> ALL ($2::bigint[])) "
	"  ORDER BY x.due_at, x.id LIMIT $1 FOR UPDATE SKIP LOCKED) "
	"RETURNING o.id, o.kind, o.recipient, m.subject, m.body, o.message_id, "
	"  m.in_reply_to, m.\"references\", o.attempts, "
	"  extract(epoch FROM o.due_at)::float8::text, o.cc, "
	"  (SELECT count(*) FROM plaint.outbox_attachments a WHERE a.outbox_id = o.id), "
	"  m.body_html, plaint.from_name(o.kind, o.ticket_id, o.message_row)";
/* The files of one row, in order, with their bytes (a binary result:
 * the other columns are cast to text). */
static const char sql_files[] =
	"SELECT a.filename, a.content_type, b.content, "
	"  (b.removed_at IS NOT NULL)::text, a.size::text "
	"FROM plaint.outbox_attachments a JOIN plaint.blobs b ON b.sha256 = a.sha256 "
	"WHERE a.outbox_id = $1 ORDER BY a.position";
/* Many rows sent, recorded in one statement. */
static const char sql_sent[] =
	"UPDATE plaint.outbox o SET sent_at = now(), smtp_reply = v.reply, "
	"  claimed_by = NULL, last_error = NULL "
	"FROM unnest($1::bigint[], $2::text[]) AS v(id, reply) WHERE o.id = v.id";
/* Before the deadline, the next attempt comes well before it: after a
 * quarter of the time left (2 to 30 s).  After it, as long again as the
 * mail is late already (30 s to an hour). */
static const char sql_retry[] =
	"UPDATE plaint.outbox SET claimed_by = NULL, last_error = $2, "
	"  next_attempt_at = now() + CASE WHEN due_at > now() "
	"    THEN least(greatest((due_at - now()) / 4, interval '2 seconds'), "
	"               interval '30 seconds') "
	"    ELSE least(greatest(now() - due_at, interval '30 seconds'), "
	"               interval '1 hour') END "
	"WHERE id = ANY($1::bigint[])";
static const char sql_failed[] =
	"UPDATE plaint.outbox SET failed_at = now(), claimed_by = NULL, "
	"  last_error = $2, smtp_reply = $2 WHERE id = $1";

void
gw_outbox_row_free(GwOutboxRow *row)
{
	if (row == NULL)
		return;
	g_free(row->kind);
	g_free(row->recipient);
	g_free(row->subject);
	g_free(row->body);
	g_free(row->message_id);
	g_free(row->in_reply_to);
	g_strfreev(row->references);
	g_strfreev(row->cc);
	g_free(row->body_html);
	g_free(row->from_name);
	g_free(row);
}

void
gw_outbox_file_free(GwOutboxFile *file)
{
	if (file == NULL)
		return;
	g_free(file->filename);
	g_free(file->content_type);
	g_bytes_unref(file->content);
	g_free(file);
}

/* value, or null when it is NULL or "". */
static void
member(GwJson *j, const char *key, const char *value)
{
	gw_json_member_string(j, key, value != NULL && *value != '\0' ? value : NULL);
}

static void
add_ack(GwJson *j, const GwAckRequest *ack)
{
	gw_json_begin_object(j);
	gw_json_member_int(j, "ticket_id", ack->ticket_id);
	gw_json_member_int(j, "reply_to_row", ack->reply_to_row);
	member(j, "recipient", ack->recipient);
	member(j, "subject", ack->subject);
	member(j, "body", ack->body);
	member(j, "message_id", ack->message_id);
	member(j, "in_reply_to", ack->in_reply_to);
	gw_json_member_strv(j, "references", (const char *const *)ack->references,
			    G_MAXUINT);
	if (ack->body_html != NULL)
		member(j, "body_html", ack->body_html);
	gw_json_end_object(j);
}

gboolean
gw_outbox_enqueue_acks(GwDb *db, const GwAckRequest *acks, guint n,
		       guint *queued_out, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	GwJson *j;

	*queued_out = 0;
	if (n == 0)
		return TRUE;
	j = gw_json_new();
	gw_json_begin_array(j);
	for (guint i = 0; i < n; i++)
		add_ack(j, &acks[i]);
	gw_json_end_array(j);
	gw_db_params_take_json(p, j);
	res = gw_db_exec(db, sql_queue_acks, p, error);
	if (res == NULL)
		return FALSE;
	*queued_out = (guint)gw_db_result_int(res, 0, 0);
	return TRUE;
}

static int
by_deadline(gconstpointer a, gconstpointer b)
{
	const GwOutboxRow *x = *(GwOutboxRow *const *)a, *y = *(GwOutboxRow *const *)b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
claim_params(GwDbParams *p, int limit, const GArray *besides)
{
	gw_db_params_int(p, limit);
	gw_db_params_ids(p, besides);
}

/* The rows of a claim's result, into rows. */
static void
claimed_rows(GwDbResult *res, GPtrArray *rows)
{
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		GwOutboxRow *row = g_new0(GwOutboxRow, 1);

		row->id = gw_db_result_int(res, r, 0);
		row->kind = g_strdup(gw_db_result_text(res, r, 1));
		row->recipient = g_strdup(gw_db_result_text(res, r, 2));
		row->subject = g_strdup(gw_db_result_text(res, r, 3));
		row->body = g_strdup(gw_db_result_text(res, r, 4));
		row->message_id = g_strdup(gw_db_result_text(res, r, 5));
		row->in_reply_to = g_strdup(gw_db_result_text(res, r, 6));
		row->references = gw_db_result_strv(res, r, 7);
		row->attempts = (int)gw_db_result_int(res, r, 8);
		row->due = g_ascii_strtod(gw_db_result_text(res, r, 9), NULL);
		row->cc = gw_db_result_strv(res, r, 10);
		row->n_files = (int)gw_db_result_int(res, r, 11);
		row->body_html = g_strdup(gw_db_result_text(res, r, 12));
		row->from_name = g_strdup(gw_db_result_text(res, r, 13));
		g_ptr_array_add(rows, row);
	}
	/* RETURNING keeps no order: earliest deadline first, here. */
	g_ptr_array_sort(rows, by_deadline);
}

gboolean
gw_outbox_claim_due(GwDb *db, int limit, GPtrArray *rows, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	claim_params(p, limit, NULL);
	res = gw_db_exec(db, sql_claim, p, error);
	if (res == NULL)
		return FALSE;
	claimed_rows(res, rows);
	return TRUE;
}

gboolean
gw_outbox_claim_ahead(GwDb *db, int limit, const GArray *besides, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();

	claim_params(p, limit, besides);
	return gw_db_send_ahead(db, sql_claim, p, "outbox: claim", error);
}

gboolean
gw_outbox_claimed(GwDb *db, GPtrArray *rows, GError **error)
{
	g_autoptr(GwDbResult) res = gw_db_receive(db, error);

	if (res == NULL)
		return FALSE;
	claimed_rows(res, rows);
	return TRUE;
}

gboolean
gw_outbox_files(GwDb *db, gint64 id, GPtrArray *files, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_int(p, id);
	res = gw_db_exec_binary(db, sql_files, p, error);
	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		GwOutboxFile *file = g_new0(GwOutboxFile, 1);
		gint64 size = g_ascii_strtoll(gw_db_result_text(res, r, 4), NULL, 10);

		file->filename = g_strdup(gw_db_result_text(res, r, 0));
		file->content_type = g_strdup(gw_db_result_text(res, r, 1));
		file->content = gw_db_result_bytes(res, r, 2);
		g_ptr_array_add(files, file);
		if (g_strcmp0(gw_db_result_text(res, r, 3), "true") == 0) {
			g_set_error(error, GW_OUTBOX_ERROR, GW_OUTBOX_ERROR_FILE_GONE,
				    "attachment %d (%s) was removed from the database "
				    "(retention or erasure) before it was sent", r + 1,
				    file->filename);
			return FALSE;
		}
		if ((gint64)g_bytes_get_size(file->content) != size) {
			g_set_error(error, GW_OUTBOX_ERROR, GW_OUTBOX_ERROR_FILE_GONE,
				    "attachment %d (%s) holds %" G_GSIZE_FORMAT " bytes, "
				    "not the %" G_GINT64_FORMAT " it was queued with", r + 1,
				    file->filename, g_bytes_get_size(file->content), size);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
mark(GwDb *db, const char *sql, gint64 id, const char *text, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_int(p, id);
	gw_db_params_text(p, text);
	res = gw_db_exec(db, sql, p, error);
	return res != NULL;
}

gboolean
gw_outbox_record_sent(GwDb *db, const GArray *ids, GPtrArray *replies,
		      GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autofree char *list = NULL, *what = NULL;
	gboolean ok;

	if (ids->len == 0)
		return TRUE;
	list = gw_db_id_array(ids);
	what = g_strdup_printf("outbox rows %s sent but not recorded (they are "
			       "sent again, with the same Message-IDs)", list);
	gw_db_params_text(p, list);
	g_ptr_array_add(replies, NULL);
	gw_db_params_strv(p, (const char *const *)replies->pdata);
	g_ptr_array_remove_index(replies, replies->len - 1);
	ok = gw_db_send(db, sql_sent, p, what, error);
	return ok;
}

gboolean
gw_outbox_mark_retry(GwDb *db, const GArray *ids, const char *why, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	if (ids->len == 0)
		return TRUE;
	gw_db_params_ids(p, ids);
	gw_db_params_text(p, why);
	res = gw_db_exec(db, sql_retry, p, error);
	return res != NULL;
}

gboolean
gw_outbox_mark_failed(GwDb *db, gint64 id, const char *why, GError **error)
{
	return mark(db, sql_failed, id, why, error);
}
