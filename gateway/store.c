/* store.c - the raw_messages table and the mailbox cursors.
 *
 * Owns the statements on plaint.raw_messages and plaint.mailboxes.
 * Never deletes or rewrites raw bytes: a row changes only its state.
 * The one exception is retention, which only plaint.apply_retention()
 * decides, for mail of tickets closed longer ago than [retention]
 * raw_days; this module merely calls it. */
#include "gw-store.h"

#include <string.h>

static const char sql_retention[] =
	"SELECT raw_removed, blobs_removed, bytes_freed "
	"FROM plaint.apply_retention($1::integer, $2::integer)";
static const char sql_insert[] =
	"INSERT INTO plaint.raw_messages (mailbox, uidvalidity, uid, "
	"  internaldate, sha256, size, raw) "
	"VALUES ($1, nullif($2::bigint, 0), nullif($3::bigint, 0), "
	"  $4::timestamptz, $5, $6, $7) "
	"ON CONFLICT DO NOTHING RETURNING id";
/* Messages of one FETCH, in UID order (so their ids are too). */
static const char sql_insert_fetched[] =
	"INSERT INTO plaint.raw_messages (mailbox, uidvalidity, uid, "
	"  internaldate, sha256, size, raw) "
	"SELECT $1, $2::bigint, u.uid, nullif(u.internaldate, '')::timestamptz, "
	"  u.sha256, u.size, u.raw "
	"FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], "
	"  $7::bytea[]) WITH ORDINALITY AS u(uid, internaldate, sha256, size, raw, n) "
	"ORDER BY u.n "
	"ON CONFLICT DO NOTHING RETURNING uid, id";
static const char sql_find_imap[] =
	"SELECT id FROM plaint.raw_messages "
	"WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3";
static const char sql_find_ingest[] =
	"SELECT id FROM plaint.raw_messages "
	"WHERE mailbox = $1 AND sha256 = $2 AND uid IS NULL";
/* The rows stored of some UIDs: (uid, id). */
static const char sql_stored_uids[] =
	"SELECT uid, id FROM plaint.raw_messages "
	"WHERE mailbox = $1 AND uidvalidity = $2 AND uid = ANY($3::bigint[])";
static const char sql_cursor[] =
	"SELECT uidvalidity, last_uid FROM plaint.mailboxes WHERE name = $1";
static const char sql_unflagged[] =
	"SELECT u FROM plaint.mailboxes m, unnest(m.unflagged) u "
	"WHERE m.name = $1 AND m.uidvalidity = $2 ORDER BY u";
static const char sql_flagged[] =
	"UPDATE plaint.mailboxes m SET unflagged = ARRAY("
	"  SELECT u FROM unnest(m.unflagged) u WHERE u <> ALL ($3::bigint[])) "
	"WHERE m.name = $1 AND m.uidvalidity = $2";
/* With the cursor, the UIDs just stored ($4), still to be flagged. */
static const char sql_set_cursor[] =
	"INSERT INTO plaint.mailboxes (name, uidvalidity, last_uid, polled_at, "
	"  unflagged) VALUES ($1, $2, $3, now(), $4::bigint[]) "
	"ON CONFLICT (name) DO UPDATE "
	"SET last_uid = CASE WHEN plaint.mailboxes.uidvalidity = $2 "
	"    THEN greatest(plaint.mailboxes.last_uid, $3) ELSE $3 END, "
	"  unflagged = CASE WHEN plaint.mailboxes.uidvalidity = $2 "
	"    THEN plaint.mailboxes.unflagged || $4::bigint[] ELSE $4::bigint[] END, "
	"  uidvalidity = $2, polled_at = now()";
static const char sql_lease[] =
	"SELECT pg_try_advisory_lock(hashtext('plaint.mailbox'), hashtext($1))";
static const char sql_release[] =
	"SELECT pg_advisory_unlock(hashtext('plaint.mailbox'), hashtext($1))";
/* Workers hold this advisory lock, keyed by their backend pid, for as
 * long as their session lives: a row claimed by a pid that holds none
 * was claimed by a worker that died, and is free again at once. */
static const char sql_register[] =
	"SELECT pg_advisory_lock(70251653, pg_backend_pid())";
