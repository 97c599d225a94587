/* imap.c - an IMAP session with libetpan.
 *
 * Owns the mailimap session.  Must never send LOGIN or AUTHENTICATE
 * before the server's certificate and name were verified (libetpan as
 * Debian builds it verifies nothing), never fetch with anything but
 * BODY.PEEK (fetching must not set \Seen: only the caller decides, after
 * its commit), and never issue an IMAP command from inside the fetch
 * handler.  An XOAUTH2 token is fetched for each login and wiped after. */
#include "gw-imap.h"

#include <string.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "gw-log.h"
#include "gw-stream.h"
#include "gw-tls.h"

G_DEFINE_QUARK(gw-imap-error-quark, gw_imap_error)

#define FETCH_CHUNK 1000	/* UIDs named in one FETCH of sizes */
#define PROBE_SECONDS 5		/* at most, to tell what a port speaks */

struct GwImap {
	mailimap *session;
	char *host;
	gboolean idling;
	gboolean cancelled;	/* by gw_imap_cancel_all, under fetch_lock */
};

/* The session downloading now, which a stop may cut short: only during
 * a FETCH, when libetpan neither opens nor closes the stream. */
static GMutex fetch_lock;
static GwImap *fetching;
static gboolean stopping;

static gboolean
imap_ok(int r)
{
	return r == MAILIMAP_NO_ERROR || r == MAILIMAP_NO_ERROR_AUTHENTICATED ||
	       r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
}

/* The server's last words, cleaned for a message. */
static char *
server_text(GwImap *imap)
{
	const char *t = imap->session ? imap->session->imap_response : NULL;

	return gw_log_clean(t, 200);
}

static gboolean
cancelled_error(GwImap *imap, GError **error)
{
	g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_CANCELLED,
		    "imap %s: download interrupted: stopping", imap->host);
	return FALSE;
}

static gboolean
set_error(GwImap *imap, GError **error, int r, const char *doing)
{
	g_autofree char *text = server_text(imap);
	int code = r == MAILIMAP_ERROR_LOGIN ? GW_IMAP_ERROR_REFUSED
					     : GW_IMAP_ERROR_TRANSIENT;

	if (r == MAILIMAP_ERROR_STREAM)
		g_set_error(error, GW_IMAP_ERROR, code,
			    "imap %s: %s failed: the connection was lost, or "
			    "the server was silent too long", imap->host, doing);
	else
		g_set_error(error, GW_IMAP_ERROR, code,
			    "imap %s: %s failed (libetpan %d)%s%s", imap->host,
			    doing, r, *text ? ": " : "", text);
	return FALSE;
}

static gboolean
verify_peer(GwImap *imap, const GwServerConfig *server, GError **error)
{
	carray *chain = mailstream_get_certificate_chain(imap->session->imap_stream);
	g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_bytes_unref);
	g_autoptr(GError) local = NULL;
	gboolean ok;

	for (unsigned int i = 0; chain != NULL && i < carray_count(chain); i++) {
		MMAPString *der = carray_get(chain, i);

		g_ptr_array_add(certs, g_bytes_new(der->str, der->len));
	}
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	ok = gw_tls_verify(certs, server->host, server->ca_file, &local);
	if (!ok)
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_REFUSED,
			    "imap %s: refusing to log in: %s", imap->host,
			    local->message);
	return ok;
}

/* An IMAP server greets with an untagged response. */
static gboolean
imap_greeting(const char *line)
{
	return g_str_has_prefix(line, "* ");
}

/* The TLS handshake of security = tls failed. */
static gboolean
tls_failed(GwImap *imap, const GwServerConfig *server, GError **error)
{
	g_autofree char *why = gw_stream_tls_failure(
		server->host, server->port, MIN(server->timeout, PROBE_SECONDS),
		imap_greeting, "IMAPS, security = tls, is usually on 993");

	g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT, "imap %s: %s",
		    imap->host, why);
	return FALSE;
}

