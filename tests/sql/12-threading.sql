-- 12-threading.sql: plaint.file_message() as replaced by 0002_agents.sql:
-- mail naming a merged ticket goes to the ticket it was merged into
-- (following chains, bounded on cycles); mail to a ticket resolved or
-- closed within reopen_days reopens it, later mail opens a new ticket that
-- follows it; an agent's reply is answered onto its ticket; closed_at is
-- kept by a trigger.  Ticket numbers are worked out from the sequence's
-- state before the first call (the k-th ticket opened here is T12-(next+k)).
-- One transaction, rolled back.
BEGIN;
SELECT plan(76);

UPDATE plaint.settings SET value = '10' WHERE key = 'reopen_days';

CREATE TEMP TABLE raw (name text PRIMARY KEY, id bigint NOT NULL);
CREATE TEMP TABLE res (name text PRIMARY KEY, action text, ticket_id bigint,
		       ticket_number text, message_row bigint,
		       ack_suppressed text, note text);
CREATE FUNCTION pg_temp.raw(p_name text) RETURNS bigint LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		VALUES ('t12-inbox', encode(sha256(convert_to('t12 ' || p_name, 'UTF8')), 'hex'),
			octet_length(convert_to('t12 ' || p_name, 'UTF8')),
			convert_to('t12 ' || p_name, 'UTF8'))
		RETURNING id)
	INSERT INTO pg_temp.raw SELECT p_name, id FROM r RETURNING id
$$;
CREATE FUNCTION pg_temp.r(p_name text) RETURNS pg_temp.res LANGUAGE sql STABLE AS $$
	SELECT * FROM pg_temp.res WHERE name = p_name
$$;
-- Files raw row p_name, Message-ID p_name.t12@example.com, as the gateway
-- does (prefix T12, queue t12-q, ack within 600 s).
CREATE PROCEDURE pg_temp.file(p_name text, p_refs text[] DEFAULT '{}', p_tag text DEFAULT NULL,
			     p_received timestamptz DEFAULT NULL,
			     p_from text DEFAULT 'ann@t12.example')
LANGUAGE sql AS $$
	INSERT INTO pg_temp.res
	SELECT p_name, f.* FROM plaint.file_message(jsonb_build_object(
		'raw_id', pg_temp.raw(p_name),
		'prefix', 'T12',
		'queue', 't12-q',
		'priority', NULL,
		'tags', '{}',
		'rules', '{}',
		'drop', false,
		'tag_number', p_tag,
		'refs', p_refs,
		'message_id', p_name || '.t12@example.com',
		'in_reply_to', p_refs[1],
		'references', p_refs,
		'from_addr', p_from,
		'from_name', NULL,
		'subject', 'subject of ' || p_name,
		'body', 'body of ' || p_name,
		'received_at', p_received,
		'ack_within', 600,
		'ack_suppressed', NULL,
		'rules_version', 'v1')) f
$$;
CREATE TEMP TABLE seq AS
	SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS next
	  FROM plaint.ticket_number_seq;
-- The number and the id of the k-th ticket opened here (0 = the first).
CREATE FUNCTION pg_temp.num(k integer) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT 'T12-' || (next + k) FROM pg_temp.seq
$$;
CREATE FUNCTION pg_temp.tk(k integer) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM plaint.tickets WHERE number = pg_temp.num(k)
$$;
CREATE FUNCTION pg_temp.status(k integer) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT status FROM plaint.tickets WHERE number = pg_temp.num(k)
$$;
-- Closes ticket k as of p_ago ago (closed_at given, so the trigger keeps it).
CREATE PROCEDURE pg_temp.close(k integer, p_status text, p_ago interval) LANGUAGE sql AS $$
	UPDATE plaint.tickets SET status = p_status, closed_at = now() - p_ago
	 WHERE number = pg_temp.num(k)
$$;

---------------------------------------------------------------- merge, then threading follows merged_into
CALL pg_temp.file('a', p_received => '2024-05-01 10:00+00');                 -- k0: A
CALL pg_temp.file('b', p_received => '2024-05-01 10:05+00');                 -- k1: B
SELECT results_eq($$SELECT action, ticket_number FROM res WHERE name IN ('a', 'b') ORDER BY name$$,
		  $$VALUES ('opened', pg_temp.num(0)), ('opened', pg_temp.num(1))$$,
		  'two unrelated messages open two tickets');
