/* test-quote.c - the new text of replies, and satisfaction scores.
 *
 * Labelled replies (tests/data/quote/README.md): real ones from the
 * shared corpus, read in place from ../shared/corpus ($CORPUS overrides)
 * and skipped when it is absent, and ones written in the forms the
 * corpus lacks.  The test prints how many come out exactly as labelled
 * and fails below the figure reached, listing each mismatch.
 *
 * Run from the repository root: tests/unit/test-quote --tap */
#include <string.h>

#include "gw-mail.h"
#include "gw-quote.h"

#define DATA "tests/data/quote"
/* Corpus replies that must come out exactly as labelled: the figure
 * reached (46 of 46, 19 of them held out); a regression fails. */
#define CORPUS_FLOOR 46

/* ---- one form at a time ---- */

static const struct {
	const char *name;
	const char *text;
	const char *want;
} form_cases[] = {
	{ "plain text stays", "Hello,\n\nmy kettle leaks.\n", "Hello,\n\nmy kettle leaks." },
	{ "empty", "", "" },
	{ "only blank lines", "\n \n\t\n", "" },
	{ "only quotes", "On Tue, 12 Mar 2024 at 10:15, Care <care@example.com> wrote:\n> a\n>> b\n", "" },
	{ "nested quotes and answers",
	  "> > q1\n> a1\nmine 1\n>> q2\n\n> q3\n\nmine 2\n", "mine 1\n\nmine 2" },
	{ "indented quote marks", "  > quoted\nanswer\n", "answer" },
	{ "CRLF ends", "yes\r\n\r\n> no\r\n", "yes" },
	{ "trailing blank lines", "a\n\n\n \n", "a" },
	{ "own blank lines kept", "a\n\n\nb\n", "a\n\n\nb" },
	{ "English attribution, top post",
	  "Fine.\n\nOn Tue, Mar 12, 2024 at 10:15 AM Care <care@example.com> wrote:\n\n> old\n",
	  "Fine." },
	{ "attribution wrapped over two lines",
	  "Fine.\n\nOn Tue, Mar 12, 2024 at 10:15 AM Care Team\n<care@example.com> wrote:\n> old\n",
	  "Fine." },
	{ "German attribution", "Gut.\n\nAm 12.03.2024 um 10:15 schrieb Kundendienst:\n> alt\n", "Gut." },
	{ "French attribution", "Bien.\n\nLe 12/03/2024 à 10:15, Service a écrit :\n> ancien\n", "Bien." },
	{ "Spanish attribution", "Bien.\n\nEl 12/3/24, Ana <a@example.es> escribió:\n> viejo\n", "Bien." },
	{ "Italian attribution", "Bene.\n\nIl 12/03/24 10:15, Anna ha scritto:\n> vecchio\n", "Bene." },
	{ "Dutch attribution", "Goed.\n\nOp 12 mrt. 2024 om 10:15 schreef Anna:\n> oud\n", "Goed." },
	{ "Portuguese attribution", "Bom.\n\nEm 12/03/2024 10:15, Ana escreveu:\n> velho\n", "Bom." },
	{ "Norwegian attribution", "Bra.\n\ntir. 12. mar. 2024 kl. 10:15 skrev Ola <o@example.no>:\n> gammel\n", "Bra." },
	{ "Polish attribution", "Dobrze.\n\nwt., 12 mar 2024 o 10:15 Anna <a@example.pl> napisał(a):\n> stary\n", "Dobrze." },
	{ "Apple Mail attribution inside the quote",
	  "OK\n\n> On 12 Mar 2024, at 10:15, Care <care@example.com> wrote:\n> \n> old\n", "OK" },
	{ "attribution without a quote after it, in HTML mail",
	  "Still waiting.\nOn Tue, Mar 12, 2024 at 10:15 AM Care <care@example.com> wrote:\nold text\n",
	  "Still waiting." },
	{ "a sentence ending in wrote: with no quote after it stays",
	  "My neighbour wrote:\nthe parcel is at her door.\n",
	  "My neighbour wrote:\nthe parcel is at her door." },
	{ "Outlook block under a rule",
	  "Thanks\n\n________________________________\nFrom: Care\nSent: Tuesday\nTo: Ann\nSubject: x\n\nold\n",
	  "Thanks" },
	{ "Outlook block, French keys with a blank before the colon",
	  "Merci\n\nDe : Service\nEnvoyé : mardi\nÀ : Anne\nObjet : x\n\nancien\n", "Merci" },
	{ "Outlook block, German keys in bold from HTML",
	  "Danke\n*Von:* Kundendienst\n*Gesendet:* Dienstag\n*An:* Jürgen\n*Betreff:* x\nalt\n", "Danke" },
	{ "a rule with no block after it stays", "a\n____________\nb\n", "a\n____________\nb" },
	{ "two header lines without a quote stay", "From: the shop\nDate: Monday\nnothing came\n",
	  "From: the shop\nDate: Monday\nnothing came" },
	{ "Original Message", "Yes\n-----Original Message-----\nFrom: x\n\nold\n", "Yes" },
	{ "Original Message, German", "Ja\n\n-----Ursprüngliche Nachricht-----\nalt\n", "Ja" },
	{ "signature delimiter", "Yes\n\n-- \nAnn\nSales\n", "Yes" },
	{ "signature delimiter without its blank", "Yes\n--\nAnn\n", "Yes" },
	{ "a dash line that is no delimiter stays", "Yes\n  -- Ann\n", "Yes\n  -- Ann" },
	{ "iPhone", "Fine\n\nSent from my iPhone\n\n> On x wrote:\n", "Fine" },
	{ "German iPhone", "Gut\n\nVon meinem iPhone gesendet\n", "Gut" },
	{ "Outlook for Android with link", "OK\n\nGet Outlook for Android<https://aka.ms/x>\n", "OK" },
	{ "French phone", "D'accord\n\nEnvoyé de mon iPhone\n", "D'accord" },
	{ "a sentence that starts like a phone signature stays",
	  "Sent from my office: the form is attached.\n", "Sent from my office: the form is attached." },
	{ "Apple Mail forward is content",
	  "See below.\n\nBegin forwarded message:\n\nFrom: Shop\nSubject: x\nDate: Monday\nTo: me\n\n> quoted in the forward\n-- \nShop\n",
	  "See below.\n\nBegin forwarded message:\n\nFrom: Shop\nSubject: x\nDate: Monday\nTo: me\n\n> quoted in the forward\n-- \nShop" },
	{ "Gmail forward is content",
	  "FYI\n\n---------- Forwarded message ---------\nFrom: Shop <s@example.com>\nDate: Mon\nSubject: x\nTo: me\n\nbody\n",
	  "FYI\n\n---------- Forwarded message ---------\nFrom: Shop <s@example.com>\nDate: Mon\nSubject: x\nTo: me\n\nbody" },
	{ "snip mark between quotes", "> a\n[...]\n> b\nmine\n", "mine" },
	{ "an ellipsis of one's own stays", "run:\n...\ndone\n", "run:\n...\ndone" },
	{ "a wrapped quote tail",
	  "> a long quoted line that the client wrapped at seventy-two characters or\nso\n> more quoted\nmine\n",
	  "mine" },
	{ "a short answer after a question stays",
	  "> Would you like us to collect the parcel from your home address tomorrow?\nYes\n> ok\n",
	  "Yes" },
	{ "no line end at the end", "a\n> b\nc", "a\n\nc" },
};

