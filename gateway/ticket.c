/* ticket.c - files one message through plaint.file_message().
 *
 * Owns no state.  The SQL function holds the rules of a ticket's life
 * so that the gateway and agents' tools share one code path; this
 * module gathers the facts and passes them as parameters. */
#include "gw-ticket.h"

#include <string.h>

static const char sql_file[] =
	"SELECT action, ticket_id, ticket_number, message_row "
	"FROM plaint.file_message($1, $2, $3, $4, $5::text[], $6::text[], "
	"$7, $8, $9::text[], nullif($10, ''), nullif($11, ''), $12::text[], "
	"$13, $14, $15, $16, $17::timestamptz, $18, $19, $20)";

static const char sql_routing[] =
	"SELECT plaint.record_routing($1, $2, $3::text[], $4, $5, $6::text[], "
	"$7, $8, $9, $10, $11::text[], nullif($12::bigint, 0))";

static const char sql_bounce[] =
	"SELECT ticket_number FROM plaint.file_bounce($1, $2::text[], "
	"nullif($3, ''), $4, $5, $6, $7::timestamptz)";

static const char sql_record_parse[] =
	"SELECT plaint.record_parse($1, $2::text[], $3::text[])";
static const char sql_known_blobs[] =
	"SELECT plaint.known_blobs($1::text[])";
static const char sql_attachment[] =
	"SELECT plaint.add_attachment($1, $2, $3, $4, $5, $6, $7, $8, $9)";

static const char sql_settings[] =
	"INSERT INTO plaint.settings (key, value) "
	"VALUES ('ticket_prefix', upper($1)), ('message_id_domain', $2) "
	"ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value";

static const char sql_cc[] =
	"UPDATE plaint.messages SET cc = $2::text[] WHERE id = $1";

static const char *const action_names[] = {
	[GW_TICKET_OPENED] = "opened",
	[GW_TICKET_THREADED] = "threaded",
	[GW_TICKET_DUPLICATE] = "duplicate",
	[GW_TICKET_DROPPED] = "dropped",
};

const char *
gw_ticket_action_name(GwTicketAction action)
{
	return action_names[action];
}

static void
add_strv(GwDbParams *p, GPtrArray *array)
{
	g_ptr_array_add(array, NULL);
	gw_db_params_strv(p, (const char *const *)array->pdata);
	g_ptr_array_remove_index(array, array->len - 1);
}

static void
add_params(GwDbParams *p, gint64 raw_id, const char *internaldate,
	   const GwMail *mail, const GwVerdict *verdict,
	   const GwThreadKeys *keys, const GwTicketSettings *s,
	   const char *ack_suppressed)
{
	gw_db_params_int(p, raw_id);
	gw_db_params_text(p, s->prefix);
	gw_db_params_text(p, verdict->queue ? verdict->queue : s->queue);
	gw_db_params_text(p, verdict->priority);
	add_strv(p, verdict->tags);
	add_strv(p, verdict->matched);
	gw_db_params_bool(p, verdict->drop);
	gw_db_params_text(p, keys->ticket_number);
	add_strv(p, keys->refs);
	gw_db_params_text(p, gw_mail_message_id(mail));
	gw_db_params_text(p, gw_mail_in_reply_to(mail));
	gw_db_params_strv(p, gw_mail_references(mail));
	gw_db_params_text(p, gw_ticket_customer(mail, s->customer_reply_to)->address);
	gw_db_params_text(p, gw_ticket_customer(mail, s->customer_reply_to)->name);
	gw_db_params_text(p, gw_mail_subject(mail));
	gw_db_params_text(p, gw_mail_text(mail));
	gw_db_params_text(p, internaldate);
	gw_db_params_int(p, s->ack_within);
	gw_db_params_text(p, ack_suppressed);
	gw_db_params_text(p, s->rules_version);
}

const GwMailAddress *
gw_ticket_customer(const GwMail *mail, gboolean reply_to)
{
	static GwMailAddress none = { (char *)"", (char *)"" };
	GPtrArray *list = reply_to ? gw_mail_addresses(mail, "reply-to") : NULL;

	if (list == NULL || list->len == 0)
		list = gw_mail_addresses(mail, "from");
	if (list->len == 0)
		list = gw_mail_addresses(mail, "sender");
	return list->len ? list->pdata[0] : &none;
}

gboolean
gw_ticket_file(GwDb *db, gint64 raw_id, const char *internaldate,
	       const GwMail *mail, const GwVerdict *verdict,
	       const GwThreadKeys *keys, const GwTicketSettings *settings,
	       const char *ack_suppressed, GwFiled *filed_out, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	const char *action;

	add_params(p, raw_id, internaldate, mail, verdict, keys, settings,
		   ack_suppressed);
	res = gw_db_exec(db, sql_file, p, error);
	if (res == NULL)
		return FALSE;
	action = gw_db_result_text(res, 0, 0);
	memset(filed_out, 0, sizeof *filed_out);
	for (gsize i = 0; i < G_N_ELEMENTS(action_names); i++)
		if (g_strcmp0(action, action_names[i]) == 0)
			filed_out->action = (GwTicketAction)i;
	filed_out->ticket_id = gw_db_result_int(res, 0, 1);
	filed_out->ticket_number = g_strdup(gw_db_result_text(res, 0, 2));
	filed_out->message_row = gw_db_result_int(res, 0, 3);
	return TRUE;
}

void
gw_filed_clear(GwFiled *filed)
{
	g_clear_pointer(&filed->ticket_number, g_free);
}

