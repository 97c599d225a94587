CREATE VIEW plaint.open_tickets AS
SELECT t.queue, t.number, t.status, t.priority, t.subject,
       c.email AS customer, t.assignee, t.created_at,
       date_trunc('second', now() - coalesce(inbound.first_at, t.created_at)) AS age,
       t.ack_due_at, ack.sent_at AS ack_sent_at,
       CASE WHEN ack.sent_at IS NOT NULL THEN 'sent'
	    WHEN ack.id IS NULL AND opener.ack_suppressed IS NOT NULL THEN 'suppressed'
	    WHEN now() > t.ack_due_at THEN 'overdue'
	    WHEN ack.failed_at IS NOT NULL THEN 'failed'
	    ELSE 'due' END AS ack_state,
       coalesce(inbound.first_at, t.created_at) + q.first_response
	       AS first_response_due_at,
       reply.queued_at AS first_response_at,
       CASE WHEN reply.queued_at IS NOT NULL THEN 'answered'
	    WHEN now() > coalesce(inbound.first_at, t.created_at) + q.first_response
	      THEN 'overdue'
	    ELSE 'due' END AS response_state,
       inbound.n AS messages_in, inbound.last_at AS last_in_at,
       f.number AS follows
  FROM plaint.tickets t
  LEFT JOIN plaint.customers c ON c.id = t.customer_id
  JOIN plaint.queues q ON q.name = t.queue
  LEFT JOIN plaint.tickets f ON f.id = t.follows
  LEFT JOIN plaint.outbox ack ON ack.ticket_id = t.id AND ack.kind = 'ack'
  -- the message that opened the ticket (the acknowledgement answers it)
  LEFT JOIN LATERAL (SELECT m.ack_suppressed FROM plaint.messages m
		      WHERE m.ticket_id = t.id AND m.direction = 'in'
		      ORDER BY m.id LIMIT 1) opener ON true
  CROSS JOIN LATERAL (SELECT count(*) AS n,
			     min(coalesce(m.received_at, m.created_at)) AS first_at,
			     max(coalesce(m.received_at, m.created_at)) AS last_at
			FROM plaint.messages m
		       WHERE m.ticket_id = t.id AND m.direction = 'in') inbound
  LEFT JOIN LATERAL (SELECT o.queued_at FROM plaint.outbox o
		      WHERE o.ticket_id = t.id AND o.kind = 'reply'
		      ORDER BY o.queued_at, o.id LIMIT 1) reply ON true
 WHERE t.status IN ('new', 'open', 'pending')
 ORDER BY t.queue,
	  array_position(ARRAY['urgent', 'high', 'normal', 'low'], t.priority),
	  t.created_at, t.number;
COMMENT ON VIEW plaint.open_tickets IS 'Tickets that are new, open or pending, by queue, most urgent and oldest first, with age and SLA state (acknowledgement and first response)';
COMMENT ON COLUMN plaint.open_tickets.customer IS 'The customer''s email address (the From of the first message)';
COMMENT ON COLUMN plaint.open_tickets.age IS 'Time since the earliest inbound message arrived (else since the ticket was made), to the second';
COMMENT ON COLUMN plaint.open_tickets.ack_state IS 'sent; suppressed (no acknowledgement was due: auto-reply, list, rate limit ...); overdue (ack_due_at passed, not sent); failed (given up on, not yet due); due (queued or being queued, still in time)';
COMMENT ON COLUMN plaint.open_tickets.first_response_due_at IS 'Arrival of the earliest inbound message plus the queue''s first_response interval';
COMMENT ON COLUMN plaint.open_tickets.first_response_at IS 'When an agent''s first reply was queued (plaint.reply()); NULL if none yet';
COMMENT ON COLUMN plaint.open_tickets.response_state IS 'answered (an agent replied); overdue (first_response_due_at passed without a reply); due';
COMMENT ON COLUMN plaint.open_tickets.messages_in IS 'How many inbound messages the ticket has (bounces included)';
COMMENT ON COLUMN plaint.open_tickets.last_in_at IS 'When the latest inbound message arrived';
COMMENT ON COLUMN plaint.open_tickets.follows IS 'Number of the older ticket this one continues, if any';
GRANT SELECT ON plaint.open_tickets TO plaint_agent;
