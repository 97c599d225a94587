#!/bin/bash
# tests/e2e/flow.sh - exactly once, nothing lost, and the daemon's life.
#
# The same Message-ID delivered to two support mailboxes; `plaint
# ingest` from a pipe, twice, and with bytes that are not mail; an SMTP
# server that is down (the acknowledgement waits, then goes); `plaint
# run` picking up new mail and stopping cleanly on SIGTERM.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/flow.XXXXXX")
export PGDATABASE=plaint_flow
echo alicepw > "$GW_TMP/alice.pass"
echo bobpw > "$GW_TMP/bob.pass"
CONF=$W/plaint.conf
MAILBOXES="$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Flow')
$(mailbox_section sales "$IMAPS_PORT" tls bob '' 'folder = Flow
queue = sales')"
write_conf "$CONF" "$SMTP_PORT" "$MAILBOXES"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
clear_folder alice alicepw Flow
clear_folder bob bobpw Flow
plaint_run migrate -c "$CONF" db migrate
ok $? "db migrate"

mail() {	# FILE FROM SUBJECT MESSAGE-ID
	printf 'From: %s\nTo: care@example.com, sales@example.com\nSubject: %s\nMessage-ID: <%s>\nDate: Sun, 22 Nov 2026 11:00:00 +0000\n\nPlease help.\n' \
		"$2" "$3" "$4" > "$1"
}

# --- one Message-ID, two mailboxes -------------------------------------
mail "$W/d1.eml" "Fay <fay@example.org>" "Wrong item sent" d1@example.org
"$PY" tests/imap_append.py --port "$IMAP_PORT" --user alice --password alicepw --folder Flow "$W/d1.eml" > /dev/null &&
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --user bob --password bobpw --folder Flow "$W/d1.eml" > /dev/null
ok $? "the same message delivered to alice and bob"
plaint_run once-dup -c "$CONF" once
ok $? "plaint once over two mailboxes"
is "$(sql 'SELECT count(*) FROM plaint.raw_messages')" 2 "both deliveries stored raw"
is "$(sql "SELECT count(*) FROM plaint.messages WHERE message_id = 'd1@example.org'")" 1 \
	"one ticket entry for one Message-ID"
is "$(sql "SELECT count(*) FROM plaint.raw_messages r JOIN plaint.messages m ON m.id = r.duplicate_of WHERE r.outcome = 'duplicate' AND m.message_id = 'd1@example.org'")" 1 \
	"the second delivery is recorded as a duplicate of the first"
is "$(sink_for fay@example.org | wc -l)" 1 "one acknowledgement for one Message-ID"

# --- ingest ------------------------------------------------------------
mail "$W/i1.eml" "Gus <gus@example.org>" "Invoice wrong" i1@example.org
plaint_run ingest1 -c "$CONF" ingest - < "$W/i1.eml"
ok $? "plaint ingest - from a pipe exits 0"
plaint_run ingest2 -c "$CONF" ingest "$W/i1.eml"
ok $? "plaint ingest FILE of the same bytes exits 0"
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE mailbox = 'ingest'")" 1 \
	"the same bytes ingested twice are stored once"
is "$(sql "SELECT queue FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'i1@example.org'")" \
	billing "ingested mail is classified by the rules"
plaint_run ingest3 -c "$CONF" ingest --mailbox sales - <<< "$(mail /dev/stdout "Hal <hal@example.org>" "Question" i2@example.org)"
ok $? "plaint ingest --mailbox sales"
is "$(sql "SELECT queue FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'i2@example.org'")" \
	sales "ingest --mailbox takes that mailbox's queue"
printf '\x00\x01 this is not mail\n' > "$W/junk"
plaint_run ingest-junk -c "$CONF" ingest "$W/junk"
ok $? "bytes that are not mail are accepted (exit 0): kept, not lost"
is "$(sql "SELECT state || ':' || (reason IS NOT NULL)::text || ':' || size FROM plaint.raw_messages WHERE mailbox = 'ingest' AND size = 20")" \
	"quarantined:true:20" "they are quarantined whole, with a reason"
plaint_run ingest-none -c "$CONF" ingest "$W/no-such-file"
is "$?" 66 "ingest of a missing file exits 66 (EX_NOINPUT)"

# --- Reply-To as the customer (web forms), Cc as participants -------------
sed 's/^prefix = CMP$/prefix = CMP\ncustomer_reply_to = true/' "$CONF" > "$W/replyto.conf"
printf 'From: Web Form <form@shop.example>\nReply-To: Nora Field <Nora@Example.org>\nTo: care@example.com\nCc: Her Husband <sven@example.org>, legal@example.org\nSubject: Contact form: broken hinge\nMessage-ID: <form-1@shop.example>\n\nThe fridge door hinge broke.\n' > "$W/form.eml"
plaint_run ingest-form -c "$W/replyto.conf" ingest "$W/form.eml"
is "$(sql "SELECT c.email || '|' || c.name FROM plaint.customers c JOIN plaint.tickets t ON t.customer_id = c.id JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'form-1@shop.example'")" \
	"nora@example.org|Nora Field" "with customer_reply_to, the Reply-To address is the customer"
is "$(sql "SELECT recipient FROM plaint.outbox o JOIN plaint.messages m ON m.ticket_id = o.ticket_id WHERE m.message_id = 'form-1@shop.example'")" \
	"nora@example.org" "and gets the acknowledgement"
is "$(sql "SELECT array_to_string(cc, ',') FROM plaint.messages WHERE message_id = 'form-1@shop.example'")" \
	"sven@example.org,legal@example.org" "Cc'd addresses are kept as the ticket's participants"

# --- SMTP down: the acknowledgement waits, then goes -----------------------
write_conf "$W/nosmtp.conf" 9 "$MAILBOXES"	# port 9 (discard) is closed here
mail "$W/m1.eml" "Ivy <ivy@example.org>" "Damaged table" m1@example.org
"$PY" tests/imap_append.py --port "$IMAP_PORT" --user alice --password alicepw --folder Flow "$W/m1.eml" > /dev/null
plaint_run once-nosmtp -c "$W/nosmtp.conf" once
is "$?" 75 "plaint once exits 75 (EX_TEMPFAIL) while the SMTP server is down"
is "$(sql "SELECT m.ticket_id IS NOT NULL FROM plaint.messages m WHERE m.message_id = 'm1@example.org'")" t \
	"the ticket is opened all the same"
is "$(sql "SELECT attempts || ':' || (sent_at IS NULL)::text || ':' || (last_error IS NOT NULL)::text || ':' || (next_attempt_at > now())::text FROM plaint.outbox WHERE recipient = 'ivy@example.org'")" \
	"1:true:true:true" "the acknowledgement is kept, with the error and a later retry time"
sql "UPDATE plaint.outbox SET next_attempt_at = now() WHERE recipient = 'ivy@example.org'" > /dev/null
plaint_run once-smtp-back -c "$CONF" once
ok $? "plaint once when the SMTP server is back"
is "$(sink_for ivy@example.org | wc -l)" 1 "the delayed acknowledgement is delivered once"
is "$(sql "SELECT attempts || ':' || (sent_at IS NOT NULL)::text FROM plaint.outbox WHERE recipient = 'ivy@example.org'")" \
	"2:true" "the outbox row records two attempts and the sending"

# --- the daemon -------------------------------------------------------------
write_conf "$W/run.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Flow
poll_interval = 1')"
"$PLAINT" -c "$W/run.conf" run > "$LOGDIR/run.out" 2> "$LOGDIR/run.err" &
pid=$!
mail "$W/n1.eml" "Jo <jo@example.org>" "Fridge noisy" n1@example.org
"$PY" tests/imap_append.py --port "$IMAP_PORT" --user alice --password alicepw --folder Flow "$W/n1.eml" > /dev/null
for _ in $(seq 100); do
	[ "$(sink_for jo@example.org | wc -l)" -ge 1 ] && break
	sleep 0.1
done
is "$(sink_for jo@example.org | wc -l)" 1 "plaint run acknowledges mail that arrives while it runs"
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
is "$?" 0 "plaint run exits 0 on SIGTERM"
grep -q "stopping" "$LOGDIR/run.err"
ok $? "plaint run logs that it stops"

tap_done
