/* bench.c - figures for the pure stages: parse and classify, one thread.
 *
 *   bench parse SECONDS FILE...
 *       parse the messages round robin for about SECONDS; prints
 *       "<plaint> <GMime alone> <bytes per message>", rates in messages
 *       per second of CPU time
 *   bench rules SECONDS RULES_DIR on|off FILE...
 *       classify the messages round robin with the rule files of
 *       RULES_DIR (*.rules, in name order), the PCRE2 JIT on or off;
 *       prints "<messages per CPU second> <messages per wall second>
 *       <rules> <messages> <rules matched per message>"
 *   bench pcre2 SECONDS RULES_FILE FILE...
 *       the yardstick for `rules`: the body patterns of RULES_FILE (its
 *       "when body ~ /RE/FLAGS" lines) run by PCRE2 directly, JIT on,
 *       over the same body texts; prints "<messages per CPU second with
 *       plaint's compile options> <the same without
 *       PCRE2_MATCH_INVALID_UTF, matching with PCRE2_NO_UTF_CHECK>
 *       <patterns>"
 *
 * Rates are per second of this thread's CPU time, so that other work on
 * a shared machine does not count against them ("on one core"); `rules`
 * gives the wall-clock rate too.  One run per call, one line of numbers
 * on standard output; tests/bench.sh runs each three times and reports
 * the median.  Asserts nothing (tests never assert timings).  Exit
 * status 0, or 1 with a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include <gmime/gmime.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "gw-mail.h"
#include "gw-rules.h"

/* Seconds of CPU time this thread has used. */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
wall_now(void)
{
	return g_get_monotonic_time() / 1e6;
}

static GPtrArray *
load_files(int argc, char **argv)
{
	g_autoptr(GPtrArray) raws = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_bytes_unref);

	for (int i = 0; i < argc; i++) {
		g_autoptr(GError) err = NULL;
		char *data;
		gsize len;

		if (!g_file_get_contents(argv[i], &data, &len, &err)) {
			fprintf(stderr, "bench: %s\n", err->message);
			return NULL;
		}
		g_ptr_array_add(raws, g_bytes_new_take(data, len));
	}
	return g_steal_pointer(&raws);
}

/* GMime alone: construct the message, nothing decoded (the yardstick). */
static void
gmime_construct(GBytes *raw)
{
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_clear_object(&m);
	g_object_unref(p);
	g_object_unref(st);
}

static void
plaint_parse(GBytes *raw)
{
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	GwMail *mail = gw_mail_parse(raw, &limits, NULL);

	g_assert(mail != NULL);
	gw_mail_free(mail);
}

/* Messages per CPU second of fn over raws, round robin, for about
 * seconds of CPU time (at least one pass over all of them). */
static double
rate(void (*fn)(GBytes *), GPtrArray *raws, double seconds)
{
	double t0 = cpu_now(), t;
	guint64 n = 0;

	do {
		fn(raws->pdata[n % raws->len]);
		n++;
		t = cpu_now();
	} while (n < raws->len || t - t0 < seconds);
	return n / (t - t0);
}

static int
bench_parse(double seconds, GPtrArray *raws)
{
	guint64 bytes = 0;

	for (guint i = 0; i < raws->len; i++)
		bytes += g_bytes_get_size(raws->pdata[i]);
	printf("%.1f %.1f %.0f\n", rate(plaint_parse, raws, seconds),
	       rate(gmime_construct, raws, seconds), (double)bytes / raws->len);
	return 0;
}

static gboolean
parse_all(GPtrArray *raws, GPtrArray *mails_out)
{
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;

	for (guint i = 0; i < raws->len; i++) {
		g_autoptr(GError) err = NULL;
		GwMail *mail = gw_mail_parse(raws->pdata[i], &limits, &err);

		if (mail == NULL) {
			fprintf(stderr, "bench: message %u: %s\n", i + 1, err->message);
			return FALSE;
		}
		g_ptr_array_add(mails_out, mail);
	}
	return TRUE;
}

static GwRules *
load_rules(const char *dir, gboolean jit)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
	GwRules *rules;
	const char *name;

	if (d == NULL) {
		fprintf(stderr, "bench: %s\n", err->message);
		return NULL;
	}
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".rules"))
			g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
		char *text;

		if (!g_file_get_contents(path, &text, NULL, &err)) {
			fprintf(stderr, "bench: %s\n", err->message);
			return NULL;
		}
		g_ptr_array_add(texts, text);
	}
	rules = gw_rules_compile(names, texts, jit, &err);
	if (rules == NULL)
		fprintf(stderr, "bench: %s\n", err->message);
	return rules;
}

