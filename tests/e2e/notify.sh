#!/bin/bash
# tests/e2e/notify.sh - `plaint run` speaks systemd's notify protocol:
# READY=1 once started, RELOADING=1 then READY=1 around a SIGHUP reload
# (a refused one too), WATCHDOG=1 at half of WATCHDOG_USEC and never
# without it, a STATUS= line with the mailboxes, the last poll, the
# outbox depth and the last error, STOPPING=1 on SIGTERM; without a
# database at start, a STATUS= saying so and no READY=1.  The socket is the test's own
# (tests/notify_reader.py), the servers the harness's.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
W=$(mktemp -d "$GW_TMP/notify.XXXXXX")
export PGDATABASE=plaint_notify
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
RULES_DIR=$W/rules
mkdir -p "$RULES_DIR"
cp rules/*.rules "$RULES_DIR/"
echo alicepw > "$GW_TMP/alice.pass"
# A port nothing listens on: connecting fails at once.  (A refused
# login would do too, but Dovecot then slows every login from 127.0.0.1
# for seconds, which would stall the other mailbox's polls.)
dead_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
clear_folder alice alicepw Notify
printf 'From: Lee <lee@example.org>\nTo: care@example.com\nSubject: Broken lid\nMessage-ID: <lee-1@example.org>\n\nThe lid came off.\n' > "$W/m1.eml"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Notify "$W/m1.eml" > /dev/null
write_conf "$W/plaint.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Notify
poll_interval = 1')
[mailbox unreachable]
host = localhost
port = $dead_port
security = tls
ca_file = $CA_FILE
username = bob
password_file = $GW_TMP/alice.pass
timeout = 10
poll_interval = 60
"
plaint_run notify-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"

reader_pid=""
plaint_pid=""
stop_all() {
	[ -n "$plaint_pid" ] && kill -TERM "$plaint_pid" 2>/dev/null
	[ -n "$reader_pid" ] && kill -TERM "$reader_pid" 2>/dev/null
}
trap stop_all EXIT

# start_reader NAME: a fresh socket and log for one run of plaint.
start_reader() {
	SOCK=$W/$1.sock
	LOG=$W/$1.log
	: > "$LOG"
	"$PY" tests/notify_reader.py "$SOCK" "$LOG" 120 &
	reader_pid=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
}

# wait_lines PATTERN N: until N datagrams match PATTERN (10 s at most).
wait_lines() {
	for _ in $(seq 200); do
		[ "$(grep -cE -- "$1" "$LOG")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

stop_plaint() {
	kill -TERM "$plaint_pid"
	wait "$plaint_pid"
	local rc=$?
	plaint_pid=""
	kill -TERM "$reader_pid" 2>/dev/null
	wait "$reader_pid" 2>/dev/null
	reader_pid=""
	return $rc
}

# --- a run watched by a 2 s watchdog ---------------------------------
start_reader watched
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=2000000 \
	"$PLAINT" -c "$W/plaint.conf" run > "$LOGDIR/notify-run.out" 2> "$LOGDIR/notify-run.err" &
plaint_pid=$!

wait_lines '(^|[ |])READY=1' 1
ok $? "READY=1 arrives once the daemon has started"
first_ready=$(grep -E '(^|[ |])READY=1' "$LOG" | head -1)
case "$first_ready" in
*"STATUS=2 mailboxes, last poll none yet, outbox 0 unsent, "*) ok 0 "READY=1 comes with STATUS= naming the 2 mailboxes and the empty outbox" ;;
*) ok 1 "READY=1 comes with STATUS= naming the 2 mailboxes (got '$first_ready')" ;;
esac

# Both mailboxes are polled at once; one cannot be reached.
wait_lines 'STATUS=.*last poll [0-9:]+ \(support\)' 1
ok $? "STATUS= reports the last poll, with its time and mailbox"
wait_lines 'STATUS=.*last error [0-9:]+ mailbox unreachable: ' 1
ok $? "STATUS= reports the last error, naming the mailbox"
grep -E 'STATUS=.*last error' "$LOG" | grep -qF alicepw
ok "$((! $?))" "STATUS= never shows a password"

wait_lines '^[0-9.]+ WATCHDOG=1$' 5
ok $? "WATCHDOG=1 keeps coming while WATCHDOG_USEC is set"
gaps=$(grep -E '^[0-9.]+ WATCHDOG=1$' "$LOG" | awk 'NR > 1 { printf "%.3f\n", $1 - prev } { prev = $1 }')
max_gap=$(printf '%s\n' "$gaps" | sort -n | tail -1)
min_gap=$(printf '%s\n' "$gaps" | sort -n | head -1)
echo "# watchdog gaps: min ${min_gap}s max ${max_gap}s (WATCHDOG_USEC 2 s)"
awk -v m="$max_gap" 'BEGIN { exit !(m >= 2.0) }' && sed 's/^/#   /' "$LOG"
ok "$(awk -v m="$max_gap" 'BEGIN { exit !(m < 2.0) }'; echo $?)" \
	"the watchdog is fed within WATCHDOG_USEC (largest gap ${max_gap}s)"
ok "$(awk -v m="$min_gap" 'BEGIN { exit !(m >= 0.8) }'; echo $?)" \
	"the watchdog is fed at about half of it, not more often (smallest gap ${min_gap}s)"

# A reload: RELOADING=1, then READY=1 after it.
before=$(wc -l < "$LOG")
kill -HUP "$plaint_pid"
wait_lines '(^|[ |])RELOADING=1' 1
ok $? "SIGHUP: RELOADING=1"
grep -E '(^|[ |])RELOADING=1' "$LOG" | grep -qE 'MONOTONIC_USEC=[0-9]+'
ok $? "RELOADING=1 carries MONOTONIC_USEC"
wait_lines '(^|[ |])READY=1' 2
ok $? "SIGHUP: READY=1 again once reloaded"
order=$(tail -n +"$((before + 1))" "$LOG" | grep -oE '(^|[ |])(RELOADING|READY)=1' | tr -d ' |' | tr '\n' ' ')
is "$order" "RELOADING=1 READY=1 " "RELOADING=1 comes before READY=1"

# A refused reload: the same pair, and the STATUS line says why.
printf 'rule broken\n  when subject ~ /(unclosed/\n' > "$RULES_DIR/99-broken.rules"
kill -HUP "$plaint_pid"
wait_lines '(^|[ |])RELOADING=1' 2 && wait_lines '(^|[ |])READY=1' 3
ok $? "a refused reload: RELOADING=1, then READY=1 (the old rules run on)"
grep -E '(^|[ |])READY=1' "$LOG" | tail -1 | grep -qF "last error"
ok $? "the STATUS= after a refused reload reports it"
grep -E '(^|[ |])READY=1' "$LOG" | tail -1 | grep -qF "reload refused"
ok $? "... as 'reload refused'"
rm "$RULES_DIR/99-broken.rules"

kill -0 "$plaint_pid" 2>/dev/null
ok $? "the watchdog-fed daemon is still running"
stop_plaint
ok $? "SIGTERM: plaint run exits 0"
grep -qE '(^|[ |])STOPPING=1' "$LOG"
ok $? "SIGTERM: STOPPING=1"
last=$(grep -vE '^[0-9.]+ WATCHDOG=1$' "$LOG" | tail -1)
case "$last" in
*STOPPING=1*) ok 0 "STOPPING=1 is the last state sent" ;;
*) ok 1 "STOPPING=1 is the last state sent (last: '$last')" ;;
esac

# --- a run without a watchdog: no WATCHDOG=1 at all -------------------
start_reader unwatched
NOTIFY_SOCKET=$SOCK "$PLAINT" -c "$W/plaint.conf" run \
	>> "$LOGDIR/notify-run.out" 2>> "$LOGDIR/notify-run.err" &
plaint_pid=$!
wait_lines '(^|[ |])READY=1' 1
ok $? "without WATCHDOG_USEC: READY=1"
sleep 1.5
stop_plaint
ok $? "without WATCHDOG_USEC: exits 0 on SIGTERM"
is "$(grep -c 'WATCHDOG=1' "$LOG")" 0 "without WATCHDOG_USEC: no WATCHDOG=1 in 1.5 s"

# --- no SMTP server: the STATUS= line counts the mail that waits -------
start_reader nosmtp
printf 'From: Mo <mo@example.org>\nTo: care@example.com\nSubject: Cracked bowl\nMessage-ID: <mo-1@example.org>\n\nIt cracked.\n' > "$W/m2.eml"
printf 'From: Noa <noa@example.org>\nTo: care@example.com\nSubject: Bent fork\nMessage-ID: <noa-1@example.org>\n\nIt bent.\n' > "$W/m3.eml"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Notify "$W/m2.eml" "$W/m3.eml" > /dev/null
sed "/^\[smtp\]/,/^\[/ s/^port = .*/port = $dead_port/" "$W/plaint.conf" > "$W/nosmtp.conf"
NOTIFY_SOCKET=$SOCK "$PLAINT" -c "$W/nosmtp.conf" run \
	>> "$LOGDIR/notify-run.out" 2>> "$LOGDIR/notify-run.err" &
