/* rules.c - the rule language: parse, compile with PCRE2, classify.
 *
 * Pure: rule texts come in, verdicts go out.  Owns the compiled
 * patterns.  Must never let one pattern run unbounded: every match has
 * a match limit and a depth limit, and hitting one counts as no match
 * (the verdict names the rule so that the caller can log it).  A
 * pattern runs only when the field holds one of the literals it cannot
 * match without, and from where the first of those it begins with is
 * (gw-prefilter.h): one scan of each field finds them all.
 * packaging/plaint-rules.5 documents the language for admins; in short,
 * one statement per line, '#' starts a comment line:
 *
 *   rule NAME                    starts a rule; names are unique
 *   when FIELD ~ /RE/FLAGS       the rule needs FIELD to match RE
 *   when FIELD !~ /RE/FLAGS      ... or not to match it
 *   when size > 2M               also <, >=, <=; suffixes k and M
 *   any | all | not  ...  end    a group of tests: one of them holds,
 *                                all of them hold, none of them holds
 *   set queue NAME               actions, applied in order when the
 *   set priority LEVEL           rule's tests hold (a rule with no test
 *   set template NAME            always holds)
 *   assign AGENT
 *   tag NAME
 *   no-ack | drop | stop
 *
 * FIELD: subject, from, from-domain, from-name, to, cc, body, mailbox,
 * attachment-name, attachment-type, header NAME.  FLAGS: i m s x. */
#include "gw-rules.h"

#include <string.h>

#include "gw-prefilter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

G_DEFINE_QUARK(gw-rules-error-quark, gw_rules_error)

#define MATCH_LIMIT 100000
#define DEPTH_LIMIT 1000
#define MAX_ERRORS 20
#define MAX_DEPTH 16	/* nesting of any/all/not */
#define TRACE_CHARS 200

typedef enum {
	FIELD_SUBJECT,
	FIELD_FROM,
	FIELD_FROM_DOMAIN,
	FIELD_FROM_NAME,
	FIELD_TO,
	FIELD_CC,
	FIELD_BODY,
	FIELD_MAILBOX,
	FIELD_ATTACHMENT_NAME,
	FIELD_ATTACHMENT_TYPE,
	FIELD_HEADER,
	FIELD_SIZE,
} Field;

static const char *const field_names[] = {
	[FIELD_SUBJECT] = "subject",
	[FIELD_FROM] = "from",
	[FIELD_FROM_DOMAIN] = "from-domain",
	[FIELD_FROM_NAME] = "from-name",
	[FIELD_TO] = "to",
	[FIELD_CC] = "cc",
	[FIELD_BODY] = "body",
	[FIELD_MAILBOX] = "mailbox",
	[FIELD_ATTACHMENT_NAME] = "attachment-name",
	[FIELD_ATTACHMENT_TYPE] = "attachment-type",
	[FIELD_HEADER] = "header",
	[FIELD_SIZE] = "size",
};

typedef enum { NODE_TEST, NODE_ALL, NODE_ANY, NODE_NOT } NodeKind;

typedef enum { SIZE_LT, SIZE_LE, SIZE_GT, SIZE_GE } SizeOp;

typedef struct Node Node;
struct Node {
	NodeKind kind;
	int line;
	/* NODE_TEST */
	Field field;
	char *header;		/* FIELD_HEADER */
	gboolean negate;	/* !~ */
	pcre2_code *re;
	GArray *need;		/* literal ids, one of which a match needs
				 * (gw-prefilter.h), or NULL: always run */
	GArray *start;		/* one of which a match begins with, or NULL */
	SizeOp size_op;		/* FIELD_SIZE */
	guint64 size;
	/* groups */
	GPtrArray *children;	/* Node* */
};

typedef enum {
	ACT_QUEUE,
	ACT_PRIORITY,
	ACT_TEMPLATE,
	ACT_ASSIGN,
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
	Node *root;		/* NODE_ALL */
	GArray *actions;	/* Action */
} Rule;

