#!/bin/bash
# tests/e2e/install.sh - the database steps of the README's "Install on a
# server", on the harness's PostgreSQL: an administrator migrates with
# --conninfo and no config; the gateway's own login, given nothing but
# plaint_gateway, files mail and sends the acknowledgement, and cannot
# change the schema; an agent's login holding plaint_agent reads the
# ticket.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/install.XXXXXX")
DB=plaint_install
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
psql -X -q -d postgres -c "DO \$\$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'install_gw') THEN
		CREATE ROLE install_gw LOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'install_agent') THEN
		CREATE ROLE install_agent LOGIN;
	END IF; END \$\$"

# The administrator: no config file at all (-c names none).
"$PLAINT" -c "$W/none.conf" db migrate \
	--conninfo "host=$PGHOST port=$PGPORT dbname=$DB user=postgres" \
	> "$LOGDIR/install-migrate.out" 2> "$LOGDIR/install-migrate.err"
ok $? "db migrate --conninfo, without a config"
is "$(psql -X -A -t -d "$DB" -c 'SELECT count(*) FROM plaint.schema_migrations')" \
	"$(ls sql/migrations/*.sql | wc -l)" "every migration of sql/migrations/ is applied"
is "$(psql -X -A -t -d "$DB" -c "SELECT string_agg(rolname, ' ' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'plaint\\_%'")" \
	"plaint_admin plaint_agent plaint_gateway" "the roles exist"
psql -X -q -d "$DB" -c "GRANT plaint_gateway TO install_gw" -c "GRANT plaint_agent TO install_agent"

# The gateway, as its own login.
echo alicepw > "$GW_TMP/alice.pass"
clear_folder alice alicepw Install
write_conf "$W/plaint.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' 'folder = Install')"
sed -i "s|^conninfo = .*|conninfo = host=$PGHOST port=$PGPORT dbname=$DB user=install_gw|" "$W/plaint.conf"
plaint_run install-check -c "$W/plaint.conf" config check
ok $? "config check"
printf 'From: Ines <ines@example.org>\nTo: care@example.com\nSubject: My order never came\nMessage-ID: <ines-1@example.org>\n\nOrder 5521 is missing.\n' > "$W/m.eml"
"$PY" tests/imap_append.py --port "$IMAP_PORT" --folder Install "$W/m.eml" > /dev/null
before=$(sink_for ines@example.org | wc -l)
plaint_run install-once -c "$W/plaint.conf" once
ok $? "plaint once as the gateway's login (plaint_gateway only)"
is "$(psql -X -A -t -d "$DB" -c "SELECT count(*) FROM plaint.messages WHERE message_id = 'ines-1@example.org' AND ticket_id IS NOT NULL")" \
	1 "the message is filed on a ticket"
is "$(( $(sink_for ines@example.org | wc -l) - before ))" 1 "its acknowledgement is sent"
psql -X -q -U install_gw -d "$DB" -c "CREATE TABLE plaint.extra (id int)" 2> "$W/err"
is "$?" 1 "the gateway's login cannot change the schema"
is "$(psql -X -A -t -U install_agent -d "$DB" -c "SELECT count(*) FROM plaint.open_tickets")" 1 \
	"an agent's login (plaint_agent) sees the open ticket"

tap_done
