/* gw-ack.h - pure: may we answer this mail, and the MIME of what we send.
 *
 * RFC 3834: no answer to auto-replies, bulk and list mail, bounces,
 * null or mailer-daemon senders, or our own mail.  Everything taken
 * from a customer is cleaned so it cannot add a header. */
#pragma once

#include "gw-mail.h"

/* Why no acknowledgement may go to mail (a static string such as
 * "auto-submitted"), or NULL if one may.  own_addr: our From address. */
const char *gw_ack_suppress_reason(const GwMail *mail, const char *own_addr);

/* TRUE for bounces and reports (DSN, MDN, ARF, a mailer-daemon's
 * notice): they never open a ticket, and are linked to the ticket of
 * plaint's own mail they name (gw_mail_original_ids). */
gboolean gw_ack_is_bounce(const GwMail *mail);

/* What an acknowledgement template may say: {ticket}, {subject},
 * {name}, {queue}, {due}.  NULL values read as "". */
typedef struct {
	const char *ticket;
	const char *subject;	/* the customer's */
	const char *name;	/* the customer's name, else address */
	const char *queue;
	const char *due;	/* when a person will answer */
} GwAckValues;

/* The acknowledgement's subject and text (caller frees both) from a
 * template's subject and body (NULL: the built-in ones).  Values are
 * put in as single lines, so nothing a customer wrote can add a line
 * to the subject. */
void gw_ack_render(const char *subject_template, const char *body_template,
		   const GwAckValues *values, char **subject_out,
		   char **body_out);

typedef struct {
	const char *from;		/* "Name <addr>" */
	const char *to;
	const char *subject;
	const char *body;		/* UTF-8 text */
	const char *message_id;		/* without <> */
	const char *in_reply_to;	/* without <>, or NULL */
	const char *const *references;	/* or NULL */
	gboolean auto_submitted;	/* acknowledgements: auto-replied */
	const char *loop_address;	/* for X-Loop, or NULL */
} GwLetter;

/* The whole message with LF line ends (smtp.c sends CRLF). */
GBytes *gw_ack_compose(const GwLetter *letter);

/* A fresh Message-ID (without <>) at domain. */
char *gw_ack_new_message_id(const char *domain);
