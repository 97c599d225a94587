/* mail.c - raw bytes -> GwMail with GMime.
 *
 * Pure: no I/O, no globals but GMime's own.  Owns every string it lends
 * and the parsed GMime message (so attachments can be decoded later).
 * Must never let invalid UTF-8 or a NUL byte out (PostgreSQL and PCRE2
 * would refuse them), nor anything unbounded: message, header block,
 * text, header count, MIME depth and part count all have limits, and a
 * limit is recorded rather than failing the parse. */
#include "gw-mail.h"

#include <string.h>

#include <gmime/gmime.h>

#include "gw-html.h"

G_DEFINE_QUARK(gw-mail-error-quark, gw_mail_error)

#define MAX_DEFECTS 50
#define MAX_ORIGINALS 10

struct GwMail {
	GMimeMessage *msg;
	GBytes *source;			/* the bytes msg was parsed from: its
					 * parts read them in place */
	GByteArray *view;		/* source as GMime's stream sees it */
	char *fingerprint;
	char *message_id;
	char *in_reply_to;
	char *subject;
	char *date;
	char *from_addr;
	char *from_name;
	char *text;
	char *to;
	char *cc;
	char *attachment_names;		/* one per line */
	char *attachment_types;
	char *content_type;
	gboolean has_report;
	gboolean truncated;
	gboolean parts_cut;		/* the part limit was noted */
	gsize size;
	char **references;
	GPtrArray *original_ids;	/* char*, NULL-terminated */
	GPtrArray *header_names;	/* char*, parallel to header_values */
	GPtrArray *header_values;
	GHashTable *addresses;		/* "to" ... -> GPtrArray of GwMailAddress* */
	GPtrArray *parts;		/* GwMailPart* */
	GPtrArray *part_objects;	/* GMimeObject*, parallel to parts (lent) */
	GPtrArray *limits_hit;		/* char*, NULL-terminated */
	GPtrArray *defects;		/* char*, NULL-terminated */
	const GwMailLimits *limits;	/* during the parse only */
};

void
gw_mail_init(void)
{
	g_mime_init();
}

/* ---- clean text --------------------------------------------------- */

static char *
convert_from(const char *in, gsize n, const char *charset)
{
	const char *iconv_name = g_mime_charset_iconv_name(charset);
	gsize read = 0;
	char *out = g_convert(in, n, "UTF-8", iconv_name ? iconv_name : charset,
			      &read, NULL, NULL);

	if (out != NULL && read != n)	/* stopped early: not this charset */
		g_clear_pointer(&out, g_free);
	return out;
}

/* in as UTF-8: as labelled (charset, may be NULL), else UTF-8, else the
 * first fallback charset that converts it all, else repaired. */
static char *
to_utf8(const char *in, gsize n, const char *charset,
	const char *const *fallbacks)
{
	static const char *const default_fallbacks[] = { "windows-1252", NULL };
	char *out = NULL;

	if (in == NULL || n == 0)
		return g_strdup("");
	if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
	    g_ascii_strcasecmp(charset, "us-ascii") != 0 &&
	    g_ascii_strncasecmp(charset, "unknown", 7) != 0 &&
	    g_ascii_strncasecmp(charset, "x-unknown", 9) != 0)
		out = convert_from(in, n, charset);
	if (out == NULL && g_utf8_validate(in, n, NULL))
		out = g_strndup(in, n);
	for (const char *const *f = fallbacks ? fallbacks : default_fallbacks;
	     out == NULL && *f != NULL; f++)
		out = convert_from(in, n, *f);
	if (out == NULL) {
		g_autofree char *tmp = g_strndup(in, n);

		out = g_utf8_make_valid(tmp, -1);
	}
	return out;
}

/* Valid UTF-8 without NUL or CR, cut at max bytes on a character
 * boundary (*cut_out set when cut). */
static char *
clean_text(const char *in, gssize len, const char *charset,
	   const GwMailLimits *limits, gsize max, gboolean *cut_out)
{
	gsize n = in == NULL ? 0 : len < 0 ? strlen(in) : (gsize)len;
	g_autofree char *valid = NULL;
	GString *out;

	if (n == 0)
		return g_strdup("");
	/* Most text is UTF-8 already, short, without CR or NUL. */
	if (charset == NULL && n <= max && memchr(in, '\r', n) == NULL &&
	    memchr(in, '\0', n) == NULL && g_utf8_validate(in, n, NULL))
		return g_strndup(in, n);
	valid = to_utf8(in, n, charset, limits ? limits->fallback_charsets : NULL);
	out = g_string_sized_new(MIN(strlen(valid), max) + 1);

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gsize clen = g_utf8_next_char(p) - p;

		if (out->len + clen > max) {
			if (cut_out != NULL)
				*cut_out = TRUE;
			break;
		}
		if (*p != '\r')
			g_string_append_len(out, p, clen);
	}
	return g_string_free(out, FALSE);
}

/* A header value on one line: control characters become spaces. */
static char *
clean_line(const char *in, gsize max)
{
	char *s;

	if (in == NULL)
		return g_strdup("");
	s = clean_text(in, -1, NULL, NULL, max, NULL);
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return g_strstrip(s);
}