/* New rows nobody alive is filing, oldest first; $2 NULL: any. */
static const char sql_candidates[] =
	"SELECT r.id, r.attempts, r.size FROM plaint.raw_messages r "
	"WHERE r.state = 'new' AND ($2::bigint[] IS NULL OR r.id = ANY($2)) "
	"  AND (r.attempts > 0) = $3 "
	"  AND (r.claimed_by IS NULL OR r.claimed_by = pg_backend_pid() "
	"       OR r.claimed_by NOT IN (SELECT l.objid::integer FROM pg_locks l "
	"           WHERE l.locktype = 'advisory' AND l.classid = 70251653 "
	"             AND l.objsubid = 2 AND l.granted)) "
	"ORDER BY r.id LIMIT $1 FOR UPDATE OF r SKIP LOCKED";
static const char sql_claim[] =
	"UPDATE plaint.raw_messages SET attempts = attempts + 1, "
	"  claimed_by = pg_backend_pid() WHERE id = ANY($1::bigint[])";
/* Text columns are cast so a binary result carries them as text. */
static const char sql_claimed[] =
	"SELECT id::text, mailbox, internaldate::text, "
	"  CASE WHEN id = ANY($2::bigint[]) THEN NULL ELSE raw END "
	"FROM plaint.raw_messages WHERE id = ANY($1::bigint[]) AND state = 'new' "
	"AND claimed_by = pg_backend_pid() ORDER BY id FOR UPDATE";
static const char sql_quarantine[] =
	"UPDATE plaint.raw_messages "
	"SET state = 'quarantined', outcome = 'quarantined', reason = $2, "
	"processed_at = now() WHERE id = $1";

/* Each in its own call of plaint.requeue(), in id order. */
static const char sql_requeue[] =
	"SELECT q.id, plaint.requeue(q.id) FROM ("
	"  SELECT r.id FROM plaint.raw_messages r WHERE r.state = 'quarantined' "
	"  AND ($1 OR strpos(lower(r.reason), lower($2)) > 0 "
	"       OR r.id = ANY($3::bigint[])) ORDER BY r.id) q";
static const char sql_outcomes[] =
	"SELECT raw_id, state, coalesce(outcome, ''), coalesce(ticket, ''), "
	"  coalesce(reason, '') FROM plaint.intake WHERE raw_id = ANY($1::bigint[]) "
	"ORDER BY raw_id";

static const char sql_routed[] =
	"SELECT r.id::text, r.mailbox, r.internaldate::text, r.raw, "
	"  coalesce((SELECT m.subject FROM plaint.messages m WHERE m.raw_id = r.id), ''), "
	"  g.queue, g.priority, g.assignee, g.template, g.tags::text, "
	"  g.matched::text, g.no_ack::text, g.dropped::text, g.rules_version "
	"FROM plaint.raw_messages r JOIN plaint.routing g ON g.raw_id = r.id "
	"WHERE r.id > $2 AND r.fetched_at >= coalesce($1::timestamptz, '-infinity') "
	"ORDER BY r.id LIMIT $3";

void
gw_raw_free(GwRaw *raw)
{
	if (raw == NULL)
		return;
	g_free(raw->mailbox);
	g_free(raw->internaldate);
	g_bytes_unref(raw->bytes);
	g_free(raw);
}

/* A bigint[] parameter of uids. */
static void
params_uids(GwDbParams *p, const guint32 *uids, guint n_uids)
{
	g_autoptr(GString) list = g_string_new("{");

	for (guint i = 0; i < n_uids; i++)
		g_string_append_printf(list, "%s%u", i ? "," : "", uids[i]);
	g_string_append_c(list, '}');
	gw_db_params_text(p, list->str);
}

/* The rows (uid, id) of those of uids stored under uidvalidity. */
static GwDbResult *
stored_uids(GwDb *db, const char *mailbox, guint32 uidvalidity,
	    const guint32 *uids, guint n_uids, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();

	gw_db_params_text(p, mailbox);
	gw_db_params_int(p, uidvalidity);
	params_uids(p, uids, n_uids);
	return gw_db_exec(db, sql_stored_uids, p, error);
}

/* Sets the id (and inserted) of the items whose uid the rows of res
 * (uid, id) name. */
