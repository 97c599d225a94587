/* main.c - the `plaint` command: options, subcommands, exit codes.
 *
 * Owns the configuration (the one global the project allows is the
 * log) and wires the modules for each subcommand.  Reads files only
 * through config.c.  Exit codes are sysexits(3): 64 usage, 65 bad
 * input data, 66 no input, 75 try again later, 78 configuration. */
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
#include "gw-inspect.h"
#include "gw-log.h"
#include "gw-mail.h"
#include "gw-pipeline.h"
#include "gw-rules.h"

#ifndef GW_VERSION
#define GW_VERSION "dev"
#endif
#define DEFAULT_CONFIG "/etc/plaint/plaint.conf"
#define MAX_INGEST_BYTES (512 * 1024 * 1024)

static const char usage_text[] =
	"Commands:\n"
	"  db migrate             apply the schema migrations this plaint carries\n"
	"  once                   fetch every mailbox, process, send due mail, exit\n"
	"  run                    the same every poll_interval, until SIGTERM\n"
	"  ingest [--mailbox NAME] [FILE|-]\n"
	"                         store and process one message (an MTA pipe)\n"
	"  config check           validate the config file and the rule files\n"
	"  requeue [--all | --reason TEXT | RAW_ID...]\n"
	"                         file quarantined messages again, once (needs\n"
	"                         a database login with plaint_admin)\n"
	"  parse [--mbox] FILE... each message as plaint reads it, one JSON\n"
	"                         object per line (no database needed)\n"
	"  rules check [DIR]      validate rule files (default: [rules] dir)\n"
	"  rules test [--json] [--mailbox NAME] [--rules DIR] MSG.eml...\n"
	"                         each message's verdict and the rules behind it\n"
	"  rules test --stored [--since DATE] [--json] [--rules DIR]\n"
	"                         stored mail whose routing the rules would change\n"
	"\n"
	"Exit status follows sysexits(3): 0 done, 64 usage, 65 bad data,\n"
	"66 no input, 75 temporary failure (try again), 78 configuration.";

typedef struct {
	char *config_path;
	gboolean verbose;
	gboolean quiet;
	gboolean use_syslog;
	gboolean version;
} Options;

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

static int
cmd_db_migrate(const GwConfig *config)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GwDb) db = gw_db_connect(config->conninfo, config->db_timeout, &err);
	int applied, version;

	if (db == NULL || !gw_db_migrate(db, &applied, &err) ||
	    !gw_db_schema_version(db, &version, &err)) {
		gw_log_err("db migrate: %s", err->message);
		return db == NULL ? EX_TEMPFAIL : EX_SOFTWARE;
	}
	gw_log_notice("db migrate: applied=%d version=%d", applied, version);
	return EX_OK;
}

static int
cmd_config_check(const GwConfig *config)
{
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
	return EX_OK;
}

static int
cmd_rules_check(const char *dir)
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

typedef struct {
	gboolean json, stored;
	char *mailbox, *since, *rules_dir;
} TestOptions;

static gboolean
parse_test_options(TestOptions *t, int *argc, char ***argv)
{
	GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &t->json,
		  "one JSON object per message", NULL },
		{ "mailbox", 'm', 0, G_OPTION_ARG_STRING, &t->mailbox,
		  "as if fetched from this mailbox (its queue)", "NAME" },
		{ "rules", 'r', 0, G_OPTION_ARG_FILENAME, &t->rules_dir,
		  "the rules to test (default: [rules] dir)", "DIR" },
		{ "stored", 0, 0, G_OPTION_ARG_NONE, &t->stored,
		  "replay stored mail instead of files", NULL },
		{ "since", 0, 0, G_OPTION_ARG_STRING, &t->since,
		  "with --stored: mail fetched since DATE", "DATE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("MSG.eml...");
	g_autoptr(GError) err = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		usage_error("rules test: %s", err->message);
		return FALSE;
	}
	if (t->stored != (*argc == 1)) {
		usage_error("rules test needs message files, or --stored");
		return FALSE;
	}
	return TRUE;
}

