/* quote.c - the new text of a customer's reply, and the score in a
 * satisfaction answer.
 *
 * Pure: no I/O, no clock.  Owns nothing beyond one call.  The reply is
 * cut into lines once; each line is then looked at a bounded number of
 * times (every look-ahead stops after a few lines, every test of a line
 * reads at most its first few hundred bytes), so a 1 MB reply costs
 * linear time.  Must never drop a line the person wrote unless a mail
 * client's own form says it is history: when in doubt, keep. */
#include "gw-quote.h"

#include <string.h>

#define LOOK_AHEAD 3		/* blank lines allowed between a mark and
				 * the history it introduces */
#define MAX_ATTRIBUTION 400	/* bytes; longer lines are prose */
#define MAX_MARK 120		/* bytes of a signature or separator line */
#define MAX_HEADER_LINES 12	/* lines of an Outlook header block */

typedef struct {
	const char *s;
	gsize len;		/* without the LF and a CR before it */
	gboolean blank;		/* only white space */
	gboolean quoted;	/* starts with '>' after white space */
} Line;

typedef struct {
	Line *v;
	guint n;
} Lines;

/* What to do with a line, and with the span of lines that follows it. */
typedef enum {
	KEEP,			/* the person's text */
	DROP,			/* history: leave out span lines */
	CUT,			/* history or signature from here to the end */
	REST,			/* a forward: keep this and everything after */
} Action;

/* ---- bytes and words ---- */

