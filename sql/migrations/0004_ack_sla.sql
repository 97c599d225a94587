-- 0004_ack_sla.sql: the acknowledgement promise as data: bounces of our
-- own mail, the per-sender rate limit, latency and breaches.

ALTER TABLE plaint.customers
	ADD COLUMN bounced_at timestamptz,
	ADD COLUMN bounces integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN plaint.customers.bounced_at IS 'When mail plaint sent to this address last bounced';
COMMENT ON COLUMN plaint.customers.bounces IS 'How many of plaint''s mails to this address bounced';

-- A bounce or report (DSN, MDN, ARF) never opens a ticket.  If it names
-- mail plaint sent, it joins that mail's ticket as a note-like message
-- and the address is marked as bouncing; if not, it is kept and closed.
CREATE FUNCTION plaint.file_bounce(
	p_raw_id bigint, p_original_ids text[], p_message_id text,
	p_from_addr text, p_subject text, p_body text, p_received_at timestamptz,
	OUT ticket_id bigint, OUT ticket_number text, OUT outbox_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_recipient text;
BEGIN
	SELECT o.id, o.ticket_id, o.recipient, t.number
	  INTO outbox_id, ticket_id, v_recipient, ticket_number
	  FROM unnest(p_original_ids) WITH ORDINALITY AS r(id, n)
	  JOIN plaint.outbox o ON o.message_id = r.id
	  JOIN plaint.tickets t ON t.id = o.ticket_id
	 ORDER BY r.n LIMIT 1;
	IF outbox_id IS NULL THEN
		UPDATE plaint.raw_messages
		   SET state = 'done', processed_at = now(),
		       reason = 'bounce or report about mail plaint did not send: no ticket'
		 WHERE id = p_raw_id;
		RETURN;
	END IF;
	INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id,
				     from_addr, subject, body, received_at,
				     ack_suppressed)
	VALUES (ticket_id, p_raw_id, 'in', p_message_id, lower(p_from_addr),
		p_subject, p_body, coalesce(p_received_at, now()), 'bounce')
	ON CONFLICT DO NOTHING;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (ticket_id, 'gateway', 'bounced',
		jsonb_build_object('outbox', outbox_id, 'recipient', v_recipient,
				   'raw', p_raw_id));
	UPDATE plaint.customers
	   SET bounced_at = now(), bounces = bounces + 1
	 WHERE email = v_recipient;
	UPDATE plaint.raw_messages
	   SET state = 'done', processed_at = now(),
	       reason = 'bounce of outbox ' || outbox_id
	 WHERE id = p_raw_id;
END
$$;
COMMENT ON FUNCTION plaint.file_bounce IS 'Gateway only: links a bounce or report to the ticket of the plaint mail it names; never opens a ticket';

-- Acknowledgements sent to one address within a window: the rate limit.
CREATE FUNCTION plaint.recent_acks(p_recipient text, p_window integer)
RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT count(*) FROM plaint.outbox
	 WHERE kind = 'ack' AND recipient = lower(p_recipient)
	   AND queued_at > now() - make_interval(secs => p_window)
$$;
COMMENT ON FUNCTION plaint.recent_acks IS 'How many acknowledgements went to an address in the last p_window seconds';

CREATE INDEX outbox_recipient ON plaint.outbox (recipient, queued_at) WHERE kind = 'ack';

CREATE VIEW plaint.ack_rate AS
SELECT o.recipient, count(*) AS acks_24h, max(o.queued_at) AS last_ack,
       (SELECT count(*) FROM plaint.messages m
	 WHERE m.from_addr = o.recipient AND m.ack_suppressed = 'rate-limit'
	   AND m.created_at > now() - interval '24 hours') AS held_back_24h
  FROM plaint.outbox o
 WHERE o.kind = 'ack' AND o.queued_at > now() - interval '24 hours'
 GROUP BY o.recipient;
COMMENT ON VIEW plaint.ack_rate IS 'Acknowledgements per address in the last 24 hours, and how many more the rate limit held back';

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

CREATE VIEW plaint.ack_latency AS
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

-- Why an acknowledgement was late: the stage that took the time.
CREATE VIEW plaint.ack_breaches AS
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

DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_gateway') THEN
		GRANT EXECUTE ON FUNCTION plaint.file_bounce, plaint.recent_acks
		      TO plaint_gateway;
	END IF;
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_agent') THEN
		GRANT SELECT ON plaint.ack_rate, plaint.ack_sla, plaint.ack_latency,
		      plaint.ack_breaches TO plaint_agent;
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION plaint.file_bounce FROM PUBLIC;

INSERT INTO plaint.schema_migrations (version) VALUES (4);
