/* json.c - JSON text written straight into a GString (see gw-json.h). */
#include "gw-json.h"

#include <math.h>
#include <string.h>

#define MAX_DEPTH 16

struct GwJson {
	GString *out;
	int depth;
	/* Per open array or object: whether a value was written in it
	 * (a comma goes before the next one). */
	gboolean used[MAX_DEPTH];
	gboolean after_key;	/* a member's name was written: no comma */
};

GwJson *
gw_json_new(void)
{
	GwJson *json = g_new0(GwJson, 1);

	json->out = g_string_sized_new(4096);
	return json;
}

void
gw_json_free(GwJson *json)
{
	if (json == NULL)
		return;
	g_string_free(json->out, TRUE);
	g_free(json);
}

char *
gw_json_free_to_text(GwJson *json)
{
	char *text = g_string_free(json->out, FALSE);

	g_free(json);
	return text;
}

/* Before a value: the comma that separates it from the one before. */
static void
separate(GwJson *json)
{
	if (json->after_key) {
		json->after_key = FALSE;
		return;
	}
	if (json->depth > 0) {
		if (json->used[json->depth - 1])
			g_string_append_c(json->out, ',');
		json->used[json->depth - 1] = TRUE;
	}
}

static void
open_(GwJson *json, char c)
{
	separate(json);
	g_string_append_c(json->out, c);
	g_assert(json->depth < MAX_DEPTH);
	json->used[json->depth++] = FALSE;
}

static void
close_(GwJson *json, char c)
{
	g_assert(json->depth > 0);
	json->depth--;
	g_string_append_c(json->out, c);
}

void gw_json_begin_array(GwJson *json) { open_(json, '['); }
void gw_json_end_array(GwJson *json) { close_(json, ']'); }
void gw_json_begin_object(GwJson *json) { open_(json, '{'); }
void gw_json_end_object(GwJson *json) { close_(json, '}'); }

/* s (valid UTF-8) as a JSON string, quotes included. */
static void
quote(GString *out, const char *s, gsize len)
{
	static const char hex[] = "0123456789abcdef";
	gsize run = 0;

	g_string_append_c(out, '"');
	for (gsize i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		g_string_append_len(out, s + run, (gssize)(i - run));
		run = i + 1;
		switch (c) {
		case '"': g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\r': g_string_append(out, "\\r"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default: {
			char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };

			g_string_append_len(out, esc, 6);
		}
		}
	}
	g_string_append_len(out, s + run, (gssize)(len - run));
	g_string_append_c(out, '"');
}

static void
string_value(GString *out, const char *s)
{
	gsize len = strlen(s);

	if (g_utf8_validate_len(s, len, NULL)) {
		quote(out, s, len);
	} else {
		g_autofree char *valid = g_utf8_make_valid(s, (gssize)len);

		quote(out, valid, strlen(valid));
	}
}

void
gw_json_quote(GString *out, const char *value)
{
	if (value == NULL)
		g_string_append(out, "null");
	else
		string_value(out, value);
}

void
gw_json_key(GwJson *json, const char *key)
{
	separate(json);
	string_value(json->out, key);
	g_string_append_c(json->out, ':');
	json->after_key = TRUE;
}

void
gw_json_string(GwJson *json, const char *value)
{
	if (value == NULL) {
		gw_json_null(json);
		return;
	}
	separate(json);
	string_value(json->out, value);
}

void
gw_json_int(GwJson *json, gint64 value)
{
	separate(json);
	g_string_append_printf(json->out, "%" G_GINT64_FORMAT, value);
}

void
gw_json_double(GwJson *json, double value)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (!isfinite(value)) {
		gw_json_null(json);
		return;
	}
	separate(json);
	g_string_append(json->out, g_ascii_dtostr(buf, sizeof buf, value));
}

void
gw_json_bool(GwJson *json, gboolean value)
{
	separate(json);
	g_string_append(json->out, value ? "true" : "false");
}

void
gw_json_null(GwJson *json)
{
	separate(json);
	g_string_append(json->out, "null");
}

void
gw_json_strv(GwJson *json, const char *const *v, guint n)
{
	gw_json_begin_array(json);
	for (guint i = 0; v != NULL && (n == G_MAXUINT ? v[i] != NULL : i < n); i++)
		gw_json_string(json, v[i]);
	gw_json_end_array(json);
}

void
gw_json_member_string(GwJson *json, const char *key, const char *value)
{
	gw_json_key(json, key);
	gw_json_string(json, value);
}

void
gw_json_member_int(GwJson *json, const char *key, gint64 value)
{
	gw_json_key(json, key);
	gw_json_int(json, value);
}

void
gw_json_member_bool(GwJson *json, const char *key, gboolean value)
{
	gw_json_key(json, key);
	gw_json_bool(json, value);
}

void
gw_json_member_strv(GwJson *json, const char *key, const char *const *v, guint n)
{
	gw_json_key(json, key);
	gw_json_strv(json, v, n);
}
