/* db.c - a PostgreSQL connection through libpq.
 *
 * Owns the PGconn and the names of the statements prepared on it.
 * Statements are static strings owned by other modules; each is
 * prepared once per connection (keyed by its address) and run with
 * parameters, never formatted.  The only fixed-text statements run
 * with PQexec are transaction control and the compiled-in migrations.
 * libpq's SQLSTATEs become GwDbError codes here and nowhere else. */
#include "gw-db.h"

#include <string.h>

#include <libpq-fe.h>

#include "gw-log.h"

G_DEFINE_QUARK(gw-db-error-quark, gw_db_error)

/* The migrations lock: any constant both sides agree on. */
#define MIGRATE_LOCK_KEY "7025165301"

struct GwDb {
	PGconn *conn;
	GHashTable *prepared;	/* const char *sql -> statement name */
	guint next_statement;
	char *pending;		/* what the statement in flight records,
				 * or NULL (gw_db_send) */
	gboolean keep;		/* its result is wanted (gw_db_send_ahead):
				 * read into kept rather than dropped */
	GwDbResult *kept;	/* that result, once read, or NULL */
	GError *kept_error;	/* or why it failed */
};

struct GwDbParams {
	GPtrArray *values;	/* char* (owned, or lent by a kept GBytes) or
				 * NULL (SQL NULL) */
	GArray *lengths;	/* int */
	GArray *formats;	/* int: 0 text, 1 binary */
	GPtrArray *owned;	/* what values owns: freed with the params */
	GPtrArray *kept;	/* GBytes that values lends from */
};

/* Shared by the GBytes lent out of it (gw_db_result_bytes), so that a
 * large value is never copied out of libpq's result. */
struct GwDbResult {
	PGresult *res;
	gint refs;
};

static gboolean
is_transient(const char *sqlstate)
{
	return sqlstate == NULL ||
	       g_str_has_prefix(sqlstate, "08") ||
	       g_str_has_prefix(sqlstate, "40") ||
	       g_str_has_prefix(sqlstate, "53") ||
	       g_str_has_prefix(sqlstate, "57");
}

/* One line of libpq's message: the first line says what went wrong. */
static char *
first_line(const char *msg)
{
	const char *nl = msg ? strchr(msg, '\n') : NULL;

	if (msg == NULL)
		return g_strdup("unknown error");
	return nl ? g_strndup(msg, nl - msg) : g_strdup(msg);
}

static void
set_result_error(GwDb *db, PGresult *res, GError **error)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	g_autofree char *msg = first_line(res ? PQresultErrorMessage(res)
					      : PQerrorMessage(db->conn));

	if (PQstatus(db->conn) != CONNECTION_OK)
		state = NULL;
	g_set_error(error, GW_DB_ERROR,
		    is_transient(state) ? GW_DB_ERROR_TRANSIENT : GW_DB_ERROR_QUERY,
		    "%s%s%s", state ? state : "", state ? " " : "", msg);
}

/* The server's notices (a DROP ... IF EXISTS that found nothing, say)
 * go to plaint's log, not straight to standard error. */
static void
on_notice(void *data, const char *message)
{
	g_autofree char *line = first_line(message);

	(void)data;
	gw_log_debug("postgresql: %s", line);
}

gboolean
gw_db_error_is_conflict(const GError *error)
{
	return g_error_matches(error, GW_DB_ERROR, GW_DB_ERROR_TRANSIENT) &&
	       (g_str_has_prefix(error->message, "40P01 ") ||	/* deadlock */
		g_str_has_prefix(error->message, "40001 "));	/* serialization */
}

gboolean
gw_db_error_is_out_of_memory(const GError *error)
{
	return g_error_matches(error, GW_DB_ERROR, GW_DB_ERROR_TRANSIENT) &&
	       g_str_has_prefix(error->message, "53200 ");
}

