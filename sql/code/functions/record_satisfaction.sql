-- Records a customer's answer to the satisfaction question of ticket
-- p_ticket: score p_score (1 to 5) and what else they wrote (quoted
-- text and signature already left out; "" or NULL: nothing), read by
-- the gateway from message p_message.  Only the first answer counts:
-- returns false, and changes nothing, when the ticket has no question
-- or it was answered already.  An event satisfaction records the score.
--
-- A score of 1 or 2 means the customer is not served: the ticket is
-- reopened (status open, counted in tickets.reopens like any reopen),
-- moved to p_low_score_queue when that is given (made if need be; an
-- assignee who cannot see it is unassigned, as plaint.set_queue does),
-- an event low_score says why, and NOTIFY plaint_low_score carries the
-- ticket number.  plaint.file_message() calls it for a reply that
-- answers an open question.
CREATE FUNCTION plaint.record_satisfaction(p_ticket bigint, p_message bigint,
					   p_score integer, p_comment text,
					   p_low_score_queue text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_queue text;
	v_assignee text;
BEGIN
	IF p_score IS NULL OR p_score NOT BETWEEN 1 AND 5 THEN
		RAISE EXCEPTION 'a satisfaction score is 1 to 5, not %', coalesce(p_score::text, 'NULL')
		      USING ERRCODE = '22023';
	END IF;
	SELECT * INTO t FROM plaint.tickets x WHERE x.id = p_ticket FOR UPDATE;
	UPDATE plaint.satisfaction s
	   SET score = p_score, comment = nullif(btrim(p_comment, E' \t\r\n'), ''),
	       answered_at = now(), message_row = p_message
	 WHERE s.ticket_id = p_ticket AND s.answered_at IS NULL;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (p_ticket, 'gateway', 'satisfaction',
		jsonb_build_object('score', p_score, 'message', p_message));
	IF p_score > 2 THEN
		RETURN true;
	END IF;

	v_queue := coalesce(nullif(btrim(p_low_score_queue), ''), t.queue);
	v_assignee := t.assignee;
	IF v_queue <> t.queue THEN
		INSERT INTO plaint.queues (name) VALUES (v_queue) ON CONFLICT DO NOTHING;
		IF v_assignee IS NOT NULL
		   AND NOT v_queue = ANY (plaint.visible_queues(v_assignee)) THEN
			v_assignee := NULL;
		END IF;
	END IF;
	UPDATE plaint.tickets x
	   SET status = 'open', queue = v_queue, assignee = v_assignee, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, 'gateway', 'low_score',
		jsonb_strip_nulls(jsonb_build_object(
			'reason', format('the customer scored the service %s of 5', p_score),
			'score', p_score, 'message', p_message,
			'status_from', t.status, 'status_to', 'open',
			'queue_from', CASE WHEN v_queue <> t.queue THEN t.queue END,
			'queue_to', CASE WHEN v_queue <> t.queue THEN v_queue END,
			'unassigned', CASE WHEN v_assignee IS DISTINCT FROM t.assignee
					   THEN t.assignee END)));
	PERFORM pg_notify('plaint_low_score', t.number);
	RETURN true;
END
$$;
COMMENT ON FUNCTION plaint.record_satisfaction IS 'Gateway: records the first answer to a ticket''s satisfaction question (score 1 to 5, comment); a score of 1 or 2 reopens the ticket, moves it to p_low_score_queue if given, writes an event low_score and notifies plaint_low_score with the ticket number. Returns false if there was no open question. Example: SELECT plaint.record_satisfaction(42, 1234, 4, ''quick and kind'');';
GRANT EXECUTE ON FUNCTION plaint.record_satisfaction TO plaint_gateway;
