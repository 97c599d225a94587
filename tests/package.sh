#!/bin/bash
# tests/package.sh - `make package-test`: the Debian package installs
# and runs on a Debian 12 system that has never seen plaint.
#
#   tests/package.sh plaint_VERSION_ARCH.deb
#
# 1. `make install DESTDIR=... PREFIX=/usr` and the .deb ship the same
#    files, those the README promises.
# 2. A minimal Debian 12 root is made with debootstrap (from the same
#    apt mirror as the host), and the .deb is installed in it with
#    apt-get, which must resolve every dependency the package declares:
#    dpkg --root on the host would use the host's libraries and users,
#    and prove neither the Depends nor the postinst.
# 3. In that root: the postinst made the system user _plaint (sysusers)
#    and gave plaint.conf to root:_plaint 0640; the installed plaint
#    prints its version; after the admin's one step (a password file),
#    `plaint config check` passes on the installed files, as root and as
#    _plaint.
# 4. The README's "Install on a server", its shell blocks as written, with
#    Debian's PostgreSQL 15 in that root (socket only: the root shares
#    the host's network): the admin migrates as postgres, the logins get
#    their roles, and the gateway's login reaches the database through
#    peer authentication as _plaint.  (systemctl lines are left out: no
#    systemd runs in a chroot.)  Then the package purges cleanly.
# Needs root and the network to the Debian mirror; takes a few minutes.
# PACKAGE_TEST_BASE=DIR reuses a debootstrapped root (copied, not changed).
# Prints TAP, then "package: N passed, N failed"; exits 1 on a failure.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
DEB=${1:?usage: tests/package.sh plaint_VERSION_ARCH.deb}
VERSION=$(sed -n 's/^VERSION *= *//p' Makefile)
[ "$(id -u)" = 0 ] || { echo "package: needs root (debootstrap, chroot)" >&2; exit 1; }
W=$(mktemp -d /tmp/plaint-package.XXXXXX)
ROOT=$W/root
mounted=""
pg_started=""
cleanup() {
	[ -n "$pg_started" ] && chroot "$ROOT" pg_ctlcluster 15 main stop -m fast > /dev/null 2>&1
	[ -n "$mounted" ] && umount "$ROOT/proc" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
in_root() { chroot "$ROOT" "$@"; }

# --- 1. what is installed ------------------------------------------------
expected() {	# the files of an installation under PREFIX=/usr, UNITDIR=$1
	echo "/usr/bin/plaint"
	echo "/etc/plaint/plaint.conf"
	echo "/etc/plaint/ack-default.txt"
	echo "/etc/plaint/survey-default.txt"
	for r in rules/*.rules; do echo "/etc/plaint/rules.d/${r#rules/}"; done
	echo "$1/plaint.service"
	echo "/usr/lib/sysusers.d/plaint.conf"
	echo "/usr/share/man/man8/plaint.8$2"
	echo "/usr/share/man/man5/plaint.conf.5$2"
	echo "/usr/share/man/man5/plaint-rules.5$2"
	echo "/usr/share/man/man7/plaint-sql.7$2"
}
make -s install DESTDIR="$W/inst" PREFIX=/usr > /dev/null
ok $? "make install DESTDIR=... PREFIX=/usr"
is "$(cd "$W/inst" && find . -type f | sed 's/^\.//' | sort)" \
	"$(expected /usr/lib/systemd/system "" | sort)" "make install installs exactly the promised files"
is "$(stat -c %a "$W/inst/etc/plaint/plaint.conf")" 640 "make install: plaint.conf is 0640"
grep -qx 'dir = /etc/plaint/rules.d' "$W/inst/etc/plaint/plaint.conf"
ok $? "make install: the installed config reads its rules from /etc/plaint/rules.d"
is "$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { print $6 }' | sed 's/^\.//' | grep -v '^/usr/share/doc/' | sort)" \
	"$(expected /lib/systemd/system .gz | sort)" "the .deb ships the same files (man pages compressed)"
is "$(dpkg-deb -f "$DEB" Version)" "$VERSION" "the package's version is the Makefile's ($VERSION)"
dpkg-deb -e "$DEB" "$W/control"
is "$(sort "$W/control/conffiles")" \
	"$(expected /lib/systemd/system .gz | grep '^/etc/' | sort)" "every file under /etc is a conffile"
grep -vE '^\s*#' "$W/control/postinst" | grep -qiE 'psql|plaint .*db|migrate|pg_'
is "$?" 1 "the postinst touches no database"

# --- 2. a fresh Debian 12 root --------------------------------------------
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
start=$(date +%s)
if [ -n "${PACKAGE_TEST_BASE:-}" ]; then
	cp -a "$PACKAGE_TEST_BASE" "$ROOT"
else
	debootstrap --variant=minbase bookworm "$ROOT" "$mirror" > "$W/debootstrap.log" 2>&1
fi
ok $? "a minimal Debian 12 root ($(( $(date +%s) - start )) s)"
[ -x "$ROOT/bin/sh" ] || { tail -n 20 "$W/debootstrap.log"; tap_done; exit 1; }
in_root id _plaint > /dev/null 2>&1
is "$?" 1 "the fresh root has no user _plaint yet"
mount -t proc proc "$ROOT/proc" 2>/dev/null && mounted=1
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"	# start nothing
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp "$DEB" "$ROOT/tmp/"
start=$(date +%s)
in_root env DEBIAN_FRONTEND=noninteractive sh -c \
	"apt-get update -q && apt-get install -y -q --no-install-recommends /tmp/$(basename "$DEB")" \
	> "$W/apt.log" 2>&1
rc=$?
ok $rc "apt-get installs the .deb with its dependencies ($(( $(date +%s) - start )) s)"
[ $rc = 0 ] || tail -n 20 "$W/apt.log" | sed 's/^/#   /'
is "$(in_root dpkg-query -W -f='${db:Status-Status}' plaint 2>/dev/null)" installed "dpkg says plaint is installed"

# --- 3. the installed files, used -------------------------------------
pw=$(in_root getent passwd _plaint)
ok "$([ -n "$pw" ]; echo $?)" "the postinst created the system user _plaint ($pw)"
uid=$(echo "$pw" | cut -d: -f3)
ok "$([ -n "$uid" ] && [ "$uid" -lt 1000 ]; echo $?)" "_plaint is a system user (uid $uid)"
case "$(echo "$pw" | cut -d: -f7)" in
*/nologin) ok 0 "_plaint cannot log in" ;;
*) ok 1 "_plaint cannot log in (shell: $(echo "$pw" | cut -d: -f7))" ;;
esac
is "$(in_root stat -c '%a %U %G' /etc/plaint/plaint.conf)" "640 root _plaint" \
	"/etc/plaint/plaint.conf is 0640 root:_plaint"
