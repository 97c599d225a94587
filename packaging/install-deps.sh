#!/bin/bash
# Install the Debian 12 packages plaint needs.  Does nothing when all of
# them are installed.  As root it runs apt-get; otherwise it prints the
# command to run and exits 1 if anything is missing.
#
#   packaging/install-deps.sh           build, test (make check), demo
#   packaging/install-deps.sh package   also what `make deb` and
#                                       `make package-test` need
#   packaging/install-deps.sh --bench   also what `make bench` needs: Postfix
#       for its smtp-sink and smtp-source test programs.  Installed with
#       "No configuration", so Postfix has no main.cf and its service
#       does nothing; the bench runs smtp-sink itself on a loopback port.
set -euo pipefail

PACKAGES=(
	# libraries the gateway links against
	libetpan-dev libgmime-3.0-dev libpq-dev libpcre2-dev libgnutls28-dev
	libglib2.0-dev libxml2-dev libjson-glib-dev libsystemd-dev libmicrohttpd-dev
	pkg-config
	build-essential
	# SASL PLAIN/LOGIN plugins for libetpan's AUTH (only a Recommends)
	libsasl2-modules
	# test servers and test tools (tests/harness.sh)
	postgresql postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
	dovecot-imapd python3-aiosmtpd openssl
	# the fuzz target (libFuzzer)
	clang libclang-rt-14-dev
	# man page lint (groff) and the unit's sandbox score (systemd-analyze)
	groff-base man-db systemd
)
BENCH=0
case "${1:-}" in
# make deb: dpkg-buildpackage, dh with dh_installsysusers, lintian;
# make package-test: a fresh Debian root
package) PACKAGES+=(dpkg-dev debhelper fakeroot lintian debootstrap) ;;
--bench) BENCH=1; PACKAGES+=(postfix) ;;
"") ;;
*) echo "usage: $0 [package | --bench]" >&2; exit 64 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed" >&2
	exit 0
fi

echo "install-deps: missing: ${missing[*]}" >&2
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: not root; run as root:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ $BENCH = 1 ]; then
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
fi
apt-get update
apt-get install -y --no-install-recommends "${PACKAGES[@]}"
