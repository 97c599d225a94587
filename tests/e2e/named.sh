#!/bin/bash
# tests/e2e/named.sh - a name, not a robot: the acknowledgement of a
# queue with a team comes from "Refunds team via <From name>" and says
# who will answer ({team}); once an agent with a display name has the
# ticket, their reply comes from "Maria Lopez via <From name>", at
# plaint's own address, with their signature.  The customer's answer,
# written in Gmail with the reply quoted under it, is stored whole and
# as its new text.  A customer's third complaint within 30 days is a
# repeat: tagged, and one priority step up.  Mail goes through the test
# Dovecot, plaint once and the SMTP sink.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/named.XXXXXX")
export PGDATABASE=plaint_named
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test reads what the sink receives
echo alicepw > "$GW_TMP/alice.pass"
clear_folder alice alicepw Named
printf 'Subject: [{ticket}] {subject}\n\nHello {name},\n\n{team} will answer you by {due}.\n' > "$W/named.txt"
write_conf "$W/plaint.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Named')
[queue billing]
team = Refunds team
template = named

[queue general]
template = named

[template named]
file = $W/named.txt"
plaint_run named-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"
plaint_run named-check -c "$W/plaint.conf" config check
ok $? "config check accepts [queue] team and a {team} template"
psql -X -q -d postgres -c "DO \$\$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agent_maria') THEN
		CREATE ROLE agent_maria LOGIN;
	END IF; END \$\$" -c "GRANT plaint_agent TO agent_maria"
agent() {	# SQL on standard input, as a login that has only plaint_agent
	psql -X -A -t -q -v ON_ERROR_STOP=1 -U agent_maria
}
deliver() {	# FILE...: into the Named folder, then one plaint cycle
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Named "$@" > /dev/null &&
		plaint_run named-once -c "$W/plaint.conf" once
}
complaint() {	# FILE FROM SUBJECT MESSAGE-ID TEXT
	printf 'From: %s\nTo: care@example.com\nSubject: %s\nMessage-ID: <%s>\nDate: Tue, 1 Dec 2026 09:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s\n' \
		"$2" "$3" "$4" "$5" > "$1"
}

# --- the team names itself on a queue's acknowledgements ----------------
complaint "$W/ann1.eml" "Ann Example <ann@example.org>" "Refund for order 55123 please" \
	ann-1@example.org "I was charged twice for order 55123. Please refund me."
complaint "$W/bob1.eml" "Bob Sample <bob@example.net>" "A question about my account" \
	bob-1@example.net "How do I change my address?"
deliver "$W/ann1.eml" "$W/bob1.eml"
ok $? "two complaints are filed and acknowledged (plaint once)"
ann=$(sql "SELECT number FROM plaint.tickets t JOIN plaint.customers c ON c.id = t.customer_id WHERE c.email = 'ann@example.org'")
is "$(sql "SELECT queue || ' ' || coalesce(q.team, '-') FROM plaint.tickets t JOIN plaint.queues q ON q.name = t.queue WHERE t.number = '$ann'")" \
	"billing Refunds team" "Ann's refund is in billing, whose team the config named"
ack=$(sink_for ann@example.org | head -1)
is "$(header_of "$ack" From)" "Refunds team via Test Care <care@example.com>" \
	"Ann's acknowledgement comes from the Refunds team, via plaint's From name and address"
grep -q "^Refunds team will answer you by " "$ack"
ok $? "and its text names the team ({team})"
ack=$(sink_for bob@example.net | head -1)
is "$(header_of "$ack" From)" "Test Care <care@example.com>" \
	"Bob's acknowledgement (general: no team, no agent) comes from plaint's From alone"
grep -q "^Test Care will answer you by " "$ack"
ok $? "and its {team} is plaint's From name"