static void
match_uids(GHashTable *by_uid, const GwDbResult *res, GwStoreItem *items,
	   gboolean inserted)
{
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		gpointer k = GUINT_TO_POINTER((guint32)gw_db_result_int(res, r, 0));
		GwStoreItem *it;

		if (!g_hash_table_contains(by_uid, k))
			continue;
		it = &items[GPOINTER_TO_UINT(g_hash_table_lookup(by_uid, k))];
		it->id = gw_db_result_int(res, r, 1);
		it->inserted = inserted;
	}
}

gboolean
gw_store_insert_fetched(GwDb *db, const char *mailbox, guint32 uidvalidity,
			GwStoreItem *items, guint n, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	g_autofree guint32 *uids = g_new(guint32, n);
	g_autoptr(GArray) sizes = g_array_sized_new(FALSE, FALSE, sizeof(gint64), n);
	g_autoptr(GArray) missing = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autoptr(GHashTable) by_uid = g_hash_table_new(NULL, NULL);
	g_autoptr(GPtrArray) dates = g_ptr_array_new_full(n + 1, NULL);
	g_autoptr(GPtrArray) shas = g_ptr_array_new_full(n + 1, g_free);
	g_autofree GBytes **bytes = g_new(GBytes *, n);

	for (guint i = 0; i < n; i++) {
		gint64 size = (gint64)g_bytes_get_size(items[i].bytes);

		items[i].id = 0;
		items[i].inserted = FALSE;
		g_hash_table_insert(by_uid, GUINT_TO_POINTER(items[i].uid),
				    GUINT_TO_POINTER(i));
		uids[i] = items[i].uid;
		g_array_append_val(sizes, size);
		g_ptr_array_add(dates, (gpointer)(items[i].internaldate ?
						  items[i].internaldate : ""));
		g_ptr_array_add(shas, g_compute_checksum_for_bytes(G_CHECKSUM_SHA256,
								   items[i].bytes));
		bytes[i] = items[i].bytes;
	}
	g_ptr_array_add(dates, NULL);
	g_ptr_array_add(shas, NULL);
	gw_db_params_text(p, mailbox);
	gw_db_params_int(p, uidvalidity);
	params_uids(p, uids, n);
	gw_db_params_strv(p, (const char *const *)dates->pdata);
	gw_db_params_strv(p, (const char *const *)shas->pdata);
	gw_db_params_ids(p, sizes);
	gw_db_params_bytes_array(p, bytes, n);
	res = gw_db_exec(db, sql_insert_fetched, p, error);
	if (res == NULL)
		return FALSE;
	match_uids(by_uid, res, items, TRUE);
	for (guint i = 0; i < n; i++)
		if (items[i].id == 0)
			g_array_append_val(missing, uids[i]);
	if (missing->len == 0)
		return TRUE;
	/* Stored already (by another session since the caller looked, or
	 * the same UID came twice): their rows as they are. */
	gw_db_result_free(res);
	res = stored_uids(db, mailbox, uidvalidity,
			  (const guint32 *)(void *)missing->data, missing->len, error);
	if (res == NULL)
		return FALSE;
	match_uids(by_uid, res, items, FALSE);
	return TRUE;
}

gboolean
gw_store_insert(GwDb *db, const char *mailbox, guint32 uidvalidity,
		guint32 uid, const char *internaldate, GBytes *bytes,
		gint64 *id_out, gboolean *inserted_out, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	g_autofree char *sha = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, bytes);

	gw_db_params_text(p, mailbox);
	gw_db_params_int(p, uidvalidity);
	gw_db_params_int(p, uid);
	gw_db_params_text(p, internaldate);
	gw_db_params_text(p, sha);
	gw_db_params_int(p, (gint64)g_bytes_get_size(bytes));
	gw_db_params_bytes(p, bytes);
	res = gw_db_exec(db, sql_insert, p, error);
	if (res == NULL)
		return FALSE;
	*inserted_out = gw_db_result_rows(res) == 1;
	if (*inserted_out) {
		*id_out = gw_db_result_int(res, 0, 0);
		return TRUE;
	}
	gw_db_result_free(g_steal_pointer(&res));
	g_clear_pointer(&p, gw_db_params_free);
	p = gw_db_params_new();
	gw_db_params_text(p, mailbox);
	if (uid != 0) {
		gw_db_params_int(p, uidvalidity);
		gw_db_params_int(p, uid);
		res = gw_db_exec(db, sql_find_imap, p, error);
	} else {
		gw_db_params_text(p, sha);
		res = gw_db_exec(db, sql_find_ingest, p, error);
	}
	if (res == NULL)
		return FALSE;
	*id_out = gw_db_result_rows(res) ? gw_db_result_int(res, 0, 0) : 0;
	return TRUE;
}