struct GwRules {
	GPtrArray *rules;	/* Rule* */
	GwPrefilter *prefilter;	/* the literals of every pattern */
	gboolean check_prefilter; /* run PCRE2 anyway, abort on a miss */
	GPtrArray *warnings;	/* char*, NULL-terminated */
	pcre2_match_context *mctx;
	char *version;
};

typedef struct {
	const char *file;
	int line;
	GString *errors;
	int n_errors;
	gboolean jit;
	GwPrefilter *prefilter;
	GHashTable *names;	/* rule name -> "file:line" */
	Rule *rule;		/* the rule being read, or NULL */
	GPtrArray *open;	/* Node* groups open in it; [0] is the root */
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
node_free(gpointer data)
{
	Node *node = data;

	if (node == NULL)
		return;
	g_free(node->header);
	if (node->re != NULL)
		pcre2_code_free(node->re);
	if (node->need != NULL)
		g_array_unref(node->need);
	if (node->start != NULL)
		g_array_unref(node->start);
	if (node->children != NULL)
		g_ptr_array_unref(node->children);
	g_free(node);
}

static Node *
node_new_group(NodeKind kind, int line)
{
	Node *node = g_new0(Node, 1);

	node->kind = kind;
	node->line = line;
	node->children = g_ptr_array_new_with_free_func(node_free);
	return node;
}

static void
rule_free(gpointer data)
{
	Rule *rule = data;

	for (guint i = 0; i < rule->actions->len; i++)
		g_free(g_array_index(rule->actions, Action, i).arg);
	g_array_unref(rule->actions);
	node_free(rule->root);
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

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
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
		if (!g_ascii_isalnum(*c) && !strchr("-_.:@+", *c))
			return FALSE;
	return *w != '\0' && strlen(w) <= 64;
}

static guint32
parse_flags(Parser *ps, const char *line, const char **pp)
{
	guint32 opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	const char *p = *pp;

	for (; *p && *p != ' ' && *p != '\t'; p++) {
		switch (*p) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		default:
			error_at(ps, col_of(line, p),
				 "unknown pattern flag '%c' (known: i m s x)", *p);
			return 0;
		}
	}
	*pp = p;
	return opts;
}

/* /RE/FLAGS at p, to the end of the line -> compiled pattern, or NULL
 * after an error. */
static pcre2_code *
parse_pattern(Parser *ps, const char *line, const char *p, Node *node)
{
	g_autoptr(GString) re = g_string_new(NULL);
	const char *start;
	pcre2_code *code;
	guint32 opts;
	int err;
	PCRE2_SIZE off;

	p = skip_blanks(p);
	if (*p != '/') {
		error_at(ps, col_of(line, p), "expected a pattern such as /refund/i");
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
		return NULL;
	}
	p++;
	opts = parse_flags(ps, line, &p);
	if (opts == 0)
		return NULL;
	p = skip_blanks(p);
	if (*p != '\0') {
		error_at(ps, col_of(line, p), "unexpected text after the pattern");
		return NULL;
	}
	code = pcre2_compile((PCRE2_SPTR)re->str, re->len, opts, &err, &off, NULL);
	if (code == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(err, msg, sizeof msg);
		error_at(ps, col_of(line, start) + (int)off, "bad pattern: %s", msg);
	} else {
		/* Without the JIT (e.g. MemoryDenyWriteExecute) the
		 * interpreter runs the same pattern, only slower. */
		if (ps->jit)
			pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
		gw_prefilter_add(ps->prefilter, re->str, re->len,
				 (opts & PCRE2_CASELESS) != 0,
				 (opts & PCRE2_EXTENDED) != 0, &node->need, &node->start);
	}
	return code;
}