SELECT lives_ok(format('SELECT plaint.merge(%L, %L)', pg_temp.num(1), pg_temp.num(0)),
		'merge B into A');
CALL pg_temp.file('b2', ARRAY['b.t12@example.com'], p_received => '2024-05-01 10:10+00');
SELECT is((pg_temp.r('b2')).action, 'threaded', 'a reply naming B''s message after the merge: threaded');
SELECT is((pg_temp.r('b2')).ticket_id, pg_temp.tk(0), 'a reply naming B''s message: onto A');
SELECT is((pg_temp.r('b2')).ticket_number, pg_temp.num(0), 'a reply naming B''s message: A''s number');
SELECT is((SELECT ticket_id FROM plaint.messages WHERE id = (pg_temp.r('b2')).message_row),
	  pg_temp.tk(0), 'the message row is on A');
CALL pg_temp.file('b3', p_tag => lower(pg_temp.num(1)), p_received => '2024-05-01 10:15+00');
SELECT is((pg_temp.r('b3')).action, 'threaded', 'B''s tag in the subject after the merge: threaded');
SELECT is((pg_temp.r('b3')).ticket_id, pg_temp.tk(0), 'B''s tag: onto A');
SELECT results_eq(
	$$SELECT number, status FROM plaint.tickets WHERE id IN (pg_temp.tk(0), pg_temp.tk(1)) ORDER BY id$$,
	$$VALUES (pg_temp.num(0), 'new'), (pg_temp.num(1), 'closed')$$,
	'after threading: A keeps status new, B stays closed');
SELECT is((SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tk(1)), 1::bigint,
	  'B keeps only its own message');
SELECT results_eq(
	$$SELECT kind, actor FROM plaint.events WHERE ticket_id = pg_temp.tk(0) ORDER BY id$$,
	$$VALUES ('opened', 'gateway'), ('merged_from', (SELECT session_user::text COLLATE "default")),
		 ('threaded', 'gateway'), ('threaded', 'gateway')$$,
	'A''s events: opened, merged_from, then two threaded');
CALL pg_temp.close(1, 'closed', '40 days');
CALL pg_temp.file('b4', ARRAY['b.t12@example.com'], p_received => '2024-05-01 10:20+00');
SELECT is((pg_temp.r('b4')).ticket_id, pg_temp.tk(0),
	  'B closed (merged) 40 days ago, A open: mail naming B still threads onto A, no new ticket');
SELECT results_eq(
	$$SELECT ticket, filed_on, body FROM plaint.thread WHERE ticket = pg_temp.num(0)$$,
	$$VALUES (pg_temp.num(0), pg_temp.num(0), 'body of a'), (pg_temp.num(0), pg_temp.num(1), 'body of b'),
		 (pg_temp.num(0), pg_temp.num(0), 'body of b2'), (pg_temp.num(0), pg_temp.num(0), 'body of b3'),
		 (pg_temp.num(0), pg_temp.num(0), 'body of b4')$$,
	'thread of A: A''s and merged B''s mail in arrival order');

---------------------------------------------------------------- chains and cycles of merged_into (made by hand)
CALL pg_temp.file('c');                                                      -- k2: C
CALL pg_temp.file('d');                                                      -- k3: D
CALL pg_temp.file('e');                                                      -- k4: E
UPDATE plaint.tickets SET status = 'closed', merged_into = pg_temp.tk(4) WHERE id = pg_temp.tk(3);
UPDATE plaint.tickets SET status = 'closed', merged_into = pg_temp.tk(3) WHERE id = pg_temp.tk(2);
CALL pg_temp.file('c2', ARRAY['c.t12@example.com']);
SELECT is((pg_temp.r('c2')).action, 'threaded', 'C merged into D merged into E: threaded');
SELECT is((pg_temp.r('c2')).ticket_id, pg_temp.tk(4), 'C -> D -> E: onto E, two hops');
SELECT is((pg_temp.r('c2')).ticket_number, pg_temp.num(4), 'C -> D -> E: E''s number returned');
SELECT is(pg_temp.status(4), 'new', 'E keeps its status');

