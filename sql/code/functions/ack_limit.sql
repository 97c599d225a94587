-- Whether a rate limit holds back the acknowledgement of m, a message
-- that opens a ticket: 'rate-limit' (its address had its share),
-- 'similar-rate-limit' (its domain sent that many near-identical
-- messages: a robot that answers from a new address each time),
-- 'domain-rate-limit' (its domain had its share; some domains are
-- spared); NULL if none does.  Counts what the database holds within
-- the windows, leaving out the rows of raw ids `besides` (a batch being
-- filed), plus what the caller counted before it in a batch; each count
-- stops at its limit.
CREATE FUNCTION plaint.ack_limit(m plaint.inbound, besides bigint[] DEFAULT '{}',
				 addr_before integer DEFAULT 0,
				 domain_before integer DEFAULT 0,
				 shape_before integer DEFAULT 0)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_addr text := nullif(lower(btrim(m.from_addr)), '');
	v_domain text := lower(split_part(nullif(lower(btrim(m.from_addr)), ''), '@', -1));
	v_since timestamptz := now() - make_interval(secs => coalesce(m.domain_rate_window, 3600));
	n bigint;
BEGIN
	IF v_addr IS NULL THEN
		RETURN NULL;
	END IF;
	IF coalesce(m.ack_rate_limit, 0) > 0 THEN
		SELECT count(*) INTO n FROM (
			SELECT FROM plaint.outbox o
			 WHERE o.kind = 'ack' AND o.recipient = v_addr
			   AND o.queued_at > now() - make_interval(secs => m.ack_rate_window)
			 LIMIT m.ack_rate_limit) x;
		IF n + addr_before >= m.ack_rate_limit THEN
			RETURN 'rate-limit';
		END IF;
	END IF;
	IF coalesce(m.similar_rate_limit, 0) > 0 AND m.shape IS NOT NULL THEN
		SELECT count(*) INTO n FROM (
			SELECT FROM plaint.messages x
			 WHERE x.shape = m.shape AND x.direction = 'in'
			   AND x.received_at > v_since
			   AND lower(split_part(x.from_addr, '@', -1)) = v_domain
			   AND x.raw_id <> ALL (besides || coalesce(m.raw_id, 0))
			 LIMIT m.similar_rate_limit) x;
		IF n + shape_before >= m.similar_rate_limit THEN
			RETURN 'similar-rate-limit';
		END IF;
	END IF;
	IF coalesce(m.domain_rate_limit, 0) > 0 AND
	   NOT v_domain = ANY (coalesce(m.domain_rate_exempt, '{}')) THEN
		SELECT count(*) INTO n FROM (
			SELECT FROM plaint.outbox o
			 WHERE o.kind = 'ack'
			   AND lower(split_part(o.recipient, '@', -1)) = v_domain
			   AND o.queued_at > v_since
			 LIMIT m.domain_rate_limit) x;
		IF n + domain_before >= m.domain_rate_limit THEN
			RETURN 'domain-rate-limit';
		END IF;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION plaint.ack_limit IS 'Internal to plaint.file_message: which acknowledgement rate limit, if any, holds back the acknowledgement of a new ticket (per address, near-identical mail per domain, per domain)';
GRANT EXECUTE ON FUNCTION plaint.ack_limit TO plaint_gateway;
