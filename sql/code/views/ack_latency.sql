CREATE VIEW plaint.ack_latency WITH (security_invoker = true) AS
SELECT queue, date_trunc('day', sent_at) AS day, count(*) AS acks,
       round(percentile_cont(0.50) WITHIN GROUP (ORDER BY latency)::numeric, 3) AS p50,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency)::numeric, 3) AS p95,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency)::numeric, 3) AS p99,
       round(max(latency)::numeric, 3) AS max,
       count(*) FILTER (WHERE NOT in_time) AS late
  FROM plaint.ack_sla
 WHERE sent_at IS NOT NULL
 GROUP BY queue, date_trunc('day', sent_at);
COMMENT ON VIEW plaint.ack_latency IS 'Acknowledgement latency per queue and day, in seconds: p50, p95, p99, max, and how many were late';
COMMENT ON COLUMN plaint.ack_latency.queue IS 'The queue';
COMMENT ON COLUMN plaint.ack_latency.day IS 'The day the acknowledgements were sent (midnight in the session''s time zone)';
COMMENT ON COLUMN plaint.ack_latency.acks IS 'How many were sent that day';
COMMENT ON COLUMN plaint.ack_latency.p50 IS 'Median latency, seconds from arrival to the SMTP server''s 250';
COMMENT ON COLUMN plaint.ack_latency.p95 IS '95th percentile latency, seconds';
COMMENT ON COLUMN plaint.ack_latency.p99 IS '99th percentile latency, seconds';
COMMENT ON COLUMN plaint.ack_latency.max IS 'Longest latency, seconds';
COMMENT ON COLUMN plaint.ack_latency.late IS 'How many were sent after their deadline';
GRANT SELECT ON plaint.ack_latency TO plaint_agent;