/* "size OP N[k|M]" */
static gboolean
parse_size(Parser *ps, Node *node, const char *line, const char *p)
{
	static const char *const ops[] = { "<", "<=", ">", ">=" };
	const char *at = skip_blanks(p);
	g_autofree char *op = next_word(&p);
	g_autofree char *num = next_word(&p);
	g_autofree char *extra = next_word(&p);
	char *end = NULL;
	guint64 n;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(ops); i++)
		if (g_strcmp0(op, ops[i]) == 0)
			break;
	if (i == G_N_ELEMENTS(ops) || num == NULL || extra != NULL) {
		error_at(ps, col_of(line, at), "expected 'size > N', with <, <=, > "
			 "or >= and N in bytes or with k or M");
		return FALSE;
	}
	n = g_ascii_strtoull(num, &end, 10);
	if (end == num || (*end != '\0' && g_ascii_strcasecmp(end, "k") != 0 &&
			   g_ascii_strcasecmp(end, "m") != 0) || n > (1u << 30)) {
		error_at(ps, col_of(line, at) + (int)strlen(op) + 1,
			 "'%s' is not a size such as 500, 100k or 2M", num);
		return FALSE;
	}
	node->size_op = (SizeOp)i;
	node->size = n * (*end == '\0' ? 1 : g_ascii_tolower(*end) == 'k' ? 1024
									     : 1024 * 1024);
	return TRUE;
}

static gboolean
parse_field(Parser *ps, Node *node, const char *line, const char **pp)
{
	const char *at = skip_blanks(*pp);
	g_autofree char *field = next_word(pp);

	for (gsize i = 0; i < G_N_ELEMENTS(field_names); i++) {
		if (g_strcmp0(field, field_names[i]) != 0)
			continue;
		node->field = (Field)i;
		if (node->field != FIELD_HEADER)
			return TRUE;
		at = skip_blanks(*pp);
		node->header = next_word(pp);
		if (node->header == NULL || !valid_word(node->header)) {
			error_at(ps, col_of(line, at), "expected a header name after 'header'");
			return FALSE;
		}
		return TRUE;
	}
	error_at(ps, col_of(line, at), "unknown field '%s' (known: subject, from, "
		 "from-domain, from-name, to, cc, body, mailbox, attachment-name, "
		 "attachment-type, size, header NAME)", field ? field : "");
	return FALSE;
}

static Node *
parse_when(Parser *ps, const char *line, const char *p)
{
	Node *node = g_new0(Node, 1);
	const char *at;
	g_autofree char *op = NULL;

	node->kind = NODE_TEST;
	node->line = ps->line;
	if (!parse_field(ps, node, line, &p))
		goto fail;
	if (node->field == FIELD_SIZE) {
		if (!parse_size(ps, node, line, p))
			goto fail;
		return node;
	}
	at = skip_blanks(p);
	op = next_word(&p);
	if (g_strcmp0(op, "~") != 0 && g_strcmp0(op, "!~") != 0) {
		error_at(ps, col_of(line, at), "expected '~' or '!~' after the field");
		goto fail;
	}
	node->negate = op[0] == '!';
	node->re = parse_pattern(ps, line, p, node);
	if (node->re != NULL)
		return node;
fail:
	node_free(node);
	return NULL;
}

static void
add_action(Rule *rule, ActionKind kind, char *arg)
{
	Action a = { kind, arg };

	g_array_append_val(rule->actions, a);
}

static void
parse_set(Parser *ps, const char *line, const char *p)
{
	static const char *const levels[] = { "low", "normal", "high", "urgent" };
	const char *at = skip_blanks(p);
	g_autofree char *what = next_word(&p);
	const char *value_at = skip_blanks(p);
	g_autofree char *value = next_word(&p);
	g_autofree char *extra = next_word(&p);

	if (value == NULL || extra != NULL) {
		error_at(ps, col_of(line, at), "expected 'set queue NAME', "
			 "'set priority LEVEL' or 'set template NAME'");
	} else if (g_strcmp0(what, "priority") == 0) {
		for (gsize i = 0; i < G_N_ELEMENTS(levels); i++)
			if (g_strcmp0(value, levels[i]) == 0) {
				add_action(ps->rule, ACT_PRIORITY, g_steal_pointer(&value));
				return;
			}
		error_at(ps, col_of(line, value_at),
			 "priority must be low, normal, high or urgent");
	} else if (g_strcmp0(what, "queue") == 0 || g_strcmp0(what, "template") == 0) {
		if (valid_word(value))
			add_action(ps->rule, what[0] == 'q' ? ACT_QUEUE : ACT_TEMPLATE,
				   g_steal_pointer(&value));
		else
			error_at(ps, col_of(line, value_at), "a %s name is letters, "
				 "digits and - _ . : @ +", what);
	} else {
		error_at(ps, col_of(line, at), "unknown setting '%s' (known: queue, "
			 "priority, template)", what);
	}
}

