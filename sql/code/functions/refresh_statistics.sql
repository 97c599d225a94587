-- Analyzes the tables filing writes to when plaint.messages, the largest
-- of them, has grown to 512 pages (4 MB) and more than 4 times the
-- pages its statistics give (last ANALYZE or VACUUM; none yet on a new
-- install).  Returns what it analyzed, with the pages each had in
-- pg_class before and has now.
--
-- Why the gateway does what autovacuum also does: plans are made with
-- the sizes the statistics give, and a session keeps them.  A first poll
-- of a mailbox with a backlog fills a new database at a thousand or more
-- messages a second, and the plans made while its tables were empty
-- read customers, tickets and raw_messages whole for every batch, so
-- that each batch costs more than the one before, until autovacuum
-- comes round (once a minute at most).  50,000 complaints into a new
-- database, `plaint once` with two workers on a two-core machine: 34.6 s
-- and 69.5 s without (autovacuum came after 9 s and 64 s; until then the
-- rate fell from 1,500 to 450-550 a second), 25.8 s and 29.7 s with.
-- Below 4 MB of messages (some 3,800 complaints) reading the tables
-- whole costs less than analyzing them: 2,000 complaints were filed no
-- faster after an ANALYZE.
--
-- An ANALYZE makes every session plan its statements again.  One caller
-- at a time (the others return at once); a table autovacuum is working
-- on just then is skipped.  It runs as its owner: only a table's owner
-- may analyze it.
CREATE FUNCTION plaint.refresh_statistics()
RETURNS TABLE (relation text, pages_before integer, pages bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	v_oids oid[];
	v_names text[];
	v_before integer[];
BEGIN
	IF NOT pg_try_advisory_xact_lock(hashtext('plaint.refresh_statistics')) THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_class c
			WHERE c.oid = 'plaint.messages'::regclass
			  AND pg_relation_size(c.oid) / current_setting('block_size')::bigint
			      >= greatest(512, 4 * c.relpages + 1)) THEN
		RETURN;
	END IF;
	SELECT array_agg(c.oid ORDER BY c.relname), array_agg(c.relname::text ORDER BY c.relname),
	       array_agg(c.relpages ORDER BY c.relname)
	  INTO v_oids, v_names, v_before
	  FROM pg_class c
	 WHERE c.oid IN ('plaint.raw_messages'::regclass, 'plaint.customers'::regclass,
			 'plaint.tickets'::regclass, 'plaint.messages'::regclass,
			 'plaint.events'::regclass, 'plaint.routing'::regclass,
			 'plaint.outbox'::regclass);
	ANALYZE (SKIP_LOCKED) plaint.raw_messages, plaint.customers, plaint.tickets,
		 plaint.messages, plaint.events, plaint.routing, plaint.outbox;
	RETURN QUERY
	SELECT b.name, b.before, c.relpages::bigint
	  FROM unnest(v_oids, v_names, v_before) AS b(id, name, before)
	  JOIN pg_class c ON c.oid = b.id
	 ORDER BY b.name;
END
$$;
COMMENT ON FUNCTION plaint.refresh_statistics IS 'Gateway only: analyzes the tables filing writes to once plaint.messages has grown to 512 pages and more than 4 times the size its statistics give, so that plans made while they were small are made again; returns what it analyzed, with its pages before and now';
GRANT EXECUTE ON FUNCTION plaint.refresh_statistics TO plaint_gateway;
