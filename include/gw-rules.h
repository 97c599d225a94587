/* gw-rules.h - rule files -> a compiled rule set; GwMail -> GwVerdict.
 *
 * Pure: receives the texts of the rule files (config.c reads them) and
 * never touches the disk or the network.  The only module that includes
 * PCRE2.  The grammar is documented at the top of rules.c and in
 * packaging/plaint-rules.5.  A set with any error is refused whole with
 * "file:line:column: message", so the caller keeps the old one. */
#pragma once

#include "gw-mail.h"

typedef struct GwRules GwRules;

/* Why a rule matched: one test that held, for `plaint rules test`. */
typedef struct {
	char *rule;
	char *field;		/* "subject", "header X-Foo", "size", ... */
	char *text;		/* the text the pattern matched, at most 200
				 * characters; "" for tests that hold by not
				 * matching */
} GwTraceItem;

typedef struct {
	char *queue;		/* NULL: the mailbox's queue */
	char *priority;		/* low | normal | high | urgent, or NULL */
	char *assignee;		/* NULL: nobody */
	char *template;		/* acknowledgement template, NULL: default */
	GPtrArray *tags;	/* of char*, each once */
	gboolean no_ack;
	gboolean drop;		/* store, open no ticket, send nothing */
	char *drop_rule;	/* the rule that said drop (the last one) */
	GPtrArray *matched;	/* rule names, in evaluation order */
	GPtrArray *limit_hits;	/* names of rules whose pattern hit the
				 * match or depth limit (taken as no match) */
	GPtrArray *trace;	/* of GwTraceItem*, only if want_trace */
	gboolean want_trace;
} GwVerdict;

#define GW_RULES_ERROR (gw_rules_error_quark())
GQuark gw_rules_error_quark(void);
typedef enum {
	GW_RULES_ERROR_SYNTAX,	/* message lists every "file:line:col: ..." */
} GwRulesError;

/* names and texts: parallel arrays of file names and contents, in the
 * order rules apply.  jit: compile patterns with the PCRE2 JIT. */
GwRules *gw_rules_compile(GPtrArray *names, GPtrArray *texts, gboolean jit,
			  GError **error);
void gw_rules_free(GwRules *rules);
guint gw_rules_count(const GwRules *rules);
/* "file:line: warning" lines about rules that can never match (lent,
 * NULL-terminated, maybe empty). */
const char *const *gw_rules_warnings(const GwRules *rules);
/* A short hash of the rule texts: which set routed a message. */
const char *gw_rules_version(const GwRules *rules);

/* Fills verdict (which gw_verdict_init prepared); mailbox is the name
 * of the mailbox the mail came in by. */
void gw_rules_classify(const GwRules *rules, const GwMail *mail,
		       const char *mailbox, GwVerdict *verdict);

/* want_trace: also record why each rule matched. */
void gw_verdict_init(GwVerdict *verdict, gboolean want_trace);
void gw_verdict_clear(GwVerdict *verdict);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwRules, gw_rules_free)
