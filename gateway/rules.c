/* rules.c - the rule language: parse, compile with PCRE2, classify.
 *
 * Pure: rule texts come in, verdicts go out.  Owns the compiled
 * patterns.  Must never let one pattern run unbounded: every match has
 * a match limit and a depth limit, and hitting one counts as no match.
 *
 * Grammar, one statement per line ('#' starts a comment line):
 *
 *   rule NAME                  starts a rule; names are unique
 *   when FIELD ~ /RE/FLAGS     the rule needs FIELD to match RE
 *   when FIELD !~ /RE/FLAGS    ... and not to match it
 *   set queue NAME             actions, applied in order when every
 *   set priority LEVEL           'when' of the rule holds (a rule with
 *   tag NAME                     no 'when' always holds)
 *   no-ack
 *   drop
 *   stop                       no later rule is looked at
 *
 * FIELD is subject, from (the address), from-name, body, mailbox, or
 * header NAME.  FLAGS: i (caseless), m (multi-line), s (dot matches
 * newline), x (extended).  LEVEL: low, normal, high, urgent. */
#include "gw-rules.h"

#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

G_DEFINE_QUARK(gw-rules-error-quark, gw_rules_error)

#define MATCH_LIMIT 100000
#define DEPTH_LIMIT 1000
#define MAX_ERRORS 20

typedef enum {
	FIELD_SUBJECT,
	FIELD_FROM,
	FIELD_FROM_NAME,
	FIELD_BODY,
	FIELD_MAILBOX,
	FIELD_HEADER,
} Field;

typedef struct {
	Field field;
	char *header;		/* FIELD_HEADER only */
	gboolean negate;
	pcre2_code *re;
} Condition;

typedef enum {
	ACT_QUEUE,
	ACT_PRIORITY,
	ACT_TAG,
	ACT_NO_ACK,
	ACT_DROP,
	ACT_STOP,
} ActionKind;

typedef struct {
	ActionKind kind;
	char *arg;
} Action;

typedef struct {
	char *name;
	char *where;		/* "file:line" of the rule statement */
	GArray *conditions;	/* Condition */
	GArray *actions;	/* Action */
} Rule;

struct GwRules {
	GPtrArray *rules;	/* Rule* */
	pcre2_match_context *mctx;
	char *version;
};

typedef struct {
	const char *file;
	int line;
	GString *errors;
	int n_errors;
	gboolean jit;
	GHashTable *names;
} Parser;

static void
error_at(Parser *ps, int col, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
error_at(Parser *ps, int col, const char *fmt, ...)
{
	va_list ap;

	if (ps->n_errors++ >= MAX_ERRORS)
		return;
	if (ps->errors->len > 0)
		g_string_append_c(ps->errors, '\n');
	g_string_append_printf(ps->errors, "%s:%d:%d: ", ps->file, ps->line, col);
	va_start(ap, fmt);
	g_string_append_vprintf(ps->errors, fmt, ap);
	va_end(ap);
}

static void
rule_free(gpointer data)
{
	Rule *rule = data;

	for (guint i = 0; i < rule->conditions->len; i++) {
		Condition *c = &g_array_index(rule->conditions, Condition, i);

		g_free(c->header);
		pcre2_code_free(c->re);
	}
	for (guint i = 0; i < rule->actions->len; i++)
		g_free(g_array_index(rule->actions, Action, i).arg);
	g_array_unref(rule->conditions);
	g_array_unref(rule->actions);
	g_free(rule->name);
	g_free(rule->where);
	g_free(rule);
}

/* Splits the next word off *p; NULL at the end of the line. */
static char *
next_word(const char **p)
{
	const char *s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	for (e = s; *e && *e != ' ' && *e != '\t'; e++)
		;
	*p = e;
	return g_strndup(s, e - s);
}

static int
col_of(const char *line, const char *p)
{
	return (int)(p - line) + 1;
}

static gboolean
valid_word(const char *w)
{
	for (const char *c = w; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr("-_.:", *c))
			return FALSE;
	return *w != '\0' && strlen(w) <= 64;
}

/* /RE/FLAGS at *p -> compiled pattern, or NULL after an error. */
static pcre2_code *
parse_pattern(Parser *ps, const char *line, const char *p)
{
	GString *re = g_string_new(NULL);
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	const char *start;
	pcre2_code *code;
	int err;
	PCRE2_SIZE off;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '/') {
		error_at(ps, col_of(line, p), "expected a pattern such as /refund/i");
		g_string_free(re, TRUE);
		return NULL;
	}
	start = ++p;
	for (; *p && *p != '/'; p++) {
		if (*p == '\\' && p[1] == '/')
			p++;	/* \/ is a slash; other escapes are PCRE2's */
		else if (*p == '\\' && p[1] != '\0')
			g_string_append_c(re, *p++);
		g_string_append_c(re, *p);
	}
	if (*p != '/') {
		error_at(ps, col_of(line, start - 1), "the pattern has no closing '/'");
		g_string_free(re, TRUE);
		return NULL;
	}
	for (p++; *p && *p != ' ' && *p != '\t'; p++) {
		switch (*p) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		default:
			error_at(ps, col_of(line, p), "unknown pattern flag '%c' "
				 "(known: i m s x)", *p);
			g_string_free(re, TRUE);
			return NULL;
		}
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0') {
		error_at(ps, col_of(line, p), "unexpected text after the pattern");
		g_string_free(re, TRUE);
		return NULL;
	}
	code = pcre2_compile((PCRE2_SPTR)re->str, re->len, opts, &err, &off, NULL);
	if (code == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(err, msg, sizeof msg);
		error_at(ps, col_of(line, start) + (int)off, "bad pattern: %s", msg);
	} else if (ps->jit) {
		/* Without the JIT (e.g. MemoryDenyWriteExecute) the
		 * interpreter runs the same pattern, only slower. */
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	}
	g_string_free(re, TRUE);
	return code;
}

