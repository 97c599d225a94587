-- 0012_throughput.sql: less work per message where it adds nothing.
--
-- - Inbound Message-IDs get an index of their own: looked up for every
--   message filed, they were found through a plan that read the whole
--   fingerprint index.
-- - What a crash may have left unflagged on the IMAP server is recorded
--   per fetched batch, on the mailbox's row, rather than by updating
--   every raw row after its flag was set.
-- - raw_messages leaves room on its pages, so that a row's claim and
--   attempt count update it in place (HOT).

CREATE INDEX messages_in_message_id ON plaint.messages (message_id)
	WHERE direction = 'in';

ALTER TABLE plaint.mailboxes
	ADD COLUMN unflagged bigint[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN plaint.mailboxes.unflagged IS 'UIDs (under uidvalidity) stored but not yet flagged \Seen on the server: set with the batch that stores them, emptied once the flag is set; a crash between the two leaves them here for the next poll';
UPDATE plaint.mailboxes m
   SET unflagged = coalesce((SELECT array_agg(r.uid ORDER BY r.uid)
			       FROM plaint.raw_messages r
			      WHERE r.mailbox = m.name AND r.uidvalidity = m.uidvalidity
				AND r.uid IS NOT NULL AND r.flagged_at IS NULL), '{}');
DROP INDEX plaint.raw_messages_unflagged;
ALTER TABLE plaint.raw_messages DROP COLUMN flagged_at;
DROP INDEX plaint.raw_messages_fetched_at;
ALTER TABLE plaint.raw_messages SET (fillfactor = 80);

INSERT INTO plaint.schema_migrations (version) VALUES (12);
