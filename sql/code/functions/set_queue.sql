-- Moves a ticket to another queue, e.g. one the rules got wrong.  The
-- queue must exist (agents do not make queues by a typo); it may be a
-- restricted one the agent cannot see: the ticket then leaves their
-- sight.  An assignee who cannot see the new queue is unassigned, so
-- that the ticket does not sit with someone who can no longer find it.
CREATE FUNCTION plaint.set_queue(ticket text, queue text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_queue text := btrim(set_queue.queue);
	v_assignee text;
BEGIN
	t := plaint.ticket_for_update(set_queue.ticket);
	IF NOT EXISTS (SELECT FROM plaint.queues q WHERE q.name = v_queue) THEN
		RAISE EXCEPTION 'unknown queue "%"', set_queue.queue
		      USING ERRCODE = 'P0002',
			    HINT = 'SELECT name FROM plaint.queues lists the queues; an admin adds one.';
	END IF;
	IF t.queue = v_queue THEN
		RETURN;
	END IF;
	v_assignee := t.assignee;
	IF v_assignee IS NOT NULL
	   AND NOT v_queue = ANY (plaint.visible_queues(v_assignee)) THEN
		v_assignee := NULL;
	END IF;
	UPDATE plaint.tickets x
	   SET queue = v_queue, assignee = v_assignee, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'queue',
		jsonb_strip_nulls(jsonb_build_object(
			'from', t.queue, 'to', v_queue,
			'unassigned', CASE WHEN v_assignee IS DISTINCT FROM t.assignee
					   THEN t.assignee END)));
END
$$;
COMMENT ON FUNCTION plaint.set_queue IS 'Moves a ticket to another existing queue (an assignee who cannot see that queue is unassigned); no event if it is there already. Example: SELECT plaint.set_queue(''CMP-1042'', ''billing'');';
GRANT EXECUTE ON FUNCTION plaint.set_queue TO plaint_agent;
