-- 0008_claims.sql: raw messages are claimed by a worker before they are
-- filed, and each attempt is counted, so that a message that kills the
-- process is quarantined after a few attempts instead of being retried
-- forever, and the mail behind it keeps flowing.  Outgoing mail is
-- claimed by the session that sends it.

ALTER TABLE plaint.raw_messages
	ADD COLUMN attempts integer NOT NULL DEFAULT 0,
	ADD COLUMN claimed_by integer;
COMMENT ON COLUMN plaint.raw_messages.attempts IS 'How many times a gateway began to file it; one that did not finish [mail] max_attempts times is quarantined';
COMMENT ON COLUMN plaint.raw_messages.claimed_by IS 'The database backend (pid) of the gateway worker filing it now; a worker that died lets go of it at once (its session''s advisory lock is gone)';
GRANT UPDATE (attempts, claimed_by) ON plaint.raw_messages TO plaint_gateway;

-- The outbox is claimed the same way: a sender that dies lets go of its
-- rows at once, instead of holding them for a lease of minutes.
ALTER TABLE plaint.outbox ADD COLUMN claimed_by integer;
COMMENT ON COLUMN plaint.outbox.claimed_by IS 'The database backend (pid) of the gateway sending it now; free again the moment that session ends';
COMMENT ON COLUMN plaint.outbox.lease_until IS 'Unused since version 8 (claimed_by holds a row while it is sent)';

INSERT INTO plaint.schema_migrations (version) VALUES (8);
