/* gw-status.h - the gateway's state as the database holds it.
 *
 * What `plaint status`, the metrics endpoint and the STATUS= line of
 * `plaint run` show: each mailbox's cursor, last poll and last failure,
 * the outbox, the deadlines missed today, the quarantine.  It reads the
 * views plaint.mailbox_status, plaint.outbox_status and
 * plaint.breaches_today, and records a failed poll through
 * plaint.mailbox_failed(); it owns no table.  Times are seconds since
 * 1970 by the database's clock, 0 for none. */
#pragma once

#include <stdio.h>

#include "gw-config.h"
#include "gw-db.h"

typedef struct {
	char *name;
	gint64 uidvalidity;	/* 0: never polled */
	gint64 last_uid;	/* the cursor */
	double polled_at;	/* the last poll that worked */
	char *last_error;	/* of the last poll that failed, or NULL */
	double last_error_at;
	gint64 quarantined;	/* its messages in quarantine now */
} GwMailboxStatus;

void gw_mailbox_status_free(GwMailboxStatus *status);

typedef struct {
	gint64 unsent;		/* the outbox depth */
	gint64 due_now;		/* of those, due to be tried now */
	gint64 overdue;		/* of those, past their deadline */
	gint64 oldest_id;	/* the earliest deadline; 0: nothing waits */
	char *oldest_kind;	/* "ack", "reply", "escalation" or "survey" */
	char *oldest_ticket;	/* its ticket number */
	double oldest_queued_at;
	double oldest_due_at;
	double oldest_age;	/* seconds since it was queued */
	int oldest_attempts;
	char *oldest_last_error; /* or NULL */
} GwOutboxStatus;

void gw_outbox_status_clear(GwOutboxStatus *status);

typedef struct {
	GPtrArray *mailboxes;	/* of GwMailboxStatus*, configured first */
	GwOutboxStatus outbox;
	gint64 breaches_ack;	/* deadlines that fell today, missed */
	gint64 breaches_first_response;
	gint64 breaches_resolution;
	gint64 quarantined;	/* in all mailboxes */
	double now;		/* the database's clock when read */
} GwStatus;

void gw_status_free(GwStatus *status);

/* Records that a poll of mailbox failed, and why (autocommit; the
 * caller's transaction, if any, would hold it). */
gboolean gw_status_record_failure(GwDb *db, const char *mailbox,
				  const char *why, GError **error);

/* The rows of plaint.mailbox_status: GwMailboxStatus*, by name. */
GPtrArray *gw_status_mailboxes(GwDb *db, GError **error);
/* The one row of plaint.outbox_status (gw_outbox_status_clear it). */
gboolean gw_status_outbox(GwDb *db, GwOutboxStatus *status_out,
			  GError **error);

/* All of it; the mailboxes of config come first, in its order, polled
 * or not, then the others the database knows (ingest, say). */
GwStatus *gw_status_load(GwDb *db, const GwConfig *config, GError **error);

/* Prints status for a person (times in local time), or as one JSON
 * object (times in ISO 8601, UTC). */
void gw_status_print(const GwStatus *status, gboolean json, FILE *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwStatus, gw_status_free)
