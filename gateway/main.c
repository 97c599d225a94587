/* main.c - the `plaint` command: options, subcommands, exit codes.
 *
 * Owns the configuration (the one global the project allows is the
 * log) and wires the modules for each subcommand.  Every subcommand is
 * one row of the table `commands` below: its words, operands, options,
 * whether it needs the config, its handler and its help texts; adding
 * a command is adding a row.  Help and usage errors never read the
 * config.  Reads files only through config.c.  Exit codes are
 * sysexits(3): 64 usage, 65 bad input data, 66 no input, 69 a server
 * refused or could not be reached (config check --connect), 75 try
 * again later, 78 configuration. */
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>

#include "gw-config.h"
#include "gw-daemon.h"
#include "gw-db.h"
#include "gw-imap.h"
#include "gw-inspect.h"
#include "gw-log.h"
#include "gw-mail.h"
#include "gw-pipeline.h"
#include "gw-rules.h"
#include "gw-smtp.h"
#include "gw-status.h"
#include "gw-tls.h"

#ifndef GW_VERSION
#define GW_VERSION "dev"
#endif
#define DEFAULT_CONFIG "/etc/plaint/plaint.conf"
#define MAX_INGEST_BYTES (512 * 1024 * 1024)
#define MAX_SUGGEST_CHARS 64	/* longer words get no "did you mean" */
#define DB_TIMEOUT 30		/* seconds, with --conninfo: [database] timeout's default */

typedef struct {
	char *config_path;
	gboolean verbose;
	gboolean quiet;
	gboolean use_syslog;
	gboolean version;
} Options;

/* Every subcommand option, filled by whichever command takes it. */
typedef struct {
	gboolean json, stored, mbox, help, all, connect;
	char *mailbox, *since, *rules_dir, *conninfo, *reason;
} Args;

typedef enum {
	OPT_JSON = 1 << 0,
	OPT_MAILBOX = 1 << 1,
	OPT_RULES = 1 << 2,
	OPT_STORED = 1 << 3,
	OPT_SINCE = 1 << 4,
	OPT_MBOX = 1 << 5,
	OPT_CONNINFO = 1 << 6,
	OPT_ALL = 1 << 7,
	OPT_REASON = 1 << 8,
	OPT_CONNECT = 1 << 9,
	OPT_STATUS_JSON = 1 << 10,
} OptionFlag;

typedef struct {
	OptionFlag flag;
	const char *long_name;
	char short_name;
	GOptionArg arg;
	size_t offset;		/* of the field in Args */
	const char *description;
	const char *arg_description;
} SubOption;

static const SubOption sub_options[] = {
	{ OPT_JSON, "json", 0, G_OPTION_ARG_NONE, offsetof(Args, json),
	  "one JSON object per message", NULL },
	{ OPT_MAILBOX, "mailbox", 'm', G_OPTION_ARG_STRING, offsetof(Args, mailbox),
	  "as if from this [mailbox NAME] (its queue applies)", "NAME" },
	{ OPT_RULES, "rules", 'r', G_OPTION_ARG_FILENAME, offsetof(Args, rules_dir),
	  "the rules to use (default: [rules] dir)", "DIR" },
	{ OPT_STORED, "stored", 0, G_OPTION_ARG_NONE, offsetof(Args, stored),
	  "replay stored mail instead of files", NULL },
	{ OPT_SINCE, "since", 0, G_OPTION_ARG_STRING, offsetof(Args, since),
	  "with --stored: mail fetched since DATE", "DATE" },
	{ OPT_MBOX, "mbox", 0, G_OPTION_ARG_NONE, offsetof(Args, mbox),
	  "each FILE is an mbox: one object per message", NULL },
	{ OPT_CONNINFO, "conninfo", 0, G_OPTION_ARG_STRING, offsetof(Args, conninfo),
	  "connect with this libpq string; no config is read", "STRING" },
	{ OPT_ALL, "all", 'a', G_OPTION_ARG_NONE, offsetof(Args, all),
	  "every quarantined message", NULL },
	{ OPT_REASON, "reason", 0, G_OPTION_ARG_STRING, offsetof(Args, reason),
	  "the quarantined messages whose reason contains TEXT (any case)", "TEXT" },
	{ OPT_CONNECT, "connect", 0, G_OPTION_ARG_NONE, offsetof(Args, connect),
	  "also log in to every server the config names", NULL },
	{ OPT_STATUS_JSON, "json", 0, G_OPTION_ARG_NONE, offsetof(Args, json),
	  "one JSON object, times in ISO 8601 (UTC)", NULL },
};

typedef enum {
	CONFIG_NEEDED,		/* loaded before the handler; 78 if it fails */
	CONFIG_IF_USED,		/* the handler loads it when its arguments need it */
} ConfigUse;

/* One call of a command: argv[0] is its last word, argv[1..] the
 * operands left after its options. */
