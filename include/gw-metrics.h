/* gw-metrics.h - what `plaint run` counts, and the HTTP endpoint that
 * shows it.
 *
 * A GwMetrics holds counters bumped where things happen (any thread:
 * one mutex guards them all).  The endpoint ([metrics] listen) is
 * libmicrohttpd in a thread of its own, with a database connection of
 * its own whose statements time out, so a scrape never waits on the
 * main loop nor the main loop on a scrape:
 *   /metrics  the counters, and gauges read from the database then, in
 *             the Prometheus text format (0.0.4);
 *   /healthz  200 while the process runs;
 *   /readyz   200 while the database answers and every mailbox has
 *             polled within twice its poll_interval, else 503 with the
 *             reasons, one a line.
 * Every function that takes a GwMetrics does nothing when it is NULL,
 * so that code shared with `plaint once` need not ask. */
#pragma once

#include "gw-config.h"
#include "gw-ticket.h"

typedef struct GwMetrics GwMetrics;

/* The counters with one label each (the label named in brackets). */
typedef enum {
	GW_METRIC_FETCHED,	/* messages stored from a mailbox [mailbox] */
	GW_METRIC_FILED,	/* on a ticket: opened, threaded or linked as
				 * a bounce [mailbox] */
	GW_METRIC_DUPLICATE,	/* a copy of a message filed before [mailbox] */
	GW_METRIC_DROPPED,	/* dropped by a rule [mailbox] */
	GW_METRIC_OPENED,	/* tickets opened [queue] */
	GW_METRIC_SENT,		/* mail the SMTP server accepted [kind] */
	GW_METRIC_SUPPRESSED,	/* acknowledgements withheld [reason] */
	GW_METRIC_RULE_HIT,	/* messages a rule matched [rule] */
	GW_METRIC_ERROR,	/* failures [kind: imap, smtp, database] */
	GW_METRIC_N_COUNTERS,
} GwMetric;

/* Counters for the mailboxes of config (lent: it must outlive them),
 * each at 0 from the start. */
GwMetrics *gw_metrics_new(const GwConfig *config);
void gw_metrics_free(GwMetrics *metrics);

void gw_metrics_add(GwMetrics *metrics, GwMetric metric, const char *label,
		    guint64 n);
/* Counts error as an IMAP, SMTP or database error, after its domain;
 * errors of other domains are not counted. */
void gw_metrics_error(GwMetrics *metrics, const GError *error);
/* One message filed from mailbox (not quarantined): its outcome, the
 * ticket's queue, the acknowledgement withheld and the rules that
 * matched (matched: char*). */
void gw_metrics_filed(GwMetrics *metrics, const char *mailbox,
		      const GwFiled *filed, const char *queue,
		      const GPtrArray *matched);

/* The cursor lag of mailbox: a poll found pending messages above its
 * cursor that are not stored yet ... */
void gw_metrics_pending(GwMetrics *metrics, const char *mailbox,
			guint pending);
/* ... and n of them were stored: fetched grows and the lag shrinks
 * together, as one step. */
void gw_metrics_fetched(GwMetrics *metrics, const char *mailbox, guint n);
/* A poll of mailbox worked (for /readyz). */
void gw_metrics_polled(GwMetrics *metrics, const char *mailbox);
/* The SMTP server accepted outbox row id, of kind ("ack", "reply",
 * ...).  An acknowledgement's latency, from the arrival of the mail it
 * answers to this 250, joins the histogram at the next scrape, read
 * from the database. */
void gw_metrics_sent(GwMetrics *metrics, gint64 outbox_id, const char *kind);

typedef struct GwMetricsServer GwMetricsServer;

#define GW_METRICS_ERROR (gw_metrics_error_quark())
GQuark gw_metrics_error_quark(void);
typedef enum {
	GW_METRICS_ERROR_IN_USE,	/* the address is taken: may free itself */
	GW_METRICS_ERROR_LISTEN,	/* cannot listen there at all */
} GwMetricsError;

/* Listens on config's [metrics] listen and serves metrics (lent: it
 * must outlive the server) from a thread of libmicrohttpd's.  Call it
 * once the thread's signal mask is set: the thread inherits it. */
GwMetricsServer *gw_metrics_serve(GwMetrics *metrics, GError **error);
/* Stops listening, waits for a scrape under way, and frees. */
void gw_metrics_server_free(GwMetricsServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwMetrics, gw_metrics_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GwMetricsServer, gw_metrics_server_free)
