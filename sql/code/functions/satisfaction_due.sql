-- The tickets whose customer may be asked now how they were served:
--
--   - resolved at least ask_after seconds ago and still resolved (a
--     reopen within that delay cancels the question), and not more than
--     7 days before that (turning the question on does not mail every
--     customer of old tickets);
--   - not merged, with a customer who was not erased and whose address
--     has not bounced since the ticket opened;
--   - never asked before (one question per ticket);
--   - whose first message was acknowledged, or could have been: a
--     ticket whose opening mail the loop guard, a sender check, a bounce
--     or a rate limit kept from an acknowledgement (its
--     messages.ack_suppressed) never gets a question either, whatever
--     the reason, so that no question goes to a machine;
--   - whose customer was not asked within quiet_days days, and only
--     their earliest resolved ticket of this round.
--
-- One row per ticket, with what the question's text and threading
-- need.  The gateway renders the question from its template and hands
-- the rows back to plaint.ask_satisfaction(), which checks them again.
CREATE FUNCTION plaint.satisfaction_due(ask_after integer, quiet_days integer,
					max_rows integer DEFAULT 100)
RETURNS TABLE (ticket_id bigint, ticket text, subject text, queue text,
	       name text, email text, in_reply_to text, "references" text[])
LANGUAGE sql STABLE SET search_path = pg_catalog, plaint, pg_temp AS $$
	SELECT d.id, d.number, d.subject, d.queue, d.name, d.email,
	       d.irt, CASE WHEN d.irt IS NULL THEN '{}'::text[]
			   ELSE array_append(array_remove(coalesce(d.refs, '{}'), d.irt), d.irt) END
	  FROM (SELECT DISTINCT ON (t.customer_id)
		       t.id, t.number, t.subject, t.queue, t.closed_at,
		       coalesce(c.name, first_in.from_name) AS name, c.email,
		       last_in.message_id AS irt, last_in."references" AS refs
		  FROM plaint.tickets t
		  JOIN plaint.customers c ON c.id = t.customer_id
		  JOIN LATERAL (SELECT m.ack_suppressed, m.from_name FROM plaint.messages m
				 WHERE m.ticket_id = t.id AND m.direction = 'in'
				 ORDER BY m.id LIMIT 1) first_in ON true
		  LEFT JOIN LATERAL (SELECT m.message_id, m."references" FROM plaint.messages m
				      WHERE m.ticket_id = t.id AND m.direction = 'in'
					AND m.message_id IS NOT NULL
					AND m.ack_suppressed IS DISTINCT FROM 'bounce'
				      ORDER BY coalesce(m.received_at, m.created_at) DESC, m.id DESC
				      LIMIT 1) last_in ON true
		 WHERE t.status = 'resolved' AND t.merged_into IS NULL
		   AND t.closed_at <= now() - make_interval(secs => greatest(ask_after, 0))
		   AND t.closed_at > now() - make_interval(secs => greatest(ask_after, 0))
				       - interval '7 days'
		   AND first_in.ack_suppressed IS NULL
		   AND c.erased_at IS NULL
		   AND (c.bounced_at IS NULL OR c.bounced_at < t.created_at)
		   AND NOT EXISTS (SELECT FROM plaint.satisfaction s WHERE s.ticket_id = t.id)
		   AND NOT EXISTS (SELECT FROM plaint.satisfaction s
				    WHERE s.customer_id = t.customer_id
				      AND s.asked_at > now() - make_interval(days => greatest(quiet_days, 0)))
		 ORDER BY t.customer_id, t.closed_at, t.id) d
	 ORDER BY d.closed_at, d.id
	 LIMIT greatest(max_rows, 0)
$$;
COMMENT ON FUNCTION plaint.satisfaction_due IS 'Gateway: the resolved tickets whose customer may be asked now how they were served (resolved ask_after seconds ago or more and still resolved, never asked, no acknowledgement withheld from the opening mail, no question to the customer within quiet_days), one per customer, with the text and threading the question needs. Example: SELECT ticket, email FROM plaint.satisfaction_due(3600, 30);';
GRANT EXECUTE ON FUNCTION plaint.satisfaction_due TO plaint_gateway;
