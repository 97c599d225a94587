/* test-prefilter.c - the literals a pattern cannot match without.
 *
 * Run from the repository root: tests/unit/test-prefilter --tap */
#include <string.h>

#include "gw-prefilter.h"

static const struct {
	const char *re;
	gboolean caseless;
	const char *need;	/* the literals, sorted, '|' between; NULL: none */
	const char *start;	/* the same for the start; NULL: none */
} cases[] = {
	{ "refund", TRUE, "refund", "refund" },
	{ "Refund", FALSE, "refund", "refund" },
	{ "\\b(charged twice|double[- ]charg\\w*|paid twice)\\b", TRUE,
	  "charged twice|double|paid twice", "charged twice|double|paid twice" },
	{ "colou?r", TRUE, "colo", "colo" },
	{ "x*kettle", TRUE, "kettle", NULL },
	{ "[abc]def", TRUE, "def", NULL },
	{ "(foo)?barbaz", TRUE, "barbaz", NULL },
	{ "foo(?=bar)", TRUE, "foo", "foo" },
	{ "(?:order|invoice)\\s*#?\\d{5,}", TRUE, "invoice|order", "invoice|order" },
	{ "ab+c", TRUE, "ab", "ab" },
	{ "a{2}bcd", TRUE, "bcd", "a" },
	{ "\\.pdf$", TRUE, ".pdf", ".pdf" },
	{ "caf\xc3\xa9 au lait", TRUE, " au lait", "caf" },
	{ "refund|", TRUE, NULL, NULL },	/* the empty branch matches */
	{ "(?i)refund", FALSE, NULL, NULL },	/* inline options */
	{ "\\x41pple", TRUE, NULL, NULL },	/* an escape with an argument */
	{ "\\Qa.b\\E", TRUE, NULL, NULL },
	{ "(a)\\1", TRUE, NULL, NULL },		/* a backreference */
	{ "\\Gfoo", TRUE, NULL, NULL },		/* anchored at the start offset */
	{ "a{,3}b", TRUE, NULL, NULL },		/* read differently by versions */
	{ ".*", TRUE, NULL, NULL },
	{ "(unclosed", TRUE, NULL, NULL },
};

static int
by_text(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static char *
joined(const GwPrefilter *pf, const GArray *ids)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();

	if (ids == NULL)
		return NULL;
	for (guint i = 0; i < ids->len; i++)
		g_ptr_array_add(names, (gpointer)gw_prefilter_literal(
			pf, g_array_index(ids, guint32, i)));
	g_ptr_array_sort(names, by_text);
	g_ptr_array_add(names, NULL);
	return g_strjoinv("|", (char **)names->pdata);
}

static void
test_literals(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GwPrefilter) pf = gw_prefilter_new();
		GArray *need = NULL, *start = NULL;
		g_autofree char *n = NULL, *s = NULL;
		gboolean known;

		known = gw_prefilter_add(pf, cases[i].re, strlen(cases[i].re),
					 cases[i].caseless, FALSE, &need, &start);
		n = joined(pf, need);
		s = joined(pf, start);
		g_test_message("/%s/: need %s, start %s", cases[i].re, n, s);
		g_assert_cmpint(known, ==, cases[i].need != NULL);
		g_assert_cmpstr(n, ==, cases[i].need);
		g_assert_cmpstr(s, ==, cases[i].start);
		if (need != NULL)
			g_array_unref(need);
		if (start != NULL)
			g_array_unref(start);
	}
}

/* Extended syntax reads blanks and comments as nothing: no literals. */
static void
test_extended(void)
{
	g_autoptr(GwPrefilter) pf = gw_prefilter_new();
	GArray *need = NULL, *start = NULL;

	g_assert_false(gw_prefilter_add(pf, "re fund", 7, TRUE, TRUE, &need, &start));
	g_assert_null(need);
	g_assert_null(start);
}

/* One scan finds every literal, in any case, the Kelvin sign and long s
 * read as k and s; first says where the earliest may begin. */
static void
test_scan(void)
{
	g_autoptr(GwPrefilter) pf = gw_prefilter_new();
	GArray *kettle, *refund, *order, *start;
	GwPrefilterHits *h;
	const char *text = "My \xe2\x84\xaa" "ettle leaks; no REFUND yet.";

	g_assert_true(gw_prefilter_add(pf, "kettle", 6, TRUE, FALSE, &kettle, &start));
	g_array_unref(start);
	g_assert_true(gw_prefilter_add(pf, "refund", 6, TRUE, FALSE, &refund, &start));
	g_array_unref(start);
	g_assert_true(gw_prefilter_add(pf, "order", 5, TRUE, FALSE, &order, &start));
	g_array_unref(start);
	gw_prefilter_build(pf);
	h = gw_prefilter_hits_new(pf);
	gw_prefilter_scan(pf, text, strlen(text), h);
	g_assert_true(gw_prefilter_any(kettle, h));
	g_assert_true(gw_prefilter_any(refund, h));
	g_assert_false(gw_prefilter_any(order, h));
	/* "REFUND" begins at byte 22; a match cannot begin before 22 - 12. */
	g_assert_cmpuint(gw_prefilter_first(refund, h), <=, 22);
	g_assert_cmpuint(gw_prefilter_first(refund, h), >=, 22 - 12);
	g_assert_cmpuint(gw_prefilter_first(order, h), ==, G_MAXSIZE);
	gw_prefilter_scan(pf, "nothing here", 12, h);
	g_assert_false(gw_prefilter_any(kettle, h));
	gw_prefilter_hits_free(h);
	g_array_unref(kettle);
	g_array_unref(refund);
	g_array_unref(order);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/prefilter/literals", test_literals);
	g_test_add_func("/prefilter/extended", test_extended);
	g_test_add_func("/prefilter/scan", test_scan);
	return g_test_run();
}
