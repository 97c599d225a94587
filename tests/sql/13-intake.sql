-- 13-intake.sql: the intake ledger (plaint.intake, plaint.intake_summary)
-- and plaint.requeue().  Every raw row made here lives in mailboxes named
-- "t13-*".  One transaction, rolled back.
BEGIN;
SELECT plan(18);

CREATE TEMP TABLE raw (name text PRIMARY KEY, id bigint NOT NULL);
CREATE FUNCTION pg_temp.raw(p_name text, p_mailbox text DEFAULT 't13-box') RETURNS bigint
LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, fetched_at)
		VALUES (p_mailbox, encode(sha256(convert_to('t13 ' || p_name, 'UTF8')), 'hex'),
			octet_length(convert_to('t13 ' || p_name, 'UTF8')),
			convert_to('t13 ' || p_name, 'UTF8'), '2024-05-01 10:00:00+00')
		RETURNING id)
	INSERT INTO pg_temp.raw SELECT p_name, id FROM r RETURNING id
$$;
CREATE FUNCTION pg_temp.rid(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM pg_temp.raw WHERE name = p_name
$$;
CREATE FUNCTION pg_temp.file(p_name text, p_facts jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT action FROM plaint.file_message(jsonb_build_object(
		'raw_id', pg_temp.raw(p_name), 'prefix', 'T13', 'queue', 't13-q',
		'ack_within', 60, 'rules_version', 'v', 'subject', p_name, 'body', 'b')
		|| p_facts)
$$;

-- One of each outcome, and one still waiting.
SELECT pg_temp.file('opened', '{"from_addr": "una@example.com", "fingerprint": "1111111111111111111111111111111111111111111111111111111111111111"}');
SELECT pg_temp.file('copy', '{"from_addr": "una@example.com", "fingerprint": "1111111111111111111111111111111111111111111111111111111111111111"}');
SELECT pg_temp.file('dropped', '{"from_addr": "spam@example.net", "drop": true, "dropped_by": "no-spam"}');
SELECT pg_temp.raw('waiting');
SELECT pg_temp.raw('broken');
UPDATE plaint.raw_messages SET state = 'quarantined', outcome = 'quarantined',
       reason = 'not a mail message: binary data without a header block'
 WHERE id = pg_temp.rid('broken');

SELECT results_eq(
	$$SELECT state, outcome, ticket IS NOT NULL, duplicate_of IS NOT NULL, dropped_by, reason IS NOT NULL
	    FROM plaint.intake WHERE raw_id = ANY (ARRAY[pg_temp.rid('opened'), pg_temp.rid('copy'),
		 pg_temp.rid('dropped'), pg_temp.rid('waiting'), pg_temp.rid('broken')]) ORDER BY raw_id$$,
	$$VALUES ('done'::text, 'ticket'::text, true, false, NULL::text, false),
		 ('done', 'duplicate', true, true, NULL, false),
		 ('done', 'dropped', false, false, 'no-spam', false),
		 ('new', NULL, false, false, NULL, false),
		 ('quarantined', 'quarantined', false, false, NULL, true)$$,
	'intake: each raw row with its outcome and what the outcome names');
SELECT is((SELECT ticket FROM plaint.intake WHERE raw_id = pg_temp.rid('copy')),
	  (SELECT ticket FROM plaint.intake WHERE raw_id = pg_temp.rid('opened')),
	  'intake: a duplicate shows the ticket of the message it duplicates');
SELECT results_eq(
	$$SELECT messages, ticket, bounce, duplicate, dropped, quarantined, waiting
	    FROM plaint.intake_summary WHERE mailbox = 't13-box'$$,
	$$VALUES (5::bigint, 1::bigint, 0::bigint, 1::bigint, 1::bigint, 1::bigint, 1::bigint)$$,
	'intake_summary: the outcomes per mailbox and day');
SELECT is_empty($$SELECT 1 FROM plaint.intake_summary
		   WHERE messages <> ticket + bounce + duplicate + dropped + quarantined + waiting$$,
		'intake_summary: the outcomes add up to the messages, everywhere');

---------------------------------------------------------------- requeue
SELECT is(plaint.requeue(pg_temp.rid('broken')), true, 'requeue of a quarantined message: true');
SELECT results_eq(
	$$SELECT state, outcome, reason, previous_reason, requeues, requeued_at IS NOT NULL
	    FROM plaint.raw_messages WHERE id = pg_temp.rid('broken')$$,
	$$VALUES ('new'::text, NULL::text, NULL::text,
		  'not a mail message: binary data without a header block'::text, 1, true)$$,
	'requeue: back to new, the reason kept as previous_reason, counted');
SELECT is(plaint.requeue(pg_temp.rid('broken')), false, 'a second requeue while it waits: false, nothing done');
SELECT is((SELECT requeues FROM plaint.raw_messages WHERE id = pg_temp.rid('broken')), 1,
	  'requeue: counted once');
SELECT is(plaint.requeue(pg_temp.rid('opened')), false, 'requeue of a filed message: false');
SELECT is((SELECT state FROM plaint.raw_messages WHERE id = pg_temp.rid('opened')), 'done',
	  'a filed message stays filed');
SELECT throws_ok($$SELECT plaint.requeue(-1)$$, 'P0002', 'no raw message -1',
		 'requeue of an unknown raw id: P0002');
SELECT ok((SELECT prosrc FROM pg_proc WHERE proname = 'requeue' AND pronamespace = 'plaint'::regnamespace)
	  LIKE '%pg_notify(''plaint_intake''%',
	  'requeue wakes a running gateway (NOTIFY plaint_intake, delivered at commit)');
-- It is filed again like any new message.
SELECT is((SELECT action FROM plaint.file_message(jsonb_build_object(
		'raw_id', pg_temp.rid('broken'), 'prefix', 'T13', 'queue', 't13-q', 'ack_within', 60,
		'from_addr', 'vic@example.com', 'subject', 's', 'body', 'b'))),
	  'opened', 'a requeued message is filed');
SELECT throws_ok($$SELECT * FROM plaint.file_message(jsonb_build_object(
		   'raw_id', pg_temp.rid('broken'), 'prefix', 'T13', 'queue', 't13-q'))$$,
		 '55000', NULL, 'a message that is not new is not filed again');

---------------------------------------------------------------- who may requeue
SELECT ok(has_function_privilege('plaint_admin', 'plaint.requeue(bigint)', 'EXECUTE'),
	  'admin: may requeue');
SELECT ok(NOT has_function_privilege('plaint_agent', 'plaint.requeue(bigint)', 'EXECUTE'),
	  'agent: may not requeue');
SELECT ok(NOT has_function_privilege('plaint_gateway', 'plaint.requeue(bigint)', 'EXECUTE'),
	  'gateway: may not requeue');
SELECT ok(has_table_privilege('plaint_agent', 'plaint.intake', 'SELECT')
	  AND has_table_privilege('plaint_agent', 'plaint.intake_summary', 'SELECT'),
	  'agent: reads the ledger');

SELECT * FROM finish();
ROLLBACK;
