-- The outbox at a glance: one row, for the gateway and admins, who see
-- every queue's mail (it runs with the reader's rights).  The oldest
-- due row is the unsent one with the earliest deadline: the one the
-- gateway sends first, and the first to miss its deadline.
CREATE VIEW plaint.outbox_status WITH (security_invoker = true) AS
SELECT p.unsent, p.due_now, p.overdue,
       f.id AS oldest_id, f.kind AS oldest_kind, t.number AS oldest_ticket,
       f.queued_at AS oldest_queued_at, f.due_at AS oldest_due_at,
       f.attempts AS oldest_attempts, f.last_error AS oldest_last_error
  FROM (SELECT count(*) AS unsent,
	       count(*) FILTER (WHERE o.next_attempt_at <= now()) AS due_now,
	       count(*) FILTER (WHERE o.due_at < now()) AS overdue
	  FROM plaint.outbox o
	 WHERE o.sent_at IS NULL AND o.failed_at IS NULL) p
  LEFT JOIN LATERAL (SELECT o.id, o.kind, o.ticket_id, o.queued_at, o.due_at,
			    o.attempts, o.last_error
		       FROM plaint.outbox o
		      WHERE o.sent_at IS NULL AND o.failed_at IS NULL
		      ORDER BY o.due_at, o.id LIMIT 1) f ON true
  LEFT JOIN plaint.tickets t ON t.id = f.ticket_id;
COMMENT ON VIEW plaint.outbox_status IS 'The outbox in one row: how much mail waits to be sent, how much of it may go now and how much is past its deadline, and the oldest due row (the earliest deadline): plaint status and the metrics endpoint read it';
COMMENT ON COLUMN plaint.outbox_status.unsent IS 'Rows neither sent nor given up: the outbox depth';
COMMENT ON COLUMN plaint.outbox_status.due_now IS 'Of those, the rows whose next attempt is due now';
COMMENT ON COLUMN plaint.outbox_status.overdue IS 'Of those, the rows past their deadline';
COMMENT ON COLUMN plaint.outbox_status.oldest_id IS 'The unsent row with the earliest deadline; NULL when nothing waits';
COMMENT ON COLUMN plaint.outbox_status.oldest_kind IS 'Its kind: ack, reply or escalation';
COMMENT ON COLUMN plaint.outbox_status.oldest_ticket IS 'Its ticket number';
COMMENT ON COLUMN plaint.outbox_status.oldest_queued_at IS 'When it was queued';
COMMENT ON COLUMN plaint.outbox_status.oldest_due_at IS 'Its deadline';
COMMENT ON COLUMN plaint.outbox_status.oldest_attempts IS 'How many times the gateway tried to send it';
COMMENT ON COLUMN plaint.outbox_status.oldest_last_error IS 'Why its last attempt failed, if one did';
GRANT SELECT ON plaint.outbox_status TO plaint_gateway;
