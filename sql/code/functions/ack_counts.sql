-- What the database holds that the acknowledgement rate limits count,
-- for each of messages (rows of plaint.inbound that open a ticket) whose
-- counted[i] is true and that has an address: the acknowledgements to
-- its address within ack_rate_window, the messages of its shape from its
-- domain within domain_rate_window (leaving out those of the raw ids
-- besides: a batch being filed), the acknowledgements to its domain
-- within domain_rate_window.  Each count stops at its limit, and is NULL
-- where the limit is off.  One row per message, n its position, with
-- the address, domain and "domain shape" key the counts were made for.
--
-- The statement is planned afresh on each call (EXECUTE of a fixed
-- text), and the window of the count by address is written so that no
-- index but outbox_recipient serves it: planned while the outbox was new
-- and small, and kept, the count read all of outbox_ack_domain for each
-- address (0.4 ms each at 900 rows).
CREATE FUNCTION plaint.ack_counts(messages plaint.inbound[], counted boolean[],
				  besides bigint[])
RETURNS TABLE (n bigint, addr text, domain text, shape_key text,
	       addr_n bigint, shape_n bigint, domain_n bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY EXECUTE $counts$
	SELECT u.n, u.addr, u.domain, u.domain || ' ' || u.shape,
	       CASE WHEN u.counted AND coalesce(u.ack_rate_limit, 0) > 0 THEN
		(SELECT count(*) FROM (
			SELECT FROM plaint.outbox o
			 WHERE o.kind = 'ack' AND o.recipient = u.addr
			   AND o.queued_at + make_interval(secs => u.ack_rate_window) > now()
			 ORDER BY o.queued_at DESC LIMIT u.ack_rate_limit) y) END,
	       CASE WHEN u.counted AND coalesce(u.similar_rate_limit, 0) > 0
			 AND u.shape IS NOT NULL THEN
		(SELECT count(*) FROM (
			SELECT FROM plaint.messages x
			 WHERE x.shape = u.shape AND x.direction = 'in'
			   AND x.received_at > u.since
			   AND lower(split_part(x.from_addr, '@', -1)) = u.domain
			   AND x.raw_id <> ALL ($3)
			 ORDER BY x.received_at DESC LIMIT u.similar_rate_limit) y) END,
	       CASE WHEN u.counted AND coalesce(u.domain_rate_limit, 0) > 0
			 AND NOT u.domain = ANY (coalesce(u.domain_rate_exempt, '{}')) THEN
		(SELECT count(*) FROM (
			SELECT FROM plaint.outbox o
			 WHERE o.kind = 'ack'
			   AND lower(split_part(o.recipient, '@', -1)) = u.domain
			   AND o.queued_at > u.since
			 ORDER BY o.queued_at DESC LIMIT u.domain_rate_limit) y) END
	  FROM (SELECT r.ordinality AS n, r.*,
		       lower(btrim(r.from_addr)) AS addr,
		       split_part(lower(btrim(r.from_addr)), '@', -1) AS domain,
		       now() - make_interval(secs => coalesce(r.domain_rate_window, 3600)) AS since,
		       coalesce($2[r.ordinality], false)
		       AND coalesce(lower(btrim(r.from_addr)), '') <> '' AS counted
		  FROM unnest($1) WITH ORDINALITY AS r) u
	 ORDER BY u.n
	$counts$ USING messages, counted, coalesce(besides, '{}');
END
$$;
COMMENT ON FUNCTION plaint.ack_counts IS 'Internal to filing: for each message that opens a ticket, what the acknowledgement rate limits count in the database (acks to its address, near-identical mail from its domain, acks to its domain), each up to its limit, NULL where a limit is off';
GRANT EXECUTE ON FUNCTION plaint.ack_counts TO plaint_gateway;
