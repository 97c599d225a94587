/* gw-ack.h - pure: may we answer this mail, and the MIME of what we send.
 *
 * RFC 3834: no answer to auto-replies, bulk and list mail, bounces,
 * null or mailer-daemon senders, or our own mail.  Everything taken
 * from a customer is cleaned so it cannot add a header. */
#pragma once

#include "gw-mail.h"

/* Why no acknowledgement may go out.  Each reason may withhold an
 * acknowledgement; none keeps a message off a ticket. */
typedef enum {
	GW_ACK_YES,			/* one may go out */
	GW_ACK_AUTO_SUBMITTED,		/* Auto-Submitted other than "no" */
	GW_ACK_PRECEDENCE,		/* Precedence: bulk, junk, list */
	GW_ACK_LIST,			/* List-Id and other list headers */
	GW_ACK_AUTO_REPLY,		/* X-Autoreply and the like */
	GW_ACK_FAILED_RECIPIENTS,	/* X-Failed-Recipients */
	GW_ACK_AUTO_RESPONSE_SUPPRESS,	/* X-Auto-Response-Suppress */
	GW_ACK_REPORT,			/* a delivery or other report */
	GW_ACK_NULL_SENDER,		/* Return-Path <>, or no sender */
	GW_ACK_OWN_ADDRESS,		/* from plaint's own address */
	GW_ACK_X_LOOP,			/* X-Loop names plaint */
	GW_ACK_MACHINE_SENDER,		/* postmaster@, noreply@, ... */
	GW_ACK_AUTO_REPLY_SUBJECT,	/* "Out of office", ... */
	GW_ACK_REPORT_SUBJECT,		/* "Undeliverable:", ... */
	GW_ACK_RULE_NO_ACK,		/* a rule said no-ack */
	GW_ACK_RULE_DROP,		/* a rule said drop */
	GW_ACK_BOUNCE,			/* filed as a bounce */
	GW_ACK_DMARC_FAIL,		/* the trusted server: dmarc=fail */
	GW_ACK_SPF_FAIL,		/* spf=fail */
	GW_ACK_DKIM_FAIL,		/* dkim=fail, and no dkim=pass */
	GW_ACK_N_REASONS
} GwAckReason;

/* The reason as messages.ack_suppressed records it ("auto-submitted"),
 * NULL for GW_ACK_YES.  The database adds "rate-limit" itself. */
const char *gw_ack_reason_name(GwAckReason reason);

/* The loop guard: why no acknowledgement may go to mail, or GW_ACK_YES.
 * own_addr: our From address (may be NULL). */
GwAckReason gw_ack_guard(const GwMail *mail, const char *own_addr);

/* Sender authentication that failed, as a receiving server reports it
 * (RFC 8601). */
typedef enum {
	GW_AUTH_DMARC_FAIL = 1 << 0,	/* dmarc=fail */
	GW_AUTH_SPF_FAIL = 1 << 1,	/* spf=fail (softfail is not) */
	GW_AUTH_DKIM_FAIL = 1 << 2,	/* a dkim=fail and no dkim=pass */
} GwAuthFailure;

/* What the server named authserv_id said of mail in the topmost
 * Authentication-Results field whose authserv-id is that name (any
 * case): the GwAuthFailure bits of what failed, 0 if nothing did.
 * Fields of other servers, and any of that name further down (which a
 * sender can write), are not read.  *found_out: whether such a field
 * was there.  NULL or "" authserv_id: nothing is trusted. */
guint gw_ack_auth_failures(const GwMail *mail, const char *authserv_id,
			   gboolean *found_out);

/* What the structure of mail says of it being a bounce; words in the
 * subject or the sender's name never make one. */
