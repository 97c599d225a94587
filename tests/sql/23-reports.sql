-- 23-reports.sql: the views for reports and BI tools
-- (complaints_by_week, repeat_complainants, queue_performance,
-- rule_effectiveness), on tickets made from the table `made` below, in
-- the two weeks before this one (w2, w1) and one 100 days ago.  The
-- expected figures are worked out here from `made`: counts by counting,
-- percentiles by a linear interpolation of the test's own.
-- One transaction, rolled back.
BEGIN;
SELECT plan(17);

INSERT INTO plaint.queues (name) VALUES ('t23-a'), ('t23-b');
CREATE TEMP TABLE w AS
	SELECT date_trunc('week', now()) AS w0, date_trunc('week', now()) - interval '1 week' AS w1,
	       date_trunc('week', now()) - interval '2 weeks' AS w2;
-- One row per ticket: when its first message arrived (= opened), and
-- after how many seconds it was acknowledged, answered, resolved.
CREATE TEMP TABLE made (number text PRIMARY KEY, queue text, customer text, arrived timestamptz,
			tags text[], ack integer, reply integer, closed integer, status text,
			reopens integer, merged_into text, rules text[]);
INSERT INTO made
SELECT v.number, v.queue, 't23-' || v.customer || '@example.com', v.arrived, v.tags, v.ack, v.reply,
       v.closed, v.status, v.reopens, v.merged_into, v.rules
  FROM w, LATERAL (VALUES
	('A1', 't23-a', 'rita', w2 + interval '1 day 10 hours', '{refund}'::text[], 60, 3600, 86400, 'closed', 0, NULL, '{r-billing}'::text[]),
	('A2', 't23-a', 'sol', w2 + interval '2 days', '{refund}', 120, 10800, 172800, 'resolved', 1, NULL, '{r-billing}'),
	('A3', 't23-a', 'rita', w2 + interval '3 days', '{refund,late}', 30, NULL, NULL, 'open', 0, NULL, '{r-billing}'),
	('A4', 't23-a', 'tom', w1 + interval '1 day', '{refund}', 90, 7200, NULL, 'open', 1, NULL, '{r-billing}'),
	('A5', 't23-a', 'tom', w1 + interval '1 day 1 hour', '{refund}', NULL, NULL, 600, 'closed', 0, 'A4', '{r-billing}'),
	('A6', 't23-a', 'uma', w1 + interval '2 days', '{}', NULL, NULL, NULL, 'new', 0, NULL, '{r-legal}'),
	('B1', 't23-b', 'rita', w1 + interval '3 days', '{kettle}', 45, 1800, 3600, 'closed', 0, NULL, '{r-old}'),
	('R0', 't23-b', 'rita', now() - interval '100 days', '{kettle}', NULL, NULL, 3600, 'closed', 0, NULL, '{}'))
	AS v(number, queue, customer, arrived, tags, ack, reply, closed, status, reopens, merged_into, rules);

INSERT INTO plaint.customers (email) SELECT DISTINCT customer FROM made;
INSERT INTO plaint.tickets (number, customer_id, subject, queue, status, tags, rules, reopens,
			    created_at, ack_due_at, closed_at)
SELECT 'T23-' || m.number, c.id, 'About ' || m.number, m.queue, m.status, m.tags, m.rules, m.reopens,
       m.arrived, m.arrived + interval '1 hour', m.arrived + make_interval(secs => m.closed)
  FROM made m JOIN plaint.customers c ON c.email = m.customer;
UPDATE plaint.tickets t SET merged_into = i.id
  FROM made m, plaint.tickets i
 WHERE t.number = 'T23-' || m.number AND i.number = 'T23-' || m.merged_into;