static char *
clean_lower(const char *in, gsize max)
{
	char *s = clean_line(in, max);

	for (char *p = s; *p; p++)
		*p = g_ascii_tolower(*p);
	return s;
}

static void
note(GPtrArray *list, guint max, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
note(GPtrArray *list, guint max, const char *fmt, ...)
{
	va_list ap;

	if (list->len >= max)
		return;
	va_start(ap, fmt);
	g_ptr_array_add(list, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* ---- headers and addresses --------------------------------------- */

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

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

		if ((guint)i == max) {
			note(mail->limits_hit, 20, "more than %u header fields: "
			     "the rest were not read", max);
			break;
		}
		g_ptr_array_add(mail->header_names,
				clean_line(g_mime_header_get_name(h), 200));
		g_ptr_array_add(mail->header_values,
				clean_line(g_mime_header_get_value(h), 16384));
	}
}

static void
address_free(gpointer data)
{
	GwMailAddress *a = data;

	g_free(a->name);
	g_free(a->address);
	g_free(a);
}

/* Appends the mailboxes of list to out (groups flattened, nested
 * groups to a bounded depth), at most 1000. */
static void
add_addresses(GPtrArray *out, InternetAddressList *list, int depth)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n && out->len < 1000; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);
		GwMailAddress *ma;

		if (INTERNET_ADDRESS_IS_GROUP(a)) {
			if (depth < 8)
				add_addresses(out, internet_address_group_get_members(
						      INTERNET_ADDRESS_GROUP(a)), depth + 1);
			continue;
		}
		ma = g_new0(GwMailAddress, 1);
		ma->name = clean_line(internet_address_get_name(a), 200);
		ma->address = clean_lower(internet_address_mailbox_get_addr(
						  INTERNET_ADDRESS_MAILBOX(a)), 320);
		g_ptr_array_add(out, ma);
	}
}

static GPtrArray *
read_addresses(InternetAddressList *list)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(address_free);

	add_addresses(out, list, 0);
	return out;
}

static char *
joined_addresses(GPtrArray *list)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < list->len; i++) {
		const GwMailAddress *a = list->pdata[i];

		g_string_append_printf(out, "%s%s", i ? ", " : "", a->address);
	}
	return g_string_free(out, FALSE);
}

static void
read_addresses_all(GwMail *mail, GMimeMessage *msg)
{
	static const struct { const char *key; GMimeAddressType type; } lists[] = {
		{ "from", GMIME_ADDRESS_TYPE_FROM },
		{ "sender", GMIME_ADDRESS_TYPE_SENDER },
		{ "reply-to", GMIME_ADDRESS_TYPE_REPLY_TO },
		{ "to", GMIME_ADDRESS_TYPE_TO },
		{ "cc", GMIME_ADDRESS_TYPE_CC },
	};
	const char *rp = g_mime_object_get_header(GMIME_OBJECT(msg), "Return-Path");
	InternetAddressList *rpl = rp ? internet_address_list_parse(NULL, rp) : NULL;
	GPtrArray *from, *sender;

	for (gsize i = 0; i < G_N_ELEMENTS(lists); i++)
		g_hash_table_insert(mail->addresses, (gpointer)lists[i].key,
				    read_addresses(g_mime_message_get_addresses(
					    msg, lists[i].type)));
	g_hash_table_insert(mail->addresses, "return-path", read_addresses(rpl));
	if (rpl != NULL)
		g_object_unref(rpl);
	from = g_hash_table_lookup(mail->addresses, "from");
	sender = g_hash_table_lookup(mail->addresses, "sender");
	if (from->len == 0)
		from = sender;
	mail->from_addr = g_strdup(from->len ? ((GwMailAddress *)from->pdata[0])->address : "");
	mail->from_name = g_strdup(from->len ? ((GwMailAddress *)from->pdata[0])->name : "");
	mail->to = joined_addresses(g_hash_table_lookup(mail->addresses, "to"));
	mail->cc = joined_addresses(g_hash_table_lookup(mail->addresses, "cc"));
}

static void
read_envelope(GwMail *mail, GMimeMessage *msg)
{
	GDateTime *date = g_mime_message_get_date(msg);

	mail->message_id = clean_line(g_mime_message_get_message_id(msg), 998);
	mail->in_reply_to = first_message_id(
		g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"));
	mail->references = parse_references(
		g_mime_object_get_header(GMIME_OBJECT(msg), "References"));
	mail->subject = clean_line(g_mime_message_get_subject(msg), 998);
	mail->date = date ? g_date_time_format_iso8601(date) : g_strdup("");
	read_addresses_all(mail, msg);
}

/* ---- the MIME tree ------------------------------------------------- */

static void
part_free(gpointer data)
{
	GwMailPart *p = data;

	g_free(p->path);
	g_free(p->content_type);
	g_free(p->disposition);
	g_free(p->filename);
	g_free(p->content_id);
	g_free(p->sha256);
	g_free(p);
}

/* The decoded bytes of a leaf part, streamed through the transfer
 * decoder; into out (if not NULL) and the checksum. */
static gsize
decode_part(GMimePart *part, GByteArray *out, GChecksum *sum)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *raw, *filtered;
	GMimeFilter *decoder;
	char buf[16384];
	gsize total = 0;
	gssize n;

	if (content == NULL)
		return 0;
	raw = g_mime_data_wrapper_get_stream(content);
	if (raw == NULL)
		return 0;
	g_mime_stream_reset(raw);
	filtered = g_mime_stream_filter_new(raw);
	decoder = g_mime_filter_basic_new(g_mime_data_wrapper_get_encoding(content), FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), decoder);
	g_object_unref(decoder);
	while ((n = g_mime_stream_read(filtered, buf, sizeof buf)) > 0) {
		if (out != NULL)
			g_byte_array_append(out, (guint8 *)buf, n);
		if (sum != NULL)
			g_checksum_update(sum, (guchar *)buf, n);
		total += n;
	}
	g_object_unref(filtered);
	g_mime_stream_reset(raw);
	return total;
}

