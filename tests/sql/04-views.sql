-- 04-views.sql: plaint.tickets_overview and plaint.quarantine return the
-- rows worked out by hand from what is inserted here.  One transaction,
-- rolled back.
BEGIN;
SELECT plan(9);

SELECT columns_are('plaint', 'tickets_overview',
	ARRAY['number', 'status', 'queue', 'priority', 'subject', 'customer', 'tags',
	      'created_at', 'ack_due_at', 'ack_sent_at', 'messages'],
	'tickets_overview has the documented columns');
SELECT columns_are('plaint', 'quarantine',
	ARRAY['raw_id', 'mailbox', 'uid', 'fetched_at', 'size', 'reason', 'requeues',
	      'previous_reason'],
	'quarantine has the documented columns');

---------------------------------------------------------------- tickets_overview
CREATE TEMP TABLE seq AS
	SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS next
	  FROM plaint.ticket_number_seq;
CREATE TEMP TABLE raw (name text PRIMARY KEY, id bigint);
INSERT INTO raw (name) SELECT unnest(ARRAY['a', 'a2', 'b', 'c']);
WITH r AS (
	INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
	SELECT 't04-inbox', encode(sha256(convert_to('t04 ' || name, 'UTF8')), 'hex'),
	       4 + length(name), convert_to('t04 ' || name, 'UTF8')
	  FROM raw
	RETURNING id, convert_from(raw, 'UTF8') AS body)
