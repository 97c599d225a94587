#!/bin/bash
# tests/e2e/status.sh - `plaint status` and `plaint status --json` tell,
# from the database alone, what the test did: a mailbox's cursor is the
# UID of the last message it put there, its last poll is recorded, a
# mailbox whose password is wrong shows that failure, acknowledgements
# that cannot be sent fill the outbox and, past their deadline of one
# second, count as today's breaches, and a message that is no mail is
# in quarantine.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/status.XXXXXX")
export PGDATABASE=plaint_status
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
echo alicepw > "$GW_TMP/alice.pass"
echo not-the-password > "$W/wrong.pass"
clear_folder alice alicepw Status
# The wrong password goes to a Dovecot of its own (tests/harness.sh
# badca), trusted through its CA: the refused login then slows no other
# test's logins (Dovecot delays logins from an address that failed).
eval "$(tests/harness.sh badca "$GW_TMP" 2>> "$LOGDIR/status-harness.err")"
dead_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CONF=$W/plaint.conf
write_conf "$CONF" "$dead_port" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Status')
[mailbox broken]
host = localhost
port = $BAD_IMAPS_PORT
security = tls
ca_file = $GW_TMP/badtls/ca.crt
username = alice
password_file = $W/wrong.pass
timeout = 10
folder = Status
"
sed -i 's/^within = 60$/within = 1/' "$CONF"	# [ack]: a deadline one second on
plaint_run status-migrate -c "$CONF" db migrate
ok $? "db migrate"

"$PLAINT" -c "$CONF" status --json > "$W/empty.json" 2>> "$LOGDIR/status.err"
is "$?" 0 "status on a database nothing was filed in: exit 0"
is "$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(" ".join(m["name"] + ":" + str(m["last_poll"]) for m in d["mailboxes"]), d["outbox"]["unsent"], d["quarantined"])' "$W/empty.json")" \
	"support:None broken:None 0 0" "before any poll: both configured mailboxes, never polled, nothing queued"

for i in 1 2 3; do
	printf 'From: Customer %s <s%s@example.org>\nTo: care@example.com\nSubject: Complaint %s\nMessage-ID: <status-%s@example.org>\n\nThe kettle %s leaks.\n' \
		"$i" "$i" "$i" "$i" "$i" > "$W/m$i.eml"
done
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Status "$W/m1.eml" "$W/m2.eml" "$W/m3.eml" > "$W/appended"
read -r _ uidvalidity last_uid _ < <(tail -n 1 "$W/appended")
"$PLAINT" -c "$CONF" once >> "$LOGDIR/status-once.out" 2>> "$LOGDIR/status-once.err"
is "$?" 75 "plaint once with a refused login and no SMTP server: exit 75"
: > "$W/nothing.eml"
"$PLAINT" -c "$CONF" ingest --mailbox support "$W/nothing.eml" >> "$LOGDIR/status-ingest.out" 2>> "$LOGDIR/status-ingest.err"
is "$?" 0 "an empty message is taken in (and quarantined)"
sleep 1.2	# every acknowledgement is now past its deadline

"$PLAINT" -c "$CONF" status --json > "$W/status.json" 2>> "$LOGDIR/status.err"
is "$?" 0 "status --json: exit 0"
field() {	# PYTHON-EXPRESSION over d, the status
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$W/status.json" "$1"
}
is "$(field '[m["name"] for m in d["mailboxes"]]')" "['support', 'broken']" \
	"the mailboxes in the config's order"
is "$(field 'd["mailboxes"][0]["cursor"]')" "$last_uid" \
	"support: the cursor is the UID of the last message appended ($last_uid)"
is "$(field 'd["mailboxes"][0]["uidvalidity"]')" "$uidvalidity" "support: its UIDVALIDITY"
is "$(field 'd["mailboxes"][0]["last_poll"] is not None and d["mailboxes"][0]["last_error"] is None')" True \
	"support: a last poll, no error"
polled=$(sql "SELECT to_char(polled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM plaint.mailboxes WHERE name = 'support'")
is "$(field 'd["mailboxes"][0]["last_poll"][:19]')" "$polled" "support: the last poll is the time the database recorded"
is "$(field 'd["mailboxes"][0]["quarantined"]')" 1 "support: the empty message in quarantine"
is "$(field 'd["mailboxes"][1]["cursor"] is None and d["mailboxes"][1]["last_poll"] is None')" True \
	"broken: never polled"
case "$(field 'd["mailboxes"][1]["last_error"]')" in
*"imap localhost:$BAD_IMAPS_PORT: login as alice refused: the user name or the password is wrong"*)
	ok 0 "broken: the last error says the login was refused, and why" ;;
