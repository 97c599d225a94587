#!/bin/bash
# tests/e2e/backscatter.sh - no acknowledgement to a forged sender: mail
# whose Authentication-Results from the trusted receiving server say
# dmarc=fail (and, when [ack] skip_when names them, spf=fail or
# dkim=fail) opens a ticket but is not acknowledged, and the reason is
# recorded.  Only the topmost field of that server counts; fields of
# other servers, or of that name further down, are what a sender can
# write.  Without trusted_authserv_id nothing is trusted.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/backscatter.XXXXXX")
export PGDATABASE=plaint_backscatter
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
rm -f "$SMTP_OUT"/*	# this test counts what the sink receives
write_conf "$W/plaint.conf" "$SMTP_PORT" ""
sed -i 's/^within = 60$/within = 60\ntrusted_authserv_id = mx.example.com/' "$W/plaint.conf"
plaint_run backscatter-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"

mail() {	# NAME FROM AUTHENTICATION-RESULTS-LINES...
	local name=$1 from=$2; shift 2
	{
		for ar in "$@"; do printf 'Authentication-Results: %s\n' "$ar"; done
		printf 'Received: from [203.0.113.9] by mx.example.com; Sun, 22 Nov 2026 12:00:00 +0000\n'
		printf 'From: %s\nTo: care@example.com\nSubject: Complaint %s\nMessage-ID: <%s@example.org>\n\n' \
			"$from" "$name" "$name"
		printf 'My order never arrived.\n'
	} > "$W/$name.eml"
}
file() {	# NAME [CONF]
	plaint_run "backscatter-$1" -c "${2:-$W/plaint.conf}" ingest "$W/$1.eml"
}
suppressed() {	# NAME: what messages.ack_suppressed says of it, "-" for NULL
	sql "SELECT coalesce(ack_suppressed, '-') FROM plaint.messages WHERE message_id = '$1@example.org'"
}
acks_to() { sink_for "$1" | wc -l; }

mail genuine ann@example.org "mx.example.com; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass header.from=example.org"
mail forged "Bank <ceo@bank.example>" "mx.example.com; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail (p=reject) header.from=bank.example"
# The forger adds a passing field in the trusted server's name; the
# server's own, on top, says otherwise.
mail forged-below "Shop <boss@shop.example>" \
	"mx.example.com; dmarc=fail (p=quarantine) header.from=shop.example" \
	"mx.example.com; dmarc=pass header.from=shop.example"
# and the other way round: a failing field further down is not the server's.
mail genuine-below bob@example.org \
	"mx.example.com; dmarc=pass header.from=example.org" \
	"mx.example.com; dmarc=fail header.from=example.org"
mail untrusted cy@example.org "relay.example.net; dmarc=fail header.from=example.org"
mail spf-only dee@example.org "mx.example.com; spf=fail smtp.mailfrom=example.org; dmarc=pass header.from=example.org"
for m in genuine forged forged-below genuine-below untrusted spf-only; do
	file "$m"
	ok $? "$m: filed"
done

is "$(sql "SELECT count(*) FROM plaint.tickets")" 6 "each of the six opens a ticket"
is "$(acks_to ann@example.org)/$(suppressed genuine)" "1/-" "a genuine sender is acknowledged"
is "$(acks_to ceo@bank.example)/$(suppressed forged)" "0/dmarc-fail" \
	"dmarc=fail: no acknowledgement, and the reason recorded"
is "$(acks_to boss@shop.example)/$(suppressed forged-below)" "0/dmarc-fail" \
	"a passing field below the trusted server's own does not count"
is "$(acks_to bob@example.org)/$(suppressed genuine-below)" "1/-" \
	"nor does a failing one"
is "$(acks_to cy@example.org)/$(suppressed untrusted)" "1/-" "another server's verdict is not trusted"
is "$(acks_to dee@example.org)/$(suppressed spf-only)" "1/-" \
	"spf=fail alone withholds nothing by default (skip_when = dmarc-fail)"
is "$(sql "SELECT ack_state FROM plaint.open_tickets o JOIN plaint.messages m ON m.ticket_id = (SELECT id FROM plaint.tickets WHERE number = o.number)
	   WHERE m.message_id = 'forged@example.org'")" suppressed "open_tickets shows the forged ticket's acknowledgement suppressed"

# skip_when names more failures.
sed 's/^trusted_authserv_id = .*/&\nskip_when = dmarc-fail spf-fail dkim-fail/' "$W/plaint.conf" > "$W/strict.conf"
mail spf-strict eve@example.org "mx.example.com; spf=fail smtp.mailfrom=example.org; dmarc=pass header.from=example.org"
mail dkim-strict fay@example.org "mx.example.com; spf=pass; dkim=fail header.d=example.org; dmarc=pass"
mail dkim-two gus@example.org "mx.example.com; spf=pass; dkim=fail header.d=old.example; dkim=pass header.d=example.org; dmarc=pass"
for m in spf-strict dkim-strict dkim-two; do file "$m" "$W/strict.conf"; done
is "$(acks_to eve@example.org)/$(suppressed spf-strict)" "0/spf-fail" "skip_when spf-fail: spf=fail is not acknowledged"
is "$(acks_to fay@example.org)/$(suppressed dkim-strict)" "0/dkim-fail" "skip_when dkim-fail: dkim=fail is not acknowledged"
is "$(acks_to gus@example.org)/$(suppressed dkim-two)" "1/-" "a second signature that passes makes DKIM pass"

# Without trusted_authserv_id no header is trusted.
sed '/^trusted_authserv_id = /d' "$W/plaint.conf" > "$W/trustless.conf"
mail forged-trustless "Bank <cfo@bank.example>" "mx.example.com; dmarc=fail header.from=bank.example"
file forged-trustless "$W/trustless.conf"
is "$(acks_to cfo@bank.example)/$(suppressed forged-trustless)" "1/-" \
	"without trusted_authserv_id a dmarc=fail header is not read"

# plaint rules test says the same.
"$PLAINT" -c "$W/plaint.conf" rules test "$W/forged.eml" "$W/genuine.eml" > "$W/test.out" 2>> "$LOGDIR/backscatter-test.err"
is "$(grep -c '^  ack       no: dmarc-fail$' "$W/test.out")/$(grep -c '^  ack       yes$' "$W/test.out")" "1/1" \
	"plaint rules test: no acknowledgement for the forged one (dmarc-fail), one for the genuine"
"$PLAINT" -c "$W/plaint.conf" rules test --json "$W/forged.eml" > "$W/test.json" 2>> "$LOGDIR/backscatter-test.err"
is "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ack"], d["ack_suppressed"])' "$W/test.json")" \
	"False dmarc-fail" "and in JSON"
tap_done
