#!/bin/bash
# tests/e2e/xoauth2.sh - OAuth 2.0 mailboxes (Microsoft 365, Google
# Workspace): plaint logs in with AUTHENTICATE XOAUTH2 to a Dovecot that
# takes only tokens (checked by a local introspection endpoint), with a
# token from token_command and from token_file, fetched anew for each
# connection; it sends acknowledgements through an SMTP peer that takes
# only AUTH XOAUTH2.  A refused or expired token is an auth error naming
# the server, a failing token_command a clear error, and no token ever
# shows in what plaint prints or stores.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/xoauth2.XXXXXX")
export PGDATABASE=plaint_xoauth2
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null

oauth_env=$(tests/harness.sh oauth "$GW_TMP" 2> "$W/harness.err")
ok $? "the harness starts a Dovecot that takes XOAUTH2 only"
eval "$oauth_env"
[ -n "${OAUTH_IMAPS_PORT:-}" ] || { sed 's/^/# /' "$W/harness.err"; tap_done; exit 1; }

token() { head -c 30 /dev/urandom | base64 | tr '+/' '-_'; }
IMAP_TOKEN=$(token); IMAP_TOKEN2=$(token); OLD_TOKEN=$(token); BOB_TOKEN=$(token)
SMTP_TOKEN=$(token); SMTP_BAD=$(token)
ALL_TOKENS="$IMAP_TOKEN $IMAP_TOKEN2 $OLD_TOKEN $BOB_TOKEN $SMTP_TOKEN $SMTP_BAD"
cat >> "$OAUTH_TOKENS" <<EOF
$IMAP_TOKEN alice active
$IMAP_TOKEN2 alice active
$OLD_TOKEN alice expired
$BOB_TOKEN bob active
$SMTP_TOKEN plaint active
EOF

# The SMTP peer: STARTTLS with the harness's certificate, AUTH XOAUTH2 only.
sport=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" tests/peers/smtp_xoauth2.py "$sport" "$GW_TMP/tls/server.crt" "$GW_TMP/tls/server.key" \
	"$OAUTH_TOKENS" "$W/sent" > "$W/peer.out" 2>&1 &
speer=$!
for _ in $(seq 50); do grep -q READY "$W/peer.out" && break; sleep 0.1; done
# An IMAP peer that answers AUTHENTICATE with BAD, which Dovecot never does.
bport=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" tests/peers/imap_auth_bad.py "$bport" "$W/bad-peer.log" > "$W/bad-peer.out" 2>&1 &
bpeer=$!
for _ in $(seq 50); do grep -q READY "$W/bad-peer.out" && break; sleep 0.1; done
trap 'kill "$speer" "$bpeer" 2>/dev/null' EXIT

# A helper in the manner of mutt's oauth2.py: "--token USER" prints a
# token; it records each call, fails or hangs when told to.
cat > "$W/oauth2-helper" <<EOF
#!/bin/sh
echo "\$*" >> "$W/helper.calls"
[ -e "$W/helper.fail" ] && { echo "Traceback (most recent call last):" >&2
	echo "oauth2: error: invalid_grant: the refresh token has expired" >&2; exit 1; }
[ -e "$W/helper.hang" ] && exec sleep 30
cat "$W/helper.token"
echo "expires in 3599 s"
EOF
chmod +x "$W/oauth2-helper"
echo "$IMAP_TOKEN" > "$W/helper.token"
: > "$W/helper.calls"

# write_conf, then [smtp] switched to the peer with XOAUTH2 (SMTP-TOKEN-LINE),
# then one XOAUTH2 mailbox (PORT SECURITY TOKEN-LINE) reading folder OAuth.
oauth_conf() {	# FILE SMTP-TOKEN-LINE PORT SECURITY TOKEN-LINE
	write_conf "$1" "$sport" "[mailbox oauth]
host = localhost
port = $3
security = $4
ca_file = $CA_FILE
username = alice
auth = xoauth2
$5
folder = OAuth
timeout = 3
"
	sed -i "s|^from = .*|&\nauth = xoauth2\nusername = plaint\n$2|" "$1"
}
echo "$SMTP_TOKEN" > "$W/smtp.token"
oauth_conf "$W/command.conf" "token_file = smtp.token" "$OAUTH_IMAPS_PORT" tls \
	'token_command = ./oauth2-helper --token "alice@example.com"'
