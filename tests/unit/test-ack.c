/* test-ack.c - the loop guard (RFC 3834), rendering and composing.
 *
 * Run from the repository root: tests/unit/test-ack --tap */
#include <string.h>

#include "gw-ack.h"
#include "gw-quote.h"

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

static const struct {
	const char *headers;	/* before "Subject: x" */
	const char *reason;	/* NULL: may be answered */
} guard_cases[] = {
	{ "From: ann@example.org\n", NULL },
	{ "From: ann@example.org\nAuto-Submitted: no\n", NULL },
	{ "From: ann@example.org\nAuto-Submitted: No (a person)\n", NULL },
	{ "From: ann@example.org\nAuto-Submitted: auto-replied\n", "auto-submitted" },
	{ "From: ann@example.org\nAuto-Submitted: auto-generated\n", "auto-submitted" },
	{ "From: ann@example.org\nAuto-Submitted: notified\n", "auto-submitted" },
	{ "From: ann@example.org\nPrecedence: bulk\n", "precedence" },
	{ "From: ann@example.org\nPrecedence: junk\n", "precedence" },
	{ "From: ann@example.org\nPrecedence: list\n", "precedence" },
	{ "From: ann@example.org\nPrecedence: auto_reply\n", "precedence" },
	{ "From: ann@example.org\nList-Id: <x.example.org>\n", "list" },
	{ "From: ann@example.org\nList-Unsubscribe: <mailto:u@x>\n", "list" },
	{ "From: ann@example.org\nX-Autoreply: yes\n", "auto-reply" },
	{ "From: ann@example.org\nX-Auto-Response-Suppress: DR, OOF\n", "auto-response-suppress" },
	{ "From: ann@example.org\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n",
	  "report" },
	{ "From: ann@example.org\nReturn-Path: <>\n", "null-sender" },
	{ "From: MAILER-DAEMON@mx.example.org\n", "machine-sender" },
	{ "From: postmaster@example.org\n", "machine-sender" },
	{ "From: noreply@shop.example\n", "machine-sender" },
	{ "From: no-reply+abc@shop.example\n", "machine-sender" },
	{ "From: Care <CARE@example.com>\n", "own-address" },
	{ "From: ann@example.org\nX-Loop: care@example.com\n", "x-loop" },
	{ "From: ann@example.org\nSubject: Out of Office: back Monday\n", "auto-reply-subject" },
	{ "From: ann@example.org\nSubject: Undeliverable: your mail\n", "report-subject" },
	{ "From: ann@example.org\nX-Failed-Recipients: bob@example.net\n", "failed-recipients" },
	{ "From: noreplyguy@example.org\n", NULL },	/* a person's name */
};

static void
test_guard(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(guard_cases); i++) {
		g_autofree char *text = g_strconcat(guard_cases[i].headers,
						    strstr(guard_cases[i].headers, "Subject:")
							    ? "" : "Subject: x\n",
						    "\n--b--\nbody\n", NULL);
		g_autoptr(GwMail) mail = parse(text);

		g_test_message("case %" G_GSIZE_FORMAT ": %s", i, guard_cases[i].headers);
		g_assert_cmpstr(gw_ack_reason_name(gw_ack_guard(mail, "care@example.com")),
				==, guard_cases[i].reason);
	}
}