static void
start_rule(Parser *ps, GPtrArray *rules, const char *line, const char *p)
{
	const char *at = skip_blanks(p);
	g_autofree char *name = next_word(&p);
	g_autofree char *extra = next_word(&p);
	Rule *rule;

	ps->rule = NULL;
	g_ptr_array_set_size(ps->open, 0);
	if (name == NULL || !valid_word(name) || extra != NULL) {
		error_at(ps, col_of(line, at), "expected 'rule NAME' (letters, digits "
			 "and - _ . : @ +)");
		return;
	}
	if (g_hash_table_contains(ps->names, name)) {
		error_at(ps, col_of(line, at), "rule '%s' is already defined at %s",
			 name, (char *)g_hash_table_lookup(ps->names, name));
		return;
	}
	rule = g_new0(Rule, 1);
	rule->name = g_steal_pointer(&name);
	rule->where = g_strdup_printf("%s:%d", ps->file, ps->line);
	rule->root = node_new_group(NODE_ALL, ps->line);
	rule->actions = g_array_new(FALSE, TRUE, sizeof(Action));
	g_hash_table_insert(ps->names, g_strdup(rule->name), g_strdup(rule->where));
	g_ptr_array_add(rules, rule);
	ps->rule = rule;
	g_ptr_array_add(ps->open, rule->root);
}

/* Ends the rule being read: every group must have been closed. */
static void
end_rule(Parser *ps)
{
	for (guint i = ps->open->len; i > 1; i--) {
		Node *g = ps->open->pdata[i - 1];

		error_at(ps, 1, "the group opened at line %d has no 'end'", g->line);
	}
	ps->rule = NULL;
	g_ptr_array_set_size(ps->open, 0);
}

static Node *
current_group(Parser *ps)
{
	return ps->open->pdata[ps->open->len - 1];
}

static gboolean
parse_group_word(Parser *ps, const char *line, const char *at, const char *word,
		 const char *rest)
{
	NodeKind kind = g_strcmp0(word, "any") == 0 ? NODE_ANY :
			g_strcmp0(word, "all") == 0 ? NODE_ALL : NODE_NOT;
	Node *group;

	if (*skip_blanks(rest) != '\0') {
		error_at(ps, col_of(line, at), "'%s' stands alone on its line; "
			 "its tests follow, then 'end'", word);
		return FALSE;
	}
	if (ps->open->len > MAX_DEPTH) {
		error_at(ps, col_of(line, at), "groups nest at most %d deep", MAX_DEPTH);
		return FALSE;
	}
	group = node_new_group(kind, ps->line);
	g_ptr_array_add(current_group(ps)->children, group);
	g_ptr_array_add(ps->open, group);
	return TRUE;
}

static void
parse_action(Parser *ps, const char *line, const char *at, const char *word,
	     const char *p)
{
	if (ps->open->len > 1) {
		error_at(ps, col_of(line, at), "'%s' inside a group: close the group "
			 "with 'end' first", word);
	} else if (g_strcmp0(word, "set") == 0) {
		parse_set(ps, line, p);
	} else if (g_strcmp0(word, "tag") == 0 || g_strcmp0(word, "assign") == 0) {
		char *arg = next_word(&p);
		g_autofree char *extra = next_word(&p);

		if (arg == NULL || !valid_word(arg) || extra != NULL) {
			error_at(ps, col_of(line, at), "expected '%s NAME'", word);
			g_free(arg);
		} else {
			add_action(ps->rule, word[0] == 't' ? ACT_TAG : ACT_ASSIGN, arg);
		}
	} else {
		g_autofree char *extra = next_word(&p);

		if (extra != NULL)
			error_at(ps, col_of(line, at), "'%s' takes no argument", word);
		else
			add_action(ps->rule, word[0] == 'n' ? ACT_NO_ACK :
					     word[0] == 'd' ? ACT_DROP : ACT_STOP, NULL);
	}
}

