CREATE FUNCTION plaint.merge(from_ticket text, into_ticket text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	f plaint.tickets;
	i plaint.tickets;
	v_moved bigint[];
BEGIN
	f := plaint.ticket_for_update(merge.from_ticket);
	i := plaint.ticket_for_update(merge.into_ticket);
	IF f.id = i.id THEN
		RAISE EXCEPTION 'cannot merge % into itself', f.number
		      USING ERRCODE = '22023';
	END IF;
	IF f.merged_into IS NOT NULL THEN
		RAISE EXCEPTION 'ticket % was already merged into %',
		      f.number, plaint.ticket_number(f.merged_into)
		      USING ERRCODE = '55000';
	END IF;
	IF i.merged_into IS NOT NULL THEN
		RAISE EXCEPTION 'ticket % was merged into %', i.number,
		      plaint.ticket_number(i.merged_into)
		      USING ERRCODE = '55000',
			    HINT = format('Merge into %s instead.', plaint.ticket_number(i.merged_into));
	END IF;
	IF i.status = 'closed' THEN
		RAISE EXCEPTION 'cannot merge into % : it is closed', i.number
		      USING ERRCODE = '55000',
			    HINT = format('Reopen it first: SELECT plaint.set_status(%L, ''open'');', i.number);
	END IF;
	UPDATE plaint.tickets x
	   SET merged_into = i.id, status = 'closed', updated_at = now()
	 WHERE x.id = f.id;
	-- Tickets merged into the one merged now: one hop, straight to i.
	WITH m AS (
		UPDATE plaint.tickets x SET merged_into = i.id
		 WHERE x.merged_into = f.id RETURNING x.id)
	SELECT array_agg(m.id ORDER BY m.id) INTO v_moved FROM m;
	UPDATE plaint.tickets x SET updated_at = now() WHERE x.id = i.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (f.id, session_user, 'merged',
		jsonb_build_object('into', i.number, 'status', f.status));
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (i.id, session_user, 'merged_from',
		jsonb_build_object('from', f.number));
	IF v_moved IS NOT NULL THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		SELECT x, session_user, 'merged',
		       jsonb_build_object('into', i.number, 'via', f.number)
		  FROM unnest(v_moved) x;
	END IF;
END
$$;
COMMENT ON FUNCTION plaint.merge IS 'Merges from_ticket into into_ticket: from_ticket is closed with merged_into set and keeps its history; plaint.thread shows its rows under into_ticket and new mail naming it threads onto into_ticket. Example: SELECT plaint.merge(''CMP-1043'', ''CMP-1042'');';
GRANT EXECUTE ON FUNCTION plaint.merge TO plaint_agent;
