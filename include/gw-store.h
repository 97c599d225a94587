/* gw-store.h - raw messages: saved once, then new -> done | quarantined,
 * each with its outcome in the intake ledger.
 *
 * T1 stores the bytes of each fetched message exactly once per
 * (mailbox, UIDVALIDITY, UID) and advances the mailbox cursor in the
 * same commit; only then is the message flagged on the server.  T2
 * claims `new` rows with FOR UPDATE SKIP LOCKED.  Nothing is deleted. */
#pragma once

#include "gw-db.h"

typedef struct {
	gint64 id;
	char *mailbox;
	char *internaldate;	/* as PostgreSQL prints timestamptz; may be NULL */
	GBytes *bytes;
} GwRaw;

void gw_raw_free(GwRaw *raw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwRaw, gw_raw_free)

/* Inserts one fetched message (uid 0: not from IMAP, e.g. ingest, then
 * deduplicated by mailbox and sha256).  internaldate may be NULL.
 * *id_out is the row's id, new or existing; *inserted_out FALSE if it
 * was already stored.  Runs in the caller's transaction, if any. */
gboolean gw_store_insert(GwDb *db, const char *mailbox, guint32 uidvalidity,
			 guint32 uid, const char *internaldate, GBytes *bytes,
			 gint64 *id_out, gboolean *inserted_out,
			 GError **error);

/* A message of one FETCH, for gw_store_insert_fetched. */
typedef struct {
	guint32 uid;			/* never 0 */
	const char *internaldate;	/* may be NULL */
	GBytes *bytes;
	gint64 id;			/* out: its row, new or existing */
	gboolean inserted;		/* out: FALSE if stored before */
} GwStoreItem;

/* Inserts n messages of mailbox at uidvalidity, in the order given, in
 * one statement (their bytes are copied once more, into one bytea[]:
 * the caller bounds their total), and sets each item's id and
 * inserted.  Runs in the caller's transaction, if any. */
gboolean gw_store_insert_fetched(GwDb *db, const char *mailbox,
				 guint32 uidvalidity, GwStoreItem *items,
				 guint n, GError **error);

/* Of uids (for mailbox at uidvalidity), the ones already stored, as a
 * hash set of GUINT_TO_POINTER(uid) (caller frees). */
GHashTable *gw_store_known_uids(GwDb *db, const char *mailbox,
				guint32 uidvalidity, const guint32 *uids,
				guint n_uids, GError **error);

/* The mailbox's cursor: the UIDVALIDITY it was last seen with (0 if
 * never polled) and the highest UID it has read under it: every UID up
 * to it was stored, or skipped on the first poll by [mailbox] start. */
gboolean gw_store_cursor(GwDb *db, const char *mailbox,
			 guint32 *uidvalidity_out, guint32 *last_uid_out,
			 GError **error);
/* Moves the cursor to last_uid, never back while uidvalidity stays, and
 * notes the n_stored UIDs of stored as stored but not yet flagged
 * \Seen (gw_store_mark_flagged takes them off). */
gboolean gw_store_set_cursor(GwDb *db, const char *mailbox,
			     guint32 uidvalidity, guint32 last_uid,
			     const guint32 *stored, guint n_stored,
			     GError **error);

/* UIDs stored under uidvalidity but not yet flagged \Seen on the
 * server (a crash fell between the commit and the flagging), ascending
 * (caller frees). */
GArray *gw_store_unflagged(GwDb *db, const char *mailbox, guint32 uidvalidity,
			   GError **error);
/* Records that uids were flagged \Seen (autocommit): one statement on
 * the mailbox's row, whatever their number. */
gboolean gw_store_mark_flagged(GwDb *db, const char *mailbox,
			       guint32 uidvalidity, const guint32 *uids,
			       guint n_uids, GError **error);

/* Holds the mailbox's lease (an advisory lock for this session) so that
 * two gateways never poll one mailbox at once.  *held_out FALSE: another
 * gateway has it now. */
gboolean gw_store_lease_mailbox(GwDb *db, const char *mailbox,
				gboolean *held_out, GError **error);
gboolean gw_store_release_mailbox(GwDb *db, const char *mailbox,
				  GError **error);

/* Makes db's session a filing worker (an advisory lock for its life):
 * rows it claims are free again the moment the session ends. */
gboolean gw_store_register_worker(GwDb *db, GError **error);