typedef struct {
	const Options *opts;
	Args *args;
	const GwConfig *config;	/* with CONFIG_NEEDED; NULL otherwise */
	int argc;
	char **argv;
} Call;

typedef struct {
	const char *name;	/* first word: "run", "db", ... */
	const char *sub;	/* second word ("migrate"), or NULL */
	const char *operands;	/* synopsis after the options, or "" */
	guint options;		/* OptionFlag bits */
	int min_operands, max_operands;	/* max -1: no limit */
	ConfigUse config;
	int (*run)(const Call *c);
	const char *summary;	/* one line in plaint --help */
	const char *help;	/* plaint COMMAND --help: paragraphs */
} Command;

static int usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "plaint: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'plaint --help'.\n");
	return EX_USAGE;
}

static GwConfig *
load_config(const Options *o)
{
	g_autoptr(GError) err = NULL;
	GwConfig *config = gw_config_load(o->config_path, &err);

	if (config == NULL)
		gw_log_err("%s", err->message);
	return config;
}

static GwRules *
load_rules(const char *dir, gboolean jit, GError **error)
{
	g_autoptr(GPtrArray) names = NULL, texts = NULL;

	if (!gw_config_read_rules(dir, &names, &texts, error))
		return NULL;
	return gw_rules_compile(names, texts, jit, error);
}

/* An administrator's --conninfo needs no config, which the daemon's
 * group alone may read. */
static int
cmd_db_migrate(const Call *c)
{
	g_autoptr(GwConfig) config = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GwDb) db = NULL;
	int applied, version;

	if (c->args->conninfo == NULL && (config = load_config(c->opts)) == NULL)
		return EX_CONFIG;
	db = config ? gw_db_connect(config->conninfo, config->db_timeout, &err)
		    : gw_db_connect(c->args->conninfo, DB_TIMEOUT, &err);
	if (db == NULL || !gw_db_migrate(db, &applied, &err) ||
	    !gw_db_schema_version(db, &version, &err)) {
		gw_log_err("db migrate: %s", err->message);
		return db == NULL ? EX_TEMPFAIL : EX_SOFTWARE;
	}
	gw_log_notice("db migrate: applied=%d version=%d", applied, version);
	return EX_OK;
}

static const char *
security_name(GwSecurity security)
{
	return security == GW_SECURITY_TLS ? "tls"
	       : security == GW_SECURITY_STARTTLS ? "starttls" : "none";
}

/* "imap.example.com:993, tls, as support" */
static char *
server_text(const GwServerConfig *server)
{
	return g_strdup_printf("%s:%d, %s%s%s", server->host, server->port,
			       security_name(server->security),
			       server->username ? ", as " : "",
			       server->username ? server->username : "");
}

/* One line of config check --connect; FALSE if what failed. */
static gboolean
say_connected(const char *what, const char *how, const GError *error)
{
	if (error == NULL)
		printf("%s: ok%s%s\n", what, how ? ", " : "", how ? how : "");
	else
		printf("%s: FAILED: %s\n", what, error->message);
	return error == NULL;
}

static gboolean
connect_database(const GwConfig *config)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GwDb) db = gw_db_connect(config->conninfo, config->db_timeout, &err);
	g_autofree char *how = NULL;
	int version = 0;

	if (db != NULL && gw_db_check_schema(db, &err) &&
	    gw_db_schema_version(db, &version, &err))
		how = g_strdup_printf("schema version %d", version);
	return say_connected("database", how, err);
}

/* Logs in and selects the folder, as a poll would begin. */
static gboolean
connect_mailbox(const GwMailboxConfig *mbox)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *server = server_text(&mbox->server);
	g_autofree char *what = g_strdup_printf("mailbox %s (%s)", mbox->name, server);
	g_autofree char *how = NULL;
	g_autoptr(GwImap) imap = gw_imap_connect(&mbox->server, &err);
	guint32 uidvalidity, uidnext;

	if (imap != NULL &&
	    gw_imap_select(imap, mbox->folder, &uidvalidity, &uidnext, &err))
		how = g_strdup_printf("logged in, folder %s selected", mbox->folder);
	return say_connected(what, how, err);
}

static gboolean
connect_smtp(const GwConfig *config)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *server = server_text(&config->smtp);
	g_autofree char *what = g_strdup_printf("smtp (%s)", server);
	g_autoptr(GwSmtp) smtp = gw_smtp_connect(&config->smtp, &err);

	return say_connected(what, config->smtp.username ? "logged in" : "greeted",
			     err);
}

/* Every server the config names, each once; 0 if all answered. */
static int
check_connections(const GwConfig *config)
{
	guint failed = 0, tried = 2 + config->mailboxes->len;

	failed += !connect_database(config);
	for (guint i = 0; i < config->mailboxes->len; i++)
		failed += !connect_mailbox(config->mailboxes->pdata[i]);
	failed += !connect_smtp(config);
	if (failed == 0)
		return EX_OK;
	printf("%u of %u connections failed\n", failed, tried);
	return EX_UNAVAILABLE;
}

