/* ticket.c - files one message through plaint.file_message().
 *
 * Owns no state.  The SQL function holds the rules of a ticket's life
 * so that the gateway and agents' tools share one code path; this
 * module gathers the facts (the parsed message and the decision on it)
 * and passes them as one jsonb parameter, written by gw-json.h, with
 * the texts of the messages beside it as text[], never formatted into
 * the statement. */
#include "gw-ticket.h"

#include <string.h>

#include "gw-config.h"
#include "gw-json.h"
#include "gw-quote.h"

static const char sql_file[] =
	"SELECT raw_id, action, ticket_id, ticket_number, message_row, "
	"ack_suppressed, note "
	"FROM plaint.file_messages($1::jsonb, $2::text[], $3::text[])";
static const char sql_known_blobs[] =
	"SELECT plaint.known_blobs($1::text[])";
static const char sql_attachment[] =
	"SELECT plaint.add_attachment($1, $2, $3, $4, $5, $6, $7, $8, $9)";

static const char sql_seed_queues[] =
	"SELECT queue, changed FROM plaint.seed_queues($1::jsonb, $2::integer)";
static const char sql_refresh_statistics[] =
	"SELECT relation, pages_before, pages FROM plaint.refresh_statistics()";
/* The deadline plaint.overdue holds a ticket to (first_response_due_at
 * of plaint.open_tickets: the queue's first_response from the earliest
 * inbound message, in its open hours), the zone to say it in, and the
 * team of the queue that answers.  Straight from the tables: the view
 * computes every other column of each ticket too.  A queue without
 * hours is always open, and plaint.deadline() would only add: that sum
 * is made here, without a call per ticket. */
static const char sql_response_due[] =
	"SELECT t.number, extract(epoch FROM CASE WHEN q.hours_days IS NULL "
	"  THEN coalesce(i.start, t.created_at) + q.first_response "
	"  ELSE plaint.deadline(q.name, coalesce(i.start, t.created_at), "
	"                       q.first_response) END)::float8::text, "
	"  q.hours_tz, q.team "
	"FROM plaint.tickets t JOIN plaint.queues q ON q.name = t.queue "
	"CROSS JOIN LATERAL (SELECT min(coalesce(m.received_at, m.created_at)) AS start "
	"  FROM plaint.messages m WHERE m.ticket_id = t.id AND m.direction = 'in') i "
	"WHERE t.number = ANY ($1::text[]) AND t.status IN ('new', 'open', 'pending')";
static const char sql_check_overdue[] =
	"SELECT ticket, kind, due_at::text, coalesce(outbox_id, 0) "
	"FROM plaint.check_overdue()";
static const char sql_settings[] =
	"INSERT INTO plaint.settings (key, value) "
	"VALUES ('ticket_prefix', upper($1)), ('message_id_domain', $2) "
	"ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value";


static const char *const action_names[] = {
	[GW_TICKET_OPENED] = "opened",
	[GW_TICKET_THREADED] = "threaded",
	[GW_TICKET_DUPLICATE] = "duplicate",
	[GW_TICKET_DROPPED] = "dropped",
	[GW_TICKET_BOUNCE] = "bounce",
};

const char *
gw_ticket_action_name(GwTicketAction action)
{
	return action_names[action];
}

/* value, or NULL when it is "" (a header that was absent). */
static const char *
or_null(const char *value)
{
	return value != NULL && *value != '\0' ? value : NULL;
}

static void
add_array(GwJson *j, const char *key, GPtrArray *a)
{
	gw_json_member_strv(j, key, (const char *const *)a->pdata, a->len);
}

static void
add_addresses(GwJson *j, const char *key, GPtrArray *list)
{
	gw_json_key(j, key);
	gw_json_begin_array(j);
	for (guint i = 0; list != NULL && i < list->len; i++)
		gw_json_string(j, ((GwMailAddress *)list->pdata[i])->address);
	gw_json_end_array(j);
}

static const char *const bounce_names[] = {
	[GW_BOUNCE_NONE] = NULL,
	[GW_BOUNCE_REPORT] = "report",
	[GW_BOUNCE_CANDIDATE] = "candidate",
};

/* The message as it was parsed: plaint.inbound's fields of the mail,
 * but its texts (body, and body_new, its own text), which go beside. */
