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
GRANT EXECUTE ON FUNCTION plaint.file_bounce TO plaint_gateway;
