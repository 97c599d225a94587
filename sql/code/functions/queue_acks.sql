-- Queues the acknowledgements of a batch of new tickets: a jsonb array
-- of objects with the arguments of plaint.queue_ack() (ticket_id,
-- reply_to_row, recipient, subject, body, message_id, in_reply_to,
-- references, body_html).  What plaint.queue_ack() does for one, done
-- for all in one statement: the outbound messages, their outbox rows
-- (due at each ticket's ack_due_at, in the order given) and the events.
-- A ticket that has an acknowledgement already gets none, and one named
-- twice gets the first.  One NOTIFY plaint_outbox for the batch.
-- Returns how many were queued.  Planned generically from the first
-- call, as plaint.file_messages().
CREATE FUNCTION plaint.queue_acks(acks jsonb) RETURNS integer
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
	n integer;
BEGIN
	WITH a AS (
		SELECT DISTINCT ON ((e.j->>'ticket_id')::bigint)
		       e.n, (e.j->>'ticket_id')::bigint AS ticket_id,
		       (e.j->>'reply_to_row')::bigint AS reply_to_row,
		       e.j->>'recipient' AS recipient, e.j->>'message_id' AS message_id,
		       e.j
		  FROM jsonb_array_elements(acks) WITH ORDINALITY AS e(j, n)
		 WHERE NOT EXISTS (SELECT FROM plaint.outbox o
				    WHERE o.ticket_id = (e.j->>'ticket_id')::bigint
				      AND o.kind = 'ack')
		 ORDER BY (e.j->>'ticket_id')::bigint, e.n),
	m AS (
		INSERT INTO plaint.messages (ticket_id, direction, message_id,
					     in_reply_to, "references", subject, body,
					     body_html)
		SELECT a.ticket_id, 'out', a.message_id, a.j->>'in_reply_to',
		       ARRAY(SELECT jsonb_array_elements_text(
				coalesce(a.j->'references', '[]'))),
		       a.j->>'subject', a.j->>'body', a.j->>'body_html'
		  FROM a ORDER BY a.n
		RETURNING id, ticket_id),
	o AS (
		INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient,
					   message_id, due_at)
		SELECT 'ack', a.ticket_id, m.id, a.recipient, a.message_id,
		       t.ack_due_at
		  FROM a JOIN m ON m.ticket_id = a.ticket_id
		  JOIN plaint.tickets t ON t.id = a.ticket_id
		 ORDER BY a.n
		RETURNING ticket_id),
	ev AS (
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		SELECT a.ticket_id, 'gateway', 'ack_queued',
		       jsonb_build_object('message_id', a.message_id,
					  'in_reply_to_row', a.reply_to_row)
		  FROM a JOIN m ON m.ticket_id = a.ticket_id
		 ORDER BY a.n
		RETURNING 1)
	SELECT count(*) INTO n FROM o;
	IF n > 0 THEN
		PERFORM pg_notify('plaint_outbox', '');
	END IF;
	RETURN n;
END
$$;
COMMENT ON FUNCTION plaint.queue_acks IS 'Gateway only: queues the acknowledgements of a batch of new tickets (a jsonb array of plaint.queue_ack arguments) in one statement; returns how many were queued';
GRANT EXECUTE ON FUNCTION plaint.queue_acks TO plaint_gateway;
