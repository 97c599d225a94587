/* test-config.c - plaint.conf: defaults, relative paths, secrets, and
 * every kind of mistake refused with file:line; XOAUTH2 access tokens
 * from a file and from a command.
 *
 * Run from the repository root: tests/unit/test-config --tap */
#include <signal.h>
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
	g_assert_null(c->trusted_authserv_id);
	g_assert_cmpint(c->retention_raw_days, ==, 0);
	g_assert_cmpstr(c->skip_when[0], ==, "dmarc-fail");
	g_assert_null(c->skip_when[1]);
	g_assert_null(c->metrics.address);	/* no [metrics]: no listener */
	g_assert_false(c->satisfaction_enabled);
	g_assert_null(c->satisfaction_template);
	g_assert_cmpint(c->satisfaction_ask_after, ==, 3600);
	g_assert_cmpint(c->satisfaction_quiet_days, ==, 30);
	g_assert_null(c->low_score_queue);
	g_assert_cmpstr(c->smtp_from_name, ==, "Care");
	g_assert_cmpint(c->repeat_tickets, ==, 3);
	g_assert_cmpint(c->repeat_days, ==, 30);
}

/* [satisfaction] as given, with its template. */
static void
test_satisfaction(void)
{
	g_autofree char *tmpl = write_file("survey.txt", "Subject: [{ticket}] How did we do?\n\n"
					   "Hello {name}, about {subject}: 1 to 5?\n");
	g_autofree char *text = g_strconcat(base, "[satisfaction]\nenabled = yes\n"
					    "template = survey\nask_after = 2\nquiet_days = 0\n"
					    "low_score_queue = care.lead\n"
					    "[template survey]\nfile = survey.txt\n", NULL);
	g_autofree char *path = write_file("survey.conf", text);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);
	const GwTemplateConfig *t;

	g_assert_no_error(err);
	g_assert_true(c->satisfaction_enabled);
	g_assert_cmpstr(c->satisfaction_template, ==, "survey");
	g_assert_cmpint(c->satisfaction_ask_after, ==, 2);
	g_assert_cmpint(c->satisfaction_quiet_days, ==, 0);
	g_assert_cmpstr(c->low_score_queue, ==, "care.lead");
	t = gw_config_template(c, c->satisfaction_template);
	g_assert_cmpstr(t->subject, ==, "[{ticket}] How did we do?");
	g_assert_true(g_str_has_prefix(t->body, "Hello {name}, about {subject}: 1 to 5?\n"));
}

