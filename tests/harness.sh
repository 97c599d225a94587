#!/bin/bash
# Throwaway test servers for plaint: PostgreSQL 15, Dovecot (IMAP + STARTTLS,
# IMAPS) and an SMTP sink, all on 127.0.0.1 with every byte of state in one
# temp dir, no system services touched.
#
#   eval "$(tests/harness.sh up)"   start everything; stdout is only `export`
#                                   lines (also written to $GW_TMP/env.sh)
#   tests/harness.sh badca DIR      second Dovecot on the same users and mail,
#                                   with a cert from an unrelated CA; prints
#                                   `export BAD_IMAPS_PORT=... BAD_IMAP_PORT=...`
#   tests/harness.sh oauth DIR      third Dovecot on the same users and mail
#                                   that takes XOAUTH2 and OAUTHBEARER only,
#                                   its tokens checked by a local introspection
#                                   endpoint (tests/peers/oauth_introspect.py)
#                                   reading DIR/oauth/tokens; prints `export
#                                   OAUTH_IMAP_PORT=... OAUTH_IMAPS_PORT=...
#                                   OAUTH_TOKENS=... OAUTH_LOG=...`
#   tests/harness.sh pg-stop DIR fast|immediate
#   tests/harness.sh pg-start DIR   stop PostgreSQL, start it again as it was
#                                   (fault tests)
#   tests/harness.sh pg-restart DIR [OPTIONS]
#                                   restart PostgreSQL with OPTIONS (-c ...)
#                                   besides its own; without, as it was
#   tests/harness.sh down DIR       stop what was started there, remove DIR
#
# PostgreSQL runs with fsync, synchronous_commit and full_page_writes off:
# the data is thrown away, and tests run faster.  GW_PG_DURABLE=1 turns all
# three on, as in production, for figures that must include the cost of
# durability (make bench).  Dovecot keeps mail in Maildir; GW_MAIL_LOCATION
# names another Dovecot mail_location (e.g. mdbox:~/mdbox, whose APPENDs
# do not slow down as a folder grows).
#
# Timings and errors go to stderr.  A failing `up` prints the tail of the
# failing service's log, stops whatever it had started and exits non-zero.
# Note: `eval "$(... up)"` hides that exit status; scripts should capture
# the output first (env=$(tests/harness.sh up) && eval "$env").
#
# Works as root (initdb runs as postgres, mail processes as nobody) and as an
# ordinary user (every process runs as that user).  Processes are stopped
# only through the PIDs recorded in DIR/pids/, checked against their start
# time so that a recycled PID is never signalled.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3                 # Debian's python: has python3-aiosmtpd
PGBIN=/usr/lib/postgresql/15/bin
DOVECOT=/usr/sbin/dovecot
MARKER=.plaint-harness              # down refuses to remove a dir without it

ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
say() { printf 'harness: %s\n' "$*" >&2; }

# Print N distinct free loopback ports (all sockets are held open together,
# so the kernel never hands out the same one twice).
free_ports() {
	"$PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- PID bookkeeping ------------------------------------------------------
# DIR/pids/NAME holds "PID STARTTIME" (field 22 of /proc/PID/stat).

proc_starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }               # drop "pid (comm) ", comm may hold spaces
	# shellcheck disable=SC2086
	set -- $stat                     # now $1 = state (field 3)
	echo "${20}"                     # field 22
}

proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	echo "${stat%% *}"
}

# Alive = exists and is not a zombie.
alive() {
	local s
	s=$(proc_state "$1") || return 1
	[ "$s" != Z ] && [ "$s" != X ]
}

record_pid() {  # DIR NAME PID
	local st
	mkdir -p "$1/pids"
	st=$(proc_starttime "$3") || st=0
	echo "$3 $st" > "$1/pids/$2"
}

# Print the recorded PID of NAME if that very process still runs.
recorded_pid() {  # DIR NAME
	local f=$1/pids/$2 pid st cur
	[ -f "$f" ] || return 1
	read -r pid st < "$f" || return 1
	[ -n "$pid" ] || return 1
	cur=$(proc_starttime "$pid") || return 1
	[ "$cur" = "$st" ] || return 1
	alive "$pid" || return 1
	echo "$pid"
}

