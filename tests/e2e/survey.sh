#!/bin/bash
# tests/e2e/survey.sh - the satisfaction question on resolution, on the
# real servers.  A ticket an agent resolves (plaint.set_status) is asked
# once, ask_after seconds later, by a mail rendered from the [template]
# that [satisfaction] names and threaded under the customer's mail; the
# customer's answer, written as Gmail and Outlook write replies, is read
# (score and comment) and stored, and leaves the ticket resolved; an
# answer of 1 reopens it, moves it to low_score_queue and notifies
# plaint_low_score.  No question to a customer asked within quiet_days,
# nor to a machine (an auto-reply, a mailer daemon): a customer resolved
# in the same run is asked, so that each "no" is seen beside a "yes".
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
W=$(mktemp -d "$GW_TMP/survey.XXXXXX")
RULES_DIR=$W/rules	# none: every ticket stays in the mailbox's queue, general
mkdir "$RULES_DIR"
export PGDATABASE=plaint_survey
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
echo alicepw > "$GW_TMP/alice.pass"
clear_folder alice alicepw Survey
cat > "$W/question.txt" <<'EOF'
Subject: [{ticket}] How did we do, {name}?

Hello {name},

we have resolved "{subject}" ({ticket}, queue {queue}).
Please answer with a number from 1 (very poor) to 5 (very good).
EOF
write_conf "$W/plaint.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Survey')
[satisfaction]
enabled = true
template = question
ask_after = 2
quiet_days = 30
low_score_queue = care-lead

[template question]
file = $W/question.txt
"
plaint_run survey-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"
psql -X -q -d postgres -c "DO \$\$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agent_sue') THEN
		CREATE ROLE agent_sue LOGIN;
	END IF; END \$\$" -c "GRANT plaint_agent TO agent_sue" 2>/dev/null
agent() {	# SQL, as a login that has only plaint_agent
	psql -X -A -t -q -v ON_ERROR_STOP=1 -U agent_sue -c "$1"
}

n=0
once() { n=$((n + 1)); plaint_run "survey-$n" -c "$W/plaint.conf" once; }
deliver() {	# FILE...
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Survey "$@" > /dev/null
}
complaint() {	# FILE FROM SUBJECT MESSAGE-ID [EXTRA-HEADER]
	{
		printf 'From: %s\nTo: care@example.com\nSubject: %s\nMessage-ID: <%s>\n' "$2" "$3" "$4"
		[ -n "${5:-}" ] && printf '%s\n' "$5"
		printf 'Date: Tue, 01 Dec 2026 09:00:00 +0000\n\nPlease sort this out.\n'
	} > "$1"
}
ticket_of() {	# MESSAGE-ID
	sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id
	     WHERE m.message_id = '$1'"
}
# The questions the sink received for ADDR (mail whose subject asks).
questions() {	# ADDR
	for f in $(sink_for "$1"); do
		case "$(header_of "$f" Subject)" in *"How did we do"*) echo "$f" ;; esac
	done
}
resolve() {	# TICKET
	agent "SELECT plaint.set_status('$1', 'resolved')" > /dev/null
}

# --- a complaint, acknowledged, resolved by an agent ----------------------
complaint "$W/ann1.eml" "Ann Archer <ann@example.org>" "Broken kettle" ann-1@example.org
deliver "$W/ann1.eml"
once
ok $? "plaint once files the complaint"
ann=$(ticket_of ann-1@example.org)
ok "$([ -n "$ann" ]; echo $?)" "Ann's ticket ($ann)"
is "$(sink_for ann@example.org | wc -l)" 1 "Ann's complaint is acknowledged"
resolve "$ann"
is "$(sql "SELECT status FROM plaint.tickets WHERE number = '$ann'")" resolved "the agent resolves it"
once
is "$(questions ann@example.org | wc -l)" 0 "right after the resolution (ask_after = 2 s): no question yet"

# --- after ask_after: one question ----------------------------------------
sleep 2.5
once
ok $? "plaint once, ask_after later"
q=$(questions ann@example.org)
is "$(printf '%s\n' "$q" | grep -c .)" 1 "one question reaches Ann"
is "$(header_of "$q" Subject)" "[$ann] How did we do, Ann Archer?" "its subject comes from the template, with {ticket} and {name}"
tr -d '\r' < "$q" > "$W/q.txt"
grep -qF "we have resolved \"Broken kettle\" ($ann, queue general)." "$W/q.txt"
ok $? "its body too: {subject}, {ticket}, {queue}"
is "$(header_of "$q" In-Reply-To)" "<ann-1@example.org>" "it answers Ann's mail (In-Reply-To)"
header_of "$q" References | grep -qF "<ann-1@example.org>"
ok $? "and names it in References"
is "$(header_of "$q" Auto-Submitted)" "auto-generated" "it says it was sent automatically, of plaint's own accord (Auto-Submitted: auto-generated)"
qid=$(header_of "$q" Message-ID | tr -d '<>')
is "$(sql "SELECT o.kind || ' ' || o.recipient || ' ' || (o.sent_at IS NOT NULL) || ' ' || (s.score IS NULL)
	   FROM plaint.satisfaction s JOIN plaint.outbox o ON o.id = s.outbox_id
	   JOIN plaint.tickets t ON t.id = s.ticket_id WHERE t.number = '$ann' AND o.message_id = '$qid'")" \
	"survey ann@example.org true true" "recorded: outbox kind survey, sent, not answered yet"
