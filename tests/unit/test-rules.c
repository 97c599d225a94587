/* test-rules.c - the rule language: errors with file:line:column, and
 * verdicts from tables of rules and messages.
 *
 * Run from the repository root: tests/unit/test-rules --tap */
#include <string.h>

#include "gw-rules.h"

static GwRules *
compile(const char *text, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autoptr(GPtrArray) texts = g_ptr_array_new();

	g_ptr_array_add(names, "t.rules");
	g_ptr_array_add(texts, (gpointer)text);
	return gw_rules_compile(names, texts, TRUE, error);
}

static const struct {
	const char *text;
	const char *error;	/* a substring of the message */
} error_cases[] = {
	{ "rule a\n  when colour ~ /x/\n", "t.rules:2:8: unknown field 'colour'" },
	{ "rule a\n  frobnicate\n", "t.rules:2:3: unknown statement 'frobnicate'" },
	{ "rule a\n  when subject ~ /ab(c/\n", "t.rules:2:23: bad pattern: missing closing parenthesis" },
	{ "rule a\n  when subject ~ /x/q\n", "t.rules:2:21: unknown pattern flag 'q'" },
	{ "rule a\n  when subject ~ /x\n", "t.rules:2:18: the pattern has no closing '/'" },
	{ "  tag x\n", "t.rules:1:3: 'tag' outside a rule" },
	{ "rule a\nrule a\n", "t.rules:2:6: rule 'a' is already defined at t.rules:1" },
	{ "rule a\n  set priority soon\n", "t.rules:2:16: priority must be low, normal, high or urgent" },
	{ "rule a\n  any\n    when subject ~ /x/\n", "the group opened at line 2 has no 'end'" },
	{ "rule a\n  end\n", "t.rules:2:3: 'end' without an open group" },
	{ "rule a\n  when size > lots\n", "'lots' is not a size" },
	{ "rule a\n  any\n    tag x\n  end\n", "'tag' inside a group" },
};

static void
test_errors(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(error_cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GwRules) rules = compile(error_cases[i].text, &err);

		g_test_message("case %" G_GSIZE_FORMAT ": %s", i, error_cases[i].text);
		g_assert_null(rules);
		g_assert_error(err, GW_RULES_ERROR, GW_RULES_ERROR_SYNTAX);
		if (strstr(err->message, error_cases[i].error) == NULL)
			g_error("wanted '%s' in '%s'", error_cases[i].error, err->message);
	}
}

static void
test_many_errors(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GwRules) rules = compile("rule a\n  when x ~ /y/\n  bogus\nrule b\n  set queue\n", &err);

	g_assert_null(rules);
	g_assert_nonnull(strstr(err->message, "t.rules:2:"));
	g_assert_nonnull(strstr(err->message, "t.rules:3:"));
	g_assert_nonnull(strstr(err->message, "t.rules:5:"));
}

static GwMail *
parse(const char *text)
{
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	GwMail *mail = gw_mail_parse(raw, &limits, NULL);

	g_assert_nonnull(mail);
	return mail;
}

static const char rule_set[] =
	"rule refund\n"
	"  when subject ~ /\\brefund/i\n"
	"  set queue billing\n"
	"  tag money\n"
	"rule urgent-words\n"
	"  any\n"
	"    when body ~ /lawyer/i\n"
	"    when header X-Priority ~ /^1/\n"
	"  end\n"
	"  set priority urgent\n"
	"  tag money\n"
	"rule not-from-us\n"
	"  not\n"
	"    when from-domain ~ /^example\\.com$/\n"
	"  end\n"
	"  tag external\n"
	"rule no-header\n"
	"  when header X-Missing !~ /./\n"
	"  tag no-missing\n"
	"rule quiet\n"
	"  when subject ~ /quiet/\n"
	"  no-ack\n"
	"  set queue quiet\n"
	"  stop\n"
	"rule always\n"
	"  tag last\n";

static const struct {
	const char *mail;
	const char *queue;	/* NULL: none set */
	const char *priority;
	const char *tags;	/* joined by "," */
	const char *matched;
	gboolean no_ack;
} verdict_cases[] = {
	{ "From: a@example.org\nSubject: Refund now\n\nmy lawyer says\n",
	  "billing", "urgent", "money,external,no-missing,last",
	  "refund,urgent-words,not-from-us,no-header,always", FALSE },
	{ "From: b@example.com\nSubject: hello\nX-Priority: 1 (Highest)\n\nhi\n",
	  NULL, "urgent", "money,no-missing,last",
	  "urgent-words,no-header,always", FALSE },
	{ "From: c@example.com\nSubject: be quiet\nX-Missing: here\n\nhi\n",
	  "quiet", NULL, "", "quiet", TRUE },
};