plaint_pid=$!
wait_lines 'STATUS=.*, outbox 2 unsent, ' 1
ok $? "no SMTP server: STATUS= says the 2 new acknowledgements wait in the outbox"
is "$(sql "SELECT count(*) FROM plaint.outbox WHERE sent_at IS NULL")" 2 "as many as the database holds unsent"
stop_plaint
ok $? "exits 0 on SIGTERM"

# --- no database at start: a STATUS= line saying why, no READY=1 -------
start_reader nodb
sed "s|^conninfo = .*|conninfo = host=127.0.0.1 port=$dead_port dbname=x user=x connect_timeout=5|" \
	"$W/plaint.conf" > "$W/nodb.conf"
NOTIFY_SOCKET=$SOCK "$PLAINT" -c "$W/nodb.conf" run \
	>> "$LOGDIR/notify-run.out" 2>> "$LOGDIR/notify-run.err"
is "$?" 75 "no database at start: exit 75 (systemd restarts it)"
wait_lines 'STATUS=cannot start: ' 1
ok $? "no database at start: STATUS= says it cannot start"
is "$(grep -c 'READY=1' "$LOG")" 0 "no database at start: no READY=1"
# The reader joins a datagram's lines with '|': a newline left in the
# error text would show as one.
line=$(grep 'STATUS=cannot start: ' "$LOG" | head -1)
case "$line" in
*'|'*) ok 1 "the STATUS= with the error is one line (got '$line')" ;;
*) ok 0 "the STATUS= with the error is one line" ;;
esac
kill -TERM "$reader_pid" 2>/dev/null
wait "$reader_pid" 2>/dev/null
reader_pid=""

trap - EXIT
tap_done
