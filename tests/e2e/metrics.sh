#!/bin/bash
# tests/e2e/metrics.sh - `plaint run` with [metrics] listen, scraped as
# Prometheus would, against real servers.  The figures must be what the
# test did: messages appended, copies, an auto-reply, a rule that
# routes two of them, acknowledgements that cannot go out and then do,
# a message that is no mail, the latency of each acknowledgement as the
# database records it, and the cursor lag of a mailbox read through a
# slow link.  /readyz turns 503 while PostgreSQL is stopped and 200
# once it is back; /healthz stays 200.  The endpoint binds only the
# address it is given, and a taken or foreign address stops the start.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
W=$(mktemp -d "$GW_TMP/metrics.XXXXXX")
export PGDATABASE=plaint_metrics
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
echo alicepw > "$GW_TMP/alice.pass"
clear_folder alice alicepw Metrics
clear_folder alice alicepw MetricsSlow
RULES_DIR=$W/rules
mkdir -p "$RULES_DIR"
printf 'rule metrics-refund\n  when subject ~ /refund/i\n  set queue billing\n' > "$RULES_DIR/10-refund.rules"
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
MPORT=$(free_port)
dead_port=$(free_port)
pids=()
run=
trap '[ -n "$run" ] && kill "$run" 2>/dev/null; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; tests/harness.sh pg-start "$GW_TMP" 2>/dev/null' EXIT

# http METHOD URL FILE: the body into FILE; prints the status code.
http() {
	"$PY" - "$@" <<'PYEOF'
import sys, urllib.request, urllib.error
method, url, out = sys.argv[1:4]
try:
    r = urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=20)
    code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
except OSError as e:
    code, body = 0, str(e).encode()
