-- Acknowledgements sent to one address within a window: the rate limit.
CREATE FUNCTION plaint.recent_acks(p_recipient text, p_window integer)
RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT count(*) FROM plaint.outbox
	 WHERE kind = 'ack' AND recipient = lower(p_recipient)
	   AND queued_at > now() - make_interval(secs => p_window)
$$;
COMMENT ON FUNCTION plaint.recent_acks IS 'How many acknowledgements went to an address in the last p_window seconds';
GRANT EXECUTE ON FUNCTION plaint.recent_acks TO plaint_gateway;
