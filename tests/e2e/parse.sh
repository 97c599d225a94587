#!/bin/bash
# tests/e2e/parse.sh - what parsing keeps, checked in the database:
# HTML-only mail read as text, attachments stored once by content,
# unlabelled 8-bit text, and a message over the size limit filed from
# its headers with the raw bytes whole.  Then `plaint parse` itself.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/parse.XXXXXX")
export PGDATABASE=plaint_parse
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
write_conf "$W/plaint.conf" "$SMTP_PORT" ""
printf '[mail]\nmax_message_bytes = 4096\n' >> "$W/plaint.conf"
plaint_run parse-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"
ingest() { plaint_run "parse-ingest-$(basename "$1")" -c "$W/plaint.conf" ingest "$1"; }

# --- HTML only ------------------------------------------------------------
cat > "$W/html.eml" <<'EOF'
From: Hana <hana@example.org>
To: care@example.com
Subject: Only HTML
Message-ID: <html-1@example.org>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><title>x</title><style>p { color: red }</style></head>
<body><p>My <b>fridge</b> is&nbsp;broken.</p><ul><li>It hums</li><li>It leaks</li></ul>
<script>alert(1)</script><p>See <a href="https://example.org/photo">the photo</a>.</p></body></html>
EOF
ingest "$W/html.eml"
ok $? "ingest an HTML-only complaint"
is "$(sql "SELECT body FROM plaint.messages WHERE message_id = 'html-1@example.org'")" \
"My fridge is broken.

- It hums
- It leaks

See the photo <https://example.org/photo>." "HTML is read as text: blocks, lists, links; no script or style"

# --- attachments ------------------------------------------------------------
pdf=$(printf '%%PDF-1.4 receipt for order 51234\n' | base64)
png=$(printf '\x89PNG fake image bytes' | base64)
attach_mail() {	# FILE MESSAGE-ID
	cat > "$1" <<EOF
From: Ivo <ivo@example.org>
To: care@example.com
Subject: Receipt attached
Message-ID: <$2>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="inner"

--inner
Content-Type: text/html; charset=utf-8

<p>Here is the photo: <img src="cid:photo1@example.org"></p>
--inner
Content-Type: image/png
Content-ID: <photo1@example.org>
Content-Transfer-Encoding: base64

$png
--inner--
--outer
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=utf-8''Quittung%20f%C3%BCr;
 filename*1*=%20Bestellung.pdf
Content-Transfer-Encoding: base64

$pdf
--outer--
EOF
}
attach_mail "$W/a1.eml" a1@example.org
attach_mail "$W/a2.eml" a2@example.org
ingest "$W/a1.eml" && ingest "$W/a2.eml"
ok $? "ingest two messages with the same attachments"
pdf_sha=$(printf '%%PDF-1.4 receipt for order 51234\n' | sha256sum | cut -d' ' -f1)
png_sha=$(printf '\x89PNG fake image bytes' | sha256sum | cut -d' ' -f1)
is "$(sql "SELECT part || '|' || coalesce(filename, '-') || '|' || content_type || '|' || size || '|' || sha256 || '|' || coalesce(content_id, '-')
	FROM plaint.attachments a JOIN plaint.messages m ON m.id = a.message_row
	WHERE m.message_id = 'a1@example.org' ORDER BY part")" \
"1.1.2|-|image/png|21|$png_sha|photo1@example.org
1.2|Quittung für Bestellung.pdf|application/pdf|33|$pdf_sha|-" \
	"attachments: MIME part, RFC 2231 file name, type, decoded size, sha256, Content-ID"
is "$(sql "SELECT count(*) FROM plaint.attachments")" 4 "both messages list their attachments"
is "$(sql "SELECT count(*) || '|' || sum(size) FROM plaint.blobs")" "2|54" "each content is stored once"
is "$(sql "SELECT encode(content, 'escape') FROM plaint.blobs WHERE sha256 = '$pdf_sha'")" \
	"%PDF-1.4 receipt for order 51234" "the stored content is the decoded bytes"
