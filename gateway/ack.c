/* ack.c - whether to acknowledge (RFC 3834), and the mail we send.
 *
 * Pure.  Must never answer a machine: auto-replies, bulk and list mail,
 * bounces and reports, null or system senders, or our own mail.  Must
 * never let text from a customer add a header: values are single lines
 * without control characters, and GMime encodes them (RFC 2047). */
#include "gw-ack.h"

#include <string.h>

#include <gmime/gmime.h>

static gboolean
header_is(const GwMail *mail, const char *name, const char *const *values)
{
	const char *v = gw_mail_header(mail, name);

	if (v == NULL)
		return FALSE;
	while (g_ascii_isspace(*v))
		v++;
	for (; *values != NULL; values++)
		if (g_ascii_strncasecmp(v, *values, strlen(*values)) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
machine_local_part(const char *addr)
{
	static const char *const locals[] = {
		"mailer-daemon", "postmaster", "noreply", "no-reply",
		"no_reply", "donotreply", "do-not-reply", "bounce", "bounces",
		NULL,
	};
	const char *at = strchr(addr, '@');
	g_autofree char *local = at ? g_strndup(addr, at - addr) : g_strdup(addr);

	for (const char *const *l = locals; *l != NULL; l++)
		if (g_ascii_strcasecmp(local, *l) == 0 ||
		    (g_str_has_prefix(local, *l) && strchr("-+.", local[strlen(*l)])))
			return TRUE;
	return FALSE;
}

/* "Auto-Submitted: no" (any case, maybe with a comment) is a person. */
static gboolean
auto_submitted_no(const char *value)
{
	g_autofree char *v = g_ascii_strdown(value, -1);
	char *end;

	g_strstrip(v);
	end = v + strcspn(v, " \t;(");
	*end = '\0';
	return strcmp(v, "no") == 0;
}

static gboolean
null_return_path(const GwMail *mail)
{
	const char *rp = gw_mail_header(mail, "Return-Path");

	if (rp == NULL)
		return FALSE;
	while (*rp == ' ')
		rp++;
	return *rp == '\0' || g_str_has_prefix(rp, "<>");
}

const char *
gw_ack_suppress_reason(const GwMail *mail, const char *own_addr)
{
	static const char *const bulk[] = { "bulk", "junk", "list", "auto_reply", NULL };
	static const char *const report[] = { "multipart/report", NULL };
	static const char *const suppress[] = { "all", "autoreply", "oof", NULL };
	const char *as = gw_mail_header(mail, "Auto-Submitted");
	const char *from = gw_mail_from_addr(mail);
	const char *loop = gw_mail_header(mail, "X-Loop");

	if (as != NULL && !auto_submitted_no(as))
		return "auto-submitted";
	if (header_is(mail, "Precedence", bulk))
		return "precedence";
	if (gw_mail_header(mail, "List-Id") || gw_mail_header(mail, "List-Unsubscribe") ||
	    gw_mail_header(mail, "List-Post"))
		return "list";
	if (gw_mail_header(mail, "X-Autoreply") || gw_mail_header(mail, "X-Autorespond"))
		return "auto-reply";
	if (header_is(mail, "X-Auto-Response-Suppress", suppress))
		return "auto-response-suppress";
	if (header_is(mail, "Content-Type", report))
		return "report";
	if (*from == '\0' || null_return_path(mail))
		return "null-sender";
	if (own_addr != NULL && g_ascii_strcasecmp(from, own_addr) == 0)
		return "own-address";
	if (loop != NULL && own_addr != NULL && strstr(loop, own_addr) != NULL)
		return "x-loop";
	if (machine_local_part(from))
		return "machine-sender";
	return NULL;
}

void
gw_ack_render(const char *ticket_number, const char *subject,
	      char **subject_out, char **body_out)
{
	g_autofree char *short_subject = NULL;

	if (g_utf8_strlen(subject, -1) > 150)
		short_subject = g_strconcat(g_utf8_substring(subject, 0, 150), "...", NULL);
	else
		short_subject = g_strdup(*subject ? subject : "(no subject)");
	*subject_out = g_strdup_printf("[%s] %s", ticket_number, short_subject);
	*body_out = g_strdup_printf(
		"Hello,\n"
		"\n"
		"thank you for writing to us. We have received your message\n"
		"\"%s\"\n"
		"and opened ticket %s for it. A member of our team will answer you.\n"
		"\n"
		"To add to this matter, reply to this message or keep [%s]\n"
		"in the subject line.\n"
		"\n"
		"-- \n"
		"This acknowledgement was sent automatically.\n",
		short_subject, ticket_number, ticket_number);
}

/* A message id is safe in a header if it has no space, brackets or
 * control characters. */
static gboolean
safe_id(const char *id)
{
	if (id == NULL || *id == '\0' || strlen(id) > 900)
		return FALSE;
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == 0x7f)
			return FALSE;
	return TRUE;
}

static void
set_threading(GMimeObject *obj, const GwLetter *letter)
{
	g_autoptr(GString) refs = g_string_new(NULL);

	for (guint i = 0; letter->references && letter->references[i]; i++)
		if (safe_id(letter->references[i]))
			g_string_append_printf(refs, "%s<%s>", refs->len ? " " : "",
					       letter->references[i]);
	if (safe_id(letter->in_reply_to)) {
		g_autofree char *v = g_strdup_printf("<%s>", letter->in_reply_to);

		g_mime_object_set_header(obj, "In-Reply-To", v, NULL);
		if (!strstr(refs->str, v))
			g_string_append_printf(refs, "%s%s", refs->len ? " " : "", v);
	}
	if (refs->len > 0)
		g_mime_object_set_header(obj, "References", refs->str, NULL);
}

GBytes *
gw_ack_compose(const GwLetter *letter)
{
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *obj = GMIME_OBJECT(msg);
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	GMimeFormatOptions *fo = g_mime_format_options_new();
	InternetAddressList *from = internet_address_list_parse(NULL, letter->from);
	InternetAddressList *to = internet_address_list_parse(NULL, letter->to);
	GDateTime *now = g_date_time_new_now_local();
	char *text;
	GBytes *out;

	if (from != NULL) {
		internet_address_list_append(g_mime_message_get_from(msg), from);
		g_object_unref(from);
	}
	if (to != NULL) {
		internet_address_list_append(
			g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), to);
		g_object_unref(to);
	}
	g_mime_message_set_subject(msg, letter->subject, "utf-8");
	g_mime_message_set_date(msg, now);
	g_date_time_unref(now);
	if (safe_id(letter->message_id))
		g_mime_message_set_message_id(msg, letter->message_id);
	set_threading(obj, letter);
	if (letter->auto_submitted) {
		g_mime_object_set_header(obj, "Auto-Submitted", "auto-replied", NULL);
		g_mime_object_set_header(obj, "X-Auto-Response-Suppress", "All", NULL);
	}
	g_mime_text_part_set_text(part, letter->body);
	g_mime_part_set_content_encoding(
		GMIME_PART(part),
		g_mime_part_get_best_content_encoding(GMIME_PART(part),
						      GMIME_ENCODING_CONSTRAINT_7BIT));
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	g_object_unref(part);
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	text = g_mime_object_to_string(obj, fo);
	g_mime_format_options_free(fo);
	g_object_unref(msg);
	out = g_bytes_new_take(text, strlen(text));
	return out;
}

char *
gw_ack_new_message_id(const char *domain)
{
	g_autofree char *uuid = g_uuid_string_random();

	return g_strdup_printf("plaint.%s@%s", uuid, domain);
}