static void
test_forms(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(form_cases); i++) {
		g_autofree char *got = gw_quote_new_text(form_cases[i].text);

		g_test_message("form: %s", form_cases[i].name);
		g_assert_cmpstr(got, ==, form_cases[i].want);
	}
	g_assert_null(gw_quote_new_text(NULL));
}

/* ---- labelled replies ---- */

/* The new text of the message in file, or NULL if it cannot be read. */
static char *
new_text_of(const char *file)
{
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	g_autofree char *data = NULL;
	gsize len;
	g_autoptr(GBytes) raw = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GwMail) m = NULL;

	if (!g_file_get_contents(file, &data, &len, NULL))
		return NULL;
	raw = g_bytes_new(data, len);
	m = gw_mail_parse(raw, &limits, &err);
	g_assert_no_error(err);
	return gw_quote_new_text(gw_mail_text(m));
}

/* The labelled text for name: the file without its final line end. */
static char *
expected_of(const char *name)
{
	g_autofree char *file = g_strdup_printf(DATA "/%s.expected", name);
	char *data = NULL;
	gsize len;

	if (!g_file_get_contents(file, &data, &len, NULL))
		g_error("%s: cannot read", file);
	if (len > 0 && data[len - 1] == '\n')
		data[len - 1] = '\0';
	return data;
}

/* Compares one reply with its label; says how a mismatch differs. */
static gboolean
check_case(const char *name, const char *file)
{
	g_autofree char *got = new_text_of(file);
	g_autofree char *want = expected_of(name);

	if (got == NULL)
		g_error("%s: cannot read %s", name, file);
	if (strcmp(got, want) == 0)
		return TRUE;
	g_test_message("MISMATCH %s (%s)\n--- got:\n%s\n--- want:\n%s\n---", name, file, got, want);
	return FALSE;
}