CALL pg_temp.file('g');                                                      -- k5: G
CALL pg_temp.file('h');                                                      -- k6: H
UPDATE plaint.tickets SET status = 'closed', merged_into = pg_temp.tk(6) WHERE id = pg_temp.tk(5);
UPDATE plaint.tickets SET status = 'closed', merged_into = pg_temp.tk(5) WHERE id = pg_temp.tk(6);
SELECT lives_ok($$CALL pg_temp.file('g2', p_tag => pg_temp.num(5))$$,
		'G and H merged into each other (a cycle): filing does not loop or fail');
SELECT is((pg_temp.r('g2')).action, 'threaded', 'cycle: the mail is still filed, threaded');
SELECT ok((pg_temp.r('g2')).ticket_id IN (pg_temp.tk(5), pg_temp.tk(6)), 'cycle: onto G or H');
SELECT is((SELECT state FROM plaint.raw_messages WHERE id = (SELECT id FROM raw WHERE name = 'g2')),
	  'done', 'cycle: the raw row is done');

---------------------------------------------------------------- the reopen policy (reopen_days = 10 here)
CALL pg_temp.file('r1');                                                     -- k7: R1
CALL pg_temp.close(7, 'closed', '9 days');
CALL pg_temp.file('r1b', ARRAY['r1.t12@example.com']);
SELECT is((pg_temp.r('r1b')).action, 'threaded', 'closed 9 days ago (< 10): threaded');
SELECT is((pg_temp.r('r1b')).ticket_id, pg_temp.tk(7), 'closed 9 days ago: onto the same ticket');
SELECT results_eq($$SELECT status, closed_at, follows FROM plaint.tickets WHERE id = pg_temp.tk(7)$$,
		  $$VALUES ('open'::text, NULL::timestamptz, NULL::bigint)$$,
		  'closed 9 days ago: reopened, closed_at cleared');

CALL pg_temp.file('r2');                                                     -- k8: R2
CALL pg_temp.close(8, 'closed', '11 days');
CALL pg_temp.file('r2b', ARRAY['r2.t12@example.com'], p_from => 'Ann@T12.example'); -- k9
SELECT is((pg_temp.r('r2b')).action, 'opened', 'closed 11 days ago (> 10): a new ticket');
SELECT is((pg_temp.r('r2b')).ticket_number, pg_temp.num(9), 'the new ticket takes the next number');
SELECT results_eq(
	$$SELECT t.follows, t.status, t.subject, t.queue, c.email, t.merged_into
	    FROM plaint.tickets t JOIN plaint.customers c ON c.id = t.customer_id
	   WHERE t.id = (pg_temp.r('r2b')).ticket_id$$,
	$$VALUES (pg_temp.tk(8), 'new'::text, 'subject of r2b'::text, 't12-q'::text,
		  'ann@t12.example'::text, NULL::bigint)$$,
	'the new ticket follows the old one, is new, from the sender, in the queue given');
SELECT is(pg_temp.status(8), 'closed', 'the old ticket stays closed');
SELECT is((SELECT ticket_id FROM plaint.messages WHERE id = (pg_temp.r('r2b')).message_row),
	  pg_temp.tk(9), 'the message is on the new ticket');
SELECT results_eq(
	$$SELECT kind, actor, detail->>'follows', (detail->>'message')::bigint FROM plaint.events
	   WHERE ticket_id = pg_temp.tk(9)$$,
	$$VALUES ('opened', 'gateway', pg_temp.num(8), (pg_temp.r('r2b')).message_row)$$,
	'the new ticket''s opened event names the ticket it follows');
SELECT results_eq(
	$$SELECT kind, actor, detail->>'ticket', (detail->>'message')::bigint FROM plaint.events
	   WHERE ticket_id = pg_temp.tk(8) ORDER BY id DESC LIMIT 1$$,
	$$VALUES ('followed_up', 'gateway', pg_temp.num(9), (pg_temp.r('r2b')).message_row)$$,
	'the old ticket gets a followed_up event naming the new one');
SELECT is((SELECT follows FROM plaint.open_tickets WHERE number = pg_temp.num(9)), pg_temp.num(8),
	  'open_tickets shows the number of the ticket it follows');
CALL pg_temp.file('r2c', p_tag => pg_temp.num(9));
SELECT is((pg_temp.r('r2c')).ticket_id, pg_temp.tk(9), 'the new ticket''s tag threads onto it');
-- More mail naming the old ticket goes to the ticket that follows it.
CALL pg_temp.file('r2d', p_tag => pg_temp.num(8));
SELECT is((pg_temp.r('r2d')).action, 'threaded',
	  'the old ticket''s tag again: threaded, not another new ticket');
