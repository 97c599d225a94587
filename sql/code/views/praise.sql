-- What customers who gave the top score wrote, for the team to read:
-- answers with score 5 and some words besides, newest first.
CREATE VIEW plaint.praise WITH (security_invoker = true) AS
SELECT t.number AS ticket, s.queue, coalesce(c.name, c.email) AS customer,
       s.comment, s.answered_at
  FROM plaint.satisfaction s
  JOIN plaint.tickets t ON t.id = s.ticket_id
  LEFT JOIN plaint.customers c ON c.id = s.customer_id
 WHERE s.score = 5 AND s.comment IS NOT NULL
 ORDER BY s.answered_at DESC, t.number;
COMMENT ON VIEW plaint.praise IS 'Comments of customers who scored the service 5 of 5, newest first, for the team to read. Example: SELECT ticket, customer, comment FROM plaint.praise WHERE answered_at > now() - interval ''7 days'';';
COMMENT ON COLUMN plaint.praise.ticket IS 'The ticket the answer was about, e.g. CMP-1042';
COMMENT ON COLUMN plaint.praise.queue IS 'The queue the ticket was in when the customer was asked';
COMMENT ON COLUMN plaint.praise.customer IS 'The customer''s name, else their address';
COMMENT ON COLUMN plaint.praise.comment IS 'What they wrote besides the score, quoted text and signature left out';
COMMENT ON COLUMN plaint.praise.answered_at IS 'When their answer was filed';
GRANT SELECT ON plaint.praise TO plaint_agent;
