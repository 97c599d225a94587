/* gw-db.h - one PostgreSQL connection: $n queries, transactions, schema.
 *
 * The only module that includes libpq.  Every statement is a named
 * static string in the module that owns its table; it is prepared on
 * first use and parameters travel apart from it, never formatted into
 * it.  Every connection carries a connect and a statement timeout.
 * SQLSTATE classes 08 (connection), 40 (rollback), 53 (resources) and
 * 57 (operator intervention) are transient; anything else is not. */
#pragma once

#include <glib.h>

#include "gw-json.h"

typedef struct GwDb GwDb;
typedef struct GwDbParams GwDbParams;
typedef struct GwDbResult GwDbResult;

#define GW_DB_ERROR (gw_db_error_quark())
GQuark gw_db_error_quark(void);
typedef enum {
	GW_DB_ERROR_TRANSIENT,	/* reconnect or retry later */
	GW_DB_ERROR_QUERY,	/* this statement failed; the data is at fault */
	GW_DB_ERROR_SCHEMA,	/* schema missing or of another version */
} GwDbError;

/* One migration compiled into the binary (see sql/embed.sh). */
typedef struct {
	int version;
	const char *name;
	const char *sql;
} GwMigration;
extern const GwMigration gw_migrations[];	/* ends with version 0 */

/* The SQL code (types, functions, views), re-created whole by every
 * migrate: a prologue that drops it, one entry per object, an epilogue
 * (see sql/embed.sh).  gw_code_hash identifies it in the database. */
typedef struct {
	const char *name;	/* "functions/reply" */
	const char *sql;
} GwCode;
extern const GwCode gw_code[];			/* ends with name NULL */
extern const char gw_code_hash[];

/* TRUE for a deadlock or serialization failure: the transaction was
 * rolled back for another's sake and may simply be run again. */
gboolean gw_db_error_is_conflict(const GError *error);
/* TRUE for "out of shared memory" and "out of memory" (53200): the
 * server had no room for what the transaction took (its lock table is
 * full, say); less at once may fit. */
gboolean gw_db_error_is_out_of_memory(const GError *error);

/* timeout: seconds for the connect and for each statement. */
GwDb *gw_db_connect(const char *conninfo, int timeout, GError **error);
void gw_db_free(GwDb *db);
gboolean gw_db_ok(GwDb *db);	/* FALSE once the connection broke */

/* The schema version the database is at (0 if none). */
gboolean gw_db_schema_version(GwDb *db, int *version_out, GError **error);
/* Fails with GW_DB_ERROR_SCHEMA unless every compiled-in migration was
 * applied and the database holds this build's SQL code. */
gboolean gw_db_check_schema(GwDb *db, GError **error);
/* In one transaction, under an advisory lock: drops the SQL code,
 * applies the compiled-in migrations the database lacks, and creates
 * the code anew.  applied_out: how many migrations were applied. */
gboolean gw_db_migrate(GwDb *db, int *applied_out, GError **error);

gboolean gw_db_begin(GwDb *db, GError **error);
gboolean gw_db_commit(GwDb *db, GError **error);
void gw_db_rollback(GwDb *db);	/* failure only logged at debug */

/* LISTENs on channel (a fixed name from the caller's code, never user
 * input).  Then the connection's socket (gw_db_socket) turns readable
 * when a notification arrives; gw_db_notifications reads and counts
 * them (FALSE: the connection broke). */
gboolean gw_db_listen(GwDb *db, const char *channel, GError **error);
int gw_db_socket(GwDb *db);
gboolean gw_db_notifications(GwDb *db, guint *count_out);

GwDbParams *gw_db_params_new(void);
void gw_db_params_free(GwDbParams *params);
void gw_db_params_text(GwDbParams *params, const char *text); /* NULL: SQL NULL */
void gw_db_params_int(GwDbParams *params, gint64 value);
void gw_db_params_bool(GwDbParams *params, gboolean value);
/* A bytea parameter: bytes is lent to the params (a reference), not
 * copied. */
void gw_db_params_bytes(GwDbParams *params, GBytes *bytes);
/* A json(b) parameter from a writer (gw-json.h), which it takes and
 * frees. */
void gw_db_params_take_json(GwDbParams *params, GwJson *json);
/* A text[] parameter; NULL strv gives an empty array. */
void gw_db_params_strv(GwDbParams *params, const char *const *strv);
/* n byte strings as one bytea[], and n strings (NULL: SQL NULL) as one
 * text[], in binary format: nothing escaped, the bytes copied once;
 * their total must stay below 2 GB.  Invalid UTF-8 in a string is
 * replaced (U+FFFD), as the JSON writer does. */
void gw_db_params_bytes_array(GwDbParams *params, GBytes *const *items, guint n);
void gw_db_params_text_array(GwDbParams *params, const char *const *strs, guint n);
/* ids (gint64) as an array literal, "{4,7}", as a bigint[] parameter
 * takes it and a log line shows it.  Caller frees. */
char *gw_db_id_array(const GArray *ids);
/* A bigint[] parameter of ids (gint64); NULL ids gives SQL NULL. */
void gw_db_params_ids(GwDbParams *params, const GArray *ids);

/* Runs sql (a static string: it is prepared once per connection and
 * remembered by its address) with params (may be NULL).  The result
 * is in text form; with binary, bytea columns come back raw (and text
 * columns as text, other types in PostgreSQL's binary form: cast them
 * to text in the query). */
GwDbResult *gw_db_exec(GwDb *db, const char *sql, GwDbParams *params,
		       GError **error);
GwDbResult *gw_db_exec_binary(GwDb *db, const char *sql, GwDbParams *params,
			      GError **error);

/* Sends a statement without waiting for it, so that it runs while the
 * caller does other I/O; its result is read by gw_db_wait, or before
 * the next statement on db.  A failure is logged then, as "what: the
 * error".  One at a time: a second send waits for the first. */
gboolean gw_db_send(GwDb *db, const char *sql, GwDbParams *params,
		    const char *what, GError **error);
/* Is the statement gw_db_send sent still running?  Never blocks. */
gboolean gw_db_busy(GwDb *db);
/* Reads the result of the statement gw_db_send sent, if any; FALSE (and
 * logged) if it failed. */
gboolean gw_db_wait(GwDb *db, GError **error);
/* gw_db_send for a statement whose rows are wanted: a statement run on
 * db before gw_db_receive reads its result keeps it for gw_db_receive
 * rather than dropping it. */
gboolean gw_db_send_ahead(GwDb *db, const char *sql, GwDbParams *params,
			  const char *what, GError **error);
/* The result of the statement gw_db_send_ahead sent, as gw_db_exec
 * would have returned it (nothing is logged). */
GwDbResult *gw_db_receive(GwDb *db, GError **error);
void gw_db_result_free(GwDbResult *result);
int gw_db_result_rows(const GwDbResult *result);
/* Lent; NULL for SQL NULL. */
const char *gw_db_result_text(const GwDbResult *result, int row, int col);
gint64 gw_db_result_int(const GwDbResult *result, int row, int col);
gboolean gw_db_result_bool(const GwDbResult *result, int row, int col);
/* The raw value (binary results), in place: the GBytes keeps the
 * result alive after gw_db_result_free, until it is unreffed itself. */
GBytes *gw_db_result_bytes(const GwDbResult *result, int row, int col);
/* Parses a text[] value into a strv (caller frees; NULL for SQL NULL). */
char **gw_db_result_strv(const GwDbResult *result, int row, int col);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwDb, gw_db_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwDbParams, gw_db_params_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwDbResult, gw_db_result_free)