/* No greeting came: a server waiting for a TLS handshake is silent. */
static gboolean
greeting_failed(GwImap *imap, const GwServerConfig *server, int r,
		GError **error)
{
	g_autofree char *text = server_text(imap);
	gboolean tls = r == MAILIMAP_ERROR_STREAM &&
		       gw_stream_speaks_tls(server->host, server->port,
					    MIN(server->timeout, PROBE_SECONDS));

	if (tls)
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: no greeting in plain text within %d s, but "
			    "the port answers a TLS handshake: security = tls "
			    "probably fits it (security = %s waits for a plain "
			    "text greeting first)", imap->host, server->timeout,
			    server->security == GW_SECURITY_STARTTLS ? "starttls" : "none");
	else if (r == MAILIMAP_ERROR_STREAM)
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: no greeting: the server closed the "
			    "connection, or said nothing within %d s", imap->host,
			    server->timeout);
	else
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: the greeting is not IMAP's (libetpan %d)%s%s",
			    imap->host, r, *text ? ": " : "", text);
	return FALSE;
}

/* Connects (the socket is plaint's, for a clear error), reads the
 * greeting, and with security = starttls switches to TLS. */
static gboolean
open_stream(GwImap *imap, const GwServerConfig *server, GError **error)
{
	g_autoptr(GError) local = NULL;
	int fd = gw_stream_connect(server->host, server->port, server->timeout, &local);
	mailstream *stream;
	int r;

	if (fd < 0) {
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: %s", imap->host, local->message);
		return FALSE;
	}
	stream = gw_stream_open(fd, server->host, server->security == GW_SECURITY_TLS,
				server->timeout);
	if (stream == NULL) {
		if (server->security == GW_SECURITY_TLS)
			return tls_failed(imap, server, error);
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: out of memory", imap->host);
		return FALSE;
	}
	r = mailimap_connect(imap->session, stream);
	if (!imap_ok(r))
		return greeting_failed(imap, server, r, error);
	if (server->security != GW_SECURITY_STARTTLS)
		return TRUE;
	r = mailimap_socket_starttls_with_callback(imap->session, gw_stream_set_sni, server->host);
	if (!imap_ok(r)) {
		g_autofree char *text = server_text(imap);
		const char *why = gw_tls_take_handshake_failure();

		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: STARTTLS failed%s%s%s%s", imap->host,
			    why ? ": the TLS handshake failed: " : "", why ? why : "",
			    !why && *text ? ": " : "", !why ? text : "");
		return FALSE;
	}
	return TRUE;
}

/* AUTHENTICATE XOAUTH2 with the SASL initial response (RFC 4959), which
 * libetpan builds as base64("user=" user ^A "auth=Bearer " token ^A ^A)
 * without Cyrus SASL, whose Debian build has no XOAUTH2.  A server that
 * refuses first sends a challenge holding an error JSON; libetpan
 * answers it with the empty line the mechanism asks for, then reads the
 * tagged NO (MAILIMAP_ERROR_LOGIN) or BAD (MAILIMAP_ERROR_PROTOCOL). */
static gboolean
authenticate_xoauth2(GwImap *imap, const GwServerConfig *server, GError **error)
{
	g_autoptr(GError) local = NULL;
	char *token = gw_config_load_token(server, &local);
	int r;

	if (token == NULL) {
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: no XOAUTH2 token for %s: %s", imap->host,
			    server->username, local->message);
		return FALSE;
	}
	r = mailimap_oauth2_authenticate(imap->session, server->username, token);
	gw_config_token_free(token);
	if (!imap_ok(r)) {
		g_autofree char *text = server_text(imap);
		gboolean refused = r == MAILIMAP_ERROR_LOGIN ||
				   r == MAILIMAP_ERROR_PROTOCOL;

		g_set_error(error, GW_IMAP_ERROR,
			    refused ? GW_IMAP_ERROR_REFUSED : GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: %s for %s (libetpan %d)%s%s", imap->host,
			    refused ? "XOAUTH2 refused" : "AUTHENTICATE XOAUTH2 failed",
			    server->username, r, *text ? ": " : "", text);
		return FALSE;
	}
	return TRUE;
}

static gboolean
log_in(GwImap *imap, const GwServerConfig *server, GError **error)
{
	int r;

	if (server->auth == GW_AUTH_XOAUTH2)
		return authenticate_xoauth2(imap, server, error);
	r = mailimap_login(imap->session, server->username, server->password);
	if (r == MAILIMAP_ERROR_LOGIN) {
		g_autofree char *text = server_text(imap);

		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_REFUSED,
			    "imap %s: login as %s refused: the user name or the "
			    "password is wrong (the server said: %s)", imap->host,
			    server->username, *text ? text : "NO");
		return FALSE;
	}
	if (!imap_ok(r))
		return set_error(imap, error, r, "LOGIN");
	return TRUE;
}

