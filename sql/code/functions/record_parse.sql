-- Records limits and defects; a limit reached is noted on the ticket so
-- that an agent knows part of the message is only in the raw bytes.
CREATE FUNCTION plaint.record_parse(p_message_row bigint, p_limits text[],
				    p_defects text[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_ticket bigint;
BEGIN
	UPDATE plaint.messages
	   SET limits_hit = p_limits, defects = p_defects
	 WHERE id = p_message_row
	RETURNING ticket_id INTO v_ticket;
	IF cardinality(p_limits) > 0 AND v_ticket IS NOT NULL THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (v_ticket, 'gateway', 'limits',
			jsonb_build_object('message', p_message_row,
					   'limits', to_jsonb(p_limits)));
	END IF;
END
$$;
COMMENT ON FUNCTION plaint.record_parse IS 'Gateway only: records the limits a message reached and its defects';
GRANT EXECUTE ON FUNCTION plaint.record_parse TO plaint_gateway;
