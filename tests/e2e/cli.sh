#!/bin/bash
# tests/e2e/cli.sh - the command line: the sample config passes `config
# check`; bad configs and rule files are refused with file:line and the
# sysexits codes the README promises.  Needs no server.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
W=$(mktemp -d "${GW_TMP:-/tmp}/cli.XXXXXX")

# The sample, with its secrets and rules pointed at files that exist.
mkdir -p "$W/secrets"
echo secret > "$W/secrets/support.pass"
cp packaging/ack-default.txt packaging/survey-default.txt "$W/"
sed -e "s|/etc/plaint/secrets/|secrets/|" -e "s|^dir = .*|dir = $PWD/rules|" \
	packaging/plaint.conf > "$W/plaint.conf"
plaint_run cli-sample -c "$W/plaint.conf" config check
ok $? "the sample config (packaging/plaint.conf) passes config check"
keys=$(grep -cE '^#?[a-z_]+ = ' packaging/plaint.conf)
ok "$([ "$keys" -ge 35 ]; echo $?)" "the sample shows every key ($keys lines)"
for k in $(grep -o '{ "[a-z]*", "[a-z_]*", KEY_' gateway/config.c | sed 's/", KEY_//; s/.*"//' | sort -u); do
	grep -qE "^#?$k = " packaging/plaint.conf || { ok 1 "the sample shows key '$k'"; }
done

# refuse: EXPECTED-STATUS TEXT-IN-STDERR DESCRIPTION, config in bad.conf
refuse() {
	local want=$1 text=$2 desc=$3 got
	"$PLAINT" -c "$W/bad.conf" config check > /dev/null 2> "$W/err"
	got=$?
	is "$got" "$want" "$desc: exit $want"
	grep -qF -- "$text" "$W/err"
	ok $? "$desc: says '$text'"
	[ $? = 0 ] || sed 's/^/#   /' "$W/err"
}

base() {
	sed -e "s|/etc/plaint/secrets/|secrets/|" -e "s|^dir = .*|dir = $PWD/rules|" \
		packaging/plaint.conf
}
base | sed 's/^security = starttls/security = starttls\ncolour = blue/' > "$W/bad.conf"
refuse 78 \
	"bad.conf:$(($(grep -n '^security = starttls' packaging/plaint.conf | cut -d: -f1) + 1)): unknown key 'colour' in [smtp]" \
	"an unknown key"
base | sed 's/^conninfo = .*//' > "$W/bad.conf"
refuse 78 "needs a value for 'conninfo'" "a missing required key"
base | sed 's/^security = tls/security = ssl/' > "$W/bad.conf"
refuse 78 \
	"bad.conf:$(grep -n '^security = tls' packaging/plaint.conf | cut -d: -f1): security must be tls, starttls or none, not 'ssl'" \
	"a bad enumerated value"
base | sed 's/^poll_interval = 30/poll_interval = soon/' > "$W/bad.conf"
refuse 78 \
	"poll_interval must be a whole number" "a bad number"
base | sed 's|secrets/support.pass|secrets/missing.pass|' > "$W/bad.conf"
refuse 78 \
	"bad.conf:$(grep -n '^password_file' packaging/plaint.conf | cut -d: -f1):" "a missing password file"
: > "$W/bad.conf"
refuse 78 "needs a value for" "an empty config file"
echo "host=/nowhere dbname=plaint password=s3cret" > "$W/secrets/conninfo"
base | sed 's|^#conninfo_file = .*|conninfo_file = secrets/conninfo|' > "$W/bad.conf"
refuse 78 \
	"bad.conf:$(grep -n '^#conninfo_file' packaging/plaint.conf | cut -d: -f1): conninfo and conninfo_file exclude each other" \
	"conninfo and conninfo_file both"
