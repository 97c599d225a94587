-- Writes the SLA the gateway's configuration gives its queues into
-- plaint.queues, which holds it for everyone (plaint.open_tickets,
-- plaint.overdue, the acknowledgement's {due}): the gateway calls it at
-- start with one object per [queue NAME] section, each key only if the
-- section sets it:
--
--   name            the queue (made if new)
--   ack_within      seconds            -> ack_within
--   first_response  seconds            -> first_response
--   resolve_within  seconds            -> resolve_within
--   escalate_to     an address         -> escalate_to
--   team            a name             -> team
--   hours           "always", or {"days": [1, ...], "start": "09:00",
--                   "end": "17:00", "tz": "Europe/Berlin"} -> hours_*
--
-- What a section leaves out stays as it is, so an admin's UPDATE of
-- another column holds.  A queue made here gets first_response =
-- new_first_response seconds (the gateway's [ack] respond_within)
-- unless the section gives its own.  A row is written only when
-- something differs, and one row returned for it: the queue and what
-- changed, in words.
CREATE FUNCTION plaint.seed_queues(queues jsonb, new_first_response integer DEFAULT NULL)
RETURNS TABLE (queue text, changed text)
LANGUAGE plpgsql SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	q record;
	o plaint.queues;
	n plaint.queues;
	v_made boolean;
BEGIN
	FOR q IN
		SELECT x.* FROM jsonb_to_recordset(seed_queues.queues) AS x(
			name text, ack_within integer, first_response integer,
			resolve_within integer, escalate_to text, hours jsonb,
			team text)
	LOOP
		INSERT INTO plaint.queues AS x (name, first_response)
		VALUES (q.name, make_interval(secs => coalesce(q.first_response,
							       seed_queues.new_first_response, 86400)))
		ON CONFLICT (name) DO NOTHING;
		v_made := FOUND;
		SELECT * INTO o FROM plaint.queues x WHERE x.name = q.name;
		n := o;
		n.ack_within := coalesce(make_interval(secs => q.ack_within), o.ack_within);
		n.first_response := coalesce(make_interval(secs => q.first_response), o.first_response);
		n.resolve_within := coalesce(make_interval(secs => q.resolve_within), o.resolve_within);
		n.escalate_to := coalesce(lower(q.escalate_to), o.escalate_to);
		n.team := coalesce(btrim(q.team), o.team);
		IF q.hours = '"always"' THEN
			n.hours_days := NULL;
			n.hours_start := NULL;
			n.hours_end := NULL;
			n.hours_tz := NULL;
		ELSIF q.hours IS NOT NULL THEN
			n.hours_days := ARRAY(SELECT d::integer
						FROM jsonb_array_elements_text(q.hours->'days') AS d);
			n.hours_start := (q.hours->>'start')::time;
			n.hours_end := (q.hours->>'end')::time;
			n.hours_tz := q.hours->>'tz';
		END IF;
		changed := concat_ws(', ',
			CASE WHEN v_made THEN 'made' END,
			CASE WHEN n.ack_within IS DISTINCT FROM o.ack_within
			     THEN 'ack_within ' || n.ack_within END,
			CASE WHEN n.first_response IS DISTINCT FROM o.first_response OR v_made
			     THEN 'first_response ' || n.first_response END,
			CASE WHEN n.resolve_within IS DISTINCT FROM o.resolve_within
			     THEN 'resolve_within ' || n.resolve_within END,
			CASE WHEN n.escalate_to IS DISTINCT FROM o.escalate_to
			     THEN 'escalate_to ' || n.escalate_to END,
			CASE WHEN n.team IS DISTINCT FROM o.team
			     THEN 'team ' || n.team END,
			CASE WHEN (n.hours_days, n.hours_start, n.hours_end, n.hours_tz)
				  IS DISTINCT FROM (o.hours_days, o.hours_start, o.hours_end, o.hours_tz)
			     THEN 'hours ' || coalesce(n.hours_days::text || ' ' || n.hours_start || '-' ||
						       n.hours_end || ' ' || n.hours_tz, 'always') END);
		CONTINUE WHEN changed = '';
		UPDATE plaint.queues x
		   SET ack_within = n.ack_within, first_response = n.first_response,
		       resolve_within = n.resolve_within, escalate_to = n.escalate_to,
		       hours_days = n.hours_days, hours_start = n.hours_start,
		       hours_end = n.hours_end, hours_tz = n.hours_tz,
		       team = n.team
		 WHERE x.name = q.name;
		queue := q.name;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION plaint.seed_queues IS 'Gateway, at start: writes the SLA keys its [queue NAME] sections set (ack_within, first_response, resolve_within, escalate_to, hours, team) into plaint.queues, leaving the others alone; returns each queue it changed and what. Example: SELECT * FROM plaint.seed_queues(''[{"name": "legal", "first_response": 14400, "escalate_to": "lead@example.com"}]'');';
GRANT EXECUTE ON FUNCTION plaint.seed_queues TO plaint_gateway;
