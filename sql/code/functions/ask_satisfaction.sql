-- Queues the satisfaction question of each ticket of batch, a jsonb
-- array of objects {ticket_id, subject, body, body_html, message_id}:
-- the question as the gateway rendered it from its template, for rows
-- plaint.satisfaction_due() gave.  Each is checked again here, with the
-- same ask_after and quiet_days, under a lock that one asker at a time
-- holds and with the tickets locked: a ticket reopened meanwhile, asked
-- by another gateway, or whose customer was asked meanwhile is left
-- out.  For each one asked: the question as an outbound message
-- (threaded under the customer's latest mail), one outbox row of kind
-- survey, due now, to the customer alone, one plaint.satisfaction row
-- and an event satisfaction_asked.  Returns the questions queued.
CREATE FUNCTION plaint.ask_satisfaction(batch jsonb, ask_after integer, quiet_days integer)
RETURNS TABLE (ticket text, outbox_id bigint, recipient text)
LANGUAGE plpgsql SET search_path = pg_catalog, plaint, pg_temp AS $$
#variable_conflict use_column
DECLARE
	r record;
BEGIN
	IF batch IS NULL OR jsonb_typeof(batch) <> 'array' THEN
		RAISE EXCEPTION 'ask_satisfaction needs a jsonb array of questions'
		      USING ERRCODE = '22023';
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('plaint.satisfaction'), 0);
	PERFORM FROM plaint.tickets t
	 WHERE t.id IN (SELECT (e->>'ticket_id')::bigint FROM jsonb_array_elements(batch) e)
	 ORDER BY t.id FOR UPDATE;
	FOR r IN
		WITH b AS (
			SELECT DISTINCT ON ((e->>'ticket_id')::bigint)
			       (e->>'ticket_id')::bigint AS id, e->>'subject' AS subject,
			       e->>'body' AS body, nullif(e->>'body_html', '') AS body_html,
			       e->>'message_id' AS message_id
			  FROM jsonb_array_elements(batch) e
			 WHERE nullif(e->>'subject', '') IS NOT NULL
			   AND nullif(e->>'body', '') IS NOT NULL
			   AND nullif(e->>'message_id', '') IS NOT NULL
			 ORDER BY 1),
		d AS (
			SELECT d.ticket_id, d.ticket AS number, d.email, d.in_reply_to,
			       d."references" AS refs, b.subject, b.body, b.body_html,
			       b.message_id
			  FROM plaint.satisfaction_due(ask_after, quiet_days, 2147483647) d
			  JOIN b ON b.id = d.ticket_id),
		m AS (
			INSERT INTO plaint.messages (ticket_id, direction, message_id, in_reply_to,
						     "references", subject, body, body_html,
						     created_at)
			SELECT d.ticket_id, 'out', d.message_id, d.in_reply_to, d.refs,
			       d.subject, d.body, d.body_html, clock_timestamp()
			  FROM d
			RETURNING id, ticket_id, message_id),
		o AS (
			INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient,
						   message_id, due_at)
			SELECT 'survey', m.ticket_id, m.id, d.email, m.message_id, now()
			  FROM m JOIN d ON d.ticket_id = m.ticket_id
			RETURNING id, ticket_id, message_row, recipient),
		s AS (
			INSERT INTO plaint.satisfaction (ticket_id, customer_id, queue, outbox_id)
			SELECT o.ticket_id, t.customer_id, t.queue, o.id
			  FROM o JOIN plaint.tickets t ON t.id = o.ticket_id
			RETURNING satisfaction.ticket_id),
		ev AS (
			INSERT INTO plaint.events (ticket_id, actor, kind, detail)
			SELECT o.ticket_id, 'gateway', 'satisfaction_asked',
			       jsonb_build_object('outbox', o.id, 'message', o.message_row,
						  'to', o.recipient)
			  FROM o
			RETURNING 1)
		SELECT d.number, o.id, o.recipient, o.ticket_id
		  FROM o JOIN d ON d.ticket_id = o.ticket_id
		 ORDER BY o.id
	LOOP
		ticket := r.number;
		outbox_id := r.id;
		recipient := r.recipient;
		PERFORM pg_notify('plaint_outbox', r.ticket_id::text);
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION plaint.ask_satisfaction IS 'Gateway: queues the satisfaction questions it rendered for rows of plaint.satisfaction_due() (a jsonb array of {ticket_id, subject, body, body_html, message_id}), each checked again: one outbox row of kind survey, one plaint.satisfaction row and an event per ticket asked; returns them.';
GRANT EXECUTE ON FUNCTION plaint.ask_satisfaction TO plaint_gateway;
