CREATE FUNCTION plaint.assign(ticket text, agent text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_agent text := btrim(assign.agent);
BEGIN
	t := plaint.ticket_for_update(assign.ticket);
	IF v_agent = '' THEN
		RAISE EXCEPTION 'no agent given for %', t.number
		      USING ERRCODE = '22023',
			    HINT = 'Name the agent''s database user; NULL unassigns.';
	END IF;
	IF t.assignee IS NOT DISTINCT FROM v_agent THEN
		RETURN;
	END IF;
	UPDATE plaint.tickets x SET assignee = v_agent, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'assigned',
		jsonb_build_object('assignee', v_agent, 'previous', t.assignee));
END
$$;
COMMENT ON FUNCTION plaint.assign IS 'Assigns a ticket to an agent (their database user name, which plaint.my_tickets matches); NULL unassigns; no event if nothing changes. Example: SELECT plaint.assign(''CMP-1042'', current_user);';
GRANT EXECUTE ON FUNCTION plaint.assign TO plaint_agent;
