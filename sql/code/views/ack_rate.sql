CREATE VIEW plaint.ack_rate AS
SELECT o.recipient, count(*) AS acks_24h, max(o.queued_at) AS last_ack,
       (SELECT count(*) FROM plaint.messages m
	 WHERE m.from_addr = o.recipient AND m.ack_suppressed = 'rate-limit'
	   AND m.created_at > now() - interval '24 hours') AS held_back_24h
  FROM plaint.outbox o
 WHERE o.kind = 'ack' AND o.queued_at > now() - interval '24 hours'
 GROUP BY o.recipient;
COMMENT ON VIEW plaint.ack_rate IS 'Acknowledgements per address in the last 24 hours, and how many more the rate limit held back';
GRANT SELECT ON plaint.ack_rate TO plaint_agent;
