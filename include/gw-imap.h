/* gw-imap.h - one IMAP session: connect, verify TLS, log in, fetch, flag.
 *
 * The only module that includes libetpan's IMAP half.  It never decides
 * what is stored: it lends fetched bytes to a callback and flags exactly
 * the UIDs it is given.  Every read has the configured timeout. */
#pragma once

#include "gw-config.h"

typedef struct GwImap GwImap;

#define GW_IMAP_ERROR (gw_imap_error_quark())
GQuark gw_imap_error_quark(void);
typedef enum {
	GW_IMAP_ERROR_REFUSED,	/* TLS not trusted, login or XOAUTH2 token
				 * refused: stop this mailbox until the
				 * admin acts */
	GW_IMAP_ERROR_TRANSIENT, /* network, timeout, server trouble, no
				 * token to be had now: retry */
	GW_IMAP_ERROR_CANCELLED, /* gw_imap_cancel_all: the process stops */
} GwImapError;

/* Connects as server says (TLS, STARTTLS or plain), verifies the
 * certificate and host name, and only then logs in: LOGIN with the
 * password, or AUTHENTICATE XOAUTH2 with a token fetched now
 * (gw_config_load_token). */
GwImap *gw_imap_connect(const GwServerConfig *server, GError **error);
/* Logs out (best effort) and frees; NULL is fine. */
void gw_imap_free(GwImap *imap);

/* SELECTs folder; returns its UIDVALIDITY and its UIDNEXT (the UID the
 * next message will get; 0 if the server did not say). */
gboolean gw_imap_select(GwImap *imap, const char *folder,
			guint32 *uidvalidity_out, guint32 *uidnext_out,
			GError **error);

/* UIDs of messages without \Seen, ascending (caller frees the array). */
GArray *gw_imap_search_unseen(GwImap *imap, GError **error);
/* UIDs of first and above, whatever their flags, ascending (caller
 * frees the array). */
GArray *gw_imap_search_from(GwImap *imap, guint32 first, GError **error);

/* One fetched message; bytes and internaldate (ISO 8601, or NULL) are
 * lent for the call.  Return FALSE to stop the fetch (sets error). */
typedef gboolean (*GwImapMessageFunc)(guint32 uid, const char *internaldate,
				      GBytes *bytes, gpointer data,
				      GError **error);

/* UID FETCH (UID INTERNALDATE BODY.PEEK[]) of uids, streamed to func one
 * message at a time.  Size limits are the parser's business: a large
 * message still arrives whole, since losing mail is nobody's. */
gboolean gw_imap_fetch(GwImap *imap, const guint32 *uids, guint n_uids,
		       GwImapMessageFunc func, gpointer data, GError **error);

/* The sizes the server gives (RFC822.SIZE) of uids: a table of UID to
 * size; a UID it no longer has is absent.  Caller unrefs. */
GHashTable *gw_imap_fetch_sizes(GwImap *imap, const guint32 *uids,
				guint n_uids, GError **error);

/* From any thread: cuts short the FETCH in progress, if any, and makes
 * every later one fail at once (GW_IMAP_ERROR_CANCELLED).  For a stop:
 * what was not committed stays unflagged on the server. */
void gw_imap_cancel_all(void);

/* UID STORE +FLAGS.SILENT (\Seen) on exactly uids. */
gboolean gw_imap_flag_seen(GwImap *imap, const guint32 *uids, guint n_uids,
			   GError **error);

/* RFC 2177 IDLE.  gw_imap_idle_start sends IDLE (FALSE with no error
 * set if the server has no IDLE); then *fd_out turns readable when the
 * server has news, and gw_imap_idle_done must end the IDLE before any
 * other command.  Re-IDLE before 29 minutes pass. */
gboolean gw_imap_idle_start(GwImap *imap, int *fd_out, GError **error);
gboolean gw_imap_idle_done(GwImap *imap, GError **error);
gboolean gw_imap_idling(const GwImap *imap);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwImap, gw_imap_free)
