-- 22-sla.sql: one SLA in one place.  plaint.deadline() counts a queue's
-- open hours (weekends, a time zone and its summer time, starts outside
-- hours), checked by hand-worked cases and against a minute-by-minute
-- count; open_tickets, overdue and file_message's acknowledgement
-- deadline read it; plaint.check_overdue() records each breach once and
-- escalates it.  Fixed timestamps in March 2024 (1 March is a Friday).
-- One transaction, rolled back.
BEGIN;
SELECT plan(40);

UPDATE plaint.settings SET value = 't22.example' WHERE key = 'message_id_domain';
INSERT INTO plaint.queues (name) VALUES ('t22-always');
INSERT INTO plaint.queues (name, hours_days, hours_start, hours_end, hours_tz)
VALUES ('t22-office', '{1,2,3,4,5}', '09:00', '17:00', 'UTC'),
       ('t22-berlin', '{1,2,3,4,5}', '09:00', '17:00', 'Europe/Berlin'),
       ('t22-weekend', '{6,7}', '10:00', '14:00', 'America/New_York');

---------------------------------------------------------------- deadline by hand
SELECT is(plaint.deadline('t22-always', '2024-03-01 16:00+00', '4 hours'), '2024-03-01 20:00+00',
	  'deadline: a queue without hours counts every hour');
SELECT is(plaint.deadline('t22-office', '2024-03-01 16:00+00', '2 hours'), '2024-03-04 10:00+00',
	  'deadline: Friday 16:00 plus 2 open hours is Monday 10:00 (the weekend is closed)');
SELECT is(plaint.deadline('t22-office', '2024-03-02 12:00+00', '1 hour'), '2024-03-04 10:00+00',
	  'deadline: a start on Saturday waits for Monday''s opening');
SELECT is(plaint.deadline('t22-office', '2024-03-05 20:00+00', '30 minutes'), '2024-03-06 09:30+00',
	  'deadline: a start after closing waits for the next morning');
SELECT is(plaint.deadline('t22-office', '2024-03-05 07:00+00', '30 minutes'), '2024-03-05 09:30+00',
	  'deadline: a start before opening waits for the opening');
SELECT is(plaint.deadline('t22-office', '2024-03-04 17:00+00', '1 hour'), '2024-03-05 10:00+00',
	  'deadline: a start at closing time counts from the next opening');
SELECT is(plaint.deadline('t22-office', '2024-03-04 09:00+00', '20 hours'), '2024-03-06 13:00+00',
	  'deadline: 20 open hours from Monday 09:00 are Monday, Tuesday and 4 hours of Wednesday');
SELECT is(plaint.deadline('t22-office', '2024-03-04 09:00+00', '1 day'), '2024-03-06 17:00+00',
	  'deadline: ''1 day'' is 24 open hours, three working days');
SELECT is(plaint.deadline('t22-berlin', '2024-01-15 07:30+00', '1 hour'), '2024-01-15 09:00+00',
	  'deadline: 08:30 in Berlin (07:30 UTC) plus 1 hour is 10:00 Berlin, 09:00 UTC');
SELECT is(plaint.deadline('t22-berlin', '2024-03-29 15:00+00', '2 hours'), '2024-04-01 08:00+00',
	  'deadline: Friday 16:00 CET plus 2 hours is Monday 10:00 CEST (08:00 UTC), across the change to summer time');
SELECT is(plaint.deadline('t22-weekend', '2024-03-04 12:00+00', '5 hours'), '2024-03-10 11:00-04',
	  'deadline: a weekend queue in New York: Saturday 10-14, then 1 hour on Sunday (after the change to summer time)');
SELECT is(plaint.deadline('t22-office', '2024-03-04 10:00+00', '0'), '2024-03-04 10:00+00',
	  'deadline: nothing to wait for inside hours is the start');
SELECT is(plaint.deadline('t22-office', NULL, '1 hour'), NULL, 'deadline: no start, no deadline');
SELECT is(plaint.deadline('t22-office', now(), NULL), NULL, 'deadline: no span, no deadline');
SELECT throws_ok($$SELECT plaint.deadline('t22-office', now(), '-1 hour')$$, '22023', NULL,
		 'deadline: a negative span is refused');

