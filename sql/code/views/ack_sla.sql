-- Every acknowledgement with the times of its way: arrival at the IMAP
-- server, fetch, commit of its filing, queueing, and the SMTP 250.  It
-- reads raw_messages, which agents may not read, so it runs with its
-- owner's rights and keeps to the reader's queues itself
-- (security_barrier: no function of the reader's sees other rows first).
CREATE VIEW plaint.ack_sla WITH (security_barrier = true) AS
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
 WHERE o.kind = 'ack'
   AND t.queue IN (SELECT unnest(plaint.visible_queues(current_user)));
COMMENT ON VIEW plaint.ack_sla IS 'Each acknowledgement: arrival, fetch, filing, queueing and SMTP acceptance times, latency in seconds, and whether it met its deadline (NULL: still in time)';
COMMENT ON COLUMN plaint.ack_sla.ticket IS 'The ticket number';
COMMENT ON COLUMN plaint.ack_sla.queue IS 'The ticket''s queue';
COMMENT ON COLUMN plaint.ack_sla.outbox_id IS 'The acknowledgement''s plaint.outbox row';
COMMENT ON COLUMN plaint.ack_sla.recipient IS 'Where it went';
COMMENT ON COLUMN plaint.ack_sla.arrived_at IS 'When the mail server received the mail it answers (INTERNALDATE), else when plaint fetched it; NULL for a complaint an agent entered';
COMMENT ON COLUMN plaint.ack_sla.fetched_at IS 'When plaint stored that mail';
COMMENT ON COLUMN plaint.ack_sla.filed_at IS 'When that mail was filed (the commit that queued the acknowledgement)';
COMMENT ON COLUMN plaint.ack_sla.queued_at IS 'When the acknowledgement was queued';
COMMENT ON COLUMN plaint.ack_sla.sent_at IS 'When the SMTP server accepted it';
COMMENT ON COLUMN plaint.ack_sla.due_at IS 'Its deadline';
COMMENT ON COLUMN plaint.ack_sla.attempts IS 'How many times the gateway tried to send it';
COMMENT ON COLUMN plaint.ack_sla.last_error IS 'The last failure, if any';
COMMENT ON COLUMN plaint.ack_sla.smtp_reply IS 'The SMTP server''s reply to its DATA';
COMMENT ON COLUMN plaint.ack_sla.in_time IS 'true: sent by due_at; false: sent late, given up, or overdue; NULL: still in time';
COMMENT ON COLUMN plaint.ack_sla.latency IS 'Seconds from arrival at the mail server to the SMTP server''s 250';
GRANT SELECT ON plaint.ack_sla TO plaint_agent;