static int
cmd_config_check(const Call *c)
{
	const GwConfig *config = c->config;
	g_autoptr(GError) err = NULL;
	g_autoptr(GwRules) rules = load_rules(config->rules_dir, config->rules_jit, &err);

	if (rules == NULL) {
		gw_log_err("%s", err->message);
		return EX_CONFIG;
	}
	printf("%s: ok, %u mailbox%s, %u rule%s (version %s)\n", config->path,
	       config->mailboxes->len, config->mailboxes->len == 1 ? "" : "es",
	       gw_rules_count(rules), gw_rules_count(rules) == 1 ? "" : "s",
	       gw_rules_version(rules));
	fflush(stdout);
	return c->args->connect ? check_connections(config) : EX_OK;
}

/* From the database alone: no server but it is asked. */
static int
cmd_status(const Call *c)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GwDb) db = gw_db_connect(c->config->conninfo, c->config->db_timeout, &err);
	g_autoptr(GwStatus) status = NULL;

	if (db != NULL && gw_db_check_schema(db, &err))
		status = gw_status_load(db, c->config, &err);
	if (status == NULL) {
		gw_log_err("status: %s", err->message);
		return g_error_matches(err, GW_DB_ERROR, GW_DB_ERROR_SCHEMA)
			       ? EX_CONFIG : EX_TEMPFAIL;
	}
	gw_status_print(status, c->args->json, stdout);
	return EX_OK;
}

static int
check_rules_dir(const char *dir)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GwRules) rules = load_rules(dir, TRUE, &err);

	if (rules == NULL) {
		fprintf(stderr, "%s\n", err->message);
		return g_error_matches(err, GW_RULES_ERROR, GW_RULES_ERROR_SYNTAX)
			       ? EX_DATAERR : EX_NOINPUT;
	}
	for (const char *const *w = gw_rules_warnings(rules); *w != NULL; w++)
		fprintf(stderr, "%s\n", *w);
	printf("%s: ok, %u rule%s (version %s)\n", dir, gw_rules_count(rules),
	       gw_rules_count(rules) == 1 ? "" : "s", gw_rules_version(rules));
	return EX_OK;
}

/* A DIR operand needs no config; without one, [rules] dir is checked. */
static int
cmd_rules_check(const Call *c)
{
	g_autoptr(GwConfig) config = NULL;

	if (c->argc == 2)
		return check_rules_dir(c->argv[1]);
	config = load_config(c->opts);
	if (config == NULL)
		return EX_CONFIG;
	return check_rules_dir(config->rules_dir);
}

static int
test_stored(const GwInspect *in, const GwConfig *config, const char *since)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GwDb) db = gw_db_connect(config->conninfo, config->db_timeout, &err);
	guint changed;

	if (db == NULL || !gw_db_check_schema(db, &err) ||
	    !gw_inspect_replay(in, db, since, &changed, &err)) {
		gw_log_err("rules test --stored: %s", err->message);
		return EX_TEMPFAIL;
	}
	return EX_OK;
}

/* Testing files needs no database, nor a config when --rules is given. */
static int
cmd_rules_test(const Call *c)
{
	const Args *a = c->args;
	g_autoptr(GwConfig) config = NULL;
	g_autoptr(GwRules) rules = NULL;
	g_autoptr(GError) err = NULL;
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	GwInspect in;

	if (a->stored != (c->argc == 1))
		return usage_error("rules test needs message files, or --stored");
	if (a->rules_dir == NULL || a->stored ||
	    g_file_test(c->opts->config_path, G_FILE_TEST_EXISTS)) {
		config = load_config(c->opts);
		if (config == NULL)
			return EX_CONFIG;
		gw_pipeline_mail_limits(config, &limits);
	}
	rules = load_rules(a->rules_dir ? a->rules_dir : config->rules_dir,
			   config ? config->rules_jit : TRUE, &err);
	if (rules == NULL) {
		gw_log_err("%s", err->message);
		return EX_DATAERR;
	}
	in = (GwInspect){ rules, config, a->mailbox, a->json, stdout, &limits };
	if (a->stored)
		return test_stored(&in, config, a->since);
	return gw_inspect_files(&in, c->argv + 1) ? EX_DATAERR : EX_OK;
}

static GwPipeline *
start_pipeline(const GwConfig *config, int *status_out)
{
	g_autoptr(GError) err = NULL;
	GwRules *rules = load_rules(config->rules_dir, config->rules_jit, &err);
	GwPipeline *p;

	if (rules == NULL) {
		gw_log_err("%s", err->message);
		*status_out = EX_CONFIG;
		return NULL;
	}
	p = gw_pipeline_new(config, rules, &err);
	if (p == NULL) {
		gw_log_err("%s", err->message);
		*status_out = g_error_matches(err, GW_DB_ERROR, GW_DB_ERROR_SCHEMA)
				      ? EX_CONFIG : EX_TEMPFAIL;
	}
	return p;
}

