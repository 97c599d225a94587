/* test-mail.c - raw bytes -> GwMail: decoding, charsets, bodies,
 * attachments, limits, and input that is not mail.
 *
 * Run from the repository root: tests/unit/test-mail --tap */
#include <string.h>

#include "gw-mail.h"

static GwMail *
parse_with(const char *text, gssize len, const GwMailLimits *limits)
{
	g_autoptr(GBytes) raw = g_bytes_new(text, len < 0 ? strlen(text) : (gsize)len);
	g_autoptr(GError) err = NULL;
	GwMail *mail = gw_mail_parse(raw, limits, &err);

	g_assert_no_error(err);
	return mail;
}

static GwMail *
parse(const char *text)
{
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;

	return parse_with(text, -1, &limits);
}

static void
test_headers(void)
{
	g_autoptr(GwMail) m = parse(
		"From: =?iso-8859-1?q?J=FCrgen_M=F6ller?= <Juergen@Example.NET>\n"
		"To: Care <care@example.com>, b@example.org\n"
		"Cc: =?utf-8?b?WsO2ZQ==?= <zoe@example.org>\n"
		"Subject: =?utf-8?q?R=C3=A9clamation?= =?utf-8?b?IMOgIHRvdXM=?=\n"
		"Date: Sun, 22 Nov 2026 10:00:00 +0100\n"
		"Message-ID: <abc@example.net>\n"
		"In-Reply-To: <parent@example.com>\n"
		"References: <root@x>\n <parent@example.com>\n"
		"X-Custom: hello\n\nbody\n");
	GPtrArray *cc = gw_mail_addresses(m, "cc");

	g_assert_cmpstr(gw_mail_from_addr(m), ==, "juergen@example.net");
	g_assert_cmpstr(gw_mail_from_name(m), ==, "Jürgen Möller");
	g_assert_cmpstr(gw_mail_from_domain(m), ==, "example.net");
	g_assert_cmpstr(gw_mail_subject(m), ==, "Réclamation à tous");
	g_assert_cmpstr(gw_mail_to(m), ==, "care@example.com, b@example.org");
	g_assert_cmpstr(((GwMailAddress *)cc->pdata[0])->name, ==, "Zöe");
	g_assert_cmpstr(gw_mail_date(m), ==, "2026-11-22T10:00:00+01");
	g_assert_cmpstr(gw_mail_message_id(m), ==, "abc@example.net");
	g_assert_cmpstr(gw_mail_in_reply_to(m), ==, "parent@example.com");
	g_assert_cmpstr(gw_mail_references(m)[0], ==, "root@x");
	g_assert_cmpstr(gw_mail_references(m)[1], ==, "parent@example.com");
	g_assert_null(gw_mail_references(m)[2]);
	g_assert_cmpstr(gw_mail_header(m, "x-custom"), ==, "hello");
	g_assert_null(gw_mail_header(m, "X-Absent"));
}

static void
test_bodies(void)
{
	g_autoptr(GwMail) alt = parse(
		"From: a@example.org\nSubject: x\nMIME-Version: 1.0\n"
		"Content-Type: multipart/alternative; boundary=b\n\n"
		"--b\nContent-Type: text/html\n\n<p>html</p>\n"
		"--b\nContent-Type: text/plain; charset=iso-8859-1\n"
		"Content-Transfer-Encoding: quoted-printable\n\nd=E9j=E0 vu\r\n"
		"--b--\n");
	g_autoptr(GwMail) b64 = parse(
		"From: a@example.org\nSubject: x\nMIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
		"SGVsbG8sIHfDtnJsZAo=\n");
	g_autoptr(GwMail) latin = parse_with(
		"From: a@example.org\nSubject: x\n\ncaf\xe9 cr\xe8me\n", -1, &(GwMailLimits)GW_MAIL_LIMITS_DEFAULT);
	g_autoptr(GwMail) nul = parse_with("From: a@example.org\nSubject: x\n\nA\0B\n", 37, &(GwMailLimits)GW_MAIL_LIMITS_DEFAULT);

	/* the line break before a boundary belongs to the boundary */
	g_assert_cmpstr(gw_mail_text(alt), ==, "déjà vu");
	g_assert_cmpstr(gw_mail_text(b64), ==, "Hello, wörld\n");
	g_assert_cmpstr(gw_mail_text(latin), ==, "café crème\n");
	g_assert_true(g_utf8_validate(gw_mail_text(nul), -1, NULL));
}

