/* prefilter.c - the literals of gw-prefilter.h, and their automaton.
 *
 * Owns the literals and an Aho-Corasick automaton over them, as a full
 * transition table.  Must never give a pattern a literal it can match
 * without: when the syntax is anything this reader does not know for
 * sure, the pattern gets no literals and always runs.
 *
 * The reader walks the pattern as PCRE2 would parse it, atom by atom.
 * A run of literal characters is a candidate; so is a group that must
 * match (no quantifier that allows zero).  Of a sequence, the candidate
 * whose shortest literal is longest wins; of an alternation, the union
 * of its branches, unless one branch has none. */
#include "gw-prefilter.h"

#include <string.h>

#define MAX_ALTERNATIVES 64	/* literals of one pattern */
#define MAX_NODES 65536		/* of the automaton */

struct GwPrefilter {
	GPtrArray *literals;	/* char*, lower case, id = index */
	GHashTable *ids;	/* literal -> id + 1 */
	gsize chars;		/* of all literals: bounds the trie */
	/* the automaton, once built */
	guint8 cls[256];	/* a byte's class: bytes that no literal holds
				 * are one class, 0; a letter and its upper
				 * case are one */
	guint n_cls;
	guint32 *delta;		/* n_nodes * n_cls: the next node's row
				 * (node * n_cls), with HIT set where a
				 * literal ends there or in its fail chain */
	guint32 *dict;		/* the next node in the fail chain with outputs */
	GArray **outputs;	/* per node: guint32 ids ending there, or NULL */
	guint n_nodes;
};

#define HIT 0x80000000u

/* ---- reading a pattern --------------------------------------------- */

typedef struct {
	const char *p, *end;
	gboolean caseless;
	gboolean failed;	/* syntax not known for sure: no literals */
} Reader;

/* What a piece of pattern needs: need, literals one of which any match
 * of it holds; start, literals one of which any match of it begins
 * with.  NULL: none known. */
typedef struct {
	GPtrArray *need;
	GPtrArray *start;
} Lits;

static Lits alternation(Reader *r);

static gsize
shortest(const GPtrArray *set)
{
	gsize min = G_MAXSIZE;

	for (guint i = 0; i < set->len; i++)
		min = MIN(min, strlen(set->pdata[i]));
	return min;
}

/* Keeps the better of *best and cand (taken over; either may be NULL). */
static void
consider(GPtrArray **best, GPtrArray *cand)
{
	if (cand == NULL)
		return;
	if (*best == NULL || shortest(cand) > shortest(*best) ||
	    (shortest(cand) == shortest(*best) && cand->len < (*best)->len)) {
		if (*best != NULL)
			g_ptr_array_unref(*best);
		*best = cand;
	} else {
		g_ptr_array_unref(cand);
	}
}

/* A quantifier at r->p, consumed: TRUE with its minimum.  A '{' that
 * does not make one is a literal, as in PCRE2 10.42. */
static gboolean
quantifier(Reader *r, guint *min)
{
	const char *p = r->p;

	if (p >= r->end)
		return FALSE;
	if (*p == '?' || *p == '*') {
		*min = 0;
		p++;
	} else if (*p == '+') {
		*min = 1;
		p++;
	} else if (*p == '{') {
		const char *q = p + 1;
		guint n = 0;

		if (q < r->end && *q == ',') {
			r->failed = TRUE;	/* {,m}: read differently by versions */
			return FALSE;
		}
		if (q >= r->end || !g_ascii_isdigit(*q))
			return FALSE;
		for (; q < r->end && g_ascii_isdigit(*q); q++)
			n = MIN(n * 10 + (guint)(*q - '0'), 100000u);
		if (q < r->end && *q == ',') {
			q++;
			while (q < r->end && g_ascii_isdigit(*q))
				q++;
		}
		if (q >= r->end || *q != '}')
			return FALSE;
		*min = n;
		p = q + 1;
	} else {
		return FALSE;
	}
	if (p < r->end && (*p == '?' || *p == '+'))	/* lazy, possessive */
		p++;
	r->p = p;
	return TRUE;
}

static void
skip_quantifier(Reader *r)
{
	guint min;

	quantifier(r, &min);
}