oauth_conf "$W/file.conf" "token_command = ./oauth2-helper --token plaint" \
	"$OAUTH_IMAP_PORT" starttls "token_file = imap.token"
plaint_run xoauth2-migrate -c "$W/command.conf" db migrate
ok $? "db migrate"
plaint_run xoauth2-check -c "$W/command.conf" config check
ok $? "config check passes a config with auth = xoauth2 for IMAP and SMTP"

clear_folder alice alicepw OAuth
mail() {	# N: a complaint from customer N into the OAuth folder
	printf 'From: Customer %s <c%s@example.org>\nTo: care@example.com\nSubject: Order %s never came\nMessage-ID: <xo%s@example.org>\nDate: Sun, 22 Nov 2026 12:00:00 +0000\n\nWhere is my order %s?\n' \
		"$1" "$1" "$1" "$1" "$1" > "$W/m$1.eml"
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder OAuth "$W/m$1.eml" > /dev/null
}
once() {	# NAME CONF: plaint -v once; stdout and stderr kept in $W
	"$PLAINT" -v -c "$2" once > "$W/$1.out" 2> "$W/$1.err"
	local rc=$?
	cat "$W/$1.err" >> "$LOGDIR/xoauth2-$1.err"
	return $rc
}
filed() { sql "SELECT count(*) FROM plaint.messages WHERE message_id = 'xo$1@example.org'"; }
sent_to() {	# ADDR: messages the SMTP peer took for ADDR, with their AUTH user
	"$PY" - "$W/sent" "$1" <<'PYEOF'
import glob, json, os, sys
for j in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    m = json.load(open(j))
    if sys.argv[2] in m["rcpt_tos"]:
        print("tls=%s auth=%s" % (m["tls"], m["auth_user"]))
PYEOF
}
introspected() { grep -c "^$1\$" "$OAUTH_LOG"; }

# --- token_command, IMAPS; SMTP with token_file ------------------------------
mail 1
before=$(introspected "alice active")
once command1 "$W/command.conf"
ok $? "plaint once with token_command: exit 0"
is "$(filed 1)" 1 "the complaint was fetched over XOAUTH2 and filed"
is "$(introspected "alice active")" "$((before + 1))" "Dovecot checked the token with the introspection endpoint"
is "$(cat "$W/helper.calls")" "--token alice@example.com" \
	"token_command ran once, its argument split as a shell would, without one"
is "$(sent_to c1@example.org)" "tls=True auth=plaint" \
	"the acknowledgement went through the XOAUTH2 SMTP peer, after STARTTLS, as plaint"

# --- a new connection fetches a new token --------------------------------------
sed -i "s/^$IMAP_TOKEN alice active\$/$IMAP_TOKEN alice expired/" "$OAUTH_TOKENS"
echo "$IMAP_TOKEN2" > "$W/helper.token"
mail 2
once command2 "$W/command.conf"
ok $? "after the first token expired, the next run logs in with the helper's new one"
is "$(filed 2)" 1 "and files the next complaint"
is "$(wc -l < "$W/helper.calls")" 2 "token_command ran once per connection"

# --- token_file, STARTTLS; SMTP with token_command -----------------------------
echo "$IMAP_TOKEN2" > "$W/imap.token"
echo "$SMTP_TOKEN" > "$W/helper.token"
mail 3
once file1 "$W/file.conf"
ok $? "plaint once with token_file over STARTTLS: exit 0"
is "$(filed 3)" 1 "the complaint was fetched and filed"
is "$(sent_to c3@example.org)" "tls=True auth=plaint" "its acknowledgement went out with a token from token_command"
is "$(tail -n 1 "$W/helper.calls")" "--token plaint" "the SMTP token came from token_command"