UPDATE raw SET id = r.id FROM r WHERE r.body = 't04 ' || raw.name;
CREATE FUNCTION pg_temp.rid(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM pg_temp.raw WHERE name = p_name
$$;

CREATE TEMP TABLE res (name text PRIMARY KEY, ticket_id bigint, message_row bigint);
-- A: urgent, received 2024-04-01 10:00 UTC, SLA 1800 s; a reply; its ack sent.
INSERT INTO res SELECT 'a', f.ticket_id, f.message_row FROM plaint.file_message(jsonb_build_object(
	'raw_id', pg_temp.rid('a'),
	'prefix', 'CMP',
	'queue', 't04-q',
	'priority', 'urgent',
	'tags', ARRAY['screen'],
	'rules', ARRAY['hardware'],
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', 'a.t04@example.com',
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'Ivan@Example.com',
	'from_name', 'Ivan',
	'subject', 'Broken screen',
	'body', 'Cracked.',
	'received_at', '2024-04-01 10:00:00+00',
	'ack_within', 1800,
	'ack_suppressed', NULL,
	'rules_version', 'v1')) f;
INSERT INTO res SELECT 'a2', f.ticket_id, f.message_row FROM plaint.file_message(jsonb_build_object(
	'raw_id', pg_temp.rid('a2'),
	'prefix', 'CMP',
	'queue', 't04-q',
	'priority', 'low',
	'tags', '{}',
	'rules', '{}',
	'drop', false,
	'tag_number', NULL,
	'refs', ARRAY['a.t04@example.com'],
	'message_id', 'a2.t04@example.com',
	'in_reply_to', 'a.t04@example.com',
	'references', ARRAY['a.t04@example.com'],
	'from_addr', 'ivan@example.com',
	'from_name', 'Ivan',
	'subject', 'Re: Broken screen',
	'body', 'Any news?',
	'received_at', '2024-04-01 11:00:00+00',
	'ack_within', 1800,
	'ack_suppressed', NULL,
	'rules_version', 'v1')) f;
CREATE TEMP TABLE acks AS
	SELECT name, plaint.queue_ack(ticket_id, message_row, 'ivan@example.com', 'Re: Broken screen',
				      'Got it.', 'ack-' || name || '.t04@plaint.test', NULL, NULL) AS queued
	  FROM res WHERE name = 'a';
UPDATE plaint.outbox SET sent_at = '2024-04-01 10:00:05+00', smtp_reply = '250 ok'
 WHERE message_id = 'ack-a.t04@plaint.test';
-- B: no priority given, received 2024-04-02 08:00 UTC, SLA 600 s, no ack.
INSERT INTO res SELECT 'b', f.ticket_id, f.message_row FROM plaint.file_message(jsonb_build_object(
	'raw_id', pg_temp.rid('b'),
	'prefix', 'CMP',
	'queue', 't04-q',
	'priority', NULL,
	'tags', '{}',
	'rules', '{}',
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', 'b.t04@example.com',
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'judy@example.com',
	'from_name', NULL,
	'subject', 'Noise',
	'body', 'Buzzing.',
	'received_at', '2024-04-02 08:00:00+00',
	'ack_within', 600,
	'ack_suppressed', NULL,
	'rules_version', 'v1')) f;
-- C: resolved, ack queued but not sent, in another queue.
INSERT INTO res SELECT 'c', f.ticket_id, f.message_row FROM plaint.file_message(jsonb_build_object(
	'raw_id', pg_temp.rid('c'),
	'prefix', 'CMP',
	'queue', 't04-other',
	'priority', 'high',
	'tags', ARRAY['x', 'y'],
	'rules', '{}',
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', 'c.t04@example.com',
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'KARL@example.com',
	'from_name', 'Karl',
	'subject', 'Wrong size',
	'body', 'Too small.',
	'received_at', '2024-04-03 00:00:00+00',
	'ack_within', 86400,
	'ack_suppressed', NULL,
	'rules_version', 'v1')) f;
INSERT INTO acks
	SELECT name, plaint.queue_ack(ticket_id, message_row, 'karl@example.com', 'Re: Wrong size',
				      'Got it.', 'ack-' || name || '.t04@plaint.test', NULL, NULL)
	  FROM res WHERE name = 'c';
UPDATE plaint.tickets SET status = 'resolved' WHERE id = (SELECT ticket_id FROM res WHERE name = 'c');

SELECT is((SELECT array_agg(queued ORDER BY name) FROM acks), ARRAY[true, true],
	  'setup: both acknowledgements queued');
SELECT set_eq(
	$$SELECT number, status, queue, priority, subject, customer, tags, created_at,
		 ack_due_at, ack_sent_at, messages
	    FROM plaint.tickets_overview WHERE queue IN ('t04-q', 't04-other')$$,
	$$VALUES
	  ('CMP-' || (SELECT next FROM seq), 'new'::text, 't04-q'::text, 'urgent'::text,
	   'Broken screen'::text, 'ivan@example.com'::text, ARRAY['screen']::text[], now(),
	   '2024-04-01 10:30:00+00'::timestamptz, '2024-04-01 10:00:05+00'::timestamptz, 3::bigint),
	  ('CMP-' || (SELECT next + 1 FROM seq), 'new', 't04-q', 'normal',
	   'Noise', 'judy@example.com', '{}'::text[], now(),
	   '2024-04-02 08:10:00+00'::timestamptz, NULL::timestamptz, 1::bigint),
	  ('CMP-' || (SELECT next + 2 FROM seq), 'resolved', 't04-other', 'high',
	   'Wrong size', 'karl@example.com', ARRAY['x', 'y']::text[], now(),
	   '2024-04-04 00:00:00+00'::timestamptz, NULL::timestamptz, 2::bigint)$$,
	'tickets_overview: one row per ticket, with customer, ack sent time and message count (in and out)');
SELECT is((SELECT count(*) FROM plaint.tickets_overview), (SELECT count(*) FROM plaint.tickets),
	  'tickets_overview: as many rows as tickets');

---------------------------------------------------------------- quarantine
CREATE TEMP TABLE q (name text PRIMARY KEY, id bigint);
WITH r AS (
	INSERT INTO plaint.raw_messages (mailbox, uidvalidity, uid, fetched_at, sha256, size, raw, state,
					 outcome, reason, dropped_by)
	VALUES ('t04-q1', 77, 5, '2024-04-05 06:00:00+00', encode(sha256('t04 q1'::bytea), 'hex'), 1234, 't04 q1',
		'quarantined', 'quarantined', 'no From header', NULL),
	       ('t04-q2', NULL, NULL, '2024-04-05 07:00:00+00', encode(sha256('t04 q2'::bytea), 'hex'), 99, 't04 q2',
		'quarantined', 'quarantined', 'MIME nesting too deep', NULL),
	       ('t04-q1', 77, 6, '2024-04-05 08:00:00+00', encode(sha256('t04 n1'::bytea), 'hex'), 10, 't04 n1',
		'new', NULL, NULL, NULL),
	       ('t04-q1', 77, 7, '2024-04-05 09:00:00+00', encode(sha256('t04 d1'::bytea), 'hex'), 10, 't04 d1',
		'done', 'dropped', NULL, 'spam')
	RETURNING id, convert_from(raw, 'UTF8') AS body)
INSERT INTO q SELECT substr(body, 5), id FROM r;

SELECT set_eq(
	$$SELECT raw_id, mailbox, uid, fetched_at, size, reason FROM plaint.quarantine
	   WHERE mailbox IN ('t04-q1', 't04-q2', 't04-inbox')$$,
	$$SELECT (SELECT id FROM q WHERE name = 'q1') AS raw_id, 't04-q1'::text AS mailbox,
		 5::bigint AS uid, '2024-04-05 06:00:00+00'::timestamptz AS fetched_at,
		 1234 AS size, 'no From header'::text AS reason
	  UNION ALL
	  SELECT (SELECT id FROM q WHERE name = 'q2'), 't04-q2', NULL,
		 '2024-04-05 07:00:00+00', 99, 'MIME nesting too deep'$$,
	'quarantine: exactly the quarantined raw rows, with mailbox, uid, fetch time, size and reason');
SELECT is_empty($$SELECT 1 FROM plaint.quarantine WHERE raw_id IN (SELECT id FROM raw)$$,
		'quarantine: filed (done) raw rows are not listed');
SELECT is((SELECT count(*) FROM plaint.quarantine),
	  (SELECT count(*) FROM plaint.raw_messages WHERE state = 'quarantined'),
	  'quarantine: as many rows as quarantined raw rows');

UPDATE plaint.raw_messages SET state = 'done', outcome = 'ticket' WHERE id = (SELECT id FROM q WHERE name = 'q2');
SELECT results_eq(
	$$SELECT raw_id FROM plaint.quarantine WHERE mailbox IN ('t04-q1', 't04-q2')$$,
	$$SELECT id FROM q WHERE name = 'q1'$$,
	'quarantine: a row released from quarantine leaves the view');

SELECT * FROM finish();
ROLLBACK;