/* [...] at r->p: skipped, with \] and [:name:] inside. */
static void
skip_class(Reader *r)
{
	const char *p = r->p + 1;

	if (p < r->end && *p == '^')
		p++;
	if (p < r->end && *p == ']')
		p++;
	while (p < r->end && *p != ']') {
		if (*p == '\\' && p + 1 < r->end) {
			p += 2;
		} else if (*p == '[' && p + 1 < r->end && p[1] == ':') {
			const char *close = g_strstr_len(p + 2, r->end - p - 2, ":]");

			p = close ? close + 2 : r->end;
		} else {
			p++;
		}
	}
	if (p >= r->end) {
		r->failed = TRUE;
		return;
	}
	r->p = p + 1;
}

static void
lits_clear(Lits *l)
{
	g_clear_pointer(&l->need, g_ptr_array_unref);
	g_clear_pointer(&l->start, g_ptr_array_unref);
}

/* A group at r->p, '(' to ')': its literals; *zero_width for a
 * lookaround or a comment, which consume nothing. */
static Lits
group(Reader *r, gboolean *zero_width)
{
	Lits inner = { NULL, NULL };
	const char *p = r->p + 1;

	*zero_width = FALSE;
	if (p < r->end && *p == '*') {		/* (*VERB) */
		r->failed = TRUE;
		return inner;
	}
	if (p < r->end && *p == '?') {
		p++;
		if (p < r->end && (*p == ':' || *p == '|' || *p == '>')) {
			p++;
		} else if (p < r->end && (*p == '=' || *p == '!')) {
			p++;
			*zero_width = TRUE;	/* a lookahead consumes nothing */
		} else if (p + 1 < r->end && *p == '<' && (p[1] == '=' || p[1] == '!')) {
			p += 2;
			*zero_width = TRUE;	/* nor does a lookbehind */
		} else if (p < r->end && (*p == '<' || *p == '\'' ||
					  (*p == 'P' && p + 1 < r->end && p[1] == '<'))) {
			char close = *p == '\'' ? '\'' : '>';

			while (p < r->end && *p != close)
				p++;
			p++;			/* a named group */
		} else if (p < r->end && *p == '#') {
			while (p < r->end && *p != ')')
				p++;
			if (p >= r->end)
				r->failed = TRUE;
			else
				r->p = p + 1;
			*zero_width = TRUE;
			return inner;
		} else {
			r->failed = TRUE;	/* options, conditions, recursion */
			return inner;
		}
	}
	if (p > r->end) {
		r->failed = TRUE;
		return inner;
	}
	r->p = p;
	inner = alternation(r);
	if (r->failed || r->p >= r->end || *r->p != ')') {
		r->failed = TRUE;
		lits_clear(&inner);
		return inner;
	}
	r->p++;
	if (*zero_width)
		lits_clear(&inner);
	return inner;
}

/* The run of literal characters being read in a sequence. */
typedef struct {
	GString *run;
	GPtrArray *best;	/* the best need so far */
	GPtrArray *start;
	gboolean leading;	/* nothing consumed before the run */
} Seq;

static GPtrArray *
set_of(const char *s, gsize n)
{
	GPtrArray *one = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(one, g_strndup(s, n));
	return one;
}

/* Ends the run: a need, and the start if the run began the sequence. */
static void
end_run(Seq *q)
{
	if (q->run->len == 0)
		return;
	if (q->leading)
		q->start = set_of(q->run->str, q->run->len);
	q->leading = FALSE;
	consider(&q->best, set_of(q->run->str, q->run->len));
	g_string_truncate(q->run, 0);
}

/* Something consumed that is no literal. */
static void
other(Seq *q)
{
	end_run(q);
	q->leading = FALSE;
}

/* A literal byte c just read: appended to the run, or not, as the
 * quantifier after it says. */
static void
literal(Reader *r, Seq *q, guchar c)
{
	guint min;

	/* A byte of a multibyte character: no literal of it. */
	if (c >= 0x80) {
		other(q);
		skip_quantifier(r);
		return;
	}
	if (!quantifier(r, &min)) {
		g_string_append_c(q->run, g_ascii_tolower(c));
		return;
	}
	if (min > 0)
		g_string_append_c(q->run, g_ascii_tolower(c));
	other(q);
}

