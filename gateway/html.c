/* html.c - HTML to plain text with libxml2's HTML parser.
 *
 * Pure.  Owns the parsed tree for one call.  Must never let the
 * network in (HTML_PARSE_NONET), never recurse without a bound (deeply
 * nested tag soup is walked to MAX_DEPTH only), and never grow the
 * output past max_bytes. */
#include "gw-html.h"

#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#define MAX_DEPTH 256

typedef struct {
	GString *out;
	gsize max;
	gboolean space;		/* a blank is pending */
} Text;

static gboolean
name_is(const xmlNode *n, const char *const *names)
{
	for (; *names != NULL; names++)
		if (xmlStrcasecmp(n->name, (const xmlChar *)*names) == 0)
			return TRUE;
	return FALSE;
}

static void
put(Text *t, const char *s, gsize len)
{
	if (t->out->len >= t->max)
		return;
	g_string_append_len(t->out, s, MIN(len, t->max - t->out->len));
}

/* Ends the current line; at most one blank line in a row. */
static void
newline(Text *t, gboolean paragraph)
{
	GString *o = t->out;

	t->space = FALSE;
	if (o->len == 0)
		return;
	if (o->str[o->len - 1] != '\n')
		put(t, "\n", 1);
	if (paragraph && o->len >= 2 && o->str[o->len - 2] != '\n')
		put(t, "\n", 1);
}

/* Text with runs of white space folded to one blank. */
static void
put_text(Text *t, const char *s)
{
	for (; *s; s++) {
		if (g_ascii_isspace(*s)) {
			t->space = TRUE;
			continue;
		}
		if ((guchar)s[0] == 0xc2 && (guchar)s[1] == 0xa0) {	/* &nbsp; */
			t->space = TRUE;
			s++;
			continue;
		}
		if (t->space && t->out->len > 0 && t->out->str[t->out->len - 1] != '\n')
			put(t, " ", 1);
		t->space = FALSE;
		put(t, s, 1);
	}
}

static void walk(Text *t, const xmlNode *n, int depth);

static void
walk_element(Text *t, const xmlNode *n, int depth)
{
	static const char *const skip[] = { "script", "style", "head", "title", "template", NULL };
	static const char *const blocks[] = {
		"div", "table", "tr", "ul", "ol", "blockquote", "pre", "section",
		"article", "header", "footer", "form", "dl", "address", NULL,
	};
	static const char *const paragraphs[] = {
		"p", "h1", "h2", "h3", "h4", "h5", "h6", "hr", NULL,
	};
	xmlChar *href = NULL;

	if (name_is(n, skip))
		return;
	if (xmlStrcasecmp(n->name, (const xmlChar *)"br") == 0) {
		newline(t, FALSE);
		return;
	}
	if (name_is(n, paragraphs))
		newline(t, TRUE);
	else if (name_is(n, blocks))
		newline(t, FALSE);
	if (xmlStrcasecmp(n->name, (const xmlChar *)"li") == 0) {
		newline(t, FALSE);
		put(t, "- ", 2);
	} else if (xmlStrcasecmp(n->name, (const xmlChar *)"td") == 0 ||
		   xmlStrcasecmp(n->name, (const xmlChar *)"th") == 0) {
		t->space = TRUE;
	}
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		walk(t, c, depth + 1);
	if (xmlStrcasecmp(n->name, (const xmlChar *)"a") == 0)
		href = xmlGetProp(n, (const xmlChar *)"href");
	if (href != NULL && g_str_has_prefix((char *)href, "http")) {
		put_text(t, " <");
		put(t, (char *)href, strlen((char *)href));
		put(t, ">", 1);
	}
	xmlFree(href);
	if (name_is(n, paragraphs))
		newline(t, TRUE);
	else if (name_is(n, blocks))
		newline(t, FALSE);
}

static void
walk(Text *t, const xmlNode *n, int depth)
{
	if (depth > MAX_DEPTH || t->out->len >= t->max)
		return;
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
		put_text(t, (const char *)n->content);
	else if (n->type == XML_ELEMENT_NODE)
		walk_element(t, n, depth);
	else if (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE)
		for (const xmlNode *c = n->children; c != NULL; c = c->next)
			walk(t, c, depth + 1);
}

char *
gw_html_to_text(const char *html, gsize len, gsize max_bytes)
{
	Text t = { g_string_new(NULL), max_bytes, FALSE };
	htmlDocPtr doc;

	if (len == 0 || len > G_MAXINT)
		return g_string_free(t.out, FALSE);
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
			     HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
			     HTML_PARSE_NOBLANKS);
	if (doc != NULL) {
		walk(&t, (xmlNode *)doc, 0);
		xmlFreeDoc(doc);
	}
	while (t.out->len > 0 && t.out->str[t.out->len - 1] == '\n')
		g_string_truncate(t.out, t.out->len - 1);
	if (t.out->len > 0)
		g_string_append_c(t.out, '\n');
	return g_string_free(t.out, FALSE);
}
