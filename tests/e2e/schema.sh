#!/bin/bash
# tests/e2e/schema.sh - the SQL layout: tables in numbered migrations,
# code (types, functions, views) in sql/code re-created by every `plaint
# db migrate`, and sql/schema.sql, the tables in one file, equal to what
# the migrations make.
#   tests/e2e/schema.sh            the test (make check runs it)
#   tests/e2e/schema.sh --update   writes sql/schema.sql anew (make schema)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
: "${LOGDIR:=$(mktemp -d)}"
if [ "${1:-}" = --update ]; then
	env=$(tests/harness.sh up 2> "$LOGDIR/harness.err") || { cat "$LOGDIR/harness.err"; exit 1; }
	eval "$env"
	trap 'tests/harness.sh down "$GW_TMP" 2>/dev/null' EXIT
fi
W=$(mktemp -d "${GW_TMP:-/tmp}/schema.XXXXXX")
export PGDATABASE=plaint_schema
RULES_DIR=$PWD/rules
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
write_conf "$W/plaint.conf" 9 ""
plaint_run schema-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate on an empty database"
if [ "${1:-}" = --update ]; then
	sh sql/schema.sh > sql/schema.sql && echo "sql/schema.sql written"
	exit
fi

sh sql/schema.sh > "$W/schema.sql"
diff -u sql/schema.sql "$W/schema.sql" > "$W/diff"
ok $? "sql/schema.sql is what the migrations make (else: make schema)"
[ -s "$W/diff" ] && head -40 "$W/diff" | sed 's/^/#   /'

# The code is the files: one object per file, each created by migrate.
n_files=$(ls sql/code/functions/*.sql sql/code/views/*.sql sql/code/types/*.sql 2>/dev/null | wc -l)
n_objects=$(sql "SELECT (SELECT count(DISTINCT p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'plaint'::regnamespace)
		+ (SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'plaint'::regnamespace
		   AND c.relkind = 'v')
		+ (SELECT count(*) FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid
		   WHERE t.typnamespace = 'plaint'::regnamespace AND c.relkind = 'c')")
is "$n_objects" "$n_files" "one file under sql/code per function, view and type in the database"
for f in sql/code/functions/*.sql sql/code/views/*.sql sql/code/types/*.sql; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .sql)
	grep -qE "^CREATE (FUNCTION|VIEW|TYPE) plaint\\.$name[ (]" "$f" ||
		ok 1 "$f creates plaint.$name"
done

# Row-level security policies are code as well: one file per table,
# holding that table's policies; every table with row-level security
# enabled has some.
n_pfiles=$(ls sql/code/policies/*.sql 2>/dev/null | wc -l)
n_ptables=$(sql "SELECT count(DISTINCT p.polrelid) FROM pg_policy p
		 JOIN pg_class c ON c.oid = p.polrelid
		 WHERE c.relnamespace = 'plaint'::regnamespace")
is "$n_ptables" "$n_pfiles" "one file under sql/code/policies per table with policies"
for f in sql/code/policies/*.sql; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .sql)
	grep -qE "^CREATE POLICY [a-z_]+ ON plaint\\.$name " "$f" ||
		ok 1 "$f makes the policies of plaint.$name"
done
is "$(sql "SELECT coalesce(string_agg(c.relname, ','), '') FROM pg_class c
	   WHERE c.relnamespace = 'plaint'::regnamespace AND c.relrowsecurity
	     AND NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid)")" "" \
	"every table with row-level security has policies"
n_policies=$(sql "SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
		  WHERE c.relnamespace = 'plaint'::regnamespace")

# A second migrate applies nothing and re-creates the code: an object
# dropped by hand comes back, and the recorded hash stays.
hash=$(sql "SELECT hash FROM plaint.schema_code")
sql "DROP VIEW plaint.overdue" > /dev/null
sql "DROP POLICY agents_see_their_queues ON plaint.tickets" > /dev/null
plaint_run schema-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate again"
grep -q "applied=0 " "$LOGDIR/schema-migrate.err"
ok $? "the second migrate applies no migration"
is "$(sql "SELECT to_regclass('plaint.overdue') IS NOT NULL")" t "the code is re-created: a dropped view is back"
is "$(sql "SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
	   WHERE c.relnamespace = 'plaint'::regnamespace")" "$n_policies" \
	"and so are the policies, a dropped one too"
is "$(sql "SELECT hash FROM plaint.schema_code")" "$hash" "the recorded code hash is the same"

# The daemon refuses a database whose code is another build's.
sql "UPDATE plaint.schema_code SET hash = repeat('0', 64)" > /dev/null
"$PLAINT" -c "$W/plaint.conf" once > /dev/null 2> "$W/err"
is "$?" 78 "once refuses code of another build: exit 78"
grep -q "views and functions are not this plaint's: run 'plaint db migrate'" "$W/err"
ok $? "and says to run db migrate"

# An admin's view over plaint's is not dropped silently: migrate stops,
# names it, and changes nothing.
sql "CREATE VIEW public.weekly AS SELECT number FROM plaint.open_tickets" > /dev/null
"$PLAINT" -c "$W/plaint.conf" db migrate > /dev/null 2> "$W/err"
ok "$([ $? != 0 ]; echo $?)" "migrate fails while another schema's view uses plaint's"
grep -q "weekly depends on plaint.open_tickets" "$W/err"
ok $? "and names the view and what it uses"
is "$(sql "SELECT to_regclass('public.weekly') IS NOT NULL")" t "the admin's view is still there"
is "$(sql "SELECT hash FROM plaint.schema_code")" "$(printf '0%.0s' $(seq 64))" "nothing was changed"
sql "DROP VIEW public.weekly" > /dev/null
plaint_run schema-migrate -c "$W/plaint.conf" db migrate
ok $? "once it is dropped, migrate works"
is "$(sql "SELECT hash FROM plaint.schema_code")" "$hash" "and records this build's code"
tap_done
