#!/bin/bash
# tests/e2e/connect.sh - `plaint config check --connect` logs in to the
# database, each mailbox and the SMTP server and says which one fails
# and why; connection errors name host, port and the system's reason,
# say plainly that a password is wrong, and say which `security` value
# probably fits when TLS meets a plain text port or the reverse; nothing
# of libpq's or GnuTLS's reaches standard error but through plaint's
# log.  Against the harness's real servers; the wrong password goes to a
# Dovecot of its own (tests/harness.sh badca), whose refusal slows no
# other test's logins.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/connect.XXXXXX")
export PGDATABASE=plaint_connect
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
echo alicepw > "$GW_TMP/alice.pass"
echo not-the-password > "$W/wrong.pass"
eval "$(tests/harness.sh badca "$GW_TMP" 2>> "$LOGDIR/connect-harness.err")"
BAD_CA=$GW_TMP/badtls/ca.crt
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
closed=$(free_port)

# conf FILE SMTP_PORT SMTP_SECURITY MAILBOX-SECTIONS
conf() {
	write_conf "$1" "$2" "$4"
	sed -i "/^\[smtp\]/,/^\[/ s/^security = .*/security = $3/" "$1"
}
# check NAME CONF: runs config check --connect; sets RC, OUT (stdout), ERR
check() {
	OUT=$W/$1.out ERR=$W/$1.err
	"$PLAINT" -c "$2" config check --connect > "$OUT" 2> "$ERR"
	RC=$?
	cat "$ERR" >> "$LOGDIR/connect.err"
}
has() {	# FILE TEXT DESCRIPTION
	grep -qF -- "$2" "$1"
	ok $? "$3"
	[ $? = 0 ] || sed 's/^/#   /' "$1"
}

good_mailbox=$(mailbox_section support "$IMAPS_PORT" tls alice)
conf "$W/good.conf" "$SMTP_PORT" starttls "$good_mailbox"
plaint_run connect-migrate -c "$W/good.conf" db migrate
ok $? "db migrate"

# --- a good setup --------------------------------------------------------
check good "$W/good.conf"
is "$RC" 0 "a good setup: exit 0"
is "$(grep -c ': ok' "$OUT")" 4 "four lines say ok: the config, the database, the mailbox, SMTP"
newest=$(ls sql/migrations | sed -n 's/^0*\([0-9][0-9]*\)_.*/\1/p' | sort -n | tail -1)
has "$OUT" "database: ok, schema version $newest" "the database, with its schema version (the newest migration)"
has "$OUT" "mailbox support (localhost:$IMAPS_PORT, tls, as alice): ok, logged in, folder INBOX selected" \
	"the mailbox: logged in, its folder selected"
has "$OUT" "smtp (localhost:$SMTP_PORT, starttls): ok" "the SMTP server"
"$PLAINT" -c "$W/good.conf" config check > "$W/plain.out" 2>&1
is "$(wc -l < "$W/plain.out")" 1 "without --connect: the one line of the config alone"

# --- a wrong password ------------------------------------------------------
conf "$W/wrongpw.conf" "$SMTP_PORT" starttls "$good_mailbox
[mailbox other]
host = localhost
port = $BAD_IMAPS_PORT
security = tls
ca_file = $BAD_CA
username = alice
password_file = $W/wrong.pass
timeout = 10
"
check wrongpw "$W/wrongpw.conf"
is "$RC" 69 "a wrong password: exit 69"
has "$OUT" "mailbox other (localhost:$BAD_IMAPS_PORT, tls, as alice): FAILED: imap localhost:$BAD_IMAPS_PORT: login as alice refused: the user name or the password is wrong (the server said: " \
	"the mailbox with the wrong password is named, and the password said to be wrong"
has "$OUT" "mailbox support (localhost:$IMAPS_PORT, tls, as alice): ok" "the other mailbox is still ok"
has "$OUT" "1 of 4 connections failed" "one of four failed"
grep -q not-the-password "$OUT" "$ERR"
ok "$((! $?))" "the password itself is never printed"

# --- a closed port -----------------------------------------------------------
conf "$W/closed.conf" "$closed" starttls "$good_mailbox"
check closed "$W/closed.conf"
is "$RC" 69 "SMTP on a closed port: exit 69"
has "$OUT" "smtp (localhost:$closed, starttls): FAILED: smtp localhost:$closed: cannot connect: Connection refused" \
	"SMTP: host, port and the system's reason"
