/* gw-survey.h - the satisfaction question asked on resolution.
 *
 * Which tickets are due a question, when and to whom, is the
 * database's to say (plaint.satisfaction_due); this module renders the
 * question from its template for each of them and hands the batch back
 * (plaint.ask_satisfaction), which checks each one again and queues it
 * in the outbox, kind survey.  The answer is read where mail is filed
 * (gw_quote_score) and recorded by plaint.file_message(). */
#pragma once

#include "gw-db.h"

typedef struct {
	int ask_after;			/* seconds after the resolution */
	int quiet_days;			/* one question per customer in as many days */
	const char *subject;		/* the template's Subject, or NULL: built in */
	const char *body;		/* its body, or NULL: built in */
	const char *html;		/* its HTML alternative, or NULL: none */
	const char *message_id_domain;
	const char *team;		/* {team}: the name of plaint's From */
} GwSurveySettings;

/* A question queued now. */
typedef struct {
	char *ticket;			/* CMP-1042 */
	gint64 outbox_id;
	char *recipient;
} GwSurveyAsked;

void gw_survey_asked_free(GwSurveyAsked *asked);

/* In one transaction of its own: the questions due now (at most a
 * hundred a call), rendered and queued; appends a GwSurveyAsked* to
 * asked (which frees them with gw_survey_asked_free) for each one
 * queued.  On failure nothing is queued. */
gboolean gw_survey_ask(GwDb *db, const GwSurveySettings *settings,
		       GPtrArray *asked, GError **error);
