/* gw-config.h - the INI file -> an immutable, validated GwConfig.
 *
 * Every key is a row of one table in config.c (name, type, default,
 * check); unknown sections and keys, bad values and missing required
 * keys are refused with "file:line: message".  Secrets are read from
 * *_file keys here and never logged.  The struct is read-only after
 * gw_config_load(): its fields are public so that modules receive plain
 * values rather than a config dependency.  OAuth 2.0 access tokens
 * expire, so they are not read at load time: gw_config_load_token()
 * fetches one for each new connection. */
#pragma once

#include <glib.h>

typedef enum {
	GW_SECURITY_TLS,	/* TLS from the first byte (IMAPS, SMTPS) */
	GW_SECURITY_STARTTLS,
	GW_SECURITY_NONE,	/* plain text; only sensible on loopback */
} GwSecurity;

typedef enum {
	GW_AUTH_PASSWORD,	/* LOGIN or AUTH with password_file */
	GW_AUTH_XOAUTH2,	/* SASL XOAUTH2 with an OAuth 2.0 access token */
} GwAuth;

typedef struct {
	char *host;
	int port;
	GwSecurity security;
	char *ca_file;		/* NULL: the system trust store */
	char *username;		/* NULL: no AUTH (SMTP only) */
	GwAuth auth;
	char *password;		/* read from password_file (auth = password) */
	char **token_command;	/* argv of the program that prints an access
				 * token, or NULL (auth = xoauth2) */
	char *token_file;	/* or a file whose first line is the token */
	int timeout;		/* seconds, for every read and connect, and
				 * for token_command */
} GwServerConfig;

typedef struct {
	char *name;		/* from [mailbox NAME] */
	GwServerConfig server;
	char *folder;
	char *queue;
	int poll_interval;	/* seconds */
	int batch;		/* messages per UID FETCH and per T1 commit */
	char *start;		/* the first poll of a mailbox with mail in it:
				 * "unseen" (fetch the unread), "all", or
				 * "new" (only what arrives from now on); after
				 * it, the UID cursor alone decides */
} GwMailboxConfig;

/* [template NAME]: an acknowledgement text with {ticket}, {subject},
 * {name}, {queue}, {due} and {team} placeholders, and maybe an HTML
 * alternative with the same placeholders. */
typedef struct {
	char *name;
	char *path;		/* its file */
	char *subject;		/* the "Subject:" line's value */
	char *body;		/* after the blank line */
	char *html_path;	/* html_file, or NULL */
	char *html;		/* its whole text, or NULL */
} GwTemplateConfig;

/* An address to listen on: [metrics] listen. */
typedef struct {
	char *address;		/* a numeric IPv4 or IPv6 address; NULL:
				 * do not listen */
	int port;
} GwListenConfig;

/* [queue NAME] hours: when the queue is staffed, for its deadlines. */
typedef struct {
	gboolean set;		/* the key was given */
	gboolean always;	/* "always": every hour counts */
	guint8 days;		/* bit d set: ISO weekday d (1 Monday ... 7
				 * Sunday) is staffed */
	int start, end;		/* minutes after midnight; end <= 24:00 */
	char *tz;		/* the zone of start and end */
} GwHours;

/* [queue NAME]: one queue's SLA, written into plaint.queues at start
 * (gw_ticket_seed_queues), and its template.  0, NULL and an unset
 * hours leave the database's value alone. */
typedef struct {
	char *name;
	int ack_within;		/* seconds: queues.ack_within */
	int respond_within;	/* queues.first_response */
	int resolve_within;	/* queues.resolve_within */
	char *escalate_to;	/* queues.escalate_to */
	GwHours hours;		/* queues.hours_* */
	char *template;		/* a [template] name */
	char *team;		/* queues.team: who answers, named in the
				 * From of acknowledgements and their
				 * {team} */
} GwQueueConfig;

