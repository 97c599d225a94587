-- Stores a file an agent will attach to a reply: the content once in
-- plaint.blobs (a removed one is filled again), the name and type in
-- plaint.uploads under the agent's login.  The name is cut to its last
-- path component; it must be one line.  The type defaults to
-- application/octet-stream.  At most max_attachment_bytes (25 MB unless
-- an admin set another).
CREATE FUNCTION plaint.add_blob(name text, type text, content bytea) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	v_name text := btrim(regexp_replace(add_blob.name, '^.*[/\\]', ''));
	v_type text := lower(btrim(coalesce(nullif(btrim(add_blob.type), ''),
					    'application/octet-stream')));
	v_limit bigint;
	v_sha text;
BEGIN
	IF add_blob.content IS NULL OR octet_length(add_blob.content) = 0 THEN
		RAISE EXCEPTION 'the file is empty'
		      USING ERRCODE = '22023';
	END IF;
	SELECT s.value::bigint INTO v_limit FROM plaint.settings s
	 WHERE s.key = 'max_attachment_bytes';
	IF octet_length(add_blob.content) > coalesce(v_limit, 26214400) THEN
		RAISE EXCEPTION 'the file has % bytes, more than the % allowed',
		      octet_length(add_blob.content), coalesce(v_limit, 26214400)
		      USING ERRCODE = '54000',
			    HINT = 'An admin sets max_attachment_bytes in plaint.settings.';
	END IF;
	IF v_name IS NULL OR v_name = '' OR v_name ~ '[[:cntrl:]]' OR length(v_name) > 255 THEN
		RAISE EXCEPTION 'bad file name "%"', add_blob.name
		      USING ERRCODE = '22023',
			    HINT = 'A file name is one line of at most 255 characters, e.g. credit-note.pdf.';
	END IF;
	IF v_type !~ '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$' THEN
		RAISE EXCEPTION 'bad content type "%"', add_blob.type
		      USING ERRCODE = '22023',
			    HINT = 'A MIME type such as application/pdf or image/png.';
	END IF;
	v_sha := encode(sha256(add_blob.content), 'hex');
	INSERT INTO plaint.blobs AS b (sha256, size, content)
	VALUES (v_sha, octet_length(add_blob.content), add_blob.content)
	ON CONFLICT (sha256) DO UPDATE
	   SET content = EXCLUDED.content, removed_at = NULL
	 WHERE b.removed_at IS NOT NULL;
	INSERT INTO plaint.uploads (sha256, filename, content_type, added_by)
	VALUES (v_sha, v_name, v_type, session_user);
	RETURN v_sha;
END
$$;
COMMENT ON FUNCTION plaint.add_blob IS 'Stores a file (at most max_attachment_bytes, 25 MB by default) to attach to a reply; returns its sha256 for plaint.reply(..., attachments => ARRAY[...]). Example in psql: \set pdf `base64 -w0 credit.pdf` then SELECT plaint.add_blob(''credit.pdf'', ''application/pdf'', decode(:''pdf'', ''base64''));';
GRANT EXECUTE ON FUNCTION plaint.add_blob TO plaint_agent;
