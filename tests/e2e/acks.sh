#!/bin/bash
# tests/e2e/acks.sh - acknowledgements: never to a robot, never twice,
# bounces of plaint's own mail tied to their ticket, templates per queue,
# SMTP AUTH, and the SLA recorded in the database.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/acks.XXXXXX")
export PGDATABASE=plaint_acks
echo alicepw > "$GW_TMP/alice.pass"
echo sinkpw > "$W/smtp.pass"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
clear_folder alice alicepw Acks
cat > "$W/billing.txt" <<'EOF'
Subject: Billing case {ticket}: {subject}

Dear {name},

your billing question is case {ticket} in our {queue} queue.
We answer by {due}.
EOF
write_conf "$W/plaint.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Acks')"
# AUTH, a rate limit of two per address, a template for one queue.
sed -i -e "s|^from = .*|&\nusername = plaint\npassword_file = $W/smtp.pass|" \
	-e "s|^within = 60|within = 60\nrate_limit = 2|" "$W/plaint.conf"
printf '[queue billing]\ntemplate = billing\n\n[template billing]\nfile = billing.txt\n' >> "$W/plaint.conf"
plaint_run acks-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"

mail() {	# FILE FROM SUBJECT MESSAGE-ID [HEADERS]
	printf 'From: %s\nTo: care@example.com\nSubject: %s\nMessage-ID: <%s>\nDate: Sun, 22 Nov 2026 12:00:00 +0000\n%s\nHello, this is about my order.\n' \
		"$2" "$3" "$4" "${5:-}" > "$1"
}
deliver() { "$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Acks "$@" > /dev/null; }
once() { plaint_run "acks-$1" -c "$W/plaint.conf" once; }

# --- a customer whose mailbox answers everything with an auto-reply -------
mail "$W/r0.eml" "Rob <robot@example.org>" "My invoice is wrong" r0@example.org
deliver "$W/r0.eml"
once 1
ok $? "plaint once"
for round in 1 2 3; do
	# The robot answers every acknowledgement it got, as robots do.
	for ack in $(sink_for robot@example.org); do
		id=$(header_of "$ack" Message-ID)
		[ -e "$W/answered-$(basename "$ack")" ] && continue
		touch "$W/answered-$(basename "$ack")"
		mail "$W/auto-$round.eml" "Rob <robot@example.org>" "Auto: I am away" \
			"auto-$round@example.org" "Auto-Submitted: auto-replied
In-Reply-To: $id
References: $id"
		deliver "$W/auto-$round.eml"
	done
	once "robot-$round"
done
is "$(sink_for robot@example.org | wc -l)" 1 "a customer with an auto-responder gets exactly one acknowledgement"
is "$(sql "SELECT count(DISTINCT ticket_id) FROM plaint.messages WHERE from_addr = 'robot@example.org'")" 1 \
	"its auto-reply joins the ticket"
ack=$(sink_for robot@example.org | head -1)
is "$(header_of "$ack" Subject)" "Billing case $(sql "SELECT number FROM plaint.tickets LIMIT 1"): My invoice is wrong" \
	"the billing queue's template gives the subject"
grep -q "your billing question is case CMP-[0-9]* in our billing queue." "$ack"
ok $? "the template's body names the ticket and the queue"
grep -q "We answer by [A-Z][a-z]*day [0-9]* [A-Z][a-z]* 20[0-9][0-9], [0-9:]* UTC." "$ack"
ok $? "{due} is a date"
grep -q '"authenticated": true' "${ack%.eml}.json"
ok $? "plaint logged in to the SMTP server (AUTH)"
is "$(header_of "$ack" X-Loop)" care@example.com "acknowledgements carry X-Loop"

# --- a robot that does not say so: the rate limit stops it ------------------
for i in 1 2 3 4; do
	mail "$W/n$i.eml" "Noisy <noisy@example.net>" "Ticket request number $i" "n$i@example.net"
	deliver "$W/n$i.eml"
	once "noisy-$i"
done
is "$(sink_for noisy@example.net | wc -l)" 2 "at most rate_limit acknowledgements to one address"
is "$(sql "SELECT count(*) FROM plaint.messages WHERE from_addr = 'noisy@example.net' AND ack_suppressed = 'rate-limit'")" 2 \
	"the others are filed, marked rate-limit"
is "$(sql "SELECT acks_24h || '/' || held_back_24h FROM plaint.ack_rate WHERE recipient = 'noisy@example.net'")" \
	"2/2" "plaint.ack_rate shows it"
# A burst in one poll, filed by two workers in batches of one, after one
# complaint acknowledged before: each acknowledgement's filing is held
# open by a trigger (counted, not committed) while the other worker
# files; from a known customer (a new one's row, or its name filled in,
# would make them wait anyway).
sql "INSERT INTO plaint.customers (email, name) VALUES ('burst@example.net', 'Burst')" > /dev/null
mail "$W/h0.eml" "Burst <burst@example.net>" "Ticket request number 0" h0@example.net
deliver "$W/h0.eml"
once burst-0
hold_open outbox 'Held open' 2
{ cat "$W/plaint.conf"; printf '[mail]\nworkers = 2\nfiling_batch = 1\n'; } > "$W/two.conf"
for i in 1 2 3; do
	mail "$W/h$i.eml" "Burst <burst@example.net>" "Held open" "h$i@example.net"
	deliver "$W/h$i.eml"
done
plaint_run acks-burst -c "$W/two.conf" once
release_held outbox 'Held open'
is "$(sink_for burst@example.net | wc -l)/$(sql "SELECT count(*) FROM plaint.messages WHERE from_addr = 'burst@example.net'")" "2/4" \
	"two workers filing one sender's burst side by side: still rate_limit acknowledgements, all four filed"

# --- a bounce of plaint's own acknowledgement -------------------------------
mail "$W/b0.eml" "Gone <gone@example.org>" "Broken kettle" b0@example.org
deliver "$W/b0.eml"
once bounce-0
gone_ack=$(sink_for gone@example.org | head -1)
gone_id=$(header_of "$gone_ack" Message-ID)
gone_ticket=$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'b0@example.org'")
tickets_before=$(sql "SELECT count(*) FROM plaint.tickets")
cat > "$W/dsn.eml" <<EOF
From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: care@example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-1@mx.example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system could not deliver your message to gone@example.org.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; gone@example.org
Action: failed
Status: 5.1.1

--B
Content-Type: text/rfc822-headers

From: Test Care <care@example.com>
To: gone@example.org
Subject: [$gone_ticket] Broken kettle
Message-ID: $gone_id

--B--
EOF
# Words are not structure: a mailer-daemon's "Undelivered Mail" without a
# report is filed like any mail (no acknowledgement to it); a report about
# mail plaint did not send gets a ticket of its own in the bounces queue.
mail "$W/dsn2.eml" "MAILER-DAEMON@mx.example.org" "Undelivered Mail Returned to Sender" dsn-2@mx.example.org
sed -e 's/dsn-1@mx.example.org/dsn-3@mx.example.org/' -e "s/$gone_id/<not-ours@elsewhere.example>/" \
	"$W/dsn.eml" > "$W/dsn3.eml"
deliver "$W/dsn.eml" "$W/dsn2.eml" "$W/dsn3.eml"
once bounce-1
is "$(sql "SELECT count(*) FROM plaint.tickets")" "$((tickets_before + 2))" \
	"the bounce of plaint's mail opens no ticket; the other two each open one"
is "$(sql "SELECT count(*) FROM plaint.events e JOIN plaint.tickets t ON t.id = e.ticket_id WHERE t.number = '$gone_ticket' AND e.kind = 'bounced'")" 1 \
	"the bounce of an acknowledgement is noted on its ticket"
is "$(sql "SELECT bounces FROM plaint.customers WHERE email = 'gone@example.org'")" 1 \
	"the address is marked as bouncing"
is "$(sql "SELECT outcome || ': ' || reason FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id = 'dsn-1@mx.example.org'")" \
	"bounce: bounce of outbox $(sql "SELECT o.id FROM plaint.outbox o WHERE o.recipient = 'gone@example.org'")" \
	"the raw bounce is kept, its outcome bounce, and says which mail bounced"
is "$(sql "SELECT r.outcome || ' ' || t.queue || ' ' || m.ack_suppressed FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id JOIN plaint.tickets t ON t.id = m.ticket_id WHERE m.message_id = 'dsn-3@mx.example.org'")" \
	"ticket bounces bounce" "a report about mail plaint did not send: a ticket in the bounces queue, not acknowledged"
is "$(sql "SELECT r.outcome || ' ' || t.queue || ' ' || m.ack_suppressed FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id JOIN plaint.tickets t ON t.id = m.ticket_id WHERE m.message_id = 'dsn-2@mx.example.org'")" \
	"ticket general machine-sender" "bounce words without a report: a ticket in the mailbox's queue, not acknowledged"
is "$(sink_for mx.example.org | wc -l)" 0 "no acknowledgement to a mailer-daemon"
# Returned headers as MTAs send them: the Message-ID folded onto a line
# of its own, or none at all (an empty part).
sed -e 's/dsn-1@mx.example.org/dsn-4@mx.example.org/' -e "s/^Message-ID: $gone_id\$/Message-ID:\n\t$gone_id/" \
	"$W/dsn.eml" > "$W/dsn4.eml"
awk '/^Content-Type: text\/rfc822-headers/ { print; print ""; skip = 1; next }
	/^--B--/ { skip = 0 } !skip' "$W/dsn.eml" | sed 's/dsn-1@mx.example.org/dsn-5@mx.example.org/' > "$W/dsn5.eml"
deliver "$W/dsn4.eml" "$W/dsn5.eml"
once bounce-2
ok $? "plaint once: a bounce with empty returned headers is filed"
is "$(sql "SELECT outcome || ': ' || reason FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id = 'dsn-4@mx.example.org'")" \
	"bounce: bounce of outbox $(sql "SELECT o.id FROM plaint.outbox o WHERE o.recipient = 'gone@example.org'")" \
	"a folded Message-ID in the returned headers names the bounced mail"
is "$(sql "SELECT r.outcome || ' ' || t.queue || ' ' || m.ack_suppressed FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id JOIN plaint.tickets t ON t.id = m.ticket_id WHERE m.message_id = 'dsn-5@mx.example.org'")" \
	"ticket bounces bounce" "a report whose returned headers are empty: a ticket in the bounces queue"

# --- permanent and temporary refusals (a scripted peer: real servers do
# not refuse on demand) ------------------------------------------------------
start_faults_peer "$W/faults.out"
sed -e "s/^port = $SMTP_PORT$/port = $FAULTS_PORT/" -e "s/^security = starttls$/security = none/" \
	-e '/^username = plaint$/d' -e '/^password_file = .*smtp.pass$/d' "$W/plaint.conf" > "$W/faults.conf"
mail "$W/f1.eml" "Rex <reject-me@example.org>" "Stove is broken" f1@example.org
mail "$W/f2.eml" "Lou <later@example.org>" "Oven is broken" f2@example.org
deliver "$W/f1.eml" "$W/f2.eml"
plaint_run acks-faults -c "$W/faults.conf" once
is "$(sql "SELECT (failed_at IS NOT NULL)::text || '|' || attempts || '|' || (sent_at IS NULL)::text || '|' || (smtp_reply LIKE '%550%')::text FROM plaint.outbox WHERE recipient = 'reject-me@example.org'")" \
	"true|1|true|true" "a 550 is recorded once as a failure, with the reply"
plaint_run acks-faults2 -c "$W/faults.conf" once
is "$(sql "SELECT attempts FROM plaint.outbox WHERE recipient = 'reject-me@example.org'")" 1 "and never retried"
is "$(sql "SELECT (failed_at IS NULL)::text || '|' || (last_error LIKE '%451%')::text || '|' || (next_attempt_at > now())::text FROM plaint.outbox WHERE recipient = 'later@example.org'")" \
	"true|true|true" "a 451 is deferred with a later retry time"
kill "$FAULTS_PID"; wait "$FAULTS_PID" 2>/dev/null

# The same refusals from a server that offers PIPELINING (RFC 2920): MAIL,
# RCPT and DATA go out in one write, and a refused envelope still sends
# nothing.
start_faults_peer "$W/pipe.out" --pipelining
sed -e "s/^port = $SMTP_PORT$/port = $FAULTS_PORT/" -e "s/^security = starttls$/security = none/" \
	-e '/^username = plaint$/d' -e '/^password_file = .*smtp.pass$/d' "$W/plaint.conf" > "$W/pipe.conf"
mail "$W/p1.eml" "Rex <reject-pipe@example.org>" "Fridge is broken" p1@example.org
mail "$W/p2.eml" "Lou <later-pipe@example.org>" "Freezer is broken" p2@example.org
mail "$W/p3.eml" "Kim <kim-pipe@example.org>" "Kettle is broken" p3@example.org
deliver "$W/p1.eml" "$W/p2.eml" "$W/p3.eml"
plaint_run acks-pipe -c "$W/pipe.conf" once
is "$(sql "SELECT (failed_at IS NOT NULL)::text || '|' || (sent_at IS NULL)::text || '|' || (last_error LIKE '%RCPT TO failed: 550 %')::text FROM plaint.outbox WHERE recipient = 'reject-pipe@example.org'")" \
	"true|true|true" "pipelined: a 550 to RCPT fails the mail for good, with the reply"
is "$(sql "SELECT (failed_at IS NULL)::text || '|' || (sent_at IS NULL)::text || '|' || (last_error LIKE '%RCPT TO failed: 451 %')::text FROM plaint.outbox WHERE recipient = 'later-pipe@example.org'")" \
	"true|true|true" "pipelined: a 451 to RCPT defers it"
is "$(sql "SELECT (sent_at IS NOT NULL)::text || '|' || (smtp_reply LIKE '250 2.0.0 accepted%')::text FROM plaint.outbox WHERE recipient = 'kim-pipe@example.org'")" \
	"true|true" "pipelined: the accepted one is sent and its reply recorded"
is "$(grep -c '^ACCEPTED' "$W/pipe.out")" 1 "the peer accepted one message, no more"
is "$(grep -c '^ACCEPTED kim-pipe@example.org$' "$W/pipe.out")" 1 "the accepted one went to its recipient alone"
ok "$([ "$(grep -c '^PIPELINED' "$W/pipe.out")" -ge 1 ] && echo 0 || echo 1)" \
	"MAIL FROM, RCPT TO and DATA reached the peer in one read ($(grep -c '^PIPELINED' "$W/pipe.out") of 3)"
kill "$FAULTS_PID"; wait "$FAULTS_PID" 2>/dev/null

# --- the SLA is a fact in the database --------------------------------------
is "$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND (queued_at IS NULL OR
	(sent_at IS NOT NULL AND smtp_reply NOT LIKE '250 %') OR (sent_at IS NULL AND last_error IS NULL))")" 0 \
	"every acknowledgement row has its queued time, and its sent time and SMTP reply or its error"
is "$(sql "SELECT count(*) FROM plaint.ack_sla WHERE latency IS NOT NULL AND arrived_at <= fetched_at AND fetched_at <= filed_at AND filed_at <= sent_at")" \
	"$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at IS NOT NULL")" \
	"plaint.ack_sla has the times of every acknowledgement, in order"
is "$(sql "SELECT sum(acks) FROM plaint.ack_latency WHERE p50 IS NOT NULL AND p99 >= p50 AND max >= p99")" \
	"$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at IS NOT NULL")" \
	"plaint.ack_latency returns figures"
sql "SELECT queue, acks, p50, p95, p99, max, late FROM plaint.ack_latency" | sed 's/^/# latency: /'
is "$(sql "SELECT count(*) FROM plaint.ack_breaches")" \
	"$(sql "SELECT count(*) FROM plaint.ack_sla WHERE in_time IS FALSE")" "plaint.ack_breaches lists the late ones"

tap_done
