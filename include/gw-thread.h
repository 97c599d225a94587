/* gw-thread.h - pure: the keys by which a message may join a ticket.
 *
 * In order of trust: a ticket tag in the subject ("[CMP-1042]", after
 * any Re:/AW:/Fwd:, spacing mangled or not), then In-Reply-To, then
 * References from the newest back.  Never the subject text alone. */
#pragma once

#include "gw-mail.h"

typedef struct {
	char *ticket_number;	/* "CMP-1042", or NULL */
	GPtrArray *refs;	/* of char*: message ids to look up, in order */
} GwThreadKeys;

/* prefix: the configured ticket prefix ("CMP"). */
void gw_thread_keys(const GwMail *mail, const char *prefix,
		    GwThreadKeys *keys_out);
void gw_thread_keys_clear(GwThreadKeys *keys);

/* The ticket number tagged in subject, or NULL (caller frees). */
char *gw_thread_subject_tag(const char *subject, const char *prefix);
