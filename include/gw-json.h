/* gw-json.h - JSON text written straight into a string: the json(b)
 * parameters the gateway hands PostgreSQL (a batch of message facts, of
 * acknowledgements), `plaint status --json`, and the strings of the
 * reports of `plaint parse` and `plaint rules test`.
 *
 * A writer of one document: the caller opens and closes arrays and
 * objects in a valid order, and names a member (gw_json_key) before
 * each value inside an object; separators come by themselves.  Strings
 * are copied as UTF-8 with '"', '\' and the control characters escaped
 * ("\u001f" for U+001F as for the others); a string that is not valid
 * UTF-8 has its invalid bytes replaced by U+FFFD, so that the text is
 * always one PostgreSQL accepts.  Nothing is allocated per value beyond
 * the string's own growth. */
#pragma once

#include <glib.h>

typedef struct GwJson GwJson;

GwJson *gw_json_new(void);
void gw_json_free(GwJson *json);
/* The text written, which the caller frees; json is freed. */
char *gw_json_free_to_text(GwJson *json);

void gw_json_begin_array(GwJson *json);
void gw_json_end_array(GwJson *json);
void gw_json_begin_object(GwJson *json);
void gw_json_end_object(GwJson *json);

/* The name of the next member of the open object. */
void gw_json_key(GwJson *json, const char *key);

void gw_json_string(GwJson *json, const char *value);	/* NULL: null */
void gw_json_int(GwJson *json, gint64 value);
void gw_json_double(GwJson *json, double value);	/* not finite: null */
void gw_json_bool(GwJson *json, gboolean value);
void gw_json_null(GwJson *json);
/* An array of the strings of v: the first n, or up to the NULL that
 * ends v when n is G_MAXUINT; v NULL is an empty array. */
void gw_json_strv(GwJson *json, const char *const *v, guint n);

/* value as a JSON string (NULL: null), escaped as above, appended to
 * out: for text whose structure its writer lays out itself. */
void gw_json_quote(GString *out, const char *value);

/* The member key with a value of each kind, the common case. */
void gw_json_member_string(GwJson *json, const char *key, const char *value);
void gw_json_member_int(GwJson *json, const char *key, gint64 value);
void gw_json_member_bool(GwJson *json, const char *key, gboolean value);
void gw_json_member_strv(GwJson *json, const char *key, const char *const *v,
			 guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwJson, gw_json_free)