# Members of process group PGID that are still running (not zombies).
pgrp_members() {
	local p stat
	for p in /proc/[0-9]*; do
		stat=$(cat "$p/stat" 2>/dev/null) || continue
		stat=${stat##*) }
		# shellcheck disable=SC2086
		set -- $stat             # $1 state, $2 ppid, $3 pgrp
		if [ "$3" = "$PGID_WANTED" ] && [ "$1" != Z ]; then
			echo "${p#/proc/}"
		fi
	done
}
group_alive() { local PGID_WANTED=$1; [ -n "$(pgrp_members)" ]; }

wait_gone() {  # PID SECONDS [PGID]: wait until PID (and its group) is gone
	local pid=$1 deadline=$(( $(date +%s) + $2 ))
	while alive "$pid" || { [ -n "${3:-}" ] && group_alive "$3"; }; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# Stop a process recorded as NAME that leads its own process group (setsid).
stop_group() {  # DIR NAME GRACE_SECONDS
	local pid
	pid=$(recorded_pid "$1" "$2") || { rm -f "$1/pids/$2"; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" "$3" "$pid"; then
		say "$2 (pid $pid) ignored SIGTERM for $3 s; sending SIGKILL to its group"
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait_gone "$pid" 5 "$pid" || say "warning: $2 (pid $pid) still present"
	fi
	rm -f "$1/pids/$2"
}

# --- failure reporting ----------------------------------------------------

UP_DIR=""          # set while `up` runs: cleaned up if it fails
BAD_DIR=""         # set while `badca` runs
OAUTH_DIR=""       # set while `oauth` runs

fail() {  # MESSAGE [LOGFILE...]
	local log
	say "ERROR: $1"
	shift
	for log in "$@"; do
		if [ -s "$log" ]; then
			printf -- '--- last lines of %s ---\n' "$log" >&2
			tail -n 25 "$log" >&2
			printf -- '---\n' >&2
		fi
	done
	exit 1
}

on_exit() {
	local rc=$?
	if [ $rc -ne 0 ] && [ -n "$UP_DIR" ]; then
		say "up failed; stopping what was started in $UP_DIR"
		down "$UP_DIR" >&2 || true
	fi
	if [ $rc -ne 0 ] && [ -n "$BAD_DIR" ]; then
		stop_group "$BAD_DIR" dovecot-bad 10 || true
		rm -rf "$BAD_DIR/dovecot-bad"
	fi
	if [ $rc -ne 0 ] && [ -n "$OAUTH_DIR" ]; then
		stop_group "$OAUTH_DIR" dovecot-oauth 10 || true
		stop_group "$OAUTH_DIR" oauth-introspect 5 || true
		rm -rf "$OAUTH_DIR/dovecot-oauth" "$OAUTH_DIR/oauth"
	fi
	exit $rc
}
trap on_exit EXIT
# Without these, a signal ends bash without running the EXIT trap.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Wait until 127.0.0.1:PORT accepts; fail early if process NAME died.
wait_listen() {  # DIR NAME PORT LOG...
	local dir=$1 name=$2 port=$3 deadline
	shift 3
	deadline=$(( $(date +%s) + 20 ))
	until port_open "$port"; do
		recorded_pid "$dir" "$name" >/dev/null ||
			fail "$name exited before listening on 127.0.0.1:$port" "$@"
		[ "$(date +%s)" -ge "$deadline" ] &&
			fail "$name did not listen on 127.0.0.1:$port within 20 s" "$@"
		sleep 0.01
	done
}

# --- TLS ------------------------------------------------------------------

# A CA (CN given) and a server cert for localhost / 127.0.0.1 signed by it,
# EC P-256, valid 7 days, into DIR.
make_pki() {  # DIR CA_CN
	local d=$1
	mkdir -p "$d"
	(
		cd "$d"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-days 7 -subj "/CN=$2" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign \
			-keyout ca.key -out ca.crt
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-subj /CN=localhost -keyout server.key -out server.csr
		printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
			'keyUsage=critical,digitalSignature' \
			'extendedKeyUsage=serverAuth' \
			'subjectAltName=DNS:localhost,IP:127.0.0.1' > server.ext
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-days 7 -extfile server.ext -out server.crt
		# Test-only key: an unprivileged service must be able to read it.
		chmod 644 server.key ca.crt server.crt
	) > "$d/openssl.log" 2>&1 || fail "could not create certificates in $d" "$d/openssl.log"
}

# --- PostgreSQL -----------------------------------------------------------

as_postgres() {
	if [ $ROOT = 1 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Starts the cluster of DIR with the options `up` chose (DIR/pg/options)
# and those a test set for a while with pg-restart (DIR/pg/extra).
pg_start() {  # DIR
	local T=$1
	(cd "$T" && as_postgres "$PGBIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/server.log" \
		-w -t 30 start -o "$(cat "$T/pg/options") $(cat "$T/pg/extra" 2>/dev/null)") \
		> "$T/pg/pg_ctl.log" 2>&1
}

start_pg() {  # DIR PORT
	local T=$1 port=$2 attempt durability=off
	[ "${GW_PG_DURABLE:-0}" = 1 ] && durability=on
	mkdir -p "$T/pg"
	if [ $ROOT = 1 ]; then
		getent passwd postgres >/dev/null ||
			fail "user postgres does not exist (is postgresql installed? see packaging/install-deps.sh)"
		chown postgres: "$T/pg"
	fi
	[ -x "$PGBIN/initdb" ] || fail "$PGBIN/initdb not found (apt-get install postgresql-15)"
	# cwd must be readable by postgres.
	(cd "$T" && as_postgres "$PGBIN/initdb" -D "$T/pg/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync) > "$T/pg/initdb.log" 2>&1 ||
		fail "initdb failed" "$T/pg/initdb.log"
	for attempt in 1 2 3; do
		echo "-p $port -k $T/pg -c listen_addresses=127.0.0.1 \
-c fsync=$durability -c synchronous_commit=$durability \
-c full_page_writes=$durability -c lc_messages=C" > "$T/pg/options"
		if pg_start "$T"; then
			break
		fi
		if [ $attempt -lt 3 ] && grep -qi 'in use' "$T/pg/server.log" 2>/dev/null; then
			port=$(free_ports 1)
			continue
		fi
		fail "PostgreSQL did not start" "$T/pg/pg_ctl.log" "$T/pg/server.log"
	done
	record_pid "$T" postgres "$(head -n 1 "$T/pg/data/postmaster.pid")"
	PG_PORT=$port
	PGHOST=$T/pg PGPORT=$port PGUSER=postgres \
		psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE plaint' \
		> "$T/pg/createdb.log" 2>&1 ||
		fail "CREATE DATABASE plaint failed" "$T/pg/createdb.log" "$T/pg/server.log"
}

stop_pg() {  # DIR
	local T=$1 pid=""
	# pg_ctl finds the postmaster through its own postmaster.pid, so this
	# also works when `up` was interrupted before the PID was recorded.
	if [ -f "$T/pg/data/postmaster.pid" ]; then
		pid=$(head -n 1 "$T/pg/data/postmaster.pid" 2>/dev/null || true)
		(cd "$T" && as_postgres "$PGBIN/pg_ctl" -D "$T/pg/data" -m immediate -w -t 20 stop) \
			>/dev/null 2>&1 || true
	fi
	if [ -z "$pid" ]; then
		pid=$(recorded_pid "$T" postgres) || pid=""
	fi
	if [ -n "$pid" ] && ! wait_gone "$pid" 5 "$pid"; then
		# Only a process that really is this cluster's postmaster.
		if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-D $T/pg/data"; then
			say "PostgreSQL (pid $pid) still running; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			wait_gone "$pid" 5 || say "warning: postgres (pid $pid) still present"
		fi
	fi
	rm -f "$T/pids/postgres"
}

# --- Dovecot --------------------------------------------------------------

# Users file and mail root, shared by the main and the bad-CA instance.
make_dovecot_users() {  # DIR
	local T=$1 muid mgid
	mkdir -p "$T/dovecot" "$T/mail"
	if [ $ROOT = 1 ]; then
		# passwd-file rejects uid 0: mail processes run as nobody.
		muid=65534 mgid=65534
		chown 65534:65534 "$T/mail"
	else
		muid=$(id -u) mgid=$(id -g)
	fi
	printf '%s:{PLAIN}%s:%s:%s::%s::\n' \
		alice alicepw "$muid" "$mgid" "$T/mail/alice" \
		bob bobpw "$muid" "$mgid" "$T/mail/bob" > "$T/dovecot/users"
	chmod 644 "$T/dovecot/users"
}

# DC_MECHS and DC_PASSDB, when set, replace the password mechanisms and the
# passwd-file passdb, and DC_EXTRA is added at the end (the oauth instance
# sets them).
write_dovecot_conf() {  # CONFDIR TLSDIR USERS IMAP_PORT IMAPS_PORT
	local D=$1 tls=$2 users=$3 imap=$4 imaps=$5 chroot_line="" rootless=""
	local mechs=${DC_MECHS:-plain login} passdb=${DC_PASSDB:-"passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $users
}"}
	mkdir -p "$D"
	if [ $ROOT = 0 ]; then
		chroot_line="  chroot ="
		rootless="default_internal_user = $(id -un)
default_internal_group = $(id -gn)
default_login_user = $(id -un)
service anvil {
  chroot =
}"
	fi
	cat > "$D/dovecot.conf" <<EOF
# Generated by tests/harness.sh: private Dovecot for plaint's tests.
base_dir = $D/run
state_dir = $D/state
instance_name = plaint-$imap
log_path = $D/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$tls/server.crt
ssl_key = <$tls/server.key
disable_plaintext_auth = no
auth_mechanisms = $mechs
auth_failure_delay = 0
mail_location = ${GW_MAIL_LOCATION:-maildir:~/Maildir}
mail_fsync = never
$passdb
userdb {
  driver = passwd-file
  args = username_format=%u $users
}
service imap-login {
$chroot_line
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
    ssl = yes
  }
}
$rootless
${DC_EXTRA:-}
EOF
}

# Start the Dovecot whose config is in CONFDIR, recorded as NAME; retries on
# a port taken in the meantime.  Sets DC_IMAP / DC_IMAPS.
start_dovecot() {  # DIR NAME CONFDIR TLSDIR USERS
	local T=$1 name=$2 D=$3 attempt ports
	[ -x "$DOVECOT" ] || fail "$DOVECOT not found (apt-get install dovecot-imapd)"
	for attempt in 1 2 3; do
		read -r DC_IMAP DC_IMAPS <<< "$(free_ports 2)"
		rm -rf "$D/run" "$D/state"
		write_dovecot_conf "$D" "$4" "$5" "$DC_IMAP" "$DC_IMAPS"
		: > "$D/dovecot.log"
		setsid "$DOVECOT" -F -c "$D/dovecot.conf" </dev/null >>"$D/stdout.log" 2>&1 &
		record_pid "$T" "$name" $!
		ports=ok
		local deadline=$(( $(date +%s) + 20 ))
		until port_open "$DC_IMAP" && port_open "$DC_IMAPS"; do
			if ! recorded_pid "$T" "$name" >/dev/null; then ports=died; break; fi
			if [ "$(date +%s)" -ge "$deadline" ]; then ports=timeout; break; fi
			sleep 0.01
		done
		[ $ports = ok ] && return 0
		stop_group "$T" "$name" 5
		if [ $ports = died ] && [ $attempt -lt 3 ] &&
			grep -qi 'in use' "$D/dovecot.log" "$D/stdout.log" 2>/dev/null; then
			continue
		fi
		fail "Dovecot ($name) did not start" "$D/stdout.log" "$D/dovecot.log"
	done
}

# --- SMTP sink ------------------------------------------------------------

start_sink() {  # DIR
	local T=$1 attempt
	mkdir -p "$T/smtp-out"
	"$PY" -c 'import aiosmtpd' 2>/dev/null ||
		fail "$PY cannot import aiosmtpd (apt-get install python3-aiosmtpd)"
	for attempt in 1 2 3; do
		SMTP_P=$(free_ports 1)
		setsid "$PY" "$HERE/smtp_sink.py" "$T/smtp-out" "$SMTP_P" \
			"$T/tls/server.crt" "$T/tls/server.key" </dev/null >"$T/smtp-sink.log" 2>&1 &
		record_pid "$T" smtp-sink $!
		local deadline=$(( $(date +%s) + 20 ))
		until grep -q '^READY' "$T/smtp-sink.log" 2>/dev/null; do
			recorded_pid "$T" smtp-sink >/dev/null || break
			[ "$(date +%s)" -ge "$deadline" ] && break
			sleep 0.01
		done
		if grep -q '^READY' "$T/smtp-sink.log" && port_open "$SMTP_P"; then
			return 0
		fi
		stop_group "$T" smtp-sink 3
		if [ $attempt -lt 3 ] && grep -qi 'in use' "$T/smtp-sink.log"; then
			continue
		fi
		fail "SMTP sink did not start" "$T/smtp-sink.log"
	done
}

# --- subcommands ----------------------------------------------------------

up() {
	local T t0 t_all t_tls t_pg t_dc t_sink
	t_all=$(now_ns)
	T=$(mktemp -d /tmp/gw.XXXXXX)
	chmod 755 "$T"              # dovecot's auth and the mail uid must traverse it
	: > "$T/$MARKER"
	UP_DIR=$T

	t0=$(now_ns)
	make_pki "$T/tls" plaint-test-ca
	t_tls=$(ms_since "$t0")

	t0=$(now_ns)
	start_pg "$T" "$(free_ports 1)"
	t_pg=$(ms_since "$t0")

	t0=$(now_ns)
	make_dovecot_users "$T"
	start_dovecot "$T" dovecot "$T/dovecot" "$T/tls" "$T/dovecot/users"
	t_dc=$(ms_since "$t0")

	t0=$(now_ns)
	start_sink "$T"
	t_sink=$(ms_since "$t0")

	{
		printf 'export GW_TMP=%q\n' "$T"
		printf 'export PGHOST=%q PGPORT=%q PGUSER=postgres PGDATABASE=plaint\n' "$T/pg" "$PG_PORT"
		printf 'export IMAP_PORT=%q IMAPS_PORT=%q SMTP_PORT=%q\n' "$DC_IMAP" "$DC_IMAPS" "$SMTP_P"
		printf 'export CA_FILE=%q DOVECOT_CONF=%q\n' "$T/tls/ca.crt" "$T/dovecot/dovecot.conf"
		printf 'export SMTP_OUT=%q MAIL_ROOT=%q\n' "$T/smtp-out" "$T/mail"
	} > "$T/env.sh"
	UP_DIR=""
	say "up in $(ms_since "$t_all") ms (tls $t_tls, postgres $t_pg, dovecot $t_dc, smtp sink $t_sink) in $T"
	cat "$T/env.sh"
}

check_dir() {  # DIR
	[ -n "${1:-}" ] || { echo "usage: $0 $CMD DIR" >&2; exit 2; }
	[ -d "$1" ] || fail "$1: no such directory"
	[ -f "$1/$MARKER" ] || fail "$1 was not made by tests/harness.sh up (no $MARKER)"
}

badca() {
	local T=$1 D t0
	check_dir "$T"
	D=$T/dovecot-bad
	if recorded_pid "$T" dovecot-bad >/dev/null && [ -f "$D/ports" ]; then
		cat "$D/ports"          # already running: same answer again
		return 0
	fi
	t0=$(now_ns)
	BAD_DIR=$T
	make_pki "$T/badtls" plaint-untrusted-ca
	start_dovecot "$T" dovecot-bad "$D" "$T/badtls" "$T/dovecot/users"
	printf 'export BAD_IMAPS_PORT=%q BAD_IMAP_PORT=%q\n' "$DC_IMAPS" "$DC_IMAP" > "$D/ports"
	cat "$D/ports" >> "$T/env.sh"
	BAD_DIR=""
	say "badca up in $(ms_since "$t0") ms (CA $T/badtls/ca.crt)"
	cat "$D/ports"
}

# The token introspection endpoint of the oauth instance; sets INTRO_PORT.
start_introspect() {  # DIR
	local T=$1 attempt O=$1/oauth
	mkdir -p "$O"
	: >> "$O/tokens"
	: >> "$O/introspect.log"
	for attempt in 1 2 3; do
		INTRO_PORT=$(free_ports 1)
		setsid "$PY" "$HERE/peers/oauth_introspect.py" "$INTRO_PORT" "$O/tokens" \
			"$O/introspect.log" </dev/null >"$O/introspect.out" 2>&1 &
		record_pid "$T" oauth-introspect $!
		local deadline=$(( $(date +%s) + 20 ))
		until grep -q '^READY' "$O/introspect.out" 2>/dev/null; do
			recorded_pid "$T" oauth-introspect >/dev/null || break
			[ "$(date +%s)" -ge "$deadline" ] && break
			sleep 0.01
		done
		if grep -q '^READY' "$O/introspect.out" && port_open "$INTRO_PORT"; then
			return 0
		fi
		stop_group "$T" oauth-introspect 3
		if [ $attempt -lt 3 ] && grep -qi 'in use' "$O/introspect.out"; then
			continue
		fi
		fail "token introspection endpoint did not start" "$O/introspect.out"
	done
}

oauth() {
	local T=$1 D t0
	check_dir "$T"
	D=$T/dovecot-oauth
	if recorded_pid "$T" dovecot-oauth >/dev/null && [ -f "$D/ports" ]; then
		cat "$D/ports"          # already running: same answer again
		return 0
	fi
	t0=$(now_ns)
	OAUTH_DIR=$T
	start_introspect "$T"
	mkdir -p "$D"
	cat > "$D/dovecot-oauth2.conf.ext" <<EOF
# Generated by tests/harness.sh: every token is POSTed to the local
# introspection endpoint, which answers from $T/oauth/tokens.
introspection_mode = post
introspection_url = http://127.0.0.1:$INTRO_PORT/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
EOF
	DC_MECHS="xoauth2 oauthbearer" DC_PASSDB="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $D/dovecot-oauth2.conf.ext
}" DC_EXTRA="# No growing delay after refused tokens: the tests refuse several.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}" start_dovecot "$T" dovecot-oauth "$D" "$T/tls" "$T/dovecot/users"
	printf 'export OAUTH_IMAP_PORT=%q OAUTH_IMAPS_PORT=%q OAUTH_TOKENS=%q OAUTH_LOG=%q\n' \
		"$DC_IMAP" "$DC_IMAPS" "$T/oauth/tokens" "$T/oauth/introspect.log" > "$D/ports"
	cat "$D/ports" >> "$T/env.sh"
	OAUTH_DIR=""
	say "oauth up in $(ms_since "$t0") ms (introspection on 127.0.0.1:$INTRO_PORT)"
	cat "$D/ports"
}

down() {
	local T=$1 t0 leftover="" name pid
	if [ ! -d "$T" ]; then
		say "$T does not exist; nothing to stop"
		return 0
	fi
	[ -f "$T/$MARKER" ] || fail "$T was not made by tests/harness.sh up (no $MARKER); not touching it"
	t0=$(now_ns)
	# Signal every service first, then wait: Dovecot takes about 1 s to exit.
	for name in smtp-sink dovecot dovecot-bad dovecot-oauth oauth-introspect; do
		if pid=$(recorded_pid "$T" "$name"); then
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	stop_pg "$T"
	stop_group "$T" smtp-sink 5
	stop_group "$T" dovecot 10
	stop_group "$T" dovecot-bad 10
	stop_group "$T" dovecot-oauth 10
	stop_group "$T" oauth-introspect 5
	for name in "$T"/pids/*; do
		[ -e "$name" ] && leftover="$leftover ${name##*/}"
	done
	[ -z "$leftover" ] || say "warning: unknown pid files left:$leftover"
	rm -rf "$T"
	say "down in $(ms_since "$t0") ms"
}

# For fault tests: stop PostgreSQL (fast or immediate), start it again.
pg_stop_cmd() {  # DIR MODE
	check_dir "$1"
	(cd "$1" && as_postgres "$PGBIN/pg_ctl" -D "$1/pg/data" -m "$2" -w -t 30 stop) \
		> /dev/null 2>&1 || fail "PostgreSQL did not stop"
	rm -f "$1/pids/postgres"
}
pg_start_cmd() {  # DIR
	check_dir "$1"
	pg_start "$1" || fail "PostgreSQL did not start again" "$1/pg/pg_ctl.log"
	record_pid "$1" postgres "$(head -n 1 "$1/pg/data/postmaster.pid")"
}

# For tests of the server's limits: restart PostgreSQL with OPTIONS
# (postgres -c ...) besides its own, or with none again.
pg_restart_cmd() {  # DIR [OPTIONS]
	pg_stop_cmd "$1" fast
	printf '%s\n' "${2:-}" > "$1/pg/extra"
	pg_start_cmd "$1"
}

CMD=${1:-}
case "$CMD" in
up)    up ;;
pg-stop)  pg_stop_cmd "${2:?usage: $0 pg-stop DIR fast|immediate}" "${3:-fast}" ;;
pg-start) pg_start_cmd "${2:?usage: $0 pg-start DIR}" ;;
pg-restart) pg_restart_cmd "${2:?usage: $0 pg-restart DIR [OPTIONS]}" "${3:-}" ;;
badca) badca "${2:-}" ;;
oauth) oauth "${2:-}" ;;
down)  [ -n "${2:-}" ] || { echo "usage: $0 down DIR" >&2; exit 2; }; down "$2" ;;
*)     echo "usage: $0 up | badca DIR | oauth DIR | pg-stop DIR MODE | pg-start DIR | pg-restart DIR [OPTIONS] | down DIR" >&2; exit 2 ;;
esac
