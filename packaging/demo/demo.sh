#!/bin/bash
# `make demo`: run plaint end to end against throwaway servers.
#
# Starts PostgreSQL, Dovecot and the SMTP sink (tests/harness.sh), files the
# sample complaints in packaging/demo/mail/ into alice's INBOX, runs
# `plaint once`, answers the first acknowledgement as the customer would
# (packaging/demo/reply-template.eml), runs `plaint once` again and shows the
# tickets and the acknowledgements that went out.
#
#   packaging/demo/demo.sh [--keep]
#     --keep   leave the servers running afterwards and say how to reach them
#   PLAINT=path/to/binary overrides ./plaint (for instance a sanitizer build).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
PY=/usr/bin/python3
PLAINT=${PLAINT:-./plaint}
KEEP=0

for arg in "$@"; do
	case "$arg" in
	--keep) KEEP=1 ;;
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	*) echo "demo: unknown argument '$arg' (usage: $0 [--keep])" >&2; exit 2 ;;
	esac
done

step() { printf '\n==> %s\n' "$*"; }
die() { echo "demo: ERROR: $*" >&2; exit 1; }

[ -x "$PLAINT" ] || die "$PLAINT not found or not executable; run 'make' first"

GW_TMP=""
finish() {
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "demo: FAILED (exit status $rc)" >&2
	fi
	if [ -n "$GW_TMP" ]; then
		if [ $KEEP = 1 ]; then
			[ $rc -ne 0 ] && echo "demo: servers left running for inspection" >&2
			cat <<EOF

Servers are still running (--keep).  Environment: . $GW_TMP/env.sh
  database:  psql -h $PGHOST -p $PGPORT -U postgres plaint
  IMAP:      127.0.0.1:$IMAP_PORT (plain/STARTTLS), 127.0.0.1:$IMAPS_PORT (TLS), alice/alicepw
  SMTP sink: 127.0.0.1:$SMTP_PORT, messages in $SMTP_OUT
  config:    $PLAINT -c $GW_TMP/plaint.conf once
  stop:      tests/harness.sh down $GW_TMP
EOF
		else
			tests/harness.sh down "$GW_TMP" || rc=1
		fi
	fi
	exit $rc
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Checking packages"
packaging/install-deps.sh

step "Starting PostgreSQL, Dovecot and the SMTP sink"
env_lines=$(tests/harness.sh up) || die "tests/harness.sh up failed (see above)"
eval "$env_lines"
: "${GW_TMP:?}" "${PGHOST:?}" "${PGPORT:?}" "${IMAP_PORT:?}" "${IMAPS_PORT:?}"
: "${SMTP_PORT:?}" "${CA_FILE:?}" "${SMTP_OUT:?}"
CONF=$GW_TMP/plaint.conf

cat > "$CONF" <<EOF
# plaint demo configuration, written by packaging/demo/demo.sh
[database]
conninfo = host=$PGHOST port=$PGPORT dbname=plaint user=postgres
[tickets]
prefix = CMP
[rules]
dir = $REPO/rules
[ack]
within = 60
[smtp]
host = localhost
port = $SMTP_PORT
security = starttls
ca_file = $CA_FILE
from = Northwind Customer Care <care@example.com>
[mailbox support]
host = localhost
port = $IMAPS_PORT
security = tls
ca_file = $CA_FILE
username = alice
password_file = $GW_TMP/alice.pass
folder = INBOX
queue = general
poll_interval = 30
EOF
(umask 077 && printf 'alicepw\n' > "$GW_TMP/alice.pass")
echo "config: $CONF"

step "plaint db migrate"
"$PLAINT" -c "$CONF" db migrate

mails=(packaging/demo/mail/0[1-7]-*.eml)
step "Delivering ${#mails[@]} sample mails to alice's INBOX"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --user alice --password alicepw \
	--folder INBOX "${mails[@]}"

step "plaint once (files the complaints, sends acknowledgements)"
"$PLAINT" -c "$CONF" once

# Prints, for the first acknowledgement (by arrival) in SMTP_OUT, the shell
# assignments ACK_FILE, ACK_FROM, ACK_SUBJECT, ACK_MSGID: raw header values,
# unfolded, so an encoded-word subject stays valid when "Re: " is put in front;
# and ACK_SUBJECT_TEXT, the decoded subject, for display.
first_ack() {
	"$PY" - "$SMTP_OUT" <<'EOF'
import glob, os, re, shlex, sys
from email import message_from_bytes, policy
from email.header import decode_header, make_header

for js in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    eml = js[:-5] + ".eml"
    raw = open(eml, "rb").read()
    msg = message_from_bytes(raw, policy=policy.compat32)
    def hdr(name):
        v = msg.get(name)
        return None if v is None else re.sub(r"\r?\n[ \t]+", " ", str(v)).strip()
    msgid, subject, to = hdr("Message-ID"), hdr("Subject"), hdr("To")
    if not msgid or not to:
        continue
    text = str(make_header(decode_header(subject or "")))
    for k, v in (("ACK_FILE", eml), ("ACK_FROM", to), ("ACK_SUBJECT", subject or ""),
                 ("ACK_MSGID", msgid), ("ACK_SUBJECT_TEXT", text)):
        print(f"{k}={shlex.quote(v)}")
    break
EOF
}

step "The customer answers the first acknowledgement"
ack_vars=$(first_ack)
status=0
if [ -z "$ack_vars" ]; then
	echo "demo: no acknowledgement arrived in $SMTP_OUT; skipping the reply" >&2
	status=1
else
	ACK_FILE="" ACK_FROM="" ACK_SUBJECT="" ACK_MSGID="" ACK_SUBJECT_TEXT=""
	eval "$ack_vars"
	reply=$GW_TMP/reply.eml
	REPLY_ID="reply.$(date +%s).$$@example.org"
	REPLY_DATE=$(LC_ALL=C date -R)
	# Drop the template's comment lines, then fill the placeholders.
	ACK_FROM=$ACK_FROM ACK_SUBJECT="Re: $ACK_SUBJECT" ACK_MSGID=$ACK_MSGID \
	REPLY_ID=$REPLY_ID REPLY_DATE=$REPLY_DATE \
	"$PY" - packaging/demo/reply-template.eml "$reply" <<'EOF'
import os, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines(True)
while lines and lines[0].startswith("#"):
    lines.pop(0)
text = "".join(lines)
for key, env in (("@FROM@", "ACK_FROM"), ("@SUBJECT@", "ACK_SUBJECT"),
                 ("@IN_REPLY_TO@", "ACK_MSGID"), ("@MESSAGE_ID@", "REPLY_ID"),
                 ("@DATE@", "REPLY_DATE")):
    text = text.replace(key, os.environ[env])
open(sys.argv[2], "w", encoding="utf-8").write(text)
EOF
	echo "acknowledgement: ${ACK_FILE##*/}"
	echo "  From:        $ACK_FROM"
	echo "  Subject:     Re: $ACK_SUBJECT_TEXT"
	echo "  In-Reply-To: $ACK_MSGID"
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --user alice --password alicepw \
		--folder INBOX "$reply"

	step "plaint once (threads the reply onto its ticket)"
	"$PLAINT" -c "$CONF" once
fi

step "Tickets"
has_view=$(psql -X -At -v ON_ERROR_STOP=1 \
	-c "SELECT to_regclass('plaint.tickets_overview') IS NOT NULL")
if [ "$has_view" = t ]; then
	psql -X -P pager=off -v ON_ERROR_STOP=1 -c \
		"SELECT number, status, queue, priority, subject, customer FROM plaint.tickets_overview ORDER BY number"
else
	psql -X -P pager=off -v ON_ERROR_STOP=1 -c "SELECT * FROM plaint.tickets ORDER BY id"
fi

step "Where every message ended (plaint.intake)"
psql -X -P pager=off -v ON_ERROR_STOP=1 -c \
	"SELECT raw_id, mailbox, outcome, ticket, coalesce(reason, '') AS note FROM plaint.intake ORDER BY raw_id"

step "Acknowledgements sent (from the SMTP sink, $SMTP_OUT)"
"$PY" - "$SMTP_OUT" <<'EOF'
import glob, json, os, sys
from email import message_from_bytes, policy

files = sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))
if not files:
    print("(none)")
for js in files:
    meta = json.load(open(js, encoding="utf-8"))
    msg = message_from_bytes(open(js[:-5] + ".eml", "rb").read(), policy=policy.default)
    print(f"--- {os.path.basename(js[:-5])}.eml")
    print(f"  envelope to:    {', '.join(meta.get('rcpt_tos') or [])}"
          f"   (from <{meta.get('mail_from') or ''}>, tls={meta.get('tls')})")
    for h in ("Subject", "In-Reply-To", "Auto-Submitted"):
        v = msg.get(h)
        print(f"  {h + ':':15} {' '.join(str(v).split()) if v is not None else '(none)'}")
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
    except (KeyError, LookupError, ValueError) as e:
        body = f"(body not decodable: {e})"
    lines = body.replace("\r\n", "\n").split("\n")[:6]
    for line in lines:
        print(f"  | {line}")
EOF

if [ $status -ne 0 ]; then
	exit $status
fi
step "Demo finished"