GwDb *
gw_db_connect(const char *conninfo, int timeout, GError **error)
{
	g_autofree char *timeout_s = g_strdup_printf("%d", timeout);
	g_autofree char *options = g_strdup_printf(
		"-c statement_timeout=%d -c lock_timeout=%d "
		"-c idle_in_transaction_session_timeout=%d",
		timeout * 1000, timeout * 1000, timeout * 4000);
	/* Later keywords win, so the admin's conninfo may override ours. */
	const char *keys[] = {
		"connect_timeout", "options", "application_name",
		"keepalives_idle", "dbname", NULL,
	};
	const char *values[] = {
		timeout_s, options, "plaint", "60", conninfo, NULL,
	};
	GwDb *db;

	db = g_new0(GwDb, 1);
	db->conn = PQconnectdbParams(keys, values, 1);
	db->prepared = g_hash_table_new_full(g_direct_hash, g_direct_equal,
					     NULL, g_free);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		g_autofree char *msg = first_line(PQerrorMessage(db->conn));

		g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_TRANSIENT,
			    "cannot connect to PostgreSQL: %s", msg);
		gw_db_free(db);
		return NULL;
	}
	PQsetNoticeProcessor(db->conn, on_notice, NULL);
	return db;
}

void
gw_db_free(GwDb *db)
{
	if (db == NULL)
		return;
	gw_db_wait(db, NULL);
	g_clear_pointer(&db->kept, gw_db_result_free);
	g_clear_error(&db->kept_error);
	PQfinish(db->conn);
	g_hash_table_unref(db->prepared);
	g_free(db);
}

gboolean
gw_db_ok(GwDb *db)
{
	return PQstatus(db->conn) == CONNECTION_OK;
}

/* PQexec, once a statement gw_db_send sent is done. */
static PGresult *
exec_now(GwDb *db, const char *sql)
{
	gw_db_wait(db, NULL);
	return PQexec(db->conn, sql);
}

/* Fixed text only: transaction control and migrations. */
static gboolean
exec_fixed(GwDb *db, const char *sql, GError **error)
{
	PGresult *res = exec_now(db, sql);
	gboolean ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
		      PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		set_result_error(db, res, error);
	PQclear(res);
	return ok;
}

gboolean
gw_db_begin(GwDb *db, GError **error)
{
	return exec_fixed(db, "BEGIN", error);
}

gboolean
gw_db_commit(GwDb *db, GError **error)
{
	PGresult *res = exec_now(db, "COMMIT");
	/* A COMMIT of a failed transaction answers ROLLBACK without error. */
	gboolean ok = PQresultStatus(res) == PGRES_COMMAND_OK &&
		      g_strcmp0(PQcmdStatus(res), "COMMIT") == 0;

	if (!ok && PQresultStatus(res) == PGRES_COMMAND_OK)
		g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_QUERY,
			    "the transaction had failed and was rolled back");
	else if (!ok)
		set_result_error(db, res, error);
	PQclear(res);
	return ok;
}

void
gw_db_rollback(GwDb *db)
{
	PGresult *res;

	if (PQstatus(db->conn) != CONNECTION_OK)
		return;
	res = exec_now(db, "ROLLBACK");
	PQclear(res);
}

gboolean
gw_db_listen(GwDb *db, const char *channel, GError **error)
{
	char *ident = PQescapeIdentifier(db->conn, channel, strlen(channel));
	g_autofree char *sql = NULL;
	gboolean ok;

	if (ident == NULL) {
		g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_QUERY, "bad channel name");
		return FALSE;
	}
	/* LISTEN takes no parameters; the name is a constant, quoted. */
	sql = g_strconcat("LISTEN ", ident, NULL);
	PQfreemem(ident);
	ok = exec_fixed(db, sql, error);
	return ok;
}

int
gw_db_socket(GwDb *db)
{
	return PQsocket(db->conn);
}

gboolean
gw_db_notifications(GwDb *db, guint *count_out)
{
	PGnotify *n;

	*count_out = 0;
	if (!PQconsumeInput(db->conn))
		return FALSE;
	while ((n = PQnotifies(db->conn)) != NULL) {
		(*count_out)++;
		PQfreemem(n);
	}
	return PQstatus(db->conn) == CONNECTION_OK;
}

GwDbParams *
gw_db_params_new(void)
{
	GwDbParams *p = g_new0(GwDbParams, 1);

	p->values = g_ptr_array_new();
	p->owned = g_ptr_array_new_with_free_func((GDestroyNotify)g_free);
	p->kept = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	p->lengths = g_array_new(FALSE, FALSE, sizeof(int));
	p->formats = g_array_new(FALSE, FALSE, sizeof(int));
	return p;
}

