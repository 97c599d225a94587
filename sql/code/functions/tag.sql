-- Tags are words without spaces or commas, at most 64 characters; the
-- rules give them too.  Returns whether the ticket changed.
CREATE FUNCTION plaint.tag(ticket text, tag text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_tag text := btrim(tag.tag);
BEGIN
	t := plaint.ticket_for_update(tag.ticket);
	IF v_tag IS NULL OR v_tag !~ '^[^[:space:][:cntrl:],]{1,64}$' THEN
		RAISE EXCEPTION 'bad tag "%"', tag.tag
		      USING ERRCODE = '22023',
			    HINT = 'A tag is one word of at most 64 characters, without commas.';
	END IF;
	IF v_tag = ANY (t.tags) THEN
		RETURN false;
	END IF;
	UPDATE plaint.tickets x SET tags = array_append(x.tags, v_tag), updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'tagged', jsonb_build_object('tag', v_tag));
	RETURN true;
END
$$;
COMMENT ON FUNCTION plaint.tag IS 'Adds a tag to a ticket (one word, no commas); false and no event if it has it already. Example: SELECT plaint.tag(''CMP-1042'', ''refund'');';
GRANT EXECUTE ON FUNCTION plaint.tag TO plaint_agent;
