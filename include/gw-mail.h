/* gw-mail.h - raw RFC 5322 bytes -> GwMail, which owns its strings.
 *
 * Pure: no I/O.  The only module (with ack.c) that includes GMime.
 * Every string a GwMail lends is valid UTF-8 without NUL bytes, so the
 * database and PCRE2 in UTF mode accept it; headers are decoded (RFC
 * 2047) and the text body is bounded by limits. */
#pragma once

#include <glib.h>

typedef struct GwMail GwMail;

typedef struct {
	gsize max_text_bytes;	/* body text kept, UTF-8 bytes */
	guint max_headers;	/* header fields kept */
} GwMailLimits;

#define GW_MAIL_LIMITS_DEFAULT { 1024 * 1024, 1000 }

#define GW_MAIL_ERROR (gw_mail_error_quark())
GQuark gw_mail_error_quark(void);
typedef enum {
	GW_MAIL_ERROR_NOT_MAIL,	/* no header block at all: quarantine */
} GwMailError;

/* Must be called once before any other function here (g_mime_init). */
void gw_mail_init(void);

GwMail *gw_mail_parse(GBytes *raw, const GwMailLimits *limits,
		      GError **error);
void gw_mail_free(GwMail *mail);

/* All lent, "" when absent.  Message ids come without angle brackets. */
const char *gw_mail_message_id(const GwMail *mail);
const char *gw_mail_in_reply_to(const GwMail *mail);
const char *gw_mail_subject(const GwMail *mail);
const char *gw_mail_from_addr(const GwMail *mail);	/* lower-cased */
const char *gw_mail_from_name(const GwMail *mail);
const char *gw_mail_text(const GwMail *mail);
/* To and Cc addresses, lower-cased, joined by ", " (lent). */
const char *gw_mail_to(const GwMail *mail);
const char *gw_mail_cc(const GwMail *mail);
/* The domain of the From address, "" if none (lent). */
const char *gw_mail_from_domain(const GwMail *mail);
/* Names and content types ("image/png") of the attachments, one per
 * line (lent; "" when there are none). */
const char *gw_mail_attachment_names(const GwMail *mail);
const char *gw_mail_attachment_types(const GwMail *mail);
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
/* TRUE when the text body was cut at limits->max_text_bytes. */
gboolean gw_mail_truncated(const GwMail *mail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwMail, gw_mail_free)
