/* gw-outbox.h - every outgoing mail, from queueing to the SMTP reply.
 *
 * Acknowledgements are queued in the transaction that files their
 * message (T2), with their Message-ID fixed then; agents' replies are
 * queued by plaint.reply().  Sending (T3) claims due rows earliest
 * deadline first and commits, sends outside any transaction, then
 * records the outcome; retries are timed in SQL, against the deadline. */
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
	const char *body_html;		/* its HTML alternative, or NULL */
} GwAckRequest;

typedef struct {
	gint64 id;
	char *kind;			/* "ack", "reply", "escalation" or "survey" */
	char *recipient;
	char *subject;
	char *body;
	char *message_id;
	char *in_reply_to;		/* NULL if none */
	char **references;		/* NULL-terminated */
	int attempts;			/* including this one */
	double due;			/* the deadline, seconds since 1970 */
	char *body_html;		/* the HTML alternative, or NULL */
	char **cc;			/* NULL-terminated, maybe empty */
	int n_files;			/* attachments (gw_outbox_files) */
	char *from_name;		/* who it speaks for in From, as
					 * plaint.from_name() says, or NULL */
} GwOutboxRow;

void gw_outbox_row_free(GwOutboxRow *row);

/* An attachment of an outgoing mail, as plaint.outbox_attachments
 * names it, with its bytes from plaint.blobs. */
typedef struct {
	char *filename;
	char *content_type;
	GBytes *content;
} GwOutboxFile;

void gw_outbox_file_free(GwOutboxFile *file);

#define GW_OUTBOX_ERROR (gw_outbox_error_quark())
GQuark gw_outbox_error_quark(void);
typedef enum {
	GW_OUTBOX_ERROR_FILE_GONE,	/* a blob was emptied since it was
					 * queued: the mail can never go */
} GwOutboxError;

/* Queues the n acknowledgements in one round trip; a ticket that has
 * one already gets none (exactly once is a UNIQUE constraint).
 * *queued_out: how many were queued. */
gboolean gw_outbox_enqueue_acks(GwDb *db, const GwAckRequest *acks, guint n,
				guint *queued_out, GError **error);

/* Claims up to limit due rows for this session, which must be a
 * registered worker (gw_store_register_worker), autocommit; appends
 * GwOutboxRow* to rows, earliest deadline first (rows frees them with
 * gw_outbox_row_free). */
gboolean gw_outbox_claim_due(GwDb *db, int limit, GPtrArray *rows,
			     GError **error);
/* The same in two steps, so that the claim runs while the caller sends:
 * ..._ahead sends it without waiting (leaving out the rows of besides, a
 * gint64 GArray or NULL: those claimed before and not yet recorded), and
 * gw_outbox_claimed reads its rows, before any other statement on db. */
gboolean gw_outbox_claim_ahead(GwDb *db, int limit, const GArray *besides,
			       GError **error);
gboolean gw_outbox_claimed(GwDb *db, GPtrArray *rows, GError **error);
/* Appends the GwOutboxFile* of row id to files (which frees them with
 * gw_outbox_file_free), in order.  GW_OUTBOX_ERROR_FILE_GONE: a file's
 * content was removed (retention, erasure) or is not the size it was
 * queued with; other errors are the database's. */
gboolean gw_outbox_files(GwDb *db, gint64 id, GPtrArray *files,
			 GError **error);
/* Records that the server accepted the rows of ids (gint64), with its
 * replies (char*, parallel), without waiting: the statement runs while
 * the next mail goes out (gw_db_send); its outcome is read before the
 * next statement on db, or by gw_db_wait. */
gboolean gw_outbox_record_sent(GwDb *db, const GArray *ids, GPtrArray *replies,
			       GError **error);
/* A temporary failure of the rows of ids (gint64), for one reason: for
 * each, before its deadline, try again after a quarter of the time left
 * (2 to 30 s); after it, after as long as the mail is late already (30 s
 * to an hour).  One statement for all. */
gboolean gw_outbox_mark_retry(GwDb *db, const GArray *ids, const char *why,
			      GError **error);
/* A permanent failure (5xx): recorded once, never retried. */
gboolean gw_outbox_mark_failed(GwDb *db, gint64 id, const char *why,
			       GError **error);
