#!/bin/bash
# tests/e2e/slowlink.sh - a large message on a slow IMAP link.
#
# plaint reads Dovecot through a relay that lets SLOW_RATE bytes a
# second through (tests/peers/slow_proxy.py).  With [database] timeout
# = 1, PostgreSQL ends a session of plaint's left idle in a transaction
# for 4 seconds (plaint asks for four times the timeout); the download
# takes longer.  It must hold no transaction open, so the message is
# fetched once and stored, with the mail around it.  SIGTERM during a download
# stops plaint within seconds and leaves the message unflagged on the
# server; the next run files it.
#
# SLOW_SIZE (bytes of the large message) and SLOW_RATE (bytes a second)
# set the scale; make reliability runs a larger one.  Prints one figure
# line.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/slowlink.XXXXXX")
export PGDATABASE=plaint_slowlink
SIZE=${SLOW_SIZE:-600000}
RATE=${SLOW_RATE:-100000}
echo alicepw > "$GW_TMP/alice.pass"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Slow
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# Starts a relay at RATE bytes a second; sets PROXY_PORT, PROXY_STATS.
start_proxy() {	# RATE NAME
	PROXY_STATS=$W/$2.stats
	"$PY" tests/peers/slow_proxy.py --upstream "$IMAP_PORT" --rate "$1" \
		--stats "$PROXY_STATS" > "$W/$2.port" 2>> "$LOGDIR/slowlink-proxy.err" &
	pids+=("$!")
	for _ in $(seq 1 100); do
		grep -q '^PORT' "$W/$2.port" && break
		sleep 0.05
	done
	PROXY_PORT=$(cut -d' ' -f2 "$W/$2.port")
}

conf() {	# FILE PORT
	write_conf "$1" "$SMTP_PORT" "$(mailbox_section support "$2" none alice - "folder = Slow")"
	sed -i 's/^timeout = 10$/timeout = 1/' "$1"	# the [database] one comes first
}

mail() {	# FILE FROM SUBJECT MESSAGE-ID BYTES-OF-BODY
	"$PY" - "$@" <<'PYEOF'
import sys
path, frm, subject, mid, n = sys.argv[1:6]
line = "My order arrived broken, and here is the whole story once more.\n"
body = "My parcel came crushed.\n" + line * (int(n) // len(line))
with open(path, "w") as f:
    f.write(f"From: {frm}\nTo: care@example.com\nSubject: {subject}\n"
            f"Message-ID: <{mid}>\nDate: Tue, 01 Dec 2026 10:00:00 +0000\n\n{body}")
PYEOF
}
raw_of() { sql "SELECT count(*) FROM plaint.raw_messages WHERE position('$1'::bytea IN raw) > 0"; }

start_proxy "$RATE" slow
conf "$W/slow.conf" "$PROXY_PORT"
write_conf "$W/fast.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAP_PORT" none alice - "folder = Slow")"
plaint_run slowlink-migrate -c "$W/fast.conf" db migrate
ok $? "db migrate"
mail "$W/a.eml" "Ada <ada@example.org>" "Small, before" a@example.org 200
mail "$W/big.eml" "Bo <bo@example.org>" "Large, on a slow link" big@example.org "$SIZE"
mail "$W/c.eml" "Cy <cy@example.org>" "Small, after" c@example.org 200
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Slow "$W/a.eml" "$W/big.eml" "$W/c.eml" > /dev/null
total=$(cat "$W/a.eml" "$W/big.eml" "$W/c.eml" | wc -c)

start=$(date +%s%N)
plaint_run slowlink-once -c "$W/slow.conf" once
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 0 "plaint once over the slow link succeeds"
is "$(sql "SELECT string_agg(m.subject, ', ' ORDER BY m.id) FROM plaint.messages m WHERE m.direction = 'in'")" \
	"Small, before, Large, on a slow link, Small, after" \
	"all three are filed, the large one with them"
