#!/bin/bash
# tests/e2e/htmlack.sh - an acknowledgement with an HTML alternative: a
# template's html_file gives a multipart/alternative mail whose HTML part
# holds the customer's name and subject escaped, never as markup; a
# template without one stays plain text.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/htmlack.XXXXXX")
export PGDATABASE=plaint_htmlack
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
printf 'Subject: [{ticket}] {subject}\n\nDear {name}, ticket {ticket} is in {queue}.\n' > "$W/rich.txt"
cat > "$W/rich.html" <<'EOF'
<html><head><style>p { margin: 0 }</style></head>
<body><p>Dear {name},</p><p>your message &quot;{subject}&quot; is ticket <b>{ticket}</b> in {queue}.</p></body></html>
EOF
write_conf "$W/plaint.conf" "$SMTP_PORT" "[mailbox rich]
host = localhost
username = alice
password_file = $GW_TMP/alice.pass
queue = rich

[queue rich]
template = rich

[template rich]
file = rich.txt
html_file = rich.html
"
echo alicepw > "$GW_TMP/alice.pass"
plaint_run htmlack-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"

name='Tom <b>Bold</b> & "Co"'
subject='<script>alert(1)</script> & my "order"'
printf 'From: %s <tom@example.org>\nTo: care@example.com\nSubject: %s\nMessage-ID: <tom-1@example.org>\n\nMy order is late.\n' \
	"\"${name//\"/\\\"}\"" "$subject" > "$W/c1.eml"
plaint_run htmlack-ingest -c "$W/plaint.conf" ingest --mailbox rich "$W/c1.eml"
ok $? "a complaint to the queue with an HTML template is filed"
num=$(sql "SELECT number FROM plaint.tickets WHERE queue = 'rich'")
ack=$(sink_for tom@example.org | tail -n 1)
ok "$([ -n "$ack" ]; echo $?)" "its acknowledgement is sent"

# The parts as a mail reader sees them, and the HTML the test expects:
# the template with each value escaped (& < > " ' as entities).
"$PY" - "$ack" "$W/rich.html" "$name" "$subject" "$num" > "$W/check" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
tpl = open(sys.argv[2], encoding="utf-8").read()
def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
             .replace('"', "&quot;").replace("'", "&apos;"))
want = (tpl.replace("{name}", esc(sys.argv[3])).replace("{subject}", esc(sys.argv[4]))
           .replace("{ticket}", sys.argv[5]).replace("{queue}", "rich"))
print("type", m.get_content_type())
print("parts", " ".join(p.get_content_type() for p in m.iter_parts()))
html = m.get_body(("html",)).get_content()
text = m.get_body(("plain",)).get_content()
print("html-equal", html == want)
print("html-script", "<script>" in html)
print("text", text.strip())
PYEOF
is "$(sed -n 's/^type //p' "$W/check")" multipart/alternative "the acknowledgement is multipart/alternative"
is "$(sed -n 's/^parts //p' "$W/check")" "text/plain text/html" "text first, then the HTML"
is "$(sed -n 's/^html-equal //p' "$W/check")" True "the HTML part is the template with every value HTML-escaped"
is "$(sed -n 's/^html-script //p' "$W/check")" False "the customer's <script> is text, not markup"
is "$(sed -n 's/^text //p' "$W/check")" "Dear $name, ticket $num is in rich." "the text part is the text template, unescaped"
is "$(sql "SELECT body_html LIKE '%&lt;script&gt;%' FROM plaint.messages WHERE direction = 'out' AND ticket_id = (SELECT id FROM plaint.tickets WHERE number = '$num')")" t \
	"the HTML sent is kept with the message (messages.body_html)"

# A queue whose template has no HTML: plain text, as before.
printf 'From: Una <una@example.org>\nTo: care@example.com\nSubject: Plain please\nMessage-ID: <una-1@example.org>\n\nHello.\n' > "$W/c2.eml"
plaint_run htmlack-ingest2 -c "$W/plaint.conf" ingest "$W/c2.eml"
plain=$(sink_for una@example.org | tail -n 1)
is "$(header_of "$plain" Content-Type | cut -d';' -f1)" text/plain "without html_file the acknowledgement is text/plain"

# A template that names an unknown placeholder in its HTML is refused.
printf '<p>{tciket}</p>\n' > "$W/rich.html"
"$PLAINT" -c "$W/plaint.conf" config check > /dev/null 2> "$W/check.err"
is "$?" 78 "config check refuses an HTML template with an unknown placeholder"
grep -q "rich.html:1: unknown placeholder {tciket}" "$W/check.err"
ok $? "naming the HTML file, its line and the placeholder"
tap_done