static void
parse_statement(Parser *ps, GPtrArray *rules, const char *line, const char *p)
{
	static const char *const actions[] = {
		"set", "tag", "assign", "no-ack", "drop", "stop",
	};
	const char *at = p;
	g_autofree char *word = next_word(&p);

	if (g_strcmp0(word, "rule") == 0) {
		if (ps->rule != NULL)
			end_rule(ps);
		start_rule(ps, rules, line, p);
		return;
	}
	if (ps->rule == NULL) {
		/* An error in the 'rule' line already said so. */
		if (ps->n_errors == 0 || g_hash_table_size(ps->names) == 0)
			error_at(ps, col_of(line, at), "'%s' outside a rule: start "
				 "one with 'rule NAME'", word);
		return;
	}
	if (g_strcmp0(word, "when") == 0) {
		Node *test = parse_when(ps, line, p);

		if (test != NULL)
			g_ptr_array_add(current_group(ps)->children, test);
		return;
	}
	if (g_strcmp0(word, "any") == 0 || g_strcmp0(word, "all") == 0 ||
	    g_strcmp0(word, "not") == 0) {
		parse_group_word(ps, line, at, word, p);
		return;
	}
	if (g_strcmp0(word, "end") == 0) {
		if (ps->open->len <= 1)
			error_at(ps, col_of(line, at), "'end' without an open group");
		else if (current_group(ps)->children->len == 0)
			error_at(ps, col_of(line, at), "an empty group");
		else
			g_ptr_array_set_size(ps->open, ps->open->len - 1);
		return;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(actions); i++)
		if (g_strcmp0(word, actions[i]) == 0) {
			parse_action(ps, line, at, word, p);
			return;
		}
	error_at(ps, col_of(line, at), "unknown statement '%s' (known: rule, when, "
		 "any, all, not, end, set, tag, assign, no-ack, drop, stop)", word);
}

static void
parse_file(Parser *ps, const char *text, GPtrArray *rules)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	ps->rule = NULL;
	for (int i = 0; lines[i] != NULL; i++) {
		char *line = lines[i];
		gsize n = strlen(line);
		const char *p;

		ps->line = i + 1;
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (!g_utf8_validate(line, -1, NULL)) {
			error_at(ps, 1, "not valid UTF-8");
			continue;
		}
		p = skip_blanks(line);
		if (*p == '\0' || *p == '#')
			continue;
		parse_statement(ps, rules, line, p);
	}
	if (ps->rule != NULL)
		end_rule(ps);
}

static gboolean
always_stops(const Rule *rule)
{
	if (rule->root->children->len > 0)
		return FALSE;
	for (guint i = 0; i < rule->actions->len; i++)
		if (g_array_index(rule->actions, Action, i).kind == ACT_STOP)
			return TRUE;
	return FALSE;
}

/* A rule after one that holds for every message and stops never runs. */
static GPtrArray *
find_warnings(GPtrArray *rules)
{
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	const Rule *stopper = NULL;

	for (guint i = 0; i < rules->len; i++) {
		const Rule *rule = rules->pdata[i];

		if (stopper != NULL)
			g_ptr_array_add(warnings, g_strdup_printf(
				"%s: warning: rule '%s' can never match: rule '%s' "
				"at %s matches every message and stops",
				rule->where, rule->name, stopper->name, stopper->where));
		else if (always_stops(rule))
			stopper = rule;
	}
	g_ptr_array_add(warnings, NULL);
	return warnings;
}

