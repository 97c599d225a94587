-- Repeat complaints surface themselves: of the tickets just opened, one
-- whose customer has opened repeat_tickets or more tickets within
-- repeat_days days (counting it, and the tickets before it, not those
-- merged into another), or whose latest answered satisfaction question
-- (plaint.satisfaction) scored 1 or 2, gets the tag repeat and its
-- priority one step up (low -> normal -> high -> urgent, which stays).
-- An event 'repeat' records why: reasons (tickets, low_score), the count
-- and the window, the score, and the priority before and after.
--
-- plaint.file_messages() calls it once per batch with the tickets it
-- opened and the gateway's [tickets] repeat_tickets and repeat_days;
-- 0 in either leaves the count out (the score still counts).  One
-- statement for the whole batch (PL/pgSQL, so that its plan is kept
-- from one call to the next); returns how many tickets it marked.
CREATE FUNCTION plaint.mark_repeats(tickets bigint[], repeat_tickets integer,
				    repeat_days integer)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, plaint, pg_temp AS $$
#variable_conflict use_column
DECLARE
	n integer;
BEGIN
	IF coalesce(cardinality(mark_repeats.tickets), 0) = 0 THEN
		RETURN 0;
	END IF;
	WITH opened AS (
		SELECT t.id, t.customer_id, t.priority,
		       CASE WHEN coalesce(mark_repeats.repeat_tickets, 0) > 0
				 AND coalesce(mark_repeats.repeat_days, 0) > 0
			    THEN (SELECT count(*) FROM plaint.tickets o
				   WHERE o.customer_id = t.customer_id AND o.id <= t.id
				     AND o.merged_into IS NULL
				     AND o.created_at > now() - make_interval(days => mark_repeats.repeat_days))
		       END AS recent,
		       (SELECT s.score FROM plaint.satisfaction s
			 WHERE s.customer_id = t.customer_id AND s.answered_at IS NOT NULL
			 ORDER BY s.answered_at DESC, s.ticket_id DESC LIMIT 1) AS score
		  FROM plaint.tickets t
		 WHERE t.id = ANY (mark_repeats.tickets) AND t.customer_id IS NOT NULL),
	why AS (
		SELECT o.*, array_remove(ARRAY[
			       CASE WHEN o.recent >= mark_repeats.repeat_tickets THEN 'tickets' END,
			       CASE WHEN o.score <= 2 THEN 'low_score' END], NULL) AS reasons
		  FROM opened o),
	marked AS (
		UPDATE plaint.tickets x
		   SET tags = CASE WHEN 'repeat' = ANY (x.tags) THEN x.tags
				   ELSE x.tags || 'repeat'::text END,
		       priority = CASE x.priority WHEN 'low' THEN 'normal'
						  WHEN 'normal' THEN 'high'
						  ELSE 'urgent' END,
		       updated_at = now()
		  FROM why w
		 WHERE x.id = w.id AND cardinality(w.reasons) > 0
		RETURNING x.id, x.priority, w.priority AS previous, w.reasons, w.recent, w.score),
	ev AS (
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		SELECT m.id, 'gateway', 'repeat', jsonb_strip_nulls(jsonb_build_object(
			'reasons', to_jsonb(m.reasons), 'tickets', m.recent,
			'days', CASE WHEN m.recent IS NOT NULL THEN mark_repeats.repeat_days END,
			'score', m.score, 'from', m.previous, 'to', m.priority))
		  FROM marked m
		RETURNING 1)
	SELECT count(*)::integer INTO n FROM ev;
	RETURN n;
END
$$;
COMMENT ON FUNCTION plaint.mark_repeats IS 'Gateway, when filing: tags repeat and raises by one step the priority of each of the given new tickets whose customer opened repeat_tickets or more tickets (0: not counted) within repeat_days days, or last answered a satisfaction question with 1 or 2; an event repeat gives the reasons. Returns how many it marked. Example: SELECT plaint.mark_repeats(ARRAY[42], 3, 30);';
GRANT EXECUTE ON FUNCTION plaint.mark_repeats TO plaint_gateway;
