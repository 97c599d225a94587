/* outbox.c - the plaint.outbox table: queue, lease, record the outcome.
 *
 * Owns the statements on plaint.outbox.  A row is leased before it is
 * sent so that two gateways never send it together; the lease expires
 * by itself if a gateway dies mid-send, and the resend carries the same
 * Message-ID (the one duplicate DESIGN.md allows). */
#include "gw-outbox.h"

#include <string.h>

#include <json-glib/json-glib.h>

static const char sql_queue_acks[] = "SELECT plaint.queue_acks($1::jsonb)";
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

static void
member(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value != NULL && *value != '\0')
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
add_ack(JsonBuilder *b, const GwAckRequest *ack)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ticket_id");
	json_builder_add_int_value(b, ack->ticket_id);
	json_builder_set_member_name(b, "reply_to_row");
	json_builder_add_int_value(b, ack->reply_to_row);
	member(b, "recipient", ack->recipient);
	member(b, "subject", ack->subject);
	member(b, "body", ack->body);
	member(b, "message_id", ack->message_id);
	member(b, "in_reply_to", ack->in_reply_to);
	json_builder_set_member_name(b, "references");
	json_builder_begin_array(b);
	for (guint i = 0; ack->references && ack->references[i]; i++)
		json_builder_add_string_value(b, ack->references[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

gboolean
gw_outbox_enqueue_acks(GwDb *db, const GwAckRequest *acks, guint n,
		       guint *queued_out, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	*queued_out = 0;
	if (n == 0)
		return TRUE;
	json_builder_begin_array(b);
	for (guint i = 0; i < n; i++)
		add_ack(b, &acks[i]);
	json_builder_end_array(b);
	root = json_builder_get_root(b);
	gw_db_params_json(p, root);
	res = gw_db_exec(db, sql_queue_acks, p, error);
	if (res == NULL)
		return FALSE;
	*queued_out = (guint)gw_db_result_int(res, 0, 0);
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
