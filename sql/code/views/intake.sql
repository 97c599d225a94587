-- It reads raw_messages, which agents may not read, so it runs with its
-- owner's rights and leaves out mail filed on tickets of queues the
-- reader may not see (security_barrier: no function of the reader's sees
-- those rows first).
CREATE VIEW plaint.intake WITH (security_barrier = true) AS
SELECT r.id AS raw_id, r.mailbox, r.uidvalidity, r.uid, r.size,
       coalesce(r.internaldate, r.fetched_at) AS arrived_at, r.fetched_at,
       r.processed_at, r.state, r.outcome,
       coalesce(t.number, dt.number) AS ticket, m.id AS message_row,
       r.duplicate_of, r.dropped_by, r.reason, r.requeues, r.previous_reason,
       r.raw_removed_at
  FROM plaint.raw_messages r
  LEFT JOIN plaint.messages m ON m.raw_id = r.id
  LEFT JOIN plaint.tickets t ON t.id = m.ticket_id
  LEFT JOIN plaint.messages dm ON dm.id = r.duplicate_of
  LEFT JOIN plaint.tickets dt ON dt.id = dm.ticket_id
 WHERE coalesce(t.queue, dt.queue) IS NULL
    OR coalesce(t.queue, dt.queue) IN (SELECT unnest(plaint.visible_queues(current_user)));
COMMENT ON VIEW plaint.intake IS 'The intake ledger: every message a mailbox gave plaint (or an MTA handed to plaint ingest), and where it ended';
COMMENT ON COLUMN plaint.intake.raw_id IS 'Its plaint.raw_messages row';
COMMENT ON COLUMN plaint.intake.mailbox IS 'The mailbox it came from';
COMMENT ON COLUMN plaint.intake.uidvalidity IS 'The folder''s UIDVALIDITY; NULL for ingested mail';
COMMENT ON COLUMN plaint.intake.uid IS 'Its IMAP UID; NULL for ingested mail';
COMMENT ON COLUMN plaint.intake.size IS 'Size in bytes as fetched';
COMMENT ON COLUMN plaint.intake.fetched_at IS 'When plaint stored it';
COMMENT ON COLUMN plaint.intake.processed_at IS 'When it was filed, dropped or quarantined';
COMMENT ON COLUMN plaint.intake.raw_removed_at IS 'When its raw bytes were removed (retention, erasure); NULL while kept';
COMMENT ON COLUMN plaint.intake.arrived_at IS 'When the mail server received it (INTERNALDATE), else when plaint fetched it';
COMMENT ON COLUMN plaint.intake.state IS 'new (waiting), done, or quarantined';
COMMENT ON COLUMN plaint.intake.outcome IS 'ticket, bounce (linked to the ticket of the plaint mail it names), duplicate (of duplicate_of), dropped (by dropped_by), quarantined (see reason); NULL while new';
COMMENT ON COLUMN plaint.intake.ticket IS 'The ticket it is on (for a duplicate: the ticket of the message it duplicates)';
COMMENT ON COLUMN plaint.intake.message_row IS 'Its plaint.messages row, when it was filed as a message (ticket, bounce)';
COMMENT ON COLUMN plaint.intake.duplicate_of IS 'For a duplicate: the plaint.messages row of the same message, filed before';
COMMENT ON COLUMN plaint.intake.dropped_by IS 'For a dropped message: the rule that dropped it';
COMMENT ON COLUMN plaint.intake.reason IS 'Why it was quarantined; or a note on its outcome (a reused Message-ID, a ticket tag from a stranger)';
COMMENT ON COLUMN plaint.intake.requeues IS 'How many times it was put back from quarantine (plaint.requeue)';
COMMENT ON COLUMN plaint.intake.previous_reason IS 'The quarantine reason before the last requeue';
GRANT SELECT ON plaint.intake TO plaint_agent;