# --- an expired token and another user's token are refused --------------------
mail 4
for case in "$OLD_TOKEN:expired" "$BOB_TOKEN:bob"; do
	tok=${case%%:*} name=${case#*:}
	echo "$tok" > "$W/imap.token"
	once "refused-$name" "$W/file.conf"
	is "$?" 75 "a refused token ($name): exit 75 (try again later)"
	grep -q "error: mailbox oauth: imap localhost:$OAUTH_IMAP_PORT: XOAUTH2 refused for alice" "$W/refused-$name.err"
	ok $? "a refused token ($name): the error names the server and says XOAUTH2 refused"
done
is "$(filed 4)" 0 "nothing is fetched with a refused token"
grep -q "imap-login: .*auth failed.*method=XOAUTH2" "$GW_TMP/dovecot-oauth/dovecot.log"
ok $? "Dovecot logged the failed XOAUTH2 logins"

# --- a server that has no XOAUTH2 at all --------------------------------------
sed "s/^port = $OAUTH_IMAP_PORT\$/port = $IMAP_PORT/" "$W/file.conf" > "$W/plain-server.conf"
echo "$IMAP_TOKEN2" > "$W/imap.token"
once no-mech "$W/plain-server.conf"
is "$?" 75 "a server without XOAUTH2: exit 75"
grep -q "imap localhost:$IMAP_PORT: XOAUTH2 refused for alice" "$W/no-mech.err"
ok $? "a server without XOAUTH2: XOAUTH2 refused, naming that server"
sed -e "s/^port = $OAUTH_IMAP_PORT\$/port = $bport/" \
	-e "/^\[mailbox oauth\]/,\$ s/^security = starttls\$/security = none/" "$W/file.conf" > "$W/bad-server.conf"
once bad-reply "$W/bad-server.conf"
is "$?" 75 "a server answering BAD: exit 75"
is "$(cat "$W/bad-peer.log")" "AUTHENTICATE XOAUTH2" "plaint sent AUTHENTICATE XOAUTH2 to it"
grep -q "imap localhost:$bport: XOAUTH2 refused for alice (libetpan [0-9]*): This server wants something else" \
	"$W/bad-reply.err"
ok $? "a server answering BAD: XOAUTH2 refused, naming the server and quoting it"

# --- the SMTP server refuses the token -----------------------------------------
echo "$SMTP_BAD" > "$W/smtp.token"
echo "$IMAP_TOKEN2" > "$W/helper.token"
mail 5
once smtp-refused "$W/command.conf"
is "$(filed 5)" 1 "with a refused SMTP token the complaint is still filed"
is "$(sql "SELECT (sent_at IS NULL)::text || ' ' || (last_error LIKE 'smtp localhost:$sport: XOAUTH2 refused for plaint: 535 %')::text FROM plaint.outbox WHERE recipient = 'c5@example.org'")" \
	"true true" "its acknowledgement waits, the error names the server and the 535"
grep -q "XOAUTH2 refused for plaint: 535" "$W/smtp-refused.err"
ok $? "the SMTP refusal is logged"
is "$(grep -c '^refused plaint$' "$W/sent/auth.log")/$(grep -c '^bad-continuation' "$W/sent/auth.log")" "1/0" \
	"plaint answered the server's error challenge (334) with an empty line"
is "$(sent_to c5@example.org)" "" "nothing was sent without AUTH"

# --- token_command fails, or hangs ---------------------------------------------
echo "$SMTP_TOKEN" > "$W/smtp.token"
touch "$W/helper.fail"
once helper-fails "$W/command.conf"
is "$?" 75 "token_command exits 1: exit 75"
grep -q "imap localhost:$OAUTH_IMAPS_PORT: no XOAUTH2 token for alice: token_command $W/oauth2-helper exited with status 1: oauth2: error: invalid_grant: the refresh token has expired" \
	"$W/helper-fails.err"
ok $? "token_command exits 1: the error names the server, the command, its status and its last words"
[ $? = 0 ] || sed 's/^/#   /' "$W/helper-fails.err"
rm "$W/helper.fail"
touch "$W/helper.hang"
t0=$(date +%s)
once helper-hangs "$W/command.conf"
is "$?" 75 "token_command hangs: exit 75"
elapsed=$(( $(date +%s) - t0 ))
ok "$([ "$elapsed" -lt 15 ]; echo $?)" "token_command hangs: given up after the 3 s timeout (run took ${elapsed} s)"
grep -q "token_command $W/oauth2-helper gave no token within 3 s and was killed" "$W/helper-hangs.err"
ok $? "token_command hangs: the error says it was killed"
rm "$W/helper.hang"

# --- no token in anything plaint printed or stored ------------------------------
pg_dump -d "$PGDATABASE" > "$W/dump.sql"
leaks=0
for tok in $ALL_TOKENS; do
	grep -qF -- "$tok" "$W"/*.err "$W"/*.out "$W/dump.sql" && leaks=$((leaks + 1))
done
is "$leaks" 0 "no token appears in plaint's output or logs (-v) or in its database"
grep -q "debug:" "$W/command1.err"
ok $? "(those logs were written at debug level)"

tap_done