void
gw_db_params_free(GwDbParams *p)
{
	if (p == NULL)
		return;
	g_ptr_array_unref(p->values);
	g_ptr_array_unref(p->owned);
	g_ptr_array_unref(p->kept);
	g_array_unref(p->lengths);
	g_array_unref(p->formats);
	g_free(p);
}

/* value is taken over. */
static void
add_param(GwDbParams *p, char *value, int length, int format)
{
	g_ptr_array_add(p->values, value);
	if (value != NULL)
		g_ptr_array_add(p->owned, value);
	g_array_append_val(p->lengths, length);
	g_array_append_val(p->formats, format);
}

void
gw_db_params_text(GwDbParams *p, const char *text)
{
	add_param(p, g_strdup(text), 0, 0);
}

void
gw_db_params_int(GwDbParams *p, gint64 value)
{
	add_param(p, g_strdup_printf("%" G_GINT64_FORMAT, value), 0, 0);
}

void
gw_db_params_bool(GwDbParams *p, gboolean value)
{
	add_param(p, g_strdup(value ? "t" : "f"), 0, 0);
}

void
gw_db_params_bytes(GwDbParams *p, GBytes *bytes)
{
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	int length = (int)len, format = 1;

	/* Lent, not copied: the params keep a reference. */
	g_ptr_array_add(p->kept, g_bytes_ref(bytes));
	g_ptr_array_add(p->values, (gpointer)(data ? data : ""));
	g_array_append_val(p->lengths, length);
	g_array_append_val(p->formats, format);
}

/* n values as one array in PostgreSQL's binary array format, so that
 * nothing is escaped: one dimension of element type oid, then each
 * element's length (4 bytes, network order; -1 for NULL, where data[i]
 * is NULL) and its bytes. */
static void
add_binary_array(GwDbParams *p, guint32 oid, const char *const *data,
		 const gsize *lens, guint n)
{
	guint32 head[5] = { 1, 0, oid, n, 1 };
	gsize total = sizeof head;
	GByteArray *a;
	guint32 word;

	for (guint i = 0; i < n; i++) {
		total += 4 + (data[i] ? lens[i] : 0);
		if (data[i] == NULL)
			head[1] = 1;	/* has NULLs */
	}
	g_return_if_fail(total <= G_MAXINT);
	a = g_byte_array_sized_new((guint)total);
	for (guint k = 0; k < G_N_ELEMENTS(head); k++) {
		word = g_htonl(head[k]);
		g_byte_array_append(a, (const guint8 *)&word, 4);
	}
	for (guint i = 0; i < n; i++) {
		word = g_htonl(data[i] ? (guint32)lens[i] : G_MAXUINT32);
		g_byte_array_append(a, (const guint8 *)&word, 4);
		if (data[i] != NULL)
			g_byte_array_append(a, (const guint8 *)data[i], lens[i]);
	}
	add_param(p, (char *)a->data, (int)a->len, 1);
	g_byte_array_free(a, FALSE);
}

void
gw_db_params_bytes_array(GwDbParams *p, GBytes *const *items, guint n)
{
	g_autofree const char **data = g_new(const char *, n + 1);
	g_autofree gsize *lens = g_new(gsize, n + 1);

	for (guint i = 0; i < n; i++) {
		data[i] = g_bytes_get_data(items[i], &lens[i]);
		if (data[i] == NULL)
			data[i] = "";
	}
	add_binary_array(p, 17 /* bytea */, data, lens, n);
}

void
gw_db_params_text_array(GwDbParams *p, const char *const *strs, guint n)
{
	g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func(g_free);
	g_autofree const char **data = g_new(const char *, n + 1);
	g_autofree gsize *lens = g_new(gsize, n + 1);

	for (guint i = 0; i < n; i++) {
		data[i] = strs[i];
		if (data[i] == NULL)
			continue;
		lens[i] = strlen(data[i]);
		if (!g_utf8_validate_len(data[i], lens[i], NULL)) {
			char *valid = g_utf8_make_valid(data[i], (gssize)lens[i]);

			g_ptr_array_add(made, valid);
			data[i] = valid;
			lens[i] = strlen(valid);
		}
	}
	add_binary_array(p, 25 /* text */, data, lens, n);
}

