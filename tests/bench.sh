#!/bin/bash
# tests/bench.sh - what `make bench` runs: figures, printed, never asserted.
#
# Each figure is measured three times and printed as its median with the
# spread (min-max); where there is a yardstick, it is measured in the same
# run, on the same servers, interleaved with plaint's runs (for ingest
# and sending, each run's ratio to the yardstick's run beside it is
# printed too).  A closing table puts each figure beside its target.
#
#  1. conditions: CPU, kernel, PostgreSQL and its durability settings as
#     the server reports them, the disk under the cluster, the messages;
#  2. ingest: N complaints of about 3 KB in a Dovecot folder, `plaint once`
#     with the SMTP server unreachable (fetch, parse, classify, file, acks
#     queued), PostgreSQL with fsync, synchronous_commit and
#     full_page_writes on (tests/harness.sh with GW_PG_DURABLE=1, and
#     Dovecot on mdbox); the yardstick is tests/bench/writepath (libpq
#     alone, the same rows);
#  3. sending: the queued acks into Postfix's smtp-sink by `plaint once`;
#     the yardstick is Postfix's smtp-source, one session, the same count
#     of 3 KB messages into the same sink;
#  4. rules: 50 body rules (tests/bench/body50.rules) and the shipped
#     rules over 3 KB complaints, JIT on and off, one thread; the
#     yardstick is PCRE2 running the same patterns directly;
#  5. memory: peak RSS of `plaint ingest` and `plaint parse` on a 25 MB
#     message with attachments, above the same command on a 3 KB one;
#  6. latency: `plaint run` (IDLE) while tests/bench/appender.py APPENDs
#     at a steady rate; from each APPEND to the SMTP sink's 250;
#  7. backlog, only when asked for (BENCH_PARTS=backlog, some 5 minutes):
#     BENCH_BACKLOG complaints waiting in one folder, `plaint once` into
#     a new database, to see that the rate holds while the tables grow.
#
# Environment: BENCH_PARTS (which of ingest (with sending), rules
# (with parsing), memory, latency and backlog to run; default all but
# backlog), BENCH_MESSAGES (default 2000), BENCH_RATE (200 messages/s),
# BENCH_SECONDS (60), BENCH_LARGE_BYTES (25000000), BENCH_RULES_SECONDS
# (CPU seconds per rules figure, 1.5), BENCH_DRAIN (seconds to wait for
# the last acks of a latency run, 150), BENCH_BACKLOG (50000).
set -eu
cd "$(dirname "$0")/.."
PLAINT=${PLAINT:-./plaint}
BENCH=${BENCH:-tests/bench/bench}
WRITEPATH=${WRITEPATH:-tests/bench/writepath}
N=${BENCH_MESSAGES:-2000}
RATE=${BENCH_RATE:-200}
SECS=${BENCH_SECONDS:-60}
LARGE=${BENCH_LARGE_BYTES:-25000000}
RULES_SECS=${BENCH_RULES_SECONDS:-1.5}
DRAIN=${BENCH_DRAIN:-150}
RUNS=3
PY=/usr/bin/python3
B=tests/bench
SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source

PARTS=${BENCH_PARTS:-ingest rules memory latency}
BACKLOG=${BENCH_BACKLOG:-50000}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

W=$(mktemp -d /tmp/gwbench.XXXXXX)
chmod 755 "$W"
export BENCH_RESULTS=$W/results
GW_TMP=""
sink_pid=""
run_pid=""

