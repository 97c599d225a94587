/* mail.c - raw bytes -> GwMail with GMime.
 *
 * Pure: no I/O, no globals but GMime's own.  Owns every string it lends.
 * Must never let invalid UTF-8 or a NUL byte out (PostgreSQL and PCRE2
 * would refuse them), nor an unbounded text: the body is cut at
 * limits->max_text_bytes and the header list at limits->max_headers. */
#include "gw-mail.h"

#include <string.h>

#include <gmime/gmime.h>

G_DEFINE_QUARK(gw-mail-error-quark, gw_mail_error)

struct GwMail {
	char *message_id;
	char *in_reply_to;
	char *subject;
	char *from_addr;
	char *from_name;
	char *text;
	char *to;
	char *cc;
	char *attachment_names;	/* one per line */
	char *attachment_types;
	char *content_type;
	gboolean has_report;
	GPtrArray *original_ids;	/* char*, NULL-terminated */
	gsize size;
	char **references;
	GPtrArray *header_names;	/* char*, parallel to header_values */
	GPtrArray *header_values;
	gboolean truncated;
};

void
gw_mail_init(void)
{
	g_mime_init();
}

/* Valid UTF-8 without NUL or CR, cut at max bytes on a character
 * boundary.  Unlabelled 8-bit text is most often Windows-1252. */
static char *
clean_text(const char *in, gssize len, gsize max, gboolean *cut_out)
{
	g_autofree char *valid = NULL;
	GString *out;
	gsize n = len < 0 ? strlen(in) : (gsize)len;

	if (g_utf8_validate(in, n, NULL))
		valid = g_strndup(in, n);
	else
		valid = g_convert(in, n, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	if (valid == NULL) {
		g_autofree char *tmp = g_strndup(in, n);

		valid = g_utf8_make_valid(tmp, -1);
	}
	out = g_string_sized_new(MIN(strlen(valid), max) + 1);
	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gsize clen = g_utf8_next_char(p) - p;

		if (out->len + clen > max) {
			if (cut_out != NULL)
				*cut_out = TRUE;
			break;
		}
		if (*p == '\r')
			continue;
		g_string_append_len(out, p, clen);
	}
	return g_string_free(out, FALSE);
}

/* A header value on one line: folded whitespace and control characters
 * become spaces. */
static char *
clean_line(const char *in, gsize max)
{
	char *s;

	if (in == NULL)
		return g_strdup("");
	s = clean_text(in, -1, max, NULL);
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return g_strstrip(s);
}

static char *
first_message_id(const char *value)
{
	GMimeReferences *refs;
	char *id = NULL;

	if (value == NULL)
		return g_strdup("");
	refs = g_mime_references_parse(NULL, value);
	if (refs != NULL && g_mime_references_length(refs) > 0)
		id = clean_line(g_mime_references_get_message_id(refs, 0), 998);
	if (refs != NULL)
		g_mime_references_free(refs);
	return id ? id : g_strdup("");
}

static char **
parse_references(const char *value)
{
	GMimeReferences *refs;
	GPtrArray *out = g_ptr_array_new();

	refs = value ? g_mime_references_parse(NULL, value) : NULL;
	/* Bounded: a thread deeper than 100 is answered by its newest ids. */
	if (refs != NULL) {
		int n = g_mime_references_length(refs);

		for (int i = MAX(0, n - 100); i < n; i++)
			g_ptr_array_add(out, clean_line(
				g_mime_references_get_message_id(refs, i), 998));
		g_mime_references_free(refs);
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

static void
read_headers(GwMail *mail, GMimeObject *obj, guint max)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	int n = g_mime_header_list_get_count(list);

	for (int i = 0; i < n && (guint)i < max; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

		g_ptr_array_add(mail->header_names,
				clean_line(g_mime_header_get_name(h), 200));
		g_ptr_array_add(mail->header_values,
				clean_line(g_mime_header_get_value(h), 16384));
	}
}

/* The first mailbox of list, or NULL. */
static InternetAddressMailbox *
first_mailbox(InternetAddressList *list)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			return INTERNET_ADDRESS_MAILBOX(a);
	}
	return NULL;
}