is "$(sql "SELECT body FROM plaint.messages WHERE message_id = 'a1@example.org'")" \
	"Here is the photo:" "the text of a multipart/related HTML body"

# --- unlabelled 8-bit text ---------------------------------------------------
printf 'From: Lea <lea@example.org>\nTo: care@example.com\nSubject: caf\xe9\nMessage-ID: <latin-1@example.org>\n\nLe caf\xe9 est froid, d\xe9j\xe0.\n' > "$W/latin1.eml"
ingest "$W/latin1.eml"
is "$(sql "SELECT subject || ' / ' || body FROM plaint.messages WHERE message_id = 'latin-1@example.org'")" \
	"café / Le café est froid, déjà." "unlabelled Latin-1 in headers and body becomes UTF-8"

# --- over the size limit -----------------------------------------------------
{ printf 'From: Max <max@example.org>\nTo: care@example.com\nSubject: Huge complaint\nMessage-ID: <big-1@example.org>\n\n'
  for i in $(seq 200); do echo "Line $i of a very long complaint about a noisy washing machine."; done; } > "$W/big.eml"
ingest "$W/big.eml"
ok $? "a message over max_message_bytes is accepted"
is "$(sql "SELECT (t.number IS NOT NULL)::text || '|' || m.subject || '|' || m.body FROM plaint.messages m JOIN plaint.tickets t ON t.id = m.ticket_id WHERE m.message_id = 'big-1@example.org'")" \
	"true|Huge complaint|" "it opens a ticket from its headers"
sql "SELECT array_to_string(limits_hit, ';') FROM plaint.messages WHERE message_id = 'big-1@example.org'" | grep -q "only its headers were read"
ok $? "the limit is recorded on the message"
is "$(sql "SELECT count(*) FROM plaint.events e JOIN plaint.messages m ON m.ticket_id = e.ticket_id WHERE m.message_id = 'big-1@example.org' AND e.kind = 'limits'")" 1 \
	"and noted on the ticket"
is "$(sql "SELECT size || '|' || sha256 FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id = 'big-1@example.org'")" \
	"$(wc -c < "$W/big.eml" | tr -d ' ')|$(sha256sum "$W/big.eml" | cut -d' ' -f1)" "the raw bytes are kept whole"

# --- plaint parse ---------------------------------------------------------------
"$PLAINT" parse "$W/a1.eml" "$W/latin1.eml" > "$W/parse.json" 2>> "$LOGDIR/parse-cmd.err"
ok $? "plaint parse exits 0"
is "$("$PY" -c '
import json, sys
a, b = (json.loads(l) for l in open(sys.argv[1]))
print(a["subject"], a["from"]["address"], a["to"][0]["address"],
      [x["name"] for x in a["attachments"]], b["text"].strip(), sep="|")' "$W/parse.json")" \
	"Receipt attached|ivo@example.org|care@example.com|[None, 'Quittung für Bestellung.pdf']|Le café est froid, déjà." \
	"plaint parse prints the normalized message as JSON"
# Text without headers is read as the text of a message without any;
# only input without text is refused.
printf 'not mail at all\n' > "$W/junk.txt"
"$PLAINT" parse "$W/junk.txt" > "$W/junk.json" 2>> "$LOGDIR/parse-cmd.err"
is "$?" 0 "plaint parse on text without headers exits 0"
is "$("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["text"].strip(), d["defects"][-1], sep="|")' "$W/junk.json")" \
	"not mail at all|no header block: the whole message is read as its text" \
	"it is read as the text, with the defect said"
printf '\n \n\t\n' > "$W/blank.txt"
"$PLAINT" parse "$W/blank.txt" > "$W/blank.json" 2>> "$LOGDIR/parse-cmd.err"
is "$?" 65 "plaint parse on input without any text exits 65"
grep -q '"error":"not a mail message: it holds no text at all"' "$W/blank.json"
ok $? "with a clear error in the output"

tap_done
