/* test-json.c - the JSON writer of the database parameters and reports.
 *
 * Run from the repository root: tests/unit/test-json --tap */
#include <string.h>

#include <json-glib/json-glib.h>

#include "gw-json.h"

static void
test_document(void)
{
	g_autoptr(GwJson) j = gw_json_new();
	const char *tags[] = { "a", "b", NULL };
	g_autofree char *text = NULL;

	gw_json_begin_array(j);
	gw_json_begin_object(j);
	gw_json_member_int(j, "id", -42);
	gw_json_member_string(j, "name", NULL);
	gw_json_member_bool(j, "drop", TRUE);
	gw_json_member_strv(j, "tags", tags, G_MAXUINT);
	gw_json_member_strv(j, "none", NULL, G_MAXUINT);
	gw_json_member_strv(j, "first", tags, 1);
	gw_json_key(j, "hours");
	gw_json_begin_object(j);
	gw_json_key(j, "days");
	gw_json_begin_array(j);
	gw_json_int(j, 1);
	gw_json_int(j, 2);
	gw_json_end_array(j);
	gw_json_end_object(j);
	gw_json_end_object(j);
	gw_json_begin_object(j);
	gw_json_end_object(j);
	gw_json_string(j, "");
	gw_json_bool(j, FALSE);
	gw_json_null(j);
	gw_json_end_array(j);
	text = gw_json_free_to_text(g_steal_pointer(&j));
	g_assert_cmpstr(text, ==,
			"[{\"id\":-42,\"name\":null,\"drop\":true,\"tags\":[\"a\",\"b\"],"
			"\"none\":[],\"first\":[\"a\"],\"hours\":{\"days\":[1,2]}},"
			"{},\"\",false,null]");
}

/* s as the writer puts it, and as a JSON parser reads that back. */
static char *
written(const char *s, char **read_back)
{
	GwJson *j = gw_json_new();
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) err = NULL;
	char *text;

	gw_json_string(j, s);
	text = gw_json_free_to_text(j);
	g_assert_true(json_parser_load_from_data(parser, text, -1, &err));
	g_assert_no_error(err);
	*read_back = g_strdup(json_node_get_string(json_parser_get_root(parser)));
	return text;
}

static void
test_escapes(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "line\nend\r\ttab", "\"line\\nend\\r\\ttab\"" },
		{ "unit\x1fsep\x01\x7f", "\"unit\\u001fsep\\u0001\x7f\"" },
		{ "Grüße, 日本 😀", "\"Grüße, 日本 😀\"" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *back = NULL;
		g_autofree char *text = written(cases[i].in, &back);

		g_assert_cmpstr(text, ==, cases[i].out);
		g_assert_cmpstr(back, ==, cases[i].in);
	}
}

static void
test_invalid_utf8(void)
{
	g_autofree char *back = NULL;
	g_autofree char *text = written("caf\xe9 \xff end", &back);

	g_assert_true(g_utf8_validate(text, -1, NULL));
	g_assert_cmpstr(back, ==, "caf\xef\xbf\xbd \xef\xbf\xbd end");
}

static void
test_double_and_quote(void)
{
	GwJson *j = gw_json_new();
	g_autoptr(GString) out = g_string_new("[");
	g_autofree char *text = NULL;

	gw_json_begin_array(j);
	gw_json_double(j, 0.25);
	gw_json_double(j, -3);
	gw_json_double(j, 1.0 / 0.0);
	gw_json_double(j, 0.0 / 0.0);
	gw_json_end_array(j);
	text = gw_json_free_to_text(j);
	g_assert_cmpstr(text, ==, "[0.25,-3,null,null]");

	gw_json_quote(out, "a\"\x1f\xff");
	g_string_append_c(out, ',');
	gw_json_quote(out, NULL);
	g_string_append_c(out, ']');
	g_assert_cmpstr(out->str, ==, "[\"a\\\"\\u001f\xef\xbf\xbd\",null]");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/json/document", test_document);
	g_test_add_func("/json/escapes", test_escapes);
	g_test_add_func("/json/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/json/double-and-quote", test_double_and_quote);
	return g_test_run();
}