/* The display name of [smtp] from, which {team} falls back to. */
static void
test_from_name(void)
{
	static const struct {
		const char *from, *name;
	} cases[] = {
		{ "Customer Care <care@example.com>", "Customer Care" },
		{ "\"Care, Inc.\" <care@example.com>", "Care, Inc." },
		{ "  Service  <care@example.com>", "Service" },
		{ "care@example.com", "" },
		{ "<care@example.com>", "" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = g_strconcat(
			"[database]\nconninfo = dbname=plaint\n[smtp]\nhost = smtp.example.com\n"
			"from = ", cases[i].from, "\n[tickets]\nrepeat_tickets = 0\nrepeat_days = 7\n", NULL);
		g_autofree char *path = write_file("from.conf", text);
		g_autoptr(GError) err = NULL;
		g_autoptr(GwConfig) c = gw_config_load(path, &err);

		g_assert_no_error(err);
		g_assert_cmpstr(c->smtp_from_name, ==, cases[i].name);
		g_assert_cmpstr(c->smtp_from_addr, ==, "care@example.com");
		g_assert_cmpint(c->repeat_tickets, ==, 0);
		g_assert_cmpint(c->repeat_days, ==, 7);
	}
}

static void
test_metrics(void)
{
	static const struct {
		const char *value, *address;
		int port;
	} cases[] = {
		{ "127.0.0.1:9187", "127.0.0.1", 9187 },
		{ "[::1]:9187", "::1", 9187 },
		{ "0.0.0.0:1", "0.0.0.0", 1 },
		{ "[0:0::1]:65535", "::1", 65535 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = g_strconcat(base, "[metrics]\nlisten = ",
						    cases[i].value, "\n", NULL);
		g_autofree char *path = write_file("metrics.conf", text);
		g_autoptr(GError) err = NULL;
		g_autoptr(GwConfig) c = gw_config_load(path, &err);

		g_assert_no_error(err);
		g_assert_cmpstr(c->metrics.address, ==, cases[i].address);
		g_assert_cmpint(c->metrics.port, ==, cases[i].port);
	}
	{
		/* A [metrics] section without listen: no listener either. */
		g_autofree char *text = g_strconcat(base, "[metrics]\n", NULL);
		g_autofree char *path = write_file("metrics.conf", text);
		g_autoptr(GError) err = NULL;
		g_autoptr(GwConfig) c = gw_config_load(path, &err);

		g_assert_no_error(err);
		g_assert_null(c->metrics.address);
	}
}

/* A queue's SLA as it will be written into plaint.queues. */
static void
test_queue_sla(void)
{
	g_autofree char *text = g_strconcat(base,
		"[queue legal]\nrespond_within = 14400\nresolve_within = 259200\n"
		"hours = mon-wed,Fri 08:30-24:00 Europe/Berlin\nescalate_to = lead@example.com\n"
		"[queue any]\nhours = always\n[queue plain]\nack_within = 30\n"
		"[queue east]\nhours = Sat,Sun 10:00-14:00 Etc/GMT-5\n"
		"[queue refunds]\nteam = Refunds team\n"
		"[retention]\nraw_days = 180\n", NULL);
	g_autofree char *path = write_file("sla.conf", text);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);
	const GwQueueConfig *q;

	g_assert_no_error(err);
	q = gw_config_queue(c, "legal");
	g_assert_cmpint(q->respond_within, ==, 14400);
	g_assert_cmpint(q->resolve_within, ==, 259200);
	g_assert_true(q->hours.set);
	g_assert_false(q->hours.always);
	g_assert_cmpuint(q->hours.days, ==, (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5));
	g_assert_cmpint(q->hours.start, ==, 8 * 60 + 30);
	g_assert_cmpint(q->hours.end, ==, 24 * 60);
	g_assert_cmpstr(q->hours.tz, ==, "Europe/Berlin");
	g_assert_cmpstr(q->escalate_to, ==, "lead@example.com");
	q = gw_config_queue(c, "any");
	g_assert_true(q->hours.set && q->hours.always);
	q = gw_config_queue(c, "plain");
	g_assert_false(q->hours.set);
	g_assert_cmpint(q->ack_within, ==, 30);
	g_assert_null(q->escalate_to);
	g_assert_cmpint(c->retention_raw_days, ==, 180);
	q = gw_config_queue(c, "east");
	g_assert_cmpuint(q->hours.days, ==, (1 << 6) | (1 << 7));
	g_assert_cmpstr(q->hours.tz, ==, "Etc/GMT-5");
	g_assert_null(q->team);				/* left as it is */
	g_assert_cmpstr(gw_config_queue(c, "refunds")->team, ==, "Refunds team");
}

static void
test_skip_when(void)
{
	g_autofree char *text = g_strconcat(base, "[ack]\ntrusted_authserv_id = mx.example.com\n"
					    "skip_when = spf-fail, dkim-fail spf-fail\n", NULL);
	g_autofree char *path = write_file("skip.conf", text);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);

	g_assert_no_error(err);
	g_assert_cmpstr(c->trusted_authserv_id, ==, "mx.example.com");
	g_assert_cmpstr(c->skip_when[0], ==, "spf-fail");
	g_assert_cmpstr(c->skip_when[1], ==, "dkim-fail");
	g_assert_null(c->skip_when[2]);
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
	/* [metrics] listen: a numeric address and a port */
	{ "[metrics]\nlisten = localhost:9187\n", "bad.conf:7: listen must be ADDRESS:PORT" },
	{ "[metrics]\nlisten = 127.0.0.1\n", "bad.conf:7: listen must be ADDRESS:PORT" },
	{ "[metrics]\nlisten = 127.0.0.1:0\n", "bad.conf:7: listen must be ADDRESS:PORT" },
	{ "[metrics]\nlisten = 127.0.0.1:65536\n", "bad.conf:7: listen must be" },
	{ "[metrics]\nlisten = ::1:9187\n", "bad.conf:7: listen must be" },
	{ "[metrics]\nlisten = [::1]\n", "bad.conf:7: listen must be" },
	{ "[metrics]\nlisten = 127.0.0.1:91x\n", "bad.conf:7: listen must be" },
	{ "[metrics]\nport = 9187\n", "bad.conf:7: unknown key 'port' in [metrics]" },
	/* auth = xoauth2 */
	{ "auth = kerberos\n", "bad.conf:6: auth must be password or xoauth2, not 'kerberos'" },
	{ "username = u\nauth = xoauth2\n",
	  "bad.conf:7: auth = xoauth2 needs token_command or token_file" },
	{ "auth = xoauth2\ntoken_file = t\n", "bad.conf:6: auth = xoauth2 needs a username" },
	{ "username = u\nauth = xoauth2\ntoken_file = t\ntoken_command = helper\n",
	  "bad.conf:9: token_command and token_file exclude each other" },
	{ "username = u\nauth = xoauth2\npassword_file = tok.pass\ntoken_file = t\n",
	  "bad.conf:8: password_file does not go with auth = xoauth2" },
	{ "username = u\npassword_file = tok.pass\ntoken_command = helper\n",
	  "bad.conf:8: token_command needs auth = xoauth2" },
	{ "username = u\npassword_file = tok.pass\ntoken_file = t\n",
	  "bad.conf:8: token_file needs auth = xoauth2" },
	{ "username = u\nauth = xoauth2\ntoken_command = helper 'unclosed\n",
	  "bad.conf:8: token_command: " },
	{ "username = u\nauth = xoauth2\ntoken_command =   \n", "bad.conf:8: token_command: " },
	{ "username = a\\tb\nauth = xoauth2\ntoken_file = t\n",
	  "bad.conf:6: username must not hold control characters" },
	{ "[mailbox m]\nhost = x\nusername = u\n",
	  "bad.conf:6: [mailbox m] needs a value for 'password_file'" },
	{ "[queue q]\nhours = Mon-Fri 09:00-17:00\n",
	  "bad.conf:7: hours must be days, hours and a time zone" },
	{ "[queue q]\nhours = Fri-Mon 09:00-17:00 UTC\n", "bad.conf:7: hours: 'Fri-Mon' are no days" },
	{ "[queue q]\nhours = Mon-Fri 17:00-09:00 UTC\n",
	  "bad.conf:7: hours: '17:00-09:00' is no span of the day" },
	{ "[queue q]\nhours = Mon 09:00-24:30 UTC\n", "bad.conf:7: hours: '09:00-24:30'" },
	{ "[queue q]\nhours = Mon 09:00-17:00 Mars/Olympus\n",
	  "bad.conf:7: hours: unknown time zone 'Mars/Olympus'" },
	{ "[queue q]\nhours = Mon 09:00-17:00 UTC+5\n",
	  "bad.conf:7: hours: unknown time zone 'UTC+5'" },
	{ "[queue q]\nhours = Mon 09:00-17:00 +05:00\n",
	  "bad.conf:7: hours: unknown time zone '+05:00'" },
	{ "[queue q]\nescalate_to = Lead <lead@example.com>\n",
	  "bad.conf:7: escalate_to must be one address" },
	{ "[retention]\nraw_days = -1\n", "bad.conf:7: raw_days must be a whole number from 0" },
	/* [satisfaction] */
	{ "[satisfaction]\nenabled = sometimes\n", "bad.conf:7: enabled must be true or false, not 'sometimes'" },
	{ "[satisfaction]\nask_after = 1h\n", "bad.conf:7: ask_after must be a whole number from 0 to 2592000, not '1h'" },
	{ "[satisfaction]\nask_after = -5\n", "bad.conf:7: ask_after must be a whole number from 0" },
	{ "[satisfaction]\nquiet_days = 9999\n", "bad.conf:7: quiet_days must be a whole number from 0 to 3650" },
	{ "[satisfaction]\nenabled = true\ntemplate = nosuch\n", "bad.conf:8: no [template nosuch] section" },
	{ "[satisfaction]\nlow_score_queue = care team\n", "bad.conf:7: low_score_queue is a queue name" },
	{ "[satisfaction]\nlow_score_queue =\n", "bad.conf:7: low_score_queue must not be empty" },
	{ "[satisfaction]\nask = yes\n", "bad.conf:7: unknown key 'ask' in [satisfaction]" },
	{ "[queue q]\nteam = Refunds\\nteam\n", "bad.conf:7: team is a name of at most 100 characters" },
	{ "[queue q]\nteam = " "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "01234567890123456789012345678901\n", "bad.conf:7: team is a name of at most 100" },
	{ "[tickets]\nrepeat_tickets = 1\n", "bad.conf:7: repeat_tickets is 0 (off) or a count of 2" },
	{ "[tickets]\nrepeat_days = -3\n", "bad.conf:7: repeat_days must be a whole number from 0" },
	{ "[ack]\nskip_when = dmarc-fail, spf-softfail\n",
	  "bad.conf:7: skip_when: 'spf-softfail' is none of dmarc-fail, spf-fail, dkim-fail" },
	{ "[ack]\nskip_when = ,\n", "bad.conf:7: skip_when must name" },
	{ "[ack]\ntrusted_authserv_id = mx.example.com; spf\n",
	  "bad.conf:7: trusted_authserv_id is one name" },
	{ "[mailbox m]\nhost = x\nusername = u\nauth = xoauth2\n",
	  "bad.conf:9: auth = xoauth2 needs token_command or token_file" },
	{ "[mailbox m]\nhost = x\nusername = u\nauth = xoauth2\npassword_file = tok.pass\n"
	  "token_command = helper\n",
	  "bad.conf:10: password_file does not go with auth = xoauth2" },
};

static void
test_bad(void)
{
	g_autofree char *pass = write_file("tok.pass", "secret\n");

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

/* {team} is a placeholder; a word like it is not. */
static void
test_team_template(void)
{
	g_autofree char *good = write_file("team.txt", "Subject: [{ticket}] {team}\n\n{team} answers.\n");
	g_autofree char *bad = write_file("teem.txt", "Subject: [{ticket}]\n\n{teem} answers.\n");
	g_autofree char *text = g_strconcat(base, "[template t]\nfile = team.txt\n", NULL);
	g_autofree char *path = write_file("team.conf", text);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);

	g_assert_no_error(err);
	g_assert_true(g_str_has_prefix(gw_config_template(c, "t")->body, "{team} answers.\n"));
	g_clear_pointer(&c, gw_config_free);
	g_free(text);
	text = g_strconcat(base, "[template t]\nfile = teem.txt\n", NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	c = gw_config_load(path, &err);
	g_assert_null(c);
	g_assert_nonnull(strstr(err->message, "teem.txt:3: unknown placeholder"));
	g_assert_nonnull(strstr(err->message, "{team}"));
}

/* An HTML alternative: read whole; CSS braces are no placeholders, an
 * unknown {word} is refused with the HTML file's line. */
static void
test_html_template(void)
{
	g_autofree char *txt = write_file("t.txt", "Subject: [{ticket}]\n\nHello {name}\n");
	g_autofree char *good = write_file("t.html",
		"<style>p { color: red }</style>\n<p>Hello {name}, {ticket}</p>\n");
	g_autofree char *bad = write_file("bad.html", "<p>Hello</p>\n<p>{nmae}</p>\n");
	g_autofree char *text = g_strconcat(base, "[template t]\nfile = t.txt\n"
					    "html_file = t.html\n", NULL);
	g_autofree char *path = write_file("html.conf", text);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);
	const GwTemplateConfig *t;

	g_assert_no_error(err);
	t = gw_config_template(c, "t");
	g_assert_cmpstr(t->html, ==, "<style>p { color: red }</style>\n<p>Hello {name}, {ticket}</p>\n");
	g_clear_pointer(&c, gw_config_free);
	g_free(text);
	text = g_strconcat(base, "[template t]\nfile = t.txt\nhtml_file = bad.html\n", NULL);
	g_free(path);
	path = write_file("html.conf", text);
	c = gw_config_load(path, &err);
	g_assert_null(c);
	g_assert_nonnull(strstr(err->message, "html.conf:8: [template t]: "));
	g_assert_nonnull(strstr(err->message, "bad.html:2: unknown placeholder {nmae}"));
}

static void
test_xoauth2(void)
{
	g_autofree char *text = g_strconcat(base,
		"username = care@example.com\nauth = xoauth2\n"
		"token_command = bin/oauth2.py --token 'care@example.com'\n"
		"[mailbox support]\nhost = imap.example.com\n"
		"username = support@example.com\nauth = xoauth2\n"
		"token_file = tokens/support\n"
		"[mailbox sales]\nhost = imap.example.com\nusername = sales@example.com\n"
		"auth = xoauth2\ntoken_command = oauth2.py \"--token\" sales@example.com\n",
		NULL);
	g_autofree char *path = write_file("xoauth2.conf", text);
	g_autofree char *helper = g_build_filename(dir, "bin", "oauth2.py", NULL);
	g_autofree char *tokens = g_build_filename(dir, "tokens", "support", NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) c = gw_config_load(path, &err);
	const GwMailboxConfig *s, *b;

	g_assert_no_error(err);
	g_assert_cmpint(c->smtp.auth, ==, GW_AUTH_XOAUTH2);
	g_assert_null(c->smtp.password);
	g_assert_null(c->smtp.token_file);
	g_assert_cmpstr(c->smtp.token_command[0], ==, helper);	/* from the file's dir */
	g_assert_cmpstr(c->smtp.token_command[1], ==, "--token");
	g_assert_cmpstr(c->smtp.token_command[2], ==, "care@example.com");
	g_assert_null(c->smtp.token_command[3]);
	s = gw_config_mailbox(c, "support");
	g_assert_cmpint(s->server.auth, ==, GW_AUTH_XOAUTH2);
	g_assert_cmpstr(s->server.token_file, ==, tokens);
	g_assert_null(s->server.token_command);
	g_assert_null(s->server.password);
	b = gw_config_mailbox(c, "sales");
	g_assert_cmpstr(b->server.token_command[0], ==, "oauth2.py");	/* from PATH */
	g_assert_cmpstr(b->server.token_command[1], ==, "--token");
}

/* The token, or NULL with the error's message in *message_out. */
static char *
load_token(GwServerConfig *server, char **message_out)
{
	g_autoptr(GError) err = NULL;
	char *token = gw_config_load_token(server, &err);

	g_assert_true((token == NULL) == (err != NULL));
	if (err != NULL) {
		g_assert_error(err, GW_CONFIG_ERROR, GW_CONFIG_ERROR_TOKEN);
		*message_out = g_strdup(err->message);
	}
	return token;
}

static void
test_token_file(void)
{
	static const struct {
		const char *content;
		const char *token;	/* NULL: refused */
	} cases[] = {
		{ "ya29.a0AfB_byC-x1\n", "ya29.a0AfB_byC-x1" },
		{ "eyJ0eXAi.eyJhdWQi.c2ln\r\nexpires 3599\n", "eyJ0eXAi.eyJhdWQi.c2ln" },
		{ "no-newline", "no-newline" },
		{ "\nsecond-line\n", NULL },
		{ "", NULL },
		{ "two words\n", NULL },
		{ "caf\xc3\xa9\n", NULL },
	};
	GwServerConfig server = { .auth = GW_AUTH_XOAUTH2, .timeout = 5 };

	server.token_file = g_build_filename(dir, "token", NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *token = NULL, *message = NULL;

		g_test_message("case %" G_GSIZE_FORMAT, i);
		g_assert_true(g_file_set_contents(server.token_file, cases[i].content, -1, NULL));
		token = load_token(&server, &message);
		g_assert_cmpstr(token, ==, cases[i].token);
		if (token == NULL) {
			g_assert_nonnull(strstr(message, server.token_file));
			g_assert_null(strstr(message, "words"));	/* never the text */
		}
	}
	g_remove(server.token_file);
	{
		g_autofree char *token = NULL, *message = NULL;

		token = load_token(&server, &message);	/* no such file */
		g_assert_null(token);
		g_assert_true(g_str_has_prefix(message, "token_file "));
	}
	g_free(server.token_file);
}

static const struct {
	const char *script;	/* for sh -c */
	const char *token;	/* NULL: refused with message */
	const char *message;
} command_cases[] = {
	{ "echo tok-1; echo expires 3599", "tok-1", NULL },
	{ "printf 'tok-2\\r\\n'", "tok-2", NULL },
	{ "echo 'Traceback:' >&2; echo 'error: invalid_grant' >&2; exit 7", NULL,
	  "token_command /bin/sh exited with status 7: error: invalid_grant" },
	{ "exit 2", NULL, "token_command /bin/sh exited with status 2" },
	{ "kill -TERM $$", NULL, "token_command /bin/sh was killed by signal 15" },
	{ "echo", NULL, "token_command /bin/sh printed no access token" },
	{ "echo 'bad token'", NULL, "token_command /bin/sh printed no access token" },
	{ "read x; echo \"got-$x\"", "got-", NULL },	/* stdin is /dev/null */
	{ "exec sleep 10", NULL, "token_command /bin/sh gave no token within 1 s and was killed" },
};

static void
test_token_command(void)
{
	GwServerConfig server = { .auth = GW_AUTH_XOAUTH2, .timeout = 1 };

	for (gsize i = 0; i < G_N_ELEMENTS(command_cases); i++) {
		char *argv[] = { "/bin/sh", "-c", (char *)command_cases[i].script, NULL };
		g_autofree char *token = NULL, *message = NULL;
		gint64 t0 = g_get_monotonic_time();

		g_test_message("case %" G_GSIZE_FORMAT ": %s", i, command_cases[i].script);
		server.token_command = argv;
		token = load_token(&server, &message);
		g_assert_cmpint(g_get_monotonic_time() - t0, <, 3 * G_USEC_PER_SEC);
		g_assert_cmpstr(token, ==, command_cases[i].token);
		if (token == NULL) {
			if (!g_str_has_prefix(message, command_cases[i].message))
				g_error("wanted '%s' in '%s'", command_cases[i].message, message);
			g_assert_null(strstr(message, "bad token"));
		}
	}
	{
		char *argv[] = { "/nonexistent/oauth2.py", "--token", NULL };
		g_autofree char *token = NULL, *message = NULL;

		server.token_command = argv;
		token = load_token(&server, &message);
		g_assert_null(token);
		g_assert_true(g_str_has_prefix(message, "token_command /nonexistent/oauth2.py: "));
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
	g_test_add_func("/config/from-name", test_from_name);
	g_test_add_func("/config/skip-when", test_skip_when);
	g_test_add_func("/config/queue-sla", test_queue_sla);
	g_test_add_func("/config/mailbox", test_mailbox);
	g_test_add_func("/config/metrics", test_metrics);
	g_test_add_func("/config/bad", test_bad);
	g_test_add_func("/config/missing", test_missing);
	g_test_add_func("/config/xoauth2", test_xoauth2);
	g_test_add_func("/config/html-template", test_html_template);
	g_test_add_func("/config/satisfaction", test_satisfaction);
	g_test_add_func("/config/team-template", test_team_template);
	g_test_add_func("/config/token-file", test_token_file);
	g_test_add_func("/config/token-command", test_token_command);
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