/* What plaint run does every minute and every hour: missed deadlines
 * (their escalations go out with the rest), the satisfaction questions
 * due, then retention to the end.  On a connection of its own, in a
 * thread beside the polls and the filing. */
static gboolean
housekeeping(GwPipeline *p)
{
	g_autoptr(GError) err = NULL;
	gboolean more = TRUE;
	guint found, asked;

	if (!gw_pipeline_check_overdue(p, &found, &err)) {
		gw_log_err("overdue check: %s", err->message);
		return FALSE;
	}
	if (!gw_pipeline_ask_satisfaction(p, &asked, &err)) {
		gw_log_err("satisfaction: %s", err->message);
		return FALSE;
	}
	while (more)
		if (!gw_pipeline_apply_retention(p, &more, &err)) {
			gw_log_err("retention: %s", err->message);
			return FALSE;
		}
	return TRUE;
}

static gpointer
housekeeping_thread(gpointer data)
{
	return GINT_TO_POINTER(housekeeping(data));
}

static int
cmd_once(const Call *c)
{
	const GwConfig *config = c->config;
	g_autoptr(GwPipeline) p = NULL;
	g_autoptr(GError) err = NULL;
	gboolean filing, sent;
	GThread *house;
	int status = EX_OK;

	p = start_pipeline(config, &status);
	if (p == NULL)
		return status;
	/* Each batch is filed while the next one downloads. */
	filing = gw_pipeline_filing_start(p, &err);
	if (!filing) {
		gw_log_err("%s", err->message);
		g_clear_error(&err);
		status = EX_TEMPFAIL;
	}
	house = g_thread_new("plaint-house", housekeeping_thread, p);
	for (guint i = 0; i < config->mailboxes->len; i++) {
		g_autoptr(GError) poll_err = NULL;

		if (!gw_pipeline_poll(p, config->mailboxes->pdata[i], &poll_err)) {
			gw_log_err("%s", poll_err->message);
			status = EX_TEMPFAIL;
		}
	}
	sent = filing && gw_pipeline_filing_finish(p, &err) && gw_pipeline_send(p, &err);
	if (!GPOINTER_TO_INT(g_thread_join(house)))
		status = EX_TEMPFAIL;
	/* And what housekeeping queued meanwhile: escalations, questions
	 * (sending does not wait for it: joined first, the overdue check
	 * of 2,000 fresh tickets held back 2,000 acknowledgements 0.1 s). */
	sent = sent && gw_pipeline_send(p, &err);
	if (filing && !sent) {
		gw_log_err("%s", err->message);
		status = EX_TEMPFAIL;
	}
	return status;
}

static int
cmd_run(const Call *c)
{
	g_autoptr(GError) err = NULL;
	GwRules *rules = load_rules(c->config->rules_dir, c->config->rules_jit, &err);

	if (rules == NULL) {
		gw_log_err("%s", err->message);
		return EX_CONFIG;
	}
	return gw_daemon_run(c->config, rules);
}

/* Sends what is due now, the acknowledgement just queued among it.  The
 * message is committed already, so a failure here is only said: the
 * outbox keeps the mail, and `plaint run` (or the next once) sends it. */
static void
send_now(GwPipeline *p, const char *what)
{
	g_autoptr(GError) err = NULL;

	if (!gw_pipeline_send(p, &err))
		gw_log_warning("%s: filed; its mail waits in the outbox for plaint "
			       "run or the next plaint once: %s", what, err->message);
}

/* Exit 0 only once the message is committed: an MTA retries on 75. */
static int
cmd_ingest(const Call *c)
{
	const char *mailbox = c->args->mailbox;
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) raw = NULL;
	g_autoptr(GwPipeline) p = NULL;
	int status = EX_OK;

	if (mailbox != NULL && gw_config_mailbox(c->config, mailbox) == NULL)
		return usage_error("ingest: no [mailbox %s] in the config", mailbox);
	/* Larger mail than max_message_bytes is still kept whole. */
	raw = gw_config_read_file(c->argc == 2 ? c->argv[1] : "-",
				  MAX_INGEST_BYTES, &err);
	if (raw == NULL) {
		gw_log_err("ingest: %s", err->message);
		return EX_NOINPUT;
	}
	p = start_pipeline(c->config, &status);
	if (p == NULL)
		return status;
	if (!gw_pipeline_ingest(p, mailbox, raw, &err)) {
		gw_log_err("ingest: %s", err->message);
		return EX_TEMPFAIL;
	}
	send_now(p, "ingest");
	return EX_OK;
}

