-- 0014_status.sql: what `plaint status` and the metrics endpoint read
-- from the database alone.
--
-- - mailboxes.last_error, last_error_at: the last poll of each mailbox
--   that failed, and why, as the gateway recorded it
--   (plaint.mailbox_failed).  polled_at stays the last poll that worked.
-- - An index of the quarantined messages by mailbox: every plaint status
--   and every scrape of /metrics counts them.

ALTER TABLE plaint.mailboxes
	ADD COLUMN last_error text,
	ADD COLUMN last_error_at timestamptz;
COMMENT ON COLUMN plaint.mailboxes.polled_at IS 'When a poll of the mailbox last worked (it may have found nothing new)';
COMMENT ON COLUMN plaint.mailboxes.last_error IS 'Why the last poll that failed failed, in the gateway''s words (cleaned to one line); NULL if none has failed';
COMMENT ON COLUMN plaint.mailboxes.last_error_at IS 'When that poll failed; a polled_at later than this means the mailbox works again';

CREATE INDEX raw_messages_quarantined ON plaint.raw_messages (mailbox)
	WHERE state = 'quarantined';

INSERT INTO plaint.schema_migrations (version) VALUES (14);
