-- Deadlines that fell today (since midnight in the session's time
-- zone) and were missed: acknowledgements from the outbox (sent after
-- their deadline, given up, or still unsent past it), first responses
-- and resolutions from plaint.breaches (recorded by
-- plaint.check_overdue).  One row per kind, zero included.  It runs
-- with the reader's rights: an agent counts the queues they see.
CREATE VIEW plaint.breaches_today WITH (security_invoker = true) AS
SELECT 'ack'::text AS kind, count(*) AS breaches
  FROM plaint.outbox o
 WHERE o.kind = 'ack' AND o.due_at >= date_trunc('day', now()) AND o.due_at < now()
   AND (o.sent_at IS NULL OR o.sent_at > o.due_at)
UNION ALL
SELECT k.kind, (SELECT count(*) FROM plaint.breaches b
		 WHERE b.kind = k.kind AND b.due_at >= date_trunc('day', now()))
  FROM (VALUES ('first_response'), ('resolution')) AS k(kind);
COMMENT ON VIEW plaint.breaches_today IS 'Deadlines that fell today and were missed, per kind: acknowledgements (from the outbox), first responses and resolutions (from plaint.breaches)';
COMMENT ON COLUMN plaint.breaches_today.kind IS 'ack, first_response or resolution';
COMMENT ON COLUMN plaint.breaches_today.breaches IS 'How many of that kind were due today and missed';
GRANT SELECT ON plaint.breaches_today TO plaint_gateway, plaint_agent;
