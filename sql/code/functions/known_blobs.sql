-- The blobs of these hashes that are stored already, with their content
-- (one removed by retention or erasure is not: the gateway sends the
-- content again, and plaint.add_attachment() fills it in).
CREATE FUNCTION plaint.known_blobs(p_sha256 text[])
RETURNS SETOF text
LANGUAGE sql STABLE AS $$
	SELECT b.sha256 FROM plaint.blobs b
	 WHERE b.sha256 = ANY(p_sha256) AND b.removed_at IS NULL
$$;
COMMENT ON FUNCTION plaint.known_blobs IS 'Which of these attachment hashes are stored already, with their content';
GRANT EXECUTE ON FUNCTION plaint.known_blobs TO plaint_gateway;