static void
read_sender(GwMail *mail, GMimeMessage *msg)
{
	InternetAddressMailbox *mb = first_mailbox(g_mime_message_get_from(msg));

	if (mb == NULL)
		mb = first_mailbox(g_mime_message_get_sender(msg));
	if (mb == NULL) {
		mail->from_addr = g_strdup("");
		mail->from_name = g_strdup("");
		return;
	}
	{
		g_autofree char *addr = clean_line(
			internet_address_mailbox_get_addr(mb), 320);

		mail->from_addr = g_ascii_strdown(addr, -1);
	}
	mail->from_name = clean_line(internet_address_get_name(INTERNET_ADDRESS(mb)),
				     200);
}

/* Every mailbox address of list, lower-cased, joined by ", ". */
static char *
address_list(InternetAddressList *list)
{
	GString *out = g_string_new(NULL);
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n && i < 1000; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);
		g_autofree char *addr = NULL;

		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		addr = clean_line(internet_address_mailbox_get_addr(
					  INTERNET_ADDRESS_MAILBOX(a)), 320);
		if (out->len > 0)
			g_string_append(out, ", ");
		g_string_append(out, addr);
	}
	for (gsize i = 0; i < out->len; i++)
		out->str[i] = g_ascii_tolower(out->str[i]);
	return g_string_free(out, FALSE);
}

static gboolean
is_attachment(GMimeObject *part)
{
	const char *disp = g_mime_object_get_disposition(part);

	return disp != NULL && g_ascii_strcasecmp(disp, "attachment") == 0;
}

/* The first text part of subtype, not an attachment, or NULL. */
static GMimeTextPart *
find_text(GMimeMessage *msg, const char *subtype)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	GMimePartIter *iter;
	GMimeTextPart *found = NULL;

	if (top == NULL)
		return NULL;
	if (GMIME_IS_TEXT_PART(top)) {
		GMimeContentType *ct = g_mime_object_get_content_type(top);

		return g_mime_content_type_is_type(ct, "text", subtype) &&
		       !is_attachment(top) ? GMIME_TEXT_PART(top) : NULL;
	}
	iter = g_mime_part_iter_new(GMIME_OBJECT(msg));
	do {
		GMimeObject *cur = g_mime_part_iter_get_current(iter);
		GMimeContentType *ct;

		if (cur == NULL || !GMIME_IS_TEXT_PART(cur) || is_attachment(cur))
			continue;
		ct = g_mime_object_get_content_type(cur);
		if (g_mime_content_type_is_type(ct, "text", subtype)) {
			found = GMIME_TEXT_PART(cur);
			break;
		}
	} while (g_mime_part_iter_next(iter));
	g_mime_part_iter_free(iter);
	return found;
}

/* A part is listed as an attachment if it has a file name or says it
 * is one; at most 1000 are listed. */
static gboolean
is_report_type(const char *type)
{
	return g_ascii_strcasecmp(type, "message/delivery-status") == 0 ||
	       g_ascii_strcasecmp(type, "message/global-delivery-status") == 0 ||
	       g_ascii_strcasecmp(type, "message/disposition-notification") == 0 ||
	       g_ascii_strcasecmp(type, "message/feedback-report") == 0;
}

static void
add_attachment(GString *names, GString *types, guint *found, GMimeObject *part)
{
	const char *name;
	g_autofree char *type = NULL, *clean_name = NULL, *clean_type = NULL;

	if (!GMIME_IS_PART(part) || *found >= 1000)
		return;
	name = g_mime_part_get_filename(GMIME_PART(part));
	if (name == NULL && !is_attachment(part))
		return;
	type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(part));
	clean_name = clean_line(name ? name : "", 255);
	clean_type = clean_line(type, 255);
	for (char *c = clean_type; *c; c++)
		*c = g_ascii_tolower(*c);
	g_string_append_printf(names, "%s%s", *found ? "\n" : "", clean_name);
	g_string_append_printf(types, "%s%s", *found ? "\n" : "", clean_type);
	(*found)++;
}