/* Bytes of white space at s (ASCII blank, CR, or a no-break space). */
static gsize
space_at(const char *s, gsize len)
{
	if (len >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r'))
		return 1;
	if (len >= 2 && (guchar)s[0] == 0xc2 && (guchar)s[1] == 0xa0)
		return 2;
	return 0;
}

static gsize
skip_space(const char *s, gsize len, gsize i)
{
	gsize k;

	while (i < len && (k = space_at(s + i, len - i)) > 0)
		i += k;
	return i;
}

/* Length of s without trailing white space. */
static gsize
trim_end(const char *s, gsize len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	while (len >= 2 && (guchar)s[len - 2] == 0xc2 && (guchar)s[len - 1] == 0xa0)
		len -= 2;
	return len;
}

/* If s starts with word in any letter case, the bytes of s it spans;
 * else 0.  Invalid UTF-8 in s never matches. */
static gsize
match_ci(const char *s, gsize len, const char *word)
{
	const char *p = s, *end = s + len;

	for (const char *w = word; *w != '\0'; w = g_utf8_next_char(w)) {
		gunichar a;

		if (p >= end)
			return 0;
		if ((guchar)*p < 0x80 && (guchar)*w < 0x80) {
			/* both ASCII: the same answer, without the tables */
			if (g_ascii_tolower(*p) != g_ascii_tolower(*w))
				return 0;
			p++;
			continue;
		}
		a = g_utf8_get_char_validated(p, end - p);
		if (a == (gunichar)-1 || a == (gunichar)-2)
			return 0;
		if (g_unichar_tolower(a) != g_unichar_tolower(g_utf8_get_char(w)))
			return 0;
		p = g_utf8_next_char(p);
	}
	return p - s;
}

/* A letter or digit byte (any byte of a multibyte character counts). */
static gboolean
is_wordc(char c)
{
	return g_ascii_isalnum(c) || (guchar)c >= 0x80;
}

/* s ends with word, in any case, starting a word.  XXX: compares the
 * last strlen(word) bytes, which holds for the words used here: their
 * upper and lower case forms have the same UTF-8 length. */
static gboolean
ends_with_ci(const char *s, gsize len, const char *word)
{
	gsize wl = strlen(word), at;

	if (len < wl)
		return FALSE;
	at = len - wl;
	if (match_ci(s + at, wl, word) != wl)
		return FALSE;
	return at == 0 || !is_wordc(s[at - 1]);
}

/* word occurs in s as a whole word, in any case. */
static gboolean
has_word_ci(const char *s, gsize len, const char *word)
{
	gsize k;

	for (gsize i = 0; i < len; i++) {
		if (i > 0 && is_wordc(s[i - 1]))
			continue;
		k = match_ci(s + i, len - i, word);
		if (k > 0 && (i + k == len || !is_wordc(s[i + k])))
			return TRUE;
	}
	return FALSE;
}

/* s starts with one of words (any case), then a non-letter; returns the
 * bytes matched or 0. */
static gsize
starts_with_any(const char *s, gsize len, const char *const *words)
{
	for (; *words != NULL; words++) {
		gsize k = match_ci(s, len, *words);

		if (k > 0 && (k == len || !is_wordc(s[k]) || !is_wordc(s[k - 1])))
			return k;
	}
	return 0;
}

/* ---- lines ---- */

static void
split_lines(const char *text, Lines *ls)
{
	gsize total = strlen(text);
	const char *p = text, *end = text + total, *nl;
	guint cap = 1;

	for (const char *q = text; (q = memchr(q, '\n', end - q)) != NULL; q++)
		cap++;
	ls->v = g_new(Line, cap);
	ls->n = 0;
	while (p <= end) {
		Line *l = &ls->v[ls->n++];
		gsize i;

		nl = memchr(p, '\n', end - p);
		l->s = p;
		l->len = (nl != NULL ? nl : end) - p;
		if (l->len > 0 && p[l->len - 1] == '\r')
			l->len--;
		i = skip_space(l->s, l->len, 0);
		l->blank = i == l->len;
		l->quoted = i < l->len && l->s[i] == '>';
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* The next line from i that is not blank, looking at most LOOK_AHEAD
 * blank lines ahead; ls->n if only blank lines follow; -1 if the look
 * ahead ran out. */
static gint
next_content(const Lines *ls, guint i)
{
	for (guint k = 0; i < ls->n; i++, k++) {
		if (!ls->v[i].blank)
			return (gint)i;
		if (k >= LOOK_AHEAD)
			return -1;
	}
	return (gint)ls->n;
}

/* Quoted history, or nothing at all, follows line i. */
static gboolean
quote_follows(const Lines *ls, guint i)
{
	gint j = next_content(ls, i);

	return j == (gint)ls->n || (j >= 0 && ls->v[j].quoted);
}

/* ---- signatures, separators, forwards ---- */

static const char *const mobile_signatures[] = {
	"Sent from my ", "Sent from Mail for Windows", "Sent from Outlook",
	"Sent from Yahoo Mail", "Sent from Samsung", "Get Outlook for ",
	"Von meinem ", "Gesendet von meinem ", "Gesendet von iPhone",
	"Gesendet von Mail für Windows", "Outlook für ",
	"Envoyé de mon ", "Envoyé depuis mon ", "Obtenir Outlook pour ",
	"Enviado desde mi ", "Enviado desde Outlook", "Obtener Outlook para ",
	"Inviato da iPhone", "Inviato da iPad", "Inviato dal mio ",
	"Scarica Outlook per ", "Verzonden vanaf mijn ", "Verstuurd vanaf mijn ",
	"Outlook voor ", "Enviado do meu ", "Obter o Outlook para ",
	"Skickat från min ", "Sendt fra min ", "Wysłane z ", NULL,
};

/* "-- " (some clients drop the blank) or a phone's signature line:
 * short, and no sentence goes on after it ("Sent from my desk: ..."). */
static gboolean
is_signature(const Line *l)
{
	gsize len = trim_end(l->s, l->len);
	const char *link;

	if (len == 2 && memcmp(l->s, "--", 2) == 0)
		return TRUE;
	if (len > MAX_MARK)
		return FALSE;
	link = memchr(l->s, '<', len);	/* "Get Outlook for iOS<https://...>" */
	if (link != NULL)
		len = link - l->s;
	if (len > 60 || memchr(l->s, ':', len) != NULL ||
	    memchr(l->s, ';', len) != NULL || memchr(l->s, '?', len) != NULL)
		return FALSE;
	for (const char *const *m = mobile_signatures; *m != NULL; m++)
		if (match_ci(l->s, len, *m) > 0)
			return TRUE;
	return FALSE;
}

/* The words of a "-----Original Message-----" line, dashes and blanks
 * trimmed, if it is one; else len 0. */
static gsize
dashed_words(const Line *l, const char **words)
{
	gsize a = skip_space(l->s, l->len, 0), b = trim_end(l->s, l->len), d;

	for (d = 0; a < b && l->s[a] == '-'; a++, d++)
		;
	if (d < 2)
		return 0;
	for (d = 0; b > a && l->s[b - 1] == '-'; b--, d++)
		;
	if (d < 2)
		return 0;
	a = skip_space(l->s, b, a);
	b = trim_end(l->s, b);
	*words = l->s + a;
	return b > a ? b - a : 0;
}

static const char *const original_message[] = {
	"Original Message", "Ursprüngliche Nachricht", "Original-Nachricht",
	"Originalnachricht", "Message d'origine", "Message original",
	"Mensaje original", "Messaggio originale", "Oorspronkelijk bericht",
	"Origineel bericht", "Mensagem original", "Ursprungligt meddelande",
	"Oprindelig meddelelse", "Opprinnelig melding", "Wiadomość oryginalna",
	NULL,
};

static const char *const forwarded_dashed[] = {
	"Forwarded message", "Forwarded Message", "Weitergeleitete Nachricht",
	"Message transféré", "Mensaje reenviado", "Messaggio inoltrato",
	"Doorgestuurd bericht", "Mensagem encaminhada",
	"Vidarebefordrat meddelande", "Videresendt meddelelse",
	"Videresendt melding", "Wiadomość przekazana", NULL,
};

static const char *const forwarded_begin[] = {
	"Begin forwarded message:", "Anfang der weitergeleiteten Nachricht:",
	"Début du message réexpédié :", "Début du message transféré :",
	"Comienzo del mensaje reenviado:", "Inizio messaggio inoltrato:",
	"Begin doorgestuurd bericht:", "Início da mensagem reencaminhada:",
	"Vidarebefordrat mejl:", "Videresendt besked:", NULL,
};

/* Whole-line match of the trimmed s against one of lines. */
static gboolean
is_one_of(const char *s, gsize len, const char *const *lines)
{
	for (; *lines != NULL; lines++)
		if (match_ci(s, len, *lines) == len && len > 0)
			return TRUE;
	return FALSE;
}

static gboolean
is_dashed(const Line *l, const char *const *names)
{
	const char *w = NULL;
	gsize len;

	if (l->len > MAX_MARK)
		return FALSE;
	len = dashed_words(l, &w);
	return len > 0 && is_one_of(w, len, names);
}

static gboolean
is_forward(const Line *l)
{
	gsize a, b;

	if (l->len > MAX_MARK)
		return FALSE;
	if (is_dashed(l, forwarded_dashed))
		return TRUE;
	a = skip_space(l->s, l->len, 0);
	b = trim_end(l->s, l->len);
	return b > a && is_one_of(l->s + a, b - a, forwarded_begin);
}

/* A line of ten or more underscores: Outlook's rule above its headers. */
static gboolean
is_rule(const Line *l)
{
	gsize a = skip_space(l->s, l->len, 0), b = trim_end(l->s, l->len);

	if (b < a + 10 || b - a > MAX_MARK)
		return FALSE;
	for (gsize i = a; i < b; i++)
		if (l->s[i] != '_')
			return FALSE;
	return TRUE;
}

/* A line the person put in place of quoted lines they cut: a snip mark
 * next to quoted lines. */
static gboolean
is_snip(const Lines *ls, guint i)
{
	static const char *const snips[] = {
		"[...]", "[…]", "[..]", "...", "…", "<...>", "[snip]",
		"<snip>", "[ snip ]", "(snip)", "snip", "[schnipp]", NULL,
	};
	const Line *l = &ls->v[i];
	gsize a = skip_space(l->s, l->len, 0), b = trim_end(l->s, l->len);
	gint next = next_content(ls, i + 1);
	guint k = i;

	if (b <= a || b - a > 12 || !is_one_of(l->s + a, b - a, snips))
		return FALSE;
	if (next >= 0 && next < (gint)ls->n && ls->v[next].quoted)
		return TRUE;
	while (k > 0 && i - k < LOOK_AHEAD && ls->v[k - 1].blank)
		k--;
	return k > 0 && ls->v[k - 1].quoted;
}

/* ---- Outlook's header block ---- */

enum {
	KEY_FROM = 1, KEY_DATE = 2, KEY_TO = 4, KEY_SUBJECT = 8, KEY_CC = 16,
};

static const struct {
	const char *name;
	guint kind;
} header_keys[] = {
	{ "From", KEY_FROM }, { "Von", KEY_FROM }, { "De", KEY_FROM },
	{ "Da", KEY_FROM }, { "Van", KEY_FROM }, { "Fra", KEY_FROM },
	{ "Från", KEY_FROM }, { "Od", KEY_FROM },
	{ "Sent", KEY_DATE }, { "Date", KEY_DATE }, { "Gesendet", KEY_DATE },
	{ "Datum", KEY_DATE }, { "Envoyé", KEY_DATE }, { "Enviado", KEY_DATE },
	{ "Enviada em", KEY_DATE }, { "Fecha", KEY_DATE },
	{ "Inviato", KEY_DATE }, { "Data", KEY_DATE },
	{ "Verzonden", KEY_DATE }, { "Sendt", KEY_DATE },
	{ "Skickat", KEY_DATE }, { "Wysłano", KEY_DATE },
	{ "To", KEY_TO }, { "An", KEY_TO }, { "À", KEY_TO }, { "A", KEY_TO },
	{ "Para", KEY_TO }, { "Aan", KEY_TO }, { "Til", KEY_TO },
	{ "Till", KEY_TO }, { "Do", KEY_TO },
	{ "Subject", KEY_SUBJECT }, { "Betreff", KEY_SUBJECT },
	{ "Objet", KEY_SUBJECT }, { "Asunto", KEY_SUBJECT },
	{ "Oggetto", KEY_SUBJECT }, { "Onderwerp", KEY_SUBJECT },
	{ "Assunto", KEY_SUBJECT }, { "Emne", KEY_SUBJECT },
	{ "Ämne", KEY_SUBJECT }, { "Temat", KEY_SUBJECT },
	{ "Cc", KEY_CC }, { "Kopie", KEY_CC }, { "Cco", KEY_CC },
};

/* The kind of "Key: value" line l is ("*From:*" too, as HTML mail's
 * bold keys read), or 0. */
static guint
header_key(const Line *l)
{
	gsize len = MIN(l->len, 40), i = skip_space(l->s, len, 0);

	if (i < len && l->s[i] == '*')
		i++;
	for (gsize k = 0; k < G_N_ELEMENTS(header_keys); k++) {
		gsize m = match_ci(l->s + i, len - i, header_keys[k].name), j;

		if (m == 0 || (i + m < len && is_wordc(l->s[i + m])))
			continue;
		j = skip_space(l->s, len, i + m);
		if (j < len && l->s[j] == '*')
			j++;
		j = skip_space(l->s, len, j);
		if (j < len && l->s[j] == ':')
			return header_keys[k].kind;
	}
	return 0;
}

/* If line i starts a client's header block (a From line, then two more
 * kinds of header, or just a Date line as Mew writes), the number of
 * kinds in it, with *end_out the line after its last header line; else
 * 0.  Up to two lines of wrapped values may sit between header lines. */
static guint
header_block(const Lines *ls, guint i, guint *end_out)
{
	guint kinds = 0, wrapped = 0, count = 0;

	*end_out = i;
	if (header_key(&ls->v[i]) != KEY_FROM)
		return 0;
	for (guint j = i; j < ls->n && j < i + MAX_HEADER_LINES; j++) {
		guint k;

		if (ls->v[j].blank || ls->v[j].quoted)
			break;
		k = header_key(&ls->v[j]);
		if (k == 0 && ++wrapped > 2)
			break;
		if (k == 0)
			continue;
		if ((kinds & k) == 0)
			count++;
		kinds |= k;
		*end_out = j + 1;
	}
	if (count >= 3 || kinds == (KEY_FROM | KEY_DATE))
		return count;
	return 0;
}

/* ---- attribution lines ---- */

static const char *const attribution_ends[] = {	/* "... <verb>:" */
	"wrote", "writes", "a écrit", "escribió", "ha scritto", "escreveu",
	"napisał(a)", "napisał", "napisała", "pisze", "kirjoitti", "napsal",
	"написал", "написала", NULL,
};

static const char *const attribution_verbs[] = {	/* "... <verb> ...:" */
	"schrieb", "schreef", "skrev", "wrote on", "a scris", NULL,
};

static const char *const attribution_leads[] = {	/* "<lead> ...:" */
	"Excerpts from ", "Quoting ", "Zitat von ", NULL,
};

/* A head an attribution wrapped over two lines starts with. */
static const char *const attribution_heads[] = {
	"On", "At", "Am", "Le", "El", "Il", "Op", "Em", "Den", "W dniu",
	"Dne", NULL,
};

/* s reads as "On <date>, <name> wrote:" in one of its forms. */
static gboolean
is_attribution_text(const char *s, gsize len)
{
	const char *const *v;

	len = trim_end(s, len);
	if (len < 3 || len > MAX_ATTRIBUTION || s[len - 1] != ':')
		return FALSE;
	len = trim_end(s, len - 1);
	for (v = attribution_ends; *v != NULL; v++)
		if (ends_with_ci(s, len, *v))
			return TRUE;
	for (v = attribution_verbs; *v != NULL; v++)
		if (has_word_ci(s, len, *v))
			return TRUE;
	return starts_with_any(s + skip_space(s, len, 0), len, attribution_leads) > 0;
}

/* An address or a time of day: the attribution is a client's, not a
 * sentence that happens to end in "wrote:". */
static gboolean
is_strong(const char *s, gsize len)
{
	if (memchr(s, '@', len) != NULL)
		return TRUE;
	for (gsize i = 0; i + 3 < len; i++)
		if (g_ascii_isdigit(s[i]) && (s[i + 1] == ':' || s[i + 1] == '.') &&
		    g_ascii_isdigit(s[i + 2]) && g_ascii_isdigit(s[i + 3]))
			return TRUE;
	return FALSE;
}

static gboolean
has_digit(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (g_ascii_isdigit(s[i]))
			return TRUE;
	return FALSE;
}

/* A line that names an address and ends in ':' right above quoted
 * lines: an attribution in a form of its own ("* Ann <ann@example.org>
 * [2024-03-12 10:15]:"), as many clients let people write. */
static gboolean
is_custom_attribution(const Lines *ls, guint i)
{
	const Line *l = &ls->v[i];
	gsize len = trim_end(l->s, l->len);
	const char *at;

	if (len < 5 || len > MAX_ATTRIBUTION / 2 || l->s[len - 1] != ':')
		return FALSE;
	at = memchr(l->s, '@', len);
	if (at == NULL || at == l->s || !is_wordc(at[-1]) ||
	    at + 1 >= l->s + len || !is_wordc(at[1]))
		return FALSE;
	return i + 1 < ls->n && (ls->v[i + 1].quoted ||
				 (ls->v[i + 1].blank && i + 2 < ls->n && ls->v[i + 2].quoted));
}

/* Lines at i that form an attribution (0, 1 or 2); *strong_out says if
 * it carries an address or a time. */
static guint
attribution(const Lines *ls, guint i, gboolean *strong_out)
{
	const Line *a = &ls->v[i], *b = i + 1 < ls->n ? &ls->v[i + 1] : NULL;
	gboolean starts = i == 0 || ls->v[i - 1].blank || ls->v[i - 1].quoted;
	gsize h = skip_space(a->s, a->len, 0);
	char joined[2 * MAX_ATTRIBUTION + 2];

	if (is_attribution_text(a->s, a->len) || is_custom_attribution(ls, i)) {
		*strong_out = is_strong(a->s, a->len);
		return 1;
	}
	if (b == NULL || b->blank || b->quoted || !starts ||
	    a->len > MAX_ATTRIBUTION || b->len > MAX_ATTRIBUTION ||
	    trim_end(a->s, a->len) == 0 || a->s[trim_end(a->s, a->len) - 1] == ':')
		return 0;
	if (starts_with_any(a->s + h, a->len - h, attribution_heads) == 0 &&
	    !has_digit(a->s, a->len))
		return 0;
	memcpy(joined, a->s, a->len);
	joined[a->len] = ' ';
	memcpy(joined + a->len + 1, b->s, b->len);
	if (!is_attribution_text(joined, a->len + 1 + b->len))
		return 0;
	*strong_out = is_strong(joined, a->len + 1 + b->len);
	return 2;
}

/* ---- one line's fate ---- */

/* The tail of a quoted line that the client wrapped onto a line of its
 * own: short, between two quoted lines, after a long line that stopped
 * mid-sentence. */
static gboolean
is_wrapped_tail(const Lines *ls, guint i)
{
	const Line *prev, *l = &ls->v[i];
	gsize plen;

	if (i == 0 || i + 1 >= ls->n || !ls->v[i - 1].quoted || !ls->v[i + 1].quoted)
		return FALSE;
	prev = &ls->v[i - 1];
	plen = trim_end(prev->s, prev->len);
	if (plen < 60 || trim_end(l->s, l->len) > 30)
		return FALSE;
	return strchr(".?!:;", prev->s[plen - 1]) == NULL;
}

/* History that starts with a From line (Mew's From/Date pair, Outlook's
 * block): dropped if quoted text follows, else the rest is history. */
static Action
classify_header(const Lines *ls, guint i, guint *span)
{
	guint end, kinds = header_block(ls, i, &end);

	if (kinds == 0)
		return KEEP;
	*span = end - i;
	if (quote_follows(ls, end))
		return DROP;
	return kinds >= 3 ? CUT : KEEP;
}

static Action
classify_attribution(const Lines *ls, guint i, guint *span)
{
	gboolean strong = FALSE;
	guint n = attribution(ls, i, &strong);

	if (n == 0)
		return KEEP;
	*span = n;
	if (quote_follows(ls, i + n))
		return DROP;
	return strong ? CUT : KEEP;
}

static Action
classify(const Lines *ls, guint i, guint *span)
{
	const Line *l = &ls->v[i];
	guint end;
	gint j;
	Action a;

	*span = 1;
	if (l->quoted)
		return DROP;
	if (is_forward(l))
		return REST;
	if (is_signature(l) || is_dashed(l, original_message))
		return CUT;
	if (is_rule(l)) {
		j = next_content(ls, i + 1);
		if (j >= 0 && j < (gint)ls->n && header_block(ls, j, &end) >= 3)
			return CUT;
	}
	if ((a = classify_header(ls, i, span)) != KEEP)
		return a;
	if ((a = classify_attribution(ls, i, span)) != KEEP)
		return a;
	*span = 1;
	if (is_snip(ls, i) || is_wrapped_tail(ls, i))
		return DROP;
	return KEEP;
}

/* ---- output ---- */

typedef struct {
	GString *out;
	guint blanks;		/* blank lines since the last kept line */
	gboolean dropped;	/* history dropped since the last kept line */
} Out;

static void
keep(Out *o, const Line *l)
{
	if (o->out->len > 0) {
		guint n = o->dropped ? 1 : o->blanks;

		g_string_append_c(o->out, '\n');
		for (guint k = 0; k < n; k++)
			g_string_append_c(o->out, '\n');
	}
	g_string_append_len(o->out, l->s, l->len);
	o->blanks = 0;
	o->dropped = FALSE;
}

char *
gw_quote_new_text(const char *text)
{
	Lines ls;
	Out o = { NULL, 0, FALSE };
	gboolean rest = FALSE;

	if (text == NULL)
		return NULL;
	split_lines(text, &ls);
	o.out = g_string_sized_new(MIN(strlen(text), 4096));
	for (guint i = 0, span = 1; i < ls.n; i += span) {
		Action a = KEEP;

		span = 1;
		if (ls.v[i].blank) {
			o.blanks++;
			continue;
		}
		if (!rest)
			a = classify(&ls, i, &span);
		if (a == CUT)
			break;
		if (a == DROP)
			o.dropped = TRUE;
		if (a == REST)
			rest = TRUE;
		if (a != DROP)
			keep(&o, &ls.v[i]);
	}
	g_free(ls.v);
	return g_string_free(o.out, FALSE);
}

/* ---- the score in a satisfaction answer ---- */

typedef struct {
	const char *word;
	int score;
} ScoreWord;

/* Longer phrases first where one starts another ("very good", "good"). */
static const ScoreWord score_words[] = {
	/* English */
	{ "very poor", 1 }, { "very bad", 1 }, { "terrible", 1 },
	{ "awful", 1 }, { "very good", 5 }, { "excellent", 5 },
	{ "one", 1 }, { "two", 2 }, { "three", 3 }, { "four", 4 },
	{ "five", 5 }, { "poor", 2 }, { "bad", 2 }, { "okay", 3 }, { "ok", 3 },
	{ "fair", 3 }, { "average", 3 }, { "good", 4 }, { "great", 5 },
	/* German */
	{ "sehr schlecht", 1 }, { "sehr gut", 5 }, { "ausgezeichnet", 5 },
	{ "hervorragend", 5 }, { "eins", 1 }, { "zwei", 2 }, { "drei", 3 },
	{ "vier", 4 }, { "fünf", 5 }, { "schlecht", 2 }, { "geht so", 3 },
	{ "mittel", 3 }, { "befriedigend", 3 }, { "gut", 4 },
	/* French */
	{ "très mauvais", 1 }, { "très bien", 5 }, { "très bon", 5 },
	{ "un", 1 }, { "une", 1 }, { "deux", 2 }, { "trois", 3 },
	{ "quatre", 4 }, { "cinq", 5 }, { "mauvais", 2 }, { "moyen", 3 },
	{ "correct", 3 }, { "passable", 3 }, { "bien", 4 }, { "bon", 4 },
	/* Spanish */
	{ "muy malo", 1 }, { "muy mal", 1 }, { "muy bueno", 5 },
	{ "muy bien", 5 }, { "excelente", 5 }, { "uno", 1 }, { "dos", 2 },
	{ "tres", 3 }, { "cuatro", 4 }, { "cinco", 5 }, { "malo", 2 },
	{ "mal", 2 }, { "regular", 3 }, { "normal", 3 }, { "bueno", 4 },
	/* Dutch */
	{ "zeer slecht", 1 }, { "heel slecht", 1 }, { "zeer goed", 5 },
	{ "heel goed", 5 }, { "uitstekend", 5 }, { "een", 1 }, { "één", 1 },
	{ "twee", 2 }, { "drie", 3 }, { "vijf", 5 }, { "slecht", 2 },
	{ "matig", 3 }, { "redelijk", 3 }, { "voldoende", 3 }, { "goed", 4 },
};

/* Labels a score may follow: "Score: 3", "Note : 4", "Bewertung 5". */
static const char *const score_labels[] = {
	"score", "rating", "note", "bewertung", "punkte", "puntuación",
	"puntuacion", "calificación", "nota", "cijfer", "beoordeling", NULL,
};

/* Words after a score that make it a count of time, not a score. */
static const char *const time_units[] = {
	"day", "days", "week", "weeks", "hour", "hours", "month", "months",
	"minute", "minutes", "year", "years", "times", "Tag", "Tage", "Tagen",
	"Woche", "Wochen", "Stunde", "Stunden", "Monat", "Monate", "Monaten",
	"Jahr", "Jahre", "jour", "jours", "semaine", "semaines", "heure",
	"heures", "mois", "an", "ans", "día", "días", "dia", "dias", "semana",
	"semanas", "hora", "horas", "mes", "meses", "dag", "dagen", "weken",
	"uur", "maand", "maanden", NULL,
};

/* "stars" after a score. */
static const char *const star_words[] = {
	"stars", "star", "Sternen", "Sterne", "Stern", "étoiles", "étoile",
	"estrellas", "estrella", "sterren", "ster", NULL,
};

/* Denominators: "/5", "out of 5", "von 5". */
static const char *const out_of[] = {
	"out of", "of", "von", "sur", "de", "van", NULL,
};

/* The whole word at s (len bytes) is one of words. */
static gboolean
word_is(const char *s, gsize len, const char *const *words)
{
	gsize k = starts_with_any(s, len, words);

	return k > 0 && (k == len || !is_wordc(s[k]));
}

/* After a digit score: "/5" or "out of 5"; FALSE if another scale. */
static gboolean
skip_denominator(const char *s, gsize len, gsize *i)
{
	gsize j = skip_space(s, len, *i), k;

	if (j < len && s[j] == '/')
		j++;
	else if ((k = starts_with_any(s + j, len - j, out_of)) > 0 && j > *i)
		j += k;
	else
		return TRUE;
	j = skip_space(s, len, j);
	if (j >= len || !g_ascii_isdigit(s[j]))
		return TRUE;	/* "4 of the agents": no denominator */
	if (s[j] != '5' || (j + 1 < len && is_wordc(s[j + 1])))
		return FALSE;
	*i = j + 1;
	return TRUE;
}

/* A digit 1-5 at s[*i], then optional "/5"; advances *i. */
static int
read_digit(const char *s, gsize len, gsize *i)
{
	gsize j = *i;
	int score;

	if (j >= len || s[j] < '1' || s[j] > '5')
		return 0;
	score = s[j] - '0';
	j++;
	if (j < len && is_wordc(s[j]))
		return 0;	/* "12", "2nd" */
	if (j + 1 < len && (s[j] == '.' || s[j] == ',') && g_ascii_isdigit(s[j + 1]))
		return 0;	/* "4.5" */
	if (!skip_denominator(s, len, &j))
		return 0;
	if (word_is(s + skip_space(s, len, j), len - skip_space(s, len, j), time_units))
		return 0;
	*i = j;
	return score;
}

/* A word of the table standing as the first clause; advances *i. */
static int
read_word(const char *s, gsize len, gsize *i)
{
	gsize best = 0, j;
	int score = 0;

	for (gsize k = 0; k < G_N_ELEMENTS(score_words); k++) {
		gsize m = match_ci(s + *i, len - *i, score_words[k].word);

		if (m > best && (*i + m == len || !is_wordc(s[*i + m]))) {
			best = m;
			score = score_words[k].score;
		}
	}
	if (score == 0)
		return 0;
	j = skip_space(s, len, *i + best);
	if (j < len && is_wordc(s[j]) && !word_is(s + j, len - j, star_words))
		return 0;	/* "Good morning", "one more thing" */
	*i += best;
	return score;
}

/* White space, line ends included. */
static gsize
skip_lines(const char *s, gsize len, gsize i)
{
	while ((i = skip_space(s, len, i)) < len && s[i] == '\n')
		i++;
	return i;
}

/* Punctuation and blanks between a score and the comment. */
static gsize
skip_separators(const char *s, gsize len, gsize i)
{
	static const char *const dashes[] = { "–", "—", NULL };
	gsize k;

	for (;;) {
		i = skip_lines(s, len, i);
		if (i < len && strchr("-:.,;!)*=/", s[i]) != NULL)
			i++;
		else if (i < len && (k = starts_with_any(s + i, len - i, dashes)) > 0)
			i += k;
		else
			return i;
	}
}

gboolean
gw_quote_score(const char *new_text, int *score_out, char **comment_out)
{
	const char *s = new_text;
	gsize len, i, k;
	int score;

	g_return_val_if_fail(score_out != NULL, FALSE);
	*score_out = 0;
	if (comment_out != NULL)
		*comment_out = NULL;
	if (s == NULL)
		return FALSE;
	len = strlen(s);
	i = skip_lines(s, len, 0);
	if ((k = starts_with_any(s + i, len - i, score_labels)) > 0) {
		i = skip_space(s, len, i + k);
		if (i < len && (s[i] == ':' || s[i] == '='))
			i++;
		i = skip_space(s, len, i);
	}
	score = read_digit(s, len, &i);
	if (score == 0)
		score = read_word(s, len, &i);
	if (score == 0)
		return FALSE;
	i = skip_space(s, len, i);
	if ((k = starts_with_any(s + i, len - i, star_words)) > 0)
		i += k;
	*score_out = score;
	if (comment_out != NULL)
		*comment_out = g_strstrip(g_strdup(s + skip_separators(s, len, i)));
	return TRUE;
}