static Lits
sequence(Reader *r)
{
	g_autoptr(GString) run = g_string_new(NULL);
	Seq q = { run, NULL, NULL, TRUE };

	while (!r->failed && r->p < r->end && *r->p != '|' && *r->p != ')') {
		guchar c = (guchar)*r->p;
		guint min;

		if (c == '(') {
			gboolean zero_width;
			Lits g;

			end_run(&q);
			g = group(r, &zero_width);
			if (zero_width)
				continue;
			if (quantifier(r, &min) && min == 0) {
				lits_clear(&g);
			} else if (q.leading) {
				q.start = g_steal_pointer(&g.start);
			}
			q.leading = FALSE;
			consider(&q.best, g_steal_pointer(&g.need));
			lits_clear(&g);
		} else if (c == '[') {
			other(&q);
			skip_class(r);
			skip_quantifier(r);
		} else if (c == '.') {
			other(&q);
			r->p++;
			skip_quantifier(r);
		} else if (c == '^' || c == '$') {
			end_run(&q);		/* zero width */
			r->p++;
		} else if (c == '\\') {
			guchar n;

			if (r->p + 1 >= r->end) {
				r->failed = TRUE;
				break;
			}
			n = (guchar)r->p[1];
			r->p += 2;
			if (!g_ascii_isalnum(n)) {
				literal(r, &q, n);
			} else if (strchr("bBAzZK", n) != NULL) {
				end_run(&q);	/* zero width */
			} else if (strchr("dDsSwWhHvVRXtnrfea", n) != NULL) {
				other(&q);	/* one character, not literal */
				skip_quantifier(r);
			} else {
				r->failed = TRUE;	/* \x, \p, \Q, \G, backreferences... */
			}
		} else {
			r->p++;
			literal(r, &q, c);
		}
	}
	end_run(&q);
	return (Lits){ q.best, q.start };
}

/* Adds the strings of from (taken over, may be NULL) to into; FALSE if
 * from is NULL. */
static gboolean
merge(GPtrArray *into, GPtrArray *from)
{
	if (from == NULL)
		return FALSE;
	for (guint i = 0; i < from->len; i++)
		if (!g_ptr_array_find_with_equal_func(into, from->pdata[i], g_str_equal, NULL))
			g_ptr_array_add(into, g_strdup(from->pdata[i]));
	g_ptr_array_unref(from);
	return TRUE;
}

static GPtrArray *
settle(GPtrArray *set, gboolean whole)
{
	if (!whole || set->len == 0 || set->len > MAX_ALTERNATIVES) {
		g_ptr_array_unref(set);
		return NULL;
	}
	return set;
}

static Lits
alternation(Reader *r)
{
	GPtrArray *need = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *start = g_ptr_array_new_with_free_func(g_free);
	gboolean all_need = TRUE, all_start = TRUE;

	for (;;) {
		Lits branch = sequence(r);

		all_need &= merge(need, g_steal_pointer(&branch.need));
		all_start &= merge(start, g_steal_pointer(&branch.start));
		if (r->failed || r->p >= r->end || *r->p != '|')
			break;
		r->p++;
	}
	return (Lits){ settle(need, all_need), settle(start, all_start) };
}

/* ---- the automaton -------------------------------------------------- */

GwPrefilter *
gw_prefilter_new(void)
{
	GwPrefilter *pf = g_new0(GwPrefilter, 1);

	pf->literals = g_ptr_array_new_with_free_func(g_free);
	pf->ids = g_hash_table_new(g_str_hash, g_str_equal);
	return pf;
}

void
gw_prefilter_free(GwPrefilter *pf)
{
	if (pf == NULL)
		return;
	for (guint i = 0; pf->outputs != NULL && i < pf->n_nodes; i++)
		if (pf->outputs[i] != NULL)
			g_array_unref(pf->outputs[i]);
	g_free(pf->outputs);
	g_free(pf->delta);
	g_free(pf->dict);
	g_hash_table_unref(pf->ids);
	g_ptr_array_unref(pf->literals);
	g_free(pf);
}

/* The ids of set's literals, added as needed. */
static GArray *
ids_of(GwPrefilter *pf, const GPtrArray *set)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint32));

	for (guint i = 0; i < set->len; i++) {
		gpointer v = g_hash_table_lookup(pf->ids, set->pdata[i]);
		guint32 id;

		if (v == NULL) {
			id = pf->literals->len;
			g_ptr_array_add(pf->literals, g_strdup(set->pdata[i]));
			g_hash_table_insert(pf->ids, pf->literals->pdata[id],
					    GUINT_TO_POINTER(id + 1));
			pf->chars += strlen(set->pdata[i]);
		} else {
			id = GPOINTER_TO_UINT(v) - 1;
		}
		g_array_append_val(ids, id);
	}
	return ids;
}

