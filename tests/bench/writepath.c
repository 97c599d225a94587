/* writepath.c - the least work that files a complaint: the yardstick for
 * plaint's ingest rate.
 *
 *   writepath CONNINFO DIR [CLIENTS [PER_TXN]]
 *
 * For every DIR/ *.eml it writes, into plaint's own schema (a database
 * migrated by `plaint db migrate`), what filing that message must leave
 * behind at the least: its raw_messages row (the bytes, as bytea), a
 * customer, a ticket, the inbound message row and an outbox row for the
 * acknowledgement.  One prepared statement does all five inserts in one
 * round trip; CLIENTS connections (default 2) share the messages, each in
 * transactions of PER_TXN messages (default 50).
 *
 * No MIME parsing, no rules, no threading, no acknowledgement text: the
 * header values come from a plain line scan and the body is the bytes
 * after the header block.  What plaint does on top of this is what the
 * ratio of the two rates measures.
 *
 * Prints one line: messages, seconds, messages/s, and the number of
 * outbox rows counted afterwards.  Exit status 0, or 1 with a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libpq-fe.h>

typedef struct {
	char *path;
	GBytes *raw;
	char *message_id;
	char *from_addr;
	char *from_name;
	char *subject;
	char *body;
	char *sha256;
} Letter;

typedef struct {
	const char *conninfo;
	GPtrArray *letters;
	guint first, step, per_txn;
	PGconn *conn;
	char *error;		/* set by a client that failed */
} Client;

/* The whole filing as one statement: $1 mailbox, $2 uidvalidity, $3 uid,
 * $4 sha256, $5 size, $6 raw (binary), $7 from address, $8 from name,
 * $9 subject, $10 Message-ID, $11 body, $12 the ack's Message-ID. */
static const char put_sql[] =
	"WITH raw AS ("
	"  INSERT INTO plaint.raw_messages (mailbox, uidvalidity, uid, "
	"    internaldate, sha256, size, raw, state, outcome, processed_at) "
	"  VALUES ($1, $2, $3, now(), $4, $5, $6, 'done', 'ticket', now()) "
	"  RETURNING id), "
	"customer AS ("
	"  INSERT INTO plaint.customers (email, name) VALUES (lower($7), $8) "
	"  ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id), "
	"ticket AS ("
	"  INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at) "
	"  SELECT 'CMP-' || nextval('plaint.ticket_number_seq'), customer.id, $9, "
	"    'general', now() + interval '60 seconds' FROM customer RETURNING id), "
	"msg AS ("
	"  INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id, "
	"    from_addr, from_name, subject, body, received_at) "
	"  SELECT ticket.id, raw.id, 'in', $10, lower($7), $8, $9, $11, now() "
	"    FROM ticket, raw RETURNING id, ticket_id) "
	"INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, "
	"  message_id, due_at) "
	"SELECT 'ack', msg.ticket_id, msg.id, lower($7), $12, "
	"  now() + interval '60 seconds' FROM msg";

static void
letter_free(Letter *l)
{
	g_free(l->path);
	g_bytes_unref(l->raw);
	g_free(l->message_id);
	g_free(l->from_addr);
	g_free(l->from_name);
	g_free(l->subject);
	g_free(l->body);
	g_free(l->sha256);
	g_free(l);
}

/* The value of header name in the block head (unfolded lines only: the
 * benchmark's own messages keep these headers on one line), or NULL. */
static char *
header(const char *head, const char *name)
{
	gsize n = strlen(name);

	for (const char *line = head; *line != '\0';) {
		const char *end = strchr(line, '\n');

		if (end == NULL)
			end = line + strlen(line);
		if (g_ascii_strncasecmp(line, name, n) == 0 && line[n] == ':')
			return g_strstrip(g_strndup(line + n + 1, end - line - n - 1));
		line = *end ? end + 1 : end;
	}
	return NULL;
}

/* "Name <addr>" -> addr and name; a bare address has no name. */
static void
split_from(const char *from, char **addr_out, char **name_out)
{
	const char *lt = strrchr(from, '<'), *gt = strrchr(from, '>');

	if (lt == NULL || gt == NULL || gt < lt) {
		*addr_out = g_strdup(from);
		*name_out = NULL;
		return;
	}
	*addr_out = g_strndup(lt + 1, gt - lt - 1);
	*name_out = g_strstrip(g_strndup(from, lt - from));
}

static Letter *
letter_load(const char *path, GError **error)
{
	g_autofree char *data = NULL, *head = NULL, *from = NULL;
	gsize len;
	const char *sep;
	Letter *l;

	if (!g_file_get_contents(path, &data, &len, error))
		return NULL;
	sep = strstr(data, "\r\n\r\n");
	if (sep == NULL) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: no empty line after the header block", path);
		return NULL;
	}
	head = g_strndup(data, sep - data);
	from = header(head, "From");
	l = g_new0(Letter, 1);
	l->path = g_strdup(path);
	l->message_id = header(head, "Message-ID");
	l->subject = header(head, "Subject");
	if (from == NULL || l->message_id == NULL || l->subject == NULL) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s: needs From, Subject and Message-ID", path);
		letter_free(l);
		return NULL;
	}
	split_from(from, &l->from_addr, &l->from_name);
	/* Stored without its angle brackets, as plaint stores it. */
	g_strdelimit(l->message_id, "<>", ' ');
	g_strstrip(l->message_id);
	l->body = g_strdup(sep + 4);
	l->raw = g_bytes_new_take(g_steal_pointer(&data), len);
	return l;
}

