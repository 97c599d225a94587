#!/bin/bash
# tests/e2e/locktable.sh - a batch larger than the server's lock table.
#
# PostgreSQL is restarted with a lock table of a few hundred entries
# (max_locks_per_transaction = 10, max_connections = 10), and 600
# complaints wait in a mailbox.  plaint files them with one worker in
# batches of 1,000: the advisory locks of such a batch (three a
# complaint) do not fit.  plaint warns at start, says when a batch did
# not fit, and files it a message at a time: every complaint on its
# ticket, acknowledged once, none quarantined.  PostgreSQL is restarted
# as it was afterwards.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/locktable.XXXXXX")
export PGDATABASE=plaint_locktable
N=600
echo alicepw > "$GW_TMP/alice.pass"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Locks
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Locks
batch = 1000')"
printf '[mail]\nworkers = 1\nfiling_batch = 1000\n' >> "$CONF"
plaint_run locktable-migrate -c "$CONF" db migrate
ok $? "db migrate"

mkdir "$W/mail"
for i in $(seq 1 $N); do
	printf 'From: Customer %s <lt%s.%s@example.org>\nTo: care@example.com\nSubject: Complaint %s\nMessage-ID: <lt-%s-%s@example.org>\n\nThe parcel %s never came.\n' \
		"$i" "$i" "$$" "$i" "$i" "$$" "$i" > "$W/mail/$i.eml"
done
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Locks "$W"/mail/*.eml > /dev/null
ok $? "$N complaints delivered"

trap 'tests/harness.sh pg-restart "$GW_TMP" 2>> "$LOGDIR/locktable-harness.err"' EXIT
tests/harness.sh pg-restart "$GW_TMP" "-c max_locks_per_transaction=10 -c max_connections=10" \
	2>> "$LOGDIR/locktable-harness.err"
slots=$(sql "SELECT current_setting('max_locks_per_transaction')::bigint * (current_setting('max_connections')::bigint + current_setting('max_prepared_transactions')::bigint)")
is "$slots" 100 "PostgreSQL restarted with max_locks_per_transaction = 10 and max_connections = 10"

plaint_run locktable-once -c "$CONF" once
is $? 0 "plaint once exits 0"
grep -q "workers = 1 and filing_batch = 1000 may hold 5000 advisory locks at once, more than half of the server's lock table (100: " \
	"$LOGDIR/locktable-once.err"
ok $? "it warned at start"
grep -Eq "raw=[0-9]+\.\.\.: [0-9]+ messages at once: 53200 ERROR:  out of shared memory; filing them one at a time" "$LOGDIR/locktable-once.err"
ok $? "a batch that did not fit is named, with the server's words"
is "$(sql "SELECT count(*) FILTER (WHERE outcome = 'ticket') || '/' || count(*) FROM plaint.raw_messages")" "$N/$N" \
	"every complaint is on a ticket, none quarantined"
is "$(sql "SELECT count(DISTINCT o.ticket_id) || '/' || count(*) FROM plaint.outbox o WHERE o.kind = 'ack' AND o.sent_at IS NOT NULL")" "$N/$N" \
	"and acknowledged once each"

tests/harness.sh pg-restart "$GW_TMP" 2>> "$LOGDIR/locktable-harness.err"
trap - EXIT
is "$(sql "SHOW max_connections")" 100 "PostgreSQL runs as it was again"

tap_done