static void
print_outcome(const GwOutcome *o)
{
	printf("raw=%" G_GINT64_FORMAT " %s%s%s%s%s\n", o->raw_id,
	       *o->outcome ? o->outcome : o->state,
	       *o->ticket ? " ticket=" : "", o->ticket,
	       *o->reason ? " reason=" : "", o->reason);
}

/* Exit 0 when every message named was requeued (and filed or quarantined
 * again, as printed), 65 when one named was not quarantined. */
static int
cmd_requeue(const Call *c)
{
	const Args *a = c->args;
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GPtrArray) outcomes = NULL;
	g_autoptr(GwPipeline) p = NULL;
	const GwConfig *config = c->config;
	int status = EX_OK;

	for (int i = 1; i < c->argc; i++) {
		gint64 id;

		if (!g_ascii_string_to_signed(c->argv[i], 10, 1, G_MAXINT64, &id, NULL))
			return usage_error("requeue: '%s' is not a raw message id",
					   c->argv[i]);
		g_array_append_val(ids, id);
	}
	if (!a->all && a->reason == NULL && ids->len == 0)
		return usage_error("requeue needs --all, --reason TEXT or raw ids");
	p = start_pipeline(config, &status);
	if (p == NULL)
		return status;
	if (!gw_pipeline_requeue(p, a->all, a->reason, ids, &outcomes, &err)) {
		gw_log_err("requeue: %s%s", err->message,
			   strstr(err->message, "permission denied") ?
			   " (requeue needs a database login granted plaint_admin)" : "");
		return strstr(err->message, "permission denied") ? EX_NOPERM : EX_TEMPFAIL;
	}
	for (guint i = 0; i < outcomes->len; i++)
		print_outcome(outcomes->pdata[i]);
	send_now(p, "requeue");
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		gboolean found = FALSE;

		for (guint j = 0; j < outcomes->len && !found; j++)
			found = ((GwOutcome *)outcomes->pdata[j])->raw_id == id;
		if (!found) {
			fprintf(stderr, "plaint: requeue: raw=%" G_GINT64_FORMAT
				" is not quarantined (plaint.intake says where it is)\n", id);
			status = EX_DATAERR;
		}
	}
	if (outcomes->len == 0 && ids->len == 0)
		printf("nothing to requeue\n");
	return status;
}

/* Needs no database; the config only for its [mail] limits, if present. */
static int
cmd_parse(const Call *c)
{
	g_autoptr(GwConfig) config = NULL;
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	GwInspect in = { NULL, NULL, NULL, TRUE, stdout, &limits };

	if (g_file_test(c->opts->config_path, G_FILE_TEST_EXISTS)) {
		config = load_config(c->opts);
		if (config == NULL)
			return EX_CONFIG;
		gw_pipeline_mail_limits(config, &limits);
		in.config = config;
	}
	return gw_inspect_parse(&in, c->argv + 1, c->args->mbox) ? EX_DATAERR : EX_OK;
}