open(out, "wb").write(body)
print(code)
PYEOF
}
scrape() {	# FILE: /metrics into FILE; returns 0 on 200
	[ "$(http GET "http://127.0.0.1:$MPORT/metrics" "$1")" = 200 ]
}
val() {	# SERIES FILE: the value of one series, as printed
	awk -v k="$1" '$1 == k { print $2 }' "$2"
}
wait_sql() {	# QUERY WANT SECONDS
	for _ in $(seq 1 $(($3 * 10))); do
		[ "$(sql "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
mail() {	# FILE FROM SUBJECT MESSAGE-ID [EXTRA-HEADER]
	printf 'From: %s\nTo: care@example.com\nSubject: %s\nMessage-ID: <%s>\n%s\nThe order never came.\n' \
		"$1" "$2" "$3" "${4:+$4
}" > "$W/$(echo "$3" | cut -d@ -f1).eml"
}

conf() {	# FILE SMTP-PORT MAILBOX-SECTIONS
	write_conf "$1" "$2" "$3
[metrics]
listen = 127.0.0.1:$MPORT
"
}
CONF1=$W/phase1.conf
conf "$CONF1" "$dead_port" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Metrics
poll_interval = 1')"
plaint_run metrics-migrate -c "$CONF1" db migrate
ok $? "db migrate"

# --- phase 1: five messages, no SMTP server -------------------------------
mail "Ada <ada@example.org>" "Refund for order 11" m1@example.org
mail "Ben <ben@example.org>" "Refund, again" m2@example.org
mail "Cy <cy@example.org>" "Broken lid" m3@example.org
mail "Dee <dee@example.org>" "Out of office" m4@example.org "Auto-Submitted: auto-replied"
t0=$(date +%s.%N)
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Metrics \
	"$W/m1.eml" "$W/m2.eml" "$W/m3.eml" "$W/m4.eml" "$W/m3.eml" > "$W/appended"
last_uid=$(tail -n 1 "$W/appended" | cut -d' ' -f3)
"$PLAINT" -c "$CONF1" run >> "$LOGDIR/metrics-run.out" 2>> "$LOGDIR/metrics-run.err" &
run=$!
wait_sql "SELECT count(*) FROM plaint.raw_messages WHERE state = 'done'" 5 30
ok $? "the daemon files the 5 messages"
wait_sql "SELECT count(*) FROM plaint.outbox WHERE attempts > 0" 3 30
ok $? "and has tried to send the 3 acknowledgements"
: > "$W/nothing.eml"
"$PLAINT" -c "$CONF1" ingest --mailbox support "$W/nothing.eml" >> "$LOGDIR/metrics-ingest.out" 2>> "$LOGDIR/metrics-ingest.err"
is "$?" 0 "a message that is no mail, taken in by plaint ingest (quarantined)"

scrape "$W/p1.txt"
ok $? "GET /metrics: 200"
t1=$(date +%s.%N)
is "$(val 'plaint_messages_fetched_total{mailbox="support"}' "$W/p1.txt")" 5 "fetched: the 5 messages appended"
is "$(val 'plaint_messages_filed_total{mailbox="support"}' "$W/p1.txt")" 4 "filed: 4, the copy aside"
is "$(val 'plaint_messages_duplicate_total{mailbox="support"}' "$W/p1.txt")" 1 "duplicate: the copy"
is "$(val 'plaint_messages_dropped_total{mailbox="support"}' "$W/p1.txt")" 0 "dropped: none"
is "$(val 'plaint_tickets_opened_total{queue="billing"}' "$W/p1.txt")" 2 "tickets opened in billing: the 2 refunds the rule routes"
is "$(val 'plaint_tickets_opened_total{queue="general"}' "$W/p1.txt")" 2 "tickets opened in general: the other 2"
is "$(val 'plaint_rule_hits_total{rule="metrics-refund"}' "$W/p1.txt")" 2 \
	"rule hits: the refund rule matched the 2 refunds"
is "$(val 'plaint_acks_suppressed_total{reason="auto-submitted"}' "$W/p1.txt")" 1 "acknowledgements withheld: the auto-reply"
is "$(val 'plaint_mail_sent_total{kind="ack"}' "$W/p1.txt")" 0 "acknowledgements sent: none, no SMTP server"
smtp_errors=$(val 'plaint_errors_total{kind="smtp"}' "$W/p1.txt")
ok "$([ "${smtp_errors:-0}" -ge 1 ]; echo $?)" "SMTP errors counted ($smtp_errors)"
is "$(val 'plaint_errors_total{kind="imap"}' "$W/p1.txt")" 0 "IMAP errors: none"
is "$(val plaint_outbox_depth "$W/p1.txt")" 3 "outbox depth: the 3 acknowledgements"
is "$(val plaint_outbox_overdue "$W/p1.txt")" 0 "none past its deadline of 60 s"
age=$(val plaint_outbox_oldest_due_age_seconds "$W/p1.txt")
ok "$(awk -v a="$age" -v t0="$t0" -v t1="$t1" 'BEGIN { exit !(a > 0 && a <= t1 - t0 + 1) }'; echo $?)" \
	"the oldest due row's age ($age s) is within the time since the mail was appended"
is "$(val 'plaint_mailbox_cursor_uid{mailbox="support"}' "$W/p1.txt")" "$last_uid" "cursor: the last UID appended ($last_uid)"
is "$(val 'plaint_mailbox_cursor_lag_messages{mailbox="support"}' "$W/p1.txt")" 0 "cursor lag: 0, all stored"
polled=$(sql "SELECT extract(epoch FROM polled_at)::bigint FROM plaint.mailboxes WHERE name = 'support'")
lp=$(val 'plaint_mailbox_last_poll_timestamp_seconds{mailbox="support"}' "$W/p1.txt")
ok "$(awk -v a="$lp" -v b="$polled" 'BEGIN { d = a - b; exit !(d > -3 && d < 3) }'; echo $?)" \
	"last poll: the database's polled_at ($lp, $polled)"
is "$(val 'plaint_messages_quarantined{mailbox="support"}' "$W/p1.txt")" 1 "quarantined: the message that is no mail"
is "$(val plaint_database_up "$W/p1.txt")" 1 "database up"
rss=$(val process_resident_memory_bytes "$W/p1.txt")
vmrss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$run/status")
ok "$(awk -v a="$rss" -v b="$vmrss" 'BEGIN { exit !(a > 1000000 && a > b / 2 && a < b * 2) }'; echo $?)" \
	"resident memory ($rss bytes) agrees with /proc ($vmrss)"
grep -q '^# TYPE plaint_ack_latency_seconds histogram$' "$W/p1.txt"
ok $? "the acknowledgement latency is a histogram"
sleep 2
scrape "$W/p1b.txt"
age2=$(val plaint_outbox_oldest_due_age_seconds "$W/p1b.txt")
ok "$(awk -v a="$age" -v b="$age2" 'BEGIN { d = b - a; exit !(d >= 1.5 && d < 10) }'; echo $?)" \
	"two seconds later the oldest due row is two seconds older ($age -> $age2)"

# --- health and readiness, and PostgreSQL away -------------------------------
is "$(http GET "http://127.0.0.1:$MPORT/healthz" "$W/h")" 200 "/healthz: 200"
is "$(cat "$W/h")" ok "/healthz says ok"
is "$(http GET "http://127.0.0.1:$MPORT/readyz" "$W/r")" 200 "/readyz: 200 while all is well"
is "$(http GET "http://127.0.0.1:$MPORT/nothing" "$W/n")" 404 "another path: 404"
is "$(http POST "http://127.0.0.1:$MPORT/metrics" "$W/n")" 405 "POST: 405"
is "$(http GET "http://127.0.0.2:$MPORT/healthz" "$W/n")" 0 "nothing listens on 127.0.0.2: only the address given is bound"

tests/harness.sh pg-stop "$GW_TMP" immediate 2>> "$LOGDIR/metrics-harness.err"
ok $? "PostgreSQL stopped"
is "$(http GET "http://127.0.0.1:$MPORT/readyz" "$W/r")" 503 "/readyz: 503 while PostgreSQL is stopped"
grep -q '^database: ' "$W/r"
ok $? "the body says the database is why ($(head -c 100 "$W/r"))"
is "$(http GET "http://127.0.0.1:$MPORT/healthz" "$W/h")" 200 "/healthz: still 200"
scrape "$W/down.txt"
ok $? "/metrics still answers"
is "$(val plaint_database_up "$W/down.txt")" 0 "database_up 0"
is "$(val plaint_outbox_depth "$W/down.txt")" "" "and the gauges read from it are left out"
is "$(val 'plaint_messages_fetched_total{mailbox="support"}' "$W/down.txt")" 5 "the counters are still there"
sleep 3
http GET "http://127.0.0.1:$MPORT/readyz" "$W/r" > /dev/null
grep -q '^mailbox support: the last poll that worked was [0-9]* s ago' "$W/r"
ok $? "after more than twice its poll_interval, the mailbox is a reason too"
tests/harness.sh pg-start "$GW_TMP" 2>> "$LOGDIR/metrics-harness.err"
ok $? "PostgreSQL started again"
code=0
for _ in $(seq 1 60); do
	code=$(http GET "http://127.0.0.1:$MPORT/readyz" "$W/r")
	[ "$code" = 200 ] && break
	sleep 0.5
done
is "$code" 200 "/readyz: 200 again once PostgreSQL is back"
scrape "$W/up.txt"
is "$(val plaint_database_up "$W/up.txt")" 1 "database_up 1 again"
dberr=$(val 'plaint_errors_total{kind="database"}' "$W/up.txt")
ok "$([ "${dberr:-0}" -ge 1 ]; echo $?)" "database errors counted ($dberr)"

# --- the address is the daemon's: a second one cannot start ------------------
"$PLAINT" -c "$CONF1" run > /dev/null 2> "$W/taken.err"
is "$?" 75 "a second daemon on the same address: exit 75 (it may free itself)"
grep -q "cannot start: \[metrics\] listen 127.0.0.1:$MPORT: cannot listen there: Address already in use" "$W/taken.err"
ok $? "and says the address is taken"
sed "s/^listen = .*/listen = 192.0.2.1:$MPORT/" "$CONF1" > "$W/foreign.conf"
"$PLAINT" -c "$W/foreign.conf" run > /dev/null 2> "$W/foreign.err"
is "$?" 78 "an address that is not this host's: exit 78"
grep -q "\[metrics\] listen 192.0.2.1:$MPORT: cannot listen there: Cannot assign requested address" "$W/foreign.err"
ok $? "and says why"
sed "s/^listen = .*/listen = localhost:$MPORT/" "$CONF1" > "$W/name.conf"
"$PLAINT" -c "$W/name.conf" run > /dev/null 2> "$W/name.err"
is "$?" 78 "a name instead of an address: exit 78"
grep -q "name.conf:$(grep -n '^listen' "$W/name.conf" | cut -d: -f1): listen must be ADDRESS:PORT" "$W/name.err"
ok $? "refused with file:line"

kill -TERM "$run"
wait "$run"
is "$?" 0 "plaint run stops"
run=

# --- phase 2: the SMTP server is there; a mailbox on a slow link -------------
"$PY" - "$W" <<'PYEOF'
import sys
for i in range(1, 5):
    with open(f"{sys.argv[1]}/slow{i}.eml", "w") as f:
        f.write(f"From: Slow {i} <slow{i}@example.org>\nTo: care@example.com\n"
                f"Subject: Slow complaint {i}\nMessage-ID: <slow{i}@example.org>\n\n"
                + "The parcel came late, and here is all about it.\n" * 400)
PYEOF
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder MetricsSlow "$W"/slow[1-4].eml > "$W/appended-slow"
slow_uid=$(tail -n 1 "$W/appended-slow" | cut -d' ' -f3)
"$PY" tests/peers/slow_proxy.py --upstream "$IMAP_PORT" --rate 12000 > "$W/proxy.port" 2>> "$LOGDIR/metrics-proxy.err" &
pids+=("$!")
for _ in $(seq 1 100); do grep -q '^PORT' "$W/proxy.port" && break; sleep 0.05; done
proxy_port=$(cut -d' ' -f2 "$W/proxy.port")
CONF2=$W/phase2.conf
conf "$CONF2" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Metrics
poll_interval = 1')
$(mailbox_section slow "$proxy_port" none alice - 'folder = MetricsSlow
batch = 1')"
# This run logs in as the gateway does in production: a login that has
# the role plaint_gateway and nothing else (the endpoint's queries too).
psql -X -q -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'metrics_gateway')
	THEN CREATE ROLE metrics_gateway LOGIN; END IF; END \$\$" -c "GRANT plaint_gateway TO metrics_gateway"
sed -i "s/^conninfo = \(.*\) user=[a-z_]*$/conninfo = \1 user=metrics_gateway/" "$CONF2"
"$PLAINT" -c "$CONF2" run >> "$LOGDIR/metrics-run.out" 2>> "$LOGDIR/metrics-run.err" &
run=$!
# While the slow mailbox downloads, each scrape shows fetched and lag
# together: what is stored and what is still to come add up to the 4.
samples=0 consistent=0 fetched=""
for _ in $(seq 1 300); do
	kill -0 "$run" 2>/dev/null || break
	if scrape "$W/s.txt"; then
		fetched=$(val 'plaint_messages_fetched_total{mailbox="slow"}' "$W/s.txt")
		lag=$(val 'plaint_mailbox_cursor_lag_messages{mailbox="slow"}' "$W/s.txt")
		if [ "${lag:-0}" -gt 0 ]; then
			samples=$((samples + 1))
			[ $((fetched + lag)) = 4 ] && consistent=$((consistent + 1))
		fi
		[ "$fetched" = 4 ] && break
	fi
	sleep 0.1
done
echo "# $samples scrapes during the slow download showed a lag"
ok "$([ "$samples" -ge 1 ]; echo $?)" "scrapes during the slow download show a cursor lag ($samples)"
is "$consistent" "$samples" "in each, fetched + lag = the 4 messages appended"
is "$fetched" 4 "fetched from the slow mailbox: 4"
wait_sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at IS NULL" 0 30
ok $? "every acknowledgement is sent"
wait_sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack'" 7 5
ok $? "7 acknowledgements: 3 from before, 4 for the slow mailbox's mail"
scrape "$W/p2.txt"
is "$(val 'plaint_mail_sent_total{kind="ack"}' "$W/p2.txt")" 7 "acknowledgements sent: 7"
is "$(val plaint_outbox_depth "$W/p2.txt")" 0 "outbox depth: 0"
is "$(val plaint_outbox_oldest_due_age_seconds "$W/p2.txt")" 0 "nothing waits: age 0"
is "$(val 'plaint_mailbox_cursor_lag_messages{mailbox="slow"}' "$W/p2.txt")" 0 "cursor lag of the slow mailbox: 0 once all is stored"
is "$(val 'plaint_mailbox_cursor_uid{mailbox="slow"}' "$W/p2.txt")" "$slow_uid" "its cursor: the last UID appended"
is "$(val plaint_ack_latency_seconds_count "$W/p2.txt")" 7 "the latency histogram counts the 7"
is "$(val 'plaint_ack_latency_seconds_bucket{le="+Inf"}' "$W/p2.txt")" 7 "its +Inf bucket too"
want_sum=$(sql "SELECT round(sum(latency)::numeric, 3) FROM plaint.ack_sla")
got_sum=$(val plaint_ack_latency_seconds_sum "$W/p2.txt")
ok "$(awk -v a="$got_sum" -v b="$want_sum" 'BEGIN { d = a - b; exit !(d > -0.01 && d < 0.01) }'; echo $?)" \
	"its sum ($got_sum s) is that of plaint.ack_sla ($want_sum s)"
for le in 2 60 3600; do
	is "$(val "plaint_ack_latency_seconds_bucket{le=\"$le\"}" "$W/p2.txt")" \
		"$(sql "SELECT count(*) FROM plaint.ack_sla WHERE latency <= $le")" \
		"bucket le=$le: the acknowledgements plaint.ack_sla says took at most $le s"
done
kill -TERM "$run"
wait "$run"
is "$?" 0 "plaint run stops"
run=
trap - EXIT
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
tap_done
