/* gw-ticket.h - files a parsed message: threads it onto its ticket or
 * opens one, records the message and an event, marks the raw row done.
 *
 * All of it happens in one SQL function, plaint.file_message(), that
 * agents' tools share; this module only gathers its parameters.  Runs
 * inside the caller's transaction. */
#pragma once

#include "gw-db.h"
#include "gw-mail.h"
#include "gw-rules.h"
#include "gw-thread.h"

typedef enum {
	GW_TICKET_OPENED,	/* a new ticket */
	GW_TICKET_THREADED,	/* added to an existing ticket */
	GW_TICKET_DUPLICATE,	/* this Message-ID was filed before */
	GW_TICKET_DROPPED,	/* a rule said drop: stored, no ticket */
} GwTicketAction;

typedef struct {
	const char *prefix;		/* ticket numbers: PREFIX-1042 */
	const char *queue;		/* when no rule chose one */
	int ack_within;			/* seconds */
	const char *rules_version;
	gboolean customer_reply_to;	/* see gw_ticket_customer() */
} GwTicketSettings;

/* Who the customer of mail is: the first Reply-To address when
 * reply_to is set and there is one, else From (lent). */
const GwMailAddress *gw_ticket_customer(const GwMail *mail, gboolean reply_to);

typedef struct {
	GwTicketAction action;
	gint64 ticket_id;		/* 0 when dropped */
	char *ticket_number;		/* NULL when dropped */
	gint64 message_row;		/* plaint.messages id, 0 if none */
} GwFiled;

/* ack_suppressed: why no acknowledgement may go out (recorded on the
 * message), or NULL. */
gboolean gw_ticket_file(GwDb *db, gint64 raw_id, const char *internaldate,
			const GwMail *mail, const GwVerdict *verdict,
			const GwThreadKeys *keys,
			const GwTicketSettings *settings,
			const char *ack_suppressed, GwFiled *filed_out,
			GError **error);
void gw_filed_clear(GwFiled *filed);

/* Writes the settings SQL functions such as plaint.reply() read: the
 * ticket prefix and the Message-ID domain (autocommit). */
gboolean gw_ticket_publish_settings(GwDb *db, const char *prefix,
				    const char *message_id_domain, GError **error);

/* Records what parsing found on the filed message message_row: limits
 * reached and defects (if any), and the attachments, whose contents are
 * stored once per sha256.  No statement at all for a plain message. */
gboolean gw_ticket_record_parse(GwDb *db, gint64 message_row,
				const GwMail *mail, GError **error);

/* Files a bounce or report: linked to the ticket of plaint's own mail it
 * names (*ticket_number_out, caller frees), else kept without a ticket
 * (*ticket_number_out NULL).  Never opens a ticket. */
gboolean gw_ticket_file_bounce(GwDb *db, gint64 raw_id, const char *internaldate,
			       const GwMail *mail, char **ticket_number_out,
			       GError **error);

/* Records how verdict routed raw_id (queue: the one used), by the rule
 * set of settings->rules_version; a ticket filed opened gets the
 * verdict's assignee.  In the caller's transaction. */
gboolean gw_ticket_record_routing(GwDb *db, gint64 raw_id,
				  const GwVerdict *verdict, const char *queue,
				  const GwTicketSettings *settings,
				  const GwFiled *filed, GError **error);
const char *gw_ticket_action_name(GwTicketAction action);