static void
test_written(void)
{
	g_autoptr(GDir) d = g_dir_open(DATA, 0, NULL);
	const char *entry;
	guint n = 0, right = 0;

	g_assert_nonnull(d);
	while ((entry = g_dir_read_name(d)) != NULL) {
		g_autofree char *file = NULL;
		g_autofree char *name = NULL;

		if (!g_str_has_prefix(entry, "written-") || !g_str_has_suffix(entry, ".eml"))
			continue;
		file = g_build_filename(DATA, entry, NULL);
		name = g_strndup(entry, strlen(entry) - strlen(".eml"));
		n++;
		right += check_case(name, file);
	}
	g_test_message("written replies: %u of %u come out exactly as labelled", right, n);
	g_assert_cmpuint(n, >=, 20);
	g_assert_cmpuint(right, ==, n);
}

static void
test_corpus(void)
{
	const char *dir = g_getenv("CORPUS") ? g_getenv("CORPUS") : "../shared/corpus";
	g_autofree char *list = NULL;
	g_auto(GStrv) lines = NULL;
	guint n = 0, right = 0, held = 0, held_right = 0;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_test_skip("no corpus");
		return;
	}
	g_assert_true(g_file_get_contents(DATA "/corpus.tsv", &list, NULL, NULL));
	lines = g_strsplit(list, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) col = g_strsplit(lines[i], "\t", 3);
		g_autofree char *file = NULL;
		gboolean ok;

		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		g_assert_cmpuint(g_strv_length(col), ==, 3);
		file = g_build_filename(dir, col[2], NULL);
		ok = check_case(col[0], file);
		n++;
		right += ok;
		if (strcmp(col[1], "held-out") == 0) {
			held++;
			held_right += ok;
		}
	}
	g_test_message("corpus replies: %u of %u come out exactly as labelled "
		       "(held out: %u of %u)", right, n, held_right, held);
	g_assert_cmpuint(right, >=, CORPUS_FLOOR);
}

/* ---- bounded ---- */

/* A text of about 1 MB: line repeated. */
static char *
repeat(const char *line)
{
	gsize n = 1024 * 1024 / strlen(line) + 1;
	GString *s = g_string_sized_new(n * strlen(line));

	for (gsize i = 0; i < n; i++)
		g_string_append(s, line);
	return g_string_free(s, FALSE);
}

/* text without its trailing line ends */
static char *
chomp(const char *text)
{
	gsize len = strlen(text);

	while (len > 0 && text[len - 1] == '\n')
		len--;
	return g_strndup(text, len);
}

static void
test_large(void)
{
	static const struct {
		const char *line;
		const char *want;	/* NULL: the whole text comes back */
		gboolean last_dropped;	/* ... but for its last line */
	} cases[] = {
		{ "> quoted\n", "", FALSE },
		{ "\n", "", FALSE },
		{ "From: a\n", NULL, FALSE },
		{ "On 1 Mar 2024, x@example.org\n", NULL, FALSE },
		/* the last one introduces what is left of a quote: nothing */
		{ "My neighbour wrote:\n", NULL, TRUE },
		{ "________________________________\n", NULL, FALSE },
		{ "[...]\n\n\n", NULL, FALSE },
		/* every "so" is a wrapped tail but the last, which no quoted
		 * line follows */
		{ "> a long quoted line that the client wrapped at seventy-two char\nso\n", "so", FALSE },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = repeat(cases[i].line);
		g_autofree char *want = cases[i].want ? g_strdup(cases[i].want) : chomp(text);
		g_autofree char *got = NULL;
		gdouble secs;

		if (cases[i].last_dropped)
			*strrchr(want, '\n') = '\0';
		g_test_timer_start();
		got = gw_quote_new_text(text);
		secs = g_test_timer_elapsed();
		{
			g_autofree char *shown = g_strescape(cases[i].line, NULL);

			g_test_message("1 MB of \"%.16s\"...: %.3f s", shown, secs);
		}
		g_assert_cmpuint(strlen(got), ==, strlen(want));
		g_assert_true(strcmp(got, want) == 0);
		/* linear work takes milliseconds; quadratic work on 1 MB
		 * would take minutes */
		g_assert_cmpfloat(secs, <, 10.0);
	}
	{
		g_autofree char *one = g_strnfill(1024 * 1024, 'x');
		g_autofree char *got = gw_quote_new_text(one);

		g_assert_true(strcmp(got, one) == 0);
	}
}

