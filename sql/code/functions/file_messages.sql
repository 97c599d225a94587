-- Files a batch of inbound messages in one call: a jsonb array of the
-- facts plaint.file_message() takes, filed in order, one result row per
-- message.  One round trip for the gateway instead of one per message.
CREATE FUNCTION plaint.file_messages(batch jsonb)
RETURNS TABLE (raw_id bigint, action text, ticket_id bigint, ticket_number text,
	       message_row bigint, ack_suppressed text, note text)
LANGUAGE plpgsql AS $$
DECLARE
	v_facts jsonb;
BEGIN
	FOR v_facts IN SELECT e FROM jsonb_array_elements(batch) AS e LOOP
		SELECT * INTO action, ticket_id, ticket_number, message_row,
			      ack_suppressed, note
		  FROM plaint.file_message(v_facts);
		raw_id := (v_facts->>'raw_id')::bigint;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION plaint.file_messages IS 'Gateway only: files a batch of inbound messages (a jsonb array of plaint.file_message facts) and returns what was done with each, in order';
GRANT EXECUTE ON FUNCTION plaint.file_messages TO plaint_gateway;