static gsize
new_chars(const GwPrefilter *pf, const GPtrArray *set)
{
	gsize n = 0;

	for (guint i = 0; set != NULL && i < set->len; i++)
		if (!g_hash_table_contains(pf->ids, set->pdata[i]))
			n += strlen(set->pdata[i]);
	return n;
}

gboolean
gw_prefilter_add(GwPrefilter *pf, const char *re, gsize len, gboolean caseless,
		 gboolean extended, GArray **need_out, GArray **start_out)
{
	Reader r = { re, re + len, caseless, FALSE };
	Lits l;

	*need_out = *start_out = NULL;
	g_return_val_if_fail(pf->delta == NULL, FALSE);
	if (extended)
		return FALSE;	/* blanks and comments would read as literals */
	l = alternation(&r);
	if (l.need == NULL || r.failed || r.p != r.end ||
	    pf->chars + new_chars(pf, l.need) + new_chars(pf, l.start) >= MAX_NODES) {
		lits_clear(&l);	/* unknown, or a rule set too large to scan */
		return FALSE;
	}
	*need_out = ids_of(pf, l.need);
	if (l.start != NULL)
		*start_out = ids_of(pf, l.start);
	lits_clear(&l);
	return TRUE;
}

/* The automaton of n nodes over 256 bytes made small: one column per
 * class of bytes (a handful of dozens rather than 256, so that the
 * table stays in the CPU's caches), entries that are rows, and HIT in
 * the entry itself, so that the scan reads one table per byte.  Upper
 * case letters go where their lower case goes: the scan reads the
 * text as it is. */
static void
compress(GwPrefilter *pf, guint n)
{
	guint32 *wide = pf->delta;
	guint8 seen[256] = { 0 };

	for (guint i = 0; i < pf->literals->len; i++)
		for (const guchar *c = pf->literals->pdata[i]; *c; c++)
			seen[*c] = 1;
	pf->n_cls = 1;
	for (guint c = 0; c < 256; c++)
		pf->cls[c] = seen[c] && !g_ascii_isupper(c) ? (guint8)pf->n_cls++ : 0;
	for (guint c = 'A'; c <= 'Z'; c++)
		pf->cls[c] = pf->cls[c + ('a' - 'A')];
	g_assert(pf->n_cls <= 256 && (gsize)n * pf->n_cls < HIT);
	pf->delta = g_new0(guint32, (gsize)n * pf->n_cls);
	for (guint32 u = 0; u < n; u++)
		for (guint c = 0; c < 256; c++) {
			guint32 v = wide[u * 256 + c];

			if (g_ascii_isupper(c))
				continue;	/* the column of its lower case */
			if (pf->cls[c] == 0 && c != 0)
				continue;	/* class 0: as byte 0, which no literal holds */
			pf->delta[u * pf->n_cls + pf->cls[c]] =
				v * pf->n_cls |
				(pf->outputs[v] != NULL || pf->dict[v] != 0 ? HIT : 0);
		}
	pf->n_nodes = n;
	g_free(wide);
}

void
gw_prefilter_build(GwPrefilter *pf)
{
	gsize total = 1;
	guint32 *fail, *queue, head = 0, tail = 0;
	guint n = 1;

	for (guint i = 0; i < pf->literals->len; i++)
		total += strlen(pf->literals->pdata[i]);
	pf->delta = g_new0(guint32, total * 256);
	pf->outputs = g_new0(GArray *, total);
	pf->dict = g_new0(guint32, total);
	fail = g_new0(guint32, total);
	queue = g_new0(guint32, total);
	/* The trie: node 0 is the root; 0 in delta means "no edge" until
	 * the fail links fill it in (no edge leads back to the root). */
	for (guint32 id = 0; id < pf->literals->len; id++) {
		const guchar *s = pf->literals->pdata[id];
		guint32 node = 0;

		for (; *s; s++) {
			guint32 *next = &pf->delta[node * 256 + *s];

			if (*next == 0) {
				g_assert(n < total);
				*next = n++;
			}
			node = *next;
		}
		if (pf->outputs[node] == NULL)
			pf->outputs[node] = g_array_new(FALSE, FALSE, sizeof(guint32));
		g_array_append_val(pf->outputs[node], id);
	}
	/* Breadth first: fail links, and the missing edges through them. */
	for (guint c = 0; c < 256; c++)
		if (pf->delta[c] != 0)
			queue[tail++] = pf->delta[c];
	while (head < tail) {
		guint32 u = queue[head++];

		pf->dict[u] = pf->outputs[fail[u]] != NULL ? fail[u] : pf->dict[fail[u]];
		for (guint c = 0; c < 256; c++) {
			guint32 v = pf->delta[u * 256 + c];

			if (v != 0) {
				fail[v] = pf->delta[fail[u] * 256 + c];
				queue[tail++] = v;
			} else {
				pf->delta[u * 256 + c] = pf->delta[fail[u] * 256 + c];
			}
		}
	}
	compress(pf, n);
	g_free(fail);
	g_free(queue);
}