GHashTable *
gw_store_known_uids(GwDb *db, const char *mailbox, guint32 uidvalidity,
		    const guint32 *uids, guint n_uids, GError **error)
{
	g_autoptr(GwDbResult) res = stored_uids(db, mailbox, uidvalidity, uids,
						n_uids, error);
	GHashTable *known;

	if (res == NULL)
		return NULL;
	known = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (int r = 0; r < gw_db_result_rows(res); r++)
		g_hash_table_add(known, GUINT_TO_POINTER((guint)gw_db_result_int(res, r, 0)));
	return known;
}

gboolean
gw_store_cursor(GwDb *db, const char *mailbox, guint32 *uidvalidity_out,
		guint32 *last_uid_out, GError **error)
{
	/* A mailbox polled before has a row, its UIDVALIDITY never 0. */
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_text(p, mailbox);
	res = gw_db_exec(db, sql_cursor, p, error);
	if (res == NULL)
		return FALSE;
	*uidvalidity_out = 0;
	*last_uid_out = 0;
	if (gw_db_result_rows(res) == 1) {
		*uidvalidity_out = (guint32)gw_db_result_int(res, 0, 0);
		*last_uid_out = (guint32)gw_db_result_int(res, 0, 1);
	}
	return TRUE;
}

gboolean
gw_store_set_cursor(GwDb *db, const char *mailbox, guint32 uidvalidity,
		    guint32 last_uid, const guint32 *stored, guint n_stored,
		    GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_text(p, mailbox);
	gw_db_params_int(p, uidvalidity);
	gw_db_params_int(p, last_uid);
	params_uids(p, stored, n_stored);
	res = gw_db_exec(db, sql_set_cursor, p, error);
	return res != NULL;
}

GArray *
gw_store_unflagged(GwDb *db, const char *mailbox, guint32 uidvalidity,
		   GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	GArray *uids;

	gw_db_params_text(p, mailbox);
	gw_db_params_int(p, uidvalidity);
	res = gw_db_exec(db, sql_unflagged, p, error);
	if (res == NULL)
		return NULL;
	uids = g_array_new(FALSE, FALSE, sizeof(guint32));
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		guint32 uid = (guint32)gw_db_result_int(res, r, 0);

		g_array_append_val(uids, uid);
	}
	return uids;
}

gboolean
gw_store_mark_flagged(GwDb *db, const char *mailbox, guint32 uidvalidity,
		      const guint32 *uids, guint n_uids, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	if (n_uids == 0)
		return TRUE;
	gw_db_params_text(p, mailbox);
	gw_db_params_int(p, uidvalidity);
	params_uids(p, uids, n_uids);
	res = gw_db_exec(db, sql_flagged, p, error);
	return res != NULL;
}

static gboolean
lock_call(GwDb *db, const char *sql, const char *mailbox, gboolean *out,
	  GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_text(p, mailbox);
	res = gw_db_exec(db, sql, p, error);
	if (res == NULL)
		return FALSE;
	if (out != NULL)
		*out = gw_db_result_bool(res, 0, 0);
	return TRUE;
}

gboolean
gw_store_lease_mailbox(GwDb *db, const char *mailbox, gboolean *held_out,
		       GError **error)
{
	return lock_call(db, sql_lease, mailbox, held_out, error);
}

gboolean
gw_store_release_mailbox(GwDb *db, const char *mailbox, GError **error)
{
	return lock_call(db, sql_release, mailbox, NULL, error);
}

gboolean
gw_store_register_worker(GwDb *db, GError **error)
{
	g_autoptr(GwDbResult) res = gw_db_exec(db, sql_register, NULL, error);

	return res != NULL;
}

/* A bigint[] parameter of ids, or NULL when ids is NULL. */

