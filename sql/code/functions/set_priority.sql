CREATE FUNCTION plaint.set_priority(ticket text, priority text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_priority text := lower(btrim(set_priority.priority));
BEGIN
	t := plaint.ticket_for_update(set_priority.ticket);
	IF v_priority IS NULL OR v_priority NOT IN ('low', 'normal', 'high', 'urgent') THEN
		RAISE EXCEPTION 'unknown priority "%"', set_priority.priority
		      USING ERRCODE = '22023',
			    HINT = 'A priority is low, normal, high or urgent.';
	END IF;
	IF t.priority = v_priority THEN
		RETURN;
	END IF;
	UPDATE plaint.tickets x SET priority = v_priority, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'priority',
		jsonb_build_object('from', t.priority, 'to', v_priority));
END
$$;
COMMENT ON FUNCTION plaint.set_priority IS 'Sets a ticket''s priority: low, normal, high or urgent; no event if nothing changes. Example: SELECT plaint.set_priority(''CMP-1042'', ''urgent'');';
GRANT EXECUTE ON FUNCTION plaint.set_priority TO plaint_agent;
