-- 0006_code.sql: views and functions leave the migrations.
--
-- From here on they live in sql/code, one file each, and `plaint db
-- migrate` drops and re-creates them all after the table migrations, in
-- the same transaction.  This table records which build's code the
-- database holds, so that a daemon never runs against another's.

CREATE TABLE plaint.schema_code (
	only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	hash       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE plaint.schema_code IS 'The views and functions in the database: which build of sql/code plaint db migrate created last';
COMMENT ON COLUMN plaint.schema_code.only_row IS 'Always true: the table has one row';
COMMENT ON COLUMN plaint.schema_code.hash IS 'sha256 of the code files; the daemon refuses to start when it is not its own';
COMMENT ON COLUMN plaint.schema_code.applied_at IS 'When plaint db migrate last created the code';
GRANT SELECT ON plaint.schema_code TO plaint_gateway, plaint_agent;

INSERT INTO plaint.schema_migrations (version) VALUES (6);
