#!/bin/bash
# tests/e2e/corpus.sh - every message of the third-party corpus through
# `plaint parse` (under the sanitizers when make asan built plaint).
#
# Reads ../shared/corpus in place.  Every file must give one valid JSON
# object per message with valid UTF-8 and no crash; the files that are
# not mail at all must be exactly those listed in tests/corpus/KNOWN.md.
# Then the comparisons with the expected results the corpus ships.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
C=${CORPUS:-../shared/corpus}
W=$(mktemp -d "${GW_TMP:-/tmp}/corpus.XXXXXX")
if [ ! -d "$C" ]; then
	echo "ok 1 # SKIP no corpus at $C"
	echo "1..1"
	exit 0
fi

# Messages: every data file but expected results and mbox files.
find "$C" -type f ! -name '*.md' ! -name '*.tsv' ! -name '*.xml' ! -name '*.out' \
	! -name '*_decoded_*' ! -name '*mbox*' ! -path '*/gmime/data/mbox/*' \
	! -name 'notmuch-tree-*' | sort > "$W/files"
find "$C" -type f \( -name '*.mbox' -o -name '*.mbox.txt' -o -name 'mbox.*' \) \
	! -path '*/output/*' | sort > "$W/mboxes"
n=$(wc -l < "$W/files")
tr '\n' '\0' < "$W/files" | xargs -0 -n 200 "$PLAINT" parse >> "$W/out.json" 2>> "$LOGDIR/corpus.err"
rc=$?
# xargs: 123 = some run exited 1-125 (65: inputs that are not mail);
# anything else (a signal, 124-127) is a crash.
ok "$([ $rc = 0 ] || [ $rc = 123 ]; echo $?)" "plaint parse ran over $n corpus files without a crash (xargs $rc)"
tr '\n' '\0' < "$W/mboxes" | xargs -0 "$PLAINT" parse --mbox > "$W/mbox.json" 2>> "$LOGDIR/corpus.err"
rc=$?
ok "$([ $rc = 0 ] || [ $rc = 123 ]; echo $?)" "plaint parse --mbox over $(wc -l < "$W/mboxes") mbox files without a crash"

"$PY" - "$W/out.json" "$W/mbox.json" "$n" "$C" tests/corpus/KNOWN.md <<'PYEOF' > "$W/check"
import json, sys
out, mbox, n, corpus, known = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
bad_json = bad_utf8 = 0
objects = 0
errors = []
per_set = {}
for path in (out, mbox):
    with open(path, "rb") as f:
        for raw in f:
            try:
                text = raw.decode("utf-8", errors="strict")
                o = json.loads(text)
            except UnicodeDecodeError:
                bad_utf8 += 1
                continue
            except ValueError:
                bad_json += 1
                continue
            objects += 1 if path == out else 0
            rel = o["file"][len(corpus) + 1:]
            s = rel.split("/")[0]
            per_set.setdefault(s, [0, 0])
            if "error" in o:
                errors.append(rel)
                per_set[s][1] += 1
            else:
                per_set[s][0] += 1
                for key in ("subject", "text"):
                    if "\x00" in o[key]:
                        bad_utf8 += 1
kn = open(known).read()
unknown = [e for e in errors if e not in kn]
print(f"json {bad_json}")
print(f"utf8 {bad_utf8}")
print(f"objects {objects} {n}")
print("unknown " + " ".join(unknown))
for s, (p, f) in sorted(per_set.items()):
    print(f"# {s}: {p} parsed, {f} not mail")
PYEOF
grep '^#' "$W/check"
is "$(sed -n 's/^json //p' "$W/check")" 0 "every output line is valid JSON"
is "$(sed -n 's/^utf8 //p' "$W/check")" 0 "every output line is valid UTF-8, without NUL"
set -- $(sed -n 's/^objects //p' "$W/check")
is "$1" "$2" "one JSON object per corpus file"
is "$(sed -n 's/^unknown //p' "$W/check")" "" "the only inputs refused as not mail are the known ones"

# mime4j's decoded parts: a floor at today's figure catches regressions;
# every message with a difference is explained in tests/corpus/KNOWN.md.
PLAINT=$PLAINT CORPUS=$C "$PY" tests/corpus/compare_mime4j.py --tap > "$W/mime4j" 2>> "$LOGDIR/corpus.err"
ok $? "every message whose decoding differs from mime4j's is listed in KNOWN.md"
grep '^# mime4j' "$W/mime4j"
set -- $(sed -n 's/^figure //p' "$W/mime4j")
ok "$([ "${1:-0}" -ge 136 ]; echo $?)" "at least 136 of mime4j's decoded parts match byte for byte (${1:-?} of ${2:-?})"

# GMime's own mbox test: the split, From, Subject and MIME tree of each
# message as in the dump GMime's test prints.
PLAINT=$PLAINT CORPUS=$C "$PY" tests/corpus/compare_gmime.py > "$W/gmime" 2>> "$LOGDIR/corpus.err"
ok $? "plaint parse --mbox agrees with GMime's mbox test dump"
grep '^#' "$W/gmime"
set -- $(sed -n 's/^figure //p' "$W/gmime")
echo "# GMime mbox dump: ${1:-?} of ${2:-?} messages as expected"

tap_done