GwImap *
gw_imap_connect(const GwServerConfig *server, GError **error)
{
	g_autoptr(GwImap) imap = g_new0(GwImap, 1);

	imap->host = g_strdup_printf("%s:%d", server->host, server->port);
	imap->session = mailimap_new(0, NULL);
	mailimap_set_timeout(imap->session, server->timeout);
	if (!open_stream(imap, server, error))
		return NULL;
	if (server->security != GW_SECURITY_NONE &&
	    !verify_peer(imap, server, error))
		return NULL;
	/* A server that hangs up mid-FETCH is an error, not a loop. */
	if (!gw_stream_guard_eof(imap->session->imap_stream)) {
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: out of memory", imap->host);
		return NULL;
	}
	if (!log_in(imap, server, error))
		return NULL;
	return g_steal_pointer(&imap);
}

void
gw_imap_free(GwImap *imap)
{
	if (imap == NULL)
		return;
	if (imap->idling)
		gw_imap_idle_done(imap, NULL);
	if (imap->session != NULL) {
		if (imap->session->imap_stream != NULL && !imap->cancelled &&
		    imap->session->imap_state != MAILIMAP_STATE_DISCONNECTED)
			mailimap_logout(imap->session);
		mailimap_free(imap->session);
	}
	g_free(imap->host);
	g_free(imap);
}

gboolean
gw_imap_select(GwImap *imap, const char *folder, guint32 *uidvalidity_out,
	       guint32 *uidnext_out, GError **error)
{
	int r = mailimap_select(imap->session, folder);

	if (!imap_ok(r))
		return set_error(imap, error, r, "SELECT");
	if (imap->session->imap_selection_info == NULL ||
	    imap->session->imap_selection_info->sel_uidvalidity == 0) {
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: SELECT %s gave no UIDVALIDITY", imap->host,
			    folder);
		return FALSE;
	}
	*uidvalidity_out = imap->session->imap_selection_info->sel_uidvalidity;
	*uidnext_out = imap->session->imap_selection_info->sel_uidnext;
	return TRUE;
}

static int
compare_uids(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

/* UID SEARCH with key (taken over); the UIDs at least min, ascending. */
static GArray *
search(GwImap *imap, struct mailimap_search_key *key, guint32 min,
       const char *what, GError **error)
{
	clist *found = NULL;
	GArray *uids;
	int r;

	r = mailimap_uid_search(imap->session, NULL, key, &found);
	mailimap_search_key_free(key);
	if (!imap_ok(r)) {
		set_error(imap, error, r, what);
		return NULL;
	}
	uids = g_array_new(FALSE, FALSE, sizeof(guint32));
	for (clistiter *it = clist_begin(found); it != NULL; it = clist_next(it)) {
		guint32 uid = *(uint32_t *)clist_content(it);

		/* "N:*" always matches the last message, even below N. */
		if (uid >= min)
			g_array_append_val(uids, uid);
	}
	mailimap_search_result_free(found);
	g_array_sort(uids, compare_uids);
	return uids;
}

GArray *
gw_imap_search_unseen(GwImap *imap, GError **error)
{
	struct mailimap_search_key *key;

	key = mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNSEEN, NULL, NULL,
				      NULL, NULL, NULL, NULL, NULL, NULL, NULL,
				      NULL, NULL, NULL, NULL, NULL, 0, NULL,
				      NULL, NULL, NULL, NULL, NULL, 0, NULL,
				      NULL, NULL);
	return search(imap, key, 0, "UID SEARCH UNSEEN", error);
}

GArray *
gw_imap_search_from(GwImap *imap, guint32 first, GError **error)
{
	/* 0 stands for "*", the highest UID in use. */
	struct mailimap_set *set = mailimap_set_new_interval(MAX(first, 1), 0);

	return search(imap, mailimap_search_key_new_uid(set), first,
		      "UID SEARCH UID n:*", error);
}

typedef struct {
	GwImapMessageFunc func;
	gpointer data;
	GError *error;		/* the first failure of func */
} FetchContext;

