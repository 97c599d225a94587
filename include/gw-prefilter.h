/* gw-prefilter.h - literals a pattern cannot match without.
 *
 * For each rule pattern, a set of literal strings such that any text the
 * pattern matches contains one of them (compared in ASCII lower case).
 * One scan of a text (Aho-Corasick over every literal of every pattern)
 * tells which literals it holds; a pattern none of whose literals is
 * there cannot match, and PCRE2 is not run.  A pattern whose literals
 * cannot be told for sure (inline options, \Q, extended syntax, escapes
 * with arguments, ...) gets none, and always runs.
 *
 * Pure; a built GwPrefilter is read-only and may be shared. */
#pragma once

#include <glib.h>

typedef struct GwPrefilter GwPrefilter;

GwPrefilter *gw_prefilter_new(void);
void gw_prefilter_free(GwPrefilter *pf);

/* Adds the pattern re (PCRE2 syntax, len bytes) compiled with caseless
 * and extended as given.  TRUE when its literals are known: *need_out,
 * the ids of the literals one of which every match holds, and
 * *start_out, of those one of which every match begins with, or NULL.
 * FALSE (both NULL): the pattern must always run.  Before build. */
gboolean gw_prefilter_add(GwPrefilter *pf, const char *re, gsize len,
			  gboolean caseless, gboolean extended,
			  GArray **need_out, GArray **start_out);
/* The literal of id, in lower case. */
const char *gw_prefilter_literal(const GwPrefilter *pf, guint32 id);
/* Makes the automaton; no add after. */
void gw_prefilter_build(GwPrefilter *pf);

/* What one text holds, filled by a scan. */
typedef struct GwPrefilterHits GwPrefilterHits;
GwPrefilterHits *gw_prefilter_hits_new(const GwPrefilter *pf);
void gw_prefilter_hits_free(GwPrefilterHits *h);
/* Scans text once for every literal. */
void gw_prefilter_scan(const GwPrefilter *pf, const char *text, gsize len,
		       GwPrefilterHits *h);
/* Does the text hold one of ids? */
gboolean gw_prefilter_any(const GArray *ids, const GwPrefilterHits *h);
/* The offset at or after which a match that begins with one of ids can
 * begin (G_MAXSIZE: none is there). */
gsize gw_prefilter_first(const GArray *ids, const GwPrefilterHits *h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwPrefilter, gw_prefilter_free)