sed "s|^conninfo = .*|conninfo = host=127.0.0.1 port=$closed dbname=plaint user=plaint|" "$W/good.conf" > "$W/nodb.conf"
check nodb "$W/nodb.conf"
is "$RC" 69 "the database on a closed port: exit 69"
has "$OUT" "database: FAILED: cannot connect to PostgreSQL: connection to server at \"127.0.0.1\", port $closed failed: Connection refused" \
	"the database: host, port and the system's reason"
conf "$W/closed-imap.conf" "$SMTP_PORT" starttls "$(mailbox_section support "$closed" tls alice)"
check closed-imap "$W/closed-imap.conf"
has "$OUT" "FAILED: imap localhost:$closed: cannot connect: Connection refused" \
	"IMAP: host, port and the system's reason"
conf "$W/noname.conf" "$SMTP_PORT" starttls "$(mailbox_section support "$IMAPS_PORT" tls alice)"
sed -i "/^\[mailbox support\]/,/^\[/ s/^host = .*/host = nowhere.invalid/" "$W/noname.conf"
check noname "$W/noname.conf"
has "$OUT" "FAILED: imap nowhere.invalid:$IMAPS_PORT: cannot resolve the name: " "a name that does not resolve says so"

# --- TLS against a plain text port, and the reverse ---------------------------
conf "$W/tls-plain.conf" "$SMTP_PORT" tls "$(mailbox_section support "$IMAP_PORT" tls alice)"
check tls-plain "$W/tls-plain.conf"
is "$RC" 69 "TLS spoken to the STARTTLS ports: exit 69"
has "$OUT" "imap localhost:$IMAP_PORT: the TLS handshake failed (" "IMAP: the handshake failed, with GnuTLS's reason"
has "$OUT" "the server greets in plain text (\"* OK " "IMAP: quotes the plain text greeting"
has "$OUT" "so security = starttls probably fits this port" "IMAP: says security = starttls probably fits"
has "$OUT" "smtp localhost:$SMTP_PORT: the TLS handshake failed (" "SMTP: the handshake failed"
has "$OUT" "the server greets in plain text (\"220 " "SMTP: quotes the 220 greeting"
grep -F "smtp localhost:$SMTP_PORT" "$OUT" | grep -qF "so security = starttls probably fits this port"
ok $? "SMTP: says security = starttls probably fits"
# A port that wants TLS from the first byte is silent to plain text:
# the greeting times out (timeout = 2 here), then a handshake is tried.
conf "$W/plain-tls.conf" "$IMAPS_PORT" starttls "$(mailbox_section support "$IMAPS_PORT" starttls alice)"
sed -i 's/^timeout = 10$/timeout = 2/' "$W/plain-tls.conf"
check plain-tls "$W/plain-tls.conf"
is "$RC" 69 "STARTTLS spoken to a TLS port: exit 69"
has "$OUT" "imap localhost:$IMAPS_PORT: no greeting in plain text within 2 s, but the port answers a TLS handshake: security = tls probably fits it" \
	"IMAP: says security = tls probably fits"
has "$OUT" "smtp localhost:$IMAPS_PORT: no greeting in plain text within 2 s, but the port answers a TLS handshake: security = tls probably fits it" \
	"SMTP (the same TLS port stands in for SMTPS): says security = tls probably fits"

# --- the daemon's log says the same, and nothing bypasses the log --------
conf "$W/once.conf" "$closed" starttls "$(mailbox_section support "$IMAP_PORT" tls alice)"
"$PLAINT" -c "$W/once.conf" once > /dev/null 2> "$W/once.err"
is "$?" 75 "plaint once with those servers: exit 75"
grep -q "^plaint: error: mailbox support: imap localhost:$IMAP_PORT: the TLS handshake failed .*security = starttls probably fits" "$W/once.err"
ok $? "its log names the mailbox and says which security fits"
cat "$W"/*.err > "$W/all.err"
is "$(grep -vc '^plaint: ' "$W/all.err")" 0 "every line on standard error, of every run above, is plaint's log"
grep -q "GnuTLS error" "$W/all.err"
ok "$((! $?))" "no raw 'GnuTLS error' line (libetpan's gnutls_perror goes to the log)"
"$PLAINT" -v -c "$W/good.conf" db migrate > /dev/null 2> "$W/migrate.err"
grep -q "^plaint: debug: postgresql: NOTICE: " "$W/migrate.err" && ! grep -qv '^plaint: ' "$W/migrate.err"
ok $? "libpq's notices (db migrate re-creating the code) are plaint's log lines too"
"$PLAINT" -v -c "$W/tls-plain.conf" config check --connect > /dev/null 2> "$W/verbose.err"
grep -q "^plaint: debug: library=gnutls handshake: " "$W/verbose.err"
ok $? "with -v, GnuTLS's words are in plaint's log, at debug"
tap_done
