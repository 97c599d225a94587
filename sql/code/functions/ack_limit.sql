-- Whether a rate limit holds back the acknowledgement of m, a message
-- that opens a ticket: 'rate-limit', 'similar-rate-limit' or
-- 'domain-rate-limit' (plaint.ack_verdict), NULL if none does.  Counts
-- what the database holds within the windows (plaint.ack_counts),
-- leaving out the rows of raw ids `besides` (a batch being filed), plus
-- what the caller counted before it in a batch.
CREATE FUNCTION plaint.ack_limit(m plaint.inbound, besides bigint[] DEFAULT '{}',
				 addr_before integer DEFAULT 0,
				 domain_before integer DEFAULT 0,
				 shape_before integer DEFAULT 0)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT plaint.ack_verdict(c.addr_n, c.shape_n, c.domain_n,
					  addr_before, shape_before, domain_before, m)
		  FROM plaint.ack_counts(ARRAY[m], ARRAY[true],
					 coalesce(besides, '{}') || coalesce(m.raw_id, 0)) c);
END
$$;
COMMENT ON FUNCTION plaint.ack_limit IS 'Internal to plaint.file_message: which acknowledgement rate limit, if any, holds back the acknowledgement of a new ticket (per address, near-identical mail per domain, per domain)';
GRANT EXECUTE ON FUNCTION plaint.ack_limit TO plaint_gateway;
