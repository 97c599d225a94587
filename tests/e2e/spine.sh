#!/bin/bash
# tests/e2e/spine.sh - a complaint from a real IMAP mailbox to a ticket
# and an acknowledgement, against the servers of tests/harness.sh.
#
# Complaints, a reply to an acknowledgement, a reply carrying only the
# ticket tag and an auto-reply go into alice's INBOX over IMAP; `plaint
# once` runs; the database, the SMTP sink and the IMAP flags are checked.
# A second run must change nothing.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/spine.XXXXXX")
echo alicepw > "$GW_TMP/alice.pass"
echo bobpw > "$GW_TMP/bob.pass"
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice)"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
clear_folder alice alicepw INBOX
rm -f "$SMTP_OUT"/*
plaint_run migrate -c "$CONF" db migrate
ok $? "db migrate on an empty database"
plaint_run migrate -c "$CONF" db migrate
ok $? "db migrate again is a no-op"
is "$(sql 'SELECT max(version) FROM plaint.schema_migrations')" \
	"$(ls sql/migrations | sed -n 's/^0*\([0-9][0-9]*\)_.*/\1/p' | sort -n | tail -1)" \
	"schema at the newest migration"
plaint_run config -c "$CONF" config check
ok $? "config check accepts the test config"

# --- mail written for this test --------------------------------------
complaint() {	# FILE FROM SUBJECT MESSAGE-ID [EXTRA-HEADERS]
	printf 'From: %s\nTo: care@example.com\nSubject: %s\nMessage-ID: <%s>\nDate: Sun, 22 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n%s\nHello,\n\n%s\n\nRegards\n' \
		"$2" "$3" "$4" "${5:-}" "This is about: $3" > "$1"
}
complaint "$W/c1.eml" "Ann Example <ann@example.org>" "Refund for order 55123 please" c1@example.org
complaint "$W/c2.eml" "Bob Sample <Bob.Sample@Example.NET>" "My parcel never arrived" c2@example.net
complaint "$W/c3.eml" "=?utf-8?q?Zo=C3=AB?= <zoe@example.org>" "=?utf-8?q?R=C3=A9clamation_cafeti=C3=A8re?=" c3@example.org
complaint "$W/auto.eml" "Out Of Office <ooo@example.org>" "Automatic reply: hello" auto1@example.org \
	"Auto-Submitted: auto-replied
Precedence: auto_reply"

"$PY" tests/imap_append.py --port "$IMAP_PORT" "$W/c1.eml" "$W/c2.eml" "$W/c3.eml" "$W/auto.eml" > "$W/append1"
ok $? "four messages appended to alice's INBOX"

plaint_run once1 -c "$CONF" once
ok $? "plaint once exits 0"

is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE state = 'done'")" 4 "four raw messages stored and done"
is "$(sql "SELECT count(DISTINCT ticket_id) FROM plaint.messages WHERE message_id IN ('c1@example.org','c2@example.org','c2@example.net','c3@example.org')")" 3 \
	"one ticket per complaint"
is "$(sql "SELECT count(*) FROM plaint.tickets WHERE number ~ '^CMP-[0-9]+$'")" 4 "ticket numbers look like CMP-n"
is "$(sql "SELECT email FROM plaint.customers c JOIN plaint.tickets t ON t.customer_id = c.id JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'c2@example.net'")" \
	"bob.sample@example.net" "customer address lower-cased"
is "$(sql "SELECT subject FROM plaint.messages WHERE message_id = 'c3@example.org'")" \
	"Réclamation cafetière" "RFC 2047 subject decoded"
is "$(sql "SELECT queue FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'c1@example.org'")" \
	billing "the shipped rules route a refund to billing"
is "$(sql "SELECT ack_suppressed FROM plaint.messages WHERE message_id = 'auto1@example.org'")" \
	auto-submitted "the auto-reply is marked as not to be answered"
is "$(sink_count)" 3 "three acknowledgements reached the SMTP server"
is "$(sink_for ooo@example.org)" "" "no acknowledgement to the auto-reply"

