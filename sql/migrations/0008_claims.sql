-- 0008_claims.sql: raw messages are claimed by a worker before they are
-- filed, and each attempt is counted, so that a message that kills the
-- process is quarantined after a few attempts instead of being retried
-- forever, and the mail behind it keeps flowing.

ALTER TABLE plaint.raw_messages
	ADD COLUMN attempts integer NOT NULL DEFAULT 0,
	ADD COLUMN claimed_by integer;
COMMENT ON COLUMN plaint.raw_messages.attempts IS 'How many times a gateway began to file it; one that did not finish [mail] max_attempts times is quarantined';
COMMENT ON COLUMN plaint.raw_messages.claimed_by IS 'The database backend (pid) of the gateway worker filing it now; a worker that died lets go of it at once (its session''s advisory lock is gone)';
GRANT UPDATE (attempts, claimed_by) ON plaint.raw_messages TO plaint_gateway;

INSERT INTO plaint.schema_migrations (version) VALUES (8);