static gboolean
is_report_type(const char *type)
{
	return g_strcmp0(type, "message/delivery-status") == 0 ||
	       g_strcmp0(type, "message/global-delivery-status") == 0 ||
	       g_strcmp0(type, "message/disposition-notification") == 0 ||
	       g_strcmp0(type, "message/feedback-report") == 0;
}

/* The Message-ID of a text/rfc822-headers part, or NULL: the part is a
 * header block, read by GMime's parser as a message without a body. */
static char *
id_in_headers(GMimePart *part)
{
	g_autoptr(GByteArray) bytes = g_byte_array_new();
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *headers;
	char *id = NULL;

	decode_part(part, bytes, NULL);
	if (bytes->len == 0 || bytes->len > 64 * 1024)
		return NULL;
	stream = g_mime_stream_mem_new_with_buffer((const char *)bytes->data, bytes->len);
	parser = g_mime_parser_new_with_stream(stream);
	headers = g_mime_parser_construct_message(parser, NULL);
	if (headers != NULL) {
		id = clean_line(g_mime_message_get_message_id(headers), 998);
		g_object_unref(headers);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	return id;
}

static void
add_original(GwMail *mail, char *id)
{
	if (id == NULL || *id == '\0' || mail->original_ids->len >= MAX_ORIGINALS)
		g_free(id);
	else
		g_ptr_array_add(mail->original_ids, id);
}

static GwMailPart *
describe(GwMail *mail, GMimeObject *obj, const char *path)
{
	GwMailPart *p = g_new0(GwMailPart, 1);
	g_autofree char *type = g_mime_content_type_get_mime_type(
		g_mime_object_get_content_type(obj));
	const char *disp = g_mime_object_get_disposition(obj);
	const char *cid = g_mime_object_get_content_id(obj);

	p->path = g_strdup(path);
	p->content_type = clean_lower(type, 255);
	p->disposition = disp ? clean_lower(disp, 64) : NULL;
	p->content_id = cid ? clean_line(cid, 998) : NULL;
	p->container = GMIME_IS_MULTIPART(obj) || GMIME_IS_MESSAGE_PART(obj);
	if (GMIME_IS_PART(obj)) {
		const char *name = g_mime_part_get_filename(GMIME_PART(obj));

		p->filename = name ? clean_line(name, 255) : NULL;
	}
	mail->has_report |= is_report_type(p->content_type);
	g_ptr_array_add(mail->parts, p);
	g_ptr_array_add(mail->part_objects, obj);
	return p;
}

/* Walks obj and what it contains, depth-first, within the limits. */
static void
walk(GwMail *mail, GMimeObject *obj, const char *path, guint depth)
{
	GwMailPart *p;

	if (depth > mail->limits->max_depth) {
		note(mail->limits_hit, 20, "MIME nesting deeper than %u at part %s: "
		     "not read further", mail->limits->max_depth, path);
		return;
	}
	if (mail->parts->len >= mail->limits->max_parts) {
		if (!mail->parts_cut)
			note(mail->limits_hit, 20, "more than %u MIME parts: the "
			     "rest were not read", mail->limits->max_parts);
		mail->parts_cut = TRUE;
		return;
	}
	p = describe(mail, obj, path);
	if (GMIME_IS_MULTIPART(obj)) {
		int n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));

		for (int i = 0; i < n; i++) {
			g_autofree char *child = g_strdup_printf("%s.%d", path, i + 1);

			walk(mail, g_mime_multipart_get_part(GMIME_MULTIPART(obj), i),
			     child, depth + 1);
		}
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		GMimeObject *body = inner ? g_mime_message_get_mime_part(inner) : NULL;
		g_autofree char *child = g_strdup_printf("%s.1", path);

		if (inner != NULL)
			add_original(mail, clean_line(g_mime_message_get_message_id(inner), 998));
		if (body != NULL)
			walk(mail, body, child, depth + 1);
	} else if (g_strcmp0(p->content_type, "text/rfc822-headers") == 0) {
		add_original(mail, id_in_headers(GMIME_PART(obj)));
	}
}

/* ---- the text a person wrote, and the attachments -------------------- */

/* The first part of type, not an attachment and not inside a forwarded
 * message, or -1. */
static int
find_body(GwMail *mail, const char *type)
{
	for (guint i = 0; i < mail->parts->len; i++) {
		const GwMailPart *p = mail->parts->pdata[i];

		if (g_strcmp0(p->content_type, type) == 0 &&
		    g_strcmp0(p->disposition, "attachment") != 0 &&
		    p->filename == NULL)
			return (int)i;
	}
	return -1;
}