-- Each ticket's first message (with its raw row, routed by its rules),
-- its acknowledgement and its first reply.
CREATE FUNCTION pg_temp.mail(p_number text) RETURNS void LANGUAGE sql AS $$
	WITH m AS (SELECT * FROM made WHERE number = p_number),
	r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome, processed_at)
		SELECT 't23-inbox', encode(sha256(convert_to(p_number, 'UTF8')), 'hex'), 1, 'x', 'done',
		       'ticket', m.arrived FROM m
		RETURNING id),
	ro AS (
		INSERT INTO plaint.routing (raw_id, rules_version, matched, queue)
		SELECT r.id, 'v1', m.rules, m.queue FROM r, m WHERE cardinality(m.rules) > 0
		  AND m.rules <> '{r-old}')
	INSERT INTO plaint.messages (ticket_id, raw_id, direction, from_addr, subject, body, received_at)
	SELECT t.id, r.id, 'in', m.customer, 's', 'b', m.arrived
	  FROM m, r, plaint.tickets t WHERE t.number = 'T23-' || p_number
$$;
CREATE FUNCTION pg_temp.out(p_number text, p_kind text, p_after integer) RETURNS void LANGUAGE sql AS $$
	WITH m AS (
		INSERT INTO plaint.messages (ticket_id, direction, message_id, subject, body)
		SELECT t.id, 'out', p_kind || '.' || p_number || '@t23.example', 's', 'b'
		  FROM plaint.tickets t WHERE t.number = 'T23-' || p_number
		RETURNING id, ticket_id)
	INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at,
				   queued_at, sent_at)
	SELECT p_kind, m.ticket_id, m.id, 'x@example.com', p_kind || '.' || p_number || '@t23.example',
	       a.arrived, a.arrived + make_interval(secs => p_after), a.arrived + make_interval(secs => p_after)
	  FROM m, made a WHERE a.number = p_number
$$;
DO $$
BEGIN
	PERFORM pg_temp.mail(number) FROM made;
	PERFORM pg_temp.out(number, 'ack', ack) FROM made WHERE ack IS NOT NULL;
	PERFORM pg_temp.out(number, 'reply', reply) FROM made WHERE reply IS NOT NULL;
END
$$;
-- A message r-billing matched that a rule dropped: a hit, no ticket.
WITH r AS (INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
	   VALUES ('t23-inbox', encode(sha256('t23 dropped'::bytea), 'hex'), 1, 'x') RETURNING id)
INSERT INTO plaint.routing (raw_id, rules_version, matched, queue, dropped)
SELECT id, 'v1', '{r-billing}', 't23-a', true FROM r;
-- Agents move two of r-billing's tickets to t23-b.
CREATE TEMP TABLE moved (number text);
INSERT INTO moved VALUES ('A1'), ('A4');
SELECT plaint.set_queue('T23-' || number, 't23-b') FROM moved;
UPDATE made SET queue = 't23-b' WHERE number IN (SELECT number FROM moved);