/* Only structure makes a bounce: words and senders do not. */
#define AR "Authentication-Results: "
static const struct {
	const char *headers;
	gboolean found;		/* a field of mx.example.com */
	guint failures;
} auth_cases[] = {
	{ AR "mx.example.com; dmarc=fail (p=reject) header.from=example.org\n", TRUE,
	  GW_AUTH_DMARC_FAIL },
	{ AR "mx.example.com; spf=pass smtp.mailfrom=example.org;\n dkim=pass header.d=example.org;"
	     " dmarc=pass\n", TRUE, 0 },
	/* the topmost of the trusted server counts, not one further down */
	{ AR "mx.example.com; dmarc=fail\n" AR "mx.example.com; dmarc=pass\n", TRUE,
	  GW_AUTH_DMARC_FAIL },
	{ AR "mx.example.com; dmarc=pass\n" AR "mx.example.com; dmarc=fail\n", TRUE, 0 },
	{ AR "other.example; dmarc=pass\n" AR "mx.example.com; spf=fail\n", TRUE,
	  GW_AUTH_SPF_FAIL },
	/* other servers, or a name that only starts like it */
	{ AR "evil.example; dmarc=fail\n", FALSE, 0 },
	{ AR "mx.example.com.evil.example; dmarc=fail\n", FALSE, 0 },
	{ "X-" AR "mx.example.com; dmarc=fail\n", FALSE, 0 },
	/* any case, a version after the name */
	{ AR "MX.Example.COM 1; SPF=Fail smtp.mailfrom=x\n", TRUE, GW_AUTH_SPF_FAIL },
	{ AR "mx.example.com; spf=softfail; dmarc=none\n", TRUE, 0 },
	{ AR "mx.example.com; dkim=fail header.d=a.example; dkim=pass header.d=b.example\n",
	  TRUE, 0 },
	{ AR "mx.example.com; dkim=fail header.d=a.example\n", TRUE, GW_AUTH_DKIM_FAIL },
	{ AR "mx.example.com; dkim = fail; dmarc = fail\n", TRUE,
	  GW_AUTH_DKIM_FAIL | GW_AUTH_DMARC_FAIL },
	/* comments and quoted strings hide what they hold */
	{ AR "mx.example.com (a comment; dmarc=fail (nested)); dmarc=pass\n", TRUE, 0 },
	{ AR "mx.example.com; dmarc=pass (earlier: dmarc=fail; spf=fail)\n", TRUE, 0 },
	{ AR "mx.example.com; dkim=pass header.b=\"ab;dmarc=fail\"; spf=fail\n", TRUE,
	  GW_AUTH_SPF_FAIL },
	{ AR "mx.example.com; none\n", TRUE, 0 },
	{ "", FALSE, 0 },
};

static void
test_auth_results(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(auth_cases); i++) {
		g_autofree char *text = g_strconcat("From: ann@example.org\n",
						    auth_cases[i].headers,
						    "Subject: x\n\nbody\n", NULL);
		g_autoptr(GwMail) mail = parse(text);
		gboolean found;
		guint failures = gw_ack_auth_failures(mail, "mx.example.com", &found);

		g_test_message("case %" G_GSIZE_FORMAT ": %s", i, auth_cases[i].headers);
		g_assert_cmpint(found, ==, auth_cases[i].found);
		g_assert_cmpuint(failures, ==, auth_cases[i].failures);
		/* No trusted server: nothing counts. */
		g_assert_cmpuint(gw_ack_auth_failures(mail, NULL, &found), ==, 0);
		g_assert_false(found);
	}
}

static void
test_bounce(void)
{
	static const struct {
		const char *text;
		GwBounce want;
	} cases[] = {
		{ "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
		  "Subject: Undelivered Mail Returned to Sender\n"
		  "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
		  "--B\nContent-Type: text/plain\n\nfailed\n"
		  "--B\nContent-Type: message/delivery-status\n\nAction: failed\n"
		  "--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: <ack-1@example.com>\nSubject: x\n"
		  "--B--\n", GW_BOUNCE_REPORT },
		/* a read receipt and an abuse report are reports too */
		{ "From: a@example.org\nSubject: Read: x\n"
		  "Content-Type: multipart/report; report-type=disposition-notification; boundary=B\n\n"
		  "--B\nContent-Type: text/plain\n\nread\n"
		  "--B\nContent-Type: message/disposition-notification\n\nDisposition: manual-action/MDN-sent-manually; displayed\n"
		  "--B--\n", GW_BOUNCE_REPORT },
		/* an old-style bounce: the null sender, the message quoted */
		{ "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\n"
		  "Sorry.\n--- Below this line is a copy of the message.\n\n"
		  "Message-ID: <ack-2@example.com>\nSubject: x\n", GW_BOUNCE_CANDIDATE },
		/* the same words from people are not bounces */
		{ "From: ann@example.org\nSubject: Delivery failure: my parcel never arrived!\n\nhi\n",
		  GW_BOUNCE_NONE },
		{ "From: postmaster@small-shop.example\nSubject: Returned mail: see below\n\nhi\n",
		  GW_BOUNCE_NONE },
		{ "From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\n\nno copy\n",
		  GW_BOUNCE_NONE },
		{ "From: ann@example.org\nSubject: Fwd: Returned mail: see below\n\n"
		  "Message-ID: <ack-3@example.com>\n", GW_BOUNCE_NONE },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GwMail) mail = parse(cases[i].text);

		g_test_message("case %" G_GSIZE_FORMAT, i);
		g_assert_cmpint(gw_ack_bounce_kind(mail), ==, cases[i].want);
	}
	{
		g_autoptr(GwMail) dsn = parse(cases[0].text);
		g_autoptr(GwMail) old = parse(cases[2].text);

		g_assert_cmpstr(gw_mail_original_ids(dsn)[0], ==, "ack-1@example.com");
		g_assert_null(gw_mail_original_ids(dsn)[1]);
		g_assert_cmpstr(gw_mail_original_ids(old)[0], ==, "ack-2@example.com");
	}
}

