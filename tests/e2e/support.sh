#!/bin/bash
# tests/e2e/support.sh - what only a committed transaction shows: the
# NOTIFY plaint_overdue of plaint.check_overdue() reaches a listener once
# per ticket and breach, and the gateway as it is sends the mail the SQL
# side queues for it: an escalation to the queue's escalate_to, and the
# acknowledgement an agent asks for when entering a phone complaint.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/support.XXXXXX")
export PGDATABASE=plaint_support
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
write_conf "$W/plaint.conf" "$SMTP_PORT" ""
plaint_run support-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"

# A ticket whose first response was due an hour ago, in a queue that
# escalates, and one in time.
sql "INSERT INTO plaint.queues (name, first_response, escalate_to)
     VALUES ('watched', interval '1 hour', 'boss@support.example');
     INSERT INTO plaint.customers (email) VALUES ('cy@support.example');
     INSERT INTO plaint.tickets (number, customer_id, subject, queue, created_at, ack_due_at)
     SELECT n, c.id, 'Late answer ' || n, 'watched', now() - a, now() + interval '1 hour'
       FROM plaint.customers c, (VALUES ('CMP-901', interval '2 hours'),
				       ('CMP-902', interval '10 minutes')) v(n, a);" > /dev/null
ok $? "an overdue ticket and one in time"

out=$(psql -X -q -A -t -c "LISTEN plaint_overdue" \
	-c "SELECT ticket || ' ' || kind FROM plaint.check_overdue()" -c "SELECT 'done'")
notes=$(printf '%s\n' "$out" | grep -c '^Asynchronous notification "plaint_overdue"')
is "$notes" 1 "check_overdue notifies plaint_overdue once"
printf '%s\n' "$out" | grep -q '^Asynchronous notification "plaint_overdue" with payload "CMP-901 first_response" received'
ok $? "its payload is the ticket number and the kind of breach"
out=$(psql -X -q -A -t -c "LISTEN plaint_overdue" \
	-c "SELECT count(*) FROM plaint.check_overdue()" -c "SELECT 'done'")
is "$(printf '%s\n' "$out" | grep -c '^Asynchronous notification')" 0 \
	"a second call finds nothing new and notifies nothing"

# An agent enters a phone complaint and asks for an acknowledgement.
num=$(sql "SELECT plaint.open_ticket('dee@support.example', 'Called about a refund',
					'Wants the refund of order 77.', 'watched', acknowledge => true)")
ok $? "open_ticket with an acknowledgement ($num)"

plaint_run support-once -c "$W/plaint.conf" once
ok $? "plaint once sends what is queued"
esc=$(sink_for boss@support.example | tail -n 1)
ok "$([ -n "$esc" ]; echo $?)" "the escalation reaches escalate_to by SMTP"
is "$(header_of "$esc" Subject)" "[CMP-901] Overdue: first response" "with the subject the SQL side gave it"
grep -q "Ticket CMP-901 in queue watched is overdue" "$esc"
ok $? "and its body"
is "$(header_of "$esc" Auto-Submitted)" "" "an escalation goes like a reply, not marked Auto-Submitted"
is "$(sql "SELECT sent_at IS NOT NULL FROM plaint.outbox WHERE kind = 'escalation'")" t \
	"the escalation's outbox row is marked sent"
ack=$(sink_for dee@support.example | tail -n 1)
ok "$([ -n "$ack" ]; echo $?)" "the phone complaint's acknowledgement reaches the customer"
is "$(header_of "$ack" Subject)" "[$num] Called about a refund" "with the ticket tag in its subject"
is "$(sql "SELECT ack_state FROM plaint.open_tickets WHERE number = '$num'")" sent \
	"open_tickets shows it sent"

# The agents' guide names every view, every function agents may call, and
# those of the daemon and of admins.
missing=$(sql "SELECT c.relname FROM pg_class c
	       WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind = 'v'
	      UNION
	      SELECT p.proname FROM pg_proc p
	       WHERE p.pronamespace = 'plaint'::regnamespace
		 AND (has_function_privilege('plaint_agent', p.oid, 'EXECUTE')
		      OR p.proname IN ('check_overdue', 'apply_retention', 'forget_customer'))" |
	while read -r name; do
		grep -q "plaint\\.$name\\b" packaging/plaint-sql.7 || echo "$name"
	done)
is "$missing" "" "plaint-sql(7) names every view and every function agents, the daemon and admins call"
tap_done