is "$(in_root /usr/bin/plaint --version)" "plaint $VERSION" "the installed plaint --version"
in_root /usr/bin/plaint run --help > "$W/help" 2>&1
ok $? "the installed plaint run --help"

# The sample names one password file; the admin creates it (README).
in_root /usr/bin/plaint -c /etc/plaint/plaint.conf config check > "$W/check" 2>&1
is "$?" 78 "config check before the admin's step: 78 (the password file is missing)"
grep -q 'secrets/support.pass' "$W/check"
ok $? "... and says which file"
in_root sh -c 'install -d -m 0750 -g _plaint /etc/plaint/secrets &&
	echo s3cret | install -m 0640 -g _plaint /dev/stdin /etc/plaint/secrets/support.pass'
in_root /usr/bin/plaint -c /etc/plaint/plaint.conf config check > "$W/check" 2>&1
rc=$?
ok $rc "config check passes on the installed config and rules"
[ $rc = 0 ] || sed 's/^/#   /' "$W/check"
nrules=$(grep -h '^rule ' rules/*.rules | wc -l)
grep -qE "/etc/plaint/plaint.conf: ok, 1 mailbox, $nrules rules " "$W/check"
ok $? "it read the $nrules rules of /etc/plaint/rules.d ($(cat "$W/check"))"
chroot --userspec=_plaint:_plaint "$ROOT" /usr/bin/plaint -c /etc/plaint/plaint.conf \
	config check > "$W/check-user" 2>&1
rc=$?
ok $rc "config check passes as _plaint, the unit's user"
[ $rc = 0 ] || sed 's/^/#   /' "$W/check-user"
chroot --userspec=nobody:nogroup "$ROOT" /usr/bin/plaint -c /etc/plaint/plaint.conf \
	config check > /dev/null 2>&1
is "$?" 78 "another user cannot read the config (78)"

# --- 4. the README, on a database -------------------------------------
# readme_block TEXT: the ```sh block of README.md that contains TEXT.
readme_block() {
	awk -v want="$1" '
		/^```sh$/ { inside = 1; block = ""; next }
		/^```$/ && inside { inside = 0; if (index(block, want)) print block; next }
		inside { block = block $0 "\n" }
	' README.md | grep -v '^systemctl '
}
start=$(date +%s)
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	postgresql-15 > "$W/apt-pg.log" 2>&1
ok $? "PostgreSQL 15 installed in the root ($(( $(date +%s) - start )) s)"
echo "listen_addresses = ''" >> "$ROOT/etc/postgresql/15/main/postgresql.conf"
in_root pg_ctlcluster 15 main start > "$W/pg.log" 2>&1
rc=$?
ok $rc "its cluster starts"
[ $rc = 0 ] && pg_started=1
readme_block 'createdb plaint' > "$W/db.sh"
ok "$([ -s "$W/db.sh" ]; echo $?)" "the README's database block ($(wc -l < "$W/db.sh") lines)"
in_root bash -e < "$W/db.sh" > "$W/db.log" 2>&1
rc=$?
ok $rc "the README's database block runs"
[ $rc = 0 ] || sed 's/^/#   /' "$W/db.log"
pgq() { in_root runuser -u postgres -- psql -X -A -t -d plaint -c "$1"; }
is "$(pgq 'SELECT count(*) FROM plaint.schema_migrations')" "$(ls sql/migrations/*.sql | wc -l)" \
	"db migrate --conninfo dbname=plaint, as postgres, applied every migration"
is "$(pgq "SELECT string_agg(m.rolname || '>' || r.rolname, ' ' ORDER BY m.rolname) FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member WHERE m.rolname IN ('_plaint', 'alice', 'sam')")" \
	"_plaint>plaint_gateway alice>plaint_agent sam>plaint_admin" "each login holds its one role"
# The block's --connect line logs in to the sample's servers, which do
# not exist here: it must fail with 69 and name both, and the database
# it reaches must pass.
readme_block 'plaint config check' > "$W/block.sh"
grep -v -- '--connect' "$W/block.sh" > "$W/mailbox.sh"
grep -- '--connect' "$W/block.sh" | sed 's/#.*//' > "$W/connect.sh"
in_root bash -e < "$W/mailbox.sh" > "$W/mailbox.log" 2>&1
rc=$?
ok $rc "the README's mailbox block runs (up to config check)"
[ $rc = 0 ] || sed 's/^/#   /' "$W/mailbox.log"
in_root bash < "$W/connect.sh" > "$W/connect.log" 2>&1
rc=$?
is "$rc $(grep -c 'FAILED: .*cannot resolve the name' "$W/connect.log") $(grep -c '^database: ok' "$W/connect.log")" \
	"69 2 1" "config check --connect from the README: the database reached, the sample's IMAP and SMTP hosts named as unreachable, 69"
[ "$rc" = 69 ] || sed 's/^/#   /' "$W/connect.log"
is "$(in_root cat /etc/plaint/secrets/support.pass)" "the IMAP password" "the password file holds the password"
is "$(in_root stat -c '%a %U %G' /etc/plaint/secrets/support.pass)" "640 root _plaint" "... 0640 root:_plaint"
in_root runuser -u _plaint -- plaint rules test --stored > "$W/stored.log" 2>&1
rc=$?
ok $rc "as _plaint, the shipped conninfo reaches the database (peer authentication, schema checked)"
[ $rc = 0 ] || sed 's/^/#   /' "$W/stored.log"
in_root plaint rules test --stored > /dev/null 2>&1
is "$?" 75 "as root, the same conninfo is refused: the login is _plaint's alone"

in_root env DEBIAN_FRONTEND=noninteractive dpkg --purge plaint > "$W/purge.log" 2>&1
ok $? "dpkg --purge plaint"
ok "$([ ! -e "$ROOT/usr/bin/plaint" ] && [ ! -e "$ROOT/etc/plaint/plaint.conf" ]; echo $?)" \
	"purge removes the binary and the conffiles"

tap_done > "$W/plan"
cat "$W/plan"
echo "package: $((TAP_N - TAP_FAILED)) passed, $TAP_FAILED failed"
[ "$TAP_FAILED" = 0 ]
