-- Queues the acknowledgements of a batch of new tickets: a jsonb array
-- of objects with the arguments of plaint.queue_ack() (ticket_id,
-- reply_to_row, recipient, subject, body, message_id, in_reply_to,
-- references, body_html).  One NOTIFY plaint_outbox for the batch.  Returns how many
-- were queued (a ticket that has one already gets none).
CREATE FUNCTION plaint.queue_acks(acks jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	a jsonb;
	n integer := 0;
BEGIN
	FOR a IN SELECT e FROM jsonb_array_elements(acks) AS e LOOP
		IF plaint.queue_ack((a->>'ticket_id')::bigint,
				    (a->>'reply_to_row')::bigint, a->>'recipient',
				    a->>'subject', a->>'body', a->>'message_id',
				    a->>'in_reply_to',
				    ARRAY(SELECT jsonb_array_elements_text(
					    coalesce(a->'references', '[]'))),
				    a->>'body_html') THEN
			n := n + 1;
		END IF;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION plaint.queue_acks IS 'Gateway only: queues the acknowledgements of a batch of new tickets (a jsonb array of plaint.queue_ack arguments); returns how many were queued';
GRANT EXECUTE ON FUNCTION plaint.queue_acks TO plaint_gateway;