SELECT is((pg_temp.r('r2d')).ticket_id, pg_temp.tk(9), 'the old ticket''s tag again: onto the ticket that follows it');
CALL pg_temp.close(9, 'closed', '3 days');
CALL pg_temp.file('r2e', ARRAY['r2.t12@example.com']);
SELECT is((pg_temp.r('r2e')).ticket_id, pg_temp.tk(9),
	  'the follow-up closed 3 days ago: mail naming the old ticket goes to it');
SELECT is(pg_temp.status(9), 'open', 'the follow-up closed 3 days ago: reopened');
CALL pg_temp.close(9, 'closed', '11 days');
CALL pg_temp.file('r2f', p_tag => pg_temp.num(8));                           -- k10
SELECT is((pg_temp.r('r2f')).action, 'opened',
	  'the follow-up closed 11 days ago too: a new ticket');
SELECT results_eq($$SELECT number, follows FROM plaint.tickets WHERE id = (pg_temp.r('r2f')).ticket_id$$,
		  $$VALUES (pg_temp.num(10), pg_temp.tk(9))$$,
		  'the newest ticket follows the follow-up, the latest of the line');
SELECT is(pg_temp.status(8), 'closed', 'the first ticket stays closed throughout');

CALL pg_temp.file('r3');                                                     -- k11: R3
CALL pg_temp.close(11, 'resolved', '11 days');
CALL pg_temp.file('r3b', p_tag => pg_temp.num(11));                          -- k12
SELECT is((pg_temp.r('r3b')).action, 'opened', 'resolved 11 days ago: a new ticket');
SELECT is((SELECT follows FROM plaint.tickets WHERE id = pg_temp.tk(12)), pg_temp.tk(11),
	  'resolved 11 days ago: the new ticket follows it');
SELECT is(pg_temp.status(11), 'resolved', 'the old resolved ticket stays resolved');

CALL pg_temp.file('r4');                                                     -- k13: R4
CALL pg_temp.close(13, 'resolved', '1 day');
CALL pg_temp.file('r4b', p_tag => pg_temp.num(13));
SELECT is((pg_temp.r('r4b')).action, 'threaded', 'resolved 1 day ago: threaded');
SELECT is(pg_temp.status(13), 'open', 'resolved 1 day ago: reopened');

CALL pg_temp.file('r5');                                                     -- k14: R5
CALL pg_temp.close(14, 'closed', '10 days');
CALL pg_temp.file('r5b', ARRAY['r5.t12@example.com']);                       -- k15
SELECT is((pg_temp.r('r5b')).action, 'opened', 'closed exactly 10 days ago: a new ticket');
SELECT is((pg_temp.r('r5b')).ticket_number, pg_temp.num(15), 'closed exactly 10 days ago: the next number');

CALL pg_temp.file('r6');                                                     -- k16: R6
UPDATE plaint.tickets SET status = 'closed' WHERE id = pg_temp.tk(16);
UPDATE plaint.tickets SET closed_at = NULL, updated_at = now() - interval '20 days'
 WHERE id = pg_temp.tk(16);
SELECT is((SELECT closed_at FROM plaint.tickets WHERE id = pg_temp.tk(16)), NULL,
	  'a closed ticket without closed_at (as before 0002)');
CALL pg_temp.file('r6b', ARRAY['r6.t12@example.com']);                       -- k17
SELECT is((pg_temp.r('r6b')).action, 'opened', 'no closed_at, updated 20 days ago: a new ticket');
SELECT is((SELECT follows FROM plaint.tickets WHERE id = pg_temp.tk(17)), pg_temp.tk(16),
	  'no closed_at: the new ticket follows it');

CALL pg_temp.file('r7');                                                     -- k18: R7
UPDATE plaint.tickets SET status = 'closed' WHERE id = pg_temp.tk(18);
UPDATE plaint.tickets SET closed_at = NULL, updated_at = now() - interval '2 days'
 WHERE id = pg_temp.tk(18);
CALL pg_temp.file('r7b', ARRAY['r7.t12@example.com']);
SELECT is((pg_temp.r('r7b')).action, 'threaded', 'no closed_at, updated 2 days ago: threaded');
SELECT is(pg_temp.status(18), 'open', 'no closed_at, updated 2 days ago: reopened');

