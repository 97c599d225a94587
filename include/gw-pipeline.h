/* gw-pipeline.h - drives the three transactions of DESIGN.md.
 *
 * T1 gw_pipeline_poll: fetch a mailbox, commit raw rows, then flag.
 * T2 gw_pipeline_process: parse, classify, thread, file, queue acks.
 * T3 gw_pipeline_send: lease due outbox rows and send them.
 * This is the code that decides, so it logs each message and failure
 * once; errors it returns are already logged unless said otherwise. */
#pragma once

#include "gw-config.h"
#include "gw-imap.h"
#include "gw-rules.h"

#include "gw-mail.h"
#include "gw-metrics.h"
#include "gw-status.h"
#include "gw-store.h"

typedef struct GwPipeline GwPipeline;

/* The [mail] limits of config as GwMailLimits (which lends config's
 * charset list). */
void gw_pipeline_mail_limits(const GwConfig *config, GwMailLimits *limits_out);

/* Connects to the database and checks the schema version.  rules is
 * taken over. */
GwPipeline *gw_pipeline_new(const GwConfig *config, GwRules *rules,
			    GError **error);
void gw_pipeline_free(GwPipeline *pipeline);
/* Counts what it does in metrics (lent; NULL: counts nothing). */
void gw_pipeline_set_metrics(GwPipeline *pipeline, GwMetrics *metrics);
/* Swaps in a new rule set (taken over); the next message uses it. */
void gw_pipeline_set_rules(GwPipeline *pipeline, GwRules *rules);

gboolean gw_pipeline_poll(GwPipeline *pipeline, const GwMailboxConfig *mbox,
			  GError **error);
/* The same over a session the caller keeps open (for IDLE); *imap_inout
 * is connected if NULL, and freed and set to NULL if it broke.  At most
 * max_fetch new messages (0: all); *fetched_out: how many were fetched
 * and stored (max_fetch: call again, there may be more). */
gboolean gw_pipeline_poll_session(GwPipeline *pipeline,
				  const GwMailboxConfig *mbox,
				  GwImap **imap_inout, guint max_fetch,
				  guint *fetched_out, GError **error);
gboolean gw_pipeline_process(GwPipeline *pipeline, GError **error);
/* T2 beside T1: the workers start filing (what a crash interrupted
 * first, as gw_pipeline_process does) and go on filing what polls store
 * meanwhile, each batch as soon as it is committed; ..._finish waits
 * until they filed what is left and returns the first failure, as
 * gw_pipeline_process would.  Polls go on in the caller's thread. */
gboolean gw_pipeline_filing_start(GwPipeline *pipeline, GError **error);
gboolean gw_pipeline_filing_finish(GwPipeline *pipeline, GError **error);
gboolean gw_pipeline_send(GwPipeline *pipeline, GError **error);
/* Closes the SMTP session kept between sends once it has been idle
 * this many seconds (plaint run calls it from a timer). */
void gw_pipeline_close_idle(GwPipeline *pipeline, int seconds);
/* Housekeeping: the next three run on a connection of their own, so
 * that a caller may run them in a thread beside the rest (one of them
 * at a time).
 * Runs plaint.check_overdue(): each deadline newly missed is recorded,
 * notified and (if its queue says to) escalated by a mail in the
 * outbox, and logged here.  *found_out: how many. */
gboolean gw_pipeline_check_overdue(GwPipeline *pipeline, guint *found_out,
				   GError **error);
/* With [satisfaction] enabled: asks the customers of tickets resolved
 * ask_after seconds ago how they were served, at most one question per
 * ticket and per customer in quiet_days (plaint.satisfaction_due),
 * queued in the outbox and logged here.  *asked_out: how many. */
gboolean gw_pipeline_ask_satisfaction(GwPipeline *pipeline, guint *asked_out,
				      GError **error);
/* One bounded round of retention ([retention] raw_days; nothing when it
 * is 0), logged if it removed anything.  *more_out: a full round, so
 * more may be waiting. */
gboolean gw_pipeline_apply_retention(GwPipeline *pipeline, gboolean *more_out,
				     GError **error);
/* Stores one message handed over by an MTA (T1 for ingest) under
 * mailbox (its queue applies), and processes it. */
gboolean gw_pipeline_ingest(GwPipeline *pipeline, const char *mailbox,
			    GBytes *raw, GError **error);

/* Puts quarantined messages back (see gw_store_requeue: all, those whose
 * reason holds reason, those of ids) and files them, once; a message
 * that fails again is quarantined again.  *outcomes_out: the GwOutcome*
 * of each message requeued (caller frees). */
gboolean gw_pipeline_requeue(GwPipeline *pipeline, gboolean all,
			     const char *reason, const GArray *ids,
			     GPtrArray **outcomes_out, GError **error);

/* The outbox as plaint.outbox_status shows it (for STATUS=). */
gboolean gw_pipeline_outbox(GwPipeline *pipeline, GwOutboxStatus *status_out,
			    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwPipeline, gw_pipeline_free)