/* Testing files needs no database, nor a config when --rules is given. */
static int
cmd_rules_test(const Options *o, int argc, char **argv)
{
	TestOptions t = { 0 };
	g_autoptr(GwConfig) config = NULL;
	g_autoptr(GwRules) rules = NULL;
	g_autoptr(GError) err = NULL;
	GwInspect in = { NULL, NULL, NULL, FALSE, stdout, NULL };
	int status = EX_OK;

	if (!parse_test_options(&t, &argc, &argv))
		return EX_USAGE;
	if (t.rules_dir == NULL || t.stored ||
	    g_file_test(o->config_path, G_FILE_TEST_EXISTS)) {
		config = load_config(o);
		if (config == NULL)
			return EX_CONFIG;
	}
	rules = load_rules(t.rules_dir ? t.rules_dir : config->rules_dir,
			   config ? config->rules_jit : TRUE, &err);
	if (rules == NULL) {
		gw_log_err("%s", err->message);
		return EX_DATAERR;
	}
	{
		static GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;

		if (config != NULL)
			gw_pipeline_mail_limits(config, &limits);
		in = (GwInspect){ rules, config, t.mailbox, t.json, stdout, &limits };
	}
	if (!t.stored) {
		status = gw_inspect_files(&in, argv + 1) ? EX_DATAERR : EX_OK;
	} else {
		g_autoptr(GwDb) db = gw_db_connect(config->conninfo,
						   config->db_timeout, &err);
		guint changed;

		if (db == NULL || !gw_db_check_schema(db, &err) ||
		    !gw_inspect_replay(&in, db, t.since, &changed, &err)) {
			gw_log_err("rules test --stored: %s", err->message);
			status = EX_TEMPFAIL;
		}
	}
	g_free(t.mailbox);
	g_free(t.since);
	g_free(t.rules_dir);
	return status;
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

static int
cmd_once(const GwConfig *config)
{
	g_autoptr(GwPipeline) p = NULL;
	int status = EX_OK;

	p = start_pipeline(config, &status);
	if (p == NULL)
		return status;
	for (guint i = 0; i < config->mailboxes->len; i++) {
		g_autoptr(GError) err = NULL;

		if (!gw_pipeline_poll(p, config->mailboxes->pdata[i], &err)) {
			gw_log_err("%s", err->message);
			status = EX_TEMPFAIL;
		}
	}
	{
		g_autoptr(GError) err = NULL;

		if (!gw_pipeline_process(p, &err) || !gw_pipeline_send(p, &err)) {
			gw_log_err("%s", err->message);
			status = EX_TEMPFAIL;
		}
	}
	return status;
}

static int
cmd_run(const GwConfig *config)
{
	g_autoptr(GError) err = NULL;
	GwRules *rules = load_rules(config->rules_dir, config->rules_jit, &err);

	if (rules == NULL) {
		gw_log_err("%s", err->message);
		return EX_CONFIG;
	}
	return gw_daemon_run(config, rules);
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
cmd_ingest(const GwConfig *config, int argc, char **argv)
{
	g_autofree char *mailbox = NULL;
	GOptionEntry entries[] = {
		{ "mailbox", 'm', 0, G_OPTION_ARG_STRING, &mailbox,
		  "file the message as if from this mailbox (its queue)", "NAME" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[FILE|-]");
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) raw = NULL;
	g_autoptr(GwPipeline) p = NULL;
	int status = EX_OK;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err))
		return usage_error("ingest: %s", err->message);
	if (argc > 2)
		return usage_error("ingest takes one file, not several");
	if (mailbox != NULL && gw_config_mailbox(config, mailbox) == NULL)
		return usage_error("ingest: no [mailbox %s] in the config", mailbox);
	/* Larger mail than max_message_bytes is still kept whole. */
	raw = gw_config_read_file(argc == 2 ? argv[1] : "-", MAX_INGEST_BYTES, &err);
	if (raw == NULL) {
		gw_log_err("ingest: %s", err->message);
		return EX_NOINPUT;
	}
	p = start_pipeline(config, &status);
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
cmd_requeue(const GwConfig *config, int argc, char **argv)
{
	gboolean all = FALSE;
	g_autofree char *reason = NULL;
	GOptionEntry entries[] = {
		{ "all", 'a', 0, G_OPTION_ARG_NONE, &all,
		  "every quarantined message", NULL },
		{ "reason", 'r', 0, G_OPTION_ARG_STRING, &reason,
		  "those whose reason contains TEXT (any case)", "TEXT" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[RAW_ID...]");
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GPtrArray) outcomes = NULL;
	g_autoptr(GwPipeline) p = NULL;
	int status = EX_OK;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err))
		return usage_error("requeue: %s", err->message);
	for (int i = 1; i < argc; i++) {
		gint64 id;

		if (!g_ascii_string_to_signed(argv[i], 10, 1, G_MAXINT64, &id, NULL))
			return usage_error("requeue: '%s' is not a raw message id", argv[i]);
		g_array_append_val(ids, id);
	}
	if (!all && reason == NULL && ids->len == 0)
		return usage_error("requeue needs --all, --reason TEXT or raw ids");
	p = start_pipeline(config, &status);
	if (p == NULL)
		return status;
	if (!gw_pipeline_requeue(p, all, reason, ids, &outcomes, &err)) {
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
cmd_parse(const Options *o, int argc, char **argv)
{
	gboolean mbox = FALSE;
	GOptionEntry entries[] = {
		{ "mbox", 0, 0, G_OPTION_ARG_NONE, &mbox,
		  "each FILE is an mbox: one object per message", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("FILE...");
	g_autoptr(GError) err = NULL;
	g_autoptr(GwConfig) config = NULL;
	GwMailLimits limits = GW_MAIL_LIMITS_DEFAULT;
	GwInspect in = { NULL, NULL, NULL, TRUE, stdout, &limits };

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err))
		return usage_error("parse: %s", err->message);
	if (argc < 2)
		return usage_error("parse needs at least one file");
	if (g_file_test(o->config_path, G_FILE_TEST_EXISTS)) {
		config = load_config(o);
		if (config == NULL)
			return EX_CONFIG;
		gw_pipeline_mail_limits(config, &limits);
		in.config = config;
	}
	return gw_inspect_parse(&in, argv + 1, mbox) ? EX_DATAERR : EX_OK;
}

static int
dispatch(const Options *o, int argc, char **argv)
{
	g_autoptr(GwConfig) config = NULL;
	const char *cmd = argv[1];
	const char *sub = argc > 2 ? argv[2] : NULL;

	if (g_strcmp0(cmd, "rules") == 0 && g_strcmp0(sub, "check") == 0 && argc == 4)
		return cmd_rules_check(argv[3]);
	if (g_strcmp0(cmd, "rules") == 0 && g_strcmp0(sub, "test") == 0)
		return cmd_rules_test(o, argc - 2, argv + 2);
	if (g_strcmp0(cmd, "parse") == 0)
		return cmd_parse(o, argc - 1, argv + 1);
	config = load_config(o);
	if (config == NULL)
		return EX_CONFIG;
	if (g_strcmp0(cmd, "db") == 0 && g_strcmp0(sub, "migrate") == 0 && argc == 3)
		return cmd_db_migrate(config);
	if (g_strcmp0(cmd, "config") == 0 && g_strcmp0(sub, "check") == 0 && argc == 3)
		return cmd_config_check(config);
	if (g_strcmp0(cmd, "rules") == 0 && g_strcmp0(sub, "check") == 0 && argc == 3)
		return cmd_rules_check(config->rules_dir);
	if (g_strcmp0(cmd, "once") == 0 && argc == 2)
		return cmd_once(config);
	if (g_strcmp0(cmd, "run") == 0 && argc == 2)
		return cmd_run(config);
	if (g_strcmp0(cmd, "ingest") == 0)
		return cmd_ingest(config, argc - 1, argv + 1);
	if (g_strcmp0(cmd, "requeue") == 0)
		return cmd_requeue(config, argc - 1, argv + 1);
	return usage_error("unknown command or arguments: '%s'", cmd);
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
	g_autoptr(GError) err = NULL;
	GwLogSink sink = GW_LOG_STDERR;
	int status;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, usage_text);
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
	gw_mail_init();
	status = dispatch(&o, argc, argv);
	g_free(o.config_path);
	return status;
}
