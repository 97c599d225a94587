/* gw-decide.h - pure: a parsed message and the rules -> the decision.
 *
 * The one place that decides where a message goes, whether it may be
 * acknowledged and whether its structure makes it a bounce.  The daemon
 * files by it and `plaint rules test` prints it, so that what the test
 * explains is what the daemon does.  What only the database knows (a
 * duplicate, the ticket a reply threads onto, the acknowledgement rate
 * limit, whether a bounce names plaint's own mail) is decided there,
 * from these facts, by plaint.file_message(). */
#pragma once

#include "gw-ack.h"
#include "gw-mail.h"
#include "gw-rules.h"

typedef struct {
	const GwRules *rules;
	const char *mailbox;		/* the mail came in by it; "" if none */
	const char *queue;		/* the mailbox's queue */
	const char *bounce_queue;	/* for reports that name no mail of
					 * plaint's (unlinked_bounce_queue) */
	const char *own_address;	/* plaint's From address, or NULL */
	const char *trusted_authserv_id; /* the receiving server whose
					 * Authentication-Results count, or
					 * NULL: none do */
	const char *const *skip_when;	/* of "dmarc-fail", "spf-fail",
					 * "dkim-fail": failures that
					 * withhold the acknowledgement
					 * (NULL-terminated, or NULL) */
} GwDecideInput;

typedef struct {
	GwVerdict verdict;		/* what the rules said, with the rules
					 * that matched (and why, if traced) */
	const char *queue;		/* where a ticket it opens goes: the
					 * rules', else for a report the
					 * bounce queue, else the mailbox's
					 * (lent) */
	GwBounce bounce;		/* from the structure alone */
	GwAckReason ack;		/* GW_ACK_YES, or why not */
} GwDecision;

/* Fills decision; want_trace: record why each rule matched.  Call
 * gw_decision_clear() after. */
void gw_decide(const GwDecideInput *in, const GwMail *mail,
	       gboolean want_trace, GwDecision *decision_out);
void gw_decision_clear(GwDecision *decision);

