#!/bin/bash
# tests/e2e/replymail.sh - an agent's reply as the SMTP server receives
# it: to the customer and, in one envelope, to the ticket's participants
# (the Cc of the customer's mail, an address an agent added, one given to
# plaint.reply()), never to plaint's own address; with the files of
# plaint.outbox_attachments attached byte for byte, under the name and
# type stored.  A file removed before the reply went out fails it.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/replymail.XXXXXX")
export PGDATABASE=plaint_replymail
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
write_conf "$W/plaint.conf" "$SMTP_PORT" ""
plaint_run replymail-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"
psql -X -q -d postgres -c "DO \$\$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agent_rm') THEN
		CREATE ROLE agent_rm LOGIN;
	END IF; END \$\$" -c "GRANT plaint_agent TO agent_rm"
agent() {	# SQL on standard input, as a login that has only plaint_agent
	psql -X -A -t -q -v ON_ERROR_STOP=1 -U agent_rm
}

# Files whose bytes are all kinds of bytes: a photo the customer sends,
# a return label the agent uploads.
head -c 70000 /dev/urandom > "$W/photo.jpg"
head -c 150000 /dev/urandom > "$W/label.pdf"
photo_sha=$(sha256sum < "$W/photo.jpg" | cut -c1-64)
label_sha=$(sha256sum < "$W/label.pdf" | cut -c1-64)
{
	printf 'From: Kim Park <kim@example.org>\nTo: care@example.com\n'
	printf 'Cc: Lee Park <lee@example.net>, Care <care@example.com>\n'
	printf 'Subject: The kettle leaks\nMessage-ID: <kim-rm-1@example.org>\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b1\n\n'
	printf -- '--b1\nContent-Type: text/plain\n\nIt leaks; a photo is attached.\n'
	printf -- '--b1\nContent-Type: image/jpeg\nContent-Disposition: attachment; filename=leak.jpg\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64 "$W/photo.jpg"
	printf -- '--b1--\n'
} > "$W/c1.eml"
plaint_run replymail-ingest -c "$W/plaint.conf" ingest "$W/c1.eml"
ok $? "the complaint is filed"
num=$(sql "SELECT number FROM plaint.tickets")
rm -f "$SMTP_OUT"/*	# from here on, only the replies

sha=$(printf "SELECT plaint.add_blob('label.pdf', 'application/pdf', decode('%s', 'hex'))" \
	"$(od -An -v -tx1 "$W/label.pdf" | tr -d ' \n')" | agent)
is "$sha" "$label_sha" "the agent uploads a return label (plaint.add_blob)"
agent <<< "SELECT plaint.add_participant('$num', 'boss@example.net')" > /dev/null
ok $? "and adds a participant"
out=$(agent <<< "SELECT plaint.reply('$num', 'Here is your label, and the photo back.',
	cc => 'extra@example.com', attachments => ARRAY['$label_sha', '$photo_sha'])")
ok $? "and replies with a Cc and two files (outbox $out)"

plaint_run replymail-once -c "$W/plaint.conf" once
ok $? "plaint once sends it"
is "$(sink_count)" 1 "one message reaches the SMTP server"
reply=$(sink_for kim@example.org | head -1)
rcpts=$("$PY" -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1]))["rcpt_tos"])))' "${reply%.eml}.json")
is "$rcpts" "boss@example.net extra@example.com kim@example.org lee@example.net" \
	"its envelope: the customer, the Cc of their mail, the participant an agent added, the cc given"
is "$(header_of "$reply" Cc)" "lee@example.net, boss@example.net, extra@example.com" \
	"the Cc header names the same three, never plaint's own address"
is "$(sql "SELECT 'care@example.com' = ANY (cc) FROM plaint.outbox WHERE id = $out")" t \
	"(the queued Cc held it: no own_addresses setting here, the gateway left it out)"
is "$(header_of "$reply" To)" "kim@example.org" "To is the customer"

# What a mail reader would save from it.
"$PY" - "$reply" "$W/got" <<'PYEOF' > "$W/parts"
import email, email.policy, os, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
os.makedirs(sys.argv[2], exist_ok=True)
print("top", m.get_content_type())
for i, part in enumerate(m.iter_attachments()):
    name = part.get_filename()
    with open(os.path.join(sys.argv[2], str(i)), "wb") as f:
        f.write(part.get_payload(decode=True))
    print(i, name, part.get_content_type())
print("text", m.get_body(("plain",)).get_content().strip())
PYEOF
is "$(sed -n 1p "$W/parts")" "top multipart/mixed" "the reply is multipart/mixed"
is "$(sed -n 2p "$W/parts")" "0 label.pdf application/pdf" "the first file under the name and type uploaded"
is "$(sed -n 3p "$W/parts")" "1 leak.jpg image/jpeg" "the second as it came with the customer's mail"
is "$(sha256sum < "$W/got/0" | cut -c1-64)" "$label_sha" "the label arrives byte for byte"
is "$(sha256sum < "$W/got/1" | cut -c1-64)" "$photo_sha" "the photo arrives byte for byte"
grep -q '^text Here is your label, and the photo back.' "$W/parts"
ok $? "the text is the agent's"
is "$(sql "SELECT sent_at IS NOT NULL AND smtp_reply LIKE '250 %' FROM plaint.outbox WHERE id = $out")" t \
	"the outbox row is recorded sent"

# Without the participants: the customer alone.
rm -f "$SMTP_OUT"/*
out2=$(agent <<< "SELECT plaint.reply('$num', 'Just for you.', to_participants => false)")
plaint_run replymail-once2 -c "$W/plaint.conf" once
reply=$(sink_for kim@example.org | head -1)
is "$("$PY" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["rcpt_tos"]))' "${reply%.eml}.json")" \
	kim@example.org "to_participants => false: the customer alone"
is "$(header_of "$reply" Cc)" "" "and no Cc header"
is "$(header_of "$reply" Content-Type | cut -d';' -f1)" "text/plain" "a reply without files is plain text"

# A file emptied by retention between the reply and its sending.
rm -f "$SMTP_OUT"/*
out3=$(agent <<< "SELECT plaint.reply('$num', 'The label once more.', to_participants => false,
	attachments => ARRAY['$label_sha'])")
sql "UPDATE plaint.blobs SET content = '', removed_at = now() WHERE sha256 = '$label_sha'" > /dev/null
plaint_run replymail-once3 -c "$W/plaint.conf" once
is "$(sink_count)" 0 "a reply whose file was removed is not sent"
is "$(sql "SELECT failed_at IS NOT NULL AND last_error LIKE '%label.pdf%removed%' FROM plaint.outbox WHERE id = $out3")" t \
	"it fails for good, saying which file was removed"

# A Cc address the server refuses is left out; the others get the mail
# (a scripted peer: real servers do not refuse on demand).
start_faults_peer "$W/faults.out"
sed -e "s/^port = $SMTP_PORT$/port = $FAULTS_PORT/" -e "s/^security = starttls$/security = none/" \
	"$W/plaint.conf" > "$W/faults.conf"
out4=$(agent <<< "SELECT plaint.reply('$num', 'To you and two more.', to_participants => false,
	cc => 'reject-cc@example.net, ok-cc@example.net')")
plaint_run replymail-faults -c "$W/faults.conf" once
is "$(sql "SELECT (sent_at IS NOT NULL)::text || '|' || (smtp_reply LIKE '250 %; Cc refused: reject-cc@example.net (550 %')::text
	   FROM plaint.outbox WHERE id = $out4")" "true|true" \
	"a refused Cc address is left out and named in the record; the mail goes to the rest"
kill "$FAULTS_PID"; wait "$FAULTS_PID" 2>/dev/null

# The same from a server that offers PIPELINING: every RCPT goes out in
# the one write with MAIL and DATA, and each is answered in turn.
plain_port=$FAULTS_PORT
start_faults_peer "$W/pipe.out" --pipelining
sed -i "s/^port = $plain_port$/port = $FAULTS_PORT/" "$W/faults.conf"
out5=$(agent <<< "SELECT plaint.reply('$num', 'To you and two more, at once.', to_participants => false,
	cc => 'ok-cc2@example.net, reject-cc2@example.net')")
plaint_run replymail-pipe -c "$W/faults.conf" once
is "$(sql "SELECT (sent_at IS NOT NULL)::text || '|' || (smtp_reply LIKE '250 %; Cc refused: reject-cc2@example.net (550 %')::text
	   FROM plaint.outbox WHERE id = $out5")" "true|true" \
	"pipelined: a refused Cc address is left out and named in the record"
is "$(sed -n 's/^ACCEPTED //p' "$W/pipe.out" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' ok-cc2@example.net "$(sql "SELECT recipient FROM plaint.outbox WHERE id = $out5")" | sort | tr '\n' ' ')" \
	"pipelined: the mail went to the customer and the accepted Cc address"
is "$(grep -c '^PIPELINED' "$W/pipe.out")" 1 "MAIL FROM, the three RCPT TO and DATA came in one read"
kill "$FAULTS_PID"; wait "$FAULTS_PID" 2>/dev/null
tap_done
