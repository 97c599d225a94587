#!/bin/bash
# tests/e2e/statistics.sh - a worker has the tables it fills analyzed
# when they grew far past their statistics (plaint.refresh_statistics),
# and leaves them alone when the statistics are current.
#
# A new database with one ticket, then about 5 MB of outgoing messages
# written straight into plaint.messages (a backlog filed in a burst, as
# the planner would see it: never analyzed); then `plaint once` files 12
# complaints in batches of one on one worker, so that it looks at the
# statistics after its 10th batch.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
W=$(mktemp -d "$GW_TMP/statistics.XXXXXX")
RULES_DIR=$PWD/rules
export PGDATABASE=plaint_statistics
echo alicepw > "$GW_TMP/alice.pass"
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Statistics')"
printf '[mail]\nworkers = 1\nfiling_batch = 1\n' >> "$CONF"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Statistics
plaint_run statistics-migrate -c "$CONF" db migrate
ok $? "db migrate"
# Autovacuum is kept off these tables: had it analyzed messages between
# the backlog and the 10th batch, there would be nothing left to do.
for t in raw_messages customers tickets messages events routing outbox; do
	sql "ALTER TABLE plaint.$t SET (autovacuum_enabled = false)" > /dev/null
done

deliver() {	# FIRST LAST: complaints FIRST..LAST into the folder
	for i in $(seq "$1" "$2"); do
		printf 'From: Customer %s <stat%s@example.org>\nTo: care@example.com\nSubject: Complaint %s\nMessage-ID: <stat%s@example.org>\nDate: Wed, 02 Dec 2026 10:00:00 +0000\n\nMy parcel %s never came.\n' \
			"$i" "$i" "$i" "$i" "$i" > "$W/m$i.eml"
	done
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --user alice --password alicepw \
		--folder Statistics $(seq -f "$W/m%g.eml" "$1" "$2") > /dev/null
}
once() {	# NAME: plaint once, its log in $W/NAME.log
	"$PLAINT" -c "$CONF" once > /dev/null 2> "$W/$1.log"
	local rc=$?
	cat "$W/$1.log" >> "$LOGDIR/statistics-$1.err"
	return $rc
}
refreshed() { grep -c 'statistics refreshed:' "$W/$1.log"; }

deliver 1 1
once first
ok $? "plaint once files the first complaint"
is "$(sql "SELECT count(*) FROM plaint.tickets")" 1 "one ticket"

# The backlog: rows of about 1.3 KB, 6 to a page, until messages holds
# more pages than the gateway's threshold (512, and 4 times what
# pg_class says it had: nothing).
sql "DO \$\$
BEGIN
	WHILE pg_relation_size('plaint.messages') / current_setting('block_size')::bigint
	      < greatest(512, 4 * (SELECT relpages FROM pg_class
				   WHERE oid = 'plaint.messages'::regclass) + 1) + 64 LOOP
		INSERT INTO plaint.messages (ticket_id, direction, subject, body)
		SELECT (SELECT min(id) FROM plaint.tickets), 'out', 'Filler ' || i,
		       (SELECT string_agg(md5(i::text || '/' || j), '') FROM generate_series(1, 40) j)
		  FROM generate_series(1, 500) i;
	END LOOP;
END
\$\$" > /dev/null
rows=$(sql "SELECT count(*) FROM plaint.messages")
pages_before=$(sql "SELECT relpages FROM pg_class WHERE oid = 'plaint.messages'::regclass")
ok "$([ "$rows" -gt 3000 ] && echo 0 || echo 1)" "the backlog is in messages ($rows rows)"

deliver 2 13
once grown
ok $? "plaint once files 12 more complaints, one a batch"
is "$(sql "SELECT count(*) FROM plaint.tickets")" 13 "13 tickets: each complaint on its own"
is "$(refreshed grown)" 1 "after its 10th batch the worker had the tables analyzed, once"
line=$(grep -o 'statistics refreshed: .*' "$W/grown.log")
echo "$line" | grep -Eq "(^| )messages=$pages_before>[0-9]+( |$)" &&
	echo "$line" | grep -q ' tickets=' && echo "$line" | grep -q ' raw_messages='
ok $? "the log names messages with its pages before and now, and the other tables filing fills ($line)"
reltuples=$(sql "SELECT reltuples::bigint FROM pg_class WHERE oid = 'plaint.messages'::regclass")
ok "$([ "$reltuples" -ge "$rows" ] && echo 0 || echo 1)" \
	"the statistics now count the backlog: reltuples $reltuples >= $rows rows"
is "$(sql "SELECT count(*) > 0 FROM pg_stats WHERE schemaname = 'plaint' AND tablename = 'tickets'")" t \
	"tickets has column statistics"

deliver 14 25
once current
ok $? "plaint once files 12 more"
is "$(sql "SELECT count(*) FROM plaint.tickets")" 25 "25 tickets"
is "$(refreshed current)" 0 "with statistics that match the tables, nothing is analyzed again"

tap_done
