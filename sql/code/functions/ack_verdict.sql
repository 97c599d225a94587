-- Which rate limit, if any, holds back an acknowledgement: the counts
-- of plaint.ack_counts() plus those before it in a batch, against the
-- limits, in this order: 'rate-limit' (its address had its share),
-- 'similar-rate-limit' (its domain sent that many near-identical
-- messages), 'domain-rate-limit' (its domain had its share).  A NULL
-- count (a limit off) holds nothing back.
CREATE FUNCTION plaint.ack_verdict(addr_n bigint, shape_n bigint, domain_n bigint,
				   addr_before integer, shape_before integer,
				   domain_before integer, m plaint.inbound)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN addr_n + addr_before >= m.ack_rate_limit THEN 'rate-limit'
	    WHEN shape_n + shape_before >= m.similar_rate_limit THEN 'similar-rate-limit'
	    WHEN domain_n + domain_before >= m.domain_rate_limit THEN 'domain-rate-limit'
       END
$$;
COMMENT ON FUNCTION plaint.ack_verdict IS 'Internal to filing: the acknowledgement rate limit the counts reach, if any (rate-limit, similar-rate-limit, domain-rate-limit)';
GRANT EXECUTE ON FUNCTION plaint.ack_verdict TO plaint_gateway;