*) ok 1 "broken: the last error says the login was refused (got '$(field 'd["mailboxes"][1]["last_error"]')')" ;;
esac
is "$(field 'd["mailboxes"][1]["last_error_at"] is not None')" True "broken: with its time"
is "$(field 'd["outbox"]["unsent"]')" 3 "the outbox holds the 3 acknowledgements the SMTP server never took"
is "$(field 'd["outbox"]["overdue"]')" 3 "all 3 past their deadline of one second"
# The three complaints may be filed in any order (filing runs beside the
# download), and a slow run retries an acknowledgement whose first try
# is 2 s old: the oldest due row is the acknowledgement whose deadline
# came first, tried as often as the outbox says, and at least once.
read -r first tries < <(sql "SELECT t.number, o.attempts FROM plaint.outbox o
	  JOIN plaint.tickets t ON t.id = o.ticket_id
	  JOIN plaint.messages m ON m.ticket_id = t.id
	 WHERE o.kind = 'ack' AND m.message_id LIKE 'status-_@example.org'
	 ORDER BY o.due_at, o.id LIMIT 1" | tr '|' ' ')
is "$(field 'd["outbox"]["oldest_due"]["kind"] + " " + d["outbox"]["oldest_due"]["ticket"] + " " + str(d["outbox"]["oldest_due"]["attempts"])')" \
	"ack $first $tries" "the oldest due row: the acknowledgement with the earliest deadline ($first), tried $tries times"
[ "${tries:-0}" -ge 1 ]
ok $? "it was tried at least once"
case "$(field 'd["outbox"]["oldest_due"]["last_error"]')" in
*"localhost:$dead_port: cannot connect: Connection refused"*) ok 0 "its last error names the SMTP server and the reason" ;;
*) ok 1 "its last error names the SMTP server (got '$(field 'd["outbox"]["oldest_due"]["last_error"]')')" ;;
esac
is "$(field 'd["sla_breaches_today"]["ack"]')" 3 "3 acknowledgement deadlines missed today"
is "$(field 'd["quarantined"]')" 1 "1 message in quarantine in all"

"$PLAINT" -c "$CONF" status > "$W/status.txt" 2>> "$LOGDIR/status.err"
is "$?" 0 "status (text): exit 0"
grep -q "^mailbox support: cursor uid $last_uid (uidvalidity $uidvalidity), last poll .*, 1 quarantined$" "$W/status.txt"
ok $? "text: support's cursor, last poll and quarantine"
grep -q "^mailbox broken: never polled, 0 quarantined$" "$W/status.txt" &&
	grep -q "^  last error .*login as alice refused" "$W/status.txt"
ok $? "text: broken never polled, and its last error"
grep -q "^outbox: 3 unsent, [0-9]* due now, 3 past its deadline$" "$W/status.txt"
ok $? "text: the outbox"
grep -q "^  oldest due: outbox [0-9]* (ack of $first), queued .*, $tries attempts\?, last error: " "$W/status.txt"
ok $? "text: the oldest due row"
grep -q "^SLA breaches today: 3 acknowledgements, 0 first responses, 0 resolutions$" "$W/status.txt"
ok $? "text: today's breaches"
grep -q "^quarantined: 1 message " "$W/status.txt"
ok $? "text: the quarantine"
grep -q alicepw "$W/status.txt" "$W/status.json"
ok "$((! $?))" "no password in either"

# A poll that works after the failure: the error stays, with its time,
# and the mailbox says it works again.
sed -i "s|^password_file = $W/wrong.pass|password_file = $GW_TMP/alice.pass|" "$CONF"
"$PLAINT" -c "$CONF" once >> "$LOGDIR/status-once.out" 2>> "$LOGDIR/status-once.err"
"$PLAINT" -c "$CONF" status > "$W/again.txt" 2>> "$LOGDIR/status.err"
grep -q "^  last error .*, it works again since): imap localhost:$BAD_IMAPS_PORT: login as alice refused" "$W/again.txt"
ok $? "after a poll that works: the old error is marked as before it"

# As the gateway's own login, which has the role plaint_gateway alone.
psql -X -q -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'status_gateway')
	THEN CREATE ROLE status_gateway LOGIN; END IF; END \$\$" -c "GRANT plaint_gateway TO status_gateway"
sed "s/^conninfo = \(.*\) user=[a-z_]*$/conninfo = \1 user=status_gateway/" "$CONF" > "$W/gateway.conf"
"$PLAINT" -c "$W/gateway.conf" status --json > "$W/gateway.json" 2>> "$LOGDIR/status.err"
is "$?" 0 "status as a login with plaint_gateway alone: exit 0"
is "$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["outbox"]["unsent"], d["quarantined"], d["sla_breaches_today"]["ack"])' "$W/gateway.json")" \
	"3 1 3" "and it sees the same outbox, quarantine and breaches"

# No database: exit 75 and a reason.
sed "s|^conninfo = .*|conninfo = host=127.0.0.1 port=$dead_port dbname=x user=x|" "$CONF" > "$W/nodb.conf"
"$PLAINT" -c "$W/nodb.conf" status > /dev/null 2> "$W/nodb.err"
is "$?" 75 "status without its database: exit 75"
grep -q "status: cannot connect to PostgreSQL: .*Connection refused" "$W/nodb.err"
ok $? "and says why"
tap_done