cleanup() {
	if [ -n "$run_pid" ]; then kill -TERM "$run_pid" 2>/dev/null || true; wait "$run_pid" 2>/dev/null || true; fi
	if [ -n "$sink_pid" ]; then kill -TERM "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
	if [ -n "$GW_TMP" ]; then tests/harness.sh down "$GW_TMP" 2>/dev/null || true; fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

report() { "$PY" $B/report.py "$@"; }
sql() {	# DB QUERY
	psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
# Before each timed run: the dirty pages of the run before are written
# now, so that no run pays for another's (fsync is on).
settle() { sql postgres "CHECKPOINT" > /dev/null; }

# A plaint config for database DB: SMTP at 127.0.0.1:PORT without TLS (a
# loopback sink), one mailbox reading FOLDER of the harness's Dovecot over
# IMAPS, plus EXTRA lines for that mailbox.
write_conf() {	# FILE DB SMTP_PORT FOLDER [EXTRA]
	cat > "$1" <<CONF
[database]
conninfo = host=$PGHOST port=$PGPORT dbname=$2 user=$PGUSER
timeout = 30

[tickets]
prefix = CMP

[rules]
dir = $PWD/rules

[ack]
within = 60
# Its customers all write from one made-up domain, several in like
# words: the loop limits by domain would hold their acknowledgements.
domain_rate_limit = 0
similar_rate_limit = 0

[smtp]
host = 127.0.0.1
port = $3
security = none
timeout = 30
from = Customer Care <care@example.com>

[mailbox support]
host = localhost
port = $IMAPS_PORT
security = tls
ca_file = $CA_FILE
username = alice
password_file = $W/alice.pass
timeout = 30
folder = $4
${5:-}
CONF
}

new_db() {	# DB CONF-ARGS...: a database migrated from zero, and its config
	local db=$1; shift
	sql postgres "CREATE DATABASE $db"
	write_conf "$W/$db.conf" "$db" "$@"
	"$PLAINT" -q -c "$W/$db.conf" db migrate 2> "$W/$db.migrate.err" ||
		{ cat "$W/$db.migrate.err" >&2; exit 1; }
}

# The complaints (of DIR, default the run's set) into a new folder of
# alice's, as fast as IMAP takes them.
fill_folder() {	# FOLDER [DIR]
	"$PY" $B/appender.py --port "$IMAP_PORT" --folder "$1" --dir "${2:-$W/complaints}" \
		--out "$W/$1.appended" > /dev/null
}

# Messages smtp-sink has taken so far (it rewrites its counter line).
sink_count() {
	tr '\r' '\n' < "$W/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1 |
		grep . || echo 0
}

# A field of tests/bench/timed.py's line: 1 seconds, 2 peak RSS KB, 3 status.
field() { echo "$1" | cut -d' ' -f"$2"; }
per_second() { "$PY" -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):.1f}')" "$@"; }	# COUNT SECONDS
ratio() { "$PY" -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}')" "$@"; }
# Each run's rate over the run of its limit beside it, and their median:
# the machine's speed drifts between runs, and a run and its limit,
# seconds apart, share more of it than the medians of each do.
paired() {	# "RATE..." "LIMIT..."
	"$PY" -c '
import statistics, sys
r = [float(x) / float(y) for x, y in zip(sys.argv[1].split(), sys.argv[2].split()) if float(y) > 0]
print(", ".join(f"{x:.2f}" for x in r) + f" (median {statistics.median(r):.2f}x)")' "$1" "$2"
}

echo "plaint make bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(git log -1 --format='%h %s' 2>/dev/null || echo 'no git')"
packaging/install-deps.sh --bench 2>&1 | sed 's/^/  /' || true

echo
echo "== conditions"
# mdbox: with Maildir, APPENDs to a folder already holding 12,000 messages
# ran at a quarter of the rate into an empty one (117/s against 484/s on
# this machine), too slow for the latency run; mdbox kept above 1,200/s.
MAIL_LOCATION='mdbox:~/mdbox'
env=$(GW_PG_DURABLE=1 GW_MAIL_LOCATION=$MAIL_LOCATION tests/harness.sh up 2> "$W/harness.err") ||
	{ cat "$W/harness.err" >&2; echo "bench: the test servers did not start" >&2; exit 1; }
eval "$env"
echo alicepw > "$W/alice.pass"
chmod 644 "$W/alice.pass"
fsync=$(sql postgres "SHOW fsync")
sync_commit=$(sql postgres "SHOW synchronous_commit")
fpw=$(sql postgres "SHOW full_page_writes")
durable=no
[ "$fsync $sync_commit $fpw" = "on on on" ] && durable=yes
"$PY" $B/complaints.py small "$W/complaints" "$N"
sizes=$(wc -c "$W"/complaints/*.eml | grep -v ' total$' | awk '
	{ s += $1; if (!n++ || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
	END { printf "average %d bytes (%d-%d)", s / n, lo, hi }')
cp "$W/complaints/000001.eml" "$W/small.eml"
tr -d '\r' < "$W/small.eml" > "$W/source.eml"	# smtp-source adds the CRs
"$PY" $B/complaints.py large "$W/large.eml" "$LARGE"
LARGE=$(wc -c < "$W/large.eml")	# what the ratios divide by
echo "CPU:        $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), nproc $(nproc)"
echo "kernel:     $(uname -srm)"
echo "PostgreSQL: $(sql postgres "SHOW server_version") (as the server reports it)"
echo "  SHOW fsync = $fsync, SHOW synchronous_commit = $sync_commit, SHOW full_page_writes = $fpw"
echo "Dovecot:    $(/usr/sbin/dovecot --version | cut -d' ' -f1), mail_location = $MAIL_LOCATION, mail_fsync = never"
echo "cluster:    $GW_TMP on $(df -hT "$GW_TMP" | awk 'NR == 2 { print $1 " (" $2 ", " $3 ", " $5 " free) mounted on " $7 }')"
echo "messages:   $N complaints per run, $sizes, built by tests/bench/complaints.py"
echo "            (several topics, 1 in 5 multipart/alternative, 1 in 5 quoted-printable)"
echo "runs:       $RUNS of each figure; median printed with min-max; each timed run"
echo "            starts after a CHECKPOINT (the run before's dirty pages written)"
echo "load:       $(load) at the start (a shared machine: other work counts in wall-clock figures)"
[ "$N" = 2000 ] || echo "note:       message count set to $N by BENCH_MESSAGES"

if [ -x "$SINK" ] && [ -x "$SOURCE" ]; then
	SINK_PORT=$(free_port)
	sink_user=()
	[ "$(id -u)" = 0 ] && sink_user=(-u nobody)	# it refuses to run as root
	(cd "$W" && exec "$SINK" "${sink_user[@]}" -c "127.0.0.1:$SINK_PORT" 256) > "$W/sink.out" 2>&1 &
	sink_pid=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$SINK_PORT") 2>/dev/null && break
		sleep 0.05
	done
	echo "SMTP sink:  $SINK on 127.0.0.1:$SINK_PORT (pid $sink_pid), no TLS, counting (-c)"
else
	SINK_PORT=""
	echo "SMTP sink:  not available ($SINK, $SOURCE missing: packaging/install-deps.sh --bench)"
fi

if part ingest; then
echo
echo "== ingest: $N complaints, IMAP to tickets with acks queued (plaint once, SMTP unreachable,"
echo "   IMAPS, [mailbox] batch = 500)"
echo "   limit: tests/bench/writepath, 2 connections, 50 messages per transaction, one"
echo "   prepared statement per message inserting raw_messages, customer, ticket, message"
echo "   and outbox rows into plaint's schema (plaint db migrate), the same $N messages"
[ $durable = yes ] || echo "   WARNING: PostgreSQL is NOT durable here (fsync=$fsync, synchronous_commit=$sync_commit, full_page_writes=$fpw): figures below are not the fsync-on figures"
wp=() ing=() snd=() src=() sent_ok=yes
for k in $(seq $RUNS); do
	new_db "limit_$k" 9 INBOX
	settle
	out=$("$WRITEPATH" "host=$PGHOST port=$PGPORT dbname=limit_$k user=$PGUSER" "$W/complaints")
	echo "   run $k limit: $out"
	wp+=("$(echo "$out" | sed -n 's/.* \([0-9.]*\) messages\/s.*/\1/p')")

	dead=$(free_port)	# nobody listens there: sending fails at once
	new_db "ingest_$k" "$dead" "Run$k" "batch = 500"
	fill_folder "Run$k"
	settle
	t=$("$PY" $B/timed.py "$PLAINT" -q -c "$W/ingest_$k.conf" once 2> "$W/ingest_$k.err")
	tickets=$(sql "ingest_$k" "SELECT count(*) FROM plaint.tickets")
	queued=$(sql "ingest_$k" "SELECT count(*) FROM plaint.outbox WHERE sent_at IS NULL")
	rate=$(per_second "$tickets" "$(field "$t" 1)")
	echo "   run $k plaint: $tickets tickets, $queued acks queued in $(field "$t" 1) s = $rate msg/s," \
		"peak RSS $(( $(field "$t" 2) / 1024 )) MB, exit $(field "$t" 3) (75: SMTP down, expected)"
	ing+=("$rate")
	[ "$tickets" = "$N" ] || echo "   run $k: WARNING: $tickets tickets for $N messages"

	[ -n "$SINK_PORT" ] || continue
	# Sending, with the same rows: due now, the SMTP server back.
	sql "ingest_$k" "UPDATE plaint.outbox SET next_attempt_at = now()"
	sed -i "s/^port = $dead\$/port = $SINK_PORT/" "$W/ingest_$k.conf"
	before=$(sink_count)
	settle
	t=$("$PY" $B/timed.py "$PLAINT" -q -c "$W/ingest_$k.conf" once 2> "$W/send_$k.err")
	got=$(( $(sink_count) - before ))
	sent=$(sql "ingest_$k" "SELECT count(*) FROM plaint.outbox WHERE sent_at IS NOT NULL")
	span=$(sql "ingest_$k" "SELECT round(extract(epoch FROM max(sent_at) - min(sent_at))::numeric, 2) FROM plaint.outbox")
	rate=$(per_second "$sent" "$(field "$t" 1)")
	echo "   run $k send: $sent acks marked sent, the sink counted $got, in $(field "$t" 1) s = $rate acks/s" \
		"(first to last 250: $span s), exit $(field "$t" 3)"
	snd+=("$rate")
	[ "$sent" = "$got" ] && [ "$sent" = "$tickets" ] || sent_ok=no

	before=$(sink_count)
	t=$("$PY" $B/timed.py "$SOURCE" -s 1 -d -m "$N" -F "$W/source.eml" \
		-f care@example.com -t customer@example.org -M bench.example.com \
		"127.0.0.1:$SINK_PORT")
	got=$(( $(sink_count) - before ))
	rate=$(per_second "$got" "$(field "$t" 1)")
	echo "   run $k smtp-source: the sink counted $got in $(field "$t" 1) s = $rate msg/s, exit $(field "$t" 3)"
	src+=("$rate")
done
echo "   limit, minimal write path:       $(report add writepath msg/s "${wp[@]}")"
if [ $durable = yes ]; then
	echo "   plaint, fsync on:                $(report add ingest msg/s "${ing[@]}")"
	echo "   each run over its limit beside:  $(paired "${ing[*]}" "${wp[*]}")"
else
	echo "   plaint, NOT durable:             ${ing[*]} msg/s"
	report skip ingest "PostgreSQL ran with fsync=$fsync, synchronous_commit=$sync_commit, full_page_writes=$fpw" > /dev/null
fi

echo
echo "== sending: the acks queued above into smtp-sink, no TLS (plaint once: start, IMAP"
echo "   poll of the drained folder, then the acks over one SMTP session kept open;"
echo "   the rows accepted while a record commits are recorded by the next one)"
[ $durable = yes ] || echo "   WARNING: PostgreSQL is NOT durable here (fsync=$fsync)"
echo "   limit: smtp-source -s 1 -d -m $N: one session, one message after the other"
echo "   (it has no pipelining), 3 KB complaints (the first one of the set)"
# How large plaint's acks are: one sent to the harness's own sink, which
# keeps each message.
new_db ackprobe "$SMTP_PORT" INBOX
"$PLAINT" -q -c "$W/ackprobe.conf" ingest --mailbox support "$W/small.eml" 2> "$W/ackprobe.err" &&
	"$PLAINT" -q -c "$W/ackprobe.conf" once 2>> "$W/ackprobe.err" || true
ack=$(find "$SMTP_OUT" -name '*.eml' | head -n 1)
echo "   one of plaint's acks, as an SMTP server received it: $([ -n "$ack" ] && wc -c < "$ack" || echo '?') bytes;" \
	"the smtp-source message: $(wc -c < "$W/small.eml") bytes"
if [ -n "$SINK_PORT" ]; then
	echo "   limit, smtp-source:              $(report add smtp_source msg/s "${src[@]}")"
	echo "   plaint:                          $(report add send acks/s "${snd[@]}")"
	echo "   each run over its limit beside:  $(paired "${snd[*]}" "${src[*]}")"
	[ $sent_ok = yes ] || echo "   WARNING: in some run the sink's count, the sent rows and the tickets differ (see the runs above)"
else
	report skip smtp_source "smtp-source is not installed (packaging/install-deps.sh --bench)"
	report skip send "smtp-sink is not installed (packaging/install-deps.sh --bench)"
fi

fi
if part rules; then
echo
echo "== rules: body texts of 200 different complaints, one thread, rates per CPU second"
files=$(ls "$W"/complaints/*.eml | head -n 200)
r50=() r50n=() rs=() rsn=() pc=() pcu=() r50w=()
for k in $(seq $RUNS); do
	# shellcheck disable=SC2086
	{
	read -r a aw count msgs hits < <("$BENCH" rules "$RULES_SECS" $B on $files)
	read -r b _ < <("$BENCH" rules "$RULES_SECS" $B off $files)
	read -r c _ scount _ shits < <("$BENCH" rules "$RULES_SECS" rules on $files)
	read -r d _ < <("$BENCH" rules "$RULES_SECS" rules off $files)
	read -r e f _ < <("$BENCH" pcre2 "$RULES_SECS" $B/body50.rules $files)
	}
	r50+=("$a") r50w+=("$aw") r50n+=("$b") rs+=("$c") rsn+=("$d") pc+=("$e") pcu+=("$f")
done
echo "   $count rules in tests/bench/body50.rules, all on the body, /i and \\b; $hits of them match"
echo "   a message on average; $scount shipped rules, $shits matching on average"
echo "   50 body rules, JIT on:           $(report add rules50_jit msg/s "${r50[@]}")"
echo "     (per wall-clock second:        ${r50w[*]})"
echo "   50 body rules, JIT off:          $(report add rules50_nojit msg/s "${r50n[@]}")"
echo "   shipped rules, JIT on:           $(report add shipped_jit msg/s "${rs[@]}")"
echo "   shipped rules, JIT off:          $(report add shipped_nojit msg/s "${rsn[@]}")"
echo "   limit, PCRE2 alone (same 50 patterns, same texts, JIT, plaint's options"
echo "   UTF + MATCH_INVALID_UTF):         $(report add pcre2_50 msg/s "${pc[@]}")"
echo "   PCRE2 alone, UTF without MATCH_INVALID_UTF, matching with NO_UTF_CHECK"
echo "   (the texts are valid UTF-8):      $(report add pcre2_50_utf msg/s "${pcu[@]}")"

echo
echo "== parsing (for reference): per CPU second, GMime alone constructs the message only"
p3=() g3=() pl=() gl=()
for k in $(seq $RUNS); do
	# shellcheck disable=SC2086
	read -r a b _ < <("$BENCH" parse 1 $files)
	read -r c d _ < <("$BENCH" parse 1 "$W/large.eml")
	p3+=("$a") g3+=("$b") pl+=("$c") gl+=("$d")
done
echo "   3 KB complaints, plaint:         $(report add parse_3k msg/s "${p3[@]}")"
echo "   3 KB complaints, GMime alone:    $(report add gmime_3k msg/s "${g3[@]}")"
echo "   $LARGE-byte message, plaint:  $(report add parse_large msg/s "${pl[@]}")"
echo "   $LARGE-byte message, GMime alone: $(report add gmime_large msg/s "${gl[@]}")"

fi
if part memory; then
echo
echo "== memory: a $LARGE-byte message (text, HTML and three base64 attachments:"
echo "   a PDF, a JPEG and a spreadsheet of random bytes, 30/45/25 % of it)"
echo "   peak RSS (the kernel's ru_maxrss of the process) of the same command on a 3 KB"
echo "   complaint is the idle figure; ratio = (peak - idle) / message size"
ri=() rp=()
for k in $(seq $RUNS); do
	new_db "mem_$k" 9 INBOX
	i0=$("$PY" $B/timed.py "$PLAINT" -q -c "$W/mem_$k.conf" ingest --mailbox support "$W/small.eml")
	i1=$("$PY" $B/timed.py "$PLAINT" -q -c "$W/mem_$k.conf" ingest --mailbox support "$W/large.eml")
	p0=$("$PY" $B/timed.py "$PLAINT" -q parse "$W/small.eml")
	p1=$("$PY" $B/timed.py "$PLAINT" -q parse "$W/large.eml")
	stored=$(sql "mem_$k" "SELECT count(*) || ' messages, ' || (SELECT count(*) FROM plaint.attachments) || ' attachments' FROM plaint.messages WHERE direction = 'in'")
	a=$("$PY" -c "import sys; print(f'{(int(sys.argv[1]) - int(sys.argv[2])) * 1024 / int(sys.argv[3]):.2f}')" \
		"$(field "$i1" 2)" "$(field "$i0" 2)" "$LARGE")
	b=$("$PY" -c "import sys; print(f'{(int(sys.argv[1]) - int(sys.argv[2])) * 1024 / int(sys.argv[3]):.2f}')" \
		"$(field "$p1" 2)" "$(field "$p0" 2)" "$LARGE")
	echo "   run $k: ingest idle $(field "$i0" 2) KB, 25 MB $(field "$i1" 2) KB in $(field "$i1" 1) s (exit $(field "$i1" 3)," \
		"$stored) -> ${a}x; parse idle $(field "$p0" 2) KB, 25 MB $(field "$p1" 2) KB -> ${b}x"
	ri+=("$a") rp+=("$b")
done
echo "   plaint ingest:                   $(report add rss_ingest x "${ri[@]}")"
echo "   plaint parse:                    $(report add rss_parse x "${rp[@]}")"

fi
if part latency; then
echo
echo "== latency: plaint run (IMAP IDLE, [mailbox] batch and poll_interval as shipped)"
echo "   while tests/bench/appender.py APPENDs $RATE complaints/s for $SECS s (4 IMAP"
echo "   connections taking turns, each message at its time, a late one at once)"
echo "   latency = sent_at of the ack (PostgreSQL's clock, just after the sink's 250)"
echo "   minus the moment the APPEND was sent (this machine's clock, microseconds);"
echo "   acks not sent within $DRAIN s after the last APPEND count as infinite"
[ $durable = yes ] || echo "   WARNING: PostgreSQL is NOT durable here (fsync=$fsync)"
if [ -n "$SINK_PORT" ]; then
	l50=() l99=() lmax=() arate=()
	for k in $(seq $RUNS); do
		new_db "steady_$k" "$SINK_PORT" "Steady$k"
		"$PY" -c 'import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); m.login("alice", "alicepw")
m.create(sys.argv[2]); m.logout()' "$IMAP_PORT" "Steady$k"
		before=$(sink_count)
		settle
		"$PLAINT" -q -c "$W/steady_$k.conf" run 2> "$W/steady_$k.err" &
		run_pid=$!
		for _ in $(seq 100); do	# until its first poll is done and it IDLEs
			[ "$(sql "steady_$k" "SELECT count(polled_at) FROM plaint.mailboxes")" = 1 ] && break
			sleep 0.1
		done
		app=$("$PY" $B/appender.py --port "$IMAP_PORT" --folder "Steady$k" --rate "$RATE" \
			--seconds "$SECS" --prefix "steady$k" --out "$W/steady_$k.times")
		want=$(wc -l < "$W/steady_$k.times")
		deadline=$(( $(date +%s) + DRAIN ))
		while [ "$(sql "steady_$k" "SELECT count(*) FROM plaint.outbox WHERE sent_at IS NOT NULL")" -lt "$want" ] &&
			[ "$(date +%s)" -lt "$deadline" ]; do
			sleep 0.5
		done
		kill -TERM "$run_pid"
		wait "$run_pid" || true
		run_pid=""
		"$PY" $B/latency.py "steady_$k" "$W/steady_$k.times" > "$W/steady_$k.latency"
		read -r appended sent p50 p99 max i50 i99 imax < "$W/steady_$k.latency"
		echo "   run $k: $app"
		arate+=("$(echo "$app" | sed -n 's/.*(\([0-9.]*\)\/s).*/\1/p')")
		echo "   run $k: sent $sent of $appended (the sink counted $(( $(sink_count) - before )));" \
			"p50 $p50 s, p99 $p99 s, max $max s; from INTERNALDATE (whole seconds," \
			"plaint.ack_sla): p50 $i50, p99 $i99, max $imax"
		echo "   run $k: $(sed -n 2p "$W/steady_$k.latency")"
		l50+=("$p50") l99+=("$p99") lmax+=("$max")
	done
	echo "   APPEND rate reached:             $(BENCH_RATE_ASKED=$RATE BENCH_SECONDS_ASKED=$SECS report add append_rate msg/s "${arate[@]}")"
	echo "   p50:                             $(report add lat_p50 s "${l50[@]}")"
	echo "   p99:                             $(report add lat_p99 s "${l99[@]}")"
	echo "   max:                             $(report add lat_max s "${lmax[@]}")"
else
	for key in lat_p50 lat_p99 lat_max; do
		report skip $key "no SMTP sink (packaging/install-deps.sh --bench)" > /dev/null
	done
	echo "   not measured: no smtp-sink"
fi

fi
if part backlog; then
echo
echo "== backlog: $BACKLOG complaints waiting in one folder, filed into a new database by"
echo "   plaint once (the first poll after an install; SMTP unreachable, [mailbox]"
echo "   batch = 500): does the rate hold while the tables grow from empty?"
echo "   ANALYZE by plaint: plaint.refresh_statistics(), from the workers; autovacuum as"
echo "   the server has it (autovacuum_naptime = $(sql postgres "SHOW autovacuum_naptime"))"
[ $durable = yes ] || echo "   WARNING: PostgreSQL is NOT durable here (fsync=$fsync)"
"$PY" $B/complaints.py small "$W/backlog" "$BACKLOG" backlog
bl=()
for k in $(seq $RUNS); do
	dead=$(free_port)
	new_db "backlog_$k" "$dead" "Backlog$k" "batch = 500"
	fill_folder "Backlog$k" "$W/backlog"
	settle
	t=$("$PY" $B/timed.py "$PLAINT" -q -c "$W/backlog_$k.conf" once 2> "$W/backlog_$k.err")
	tickets=$(sql "backlog_$k" "SELECT count(*) FROM plaint.tickets")
	rate=$(per_second "$tickets" "$(field "$t" 1)")
	analyzed=$(sql "backlog_$k" "SELECT analyze_count || ' by plaint, ' || autoanalyze_count || ' by autovacuum'
		FROM pg_stat_user_tables WHERE relid = 'plaint.messages'::regclass")
	echo "   run $k: $tickets tickets in $(field "$t" 1) s = $rate msg/s, exit $(field "$t" 3);" \
		"plaint.messages analyzed $analyzed"
	bl+=("$rate")
	[ "$tickets" = "$BACKLOG" ] || echo "   run $k: WARNING: $tickets tickets for $BACKLOG messages"
	sql postgres "DROP DATABASE backlog_$k" > /dev/null
done
echo "   plaint, $BACKLOG waiting:          $(report add backlog msg/s "${bl[@]}")"
if [ -n "${ing[*]:-}" ]; then
	echo "   its median over ingest's ($N):   $("$PY" -c '
import statistics, sys
a, b = ([float(x) for x in v.split()] for v in sys.argv[1:3])
print(f"{statistics.median(a) / statistics.median(b):.2f}x")' "${bl[*]}" "${ing[*]}")"
fi

fi
echo
echo "== summary (load $(load) at the end)"
report table
