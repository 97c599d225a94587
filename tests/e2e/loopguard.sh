#!/bin/bash
# tests/e2e/loopguard.sh - the loop guard on labelled third-party mail.
#
# Sisimai's set of emails (read in place from ../shared/corpus) labels
# about 700 bounces, delay notices, auto-replies and feedback reports
# (maildir/bsd and maildir/dos) and three messages that are not bounces
# (maildir/not).  Every machine message must be left unanswered, bar a
# known few listed in tests/corpus/KNOWN.md; the human ones answered.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
S=${CORPUS:-../shared/corpus}/sisimai-set-of-emails/maildir
W=$(mktemp -d "${GW_TMP:-/tmp}/loopguard.XXXXXX")
if [ ! -d "$S/bsd" ]; then
	echo "# no corpus at $S: skipped"
	echo "ok 1 # SKIP the Sisimai corpus is absent"
	echo "1..1"
	exit 0
fi

"$PLAINT" rules test --json --rules rules "$S"/bsd/*.eml "$S"/dos/*.eml \
	> "$W/machine.json" 2> "$LOGDIR/loopguard.err"
"$PLAINT" rules test --json --rules rules "$S"/not/*.eml > "$W/not.json" 2>> "$LOGDIR/loopguard.err"
figure=$("$PY" - "$W/machine.json" <<'PYEOF'
import json, sys
total = suppressed = 0
missed = []
for line in open(sys.argv[1]):
    o = json.loads(line)
    total += 1
    if o.get("ack") is False:
        suppressed += 1
    else:
        missed.append(o["file"].split("maildir/")[-1])
print(f"{suppressed} {total} {100.0 * suppressed / total:.2f} {' '.join(missed)}")
PYEOF
)
set -- $figure
suppressed=$1 total=$2 pct=$3; shift 3
echo "# sisimai machine mail: $suppressed of $total suppressed ($pct%); answered: ${*:-none}"
ok "$([ "$total" -ge 700 ]; echo $?)" "the labelled machine mail was read ($total messages)"
ok "$("$PY" -c "import sys; sys.exit(0 if $suppressed * 1000 >= $total * 995 else 1)"; echo $?)" \
	"at least 99.5% of machine mail gets no acknowledgement ($pct%)"
for f in "$@"; do
	grep -qF "$f" tests/corpus/KNOWN.md
	ok $? "$f: an answered machine message is a known, explained deviation"
done
for h in is-not-bounce-01 is-not-bounce-02; do
	is "$(grep "/$h.eml" "$W/not.json" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["ack"])')" \
		True "$h (a person's mail) would be acknowledged"
done
is "$(grep "/rb-issue-368-bug.eml" "$W/not.json" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["ack_suppressed"])')" \
	auto-submitted "rb-issue-368-bug (a bounce notice with Auto-Submitted) is not"

tap_done