---------------------------------------------------------------- deadline against a minute-by-minute count
-- The deadline is the end of the minute in which the count of open
-- minutes since the start reaches the span.
CREATE FUNCTION pg_temp.counted(p_queue text, p_from timestamptz, p_within interval)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
	SELECT min(x.t) + interval '1 minute'
	  FROM (SELECT m.t, count(*) FILTER (WHERE
			extract(isodow FROM m.t AT TIME ZONE q.hours_tz)::integer = ANY (q.hours_days)
			AND (m.t AT TIME ZONE q.hours_tz)::time >= q.hours_start
			AND (m.t AT TIME ZONE q.hours_tz)::time < q.hours_end) OVER (ORDER BY m.t) AS open
		  FROM plaint.queues q,
		       generate_series(p_from, p_from + interval '21 days', interval '1 minute') AS m(t)
		 WHERE q.name = p_queue) x
	 WHERE x.open >= extract(epoch FROM p_within) / 60
$$;
SELECT is_empty($$
	SELECT q, f, w, plaint.deadline(q, f, w), pg_temp.counted(q, f, w)
	  FROM (VALUES ('t22-office', timestamptz '2024-03-01 12:34+00', interval '7 hours 45 minutes'),
		       ('t22-office', '2024-03-08 16:59+00', '1 minute'),
		       ('t22-berlin', '2024-03-28 18:00+00', '9 hours'),
		       ('t22-berlin', '2024-03-30 23:30+00', '16 hours 1 minute'),
		       ('t22-berlin', '2024-10-25 15:10+00', '3 hours 20 minutes'),
		       ('t22-weekend', '2024-11-01 00:00+00', '6 hours 30 minutes')) v(q, f, w)
	 WHERE plaint.deadline(q, f, w) IS DISTINCT FROM pg_temp.counted(q, f, w)$$,
	'deadline agrees with a minute-by-minute count of open time (six starts, both changes of clock)');

---------------------------------------------------------------- hours are checked
SELECT throws_ok($$INSERT INTO plaint.queues (name, hours_days, hours_start, hours_end, hours_tz)
		   VALUES ('t22-bad', '{1}', '09:00', '17:00', 'Mars/Olympus')$$, '22023', NULL,
		 'queues: an unknown time zone is refused');
SELECT throws_ok($$INSERT INTO plaint.queues (name, hours_days, hours_start, hours_end, hours_tz)
		   VALUES ('t22-bad', '{1}', '17:00', '09:00', 'UTC')$$, '23514', NULL,
		 'queues: closing before opening is refused');
SELECT throws_ok($$INSERT INTO plaint.queues (name, hours_days, hours_start, hours_end, hours_tz)
		   VALUES ('t22-bad', '{0,8}', '09:00', '17:00', 'UTC')$$, '23514', NULL,
		 'queues: days outside 1..7 are refused');
SELECT throws_ok($$INSERT INTO plaint.queues (name, hours_days) VALUES ('t22-bad', '{1}')$$, '23514', NULL,
		 'queues: days without times and zone are refused');
SELECT throws_ok($$INSERT INTO plaint.queues (name, escalate_to) VALUES ('t22-bad', 'not an address')$$,
		 '23514', NULL, 'queues: escalate_to must be an address');
SELECT throws_ok($$INSERT INTO plaint.queues (name, resolve_within) VALUES ('t22-bad', '0')$$,
		 '23514', NULL, 'queues: resolve_within must be positive');

---------------------------------------------------------------- file_message: the acknowledgement deadline
UPDATE plaint.queues SET ack_within = interval '30 minutes' WHERE name = 't22-office';
-- Files a message as the gateway does (ack within 600 s); the ticket's
-- acknowledgement deadline.
CREATE FUNCTION pg_temp.file(p_name text, p_queue text, p_received timestamptz)
RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
	v_raw bigint;
	v_ticket bigint;
BEGIN
	INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
	VALUES ('t22-inbox', encode(sha256(convert_to(p_name, 'UTF8')), 'hex'), 1, 'x')
	RETURNING id INTO v_raw;
	SELECT f.ticket_id INTO v_ticket FROM plaint.file_message(jsonb_build_object(
		'raw_id', v_raw, 'prefix', 'T22', 'queue', p_queue, 'tags', '{}', 'rules', '{}',
		'drop', false, 'refs', '{}', 'message_id', p_name || '.t22@example.com',
		'references', '{}', 'from_addr', 'ann@t22.example', 'subject', p_name,
		'body', 'body', 'received_at', p_received, 'ack_within', 600)) f;
	RETURN (SELECT t.ack_due_at FROM plaint.tickets t WHERE t.id = v_ticket);
END
$$;
SELECT is(pg_temp.file('sat', 't22-office', '2024-03-02 12:00+00'), '2024-03-04 09:30+00',
	  'file_message: the queue''s ack_within, in its hours: Saturday''s mail is due Monday 09:30');
SELECT is(pg_temp.file('plain', 't22-always', '2024-03-02 12:00+00'), '2024-03-02 12:10+00',
	  'file_message: a queue without ack_within keeps the gateway''s 600 seconds');

