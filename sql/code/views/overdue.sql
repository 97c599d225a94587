CREATE VIEW plaint.overdue WITH (security_invoker = true) AS
SELECT o.queue, o.number, o.status, o.priority, o.subject, o.customer,
       o.assignee, d.what, d.due_at,
       date_trunc('second', now() - d.due_at) AS overdue_by, d.kind
  FROM plaint.open_tickets o
 CROSS JOIN LATERAL (VALUES
	('ack', 'acknowledgement', o.ack_due_at, o.ack_state = 'overdue'),
	('first_response', 'first response', o.first_response_due_at,
	 o.response_state = 'overdue'),
	('resolution', 'resolution', o.resolve_due_at, o.resolve_state = 'overdue'))
	AS d(kind, what, due_at, late)
 WHERE d.late
 ORDER BY d.due_at, o.number, d.what;
COMMENT ON VIEW plaint.overdue IS 'Open tickets past a deadline: an acknowledgement not sent by ack_due_at, no agent reply by the first-response deadline, not resolved by the resolution deadline (the queue''s SLA, in its open hours); one row per missed deadline, oldest first';
COMMENT ON COLUMN plaint.overdue.queue IS 'The ticket''s queue';
COMMENT ON COLUMN plaint.overdue.number IS 'The ticket number';
COMMENT ON COLUMN plaint.overdue.status IS 'new, open or pending';
COMMENT ON COLUMN plaint.overdue.priority IS 'urgent, high, normal or low';
COMMENT ON COLUMN plaint.overdue.subject IS 'The ticket''s subject';
COMMENT ON COLUMN plaint.overdue.customer IS 'The customer''s address';
COMMENT ON COLUMN plaint.overdue.assignee IS 'The agent working it, NULL if nobody';
COMMENT ON COLUMN plaint.overdue.what IS 'acknowledgement, first response or resolution';
COMMENT ON COLUMN plaint.overdue.due_at IS 'The deadline that passed';
COMMENT ON COLUMN plaint.overdue.overdue_by IS 'How long ago the deadline passed, to the second';
COMMENT ON COLUMN plaint.overdue.kind IS 'The same as what, as plaint.breaches names it: ack, first_response or resolution';
GRANT SELECT ON plaint.overdue TO plaint_agent, plaint_gateway;
