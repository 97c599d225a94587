-- Every acknowledgement with the times of its way: arrival at the IMAP
-- server, fetch, commit of its filing, queueing, and the SMTP 250.
CREATE VIEW plaint.ack_sla AS
SELECT t.number AS ticket, t.queue, o.id AS outbox_id, o.recipient,
       coalesce(r.internaldate, r.fetched_at) AS arrived_at,
       r.fetched_at, r.processed_at AS filed_at, o.queued_at, o.sent_at,
       o.due_at, o.attempts, o.last_error, o.smtp_reply,
       extract(epoch FROM o.sent_at - coalesce(r.internaldate, r.fetched_at))
	       AS latency,
       CASE WHEN o.sent_at IS NOT NULL THEN o.sent_at <= o.due_at
	    WHEN o.failed_at IS NOT NULL OR now() > o.due_at THEN false
       END AS in_time
  FROM plaint.outbox o
  JOIN plaint.tickets t ON t.id = o.ticket_id
  -- an acknowledgement answers the message that opened its ticket
  LEFT JOIN LATERAL (SELECT m.raw_id FROM plaint.messages m
		      WHERE m.ticket_id = o.ticket_id AND m.direction = 'in'
		      ORDER BY m.id LIMIT 1) first_in ON true
  LEFT JOIN plaint.raw_messages r ON r.id = first_in.raw_id
 WHERE o.kind = 'ack';
COMMENT ON VIEW plaint.ack_sla IS 'Each acknowledgement: arrival, fetch, filing, queueing and SMTP acceptance times, latency in seconds, and whether it met its deadline (NULL: still in time)';
COMMENT ON COLUMN plaint.ack_sla.latency IS 'Seconds from arrival at the mail server to the SMTP server''s 250';
GRANT SELECT ON plaint.ack_sla TO plaint_agent;
