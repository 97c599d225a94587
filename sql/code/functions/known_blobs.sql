-- The blobs of these hashes that are stored already.
CREATE FUNCTION plaint.known_blobs(p_sha256 text[])
RETURNS SETOF text
LANGUAGE sql STABLE AS $$
	SELECT b.sha256 FROM plaint.blobs b WHERE b.sha256 = ANY(p_sha256)
$$;
COMMENT ON FUNCTION plaint.known_blobs IS 'Which of these attachment hashes are stored already';
GRANT EXECUTE ON FUNCTION plaint.known_blobs TO plaint_gateway;
