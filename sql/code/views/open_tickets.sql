-- Deadlines come from plaint.deadline(): the queue's business hours, if
-- it has any, decide when the first response and the resolution are
-- due; the acknowledgement's deadline was fixed when the ticket was
-- filed (tickets.ack_due_at).  Row-level security decides which
-- tickets a reader sees (security_invoker).
CREATE VIEW plaint.open_tickets WITH (security_invoker = true) AS
SELECT t.queue, t.number, t.status, t.priority, t.subject,
       c.email AS customer, t.assignee, t.created_at,
       date_trunc('second', now() - inbound.start) AS age,
       t.ack_due_at, ack.sent_at AS ack_sent_at,
       CASE WHEN ack.sent_at IS NOT NULL THEN 'sent'
	    WHEN ack.id IS NULL AND opener.ack_suppressed IS NOT NULL THEN 'suppressed'
	    WHEN now() > t.ack_due_at THEN 'overdue'
	    WHEN ack.failed_at IS NOT NULL THEN 'failed'
	    ELSE 'due' END AS ack_state,
       due.first_response AS first_response_due_at,
       reply.queued_at AS first_response_at,
       CASE WHEN reply.queued_at IS NOT NULL THEN 'answered'
	    WHEN now() > due.first_response THEN 'overdue'
	    ELSE 'due' END AS response_state,
       inbound.n AS messages_in, inbound.last_at AS last_in_at,
       f.number AS follows, t.tags,
       due.resolution AS resolve_due_at,
       CASE WHEN due.resolution IS NULL THEN NULL
	    WHEN now() > due.resolution THEN 'overdue'
	    ELSE 'due' END AS resolve_state
  FROM plaint.tickets t
  LEFT JOIN plaint.customers c ON c.id = t.customer_id
  JOIN plaint.queues q ON q.name = t.queue
  LEFT JOIN plaint.tickets f ON f.id = t.follows
  -- the acknowledgement (one at most: outbox_one_ack_per_ticket), looked
  -- up per ticket: LIMIT keeps it a lookup, a plan that stays fast before
  -- the planner has statistics of a table just filled
  LEFT JOIN LATERAL (SELECT a.id, a.sent_at, a.failed_at FROM plaint.outbox a
		      WHERE a.ticket_id = t.id AND a.kind = 'ack' LIMIT 1) ack ON true
  -- the message that opened the ticket (the acknowledgement answers it)
  LEFT JOIN LATERAL (SELECT m.ack_suppressed FROM plaint.messages m
		      WHERE m.ticket_id = t.id AND m.direction = 'in'
		      ORDER BY m.id LIMIT 1) opener ON true
  CROSS JOIN LATERAL (SELECT count(*) AS n,
			     coalesce(min(coalesce(m.received_at, m.created_at)),
				      t.created_at) AS start,
			     max(coalesce(m.received_at, m.created_at)) AS last_at
			FROM plaint.messages m
		       WHERE m.ticket_id = t.id AND m.direction = 'in') inbound
  CROSS JOIN LATERAL (SELECT plaint.deadline(q.name, inbound.start, q.first_response)
				     AS first_response,
			     plaint.deadline(q.name, inbound.start, q.resolve_within)
				     AS resolution) due
  LEFT JOIN LATERAL (SELECT o.queued_at FROM plaint.outbox o
		      WHERE o.ticket_id = t.id AND o.kind = 'reply'
		      ORDER BY o.queued_at, o.id LIMIT 1) reply ON true
 WHERE t.status IN ('new', 'open', 'pending')
 ORDER BY t.queue,
	  array_position(ARRAY['urgent', 'high', 'normal', 'low'], t.priority),
	  t.created_at, t.number;
COMMENT ON VIEW plaint.open_tickets IS 'Tickets that are new, open or pending, by queue, most urgent and oldest first, with age and SLA state (acknowledgement, first response, resolution); only the queues you may see';
COMMENT ON COLUMN plaint.open_tickets.queue IS 'The queue the ticket is in';
COMMENT ON COLUMN plaint.open_tickets.number IS 'The ticket number, e.g. CMP-1042';
COMMENT ON COLUMN plaint.open_tickets.status IS 'new, open or pending';
COMMENT ON COLUMN plaint.open_tickets.priority IS 'urgent, high, normal or low';
COMMENT ON COLUMN plaint.open_tickets.subject IS 'The subject of the first message';
COMMENT ON COLUMN plaint.open_tickets.customer IS 'The customer''s email address (the From of the first message)';
COMMENT ON COLUMN plaint.open_tickets.assignee IS 'The agent working it, NULL if nobody';
COMMENT ON COLUMN plaint.open_tickets.created_at IS 'When the ticket was opened';
COMMENT ON COLUMN plaint.open_tickets.age IS 'Time since the earliest inbound message arrived (else since the ticket was made), to the second';
COMMENT ON COLUMN plaint.open_tickets.ack_due_at IS 'When the acknowledgement is due (fixed at filing, in the queue''s open hours)';
COMMENT ON COLUMN plaint.open_tickets.ack_sent_at IS 'When the SMTP server took the acknowledgement; NULL if not yet';
COMMENT ON COLUMN plaint.open_tickets.ack_state IS 'sent; suppressed (no acknowledgement was due: auto-reply, list, rate limit, entered without one ...); overdue (ack_due_at passed, not sent); failed (given up on, not yet due); due (queued or being queued, still in time)';
COMMENT ON COLUMN plaint.open_tickets.first_response_due_at IS 'Arrival of the earliest inbound message plus the queue''s first_response, counted in its open hours (plaint.deadline)';
COMMENT ON COLUMN plaint.open_tickets.first_response_at IS 'When an agent''s first reply was queued (plaint.reply()); NULL if none yet';
COMMENT ON COLUMN plaint.open_tickets.response_state IS 'answered (an agent replied); overdue (first_response_due_at passed without a reply); due';
COMMENT ON COLUMN plaint.open_tickets.messages_in IS 'How many inbound messages the ticket has (bounces included)';
COMMENT ON COLUMN plaint.open_tickets.last_in_at IS 'When the latest inbound message arrived';
COMMENT ON COLUMN plaint.open_tickets.follows IS 'Number of the older ticket this one continues, if any';
COMMENT ON COLUMN plaint.open_tickets.tags IS 'The ticket''s tags';
COMMENT ON COLUMN plaint.open_tickets.resolve_due_at IS 'Arrival of the earliest inbound message plus the queue''s resolve_within, in its open hours; NULL if the queue sets none';
COMMENT ON COLUMN plaint.open_tickets.resolve_state IS 'overdue (resolve_due_at passed) or due; NULL without a resolution deadline';
GRANT SELECT ON plaint.open_tickets TO plaint_agent, plaint_gateway;
