#!/bin/bash
# tests/e2e/poison.sh - one email never stops all filing.
#
# A message that kills the process (a crash point, as kill -9 would, each
# time it is parsed) is tried at most [mail] max_attempts times, then
# quarantined with the reason; the mail around it is filed.  A message of
# a million tiny MIME parts is filed under a memory cap that the previous
# parser broke on every run.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/poison.XXXXXX")
export PGDATABASE=plaint_poison
echo alicepw > "$GW_TMP/alice.pass"
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Poison')"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Poison
plaint_run poison-migrate -c "$CONF" db migrate
ok $? "db migrate"

mail() {	# FILE FROM SUBJECT MESSAGE-ID [BODY]
	printf 'From: %s\nTo: care@example.com\nSubject: %s\nMessage-ID: <%s>\nDate: Tue, 01 Dec 2026 10:00:00 +0000\n\n%s\n' \
		"$2" "$3" "$4" "${5:-My order never came.}" > "$1"
}
mail "$W/m1.eml" "Ada <ada@example.org>" "Before the poison" m1@example.org
mail "$W/m2.eml" "Bo <bo@example.org>" "The poison" m2@example.org "KILL-ME-NOW"
mail "$W/m3.eml" "Cy <cy@example.org>" "After the poison" m3@example.org
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Poison "$W/m1.eml" "$W/m2.eml" "$W/m3.eml" > /dev/null

runs=0 killed=0
for _ in 1 2 3 4 5 6; do
	PLAINT_CRASH_POINT=parse:KILL-ME-NOW "$PLAINT" -c "$CONF" once >> "$LOGDIR/poison-once.out" 2>> "$LOGDIR/poison-once.err"
	rc=$?
	runs=$((runs + 1))
	[ $rc = 137 ] && killed=$((killed + 1))
	[ "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE state = 'new'")" = 0 ] && break
done
echo "# $runs runs of plaint once, $killed of them killed on the poison"
is "$killed" 3 "the poison killed the process max_attempts (3) times, no more"
is "$(sql "SELECT state || ' ' || attempts || ' ' || reason FROM plaint.raw_messages WHERE position('KILL-ME-NOW'::bytea IN raw) > 0")" \
	"quarantined 3 crashed 3 times while processing: not tried again ([mail] max_attempts)" \
	"then it is quarantined with the reason"
is "$(sql "SELECT count(*) FROM plaint.messages WHERE message_id IN ('m1@example.org', 'm3@example.org')")" 2 \
	"the mail around it is filed"
is "$(sql "SELECT max(attempts) FROM plaint.raw_messages WHERE state = 'done'")" 2 \
	"each message of the crashed batch was tried once more, alone"

# --- a million tiny parts, under a memory cap --------------------------------
"$PY" - "$W/parts.eml" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("From: Dee <dee@example.org>\nTo: care@example.com\nSubject: Many parts\n"
            "Message-ID: <parts@example.org>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
            "My washing machine floods the kitchen.\n")
    for i in range(1200000):
        f.write("--b\n\nx\n")
    f.write("--b--\n")
PYEOF
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Poison "$W/parts.eml" > /dev/null
# AddressSanitizer reserves terabytes of address space for its shadow:
# a sanitizer build runs without the cap (its own checks stand in).
cap=(prlimit --as=$((1024 * 1024 * 1024)))
if grep -q __asan_init "$PLAINT" 2>/dev/null; then
	cap=()
	echo "# a sanitizer build: run without the address-space cap"
fi
"${cap[@]}" "$PLAINT" -c "$CONF" once >> "$LOGDIR/poison-parts.out" 2>> "$LOGDIR/poison-parts.err"
is "$?" 0 "plaint once under a 1 GiB address-space cap files a message of 1.2 million parts"
is "$(sql "SELECT body FROM plaint.messages WHERE message_id = 'parts@example.org'")" \
	"My washing machine floods the kitchen." "its text is read"
limit=$(sql "SELECT limits_hit[1] FROM plaint.messages WHERE message_id = 'parts@example.org'")
[[ "$limit" =~ ^"more than 1000 MIME parts: the message was read up to byte "([0-9]+)$ ]] &&
	[ "${BASH_REMATCH[1]}" -lt 100000 ]
ok $? "the limit reached is recorded on it, and only the first parts were read ($limit)"
is "$(sql "SELECT octet_length(raw) > 9000000 FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id = 'parts@example.org'")" \
	t "the raw message is kept whole"
tap_done