static void
test_render(void)
{
	GwAckValues v = { "CMP-7", "Broken\r\nBcc: evil@example.org", "Ann",
			  "billing", "Monday", NULL };
	g_autofree char *subject = NULL, *body = NULL;

	gw_ack_render(NULL, NULL, &v, &subject, &body);
	g_assert_true(g_str_has_prefix(subject, "[CMP-7] "));
	g_assert_null(strchr(subject, '\n'));
	g_assert_null(strchr(subject, '\r'));
	g_assert_nonnull(strstr(body, "Hello Ann,"));
	g_assert_nonnull(strstr(body, "ticket CMP-7"));
	g_assert_nonnull(strstr(body, "by Monday."));
	g_clear_pointer(&subject, g_free);
	g_clear_pointer(&body, g_free);
	gw_ack_render("Case {ticket} in {queue}", "Dear {name}: {subject}\n", &v,
		      &subject, &body);
	g_assert_cmpstr(subject, ==, "Case CMP-7 in billing");
	g_assert_cmpstr(body, ==, "Dear Ann: Broken  Bcc: evil@example.org\n");
	g_clear_pointer(&subject, g_free);
	g_clear_pointer(&body, g_free);
	v.team = "Refunds\nteam";
	gw_ack_render("{ticket} for {team}", "{team} answers by {due}.\n", &v,
		      &subject, &body);
	g_assert_cmpstr(subject, ==, "CMP-7 for Refunds team");
	g_assert_cmpstr(body, ==, "Refunds team answers by Monday.\n");
}

/* Nothing a customer wrote becomes markup in the HTML alternative. */
static void
test_render_html(void)
{
	GwAckValues v = { "CMP-7", "<script>alert(1)</script> & \"more\"",
			  "Ann <b>O'Neil</b>", "billing", "Monday", NULL };
	g_autofree char *html = gw_ack_render_html(
		"<p style=\"x\">Dear {name},</p><p>{subject} is {ticket} ({queue}, {due})</p>",
		&v);

	g_assert_cmpstr(html, ==,
			"<p style=\"x\">Dear Ann &lt;b&gt;O&apos;Neil&lt;/b&gt;,</p>"
			"<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot; "
			"is CMP-7 (billing, Monday)</p>");
}

static void
test_compose(void)
{
	const char *const refs[] = { "a@x", "bad id@x", NULL };
	GwLetter letter = {
		"Care <care@example.com>", "ann@example.org",
		"[CMP-7] Réclamation\r\nBcc: evil@example.org", "Hello\n",
		"plaint.1@example.com", "orig@example.org", refs, "auto-replied",
		"care@example.com", NULL, NULL, NULL, 0, NULL,
	};
	g_autoptr(GBytes) bytes = gw_ack_compose(&letter);
	g_autoptr(GwMail) back = parse(g_bytes_get_data(bytes, NULL));
	const char *const *r = gw_mail_references(back);

	/* The CR LF stays inside the subject: no Bcc header appears. */
	g_assert_true(g_str_has_prefix(gw_mail_subject(back), "[CMP-7] Réclamation"));
	g_assert_nonnull(strstr(gw_mail_subject(back), "evil@example.org"));
	g_assert_null(gw_mail_header(back, "Bcc"));
	g_assert_cmpstr(gw_mail_message_id(back), ==, "plaint.1@example.com");
	g_assert_cmpstr(gw_mail_in_reply_to(back), ==, "orig@example.org");
	g_assert_cmpstr(r[0], ==, "a@x");		/* the id with a space is left out */
	g_assert_cmpstr(r[1], ==, "orig@example.org");
	g_assert_null(r[2]);
	g_assert_cmpstr(gw_mail_header(back, "Auto-Submitted"), ==, "auto-replied");
	g_assert_cmpstr(gw_mail_header(back, "X-Loop"), ==, "care@example.com");
	g_assert_cmpstr(gw_mail_text(back), ==, "Hello\n");
	/* An agent's reply is not marked as automatic. */
	letter.auto_submitted = NULL;
	{
		g_autoptr(GBytes) b2 = gw_ack_compose(&letter);
		g_autoptr(GwMail) m2 = parse(g_bytes_get_data(b2, NULL));

		g_assert_null(gw_mail_header(m2, "Auto-Submitted"));
	}
}

