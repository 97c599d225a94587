-- The latency of acknowledgements the gateway sent, by outbox id, for
-- the histogram of its metrics endpoint: seconds from the arrival of
-- the mail answered (its INTERNALDATE, else when plaint fetched it) to
-- the SMTP server's 250, as plaint.ack_sla counts them.  A row whose
-- sending is not recorded yet comes with latency NULL; ids that are no
-- acknowledgement of mail plaint fetched do not come at all.
CREATE FUNCTION plaint.ack_latencies(ids bigint[])
RETURNS TABLE (outbox_id bigint, latency float8)
LANGUAGE sql STABLE SET search_path = pg_catalog, plaint, pg_temp AS $$
	SELECT o.id,
	       extract(epoch FROM o.sent_at - coalesce(r.internaldate, r.fetched_at))::float8
	  FROM plaint.outbox o
	  -- an acknowledgement answers the message that opened its ticket
	  CROSS JOIN LATERAL (SELECT m.raw_id FROM plaint.messages m
			       WHERE m.ticket_id = o.ticket_id AND m.direction = 'in'
			       ORDER BY m.id LIMIT 1) first_in
	  JOIN plaint.raw_messages r ON r.id = first_in.raw_id
	 WHERE o.id = ANY (ack_latencies.ids) AND o.kind = 'ack';
$$;
COMMENT ON FUNCTION plaint.ack_latencies IS 'Seconds from the arrival of the mail each acknowledgement answers to its SMTP 250, by outbox id (NULL: not sent yet); for the gateway''s latency histogram. Example: SELECT * FROM plaint.ack_latencies(ARRAY[41, 42]);';
GRANT EXECUTE ON FUNCTION plaint.ack_latencies TO plaint_gateway;
