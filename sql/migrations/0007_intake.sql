-- 0007_intake.sql: every raw message accounted for, duplicates by
-- content, tickets without a known sender.

---------------------------------------------------------------- the intake ledger
ALTER TABLE plaint.raw_messages
	ADD COLUMN outcome text
	    CONSTRAINT raw_messages_outcome_known
	    CHECK (outcome IN ('ticket', 'bounce', 'duplicate', 'dropped', 'quarantined')),
	ADD COLUMN duplicate_of bigint REFERENCES plaint.messages,
	ADD COLUMN dropped_by text,
	ADD COLUMN flagged_at timestamptz,
	ADD COLUMN requeues integer NOT NULL DEFAULT 0,
	ADD COLUMN requeued_at timestamptz,
	ADD COLUMN previous_reason text;

-- What earlier versions recorded in reason, as outcomes.
UPDATE plaint.raw_messages SET outcome = 'quarantined' WHERE state = 'quarantined';
UPDATE plaint.raw_messages
   SET outcome = 'duplicate',
       duplicate_of = substring(reason FROM '^duplicate of message ([0-9]+)$')::bigint
 WHERE state = 'done' AND reason ~ '^duplicate of message [0-9]+$';
UPDATE plaint.raw_messages
   SET outcome = 'dropped', dropped_by = substring(reason FROM '^dropped by rule (.*)$')
 WHERE state = 'done' AND reason ~ '^dropped by rule ';
UPDATE plaint.raw_messages SET outcome = 'bounce'
 WHERE state = 'done' AND reason ~ '^bounce of outbox [0-9]+$';
UPDATE plaint.raw_messages r SET outcome = 'ticket'
 WHERE r.state = 'done' AND r.outcome IS NULL
   AND EXISTS (SELECT FROM plaint.messages m WHERE m.raw_id = r.id);
-- Anything else that was marked done never reached a ticket (earlier
-- versions closed bounces of mail plaint did not send, and mail taken
-- for a bounce by its subject or sender, without one): it is filed
-- again, under today's rules.
UPDATE plaint.raw_messages
   SET state = 'new', previous_reason = reason, reason = NULL,
       processed_at = NULL
 WHERE state = 'done' AND outcome IS NULL;
-- Mail already stored was flagged, or will be by a later poll's re-flag
-- of unflagged rows: take it as flagged.
UPDATE plaint.raw_messages SET flagged_at = fetched_at WHERE uid IS NOT NULL;

ALTER TABLE plaint.raw_messages
	ADD CONSTRAINT raw_messages_outcome_matches_state CHECK (coalesce(
		(state = 'new' AND outcome IS NULL) OR
		(state = 'quarantined' AND outcome = 'quarantined' AND reason IS NOT NULL) OR
		(state = 'done' AND outcome IN ('ticket', 'bounce', 'duplicate', 'dropped')),
		false)),
	ADD CONSTRAINT raw_messages_duplicate_names_its_original
		CHECK (coalesce(outcome = 'duplicate', false) = (duplicate_of IS NOT NULL)),
	ADD CONSTRAINT raw_messages_dropped_names_its_rule
		CHECK (coalesce(outcome = 'dropped', false) = (dropped_by IS NOT NULL));
CREATE INDEX raw_messages_unflagged ON plaint.raw_messages (mailbox, uidvalidity)
	WHERE flagged_at IS NULL AND uid IS NOT NULL;
CREATE INDEX raw_messages_fetched_at ON plaint.raw_messages (fetched_at);
COMMENT ON COLUMN plaint.raw_messages.state IS 'new: waiting to be processed; done: processed, see outcome; quarantined: kept but not filed, see reason';
COMMENT ON COLUMN plaint.raw_messages.outcome IS 'Where the message ended: ticket (filed on a ticket, new or threaded), bounce (a report linked to the ticket of the plaint mail it names), duplicate (of duplicate_of), dropped (by the rule dropped_by), quarantined (see reason); NULL while new';
COMMENT ON COLUMN plaint.raw_messages.reason IS 'Why the message was quarantined, or a note on its outcome (a reused Message-ID, a ticket tag from a stranger)';
COMMENT ON COLUMN plaint.raw_messages.duplicate_of IS 'For a duplicate: the plaint.messages row of the same message filed earlier';
COMMENT ON COLUMN plaint.raw_messages.dropped_by IS 'For a dropped message: the rule that said drop';
COMMENT ON COLUMN plaint.raw_messages.flagged_at IS 'When plaint set \Seen on the IMAP server, after the raw row was committed; NULL for ingested mail and until then';
COMMENT ON COLUMN plaint.raw_messages.requeues IS 'How many times it was put back to new from quarantine (plaint requeue, plaint.requeue())';
COMMENT ON COLUMN plaint.raw_messages.requeued_at IS 'When it was last put back to new from quarantine';
COMMENT ON COLUMN plaint.raw_messages.previous_reason IS 'The quarantine reason it had before it was last put back to new';

---------------------------------------------------------------- duplicates by content
-- A Message-ID alone does not make a duplicate: broken mailers and web
-- forms reuse them.  The fingerprint is the sha256 of the message without
-- its trace headers (Received, Delivered-To, ...), so the same message
-- fetched twice, from two mailboxes or after a UIDVALIDITY change, has
-- the same one.
ALTER TABLE plaint.messages
	ADD COLUMN fingerprint text
	    CONSTRAINT messages_fingerprint_is_sha256 CHECK (fingerprint ~ '^[0-9a-f]{64}$');
DROP INDEX plaint.messages_in_message_id;
CREATE UNIQUE INDEX messages_in_fingerprint ON plaint.messages (fingerprint)
	WHERE direction = 'in';
COMMENT ON COLUMN plaint.messages.fingerprint IS 'Inbound mail: sha256 of the message without trace headers; the same message is filed once (NULL before version 6)';

---------------------------------------------------------------- tickets
ALTER TABLE plaint.tickets
	ALTER COLUMN customer_id DROP NOT NULL,
	ADD COLUMN related_to bigint REFERENCES plaint.tickets,
	ADD CONSTRAINT tickets_not_related_to_itself CHECK (related_to <> id);
COMMENT ON COLUMN plaint.tickets.customer_id IS 'The customer who wrote the first message; NULL when it named no sender at all (no acknowledgement, no reply possible)';
COMMENT ON COLUMN plaint.tickets.related_to IS 'The ticket whose tag this one''s first message carried, from a sender who was not its customer nor a participant ([tickets] tag_from_strangers = new)';

---------------------------------------------------------------- privileges
-- The gateway changes a raw row's state, never its bytes, and only adds
-- to the audit trail.
REVOKE UPDATE ON plaint.raw_messages, plaint.events FROM plaint_gateway;
GRANT UPDATE (state, outcome, reason, processed_at, duplicate_of, dropped_by,
	      flagged_at) ON plaint.raw_messages TO plaint_gateway;

INSERT INTO plaint.schema_migrations (version) VALUES (7);
