#!/bin/bash
# tests/e2e/outage.sh - PostgreSQL goes away under a running daemon.
#
# plaint run files mail; PostgreSQL is stopped (OUTAGE_MODES: immediate,
# as in a crash; make reliability adds fast, as in a restart), mail
# arrives while it is down, and it comes back after OUTAGE_SECONDS (35).  The mailbox's polls back off
# while the database is away; once it is back, plaint polls at once
# rather than after its backoff.  Nothing is lost, nothing filed twice,
# one acknowledgement each.  Prints one figure line per outage.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/outage.XXXXXX")
export PGDATABASE=plaint_outage
DOWN=${OUTAGE_SECONDS:-35}
echo alicepw > "$GW_TMP/alice.pass"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Outage
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' "folder = Outage
poll_interval = 2")"
sed -i 's/^timeout = 10$/timeout = 3/' "$CONF"	# the [database] one, and the rest
plaint_run outage-migrate -c "$CONF" db migrate
ok $? "db migrate"
run=
trap '[ -n "$run" ] && kill "$run" 2>/dev/null; tests/harness.sh pg-start "$GW_TMP" 2>/dev/null' EXIT

mail() {	# N
	printf 'From: Customer %s <c%s@example.org>\nTo: care@example.com\nSubject: Complaint %s\nMessage-ID: <outage-%s@example.org>\n\nThe parcel %s never came.\n' \
		"$1" "$1" "$1" "$1" "$1" > "$W/m$1.eml"
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Outage "$W/m$1.eml" > /dev/null
}
filed() { sql "SELECT count(*) FROM plaint.messages WHERE message_id = 'outage-$1@example.org'" 2>/dev/null; }
wait_filed() {	# N SECONDS: prints the milliseconds it took, or "never"
	local t0 i
	t0=$(date +%s%N)
	for i in $(seq 1 $(($2 * 10))); do
		[ "$(filed "$1")" = 1 ] && { echo $(( ($(date +%s%N) - t0) / 1000000 )); return 0; }
		sleep 0.1
	done
	echo never
	return 1
}

mail 1
"$PLAINT" -c "$CONF" run >> "$LOGDIR/outage-run.out" 2>> "$LOGDIR/outage-run.err" &
run=$!
ms=$(wait_filed 1 20)
ok $? "the daemon files mail ($ms ms)"

n=1
for mode in ${OUTAGE_MODES:-immediate}; do
	n=$((n + 1))
	tests/harness.sh pg-stop "$GW_TMP" "$mode" 2>> "$LOGDIR/outage-harness.err"
	ok $? "PostgreSQL stopped ($mode)"
	mail "$n"
	sleep "$DOWN"
	kill -0 "$run" 2>/dev/null
	ok $? "plaint run outlives $DOWN s without its database"
	tests/harness.sh pg-start "$GW_TMP" 2>> "$LOGDIR/outage-harness.err"
	ok $? "PostgreSQL started again"
	ms=$(wait_filed "$n" 60)
	ok $? "the mail that came meanwhile is filed $ms ms after the database is back"
	[ "$ms" != never ] && [ "$ms" -lt 12000 ]
	ok $? "within 12 s, not after the poll backoff"
	echo "# PostgreSQL stopped ($mode) for $DOWN s: the mail that came meanwhile was filed $ms ms after it was back"
done
sleep 2
kill -TERM "$run"
wait "$run"
is "$?" 0 "plaint run stops cleanly"
run=
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT ticket_id) FROM plaint.messages WHERE direction = 'in'")" \
	"$n $n" "each message on one ticket of its own, none twice"
is "$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at IS NOT NULL")" "$n" \
	"one acknowledgement each, sent"
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE state <> 'done'")" 0 "nothing left unfiled"
grep -q "working again" "$LOGDIR/outage-run.err"
ok $? "the log says when it works again"
tap_done
