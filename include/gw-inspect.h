/* gw-inspect.h - `plaint rules test`: explain verdicts, replay stored mail.
 *
 * For admins checking rules before they reload them.  Testing files
 * needs no database; replaying reads raw messages and their recorded
 * routing, and changes nothing. */
#pragma once

#include <stdio.h>

#include "gw-config.h"
#include "gw-db.h"
#include "gw-mail.h"
#include "gw-rules.h"

typedef struct {
	const GwRules *rules;
	const GwConfig *config;	/* may be NULL: default queue "general" */
	const char *mailbox;	/* as if fetched from it (queue), or NULL */
	gboolean json;		/* one JSON object per line */
	FILE *out;
	const GwMailLimits *limits;
} GwInspect;

/* `plaint parse`: prints each file's normalized form as one JSON object
 * per line (with mbox, one per message of each file).  Returns the
 * number of inputs that are not mail (each reported in the output). */
guint gw_inspect_parse(const GwInspect *in, char **files, gboolean mbox);

/* Classifies each file and prints its verdict and trace.  Returns the
 * number of files that could not be read or parsed (each reported in
 * the output). */
guint gw_inspect_files(const GwInspect *in, char **files);

/* Classifies every stored message fetched since since (NULL: all) with
 * in->rules and prints those whose routing would change, then a
 * summary.  *changed_out: how many would change. */
gboolean gw_inspect_replay(const GwInspect *in, GwDb *db, const char *since,
			   guint *changed_out, GError **error);
