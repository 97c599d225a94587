/* test-thread.c - the thread keys: subject tags and message ids.
 *
 * Run from the repository root: tests/unit/test-thread --tap */
#include <string.h>

#include "gw-thread.h"

static const struct {
	const char *subject;
	const char *tag;	/* NULL: none */
} tag_cases[] = {
	{ "[CMP-1042] My kettle", "CMP-1042" },
	{ "Re: AW: [cmp-1042] My kettle", "CMP-1042" },
	{ "Fwd: [ CMP - 1042 ] spaced out", "CMP-1042" },
	{ "[CMP#1042] hash", "CMP-1042" },
	{ "[CMP 1042] blank", "CMP-1042" },
	{ "[CMPX-1042] other prefix", NULL },
	{ "[CMP-] no number", NULL },
	{ "[CMP-12a] letters", NULL },
	{ "CMP-1042 without brackets", NULL },
	{ "[OTHER-1] then [CMP-7] later", "CMP-7" },
	{ "[CMP-1] first [CMP-2] second", "CMP-1" },
	{ "[CMP-1234567890123456789] too long", NULL },
	{ "", NULL },
	{ "[[[[", NULL },
};

static void
test_subject_tags(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(tag_cases); i++) {
		g_autofree char *tag = gw_thread_subject_tag(tag_cases[i].subject, "CMP");

		g_test_message("subject: %s", tag_cases[i].subject);
		g_assert_cmpstr(tag, ==, tag_cases[i].tag);
	}
}

static GwMail *
parse(const char *text)
{
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	g_autoptr(GError) err = NULL;
	GwMail *mail = gw_mail_parse(raw, &limits, &err);

	g_assert_no_error(err);
	return mail;
}

static void
test_keys_order(void)
{
	g_autoptr(GwMail) mail = parse(
		"From: a@example.org\n"
		"Subject: Re: [CMP-5] hello\n"
		"In-Reply-To: <c@x>\n"
		"References: <a@x> <b@x>\n   <c@x>\n\nbody\n");
	GwThreadKeys keys;

	gw_thread_keys(mail, "CMP", &keys);
	g_assert_cmpstr(keys.ticket_number, ==, "CMP-5");
	/* In-Reply-To first, then References newest first, each once. */
	g_assert_cmpuint(keys.refs->len, ==, 3);
	g_assert_cmpstr(keys.refs->pdata[0], ==, "c@x");
	g_assert_cmpstr(keys.refs->pdata[1], ==, "b@x");
	g_assert_cmpstr(keys.refs->pdata[2], ==, "a@x");
	gw_thread_keys_clear(&keys);
	g_assert_null(keys.refs);
}

static void
test_keys_none(void)
{
	g_autoptr(GwMail) mail = parse("From: a@example.org\nSubject: hello\n\nbody\n");
	GwThreadKeys keys;

	gw_thread_keys(mail, "CMP", &keys);
	g_assert_null(keys.ticket_number);
	g_assert_cmpuint(keys.refs->len, ==, 0);
	gw_thread_keys_clear(&keys);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gw_mail_init();
	g_test_add_func("/thread/subject-tags", test_subject_tags);
	g_test_add_func("/thread/keys-order", test_keys_order);
	g_test_add_func("/thread/keys-none", test_keys_none);
	return g_test_run();
}