GwRules *
gw_rules_compile(GPtrArray *names, GPtrArray *texts, gboolean jit,
		 GError **error)
{
	g_autoptr(GString) errors = g_string_new(NULL);
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
							   g_free, g_free);
	g_autoptr(GPtrArray) open = g_ptr_array_new();
	GPtrArray *rules = g_ptr_array_new_with_free_func(rule_free);
	g_autoptr(GwPrefilter) prefilter = gw_prefilter_new();
	GwRules *set;
	Parser ps = { NULL, 0, errors, 0, jit, prefilter, seen, NULL, open };

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
	gw_prefilter_build(prefilter);
	set->prefilter = g_steal_pointer(&prefilter);
	set->check_prefilter = g_getenv("PLAINT_CHECK_PREFILTER") != NULL;
	set->warnings = find_warnings(rules);
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
	gw_prefilter_free(rules->prefilter);
	g_ptr_array_unref(rules->warnings);
	pcre2_match_context_free(rules->mctx);
	g_free(rules->version);
	g_free(rules);
}

guint
gw_rules_count(const GwRules *rules)
{
	return rules->rules->len;
}

const char *const *
gw_rules_warnings(const GwRules *rules)
{
	return (const char *const *)rules->warnings->pdata;
}

const char *
gw_rules_version(const GwRules *rules)
{
	return rules->version;
}

/* ---- classification ------------------------------------------------ */

typedef struct {
	const GwRules *set;
	const Rule *rule;
	const GwMail *mail;
	const char *mailbox;
	pcre2_match_data *md;
	GwVerdict *verdict;
	gboolean limit_hit;
	GwPrefilterHits *hits[FIELD_HEADER];	/* per field, scanned once */
	gsize lens[FIELD_HEADER];	/* per field, its length + 1, or 0 */
} Eval;

static gboolean node_holds(Eval *ev, const Node *n);

static const char *
field_text(const Node *n, const GwMail *mail, const char *mailbox)
{
	switch (n->field) {
	case FIELD_SUBJECT:		return gw_mail_subject(mail);
	case FIELD_FROM:		return gw_mail_from_addr(mail);
	case FIELD_FROM_DOMAIN:		return gw_mail_from_domain(mail);
	case FIELD_FROM_NAME:		return gw_mail_from_name(mail);
	case FIELD_TO:			return gw_mail_to(mail);
	case FIELD_CC:			return gw_mail_cc(mail);
	case FIELD_BODY:		return gw_mail_text(mail);
	case FIELD_MAILBOX:		return mailbox;
	case FIELD_ATTACHMENT_NAME:	return gw_mail_attachment_names(mail);
	case FIELD_ATTACHMENT_TYPE:	return gw_mail_attachment_types(mail);
	case FIELD_HEADER:		return gw_mail_header(mail, n->header);
	case FIELD_SIZE:		return NULL;
	}
	return NULL;
}

static void
trace(Eval *ev, const Node *n, const char *text, gsize len)
{
	GwTraceItem *item;
	g_autofree char *cut = NULL;

	if (!ev->verdict->want_trace)
		return;
	item = g_new0(GwTraceItem, 1);
	item->rule = g_strdup(ev->rule->name);
	item->field = n->field == FIELD_HEADER
			      ? g_strdup_printf("header %s", n->header)
			      : g_strdup(field_names[n->field]);
	cut = g_strndup(text, len);
	item->text = g_utf8_strlen(cut, -1) > TRACE_CHARS
			     ? g_utf8_substring(cut, 0, TRACE_CHARS)
			     : g_steal_pointer(&cut);
	g_ptr_array_add(ev->verdict->trace, item);
}

static gboolean
size_holds(const Node *n, gsize size)
{
	switch (n->size_op) {
	case SIZE_LT:	return size < n->size;
	case SIZE_LE:	return size <= n->size;
	case SIZE_GT:	return size > n->size;
	case SIZE_GE:	return size >= n->size;
	}
	return FALSE;
}