is "$(sql "SELECT octet_length(raw) FROM plaint.raw_messages WHERE position('big@example.org'::bytea IN raw) > 0")" \
	"$(sed 's/$/\r/' "$W/big.eml" | wc -c)" "the large one is stored byte for byte"
read -r conns down _ < "$PROXY_STATS"
[ "$down" -lt $((total * 3 / 2)) ]
ok $? "it was downloaded once: $down bytes came through for $total bytes of mail"
! grep -q "closed the connection\|idle-in-transaction\|terminating connection" "$LOGDIR/slowlink-once.err"
ok $? "the database never ended plaint's session"
echo "# slow link: $SIZE-byte message at $RATE B/s filed in $ms ms over $conns connection(s), $down bytes downloaded for $total"

# --- the link dies mid-download -----------------------------------------------
mail "$W/cut.eml" "Eve <eve@example.org>" "Cut off" cut@example.org $((RATE * 10))
cut_uid=$("$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Slow "$W/cut.eml" | cut -d' ' -f3)
proxy_pid=${pids[0]}
"$PLAINT" -c "$W/slow.conf" once >> "$LOGDIR/slowlink-cut.out" 2>> "$LOGDIR/slowlink-cut.err" &
once=$!
before=$(cut -d' ' -f2 "$PROXY_STATS")
for _ in $(seq 1 100); do
	[ "$(cut -d' ' -f2 "$PROXY_STATS")" -gt $((before + RATE)) ] && break
	sleep 0.1
done
kill "$proxy_pid"	# the connection dies under the FETCH
wait "$once"
is "$?" 75 "plaint once whose link died mid-download exits 75 (try again)"
is "$(raw_of cut@example.org)" 0 "nothing of the cut message is stored"
is "$("$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Slow --list-flags | grep "^$cut_uid ")" \
	"$cut_uid ()" "it stays unflagged on the server"
plaint_run slowlink-cut2 -c "$W/fast.conf" once
is "$(sql "SELECT octet_length(raw) FROM plaint.raw_messages WHERE position('cut@example.org'::bytea IN raw) > 0")" \
	"$(sed 's/$/\r/' "$W/cut.eml" | wc -c)" "the next run stores it, byte for byte"
start_proxy "$RATE" slow2
conf "$W/slow.conf" "$PROXY_PORT"

# --- SIGTERM during a download -----------------------------------------------
mail "$W/huge.eml" "Dee <dee@example.org>" "Cut short" huge@example.org $((RATE * 30))
huge_uid=$("$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Slow "$W/huge.eml" | cut -d' ' -f3)
"$PLAINT" -c "$W/slow.conf" run >> "$LOGDIR/slowlink-run.out" 2>> "$LOGDIR/slowlink-run.err" &
run=$!
pids+=("$run")
before=$(cut -d' ' -f2 "$PROXY_STATS")
for _ in $(seq 1 100); do	# until a sizeable part is under way
	[ "$(cut -d' ' -f2 "$PROXY_STATS")" -gt $((before + RATE)) ] && break
	sleep 0.1
done
t0=$(date +%s%N)
kill -TERM "$run"
wait "$run"
rc=$?
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$rc" 0 "plaint run stops cleanly on SIGTERM during a download"
[ "$stop_ms" -lt 5000 ]
ok $? "within seconds ($stop_ms ms), not after the 30 s download"
grep -q "download interrupted to stop" "$LOGDIR/slowlink-run.err"
ok $? "it says the download was interrupted"
is "$(raw_of huge@example.org)" 0 "nothing half-downloaded is stored"
is "$("$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Slow --list-flags | grep "^$huge_uid ")" \
	"$huge_uid ()" "the message stays unflagged on the server"
plaint_run slowlink-after -c "$W/fast.conf" once
is "$(sql "SELECT count(*) FROM plaint.messages WHERE message_id = 'huge@example.org'")" 1 \
	"the next run files it"
echo "# slow link: SIGTERM mid-download stopped plaint in $stop_ms ms; the message was filed by the next run"
tap_done