/* The From of a mail that speaks for someone: "NAME via <plaint's From
 * name>", plaint's address, one line, encoded when it is not ASCII. */
static void
test_compose_named(void)
{
	static const struct {
		const char *from, *from_name;
		const char *name, *addr;	/* as a mail reader reads them */
	} cases[] = {
		{ "Care <care@example.com>", "Maria L\xc3\xb3pez",
		  "Maria L\xc3\xb3pez via Care", "care@example.com" },
		{ "\"Care, Inc.\" <care@example.com>", "Refunds team",
		  "Refunds team via Care, Inc.", "care@example.com" },
		{ "care@example.com", "Refunds team", "Refunds team", "care@example.com" },
		{ "Care <care@example.com>", "Eve\r\nBcc: evil@example.org",
		  "Eve  Bcc: evil@example.org via Care", "care@example.com" },
		{ "Care <care@example.com>", "Mallory <m@evil.example>, x@y",
		  "Mallory <m@evil.example>, x@y via Care", "care@example.com" },
		{ "Care <care@example.com>", NULL, "Care", "care@example.com" },
		{ "Care <care@example.com>", "", "Care", "care@example.com" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		GwLetter letter = {
			cases[i].from, "ann@example.org", "[CMP-7] Re: kettle", "Done.\n",
			"plaint.3@example.com", NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
			cases[i].from_name,
		};
		g_autoptr(GBytes) bytes = gw_ack_compose(&letter);
		const char *raw = g_bytes_get_data(bytes, NULL);
		g_autoptr(GwMail) back = parse(raw);
		const char *from_line = strstr(raw, "From: ");
		gsize from_len = strcspn(from_line, "\n");

		g_test_message("case %" G_GSIZE_FORMAT, i);
		g_assert_cmpstr(gw_mail_from_name(back), ==, cases[i].name);
		g_assert_cmpstr(gw_mail_from_addr(back), ==, cases[i].addr);
		g_assert_cmpuint(gw_mail_addresses(back, "from")->len, ==, 1);
		g_assert_null(gw_mail_header(back, "Bcc"));
		/* The header itself is ASCII: RFC 2047 words for the rest. */
		for (gsize k = 0; k < from_len; k++)
			g_assert_cmpuint((guchar)from_line[k], <, 0x80);
	}
}

/* A reply with Cc, an HTML alternative and two files: what a mail
 * reader gets back is what went in, byte for byte. */
static void
test_compose_parts(void)
{
	const char *const cc[] = { "lawyer@example.net", "Partner <p@example.org>", NULL };
	guint8 bin[300];
	g_autoptr(GBytes) label = NULL;
	g_autoptr(GBytes) note = g_bytes_new_static("plain words\n", 12);
	GwLetterFile files[] = {
		{ "../etc/R\xc3\xbc" "cksendeschein.pdf", "Application/PDF; name=x", NULL },
		{ NULL, "no type at all", note },
	};
	GwLetter letter = {
		"Care <care@example.com>", "ann@example.org", "[CMP-7] Re: kettle",
		"The label is attached.\n", "plaint.2@example.com", NULL, NULL, NULL,
		"care@example.com", cc, "<p>The label is <b>attached</b>.</p>\n",
		files, G_N_ELEMENTS(files), NULL,
	};
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GwMail) back = NULL;
	GPtrArray *parts;
	guint found = 0;

	for (gsize i = 0; i < sizeof bin; i++)
		bin[i] = (guint8)(i * 7);
	label = g_bytes_new(bin, sizeof bin);
	files[0].content = label;
	bytes = gw_ack_compose(&letter);
	back = parse(g_bytes_get_data(bytes, NULL));
	g_assert_cmpstr(gw_mail_cc(back), ==, "lawyer@example.net, p@example.org");
	g_assert_cmpstr(gw_mail_content_type(back), ==, "multipart/mixed");
	g_assert_cmpstr(gw_mail_text(back), ==, "The label is attached.\n");
	parts = gw_mail_parts(back);
	for (guint i = 0; i < parts->len; i++) {
		GwMailPart *part = parts->pdata[i];
		g_autoptr(GBytes) content = NULL;

		if (g_strcmp0(part->content_type, "text/html") == 0) {
			content = gw_mail_part_content(back, part);
			g_assert_nonnull(strstr(g_bytes_get_data(content, NULL), "<b>attached</b>"));
			found |= 1;
		}
		if (!part->attachment)
			continue;
		content = gw_mail_part_content(back, part);
		if (g_strcmp0(part->filename, "R\xc3\xbc" "cksendeschein.pdf") == 0) {
			g_assert_cmpstr(part->content_type, ==, "application/pdf");
			g_assert_true(g_bytes_equal(content, label));
			found |= 2;
		} else {
			g_assert_cmpstr(part->filename, ==, "attachment");
			g_assert_cmpstr(part->content_type, ==, "application/octet-stream");
			g_assert_true(g_bytes_equal(content, note));
			found |= 4;
		}
	}
	g_assert_cmpuint(found, ==, 7);
}