/* ---- scores ---- */

static const struct {
	const char *text;
	int score;		/* 0: none can be read */
	const char *comment;
} score_cases[] = {
	{ "4 - quick and kind", 4, "quick and kind" },
	{ "5!", 5, "" },
	{ "Score: 3", 3, "" },
	{ "3/5", 3, "" },
	{ "3 / 5 slow but friendly", 3, "slow but friendly" },
	{ "4 out of 5, the parcel came late", 4, "the parcel came late" },
	{ "2 von 5 Sternen", 2, "" },
	{ "1", 1, "" },
	{ "  5\n\nThe agent called me back the same day.", 5, "The agent called me back the same day." },
	{ "4) fine", 4, "fine" },
	{ "5 stars - great", 5, "great" },
	{ "Rating = 2. Nobody answered the phone.", 2, "Nobody answered the phone." },
	{ "Note : 4 – rapide", 4, "rapide" },
	{ "five", 5, "" },
	{ "Three, it took a week", 3, "it took a week" },
	{ "Very poor - nobody called back", 1, "nobody called back" },
	{ "poor", 2, "" },
	{ "OK, but the refund is still missing", 3, "but the refund is still missing" },
	{ "Fair.", 3, "" },
	{ "Good - fast", 4, "fast" },
	{ "Very good!", 5, "" },
	{ "Excellent, thank you!", 5, "thank you!" },
	{ "Sehr gut, danke", 5, "danke" },
	{ "schlecht: niemand hat geantwortet", 2, "niemand hat geantwortet" },
	{ "fünf", 5, "" },
	{ "Très bien !", 5, "" },
	{ "mauvais", 2, "" },
	{ "Muy malo: nadie contestó", 1, "nadie contestó" },
	{ "bueno", 4, "" },
	{ "Zeer goed, bedankt", 5, "bedankt" },
	{ "matig", 3, "" },
	{ "Vier", 4, "" },
	{ "I am still waiting", 0, NULL },
	{ "12 days late", 0, NULL },
	{ "0", 0, NULL },
	{ "6", 0, NULL },
	{ "4.5", 0, NULL },
	{ "7/10", 0, NULL },
	{ "3/10", 0, NULL },
	{ "3 days and no answer", 0, NULL },
	{ "2 Wochen gewartet", 0, NULL },
	{ "2nd time I write", 0, NULL },
	{ "-1", 0, NULL },
	{ "Good morning, where is my refund?", 0, NULL },
	{ "One more thing: the box was wet", 0, NULL },
	{ "not good", 0, NULL },
	{ "", 0, NULL },
	{ "Score: none of your business", 0, NULL },
};

static void
test_score(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(score_cases); i++) {
		g_autofree char *comment = NULL;
		g_autofree char *shown = g_strescape(score_cases[i].text, NULL);
		int score = -1;
		gboolean ok = gw_quote_score(score_cases[i].text, &score, &comment);

		g_test_message("score: \"%s\"", shown);
		g_assert_cmpint(ok, ==, score_cases[i].score != 0);
		g_assert_cmpint(score, ==, score_cases[i].score);
		g_assert_cmpstr(comment, ==, score_cases[i].comment);
	}
}

static void
test_score_no_comment(void)
{
	int score = -1;

	g_assert_true(gw_quote_score("4 - fine", &score, NULL));
	g_assert_cmpint(score, ==, 4);
	g_assert_false(gw_quote_score(NULL, &score, NULL));
	g_assert_cmpint(score, ==, 0);
}

/* A reply to the survey: the score is read from its new text. */
static void
test_score_of_reply(void)
{
	g_autofree char *text = gw_quote_new_text(
		"4 - quick, but the first answer was wrong\n\n"
		"Sent from my iPhone\n\n"
		"> On 14 Mar 2024, at 09:00, Care <care@example.com> wrote:\n"
		"> How did we do, 1 to 5?\n");
	g_autofree char *comment = NULL;
	int score = 0;

	g_assert_true(gw_quote_score(text, &score, &comment));
	g_assert_cmpint(score, ==, 4);
	g_assert_cmpstr(comment, ==, "quick, but the first answer was wrong");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gw_mail_init();
	g_test_add_func("/quote/forms", test_forms);
	g_test_add_func("/quote/written", test_written);
	g_test_add_func("/quote/corpus", test_corpus);
	g_test_add_func("/quote/large", test_large);
	g_test_add_func("/quote/score", test_score);
	g_test_add_func("/quote/score-no-comment", test_score_no_comment);
	g_test_add_func("/quote/score-of-reply", test_score_of_reply);
	return g_test_run();
}
