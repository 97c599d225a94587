#!/bin/bash
# tests/e2e/smtpdown.sh - the SMTP server is away for most of the SLA.
#
# A private SMTP sink (tests/smtp_sink.py) stands in for the server.
# plaint run files complaints with a 60 s acknowledgement SLA; the sink
# is stopped before they arrive and comes back SMTP_DOWN_SECONDS (45)
# later.  Retries are timed against the deadline, so every
# acknowledgement still goes out on time, once.  Prints one figure line.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/smtpdown.XXXXXX")
export PGDATABASE=plaint_smtpdown
DOWN=${SMTP_DOWN_SECONDS:-45}
N=${SMTP_DOWN_MESSAGES:-20}
echo alicepw > "$GW_TMP/alice.pass"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw SmtpDown
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CONF=$W/plaint.conf
write_conf "$CONF" "$PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' "folder = SmtpDown
poll_interval = 2")"
sed -i -e 's/^security = starttls$/security = none/' "$CONF"
plaint_run smtpdown-migrate -c "$CONF" db migrate
ok $? "db migrate"
sink=
run=
trap '[ -n "$run" ] && kill "$run" 2>/dev/null; [ -n "$sink" ] && kill "$sink" 2>/dev/null' EXIT
start_sink() {
	"$PY" tests/smtp_sink.py "$W/out" "$PORT" > "$W/sink.log" 2>&1 &
	sink=$!
	for _ in $(seq 1 100); do
		grep -q '^READY' "$W/sink.log" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
mkdir -p "$W/out"

"$PLAINT" -c "$CONF" run >> "$LOGDIR/smtpdown-run.out" 2>> "$LOGDIR/smtpdown-run.err" &
run=$!
t0=$(date +%s)
mkdir "$W/mail"
for i in $(seq 1 "$N"); do
	printf 'From: Customer %s <s%s@example.org>\nTo: care@example.com\nSubject: Complaint %s\nMessage-ID: <smtpdown-%s@example.org>\n\nParcel %s is lost.\n' \
		"$i" "$i" "$i" "$i" "$i" > "$W/mail/$i.eml"
done
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder SmtpDown "$W"/mail/*.eml > /dev/null
for _ in $(seq 1 100); do
	[ "$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND attempts > 0")" -ge "$N" ] && break
	sleep 0.2
done
is "$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND attempts > 0 AND sent_at IS NULL")" "$N" \
	"with the server away, every acknowledgement was tried and deferred"
sleep $((DOWN - ($(date +%s) - t0)))
start_sink
ok $? "the SMTP server is back after $DOWN s"
for _ in $(seq 1 300); do
	[ "$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at IS NOT NULL")" -ge "$N" ] && break
	sleep 0.1
done
kill -TERM "$run"
wait "$run"
run=
is "$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at IS NOT NULL")" "$N" \
	"every acknowledgement went out"
is "$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at <= due_at")" "$N" \
	"every one of them on time"
is "$(find "$W/out" -name '*.json' | wc -l)" "$N" "each once"
late=$(sql "SELECT round(extract(epoch FROM max(sent_at - due_at))::numeric, 1) FROM plaint.outbox WHERE kind = 'ack'")
tries=$(sql "SELECT max(attempts) FROM plaint.outbox WHERE kind = 'ack'")
echo "# SMTP away for $DOWN s of a 60 s SLA: $N acknowledgements, $(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at <= due_at") on time, the latest $late s from its deadline, at most $tries attempts each"
tap_done