UPDATE plaint.settings SET value = '0' WHERE key = 'reopen_days';
CALL pg_temp.file('r8');                                                     -- k19: R8
UPDATE plaint.tickets SET status = 'closed' WHERE id = pg_temp.tk(19);
CALL pg_temp.file('r8b', ARRAY['r8.t12@example.com']);                       -- k20
SELECT is((pg_temp.r('r8b')).action, 'opened', 'reopen_days 0: even a ticket closed now is not reopened');
SELECT is((SELECT follows FROM plaint.tickets WHERE id = pg_temp.tk(20)), pg_temp.tk(19),
	  'reopen_days 0: the new ticket follows it');
DELETE FROM plaint.settings WHERE key = 'reopen_days';
CALL pg_temp.file('r9');                                                     -- k21: R9
CALL pg_temp.close(21, 'closed', '29 days');
CALL pg_temp.file('r9b', ARRAY['r9.t12@example.com']);
SELECT is((pg_temp.r('r9b')).action, 'threaded', 'no reopen_days row: 30 days, so 29 days ago reopens');
CALL pg_temp.file('r10');                                                    -- k22: R10
CALL pg_temp.close(22, 'closed', '31 days');
CALL pg_temp.file('r10b', ARRAY['r10.t12@example.com']);                     -- k23
SELECT is((pg_temp.r('r10b')).action, 'opened', 'no reopen_days row: 31 days ago opens a new ticket');
INSERT INTO plaint.settings (key, value) VALUES ('reopen_days', '10');

-- Merged into a ticket that was then closed long ago: the new ticket
-- follows the one merged into.
CALL pg_temp.file('m1');                                                     -- k24: M1
CALL pg_temp.file('m2');                                                     -- k25: M2
SELECT lives_ok(format('SELECT plaint.merge(%L, %L)', pg_temp.num(25), pg_temp.num(24)),
		'merge M2 into M1');
CALL pg_temp.close(24, 'closed', '11 days');
CALL pg_temp.file('m2b', ARRAY['m2.t12@example.com']);                       -- k26
SELECT is((pg_temp.r('m2b')).action, 'opened', 'mail naming M2, M1 closed 11 days ago: a new ticket');
SELECT is((SELECT follows FROM plaint.tickets WHERE id = pg_temp.tk(26)), pg_temp.tk(24),
	  'the new ticket follows M1 (merged into), not M2');

---------------------------------------------------------------- an agent's reply is answered onto its ticket
CREATE TEMP TABLE rep_out AS SELECT plaint.reply(pg_temp.num(0), 'We refunded you.') AS id;
CREATE TEMP TABLE rep AS
	SELECT o.message_id FROM plaint.outbox o JOIN rep_out r ON r.id = o.id;
CREATE FUNCTION pg_temp.rep_mid() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT message_id FROM pg_temp.rep
$$;
CREATE FUNCTION pg_temp.rep_tag() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT substring(m.subject FROM '^\[([^]]+)\]') FROM plaint.messages m
	  JOIN pg_temp.rep r ON r.message_id = m.message_id
$$;
SELECT is((SELECT count(*) FROM rep), 1::bigint, 'plaint.reply on A queued one outbox row');
SELECT is(pg_temp.status(0), 'pending', 'A is pending after the agent''s reply');
SELECT is((SELECT in_reply_to FROM plaint.messages m JOIN rep ON rep.message_id = m.message_id),
	  'b4.t12@example.com', 'the reply answers the latest inbound mail of A');
CALL pg_temp.file('a2', ARRAY[pg_temp.rep_mid(), 'b4.t12@example.com'],
		  p_received => '2024-05-01 11:00+00');
SELECT is((pg_temp.r('a2')).action, 'threaded', 'the customer''s answer to the reply: threaded');
SELECT is((pg_temp.r('a2')).ticket_id, pg_temp.tk(0), 'the answer to the reply: onto A');
SELECT is(pg_temp.status(0), 'open', 'the answer reopens a pending ticket (pending -> open)');
CALL pg_temp.file('a3', p_tag => pg_temp.rep_tag());
SELECT is((pg_temp.r('a3')).ticket_id, pg_temp.tk(0),
	  'the tag in the reply''s subject threads onto A');