/* Old-style bounces quote the returned message in their text: its
 * "Message-ID:" lines name it too. */
static void
ids_in_text(GwMail *mail)
{
	for (const char *p = mail->text; p != NULL && *p != '\0'; ) {
		const char *nl = strchr(p, '\n');

		while (*p == ' ' || *p == '\t')
			p++;
		if (g_ascii_strncasecmp(p, "Message-ID:", 11) == 0) {
			g_autofree char *line = nl ? g_strndup(p + 11, nl - p - 11)
						   : g_strdup(p + 11);

			add_original(mail, first_message_id(line));
		}
		p = nl ? nl + 1 : NULL;
	}
}

static void
read_text(GwMail *mail)
{
	int i = find_body(mail, "text/plain");
	gboolean html = FALSE;
	g_autoptr(GByteArray) bytes = g_byte_array_new();
	GwMailPart *p;
	GMimeObject *obj;
	const char *charset;
	g_autofree char *utf8 = NULL;

	if (i < 0) {
		i = find_body(mail, "text/html");
		html = TRUE;
	}
	if (i < 0) {
		mail->text = g_strdup("");
		return;
	}
	p = mail->parts->pdata[i];
	p->body = TRUE;
	obj = mail->part_objects->pdata[i];
	charset = g_mime_object_get_content_type_parameter(obj, "charset");
	decode_part(GMIME_PART(obj), bytes, NULL);
	utf8 = clean_text((char *)bytes->data, bytes->len, charset, mail->limits,
			  G_MAXSIZE, NULL);
	if (html) {
		g_autofree char *text = gw_html_to_text(utf8, strlen(utf8),
							mail->limits->max_text_bytes + 4);

		mail->text = clean_text(text, -1, NULL, NULL,
					mail->limits->max_text_bytes, &mail->truncated);
	} else {
		mail->text = clean_text(utf8, -1, NULL, NULL,
					mail->limits->max_text_bytes, &mail->truncated);
	}
	if (mail->truncated)
		note(mail->limits_hit, 20, "text over %" G_GSIZE_FORMAT " bytes: cut",
		     mail->limits->max_text_bytes);
	ids_in_text(mail);
}

/* Leaves other than the text and its alternatives: named parts, parts
 * marked attachment, and any part that is not text (images, PDFs,
 * signatures, encrypted data). */
static void
mark_attachments(GwMail *mail)
{
	GString *names = g_string_new(NULL), *types = g_string_new(NULL);
	guint n = 0;

	for (guint i = 0; i < mail->parts->len; i++) {
		GwMailPart *p = mail->parts->pdata[i];
		gboolean is_text = g_str_has_prefix(p->content_type, "text/plain") ||
				   g_str_has_prefix(p->content_type, "text/html");

		if (p->container || p->body || is_report_type(p->content_type))
			continue;
		if (p->filename == NULL && g_strcmp0(p->disposition, "attachment") != 0 &&
		    (is_text || g_strcmp0(p->content_type, "text/rfc822-headers") == 0))
			continue;
		p->attachment = TRUE;
		g_string_append_printf(names, "%s%s", n ? "\n" : "", p->filename ? p->filename : "");
		g_string_append_printf(types, "%s%s", n ? "\n" : "", p->content_type);
		n++;
	}
	mail->attachment_names = g_string_free(names, FALSE);
	mail->attachment_types = g_string_free(types, FALSE);
}

/* ---- the parse ---------------------------------------------------- */

static const char *const warning_names[] = {
	[GMIME_WARN_DUPLICATED_HEADER] = "duplicated header",
	[GMIME_WARN_DUPLICATED_PARAMETER] = "duplicated header parameter",
	[GMIME_WARN_UNENCODED_8BIT_HEADER] = "unencoded 8-bit header",
	[GMIME_WARN_INVALID_CONTENT_TYPE] = "invalid content type",
	[GMIME_WARN_INVALID_RFC2047_HEADER_VALUE] = "invalid RFC 2047 header value",
	[GMIME_WARN_MALFORMED_MULTIPART] = "multipart without parts",
	[GMIME_WARN_TRUNCATED_MESSAGE] = "truncated message",
	[GMIME_WARN_MALFORMED_MESSAGE] = "malformed message",
	[GMIME_CRIT_INVALID_HEADER_NAME] = "invalid header name",
	[GMIME_CRIT_CONFLICTING_HEADER] = "conflicting header",
	[GMIME_CRIT_CONFLICTING_PARAMETER] = "conflicting header parameter",
	[GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY] = "multipart without boundary",
	[GMIME_WARN_INVALID_PARAMETER] = "invalid header parameter",
	[GMIME_WARN_INVALID_ADDRESS_LIST] = "invalid address list",
	[GMIME_CRIT_NESTING_OVERFLOW] = "MIME nesting overflow",
	[GMIME_WARN_PART_WITHOUT_CONTENT] = "part without content",
	[GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT] = "part without headers or content",
};

static void
on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
		  gpointer data)
{
	GwMail *mail = data;
	g_autofree char *what = clean_line(item, 80);
	const char *name = (gsize)code < G_N_ELEMENTS(warning_names) &&
			   warning_names[code] ? warning_names[code] : "parser warning";

	note(mail->defects, MAX_DEFECTS, "%s at byte %" G_GINT64_FORMAT "%s%s",
	     name, offset, *what ? ": " : "", what);
}

