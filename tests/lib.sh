# tests/lib.sh - TAP helpers for plaint's shell tests (sourced).
#
# Each check prints one "ok N - what" or "not ok N - what" line;
# tests/run.sh counts them.  Checks compare against values the test
# computed itself, never against what plaint printed about itself.

TAP_N=0
TAP_FAILED=0
PY=/usr/bin/python3
PLAINT=${PLAINT:-./plaint}

ok() {	# CONDITION-EXIT-STATUS DESCRIPTION
	local rc=$1; shift
	TAP_N=$((TAP_N + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $TAP_N - $*"
	else
		echo "not ok $TAP_N - $*"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

is() {	# GOT WANT DESCRIPTION
	local got=$1 want=$2; shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$*"
	else
		ok 1 "$*"
		printf '#   got:  %s\n#   want: %s\n' "$got" "$want"
	fi
}

# One value from the database (psql reads PGHOST etc. from the harness).
sql() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"
}

# Holds open for SECONDS the transaction of each insert into
# plaint.TABLE of a row whose ticket's subject is SUBJECT (a LIKE
# pattern), while other workers file beside it; until release_held
# TABLE SUBJECT, which checks (one TAP line) that a filing was held.
hold_open() {	# TABLE SUBJECT SECONDS
	sql "SET client_min_messages = warning;
CREATE TABLE IF NOT EXISTS public.held (subject text NOT NULL);
CREATE OR REPLACE FUNCTION public.hold_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS \$\$
DECLARE
	r jsonb := to_jsonb(NEW);
	v_subject text := r->>'subject';
BEGIN
	IF TG_TABLE_NAME <> 'tickets' THEN
		SELECT t.subject INTO v_subject FROM plaint.tickets t
		 WHERE t.id = (r->>'ticket_id')::bigint;
	END IF;
	IF v_subject LIKE TG_ARGV[0] THEN
		INSERT INTO public.held VALUES (TG_ARGV[0]);
		PERFORM pg_sleep(TG_ARGV[1]::float8);
	END IF;
	RETURN NEW;
END \$\$;
CREATE TRIGGER \"hold $2\" BEFORE INSERT ON plaint.$1 FOR EACH ROW
	EXECUTE FUNCTION public.hold_open('$2', '$3')" > /dev/null
}
release_held() {	# TABLE SUBJECT
	sql "DROP TRIGGER \"hold $2\" ON plaint.$1" > /dev/null
	is "$(sql "WITH d AS (DELETE FROM public.held WHERE subject = '$2' RETURNING 1)
		SELECT count(*) > 0 FROM d")" t \
		"a filing of '$2' was held open"
}

# Runs plaint with stderr kept in $LOGDIR for the sanitizer scan;
# echoes nothing, returns plaint's exit status.
plaint_run() {	# NAME ARGS...
	local name=$1; shift
	"$PLAINT" "$@" >>"$LOGDIR/$name.out" 2>>"$LOGDIR/$name.err"
}

# The value of header NAME in a saved message (first occurrence, unfolded).
header_of() {	# FILE NAME
	"$PY" - "$1" "$2" <<'PYEOF'
import email, email.policy, sys
with open(sys.argv[1], "rb") as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
v = m.get(sys.argv[2])
print("" if v is None else str(v))
PYEOF
}

# Writes a plaint config: database, tickets, rules, ack and smtp from
# the harness, then the [mailbox ...] sections given as text.
write_conf() {	# FILE SMTP_PORT MAILBOX-SECTIONS
	cat > "$1" <<CONF
# written by $(basename "$0")
[database]
conninfo = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
timeout = 10

[tickets]
prefix = CMP

[rules]
dir = $RULES_DIR

[ack]
within = 60
# The tests' customers share example.org and often its words; the loop
# limits by domain are tested on their own (tests/e2e/robot.sh).
domain_rate_limit = 0
similar_rate_limit = 0

[smtp]
host = localhost
port = $2
security = starttls
ca_file = $CA_FILE
timeout = 10
from = Test Care <care@example.com>

$3
CONF
}

mailbox_section() {	# NAME PORT SECURITY USER [CA_FILE|-] [EXTRA]
	local ca=${5:-$CA_FILE}
	printf '[mailbox %s]\nhost = localhost\nport = %s\nsecurity = %s\n' "$1" "$2" "$3"
	[ "$ca" != - ] && printf 'ca_file = %s\n' "$ca"
	printf 'username = %s\npassword_file = %s\ntimeout = 10\n%s\n\n' \
		"$4" "$GW_TMP/$4.pass" "${6:-}"
}

# Saved acknowledgements (the sink writes NAME.eml then NAME.json).
sink_count() {
	find "$SMTP_OUT" -name '*.json' 2>/dev/null | wc -l
}

# The saved message whose envelope recipient is ADDR (newest first).
sink_for() {	# ADDR
	"$PY" - "$SMTP_OUT" "$1" <<'PYEOF'
import glob, json, os, sys
out, addr = sys.argv[1], sys.argv[2]
hits = []
for j in glob.glob(os.path.join(out, "*.json")):
    with open(j) as f:
        meta = json.load(f)
    if addr in meta.get("rcpt_tos", []):
        hits.append(j[:-5] + ".eml")
for h in sorted(hits):
    print(h)
PYEOF
}

envelope_from() {	# EML-FILE
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["mail_from"])' "${1%.eml}.json"
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}

# Empties a folder of the test Dovecot, so a test starts from nothing.
clear_folder() {	# USER PASSWORD FOLDER
	"$PY" - "$IMAP_PORT" "$1" "$2" "$3" <<'PYEOF'
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
typ, _ = m.select(sys.argv[4])
if typ == "OK":
    m.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
    m.expunge()
m.logout()
PYEOF
}

# The scripted SMTP peer (tests/peers/smtp_faults.py, for refusals a real
# server does not make on demand) on a free port, its output in FILE:
# sets FAULTS_PORT and FAULTS_PID.
start_faults_peer() {	# FILE [--pipelining]
	FAULTS_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$PY" tests/peers/smtp_faults.py "$FAULTS_PORT" "${@:2}" > "$1" 2>&1 &
	FAULTS_PID=$!
	for _ in $(seq 50); do grep -q READY "$1" && break; sleep 0.1; done
}