static void
parse_when(Parser *ps, Rule *rule, const char *line, const char *p)
{
	Condition c = { 0 };
	g_autofree char *field = NULL, *op = NULL;
	const char *at;

	while (*p == ' ' || *p == '\t')
		p++;
	at = p;
	field = next_word(&p);
	if (g_strcmp0(field, "subject") == 0)
		c.field = FIELD_SUBJECT;
	else if (g_strcmp0(field, "from") == 0)
		c.field = FIELD_FROM;
	else if (g_strcmp0(field, "from-name") == 0)
		c.field = FIELD_FROM_NAME;
	else if (g_strcmp0(field, "body") == 0)
		c.field = FIELD_BODY;
	else if (g_strcmp0(field, "mailbox") == 0)
		c.field = FIELD_MAILBOX;
	else if (g_strcmp0(field, "header") == 0) {
		c.field = FIELD_HEADER;
		c.header = next_word(&p);
		if (c.header == NULL || !valid_word(c.header)) {
			error_at(ps, col_of(line, p), "expected a header name after 'header'");
			g_free(c.header);
			return;
		}
	} else {
		error_at(ps, col_of(line, at), "unknown field '%s' (known: subject, "
			 "from, from-name, body, mailbox, header NAME)",
			 field ? field : "");
		return;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	at = p;
	op = next_word(&p);
	if (g_strcmp0(op, "~") == 0 || g_strcmp0(op, "!~") == 0) {
		c.negate = op[0] == '!';
	} else {
		error_at(ps, col_of(line, at), "expected '~' or '!~' after the field");
		g_free(c.header);
		return;
	}
	c.re = parse_pattern(ps, line, p);
	if (c.re == NULL) {
		g_free(c.header);
		return;
	}
	g_array_append_val(rule->conditions, c);
}

static void
add_action(Rule *rule, ActionKind kind, char *arg)
{
	Action a = { kind, arg };

	g_array_append_val(rule->actions, a);
}

static void
parse_set(Parser *ps, Rule *rule, const char *line, const char *p)
{
	static const char *const levels[] = { "low", "normal", "high", "urgent" };
	g_autofree char *what = next_word(&p);
	char *value = next_word(&p);
	g_autofree char *extra = next_word(&p);

	if (value == NULL || extra != NULL) {
		error_at(ps, col_of(line, p), "expected 'set queue NAME' or "
			 "'set priority LEVEL'");
		g_free(value);
		return;
	}
	if (g_strcmp0(what, "queue") == 0 && valid_word(value)) {
		add_action(rule, ACT_QUEUE, value);
		return;
	}
	if (g_strcmp0(what, "priority") == 0) {
		for (gsize i = 0; i < G_N_ELEMENTS(levels); i++)
			if (g_strcmp0(value, levels[i]) == 0) {
				add_action(rule, ACT_PRIORITY, value);
				return;
			}
		error_at(ps, col_of(line, p) - (int)strlen(value),
			 "priority must be low, normal, high or urgent");
	} else {
		error_at(ps, col_of(line, p) - (int)strlen(value),
			 "expected 'set queue NAME' (letters, digits, - _ . :) "
			 "or 'set priority LEVEL'");
	}
	g_free(value);
}

static Rule *
start_rule(Parser *ps, const char *line, const char *p)
{
	g_autofree char *name = next_word(&p);
	g_autofree char *extra = next_word(&p);
	Rule *rule;

	if (name == NULL || !valid_word(name) || extra != NULL) {
		error_at(ps, 1, "expected 'rule NAME' (letters, digits, - _ . :)");
		return NULL;
	}
	if (g_hash_table_contains(ps->names, name)) {
		error_at(ps, 1, "rule '%s' is already defined at %s", name,
			 (char *)g_hash_table_lookup(ps->names, name));
		return NULL;
	}
	(void)line;
	rule = g_new0(Rule, 1);
	rule->name = g_steal_pointer(&name);
	rule->where = g_strdup_printf("%s:%d", ps->file, ps->line);
	rule->conditions = g_array_new(FALSE, TRUE, sizeof(Condition));
	rule->actions = g_array_new(FALSE, TRUE, sizeof(Action));
	g_hash_table_insert(ps->names, g_strdup(rule->name), g_strdup(rule->where));
	return rule;
}

static void
parse_statement(Parser *ps, GPtrArray *rules, Rule **current,
		const char *line, const char *p)
{
	const char *at = p;
	g_autofree char *word = next_word(&p);

	if (g_strcmp0(word, "rule") == 0) {
		*current = start_rule(ps, line, p);
		if (*current != NULL)
			g_ptr_array_add(rules, *current);
		return;
	}
	if (*current == NULL) {
		error_at(ps, col_of(line, at), "'%s' outside a rule: start one "
			 "with 'rule NAME'", word);
		return;
	}
	if (g_strcmp0(word, "when") == 0)
		parse_when(ps, *current, line, p);
	else if (g_strcmp0(word, "set") == 0)
		parse_set(ps, *current, line, p);
	else if (g_strcmp0(word, "tag") == 0) {
		char *tag = next_word(&p);
		g_autofree char *extra = next_word(&p);

		if (tag == NULL || !valid_word(tag) || extra != NULL) {
			error_at(ps, col_of(line, at), "expected 'tag NAME'");
			g_free(tag);
		} else {
			add_action(*current, ACT_TAG, tag);
		}
	} else if (g_strcmp0(word, "no-ack") == 0 || g_strcmp0(word, "drop") == 0 ||
		   g_strcmp0(word, "stop") == 0) {
		g_autofree char *extra = next_word(&p);

		if (extra != NULL)
			error_at(ps, col_of(line, p) - (int)strlen(extra),
				 "'%s' takes no argument", word);
		else
			add_action(*current, word[0] == 'n' ? ACT_NO_ACK :
					     word[0] == 'd' ? ACT_DROP : ACT_STOP,
				   NULL);
	} else {
		error_at(ps, col_of(line, at), "unknown statement '%s' (known: "
			 "rule, when, set, tag, no-ack, drop, stop)", word);
	}
}

static void
parse_file(Parser *ps, const char *text, GPtrArray *rules)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	Rule *current = NULL;

	for (int i = 0; lines[i] != NULL; i++) {
		char *line = lines[i];
		gsize n = strlen(line);
		const char *p = line;

		ps->line = i + 1;
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (!g_utf8_validate(line, -1, NULL)) {
			error_at(ps, 1, "not valid UTF-8");
			continue;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		parse_statement(ps, rules, &current, line, p);
	}
}

GwRules *
gw_rules_compile(GPtrArray *names, GPtrArray *texts, gboolean jit,
		 GError **error)
{
	g_autoptr(GString) errors = g_string_new(NULL);
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
							   g_free, g_free);
	GPtrArray *rules = g_ptr_array_new_with_free_func(rule_free);
	GwRules *set;
	Parser ps = { NULL, 0, errors, 0, jit, seen };

	for (guint i = 0; i < names->len; i++) {
		g_autofree char *base = g_path_get_basename(names->pdata[i]);

		ps.file = names->pdata[i];
		parse_file(&ps, texts->pdata[i], rules);
		g_checksum_update(sum, (const guchar *)base, -1);
		g_checksum_update(sum, (const guchar *)"\n", 1);
		g_checksum_update(sum, texts->pdata[i], -1);
	}
	if (ps.n_errors > 0) {
		if (ps.n_errors > MAX_ERRORS)
			g_string_append_printf(errors, "\n(%d more errors)",
					       ps.n_errors - MAX_ERRORS);
		g_set_error(error, GW_RULES_ERROR, GW_RULES_ERROR_SYNTAX, "%s",
			    errors->str);
		g_ptr_array_unref(rules);
		return NULL;
	}
	set = g_new0(GwRules, 1);
	set->rules = rules;
	set->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(set->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(set->mctx, DEPTH_LIMIT);
	set->version = g_strndup(g_checksum_get_string(sum), 12);
	return set;
}

void
gw_rules_free(GwRules *rules)
{
	if (rules == NULL)
		return;
	g_ptr_array_unref(rules->rules);
	pcre2_match_context_free(rules->mctx);
	g_free(rules->version);
	g_free(rules);
}

guint
gw_rules_count(const GwRules *rules)
{
	return rules->rules->len;
}

const char *
gw_rules_version(const GwRules *rules)
{
	return rules->version;
}

static const char *
field_text(const Condition *c, const GwMail *mail, const char *mailbox)
{
	const char *v = NULL;

	switch (c->field) {
	case FIELD_SUBJECT:	v = gw_mail_subject(mail); break;
	case FIELD_FROM:	v = gw_mail_from_addr(mail); break;
	case FIELD_FROM_NAME:	v = gw_mail_from_name(mail); break;
	case FIELD_BODY:	v = gw_mail_text(mail); break;
	case FIELD_MAILBOX:	v = mailbox; break;
	case FIELD_HEADER:	v = gw_mail_header(mail, c->header); break;
	}
	return v;
}

/* A pattern over its limit counts as no match. */
static gboolean
holds(const GwRules *set, const Condition *c, const GwMail *mail,
      const char *mailbox, pcre2_match_data *md)
{
	const char *text = field_text(c, mail, mailbox);
	int rc;

	if (text == NULL)		/* an absent header matches nothing */
		return c->negate;
	rc = pcre2_match(c->re, (PCRE2_SPTR)text, strlen(text), 0, 0, md,
			 set->mctx);
	return (rc >= 0) != c->negate;
}

static void
apply(const Rule *rule, GwVerdict *verdict, gboolean *stop)
{
	for (guint i = 0; i < rule->actions->len; i++) {
		const Action *a = &g_array_index(rule->actions, Action, i);

		switch (a->kind) {
		case ACT_QUEUE:
			g_free(verdict->queue);
			verdict->queue = g_strdup(a->arg);
			break;
		case ACT_PRIORITY:
			g_free(verdict->priority);
			verdict->priority = g_strdup(a->arg);
			break;
		case ACT_TAG:
			if (!g_ptr_array_find_with_equal_func(verdict->tags, a->arg,
							      g_str_equal, NULL))
				g_ptr_array_add(verdict->tags, g_strdup(a->arg));
			break;
		case ACT_NO_ACK:	verdict->no_ack = TRUE; break;
		case ACT_DROP:		verdict->drop = TRUE; break;
		case ACT_STOP:		*stop = TRUE; break;
		}
	}
}

void
gw_rules_classify(const GwRules *rules, const GwMail *mail,
		  const char *mailbox, GwVerdict *verdict)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	gboolean stop = FALSE;

	for (guint r = 0; r < rules->rules->len && !stop; r++) {
		const Rule *rule = rules->rules->pdata[r];
		gboolean all = TRUE;

		for (guint i = 0; i < rule->conditions->len && all; i++)
			all = holds(rules, &g_array_index(rule->conditions,
							  Condition, i),
				    mail, mailbox, md);
		if (!all)
			continue;
		g_ptr_array_add(verdict->matched, g_strdup(rule->name));
		apply(rule, verdict, &stop);
	}
	pcre2_match_data_free(md);
}

void
gw_verdict_init(GwVerdict *verdict)
{
	memset(verdict, 0, sizeof *verdict);
	verdict->tags = g_ptr_array_new_with_free_func(g_free);
	verdict->matched = g_ptr_array_new_with_free_func(g_free);
}

void
gw_verdict_clear(GwVerdict *verdict)
{
	g_clear_pointer(&verdict->queue, g_free);
	g_clear_pointer(&verdict->priority, g_free);
	g_clear_pointer(&verdict->tags, g_ptr_array_unref);
	g_clear_pointer(&verdict->matched, g_ptr_array_unref);
}