once
once
is "$(questions ann@example.org | wc -l)" 1 "two more runs: still one question"
is "$(sql "SELECT count(*) FROM plaint.events e JOIN plaint.tickets t ON t.id = e.ticket_id
	   WHERE t.number = '$ann' AND e.kind = 'satisfaction_asked'")" 1 "one event satisfaction_asked"

# --- Ann answers as Gmail writes a reply ----------------------------------
cat > "$W/ann-answer.eml" <<EOF
From: Ann Archer <ann@example.org>
To: Test Care <care@example.com>
Subject: Re: [$ann] How did we do, Ann Archer?
Message-ID: <ann-answer@example.org>
In-Reply-To: <$qid>
References: <ann-1@example.org> <$qid>
Date: Tue, 01 Dec 2026 11:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

4 - quick and kind

On Tue, 1 Dec 2026 at 10:30, Test Care <care@example.com> wrote:

> Hello Ann Archer,
>
> we have resolved "Broken kettle" ($ann, queue general).
> Please answer with a number from 1 (very poor) to 5 (very good).
EOF
acks_before=$(sink_for ann@example.org | wc -l)
deliver "$W/ann-answer.eml"
once
ok $? "plaint once files her answer"
is "$(ticket_of ann-answer@example.org)" "$ann" "the answer threads onto her ticket"
is "$(sql "SELECT s.score || '|' || s.comment || '|' || (s.message_row = m.id)
	   FROM plaint.satisfaction s JOIN plaint.tickets t ON t.id = s.ticket_id
	   JOIN plaint.messages m ON m.message_id = 'ann-answer@example.org'
	   WHERE t.number = '$ann'")" "4|quick and kind|true" \
	"score 4 and her words stored (quote and attribution left out), with the answer's message"
is "$(sql "SELECT status || ' ' || reopens FROM plaint.tickets WHERE number = '$ann'")" "resolved 0" \
	"an answer of 4 leaves the ticket resolved"
is "$(sink_for ann@example.org | wc -l)" "$acks_before" "the answer gets no acknowledgement"
grep -q "ticket=$ann from=ann@example.org .*ack=none" "$LOGDIR/survey-$n.err"
ok $? "the gateway logs it as threaded, no acknowledgement"

# --- an answer of 1, as Outlook writes a reply ------------------------------
complaint "$W/bob1.eml" "Bob Baker <bob@example.org>" "Late delivery" bob-1@example.org
deliver "$W/bob1.eml"
once
bob=$(ticket_of bob-1@example.org)
resolve "$bob"
sleep 2.5
once
bq=$(questions bob@example.org)
is "$(printf '%s\n' "$bq" | grep -c .)" 1 "Bob is asked once"
bqid=$(header_of "$bq" Message-ID | tr -d '<>')
printf '%s\r\n' \
	"From: Bob Baker <bob@example.org>" "To: Test Care <care@example.com>" \
	"Subject: RE: [$bob] How did we do, Bob Baker?" "Message-ID: <bob-answer@example.org>" \
	"In-Reply-To: <$bqid>" "Thread-Index: AdrGk2w1" "Date: Tue, 01 Dec 2026 12:00:00 +0000" \
	"MIME-Version: 1.0" "Content-Type: text/plain; charset=\"us-ascii\"" "" \
	"1" "" "" "________________________________" \
	"From: Test Care <care@example.com>" "Sent: Tuesday, December 1, 2026 11:30 AM" \
	"To: Bob Baker <bob@example.org>" "Subject: [$bob] How did we do, Bob Baker?" "" \
	"Hello Bob Baker," "" "we have resolved \"Late delivery\" ($bob, queue general)." \
	"Please answer with a number from 1 (very poor) to 5 (very good)." > "$W/bob-answer.eml"
deliver "$W/bob-answer.eml"
psql -X -q -A -t -c "LISTEN plaint_low_score" -c "SELECT pg_sleep(8)" > "$W/listen.out" 2>&1 &
lpid=$!
sleep 1
once
ok $? "plaint once files Bob's answer"
wait "$lpid"
is "$(sql "SELECT s.score || '|' || coalesce(s.comment, 'none') FROM plaint.satisfaction s
	   JOIN plaint.tickets t ON t.id = s.ticket_id WHERE t.number = '$bob'")" "1|none" \
	"score 1 stored, no comment"
is "$(sql "SELECT status || ' ' || reopens || ' ' || queue FROM plaint.tickets WHERE number = '$bob'")" \
	"open 1 care-lead" "an answer of 1 reopens the ticket (one reopen) and moves it to low_score_queue"