/* ---- what comes before the header block ---------------------------- */

#define MAX_PREAMBLE_LINES 1000

/* The length of the line at p, its LF included. */
static gsize
line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', end - p);

	return nl ? (gsize)(nl - p + 1) : (gsize)(end - p);
}

static gboolean
is_blank(const char *p, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isspace(p[i]))
			return FALSE;
	return TRUE;
}

/* "Name:" with the printable characters RFC 5322 allows in a name. */
static gboolean
looks_like_field(const char *p, gsize n)
{
	gsize i = 0;

	while (i < n && p[i] > ' ' && p[i] < 0x7f && p[i] != ':')
		i++;
	return i > 0 && i < n && p[i] == ':';
}

/* Skips what a message cannot start with, and notes each as a defect:
 * a byte order mark, blank lines, an mbox "From " line, the indent of a
 * first field.  Returns the offset where the header block starts. */
static gsize
skip_preamble(GwMail *mail, const char *data, gsize len)
{
	const char *end = data + len;
	gsize at = 0, ws = 0;
	guint blanks = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		at = 3;
		note(mail->defects, MAX_DEFECTS, "a byte order mark before the "
		     "header block: skipped");
	}
	for (guint i = 0; i < MAX_PREAMBLE_LINES && at < len; i++) {
		gsize n = line_len(data + at, end);

		if (is_blank(data + at, n)) {
			blanks++;
		} else if (n >= 5 && memcmp(data + at, "From ", 5) == 0) {
			note(mail->defects, MAX_DEFECTS, "an mbox \"From \" line "
			     "before the header block: skipped");
		} else {
			break;
		}
		at += n;
	}
	if (blanks > 0)
		note(mail->defects, MAX_DEFECTS, "%u blank line%s before the "
		     "header block: skipped", blanks, blanks == 1 ? "" : "s");
	while (at + ws < len && (data[at + ws] == ' ' || data[at + ws] == '\t'))
		ws++;
	if (ws > 0 && looks_like_field(data + at + ws, line_len(data + at + ws, end))) {
		at += ws;
		note(mail->defects, MAX_DEFECTS, "the first header field is "
		     "indented: read without its indent");
	}
	return at;
}

/* Where the header block ends: the offset of its blank line, or len. */
static gsize
header_end(const char *data, gsize len)
{
	if (len > 0 && data[0] == '\n')
		return 0;
	for (gsize i = 0; i + 1 < len; i++)
		if (data[i] == '\n' && (data[i + 1] == '\n' ||
					(data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')))
			return i + 1;
	return len;
}

/* ---- the fingerprint ------------------------------------------------ */

/* Fields a mail server adds on the way in, different for each copy of
 * one message: left out of the fingerprint. */
static const char *const trace_fields[] = {
	"received", "x-received", "delivered-to", "x-delivered-to",
	"return-path", "x-original-to", "envelope-to", "x-envelope-to",
	"x-envelope-from", "x-original-arrival-time", "authentication-results",
	"received-spf", "status", "x-status", "x-keywords", "x-uid", "lines",
	"content-length",
};
static const char *const trace_prefixes[] = {
	"arc-", "x-spam", "x-virus", "x-rspamd", "x-ms-exchange-",
	"x-microsoft-antispam", "x-forefront-", "x-mozilla-", "x-imap",
};

static gboolean
is_trace(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(trace_fields); i++)
		if (strcmp(name, trace_fields[i]) == 0)
			return TRUE;
	for (gsize i = 0; i < G_N_ELEMENTS(trace_prefixes); i++)
		if (g_str_has_prefix(name, trace_prefixes[i]))
			return TRUE;
	return FALSE;
}

/* One header field (its lines, folded) into sum: name in lower case,
 * value unfolded with every run of white space as one space. */
static void
sum_field(GChecksum *sum, const char *p, gsize n)
{
	const char *colon = memchr(p, ':', n);
	g_autofree char *name = NULL;
	GString *v;
	gboolean space = FALSE;

	if (colon == NULL)
		return;
	name = g_ascii_strdown(p, colon - p);
	g_strstrip(name);
	if (is_trace(name))
		return;
	v = g_string_new(name);
	g_string_append_c(v, ':');
	for (const char *c = colon + 1; c < p + n; c++) {
		if (g_ascii_isspace(*c)) {
			space = TRUE;
			continue;
		}
		if (space && v->str[v->len - 1] != ':')
			g_string_append_c(v, ' ');
		space = FALSE;
		g_string_append_c(v, *c);
	}
	g_string_append_c(v, '\n');
	g_checksum_update(sum, (guchar *)v->str, v->len);
	g_string_free(v, TRUE);
}

/* sha256 of the message without its trace fields, line ends and
 * trailing white space, so that the copies one message leaves in two
 * mailboxes, or on both sides of a UIDVALIDITY change, are equal. */
static char *
fingerprint(const char *data, gsize len)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	const char *end = data + len, *p = data, *field = NULL;
	guint blank = 0;

	for (; p < end; p += line_len(p, end)) {	/* the header block */
		gsize n = line_len(p, end);

		if (is_blank(p, n) || (p[0] != ' ' && p[0] != '\t')) {
			if (field != NULL)
				sum_field(sum, field, p - field);
			field = p;
		}
		if (is_blank(p, n)) {
			p += n;
			break;
		}
	}
	if (field != NULL && p >= end && !is_blank(field, end - field))
		sum_field(sum, field, end - field);
	g_checksum_update(sum, (guchar *)"\n", 1);
	for (; p < end; p += line_len(p, end)) {	/* the body */
		gsize n = line_len(p, end);

		while (n > 0 && g_ascii_isspace(p[n - 1]))
			n--;
		if (n == 0) {
			blank++;
			continue;
		}
		for (; blank > 0; blank--)
			g_checksum_update(sum, (guchar *)"\n", 1);
		g_checksum_update(sum, (guchar *)p, n);
		g_checksum_update(sum, (guchar *)"\n", 1);
	}
	return g_strdup(g_checksum_get_string(sum));
}

/* ---- an oversized header block --------------------------------------- */

/* Fields plaint reads, kept from a header block over the limit wherever
 * they stand in it. */
static const char *const wanted_fields[] = {
	"from", "sender", "reply-to", "to", "cc", "subject", "date",
	"message-id", "in-reply-to", "references", "mime-version",
	"content-type", "content-transfer-encoding", "content-disposition",
	"return-path", "auto-submitted", "precedence", "list-id", "x-loop",
};

static gboolean
is_wanted(const char *p, gsize n)
{
	const char *colon = memchr(p, ':', n);

	if (colon == NULL)
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(wanted_fields); i++)
		if ((gsize)(colon - p) == strlen(wanted_fields[i]) &&
		    g_ascii_strncasecmp(p, wanted_fields[i], colon - p) == 0)
			return TRUE;
	return FALSE;
}