gboolean
gw_ticket_record_routing(GwDb *db, gint64 raw_id, const GwVerdict *verdict,
			 const char *queue, const GwTicketSettings *settings,
			 const GwFiled *filed, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_int(p, raw_id);
	gw_db_params_text(p, settings->rules_version);
	add_strv(p, verdict->matched);
	gw_db_params_text(p, queue);
	gw_db_params_text(p, verdict->priority);
	add_strv(p, verdict->tags);
	gw_db_params_text(p, verdict->assignee);
	gw_db_params_text(p, verdict->template);
	gw_db_params_bool(p, verdict->no_ack);
	gw_db_params_bool(p, verdict->drop);
	add_strv(p, verdict->limit_hits);
	gw_db_params_int(p, filed->action == GW_TICKET_OPENED ? filed->ticket_id : 0);
	res = gw_db_exec(db, sql_routing, p, error);
	return res != NULL;
}

gboolean
gw_ticket_file_bounce(GwDb *db, gint64 raw_id, const char *internaldate,
		      const GwMail *mail, char **ticket_number_out,
		      GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_int(p, raw_id);
	gw_db_params_strv(p, gw_mail_original_ids(mail));
	gw_db_params_text(p, gw_mail_message_id(mail));
	gw_db_params_text(p, gw_mail_from_addr(mail));
	gw_db_params_text(p, gw_mail_subject(mail));
	gw_db_params_text(p, gw_mail_text(mail));
	gw_db_params_text(p, internaldate);
	res = gw_db_exec(db, sql_bounce, p, error);
	if (res == NULL)
		return FALSE;
	*ticket_number_out = g_strdup(gw_db_result_text(res, 0, 0));
	return TRUE;
}

static gboolean
add_attachment(GwDb *db, gint64 message_row, const GwMail *mail,
	       const GwMailPart *part, gboolean known, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	g_autoptr(GBytes) content = known ? NULL : gw_mail_part_content(mail, part);

	gw_db_params_int(p, message_row);
	gw_db_params_text(p, part->path);
	gw_db_params_text(p, part->filename);
	gw_db_params_text(p, part->content_type);
	gw_db_params_text(p, part->disposition);
	gw_db_params_text(p, part->content_id);
	gw_db_params_int(p, (gint64)part->size);
	gw_db_params_text(p, part->sha256);
	if (content != NULL)
		gw_db_params_bytes(p, content);
	else
		gw_db_params_text(p, NULL);
	res = gw_db_exec(db, sql_attachment, p, error);
	return res != NULL;
}

static gboolean
record_attachments(GwDb *db, gint64 message_row, const GwMail *mail,
		   GError **error)
{
	GPtrArray *parts = gw_mail_parts(mail);
	g_autoptr(GPtrArray) shas = g_ptr_array_new();
	g_autoptr(GwDbParams) p = NULL;
	g_autoptr(GwDbResult) res = NULL;
	g_autoptr(GHashTable) known = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < parts->len; i++) {
		GwMailPart *part = parts->pdata[i];

		if (part->attachment)
			g_ptr_array_add(shas, (gpointer)gw_mail_part_digest(mail, part));
	}
	if (shas->len == 0)
		return TRUE;
	g_ptr_array_add(shas, NULL);
	p = gw_db_params_new();
	gw_db_params_strv(p, (const char *const *)shas->pdata);
	res = gw_db_exec(db, sql_known_blobs, p, error);
	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++)
		g_hash_table_add(known, (gpointer)gw_db_result_text(res, r, 0));
	for (guint i = 0; i < parts->len; i++) {
		const GwMailPart *part = parts->pdata[i];
		gboolean have;

		if (!part->attachment)
			continue;
		have = g_hash_table_contains(known, part->sha256);
		if (!add_attachment(db, message_row, mail, part, have, error))
			return FALSE;
		/* Two parts of one message with the same content: once. */
		g_hash_table_add(known, part->sha256);
	}
	return TRUE;
}

gboolean
gw_ticket_record_parse(GwDb *db, gint64 message_row, const GwMail *mail,
		       GError **error)
{
	const char *const *limits = gw_mail_limits_hit(mail);
	const char *const *defects = gw_mail_defects(mail);
	GPtrArray *cc = gw_mail_addresses(mail, "cc");

	/* Cc'd people are the ticket's participants. */
	if (cc->len > 0) {
		g_autoptr(GwDbParams) p = gw_db_params_new();
		g_autoptr(GwDbResult) res = NULL;
		g_autoptr(GPtrArray) addrs = g_ptr_array_new();

		for (guint i = 0; i < cc->len; i++)
			g_ptr_array_add(addrs, ((GwMailAddress *)cc->pdata[i])->address);
		g_ptr_array_add(addrs, NULL);
		gw_db_params_int(p, message_row);
		gw_db_params_strv(p, (const char *const *)addrs->pdata);
		res = gw_db_exec(db, sql_cc, p, error);
		if (res == NULL)
			return FALSE;
	}

	if (*limits != NULL || *defects != NULL) {
		g_autoptr(GwDbParams) p = gw_db_params_new();
		g_autoptr(GwDbResult) res = NULL;

		gw_db_params_int(p, message_row);
		gw_db_params_strv(p, limits);
		gw_db_params_strv(p, defects);
		res = gw_db_exec(db, sql_record_parse, p, error);
		if (res == NULL)
			return FALSE;
	}
	return record_attachments(db, message_row, mail, error);
}

gboolean
gw_ticket_publish_settings(GwDb *db, const char *prefix,
			   const char *message_id_domain, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_text(p, prefix);
	gw_db_params_text(p, message_id_domain);
	res = gw_db_exec(db, sql_settings, p, error);
	return res != NULL;
}
