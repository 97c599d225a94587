/* survey.c - the satisfaction question: rendered here, queued in SQL.
 *
 * Owns the statements on plaint.satisfaction_due() and
 * plaint.ask_satisfaction().  Must never decide who is asked (the
 * database does, with the loop guard's record of each ticket's first
 * mail), and never send: the question goes out with the outbox, like
 * every other mail. */
#include "gw-survey.h"

#include "gw-ack.h"
#include "gw-json.h"

#define SURVEY_BATCH 100	/* questions rendered and queued per call */

static const char sql_due[] =
	"SELECT ticket_id, ticket, subject, queue, coalesce(name, email) "
	"FROM plaint.satisfaction_due($1::integer, $2::integer, $3::integer)";
static const char sql_ask[] =
	"SELECT ticket, outbox_id, recipient "
	"FROM plaint.ask_satisfaction($1::jsonb, $2::integer, $3::integer)";

/* The built-in question, as packaging/survey-default.txt has it. */
static const char default_subject[] = "[{ticket}] How did we do?";
static const char default_body[] =
	"Hello {name},\n"
	"\n"
	"your ticket {ticket}, \"{subject}\", has been resolved.\n"
	"\n"
	"How did we do?  Please answer this message with a number from\n"
	"1 (very poor) to 5 (very good), and a few words if you like, for\n"
	"example:\n"
	"\n"
	"  4 - quick and kind\n"
	"\n"
	"Your answer goes to the team that served you.  If the matter is not\n"
	"settled after all, say so in your answer and we will take it up again.\n"
	"\n"
	"-- \n"
	"This question was sent automatically, once for this ticket.\n";

void
gw_survey_asked_free(GwSurveyAsked *asked)
{
	if (asked == NULL)
		return;
	g_free(asked->ticket);
	g_free(asked->recipient);
	g_free(asked);
}

/* The question of row r of the due tickets, as one JSON object. */
static void
add_question(GwJson *j, const GwSurveySettings *s, const GwDbResult *due,
	     int r)
{
	GwAckValues values = {
		gw_db_result_text(due, r, 1), gw_db_result_text(due, r, 2),
		gw_db_result_text(due, r, 4), gw_db_result_text(due, r, 3), NULL,
		s->team,
	};
	g_autofree char *subject = NULL, *body = NULL, *html = NULL, *id = NULL;

	gw_ack_render(s->subject ? s->subject : default_subject,
		      s->body ? s->body : default_body, &values,
		      &subject, &body);
	if (s->html != NULL)
		html = gw_ack_render_html(s->html, &values);
	id = gw_ack_new_message_id(s->message_id_domain);
	gw_json_begin_object(j);
	gw_json_member_int(j, "ticket_id", gw_db_result_int(due, r, 0));
	gw_json_member_string(j, "subject", subject);
	gw_json_member_string(j, "body", body);
	gw_json_member_string(j, "body_html", html);
	gw_json_member_string(j, "message_id", id);
	gw_json_end_object(j);
}

/* Renders the due questions and queues them; asked gets what was. */
static gboolean
ask(GwDb *db, const GwSurveySettings *s, GPtrArray *asked, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbParams) q = gw_db_params_new();
	g_autoptr(GwDbResult) due = NULL, done = NULL;
	GwJson *j;

	gw_db_params_int(p, s->ask_after);
	gw_db_params_int(p, s->quiet_days);
	gw_db_params_int(p, SURVEY_BATCH);
	due = gw_db_exec(db, sql_due, p, error);
	if (due == NULL)
		return FALSE;
	if (gw_db_result_rows(due) == 0)
		return TRUE;
	j = gw_json_new();
	gw_json_begin_array(j);
	for (int r = 0; r < gw_db_result_rows(due); r++)
		add_question(j, s, due, r);
	gw_json_end_array(j);
	gw_db_params_take_json(q, j);
	gw_db_params_int(q, s->ask_after);
	gw_db_params_int(q, s->quiet_days);
	done = gw_db_exec(db, sql_ask, q, error);
	if (done == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(done); r++) {
		GwSurveyAsked *a = g_new0(GwSurveyAsked, 1);

		a->ticket = g_strdup(gw_db_result_text(done, r, 0));
		a->outbox_id = gw_db_result_int(done, r, 1);
		a->recipient = g_strdup(gw_db_result_text(done, r, 2));
		g_ptr_array_add(asked, a);
	}
	return TRUE;
}

gboolean
gw_survey_ask(GwDb *db, const GwSurveySettings *settings, GPtrArray *asked,
	      GError **error)
{
	guint before = asked->len;

	if (!gw_db_begin(db, error))
		return FALSE;
	if (ask(db, settings, asked, error) && gw_db_commit(db, error))
		return TRUE;
	gw_db_rollback(db);
	g_ptr_array_set_size(asked, before);
	return FALSE;
}