static char *
format_date(const struct mailimap_date_time *d)
{
	int zone = d->dt_zone;
	char sign = zone < 0 ? '-' : '+';

	zone = ABS(zone);
	return g_strdup_printf("%04d-%02d-%02d %02d:%02d:%02d%c%02d%02d",
			       d->dt_year, d->dt_month, d->dt_day, d->dt_hour,
			       d->dt_min, d->dt_sec, sign, zone / 100,
			       zone % 100);
}

/* Called by libetpan as each message of a FETCH response is parsed;
 * the attribute is freed when this returns, so func gets a copy. */
static void
on_message(struct mailimap_msg_att *att, void *data)
{
	FetchContext *ctx = data;
	guint32 uid = 0;
	g_autofree char *date = NULL;
	g_autoptr(GBytes) body = NULL;

	if (ctx->error != NULL)
		return;
	for (clistiter *it = clist_begin(att->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_static *st;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st->att_type == MAILIMAP_MSG_ATT_UID)
			uid = st->att_data.att_uid;
		else if (st->att_type == MAILIMAP_MSG_ATT_INTERNALDATE &&
			 st->att_data.att_internal_date != NULL)
			date = format_date(st->att_data.att_internal_date);
		else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
			 st->att_data.att_body_section != NULL) {
			struct mailimap_msg_att_body_section *sec =
				st->att_data.att_body_section;

			g_clear_pointer(&body, g_bytes_unref);
			body = g_bytes_new(sec->sec_body_part ? sec->sec_body_part : "",
					   sec->sec_length);
		}
	}
	/* An untagged FETCH for flags only (another client's change). */
	if (uid == 0 || body == NULL)
		return;
	ctx->func(uid, date, body, ctx->data, &ctx->error);
}

static void
no_progress(size_t current, size_t maximum, void *data)
{
	(void)current; (void)maximum; (void)data;
}

static struct mailimap_set *
uid_set(const guint32 *uids, guint n_uids)
{
	struct mailimap_set *set = mailimap_set_new_empty();

	for (guint i = 0; i < n_uids; i++)
		mailimap_set_add_single(set, uids[i]);
	return set;
}

gboolean
gw_imap_fetch(GwImap *imap, const guint32 *uids, guint n_uids,
	      GwImapMessageFunc func, gpointer data, GError **error)
{
	FetchContext ctx = { func, data, NULL };
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clist *result = NULL;
	int r;

	if (n_uids == 0)
		return TRUE;
	g_mutex_lock(&fetch_lock);
	if (stopping)
		imap->cancelled = TRUE;
	else
		fetching = imap;
	g_mutex_unlock(&fetch_lock);
	if (imap->cancelled)
		return cancelled_error(imap, error);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_internaldate());
	mailimap_fetch_type_new_fetch_att_list_add(
		ft, mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	set = uid_set(uids, n_uids);
	/* The handler is only called when a progress callback is set too. */
	mailimap_set_progress_callback(imap->session, no_progress, no_progress, NULL);
	mailimap_set_msg_att_handler(imap->session, on_message, &ctx);
	r = mailimap_uid_fetch(imap->session, set, ft, &result);
	g_mutex_lock(&fetch_lock);
	fetching = NULL;
	g_mutex_unlock(&fetch_lock);
	mailimap_set_msg_att_handler(imap->session, NULL, NULL);
	mailimap_set_progress_callback(imap->session, NULL, NULL, NULL);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (result != NULL)
		mailimap_fetch_list_free(result);
	if (ctx.error != NULL) {
		g_propagate_error(error, ctx.error);
		return FALSE;
	}
	if (imap->cancelled)
		return cancelled_error(imap, error);
	if (!imap_ok(r))
		return set_error(imap, error, r, "UID FETCH");
	return TRUE;
}

void
gw_imap_cancel_all(void)
{
	g_mutex_lock(&fetch_lock);
	stopping = TRUE;
	if (fetching != NULL) {
		fetching->cancelled = TRUE;
		mailstream_cancel(fetching->session->imap_stream);
	}
	g_mutex_unlock(&fetch_lock);
}

/* The sizes of uids (RFC822.SIZE), in chunks of FETCH_CHUNK; a UID the
 * server no longer has is left out. */
