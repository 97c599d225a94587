#!/bin/bash
# tests/e2e/shipped-rules.sh - the rules plaint ships (rules/) route each
# sample in tests/data/rules to the queue, priority and tags listed in
# tests/data/rules/expected.tsv, the negatives (words like "courtesy",
# "broker", "latest") included.  Needs no server.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
LOGDIR=${LOGDIR:-$(mktemp -d)}
W=$(mktemp -d "${GW_TMP:-/tmp}/shipped.XXXXXX")

"$PLAINT" rules check rules > /dev/null 2> "$W/check.err"
ok $? "rules check passes the shipped rules"
is "$(cat "$W/check.err")" "" "with no warning"
"$PLAINT" rules test --json --rules rules tests/data/rules/*.eml > "$W/out.json" 2>> "$LOGDIR/shipped.err"
ok $? "rules test over the samples"
while IFS=$'\t' read -r file queue priority tags; do
	case "$file" in '#'*|'') continue ;; esac
	got=$("$PY" - "$W/out.json" "$file" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["file"].endswith("/" + sys.argv[2]):
        print(o["queue"], o["priority"], ",".join(o["tags"]) or "-", sep="\t")
PYEOF
)
	is "$got" "$queue	$priority	$tags" "$file: $queue, $priority, $tags"
done < tests/data/rules/expected.tsv

tap_done