/* The end of the field that starts at p (its folded lines included). */
static const char *
field_end(const char *p, const char *end)
{
	p += line_len(p, end);
	while (p < end && (*p == ' ' || *p == '\t'))
		p += line_len(p, end);
	return p;
}

/* A header block of hend bytes, over max: the wanted fields (each up to
 * 16 KiB) wherever they are, then the others in order while the block
 * stays under max.  With body, the body follows.  *dropped_out: how
 * many fields were left out. */
static GBytes *
reduce_headers(const char *data, gsize hend, gsize len, gsize max,
	       gboolean body, guint *dropped_out)
{
	GByteArray *out = g_byte_array_new();
	const char *end = data + hend;

	*dropped_out = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (const char *p = data; p < end; ) {
			const char *e = field_end(p, end);
			gboolean wanted = is_wanted(p, e - p);

			if (wanted == (pass == 0)) {
				if (out->len + (gsize)(e - p) <= max &&
				    (!wanted || (gsize)(e - p) <= 16384))
					g_byte_array_append(out, (guint8 *)p, e - p);
				else
					(*dropped_out)++;
			}
			p = e;
		}
	}
	if (body)
		g_byte_array_append(out, (guint8 *)data + hend, len - hend);
	else
		g_byte_array_append(out, (guint8 *)"\n", 1);
	return g_byte_array_free_to_bytes(out);
}

/* ---- the parse ------------------------------------------------------ */

/* A GMime stream over bytes, without a copy: the message parsed from it
 * reads its parts there, so mail keeps bytes as long as the message. */
static GMimeStream *
stream_over(GwMail *mail, GBytes *bytes)
{
	GMimeStream *stream = g_mime_stream_mem_new();
	gsize len;

	mail->source = g_bytes_ref(bytes);
	mail->view = g_byte_array_new();
	mail->view->data = (guint8 *)g_bytes_get_data(bytes, &len);
	mail->view->len = (guint)len;
	/* Not the stream's to free; it only ever reads from it. */
	g_mime_stream_mem_set_byte_array(GMIME_STREAM_MEM(stream), mail->view);
	return stream;
}

static GMimeMessage *
construct(GwMail *mail, GMimeStream *stream)
{
	GMimeParserOptions *opts = g_mime_parser_options_new();
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg;

	if (mail->limits->fallback_charsets != NULL)
		g_mime_parser_options_set_fallback_charsets(
			opts, (const char **)mail->limits->fallback_charsets);
	g_mime_parser_options_set_warning_callback(opts, on_parser_warning, mail);
	msg = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	g_mime_parser_options_free(opts);
	return msg;
}

/* Why bytes that have no header block are not text either, or NULL. */
static const char *
not_text(const char *data, gsize len)
{
	gsize n = MIN(len, 65536), control = 0;

	if (is_blank(data, len))
		return "not a mail message: it holds no text at all";
	for (gsize i = 0; i < n; i++)
		if ((guchar)data[i] < 0x20 && !g_ascii_isspace(data[i]))
			control++;
	if (memchr(data, '\0', n) != NULL || control * 10 > n)
		return "not a mail message: binary data without a header block";
	return NULL;
}

/* Text without a header block (the stream from where it starts): a
 * message whose only part is that text. */
