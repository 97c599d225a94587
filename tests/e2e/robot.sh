#!/bin/bash
# tests/e2e/robot.sh - robots that answer from a new address each time.
#
# Two robots (tests/peers/robot.py) answer every acknowledgement plaint
# sends them at once, each time from a new address of their domain, with
# no header a loop guard could see and the ticket tag in the subject.
# The per-address limit cannot stop them.  One says the same thing each
# time: [ack] similar_rate_limit (3, the default) ends its loop.  The
# other words each answer differently: domain_rate_limit (5 here) ends
# it.  A person writing meanwhile is answered.  ROBOT_SECONDS (20; make
# reliability runs 60) is how long the robots run.  Prints one figure
# line.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/robot.XXXXXX")
export PGDATABASE=plaint_robot
SECONDS_RUN=${ROBOT_SECONDS:-20}
echo alicepw > "$GW_TMP/alice.pass"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Robots
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' "folder = Robots
poll_interval = 5")"
# The defaults, but for a domain limit small enough to reach.
sed -i -e '/^similar_rate_limit = 0$/d' -e 's/^domain_rate_limit = 0$/domain_rate_limit = 5/' "$CONF"
plaint_run robot-migrate -c "$CONF" db migrate
ok $? "db migrate"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT

printf 'From: Bea <bea@example.org>\nTo: care@example.com\nSubject: Wrong size\nMessage-ID: <bea-robot@example.org>\n\nThe shoes are too small.\n' > "$W/bea.eml"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Robots "$W/bea.eml" > /dev/null
"$PLAINT" -c "$CONF" run >> "$LOGDIR/robot-run.out" 2>> "$LOGDIR/robot-run.err" &
pids+=("$!")
sleep 1
"$PY" tests/peers/robot.py --port "$IMAP_PORT" --folder Robots --sink "$SMTP_OUT" \
	--domain robot.example --seconds "$SECONDS_RUN" > "$W/same.out" 2>> "$LOGDIR/robot-peer.err" &
same=$!
"$PY" tests/peers/robot.py --port "$IMAP_PORT" --folder Robots --sink "$SMTP_OUT" \
	--domain robots.example.net --seconds "$SECONDS_RUN" --vary > "$W/vary.out" 2>> "$LOGDIR/robot-peer.err" &
vary=$!
pids+=("$same" "$vary")
sleep $((SECONDS_RUN / 2))
printf 'From: Ada <ada@example.org>\nTo: care@example.com\nSubject: My kettle leaks\nMessage-ID: <ada-robot@example.org>\n\nIt leaks since Monday.\n' > "$W/ada.eml"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Robots "$W/ada.eml" > /dev/null
wait "$same" "$vary"
sleep 3	# the last answers are filed
kill -TERM "${pids[0]}"
wait "${pids[0]}"

inbound() { sql "SELECT count(*) FROM plaint.messages WHERE direction = 'in' AND from_addr LIKE '%@$1'"; }
acks() { sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND recipient LIKE '%@$1'"; }
held() { sql "SELECT coalesce(string_agg(DISTINCT ack_suppressed, ','), '') FROM plaint.messages WHERE from_addr LIKE '%@$1'"; }
s_in=$(inbound robot.example) s_acks=$(acks robot.example)
v_in=$(inbound robots.example.net) v_acks=$(acks robots.example.net)
echo "# robots over ${SECONDS_RUN} s: same words $s_in messages, $s_acks acknowledged; varied words $v_in messages, $v_acks acknowledged"
is "$s_acks" 3 "the robot that repeats itself gets similar_rate_limit (3) acknowledgements"
[ "$s_in" -lt 20 ]
ok $? "and its loop ends: $s_in messages in $SECONDS_RUN s"
is "$(held robot.example)" similar-rate-limit "its later mail is filed, marked similar-rate-limit"
is "$v_acks" 5 "the robot that varies its words gets domain_rate_limit (5)"
[ "$v_in" -lt 20 ]
ok $? "and its loop ends: $v_in messages in $SECONDS_RUN s"
is "$(held robots.example.net)" domain-rate-limit "its later mail is filed, marked domain-rate-limit"
is "$(sql "SELECT count(*) FROM plaint.messages m JOIN plaint.outbox o ON o.ticket_id = m.ticket_id AND o.kind = 'ack' WHERE m.message_id IN ('ada-robot@example.org', 'bea-robot@example.org') AND o.sent_at IS NOT NULL")" \
	2 "people writing before and meanwhile are acknowledged"
is "$(sql "SELECT count(*) FROM plaint.raw_messages r WHERE NOT EXISTS (SELECT FROM plaint.messages m WHERE m.raw_id = r.id)")" \
	0 "every robot message is on a ticket"
tap_done