static const Command commands[] = {
	{ "run", NULL, "", 0, 0, 0, CONFIG_NEEDED, cmd_run,
	  "the daemon: poll, file and send until SIGTERM",
	  "Runs in the foreground until SIGTERM or SIGINT, as systemd's\n"
	  "Type=notify service.  Each mailbox is polled every poll_interval\n"
	  "seconds (or woken by IMAP IDLE); what arrived is filed and due mail\n"
	  "is sent.  Every minute it checks the tickets' deadlines\n"
	  "(plaint.check_overdue: a missed one is escalated once) and, with\n"
	  "[satisfaction] enabled, asks the customers of tickets resolved\n"
	  "ask_after seconds ago how they were served; with\n"
	  "[retention] raw_days it applies retention every hour.  SIGHUP reloads the rule files; a set with any error is\n"
	  "refused and the running one stays.  Under systemd it reports\n"
	  "READY=1, RELOADING=1, STOPPING=1, a STATUS= line and the watchdog\n"
	  "through $NOTIFY_SOCKET.\n"
	  "\n"
	  "Exit status: 0 after SIGTERM, 75 when the database cannot be\n"
	  "reached at start, 78 for a bad config, rule set or schema version." },
	{ "once", NULL, "", 0, 0, 0, CONFIG_NEEDED, cmd_once,
	  "fetch every mailbox, process, send due mail, exit",
	  "One full cycle, for cron and tests: polls every [mailbox NAME]\n"
	  "once, checks the tickets' deadlines, asks the satisfaction\n"
	  "questions due ([satisfaction] enabled) and applies retention,\n"
	  "files what arrived and sends what is due.\n"
	  "\n"
	  "Exit status: 0 if every step worked, 75 if a server could not be\n"
	  "reached (run again later), 78 for a bad config or rule set." },
	{ "ingest", NULL, "[FILE|-]", OPT_MAILBOX, 0, 1, CONFIG_NEEDED, cmd_ingest,
	  "store and process one message (an MTA pipe)",
	  "Stores one message, read from FILE or standard input, and files\n"
	  "it: for an MTA's pipe transport.  The whole message is kept even\n"
	  "when it is larger than [mail] max_message_bytes.\n"
	  "\n"
	  "Exit status: 0 only once the message is committed; 66 if FILE\n"
	  "cannot be read; 75 (the MTA keeps it queued and retries) when the\n"
	  "database fails; 78 for a bad config." },
	{ "requeue", NULL, "[RAW_ID...]", OPT_ALL | OPT_REASON, 0, -1, CONFIG_NEEDED,
	  cmd_requeue,
	  "file quarantined messages again, once",
	  "Puts quarantined messages back to be filed (plaint.requeue(), so the\n"
	  "database login needs plaint_admin): every one with --all, those\n"
	  "whose reason contains TEXT with --reason TEXT, and those whose\n"
	  "RAW_IDs are given (plaint.quarantine lists them).  Each is filed\n"
	  "once; one that fails again is quarantined again, with the new\n"
	  "reason.  Prints one line per message: where it ended, its ticket,\n"
	  "its reason.  Sends the acknowledgements this queued.\n"
	  "\n"
	  "Exit status: 0 done, 64 no message named, 65 a RAW_ID named is not\n"
	  "quarantined, 75 the database failed, 77 the login may not requeue,\n"
	  "78 for a bad config." },
	{ "config", "check", "", OPT_CONNECT, 0, 0, CONFIG_NEEDED, cmd_config_check,
	  "validate the config file and the rule files",
	  "Loads the config file (-c FILE) and the rule files of [rules] dir\n"
	  "and prints a one-line summary.  Connects to no server, unless\n"
	  "--connect is given: then it also connects to the database (and\n"
	  "checks its schema version), logs in to each mailbox and selects its\n"
	  "folder, and connects (and logs in) to the SMTP server, with the\n"
	  "config's timeouts, and prints one line for each: ok, or FAILED and\n"
	  "why.\n"
	  "\n"
	  "Exit status: 0 if both are valid (and with --connect, every server\n"
	  "answered), 69 if with --connect a server refused or could not be\n"
	  "reached, 78 for an invalid config or rule set; every error in them\n"
	  "names file:line." },
	{ "status", NULL, "", OPT_STATUS_JSON, 0, 0, CONFIG_NEEDED, cmd_status,
	  "mailboxes, outbox, missed deadlines, quarantine",
	  "Prints what the gateways left in the database, which is all it\n"
	  "reads: for each mailbox its cursor (the highest UID stored), when a\n"
	  "poll last worked, the last poll that failed and why, and how many\n"
	  "of its messages wait in quarantine; the outbox depth and its oldest\n"
	  "due row (the earliest deadline); the deadlines that fell today and\n"
	  "were missed; the quarantine.  Times are local time; with --json,\n"
	  "ISO 8601 in UTC.\n"
	  "\n"
	  "Exit status: 0 done, 75 the database cannot be reached, 78 for a bad\n"
	  "config or a schema this plaint does not expect." },
	{ "db", "migrate", "", OPT_CONNINFO, 0, 0, CONFIG_IF_USED, cmd_db_migrate,
	  "apply the schema migrations this plaint carries",
	  "Applies, in order and each in one transaction, the schema\n"
	  "migrations compiled into this plaint that the database lacks, then\n"
	  "re-creates the views and functions, and creates the roles\n"
	  "plaint_gateway, plaint_agent and plaint_admin.  Run it as a\n"
	  "database administrator: with --conninfo (for instance\n"
	  "\"dbname=plaint\" as the postgres user), no config is read;\n"
	  "otherwise [database] conninfo is used.  The daemon itself never\n"
	  "changes the schema.\n"
	  "\n"
	  "Exit status: 0 done, 75 if the database cannot be reached, 70 if a\n"
	  "migration failed (nothing of it is kept), 78 for a bad config." },
	{ "rules", "check", "[DIR]", 0, 0, 1, CONFIG_IF_USED, cmd_rules_check,
	  "validate rule files (default: [rules] dir)",
	  "Compiles every *.rules file of DIR, or of the config's [rules] dir\n"
	  "when DIR is not given (only then is the config read).  Errors are\n"
	  "printed as file:line:column: message.\n"
	  "\n"
	  "Exit status: 0 valid, 65 a rule file has an error, 66 DIR cannot\n"
	  "be read, 78 for a bad config." },
	{ "rules", "test", "MSG.eml... | --stored [--since DATE]",
	  OPT_JSON | OPT_MAILBOX | OPT_RULES | OPT_STORED | OPT_SINCE, 0, -1,
	  CONFIG_IF_USED, cmd_rules_test,
	  "verdicts of messages or of stored mail, and why",
	  "With files: prints each message's verdict (queue, priority, tags,\n"
	  "acknowledgement) and the rules that made it.  Needs no database,\n"
	  "and no config when --rules is given.\n"
	  "With --stored: classifies the mail stored in the database (since\n"
	  "DATE) and prints the messages whose routing would change.\n"
	  "\n"
	  "Exit status: 0 done, 65 a file is not mail or a rule has an error,\n"
	  "75 the database failed, 78 for a bad config." },
	{ "parse", NULL, "FILE...", OPT_MBOX, 1, -1, CONFIG_IF_USED, cmd_parse,
	  "each message as plaint reads it, one JSON object per line",
	  "Parses each FILE as the gateway would and prints one JSON object\n"
	  "per message: ids, sender, subject, text, attachments and the\n"
	  "limits that applied.  Needs no database; the config is read, if it\n"
	  "exists, for its [mail] limits only.\n"
	  "\n"
	  "Exit status: 0 done, 65 some input was not mail, 78 for a bad\n"
	  "config." },
};