static GMimeMessage *
headerless(GwMail *mail, GMimeStream *stream)
{
	GMimeMessage *msg = g_mime_message_new(FALSE);
	GMimeTextPart *part = g_mime_text_part_new();
	GMimeDataWrapper *content;

	g_mime_stream_reset(stream);
	content = g_mime_data_wrapper_new_with_stream(stream,
						      GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(part), content);
	g_object_unref(content);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	g_object_unref(part);
	note(mail->defects, MAX_DEFECTS, "no header block: the whole message "
	     "is read as its text");
	return msg;
}

static GwMail *
mail_new(const GwMailLimits *limits, gsize size)
{
	GwMail *mail = g_new0(GwMail, 1);

	mail->limits = limits;
	mail->size = size;
	mail->header_names = g_ptr_array_new_with_free_func(g_free);
	mail->header_values = g_ptr_array_new_with_free_func(g_free);
	mail->addresses = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						(GDestroyNotify)g_ptr_array_unref);
	mail->parts = g_ptr_array_new_with_free_func(part_free);
	mail->part_objects = g_ptr_array_new();
	mail->original_ids = g_ptr_array_new_with_free_func(g_free);
	mail->limits_hit = g_ptr_array_new_with_free_func(g_free);
	mail->defects = g_ptr_array_new_with_free_func(g_free);
	return mail;
}

/* Adds the NULL ends the strv accessors lend. */
static void
finish(GwMail *mail)
{
	g_ptr_array_add(mail->original_ids, NULL);
	g_ptr_array_add(mail->limits_hit, NULL);
	g_ptr_array_add(mail->defects, NULL);
	mail->limits = NULL;
}

/* Where GMime stops reading, so that its work stays within the part
 * limit: GMime builds every part it meets, and a message of a million
 * tiny parts would cost a hundred times its size.  Each part needs a
 * boundary line ("--..."); past twice max_parts of them, the message is
 * cut.  Lines of dashes that are not boundaries only bring the cut
 * closer, and what is cut stays in the raw bytes. */
static gsize
parts_end(GwMail *mail, const char *data, gsize from, gsize len)
{
	guint max = mail->limits->max_parts * 2 + 2, seen = 0;

	for (const char *p = data + from, *end = data + len; p < end; ) {
		const char *nl = memchr(p, '\n', end - p);

		if (nl == NULL || nl + 3 > end)
			break;
		p = nl + 1;
		if (p[0] == '-' && p[1] == '-' && ++seen > max) {
			note(mail->limits_hit, 20, "more than %u MIME parts: the "
			     "message was read up to byte %" G_GSIZE_FORMAT,
			     mail->limits->max_parts, (gsize)(p - data));
			mail->parts_cut = TRUE;
			return (gsize)(p - data);
		}
	}
	return len;
}

/* What GMime is given: the message from its header block on, its header
 * block reduced when over the limit, only the header block when the
 * message is over the size limit.  *headers_only_out: no body. */
static GBytes *
parse_input(GwMail *mail, GBytes *raw, gsize start, gboolean *headers_only_out)
{
	const GwMailLimits *l = mail->limits;
	gsize len, hend;
	const char *data = (const char *)g_bytes_get_data(raw, &len) + start;
	guint dropped = 0;
	GBytes *in;

	len -= start;
	hend = header_end(data, len);
	*headers_only_out = len > l->max_message_bytes;
	if (*headers_only_out)
		note(mail->limits_hit, 20, "message of %" G_GSIZE_FORMAT " bytes "
		     "over %" G_GSIZE_FORMAT ": only its headers were read",
		     len, l->max_message_bytes);
	if (hend > l->max_header_bytes) {
		in = reduce_headers(data, hend, len, l->max_header_bytes,
				    !*headers_only_out, &dropped);
		note(mail->limits_hit, 20, "header block of %" G_GSIZE_FORMAT
		     " bytes over %" G_GSIZE_FORMAT ": %u fields were not read "
		     "(the raw message keeps them)", hend, l->max_header_bytes,
		     dropped);
		return in;
	}
	if (*headers_only_out)
		return g_bytes_new_from_bytes(raw, start, hend);
	return g_bytes_new_from_bytes(raw, start, parts_end(mail, data, hend, len));
}

GwMail *
gw_mail_parse(GBytes *raw, const GwMailLimits *limits, GError **error)
{
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);
	g_autoptr(GwMail) mail = mail_new(limits, len);
	g_autoptr(GBytes) in = NULL;
	GMimeStream *stream;
	gboolean headers_only;
	gsize start;

	if (data == NULL)
		data = "";
	start = skip_preamble(mail, data, len);
	mail->fingerprint = fingerprint(data + start, len - start);
	in = parse_input(mail, raw, start, &headers_only);
	stream = stream_over(mail, in);
	mail->msg = construct(mail, stream);
	if (mail->msg == NULL) {
		const char *why = not_text(data + start, len - start);

		if (why != NULL) {
			g_object_unref(stream);
			g_set_error_literal(error, GW_MAIL_ERROR,
					    GW_MAIL_ERROR_NOT_MAIL, why);
			return NULL;
		}
		mail->msg = headerless(mail, stream);
	}
	g_object_unref(stream);
	read_headers(mail, GMIME_OBJECT(mail->msg), limits->max_headers);
	read_envelope(mail, mail->msg);
	if (!headers_only && g_mime_message_get_mime_part(mail->msg) != NULL)
		walk(mail, g_mime_message_get_mime_part(mail->msg), "1", 1);
	mail->content_type = mail->parts->len
		? g_strdup(((GwMailPart *)mail->parts->pdata[0])->content_type)
		: g_strdup("text/plain");
	if (headers_only)
		mail->text = g_strdup("");
	else
		read_text(mail);
	mark_attachments(mail);
	finish(mail);
	return g_steal_pointer(&mail);
}

