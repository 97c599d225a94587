#!/bin/bash
# tests/run.sh - what `make check` runs: every test, one summary line.
#
# 1. unit tests of the pure modules and the config loader (GTest, TAP);
# 2. one set of throwaway servers (tests/harness.sh): PostgreSQL, Dovecot
#    and an SMTP sink on loopback ports chosen now;
# 3. pgTAP tests of the schema, on a database migrated by `plaint db
#    migrate` from zero;
# 4. end-to-end tests (tests/e2e/*.sh) that drive ./plaint against them.
# Every plaint run's standard error is scanned for sanitizer reports.
# Ends with "N passed, N failed"; exits 1 if anything failed.
set -u
cd "$(dirname "$0")/.."
export LOGDIR
LOGDIR=$(mktemp -d /tmp/gwlog.XXXXXX)
passed=0
failed=0
export G_DEBUG=fatal-criticals
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

# Runs one TAP producer and counts its lines; a producer that fails
# without saying which test failed counts as one failure.
run_tap() {	# NAME COMMAND...
	local name=$1 out rc p f; shift
	out="$LOGDIR/$name.tap"
	"$@" > "$out" 2> "$LOGDIR/$name.stderr"
	rc=$?
	p=$(grep -cE '^ *ok [0-9]' "$out")
	f=$(grep -cE '^ *not ok [0-9]' "$out")
	grep -E '^ *not ok [0-9]' "$out" | sed "s/^ */FAIL $name: /"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $name: exited $rc; last lines of its output:"
		tail -n 15 "$out" "$LOGDIR/$name.stderr" | sed 's/^/    /'
		f=1
	fi
	echo "$name: $p passed, $f failed"
	passed=$((passed + p)); failed=$((failed + f))
}

export PLAINT=${PLAINT:-./plaint}
# RUN_ONLY="kill9 soak ...": only those end-to-end tests (make reliability).
for t in "${UNIT_DIR:-tests/unit}"/test-*; do
	[ -n "${RUN_ONLY:-}" ] && break
	case "$t" in *.c) continue ;; esac
	[ -x "$t" ] && run_tap "$(basename "$t")" "$t" --tap
done

env=$(tests/harness.sh up 2> "$LOGDIR/harness.err")
if [ $? != 0 ]; then
	cat "$LOGDIR/harness.err"
	echo "FAIL harness: the test servers did not start"
	failed=$((failed + 1))
else
	eval "$env"
	trap 'tests/harness.sh down "$GW_TMP" 2>/dev/null' EXIT
	if [ -z "${RUN_ONLY:-}" ]; then
		run_tap sql tests/sql.sh
		tests=(tests/e2e/*.sh)
	else
		tests=()
		for name in $RUN_ONLY; do tests+=("tests/e2e/$name.sh"); done
	fi
	for t in "${tests[@]}"; do
		run_tap "e2e-$(basename "$t" .sh)" bash "$t"
		# The figure lines the fault tests print.
		[ -n "${RUN_ONLY:-}" ] && grep -h '^# ' "$LOGDIR/e2e-$(basename "$t" .sh).tap" |
			grep -v '^#   \(got\|want\)' | sed "s/^# /  $(basename "$t" .sh): /"
	done
fi

# Sanitizer and GLib critical reports anywhere in what plaint printed.
if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:|CRITICAL' \
	"$LOGDIR"/*.err "$LOGDIR"/*.stderr 2>/dev/null; then
	echo "FAIL sanitizer: reports in the files above"
	failed=$((failed + 1))
fi

echo "logs: $LOGDIR"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