# --- Maria, assigned, answers under her own name -------------------------
agent <<< "SELECT plaint.set_my_profile('Maria Lopez', E'Maria Lopez\nRefunds, Test Care')" > /dev/null
ok $? "the agent sets her display name and signature"
agent <<< "SELECT plaint.assign('$ann', current_user)" > /dev/null
ok $? "and takes Ann's ticket"
rm -f "$SMTP_OUT"/*
out=$(agent <<< "SELECT plaint.reply('$ann', 'We have refunded order 55123.')")
ok $? "she replies (outbox $out)"
plaint_run named-send -c "$W/plaint.conf" once
reply=$(sink_for ann@example.org | head -1)
is "$(header_of "$reply" From)" "Maria Lopez via Test Care <care@example.com>" \
	"the reply in the SMTP sink comes from Maria Lopez via plaint's From name"
is "$(envelope_from "$reply")" care@example.com "at plaint's own address"
"$PY" - "$reply" > "$W/reply.txt" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
sys.stdout.write(m.get_body(("plain",)).get_content())
PYEOF
printf 'We have refunded order 55123.\n\n-- \nMaria Lopez\nRefunds, Test Care\n' > "$W/want.txt"
cmp -s "$W/reply.txt" "$W/want.txt"
ok $? "its text ends with her signature under a '-- ' line"
reply_id=$(header_of "$reply" Message-ID)

# --- Ann answers from Gmail, the reply quoted under her words ------------
new_text=$(printf 'Thank you, the money arrived today.\n\nAnn')
cat > "$W/ann2.eml" <<EOF
MIME-Version: 1.0
Date: Wed, 2 Dec 2026 10:15:32 +0100
References: <ann-1@example.org> $reply_id
In-Reply-To: $reply_id
Message-ID: <CAJx9Lq1b2eZ0Tq=ann2@mail.gmail.com>
Subject: Re: [$ann] Re: Refund for order 55123 please
From: Ann Example <ann@example.org>
To: Maria Lopez via Test Care <care@example.com>
Content-Type: multipart/alternative; boundary="0000000000009b1c2d05ed3f7a41"

--0000000000009b1c2d05ed3f7a41
Content-Type: text/plain; charset="UTF-8"

$new_text

On Wed, 2 Dec 2026 at 09:40, Maria Lopez via Test Care <care@example.com>
wrote:

> We have refunded order 55123.
>
> --
> Maria Lopez
> Refunds, Test Care
>

--0000000000009b1c2d05ed3f7a41
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">Thank you, the money arrived today.<div><br></div><div>Ann</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Wed, 2 Dec 2026 at 09:40, Maria Lopez via Test Care &lt;<a href="mailto:care@example.com">care@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">We have refunded order 55123.<br><br>-- <br>Maria Lopez<br>Refunds, Test Care<br></blockquote></div>

--0000000000009b1c2d05ed3f7a41--
EOF
deliver "$W/ann2.eml"
ok $? "Ann's answer is filed"
is "$(sql "SELECT t.number FROM plaint.messages m JOIN plaint.tickets t ON t.id = m.ticket_id WHERE m.message_id = 'CAJx9Lq1b2eZ0Tq=ann2@mail.gmail.com'")" \
	"$ann" "it threads onto her ticket"
is "$(sql "SELECT body_new FROM plaint.messages WHERE message_id = 'CAJx9Lq1b2eZ0Tq=ann2@mail.gmail.com'")" \
	"$new_text" "body_new holds her new text only: no attribution, no quoted reply"
is "$(sql "SELECT body LIKE '%> We have refunded order 55123.%' FROM plaint.messages WHERE message_id = 'CAJx9Lq1b2eZ0Tq=ann2@mail.gmail.com'")" \
	t "body keeps the whole text, quote included"
is "$(agent <<< "SELECT body_new FROM plaint.thread WHERE ticket = '$ann' AND message_id = 'CAJx9Lq1b2eZ0Tq=ann2@mail.gmail.com'")" \
	"$new_text" "plaint.thread shows the agent her new text"

# --- a third complaint within 30 days is a repeat ------------------------
complaint "$W/cara1.eml" "Cara Doe <cara@example.org>" "Question about my account" cara-1@example.org "Where is my statement?"
complaint "$W/cara2.eml" "Cara Doe <cara@example.org>" "Another question" cara-2@example.org "And my password?"
complaint "$W/cara3.eml" "Cara Doe <cara@example.org>" "Third question" cara-3@example.org "Nobody answers me."
deliver "$W/cara1.eml" "$W/cara2.eml"
ok $? "Cara's first two complaints are filed"
deliver "$W/cara3.eml"
ok $? "and her third"
pt() {	# MESSAGE-ID: priority and tags of its ticket
	sql "SELECT t.priority || ' ' || array_to_string(t.tags, ',') FROM plaint.tickets t
	       JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = '$1'"
}
is "$(pt cara-1@example.org)" "normal " "her first ticket stays normal, untagged"
is "$(pt cara-2@example.org)" "normal " "so does her second"
is "$(pt cara-3@example.org)" "high repeat" "her third is tagged repeat and goes from normal to high"
is "$(sql "SELECT e.detail->>'reasons' || ' ' || (e.detail->>'tickets') || ' ' || (e.detail->>'days')
	     FROM plaint.events e JOIN plaint.messages m ON m.ticket_id = e.ticket_id
	    WHERE m.message_id = 'cara-3@example.org' AND e.kind = 'repeat'")" \
	'["tickets"] 3 30' "an event records why: 3 tickets within 30 days"
is "$(pt bob-1@example.net)" "normal " "a customer's only ticket is no repeat"
tap_done
