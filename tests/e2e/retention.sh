#!/bin/bash
# tests/e2e/retention.sh - [retention] raw_days: plaint once and plaint
# run empty the raw bytes of mail on tickets resolved longer ago than
# that, and attachments nothing else uses, and nothing else: not the
# raw mail of a ticket resolved lately or still open, not a file a live
# ticket shares, not the message text, hash or size.  Without the
# section nothing is removed.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/retention.XXXXXX")
export PGDATABASE=plaint_retention
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
write_conf "$W/plaint.conf" "$SMTP_PORT" ""
plaint_run retention-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"

# Four complaints: each with a file of its own, and the first two share
# one more.
head -c 20000 /dev/urandom > "$W/shared.bin"
mail() {	# NAME
	head -c 30000 /dev/urandom > "$W/$1.bin"
	{
		printf 'From: %s <%s@example.org>\nTo: care@example.com\nSubject: About %s\n' "$1" "$1" "$1"
		printf 'Message-ID: <%s@example.org>\nMIME-Version: 1.0\n' "$1"
		printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nThe text of %s.\n' "$1"
		for f in "$@"; do
			printf -- '--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=%s.bin\n' "$f"
			printf 'Content-Transfer-Encoding: base64\n\n'
			base64 "$W/$f.bin"
		done
		printf -- '--b--\n'
	} > "$W/$1.eml"
}
mail old shared
mail recent shared
mail open
mail daemon
for m in old recent open; do
	plaint_run "retention-$m" -c "$W/plaint.conf" ingest "$W/$m.eml"
done
ticket_of() { sql "SELECT ticket_id FROM plaint.messages WHERE message_id = '$1@example.org'"; }
sql "UPDATE plaint.tickets SET status = 'resolved', closed_at = now() - interval '40 days' WHERE id = $(ticket_of old);
     UPDATE plaint.tickets SET status = 'resolved', closed_at = now() - interval '5 days' WHERE id = $(ticket_of recent)" > /dev/null
ok $? "one ticket resolved 40 days ago, one 5 days ago, one open"

raw_of() {	# NAME: the stored raw bytes' sha256, or "empty"
	sql "SELECT CASE WHEN octet_length(r.raw) = 0 THEN 'empty' ELSE encode(sha256(r.raw), 'hex') END
	       FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id
	      WHERE m.message_id = '$1@example.org'"
}
blob_of() {	# FILE: the stored content's sha256, or "empty"
	sql "SELECT CASE WHEN octet_length(content) = 0 THEN 'empty' ELSE encode(sha256(content), 'hex') END
	       FROM plaint.blobs WHERE sha256 = '$(sha256sum < "$W/$1.bin" | cut -c1-64)'"
}
sha() { sha256sum < "$1" | cut -c1-64; }

plaint_run retention-keep -c "$W/plaint.conf" once
is "$(raw_of old)" "$(sha "$W/old.eml")" "without [retention] the old ticket's raw mail stays"
is "$(blob_of old)" "$(sha "$W/old.bin")" "and so do its files"

printf '\n[retention]\nraw_days = 30\n' >> "$W/plaint.conf"
plaint_run retention-once -c "$W/plaint.conf" once
ok $? "plaint once with raw_days = 30"
is "$(raw_of old)" empty "the raw bytes of mail on a ticket resolved 40 days ago are removed"
is "$(sql "SELECT (raw_removed_at IS NOT NULL)::text || '|' || size || '|' || sha256 FROM plaint.raw_messages r
	   JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id = 'old@example.org'")" \
	"true|$(wc -c < "$W/old.eml")|$(sha "$W/old.eml")" "its size and hash stay for de-duplication"
is "$(sql "SELECT body FROM plaint.messages WHERE message_id = 'old@example.org'")" "The text of old." \
	"and so does the message text"
is "$(blob_of old)" empty "a file only that ticket used is removed"
is "$(blob_of shared)" "$(sha "$W/shared.bin")" "a file a live ticket shares stays"
is "$(raw_of recent)" "$(sha "$W/recent.eml")" "a ticket resolved 5 days ago keeps its raw mail"
is "$(blob_of recent)" "$(sha "$W/recent.bin")" "and its file"
is "$(raw_of open)" "$(sha "$W/open.eml")" "an open ticket keeps its raw mail"
grep -q "retention raw_days=30 removed raw=1 blobs=1 bytes=" "$LOGDIR/retention-once.err"
ok $? "the gateway logs what it removed"

# plaint run applies it as it starts.
plaint_run retention-daemon -c "$W/plaint.conf" ingest "$W/daemon.eml"
sql "UPDATE plaint.tickets SET status = 'closed', closed_at = now() - interval '31 days' WHERE id = $(ticket_of daemon)" > /dev/null
"$PLAINT" -c "$W/plaint.conf" run > "$LOGDIR/retention-run.out" 2> "$LOGDIR/retention-run.err" &
pid=$!
for _ in $(seq 100); do
	[ "$(raw_of daemon)" = empty ] && break
	sleep 0.1
done
kill -TERM "$pid"; wait "$pid"
ok $? "plaint run stops cleanly"
is "$(raw_of daemon)/$(blob_of daemon)" "empty/empty" "plaint run removes the raw mail and file of a ticket closed 31 days ago"
is "$(raw_of recent)/$(raw_of open)" "$(sha "$W/recent.eml")/$(sha "$W/open.eml")" "and leaves the others"
tap_done
