-- 30-statistics.sql: plaint.refresh_statistics() analyzes the tables
-- filing writes to once messages has grown to 512 pages and more than 4
-- times what its statistics say, as the gateway's role (which owns no
-- table), and does nothing while the statistics match.
--
-- One transaction, rolled back; pg_class.relpages and reltuples, which
-- ANALYZE writes in place, keep what it found (hence last of the files).
BEGIN;
SELECT plan(8);

INSERT INTO plaint.queues (name) VALUES ('t30-q');
INSERT INTO plaint.customers (email) VALUES ('t30@example.com');
INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at)
SELECT 'T30-1', c.id, 'About it', 't30-q', now() FROM plaint.customers c
 WHERE c.email = 't30@example.com';

-- Rows of about 1.3 KB: 6 to a page.
CREATE FUNCTION pg_temp.fill(p_rows integer) RETURNS void LANGUAGE sql AS $$
	INSERT INTO plaint.messages (ticket_id, direction, subject, body)
	SELECT (SELECT id FROM plaint.tickets WHERE number = 'T30-1'), 'out', 'Filler ' || i,
	       (SELECT string_agg(md5(i::text || '/' || j), '') FROM generate_series(1, 40) j)
	  FROM generate_series(1, p_rows) i
$$;
CREATE FUNCTION pg_temp.pages() RETURNS bigint LANGUAGE sql AS $$
	SELECT pg_relation_size('plaint.messages') / current_setting('block_size')::bigint
$$;
CREATE FUNCTION pg_temp.threshold() RETURNS bigint LANGUAGE sql AS $$
	SELECT greatest(512, 4 * relpages + 1) FROM pg_class WHERE oid = 'plaint.messages'::regclass
$$;

---------------------------------------------------------------- below it
-- Just short of the threshold (what earlier files left behind counts).
DO $$
BEGIN
	WHILE pg_temp.pages() < pg_temp.threshold() - 8 LOOP
		PERFORM pg_temp.fill(30);
	END LOOP;
END
$$;
SET LOCAL ROLE plaint_gateway;
SELECT is((SELECT count(*) FROM plaint.refresh_statistics()), 0::bigint,
	  'refresh_statistics: below 512 pages and 4 times the statistics, nothing is analyzed');
RESET ROLE;

---------------------------------------------------------------- past it
SELECT pg_temp.fill(600);
CREATE TEMP TABLE before AS
SELECT pg_temp.pages() AS pages,
       (SELECT relpages FROM pg_class WHERE oid = 'plaint.messages'::regclass) AS relpages,
       (SELECT count(*) FROM plaint.messages) AS n;
GRANT SELECT ON before TO plaint_gateway;
SET LOCAL ROLE plaint_gateway;
CREATE TEMP TABLE got AS SELECT * FROM plaint.refresh_statistics();
RESET ROLE;
SELECT is((SELECT array_agg(relation ORDER BY relation) FROM got),
	  ARRAY['customers', 'events', 'messages', 'outbox', 'raw_messages', 'routing', 'tickets'],
	  'refresh_statistics: past it, as plaint_gateway, the seven tables filing writes to are analyzed');
SELECT is((SELECT (g.pages_before, g.pages) FROM got g WHERE relation = 'messages'),
	  (SELECT (b.relpages, b.pages) FROM before b),
	  'refresh_statistics: it returns the pages of messages before and now');
SELECT is((SELECT relpages::bigint FROM pg_class WHERE oid = 'plaint.messages'::regclass),
	  (SELECT pages FROM before),
	  'refresh_statistics: pg_class has the pages messages has now');
SELECT ok((SELECT reltuples FROM pg_class WHERE oid = 'plaint.messages'::regclass)
	  >= (SELECT n FROM before),
	  'refresh_statistics: reltuples counts the rows messages holds now');
SELECT ok(EXISTS (SELECT FROM pg_stats WHERE schemaname = 'plaint' AND tablename = 'messages'
			AND attname = 'ticket_id'),
	  'refresh_statistics: messages has column statistics');

---------------------------------------------------------------- again
SELECT pg_temp.fill(30);
SELECT is((SELECT count(*) FROM plaint.refresh_statistics()), 0::bigint,
	  'refresh_statistics: with statistics near the size, nothing again');

SELECT ok(NOT has_function_privilege('plaint_agent', 'plaint.refresh_statistics()', 'EXECUTE'),
	  'refresh_statistics: not for agents');

SELECT * FROM finish();
ROLLBACK;