/* Where n's pattern can first match text, by what the prefilter found:
 * 0 when it does not know, G_MAXSIZE when no match can be there.
 * Header fields, looked up by name, are not scanned ahead. */
static gsize
first_chance(Eval *ev, const Node *n, const char *text, gsize len)
{
	GwPrefilterHits **hits;
	gsize at;

	if (n->need == NULL || n->field >= FIELD_HEADER)
		return 0;
	hits = &ev->hits[n->field];
	if (*hits == NULL) {
		*hits = gw_prefilter_hits_new(ev->set->prefilter);
		gw_prefilter_scan(ev->set->prefilter, text, len, *hits);
	}
	if (!gw_prefilter_any(n->need, *hits))
		return G_MAXSIZE;
	if (n->start == NULL)
		return 0;
	at = gw_prefilter_first(n->start, *hits);
	if (at == G_MAXSIZE)
		return G_MAXSIZE;
	while (at > 0 && ((guchar)text[at] & 0xC0) == 0x80)
		at--;		/* not inside a UTF-8 character */
	return at;
}

/* Runs n's pattern on text, from where it can first match. */
static int
match(Eval *ev, const Node *n, const char *text)
{
	gsize len, at;
	int rc;

	if (n->field < FIELD_HEADER) {
		if (ev->lens[n->field] == 0)
			ev->lens[n->field] = strlen(text) + 1;
		len = ev->lens[n->field] - 1;
	} else {
		len = strlen(text);
	}
	at = first_chance(ev, n, text, len);
	rc = at == G_MAXSIZE
		? PCRE2_ERROR_NOMATCH
		: pcre2_match(n->re, (PCRE2_SPTR)text, len, at, 0, ev->md, ev->set->mctx);
	if (at > 0 && ev->set->check_prefilter && rc == PCRE2_ERROR_NOMATCH &&
	    pcre2_match(n->re, (PCRE2_SPTR)text, len, 0, 0, ev->md, ev->set->mctx) >= 0)
		g_error("rule %s: the prefilter skipped a match", ev->rule->name);
	return rc;
}

static gboolean
test_holds(Eval *ev, const Node *n)
{
	const char *text;
	int rc;

	if (n->field == FIELD_SIZE) {
		g_autofree char *s = g_strdup_printf("%" G_GSIZE_FORMAT,
						     gw_mail_size(ev->mail));

		if (!size_holds(n, gw_mail_size(ev->mail)))
			return FALSE;
		trace(ev, n, s, strlen(s));
		return TRUE;
	}
	text = field_text(n, ev->mail, ev->mailbox);
	if (text == NULL)		/* an absent header matches nothing */
		return n->negate;
	rc = match(ev, n, text);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) {
		ev->limit_hit = TRUE;
		return FALSE;		/* over its limit: no match, either way */
	}
	if ((rc >= 0) == n->negate)
		return FALSE;
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ev->md);

		trace(ev, n, text + ov[0], ov[1] - ov[0]);
	} else {
		trace(ev, n, "", 0);
	}
	return TRUE;
}

static gboolean
group_holds(Eval *ev, const Node *n)
{
	guint i;

	switch (n->kind) {
	case NODE_TEST:
		return test_holds(ev, n);
	case NODE_ALL:		/* every test holds */
		for (i = 0; i < n->children->len; i++)
			if (!node_holds(ev, n->children->pdata[i]))
				return FALSE;
		return TRUE;
	case NODE_ANY:		/* one test holds */
		for (i = 0; i < n->children->len; i++)
			if (node_holds(ev, n->children->pdata[i]))
				return TRUE;
		return FALSE;
	case NODE_NOT:		/* no test holds */
		for (i = 0; i < n->children->len; i++)
			if (node_holds(ev, n->children->pdata[i]))
				return FALSE;
		return TRUE;
	}
	return FALSE;
}

