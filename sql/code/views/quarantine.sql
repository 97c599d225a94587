-- Quarantined mail was filed on no ticket, so no queue hides it: the view
-- runs with its owner's rights (agents may not read raw_messages) and
-- shows it to every agent, without the raw bytes.
CREATE VIEW plaint.quarantine AS
SELECT r.id AS raw_id, r.mailbox, r.uid, r.fetched_at, r.size, r.reason,
       r.requeues, r.previous_reason
  FROM plaint.raw_messages r WHERE r.state = 'quarantined';
COMMENT ON VIEW plaint.quarantine IS 'Mail kept but not filed, with the reason; the raw bytes are in raw_messages; SELECT plaint.requeue(raw_id) files one again (plaint requeue from the shell)';
COMMENT ON COLUMN plaint.quarantine.raw_id IS 'Its plaint.raw_messages row: SELECT plaint.requeue(raw_id) files it again';
COMMENT ON COLUMN plaint.quarantine.mailbox IS 'The mailbox it came from';
COMMENT ON COLUMN plaint.quarantine.uid IS 'Its IMAP UID; NULL for ingested mail';
COMMENT ON COLUMN plaint.quarantine.fetched_at IS 'When plaint stored it';
COMMENT ON COLUMN plaint.quarantine.size IS 'Size in bytes';
COMMENT ON COLUMN plaint.quarantine.reason IS 'Why it could not be filed';
COMMENT ON COLUMN plaint.quarantine.requeues IS 'How many times it was put back to be filed again';
COMMENT ON COLUMN plaint.quarantine.previous_reason IS 'Why it was quarantined before the last requeue';
GRANT SELECT ON plaint.quarantine TO plaint_gateway, plaint_agent;