/* The Message-ID line of a text/rfc822-headers part, or NULL. */
static char *
id_in_headers(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *bytes;
	char *id = NULL;

	if (content == NULL)
		return NULL;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (bytes->len < 64 * 1024) {
		g_autofree char *text = g_strndup((char *)bytes->data, bytes->len);
		g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

		for (int i = 0; lines[i] != NULL && id == NULL; i++)
			if (g_ascii_strncasecmp(lines[i], "Message-ID:", 11) == 0)
				id = first_message_id(lines[i] + 11);
	}
	g_object_unref(mem);
	return id;
}

static void
add_original(GwMail *mail, char *id)
{
	if (id == NULL || *id == '\0' || mail->original_ids->len >= 10) {
		g_free(id);
		return;
	}
	g_ptr_array_add(mail->original_ids, id);
}

/* What a bounce or report carries back of the message it is about. */
static void
read_originals(GwMail *mail, GMimeMessage *msg)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	GMimePartIter *iter;
	guint steps = 0;

	mail->original_ids = g_ptr_array_new_with_free_func(g_free);
	if (top != NULL && GMIME_IS_MULTIPART(top)) {
		iter = g_mime_part_iter_new(GMIME_OBJECT(msg));
		do {
			GMimeObject *cur = g_mime_part_iter_get_current(iter);

			if (cur != NULL && GMIME_IS_MESSAGE_PART(cur)) {
				GMimeMessage *inner = g_mime_message_part_get_message(
					GMIME_MESSAGE_PART(cur));

				if (inner != NULL)
					add_original(mail, clean_line(
						g_mime_message_get_message_id(inner), 998));
			} else if (cur != NULL && GMIME_IS_PART(cur) &&
				   g_mime_content_type_is_type(
					   g_mime_object_get_content_type(cur),
					   "text", "rfc822-headers")) {
				add_original(mail, id_in_headers(GMIME_PART(cur)));
			}
		} while (++steps < 10000 && g_mime_part_iter_next(iter));
		g_mime_part_iter_free(iter);
	}
	g_ptr_array_add(mail->original_ids, NULL);
}

/* The top-level type, and whether any part is a machine's report. */
static void
read_types(GwMail *mail, GMimeMessage *msg)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	GMimePartIter *iter;
	guint steps = 0;

	if (top == NULL) {
		mail->content_type = g_strdup("text/plain");
		return;
	}
	{
		g_autofree char *t = g_mime_content_type_get_mime_type(
			g_mime_object_get_content_type(top));

		mail->content_type = g_ascii_strdown(t, -1);
	}
	if (!GMIME_IS_MULTIPART(top))
		return;
	iter = g_mime_part_iter_new(GMIME_OBJECT(msg));
	do {
		GMimeObject *cur = g_mime_part_iter_get_current(iter);
		g_autofree char *t = NULL;

		if (cur == NULL)
			continue;
		t = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(cur));
		mail->has_report |= is_report_type(t);
	} while (!mail->has_report && ++steps < 10000 && g_mime_part_iter_next(iter));
	g_mime_part_iter_free(iter);
}

static void
read_attachments(GwMail *mail, GMimeMessage *msg)
{
	GString *names = g_string_new(NULL), *types = g_string_new(NULL);
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	guint found = 0;

	if (top != NULL && GMIME_IS_PART(top)) {
		add_attachment(names, types, &found, top);
	} else if (top != NULL) {
		GMimePartIter *iter = g_mime_part_iter_new(GMIME_OBJECT(msg));
		guint steps = 0;

		do {
			GMimeObject *cur = g_mime_part_iter_get_current(iter);

			if (cur != NULL)
				add_attachment(names, types, &found, cur);
		} while (++steps < 10000 && g_mime_part_iter_next(iter));
		g_mime_part_iter_free(iter);
	}
	mail->attachment_names = g_string_free(names, FALSE);
	mail->attachment_types = g_string_free(types, FALSE);
}

static void
read_text(GwMail *mail, GMimeMessage *msg, gsize max)
{
	GMimeTextPart *part = find_text(msg, "plain");
	g_autofree char *raw = NULL;

	/* XXX: HTML-only mail keeps its markup until the parser issue
	 * brings an HTML-to-text converter. */
	if (part == NULL)
		part = find_text(msg, "html");
	if (part != NULL)
		raw = g_mime_text_part_get_text(part);
	mail->text = clean_text(raw ? raw : "", -1, max, &mail->truncated);
}

