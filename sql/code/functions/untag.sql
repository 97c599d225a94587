CREATE FUNCTION plaint.untag(ticket text, tag text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_tag text := btrim(untag.tag);
BEGIN
	t := plaint.ticket_for_update(untag.ticket);
	IF v_tag IS NULL OR NOT v_tag = ANY (t.tags) THEN
		RETURN false;
	END IF;
	UPDATE plaint.tickets x SET tags = array_remove(x.tags, v_tag), updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'untagged', jsonb_build_object('tag', v_tag));
	RETURN true;
END
$$;
COMMENT ON FUNCTION plaint.untag IS 'Removes a tag from a ticket; false and no event if it did not have it. Example: SELECT plaint.untag(''CMP-1042'', ''refund'');';
GRANT EXECUTE ON FUNCTION plaint.untag TO plaint_agent;
