-- 02-file-message.sql: plaint.file_message() opens, threads, takes
-- duplicates and drops.  Expected values are worked out from the inputs
-- (and the ticket number sequence's state before the first call), never
-- read back from the function.  One transaction, rolled back.
BEGIN;
SELECT plan(118);

-- Raw rows by name, and what each file_message() call returned, by name.
CREATE TEMP TABLE raw (name text PRIMARY KEY, id bigint NOT NULL);
CREATE TEMP TABLE res (name text PRIMARY KEY, action text, ticket_id bigint,
		       ticket_number text, message_row bigint,
		       ack_suppressed text, note text);

CREATE FUNCTION pg_temp.raw(p_name text) RETURNS bigint LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		VALUES ('t02-inbox', encode(sha256(convert_to('t02 ' || p_name, 'UTF8')), 'hex'),
			octet_length(convert_to('t02 ' || p_name, 'UTF8')),
			convert_to('t02 ' || p_name, 'UTF8'))
		RETURNING id)
	INSERT INTO pg_temp.raw SELECT p_name, id FROM r RETURNING id
$$;
CREATE FUNCTION pg_temp.rid(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM pg_temp.raw WHERE name = p_name
$$;
CREATE FUNCTION pg_temp.r(p_name text) RETURNS pg_temp.res LANGUAGE sql STABLE AS $$
	SELECT * FROM pg_temp.res WHERE name = p_name
$$;
-- Files raw row p_name with the usual settings (prefix CMP, queue general,
-- priority normal, ack within 3600 s) and records the result as p_name.
CREATE PROCEDURE pg_temp.file(p_name text, p_message_id text, p_from text,
			     p_refs text[] DEFAULT '{}', p_tag text DEFAULT NULL,
			     p_drop boolean DEFAULT false, p_prefix text DEFAULT 'CMP',
			     p_rules text[] DEFAULT '{}', p_priority text DEFAULT 'normal',
			     p_received timestamptz DEFAULT '2024-03-01 12:00:00+00',
			     p_fingerprint text DEFAULT NULL, p_strangers text DEFAULT NULL,
			     p_dropped_by text DEFAULT NULL, p_cc text[] DEFAULT '{}')
LANGUAGE sql AS $$
	INSERT INTO pg_temp.res
	SELECT p_name, f.* FROM plaint.file_message(jsonb_build_object(
		'raw_id', pg_temp.raw(p_name),
		'prefix', p_prefix,
		'queue', 'general',
		'priority', p_priority,
		'tags', '{}',
		'rules', p_rules,
		'drop', p_drop,
		'tag_number', p_tag,
		'refs', p_refs,
		'message_id', p_message_id,
		'in_reply_to', p_refs[1],
		'references', p_refs,
		'from_addr', p_from,
		'from_name', NULL,
		'subject', 'subject of ' || p_name,
		'body', 'body of ' || p_name,
		'received_at', p_received,
		'ack_within', 3600,
		'ack_suppressed', NULL,
		'rules_version', 'v1',
		'fingerprint', p_fingerprint,
		'tag_from_strangers', p_strangers,
		'dropped_by', p_dropped_by,
		'cc', p_cc)) f
$$;

-- The next ticket number, from the sequence as it stands (sequences are not
-- transactional, so other files may have moved it; increment is 1).
CREATE TEMP TABLE seq AS
	SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS next
	  FROM plaint.ticket_number_seq;
-- The number of the k-th ticket opened here (0 = the first).
CREATE FUNCTION pg_temp.num(k integer) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT next + k FROM pg_temp.seq
$$;
CREATE TEMP TABLE base AS
	SELECT (SELECT count(*) FROM plaint.tickets) AS tickets,
	       (SELECT count(*) FROM plaint.customers) AS customers;

---------------------------------------------------------------- a new message opens a ticket
INSERT INTO res
SELECT 'a', f.* FROM plaint.file_message(jsonb_build_object(
	'raw_id', pg_temp.raw('a'),
	'prefix', 'CMP',
	'queue', 't02-billing',
	'priority', 'high',
	'tags', ARRAY['refund', 'vip'],
	'rules', ARRAY['refund-request', 'vip-sender'],
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', 'a1.t02@example.com',
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'Alice.Smith@Example.COM',
	'from_name', 'Alice Smith',
	'subject', 'Charged twice for order 12345',
	'body', 'Please refund one.',
	'received_at', '2024-03-01 09:00:00+00',
	'ack_within', 3600,
	'ack_suppressed', NULL,
	'rules_version', 'rules-v1')) f;

SELECT is((pg_temp.r('a')).action, 'opened', 'new message: action is opened');
SELECT is((pg_temp.r('a')).ticket_number, 'CMP-' || pg_temp.num(0),
	  'new message: ticket numbered PREFIX-n from the sequence');
SELECT is((SELECT number FROM plaint.tickets WHERE id = (pg_temp.r('a')).ticket_id),
	  'CMP-' || pg_temp.num(0), 'new message: returned ticket_id is that ticket');
SELECT is((SELECT count(*) FROM plaint.tickets) - (SELECT tickets FROM base), 1::bigint,
	  'new message: exactly one ticket created');
SELECT results_eq(
	$$SELECT t.subject, t.queue, t.priority, t.status, t.tags, t.rules, t.assignee
	    FROM plaint.tickets t WHERE t.id = (pg_temp.r('a')).ticket_id$$,
	$$VALUES ('Charged twice for order 12345'::text, 't02-billing'::text, 'high'::text,
		  'new'::text, ARRAY['refund', 'vip']::text[],
		  ARRAY['refund-request', 'vip-sender']::text[], NULL::text)$$,
	'new message: ticket has the subject, queue, priority, tags and rules given, status new');
SELECT is((SELECT ack_due_at FROM plaint.tickets WHERE id = (pg_temp.r('a')).ticket_id),
	  '2024-03-01 10:00:00+00'::timestamptz,
	  'new message: ack_due_at = received_at + ack_within seconds');
SELECT ok(EXISTS (SELECT 1 FROM plaint.queues WHERE name = 't02-billing'),
	  'new message: the queue is created on first use');
SELECT results_eq(
	$$SELECT email, name FROM plaint.customers
	   WHERE id = (SELECT customer_id FROM plaint.tickets WHERE id = (pg_temp.r('a')).ticket_id)$$,
	$$VALUES ('alice.smith@example.com'::text, 'Alice Smith'::text)$$,
	'new message: customer created with the From address lower-cased and the From name');
SELECT is((SELECT count(*) FROM plaint.customers) - (SELECT customers FROM base), 1::bigint,
	  'new message: exactly one customer created');
SELECT results_eq(
	$$SELECT m.ticket_id, m.raw_id, m.direction, m.message_id, m.from_addr, m.from_name,
		 m.subject, m.body, m.received_at, m.rules_version
	    FROM plaint.messages m WHERE m.id = (pg_temp.r('a')).message_row$$,
	$$SELECT (pg_temp.r('a')).ticket_id, pg_temp.rid('a'), 'in'::text, 'a1.t02@example.com'::text,
		 'alice.smith@example.com'::text, 'Alice Smith'::text,
		 'Charged twice for order 12345'::text, 'Please refund one.'::text,
		 '2024-03-01 09:00:00+00'::timestamptz, 'rules-v1'::text$$,
	'new message: an inbound messages row on the ticket, linked to its raw row');
SELECT results_eq(
	$$SELECT kind, actor, (detail->>'message')::bigint, (detail->>'raw')::bigint
	    FROM plaint.events WHERE ticket_id = (pg_temp.r('a')).ticket_id ORDER BY id$$,
	$$SELECT 'opened'::text, 'gateway'::text, (pg_temp.r('a')).message_row, pg_temp.rid('a')$$,
	'new message: one event, opened, naming the message and raw row');
SELECT results_eq(
	$$SELECT state, reason, processed_at IS NOT NULL FROM plaint.raw_messages WHERE id = pg_temp.rid('a')$$,
	$$VALUES ('done'::text, NULL::text, true)$$,
	'new message: raw row done, no reason, processed_at set');

---------------------------------------------------------------- In-Reply-To/References thread
CALL pg_temp.file('b', 'b2.t02@example.com', 'ALICE.SMITH@example.com',
		    p_refs => ARRAY['a1.t02@example.com']);
SELECT is((pg_temp.r('b')).action, 'threaded', 'reply naming the first Message-ID: action is threaded');
SELECT is((pg_temp.r('b')).ticket_id, (pg_temp.r('a')).ticket_id, 'reply: same ticket_id');
SELECT is((pg_temp.r('b')).ticket_number, 'CMP-' || pg_temp.num(0), 'reply: same ticket number');
SELECT is((SELECT count(*) FROM plaint.tickets) - (SELECT tickets FROM base), 1::bigint,
	  'reply: no new ticket');
SELECT is((SELECT count(*) FROM plaint.customers) - (SELECT customers FROM base), 1::bigint,
	  'reply: no new customer');
SELECT results_eq(
	$$SELECT ticket_id, raw_id, direction, message_id, in_reply_to, "references", from_addr
	    FROM plaint.messages WHERE id = (pg_temp.r('b')).message_row$$,
	$$SELECT (pg_temp.r('a')).ticket_id, pg_temp.rid('b'), 'in'::text, 'b2.t02@example.com'::text,
		 'a1.t02@example.com'::text, ARRAY['a1.t02@example.com']::text[],
		 'alice.smith@example.com'::text$$,
	'reply: its messages row is on the ticket with its In-Reply-To and References');
SELECT is((SELECT count(*) FROM plaint.messages WHERE ticket_id = (pg_temp.r('a')).ticket_id), 2::bigint,
	  'reply: the ticket now has two messages');
SELECT results_eq(
	$$SELECT kind FROM plaint.events WHERE ticket_id = (pg_temp.r('a')).ticket_id ORDER BY id$$,
	$$VALUES ('opened'::text), ('threaded'::text)$$,
	'reply: a threaded event follows opened');
SELECT is((SELECT state FROM plaint.raw_messages WHERE id = pg_temp.rid('b')), 'done', 'reply: raw row done');
SELECT is((SELECT status FROM plaint.tickets WHERE id = (pg_temp.r('a')).ticket_id), 'new',
	  'reply: status of a new ticket is left alone');

-- A later reference in the list (References, oldest first) also threads.
CALL pg_temp.file('b2', 'b3.t02@example.com', 'alice.smith@example.com',
		    p_refs => ARRAY['unknown.t02@example.com', 'b2.t02@example.com']);
SELECT is((pg_temp.r('b2')).action, 'threaded', 'refs: an unknown id first, a known one second: threaded');
SELECT is((pg_temp.r('b2')).ticket_id, (pg_temp.r('a')).ticket_id, 'refs: onto the ticket of the known id');

---------------------------------------------------------------- subject tag threads
CALL pg_temp.file('c', 'c3.t02@example.com', 'someone.else@example.com',
		    p_tag => 'cmp-' || pg_temp.num(0), p_strangers => 'thread');
SELECT is((pg_temp.r('c')).action, 'threaded', 'lower-case tag naming the ticket, no refs: threaded');
SELECT matches((pg_temp.r('c')).note, 'tag CMP-[0-9]+ from someone.else@example.com, who is not its customer nor a participant: threaded',
	       'a tag from a stranger, tag_from_strangers = thread: threaded, and said');
SELECT is((pg_temp.r('c')).ticket_id, (pg_temp.r('a')).ticket_id, 'lower-case tag: same ticket');
SELECT is((pg_temp.r('c')).ticket_number, 'CMP-' || pg_temp.num(0), 'lower-case tag: same number');
SELECT is((SELECT count(*) FROM plaint.customers) - (SELECT customers FROM base), 1::bigint,
	  'tag from another sender: no customer created for a threaded message');

CALL pg_temp.file('c2', 'c4.t02@example.com', 'alice.smith@example.com',
		    p_tag => 'CMP-' || pg_temp.num(0));
SELECT is((pg_temp.r('c2')).action, 'threaded', 'upper-case tag: threaded');
SELECT is((pg_temp.r('c2')).ticket_id, (pg_temp.r('a')).ticket_id, 'upper-case tag: same ticket');

CALL pg_temp.file('c3', 'c5.t02@example.com', 'alice.smith@example.com',
		    p_tag => 'cMp-' || pg_temp.num(0));
SELECT is((pg_temp.r('c3')).action, 'threaded', 'mixed-case tag: threaded');
SELECT is((pg_temp.r('c3')).ticket_id, (pg_temp.r('a')).ticket_id, 'mixed-case tag: same ticket');

---------------------------------------------------------------- a tag naming no ticket
CALL pg_temp.file('d', 'd6.t02@example.com', 'alice.smith@example.com',
		    p_tag => 'CMP-999999999', p_refs => ARRAY['b2.t02@example.com']);
SELECT is((pg_temp.r('d')).action, 'threaded', 'tag naming no ticket, refs naming one: threaded');
SELECT is((pg_temp.r('d')).ticket_id, (pg_temp.r('a')).ticket_id, 'tag naming no ticket: falls back to refs');
SELECT is((pg_temp.r('d')).ticket_number, 'CMP-' || pg_temp.num(0),
	  'tag naming no ticket: the number returned is the ticket''s, not the tag''s');

CALL pg_temp.file('d2', 'd7.t02@example.com', 'ALICE.smith@EXAMPLE.com',
		    p_tag => 'CMP-999999999', p_priority => NULL,
		    p_received => NULL);
SELECT is((pg_temp.r('d2')).action, 'opened', 'tag naming no ticket, no refs: a new ticket');
SELECT is((pg_temp.r('d2')).ticket_number, 'CMP-' || pg_temp.num(1),
	  'second ticket: the next number');
SELECT is((SELECT customer_id FROM plaint.tickets WHERE id = (pg_temp.r('d2')).ticket_id),
	  (SELECT customer_id FROM plaint.tickets WHERE id = (pg_temp.r('a')).ticket_id),
	  'second ticket from the same address in another case: the same customer');
SELECT is((SELECT count(*) FROM plaint.customers) - (SELECT customers FROM base), 1::bigint,
	  'second ticket: no new customer');
SELECT is((SELECT name FROM plaint.customers WHERE email = 'alice.smith@example.com'), 'Alice Smith',
	  'second ticket without a From name: the customer keeps the name');
SELECT is((SELECT priority FROM plaint.tickets WHERE id = (pg_temp.r('d2')).ticket_id), 'normal',
	  'no priority given: normal');
SELECT is((SELECT ack_due_at FROM plaint.tickets WHERE id = (pg_temp.r('d2')).ticket_id),
	  now() + interval '3600 seconds',
	  'no received_at: ack_due_at counts from now()');
SELECT is((SELECT received_at FROM plaint.messages WHERE id = (pg_temp.r('d2')).message_row),
	  now(), 'no received_at: the message is received now()');

---------------------------------------------------------------- a reference to an outbound message
CALL pg_temp.file('e', 'e8.t02@example.com', 'carol@example.com');
SELECT is((pg_temp.r('e')).action, 'opened', 'carol''s message opens a ticket');
SELECT is(plaint.queue_ack((pg_temp.r('e')).ticket_id, (pg_temp.r('e')).message_row,
			   'carol@example.com', 'Re: subject of e', 'We have it.',
			   'ack-e8.t02@plaint.test', 'e8.t02@example.com',
			   ARRAY['e8.t02@example.com']),
	  true, 'acknowledgement queued for carol''s ticket');
CALL pg_temp.file('e2', 'e9.t02@example.com', 'carol@example.com',
		    p_refs => ARRAY['ack-e8.t02@plaint.test']);
SELECT is((pg_temp.r('e2')).action, 'threaded', 'reply to the acknowledgement: threaded');
SELECT is((pg_temp.r('e2')).ticket_id, (pg_temp.r('e')).ticket_id,
	  'reply to the acknowledgement: onto the acknowledged ticket');

-- Refs naming two tickets: the first (In-Reply-To, then References newest
-- first, as the C side orders them) wins.
CALL pg_temp.file('e3', 'e10.t02@example.com', 'carol@example.com',
		  p_refs => ARRAY['e9.t02@example.com', 'a1.t02@example.com']);
SELECT is((pg_temp.r('e3')).action, 'threaded', 'refs naming two tickets: threaded');
SELECT is((pg_temp.r('e3')).ticket_id, (pg_temp.r('e')).ticket_id, 'refs naming two tickets: the first ref''s ticket');

---------------------------------------------------------------- the same Message-ID again
CREATE TEMP TABLE before_dup AS
	SELECT (SELECT count(*) FROM plaint.messages) AS messages,
	       (SELECT count(*) FROM plaint.events) AS events,
	       (SELECT count(*) FROM plaint.tickets) AS tickets;
CALL pg_temp.file('f', 'a1.t02@example.com', 'alice.smith@example.com');
SELECT is((pg_temp.r('f')).action, 'duplicate', 'same Message-ID again: action is duplicate');
SELECT is((pg_temp.r('f')).ticket_id, (pg_temp.r('a')).ticket_id, 'duplicate: the first copy''s ticket');
SELECT is((pg_temp.r('f')).ticket_number, 'CMP-' || pg_temp.num(0), 'duplicate: the first copy''s number');
SELECT is((pg_temp.r('f')).message_row, (pg_temp.r('a')).message_row, 'duplicate: the first copy''s message row');
SELECT is((SELECT count(*) FROM plaint.messages), (SELECT messages FROM before_dup),
	  'duplicate: no new messages row');
SELECT is((SELECT count(*) FROM plaint.messages WHERE message_id = 'a1.t02@example.com'), 1::bigint,
	  'duplicate: still one message with that Message-ID');
SELECT is((SELECT count(*) FROM plaint.tickets), (SELECT tickets FROM before_dup),
	  'duplicate: no new ticket');
SELECT results_eq(
	$$SELECT state, outcome, duplicate_of, processed_at IS NOT NULL FROM plaint.raw_messages WHERE id = pg_temp.rid('f')$$,
	$$SELECT 'done'::text, 'duplicate'::text, (pg_temp.r('a')).message_row, true$$,
	'duplicate: raw row done, outcome duplicate of the first copy''s message');
SELECT is_empty($$SELECT 1 FROM plaint.messages WHERE raw_id = pg_temp.rid('f')$$,
		'duplicate: its raw row is not filed as a message');

-- A duplicate is a duplicate even if rules would drop it or a tag names another ticket.
CALL pg_temp.file('f2', 'a1.t02@example.com', 'alice.smith@example.com',
		    p_drop => true, p_rules => ARRAY['spam'],
		    p_tag => 'CMP-' || pg_temp.num(1));
SELECT is((pg_temp.r('f2')).action, 'duplicate', 'duplicate with drop and another tag: still duplicate');
SELECT is((pg_temp.r('f2')).ticket_id, (pg_temp.r('a')).ticket_id, 'duplicate with another tag: first copy''s ticket');

---------------------------------------------------------------- dropped
CALL pg_temp.file('g', 'g10.t02@example.com', 'newsletter@example.net',
		    p_drop => true, p_rules => ARRAY['other', 'drop-newsletters'],
		    p_dropped_by => 'drop-newsletters');
SELECT is((pg_temp.r('g')).action, 'dropped', 'p_drop: action is dropped');
SELECT is((pg_temp.r('g')).ticket_id, NULL, 'dropped: no ticket_id');
SELECT is((pg_temp.r('g')).ticket_number, NULL, 'dropped: no ticket number');
SELECT is((pg_temp.r('g')).message_row, NULL, 'dropped: no message row');
SELECT is((SELECT count(*) FROM plaint.tickets), (SELECT tickets FROM before_dup),
	  'dropped: no ticket created');
SELECT is_empty($$SELECT 1 FROM plaint.customers WHERE email = 'newsletter@example.net'$$,
		'dropped: no customer created');
SELECT is_empty($$SELECT 1 FROM plaint.messages WHERE raw_id = pg_temp.rid('g') OR message_id = 'g10.t02@example.com'$$,
		'dropped: no messages row');
SELECT results_eq(
	$$SELECT state, outcome, dropped_by, processed_at IS NOT NULL
	    FROM plaint.raw_messages WHERE id = pg_temp.rid('g')$$,
	$$VALUES ('done'::text, 'dropped'::text, 'drop-newsletters'::text, true)$$,
	'dropped: raw row done, outcome dropped, naming the rule');
SELECT is((SELECT count(*) FROM plaint.events), (SELECT events FROM before_dup),
	  'duplicate and dropped: no events');

-- A dropped reply is dropped, not threaded.
CALL pg_temp.file('g2', 'g11.t02@example.com', 'alice.smith@example.com',
		    p_drop => true, p_rules => ARRAY['drop-ooo'],
		    p_refs => ARRAY['a1.t02@example.com']);
SELECT is((pg_temp.r('g2')).action, 'dropped', 'a reply matched by a drop rule: dropped');
SELECT is((SELECT count(*) FROM plaint.messages WHERE ticket_id = (pg_temp.r('a')).ticket_id),
	  (SELECT count(*) FROM res WHERE name IN ('a', 'b', 'b2', 'c', 'c2', 'c3', 'd')),
	  'a dropped reply adds no message to the ticket');

---------------------------------------------------------------- replies reopen resolved and closed tickets
UPDATE plaint.tickets SET status = 'resolved' WHERE id = (pg_temp.r('a')).ticket_id;
CALL pg_temp.file('h', 'h12.t02@example.com', 'alice.smith@example.com',
		    p_refs => ARRAY['a1.t02@example.com']);
SELECT is((pg_temp.r('h')).action, 'threaded', 'reply to a resolved ticket: threaded');
SELECT is((pg_temp.r('h')).ticket_id, (pg_temp.r('a')).ticket_id, 'reply to a resolved ticket: same ticket');
SELECT is((SELECT status FROM plaint.tickets WHERE id = (pg_temp.r('a')).ticket_id), 'open',
	  'reply to a resolved ticket: back to open');

UPDATE plaint.tickets SET status = 'closed' WHERE id = (pg_temp.r('a')).ticket_id;
CALL pg_temp.file('i', 'i13.t02@example.com', 'alice.smith@example.com',
		    p_tag => 'CMP-' || pg_temp.num(0));
SELECT is((pg_temp.r('i')).action, 'threaded', 'reply to a closed ticket: threaded');
SELECT is((SELECT status FROM plaint.tickets WHERE id = (pg_temp.r('a')).ticket_id), 'open',
	  'reply to a closed ticket: back to open');

UPDATE plaint.tickets SET status = 'open' WHERE id = (pg_temp.r('e')).ticket_id;
CALL pg_temp.file('i2', 'i14.t02@example.com', 'carol@example.com',
		    p_refs => ARRAY['e8.t02@example.com']);
SELECT is((SELECT status FROM plaint.tickets WHERE id = (pg_temp.r('e')).ticket_id), 'open',
	  'reply to an open ticket: stays open');

---------------------------------------------------------------- messages without a Message-ID
CALL pg_temp.file('j', NULL, 'dave@example.com');
CALL pg_temp.file('j2', NULL, 'dave@example.com');
SELECT is((pg_temp.r('j')).action, 'opened', 'no Message-ID: opens a ticket');
SELECT is((pg_temp.r('j2')).action, 'opened', 'a second message without a Message-ID is not a duplicate');
SELECT isnt((pg_temp.r('j2')).ticket_id, (pg_temp.r('j')).ticket_id, 'two messages without ids: two tickets');

---------------------------------------------------------------- the tag names the ticket in any case, whatever the prefix's case
-- The config allows a prefix in any case ("letters, digits or '_'"), and the
-- C side (gw_thread_subject_tag) always passes the tag upper-cased.
CALL pg_temp.file('k', 'k15.t02@example.com', 'erin@example.com', p_prefix => 'Sup');
SELECT is((pg_temp.r('k')).action, 'opened', 'prefix Sup: opens a ticket');
CALL pg_temp.file('k2', 'k16.t02@example.com', 'erin@example.com', p_prefix => 'Sup',
		    p_tag => 'SUP-' || pg_temp.num(5));
SELECT is((pg_temp.r('k2')).action, 'threaded', 'prefix Sup: tag SUP-n (as the C side passes it) threads');
SELECT is((pg_temp.r('k2')).ticket_id, (pg_temp.r('k')).ticket_id, 'prefix Sup: tag SUP-n names the ticket');
CALL pg_temp.file('k3', 'k17.t02@example.com', 'erin@example.com', p_prefix => 'Sup',
		    p_tag => 'sup-' || pg_temp.num(5));
SELECT is((pg_temp.r('k3')).action, 'threaded', 'prefix Sup: tag sup-n threads');
SELECT is((pg_temp.r('k3')).ticket_id, (pg_temp.r('k')).ticket_id, 'prefix Sup: tag sup-n names the ticket');

---------------------------------------------------------------- duplicates are the same content, not the same header
-- The same content (fingerprint), whatever its Message-ID or none.
CALL pg_temp.file('m1', 'm1.t02@example.com', 'fay@example.com', p_fingerprint => repeat('1', 64));
CALL pg_temp.file('m2', NULL, 'fay@example.com', p_fingerprint => repeat('1', 64));
SELECT is((pg_temp.r('m2')).action, 'duplicate', 'the same fingerprint without a Message-ID: duplicate');
SELECT is((pg_temp.r('m2')).message_row, (pg_temp.r('m1')).message_row, 'duplicate: of the first copy');
CALL pg_temp.file('m3', NULL, 'fay@example.com', p_fingerprint => repeat('3', 64));
CALL pg_temp.file('m4', NULL, 'fay@example.com', p_fingerprint => repeat('3', 64));
SELECT is((pg_temp.r('m3')).action, 'opened', 'no Message-ID, a new fingerprint: opened');
SELECT is((pg_temp.r('m4')).action, 'duplicate', 'no Message-ID, the same fingerprint again: duplicate');
-- A reused Message-ID on other content: filed, and the reuse said.
CALL pg_temp.file('m5', 'm1.t02@example.com', 'gus@example.com', p_fingerprint => repeat('5', 64));
SELECT is((pg_temp.r('m5')).action, 'opened', 'the same Message-ID on other content: a ticket of its own');
SELECT isnt((pg_temp.r('m5')).ticket_id, (pg_temp.r('m1')).ticket_id, 'reused Message-ID: not the first one''s ticket');
SELECT is((pg_temp.r('m5')).ack_suppressed, NULL, 'reused Message-ID: may be acknowledged');
SELECT matches((pg_temp.r('m5')).note, '^Message-ID also on message [0-9]+ \(CMP-[0-9]+\) with other content',
	       'reused Message-ID: the note names the other message');
SELECT results_eq($$SELECT outcome, reason FROM plaint.raw_messages WHERE id = pg_temp.rid('m5')$$,
		  $$SELECT 'ticket'::text, (pg_temp.r('m5')).note$$,
		  'reused Message-ID: outcome ticket, the note kept as its reason');

---------------------------------------------------------------- a ticket tag from a stranger
-- Default (new): a ticket of its own, related to the tagged one.
CALL pg_temp.file('s1', 's1.t02@example.com', 'hal@example.com', p_cc => ARRAY['ivy@example.com']);
CALL pg_temp.file('s2', 's2.t02@example.com', 'mallory@example.net',
		    p_tag => (pg_temp.r('s1')).ticket_number);
SELECT is((pg_temp.r('s2')).action, 'opened', 'a tag from a stranger: opens a ticket (tag_from_strangers = new)');
SELECT is((SELECT related_to FROM plaint.tickets WHERE id = (pg_temp.r('s2')).ticket_id),
	  (pg_temp.r('s1')).ticket_id, 'the new ticket is related to the tagged one');
SELECT ok(EXISTS (SELECT FROM plaint.events e WHERE e.ticket_id = (pg_temp.r('s1')).ticket_id
		   AND e.kind = 'tag_from_stranger'
		   AND e.detail->>'ticket' = (pg_temp.r('s2')).ticket_number),
	  'the tagged ticket records the stranger''s ticket');
SELECT is((SELECT count(*)::int FROM plaint.messages WHERE ticket_id = (pg_temp.r('s1')).ticket_id), 1,
	  'the tagged ticket gets no message from the stranger');
-- Its customer and its participants (the Cc of its mail) thread.
CALL pg_temp.file('s3', 's3.t02@example.com', 'IVY@example.com',
		    p_tag => (pg_temp.r('s1')).ticket_number);
SELECT is((pg_temp.r('s3')).action, 'threaded', 'a participant (Cc of its mail) threads by tag');
SELECT is((pg_temp.r('s3')).note, NULL, 'a participant: nothing to note');
CALL pg_temp.file('s4', 's4.t02@example.com', 'hal@example.com',
		    p_tag => (pg_temp.r('s1')).ticket_number);
SELECT is((pg_temp.r('s4')).action, 'threaded', 'the customer threads by tag');

---------------------------------------------------------------- mail that names no sender
CALL pg_temp.file('n1', 'n1.t02@example.com', NULL);
SELECT is((pg_temp.r('n1')).action, 'opened', 'no sender at all: still a ticket');
SELECT is((SELECT customer_id FROM plaint.tickets WHERE id = (pg_temp.r('n1')).ticket_id), NULL,
	  'no sender: the ticket has no customer');
SELECT is((pg_temp.r('n1')).ack_suppressed, 'null-sender', 'no sender: no acknowledgement');
SELECT throws_ok(format('SELECT plaint.reply(%L, %L)', (pg_temp.r('n1')).ticket_number, 'hello'),
		 '55000', NULL, 'no sender: plaint.reply refuses, with a reason');

---------------------------------------------------------------- bounces, by structure
CREATE PROCEDURE pg_temp.bounce(p_name text, p_kind text, p_ids text[], p_from text DEFAULT 'mailer-daemon@mx.example.net')
LANGUAGE sql AS $$
	INSERT INTO pg_temp.res
	SELECT p_name, f.* FROM plaint.file_message(jsonb_build_object(
		'raw_id', pg_temp.raw(p_name), 'prefix', 'CMP', 'queue', 'bounces',
		'bounce', p_kind, 'original_ids', p_ids, 'from_addr', p_from,
		'subject', 'Undelivered Mail Returned to Sender', 'body', 'failed',
		'ack_suppressed', CASE WHEN p_kind = 'report' THEN 'bounce' ELSE 'null-sender' END,
		'ack_within', 60, 'rules_version', 'v1', 'fingerprint', encode(sha256(convert_to(p_name, 'UTF8')), 'hex'))) f
$$;
CALL pg_temp.file('o1', 'o1.t02@example.com', 'olga@example.com');
WITH x AS (
	INSERT INTO plaint.messages (ticket_id, direction, message_id)
	VALUES ((pg_temp.r('o1')).ticket_id, 'out', 'ours-o1.t02@example.com') RETURNING id, ticket_id)
INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
SELECT 'reply', x.ticket_id, x.id, 'olga@example.com', 'ours-o1.t02@example.com', now() FROM x;
CALL pg_temp.bounce('bo1', 'report', ARRAY['other@example.net', 'ours-o1.t02@example.com']);
SELECT is((pg_temp.r('bo1')).action, 'bounce', 'a report naming plaint''s mail: a bounce');
SELECT is((pg_temp.r('bo1')).ticket_id, (pg_temp.r('o1')).ticket_id, 'it joins that mail''s ticket');
SELECT is((SELECT outcome FROM plaint.raw_messages WHERE id = pg_temp.rid('bo1')), 'bounce',
	  'outcome bounce');
SELECT is((SELECT bounces FROM plaint.customers WHERE email = 'olga@example.com'), 1,
	  'the address is marked as bouncing');
CALL pg_temp.bounce('bo2', 'candidate', ARRAY['ours-o1.t02@example.com']);
SELECT is((pg_temp.r('bo2')).action, 'bounce', 'the null sender naming plaint''s mail: a bounce too');
CALL pg_temp.bounce('bo3', 'report', ARRAY['someone-elses@example.net']);
SELECT is((pg_temp.r('bo3')).action, 'opened', 'a report naming no mail of plaint''s: a ticket of its own');
SELECT is((SELECT queue FROM plaint.tickets WHERE id = (pg_temp.r('bo3')).ticket_id), 'bounces',
	  'in the queue the gateway gives (unlinked_bounce_queue)');
SELECT is((pg_temp.r('bo3')).ack_suppressed, 'bounce', 'never acknowledged');
CALL pg_temp.bounce('bo4', 'candidate', ARRAY['someone-elses@example.net'], 'pat@example.com');
SELECT is((pg_temp.r('bo4')).action, 'opened', 'the null sender naming other mail: filed as usual');
SELECT is((SELECT outcome FROM plaint.raw_messages WHERE id = pg_temp.rid('bo4')), 'ticket', 'outcome ticket');

---------------------------------------------------------------- every raw row filed here is done
SELECT is_empty($$SELECT r.name, m.state FROM raw r JOIN plaint.raw_messages m ON m.id = r.id
		   WHERE m.state <> 'done'$$,
		'every raw row passed to file_message is done');
SELECT is((SELECT count(*) FROM res), (SELECT count(*) FROM raw), 'one result per raw row');

SELECT * FROM finish();
ROLLBACK;