static void
on_size(struct mailimap_msg_att *att, void *data)
{
	GHashTable *sizes = data;
	guint32 uid = 0, size = 0;
	gboolean has_size = FALSE;

	for (clistiter *it = clist_begin(att->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_static *st;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st->att_type == MAILIMAP_MSG_ATT_UID)
			uid = st->att_data.att_uid;
		else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE) {
			size = st->att_data.att_rfc822_size;
			has_size = TRUE;
		}
	}
	if (uid != 0 && has_size)
		g_hash_table_insert(sizes, GUINT_TO_POINTER(uid), GUINT_TO_POINTER(size));
}

GHashTable *
gw_imap_fetch_sizes(GwImap *imap, const guint32 *uids, guint n_uids,
		    GError **error)
{
	g_autoptr(GHashTable) sizes = g_hash_table_new(NULL, NULL);

	for (guint i = 0; i < n_uids; i += FETCH_CHUNK) {
		struct mailimap_fetch_type *ft;
		struct mailimap_set *set;
		clist *result = NULL;
		int r;

		ft = mailimap_fetch_type_new_fetch_att_list_empty();
		mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
		mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size());
		set = uid_set(uids + i, MIN(FETCH_CHUNK, n_uids - i));
		mailimap_set_progress_callback(imap->session, no_progress, no_progress, NULL);
		mailimap_set_msg_att_handler(imap->session, on_size, sizes);
		r = mailimap_uid_fetch(imap->session, set, ft, &result);
		mailimap_set_msg_att_handler(imap->session, NULL, NULL);
		mailimap_set_progress_callback(imap->session, NULL, NULL, NULL);
		mailimap_fetch_type_free(ft);
		mailimap_set_free(set);
		if (result != NULL)
			mailimap_fetch_list_free(result);
		if (!imap_ok(r)) {
			set_error(imap, error, r, "UID FETCH (RFC822.SIZE)");
			return NULL;
		}
	}
	return g_steal_pointer(&sizes);
}

gboolean
gw_imap_flag_seen(GwImap *imap, const guint32 *uids, guint n_uids,
		  GError **error)
{
	struct mailimap_flag_list *flags;
	struct mailimap_store_att_flags *store;
	struct mailimap_set *set;
	int r;

	if (n_uids == 0)
		return TRUE;
	flags = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(flags, mailimap_flag_new_seen());
	store = mailimap_store_att_flags_new_add_flags_silent(flags);
	set = uid_set(uids, n_uids);
	r = mailimap_uid_store(imap->session, set, store);
	mailimap_store_att_flags_free(store);
	mailimap_set_free(set);
	if (!imap_ok(r))
		return set_error(imap, error, r, "UID STORE +FLAGS (\\Seen)");
	return TRUE;
}

static gboolean
has_idle(GwImap *imap)
{
	struct mailimap_capability_data *caps = NULL;

	if (mailimap_has_idle(imap->session))
		return TRUE;
	/* Not every server sends its capabilities with the login reply. */
	if (imap_ok(mailimap_capability(imap->session, &caps)) && caps != NULL)
		mailimap_capability_data_free(caps);
	return mailimap_has_idle(imap->session);
}

gboolean
gw_imap_idle_start(GwImap *imap, int *fd_out, GError **error)
{
	int r;

	if (!has_idle(imap))
		return FALSE;
	if (mailstream_setup_idle(imap->session->imap_stream) < 0) {
		g_set_error(error, GW_IMAP_ERROR, GW_IMAP_ERROR_TRANSIENT,
			    "imap %s: cannot set up IDLE", imap->host);
		return FALSE;
	}
	r = mailimap_idle(imap->session);
	if (!imap_ok(r)) {
		mailstream_unsetup_idle(imap->session->imap_stream);
		return set_error(imap, error, r, "IDLE");
	}
	imap->idling = TRUE;
	*fd_out = mailimap_idle_get_fd(imap->session);
	return TRUE;
}

gboolean
gw_imap_idle_done(GwImap *imap, GError **error)
{
	int r;

	if (!imap->idling)
		return TRUE;
	imap->idling = FALSE;
	r = mailimap_idle_done(imap->session);
	mailstream_unsetup_idle(imap->session->imap_stream);
	if (!imap_ok(r))
		return set_error(imap, error, r, "DONE (end of IDLE)");
	return TRUE;
}

gboolean
gw_imap_idling(const GwImap *imap)
{
	return imap->idling;
}
