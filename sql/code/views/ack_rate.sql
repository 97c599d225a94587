CREATE VIEW plaint.ack_rate WITH (security_invoker = true) AS
SELECT o.recipient, count(*) AS acks_24h, max(o.queued_at) AS last_ack,
       (SELECT count(*) FROM plaint.messages m
	 WHERE m.from_addr = o.recipient AND m.ack_suppressed = 'rate-limit'
	   AND m.created_at > now() - interval '24 hours') AS held_back_24h
  FROM plaint.outbox o
 WHERE o.kind = 'ack' AND o.queued_at > now() - interval '24 hours'
 GROUP BY o.recipient;
COMMENT ON VIEW plaint.ack_rate IS 'Acknowledgements per address in the last 24 hours, and how many more the rate limit held back';
COMMENT ON COLUMN plaint.ack_rate.recipient IS 'The address';
COMMENT ON COLUMN plaint.ack_rate.acks_24h IS 'Acknowledgements queued to it in the last 24 hours';
COMMENT ON COLUMN plaint.ack_rate.last_ack IS 'When the latest was queued';
COMMENT ON COLUMN plaint.ack_rate.held_back_24h IS 'Its messages of the last 24 hours that the rate limit left unacknowledged';
GRANT SELECT ON plaint.ack_rate TO plaint_agent;