/* Chooses what one filing transaction takes from the candidates: fresh
 * rows, up to limit and max_bytes (at least one); or one row begun
 * before and never finished, alone, so that a message that kills the
 * process is tried alone and counted alone. */
static void
choose(GwDbResult *res, const GwClaimLimits *l, GArray *ids, GArray *poisoned)
{
	gint64 bytes = 0;

	for (int r = 0; r < gw_db_result_rows(res); r++) {
		gint64 id = gw_db_result_int(res, r, 0);
		int attempts = (int)gw_db_result_int(res, r, 1);
		gint64 size = gw_db_result_int(res, r, 2);

		if (attempts >= l->max_attempts) {
			g_array_append_val(poisoned, id);
			continue;
		}
		if (attempts > 0) {
			g_array_append_val(ids, id);
			break;
		}
		if (ids->len > 0 && bytes + size > l->max_bytes)
			break;
		bytes += size;
		g_array_append_val(ids, id);
	}
}

gboolean
gw_store_claim_within(GwDb *db, const GwClaimLimits *limits, const GArray *only,
		      GArray *ids_out, GArray *poisoned_out, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	g_autoptr(GwDbParams) q = NULL;
	g_autoptr(GwDbResult) done = NULL;

	gw_db_params_int(p, limits->retried ? 1 : limits->max_rows);
	gw_db_params_ids(p, only);
	gw_db_params_bool(p, limits->retried);
	res = gw_db_exec(db, sql_candidates, p, error);
	if (res == NULL)
		goto fail;
	choose(res, limits, ids_out, poisoned_out);
	if (ids_out->len > 0) {
		q = gw_db_params_new();
		gw_db_params_ids(q, ids_out);
		done = gw_db_exec(db, sql_claim, q, error);
		if (done == NULL)
			goto fail;
	}
	for (guint i = 0; i < poisoned_out->len; i++) {
		g_autofree char *why = g_strdup_printf(
			"crashed %d times while processing: not tried again "
			"([mail] max_attempts)", limits->max_attempts);

		if (!gw_store_quarantine(db, g_array_index(poisoned_out, gint64, i),
					 why, error))
			goto fail;
	}
	return TRUE;
fail:
	g_array_set_size(ids_out, 0);
	g_array_set_size(poisoned_out, 0);
	return FALSE;
}

gboolean
gw_store_claim(GwDb *db, const GwClaimLimits *limits, const GArray *only,
	       GArray *ids_out, GArray *poisoned_out, GError **error)
{
	if (!gw_db_begin(db, error))
		return FALSE;
	if (gw_store_claim_within(db, limits, only, ids_out, poisoned_out, error) &&
	    gw_db_commit(db, error))
		return TRUE;
	gw_db_rollback(db);
	g_array_set_size(ids_out, 0);
	g_array_set_size(poisoned_out, 0);
	return FALSE;
}

gboolean
gw_store_lock_claimed(GwDb *db, const GArray *ids, GHashTable *have,
		      GPtrArray *rows, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	g_autoptr(GArray) held = g_array_new(FALSE, FALSE, sizeof(gint64));

	for (guint i = 0; have != NULL && i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);

		if (g_hash_table_contains(have, &id))
			g_array_append_val(held, id);
	}
	gw_db_params_ids(p, ids);
	gw_db_params_ids(p, held);
	res = gw_db_exec_binary(db, sql_claimed, p, error);
	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		GwRaw *raw = g_new0(GwRaw, 1);

		raw->id = g_ascii_strtoll(gw_db_result_text(res, r, 0), NULL, 10);
		raw->mailbox = g_strdup(gw_db_result_text(res, r, 1));
		raw->internaldate = g_strdup(gw_db_result_text(res, r, 2));
		if (gw_db_result_text(res, r, 3) == NULL)
			raw->bytes = g_bytes_ref(g_hash_table_lookup(have, &raw->id));
		else
			raw->bytes = gw_db_result_bytes(res, r, 3);
		g_ptr_array_add(rows, raw);
	}
	return TRUE;
}

gboolean
gw_store_quarantine(GwDb *db, gint64 raw_id, const char *reason,
		    GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_int(p, raw_id);
	gw_db_params_text(p, reason);
	res = gw_db_exec(db, sql_quarantine, p, error);
	return res != NULL;
}

