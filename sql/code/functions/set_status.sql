CREATE FUNCTION plaint.set_status(ticket text, status text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_status text := lower(btrim(set_status.status));
BEGIN
	t := plaint.ticket_for_update(set_status.ticket);
	IF v_status IS NULL OR v_status NOT IN ('new', 'open', 'pending', 'resolved', 'closed') THEN
		RAISE EXCEPTION 'unknown status "%"', set_status.status
		      USING ERRCODE = '22023',
			    HINT = 'A status is new, open, pending, resolved or closed.';
	END IF;
	IF t.merged_into IS NOT NULL AND v_status <> 'closed' THEN
		RAISE EXCEPTION 'ticket % was merged into %: it stays closed',
		      t.number, plaint.ticket_number(t.merged_into)
		      USING ERRCODE = '55000',
			    HINT = format('Work on %s.', plaint.ticket_number(t.merged_into));
	END IF;
	IF t.status = v_status THEN
		RETURN;
	END IF;
	UPDATE plaint.tickets x SET status = v_status, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'status',
		jsonb_build_object('from', t.status, 'to', v_status));
END
$$;
COMMENT ON FUNCTION plaint.set_status IS 'Sets a ticket''s status: new, open, pending, resolved or closed; no event if nothing changes. Example: SELECT plaint.set_status(''CMP-1042'', ''closed'');';
GRANT EXECUTE ON FUNCTION plaint.set_status TO plaint_agent;
