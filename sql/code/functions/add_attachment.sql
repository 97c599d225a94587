-- One attachment of a filed message; p_content NULL when its blob is
-- known.  A blob whose content was removed is filled again.
CREATE FUNCTION plaint.add_attachment(
	p_message_row bigint, p_part text, p_filename text, p_content_type text,
	p_disposition text, p_content_id text, p_size bigint, p_sha256 text,
	p_content bytea)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_content IS NOT NULL THEN
		INSERT INTO plaint.blobs AS b (sha256, size, content)
		VALUES (p_sha256, p_size, p_content)
		ON CONFLICT (sha256) DO UPDATE
		   SET content = EXCLUDED.content, removed_at = NULL
		 WHERE b.removed_at IS NOT NULL;
	END IF;
	INSERT INTO plaint.attachments (message_row, part, filename, content_type,
					disposition, content_id, size, sha256)
	VALUES (p_message_row, p_part, p_filename, p_content_type, p_disposition,
		p_content_id, p_size, p_sha256)
	ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION plaint.add_attachment IS 'Gateway only: records an attachment of a filed message, storing its content once (again, if it was removed)';
GRANT EXECUTE ON FUNCTION plaint.add_attachment TO plaint_gateway;