is "$(sql "SELECT e.detail->>'reason' FROM plaint.events e JOIN plaint.tickets t ON t.id = e.ticket_id
	   WHERE t.number = '$bob' AND e.kind = 'low_score'")" "the customer scored the service 1 of 5" \
	"an event low_score says why"
grep -q "^Asynchronous notification \"plaint_low_score\" with payload \"$bob\" received" "$W/listen.out"
ok $? "NOTIFY plaint_low_score names $bob"
[ $? = 0 ] || sed 's/^/#   /' "$W/listen.out"
is "$(agent "SELECT queue FROM plaint.open_tickets WHERE number = '$bob'")" "care-lead" \
	"the agent finds it open in care-lead"

# --- no question within quiet_days, none to a machine ------------------------
complaint "$W/ann2.eml" "Ann Archer <ann@example.org>" "Broken toaster" ann-2@example.org
complaint "$W/cid1.eml" "Cid Carter <cid@example.org>" "Wrong colour" cid-1@example.org
complaint "$W/robot.eml" "Helpdesk Robot <robot@example.org>" "Automatic reply: your order" \
	robot-1@example.org "Auto-Submitted: auto-replied"
complaint "$W/daemon.eml" "Mail Delivery System <mailer-daemon@example.org>" "Stuck parcel" \
	daemon-1@example.org
deliver "$W/ann2.eml" "$W/cid1.eml" "$W/robot.eml" "$W/daemon.eml"
once
for m in ann-2 cid-1 robot-1 daemon-1; do
	t=$(ticket_of "$m@example.org")
	ok "$([ -n "$t" ]; echo $?)" "$m has a ticket ($t)"
	resolve "$t"
done
is "$(sql "SELECT string_agg(m.message_id || '=' || coalesce(m.ack_suppressed, 'acked'), ' ' ORDER BY m.message_id)
	   FROM plaint.messages m WHERE m.message_id IN ('robot-1@example.org', 'daemon-1@example.org')")" \
	"daemon-1@example.org=machine-sender robot-1@example.org=auto-submitted" \
	"(the loop guard kept the acknowledgement from both machines)"
sleep 2.5
# This run without [satisfaction] template: the built-in question.
grep -v '^template = question$' "$W/plaint.conf" > "$W/builtin.conf"
n=$((n + 1)); plaint_run "survey-$n" -c "$W/builtin.conf" once
is "$(questions cid@example.org | wc -l)" 1 "Cid, resolved in the same run, is asked"
cid=$(ticket_of cid-1@example.org)
cq=$(questions cid@example.org)
is "$(header_of "$cq" Subject)" "[$cid] How did we do?" "without a template: the built-in subject"
tr -d '\r' < "$cq" | grep -qF "your ticket $cid, \"Wrong colour\", has been resolved."
ok $? "and the built-in text, with the ticket and its subject"
is "$(questions ann@example.org | wc -l)" 1 "Ann, asked today (quiet_days = 30), is not asked again"
is "$(questions robot@example.org | wc -l)" 0 "the auto-replying robot is not asked"
is "$(questions mailer-daemon@example.org | wc -l)" 0 "nor the mailer daemon"
is "$(sql "SELECT count(*) FROM plaint.satisfaction s JOIN plaint.tickets t ON t.id = s.ticket_id
	   JOIN plaint.messages m ON m.ticket_id = t.id
	   WHERE m.message_id IN ('ann-2@example.org', 'robot-1@example.org', 'daemon-1@example.org')")" 0 \
	"none of the three has a satisfaction row"

# --- plaint run asks too, as it starts and every minute ---------------------
complaint "$W/dee1.eml" "Dee Dean <dee@example.org>" "Missing screws" dee-1@example.org
deliver "$W/dee1.eml"
once
resolve "$(ticket_of dee-1@example.org)"
sleep 2.5
"$PLAINT" -c "$W/plaint.conf" run >> "$LOGDIR/survey-run.out" 2>> "$LOGDIR/survey-run.err" &
run=$!
for _ in $(seq 100); do
	[ "$(questions dee@example.org | wc -l)" -ge 1 ] && break
	sleep 0.1
done
kill -TERM "$run"
wait "$run"
is "$?" 0 "plaint run stops on SIGTERM"
is "$(questions dee@example.org | wc -l)" 1 "plaint run asks Dee as it starts"

# --- the views an agent reads ----------------------------------------------
is "$(agent "SELECT asked || ' ' || answered || ' ' || answer_rate || ' ' || mean_score || ' ' || score_1 || ' ' || score_4
	     FROM plaint.satisfaction_by_queue WHERE queue = 'general'")" "4 2 0.500 2.50 1 1" \
	"satisfaction_by_queue: 4 asked in general (Ann, Bob, Cid, Dee), 2 answered, mean 2.5, one 1 and one 4"
is "$(agent "SELECT count(*) FROM plaint.praise")" 0 "praise: no 5 yet"

tap_done