for c in "c1 ann@example.org c1@example.org" "c2 bob.sample@example.net c2@example.net" \
	 "c3 zoe@example.org c3@example.org"; do
	set -- $c
	f=$(sink_for "$2" | head -1)
	num=$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = '$3'")
	ok "$([ -n "$f" ]; echo $?)" "$1: acknowledgement sent to $2"
	[ -n "$f" ] || continue
	case "$(header_of "$f" Subject)" in
	"[$num] "*) ok 0 "$1: subject starts with the ticket tag [$num]" ;;
	*) ok 1 "$1: subject starts with the ticket tag [$num] (got '$(header_of "$f" Subject)')" ;;
	esac
	is "$(header_of "$f" Auto-Submitted)" auto-replied "$1: Auto-Submitted: auto-replied"
	is "$(header_of "$f" In-Reply-To)" "<$3>" "$1: In-Reply-To names the complaint"
	is "$(header_of "$f" Message-ID)" "<$(sql "SELECT o.message_id FROM plaint.outbox o JOIN plaint.tickets t ON t.id = o.ticket_id WHERE t.number = '$num'")>" \
		"$1: Message-ID is the one stored before sending"
	is "$(envelope_from "$f")" "" "$1: sent with the null envelope sender"
done
is "$(sql "SELECT count(*) FROM plaint.outbox WHERE sent_at IS NOT NULL AND smtp_reply LIKE '250 %' AND queued_at <= sent_at")" 3 \
	"every acknowledgement row records its sending and the 250 reply"
is "$("$PY" tests/imap_append.py --port "$IMAP_PORT" --list-flags | grep -vc 'Seen')" 0 \
	"every fetched message is \\Seen on the server"

# --- replies --------------------------------------------------------------
ack1=$(sink_for ann@example.org | head -1)
ack1_id=$(header_of "$ack1" Message-ID)
num2=$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'c2@example.net'")
complaint "$W/r1.eml" "Ann Example <ann@example.org>" "Something else entirely" r1@example.org \
	"In-Reply-To: $ack1_id"
complaint "$W/r2.eml" "Bob Sample <bob.sample@example.net>" "AW: Re:  [ ${num2} ]  still nothing" r2@example.net
"$PY" tests/imap_append.py --port "$IMAP_PORT" "$W/r1.eml" "$W/r2.eml" > /dev/null
plaint_run once2 -c "$CONF" once
ok $? "plaint once with two replies exits 0"
is "$(sql "SELECT count(DISTINCT ticket_id) FROM plaint.messages WHERE message_id IN ('c1@example.org', 'r1@example.org')")" 1 \
	"a reply to the acknowledgement joins its ticket by In-Reply-To"
is "$(sql "SELECT count(DISTINCT ticket_id) FROM plaint.messages WHERE message_id IN ('c2@example.net', 'r2@example.net')")" 1 \
	"a reply with only the ticket tag joins its ticket"
is "$(sql 'SELECT count(*) FROM plaint.tickets')" 4 "replies open no ticket"
is "$(sink_count)" 3 "follow-ups get no acknowledgement"

# --- a second run changes nothing ----------------------------------------
state() {
	sql "SELECT (SELECT count(*) FROM plaint.raw_messages) || '/' ||
	     (SELECT count(*) FROM plaint.messages) || '/' ||
	     (SELECT count(*) FROM plaint.tickets) || '/' ||
	     (SELECT count(*) FROM plaint.outbox) || '/' ||
	     (SELECT count(*) FROM plaint.events)"
}
before="$(state) $(sink_count)"
plaint_run once3 -c "$CONF" once
ok $? "a third plaint once exits 0"
is "$(state) $(sink_count)" "$before" "nothing new on a run with no new mail"

# A crash between the commit and the flagging leaves stored mail unseen
# (its UIDs in the mailbox's unflagged): the next run flags it without
# storing or filing it again.
sql "UPDATE plaint.mailboxes m SET unflagged = ARRAY(SELECT r.uid FROM plaint.raw_messages r WHERE r.mailbox = m.name AND r.uidvalidity = m.uidvalidity ORDER BY r.uid)" > /dev/null
"$PY" - "$IMAP_PORT" <<'PYEOF'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("alice", "alicepw")
m.select("INBOX")
m.uid("STORE", "1:*", "-FLAGS.SILENT", "(\\Seen)")
m.logout()
PYEOF
is "$("$PY" tests/imap_append.py --port "$IMAP_PORT" --list-flags | grep -c 'Seen')" 0 \
	"(all messages marked unread again on the server)"
