/* gw-ticket.h - files a parsed message: a duplicate, a bounce of
 * plaint's mail, dropped, threaded onto its ticket or a new ticket; the
 * outcome is recorded on its raw row.
 *
 * All of it happens in one SQL function, plaint.file_message(), that
 * holds the rules of a ticket's life; this module only gathers its
 * facts.  Runs inside the caller's transaction. */
#pragma once

#include "gw-db.h"
#include "gw-decide.h"
#include "gw-mail.h"
#include "gw-thread.h"

typedef enum {
	GW_TICKET_OPENED,	/* a new ticket */
	GW_TICKET_THREADED,	/* added to an existing ticket */
	GW_TICKET_DUPLICATE,	/* the same message was filed before */
	GW_TICKET_DROPPED,	/* a rule said drop: stored, no ticket */
	GW_TICKET_BOUNCE,	/* a report of plaint's mail: on its ticket */
} GwTicketAction;

typedef struct {
	const char *prefix;		/* ticket numbers: PREFIX-1042 */
	int ack_within;			/* seconds, unless the queue has its own */
	int respond_within;		/* seconds: first_response of a queue
					 * this message makes */
	const char *rules_version;
	gboolean customer_reply_to;	/* see gw_ticket_customer() */
	const char *tag_from_strangers;	/* "thread" or "new" */
	int ack_rate_limit;		/* per address and window; 0: none */
	int ack_rate_window;		/* seconds */
	int domain_rate_limit;		/* per domain and window; 0: none */
	int domain_rate_window;		/* seconds */
	const char *const *domain_rate_exempt;	/* spared domains */
	int similar_rate_limit;		/* mail of one shape per domain */
	const char *low_score_queue;	/* where a satisfaction answer of 1
					 * or 2 moves its ticket; NULL: stays */
	int repeat_tickets;		/* a customer's tickets in repeat_days
					 * that make a repeat complaint; 0:
					 * not counted */
	int repeat_days;
} GwTicketSettings;

/* Who the customer of mail is: the first Reply-To address when
 * reply_to is set and there is one, else From, else Sender, Reply-To or
 * Return-Path; an address "" when the mail names nobody (lent). */
const GwMailAddress *gw_ticket_customer(const GwMail *mail, gboolean reply_to);

typedef struct {
	GwTicketAction action;
	gint64 ticket_id;		/* 0 when dropped */
	char *ticket_number;		/* NULL when dropped */
	gint64 message_row;		/* plaint.messages id (of the earlier
					 * copy for a duplicate), 0 if none */
	char *ack_suppressed;		/* why no acknowledgement may go out,
					 * as recorded; NULL: one may, if the
					 * ticket was opened */
	char *note;			/* an unusual outcome, said in words
					 * (a reused Message-ID, a tag from a
					 * stranger), or NULL */
} GwFiled;

/* One message to file: its raw row, when the server received it (may be
 * NULL), the parsed mail, the decision on it and its thread keys. */
typedef struct {
	gint64 raw_id;
	const char *internaldate;
	const GwMail *mail;
	const GwDecision *decision;
	const GwThreadKeys *keys;
	GwTicketSettings settings;
} GwTicketFacts;

/* Files the n messages of facts, in order, in one round trip;
 * filed_out[i] is what became of facts[i] (gw_filed_clear each). */
gboolean gw_ticket_file(GwDb *db, const GwTicketFacts *facts, guint n,
			GwFiled *filed_out, GError **error);
void gw_filed_clear(GwFiled *filed);

/* Writes the settings SQL functions such as plaint.reply() read: the
 * ticket prefix and the Message-ID domain (autocommit). */
gboolean gw_ticket_publish_settings(GwDb *db, const char *prefix,
				    const char *message_id_domain, GError **error);

/* Writes the SLA keys each [queue NAME] of queues (GwQueueConfig*) sets
 * into plaint.queues (plaint.seed_queues), leaving the others alone; a
 * queue it makes gets first_response = respond_within seconds unless
 * its section gives one.  Appends to changes_out one "queue=NAME WHAT"
 * line for each queue it changed (autocommit). */
gboolean gw_ticket_seed_queues(GwDb *db, const GPtrArray *queues,
			       int respond_within, GPtrArray *changes_out,
			       GError **error);

/* Analyzes the tables filing writes to that grew far past what their
 * statistics say (plaint.refresh_statistics), so that every session
 * plans its statements again.  *analyzed_out: what was analyzed, as
 * "TABLE=PAGES_BEFORE>PAGES ...", or NULL if nothing was (autocommit). */
gboolean gw_ticket_refresh_statistics(GwDb *db, char **analyzed_out, GError **error);

/* When a person's first answer to each of the n tickets numbers is
 * due: plaint.open_tickets' first_response_due_at, the queue's SLA in
 * its business hours.  due_out[i]: seconds since 1970, 0 if unknown;
 * tz_out[i]: the queue's time zone, team_out[i] its team (queues.team),
 * or NULL (caller frees each). */
gboolean gw_ticket_response_due(GwDb *db, const char *const *numbers, guint n,
				double *due_out, char **tz_out, char **team_out,
				GError **error);

/* A deadline a ticket missed, found now by plaint.check_overdue(). */
typedef struct {
	char *ticket;		/* CMP-1042 */
	char *kind;		/* ack, first_response or resolution */
	char *due_at;		/* as PostgreSQL writes a timestamptz */
	gint64 outbox_id;	/* the escalation mail queued, 0 if none */
} GwBreach;

void gw_breach_free(GwBreach *breach);

/* Runs plaint.check_overdue() (autocommit): each newly missed deadline
 * is recorded once, notified on plaint_overdue and escalated by mail if
 * its queue says to.  Appends a GwBreach* to breaches (which frees them
 * with gw_breach_free) for each one found now. */
gboolean gw_ticket_check_overdue(GwDb *db, GPtrArray *breaches, GError **error);

/* Records the attachments of the filed message message_row, storing
 * their contents once per sha256.  No statement at all for a message
 * without attachments. */
gboolean gw_ticket_record_attachments(GwDb *db, gint64 message_row,
				      const GwMail *mail, GError **error);

const char *gw_ticket_action_name(GwTicketAction action);