const char *
gw_prefilter_literal(const GwPrefilter *pf, guint32 id)
{
	return id < pf->literals->len ? pf->literals->pdata[id] : NULL;
}

struct GwPrefilterHits {
	guint8 *present;	/* a bit per literal */
	gsize *first;		/* per literal: where its first occurrence
				 * may begin, at the earliest */
};

GwPrefilterHits *
gw_prefilter_hits_new(const GwPrefilter *pf)
{
	GwPrefilterHits *h = g_new0(GwPrefilterHits, 1);

	h->present = g_new0(guint8, pf->literals->len / 8 + 1);
	h->first = g_new0(gsize, pf->literals->len + 1);
	return h;
}

void
gw_prefilter_hits_free(GwPrefilterHits *h)
{
	if (h == NULL)
		return;
	g_free(h->present);
	g_free(h->first);
	g_free(h);
}

/* Marks the literals that end at node, offset end of the text. */
static void
mark(const GwPrefilter *pf, guint32 node, gsize end, GwPrefilterHits *h)
{
	for (; node != 0; node = pf->dict[node]) {
		const GArray *out = pf->outputs[node];

		for (guint i = 0; out != NULL && i < out->len; i++) {
			guint32 id = g_array_index(out, guint32, i);
			/* A literal of n letters spans at most 3n bytes of
			 * text (a Kelvin sign reads as one k). */
			gsize n = 3 * strlen(pf->literals->pdata[id]);

			if (h->present[id / 8] & (1u << (id % 8)))
				continue;
			h->present[id / 8] |= (guint8)(1u << (id % 8));
			h->first[id] = end > n ? end - n : 0;
		}
	}
}

void
gw_prefilter_scan(const GwPrefilter *pf, const char *text, gsize len,
		  GwPrefilterHits *h)
{
	const guchar *s = (const guchar *)text, *end = s + len;
	guint32 state = 0;

	memset(h->present, 0, pf->literals->len / 8 + 1);
	if (pf->delta == NULL)
		return;
	while (s < end) {
		guchar c = *s++;
		guint32 v;

		/* PCRE2 finds k and s, caseless, in the Kelvin sign and the
		 * long s too: they read as their ASCII letters here. */
		if (c == 0xE2 && end - s >= 2 && s[0] == 0x84 && s[1] == 0xAA) {
			c = 'k';
			s += 2;
		} else if (c == 0xC5 && s < end && s[0] == 0xBF) {
			c = 's';
			s++;
		}
		v = pf->delta[state + pf->cls[c]];
		state = v & ~HIT;
		if (v & HIT)
			mark(pf, state / pf->n_cls, (gsize)(s - (const guchar *)text), h);
	}
}

gboolean
gw_prefilter_any(const GArray *ids, const GwPrefilterHits *h)
{
	for (guint i = 0; i < ids->len; i++) {
		guint32 id = g_array_index(ids, guint32, i);

		if (h->present[id / 8] & (1u << (id % 8)))
			return TRUE;
	}
	return FALSE;
}

gsize
gw_prefilter_first(const GArray *ids, const GwPrefilterHits *h)
{
	gsize first = G_MAXSIZE;

	for (guint i = 0; i < ids->len; i++) {
		guint32 id = g_array_index(ids, guint32, i);

		if (h->present[id / 8] & (1u << (id % 8)))
			first = MIN(first, h->first[id]);
	}
	return first;
}
