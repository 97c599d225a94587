#!/bin/bash
# tests/fuzz/run.sh SECONDS - runs the parse fuzzer for SECONDS with a
# seed corpus of the mail this project writes (demo complaints and test
# samples), in a temporary directory.  Exits non-zero on a finding; the
# crashing input is kept and named.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-300}
W=$(mktemp -d /tmp/gwfuzz.XXXXXX)
mkdir -p "$W/corpus"
cp packaging/demo/mail/*.eml "$W/corpus/"
for f in tests/data/*/*.eml; do [ -f "$f" ] && cp "$f" "$W/corpus/"; done
echo "fuzz: $(ls "$W/corpus" | wc -l) seeds, ${secs} s, findings in $W"
tests/fuzz/fuzz-parse -max_total_time="$secs" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 -artifact_prefix="$W/" -print_final_stats=1 \
	"$W/corpus" > "$W/fuzz.log" 2>&1 || {
	tail -n 40 "$W/fuzz.log"
	echo "fuzz: FAILED; inputs in $W"
	exit 1
}
grep -E "^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+.*DONE)" "$W/fuzz.log" | tail -3
echo "fuzz: no finding"
rm -rf "$W"