GwMail *
gw_mail_parse(GBytes *raw, const GwMailLimits *limits, GError **error)
{
	g_autoptr(GwMail) mail = g_new0(GwMail, 1);
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	gsize len;
	const guint8 *data = g_bytes_get_data(raw, &len);

	stream = g_mime_stream_mem_new_with_buffer((const char *)data, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (msg == NULL) {
		g_set_error(error, GW_MAIL_ERROR, GW_MAIL_ERROR_NOT_MAIL,
			    "not a mail message: no header block");
		return NULL;
	}
	mail->header_names = g_ptr_array_new_with_free_func(g_free);
	mail->header_values = g_ptr_array_new_with_free_func(g_free);
	read_headers(mail, GMIME_OBJECT(msg), limits->max_headers);
	mail->message_id = clean_line(g_mime_message_get_message_id(msg), 998);
	mail->in_reply_to = first_message_id(
		g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"));
	mail->references = parse_references(
		g_mime_object_get_header(GMIME_OBJECT(msg), "References"));
	mail->subject = clean_line(g_mime_message_get_subject(msg), 998);
	read_sender(mail, msg);
	mail->to = address_list(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO));
	mail->cc = address_list(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC));
	mail->size = len;
	read_text(mail, msg, limits->max_text_bytes);
	read_attachments(mail, msg);
	read_types(mail, msg);
	read_originals(mail, msg);
	g_object_unref(msg);
	return g_steal_pointer(&mail);
}

void
gw_mail_free(GwMail *mail)
{
	if (mail == NULL)
		return;
	g_free(mail->message_id);
	g_free(mail->in_reply_to);
	g_free(mail->subject);
	g_free(mail->from_addr);
	g_free(mail->from_name);
	g_free(mail->text);
	g_free(mail->to);
	g_free(mail->cc);
	g_free(mail->attachment_names);
	g_free(mail->attachment_types);
	g_free(mail->content_type);
	if (mail->original_ids != NULL)
		g_ptr_array_unref(mail->original_ids);
	g_strfreev(mail->references);
	if (mail->header_names != NULL)
		g_ptr_array_unref(mail->header_names);
	if (mail->header_values != NULL)
		g_ptr_array_unref(mail->header_values);
	g_free(mail);
}

const char *gw_mail_message_id(const GwMail *m) { return m->message_id; }
const char *gw_mail_in_reply_to(const GwMail *m) { return m->in_reply_to; }
const char *gw_mail_subject(const GwMail *m) { return m->subject; }
const char *gw_mail_from_addr(const GwMail *m) { return m->from_addr; }
const char *gw_mail_from_name(const GwMail *m) { return m->from_name; }
const char *gw_mail_text(const GwMail *m) { return m->text; }
gboolean gw_mail_truncated(const GwMail *m) { return m->truncated; }
const char *gw_mail_to(const GwMail *m) { return m->to; }
const char *gw_mail_cc(const GwMail *m) { return m->cc; }
const char *gw_mail_attachment_names(const GwMail *m) { return m->attachment_names; }
const char *gw_mail_attachment_types(const GwMail *m) { return m->attachment_types; }
gsize gw_mail_size(const GwMail *m) { return m->size; }
const char *gw_mail_content_type(const GwMail *m) { return m->content_type; }
gboolean gw_mail_has_report(const GwMail *m) { return m->has_report; }

const char *const *
gw_mail_original_ids(const GwMail *mail)
{
	return (const char *const *)mail->original_ids->pdata;
}

const char *
gw_mail_from_domain(const GwMail *mail)
{
	const char *at = strrchr(mail->from_addr, '@');

	return at ? at + 1 : "";
}

const char *const *
gw_mail_references(const GwMail *mail)
{
	return (const char *const *)mail->references;
}

const char *
gw_mail_header(const GwMail *mail, const char *name)
{
	for (guint i = 0; i < mail->header_names->len; i++)
		if (g_ascii_strcasecmp(mail->header_names->pdata[i], name) == 0)
			return mail->header_values->pdata[i];
	return NULL;
}
