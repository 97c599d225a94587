-- Who an outgoing mail speaks for, as the From of the mail names them:
-- the gateway sends it as "NAME via <its own From name> <its address>".
-- NULL: the gateway's From alone.
--
--   reply        its author's display name (plaint.agents), the agent
--                whose signature is under it;
--   escalation   none: it goes to the team, not to the customer;
--   other mail   (acknowledgements, and whatever else reaches the
--                customer) the display name of the ticket's assignee,
--                else of the author of the ticket's latest reply; for
--                an acknowledgement, else the queue's team.
--
-- An agent without a display name is not named; a blank one counts as
-- none.  Read when the gateway claims the mail, so that an agent
-- assigned after the mail was queued is already named.
CREATE FUNCTION plaint.from_name(kind text, ticket_id bigint, message_row bigint)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, plaint, pg_temp AS $$
SELECT CASE
	WHEN from_name.kind = 'escalation' THEN NULL
	WHEN from_name.kind = 'reply' THEN (
		SELECT nullif(btrim(a.display_name), '')
		  FROM plaint.messages m JOIN plaint.agents a ON a.login = m.author
		 WHERE m.id = from_name.message_row)
	ELSE coalesce(
		(SELECT nullif(btrim(a.display_name), '')
		   FROM plaint.tickets t JOIN plaint.agents a ON a.login = t.assignee
		  WHERE t.id = from_name.ticket_id),
		(SELECT nullif(btrim(a.display_name), '')
		   FROM plaint.messages m
		   LEFT JOIN plaint.agents a ON a.login = m.author
		  WHERE m.ticket_id = from_name.ticket_id AND m.direction = 'out'
		    AND m.author IS NOT NULL
		  ORDER BY m.id DESC LIMIT 1),
		CASE WHEN from_name.kind = 'ack' THEN (
			SELECT nullif(btrim(q.team), '')
			  FROM plaint.tickets t JOIN plaint.queues q ON q.name = t.queue
			 WHERE t.id = from_name.ticket_id) END)
END
$$;
COMMENT ON FUNCTION plaint.from_name IS 'Gateway: the name an outgoing mail of this kind on this ticket carries in From, before "via" and the gateway''s own From name: a reply''s author, else (not for escalations) the ticket''s assignee or latest replier, else for an acknowledgement the queue''s team; NULL: none. Example: SELECT plaint.from_name(kind, ticket_id, message_row) FROM plaint.outbox WHERE id = 7;';
GRANT EXECUTE ON FUNCTION plaint.from_name TO plaint_gateway;
