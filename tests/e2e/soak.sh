#!/bin/bash
# tests/e2e/soak.sh - a steady stream for SOAK_SECONDS (30; make
# reliability: 600): memory and file descriptors stay level.
#
# Five complaints a second arrive, and every fifth is followed by the
# customer's answer to the acknowledgement, while plaint run files and
# acknowledges them.  Its resident memory and open descriptors are read
# from /proc each second.  After a warm-up of the first quarter, the
# last quarter's median RSS is within 25% (plus 4 MiB) of the second
# quarter's, and no descriptor is gained.  Prints one figure line.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/soak.XXXXXX")
export PGDATABASE=plaint_soak
SECS=${SOAK_SECONDS:-30}
echo alicepw > "$GW_TMP/alice.pass"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Soak
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' "folder = Soak
poll_interval = 5")"
plaint_run soak-migrate -c "$CONF" db migrate
ok $? "db migrate"
printf 'From: First <first@example.org>\nTo: care@example.com\nSubject: First\nMessage-ID: <soak-first@example.org>\n\nFirst.\n' > "$W/first.eml"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Soak "$W/first.eml" > /dev/null
run=
feeder=
trap '[ -n "$run" ] && kill "$run" 2>/dev/null; [ -n "$feeder" ] && kill "$feeder" 2>/dev/null' EXIT
# Under AddressSanitizer freed memory waits in a quarantine of up to
# 256 MiB before it is reused, so RSS climbs for minutes whatever plaint
# does; the soak turns the quarantine off and keeps the leak check.
soak_asan=${ASAN_OPTIONS:-}
if ldd "$PLAINT" 2>/dev/null | grep -q libasan; then
	soak_asan="${soak_asan:+$soak_asan:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
fi
ASAN_OPTIONS=$soak_asan "$PLAINT" -c "$CONF" run >> "$LOGDIR/soak-run.out" 2>> "$LOGDIR/soak-run.err" &
run=$!

# The feeder: complaints, and answers to the acknowledgements they got.
"$PY" - "$IMAP_PORT" "$SMTP_OUT" "$SECS" > "$W/fed" 2>> "$LOGDIR/soak-feeder.err" <<'PYEOF' &
import email, email.policy, glob, imaplib, json, os, sys, time
port, sink, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
m = imaplib.IMAP4("127.0.0.1", port)
m.login("alice", "alicepw")
seen = set(glob.glob(os.path.join(sink, "*.json")))
sent = answered = 0
end = time.monotonic() + secs
while time.monotonic() < end:
    t = time.monotonic()
    sent += 1
    msg = (f"From: Soak {sent} <soak{sent}@example.org>\r\nTo: care@example.com\r\n"
           f"Subject: Soak complaint {sent}\r\nMessage-ID: <soak-{sent}@example.org>\r\n\r\n"
           f"Order {sent} is late, {'and again ' * (sent % 50)}please help.\r\n").encode()
    m.append("Soak", None, None, msg)
    if sent % 5 == 0:
        for j in sorted(set(glob.glob(os.path.join(sink, "*.json"))) - seen):
            seen.add(j)
            with open(j) as f:
                rcpt = json.load(f)["rcpt_tos"][0]
            if not rcpt.startswith("soak"):
                continue
            with open(j[:-5] + ".eml", "rb") as f:
                ack = email.message_from_binary_file(f, policy=email.policy.default)
            answered += 1
            m.append("Soak", None, None, (
                f"From: <{rcpt}>\r\nTo: care@example.com\r\nSubject: Re: {ack['Subject']}\r\n"
                f"In-Reply-To: {ack['Message-ID']}\r\nMessage-ID: <soak-answer-{answered}@example.org>\r\n\r\n"
                f"Thanks, any news?\r\n").encode())
            break
    time.sleep(max(0, 0.2 - (time.monotonic() - t)))
m.logout()
print(sent, answered)
PYEOF
feeder=$!
: > "$W/samples"
for _ in $(seq 1 "$SECS"); do
	sleep 1
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$run/status" 2>/dev/null) || break
	fds=$(find "/proc/$run/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	echo "$rss $fds" >> "$W/samples"
done
wait "$feeder"
feeder=
read -r sent answered < "$W/fed"
for _ in $(seq 1 60); do
	[ "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE state = 'done'")" -ge $((sent + answered + 1)) ] && break
	sleep 0.5
done
kill -0 "$run" 2>/dev/null
ok $? "plaint run is alive after $SECS s"
kill -TERM "$run"
wait "$run"
is "$?" 0 "and stops cleanly"
run=
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE state = 'done' AND outcome = 'ticket'")" \
	$((sent + answered + 1)) "all $sent complaints and $answered answers are filed"
is "$(sql "SELECT count(*) FROM plaint.messages m JOIN plaint.tickets t ON t.id = m.ticket_id WHERE m.message_id LIKE 'soak-answer-%' AND t.subject NOT LIKE 'Re:%'")" \
	"$answered" "each answer on its complaint's ticket"
read -r rss2 rss4 fd2 fd4 <<< "$("$PY" - "$W/samples" <<'PYEOF'
import statistics, sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
q = max(1, len(rows) // 4)
second, last = rows[q:2 * q], rows[-q:]
print(int(statistics.median(r[0] for r in second)), int(statistics.median(r[0] for r in last)),
      max(r[1] for r in second), max(r[1] for r in last))
PYEOF
)"
[ "$rss4" -le $((rss2 * 5 / 4 + 4096)) ]
ok $? "memory stays level: median RSS $rss2 KiB in the second quarter, $rss4 KiB in the last"
[ "$fd4" -le "$fd2" ]
ok $? "no descriptor is gained: at most $fd2 open in the second quarter, $fd4 in the last"
echo "# soak $SECS s: $sent complaints and $answered answers filed; RSS median $rss2 KiB (second quarter) -> $rss4 KiB (last); descriptors $fd2 -> $fd4"
tap_done
