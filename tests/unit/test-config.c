/* test-config.c - plaint.conf: defaults, relative paths, secrets, and
 * every kind of mistake refused with file:line.
 *
 * Run from the repository root: tests/unit/test-config --tap */
#include <string.h>

#include <glib/gstdio.h>

#include "gw-config.h"

static char *dir;

static char *
write_file(const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static const char base[] =
	"[database]\n"
	"conninfo = dbname=plaint\n"
	"[smtp]\n"
	"host = smtp.example.com\n"
	"from = Care <care@example.com>\n";

static void
test_minimal(void)
{
	g_autofree char *path = write_file("min.conf", base);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);

	g_assert_no_error(err);
	g_assert_cmpstr(c->conninfo, ==, "dbname=plaint");
	g_assert_cmpstr(c->ticket_prefix, ==, "CMP");
	g_assert_cmpint(c->ack_within, ==, 60);
	g_assert_cmpint(c->smtp.security, ==, GW_SECURITY_STARTTLS);
	g_assert_cmpint(c->smtp.port, ==, 587);
	g_assert_cmpstr(c->smtp_from_addr, ==, "care@example.com");
	g_assert_cmpstr(c->message_id_domain, ==, "example.com");
	g_assert_cmpstr(c->rules_dir, ==, "/etc/plaint/rules.d");
	g_assert_true(c->rules_jit);
	g_assert_cmpstr(c->fallback_charsets[0], ==, "windows-1252");
	g_assert_cmpuint(c->mailboxes->len, ==, 0);
}

static void
test_mailbox(void)
{
	g_autofree char *secret = write_file("alice.pass", "s3cret\n");
	g_autofree char *text = g_strconcat(base,
		"[rules]\ndir = myrules\n"
		"[mailbox support]\nhost = imap.example.com\nsecurity = starttls\n"
		"username = alice\npassword_file = alice.pass\nqueue = billing\n"
		"[mailbox sales]\nhost = imap.example.com\nusername = bob\n"
		"password_file = alice.pass\n", NULL);
	g_autofree char *path = write_file("mbox.conf", text);
	g_autofree char *rules = g_build_filename(dir, "myrules", NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);
	const GwMailboxConfig *s, *b;

	g_assert_no_error(err);
	g_assert_cmpstr(c->rules_dir, ==, rules);	/* relative to the file */
	s = gw_config_mailbox(c, "support");
	b = gw_config_mailbox(c, "sales");
	g_assert_cmpstr(s->server.password, ==, "s3cret");	/* newline dropped */
	g_assert_cmpint(s->server.port, ==, 143);	/* starttls */
	g_assert_cmpint(b->server.port, ==, 993);	/* tls, the default */
	g_assert_cmpstr(s->folder, ==, "INBOX");
	g_assert_cmpstr(s->queue, ==, "billing");
	g_assert_cmpstr(b->queue, ==, "general");
	g_assert_cmpint(s->poll_interval, ==, 30);
	g_assert_null(gw_config_mailbox(c, "nope"));
}

static const struct {
	const char *append;	/* after base */
	const char *error;	/* substring, with the line where known */
} bad_cases[] = {
	{ "colour = blue\n", "bad.conf:6: unknown key 'colour' in [smtp]" },
	{ "[imap]\nhost = x\n", "bad.conf:6: unknown section [imap]" },
	{ "port = many\n", "bad.conf:6: port must be a whole number from 0 to 65535, not 'many'" },
	{ "port = 70000\n", "bad.conf:6: port must be a whole number" },
	{ "security = ssl\n", "bad.conf:6: security must be tls, starttls or none" },
	{ "this is not ini\n", "bad.conf:6: expected 'key = value'" },
	{ "host = again\n", "bad.conf:6: key 'host' appears twice" },
	{ "[smtp]\n", "bad.conf:6: section [smtp] appears twice" },
	{ "password_file = nowhere.pass\n", "bad.conf:6: " },
	{ "username = x\n", "username and password_file go together" },
	{ "[mailbox in box]\nhost = x\n", "bad.conf:6: a mailbox name is" },
	{ "[mailbox m]\nhost = x\n", "[mailbox m] needs a value for 'username'" },
	{ "[tickets]\nprefix = C-M\n", "bad.conf:7: prefix must be" },
	{ "[mail]\nfallback_charsets = klingon-8\n", "bad.conf:7: fallback_charsets: unknown charset 'klingon-8'" },
	{ "[queue q]\ntemplate = nosuch\n", "bad.conf:7: no [template nosuch] section" },
	{ "[rules]\njit = perhaps\n", "bad.conf:7: jit must be true or false" },
};

static void
test_bad(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		g_autofree char *text = g_strconcat(base, bad_cases[i].append, NULL);
		g_autofree char *path = write_file("bad.conf", text);
		g_autoptr(GError) err = NULL;
		g_autoptr(GwConfig) c = gw_config_load(path, &err);

		g_test_message("case %" G_GSIZE_FORMAT ": %s", i, bad_cases[i].append);
		g_assert_null(c);
		g_assert_nonnull(err);
		if (strstr(err->message, bad_cases[i].error) == NULL)
			g_error("wanted '%s' in '%s'", bad_cases[i].error, err->message);
	}
}

static void
test_missing(void)
{
	g_autofree char *path = write_file("nosmtp.conf", "[database]\nconninfo = x\n");
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);

	g_assert_null(c);
	g_assert_nonnull(strstr(err->message, "[smtp] needs a value for 'host'"));
	g_clear_error(&err);
	g_assert_null(gw_config_load("/nonexistent/plaint.conf", &err));
	g_assert_nonnull(err);
}

static void
test_rules_dir(void)
{
	g_autofree char *rd = g_build_filename(dir, "rd", NULL);
	g_autofree char *b = NULL, *a = NULL, *x = NULL;
	g_autoptr(GPtrArray) names = NULL, texts = NULL;
	g_autoptr(GError) err = NULL;

	g_assert_cmpint(g_mkdir(rd, 0755), ==, 0);
	b = g_build_filename(rd, "20-b.rules", NULL);
	a = g_build_filename(rd, "10-a.rules", NULL);
	x = g_build_filename(rd, "notes.txt", NULL);
	g_file_set_contents(b, "rule b\n", -1, NULL);
	g_file_set_contents(a, "rule a\n", -1, NULL);
	g_file_set_contents(x, "ignored\n", -1, NULL);
	g_assert_true(gw_config_read_rules(rd, &names, &texts, &err));
	g_assert_cmpuint(names->len, ==, 2);
	g_assert_cmpstr(names->pdata[0], ==, a);	/* name order */
	g_assert_cmpstr(texts->pdata[1], ==, "rule b\n");
	g_remove(a);
	g_remove(b);
	g_remove(x);
	g_rmdir(rd);
}

int
main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	dir = g_dir_make_tmp("plaint-config-XXXXXX", NULL);
	g_assert_nonnull(dir);
	g_test_add_func("/config/minimal", test_minimal);
	g_test_add_func("/config/mailbox", test_mailbox);
	g_test_add_func("/config/bad", test_bad);
	g_test_add_func("/config/missing", test_missing);
	g_test_add_func("/config/rules-dir", test_rules_dir);
	rc = g_test_run();
	{
		g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
		const char *name;

		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			g_autofree char *p = g_build_filename(dir, name, NULL);

			g_remove(p);
		}
	}
	g_rmdir(dir);
	g_free(dir);
	return rc;
}
