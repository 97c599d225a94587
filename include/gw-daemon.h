/* gw-daemon.h - `plaint run`: the long-running loop.
 *
 * One thread, one GMainLoop: a timer per mailbox polls it every
 * poll_interval seconds and then processes and sends; a timer sends due
 * outbox rows (retries); one checks deadlines every minute
 * (plaint.check_overdue: escalations go out through the outbox), and
 * with [retention] raw_days one applies retention every hour.  SIGTERM and SIGINT end the loop between two
 * units of work; SIGHUP reloads the rule files, keeping the running set
 * if the new one has any error.  Under systemd ($NOTIFY_SOCKET) it
 * reports READY, RELOADING, STOPPING, a STATUS line and the watchdog. */
#pragma once

#include "gw-config.h"
#include "gw-rules.h"

/* Runs until a signal says stop; returns a sysexits code.  rules is
 * taken over. */
int gw_daemon_run(const GwConfig *config, GwRules *rules);