typedef enum {
	GW_BOUNCE_NONE,
	GW_BOUNCE_REPORT,	/* multipart/report, or a delivery-status,
				 * disposition-notification or feedback
				 * report part: a bounce, MDN or ARF */
	GW_BOUNCE_CANDIDATE,	/* the null sender (Return-Path <>) and it
				 * names Message-IDs (gw_mail_original_ids):
				 * a bounce if one is plaint's own mail */
} GwBounce;

GwBounce gw_ack_bounce_kind(const GwMail *mail);

/* What an acknowledgement template may say: {ticket}, {subject},
 * {name}, {queue}, {due}, {team}.  NULL values read as "". */
typedef struct {
	const char *ticket;
	const char *subject;	/* the customer's */
	const char *name;	/* the customer's name, else address */
	const char *queue;
	const char *due;	/* when a person will answer */
	const char *team;	/* who will: the queue's team */
} GwAckValues;

/* A deadline as {due} says it: "Monday 23 November 2026, 14:05 UTC",
 * in the zone tz (NULL or unknown: UTC), at unix_seconds (caller frees;
 * "" for 0, a deadline nobody knows). */
char *gw_ack_format_due(double unix_seconds, const char *tz);

/* The acknowledgement's subject and text (caller frees both) from a
 * template's subject and body (NULL: the built-in ones).  Values are
 * put in as single lines, so nothing a customer wrote can add a line
 * to the subject. */
void gw_ack_render(const char *subject_template, const char *body_template,
		   const GwAckValues *values, char **subject_out,
		   char **body_out);

/* The HTML alternative of an acknowledgement (caller frees) from an
 * HTML template: the values as gw_ack_render puts them in, then escaped
 * as HTML text, so that nothing a customer wrote becomes markup. */
char *gw_ack_render_html(const char *html_template, const GwAckValues *values);

/* A file a letter carries, sent as an attachment under its name. */
typedef struct {
	const char *filename;		/* NULL or "": "attachment" */
	const char *content_type;	/* "application/pdf"; a value that is
					 * no type/subtype is sent as
					 * application/octet-stream */
	GBytes *content;		/* lent */
} GwLetterFile;

typedef struct {
	const char *from;		/* "Name <addr>" */
	const char *to;
	const char *subject;
	const char *body;		/* UTF-8 text */
	const char *message_id;		/* without <> */
	const char *in_reply_to;	/* without <>, or NULL */
	const char *const *references;	/* or NULL */
	const char *auto_submitted;	/* its Auto-Submitted (RFC 3834):
					 * "auto-replied" for an acknowledgement,
					 * "auto-generated" for mail plaint
					 * starts itself; NULL: a person's */
	const char *loop_address;	/* for X-Loop, or NULL */
	const char *const *cc;		/* Cc addresses, NULL-terminated, or
					 * NULL */
	const char *html;		/* UTF-8 HTML said as well as body
					 * (multipart/alternative), or NULL */
	const GwLetterFile *files;	/* n_files attachments
					 * (multipart/mixed), or NULL */
	guint n_files;
	const char *from_name;		/* who the mail speaks for, or
					 * NULL: From becomes "FROM_NAME via
					 * <from's name> <from's address>" */
} GwLetter;

/* The whole message with LF line ends (smtp.c sends CRLF).  Text parts
 * are quoted-printable where a line needs it, files base64. */
GBytes *gw_ack_compose(const GwLetter *letter);

/* A fresh Message-ID (without <>) at domain. */
char *gw_ack_new_message_id(const char *domain);

/* The shape of a message's text: a digest (32 hex digits) of what it
 * says itself (gw_quote_new_text: quotes and signatures left out),
 * letters only, in lower case, words one space apart, its first 4 KiB.
 * Mail that differs only in numbers, addresses, punctuation or what it
 * quotes has one shape: a robot's answers do.  NULL when no letter is
 * left.  Caller frees. */
char *gw_ack_shape(const char *text);
/* The same, of a text that is gw_quote_new_text() already: for a caller
 * that keeps the new text too, and need not find it twice. */
char *gw_ack_shape_of_new_text(const char *new_text);
