/* gw-html.h - pure: HTML -> the text a person reads.
 *
 * The only module that includes libxml2.  Uses its HTML parser (which
 * copes with the tag soup mail clients send), then walks the tree:
 * blocks become lines, lists get bullets, links keep their address,
 * scripts, styles and heads are dropped.  Never fetches anything. */
#pragma once

#include <glib.h>

/* UTF-8 HTML of len bytes -> UTF-8 text (caller frees), at most
 * max_bytes; never NULL (unparseable input gives ""). */
char *gw_html_to_text(const char *html, gsize len, gsize max_bytes);