base | sed -e 's|^#conninfo_file = .*|conninfo_file = secrets/nothing|' -e 's/^conninfo = .*//' > "$W/bad.conf"
refuse 78 "secrets/nothing" "a conninfo_file that is not there"
base | sed -e 's|^#conninfo_file = .*|conninfo_file = secrets/conninfo|' -e 's/^conninfo = .*//' > "$W/bad.conf"
"$PLAINT" -c "$W/bad.conf" config check > /dev/null 2> "$W/err"
is "$?" 0 "a conninfo_file that is there: config check passes"
! grep -q s3cret "$W/err"
ok $? "and the password in it is never printed"
"$PLAINT" -c "$W/bad.conf" once > /dev/null 2> "$W/err"
grep -q "/nowhere" "$W/err"
ok $? "the daemon connects with the file's conninfo (its host is named in the error)"
! grep -q s3cret "$W/err"
ok $? "without printing its password"
{ base; printf '[imap]\nhost = x\n'; } > "$W/bad.conf"
refuse 78 "unknown section [imap]" "an unknown section"
{ base; echo "this line is junk"; } > "$W/bad.conf"
refuse 78 \
	"bad.conf:$(($(wc -l < packaging/plaint.conf) + 1)): expected 'key = value'" "a line that is not INI"
base | sed "s|^dir = .*|dir = $W/no-rules|" > "$W/bad.conf"
refuse 78 "rules dir" "a missing rules dir"
printf 'Subject: no tag here\n\nHello {nmae}\n' > "$W/bad-template.txt"
base | sed "s|^file = ack-default.txt|file = bad-template.txt|" > "$W/bad.conf"
refuse 78 "bad-template.txt:1: the Subject line must hold {ticket}" "a template without the ticket tag"
printf 'Subject: [{ticket}]\n\nHello {nmae}\n' > "$W/bad-template.txt"
refuse 78 "bad-template.txt:3: unknown placeholder" "a template with an unknown placeholder"
base | sed "s|^#template = default|template = nosuch|" > "$W/bad.conf"
refuse 78 "no [template nosuch] section" "a queue naming a missing template"

# The sample's mailbox switched to XOAUTH2 as its comments say.
xoauth2() {	# SED-COMMANDS for the [mailbox support] section
	base | sed "/^\[mailbox support\]/,/^\[queue/ { s/^#auth = password/auth = xoauth2/; $1 }"
}
xoauth2 's/^password_file/#password_file/; s/^#token_file/token_file/' > "$W/xoauth2.conf"
plaint_run cli-xoauth2 -c "$W/xoauth2.conf" config check
ok $? "the sample with its mailbox on auth = xoauth2 and token_file passes config check"
xoauth2 's/^#token_file/token_file/' > "$W/bad.conf"
refuse 78 \
	"bad.conf:$(grep -n '^password_file' packaging/plaint.conf | cut -d: -f1): password_file does not go with auth = xoauth2" \
	"auth = xoauth2 with a password_file"
xoauth2 's/^password_file/#password_file/' > "$W/bad.conf"
refuse 78 \
	"bad.conf:$(grep -n '^#auth = password' packaging/plaint.conf | tail -n 1 | cut -d: -f1): auth = xoauth2 needs token_command or token_file" \
	"auth = xoauth2 without a token source"

"$PLAINT" -c "$W/none.conf" once 2> "$W/err"
is "$?" 78 "a missing config file: exit 78"
"$PLAINT" > /dev/null 2>&1
is "$?" 64 "no command: exit 64"
"$PLAINT" -c "$W/plaint.conf" frobnicate > /dev/null 2> "$W/err"
is "$?" 64 "an unknown command: exit 64"
grep -qF "unknown command 'frobnicate'" "$W/err" && grep -qF "Try 'plaint --help'" "$W/err"
ok $? "an unknown command is named, with a pointer to --help"
"$PLAINT" -c "$W/plaint.conf" rulse check > /dev/null 2> "$W/err"
is "$?" 64 "a misspelt command: exit 64"
grep -qF "did you mean 'rules'?" "$W/err"
ok $? "a misspelt command gets the nearest name as a hint"
"$PLAINT" -c "$W/plaint.conf" rules > /dev/null 2> "$W/err"
is "$?" 64 "a command missing its second word: exit 64"
grep -qF "'rules check', 'rules test'" "$W/err"
ok $? "a missing second word lists the commands that take one"
"$PLAINT" -c "$W/plaint.conf" once extra > /dev/null 2>&1
is "$?" 64 "a command given an operand it does not take: exit 64"

