CREATE VIEW plaint.overdue AS
SELECT o.queue, o.number, o.status, o.priority, o.subject, o.customer,
       o.assignee, 'acknowledgement'::text AS what, o.ack_due_at AS due_at,
       date_trunc('second', now() - o.ack_due_at) AS overdue_by
  FROM plaint.open_tickets o WHERE o.ack_state = 'overdue'
UNION ALL
SELECT o.queue, o.number, o.status, o.priority, o.subject, o.customer,
       o.assignee, 'first response'::text, o.first_response_due_at,
       date_trunc('second', now() - o.first_response_due_at)
  FROM plaint.open_tickets o WHERE o.response_state = 'overdue'
 ORDER BY due_at, number, what;
COMMENT ON VIEW plaint.overdue IS 'Open tickets past a deadline: an acknowledgement not sent by ack_due_at, or no agent reply by the queue''s first-response deadline (queues.first_response); one row per missed deadline, oldest first';
COMMENT ON COLUMN plaint.overdue.what IS 'acknowledgement or first response';
COMMENT ON COLUMN plaint.overdue.overdue_by IS 'How long ago the deadline passed, to the second';
GRANT SELECT ON plaint.overdue TO plaint_agent;