static int
bench_rules(double seconds, const char *dir, gboolean jit, GPtrArray *raws)
{
	g_autoptr(GwRules) rules = load_rules(dir, jit);
	g_autoptr(GPtrArray) mails = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_mail_free);
	guint64 n = 0, matched = 0;
	double t0, w0, t;

	if (rules == NULL || !parse_all(raws, mails))
		return 1;
	t0 = cpu_now();
	w0 = wall_now();
	do {
		GwVerdict v;

		gw_verdict_init(&v, FALSE);
		gw_rules_classify(rules, mails->pdata[n % mails->len], "support", &v);
		matched += v.matched->len;
		gw_verdict_clear(&v);
		n++;
		t = cpu_now();
	} while (n < mails->len || t - t0 < seconds);
	printf("%.1f %.1f %u %u %.1f\n", n / (t - t0), n / (wall_now() - w0),
	       gw_rules_count(rules), mails->len, (double)matched / n);
	return 0;
}

/* The patterns of the "when body ~ /RE/FLAGS" lines of a rule file,
 * compiled with extra_opts added to those the flags ask for. */
static GPtrArray *
body_patterns(const char *path, guint32 extra_opts)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func(
		(GDestroyNotify)pcre2_code_free);

	if (!g_file_get_contents(path, &text, NULL, &err)) {
		fprintf(stderr, "bench: %s\n", err->message);
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		const char *p = strstr(*l, "when body ~ /");
		g_autoptr(GString) re = g_string_new(NULL);
		guint32 opts = PCRE2_UTF | extra_opts;
		pcre2_code *code;
		PCRE2_SIZE off;
		int rc;

		if (p == NULL)
			continue;
		/* As the rule language reads it: \/ is a slash. */
		for (p += strlen("when body ~ /"); *p && *p != '/'; p++) {
			if (p[0] == '\\' && p[1] == '/')
				p++;
			else if (p[0] == '\\' && p[1] != '\0')
				g_string_append_c(re, *p++);
			g_string_append_c(re, *p);
		}
		for (p = *p ? p + 1 : p; *p && *p != ' '; p++)
			opts |= *p == 'i' ? PCRE2_CASELESS : *p == 'm' ? PCRE2_MULTILINE :
				*p == 's' ? PCRE2_DOTALL : *p == 'x' ? PCRE2_EXTENDED : 0;
		code = pcre2_compile((PCRE2_SPTR)re->str, re->len, opts, &rc, &off, NULL);
		if (code == NULL) {
			fprintf(stderr, "bench: %s: cannot compile /%s/\n", path, re->str);
			return NULL;
		}
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
		g_ptr_array_add(codes, code);
	}
	return g_steal_pointer(&codes);
}

/* Messages per CPU second: every pattern over each body text. */
static double
pcre2_rate(GPtrArray *codes, GPtrArray *mails, guint32 match_opts, double seconds)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	guint64 n = 0;
	double t0 = cpu_now(), t;

	do {
		const char *text = gw_mail_text(mails->pdata[n % mails->len]);
		gsize len = strlen(text);

		for (guint i = 0; i < codes->len; i++)
			pcre2_match(codes->pdata[i], (PCRE2_SPTR)text, len, 0,
				    match_opts, md, NULL);
		n++;
		t = cpu_now();
	} while (n < mails->len || t - t0 < seconds);
	pcre2_match_data_free(md);
	return n / (t - t0);
}

static int
bench_pcre2(double seconds, const char *path, GPtrArray *raws)
{
	g_autoptr(GPtrArray) same = body_patterns(path, PCRE2_MATCH_INVALID_UTF);
	g_autoptr(GPtrArray) plain = body_patterns(path, 0);
	g_autoptr(GPtrArray) mails = g_ptr_array_new_with_free_func(
		(GDestroyNotify)gw_mail_free);

	if (same == NULL || plain == NULL || !parse_all(raws, mails))
		return 1;
	/* The texts are valid UTF-8 (GwMail repairs them): the second
	 * variant tells PCRE2 so instead of having it check each time. */
	printf("%.1f %.1f %u\n", pcre2_rate(same, mails, 0, seconds),
	       pcre2_rate(plain, mails, PCRE2_NO_UTF_CHECK, seconds), same->len);
	return 0;
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) raws = NULL;

	gw_mail_init();
	if (argc >= 4 && strcmp(argv[1], "parse") == 0) {
		raws = load_files(argc - 3, argv + 3);
		return raws ? bench_parse(atof(argv[2]), raws) : 1;
	}
	if (argc >= 6 && strcmp(argv[1], "rules") == 0 &&
	    (strcmp(argv[4], "on") == 0 || strcmp(argv[4], "off") == 0)) {
		raws = load_files(argc - 5, argv + 5);
		return raws ? bench_rules(atof(argv[2]), argv[3],
					  strcmp(argv[4], "on") == 0, raws) : 1;
	}
	if (argc >= 5 && strcmp(argv[1], "pcre2") == 0) {
		raws = load_files(argc - 4, argv + 4);
		return raws ? bench_pcre2(atof(argv[2]), argv[3], raws) : 1;
	}
	fprintf(stderr, "usage: bench parse SECONDS FILE... | "
			"bench rules SECONDS RULES_DIR on|off FILE... | "
			"bench pcre2 SECONDS RULES_FILE FILE...\n");
	return 64;
}
