/* outbox.c - the plaint.outbox table: queue, lease, record the outcome.
 *
 * Owns the statements on plaint.outbox.  A row is leased before it is
 * sent so that two gateways never send it together; the lease expires
 * by itself if a gateway dies mid-send, and the resend carries the same
 * Message-ID (the one duplicate DESIGN.md allows). */
#include "gw-outbox.h"

#include <string.h>

static const char sql_queue_ack[] =
	"SELECT plaint.queue_ack($1, $2, $3, $4, $5, $6, nullif($7, ''), "
	"$8::text[])";
static const char sql_recent[] = "SELECT plaint.recent_acks($1, $2)";
static const char sql_claim[] =
	"UPDATE plaint.outbox o "
	"SET lease_until = now() + make_interval(secs => $2), "
	"    attempts = o.attempts + 1 "
	"FROM plaint.messages m "
	"WHERE m.id = o.message_row AND o.id IN ("
	"  SELECT id FROM plaint.outbox "
	"  WHERE sent_at IS NULL AND failed_at IS NULL "
	"    AND next_attempt_at <= now() "
	"    AND (lease_until IS NULL OR lease_until < now()) "
	"  ORDER BY due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) "
	"RETURNING o.id, o.kind, o.recipient, m.subject, m.body, o.message_id, "
	"  m.in_reply_to, m.\"references\", o.attempts, o.due_at";
static const char sql_sent[] =
	"UPDATE plaint.outbox SET sent_at = now(), smtp_reply = $2, "
	"  lease_until = NULL, last_error = NULL WHERE id = $1";
/* Backoff: 30 s, 1, 2, 4 ... minutes, at most an hour. */
static const char sql_retry[] =
	"UPDATE plaint.outbox SET lease_until = NULL, last_error = $2, "
	"  next_attempt_at = now() + least(interval '1 hour', "
	"    interval '30 seconds' * power(2, least(attempts - 1, 12))) "
	"WHERE id = $1";
static const char sql_failed[] =
	"UPDATE plaint.outbox SET failed_at = now(), lease_until = NULL, "
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
	g_free(row);
}

gboolean
gw_outbox_enqueue_ack(GwDb *db, const GwAckRequest *ack, gboolean *queued_out,
		      GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_int(p, ack->ticket_id);
	gw_db_params_int(p, ack->reply_to_row);
	gw_db_params_text(p, ack->recipient);
	gw_db_params_text(p, ack->subject);
	gw_db_params_text(p, ack->body);
	gw_db_params_text(p, ack->message_id);
	gw_db_params_text(p, ack->in_reply_to);
	gw_db_params_strv(p, ack->references);
	res = gw_db_exec(db, sql_queue_ack, p, error);
	if (res == NULL)
		return FALSE;
	*queued_out = gw_db_result_bool(res, 0, 0);
	return TRUE;
}

gboolean
gw_outbox_recent_acks(GwDb *db, const char *recipient, int window,
		      gint64 *count_out, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_text(p, recipient);
	gw_db_params_int(p, window);
	res = gw_db_exec(db, sql_recent, p, error);
	if (res == NULL)
		return FALSE;
	*count_out = gw_db_result_int(res, 0, 0);
	return TRUE;
}

gboolean
gw_outbox_claim_due(GwDb *db, int limit, int lease_secs, GPtrArray *rows,
		    GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_int(p, limit);
	gw_db_params_int(p, lease_secs);
	res = gw_db_exec(db, sql_claim, p, error);
	if (res == NULL)
		return FALSE;
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
		g_ptr_array_add(rows, row);
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
gw_outbox_mark_sent(GwDb *db, gint64 id, const char *smtp_reply, GError **error)
{
	return mark(db, sql_sent, id, smtp_reply, error);
}

gboolean
gw_outbox_mark_retry(GwDb *db, gint64 id, const char *why, GError **error)
{
	return mark(db, sql_retry, id, why, error);
}

gboolean
gw_outbox_mark_failed(GwDb *db, gint64 id, const char *why, GError **error)
{
	return mark(db, sql_failed, id, why, error);
}
