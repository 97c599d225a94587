-- 03-queue-ack.sql: plaint.queue_ack() queues one acknowledgement per
-- ticket: an outbound messages row and an outbox row due at the ticket's
-- ack_due_at.  One transaction, rolled back.
BEGIN;
SELECT plan(24);

CREATE TEMP TABLE t AS
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		VALUES ('t03-inbox', encode(sha256('t03 first'::bytea), 'hex'), 9, 't03 first'),
		       ('t03-inbox', encode(sha256('t03 other'::bytea), 'hex'), 9, 't03 other')
		RETURNING id)
	SELECT array_agg(id ORDER BY id) AS raw FROM r;

-- Two tickets: "one" received 2024-03-01 09:00 UTC with a 7200 s SLA (so
-- ack due 11:00), "two" received 2024-03-02 08:30 UTC with 900 s (08:45).
CREATE TEMP TABLE tk (name text PRIMARY KEY, ticket_id bigint, message_row bigint);
INSERT INTO tk
SELECT 'one', f.ticket_id, f.message_row FROM plaint.file_message(jsonb_build_object(
	'raw_id', (SELECT raw[1] FROM t),
	'prefix', 'CMP',
	'queue', 't03-queue',
	'priority', 'normal',
	'tags', '{}',
	'rules', '{}',
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', 'one.t03@example.com',
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'Frank@Example.com',
	'from_name', 'Frank',
	'subject', 'Broken kettle',
	'body', 'It leaks.',
	'received_at', '2024-03-01 09:00:00+00',
	'ack_within', 7200,
	'ack_suppressed', NULL,
	'rules_version', 'v1')) f;
INSERT INTO tk
SELECT 'two', f.ticket_id, f.message_row FROM plaint.file_message(jsonb_build_object(
	'raw_id', (SELECT raw[2] FROM t),
	'prefix', 'CMP',
	'queue', 't03-queue',
	'priority', 'normal',
	'tags', '{}',
	'rules', '{}',
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', 'two.t03@example.com',
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'grace@example.com',
	'from_name', 'Grace',
	'subject', 'Late parcel',
	'body', 'Where is it?',
	'received_at', '2024-03-02 08:30:00+00',
	'ack_within', 900,
	'ack_suppressed', NULL,
	'rules_version', 'v1')) f;
