-- Stops an address taking part in a ticket: replies no longer copy it,
-- even if it was in the Cc of the customer's mail (later mail with it in
-- Cc does not bring it back; plaint.add_participant does).  Returns
-- false (no event) if it did not take part.
CREATE FUNCTION plaint.remove_participant(ticket text, address text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_addr text := lower(btrim(remove_participant.address));
	v_source text;
BEGIN
	t := plaint.ticket_for_update(remove_participant.ticket);
	SELECT p.source INTO v_source FROM plaint.participants p
	 WHERE p.ticket = t.number AND p.address = v_addr;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	INSERT INTO plaint.ticket_participants AS p (ticket_id, address, source,
						     removed_at, removed_by)
	VALUES (t.id, v_addr, v_source, now(), session_user)
	ON CONFLICT ON CONSTRAINT ticket_participants_pkey DO UPDATE
	   SET removed_at = now(), removed_by = session_user;
	UPDATE plaint.tickets x SET updated_at = now() WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'participant_removed',
		jsonb_build_object('address', v_addr, 'source', v_source));
	RETURN true;
END
$$;
COMMENT ON FUNCTION plaint.remove_participant IS 'Removes an address from a ticket''s participants (also a Cc of the customer''s mail): replies stop copying it; false and no event if it did not take part. Example: SELECT plaint.remove_participant(''CMP-1042'', ''old-boss@example.com'');';
GRANT EXECUTE ON FUNCTION plaint.remove_participant TO plaint_agent;
