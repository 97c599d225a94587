/* bench.c - figures for the pure stages: parse and classify.
 *
 *   bench parse SIZE     parse a generated message of SIZE bytes (a text
 *                        part and a base64 attachment), many times;
 *                        prints messages/s, MB/s and peak RSS
 *   bench rules N        classify a 3 KB complaint with N generated
 *                        rules, JIT on and off; prints messages/s
 *
 * Prints figures; asserts nothing (tests never assert timings). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>

#include <gmime/gmime.h>

#include "gw-mail.h"
#include "gw-rules.h"

static double
now(void)
{
	return g_get_monotonic_time() / 1e6;
}

static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A complaint of about size bytes: headers, a text part, and for larger
 * sizes a base64 attachment making up the rest. */
static GBytes *
make_message(gsize size)
{
	GString *m = g_string_sized_new(size + 4096);	/* no realloc peaks */
	static const char para[] =
		"I ordered a kettle (order #48213) three weeks ago and I was "
		"charged twice for it. Your courier left it in the rain and it "
		"now trips the fuse. I would like a refund, please.\n";

	g_string_append(m,
		"From: Maria Lindqvist <maria@example.org>\n"
		"To: care@example.com\n"
		"Subject: Charged twice for order #48213 - please refund\n"
		"Message-ID: <bench@example.org>\n"
		"Date: Sun, 22 Nov 2026 10:00:00 +0000\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
		"--b1\nContent-Type: text/plain; charset=utf-8\n\n");
	while (m->len < MIN(size, 2800))
		g_string_append(m, para);
	g_string_append(m, "\n--b1\nContent-Type: application/octet-stream\n"
			"Content-Disposition: attachment; filename=photo.jpg\n"
			"Content-Transfer-Encoding: base64\n\n");
	while (m->len + 80 < size)
		g_string_append(m, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\n");
	g_string_append(m, "--b1--\n");
	return g_string_free_to_bytes(m);
}

/* GMime alone: construct the message, nothing decoded (the yardstick). */
static double
gmime_rate(GBytes *raw, int n)
{
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);
	double t0 = now();

	for (int i = 0; i < n; i++) {
		GMimeStream *st = g_mime_stream_mem_new_with_buffer(data, len);
		GMimeParser *p = g_mime_parser_new_with_stream(st);
		GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

		g_object_unref(m);
		g_object_unref(p);
		g_object_unref(st);
	}
	return n / (now() - t0);
}

static int
bench_parse(gsize size)
{
	g_autoptr(GBytes) raw = make_message(size);
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	long rss0 = peak_rss_kb();
	int n = size > 10 * 1024 * 1024 ? 3 : size > 100 * 1024 ? 50 : 20000;
	double t0 = now(), dt;

	for (int i = 0; i < n; i++) {
		GwMail *mail = gw_mail_parse(raw, &limits, NULL);

		g_assert(mail != NULL);
		gw_mail_free(mail);
	}
	dt = now() - t0;
	printf("parse %8" G_GSIZE_FORMAT " bytes: %9.0f messages/s  %7.1f MB/s  "
	       "%.3f ms each  peak RSS %ld KB (+%ld KB, %.1fx the message)\n",
	       g_bytes_get_size(raw), n / dt, n * (double)g_bytes_get_size(raw) / dt / 1e6,
	       dt / n * 1e3, peak_rss_kb(), peak_rss_kb() - rss0,
	       (peak_rss_kb() - rss0) * 1024.0 / g_bytes_get_size(raw));
	printf("      GMime alone (no decoding): %9.0f messages/s; plaint takes %.2fx "
	       "its time\n", gmime_rate(raw, n), gmime_rate(raw, n) * dt / n);
	return 0;
}

/* n rules in the style of the shipped ones, over several fields. */
static char *
make_rules(int n)
{
	static const char *const fields[] = { "subject", "body", "from", "header X-Mailer" };
	static const char *const words[] = {
		"refund", "charged twice", "invoice", "late", "courier", "broken",
		"faulty", "rude", "cancel", "lawyer", "ombudsman", "gdpr",
		"erase", "warranty", "damaged",
	};
	GString *r = g_string_new(NULL);

	for (int i = 0; i < n; i++)
		g_string_append_printf(r,
			"rule r%d\n  when %s ~ /\\b(%s|w%dx)\\w*\\b/i\n  tag t%d\n\n",
			i, fields[i % G_N_ELEMENTS(fields)],
			words[i % G_N_ELEMENTS(words)], i, i % 7);
	return g_string_free(r, FALSE);
}

static double
classify_rate(GwRules *rules, GwMail *mail)
{
	int n = 20000;
	double t0 = now();

	for (int i = 0; i < n; i++) {
		GwVerdict v;

		gw_verdict_init(&v, FALSE);
		gw_rules_classify(rules, mail, "support", &v);
		gw_verdict_clear(&v);
	}
	return n / (now() - t0);
}

static int
bench_rules(int count)
{
	g_autoptr(GBytes) raw = make_message(3000);
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	g_autoptr(GwMail) mail = gw_mail_parse(raw, &limits, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(names, g_strdup("bench.rules"));
	g_ptr_array_add(texts, make_rules(count));
	for (int jit = 1; jit >= 0; jit--) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GwRules) rules = gw_rules_compile(names, texts, jit, &err);
		double rate;

		if (rules == NULL) {
			fprintf(stderr, "bench: %s\n", err->message);
			return 1;
		}
		rate = classify_rate(rules, mail);
		printf("rules %d over a %" G_GSIZE_FORMAT "-byte message, JIT %s: "
		       "%9.0f messages/s  %.4f ms each\n", count,
		       g_bytes_get_size(raw), jit ? "on " : "off", rate, 1e3 / rate);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	gw_mail_init();
	if (argc == 3 && strcmp(argv[1], "parse") == 0)
		return bench_parse(strtoull(argv[2], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "rules") == 0)
		return bench_rules(atoi(argv[2]));
	fprintf(stderr, "usage: bench parse SIZE | bench rules N\n");
	return 64;
}