static void
add_mail(GwJson *j, const GwMail *mail, const char *body_new,
	 const GwTicketSettings *s)
{
	const GwMailAddress *customer = gw_ticket_customer(mail, s->customer_reply_to);
	g_autofree char *shape = gw_ack_shape_of_new_text(body_new);

	gw_json_member_string(j, "message_id", or_null(gw_mail_message_id(mail)));
	gw_json_member_string(j, "fingerprint", gw_mail_fingerprint(mail));
	gw_json_member_string(j, "in_reply_to", or_null(gw_mail_in_reply_to(mail)));
	gw_json_member_strv(j, "references", gw_mail_references(mail), G_MAXUINT);
	gw_json_member_string(j, "from_addr", or_null(customer->address));
	gw_json_member_string(j, "from_name", or_null(customer->name));
	add_addresses(j, "cc", gw_mail_addresses(mail, "cc"));
	gw_json_member_string(j, "subject", gw_mail_subject(mail));
	gw_json_member_string(j, "shape", shape);
	gw_json_member_strv(j, "limits", gw_mail_limits_hit(mail), G_MAXUINT);
	gw_json_member_strv(j, "defects", gw_mail_defects(mail), G_MAXUINT);
	gw_json_member_strv(j, "original_ids", gw_mail_original_ids(mail), G_MAXUINT);
}

/* What was decided about it: plaint.inbound's other fields. */
static void
add_decision(GwJson *j, const GwDecision *d, const GwThreadKeys *keys,
	     const GwTicketSettings *s)
{
	const GwVerdict *v = &d->verdict;

	gw_json_member_string(j, "tag_number", keys->ticket_number);
	add_array(j, "refs", keys->refs);
	gw_json_member_string(j, "bounce", bounce_names[d->bounce]);
	gw_json_member_string(j, "prefix", s->prefix);
	gw_json_member_string(j, "queue", d->queue);
	gw_json_member_string(j, "priority", v->priority);
	add_array(j, "tags", v->tags);
	add_array(j, "rules", v->matched);
	gw_json_member_string(j, "rules_version", s->rules_version);
	gw_json_member_string(j, "assignee", v->assignee);
	gw_json_member_string(j, "template", v->template);
	gw_json_member_bool(j, "no_ack", v->no_ack);
	gw_json_member_bool(j, "drop", v->drop);
	gw_json_member_string(j, "dropped_by", v->drop_rule);
	add_array(j, "limit_hits", v->limit_hits);
	gw_json_member_string(j, "ack_suppressed", gw_ack_reason_name(d->ack));
	gw_json_member_int(j, "ack_within", s->ack_within);
	gw_json_member_int(j, "respond_within", s->respond_within);
	gw_json_member_int(j, "ack_rate_limit", s->ack_rate_limit);
	gw_json_member_int(j, "ack_rate_window", s->ack_rate_window);
	gw_json_member_int(j, "domain_rate_limit", s->domain_rate_limit);
	gw_json_member_int(j, "domain_rate_window", s->domain_rate_window);
	gw_json_member_strv(j, "domain_rate_exempt", s->domain_rate_exempt, G_MAXUINT);
	gw_json_member_int(j, "similar_rate_limit", s->similar_rate_limit);
	gw_json_member_int(j, "repeat_tickets", s->repeat_tickets);
	gw_json_member_int(j, "repeat_days", s->repeat_days);
	gw_json_member_string(j, "tag_from_strangers", s->tag_from_strangers);
}

/* The score a reply's own text (own) starts with, for the satisfaction
 * question its ticket may await (the database decides whether it
 * does); a new complaint answers nothing. */
static void
add_answer(GwJson *j, const char *own, const GwThreadKeys *keys,
	   const GwTicketSettings *s)
{
	g_autofree char *comment = NULL;
	int score;

	gw_json_member_string(j, "low_score_queue", s->low_score_queue);
	if (keys->refs->len == 0 && keys->ticket_number == NULL)
		return;
	if (!gw_quote_score(own, &score, &comment))
		return;
	gw_json_member_int(j, "answer_score", score);
	gw_json_member_string(j, "answer_comment", comment);
}

/* The facts plaint.file_message() files, one JSON object each; the
 * texts of each go to bodies and bodies_new (n each, the second owning
 * its strings), passed apart: as JSON, each text would be escaped here
 * and parsed there. */
