#!/bin/bash
# tests/e2e/packaging.sh - what packaging/ ships besides the binary: the
# man pages render without a warning, plaint.conf(5) documents every key
# of config.c's table with its default, plaint(8) every command; the
# systemd unit scores 2.0 or better on `systemd-analyze security` and
# agrees with the sample config and the sysusers file.  Needs no server.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
W=$(mktemp -d "${GW_TMP:-/tmp}/packaging.XXXXXX")
PAGES="packaging/plaint.8 packaging/plaint.conf.5 packaging/plaint-rules.5 packaging/plaint-sql.7"

# --- man pages render cleanly ------------------------------------------
for page in $PAGES; do
	groff -man -ww -z "$page" > "$W/groff.out" 2>&1
	is "$(cat "$W/groff.out")" "" "groff -man -ww finds nothing to warn about in $page"
	MANWIDTH=80 man --warnings -l "$page" > "$W/page.txt" 2> "$W/man.err"
	ok $? "man -l renders $page"
	is "$(cat "$W/man.err")" "" "man --warnings is silent on $page"
	name=$(basename "$page" | sed 's/\.[0-9]$//' | tr 'a-z' 'A-Z')
	head -n 1 "$W/page.txt" | grep -qF "$name("
	ok $? "$page renders with its title $name"
done

# --- plaint.conf(5): every key of config.c, in its section --------------
# Rows of the key table: { "section", "name", KEY_TYPE, TARGET(field),
# default-or-NULL, optional, min, max }.
grep -E '^	\{ "[a-z]+", "[a-z_]+", KEY_' gateway/config.c |
	sed -E 's/^	\{ "([a-z]+)", "([a-z_]+)", (KEY_[A-Z]+), [A-Z]+\([a-z_]+\), ("[^"]*"|NULL), (TRUE|FALSE),.*/\1\t\2\t\3\t\4\t\5/' \
	> "$W/keys"
nkeys=$(wc -l < "$W/keys")
ok "$([ "$nkeys" -ge 40 ]; echo $?)" "config.c's table read: $nkeys keys"
is "$(grep -vcP '^[a-z]+\t[a-z_]+\tKEY_[A-Z]+\t("[^"]*"|NULL)\t(TRUE|FALSE)$' "$W/keys")" 0 \
	"every row of the table parsed"

# The page as "SECTION KEY FIRST-LINE" triples: .SS names the section
# ("[mailbox NAME]" -> mailbox), ".TP / .B key" a key, the line after it
# its type and default.
awk '
	/^\.SS / { s = $2; gsub(/[\[\]"]/, "", s); next }
	/^\.SH / { s = "" }
	prev == ".TP" && /^\.B [a-z_]+$/ && s != "" { key = $2; getline; print s, key, $0 }
	{ prev = $0 }
' packaging/plaint.conf.5 | sed 's/\\//g' > "$W/documented"
while IFS=$'\t' read -r section key type def optional; do
	line=$(grep -E "^$section $key " "$W/documented" | head -1)
	if [ -z "$line" ]; then
		ok 1 "plaint.conf(5) documents [$section] $key"
		continue
	fi
	case "$type:$def" in
	*:NULL) [ "$optional" = TRUE ] && want="optional." || want="required." ;;
	KEY_CHOICE:*) def=${def//\"/}; want="default ${def%%|*}." ;;	# "first|others"
	*) want="default ${def//\"/}." ;;
	esac
	case "$line" in
	*"$want") ok 0 "plaint.conf(5): [$section] $key, $want" ;;
	*) ok 1 "plaint.conf(5): [$section] $key says '$want' (page: '${line#* * }')" ;;
	esac
done < "$W/keys"
is "$(wc -l < "$W/documented")" "$nkeys" "plaint.conf(5) documents no key that config.c lacks"

