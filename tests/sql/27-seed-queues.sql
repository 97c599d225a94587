-- 27-seed-queues.sql: plaint.seed_queues() writes the SLA keys of the
-- gateway's [queue NAME] sections into plaint.queues: only the keys
-- given, a row only when something differs, "always" to drop business
-- hours; a bad zone or address is refused by the table.  A queue that
-- filing makes takes the gateway's respond_within.  One transaction,
-- rolled back.
BEGIN;
SELECT plan(13);

SELECT results_eq(
	$$SELECT queue, changed FROM plaint.seed_queues('[{"name": "t27-legal", "first_response": 14400,
		"resolve_within": 259200, "escalate_to": "Lead@T27.example",
		"hours": {"days": [1, 2, 3, 4, 5], "start": "09:00", "end": "24:00", "tz": "Europe/Berlin"}},
		{"name": "t27-plain"}]', 7200)$$,
	$$VALUES ('t27-legal', 'made, first_response 04:00:00, resolve_within 72:00:00, escalate_to lead@t27.example, hours {1,2,3,4,5} 09:00:00-24:00:00 Europe/Berlin'),
		 ('t27-plain', 'made, first_response 02:00:00')$$,
	'seed_queues: makes the queues and says what it wrote');
SELECT row_eq(
	$$SELECT first_response, resolve_within, ack_within, escalate_to, hours_days, hours_start,
		 hours_end, hours_tz FROM plaint.queues WHERE name = 't27-legal'$$,
	ROW(interval '4 hours', interval '3 days', NULL::interval, 'lead@t27.example'::text,
	    '{1,2,3,4,5}'::integer[], '09:00'::time, '24:00'::time, 'Europe/Berlin'::text),
	'seed_queues: the columns hold the keys given; ack_within, not given, stays empty');
SELECT is((SELECT first_response FROM plaint.queues WHERE name = 't27-plain'), interval '2 hours',
	  'seed_queues: a queue made without first_response takes new_first_response');

CREATE TEMP TABLE t27_before AS SELECT ctid AS place FROM plaint.queues WHERE name = 't27-legal';
SELECT is_empty(
	$$SELECT * FROM plaint.seed_queues('[{"name": "t27-legal", "first_response": 14400}]', 7200)$$,
	'seed_queues: the same keys again change nothing and return no row');
SELECT is((SELECT ctid FROM plaint.queues WHERE name = 't27-legal'), (SELECT place FROM t27_before),
	  'seed_queues: a row that does not change is not written (same tuple)');

UPDATE plaint.queues SET first_response = interval '1 hour', restricted = true,
       ack_within = interval '10 minutes' WHERE name = 't27-legal';
SELECT results_eq(
	$$SELECT queue, changed FROM plaint.seed_queues('[{"name": "t27-legal", "first_response": 14400}]')$$,
	$$VALUES ('t27-legal', 'first_response 04:00:00')$$,
	'seed_queues: a key given wins over an admin''s change');
SELECT row_eq(
	$$SELECT restricted, ack_within, resolve_within, hours_tz FROM plaint.queues WHERE name = 't27-legal'$$,
	ROW(true, interval '10 minutes', interval '3 days', 'Europe/Berlin'::text),
	'seed_queues: the columns no key names keep what they held');

SELECT results_eq(
	$$SELECT changed FROM plaint.seed_queues('[{"name": "t27-legal", "hours": "always", "ack_within": 60}]')$$,
	$$VALUES ('ack_within 00:01:00, hours always')$$,
	'seed_queues: "always" drops the business hours');
SELECT is((SELECT (hours_days, hours_start, hours_end, hours_tz) IS NULL FROM plaint.queues
	    WHERE name = 't27-legal'), true, 'seed_queues: all four hours columns are empty');

SELECT throws_ok(
	$$SELECT * FROM plaint.seed_queues('[{"name": "t27-legal", "hours": {"days": [1], "start": "09:00", "end": "17:00", "tz": "Mars/Olympus"}}]')$$,
	'22023', NULL, 'seed_queues: an unknown time zone is refused');
SELECT throws_ok(
	$$SELECT * FROM plaint.seed_queues('[{"name": "t27-legal", "escalate_to": "two words@x"}]')$$,
	'23514', NULL, 'seed_queues: an escalation address that is none is refused');

-- Filing makes a queue with the gateway's respond_within.
INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
VALUES ('t27', encode(sha256('abc'), 'hex'), 3, 'abc');
SELECT is((SELECT action FROM plaint.file_message(jsonb_build_object(
		'raw_id', (SELECT id FROM plaint.raw_messages WHERE mailbox = 't27'),
		'from_addr', 'c@t27.example', 'subject', 'hello', 'body', 'x',
		'prefix', 'T', 'queue', 't27-new', 'respond_within', 5400))),
	  'opened', 'file_message: a complaint to a queue nobody made yet opens a ticket');
SELECT is((SELECT first_response FROM plaint.queues WHERE name = 't27-new'), interval '90 minutes',
	  'file_message: the queue it makes takes respond_within from the facts');

SELECT * FROM finish();
ROLLBACK;