# Help, from the top and for every command, reads no config: -c names a
# file that does not exist, and a config that is read would give 78.
"$PLAINT" -c "$W/none.conf" --help > "$W/help" 2> "$W/err"
is "$?" 0 "plaint --help: exit 0"
is "$(wc -c < "$W/err")" 0 "plaint --help: nothing on stderr"
# The commands, with their options as the help of each must name them.
cat > "$W/commands" <<'CMDS'
run|
once|
ingest|--mailbox
requeue|--all --reason
config check|--connect
status|--json
db migrate|--conninfo
rules check|
rules test|--json --mailbox --rules --stored --since
parse|--mbox
CMDS
listed=$(sed -n '/^Commands:/,/^$/p' "$W/help" | sed -nE 's/^  ([a-z]+( [a-z]+)?)  .*/\1/p' | sort)
is "$listed" "$(cut -d'|' -f1 "$W/commands" | sort)" "plaint --help lists exactly the commands tested here"
while IFS='|' read -r cmd opts; do
	grep -qE "^  $cmd  " "$W/help"
	ok $? "plaint --help lists '$cmd'"
	# shellcheck disable=SC2086
	"$PLAINT" -c "$W/none.conf" $cmd --help > "$W/cmd-help" 2> "$W/err"
	is "$?" 0 "plaint $cmd --help: exit 0 without a config"
	head -n 2 "$W/cmd-help" | grep -qF "plaint [-c FILE] $cmd"
	ok $? "plaint $cmd --help: the usage line names the command"
	missing=""
	for opt in $opts --help; do
		grep -qE -- "(^| )$opt(=| |$)" "$W/cmd-help" || missing="$missing $opt"
	done
	is "$missing" "" "plaint $cmd --help names its options:$opts --help"
	grep -q "^Exit status" "$W/cmd-help"
	ok $? "plaint $cmd --help states its exit status"
done < "$W/commands"
"$PLAINT" -c "$W/none.conf" rules test -h > /dev/null 2>&1
is "$?" 0 "-h works as --help"
"$PLAINT" -c "$W/none.conf" run --no-such-option > /dev/null 2> "$W/err"
is "$?" 64 "an unknown option of a command: exit 64"
is "$("$PLAINT" --version)" "plaint $(sed -n 's/^VERSION *= *//p' Makefile)" "--version"

# Rule files: errors with file:line:column; a good set passes.
mkdir -p "$W/rules"
printf 'rule ok\n  when subject ~ /refund/i\n  set queue billing\n' > "$W/rules/10-good.rules"
printf '# broken\nrule bad\n  when subject ~ /(unclosed/\n  set colour red\n' > "$W/rules/20-bad.rules"
"$PLAINT" rules check "$W/rules" > /dev/null 2> "$W/err"
is "$?" 65 "rules check on a broken rule file: exit 65"
grep -q "^$W/rules/20-bad.rules:3:[0-9]*: bad pattern" "$W/err"
ok $? "the bad pattern is named by file:line:column"
grep -q "^$W/rules/20-bad.rules:4:[0-9]*: " "$W/err"
ok $? "the bad action is named too, by file:line:column"
rm "$W/rules/20-bad.rules"
"$PLAINT" rules check "$W/rules" > "$W/out" 2>&1
ok $? "rules check on the mended dir: exit 0"
plaint_run cli-rules rules check rules
ok $? "the shipped rules/ pass rules check"
mkdir -p "$W/man"
sed -n '/^\.nf/,/^\.fi/p' packaging/plaint-rules.5 | sed '1d;$d' | sed 's/\\e/\\/g' \
	> "$W/man/example.rules"
plaint_run cli-man rules check "$W/man"
ok $? "the examples of plaint-rules(5) pass rules check"

tap_done
