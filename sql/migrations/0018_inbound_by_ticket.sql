-- 0018_inbound_by_ticket.sql: the inbound messages of a ticket, found
-- by an index of their own.
--
-- plaint.open_tickets, and with it plaint.overdue and the daemon's
-- overdue check each minute, reads for every open ticket its inbound
-- messages (when the first came, how many).  With messages_ticket alone,
-- a planner without statistics of a table just filled (the first
-- minutes of a new install, a burst before autovacuum comes round) took
-- the partial index of inbound Message-IDs instead and read all of it
-- for each ticket: 0.6 s for 2,000 tickets, growing with their square.
-- This index answers exactly that question, whatever the statistics.

CREATE INDEX messages_in_ticket ON plaint.messages (ticket_id, id)
	WHERE direction = 'in';

INSERT INTO plaint.schema_migrations (version) VALUES (18);