static void
test_attachments(void)
{
	g_autoptr(GwMail) m = parse(
		"From: a@example.org\nSubject: x\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\nContent-Type: text/plain\n\nthe text\n"
		"--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=notes.txt\n\nnot the text\n"
		"--b\nContent-Type: application/pdf; name=\"=?utf-8?q?Rechnung_M=C3=A4rz.pdf?=\"\n"
		"Content-Transfer-Encoding: base64\n\nJVBERg==\n"
		"--b--\n");
	GPtrArray *parts = gw_mail_parts(m);
	GwMailPart *pdf = parts->pdata[3];
	g_autoptr(GBytes) content = gw_mail_part_content(m, pdf);

	g_assert_cmpstr(gw_mail_text(m), ==, "the text");
	g_assert_cmpuint(parts->len, ==, 4);
	g_assert_cmpstr(((GwMailPart *)parts->pdata[0])->path, ==, "1");
	g_assert_true(((GwMailPart *)parts->pdata[1])->body);
	g_assert_true(((GwMailPart *)parts->pdata[2])->attachment);
	g_assert_cmpstr(pdf->path, ==, "1.3");
	g_assert_cmpstr(pdf->filename, ==, "Rechnung März.pdf");
	g_assert_cmpstr(gw_mail_attachment_names(m), ==, "notes.txt\nRechnung März.pdf");
	g_assert_cmpstr(gw_mail_attachment_types(m), ==, "text/plain\napplication/pdf");
	/* sha256 of the 4 bytes "%PDF", from coreutils' sha256sum */
	g_assert_cmpstr(gw_mail_part_digest(m, pdf), ==,
			"315d429b7714cedb6ad04ac31240145257692630457f3c88253c5beceac76027");
	g_assert_cmpuint(pdf->size, ==, 4);
	g_assert_cmpmem(g_bytes_get_data(content, NULL), 4, "%PDF", 4);
}

static void
test_limits(void)
{
	GwMailLimits small = GW_MAIL_LIMITS_DEFAULT;
	g_autoptr(GString) big = g_string_new("From: a@example.org\nSubject: big\n\n");
	g_autoptr(GwMail) m = NULL;
	g_autoptr(GwMail) t = NULL;

	for (int i = 0; i < 500; i++)
		g_string_append(big, "0123456789 ");
	small.max_message_bytes = 1024;
	m = parse_with(big->str, big->len, &small);
	g_assert_cmpstr(gw_mail_subject(m), ==, "big");
	g_assert_cmpstr(gw_mail_text(m), ==, "");
	g_assert_nonnull(strstr(gw_mail_limits_hit(m)[0], "only its headers were read"));

	small = (GwMailLimits)GW_MAIL_LIMITS_DEFAULT;
	small.max_text_bytes = 10;
	t = parse_with("From: a@example.org\nSubject: x\n\n\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n",
		       -1, &small);
	g_assert_true(gw_mail_truncated(t));
	g_assert_cmpstr(gw_mail_text(t), ==, "ééééé");	/* 10 bytes, whole characters */
}

/* Only input without any text is refused. */
static void
test_not_mail(void)
{
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	static const struct {
		const char *data;
		gsize len;
		const char *why;
	} inputs[] = {
		{ "", 0, "no text at all" },
		{ "  \r\n\n\t\n", 7, "no text at all" },
		{ "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", 20, "binary data" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_autoptr(GBytes) raw = g_bytes_new(inputs[i].data, inputs[i].len);
		g_autoptr(GError) err = NULL;
		g_autoptr(GwMail) m = gw_mail_parse(raw, &limits, &err);

		g_test_message("case %" G_GSIZE_FORMAT, i);
		g_assert_null(m);
		g_assert_error(err, GW_MAIL_ERROR, GW_MAIL_ERROR_NOT_MAIL);
		g_assert_nonnull(strstr(err->message, inputs[i].why));
	}
}

static gboolean
has_defect(const GwMail *m, const char *text)
{
	for (const char *const *d = gw_mail_defects(m); *d != NULL; d++)
		if (strstr(*d, text) != NULL)
			return TRUE;
	return FALSE;
}

/* What a message cannot start with is skipped, and said. */
static void
test_recover(void)
{
	static const struct {
		const char *text;
		const char *subject;	/* as read */
		const char *from;
		const char *defect;	/* a defect saying what was done */
	} cases[] = {
		{ "\n\n  \nFrom: a@example.org\nSubject: blank lines\n\nbody\n",
		  "blank lines", "a@example.org", "3 blank lines before the header block" },
		{ "From a@example.org Mon Jan  1 00:00:00 2024\nFrom: a@example.org\n"
		  "Subject: mbox\n\nbody\n", "mbox", "a@example.org", "an mbox \"From \" line" },
		{ " From: a@example.org\nSubject: indented\n\nbody\n",
		  "indented", "a@example.org", "indented" },
		{ "\xef\xbb\xbf" "From: a@example.org\nSubject: bom\n\nbody\n",
		  "bom", "a@example.org", "byte order mark" },
		{ "This is a note, not a header.\nThe whole text is the body.\n",
		  "", "", "no header block" },
		{ " starts with a blank\n\nbody\n", "", "", "no header block" },
	};
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GwMail) m = parse_with(cases[i].text, -1, &limits);

		g_test_message("case %" G_GSIZE_FORMAT, i);
		g_assert_cmpstr(gw_mail_subject(m), ==, cases[i].subject);
		g_assert_cmpstr(gw_mail_from_addr(m), ==, cases[i].from);
		g_assert_true(has_defect(m, cases[i].defect));
	}
	{
		g_autoptr(GwMail) m = parse_with(cases[4].text, -1, &limits);

		g_assert_cmpstr(gw_mail_text(m), ==, cases[4].text);
	}
}

