#!/bin/bash
# tests/sql.sh - pgTAP tests of the schema: a database made from zero by
# `plaint db migrate`, then pg_prove over tests/sql/*.sql (each file is
# one transaction that rolls back).
set -eu
cd "$(dirname "$0")/.."
. tests/lib.sh
export PGDATABASE=plaint_sqltest
RULES_DIR=$PWD/rules
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
psql -X -q -c 'CREATE EXTENSION pgtap'
write_conf "$LOGDIR/sql.conf" 1 ""
"$PLAINT" -q -c "$LOGDIR/sql.conf" db migrate 2>> "$LOGDIR/sql-migrate.err"
pg_prove --verbose --failures tests/sql/*.sql
