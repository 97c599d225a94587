-- Why an acknowledgement was late: the stage that took the time.
CREATE VIEW plaint.ack_breaches WITH (security_invoker = true) AS
SELECT s.ticket, s.queue, s.recipient, s.arrived_at, s.due_at, s.sent_at,
       s.attempts, s.last_error,
       CASE
	 WHEN s.fetched_at - s.arrived_at >= greatest(
		  s.queued_at - s.fetched_at,
		  coalesce(s.sent_at, now()) - s.queued_at)
	   THEN 'gateway down or polling late: fetched '
		|| round(extract(epoch FROM s.fetched_at - s.arrived_at)) || ' s after arrival'
	 WHEN s.attempts > 1 OR s.last_error IS NOT NULL
	   THEN 'SMTP refusing: ' || coalesce(s.last_error, 'retried')
	 WHEN s.queued_at - s.fetched_at >= coalesce(s.sent_at, now()) - s.queued_at
	   THEN 'processing backlog: queued '
		|| round(extract(epoch FROM s.queued_at - s.fetched_at)) || ' s after fetch'
	 ELSE 'sending backlog: sent '
		|| round(extract(epoch FROM coalesce(s.sent_at, now()) - s.queued_at))
		|| ' s after queueing'
       END AS cause
  FROM plaint.ack_sla s
 WHERE s.in_time IS FALSE;
COMMENT ON VIEW plaint.ack_breaches IS 'Acknowledgements that missed their deadline, with the stage that took the time';
COMMENT ON COLUMN plaint.ack_breaches.ticket IS 'The ticket number';
COMMENT ON COLUMN plaint.ack_breaches.queue IS 'The ticket''s queue';
COMMENT ON COLUMN plaint.ack_breaches.recipient IS 'Where the acknowledgement went';
COMMENT ON COLUMN plaint.ack_breaches.arrived_at IS 'When the mail it answers arrived';
COMMENT ON COLUMN plaint.ack_breaches.due_at IS 'Its deadline';
COMMENT ON COLUMN plaint.ack_breaches.sent_at IS 'When it was sent; NULL if not';
COMMENT ON COLUMN plaint.ack_breaches.attempts IS 'How many times the gateway tried to send it';
COMMENT ON COLUMN plaint.ack_breaches.last_error IS 'The last failure, if any';
COMMENT ON COLUMN plaint.ack_breaches.cause IS 'The stage that took the time: fetching, processing, sending, or the SMTP server refusing';
GRANT SELECT ON plaint.ack_breaches TO plaint_agent;