static char *
join(GPtrArray *a)
{
	g_ptr_array_add(a, NULL);
	{
		char *s = g_strjoinv(",", (char **)a->pdata);

		g_ptr_array_remove_index(a, a->len - 1);
		return s;
	}
}

static void
test_verdicts(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GwRules) rules = compile(rule_set, &err);

	g_assert_no_error(err);
	g_assert_cmpuint(gw_rules_count(rules), ==, 6);
	for (gsize i = 0; i < G_N_ELEMENTS(verdict_cases); i++) {
		g_autoptr(GwMail) mail = parse(verdict_cases[i].mail);
		g_autofree char *tags = NULL, *matched = NULL;
		GwVerdict v;

		gw_verdict_init(&v, TRUE);
		gw_rules_classify(rules, mail, "support", &v);
		tags = join(v.tags);
		matched = join(v.matched);
		g_test_message("case %" G_GSIZE_FORMAT, i);
		g_assert_cmpstr(v.queue, ==, verdict_cases[i].queue);
		g_assert_cmpstr(v.priority, ==, verdict_cases[i].priority);
		g_assert_cmpstr(tags, ==, verdict_cases[i].tags);
		g_assert_cmpstr(matched, ==, verdict_cases[i].matched);
		g_assert_cmpint(v.no_ack, ==, verdict_cases[i].no_ack);
		gw_verdict_clear(&v);
	}
}

static void
test_trace(void)
{
	g_autoptr(GwRules) rules = compile(rule_set, NULL);
	g_autoptr(GwMail) mail = parse("From: a@example.org\nSubject: A refund please\n\nhi\n");
	const GwTraceItem *t;
	GwVerdict v;

	gw_verdict_init(&v, TRUE);
	gw_rules_classify(rules, mail, "support", &v);
	t = v.trace->pdata[0];
	g_assert_cmpstr(t->rule, ==, "refund");
	g_assert_cmpstr(t->field, ==, "subject");
	g_assert_cmpstr(t->text, ==, "refund");
	gw_verdict_clear(&v);
}

static void
test_limits(void)
{
	g_autoptr(GwRules) rules = compile("rule redos\n  when body ~ /(a+)+$/\n  tag hit\n", NULL);
	g_autoptr(GString) text = g_string_new("From: a@example.org\nSubject: x\n\n");
	g_autoptr(GwMail) mail = NULL;
	GwVerdict v;

	for (int i = 0; i < 100000; i++)
		g_string_append_c(text, 'a');
	g_string_append(text, "b\n");
	mail = parse(text->str);
	gw_verdict_init(&v, FALSE);
	gw_rules_classify(rules, mail, "support", &v);
	g_assert_cmpuint(v.matched->len, ==, 0);
	g_assert_cmpuint(v.limit_hits->len, ==, 1);
	g_assert_cmpstr(v.limit_hits->pdata[0], ==, "redos");
	gw_verdict_clear(&v);
}

static void
test_version(void)
{
	g_autoptr(GwRules) a = compile("rule a\n  tag x\n", NULL);
	g_autoptr(GwRules) b = compile("rule a\n  tag x\n", NULL);
	g_autoptr(GwRules) c = compile("rule a\n  tag y\n", NULL);

	g_assert_cmpstr(gw_rules_version(a), ==, gw_rules_version(b));
	g_assert_cmpstr(gw_rules_version(a), !=, gw_rules_version(c));
	g_assert_cmpuint(strlen(gw_rules_version(a)), ==, 12);
}

static void
test_warnings(void)
{
	g_autoptr(GwRules) rules = compile("rule all\n  stop\nrule never\n  tag x\n", NULL);
	const char *const *w = gw_rules_warnings(rules);

	g_assert_nonnull(w[0]);
	g_assert_nonnull(strstr(w[0], "t.rules:3: warning: rule 'never' can never match"));
	g_assert_null(w[1]);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gw_mail_init();
	g_test_add_func("/rules/errors", test_errors);
	g_test_add_func("/rules/many-errors", test_many_errors);
	g_test_add_func("/rules/verdicts", test_verdicts);
	g_test_add_func("/rules/trace", test_trace);
	g_test_add_func("/rules/limits", test_limits);
	g_test_add_func("/rules/version", test_version);
	g_test_add_func("/rules/warnings", test_warnings);
	return g_test_run();
}