/* A header block over the limit: the fields plaint reads are kept
 * wherever they stand, and the body is read. */
static void
test_big_header(void)
{
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GwMail) m = NULL;

	limits.max_header_bytes = 4096;
	for (int i = 0; i < 5000; i++)
		g_string_append_printf(text, "X-Junk-%d: %d\r\n", i, i);
	g_string_append(text, "From: Late <late@example.org>\r\nSubject: at the end\r\n"
		       "Message-ID: <late@example.org>\r\n\r\nthe complaint\r\n");
	m = parse_with(text->str, text->len, &limits);
	g_assert_cmpstr(gw_mail_from_addr(m), ==, "late@example.org");
	g_assert_cmpstr(gw_mail_subject(m), ==, "at the end");
	g_assert_cmpstr(gw_mail_message_id(m), ==, "late@example.org");
	g_assert_cmpstr(gw_mail_text(m), ==, "the complaint\n");
	g_assert_nonnull(strstr(gw_mail_limits_hit(m)[0], "fields were not read"));
}

static char *
fingerprint_of(const char *text)
{
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	g_autoptr(GwMail) m = parse_with(text, -1, &limits);

	return g_strdup(gw_mail_fingerprint(m));
}

/* The copies of one message are equal; other messages are not. */
static void
test_fingerprint(void)
{
	static const char base[] =
		"From: a@example.org\nTo: care@example.com\nSubject: s\n"
		"Message-ID: <x@example.org>\n\nline one\nline two\n";
	static const struct {
		const char *text;
		gboolean same;
	} cases[] = {
		/* another mailbox's copy: trace fields differ */
		{ "Return-Path: <a@example.org>\nDelivered-To: sales@example.com\n"
		  "Received: from mx by box; Mon, 1 Jan 2024 00:00:00 +0000\n"
		  "X-Spam-Score: 1.2\nFrom: a@example.org\nTo: care@example.com\nSubject: s\n"
		  "Message-ID: <x@example.org>\n\nline one\nline two\n", TRUE },
		/* CRLF, folding and trailing white space */
		{ "From: a@example.org\r\nTo: care@example.com\r\nSubject:  s\r\n"
		  "Message-ID:\r\n <x@example.org>\r\n\r\nline one  \r\nline two\r\n\r\n", TRUE },
		/* another text */
		{ "From: a@example.org\nTo: care@example.com\nSubject: s\n"
		  "Message-ID: <x@example.org>\n\nline one\nline 2\n", FALSE },
		/* the same text under another Message-ID */
		{ "From: a@example.org\nTo: care@example.com\nSubject: s\n"
		  "Message-ID: <y@example.org>\n\nline one\nline two\n", FALSE },
		/* another sender */
		{ "From: b@example.org\nTo: care@example.com\nSubject: s\n"
		  "Message-ID: <x@example.org>\n\nline one\nline two\n", FALSE },
	};
	g_autofree char *want = fingerprint_of(base);

	g_assert_cmpuint(strlen(want), ==, 64);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = fingerprint_of(cases[i].text);

		g_test_message("case %" G_GSIZE_FORMAT, i);
		if (cases[i].same)
			g_assert_cmpstr(got, ==, want);
		else
			g_assert_cmpstr(got, !=, want);
	}
}

