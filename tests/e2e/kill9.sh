#!/bin/bash
# tests/e2e/kill9.sh - kill -9 at random moments and at named points.
#
# KILL_MESSAGES complaints (1000; make reliability: 5000) wait in a
# folder.  plaint run is started, and killed with SIGKILL after a random
# 0.2 to 1.2 s, again and again, until everything is filed and
# acknowledged; once each it is also made to die at the named crash
# points (PLAINT_CRASH_POINT: after a batch is stored, while parsing,
# after filing, after an SMTP server accepted an acknowledgement).
# Then: every complaint on exactly one ticket, stored once, acknowledged
# once, bar those a kill caught between the server's 250 and the commit
# of their record (the mails accepted during one commit: in this test
# at most one per kill); none later than its deadline plus a few
# seconds.  Prints one figure line.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/kill9.XXXXXX")
export PGDATABASE=plaint_kill9
N=${KILL_MESSAGES:-1000}
echo alicepw > "$GW_TMP/alice.pass"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Kill9
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' "folder = Kill9
poll_interval = 1
batch = 50")"
sed -i 's/^within = 60$/within = 120/' "$CONF"
# A kill every 0.2 to 1.2 s, far above any real crash rate, sometimes
# lands three times on the one message a restart retries first; that is
# what [mail] max_attempts takes for poison (tests/e2e/poison.sh), so
# here the limit is out of reach.
printf '[mail]\nmax_attempts = 100\n' >> "$CONF"
plaint_run kill9-migrate -c "$CONF" db migrate
ok $? "db migrate"
run=
trap '[ -n "$run" ] && kill -9 "$run" 2>/dev/null' EXIT

mkdir "$W/mail"
"$PY" - "$W/mail" "$N" <<'PYEOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, f"{i:05d}.eml"), "w") as f:
        f.write(f"From: Customer {i} <k{i}@example.org>\nTo: care@example.com\n"
                f"Subject: Complaint number {i}\nMessage-ID: <kill9-{i}@example.org>\n"
                f"Date: Tue, 01 Dec 2026 10:00:00 +0000\n\n"
                f"Order {i} arrived broken; box {i * 7} was crushed.\n")
PYEOF
find "$W/mail" -name '*.eml' | sort | xargs "$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Kill9 > /dev/null
ok $? "$N complaints are in the folder"
touch "$W/marker"	# acknowledgements of this run are newer

kills=0
exec 3>&2 2>> "$LOGDIR/kill9-shell.err"	# bash's "Killed" notices
start() {	# [CRASH_POINT]
	if [ -n "${1:-}" ]; then
		PLAINT_CRASH_POINT=$1 "$PLAINT" -c "$CONF" run >> "$LOGDIR/kill9-run.out" 2>> "$LOGDIR/kill9-run.err" &
	else
		"$PLAINT" -c "$CONF" run >> "$LOGDIR/kill9-run.out" 2>> "$LOGDIR/kill9-run.err" &
	fi
	run=$!
}
done_yet() {
	[ "$(sql "SELECT (SELECT count(*) FROM plaint.raw_messages WHERE state = 'done') = $N
		AND (SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at IS NOT NULL) = $N")" = t ]
}
# The named points first, each once: the process dies there by itself.
for point in fetched parse filed sent; do
	start "$point"
	for _ in $(seq 1 300); do
		kill -0 "$run" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$run" 2>/dev/null; then
		kill -9 "$run"
		wait "$run" 2>/dev/null
		ok 1 "it dies at the crash point '$point'"
	else
		wait "$run" 2>/dev/null
		ok 0 "it dies at the crash point '$point'"
	fi
	kills=$((kills + 1))
done
for _ in $(seq 1 200); do
	done_yet && break
	start
	sleep "$(printf '0.%03d' $((RANDOM % 1000)))"
	sleep 0.2
	kill -9 "$run" 2>/dev/null && kills=$((kills + 1))
	wait "$run" 2>/dev/null
done
run=
exec 2>&3 3>&-
plaint_run kill9-last -c "$CONF" once
ok $? "a last plaint once succeeds"
sleep 1

is "$(sql "SELECT count(*) FROM plaint.raw_messages")" "$N" "each complaint stored once"
is "$(sql "SELECT count(*) || ' ' || count(DISTINCT message_id) || ' ' || count(DISTINCT ticket_id) FROM plaint.messages WHERE direction = 'in'")" \
	"$N $N $N" "each on exactly one ticket of its own"
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE state <> 'done' OR outcome <> 'ticket'")" 0 \
	"none quarantined, none left"
is "$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at IS NOT NULL")" "$N" \
	"each acknowledgement recorded as sent"
read -r got distinct <<< "$("$PY" - "$SMTP_OUT" "$W/marker" <<'PYEOF'
import glob, json, os, sys
got = []
since = os.stat(sys.argv[2]).st_mtime
for j in glob.glob(os.path.join(sys.argv[1], "*.json")):
    if os.stat(j).st_mtime < since:
        continue
    with open(j) as f:
        rcpt = json.load(f)["rcpt_tos"]
    if any(r.startswith("k") and r.endswith("@example.org") for r in rcpt):
        got.append(rcpt[0])
print(len(got), len(set(got)))
PYEOF
)"
dups=$((got - distinct))
is "$distinct" "$N" "every customer got an acknowledgement"
[ "$dups" -le "$kills" ]
ok $? "at most one sent twice per kill: $dups for $kills kills"
late=$(sql "SELECT coalesce(round(extract(epoch FROM max(sent_at - due_at))::numeric, 1), 0) FROM plaint.outbox WHERE kind = 'ack'")
on_time=$(sql "SELECT count(*) FROM plaint.outbox WHERE kind = 'ack' AND sent_at <= due_at")
"$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 10 else 1)" "$late"
ok $? "none later than its deadline plus 10 s (the latest: $late s after)"
echo "# kill -9: $N complaints, $kills kills (4 at named points): 0 lost, 0 filed twice, $dups acknowledgements sent twice, $on_time of $N on time, the latest $late s after its deadline"
tap_done