CREATE FUNCTION pg_temp.tid(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT ticket_id FROM pg_temp.tk WHERE name = p_name
$$;
CREATE FUNCTION pg_temp.mrow(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT message_row FROM pg_temp.tk WHERE name = p_name
$$;

SELECT is(plaint.queue_ack(pg_temp.tid('one'), pg_temp.mrow('one'), 'frank@example.com',
			   'Re: Broken kettle', 'We have your complaint.', 'ack-one.t03@plaint.test',
			   'one.t03@example.com', ARRAY['one.t03@example.com']),
	  true, 'first queue_ack of a ticket returns true');

SELECT results_eq(
	$$SELECT ticket_id, raw_id, direction, message_id, in_reply_to, "references", subject, body
	    FROM plaint.messages WHERE ticket_id = pg_temp.tid('one') AND direction = 'out'$$,
	$$SELECT pg_temp.tid('one'), NULL::bigint, 'out'::text, 'ack-one.t03@plaint.test'::text,
		 'one.t03@example.com'::text, ARRAY['one.t03@example.com']::text[],
		 'Re: Broken kettle'::text, 'We have your complaint.'::text$$,
	'queue_ack: one outbound messages row on the ticket, with the given Message-ID and headers');
SELECT results_eq(
	$$SELECT kind, ticket_id, recipient, message_id, due_at, sent_at, failed_at, attempts
	    FROM plaint.outbox WHERE ticket_id = pg_temp.tid('one')$$,
	$$SELECT 'ack'::text, pg_temp.tid('one'), 'frank@example.com'::text,
		 'ack-one.t03@plaint.test'::text, '2024-03-01 11:00:00+00'::timestamptz,
		 NULL::timestamptz, NULL::timestamptz, 0$$,
	'queue_ack: one outbox row, kind ack, due at the ticket''s ack_due_at, not yet sent');
SELECT is((SELECT o.message_row FROM plaint.outbox o WHERE o.ticket_id = pg_temp.tid('one')),
	  (SELECT m.id FROM plaint.messages m WHERE m.ticket_id = pg_temp.tid('one') AND m.direction = 'out'),
	  'queue_ack: the outbox row sends that outbound message');
SELECT is((SELECT due_at FROM plaint.outbox WHERE ticket_id = pg_temp.tid('one')),
	  (SELECT ack_due_at FROM plaint.tickets WHERE id = pg_temp.tid('one')),
	  'queue_ack: due_at equals tickets.ack_due_at');
SELECT results_eq(
	$$SELECT kind, actor, detail->>'message_id' FROM plaint.events
	   WHERE ticket_id = pg_temp.tid('one') ORDER BY id$$,
	$$VALUES ('opened'::text, 'gateway'::text, NULL::text),
		 ('ack_queued'::text, 'gateway'::text, 'ack-one.t03@plaint.test'::text)$$,
	'queue_ack: an ack_queued event naming the Message-ID');

-- The second time: false, and nothing more.
SELECT is(plaint.queue_ack(pg_temp.tid('one'), pg_temp.mrow('one'), 'frank@example.com',
			   'Re: Broken kettle', 'Again?', 'ack-one-again.t03@plaint.test',
			   'one.t03@example.com', ARRAY['one.t03@example.com']),
	  false, 'second queue_ack of the same ticket returns false');
SELECT is((SELECT count(*) FROM plaint.outbox WHERE ticket_id = pg_temp.tid('one')), 1::bigint,
	  'second queue_ack: still one outbox row');
SELECT is((SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tid('one') AND direction = 'out'),
	  1::bigint, 'second queue_ack: still one outbound message');
SELECT is_empty($$SELECT 1 FROM plaint.messages WHERE message_id = 'ack-one-again.t03@plaint.test'
		  UNION ALL SELECT 1 FROM plaint.outbox WHERE message_id = 'ack-one-again.t03@plaint.test'$$,
		'second queue_ack: its Message-ID is stored nowhere');
SELECT is((SELECT count(*) FROM plaint.events WHERE ticket_id = pg_temp.tid('one') AND kind = 'ack_queued'),
	  1::bigint, 'second queue_ack: no second ack_queued event');
SELECT is((SELECT message_id FROM plaint.outbox WHERE ticket_id = pg_temp.tid('one')),
	  'ack-one.t03@plaint.test', 'second queue_ack: the queued Message-ID is unchanged');

-- Another ticket gets its own acknowledgement.
SELECT is(plaint.queue_ack(pg_temp.tid('two'), pg_temp.mrow('two'), 'grace@example.com',
			   'Re: Late parcel', 'We have it.', 'ack-two.t03@plaint.test',
			   'two.t03@example.com', ARRAY['two.t03@example.com']),
	  true, 'queue_ack of a second ticket returns true');
SELECT results_eq(
	$$SELECT kind, recipient, message_id, due_at FROM plaint.outbox WHERE ticket_id = pg_temp.tid('two')$$,
	$$VALUES ('ack'::text, 'grace@example.com'::text, 'ack-two.t03@plaint.test'::text,
		  '2024-03-02 08:45:00+00'::timestamptz)$$,
	'second ticket: its ack is due at its own ack_due_at');
SELECT is(plaint.queue_ack(pg_temp.tid('two'), pg_temp.mrow('two'), 'grace@example.com',
			   'Re: Late parcel', 'We have it.', 'ack-two.t03@plaint.test',
			   'two.t03@example.com', ARRAY['two.t03@example.com']),
	  false, 'queue_ack retried with the same Message-ID returns false (no error)');

-- A retry after a crash with a fresh Message-ID for an already-acked ticket
-- is answered false above; a direct INSERT of a second ack is refused.
CREATE TEMP TABLE out_row AS
	WITH m AS (
		INSERT INTO plaint.messages (ticket_id, direction, message_id)
		VALUES (pg_temp.tid('one'), 'out', 'ack-direct.t03@plaint.test'),
		       (pg_temp.tid('one'), 'out', 'reply-direct.t03@plaint.test')
		RETURNING id, message_id)
	SELECT * FROM m;
SELECT throws_ok(
	$$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
	  SELECT 'ack', pg_temp.tid('one'), id, 'frank@example.com', message_id, now()
	    FROM out_row WHERE message_id = 'ack-direct.t03@plaint.test'$$,
	'23505', 'duplicate key value violates unique constraint "outbox_one_ack_per_ticket"',
	'direct INSERT of a second ack for a ticket violates outbox_one_ack_per_ticket');
SELECT throws_ok(
	$$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
	  SELECT 'reply', pg_temp.tid('one'), id, 'frank@example.com', 'ack-two.t03@plaint.test', now()
	    FROM out_row WHERE message_id = 'reply-direct.t03@plaint.test'$$,
	'23505', 'duplicate key value violates unique constraint "outbox_message_id_key"',
	'an outgoing mail reusing another''s Message-ID violates outbox_message_id_key');
SELECT lives_ok(
	$$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
	  SELECT 'reply', pg_temp.tid('one'), id, 'frank@example.com', message_id, now()
	    FROM out_row WHERE message_id = 'reply-direct.t03@plaint.test'$$,
	'a reply to an acknowledged ticket may be queued beside the ack');
SELECT is(plaint.queue_ack(pg_temp.tid('one'), pg_temp.mrow('one'), 'frank@example.com',
			   'Re: Broken kettle', 'x', 'ack-one-third.t03@plaint.test', NULL, NULL),
	  false, 'a queued reply does not make queue_ack queue a second ack');

-- queue_ack with a Message-ID that is already in the outbox is refused by
-- the unique index rather than silently sending two mails with one id.
INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
VALUES ('t03-inbox', encode(sha256('t03 third'::bytea), 'hex'), 9, 't03 third');
INSERT INTO tk
SELECT 'three', f.ticket_id, f.message_row FROM plaint.file_message(jsonb_build_object(
	'raw_id', (SELECT id FROM plaint.raw_messages WHERE mailbox = 't03-inbox'
	  AND sha256 = encode(sha256('t03 third'::bytea), 'hex')),
	'prefix', 'CMP',
	'queue', 't03-queue',
	'priority', 'normal',
	'tags', '{}',
	'rules', '{}',
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', 'three.t03@example.com',
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'heidi@example.com',
	'from_name', NULL,
	'subject', 'Cold soup',
	'body', 'Cold.',
	'received_at', '2024-03-03 10:00:00+00',
	'ack_within', 60,
	'ack_suppressed', NULL,
	'rules_version', 'v1')) f;
SELECT throws_ok(
	$$SELECT plaint.queue_ack(pg_temp.tid('three'), pg_temp.mrow('three'), 'heidi@example.com',
				  'Re: Cold soup', 'x', 'ack-one.t03@plaint.test', NULL, NULL)$$,
	'23505', 'duplicate key value violates unique constraint "outbox_message_id_key"',
	'queue_ack reusing a queued Message-ID fails on outbox_message_id_key');
SELECT is_empty($$SELECT 1 FROM plaint.outbox WHERE ticket_id = pg_temp.tid('three')$$,
		'the failed queue_ack left no outbox row');
SELECT is_empty($$SELECT 1 FROM plaint.messages WHERE ticket_id = pg_temp.tid('three') AND direction = 'out'$$,
		'the failed queue_ack left no outbound message');
SELECT is(plaint.queue_ack(pg_temp.tid('three'), pg_temp.mrow('three'), 'heidi@example.com',
			   'Re: Cold soup', 'x', 'ack-three.t03@plaint.test', NULL, NULL),
	  true, 'queue_ack with a fresh Message-ID then succeeds (NULL references are stored as {})');
SELECT results_eq(
	$$SELECT o.due_at, m."references" FROM plaint.outbox o JOIN plaint.messages m ON m.id = o.message_row
	   WHERE o.ticket_id = pg_temp.tid('three')$$,
	$$VALUES ('2024-03-03 10:01:00+00'::timestamptz, '{}'::text[])$$,
	'third ticket: due 60 s after arrival, references {}');

SELECT * FROM finish();
ROLLBACK;