/* An array literal: every element quoted, " and \ escaped. */
void
gw_db_params_strv(GwDbParams *p, const char *const *strv)
{
	GString *s = g_string_new("{");

	for (guint i = 0; strv != NULL && strv[i] != NULL; i++) {
		if (i > 0)
			g_string_append_c(s, ',');
		g_string_append_c(s, '"');
		for (const char *c = strv[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				g_string_append_c(s, '\\');
			g_string_append_c(s, *c);
		}
		g_string_append_c(s, '"');
	}
	g_string_append_c(s, '}');
	add_param(p, g_string_free(s, FALSE), 0, 0);
}

char *
gw_db_id_array(const GArray *ids)
{
	GString *s = g_string_new("{");

	for (guint i = 0; i < ids->len; i++)
		g_string_append_printf(s, "%s%" G_GINT64_FORMAT, i ? "," : "",
				       g_array_index(ids, gint64, i));
	g_string_append_c(s, '}');
	return g_string_free(s, FALSE);
}

void
gw_db_params_ids(GwDbParams *p, const GArray *ids)
{
	if (ids == NULL)
		gw_db_params_text(p, NULL);
	else
		add_param(p, gw_db_id_array(ids), 0, 0);
}

void
gw_db_params_take_json(GwDbParams *p, GwJson *json)
{
	add_param(p, gw_json_free_to_text(json), 0, 0);
}

static const char *
prepare(GwDb *db, const char *sql, GError **error)
{
	char *name = g_hash_table_lookup(db->prepared, sql);
	PGresult *res;

	if (name != NULL)
		return name;
	name = g_strdup_printf("gw%u", db->next_statement++);
	res = PQprepare(db->conn, name, sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		set_result_error(db, res, error);
		PQclear(res);
		g_free(name);
		return NULL;
	}
	PQclear(res);
	g_hash_table_insert(db->prepared, (gpointer)sql, name);
	return name;
}

gboolean
gw_db_send(GwDb *db, const char *sql, GwDbParams *params, const char *what,
	   GError **error)
{
	const char *name;
	int n = params ? (int)params->values->len : 0;

	gw_db_wait(db, NULL);
	name = prepare(db, sql, error);
	if (name == NULL)
		return FALSE;
	if (!PQsendQueryPrepared(db->conn, name, n,
				 n ? (const char *const *)params->values->pdata : NULL,
				 n ? (const int *)(void *)params->lengths->data : NULL,
				 n ? (const int *)(void *)params->formats->data : NULL, 0)) {
		g_autofree char *msg = gw_log_clean(PQerrorMessage(db->conn), 300);

		g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_TRANSIENT, "%s", msg);
		return FALSE;
	}
	db->pending = g_strdup(what);
	return TRUE;
}

gboolean
gw_db_busy(GwDb *db)
{
	if (db->pending == NULL)
		return FALSE;
	if (!PQconsumeInput(db->conn))
		return FALSE;	/* broken: gw_db_wait says so */
	return PQisBusy(db->conn) != 0;
}

/* Reads the result of a statement sent ahead into db->kept (or its
 * failure into db->kept_error). */
static void
read_kept(GwDb *db)
{
	g_autofree char *what = g_steal_pointer(&db->pending);
	PGresult *res;

	db->keep = FALSE;
	while ((res = PQgetResult(db->conn)) != NULL) {
		if (db->kept == NULL && db->kept_error == NULL &&
		    (PQresultStatus(res) == PGRES_TUPLES_OK ||
		     PQresultStatus(res) == PGRES_COMMAND_OK)) {
			db->kept = g_new(GwDbResult, 1);
			db->kept->res = res;
			db->kept->refs = 1;
			continue;
		}
		if (db->kept == NULL && db->kept_error == NULL)
			set_result_error(db, res, &db->kept_error);
		PQclear(res);
	}
	if (db->kept == NULL && db->kept_error == NULL)
		set_result_error(db, NULL, &db->kept_error);
}