plaint_run once4 -c "$CONF" once
ok $? "plaint once over stored but unflagged mail"
is "$(state) $(sink_count)" "$before" "stored mail is not stored, filed or answered again"
is "$("$PY" tests/imap_append.py --port "$IMAP_PORT" --list-flags | grep -vc 'Seen')" 0 \
	"it is flagged \\Seen again"
is "$(sql "SELECT sum(cardinality(unflagged)) FROM plaint.mailboxes")" 0 \
	"and recorded as flagged"
# A person marking mail unread later is left alone: it is neither
# fetched again nor flagged again.
"$PY" - "$IMAP_PORT" <<'PYEOF'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("alice", "alicepw")
m.select("INBOX")
m.uid("STORE", "1:*", "-FLAGS.SILENT", "(\\Seen)")
m.logout()
PYEOF
plaint_run once5 -c "$CONF" once
is "$(state) $(sink_count)" "$before" "mail a person marked unread is not fetched again"
is "$("$PY" tests/imap_append.py --port "$IMAP_PORT" --list-flags | grep -c 'Seen')" 0 \
	"and stays unread"

# --- STARTTLS and plain IMAP -----------------------------------------------
complaint "$W/s1.eml" "Carl <carl@example.org>" "Broken blender" s1@example.org
"$PY" tests/imap_append.py --port "$IMAP_PORT" "$W/s1.eml" > /dev/null
write_conf "$W/starttls.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAP_PORT" starttls alice)"
plaint_run starttls -c "$W/starttls.conf" once
ok $? "IMAP with STARTTLS"
is "$(sql "SELECT count(*) FROM plaint.messages WHERE message_id = 's1@example.org'")" 1 \
	"the message fetched over STARTTLS is filed"
complaint "$W/p1.eml" "Dora <dora@example.org>" "Late courier" p1@example.org
"$PY" tests/imap_append.py --port "$IMAP_PORT" "$W/p1.eml" > /dev/null
write_conf "$W/plain.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAP_PORT" none alice)"
plaint_run plain -c "$W/plain.conf" once
ok $? "IMAP without TLS (security = none)"
is "$(sql "SELECT count(*) FROM plaint.messages WHERE message_id = 'p1@example.org'")" 1 \
	"the message fetched over plain IMAP is filed"

# --- certificates that do not verify: no LOGIN at all -----------------------
badenv=$(tests/harness.sh badca "$GW_TMP" 2>> "$LOGDIR/harness-badca.err")
ok $? "a Dovecot with a certificate from an unknown CA started"
eval "$badenv"
complaint "$W/b1.eml" "Eve <eve@example.org>" "Must stay unread" b1@example.org
unread=$("$PY" tests/imap_append.py --port "$IMAP_PORT" --list-flags | grep -vc 'Seen')
"$PY" tests/imap_append.py --port "$IMAP_PORT" "$W/b1.eml" > /dev/null
for mode in "tls $BAD_IMAPS_PORT $CA_FILE" "starttls $BAD_IMAP_PORT $CA_FILE" "tls $IMAPS_PORT -"; do
	set -- $mode
	write_conf "$W/bad.conf" "$SMTP_PORT" "$(mailbox_section support "$2" "$1" alice "$3")"
	plaint_run "badca-$1-$2" -c "$W/bad.conf" once
	rc=$?
	ok "$([ $rc != 0 ]; echo $?)" "$1 on port $2 (ca_file $3): plaint once fails (exit $rc)"
	grep -q "not trusted" "$LOGDIR/badca-$1-$2.err"
	ok $? "$1 on port $2: the error says the certificate is not trusted"
done
ok "$(grep -rqs 'Login: user=<alice>' "$GW_TMP"/dovecot-bad/; [ $? = 1 ]; echo $?)" \
	"the untrusted server saw no login"
is "$(sql "SELECT count(*) FROM plaint.messages WHERE message_id = 'b1@example.org'")" 0 \
	"nothing was fetched from an untrusted server"
is "$("$PY" tests/imap_append.py --port "$IMAP_PORT" --list-flags | grep -vc 'Seen')" "$((unread + 1))" \
	"the message stays unread on the server"

tap_done