static GPtrArray *
load_dir(const char *dir, GError **error)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, error);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) letters = g_ptr_array_new_with_free_func(
		(GDestroyNotify)letter_free);
	const char *name;

	if (d == NULL)
		return NULL;
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".eml"))
			g_ptr_array_add(names, g_build_filename(dir, name, NULL));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++) {
		Letter *l = letter_load(names->pdata[i], error);

		if (l == NULL)
			return NULL;
		g_ptr_array_add(letters, l);
	}
	return g_steal_pointer(&letters);
}

static gboolean
exec_ok(Client *c, PGresult *res, const char *what)
{
	gboolean ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok && c->error == NULL)
		c->error = g_strdup_printf("%s: %s", what, PQerrorMessage(c->conn));
	PQclear(res);
	return ok;
}

static gboolean
put(Client *c, guint i)
{
	const Letter *l = c->letters->pdata[i];
	g_autofree char *uid = g_strdup_printf("%u", i + 1);
	g_autofree char *size = g_strdup_printf("%" G_GSIZE_FORMAT,
						 g_bytes_get_size(l->raw));
	g_autofree char *ack_id = g_strdup_printf("ack-%u@bench.example.com", i + 1);
	g_autofree char *sha = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, l->raw);
	const char *values[12] = {
		"writepath", "1", uid, sha, size, g_bytes_get_data(l->raw, NULL),
		l->from_addr, l->from_name, l->subject, l->message_id, l->body,
		ack_id,
	};
	int lengths[12] = { 0 }, formats[12] = { 0 };

	lengths[5] = (int)g_bytes_get_size(l->raw);
	formats[5] = 1;		/* the raw bytes go as they are */
	return exec_ok(c, PQexecPrepared(c->conn, "put", 12, values, lengths,
					 formats, 0), "insert");
}

static gpointer
client_run(gpointer data)
{
	Client *c = data;
	guint in_txn = 0;

	for (guint i = c->first; i < c->letters->len; i += c->step) {
		if (in_txn == 0 && !exec_ok(c, PQexec(c->conn, "BEGIN"), "BEGIN"))
			return NULL;
		if (!put(c, i))
			return NULL;
		if (++in_txn == c->per_txn) {
			if (!exec_ok(c, PQexec(c->conn, "COMMIT"), "COMMIT"))
				return NULL;
			in_txn = 0;
		}
	}
	if (in_txn > 0)
		exec_ok(c, PQexec(c->conn, "COMMIT"), "COMMIT");
	return NULL;
}

static gboolean
client_connect(Client *c)
{
	c->conn = PQconnectdb(c->conninfo);
	if (PQstatus(c->conn) != CONNECTION_OK) {
		c->error = g_strdup_printf("connect: %s", PQerrorMessage(c->conn));
		return FALSE;
	}
	return exec_ok(c, PQprepare(c->conn, "put", put_sql, 12, NULL), "prepare");
}

static long long
count_outbox(PGconn *conn)
{
	PGresult *res = PQexec(conn, "SELECT count(*) FROM plaint.outbox "
				     "JOIN plaint.raw_messages r ON r.mailbox = 'writepath' "
				     "JOIN plaint.messages m ON m.raw_id = r.id "
				     "WHERE plaint.outbox.message_row = m.id");
	long long n = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static int
run(const char *conninfo, GPtrArray *letters, guint clients, guint per_txn)
{
	g_autofree Client *c = g_new0(Client, clients);
	g_autofree GThread **threads = g_new0(GThread *, clients);
	gboolean connected = TRUE;
	gint64 t0, t1;
	int status = 0;

	for (guint k = 0; k < clients; k++) {
		c[k] = (Client){ conninfo, letters, k, clients, per_txn, NULL, NULL };
		connected = connected && client_connect(&c[k]);
	}
	t0 = g_get_monotonic_time();
	for (guint k = 0; k < clients && connected; k++)
		threads[k] = g_thread_new("client", client_run, &c[k]);
	for (guint k = 0; k < clients; k++)
		if (threads[k] != NULL)
			g_thread_join(threads[k]);
	t1 = g_get_monotonic_time();
	for (guint k = 0; k < clients; k++)
		if (c[k].error != NULL) {
			fprintf(stderr, "writepath: client %u: %s", k, c[k].error);
			status = 1;
		}
	if (status == 0)
		printf("writepath: %u messages, %u clients, %u per transaction: "
		       "%.3f s, %.0f messages/s, %lld outbox rows\n",
		       letters->len, clients, per_txn, (t1 - t0) / 1e6,
		       letters->len / ((t1 - t0) / 1e6), count_outbox(c[0].conn));
	for (guint k = 0; k < clients; k++) {
		g_free(c[k].error);
		PQfinish(c[k].conn);
	}
	return status;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) letters = NULL;
	guint clients = argc > 3 ? (guint)atoi(argv[3]) : 2;
	guint per_txn = argc > 4 ? (guint)atoi(argv[4]) : 50;
	PGconn *conn;
	PGresult *res;

	if (argc < 3 || argc > 5 || clients < 1 || clients > 64 || per_txn < 1) {
		fprintf(stderr, "usage: writepath CONNINFO DIR [CLIENTS [PER_TXN]]\n");
		return 64;
	}
	letters = load_dir(argv[2], &err);
	if (letters == NULL || letters->len == 0) {
		fprintf(stderr, "writepath: %s\n", err ? err->message : "no .eml files");
		return 1;
	}
	/* The queue tickets go to; plaint creates it when first used. */
	conn = PQconnectdb(argv[1]);
	res = PQexec(conn, "INSERT INTO plaint.queues (name) VALUES ('general') "
			   "ON CONFLICT DO NOTHING");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "writepath: %s", PQerrorMessage(conn));
		PQclear(res);
		PQfinish(conn);
		return 1;
	}
	PQclear(res);
	PQfinish(conn);
	return run(argv[1], letters, clients, per_txn);
}