typedef struct {
	int max_rows;		/* rows per filing transaction */
	gint64 max_bytes;	/* and bytes (one row at least) */
	int max_attempts;	/* begun this often and never finished:
				 * quarantined */
	gboolean retried;	/* claim only a row begun before and never
				 * finished (one), else only fresh rows */
} GwClaimLimits;

/* In a transaction of its own: claims new rows for this worker (only
 * those of only, if not NULL), oldest first, and counts an attempt on
 * each; a row begun before and never finished is claimed alone.  Rows
 * begun max_attempts times are quarantined instead ("crashed N times
 * while processing") and their ids put in poisoned_out.  ids_out: the
 * ids claimed (gint64).  The rows a crash interrupted are claimed
 * apart (limits->retried), one at a time, while no other worker runs:
 * a crash then blames only the message that caused it. */
gboolean gw_store_claim(GwDb *db, const GwClaimLimits *limits,
			const GArray *only, GArray *ids_out,
			GArray *poisoned_out, GError **error);
/* The same claim inside the open transaction (of gw_db_begin): it
 * holds once that commits.  A worker claims its next rows so in the
 * transaction that files the last ones, one commit for both. */
gboolean gw_store_claim_within(GwDb *db, const GwClaimLimits *limits,
			       const GArray *only, GArray *ids_out,
			       GArray *poisoned_out, GError **error);
/* Locks the rows of ids this worker claimed and that are still new
 * (call inside gw_db_begin), and appends GwRaw* to rows (which frees
 * them with gw_raw_free), in id order.  The bytes of a row whose id is
 * a key of have (gint64* -> GBytes*, may be NULL; the caller keeps it
 * unchanged meanwhile) are taken from there, not read back. */
gboolean gw_store_lock_claimed(GwDb *db, const GArray *ids, GHashTable *have,
			       GPtrArray *rows, GError **error);

/* Marks a claimed row quarantined with reason (kept whole, never
 * retried by itself). */
gboolean gw_store_quarantine(GwDb *db, gint64 raw_id, const char *reason,
			     GError **error);

/* Puts quarantined rows back to be filed again, once, through
 * plaint.requeue() (which needs plaint_admin): all of them, those whose
 * reason contains reason (any case; NULL: none), and those of ids (raw
 * ids, gint64; may be NULL).  Autocommit.  Returns the ids requeued, in
 * id order (caller frees). */
GArray *gw_store_requeue(GwDb *db, gboolean all, const char *reason,
			 const GArray *ids, GError **error);

/* Where a raw message stands in the intake ledger (plaint.intake). */
typedef struct {
	gint64 raw_id;
	char *state;		/* new, done, quarantined */
	char *outcome;		/* "" while new */
	char *ticket;		/* "" if none */
	char *reason;		/* "" if none */
} GwOutcome;

void gw_outcome_free(GwOutcome *outcome);
/* The outcomes of ids (gint64), in id order; GwOutcome* (caller frees). */
GPtrArray *gw_store_outcomes(GwDb *db, const GArray *ids, GError **error);

/* A stored message with the routing recorded for it (plaint.routing). */
typedef struct {
	GwRaw raw;
	char *subject;		/* as filed, "" if none */
	char *queue;
	char *priority;		/* may be NULL */
	char *assignee;		/* may be NULL */
	char *template;		/* may be NULL */
	char **tags;
	char **matched;
	gboolean no_ack;
	gboolean dropped;
	char *rules_version;
} GwRouted;

void gw_routed_free(GwRouted *routed);

/* Up to limit routed messages with id > after_id, fetched at or after
 * since (NULL: any time; a timestamptz literal such as 2026-11-01),
 * in id order; appends GwRouted* to rows (which frees them). */
gboolean gw_store_routed_batch(GwDb *db, const char *since, gint64 after_id,
			       int limit, GPtrArray *rows, GError **error);

/* What one round of retention removed. */
typedef struct {
	gint64 raw;		/* raw messages emptied */
	gint64 blobs;		/* blob contents emptied */
	gint64 bytes;		/* freed, both together */
} GwRetention;

/* One round of plaint.apply_retention(raw_days, batch): the raw bytes of
 * mail on tickets resolved or closed more than raw_days ago, and blobs
 * nothing live uses, at most batch of each (autocommit).  Call again
 * while a count equals batch. */
gboolean gw_store_apply_retention(GwDb *db, int raw_days, int batch,
				  GwRetention *done_out, GError **error);
