-- The calling login's row of plaint.agents, made if missing.  NULL
-- leaves a field as it is; an empty or blank text clears it.
CREATE FUNCTION plaint.set_my_profile(display_name text, signature text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	v_name text := btrim(set_my_profile.display_name);
BEGIN
	IF v_name ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'a display name is one line'
		      USING ERRCODE = '22023';
	END IF;
	INSERT INTO plaint.agents AS a (login, display_name, signature)
	VALUES (session_user, nullif(v_name, ''),
		nullif(btrim(set_my_profile.signature, E' \t\r\n'), ''))
	ON CONFLICT (login) DO UPDATE
	   SET display_name = CASE WHEN set_my_profile.display_name IS NULL THEN a.display_name
				   ELSE EXCLUDED.display_name END,
	       signature = CASE WHEN set_my_profile.signature IS NULL THEN a.signature
				ELSE EXCLUDED.signature END,
	       updated_at = now();
END
$$;
COMMENT ON FUNCTION plaint.set_my_profile IS 'Sets your display name and the signature plaint.reply() puts under your replies (NULL keeps a field, '''' clears it). Example: SELECT plaint.set_my_profile(''Alice Martin'', E''Alice Martin\nCustomer care'');';
GRANT EXECUTE ON FUNCTION plaint.set_my_profile TO plaint_agent;
