-- 0018_lookups.sql: indexes that answer the questions asked each
-- minute and each batch exactly, whatever the planner's statistics.
--
-- - messages_in_ticket: the inbound messages of a ticket.
--   plaint.open_tickets, and with it plaint.overdue and the daemon's
--   overdue check each minute, reads for every open ticket its inbound
--   messages (when the first came, how many).  With messages_ticket
--   alone, a planner without statistics of a table just filled (the
--   first minutes of a new install, a burst before autovacuum comes
--   round) took the partial index of inbound Message-IDs instead and
--   read all of it for each ticket: 0.6 s for 2,000 tickets, growing
--   with their square.
-- - outbox_due in the order the gateway claims in (due_at, id): a claim
--   of the next 50 reads 50 entries rather than sorting every mail due.
-- - outbox leaves room on its pages, so that a claim (claimed_by,
--   attempts) updates its rows in place (HOT).

CREATE INDEX messages_in_ticket ON plaint.messages (ticket_id, id)
	WHERE direction = 'in';

DROP INDEX plaint.outbox_due;
CREATE INDEX outbox_due ON plaint.outbox (due_at, id)
	WHERE sent_at IS NULL AND failed_at IS NULL;

ALTER TABLE plaint.outbox SET (fillfactor = 80);

INSERT INTO plaint.schema_migrations (version) VALUES (18);