static char *
command_name(const Command *cmd)
{
	return cmd->sub ? g_strconcat(cmd->name, " ", cmd->sub, NULL)
			: g_strdup(cmd->name);
}

/* The commands of plaint --help, from the table. */
static char *
commands_text(void)
{
	GString *s = g_string_new("Commands:\n");

	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autofree char *name = command_name(&commands[i]);

		g_string_append_printf(s, "  %-14s %s\n", name, commands[i].summary);
	}
	g_string_append(s,
		"\n'plaint COMMAND --help' describes a command and its options.\n"
		"Exit status follows sysexits(3): 0 done, 64 usage, 65 bad data,\n"
		"66 no input, 69 a server unavailable, 75 temporary failure (try\n"
		"again), 78 configuration.");
	return g_string_free(s, FALSE);
}

static int
print_command_help(const Command *cmd)
{
	g_autofree char *name = command_name(cmd);

	printf("Usage:\n  plaint [-c FILE] %s%s%s%s\n\n%s.\n\n%s\n\nOptions:\n",
	       name, cmd->options ? " [OPTION...]" : "", *cmd->operands ? " " : "",
	       cmd->operands, cmd->summary, cmd->help);
	for (gsize i = 0; i < G_N_ELEMENTS(sub_options); i++) {
		const SubOption *so = &sub_options[i];
		g_autofree char *left = NULL;

		if (!(cmd->options & so->flag))
			continue;
		left = g_strdup_printf("%c%c%s--%s%s%s", so->short_name ? '-' : ' ',
				       so->short_name ? so->short_name : ' ',
				       so->short_name ? ", " : "  ", so->long_name,
				       so->arg_description ? "=" : "",
				       so->arg_description ? so->arg_description : "");
		printf("  %-22s %s\n", left, so->description);
	}
	printf("  %-22s %s\n", "-h, --help", "show this help");
	printf("\nConfig (-c FILE, default %s): %s.\n", DEFAULT_CONFIG,
	       cmd->config == CONFIG_NEEDED ? "read"
					    : "read only when the arguments need it");
	return EX_OK;
}

/* Levenshtein distance, for "did you mean"; both strings are short. */
static guint
distance(const char *a, const char *b)
{
	gsize la = strlen(a), lb = strlen(b);
	guint row[MAX_SUGGEST_CHARS + 1];

	for (gsize j = 0; j <= lb; j++)
		row[j] = j;
	for (gsize i = 1; i <= la; i++) {
		guint diag = row[0];

		row[0] = i;
		for (gsize j = 1; j <= lb; j++) {
			guint up = row[j];

			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1),
				     diag + (a[i - 1] != b[j - 1]));
			diag = up;
		}
	}
	return row[lb];
}

/* The first word of a command nearest to word, or NULL if none is
 * near enough to be a likely typo. */
static const char *
nearest_name(const char *word)
{
	const char *best = NULL;
	guint best_d = G_MAXUINT;

	if (strlen(word) > MAX_SUGGEST_CHARS)
		return NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
		guint d;

		if (strlen(commands[i].name) > MAX_SUGGEST_CHARS)
			continue;
		d = distance(word, commands[i].name);
		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	return best_d <= 2 && best_d < strlen(word) ? best : NULL;
}

/* Explains why argv names no command: a missing or unknown second
 * word, or an unknown first word with the nearest one as a hint. */