gboolean
gw_db_send_ahead(GwDb *db, const char *sql, GwDbParams *params,
		 const char *what, GError **error)
{
	gw_db_wait(db, NULL);
	g_clear_pointer(&db->kept, gw_db_result_free);	/* never read */
	g_clear_error(&db->kept_error);
	if (!gw_db_send(db, sql, params, what, error))
		return FALSE;
	db->keep = TRUE;
	return TRUE;
}

GwDbResult *
gw_db_receive(GwDb *db, GError **error)
{
	if (db->pending != NULL && db->keep)
		read_kept(db);
	if (db->kept != NULL)
		return g_steal_pointer(&db->kept);
	if (db->kept_error != NULL) {
		g_propagate_error(error, g_steal_pointer(&db->kept_error));
		return NULL;
	}
	g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_QUERY,
		    "no statement was sent ahead to read the result of");
	return NULL;
}

gboolean
gw_db_wait(GwDb *db, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *what = NULL;
	PGresult *res;
	gboolean ok = TRUE;

	if (db->pending != NULL && db->keep) {
		read_kept(db);	/* for gw_db_receive */
		return TRUE;
	}
	what = g_steal_pointer(&db->pending);
	if (what == NULL)
		return TRUE;
	while ((res = PQgetResult(db->conn)) != NULL) {
		if (ok && PQresultStatus(res) != PGRES_TUPLES_OK &&
		    PQresultStatus(res) != PGRES_COMMAND_OK) {
			set_result_error(db, res, &local);
			ok = FALSE;
		}
		PQclear(res);
	}
	if (ok)
		return TRUE;
	gw_log_err("%s: %s", what, local->message);
	g_propagate_error(error, g_steal_pointer(&local));
	return FALSE;
}

static GwDbResult *
run(GwDb *db, const char *sql, GwDbParams *params, int result_format,
    GError **error)
{
	const char *name;
	PGresult *res;
	GwDbResult *result;
	int n = params ? (int)params->values->len : 0;

	gw_db_wait(db, NULL);	/* a failure there is logged, and its own */
	name = prepare(db, sql, error);
	if (name == NULL)
		return NULL;
	res = PQexecPrepared(db->conn, name, n,
			     n ? (const char *const *)params->values->pdata : NULL,
			     n ? (const int *)(void *)params->lengths->data : NULL,
			     n ? (const int *)(void *)params->formats->data : NULL,
			     result_format);
	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		set_result_error(db, res, error);
		PQclear(res);
		return NULL;
	}
	result = g_new(GwDbResult, 1);
	result->res = res;
	result->refs = 1;
	return result;
}

GwDbResult *
gw_db_exec(GwDb *db, const char *sql, GwDbParams *params, GError **error)
{
	return run(db, sql, params, 0, error);
}

GwDbResult *
gw_db_exec_binary(GwDb *db, const char *sql, GwDbParams *params,
		  GError **error)
{
	return run(db, sql, params, 1, error);
}

void
gw_db_result_free(GwDbResult *result)
{
	if (result == NULL || !g_atomic_int_dec_and_test(&result->refs))
		return;
	PQclear(result->res);
	g_free(result);
}

int
gw_db_result_rows(const GwDbResult *result)
{
	return PQntuples(result->res);
}

const char *
gw_db_result_text(const GwDbResult *result, int row, int col)
{
	if (PQgetisnull(result->res, row, col))
		return NULL;
	return PQgetvalue(result->res, row, col);
}

gint64
gw_db_result_int(const GwDbResult *result, int row, int col)
{
	const char *v = gw_db_result_text(result, row, col);

	return v ? g_ascii_strtoll(v, NULL, 10) : 0;
}

gboolean
gw_db_result_bool(const GwDbResult *result, int row, int col)
{
	const char *v = gw_db_result_text(result, row, col);

	return v != NULL && v[0] == 't';
}

GBytes *
gw_db_result_bytes(const GwDbResult *result, int row, int col)
{
	GwDbResult *r = (GwDbResult *)result;

	g_atomic_int_inc(&r->refs);
	return g_bytes_new_with_free_func(PQgetvalue(r->res, row, col),
					  PQgetlength(r->res, row, col),
					  (GDestroyNotify)gw_db_result_free, r);
}

