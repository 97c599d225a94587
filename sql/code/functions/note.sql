CREATE FUNCTION plaint.note(ticket text, body text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_id bigint;
BEGIN
	t := plaint.ticket_for_update(note.ticket);
	IF note.body IS NULL OR btrim(note.body, E' \t\r\n') = '' THEN
		RAISE EXCEPTION 'the note on % is empty', t.number
		      USING ERRCODE = '22023';
	END IF;
	INSERT INTO plaint.notes (ticket_id, author, body, created_at)
	VALUES (t.id, session_user, note.body, clock_timestamp())
	RETURNING id INTO v_id;
	UPDATE plaint.tickets x SET updated_at = now() WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'note', jsonb_build_object('note', v_id));
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION plaint.note IS 'Adds an internal note to a ticket: shown in plaint.thread, never mailed. Returns the plaint.notes id. Example: SELECT plaint.note(''CMP-1042'', ''Refund approved by Sam.'');';
GRANT EXECUTE ON FUNCTION plaint.note TO plaint_agent;
