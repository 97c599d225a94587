#!/bin/bash
# .ci/fresh-demo.sh - the README's first command on a machine that lacks
# the build packages: purges the -dev packages and pkg-config, then runs
# `make clean` and `make demo`, which must install them before it
# compiles anything.  Packages that the purge takes along because they
# depend on those (llvm-14-dev, libxslt1-dev on the stock image) are put
# back afterwards, so the machine ends as it began, and the tree is left
# clean.  Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

DEV=(libetpan-dev libgmime-3.0-dev libpq-dev libpcre2-dev libgnutls28-dev
     libglib2.0-dev libxml2-dev libsystemd-dev pkg-config)
mapfile -t taken < <(apt-get -s purge "${DEV[@]}" 2>/dev/null | awk '$1 == "Purg" { print $2 }')
echo "fresh-demo: purging ${taken[*]:-(nothing installed)}"
apt-get purge -y -q "${DEV[@]}" > /dev/null
for p in "${DEV[@]}"; do
	if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ]; then
		echo "fresh-demo: $p is still installed" >&2
		exit 1
	fi
done
[ ! -e /usr/include/glib-2.0/glib.h ] || { echo "fresh-demo: glib.h is still there" >&2; exit 1; }

make clean > /dev/null
log=$(mktemp /tmp/fresh-demo.XXXXXX)
status=0
make demo > "$log" 2>&1 || status=$?
tail -n 25 "$log"

# Put back what the purge took beyond the build packages.
back=()
for p in "${taken[@]}"; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || back+=("$p")
done
if [ ${#back[@]} -gt 0 ]; then
	echo "fresh-demo: reinstalling ${back[*]}"
	apt-get install -y -q --no-install-recommends "${back[@]}" > /dev/null
fi

if [ "$status" != 0 ]; then
	echo "fresh-demo: FAIL: make demo exited $status (log: $log)" >&2
	exit 1
fi
acks=$(grep -c '^--- ' "$log" || true)
if ! grep -q '^==> Demo finished' "$log" || [ "$acks" -lt 1 ]; then
	echo "fresh-demo: FAIL: the demo did not finish with acknowledgements (log: $log)" >&2
	exit 1
fi
grep -q '^install-deps: missing: .*libglib2.0-dev' "$log" ||
	{ echo "fresh-demo: FAIL: make demo did not install the missing packages" >&2; exit 1; }
echo "fresh-demo: ok: make demo installed the packages, built plaint and sent $acks acknowledgements"
rm -f "$log"
# What CI builds next is built afresh, with its own flags (-Werror).
make clean > /dev/null
