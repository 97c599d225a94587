-- Each agent function takes a ticket by number ('CMP-1042'; case, spaces
-- and brackets do not matter), locks it, and writes a plaint.events row
-- with actor = session_user.  Errors: P0002 unknown ticket, 22004 no
-- ticket given, 22023 a bad argument (empty body, unknown status or
-- priority), 55000 the ticket's state forbids it (reply to a closed
-- ticket, merged ticket).
--
-- The agent functions run as their owner, whom row-level security does
-- not restrict: this is where they refuse a ticket in a queue the
-- caller cannot see (plaint.visible_queues of plaint.acting_role()),
-- with the same error as a ticket that does not exist.
CREATE FUNCTION plaint.ticket_for_update(p_ticket text) RETURNS plaint.tickets
LANGUAGE plpgsql SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	v plaint.tickets;
BEGIN
	IF p_ticket IS NULL OR btrim(p_ticket, ' []') = '' THEN
		RAISE EXCEPTION 'no ticket given'
		      USING ERRCODE = '22004',
			    HINT = 'Name a ticket by its number, e.g. ''CMP-1042''.';
	END IF;
	SELECT * INTO v FROM plaint.tickets t
	 WHERE t.number = upper(btrim(p_ticket, ' []'))
	   AND t.queue = ANY (plaint.visible_queues(plaint.acting_role()))
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown ticket "%"', p_ticket
		      USING ERRCODE = 'P0002',
			    HINT = 'plaint.open_tickets lists the open tickets by number.';
	END IF;
	RETURN v;
END
$$;
COMMENT ON FUNCTION plaint.ticket_for_update IS 'Internal to the agent functions: the ticket with that number, locked, if the caller may see its queue; raises P0002 for an unknown or hidden one';