/* PostgreSQL's text form of text[]: {a,"b c","d\"e",NULL}. */
char **
gw_db_result_strv(const GwDbResult *result, int row, int col)
{
	const char *p = gw_db_result_text(result, row, col);
	g_autoptr(GPtrArray) out = NULL;

	if (p == NULL || *p != '{')
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);
	p++;
	while (*p != '\0' && *p != '}') {
		GString *item = g_string_new(NULL);
		gboolean quoted = *p == '"';

		if (quoted) {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				g_string_append_c(item, *p);
			}
			if (*p == '"')
				p++;
		} else {
			for (; *p != '\0' && *p != ',' && *p != '}'; p++)
				g_string_append_c(item, *p);
		}
		g_ptr_array_add(out, g_string_free(item, FALSE));
		if (*p == ',')
			p++;
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

static const char sql_schema_version[] =
	"SELECT coalesce(max(version), 0) FROM plaint.schema_migrations";
static const char sql_has_schema[] =
	"SELECT to_regclass('plaint.schema_migrations') IS NOT NULL";
static const char sql_applied[] =
	"SELECT version FROM plaint.schema_migrations";
static const char sql_code_hash[] =
	"SELECT coalesce((SELECT hash FROM plaint.schema_code), '')";
static const char sql_set_code_hash[] =
	"INSERT INTO plaint.schema_code (hash) VALUES ($1) "
	"ON CONFLICT (only_row) DO UPDATE SET hash = $1, applied_at = now()";

gboolean
gw_db_schema_version(GwDb *db, int *version_out, GError **error)
{
	g_autoptr(GwDbResult) has = gw_db_exec(db, sql_has_schema, NULL, error);
	g_autoptr(GwDbResult) res = NULL;

	if (has == NULL)
		return FALSE;
	*version_out = 0;
	if (!gw_db_result_bool(has, 0, 0))
		return TRUE;
	res = gw_db_exec(db, sql_schema_version, NULL, error);
	if (res == NULL)
		return FALSE;
	*version_out = (int)gw_db_result_int(res, 0, 0);
	return TRUE;
}

/* The versions recorded in plaint.schema_migrations (empty set if the
 * schema does not exist yet). */
static GHashTable *
applied_versions(GwDb *db, GError **error)
{
	g_autoptr(GwDbResult) has = gw_db_exec(db, sql_has_schema, NULL, error);
	g_autoptr(GwDbResult) res = NULL;
	GHashTable *set;

	if (has == NULL)
		return NULL;
	set = g_hash_table_new(g_direct_hash, g_direct_equal);
	if (!gw_db_result_bool(has, 0, 0))
		return set;
	res = gw_db_exec(db, sql_applied, NULL, error);
	if (res == NULL) {
		g_hash_table_unref(set);
		return NULL;
	}
	for (int r = 0; r < gw_db_result_rows(res); r++)
		g_hash_table_add(set, GINT_TO_POINTER((int)gw_db_result_int(res, r, 0)));
	return set;
}

static guint
n_migrations(void)
{
	guint n = 0;

	for (const GwMigration *m = gw_migrations; m->version != 0; m++)
		n++;
	return n;
}

/* Every compiled-in migration must have been applied, none skipped, and
 * none the binary does not know; the code must be this build's. */
gboolean
gw_db_check_schema(GwDb *db, GError **error)
{
	g_autoptr(GHashTable) applied = applied_versions(db, error);
	g_autoptr(GwDbResult) code = NULL;

	if (applied == NULL)
		return FALSE;
	for (const GwMigration *m = gw_migrations; m->version != 0; m++)
		if (!g_hash_table_contains(applied, GINT_TO_POINTER(m->version))) {
			g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_SCHEMA,
				    "the database lacks schema migration %s: run "
				    "'plaint db migrate'", m->name);
			return FALSE;
		}
	if (g_hash_table_size(applied) != n_migrations()) {
		g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_SCHEMA,
			    "the database has schema migrations this plaint does "
			    "not know: it is older than the schema");
		return FALSE;
	}
	code = gw_db_exec(db, sql_code_hash, NULL, error);
	if (code == NULL)
		return FALSE;
	if (g_strcmp0(gw_db_result_text(code, 0, 0), gw_code_hash) != 0) {
		g_set_error(error, GW_DB_ERROR, GW_DB_ERROR_SCHEMA,
			    "the database's views and functions are not this "
			    "plaint's: run 'plaint db migrate'");
		return FALSE;
	}
	return TRUE;
}

