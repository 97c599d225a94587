/* gw-mail.h - raw RFC 5322 bytes -> GwMail, which owns its strings.
 *
 * Pure: no I/O.  The only module (with ack.c) that includes GMime.
 * Every string a GwMail lends is valid UTF-8 without NUL bytes, so the
 * database and PCRE2 in UTF mode accept it; headers are decoded (RFC
 * 2047, RFC 2231) and every part of the input is bounded by GwMailLimits.
 * A limit never fails the parse: it is recorded (gw_mail_limits_hit)
 * and the message is read as far as the limit allows.  What a message
 * cannot start with (blank lines, an mbox "From " line, a byte order
 * mark, an indented first field) is skipped, and text without any
 * header block is read as the text of a message without headers; both
 * are recorded as defects (gw_mail_defects). */
#pragma once

#include <glib.h>

typedef struct GwMail GwMail;

typedef struct {
	gsize max_message_bytes;	/* larger: only the headers are read */
	gsize max_header_bytes;		/* header block; beyond is cut */
	gsize max_text_bytes;		/* body text kept, UTF-8 bytes */
	guint max_headers;		/* header fields kept */
	guint max_depth;		/* MIME nesting walked */
	guint max_parts;		/* MIME parts walked */
	const char *const *fallback_charsets;	/* for unlabelled 8-bit text,
						 * tried in order after UTF-8;
						 * NULL: windows-1252 */
} GwMailLimits;

#define GW_MAIL_LIMITS_DEFAULT \
	{ 64 * 1024 * 1024, 1024 * 1024, 1024 * 1024, 1000, 30, 1000, NULL }

#define GW_MAIL_ERROR (gw_mail_error_quark())
GQuark gw_mail_error_quark(void);
typedef enum {
	GW_MAIL_ERROR_NOT_MAIL,	/* no header block and no text either
				 * (empty, blank or binary): quarantine */
} GwMailError;

/* One MIME part, as `plaint parse` shows it. */
typedef struct {
	char *path;		/* "1", "1.2", "1.2.1": children of a multipart
				 * or of a message/rfc822 part are numbered */
	char *content_type;	/* lower case, "text/plain" */
	char *disposition;	/* "attachment", "inline" or NULL */
	char *filename;		/* decoded, or NULL */
	char *content_id;	/* without <>, or NULL */
	gsize size;		/* decoded bytes, and */
	char *sha256;		/* their hash: both only once gw_mail_part_digest
				 * ran (decoding costs time); 0 and NULL for
				 * containers */
	gboolean container;	/* multipart or message/rfc822 */
	gboolean attachment;	/* listed among the attachments */
	gboolean body;		/* the part read as the text */
} GwMailPart;

typedef struct {
	char *name;		/* decoded display name, "" if none */
	char *address;		/* lower case */
} GwMailAddress;

/* Must be called once before any other function here (g_mime_init). */
void gw_mail_init(void);

GwMail *gw_mail_parse(GBytes *raw, const GwMailLimits *limits,
		      GError **error);

/* Splits an mbox into its messages, as GMime's mbox parser sees them
 * (the "From " lines dropped); at most max messages.  Returns GBytes
 * that share raw's memory (caller unrefs the array). */
GPtrArray *gw_mail_split_mbox(GBytes *raw, guint max);
void gw_mail_free(GwMail *mail);

/* The sha256 (hex) of the message without its trace header fields
 * (Received, Delivered-To, Return-Path, ...), line ends and trailing
 * white space: equal for the copies of one message that two mailboxes,
 * or one mailbox before and after a UIDVALIDITY change, hold (lent). */
const char *gw_mail_fingerprint(const GwMail *mail);

/* All lent, "" when absent.  Message ids come without angle brackets. */
const char *gw_mail_message_id(const GwMail *mail);
const char *gw_mail_in_reply_to(const GwMail *mail);
const char *gw_mail_subject(const GwMail *mail);
const char *gw_mail_from_addr(const GwMail *mail);	/* lower-cased */
const char *gw_mail_from_name(const GwMail *mail);
const char *gw_mail_text(const GwMail *mail);
/* The Date header as ISO 8601 ("2026-11-22T10:00:00+01:00"), "" if
 * absent or unreadable. */
const char *gw_mail_date(const GwMail *mail);
/* To and Cc addresses, lower-cased, joined by ", " (lent). */
const char *gw_mail_to(const GwMail *mail);
const char *gw_mail_cc(const GwMail *mail);
/* Address lists (lent arrays of GwMailAddress*): "to", "cc",
 * "reply-to", "sender", "return-path", "from". */
GPtrArray *gw_mail_addresses(const GwMail *mail, const char *which);
/* The domain of the From address, "" if none (lent). */
const char *gw_mail_from_domain(const GwMail *mail);
/* Names and content types ("image/png") of the attachments, one per
 * line (lent; "" when there are none). */
const char *gw_mail_attachment_names(const GwMail *mail);
const char *gw_mail_attachment_types(const GwMail *mail);
/* Every MIME part in tree order (lent array of GwMailPart*). */
GPtrArray *gw_mail_parts(const GwMail *mail);
/* Decodes part once to fill its size and sha256; returns the hash
 * (lent; NULL for a container). */
const char *gw_mail_part_digest(const GwMail *mail, GwMailPart *part);
/* The decoded bytes of part (from gw_mail_parts), or NULL for a
 * container or a part beyond the limits (caller unrefs). */
GBytes *gw_mail_part_content(const GwMail *mail, const GwMailPart *part);
/* The top-level content type, lower case ("multipart/report"). */
const char *gw_mail_content_type(const GwMail *mail);
/* TRUE if a part is a delivery, disposition or feedback report
 * (message/delivery-status, message/disposition-notification,
 * message/feedback-report): the mail is a bounce, an MDN or an ARF. */
gboolean gw_mail_has_report(const GwMail *mail);
/* Message-IDs of the messages a bounce or report carries back (in its
 * message/rfc822 or text/rfc822-headers parts), without <>; at most
 * 10 (lent, NULL-terminated, maybe empty). */
const char *const *gw_mail_original_ids(const GwMail *mail);
/* Size of the raw message in bytes. */
gsize gw_mail_size(const GwMail *mail);
/* The References ids in header order (lent, NULL-terminated). */
const char *const *gw_mail_references(const GwMail *mail);
/* The first header field called name (any case), decoded, or NULL. */
const char *gw_mail_header(const GwMail *mail, const char *name);
/* The field called name that comes n-th from the top (0: the first),
 * decoded, or NULL when there are no more. */
const char *gw_mail_header_nth(const GwMail *mail, const char *name, guint n);
/* TRUE when the text body was cut at limits->max_text_bytes. */
gboolean gw_mail_truncated(const GwMail *mail);
/* Limits the message reached, one sentence each (lent,
 * NULL-terminated, maybe empty). */
const char *const *gw_mail_limits_hit(const GwMail *mail);
/* What the parser found wrong in the message, one sentence each, at
 * most 50 (lent, NULL-terminated, maybe empty). */
const char *const *gw_mail_defects(const GwMail *mail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwMail, gw_mail_free)