static void
test_message_ids(void)
{
	g_autofree char *a = gw_ack_new_message_id("example.com");
	g_autofree char *b = gw_ack_new_message_id("example.com");

	g_assert_cmpstr(a, !=, b);
	g_assert_true(g_str_has_suffix(a, "@example.com"));
	g_assert_null(strpbrk(a, " <>"));
}

/* Mail that differs only in numbers, punctuation, spacing, case or what
 * it quotes has one shape; other words make another. */
static void
test_shape(void)
{
	g_autofree char *a = gw_ack_shape(
		"Thank you for your message.  Reference RB-000001\n\n"
		"> Your complaint CMP-1000 was received.\n");
	g_autofree char *b = gw_ack_shape(
		"THANK you, for your message! Reference RB-000777\n\n"
		"> Your complaint CMP-4242 was received, a different quote.\n"
		"> and longer.\n");
	g_autofree char *c = gw_ack_shape(
		"Thank you for your letter. Reference RB-000001\n");
	g_autofree char *none = gw_ack_shape("12 34 -- 56\n");

	g_assert_nonnull(a);
	g_assert_cmpuint(strlen(a), ==, 32);
	g_assert_cmpstr(a, ==, b);
	g_assert_cmpstr(a, !=, c);
	g_assert_null(none);
	g_assert_null(gw_ack_shape(NULL));
	/* From the new text a caller kept: the same shape. */
	{
		g_autofree char *own = gw_quote_new_text(
			"THANK you, for your message! Reference RB-000777\n\n"
			"> Your complaint CMP-4242 was received, a different quote.\n");
		g_autofree char *d = gw_ack_shape_of_new_text(own);

		g_assert_cmpstr(d, ==, a);
		g_assert_null(gw_ack_shape_of_new_text(NULL));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gw_mail_init();
	g_test_add_func("/ack/guard", test_guard);
	g_test_add_func("/ack/bounce", test_bounce);
	g_test_add_func("/ack/auth-results", test_auth_results);
	g_test_add_func("/ack/render", test_render);
	g_test_add_func("/ack/render-html", test_render_html);
	g_test_add_func("/ack/compose", test_compose);
	g_test_add_func("/ack/compose-parts", test_compose_parts);
	g_test_add_func("/ack/compose-named", test_compose_named);
	g_test_add_func("/ack/message-ids", test_message_ids);
	g_test_add_func("/ack/shape", test_shape);
	return g_test_run();
}