static void
test_corpus_rt(void)
{
	const char *dir = g_getenv("CORPUS") ? g_getenv("CORPUS") : "../shared/corpus";
	g_autofree char *path = g_build_filename(dir, "rt", "emails", NULL);
	g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	const char *name;
	guint n = 0;

	if (d == NULL) {
		g_test_skip("no corpus");
		return;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *file = g_build_filename(path, name, NULL);
		g_autofree char *data = NULL;
		gsize len;
		g_autoptr(GBytes) raw = NULL;
		g_autoptr(GError) err = NULL;
		g_autoptr(GwMail) m = NULL;

		if (!g_file_get_contents(file, &data, &len, NULL))
			continue;
		raw = g_bytes_new(data, len);
		m = gw_mail_parse(raw, &limits, &err);
		if (m == NULL) {
			g_assert_error(err, GW_MAIL_ERROR, GW_MAIL_ERROR_NOT_MAIL);
			continue;
		}
		g_assert_true(g_utf8_validate(gw_mail_subject(m), -1, NULL));
		g_assert_true(g_utf8_validate(gw_mail_text(m), -1, NULL));
		n++;
	}
	g_assert_cmpuint(n, >, 10);
}

/* The returned headers of a bounce name the original: empty, folded,
 * after a NUL, or beside a quoted Message-ID line in the text. */
static void
test_returned_headers(void)
{
	static const struct {
		const char *headers;	/* the text/rfc822-headers part */
		gsize len;		/* 0: strlen */
		const char *want;	/* the original's id, NULL for none */
	} cases[] = {
		{ "", 0, NULL },
		{ "\n", 0, NULL },
		{ "Message-ID: <one@example.org>\n", 0, "one@example.org" },
		{ "Subject: x\nMessage-ID:\n\t<folded@example.org>\nTo: a@b\n", 0,
		  "folded@example.org" },
		{ "X-Raw: a\0b\nMessage-Id: <after-nul@example.org>", 46,
		  "after-nul@example.org" },
		{ "Message-ID:", 0, NULL },
		{ "Message-ID: <last@example.org>\n ", 0, "last@example.org" },
		{ "Received: by mx\r\n\tid 1\r\nMessage-ID:\r\n <crlf@example.org>\r\n", 0,
		  "crlf@example.org" },
		{ "Return-Path: <>\nnot a header line\nMessage-ID: <after-junk@example.org>\n", 0,
		  "after-junk@example.org" },
	};
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		gsize len = cases[i].len ? cases[i].len : strlen(cases[i].headers);
		g_autoptr(GString) text = g_string_new(
			"From: MAILER-DAEMON@example.net\n"
			"To: care@example.com\n"
			"Subject: Undelivered Mail Returned to Sender\n"
			"Message-ID: <bounce@example.net>\n"
			"MIME-Version: 1.0\n"
			"Content-Type: multipart/report; report-type=delivery-status;"
			" boundary=\"b\"\n\n"
			"--b\nContent-Type: text/plain\n\nThe mail could not be delivered.\n"
			"--b\nContent-Type: message/delivery-status\n\n"
			"Reporting-MTA: dns; example.net\n\n"
			"Final-Recipient: rfc822; x@example.org\nAction: failed\n"
			"Status: 5.1.1\n"
			"--b\nContent-Type: text/rfc822-headers\n\n");
		g_autoptr(GwMail) m = NULL;
		const char *const *ids;

		g_string_append_len(text, cases[i].headers, len);
		g_string_append(text, "\n--b--\n");
		m = parse_with(text->str, text->len, &limits);
		g_test_message("case %" G_GSIZE_FORMAT, i);
		g_assert_true(gw_mail_has_report(m));
		ids = gw_mail_original_ids(m);
		g_assert_cmpstr(ids[0], ==, cases[i].want);
		if (cases[i].want != NULL)
			g_assert_null(ids[1]);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gw_mail_init();
	g_test_add_func("/mail/headers", test_headers);
	g_test_add_func("/mail/bodies", test_bodies);
	g_test_add_func("/mail/attachments", test_attachments);
	g_test_add_func("/mail/limits", test_limits);
	g_test_add_func("/mail/recover", test_recover);
	g_test_add_func("/mail/big-header", test_big_header);
	g_test_add_func("/mail/fingerprint", test_fingerprint);
	g_test_add_func("/mail/not-mail", test_not_mail);
	g_test_add_func("/mail/returned-headers", test_returned_headers);
	g_test_add_func("/mail/corpus-rt", test_corpus_rt);
	return g_test_run();
}