static GwJson *
facts_json(const GwTicketFacts *facts, guint n, const char **bodies,
	   GPtrArray *bodies_new)
{
	GwJson *j = gw_json_new();

	gw_json_begin_array(j);
	for (guint i = 0; i < n; i++) {
		const GwTicketFacts *f = &facts[i];

		bodies[i] = gw_mail_text(f->mail);
		g_ptr_array_add(bodies_new, gw_quote_new_text(bodies[i]));
		gw_json_begin_object(j);
		gw_json_member_int(j, "raw_id", f->raw_id);
		gw_json_member_string(j, "received_at", f->internaldate);
		add_mail(j, f->mail, bodies_new->pdata[i], &f->settings);
		add_decision(j, f->decision, f->keys, &f->settings);
		add_answer(j, bodies_new->pdata[i], f->keys, &f->settings);
		gw_json_end_object(j);
	}
	gw_json_end_array(j);
	return j;
}

const GwMailAddress *
gw_ticket_customer(const GwMail *mail, gboolean reply_to)
{
	static GwMailAddress none = { (char *)"", (char *)"" };
	GPtrArray *list = reply_to ? gw_mail_addresses(mail, "reply-to") : NULL;

	/* Who else can be answered, when From names nobody. */
	static const char *const fallbacks[] = {
		"from", "sender", "reply-to", "return-path",
	};

	for (gsize i = 0; (list == NULL || list->len == 0) && i < G_N_ELEMENTS(fallbacks); i++) {
		list = gw_mail_addresses(mail, fallbacks[i]);
		if (list != NULL && list->len > 0 &&
		    *((GwMailAddress *)list->pdata[0])->address == '\0')
			list = NULL;	/* the null path <> names nobody */
	}
	return list != NULL && list->len ? list->pdata[0] : &none;
}

gboolean
gw_ticket_file(GwDb *db, const GwTicketFacts *facts, guint n,
	       GwFiled *filed_out, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	g_autofree const char **bodies = g_new0(const char *, n + 1);
	g_autoptr(GPtrArray) bodies_new = g_ptr_array_new_full(n, g_free);

	gw_db_params_take_json(p, facts_json(facts, n, bodies, bodies_new));
	gw_db_params_text_array(p, bodies, n);
	gw_db_params_text_array(p, (const char *const *)bodies_new->pdata, n);
	res = gw_db_exec(db, sql_file, p, error);
	if (res == NULL)
		return FALSE;
	if ((guint)gw_db_result_rows(res) != n) {
		g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_QUERY,
			    "plaint.file_messages filed %d of %u messages",
			    gw_db_result_rows(res), n);
		return FALSE;
	}
	for (guint r = 0; r < n; r++) {
		GwFiled *filed = &filed_out[r];
		const char *action = gw_db_result_text(res, (int)r, 1);

		memset(filed, 0, sizeof *filed);
		for (gsize i = 0; i < G_N_ELEMENTS(action_names); i++)
			if (g_strcmp0(action, action_names[i]) == 0)
				filed->action = (GwTicketAction)i;
		filed->ticket_id = gw_db_result_int(res, (int)r, 2);
		filed->ticket_number = g_strdup(gw_db_result_text(res, (int)r, 3));
		filed->message_row = gw_db_result_int(res, (int)r, 4);
		filed->ack_suppressed = g_strdup(gw_db_result_text(res, (int)r, 5));
		filed->note = g_strdup(gw_db_result_text(res, (int)r, 6));
	}
	return TRUE;
}

