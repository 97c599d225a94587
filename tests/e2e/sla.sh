#!/bin/bash
# tests/e2e/sla.sh - one SLA, in plaint.queues: the config's [queue NAME]
# keys are written there at start (and only those keys: an admin's other
# changes stay), a queue plaint makes takes [ack] respond_within, and the
# acknowledgement's {due} is the deadline the database holds the ticket
# to, in the queue's business hours and zone, across a weekend.  A ticket
# past its first-response deadline is escalated once: plaint once and
# plaint run call plaint.check_overdue(), which notifies plaint_overdue
# and queues one mail to escalate_to per ticket and breach.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/sla.XXXXXX")
export PGDATABASE=plaint_sla
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
echo alicepw > "$GW_TMP/alice.pass"
clear_folder alice alicepw SlaLegal
clear_folder alice alicepw SlaWatched
write_conf "$W/plaint.conf" "$SMTP_PORT" "$(mailbox_section legal "$IMAPS_PORT" tls alice '' 'folder = SlaLegal
queue = legal')
$(mailbox_section watched "$IMAPS_PORT" tls alice '' 'folder = SlaWatched
queue = watched')
[queue legal]
respond_within = 14400
resolve_within = 259200
hours = Mon-Fri 09:00-17:00 Europe/Berlin
escalate_to = Legal-Lead@example.com

[queue watched]
respond_within = 1
escalate_to = lead@example.com
"
sed -i 's/^within = 60$/within = 60\nrespond_within = 7200/' "$W/plaint.conf"
plaint_run sla-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"

mail() {	# FILE FROM SUBJECT MESSAGE-ID
	printf 'From: %s\nTo: care@example.com\nSubject: %s\nMessage-ID: <%s>\n\nPlease answer.\n' \
		"$2" "$3" "$4" > "$1"
}
deliver() {	# FOLDER [--date ISO] FILE
	local folder=$1; shift
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder "$folder" "$@" > /dev/null
}
once() { plaint_run "sla-$1" -c "$W/plaint.conf" once; }

# A complaint to legal, received on a Friday at 15:00 in Berlin: two of
# the four open hours are left that day, the other two come on Monday.
mail "$W/l1.eml" "Lia <lia@example.org>" "Contract dispute" l1@example.org
deliver SlaLegal --date 2024-03-01T15:00:00+01:00 "$W/l1.eml"
mail "$W/w0.eml" "Wes <wes@example.org>" "Not yet" w0@example.org
deliver SlaWatched "$W/w0.eml"
once 1
ok $? "plaint once"

# --- the config's keys are in plaint.queues -------------------------------
is "$(sql "SELECT first_response || '|' || resolve_within || '|' || hours_days::text || '|' || hours_start || '-' ||
	   hours_end || '|' || hours_tz || '|' || escalate_to FROM plaint.queues WHERE name = 'legal'")" \
	"04:00:00|72:00:00|{1,2,3,4,5}|09:00:00-17:00:00|Europe/Berlin|legal-lead@example.com" \
	"[queue legal]: respond_within, resolve_within, hours and escalate_to are in plaint.queues"
is "$(sql "SELECT first_response || '|' || escalate_to || '|' || (hours_days IS NULL)::text FROM plaint.queues WHERE name = 'watched'")" \
	"00:00:01|lead@example.com|true" "[queue watched] too, without business hours"
grep -q "queue=legal made, first_response 04:00:00" "$LOGDIR/sla-1.err"
ok $? "the gateway says what it wrote"

# --- {due} is the database's deadline, in the queue's hours and zone -------
ack=$(sink_for lia@example.org | tail -n 1)
ok "$([ -n "$ack" ]; echo $?)" "the legal complaint is acknowledged"
due_ack=$(tr -d '\r' < "$ack" | sed -n 's/^you by \(.*\)\.$/\1/p')
# The test's own count of four open hours from the arrival the server
# recorded (Monday to Friday, 09:00 to 17:00 in Berlin).
arrived=$(sql "SELECT extract(epoch FROM received_at) FROM plaint.messages WHERE message_id = 'l1@example.org'")
want=$("$PY" - "$arrived" <<'PYEOF'
import datetime, sys, zoneinfo
tz = zoneinfo.ZoneInfo("Europe/Berlin")
t = datetime.datetime.fromtimestamp(float(sys.argv[1]), tz)
left = datetime.timedelta(hours=4)
while True:
    if t.isoweekday() <= 5:
        opens = t.replace(hour=9, minute=0, second=0, microsecond=0)
        closes = t.replace(hour=17, minute=0, second=0, microsecond=0)
        t = max(t, opens)
        if t < closes:
            if t + left <= closes:
                t += left
                break
            left -= closes - t
    t = (t + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
print(t.strftime("%A %-d %B %Y, %H:%M %Z"))
PYEOF
)
is "$want" "Monday 4 March 2024, 11:00 CET" "(the test's count: Friday 15:00 plus four open hours)"
is "$due_ack" "$want" "the acknowledgement's {due} skips the weekend and speaks Berlin time"
view=$(sql "SELECT extract(epoch FROM first_response_due_at) FROM plaint.open_tickets WHERE subject = 'Contract dispute'")
is "$("$PY" -c 'import datetime,sys,zoneinfo; print(datetime.datetime.fromtimestamp(float(sys.argv[1]), zoneinfo.ZoneInfo("Europe/Berlin")).strftime("%A %-d %B %Y, %H:%M %Z"))' "$view")" \
	"$due_ack" "plaint.open_tickets holds the ticket to that same deadline"
wack=$(sink_for wes@example.org | tail -n 1)
warrived=$(sql "SELECT extract(epoch FROM received_at) + 1 FROM plaint.messages WHERE message_id = 'w0@example.org'")
is "$(tr -d '\r' < "$wack" | sed -n 's/^you by \(.*\)\.$/\1/p')" \
	"$("$PY" -c 'import datetime,sys; print(datetime.datetime.fromtimestamp(float(sys.argv[1]), datetime.timezone.utc).strftime("%A %-d %B %Y, %H:%M UTC"))' "$warrived")" \
	"a queue without hours: arrival plus its first_response, in UTC"

# --- a queue plaint makes takes [ack] respond_within ----------------------
mail "$W/g1.eml" "Gia <gia@example.org>" "Something else" g1@example.org
plaint_run sla-ingest -c "$W/plaint.conf" ingest "$W/g1.eml"
is "$(sql "SELECT first_response FROM plaint.queues WHERE name = 'general'")" "02:00:00" \
	"a queue made by its first ticket gets [ack] respond_within (7200 s)"

# --- only the keys the config sets are written -----------------------------
sql "UPDATE plaint.queues SET first_response = interval '2 hours', restricted = true WHERE name = 'legal';
     UPDATE plaint.queues SET resolve_within = interval '5 days' WHERE name = 'watched'" > /dev/null
once 2
is "$(sql "SELECT first_response || '|' || restricted FROM plaint.queues WHERE name = 'legal'")" "04:00:00|true" \
	"at start the config's respond_within wins again; restricted, which it does not set, stays"
is "$(sql "SELECT resolve_within FROM plaint.queues WHERE name = 'watched'")" "5 days" \
	"and an admin's resolve_within of a queue whose section has none stays"

# --- escalation, once per ticket and breach --------------------------------
mail "$W/w1.eml" "Wil <wil@example.org>" "Waiting for an answer" w1@example.org
deliver SlaWatched "$W/w1.eml"
once 3
wnum=$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'w1@example.org'")
sleep 2	# its first response was due a second after it arrived
psql -X -q -A -t -c "LISTEN plaint_overdue" -c "SELECT pg_sleep(6)" > "$W/listen.out" 2>&1 &
lpid=$!
sleep 1
before=$(sink_for lead@example.com | wc -l)
once 4
ok $? "plaint once checks the deadlines"
wait "$lpid"
grep -q "^Asynchronous notification \"plaint_overdue\" with payload \"$wnum first_response\" received" "$W/listen.out"
ok $? "NOTIFY plaint_overdue names $wnum and its first_response"
esc=$(for f in $(sink_for lead@example.com); do grep -l "Ticket $wnum in queue watched is overdue" "$f"; done)
is "$(printf '%s\n' "$esc" | grep -c .)" 1 "one escalation mail for it reaches escalate_to"
is "$(header_of "$(printf '%s\n' "$esc" | head -1)" Subject)" "[$wnum] Overdue: first response" "its subject names the ticket and the deadline"
once 5
once 6
is "$(for f in $(sink_for lead@example.com); do grep -l "Ticket $wnum in queue watched" "$f"; done | wc -l)" 1 \
	"two more runs send no second one"
is "$(sql "SELECT count(*) FROM plaint.breaches b JOIN plaint.tickets t ON t.id = b.ticket_id WHERE t.number = '$wnum'")" 1 \
	"the breach is recorded once"
grep -q "ticket=$wnum overdue=first_response .* escalation=outbox [0-9]" "$LOGDIR/sla-4.err"
ok $? "the gateway logs the breach"
ok "$([ "$(sink_for legal-lead@example.com | wc -l)" -ge 1 ]; echo $?)" \
	"legal's Friday ticket, long overdue, is escalated to legal's own address"

# --- plaint run: at start, then each minute --------------------------------
mail "$W/w2.eml" "Wyn <wyn@example.org>" "Still waiting" w2@example.org
deliver SlaWatched "$W/w2.eml"
once 7
wnum2=$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'w2@example.org'")
sleep 2
"$PLAINT" -c "$W/plaint.conf" run > "$LOGDIR/sla-run.out" 2> "$LOGDIR/sla-run.err" &
pid=$!
got=""
for _ in $(seq 100); do
	got=$(for f in $(sink_for lead@example.com); do grep -l "Ticket $wnum2 in queue watched" "$f"; done)
	[ -n "$got" ] && break
	sleep 0.1
done
ok "$([ -n "$got" ]; echo $?)" "plaint run checks deadlines as it starts: $wnum2 is escalated"
kill -TERM "$pid"; wait "$pid"
ok $? "plaint run stops cleanly"
"$PLAINT" -c "$W/plaint.conf" run > "$LOGDIR/sla-run2.out" 2> "$LOGDIR/sla-run2.err" &
pid=$!
for _ in $(seq 50); do grep -q "started" "$LOGDIR/sla-run2.err" && break; sleep 0.1; done
sleep 2
kill -TERM "$pid"; wait "$pid"
is "$(for f in $(sink_for lead@example.com); do grep -l "Ticket $wnum2 in queue watched" "$f"; done | wc -l)" 1 \
	"started again, it escalates nothing twice"
is "$(sql "SELECT count(*) FROM plaint.outbox o JOIN plaint.queues q ON q.escalate_to = o.recipient WHERE o.kind = 'escalation' AND q.name = 'watched'")" \
	"$(sql "SELECT count(*) FROM plaint.breaches b JOIN plaint.tickets t ON t.id = b.ticket_id WHERE t.queue = 'watched'")" \
	"one escalation per breach of the watched queue"
tap_done