-- Percentile with linear interpolation between the closest ranks (as
-- percentile_cont defines it), done by hand.
CREATE FUNCTION pg_temp.pct(p_values numeric[], p_fraction numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	WITH v AS (SELECT array_agg(x ORDER BY x) AS a FROM unnest(p_values) x WHERE x IS NOT NULL),
	pos AS (SELECT a, 1 + (cardinality(a) - 1) * p_fraction AS p FROM v)
	SELECT round(a[floor(p)::int] + (p - floor(p)) * (a[ceil(p)::int] - a[floor(p)::int]), 1)
	  FROM pos WHERE cardinality(a) > 0
$$;

---------------------------------------------------------------- complaints_by_week
SELECT results_eq(
	$$SELECT c.week, c.tag, c.complaints, c.previous, c.change FROM plaint.complaints_by_week c
	   WHERE c.queue = 't23-a' ORDER BY c.tag NULLS FIRST, c.week$$,
	-- t23-a holds A2 (w2, refund), A3 (w2, refund and late), A6 (w1, no
	-- tag) after the moves; A5 is merged.
	$$SELECT week::date, tag, complaints::bigint, previous::bigint, change::bigint FROM w, LATERAL (VALUES
		(w1, NULL::text, 1, 0, 1), (w0, NULL, 0, 1, -1),
		(w2, 'late', 1, 0, 1), (w1, 'late', 0, 1, -1), (w0, 'late', 0, 0, 0),
		(w2, 'refund', 2, 0, 2), (w1, 'refund', 0, 2, -2), (w0, 'refund', 0, 0, 0))
		AS v(week, tag, complaints, previous, change)$$,
	'complaints_by_week: t23-a per week and tag (untagged as NULL), every week to now, the change on the week before');
SELECT results_eq(
	$$SELECT c.week, c.complaints, c.change FROM plaint.complaints_by_week c
	   WHERE c.queue = 't23-b' AND c.tag = 'refund' ORDER BY c.week$$,
	$$SELECT week::date, complaints::bigint, change::bigint FROM w, LATERAL (VALUES
		(w2, 1, 1), (w1, 1, 0), (w0, 0, -1)) AS v(week, complaints, change)$$,
	'complaints_by_week: moved tickets count in the queue they are in now');
SELECT is((SELECT count(*) FROM plaint.complaints_by_week WHERE queue = 't23-b' AND tag = 'kettle'),
	  (SELECT (w0::date - date_trunc('week', now() - interval '100 days')::date) / 7 + 1 FROM w)::bigint,
	  'complaints_by_week: a row for every week from the first kettle complaint, 100 days ago, to this one');
SELECT is((SELECT sum(complaints) FROM plaint.complaints_by_week WHERE queue LIKE 't23-%')::bigint,
	  (SELECT sum(greatest(cardinality(tags), 1)) FROM made WHERE merged_into IS NULL)::bigint,
	  'complaints_by_week: every ticket not merged counts once per tag (once without)');

---------------------------------------------------------------- repeat_complainants
SELECT results_eq(
	$$SELECT customer, tickets_90d, open_now, tickets, queues_90d, last_contact
	    FROM plaint.repeat_complainants WHERE customer LIKE 't23-%'$$,
	$$SELECT customer,
		 count(*) FILTER (WHERE arrived > now() - interval '90 days'),
		 count(*) FILTER (WHERE status IN ('new', 'open', 'pending')),
		 count(*),
		 array_agg(DISTINCT queue ORDER BY queue) FILTER (WHERE arrived > now() - interval '90 days'),
		 max(arrived)
	    FROM made WHERE merged_into IS NULL GROUP BY customer
	  HAVING count(*) FILTER (WHERE arrived > now() - interval '90 days') >= 2$$,
	'repeat_complainants: rita alone has two or more tickets in 90 days (tom''s second was merged)');
SELECT is((SELECT count(*) FROM plaint.repeat_complainants WHERE customer LIKE 't23-%'), 1::bigint,
	  'repeat_complainants: one repeat complainant');

---------------------------------------------------------------- queue_performance
CREATE TEMP VIEW want_performance AS
SELECT queue, date_trunc('week', arrived)::date AS week, count(*) AS tickets,
       pg_temp.pct(array_agg(ack), 0.5) AS ack_p50, pg_temp.pct(array_agg(ack), 0.9) AS ack_p90,
       pg_temp.pct(array_agg(reply), 0.5) AS first_response_p50,
       pg_temp.pct(array_agg(reply), 0.9) AS first_response_p90,
       pg_temp.pct(array_agg(closed) FILTER (WHERE status IN ('resolved', 'closed')), 0.5) AS resolution_p50,
       pg_temp.pct(array_agg(closed) FILTER (WHERE status IN ('resolved', 'closed')), 0.9) AS resolution_p90,
       count(*) FILTER (WHERE status IN ('resolved', 'closed') OR reopens > 0) AS resolved,
       count(*) FILTER (WHERE reopens > 0) AS reopened
  FROM made WHERE merged_into IS NULL
 GROUP BY 1, 2;
SELECT results_eq(
	$$SELECT queue, week, tickets, ack_p50, ack_p90, first_response_p50, first_response_p90,
		 resolution_p50, resolution_p90, resolved, reopened
	    FROM plaint.queue_performance WHERE queue LIKE 't23-%' ORDER BY queue, week$$,
	$$SELECT * FROM want_performance ORDER BY queue, week$$,
	'queue_performance: per queue and week, the tickets and the p50 and p90 of each time, and the counts');
SELECT results_eq(
	$$SELECT queue, week, reopen_rate FROM plaint.queue_performance
	   WHERE queue LIKE 't23-%' ORDER BY queue, week$$,
	$$SELECT queue, week, round(reopened::numeric / nullif(resolved, 0), 3)
	    FROM want_performance ORDER BY queue, week$$,
	'queue_performance: the reopen rate is reopened over resolved, NULL when none was resolved');
SELECT is((SELECT ack_p90 FROM plaint.queue_performance WHERE queue = 't23-a'
	    AND week = (SELECT w2::date FROM w)), 111.0,
	  'queue_performance: t23-a''s first week, acknowledged after 30 and 120 s: p90 is 30 + 0.9 * 90 = 111 s');
SELECT is((SELECT reopen_rate FROM plaint.queue_performance WHERE queue = 't23-b'
	    AND week = (SELECT w1::date FROM w)), 0.500,
	  'queue_performance: t23-b''s second week: A4 came back, B1 did not: 0.5');

---------------------------------------------------------------- rule_effectiveness
SELECT results_eq(
	$$SELECT rule, hits, tickets, moved, moved_share, moved_to FROM plaint.rule_effectiveness
	   WHERE rule IN ('r-billing', 'r-legal', 'r-old') ORDER BY rule$$,
	$$SELECT g.rule,
		 (SELECT count(*) FROM plaint.routing r WHERE g.rule = ANY (r.matched)),
		 count(*),
		 count(*) FILTER (WHERE m.number IN (SELECT number FROM moved)),
		 round(count(*) FILTER (WHERE m.number IN (SELECT number FROM moved))::numeric / count(*), 3),
		 CASE WHEN count(*) FILTER (WHERE m.number IN (SELECT number FROM moved)) > 0
		      THEN 't23-b' END
	    FROM made m, unnest(m.rules) g(rule)
	   GROUP BY g.rule ORDER BY g.rule$$,
	'rule_effectiveness: hits, tickets, how many an agent moved, the share and where they went');
SELECT is((SELECT hits FROM plaint.rule_effectiveness WHERE rule = 'r-billing'), 6::bigint,
	  'rule_effectiveness: r-billing matched the five messages of its tickets and one it dropped');
SELECT is((SELECT moved_share FROM plaint.rule_effectiveness WHERE rule = 'r-billing'), 0.400,
	  'rule_effectiveness: two of its five tickets were moved');
SELECT results_eq($$SELECT hits, tickets FROM plaint.rule_effectiveness WHERE rule = 'r-old'$$,
		  $$VALUES (0::bigint, 1::bigint)$$,
		  'rule_effectiveness: a rule only tickets.rules remembers has tickets and no hits');
-- A move back and forth counts once, and where it ended.
SELECT plaint.set_queue('T23-A2', 't23-b');
SELECT plaint.set_queue('T23-A2', 't23-a');
SELECT results_eq($$SELECT moved, moved_to FROM plaint.rule_effectiveness WHERE rule = 'r-billing'$$,
		  $$VALUES (3::bigint, 't23-b'::text)$$,
		  'rule_effectiveness: a ticket moved and moved back counts as moved; moved_to is where most ended');

---------------------------------------------------------------- for reports
SELECT is_empty($$
	SELECT v FROM unnest(ARRAY['complaints_by_week', 'repeat_complainants', 'queue_performance',
				   'rule_effectiveness']) v
	 WHERE NOT has_table_privilege('plaint_agent', 'plaint.' || v, 'SELECT')$$,
	'the report views are readable by agents (each sees the queues they may)');
SELECT is_empty($$
	SELECT v FROM unnest(ARRAY['complaints_by_week', 'repeat_complainants', 'queue_performance',
				   'rule_effectiveness']) v
	 WHERE NOT (SELECT coalesce(c.reloptions, '{}') @> ARRAY['security_invoker=true']
		      FROM pg_class c WHERE c.oid = ('plaint.' || v)::regclass)$$,
	'the report views run with the reader''s rights');

SELECT * FROM finish();
ROLLBACK;