void
gw_filed_clear(GwFiled *filed)
{
	g_clear_pointer(&filed->ticket_number, g_free);
	g_clear_pointer(&filed->ack_suppressed, g_free);
	g_clear_pointer(&filed->note, g_free);
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

gboolean
gw_ticket_record_attachments(GwDb *db, gint64 message_row, const GwMail *mail,
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

/* One [queue NAME] as plaint.seed_queues() reads it: only what it sets. */
static void
add_queue(GwJson *j, const GwQueueConfig *q)
{
	const GwHours *h = &q->hours;

	gw_json_begin_object(j);
	gw_json_member_string(j, "name", q->name);
	if (q->ack_within > 0)
		gw_json_member_int(j, "ack_within", q->ack_within);
	if (q->respond_within > 0)
		gw_json_member_int(j, "first_response", q->respond_within);
	if (q->resolve_within > 0)
		gw_json_member_int(j, "resolve_within", q->resolve_within);
	if (q->escalate_to != NULL)
		gw_json_member_string(j, "escalate_to", q->escalate_to);
	if (q->team != NULL)
		gw_json_member_string(j, "team", q->team);
	if (h->set && h->always) {
		gw_json_member_string(j, "hours", "always");
	} else if (h->set) {
		g_autofree char *start = g_strdup_printf("%02d:%02d", h->start / 60, h->start % 60);
		g_autofree char *end = g_strdup_printf("%02d:%02d", h->end / 60, h->end % 60);

		gw_json_key(j, "hours");
		gw_json_begin_object(j);
		gw_json_key(j, "days");
		gw_json_begin_array(j);
		for (int d = 1; d <= 7; d++)
			if (h->days & (1 << d))
				gw_json_int(j, d);
		gw_json_end_array(j);
		gw_json_member_string(j, "start", start);
		gw_json_member_string(j, "end", end);
		gw_json_member_string(j, "tz", h->tz);
		gw_json_end_object(j);
	}
	gw_json_end_object(j);
}

gboolean
gw_ticket_seed_queues(GwDb *db, const GPtrArray *queues, int respond_within,
		      GPtrArray *changes_out, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	GwJson *j;
	g_autoptr(GwDbResult) res = NULL;

	if (queues->len == 0)
		return TRUE;
	j = gw_json_new();
	gw_json_begin_array(j);
	for (guint i = 0; i < queues->len; i++)
		add_queue(j, queues->pdata[i]);
	gw_json_end_array(j);
	gw_db_params_take_json(p, j);
	gw_db_params_int(p, respond_within);
	res = gw_db_exec(db, sql_seed_queues, p, error);
	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++)
		g_ptr_array_add(changes_out, g_strdup_printf(
			"queue=%s %s", gw_db_result_text(res, r, 0),
			gw_db_result_text(res, r, 1)));
	return TRUE;
}

gboolean
gw_ticket_refresh_statistics(GwDb *db, char **analyzed_out, GError **error)
{
	g_autoptr(GwDbResult) res = gw_db_exec(db, sql_refresh_statistics, NULL, error);
	g_autoptr(GString) s = g_string_new(NULL);

	*analyzed_out = NULL;
	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++)
		g_string_append_printf(s, "%s%s=%s>%s", r > 0 ? " " : "",
				       gw_db_result_text(res, r, 0),
				       gw_db_result_text(res, r, 1),
				       gw_db_result_text(res, r, 2));
	if (s->len > 0)
		*analyzed_out = g_string_free(g_steal_pointer(&s), FALSE);
	return TRUE;
}

gboolean
gw_ticket_response_due(GwDb *db, const char *const *numbers, guint n,
		       double *due_out, char **tz_out, char **team_out,
		       GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	g_autoptr(GHashTable) index = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree const char **strv = g_new0(const char *, n + 1);

	for (guint i = 0; i < n; i++) {
		due_out[i] = 0;
		tz_out[i] = NULL;
		team_out[i] = NULL;
		strv[i] = numbers[i];
		g_hash_table_insert(index, (gpointer)numbers[i], GUINT_TO_POINTER(i + 1));
	}
	gw_db_params_strv(p, strv);
	res = gw_db_exec(db, sql_response_due, p, error);
	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		guint i = GPOINTER_TO_UINT(g_hash_table_lookup(
			index, gw_db_result_text(res, r, 0)));
		const char *due = gw_db_result_text(res, r, 1);

		if (i == 0)
			continue;
		g_free(team_out[i - 1]);
		team_out[i - 1] = g_strdup(gw_db_result_text(res, r, 3));
		if (due == NULL)
			continue;
		due_out[i - 1] = g_ascii_strtod(due, NULL);
		g_free(tz_out[i - 1]);
		tz_out[i - 1] = g_strdup(gw_db_result_text(res, r, 2));
	}
	return TRUE;
}

void
gw_breach_free(GwBreach *breach)
{
	if (breach == NULL)
		return;
	g_free(breach->ticket);
	g_free(breach->kind);
	g_free(breach->due_at);
	g_free(breach);
}

gboolean
gw_ticket_check_overdue(GwDb *db, GPtrArray *breaches, GError **error)
{
	g_autoptr(GwDbResult) res = gw_db_exec(db, sql_check_overdue, NULL, error);

	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		GwBreach *b = g_new0(GwBreach, 1);

		b->ticket = g_strdup(gw_db_result_text(res, r, 0));
		b->kind = g_strdup(gw_db_result_text(res, r, 1));
		b->due_at = g_strdup(gw_db_result_text(res, r, 2));
		b->outbox_id = gw_db_result_int(res, r, 3);
		g_ptr_array_add(breaches, b);
	}
	return TRUE;
}
