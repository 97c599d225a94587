-- Makes an address a participant of a ticket: replies copy it.  Returns
-- false (no event) if it takes part already.
CREATE FUNCTION plaint.add_participant(ticket text, address text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_addr text := lower(btrim(add_participant.address));
BEGIN
	t := plaint.ticket_for_update(add_participant.ticket);
	IF v_addr IS NULL OR v_addr !~ '^[^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+$' THEN
		RAISE EXCEPTION '"%" is not an email address', add_participant.address
		      USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT FROM plaint.customers c WHERE c.id = t.customer_id AND c.email = v_addr) THEN
		RAISE EXCEPTION '% is the customer of %: replies go to them anyway', v_addr, t.number
		      USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT FROM plaint.settings s, regexp_split_to_table(s.value, ',') a
		    WHERE s.key = 'own_addresses' AND lower(btrim(a)) = v_addr) THEN
		RAISE EXCEPTION '% is one of plaint''s own addresses', v_addr
		      USING ERRCODE = '22023',
			    HINT = 'Replies never copy plaint''s own mailboxes (the own_addresses setting).';
	END IF;
	IF EXISTS (SELECT FROM plaint.participants p
		    WHERE p.ticket = t.number AND p.address = v_addr) THEN
		RETURN false;
	END IF;
	INSERT INTO plaint.ticket_participants AS p (ticket_id, address, source, added_by)
	VALUES (t.id, v_addr, 'agent', session_user)
	ON CONFLICT ON CONSTRAINT ticket_participants_pkey DO UPDATE
	   SET source = 'agent', added_by = session_user, added_at = now(),
	       removed_at = NULL, removed_by = NULL;
	UPDATE plaint.tickets x SET updated_at = now() WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'participant_added', jsonb_build_object('address', v_addr));
	RETURN true;
END
$$;
COMMENT ON FUNCTION plaint.add_participant IS 'Adds an address to a ticket''s participants, whom replies copy; false and no event if it takes part already. Example: SELECT plaint.add_participant(''CMP-1042'', ''lawyer@example.com'');';
GRANT EXECUTE ON FUNCTION plaint.add_participant TO plaint_agent;
