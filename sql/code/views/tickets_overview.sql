CREATE VIEW plaint.tickets_overview AS
SELECT t.number, t.status, t.queue, t.priority, t.subject,
       c.email AS customer, t.tags, t.created_at, t.ack_due_at,
       (SELECT o.sent_at FROM plaint.outbox o
	 WHERE o.ticket_id = t.id AND o.kind = 'ack') AS ack_sent_at,
       (SELECT count(*) FROM plaint.messages m
	 WHERE m.ticket_id = t.id) AS messages
  FROM plaint.tickets t
  LEFT JOIN plaint.customers c ON c.id = t.customer_id;
COMMENT ON VIEW plaint.tickets_overview IS 'Every ticket with its customer, acknowledgement time and message count';
GRANT SELECT ON plaint.tickets_overview TO plaint_gateway, plaint_agent;
