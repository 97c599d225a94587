-- When something is due that takes `within` of a queue's open time,
-- starting at `from`.  A queue without business hours is always open:
-- from + within.  With hours, only the time between hours_start and
-- hours_end (wall-clock time in hours_tz) on the days hours_days counts;
-- a start outside hours waits for the next opening.  `within` is taken
-- as a span of seconds: '1 day' is 24 open hours, three days of 9 to 17.
CREATE FUNCTION plaint.deadline(queue text, "from" timestamptz, within interval)
RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	q plaint.queues;
	v_left interval;
	v_at timestamp;		-- wall-clock time in the queue's zone
	v_open timestamp;
	v_close timestamp;
BEGIN
	IF deadline."from" IS NULL OR deadline.within IS NULL THEN
		RETURN NULL;
	END IF;
	IF deadline.within < interval '0' THEN
		RAISE EXCEPTION 'a deadline cannot be % before its start', deadline.within
		      USING ERRCODE = '22023';
	END IF;
	SELECT * INTO q FROM plaint.queues x WHERE x.name = deadline.queue;
	IF q.hours_days IS NULL THEN
		RETURN deadline."from" + deadline.within;
	END IF;
	v_left := make_interval(secs => extract(epoch FROM deadline.within));
	v_at := deadline."from" AT TIME ZONE q.hours_tz;
	-- One day per round; ten years of rounds end any sane deadline.
	FOR day IN 1..3660 LOOP
		IF extract(isodow FROM v_at)::integer = ANY (q.hours_days) THEN
			v_open := date_trunc('day', v_at) + q.hours_start;
			v_close := date_trunc('day', v_at) + q.hours_end;
			v_at := greatest(v_at, v_open);
			IF v_at < v_close OR (v_at = v_close AND v_left = interval '0') THEN
				IF v_at + v_left <= v_close THEN
					RETURN (v_at + v_left) AT TIME ZONE q.hours_tz;
				END IF;
				v_left := v_left - (v_close - v_at);
			END IF;
		END IF;
		v_at := date_trunc('day', v_at) + interval '1 day';
	END LOOP;
	RAISE EXCEPTION 'deadline of % in queue % is more than ten years away', deadline.within, deadline.queue
	      USING ERRCODE = '22023';
END
$$;
COMMENT ON FUNCTION plaint.deadline IS 'When a span of a queue''s open time (its business hours, else every hour) starting at "from" ends: the SLA clock of acknowledgements, first responses and resolutions. Example: SELECT plaint.deadline(''billing'', now(), interval ''4 hours'');';
GRANT EXECUTE ON FUNCTION plaint.deadline TO plaint_agent, plaint_gateway;