---------------------------------------------------------------- tickets.closed_at
INSERT INTO plaint.customers (email) VALUES ('t12-zed@example.com');
INSERT INTO plaint.queues (name) VALUES ('t12-z');
INSERT INTO plaint.tickets (number, customer_id, subject, queue, status, ack_due_at)
SELECT n, c.id, 's', 't12-z', s, now()
  FROM plaint.customers c, (VALUES ('T12Z-1', 'closed'), ('T12Z-2', 'open')) v(n, s)
 WHERE c.email = 't12-zed@example.com';
SELECT results_eq($$SELECT number, closed_at FROM plaint.tickets WHERE queue = 't12-z' ORDER BY number$$,
		  $$VALUES ('T12Z-1', now()), ('T12Z-2', NULL)$$,
		  'closed_at: set when a ticket is inserted closed, NULL when open');
UPDATE plaint.tickets SET status = 'resolved' WHERE number = 'T12Z-2';
SELECT is((SELECT closed_at FROM plaint.tickets WHERE number = 'T12Z-2'), now(),
	  'closed_at: set when the status becomes resolved');
UPDATE plaint.tickets SET closed_at = '2024-01-01 00:00+00' WHERE number = 'T12Z-2';
UPDATE plaint.tickets SET subject = 't' WHERE number = 'T12Z-2';
SELECT is((SELECT closed_at FROM plaint.tickets WHERE number = 'T12Z-2'), '2024-01-01 00:00+00'::timestamptz,
	  'closed_at: an explicit value is kept, and other updates leave it alone');
UPDATE plaint.tickets SET status = 'pending' WHERE number = 'T12Z-2';
SELECT is((SELECT closed_at FROM plaint.tickets WHERE number = 'T12Z-2'), NULL,
	  'closed_at: cleared when the ticket is no longer resolved or closed');

---------------------------------------------------------------- NOTIFY, and what did not change
SELECT ok((SELECT prosrc FROM pg_proc WHERE proname = 'file_message'
	     AND pronamespace = 'plaint'::regnamespace)
	  LIKE '%pg_notify(''plaint_ticket'', ticket_number)%',
	  'file_message sends NOTIFY plaint_ticket with the number when it opens a ticket (checked in the source: a NOTIFY is delivered only at commit)');
SELECT ok((SELECT prosrc FROM pg_proc WHERE proname = 'queue_ack'
	     AND pronamespace = 'plaint'::regnamespace)
	  LIKE '%pg_notify(''plaint_outbox''%',
	  'queue_ack still sends NOTIFY plaint_outbox');
SELECT ok((SELECT pg_get_function_arguments(oid) FROM pg_proc WHERE proname = 'file_message'
	     AND pronamespace = 'plaint'::regnamespace)
	  = 'facts jsonb, OUT action text, OUT ticket_id bigint, OUT ticket_number text, OUT message_row bigint, OUT ack_suppressed text, OUT note text',
	  'file_message takes one jsonb of facts and returns what it did');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE proname = 'file_message'
	     AND pronamespace = 'plaint'::regnamespace),
	  1, 'file_message was replaced, not overloaded');
CALL pg_temp.file('dup');                                                    -- k27
UPDATE plaint.tickets SET status = 'closed', closed_at = now() - interval '90 days'
 WHERE id = (pg_temp.r('dup')).ticket_id;
INSERT INTO res
SELECT 'dup-copy', f.* FROM plaint.file_message(jsonb_build_object(
	'raw_id', pg_temp.raw('dup-copy'),
	'prefix', 'T12',
	'queue', 't12-q',
	'priority', NULL,
	'tags', '{}',
	'rules', '{}',
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', 'dup.t12@example.com',
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'ann@t12.example',
	'from_name', NULL,
	'subject', 's',
	'body', 'b',
	'received_at', NULL,
	'ack_within', 600,
	'ack_suppressed', NULL,
	'rules_version', 'v1')) f;
SELECT results_eq($$SELECT action, ticket_id FROM res WHERE name = 'dup-copy'$$,
		  $$SELECT 'duplicate'::text, (pg_temp.r('dup')).ticket_id$$,
		  'a duplicate Message-ID is still a duplicate on its first ticket, even closed long ago');
SELECT is_empty($$SELECT r.name FROM raw r JOIN plaint.raw_messages m ON m.id = r.id WHERE m.state <> 'done'$$,
		'every raw row filed here is done');

SELECT * FROM finish();
ROLLBACK;