# Its minimal example passes config check (with a secret and rules).
mkdir -p "$W/example"
sed -n '/^\.SH EXAMPLES/,/^\.SH /p' packaging/plaint.conf.5 | sed -n '/^\.nf/,/^\.fi/p' |
	grep -vE '^\.(nf|fi|RS|RE)' | sed 's/\\-/-/g' |
	sed "s|^password_file = .*|password_file = $W/example/support.pass|" > "$W/example/plaint.conf"
printf '[rules]\ndir = %s\n' "$PWD/rules" >> "$W/example/plaint.conf"
echo secret > "$W/example/support.pass"
plaint_run packaging-example -c "$W/example/plaint.conf" config check
ok $? "the minimal example of plaint.conf(5) passes config check"

# --- plaint(8): every command that plaint --help lists -----------------
"$PLAINT" --help | sed -n '/^Commands:/,/^$/p' | sed -nE 's/^  ([a-z]+( [a-z]+)?)  .*/\1/p' > "$W/commands"
ok "$([ "$(wc -l < "$W/commands")" -ge 8 ]; echo $?)" "plaint --help lists $(wc -l < "$W/commands") commands"
sed -n '/^\.SH COMMANDS/,/^\.SH /p' packaging/plaint.8 |
	awk 'prev == ".TP" { print } { prev = $0 }' |
	sed -E 's/^\.BR? //; s/"//g; s/\\f[BIRP]//g; s/\\-/-/g' > "$W/items"
while read -r cmd; do
	grep -qE "^$cmd( |$)" "$W/items"
	ok $? "plaint(8) describes '$cmd'"
done < "$W/commands"
for code in 0 64 65 66 69 70 75 78; do
	sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' packaging/plaint.8 | grep -qx ".B $code"
	ok $? "plaint(8) explains exit status $code"
done

# --- the systemd unit ----------------------------------------------------
unit=packaging/plaint.service
if ! command -v systemd-analyze > /dev/null; then
	echo "# SKIP: systemd-analyze is not installed (package systemd); the unit's score is not checked"
else
	systemd-analyze security --offline=true "$unit" > "$W/security" 2>&1
	score=$(sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+) .*/\1/p' "$W/security")
	echo "# systemd-analyze security --offline=true $unit: ${score:-no score} (lower is safer)"
	ok "$(awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'; echo $?)" \
		"the unit's exposure score is 2.0 or lower (${score:-none})"
	systemd-analyze security --offline=true --threshold=20 "$unit" > /dev/null 2>&1
	ok $? "systemd-analyze --threshold=20 (2.0) accepts the unit"
fi
for setting in Type=notify WatchdogSec= NoNewPrivileges=yes ProtectSystem=strict \
	ProtectHome=yes PrivateTmp=yes PrivateDevices=yes 'CapabilityBoundingSet=$' \
	SystemCallFilter=@system-service 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
	ProtectClock=yes ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
	ProtectControlGroups=yes RestrictNamespaces=yes RestrictRealtime=yes RestrictSUIDSGID=yes \
	LockPersonality=yes UMask=; do
	grep -qE "^$setting" "$unit"
	ok $? "the unit sets ${setting%$}"
done
user=$(sed -n 's/^User=//p' "$unit")
is "$(awk '$1 == "u" { print $2 }' packaging/plaint.sysusers)" "$user" \
	"plaint.sysusers creates the unit's user ($user)"
if grep -qx 'MemoryDenyWriteExecute=yes' "$unit"; then
	grep -qx 'jit = false' packaging/plaint.conf
	ok $? "MemoryDenyWriteExecute=yes in the unit: the sample config sets jit = false"
fi
for page in $(sed -n 's/^Documentation=//p' "$unit"); do
	name=${page#man:}
	f=packaging/$(echo "$name" | sed -E 's/\(([0-9])\)$/.\1/')
	ok "$([ -f "$f" ]; echo $?)" "the unit's Documentation= $page is shipped ($f)"
done
grep -q '^ExecStart=/usr/bin/plaint -c /etc/plaint/plaint.conf run$' "$unit"
ok $? "the unit runs plaint run on the installed config"

tap_done