---------------------------------------------------------------- open_tickets and overdue
UPDATE plaint.queues SET first_response = interval '2 hours', resolve_within = interval '1 day'
 WHERE name = 't22-office';
SELECT is((SELECT first_response_due_at FROM plaint.open_tickets
	    WHERE number = (SELECT number FROM plaint.tickets WHERE subject = 'sat')),
	  '2024-03-04 11:00+00', 'open_tickets: first response due 2 open hours after Saturday''s mail');
SELECT results_eq(
	$$SELECT resolve_due_at, resolve_state FROM plaint.open_tickets
	   WHERE number = (SELECT number FROM plaint.tickets WHERE subject = 'sat')$$,
	$$VALUES (timestamptz '2024-03-06 17:00+00', 'overdue'::text)$$,
	'open_tickets: resolution due 24 open hours after it, and overdue now');
SELECT is((SELECT resolve_due_at FROM plaint.open_tickets
	    WHERE number = (SELECT number FROM plaint.tickets WHERE subject = 'plain')),
	  NULL, 'open_tickets: no resolution deadline where the queue sets none');
SELECT results_eq(
	$$SELECT kind, what, due_at FROM plaint.overdue
	   WHERE number = (SELECT number FROM plaint.tickets WHERE subject = 'sat') ORDER BY due_at$$,
	$$VALUES ('ack'::text, 'acknowledgement'::text, timestamptz '2024-03-04 09:30+00'),
		 ('first_response', 'first response', '2024-03-04 11:00+00'),
		 ('resolution', 'resolution', '2024-03-06 17:00+00')$$,
	'overdue: one row per missed deadline, with the deadlines of open hours');

---------------------------------------------------------------- check_overdue
-- Tickets made by hand, relative to now: A misses its acknowledgement,
-- B its first response (its queue escalates), C is in time, D is
-- resolved, E needs no acknowledgement, F was noticed already.
INSERT INTO plaint.queues (name, first_response, escalate_to)
VALUES ('t22-plain', interval '1 day', NULL), ('t22-watched', interval '1 hour', 'boss@t22.example');
INSERT INTO plaint.customers (email) VALUES ('t22-cy@example.com');
CREATE FUNCTION pg_temp.ticket(p_number text, p_queue text, p_age interval, p_ack_in interval,
			       p_status text DEFAULT 'new', p_suppressed text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		VALUES ('t22-inbox', encode(sha256(convert_to(p_number, 'UTF8')), 'hex'), 1, 'x')
		RETURNING id),
	t AS (
		INSERT INTO plaint.tickets (number, customer_id, subject, queue, status, created_at, ack_due_at)
		SELECT p_number, c.id, 'About ' || p_number, p_queue, p_status, now() - p_age, now() + p_ack_in
		  FROM plaint.customers c WHERE c.email = 't22-cy@example.com'
		RETURNING id)
	INSERT INTO plaint.messages (ticket_id, raw_id, direction, from_addr, subject, body, received_at,
				     ack_suppressed)
	SELECT t.id, r.id, 'in', 't22-cy@example.com', 'About ' || p_number, 'b', now() - p_age, p_suppressed
	  FROM t, r
$$;
SELECT pg_temp.ticket('T22-A', 't22-plain', '2 hours', '-1 hour');
SELECT pg_temp.ticket('T22-B', 't22-watched', '3 hours', '1 hour');
SELECT pg_temp.ticket('T22-C', 't22-watched', '10 minutes', '50 minutes');
SELECT pg_temp.ticket('T22-D', 't22-watched', '3 hours', '-2 hours', 'resolved');
SELECT pg_temp.ticket('T22-E', 't22-plain', '3 hours', '-2 hours', 'new', 'auto-reply');
SELECT pg_temp.ticket('T22-F', 't22-plain', '3 hours', '-2 hours');
INSERT INTO plaint.breaches (ticket_id, kind, due_at, noticed_at)
SELECT id, 'ack', ack_due_at, now() - interval '1 hour' FROM plaint.tickets WHERE number = 'T22-F';
UPDATE plaint.tickets SET status = 'closed' WHERE queue IN ('t22-office', 't22-always');

SET LOCAL ROLE plaint_gateway;
CREATE TEMP TABLE first_round AS SELECT * FROM plaint.check_overdue();
RESET ROLE;
SELECT results_eq(
	$$SELECT ticket, kind, due_at, escalated_to, outbox_id IS NOT NULL FROM first_round ORDER BY ticket, kind$$,
	$$SELECT * FROM (VALUES
		('T22-A'::text, 'ack'::text, now() - interval '1 hour', NULL::text, false),
		('T22-B', 'first_response', now() - interval '2 hours', 'boss@t22.example', true)) v
	  ORDER BY 1, 2$$,
	'check_overdue (as the gateway): the new breaches, the escalated one with its outbox row; not C (in time), D (resolved), E (suppressed), F (noticed before)');