typedef struct {
	char *path;		/* the file this came from */
	char *conninfo;		/* given, or read from conninfo_file */
	char *conninfo_file;	/* while loading only: that file's line */
	int db_timeout;		/* seconds: connect and statement timeout */
	char *ticket_prefix;	/* CMP in CMP-1042 */
	gboolean customer_reply_to; /* the customer is Reply-To, if there is
				 * one, rather than From */
	char *unlinked_bounce_queue; /* reports naming no mail of plaint's */
	char *tag_from_strangers; /* "thread" or "new": a ticket tag from
				 * someone who is not the ticket's customer
				 * nor a participant */
	int repeat_tickets;	/* a customer's tickets within repeat_days
				 * (the new one too) that make it a
				 * repeat complaint; 0: not counted */
	int repeat_days;	/* 0: not counted either */
	char *rules_dir;
	gboolean rules_jit;
	int ack_within;		/* seconds from arrival to SMTP 250 */
	int respond_within;	/* seconds to a person's first answer, for
				 * queues plaint creates */
	int ack_rate_limit;	/* acks per sender and window; 0: no limit */
	int ack_rate_window;	/* seconds */
	int domain_rate_limit;	/* acks per domain and window; 0: no limit */
	int domain_rate_window;	/* seconds, also of similar_rate_limit */
	char **domain_rate_exempt; /* domains spared, lower case; never NULL */
	int similar_rate_limit;	/* acked mail of one shape per domain; 0: none */
	char *ack_template;	/* a [template] name, NULL: built in */
	char *bounce_address;	/* envelope sender of acks, NULL: <> */
	char *trusted_authserv_id; /* whose Authentication-Results count;
				 * NULL: nobody's */
	char **skip_when;	/* "dmarc-fail", "spf-fail", "dkim-fail":
				 * what withholds an ack; never NULL */
	int retention_raw_days;	/* raw mail of tickets closed this many
				 * days ago is emptied; 0: kept forever */
	/* [satisfaction]: the question asked when a ticket is resolved */
	gboolean satisfaction_enabled;
	char *satisfaction_template; /* a [template] name, NULL: built in */
	int satisfaction_ask_after; /* seconds after the resolution */
	int satisfaction_quiet_days; /* at most one question per customer
				 * in as many days */
	char *low_score_queue;	/* where an answer of 1 or 2 moves the
				 * ticket; NULL: it stays in its queue */
	GwServerConfig smtp;
	char *smtp_from;	/* header From of every outgoing mail */
	char *smtp_from_addr;	/* its bare address, for loops and ids */
	char *smtp_from_name;	/* its display name, unquoted, or "" */
	char *message_id_domain;
	/* [mail]: how far a message is read (see GwMailLimits) */
	int max_message_bytes;	/* larger: kept, only its headers read */
	int max_header_bytes;
	int max_text_bytes;
	int max_headers;
	int max_mime_depth;
	int max_parts;
	char **fallback_charsets; /* NULL-terminated, never NULL */
	int workers;		/* filing threads, each with a connection */
	int filing_batch;	/* messages filed per transaction */
	int batch_bytes;	/* and bytes: also per fetch from a mailbox */
	int max_attempts;	/* begun this often, never finished: quarantined */
	GwListenConfig metrics;	/* the HTTP endpoint of /metrics, /healthz
				 * and /readyz under plaint run */
	GPtrArray *mailboxes;	/* of GwMailboxConfig*, in file order */
	GPtrArray *queues;	/* of GwQueueConfig* */
	GPtrArray *templates;	/* of GwTemplateConfig* */
} GwConfig;

#define GW_CONFIG_ERROR (gw_config_error_quark())
GQuark gw_config_error_quark(void);
typedef enum {
	GW_CONFIG_ERROR_INVALID,	/* message is "file:line: what" */
	GW_CONFIG_ERROR_TOKEN,		/* no access token to be had now */
} GwConfigError;

/* Loads and checks path.  Relative paths in it are taken relative to
 * the file's directory.  Returns NULL and sets error on any problem. */
GwConfig *gw_config_load(const char *path, GError **error);
void gw_config_free(GwConfig *config);

/* The mailbox called name, or NULL (lent). */
const GwMailboxConfig *gw_config_mailbox(const GwConfig *config,
					 const char *name);

/* The [queue NAME] or [template NAME] called name, or NULL (lent). */
const GwQueueConfig *gw_config_queue(const GwConfig *config, const char *name);
const GwTemplateConfig *gw_config_template(const GwConfig *config,
					   const char *name);

/* A fresh access token for server (auth = xoauth2): the first line of
 * token_file, read now, or of what token_command prints on standard
 * output.  The command runs without a shell, standard input from
 * /dev/null, for at most server->timeout seconds (then it is killed).
 * A token is one line of visible ASCII.  On failure returns NULL with
 * GW_CONFIG_ERROR_TOKEN; the message names the file or the command
 * (argv[0], exit status or signal, the last line of its standard
 * error), never the token.  Free the result with gw_config_token_free(),
 * which wipes it. */
char *gw_config_load_token(const GwServerConfig *server, GError **error);
void gw_config_token_free(char *token);

/* Reads every "*.rules" file of dir in name order: fills names and
 * texts (parallel arrays, owned by the caller).  Files over 1 MiB and
 * more than 1000 files are refused. */
gboolean gw_config_read_rules(const char *dir, GPtrArray **names_out,
			      GPtrArray **texts_out, GError **error);

/* Reads a whole file of at most max_bytes ("-" is standard input). */
GBytes *gw_config_read_file(const char *path, gsize max_bytes,
			    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwConfig, gw_config_free)