GArray *
gw_store_requeue(GwDb *db, gboolean all, const char *reason, const GArray *ids,
		 GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	GArray *done;

	gw_db_params_bool(p, all);
	gw_db_params_text(p, reason);
	gw_db_params_ids(p, ids);
	res = gw_db_exec(db, sql_requeue, p, error);
	if (res == NULL)
		return NULL;
	done = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		gint64 id = gw_db_result_int(res, r, 0);

		if (gw_db_result_bool(res, r, 1))
			g_array_append_val(done, id);
	}
	return done;
}

void
gw_outcome_free(GwOutcome *outcome)
{
	if (outcome == NULL)
		return;
	g_free(outcome->state);
	g_free(outcome->outcome);
	g_free(outcome->ticket);
	g_free(outcome->reason);
	g_free(outcome);
}

GPtrArray *
gw_store_outcomes(GwDb *db, const GArray *ids, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;
	GPtrArray *out;

	gw_db_params_ids(p, ids);
	res = gw_db_exec(db, sql_outcomes, p, error);
	if (res == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)gw_outcome_free);
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		GwOutcome *o = g_new0(GwOutcome, 1);

		o->raw_id = gw_db_result_int(res, r, 0);
		o->state = g_strdup(gw_db_result_text(res, r, 1));
		o->outcome = g_strdup(gw_db_result_text(res, r, 2));
		o->ticket = g_strdup(gw_db_result_text(res, r, 3));
		o->reason = g_strdup(gw_db_result_text(res, r, 4));
		g_ptr_array_add(out, o);
	}
	return out;
}

void
gw_routed_free(GwRouted *routed)
{
	if (routed == NULL)
		return;
	g_free(routed->raw.mailbox);
	g_free(routed->raw.internaldate);
	g_bytes_unref(routed->raw.bytes);
	g_free(routed->subject);
	g_free(routed->queue);
	g_free(routed->priority);
	g_free(routed->assignee);
	g_free(routed->template);
	g_strfreev(routed->tags);
	g_strfreev(routed->matched);
	g_free(routed->rules_version);
	g_free(routed);
}

gboolean
gw_store_routed_batch(GwDb *db, const char *since, gint64 after_id, int limit,
		      GPtrArray *rows, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_text(p, since);
	gw_db_params_int(p, after_id);
	gw_db_params_int(p, limit);
	res = gw_db_exec_binary(db, sql_routed, p, error);
	if (res == NULL)
		return FALSE;
	for (int r = 0; r < gw_db_result_rows(res); r++) {
		GwRouted *row = g_new0(GwRouted, 1);

		row->raw.id = g_ascii_strtoll(gw_db_result_text(res, r, 0), NULL, 10);
		row->raw.mailbox = g_strdup(gw_db_result_text(res, r, 1));
		row->raw.internaldate = g_strdup(gw_db_result_text(res, r, 2));
		row->raw.bytes = gw_db_result_bytes(res, r, 3);
		row->subject = g_strdup(gw_db_result_text(res, r, 4));
		row->queue = g_strdup(gw_db_result_text(res, r, 5));
		row->priority = g_strdup(gw_db_result_text(res, r, 6));
		row->assignee = g_strdup(gw_db_result_text(res, r, 7));
		row->template = g_strdup(gw_db_result_text(res, r, 8));
		row->tags = gw_db_result_strv(res, r, 9);
		row->matched = gw_db_result_strv(res, r, 10);
		row->no_ack = gw_db_result_bool(res, r, 11);
		row->dropped = gw_db_result_bool(res, r, 12);
		row->rules_version = g_strdup(gw_db_result_text(res, r, 13));
		g_ptr_array_add(rows, row);
	}
	return TRUE;
}

gboolean
gw_store_apply_retention(GwDb *db, int raw_days, int batch, GwRetention *done_out,
			 GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	memset(done_out, 0, sizeof *done_out);
	gw_db_params_int(p, raw_days);
	gw_db_params_int(p, batch);
	res = gw_db_exec(db, sql_retention, p, error);
	if (res == NULL)
		return FALSE;
	done_out->raw = gw_db_result_int(res, 0, 0);
	done_out->blobs = gw_db_result_int(res, 0, 1);
	done_out->bytes = gw_db_result_int(res, 0, 2);
	return TRUE;
}
