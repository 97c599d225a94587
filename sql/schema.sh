#!/bin/sh
# Prints the schema of plaint's tables as sql/schema.sql holds it: a
# pg_dump of schema plaint from a database migrated by `plaint db
# migrate` (libpq's PG* variables name it), without the code of sql/code
# (functions, views, types, triggers, row-level security policies, and
# their comments and grants) and without owners and the dump's version
# lines.
#   sh sql/schema.sh > sql/schema.sql         (make schema does this)
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pg_dump --schema-only --schema=plaint --no-owner --format=custom \
	--file="$tmp/dump" "${PGDATABASE:-}"
pg_restore --list "$tmp/dump" > "$tmp/toc"
# TOC lines: "ID; CATALOG OID TYPE SCHEMA NAME OWNER"; for COMMENT and
# ACL entries, NAME is "KIND OBJECT" (views' grants say TABLE).
awk '
	$4 == "VIEW" { view[$6] = 1 }
	{ line[NR] = $0; type[NR] = $4; kind[NR] = $6; obj[NR] = $7 }
	END {
		for (i = 1; i <= NR; i++) {
			t = type[i]; k = kind[i]; o = obj[i]
			sub(/\(.*/, "", o); split(o, part, ".")
			if (t == "FUNCTION" || t == "VIEW" || t == "TYPE" || t == "TRIGGER" ||
			    t == "POLICY" || t == "DEFAULT")
				continue
			if ((t == "COMMENT" || t == "ACL") &&
			    (k == "FUNCTION" || k == "VIEW" || k == "TYPE" ||
			     (k == "COLUMN" && part[1] in view) ||
			     (k == "TABLE" && o in view)))
				continue
			print line[i]
		}
	}' "$tmp/toc" > "$tmp/list"
pg_restore --no-owner --use-list="$tmp/list" --file=- "$tmp/dump" |
	grep -vE '^-- Dumped (from|by)|^SET |^SELECT pg_catalog\.set_config|^\\(un)?restrict ' |
	sed 's/; Owner: [^;]*$//' |
	cat -s
