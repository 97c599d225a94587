-- Queues the acknowledgement of a new ticket: an outbound message row
-- (so replies to it thread) and its outbox row, due at the SLA deadline.
-- p_body_html: its HTML alternative, if the template has one.
CREATE FUNCTION plaint.queue_ack(
	p_ticket_id bigint, p_reply_to_row bigint, p_recipient text,
	p_subject text, p_body text, p_message_id text,
	p_in_reply_to text, p_references text[], p_body_html text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_row bigint;
BEGIN
	PERFORM 1 FROM plaint.outbox o
	 WHERE o.ticket_id = p_ticket_id AND o.kind = 'ack';
	IF FOUND THEN
		RETURN false;
	END IF;
	INSERT INTO plaint.messages (ticket_id, direction, message_id,
				     in_reply_to, "references", subject, body,
				     body_html)
	VALUES (p_ticket_id, 'out', p_message_id, p_in_reply_to,
		coalesce(p_references, '{}'), p_subject, p_body, p_body_html)
	RETURNING id INTO v_row;
	INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient,
				   message_id, due_at)
	SELECT 'ack', p_ticket_id, v_row, p_recipient, p_message_id,
	       t.ack_due_at
	  FROM plaint.tickets t WHERE t.id = p_ticket_id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (p_ticket_id, 'gateway', 'ack_queued',
		jsonb_build_object('message_id', p_message_id,
				   'in_reply_to_row', p_reply_to_row));
	-- One payload for all: a transaction that queues many notifies once.
	PERFORM pg_notify('plaint_outbox', '');
	RETURN true;
END
$$;
COMMENT ON FUNCTION plaint.queue_ack IS 'Gateway only: queues the acknowledgement of a ticket, at most one per ticket';
GRANT EXECUTE ON FUNCTION plaint.queue_ack TO plaint_gateway;
