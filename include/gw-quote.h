/* gw-quote.h - pure: what a customer wrote in a reply, and the score a
 * satisfaction answer gives.
 *
 * No I/O, no clock, no state between calls.  Both read UTF-8 text with
 * LF line ends, as gw_mail_text() lends it, and cost time linear in the
 * text's length. */
#pragma once

#include <glib.h>

/* The new text of a reply: text without the quoted history and without
 * the signature.  Dropped:
 * - quoted lines ("> ", nested or between the person's own answers, and
 *   a quoted line's tail that a client wrapped onto a line of its own),
 *   and snip marks ("[...]", "[snip]") between them;
 * - attribution lines ("On <date>, <name> wrote:" and its German,
 *   French, Spanish, Italian, Dutch, Portuguese, Scandinavian and Polish
 *   forms), also when wrapped over two lines;
 * - from a line on to the end: Outlook's header block (From:/Sent:/To:/
 *   Subject: and localized forms) with the separator above it,
 *   "-----Original Message-----" and its translations, an attribution
 *   followed by unquoted history (HTML mail read as text), the "-- "
 *   signature delimiter and mobile signatures ("Sent from my iPhone").
 * A forward ("Begin forwarded message:", "---------- Forwarded message
 * ---------") is content: it and everything after it are kept.
 * Kept lines are copied unchanged (a CR before the LF dropped); blank
 * lines become empty; where history was dropped between two kept lines,
 * one empty line separates them.  No leading or trailing blank lines, no
 * final line end.
 * Returns a new string (caller frees): "" when nothing is left, NULL
 * only when text is NULL. */
char *gw_quote_new_text(const char *text);

/* The score (1 to 5) a customer gave in answer to "how did we do?", read
 * at the start of new_text: a digit ("4 - quick", "5!", "Score: 3",
 * "3/5", "4 out of 5") or a word of the English, German, French,
 * Spanish or Dutch tables ("five", "very good", "sehr gut", "très bien",
 * "muy malo", "goed") standing as the first clause ("Good - fast", not
 * "Good morning").
 * On TRUE, *score_out is the score and, unless comment_out is NULL,
 * *comment_out the rest of the text with the score removed, trimmed
 * (caller frees; "" if nothing else was said).
 * Returns FALSE, *score_out 0 and *comment_out NULL, when no score can
 * be read: no leading score, a number off the scale ("0", "6", "12",
 * "4.5", "7/10"), or a count of time ("3 days late").  new_text may be
 * NULL (FALSE). */
gboolean gw_quote_score(const char *new_text, int *score_out,
			char **comment_out);