GPtrArray *
gw_mail_split_mbox(GBytes *raw, guint max)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GArray) begins = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) markers = g_array_new(FALSE, FALSE, sizeof(gint64));
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data ? data : "", len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);

	g_object_unref(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	while (!g_mime_parser_eos(parser) && begins->len < max) {
		GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
		gint64 begin, marker;

		if (msg == NULL)
			break;
		g_object_unref(msg);
		begin = g_mime_parser_get_headers_begin(parser);
		marker = g_mime_parser_get_mbox_marker_offset(parser);
		g_array_append_val(begins, begin);
		g_array_append_val(markers, marker);
	}
	g_object_unref(parser);
	/* A message runs from its headers to the next "From " line. */
	for (guint i = 0; i < begins->len; i++) {
		gint64 b = g_array_index(begins, gint64, i);
		gint64 e = i + 1 < begins->len ? g_array_index(markers, gint64, i + 1)
					       : (gint64)len;

		if (b >= 0 && e >= b && (gsize)e <= len)
			g_ptr_array_add(out, g_bytes_new_from_bytes(raw, b, e - b));
	}
	return out;
}

void
gw_mail_free(GwMail *mail)
{
	if (mail == NULL)
		return;
	if (mail->msg != NULL)
		g_object_unref(mail->msg);
	if (mail->view != NULL)
		g_byte_array_free(mail->view, FALSE);	/* not its data */
	g_clear_pointer(&mail->source, g_bytes_unref);
	g_free(mail->fingerprint);
	g_free(mail->message_id);
	g_free(mail->in_reply_to);
	g_free(mail->subject);
	g_free(mail->date);
	g_free(mail->from_addr);
	g_free(mail->from_name);
	g_free(mail->text);
	g_free(mail->to);
	g_free(mail->cc);
	g_free(mail->attachment_names);
	g_free(mail->attachment_types);
	g_free(mail->content_type);
	g_strfreev(mail->references);
	g_ptr_array_unref(mail->original_ids);
	g_ptr_array_unref(mail->header_names);
	g_ptr_array_unref(mail->header_values);
	g_hash_table_unref(mail->addresses);
	g_ptr_array_unref(mail->parts);
	g_ptr_array_unref(mail->part_objects);
	g_ptr_array_unref(mail->limits_hit);
	g_ptr_array_unref(mail->defects);
	g_free(mail);
}

const char *gw_mail_message_id(const GwMail *m) { return m->message_id; }
const char *gw_mail_fingerprint(const GwMail *m) { return m->fingerprint; }
const char *gw_mail_in_reply_to(const GwMail *m) { return m->in_reply_to; }
const char *gw_mail_subject(const GwMail *m) { return m->subject; }
const char *gw_mail_date(const GwMail *m) { return m->date; }
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
GPtrArray *gw_mail_parts(const GwMail *m) { return m->parts; }

const char *const *
gw_mail_original_ids(const GwMail *mail)
{
	return (const char *const *)mail->original_ids->pdata;
}

const char *const *
gw_mail_limits_hit(const GwMail *mail)
{
	return (const char *const *)mail->limits_hit->pdata;
}

const char *const *
gw_mail_defects(const GwMail *mail)
{
	return (const char *const *)mail->defects->pdata;
}

GPtrArray *
gw_mail_addresses(const GwMail *mail, const char *which)
{
	return g_hash_table_lookup(mail->addresses, which);
}

static GMimeObject *
object_of(const GwMail *mail, const GwMailPart *part)
{
	for (guint i = 0; i < mail->parts->len; i++)
		if (mail->parts->pdata[i] == part)
			return mail->part_objects->pdata[i];
	return NULL;
}

const char *
gw_mail_part_digest(const GwMail *mail, GwMailPart *part)
{
	GMimeObject *obj;

	if (part->sha256 != NULL || part->container)
		return part->sha256;
	obj = object_of(mail, part);
	if (obj != NULL && GMIME_IS_PART(obj)) {
		g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

		part->size = decode_part(GMIME_PART(obj), NULL, sum);
		part->sha256 = g_strdup(g_checksum_get_string(sum));
	}
	return part->sha256;
}

GBytes *
gw_mail_part_content(const GwMail *mail, const GwMailPart *part)
{
	GMimeObject *obj = object_of(mail, part);
	GByteArray *bytes;

	if (obj == NULL || !GMIME_IS_PART(obj))
		return NULL;
	bytes = g_byte_array_new();
	decode_part(GMIME_PART(obj), bytes, NULL);
	return g_byte_array_free_to_bytes(bytes);
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
	return gw_mail_header_nth(mail, name, 0);
}

const char *
gw_mail_header_nth(const GwMail *mail, const char *name, guint n)
{
	for (guint i = 0; i < mail->header_names->len; i++)
		if (g_ascii_strcasecmp(mail->header_names->pdata[i], name) == 0 &&
		    n-- == 0)
			return mail->header_values->pdata[i];
	return NULL;
}