static int
unknown_command(int argc, char **argv)
{
	g_autoptr(GString) subs = g_string_new(NULL);
	const char *near;

	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		if (g_strcmp0(commands[i].name, argv[1]) == 0 && commands[i].sub)
			g_string_append_printf(subs, "%s'%s %s'", subs->len ? ", " : "",
					       commands[i].name, commands[i].sub);
	if (subs->len > 0 && argc > 2)
		return usage_error("unknown command '%s %s'; there are %s",
				   argv[1], argv[2], subs->str);
	if (subs->len > 0)
		return usage_error("'%s' needs a second word: %s", argv[1], subs->str);
	near = nearest_name(argv[1]);
	if (near != NULL)
		return usage_error("unknown command '%s'; did you mean '%s'?",
				   argv[1], near);
	return usage_error("unknown command '%s'", argv[1]);
}

static const Command *
find_command(int argc, char **argv)
{
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
		const Command *cmd = &commands[i];

		if (g_strcmp0(cmd->name, argv[1]) == 0 &&
		    (cmd->sub == NULL || (argc > 2 && g_strcmp0(cmd->sub, argv[2]) == 0)))
			return cmd;
	}
	return NULL;
}

/* Parses the command's own options into args; argv then holds the
 * command's last word and its operands. */
static gboolean
parse_command_options(const Command *cmd, Args *args, int *argc, char ***argv)
{
	g_autofree GOptionEntry *entries = g_new0(GOptionEntry,
						  G_N_ELEMENTS(sub_options) + 2);
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *name = command_name(cmd);
	gsize n = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(sub_options); i++) {
		const SubOption *so = &sub_options[i];

		if (cmd->options & so->flag)
			entries[n++] = (GOptionEntry){ so->long_name, so->short_name, 0,
				so->arg, (char *)args + so->offset, so->description,
				so->arg_description };
	}
	entries[n] = (GOptionEntry){ "help", 'h', 0, G_OPTION_ARG_NONE, &args->help,
				     "show this help", NULL };
	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		usage_error("%s: %s", name, err->message);
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_operands(const Command *cmd, int operands)
{
	g_autofree char *name = command_name(cmd);

	if (operands < cmd->min_operands) {
		usage_error("%s needs %s", name, cmd->operands);
		return FALSE;
	}
	if (cmd->max_operands >= 0 && operands > cmd->max_operands) {
		if (cmd->max_operands == 0)
			usage_error("%s takes no arguments", name);
		else
			usage_error("%s takes at most %d argument%s (%s)", name,
				    cmd->max_operands, cmd->max_operands == 1 ? "" : "s",
				    cmd->operands);
		return FALSE;
	}
	return TRUE;
}

static int
dispatch(const Options *o, int argc, char **argv)
{
	const Command *cmd = find_command(argc, argv);
	g_autoptr(GwConfig) config = NULL;
	Args args = { 0 };
	int skip, status;

	if (cmd == NULL)
		return unknown_command(argc, argv);
	skip = cmd->sub ? 2 : 1;
	argc -= skip;
	argv += skip;
	if (!parse_command_options(cmd, &args, &argc, &argv))
		status = EX_USAGE;
	else if (args.help)
		status = print_command_help(cmd);
	else if (!check_operands(cmd, argc - 1))
		status = EX_USAGE;
	else if (cmd->config == CONFIG_NEEDED && (config = load_config(o)) == NULL)
		status = EX_CONFIG;
	else
		status = cmd->run(&(Call){ o, &args, config, argc, argv });
	g_free(args.mailbox);
	g_free(args.since);
	g_free(args.rules_dir);
	g_free(args.conninfo);
	g_free(args.reason);
	return status;
}

int
main(int argc, char **argv)
{
	Options o = { 0 };
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config_path,
		  "configuration file (default " DEFAULT_CONFIG ")", "FILE" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose,
		  "log debug messages too", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet,
		  "log only notices and worse", NULL },
		{ "syslog", 0, 0, G_OPTION_ARG_NONE, &o.use_syslog,
		  "log to syslog instead of standard error", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o.version,
		  "print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"COMMAND [ARGS] - complaints from email to tickets");
	g_autofree char *description = commands_text();
	g_autoptr(GError) err = NULL;
	GwLogSink sink = GW_LOG_STDERR;
	int status;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, description);
	g_option_context_set_strict_posix(ctx, TRUE);
	if (!g_option_context_parse(ctx, &argc, &argv, &err))
		return usage_error("%s", err->message);
	if (o.version) {
		printf("plaint %s\n", GW_VERSION);
		return EX_OK;
	}
	if (argc < 2)
		return usage_error("a command is needed");
	if (o.config_path == NULL)
		o.config_path = g_strdup(DEFAULT_CONFIG);
	if (o.use_syslog)
		sink = GW_LOG_SYSLOG;
	else if (getenv("JOURNAL_STREAM") != NULL)
		sink = GW_LOG_JOURNAL;
	gw_log_init(sink, o.verbose ? LOG_DEBUG : o.quiet ? LOG_NOTICE : LOG_INFO);
	gw_tls_init();
	gw_mail_init();
	status = dispatch(&o, argc, argv);
	g_free(o.config_path);
	return status;
}