SELECT results_eq(
	$$SELECT t.number, b.kind, b.due_at, b.noticed_at, b.outbox_id IS NOT NULL
	    FROM plaint.breaches b JOIN plaint.tickets t ON t.id = b.ticket_id
	   WHERE t.number LIKE 'T22-%' ORDER BY 1, 2$$,
	$$VALUES ('T22-A'::text, 'ack'::text, now() - interval '1 hour', now(), false),
		 ('T22-B', 'first_response', now() - interval '2 hours', now(), true),
		 ('T22-F', 'ack', now() - interval '2 hours', now() - interval '1 hour', false)$$,
	'check_overdue: the breaches are recorded, the earlier one untouched');
SELECT results_eq(
	$$SELECT o.kind, o.recipient, o.cc, o.due_at, m.direction, m.subject,
		 m.body LIKE 'Ticket T22-B in queue t22-watched is overdue: first response was due at %',
		 m.body LIKE '%Customer: t22-cy@example.com%', m.message_id ~ '^plaint\..*@t22\.example$'
	    FROM plaint.outbox o JOIN plaint.messages m ON m.id = o.message_row
	   WHERE o.id = (SELECT outbox_id FROM first_round WHERE ticket = 'T22-B')$$,
	$$VALUES ('escalation'::text, 'boss@t22.example'::text, '{}'::text[], now(), 'out'::text,
		  '[T22-B] Overdue: first response'::text, true, true, true)$$,
	'check_overdue: the escalation is one mail to escalate_to, due now, with a subject and body naming the ticket and the breach');
SELECT results_eq(
	$$SELECT t.number, e.actor, e.detail->>'kind' FROM plaint.events e JOIN plaint.tickets t ON t.id = e.ticket_id
	   WHERE e.kind = 'overdue' AND t.number LIKE 'T22-%' ORDER BY 1$$,
	$$VALUES ('T22-A'::text, 'gateway'::text, 'ack'::text), ('T22-B', 'gateway', 'first_response')$$,
	'check_overdue: an overdue event for each new breach');
SELECT is((SELECT kind FROM plaint.thread WHERE ticket = 'T22-B' AND direction = 'out'), 'escalation',
	  'thread: the escalation shows as an outgoing mail of kind escalation');
SELECT is_empty($$SELECT * FROM plaint.check_overdue()$$,
		'check_overdue again: nothing new, nothing returned');
SELECT is((SELECT count(*) FROM plaint.outbox WHERE kind = 'escalation'), 1::bigint,
	  'check_overdue again: no second escalation');
-- Time passes for C: its acknowledgement and its first response are now late.
UPDATE plaint.tickets SET ack_due_at = now() - interval '1 minute' WHERE number = 'T22-C';
UPDATE plaint.messages SET received_at = now() - interval '2 hours'
 WHERE ticket_id = (SELECT id FROM plaint.tickets WHERE number = 'T22-C');
SELECT results_eq($$SELECT ticket, kind, escalated_to FROM plaint.check_overdue() ORDER BY kind$$,
		  $$VALUES ('T22-C'::text, 'ack'::text, 'boss@t22.example'::text),
			   ('T22-C', 'first_response', 'boss@t22.example')$$,
		  'check_overdue: a later call finds the breaches that happened since, each once');
SELECT is((SELECT count(*) FROM plaint.outbox o JOIN plaint.tickets t ON t.id = o.ticket_id
	    WHERE o.kind = 'escalation' AND t.number = 'T22-C'), 2::bigint,
	  'check_overdue: one escalation per ticket and breach');
SELECT ok((SELECT prosrc FROM pg_proc WHERE oid = 'plaint.check_overdue()'::regprocedure)
	  LIKE '%pg_notify(''plaint_overdue'', o.number || '' '' || o.kind)%',
	  'check_overdue notifies plaint_overdue with "NUMBER KIND" (tests/e2e/support.sh sees it arrive)');
SELECT ok(NOT has_function_privilege('plaint_agent', 'plaint.check_overdue()', 'EXECUTE'),
	  'check_overdue: not for agents');
SELECT ok(has_function_privilege('plaint_gateway', 'plaint.check_overdue()', 'EXECUTE'),
	  'check_overdue: for the gateway');

SELECT * FROM finish();
ROLLBACK;
