-- Customers who complained at least twice in the last 90 days.
CREATE VIEW plaint.repeat_complainants WITH (security_invoker = true) AS
SELECT c.email AS customer, c.name,
       count(*) FILTER (WHERE t.created_at > now() - interval '90 days') AS tickets_90d,
       count(*) FILTER (WHERE t.status IN ('new', 'open', 'pending')) AS open_now,
       count(*) AS tickets,
       array_agg(DISTINCT t.queue ORDER BY t.queue)
	       FILTER (WHERE t.created_at > now() - interval '90 days') AS queues_90d,
       max(last_in.at) AS last_contact
  FROM plaint.customers c
  JOIN plaint.tickets t ON t.customer_id = c.id AND t.merged_into IS NULL
  LEFT JOIN LATERAL (SELECT max(coalesce(m.received_at, m.created_at)) AS at
		       FROM plaint.messages m
		      WHERE m.ticket_id = t.id AND m.direction = 'in') last_in ON true
 GROUP BY c.id
HAVING count(*) FILTER (WHERE t.created_at > now() - interval '90 days') >= 2
 ORDER BY 3 DESC, 7 DESC, 1;
COMMENT ON VIEW plaint.repeat_complainants IS 'Customers with two or more tickets opened in the last 90 days (merged tickets left out): how many, how many are open now, in which queues, and their last contact. Example: SELECT customer, tickets_90d, open_now, last_contact FROM plaint.repeat_complainants WHERE open_now > 0;';
COMMENT ON COLUMN plaint.repeat_complainants.customer IS 'The customer''s address';
COMMENT ON COLUMN plaint.repeat_complainants.name IS 'Their name, if known';
COMMENT ON COLUMN plaint.repeat_complainants.tickets_90d IS 'Tickets they opened in the last 90 days';
COMMENT ON COLUMN plaint.repeat_complainants.open_now IS 'Of all their tickets, how many are new, open or pending';
COMMENT ON COLUMN plaint.repeat_complainants.tickets IS 'All their tickets, ever';
COMMENT ON COLUMN plaint.repeat_complainants.queues_90d IS 'The queues of the tickets of the last 90 days';
COMMENT ON COLUMN plaint.repeat_complainants.last_contact IS 'When their latest inbound message (mail, or one an agent entered) arrived';
GRANT SELECT ON plaint.repeat_complainants TO plaint_agent;
