-- How each queue did, per week of the tickets' arrival: the median and
-- 90th percentile of the time to the acknowledgement (sent), to the
-- first agent reply (queued), and to resolution (for tickets resolved or
-- closed now), in seconds from the first inbound message; and the share
-- of tickets that came back after being resolved or closed.  Elapsed
-- time, not open hours; merged tickets left out.
CREATE VIEW plaint.queue_performance WITH (security_invoker = true) AS
WITH per_ticket AS (
	SELECT t.queue, date_trunc('week', s.start)::date AS week,
	       extract(epoch FROM a.sent_at - s.start) AS ack,
	       extract(epoch FROM r.first_at - s.start) AS response,
	       CASE WHEN t.status IN ('resolved', 'closed')
		    THEN extract(epoch FROM t.closed_at - s.start) END AS resolution,
	       t.status IN ('resolved', 'closed') OR t.reopens > 0 AS was_resolved,
	       t.reopens > 0 AS reopened
	  FROM plaint.tickets t
	 CROSS JOIN LATERAL (SELECT coalesce(min(coalesce(m.received_at, m.created_at)),
					     t.created_at) AS start
			       FROM plaint.messages m
			      WHERE m.ticket_id = t.id AND m.direction = 'in') s
	  LEFT JOIN plaint.outbox a ON a.ticket_id = t.id AND a.kind = 'ack'
	  LEFT JOIN LATERAL (SELECT min(o.queued_at) AS first_at FROM plaint.outbox o
			      WHERE o.ticket_id = t.id AND o.kind = 'reply') r ON true
	 WHERE t.merged_into IS NULL)
SELECT p.queue, p.week, count(*) AS tickets,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.ack)::numeric, 1) AS ack_p50,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY p.ack)::numeric, 1) AS ack_p90,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.response)::numeric, 1)
	       AS first_response_p50,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY p.response)::numeric, 1)
	       AS first_response_p90,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.resolution)::numeric, 1)
	       AS resolution_p50,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY p.resolution)::numeric, 1)
	       AS resolution_p90,
       count(*) FILTER (WHERE p.was_resolved) AS resolved,
       count(*) FILTER (WHERE p.reopened) AS reopened,
       round(count(*) FILTER (WHERE p.reopened)::numeric
	     / nullif(count(*) FILTER (WHERE p.was_resolved), 0), 3) AS reopen_rate
  FROM per_ticket p
 GROUP BY p.queue, p.week
 ORDER BY p.week, p.queue;
COMMENT ON VIEW plaint.queue_performance IS 'Per queue and week of arrival: tickets, median and 90th percentile seconds to acknowledgement, to the first agent reply and to resolution, and the reopen rate. Example: SELECT week, tickets, round(first_response_p90 / 3600, 1) AS response_p90_hours, reopen_rate FROM plaint.queue_performance WHERE queue = ''billing'' ORDER BY week DESC LIMIT 12;';
COMMENT ON COLUMN plaint.queue_performance.queue IS 'The queue the tickets are in now';
COMMENT ON COLUMN plaint.queue_performance.week IS 'The Monday of the week the tickets'' first message arrived (session time zone)';
COMMENT ON COLUMN plaint.queue_performance.tickets IS 'Tickets whose first message arrived that week';
COMMENT ON COLUMN plaint.queue_performance.ack_p50 IS 'Median seconds from arrival to the acknowledgement''s sending (acknowledged tickets)';
COMMENT ON COLUMN plaint.queue_performance.ack_p90 IS '90th percentile of the same';
COMMENT ON COLUMN plaint.queue_performance.first_response_p50 IS 'Median seconds from arrival to the first agent reply (answered tickets)';
COMMENT ON COLUMN plaint.queue_performance.first_response_p90 IS '90th percentile of the same';
COMMENT ON COLUMN plaint.queue_performance.resolution_p50 IS 'Median seconds from arrival to resolved or closed (tickets resolved or closed now)';
COMMENT ON COLUMN plaint.queue_performance.resolution_p90 IS '90th percentile of the same';
COMMENT ON COLUMN plaint.queue_performance.resolved IS 'Tickets resolved or closed at least once (now, or before a reopening)';
COMMENT ON COLUMN plaint.queue_performance.reopened IS 'Tickets that became open again after being resolved or closed';
COMMENT ON COLUMN plaint.queue_performance.reopen_rate IS 'reopened / resolved; NULL when none was resolved';
GRANT SELECT ON plaint.queue_performance TO plaint_agent;
