/* gw-outbox.h - every outgoing mail, from queueing to the SMTP reply.
 *
 * Acknowledgements are queued in the transaction that files their
 * message (T2), with their Message-ID fixed then; agents' replies are
 * queued by plaint.reply().  Sending (T3) leases due rows earliest
 * deadline first and commits, sends outside any transaction, then
 * records the outcome; retries back off in SQL. */
#pragma once

#include "gw-db.h"

typedef struct {
	gint64 ticket_id;
	gint64 reply_to_row;		/* the plaint.messages row answered */
	const char *recipient;
	const char *subject;
	const char *body;
	const char *message_id;		/* without <> */
	const char *in_reply_to;	/* without <>, or NULL */
	const char *const *references;	/* NULL-terminated, or NULL */
} GwAckRequest;

typedef struct {
	gint64 id;
	char *kind;			/* "ack" or "reply" */
	char *recipient;
	char *subject;
	char *body;
	char *message_id;
	char *in_reply_to;		/* NULL if none */
	char **references;		/* NULL-terminated */
	int attempts;			/* including this one */
} GwOutboxRow;

void gw_outbox_row_free(GwOutboxRow *row);

/* Queues the n acknowledgements in one round trip; a ticket that has
 * one already gets none (exactly once is a UNIQUE constraint).
 * *queued_out: how many were queued. */
gboolean gw_outbox_enqueue_acks(GwDb *db, const GwAckRequest *acks, guint n,
				guint *queued_out, GError **error);

/* Leases up to limit due rows for lease_secs (autocommit); appends
 * GwOutboxRow* to rows, which frees them with gw_outbox_row_free. */
gboolean gw_outbox_claim_due(GwDb *db, int limit, int lease_secs,
			     GPtrArray *rows, GError **error);
gboolean gw_outbox_mark_sent(GwDb *db, gint64 id, const char *smtp_reply,
			     GError **error);
/* A temporary failure: try again after a backoff that grows with the
 * attempts, up to an hour. */
gboolean gw_outbox_mark_retry(GwDb *db, gint64 id, const char *why,
			      GError **error);
/* A permanent failure (5xx): recorded once, never retried. */
gboolean gw_outbox_mark_failed(GwDb *db, gint64 id, const char *why,
			       GError **error);