/* The trace keeps only tests that hold within groups that hold. */
static gboolean
node_holds(Eval *ev, const Node *n)
{
	guint mark = ev->verdict->want_trace ? ev->verdict->trace->len : 0;
	gboolean holds = group_holds(ev, n);

	if (!holds && ev->verdict->want_trace)
		g_ptr_array_set_size(ev->verdict->trace, mark);
	return holds;
}

static void
replace(char **slot, const char *value)
{
	g_free(*slot);
	*slot = g_strdup(value);
}

static void
apply(const Rule *rule, GwVerdict *verdict, gboolean *stop)
{
	for (guint i = 0; i < rule->actions->len; i++) {
		const Action *a = &g_array_index(rule->actions, Action, i);

		switch (a->kind) {
		case ACT_QUEUE:		replace(&verdict->queue, a->arg); break;
		case ACT_PRIORITY:	replace(&verdict->priority, a->arg); break;
		case ACT_TEMPLATE:	replace(&verdict->template, a->arg); break;
		case ACT_ASSIGN:	replace(&verdict->assignee, a->arg); break;
		case ACT_TAG:
			if (!g_ptr_array_find_with_equal_func(verdict->tags, a->arg,
							      g_str_equal, NULL))
				g_ptr_array_add(verdict->tags, g_strdup(a->arg));
			break;
		case ACT_NO_ACK:	verdict->no_ack = TRUE; break;
		case ACT_DROP:
			verdict->drop = TRUE;
			replace(&verdict->drop_rule, rule->name);
			break;
		case ACT_STOP:		*stop = TRUE; break;
		}
	}
}

void
gw_rules_classify(const GwRules *rules, const GwMail *mail,
		  const char *mailbox, GwVerdict *verdict)
{
	Eval ev = { rules, NULL, mail, mailbox ? mailbox : "", NULL, verdict, FALSE,
		    { NULL }, { 0 } };
	gboolean stop = FALSE;

	ev.md = pcre2_match_data_create(1, NULL);
	for (guint r = 0; r < rules->rules->len && !stop; r++) {
		gboolean holds;

		ev.rule = rules->rules->pdata[r];
		ev.limit_hit = FALSE;
		holds = node_holds(&ev, ev.rule->root);
		if (ev.limit_hit)
			g_ptr_array_add(verdict->limit_hits, g_strdup(ev.rule->name));
		if (!holds)
			continue;
		g_ptr_array_add(verdict->matched, g_strdup(ev.rule->name));
		apply(ev.rule, verdict, &stop);
	}
	pcre2_match_data_free(ev.md);
	for (guint f = 0; f < G_N_ELEMENTS(ev.hits); f++)
		gw_prefilter_hits_free(ev.hits[f]);
}

static void
trace_item_free(gpointer data)
{
	GwTraceItem *item = data;

	g_free(item->rule);
	g_free(item->field);
	g_free(item->text);
	g_free(item);
}

void
gw_verdict_init(GwVerdict *verdict, gboolean want_trace)
{
	memset(verdict, 0, sizeof *verdict);
	verdict->tags = g_ptr_array_new_with_free_func(g_free);
	verdict->matched = g_ptr_array_new_with_free_func(g_free);
	verdict->limit_hits = g_ptr_array_new_with_free_func(g_free);
	verdict->want_trace = want_trace;
	if (want_trace)
		verdict->trace = g_ptr_array_new_with_free_func(trace_item_free);
}

void
gw_verdict_clear(GwVerdict *verdict)
{
	g_clear_pointer(&verdict->queue, g_free);
	g_clear_pointer(&verdict->priority, g_free);
	g_clear_pointer(&verdict->assignee, g_free);
	g_clear_pointer(&verdict->template, g_free);
	g_clear_pointer(&verdict->drop_rule, g_free);
	g_clear_pointer(&verdict->tags, g_ptr_array_unref);
	g_clear_pointer(&verdict->matched, g_ptr_array_unref);
	g_clear_pointer(&verdict->limit_hits, g_ptr_array_unref);
	g_clear_pointer(&verdict->trace, g_ptr_array_unref);
}
