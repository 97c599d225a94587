#!/bin/bash
# tests/e2e/agents.sh - an agent works a ticket from psql with nothing
# but the plaint_agent role: lists open tickets, replies with
# plaint.reply(); the running gateway sends the reply at once; the
# customer's answer threads onto the ticket; the base tables stay out of
# the agent's reach.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/agents.XXXXXX")
export PGDATABASE=plaint_agents
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
echo alicepw > "$GW_TMP/alice.pass"
clear_folder alice alicepw Agents
write_conf "$W/plaint.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Agents
poll_interval = 1')"
plaint_run agents-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"
psql -X -q -d postgres -c "DO \$\$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agent_ann') THEN
		CREATE ROLE agent_ann LOGIN;
	END IF; END \$\$" -c "GRANT plaint_agent TO agent_ann"
agent() {	# SQL, as a login that has only plaint_agent
	psql -X -A -t -q -v ON_ERROR_STOP=1 -U agent_ann -c "$1"
}

printf 'From: Kim <kim@example.org>\nTo: care@example.com\nSubject: My toaster burns everything\nMessage-ID: <kim-1@example.org>\n\nIt is always black.\n' > "$W/c1.eml"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Agents "$W/c1.eml" > /dev/null
"$PLAINT" -c "$W/plaint.conf" run > "$LOGDIR/agents-run.out" 2> "$LOGDIR/agents-run.err" &
pid=$!
for _ in $(seq 100); do
	[ "$(sink_for kim@example.org | wc -l)" -ge 1 ] && break
	sleep 0.1
done
is "$(sink_for kim@example.org | wc -l)" 1 "the complaint is acknowledged"
num=$(agent "SELECT number FROM plaint.open_tickets")
ok "$([ -n "$num" ]; echo $?)" "the agent lists the open ticket ($num)"

start=$(date +%s%N)
agent "SELECT plaint.reply('$num', 'Dear Kim, a new toaster is on its way.')" > /dev/null
ok $? "the agent replies with plaint.reply()"
for _ in $(seq 100); do
	[ "$(sink_for kim@example.org | wc -l)" -ge 2 ] && break
	sleep 0.05
done
echo "# reply reached the SMTP server $(( ($(date +%s%N) - start) / 1000000 )) ms after the commit"
reply=$(sink_for kim@example.org | while read -r f; do
	grep -q "a new toaster" "$f" && echo "$f"; done | head -1)
ok "$([ -n "$reply" ]; echo $?)" "the customer receives the reply by SMTP"
case "$(header_of "$reply" Subject)" in
*"[$num]"*) ok 0 "the reply's subject carries the ticket tag" ;;
*) ok 1 "the reply's subject carries the ticket tag (got '$(header_of "$reply" Subject)')" ;;
esac
is "$(header_of "$reply" In-Reply-To)" "<kim-1@example.org>" "the reply answers the customer's message (In-Reply-To)"
is "$(header_of "$reply" Auto-Submitted)" "" "a person's reply is not marked Auto-Submitted"
is "$(envelope_from "$reply")" care@example.com "a reply goes with the support address as envelope sender"

reply_id=$(header_of "$reply" Message-ID)
printf 'From: Kim <kim@example.org>\nTo: care@example.com\nSubject: Thanks!\nMessage-ID: <kim-2@example.org>\nIn-Reply-To: %s\n\nGreat, thank you.\n' "$reply_id" > "$W/c2.eml"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Agents "$W/c2.eml" > /dev/null
for _ in $(seq 100); do
	[ "$(sql "SELECT count(*) FROM plaint.messages WHERE message_id = 'kim-2@example.org'")" = 1 ] && break
	sleep 0.1
done
is "$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'kim-2@example.org'")" \
	"$num" "the customer's answer to the reply threads onto the ticket"
kill -TERM "$pid"
wait "$pid"
ok $? "plaint run stops cleanly"

agent "DELETE FROM plaint.tickets" > /dev/null 2> "$W/denied1"
ok "$(grep -q 'permission denied' "$W/denied1"; echo $?)" "the agent cannot DELETE from plaint.tickets"
agent "UPDATE plaint.tickets SET status = 'closed'" > /dev/null 2> "$W/denied2"
ok "$(grep -q 'permission denied' "$W/denied2"; echo $?)" "the agent cannot UPDATE plaint.tickets"
agent "SELECT plaint.set_status('$num', 'closed')" > /dev/null
ok $? "but closes the ticket through plaint.set_status()"
is "$(sql "SELECT status FROM plaint.tickets WHERE number = '$num'")" closed "the ticket is closed"
is "$(sql "SELECT actor FROM plaint.events e JOIN plaint.tickets t ON t.id = e.ticket_id WHERE t.number = '$num' ORDER BY e.id DESC LIMIT 1")" \
	agent_ann "the event names the agent"

tap_done