/* Names undefined at this point of the code: another object of the
 * code that comes later in the list. */
static gboolean
is_undefined(const GError *error)
{
	return g_str_has_prefix(error->message, "42P01 ") ||	/* relation */
	       g_str_has_prefix(error->message, "42883 ") ||	/* function */
	       g_str_has_prefix(error->message, "42704 ");	/* type */
}

/* Creates the objects of gw_code between its prologue and epilogue.
 * An object that uses one created later fails as undefined; it is
 * rolled back to its savepoint and tried again after the others, until
 * a round makes no progress. */
static gboolean
create_code(GwDb *db, GError **error)
{
	const GwCode *first = gw_code, *last = gw_code;
	g_autoptr(GPtrArray) todo = g_ptr_array_new();

	while (last[1].name != NULL)
		last++;
	for (const GwCode *c = first + 1; c < last; c++)
		g_ptr_array_add(todo, (gpointer)c);
	if (!exec_fixed(db, first->sql, error))
		return FALSE;
	while (todo->len > 0) {
		g_autoptr(GPtrArray) later = g_ptr_array_new();
		g_autoptr(GError) undefined = NULL;

		for (guint i = 0; i < todo->len; i++) {
			const GwCode *c = todo->pdata[i];
			g_autoptr(GError) err = NULL;

			if (!exec_fixed(db, "SAVEPOINT code", error))
				return FALSE;
			if (exec_fixed(db, c->sql, &err)) {
				if (!exec_fixed(db, "RELEASE SAVEPOINT code", error))
					return FALSE;
				continue;
			}
			if (!is_undefined(err)) {
				g_propagate_prefixed_error(error, g_steal_pointer(&err),
							   "sql/code/%s: ", c->name);
				return FALSE;
			}
			if (!exec_fixed(db, "ROLLBACK TO SAVEPOINT code", error))
				return FALSE;
			if (undefined == NULL)
				g_propagate_prefixed_error(&undefined, g_steal_pointer(&err),
							   "sql/code/%s: ", c->name);
			g_ptr_array_add(later, (gpointer)c);
		}
		if (later->len == todo->len) {
			g_propagate_error(error, g_steal_pointer(&undefined));
			return FALSE;
		}
		g_ptr_array_set_size(todo, 0);
		g_ptr_array_extend(todo, later, NULL, NULL);
	}
	return exec_fixed(db, last->sql, error);
}

static gboolean
record_code(GwDb *db, GError **error)
{
	g_autoptr(GwDbParams) p = gw_db_params_new();
	g_autoptr(GwDbResult) res = NULL;

	gw_db_params_text(p, gw_code_hash);
	res = gw_db_exec(db, sql_set_code_hash, p, error);
	return res != NULL;
}

/* Applies, in order, every compiled-in migration the database lacks,
 * so that one merged out of order is not skipped; the code is dropped
 * first (a migration may change what a view reads) and made anew
 * after.  One transaction: a failure leaves the database as it was. */
static gboolean
migrate(GwDb *db, int *applied_out, GError **error)
{
	g_autoptr(GHashTable) applied = applied_versions(db, error);

	if (applied == NULL || !gw_db_begin(db, error))
		return FALSE;
	if (!exec_fixed(db, gw_code[0].sql, error)) {
		g_prefix_error(error, "sql/code/%s: ", gw_code[0].name);
		return FALSE;
	}
	for (const GwMigration *m = gw_migrations; m->version != 0; m++) {
		if (g_hash_table_contains(applied, GINT_TO_POINTER(m->version)))
			continue;
		if (!exec_fixed(db, m->sql, error)) {
			g_prefix_error(error, "migration %s: ", m->name);
			return FALSE;
		}
		(*applied_out)++;
	}
	return create_code(db, error) && record_code(db, error) &&
	       gw_db_commit(db, error);
}

gboolean
gw_db_migrate(GwDb *db, int *applied_out, GError **error)
{
	gboolean ok;

	*applied_out = 0;
	if (!exec_fixed(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", error))
		return FALSE;
	ok = migrate(db, applied_out, error);
	if (!ok)
		gw_db_rollback(db);
	exec_fixed(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", NULL);
	return ok;
}
