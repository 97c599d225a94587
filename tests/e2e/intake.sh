#!/bin/bash
# tests/e2e/intake.sh - no complaint lost at intake, on the real servers.
#
# Each section is one way mail used to vanish: mail a person read first,
# people's mail taken for bounces, a reused Message-ID, the same message
# without a Message-ID fetched twice, a first line a parser chokes on,
# quarantined mail with no way back, and `rules test` deciding apart
# from the daemon.  Then ticket tags from strangers, and the ledger: every
# raw message in exactly one outcome.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
W=$(mktemp -d "$GW_TMP/intake.XXXXXX")
# The shipped rules, and two that speak to the acknowledgement.
RULES_DIR=$W/rules
mkdir -p "$RULES_DIR"
cp rules/*.rules "$RULES_DIR/"
cat > "$RULES_DIR/95-intake-test.rules" <<'EOF'
rule quiet-newsletter
  when subject ~ /\bnewsletter\b/i
  no-ack

rule spam
  when subject ~ /\bcheap watches\b/i
  drop
EOF
export PGDATABASE=plaint_intake
echo alicepw > "$GW_TMP/alice.pass"
echo bobpw > "$GW_TMP/bob.pass"
CONF=$W/plaint.conf
MAILBOXES="$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Intake')
$(mailbox_section sales "$IMAPS_PORT" tls bob '' 'folder = Intake
queue = sales')"
write_conf "$CONF" "$SMTP_PORT" "$MAILBOXES"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
for f in Intake IntakeAll IntakeNew; do
	clear_folder alice alicepw "$f"
	clear_folder bob bobpw "$f"
done
plaint_run intake-migrate -c "$CONF" db migrate
ok $? "db migrate"

mail() {	# FILE FROM SUBJECT MESSAGE-ID|- [BODY]
	{
		printf 'From: %s\nTo: care@example.com\nSubject: %s\n' "$2" "$3"
		[ "$4" != - ] && printf 'Message-ID: <%s>\n' "$4"
		printf 'Date: Tue, 01 Dec 2026 10:00:00 +0000\n\n%s\n' "${5:-My order never came.}"
	} > "$1"
}
deliver() {	# USER FOLDER [--flags F] FILE...
	local user=$1 folder=$2; shift 2
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --user "$user" --password "${user}pw" \
		--folder "$folder" "$@" > /dev/null
}
once() { plaint_run "intake-$1" -c "${2:-$CONF}" once; }
tickets_from() { sql "SELECT count(DISTINCT m.ticket_id) FROM plaint.messages m WHERE m.from_addr = '$1' AND m.direction = 'in'"; }
acks_to() { sink_for "$1" | wc -l; }

# --- 1. mail a person read first is fetched: the UID cursor -----------------
mail "$W/r1.eml" "Read First <read1@example.org>" "Already opened" r1@example.org
mail "$W/r2.eml" "Unread <unread@example.org>" "Not opened" r2@example.org
deliver alice Intake --flags '\Seen' "$W/r1.eml"
deliver alice Intake "$W/r2.eml"
once first-poll
is "$(tickets_from unread@example.org)/$(tickets_from read1@example.org)" "1/0" \
	"the first poll takes what is unread (start = unseen), not what was read before"
mail "$W/r3.eml" "Read Later <read3@example.org>" "Opened in Outlook before plaint came" r3@example.org
deliver alice Intake --flags '\Seen' "$W/r3.eml"
once second-poll
is "$(tickets_from read3@example.org)" 1 "after the first poll, mail a person read first is fetched"
is "$(acks_to read3@example.org)" 1 "and acknowledged"

# start = all and start = new, on mailboxes polled for the first time.
mail "$W/a1.eml" "Old Seen <oldseen@example.org>" "Old and read" a1@example.org
mail "$W/n1.eml" "Old Unseen <oldunseen@example.org>" "Old, unread, before plaint" n1@example.org
deliver bob IntakeAll --flags '\Seen' "$W/a1.eml"
deliver bob IntakeNew "$W/n1.eml"
cat > "$W/start.conf" < "$CONF"
sed -i '/^\[mailbox /,$d' "$W/start.conf"
{
	mailbox_section all-box "$IMAPS_PORT" tls bob '' 'folder = IntakeAll
start = all'
	mailbox_section new-box "$IMAPS_PORT" tls bob '' 'folder = IntakeNew
start = new'
} >> "$W/start.conf"
once start "$W/start.conf"
is "$(tickets_from oldseen@example.org)" 1 "start = all: read mail already there is fetched"
is "$(tickets_from oldunseen@example.org)" 0 "start = new: mail already there is left alone"
mail "$W/n2.eml" "New One <newone@example.org>" "Arrived after the first poll" n2@example.org
deliver bob IntakeNew --flags '\Seen' "$W/n2.eml"
once start-2 "$W/start.conf"
is "$(tickets_from newone@example.org)" 1 "start = new: what arrives afterwards is fetched, read or not"

# --- 2. people's complaints are not bounces ---------------------------------
mail "$W/p1.eml" "Ann <ann@example.org>" "Delivery failure: my parcel never arrived!" p1@example.org
mail "$W/p2.eml" "Small Shop <postmaster@small-shop.example>" "Returned mail: your courier left it at the wrong door" p2@example.org
mail "$W/p3.eml" "MAILER-DAEMON@shop.example" "Undelivered Mail Returned to Sender" p3@example.org \
	"Your courier is a disgrace; I run the mail server here."
deliver alice Intake "$W/p1.eml" "$W/p2.eml" "$W/p3.eml"
once people
for a in ann@example.org postmaster@small-shop.example mailer-daemon@shop.example; do
	is "$(sql "SELECT count(*) FROM plaint.open_tickets WHERE customer = '$a'")" 1 \
		"mail from $a with bounce words is on a ticket an agent sees"
done
is "$(sql "SELECT string_agg(coalesce(m.ack_suppressed, 'acknowledged'), ',' ORDER BY m.from_addr) FROM plaint.messages m WHERE m.message_id IN ('p1@example.org', 'p2@example.org', 'p3@example.org')")" \
	"report-subject,machine-sender,machine-sender" \
	"the words and the sender may withhold the acknowledgement, each with its reason"

# --- 3. a reused Message-ID does not swallow another complaint --------------
mail "$W/u1.eml" "Bea <bea@example.org>" "Fridge hums" form-1@webform.example "It hums all night."
mail "$W/u2.eml" "Cal <cal@example.net>" "Wrong size delivered" form-1@webform.example "The shoes are a 38, not a 42."
deliver alice Intake "$W/u1.eml"
deliver alice Intake "$W/u2.eml"
once reused
is "$(tickets_from bea@example.org)/$(tickets_from cal@example.net)" "1/1" \
	"two different messages with one Message-ID: two tickets"
is "$(acks_to bea@example.org)/$(acks_to cal@example.net)" "1/1" "each is acknowledged"
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE reason LIKE 'Message-ID also on message % with other content%'")" 1 \
	"the reuse is recorded"
# The same, filed at the same time by two workers (batches of one):
# whichever is filed first is held open by a trigger while the other
# files.
hold_open tickets 'Held open' 2
{ cat "$CONF"; printf '[mail]\nworkers = 2\nfiling_batch = 1\n'; } > "$W/two.conf"
mail "$W/u3.eml" "Dot <dot@example.org>" "Held open" form-2@webform.example "The lid is cracked."
mail "$W/u4.eml" "Eli <eli@example.net>" "Held open" form-2@webform.example "The bill is twice what was agreed."
deliver alice Intake "$W/u3.eml" "$W/u4.eml"
once reused-beside "$W/two.conf"
release_held tickets 'Held open'
is "$(tickets_from dot@example.org)/$(tickets_from eli@example.net)" "1/1" \
	"two workers, one Message-ID on two messages: two tickets"
is "$(sql "SELECT count(*) FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id = 'form-2@webform.example' AND r.reason LIKE 'Message-ID also on message % with other content%'")" 1 \
	"filed at once by two workers, the reuse is still recorded, on one of them"
# Those locks are held until a batch commits: workers that could fill
# half the server's lock table are warned of at start.
slots=$(sql "SELECT current_setting('max_locks_per_transaction')::bigint * (current_setting('max_connections')::bigint + current_setting('max_prepared_transactions')::bigint)")
{ cat "$CONF"; printf '[mail]\nworkers = 32\nfiling_batch = 1000\n'; } > "$W/big.conf"
mail "$W/big.eml" "Flo <flo@example.org>" "Big batches" big-1@example.org
plaint_run intake-big -c "$W/big.conf" ingest "$W/big.eml"
grep -q "big.conf: \[mail\] workers = 32 and filing_batch = 1000 may hold 160000 advisory locks at once, more than half of the server's lock table ($slots: " \
	"$LOGDIR/intake-big.err"
ok $? "32 workers filing 1,000 at once: a warning with the locks they may hold and the server's lock table"
is "$(cat "$LOGDIR"/intake-reused*.err | grep -c "advisory locks")/$(tickets_from flo@example.org)" "0/1" \
	"2 workers filing 1 or 50 at once: none; and the message is filed"

# --- 4. the same message without a Message-ID, fetched twice ---------------
mail "$W/x1.eml" "Dee <dee@example.org>" "No id, two mailboxes" - "Sent to both of your addresses."
deliver alice Intake "$W/x1.eml"
deliver bob Intake "$W/x1.eml"
once twice
is "$(tickets_from dee@example.org)" 1 "the same message in two mailboxes: one ticket"
is "$(acks_to dee@example.org)" 1 "and one acknowledgement"
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE outcome = 'duplicate'")" 1 \
	"the second copy is a named duplicate"
# The folder is recreated: new UIDVALIDITY, everything read again.
validity() {
	"$PY" - "$IMAP_PORT" <<'PYEOF'
import imaplib, re, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("alice", "alicepw")
typ, data = m.status("Intake", "(UIDVALIDITY)")
print(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1).decode())
m.logout()
PYEOF
}
v1=$(validity)
"$PY" - "$IMAP_PORT" "$W/x1.eml" <<'PYEOF'
import imaplib, sys, time
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("alice", "alicepw")
m.delete("Intake")
time.sleep(1.1)	# UIDVALIDITY is made from the clock
m.create("Intake")
raw = open(sys.argv[2], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
m.append("Intake", None, None, raw)
m.logout()
PYEOF
isnt() { [ "$1" != "$2" ]; ok $? "$3"; }
isnt "$(validity)" "$v1" "(the folder was recreated with a new UIDVALIDITY)"
once recreated
is "$(tickets_from dee@example.org)" 1 "after a UIDVALIDITY change the same message makes no second ticket"
is "$(acks_to dee@example.org)" 1 "nor a second acknowledgement"
grep -q "uidvalidity=.* was=.*: UIDs restart" "$LOGDIR/intake-recreated.err"
ok $? "the UIDVALIDITY change is logged"

# --- 5. a first line a parser chokes on ------------------------------------
mail "$W/b.eml" "Eve <eve@example.org>" "Blank line first" b1@example.org
{ printf '   \n'; cat "$W/b.eml"; } > "$W/b1.eml"
{ printf 'From eve@example.org Tue Dec  1 10:00:00 2026\n'; sed 's/b1@/b2@/; s/Blank line first/mbox From line first/' "$W/b.eml"; } > "$W/b2.eml"
"$PY" - "$W/b3.eml" <<'PYEOF'
import sys
fields = "".join("X-Tracking-%d: %s\n" % (i, "x" * 12) for i in range(50000))
open(sys.argv[1], "w").write(fields + "From: Eve <eve@example.org>\nTo: care@example.com\n"
    "Subject: Huge header block\nMessage-ID: <b3@example.org>\n\nStill a complaint.\n")
PYEOF
deliver alice Intake "$W/b1.eml" "$W/b2.eml" "$W/b3.eml"
once choke
for id in b1 b2 b3; do
	is "$(sql "SELECT r.state || ' ' || (m.ticket_id IS NOT NULL) FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id = '$id@example.org'")" \
		"done true" "$id: filed on a ticket, not quarantined"
done
is "$(sql "SELECT count(*) FROM plaint.messages WHERE message_id IN ('b1@example.org', 'b2@example.org') AND cardinality(defects) > 0")" 2 \
	"what was skipped is recorded as a defect"
is "$(sql "SELECT body FROM plaint.messages WHERE message_id = 'b3@example.org'")" "Still a complaint." \
	"the body after an oversized header block is read"

# --- 6. quarantine has a way back -------------------------------------------
# Filing fails (an admin's trigger, say): the message is quarantined with
# the database's words.  Once fixed, `plaint requeue` files it again.
sql "CREATE FUNCTION public.refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN IF NEW.subject LIKE '%Ship it today%' THEN RAISE EXCEPTION 'refused by site policy check'; END IF; RETURN NEW; END \$\$;
CREATE TRIGGER refuse BEFORE INSERT ON plaint.tickets FOR EACH ROW EXECUTE FUNCTION public.refuse()" > /dev/null
mail "$W/q1.eml" "Fin <fin@example.org>" "Ship it today please" q1@example.org
deliver alice Intake "$W/q1.eml"
once quarantine
raw=$(sql "SELECT id FROM plaint.raw_messages WHERE state = 'quarantined' AND reason LIKE '%refused by site policy check%'")
ok "$([ -n "$raw" ]; echo $?)" "the message is quarantined with the database's reason"
sql "DROP TRIGGER refuse ON plaint.tickets" > /dev/null
# A gateway login may not requeue: that is for admins.
psql -X -q -d postgres -c "DROP ROLE IF EXISTS intake_gw" -c "CREATE ROLE intake_gw LOGIN IN ROLE plaint_gateway" 2>/dev/null
sed "s/user=$PGUSER\$/user=intake_gw/" "$CONF" > "$W/gw.conf"
"$PLAINT" -c "$W/gw.conf" requeue --reason "site policy" > "$W/requeue.out" 2> "$W/requeue.err"
is "$?" 77 "requeue with the gateway's login: exit 77 (EX_NOPERM)"
grep -q "needs a database login granted plaint_admin" "$W/requeue.err"
ok $? "and the error says who may"
"$PLAINT" -c "$CONF" requeue --reason "SITE POLICY" > "$W/requeue.out" 2>> "$LOGDIR/intake-requeue.err"
is "$?" 0 "plaint requeue --reason TEXT as an admin exits 0"
is "$(cat "$W/requeue.out")" "raw=$raw ticket ticket=$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'q1@example.org'")" \
	"it prints the outcome: filed on a ticket"
is "$(sql "SELECT outcome || ' ' || requeues || ' ' || (previous_reason LIKE '%site policy%') FROM plaint.raw_messages WHERE id = $raw")" \
	"ticket 1 true" "the ledger keeps the old reason and counts the requeue"
is "$(acks_to fin@example.org)" 1 "and the customer is acknowledged"
"$PLAINT" -c "$CONF" requeue "$raw" > /dev/null 2> "$W/requeue.err"
is "$?" 65 "requeue of a message that is not quarantined: exit 65"
grep -q "raw=$raw is not quarantined" "$W/requeue.err"
ok $? "and says so"
# Input that holds no text is quarantined again, once, not in a loop.
printf '\n\n   \n' > "$W/empty.eml"
deliver alice Intake "$W/empty.eml"
once empty
empty=$(sql "SELECT id FROM plaint.raw_messages WHERE state = 'quarantined' AND reason LIKE '%no text at all%'")
"$PLAINT" -c "$CONF" requeue "$empty" > "$W/requeue.out" 2>> "$LOGDIR/intake-requeue.err"
is "$(sql "SELECT state || ' ' || requeues FROM plaint.raw_messages WHERE id = $empty")" "quarantined 1" \
	"an empty message requeued is quarantined again, once"
# A running daemon files what an admin requeues in SQL, at once.
mail "$W/q2.eml" "Gil <gil@example.org>" "Requeued while running" q2@example.org
sql "CREATE TRIGGER refuse BEFORE INSERT ON plaint.tickets FOR EACH ROW EXECUTE FUNCTION public.refuse()" > /dev/null
sed -i 's/Requeued while running/Ship it today: requeued while running/' "$W/q2.eml"
deliver alice Intake "$W/q2.eml"
once quarantine-2
raw2=$(sql "SELECT r.id FROM plaint.raw_messages r WHERE r.state = 'quarantined' AND r.reason LIKE '%site policy%'")
sql "DROP TRIGGER refuse ON plaint.tickets" > /dev/null
"$PLAINT" -c "$CONF" run > /dev/null 2> "$LOGDIR/intake-run.err" &
runpid=$!
sleep 2
sql "SELECT plaint.requeue($raw2)" > /dev/null
for _ in $(seq 50); do
	[ "$(sql "SELECT state FROM plaint.raw_messages WHERE id = $raw2")" = done ] && break
	sleep 0.2
done
kill -TERM "$runpid"; wait "$runpid"
is "$(sql "SELECT state || ' ' || outcome FROM plaint.raw_messages WHERE id = $raw2")" "done ticket" \
	"plaint run files a message requeued with plaint.requeue() (NOTIFY plaint_intake)"

# --- 7. rules test says what the daemon did ---------------------------------
# Every message of this test went through the daemon; rules test, on the
# same bytes, must give the same queue and the same acknowledgement
# decision for each one that opened a ticket, and say drop for the one
# that was dropped.
mail "$W/d1.eml" "Ned <ned@example.org>" "Your newsletter keeps coming" d1@example.org
mail "$W/d2.eml" "Spam <spam@example.net>" "Cheap watches for you" d2@example.net
deliver alice Intake "$W/d1.eml" "$W/d2.eml"
once decide
sql "COPY (SELECT r.id, r.mailbox FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id
	  JOIN plaint.events e ON e.ticket_id = m.ticket_id AND e.kind = 'opened' AND (e.detail->>'message')::bigint = m.id
	  WHERE r.mailbox = 'support') TO STDOUT" > "$W/opened"
n=0; same=0; diffs=""
while read -r id mailbox; do
	sql "SELECT encode(raw, 'base64') FROM plaint.raw_messages WHERE id = $id" |
		"$PY" -c 'import base64, sys; sys.stdout.buffer.write(base64.b64decode(sys.stdin.read()))' > "$W/msg.eml"
	said=$("$PLAINT" -c "$CONF" rules test --json --mailbox "$mailbox" "$W/msg.eml" 2>> "$LOGDIR/intake-rules.err" |
		"$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["queue"], d["ack_suppressed"] or "-")')
	did=$(sql "SELECT t.queue || ' ' || coalesce(m.ack_suppressed, '-') FROM plaint.messages m JOIN plaint.tickets t ON t.id = m.ticket_id WHERE m.raw_id = $id")
	n=$((n + 1))
	if [ "$said" = "$did" ]; then same=$((same + 1)); else diffs="$diffs raw=$id($said|$did)"; fi
done < "$W/opened"
echo "# rules test and the daemon: $same of $n agree${diffs:+:$diffs}"
ok "$([ "$n" -ge 10 ] && [ "$same" = "$n" ]; echo $?)" \
	"rules test gives the daemon's queue and acknowledgement decision for every ticket opened ($same of $n)"
is "$(sql "SELECT m.ack_suppressed FROM plaint.messages m WHERE m.message_id = 'd1@example.org'")" "rule no-ack" \
	"a rule's no-ack is recorded in the words rules test uses"
"$PLAINT" -c "$CONF" rules test --json --mailbox support "$W/d2.eml" 2>> "$LOGDIR/intake-rules.err" > "$W/d2.json"
is "$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["drop"], d["dropped_by"])' "$W/d2.json") $(sql "SELECT outcome || ' ' || dropped_by FROM plaint.raw_messages r JOIN plaint.routing g ON g.raw_id = r.id WHERE g.matched = ARRAY['spam']")" \
	"True spam dropped spam" "rules test's drop is the daemon's, named by the same rule"

# --- ticket tags from strangers ----------------------------------------------
t1=$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'r2@example.org'")
mail "$W/s1.eml" "Mallory <mallory@example.net>" "Re: [$t1] Not opened" s1@example.net "Cancel this order."
mail "$W/s2.eml" "Unread <unread@example.org>" "Re: [$t1] Not opened" s2@example.org "Any news?"
deliver alice Intake "$W/s1.eml" "$W/s2.eml"
once strangers
is "$(sql "SELECT t.related_to = (SELECT id FROM plaint.tickets WHERE number = '$t1') FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 's1@example.net'")" \
	t "a tag from a stranger opens a ticket related to the tagged one (tag_from_strangers = new)"
is "$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 's2@example.org'")" \
	"$t1" "the customer's own mail with the tag threads"
is "$(sql "SELECT count(*) FROM plaint.events e JOIN plaint.tickets t ON t.id = e.ticket_id WHERE t.number = '$t1' AND e.kind = 'tag_from_stranger'")" 1 \
	"the tagged ticket records the stranger's mail as an event"
sed 's/^prefix = CMP$/prefix = CMP\ntag_from_strangers = thread/' "$CONF" > "$W/thread.conf"
mail "$W/s3.eml" "Trent <trent@example.net>" "Re: [$t1] Not opened" s3@example.net "I am her neighbour."
deliver alice Intake "$W/s3.eml"
once strangers-thread "$W/thread.conf"
is "$(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 's3@example.net'")" \
	"$t1" "with tag_from_strangers = thread, a stranger's tag threads"
grep -q "note=\"tag $t1 from trent@example.net, who is not its customer nor a participant: threaded\"" "$LOGDIR/intake-strangers-thread.err"
ok $? "and the log says so"

# --- the bytes: one FETCH stored in one statement, byte for byte ------------
printf 'From: Zo\xe9 <zoe@example.org>\r\nTo: care@example.com\r\nSubject: Caf\xe9 cr\xe8me\r\nMessage-ID: <bytes-1@example.org>\r\n\r\nLe g\xe2teau \xe9tait rassis.\r\n' > "$W/b1.eml"
printf 'From: Ana <ana@example.org>\nTo: care@example.com\nSubject: =?UTF-8?Q?Pre=C3=A7o?=\nMessage-ID: <bytes-2@example.org>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nO pre\xc3\xa7o \xc3\xa9 \xe2\x82\xac 40.\n' > "$W/b2.eml"
mail "$W/b3.eml" "Bytes <bytes@example.org>" "Plain ASCII" bytes-3@example.org
printf 'From: Bad <bad@example.org>\nTo: care@example.com\nSubject: Broken\nMessage-ID: <bytes-4@example.org>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nThe price \xff\xfe was wrong.\n' > "$W/b4.eml"
deliver alice Intake "$W/b1.eml" "$W/b2.eml" "$W/b3.eml" "$W/b4.eml"
once bytes
is "$(sql "SELECT string_agg(body, '|' ORDER BY message_id) FROM plaint.messages WHERE direction = 'in' AND message_id IN ('bytes-1@example.org', 'bytes-2@example.org', 'bytes-4@example.org')")" \
	"$(printf 'Le g\xc3\xa2teau \xc3\xa9tait rassis.\n|O pre\xc3\xa7o \xc3\xa9 \xe2\x82\xac 40.\n|The price \xc3\xbf\xc3\xbe was wrong.\n')" \
	"their texts are filed as UTF-8: Latin-1 and bytes invalid as UTF-8 read as Latin-1"
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE uid IS NOT NULL AND (length(raw) <> size OR encode(sha256(raw), 'hex') <> sha256)")" 0 \
	"every message fetched is stored as plaint hashed it (size and sha256 of the bytes it read)"
is "$(sql "SELECT count(*) FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id IN ('bytes-1@example.org', 'bytes-2@example.org', 'bytes-3@example.org') AND position('\\xe974616974'::bytea IN r.raw) + position('\\xc3a7'::bytea IN r.raw) + position('Plain ASCII'::bytea IN r.raw) > 0")" 3 \
	"8-bit bytes of the three, fetched together, are kept as they came"
is "$(sql "SELECT count(*) FROM (SELECT id, lag(id) OVER (PARTITION BY mailbox, uidvalidity ORDER BY uid) AS before FROM plaint.raw_messages WHERE uid IS NOT NULL) x WHERE before > id")" 0 \
	"the rows of each mailbox are numbered in UID order"

# --- claims: each message claimed once, batches claimed ahead ---------------
# Two workers, batches of 3: the transaction that files a batch claims
# the worker's next one.  Every message is claimed (an attempt counted)
# once, before it is filed, and filed once.
{ cat "$CONF"; printf '[mail]\nworkers = 2\nfiling_batch = 3\n'; } > "$W/claims.conf"
for i in $(seq 1 20); do
	mail "$W/c$i.eml" "Claim $i <claim$i@example.org>" "Claimed $i" "claim-$i@example.org" "Parcel $i is late."
done
deliver alice Intake $(for i in $(seq 1 20); do echo "$W/c$i.eml"; done)
once claims "$W/claims.conf"
is "$(sql "SELECT count(*) || ' ' || min(r.attempts) || ' ' || max(r.attempts) || ' ' || count(DISTINCT m.ticket_id) FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id LIKE 'claim-%@example.org'")" \
	"20 1 1 20" "20 messages in batches of 3 on two workers: each claimed once (1 attempt) and filed on its own ticket"
is "$(acks_to claim7@example.org)$(acks_to claim20@example.org)" 11 "and acknowledged once"

# --- the ledger: every raw message in exactly one outcome --------------------
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE state = 'new' OR outcome IS NULL")" 0 \
	"no raw message is left without an outcome"
is "$(sql "SELECT sum(messages) = sum(ticket + bounce + duplicate + dropped + quarantined + waiting) FROM plaint.intake_summary")" t \
	"the outcomes add up to the messages (plaint.intake_summary)"
is "$(sql "SELECT count(*) FROM plaint.intake WHERE outcome = 'ticket' AND ticket IS NULL")" 0 \
	"every message with outcome ticket names its ticket"
sql "SELECT mailbox, messages, ticket, bounce, duplicate, dropped, quarantined, waiting FROM plaint.intake_summary" |
	sed 's/^/# ledger: /'
tap_done
