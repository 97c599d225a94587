CREATE VIEW plaint.tickets_overview WITH (security_invoker = true) AS
SELECT t.number, t.status, t.queue, t.priority, t.subject,
       c.email AS customer, t.tags, t.created_at, t.ack_due_at,
       (SELECT o.sent_at FROM plaint.outbox o
	 WHERE o.ticket_id = t.id AND o.kind = 'ack') AS ack_sent_at,
       (SELECT count(*) FROM plaint.messages m
	 WHERE m.ticket_id = t.id) AS messages
  FROM plaint.tickets t
  LEFT JOIN plaint.customers c ON c.id = t.customer_id;
COMMENT ON VIEW plaint.tickets_overview IS 'Every ticket with its customer, acknowledgement time and message count';
COMMENT ON COLUMN plaint.tickets_overview.number IS 'The ticket number';
COMMENT ON COLUMN plaint.tickets_overview.status IS 'new, open, pending, resolved or closed';
COMMENT ON COLUMN plaint.tickets_overview.queue IS 'The queue it is in';
COMMENT ON COLUMN plaint.tickets_overview.priority IS 'low, normal, high or urgent';
COMMENT ON COLUMN plaint.tickets_overview.subject IS 'The subject of the first message';
COMMENT ON COLUMN plaint.tickets_overview.customer IS 'The customer''s address; NULL if the mail named no sender';
COMMENT ON COLUMN plaint.tickets_overview.tags IS 'The ticket''s tags';
COMMENT ON COLUMN plaint.tickets_overview.created_at IS 'When the ticket was opened';
COMMENT ON COLUMN plaint.tickets_overview.ack_due_at IS 'When the acknowledgement was due';
COMMENT ON COLUMN plaint.tickets_overview.ack_sent_at IS 'When the acknowledgement was sent; NULL if not (yet)';
COMMENT ON COLUMN plaint.tickets_overview.messages IS 'How many messages, in and out, are filed on it';
GRANT SELECT ON plaint.tickets_overview TO plaint_gateway, plaint_agent;
