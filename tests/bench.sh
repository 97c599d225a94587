#!/bin/bash
# tests/bench.sh - what `make bench` runs: figures, printed, never asserted.
#
# 1. the pure stages (tests/bench/bench): parse 3 KB, 1 MB and 25 MB
#    messages (rate and peak memory), 50 rules with the JIT on and off;
# 2. the whole path on real servers (tests/harness.sh): N complaints put
#    into a Dovecot maildir, then `plaint once` with the SMTP server
#    unreachable (fetch, parse, classify, file, acknowledgements queued)
#    and `plaint once` again with it back (acknowledgements sent), with
#    PostgreSQL's fsync on as in production.
set -eu
cd "$(dirname "$0")/.."
PLAINT=${PLAINT:-./plaint}
BENCH=${BENCH:-tests/bench/bench}
N=${BENCH_MESSAGES:-2000}
PY=/usr/bin/python3

echo "== pure stages"
"$BENCH" parse 3000
"$BENCH" parse 1000000
"$BENCH" parse 25000000
"$BENCH" rules 50

echo "== IMAP to tickets, $N messages of about 3 KB"
env=$(tests/harness.sh up 2>/dev/null)
eval "$env"
trap 'tests/harness.sh down "$GW_TMP" 2>/dev/null' EXIT
# Production durability for the figures: fsync and synchronous commit on.
psql -X -q -d postgres -c "ALTER SYSTEM SET fsync = on" \
	-c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" > /dev/null
echo alicepw > "$GW_TMP/alice.pass"
RULES_DIR=$PWD/rules
. tests/lib.sh
write_conf "$GW_TMP/bench.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'batch = 500')"
write_conf "$GW_TMP/nosmtp.conf" 9 "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'batch = 500')"
"$PLAINT" -q -c "$GW_TMP/bench.conf" db migrate

# Straight into the maildir: Dovecot indexes it on the first SELECT.
"$PY" - "$MAIL_ROOT/alice/Maildir" "$N" <<'PYEOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for d in ("tmp", "new", "cur"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
body = ("I ordered a kettle three weeks ago and was charged twice. "
        "The courier left it in the rain and now it trips the fuse.\n") * 24
for i in range(n):
    msg = (f"From: Customer {i} <c{i}@example.org>\r\nTo: care@example.com\r\n"
           f"Subject: Complaint {i}: refund for order #{40000 + i}\r\n"
           f"Message-ID: <bench-{i}@example.org>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
           f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}")
    name = f"{1700000000 + i}.bench{i}.host"
    with open(os.path.join(root, "tmp", name), "w") as f:
        f.write(msg)
    os.rename(os.path.join(root, "tmp", name), os.path.join(root, "new", name))
PYEOF
[ "$(id -u)" = 0 ] && chown -R 65534:65534 "$MAIL_ROOT/alice"

# Runs plaint, prints wall time and the child's peak RSS.
timed() {	# LABEL ARGS...
	local label=$1; shift
	"$PY" - "$label" "$N" "$PLAINT" "$@" <<'PYEOF'
import resource, subprocess, sys, time
label, n, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
t0 = time.monotonic()
rc = subprocess.run(cmd, stderr=subprocess.DEVNULL).returncode
dt = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{label}: {n} messages in {dt:.2f} s = {n / dt:,.0f} messages/s, "
      f"peak RSS {rss / 1024:.1f} MB (exit {rc})")
PYEOF
}
timed "fetch + file + queue acks (fsync on)" -q -c "$GW_TMP/nosmtp.conf" once
psql -X -q -c "UPDATE plaint.outbox SET next_attempt_at = now()"
timed "send acknowledgements over one SMTP connection" -q -c "$GW_TMP/bench.conf" once
psql -X -A -t -c "SELECT 'filed ' || count(*) || ' tickets, ' ||
	(SELECT count(*) FROM plaint.outbox WHERE sent_at IS NOT NULL) || ' acknowledgements sent'
	FROM plaint.tickets"
psql -X -A -t -c "SELECT 'ack latency from fetch to SMTP 250 (includes the pause between the runs): p50 ' ||
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.sent_at - r.fetched_at))::numeric, 2) ||
	' s, p99 ' ||
	round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM o.sent_at - r.fetched_at))::numeric, 2) || ' s'
	FROM plaint.outbox o JOIN plaint.messages m ON m.id = o.message_row
	JOIN plaint.messages i ON i.message_id = m.in_reply_to AND i.direction = 'in'
	JOIN plaint.raw_messages r ON r.id = i.raw_id"

echo "== acknowledgement latency under plaint run: ${BENCH_RATE:-20} messages/s for ${BENCH_SECONDS:-60} s"
RATE=${BENCH_RATE:-20}
SECS=${BENCH_SECONDS:-60}
write_conf "$GW_TMP/run.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Steady
poll_interval = 1')"
"$PLAINT" -q -c "$GW_TMP/run.conf" run 2> "$GW_TMP/run.err" &
run_pid=$!
"$PY" - "$IMAP_PORT" "$RATE" "$SECS" <<'PYEOF'
import imaplib, sys, time
port, rate, secs = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
m = imaplib.IMAP4("127.0.0.1", port)
m.login("alice", "alicepw")
m.create("Steady")
start = time.monotonic()
n = int(rate * secs)
for i in range(n):
    target = start + i / rate
    delay = target - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    msg = (f"From: Steady {i} <s{i}@example.org>\r\nTo: care@example.com\r\n"
           f"Subject: Steady complaint {i}\r\nMessage-ID: <steady-{i}@example.org>\r\n\r\n"
           "My parcel is late.\r\n").encode()
    m.append("Steady", None, None, msg)
m.logout()
PYEOF
want=$(( RATE * SECS ))
for _ in $(seq 600); do
	got=$(psql -X -A -t -c "SELECT count(*) FROM plaint.outbox o JOIN plaint.tickets t ON t.id = o.ticket_id
		WHERE t.subject LIKE 'Steady complaint %' AND o.sent_at IS NOT NULL")
	[ "$got" -ge "$want" ] && break
	sleep 0.2
done
kill -TERM "$run_pid"; wait "$run_pid" || true
psql -X -A -t -c "SELECT 'steady: ' || count(*) || ' acknowledgements; latency from arrival to SMTP 250: p50 '
	|| round(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency)::numeric, 3) || ' s, p99 '
	|| round(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency)::numeric, 3) || ' s, max '
	|| round(max(latency)::numeric, 3) || ' s'
	FROM plaint.ack_sla WHERE ticket IN (SELECT number FROM plaint.tickets WHERE subject LIKE 'Steady complaint %')"
