-- 10-agents.sql: the agents' views (open_tickets, my_tickets, overdue,
-- thread) and functions (reply, note, assign, set_status, set_priority,
-- merge) of sql/migrations/0002_agents.sql: their rows, their events and
-- their errors.  Tickets are made by hand in queue t10-q with times
-- relative to now(), so every expected value is worked out from them.
-- One transaction, rolled back.
BEGIN;
SELECT plan(108);

UPDATE plaint.settings SET value = 't10.example' WHERE key = 'message_id_domain';
INSERT INTO plaint.queues (name, first_response) VALUES ('t10-q', interval '4 hours');
INSERT INTO plaint.customers (email, name)
VALUES ('t10-ann@example.com', 'Ann'), ('t10-bob@example.com', NULL);
-- Agents who are not database logins: plaint.assign() knows them from here.
INSERT INTO plaint.agents (login) VALUES ('t10_alice'), ('t10_bob');

-- A ticket in t10-q created p_age ago, acknowledgement due p_ack_in from now.
CREATE FUNCTION pg_temp.ticket(p_number text, p_subject text, p_status text,
			       p_age interval, p_ack_in interval,
			       p_customer text DEFAULT 't10-ann@example.com',
			       p_priority text DEFAULT 'normal')
RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO plaint.tickets (number, customer_id, subject, queue, status,
				    priority, created_at, updated_at, ack_due_at)
	SELECT p_number, c.id, p_subject, 't10-q', p_status, p_priority,
	       now() - p_age, now() - p_age, now() + p_ack_in
	  FROM plaint.customers c WHERE c.email = p_customer
	RETURNING id
$$;
CREATE FUNCTION pg_temp.tid(p_number text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM plaint.tickets WHERE number = p_number
$$;
-- An inbound message (with its raw row) received p_ago ago.
CREATE FUNCTION pg_temp.msg_in(p_number text, p_mid text, p_refs text[],
			       p_ago interval, p_body text,
			       p_suppressed text DEFAULT NULL,
			       p_from text DEFAULT 't10-ann@example.com')
RETURNS bigint LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		VALUES ('t10-inbox', encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'),
			1, 'x')
		RETURNING id)
	INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id,
				     in_reply_to, "references", from_addr, subject,
				     body, received_at, ack_suppressed)
	SELECT pg_temp.tid(p_number), r.id, 'in', p_mid, p_refs[cardinality(p_refs)],
	       p_refs, p_from, 'subject', p_body, now() - p_ago, p_suppressed
	  FROM r
	RETURNING id
$$;
-- An acknowledgement of a ticket: its outbound message and outbox row.
CREATE FUNCTION pg_temp.ack(p_number text, p_mid text, p_sent boolean, p_failed boolean)
RETURNS bigint LANGUAGE sql AS $$
	WITH m AS (
		INSERT INTO plaint.messages (ticket_id, direction, message_id, subject, body)
		VALUES (pg_temp.tid(p_number), 'out', p_mid, 'ack', 'We have it.')
		RETURNING id, ticket_id)
	INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id,
				   due_at, sent_at, failed_at)
	SELECT 'ack', m.ticket_id, m.id, 't10-ann@example.com', p_mid, now(),
	       CASE WHEN p_sent THEN now() END, CASE WHEN p_failed THEN now() END
	  FROM m
	RETURNING id
$$;
-- session_user as plain text (a name's C collation would not compare with text).
CREATE FUNCTION pg_temp.me() RETURNS text LANGUAGE sql STABLE AS $$ SELECT session_user::text $$;
CREATE FUNCTION pg_temp.events(p_number text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT count(*) FROM plaint.events WHERE ticket_id = pg_temp.tid(p_number)
$$;

DO $$
BEGIN
	PERFORM pg_temp.ticket('T10-1', 'Broken kettle', 'new', '3 hours', '-2 hours');
	-- m2 is stored before m1, which arrived earlier: order is by arrival.
	PERFORM pg_temp.msg_in('T10-1', 'm2.t10@example.com', ARRAY['m1.t10@example.com'], '1 hour', 'body m2');
	PERFORM pg_temp.msg_in('T10-1', 'm1.t10@example.com', '{}', '3 hours', 'body m1');
	PERFORM pg_temp.msg_in('T10-1', 'b.t10@example.net', ARRAY['ack.t10@plaint.test'], '30 minutes',
			       'body b', 'bounce', 'mailer-daemon@example.net');
	PERFORM pg_temp.ticket('T10-2', 'Old issue', 'closed', '10 days', '-10 days');
	PERFORM pg_temp.ticket('T10-3', 'AW: Lieferung', 'open', '1 hour', '1 hour', 't10-bob@example.com');
	PERFORM pg_temp.msg_in('T10-3', NULL, '{}', '1 hour', 'body m3', NULL, 't10-bob@example.com');
	PERFORM pg_temp.ack('T10-3', 'ack3.t10@plaint.test', false, false);
	PERFORM pg_temp.ticket('T10-4', 'Refund', 'resolved', '2 days', '-2 days');
	PERFORM pg_temp.msg_in('T10-4', 'm4.t10@example.com', '{}', '2 days', 'body m4');
	PERFORM pg_temp.ticket('T10-5', 'Dup A', 'open', '50 minutes', '1 hour');
	PERFORM pg_temp.msg_in('T10-5', 'm5.t10@example.com', '{}', '50 minutes', 'body m5');
	PERFORM pg_temp.ticket('T10-6', 'Dup B', 'open', '40 minutes', '1 hour');
	PERFORM pg_temp.ticket('T10-7', 'Dup C', 'new', '30 minutes', '1 hour');
	PERFORM pg_temp.ticket('T10-8', 'Acked', 'open', '24 hours', '-23 hours');
	PERFORM pg_temp.msg_in('T10-8', 'm8.t10@example.com', '{}', '24 hours', 'body m8');
	PERFORM pg_temp.ack('T10-8', 'ack8.t10@plaint.test', true, false);
	PERFORM pg_temp.ticket('T10-9', 'Out of office', 'new', '20 minutes', '-5 minutes');
	PERFORM pg_temp.msg_in('T10-9', 'm9.t10@example.com', '{}', '20 minutes', 'body m9', 'auto-reply');
	PERFORM pg_temp.ticket('T10-10', 'Fire', 'new', '10 minutes', '1 hour', p_priority => 'urgent');
	PERFORM pg_temp.msg_in('T10-10', 'm10.t10@example.com', '{}', '10 minutes', 'body m10');
	PERFORM pg_temp.ack('T10-10', 'ack10.t10@plaint.test', false, true);
	PERFORM pg_temp.ticket('T10-11', 'Answered', 'pending', '6 hours', '1 hour');
	PERFORM pg_temp.msg_in('T10-11', 'm11.t10@example.com', '{}', '6 hours', 'body m11');
END
$$;
WITH m AS (
	INSERT INTO plaint.messages (ticket_id, direction, message_id, subject, body)
	VALUES (pg_temp.tid('T10-11'), 'out', 'r11.t10@plaint.test', 'Re', 'Hello')
	RETURNING id, ticket_id)
INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id,
			   queued_at, due_at)
SELECT 'reply', ticket_id, id, 't10-ann@example.com', 'r11.t10@plaint.test',
       now() - interval '2 hours', now() - interval '2 hours'
  FROM m;

---------------------------------------------------------------- structure
SELECT has_table('plaint', 'settings', 'table plaint.settings exists');
SELECT has_table('plaint', 'notes', 'table plaint.notes exists');
SELECT has_view('plaint', 'open_tickets', 'view plaint.open_tickets exists');
SELECT has_view('plaint', 'my_tickets', 'view plaint.my_tickets exists');
SELECT has_view('plaint', 'overdue', 'view plaint.overdue exists');
SELECT has_view('plaint', 'thread', 'view plaint.thread exists');
SELECT has_view('plaint', 'quarantine', 'view plaint.quarantine (0001) is still there');
SELECT has_column('plaint', 'tickets', 'merged_into', 'tickets.merged_into exists');
SELECT has_column('plaint', 'tickets', 'follows', 'tickets.follows exists');
SELECT col_default_is('plaint', 'queues', 'first_response', '1 day'::interval,
		      'queues.first_response defaults to 1 day');
SELECT ok(EXISTS (SELECT 1 FROM plaint.schema_migrations WHERE version = 2),
	  'schema_migrations records version 2');
SELECT is((SELECT array_agg(key ORDER BY key) FROM plaint.settings
	    WHERE key IN ('message_id_domain', 'reopen_days', 'ticket_prefix')),
	  ARRAY['message_id_domain', 'reopen_days', 'ticket_prefix'],
	  'settings has message_id_domain, reopen_days and ticket_prefix');
SELECT throws_ok($$UPDATE plaint.settings SET value = 'soon' WHERE key = 'reopen_days'$$,
		 '23514', NULL, 'settings: reopen_days must be a number of days');
SELECT throws_ok($$UPDATE plaint.settings SET value = 'a b@c' WHERE key = 'message_id_domain'$$,
		 '23514', NULL, 'settings: message_id_domain is one word without @ or spaces');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text
	  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	 WHERE n.nspname = 'plaint'
	   AND coalesce(btrim(obj_description(p.oid, 'pg_proc')), '') = ''$$,
	'every function in schema plaint has a COMMENT');
SELECT is_empty($$
	SELECT c.relname::text
	  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname = 'plaint' AND c.relkind IN ('r', 'v')
	   AND coalesce(btrim(obj_description(c.oid, 'pg_class')), '') = ''$$,
	'every table and view in schema plaint has a COMMENT');
SELECT is_empty($$
	SELECT c.relname || '.' || a.attname
	  FROM (VALUES ('tickets', 'merged_into'), ('tickets', 'follows'), ('tickets', 'closed_at'),
		       ('queues', 'first_response'), ('messages', 'cc'), ('messages', 'author'),
		       ('open_tickets', 'ack_state'), ('open_tickets', 'response_state'),
		       ('overdue', 'what'), ('thread', 'ticket'), ('thread', 'direction')) v(t, col)
	  JOIN pg_class c ON c.relname = v.t AND c.relnamespace = 'plaint'::regnamespace
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = v.col
	 WHERE coalesce(col_description(c.oid, a.attnum), '') = ''$$,
	'the non-obvious new columns have a COMMENT');
SELECT col_type_is('plaint', 'outbox', 'cc', 'text[]',
		   'outbox.cc, the Cc list the gateway sends, is text[]');

---------------------------------------------------------------- open_tickets
SELECT results_eq(
	$$SELECT number FROM plaint.open_tickets WHERE queue = 't10-q'$$,
	$$VALUES ('T10-10'), ('T10-8'), ('T10-11'), ('T10-1'), ('T10-3'), ('T10-5'),
		 ('T10-6'), ('T10-7'), ('T10-9')$$,
	'open_tickets: new, open and pending tickets, urgent first, then oldest first; no resolved or closed');
SELECT results_eq(
	$$SELECT status, priority, subject, customer, assignee, age, ack_state,
		 first_response_due_at, first_response_at, response_state, messages_in,
		 last_in_at, follows
	    FROM plaint.open_tickets WHERE number = 'T10-1'$$,
	$$SELECT 'new'::text, 'normal'::text, 'Broken kettle'::text, 't10-ann@example.com'::text,
		 NULL::text, interval '3 hours', 'overdue'::text,
		 now() + interval '1 hour', NULL::timestamptz, 'due'::text, 3::bigint,
		 now() - interval '30 minutes', NULL::text$$,
	'open_tickets: T10-1 is 3 h old, ack overdue, first response due in 1 h, 3 messages in');
SELECT results_eq(
	$$SELECT number, ack_state FROM plaint.open_tickets WHERE queue = 't10-q' ORDER BY number$$,
	$$VALUES ('T10-1', 'overdue'), ('T10-10', 'failed'), ('T10-11', 'due'), ('T10-3', 'due'),
		 ('T10-5', 'due'), ('T10-6', 'due'), ('T10-7', 'due'), ('T10-8', 'sent'),
		 ('T10-9', 'suppressed')$$,
	'open_tickets.ack_state: sent, suppressed, overdue, failed, due');
SELECT results_eq(
	$$SELECT number, response_state, first_response_at FROM plaint.open_tickets
	   WHERE number IN ('T10-8', 'T10-9', 'T10-11') ORDER BY number$$,
	$$VALUES ('T10-11', 'answered', now() - interval '2 hours'),
		 ('T10-8', 'overdue', NULL::timestamptz), ('T10-9', 'due', NULL)$$,
	'open_tickets.response_state: answered (reply queued 2 h ago), overdue (24 h > 4 h), due');
SELECT is((SELECT ack_sent_at FROM plaint.open_tickets WHERE number = 'T10-8'), now(),
	  'open_tickets.ack_sent_at is the acknowledgement''s sent_at');

---------------------------------------------------------------- overdue
SELECT results_eq(
	$$SELECT number, what, due_at, overdue_by FROM plaint.overdue WHERE queue = 't10-q'$$,
	$$VALUES ('T10-8', 'first response', now() - interval '20 hours', interval '20 hours'),
		 ('T10-1', 'acknowledgement', now() - interval '2 hours', interval '2 hours')$$,
	'overdue: T10-8''s first response (due 20 h ago) and T10-1''s acknowledgement (due 2 h ago), oldest first');

---------------------------------------------------------------- my_tickets
SELECT is_empty($$SELECT 1 FROM plaint.my_tickets WHERE queue = 't10-q'$$,
		'my_tickets: nothing assigned yet');

---------------------------------------------------------------- reply
CREATE TEMP TABLE r AS SELECT plaint.reply('T10-1', 'We are on it.', 'Boss@Example.com; x@example.org') AS id;
SELECT is((SELECT id FROM r),
	  (SELECT o.id FROM plaint.outbox o WHERE o.ticket_id = pg_temp.tid('T10-1') AND o.kind = 'reply'),
	  'reply returns the id of the one reply outbox row of the ticket');
SELECT results_eq(
	$$SELECT kind, recipient, due_at, next_attempt_at <= now(), sent_at, failed_at, attempts
	    FROM plaint.outbox WHERE id = (SELECT id FROM r)$$,
	$$VALUES ('reply'::text, 't10-ann@example.com'::text, now(), true, NULL::timestamptz,
		  NULL::timestamptz, 0)$$,
	'reply: outbox row kind reply to the customer, due now, not sent');
SELECT matches((SELECT message_id FROM plaint.outbox WHERE id = (SELECT id FROM r)),
	       '^plaint\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@t10\.example$',
	       'reply: Message-ID is plaint.<uuid>@<message_id_domain>');
SELECT results_eq(
	$$SELECT m.ticket_id, m.raw_id, m.direction, m.message_id = o.message_id, m.subject,
		 m.body, m.in_reply_to, m."references", m.cc, m.author
	    FROM plaint.outbox o JOIN plaint.messages m ON m.id = o.message_row
	   WHERE o.id = (SELECT id FROM r)$$,
	$$VALUES (pg_temp.tid('T10-1'), NULL::bigint, 'out'::text, true,
		  '[T10-1] Re: Broken kettle'::text, 'We are on it.'::text,
		  'm2.t10@example.com'::text,
		  ARRAY['m1.t10@example.com', 'm2.t10@example.com']::text[],
		  ARRAY['boss@example.com', 'x@example.org']::text[], pg_temp.me())$$,
	'reply: the outbound message has the tag and Re:, answers the latest inbound mail (not the bounce), with its References plus it, and the Cc');
SELECT is((SELECT status FROM plaint.tickets WHERE number = 'T10-1'), 'pending',
	  'reply: a new ticket becomes pending');
SELECT is((SELECT updated_at FROM plaint.tickets WHERE number = 'T10-1'), now(),
	  'reply: the ticket is updated now');
SELECT results_eq(
	$$SELECT actor, detail->>'outbox', detail->>'to', detail->'cc'
	    FROM plaint.events WHERE ticket_id = pg_temp.tid('T10-1') AND kind = 'replied'$$,
	$$SELECT pg_temp.me(), (SELECT id FROM r)::text, 't10-ann@example.com'::text,
		 '["boss@example.com", "x@example.org"]'::jsonb$$,
	'reply: one replied event by session_user naming the outbox row, recipient and Cc');
SELECT results_eq(
	$$SELECT number, ack_state, response_state, first_response_at FROM plaint.open_tickets
	   WHERE number = 'T10-1'$$,
	$$VALUES ('T10-1', 'overdue', 'answered', now())$$,
	'open_tickets after the reply: first response answered now');

SELECT lives_ok($$SELECT plaint.reply(' [t10-3] ', 'Ihre Lieferung kommt morgen.')$$,
		'reply: the ticket number in any case, with brackets and spaces');
SELECT results_eq(
	$$SELECT m.subject, m.in_reply_to, m."references", m.cc, o.recipient
	    FROM plaint.outbox o JOIN plaint.messages m ON m.id = o.message_row
	   WHERE o.ticket_id = pg_temp.tid('T10-3') AND o.kind = 'reply'$$,
	$$VALUES ('[T10-3] AW: Lieferung'::text, NULL::text, '{}'::text[], '{}'::text[],
		  't10-bob@example.com'::text)$$,
	'reply: no second Re: on an AW: subject; no inbound Message-ID, no threading headers; no Cc');
SELECT is((SELECT status FROM plaint.tickets WHERE number = 'T10-3'), 'pending',
	  'reply: an open ticket becomes pending');
SELECT lives_ok($$SELECT plaint.reply('T10-4', 'Your refund went out today.')$$,
		'reply: a resolved ticket may be answered');
SELECT is((SELECT status FROM plaint.tickets WHERE number = 'T10-4'), 'resolved',
	  'reply: a resolved ticket stays resolved');
SELECT lives_ok($$SELECT plaint.reply('T10-11', 'Still waiting for you.')$$,
		'reply: a pending ticket may be answered again');
SELECT is((SELECT status FROM plaint.tickets WHERE number = 'T10-11'), 'pending',
	  'reply: a pending ticket stays pending');
SELECT is((SELECT first_response_at FROM plaint.open_tickets WHERE number = 'T10-11'),
	  now() - interval '2 hours', 'open_tickets: the first response is the earliest reply');

CREATE TEMP TABLE before_err AS
	SELECT (SELECT count(*) FROM plaint.outbox) AS outbox,
	       (SELECT count(*) FROM plaint.messages) AS messages,
	       (SELECT count(*) FROM plaint.events) AS events;
SELECT throws_ok($$SELECT plaint.reply('T10-999', 'Hello')$$, 'P0002',
		 'unknown ticket "T10-999"', 'reply: an unknown ticket is refused (P0002)');
SELECT throws_ok($$SELECT plaint.reply(NULL, 'Hello')$$, '22004',
		 'no ticket given', 'reply: no ticket is refused (22004)');
SELECT throws_ok($$SELECT plaint.reply('T10-1', '')$$, '22023',
		 'the reply to T10-1 has an empty body', 'reply: an empty body is refused (22023)');
SELECT throws_ok($$SELECT plaint.reply('T10-1', E'  \n\t ')$$, '22023',
		 'the reply to T10-1 has an empty body', 'reply: a blank body is refused');
SELECT throws_ok($$SELECT plaint.reply('T10-1', NULL)$$, '22023',
		 'the reply to T10-1 has an empty body', 'reply: a NULL body is refused');
SELECT throws_ok($$SELECT plaint.reply('T10-2', 'Hello')$$, '55000',
		 'ticket T10-2 is closed', 'reply: a closed ticket is refused (55000)');
SELECT throws_ok($$SELECT plaint.reply('T10-1', 'Hello', 'boss@example.com, not-an-address')$$,
		 '22023', 'Cc "not-an-address" is not an email address',
		 'reply: a Cc that is not an address is refused');
SELECT results_eq(
	$$SELECT (SELECT count(*) FROM plaint.outbox), (SELECT count(*) FROM plaint.messages),
		 (SELECT count(*) FROM plaint.events)$$,
	$$SELECT outbox, messages, events FROM before_err$$,
	'refused replies leave no outbox, message or event rows');
SELECT ok((SELECT prosrc FROM pg_proc WHERE oid = 'plaint.reply(text,text,text,boolean,text[])'::regprocedure)
	  LIKE '%pg_notify(''plaint_outbox'', t.id::text)%',
	  'reply sends NOTIFY plaint_outbox with the ticket id (checked in the source: a NOTIFY is delivered only at commit)');

---------------------------------------------------------------- note
CREATE TEMP TABLE n AS SELECT plaint.note('T10-1', 'Refund approved by Sam.') AS id;
SELECT results_eq(
	$$SELECT ticket_id, author, body FROM plaint.notes WHERE id = (SELECT id FROM n)$$,
	$$VALUES (pg_temp.tid('T10-1'), pg_temp.me(), 'Refund approved by Sam.'::text)$$,
	'note: a notes row on the ticket by session_user with the text; note returns its id');
SELECT results_eq(
	$$SELECT actor, detail->>'note' FROM plaint.events
	   WHERE ticket_id = pg_temp.tid('T10-1') AND kind = 'note'$$,
	$$SELECT pg_temp.me(), (SELECT id FROM n)::text$$,
	'note: one note event naming the note');
SELECT is((SELECT count(*) FROM plaint.outbox WHERE ticket_id = pg_temp.tid('T10-1')), 1::bigint,
	  'note: nothing is mailed (the ticket still has only its reply in the outbox)');
SELECT is((SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tid('T10-1')), 4::bigint,
	  'note: no messages row (3 in, 1 reply)');
SELECT throws_ok($$SELECT plaint.note('T10-1', ' ')$$, '22023', 'the note on T10-1 is empty',
		 'note: an empty note is refused');
SELECT throws_ok($$SELECT plaint.note('T10-999', 'x')$$, 'P0002', 'unknown ticket "T10-999"',
		 'note: an unknown ticket is refused');
SELECT lives_ok($$SELECT plaint.note('T10-2', 'Customer phoned about this one.')$$,
		'note: a closed ticket takes notes');

---------------------------------------------------------------- thread
SELECT results_eq(
	$$SELECT filed_on, direction, kind, from_addr, agent, recipient, body, delivery
	    FROM plaint.thread WHERE ticket = 'T10-1'$$,
	$$VALUES ('T10-1', 'in', 'mail', 't10-ann@example.com', NULL, NULL, 'body m1', NULL),
		 ('T10-1', 'in', 'mail', 't10-ann@example.com', NULL, NULL, 'body m2', NULL),
		 ('T10-1', 'in', 'bounce', 'mailer-daemon@example.net', NULL, NULL, 'body b', NULL),
		 ('T10-1', 'out', 'reply', NULL, pg_temp.me(), 't10-ann@example.com',
		  'We are on it.', 'queued'),
		 ('T10-1', 'note', 'note', NULL, pg_temp.me(), NULL,
		  'Refund approved by Sam.', NULL)$$,
	'thread: T10-1''s mail in arrival order, then the reply, then the note');
SELECT results_eq(
	$$SELECT at FROM plaint.thread WHERE ticket = 'T10-1' AND direction = 'in'$$,
	$$VALUES (now() - interval '3 hours'), (now() - interval '1 hour'), (now() - interval '30 minutes')$$,
	'thread: inbound mail is at its arrival time');
SELECT results_eq(
	$$SELECT kind, subject, delivery FROM plaint.thread WHERE ticket = 'T10-8'$$,
	$$VALUES ('mail', 'subject', NULL), ('ack', 'ack', 'sent')$$,
	'thread: an acknowledgement shows as kind ack, delivery sent');
SELECT is((SELECT delivery FROM plaint.thread WHERE ticket = 'T10-10' AND kind = 'ack'), 'failed',
	  'thread: a failed acknowledgement shows delivery failed');

---------------------------------------------------------------- assign
SELECT lives_ok($$SELECT plaint.assign('T10-1', 't10_alice')$$, 'assign: to an agent');
SELECT is((SELECT assignee FROM plaint.tickets WHERE number = 'T10-1'), 't10_alice',
	  'assign: the assignee is set');
SELECT lives_ok($$SELECT plaint.assign('T10-1', 't10_bob')$$, 'assign: to another agent');
SELECT lives_ok($$SELECT plaint.assign('T10-1', 't10_bob')$$, 'assign: to the same agent again');
SELECT results_eq(
	$$SELECT actor, detail->>'assignee', detail->>'previous' FROM plaint.events
	   WHERE ticket_id = pg_temp.tid('T10-1') AND kind = 'assigned' ORDER BY id$$,
	$$VALUES (pg_temp.me(), 't10_alice', NULL), (pg_temp.me(), 't10_bob', 't10_alice')$$,
	'assign: one assigned event per change, with the previous assignee; none when unchanged');
SELECT lives_ok($$SELECT plaint.assign('T10-1', NULL)$$, 'assign: NULL unassigns');
SELECT is((SELECT assignee FROM plaint.tickets WHERE number = 'T10-1'), NULL,
	  'assign NULL: no assignee');
SELECT is((SELECT detail->>'previous' FROM plaint.events WHERE ticket_id = pg_temp.tid('T10-1')
	    AND kind = 'assigned' ORDER BY id DESC LIMIT 1), 't10_bob',
	  'assign NULL: an event naming the previous assignee');
SELECT throws_ok($$SELECT plaint.assign('T10-1', '  ')$$, '22023', 'no agent given for T10-1',
		 'assign: a blank agent is refused');
SELECT throws_ok($$SELECT plaint.assign('T10-999', 't10_bob')$$, 'P0002',
		 'unknown ticket "T10-999"', 'assign: an unknown ticket is refused');

-- my_tickets is current_user's
SELECT lives_ok($$SELECT plaint.assign('T10-5', current_user)$$, 'assign: to current_user');
SELECT lives_ok($$SELECT plaint.assign('T10-6', 't10_alice')$$, 'assign: T10-6 to someone else');
SELECT results_eq(
	$$SELECT number, assignee FROM plaint.my_tickets WHERE queue = 't10-q'$$,
	$$VALUES ('T10-5', current_user::text COLLATE "default")$$,
	'my_tickets: only the open tickets assigned to current_user');
SELECT lives_ok($$SELECT plaint.assign('T10-4', current_user)$$, 'assign: a resolved ticket');
SELECT is((SELECT count(*) FROM plaint.my_tickets WHERE number = 'T10-4'), 0::bigint,
	  'my_tickets: a resolved ticket is not listed');

---------------------------------------------------------------- set_status
SELECT lives_ok($$SELECT plaint.set_status('T10-7', 'resolved')$$, 'set_status: resolved');
SELECT results_eq(
	$$SELECT status, closed_at, updated_at FROM plaint.tickets WHERE number = 'T10-7'$$,
	$$VALUES ('resolved'::text, now(), now())$$,
	'set_status resolved: status, closed_at and updated_at set');
SELECT lives_ok($$SELECT plaint.set_status('T10-7', ' Closed ')$$,
		'set_status: the status in any case, with spaces');
SELECT lives_ok($$SELECT plaint.set_status('T10-7', 'closed')$$, 'set_status: the same status again');
SELECT lives_ok($$SELECT plaint.set_status('T10-7', 'open')$$, 'set_status: reopen');
SELECT results_eq(
	$$SELECT actor, detail->>'from', detail->>'to' FROM plaint.events
	   WHERE ticket_id = pg_temp.tid('T10-7') AND kind = 'status' ORDER BY id$$,
	$$VALUES (pg_temp.me(), 'new', 'resolved'), (pg_temp.me(), 'resolved', 'closed'),
		 (pg_temp.me(), 'closed', 'open')$$,
	'set_status: one status event per change (none for the repeat), with from and to');
SELECT results_eq(
	$$SELECT status, closed_at FROM plaint.tickets WHERE number = 'T10-7'$$,
	$$VALUES ('open'::text, NULL::timestamptz)$$,
	'set_status open: closed_at cleared');
SELECT throws_ok($$SELECT plaint.set_status('T10-7', 'reopened')$$, '22023',
		 'unknown status "reopened"', 'set_status: an unknown status is refused (22023)');
SELECT throws_ok($$SELECT plaint.set_status('T10-7', NULL)$$, '22023',
		 'unknown status "<NULL>"', 'set_status: a NULL status is refused');
SELECT throws_ok($$SELECT plaint.set_status('T10-999', 'open')$$, 'P0002',
		 'unknown ticket "T10-999"', 'set_status: an unknown ticket is refused');

---------------------------------------------------------------- set_priority
SELECT lives_ok($$SELECT plaint.set_priority('T10-7', 'URGENT')$$, 'set_priority: urgent, any case');
SELECT lives_ok($$SELECT plaint.set_priority('T10-7', 'urgent')$$, 'set_priority: the same again');
SELECT is((SELECT priority FROM plaint.tickets WHERE number = 'T10-7'), 'urgent',
	  'set_priority: the priority is set');
SELECT results_eq(
	$$SELECT actor, detail->>'from', detail->>'to' FROM plaint.events
	   WHERE ticket_id = pg_temp.tid('T10-7') AND kind = 'priority'$$,
	$$VALUES (pg_temp.me(), 'normal', 'urgent')$$,
	'set_priority: one priority event, none for the repeat');
SELECT throws_ok($$SELECT plaint.set_priority('T10-7', 'critical')$$, '22023',
		 'unknown priority "critical"', 'set_priority: an unknown priority is refused (22023)');
SELECT throws_ok($$SELECT plaint.set_priority('T10-999', 'low')$$, 'P0002',
		 'unknown ticket "T10-999"', 'set_priority: an unknown ticket is refused');

---------------------------------------------------------------- merge
-- T10-7 into T10-5 first, then T10-5 into T10-6: T10-7 must end up pointing
-- straight at T10-6.
SELECT lives_ok($$SELECT plaint.merge('T10-7', 'T10-5')$$, 'merge: T10-7 into T10-5');
SELECT lives_ok($$SELECT plaint.merge('t10-5', 'T10-6')$$, 'merge: T10-5 into T10-6');
SELECT results_eq(
	$$SELECT number, status, merged_into FROM plaint.tickets
	   WHERE number IN ('T10-5', 'T10-6', 'T10-7') ORDER BY number$$,
	$$VALUES ('T10-5', 'closed', pg_temp.tid('T10-6')), ('T10-6', 'open', NULL),
		 ('T10-7', 'closed', pg_temp.tid('T10-6'))$$,
	'merge: merged tickets are closed and point at the surviving ticket, one hop');
SELECT is((SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tid('T10-5')), 1::bigint,
	  'merge: the merged ticket keeps its message');
SELECT results_eq(
	$$SELECT actor, kind, detail->>'into', detail->>'from', detail->>'via' FROM plaint.events
	   WHERE ticket_id IN (pg_temp.tid('T10-5'), pg_temp.tid('T10-6'), pg_temp.tid('T10-7'))
	     AND kind IN ('merged', 'merged_from') ORDER BY id$$,
	$$VALUES (pg_temp.me(), 'merged', 'T10-5', NULL, NULL),
		 (pg_temp.me(), 'merged_from', NULL, 'T10-7', NULL),
		 (pg_temp.me(), 'merged', 'T10-6', NULL, NULL),
		 (pg_temp.me(), 'merged_from', NULL, 'T10-5', NULL),
		 (pg_temp.me(), 'merged', 'T10-6', NULL, 'T10-5')$$,
	'merge: merged and merged_from events on both tickets, and on the ticket moved along');
SELECT results_eq(
	$$SELECT ticket, filed_on, body FROM plaint.thread WHERE ticket = 'T10-6'$$,
	$$VALUES ('T10-6', 'T10-5', 'body m5')$$,
	'thread: the merged ticket''s mail shows under the surviving ticket, filed_on the old one');
SELECT throws_ok($$SELECT plaint.merge('T10-6', 'T10-6')$$, '22023',
		 'cannot merge T10-6 into itself', 'merge: into itself is refused');
SELECT throws_ok($$SELECT plaint.merge('T10-5', 'T10-3')$$, '55000',
		 'ticket T10-5 was already merged into T10-6', 'merge: a merged ticket again is refused');
SELECT throws_ok($$SELECT plaint.merge('T10-3', 'T10-5')$$, '55000',
		 'ticket T10-5 was merged into T10-6', 'merge: into a merged ticket is refused');
SELECT throws_ok($$SELECT plaint.merge('T10-3', 'T10-2')$$, '55000',
		 'cannot merge into T10-2 : it is closed', 'merge: into a closed ticket is refused');
SELECT throws_ok($$SELECT plaint.merge('T10-999', 'T10-6')$$, 'P0002',
		 'unknown ticket "T10-999"', 'merge: an unknown from_ticket is refused');
SELECT throws_ok($$SELECT plaint.merge('T10-3', 'T10-998')$$, 'P0002',
		 'unknown ticket "T10-998"', 'merge: an unknown into_ticket is refused');
SELECT throws_ok($$SELECT plaint.reply('T10-5', 'Hello')$$, '55000',
		 'ticket T10-5 is closed: it was merged into T10-6',
		 'reply: a merged ticket is refused, naming where it went');
SELECT throws_ok($$SELECT plaint.set_status('T10-5', 'open')$$, '55000',
		 'ticket T10-5 was merged into T10-6: it stays closed',
		 'set_status: a merged ticket cannot be reopened');
SELECT is((SELECT status FROM plaint.tickets WHERE number = 'T10-6'), 'open',
	  'merge: the surviving ticket keeps its status');

---------------------------------------------------------------- every function writes events as session_user
SELECT is_empty($$SELECT kind, actor FROM plaint.events
		   WHERE ticket_id IN (SELECT id FROM plaint.tickets WHERE queue = 't10-q')
		     AND actor <> pg_temp.me()$$,
		'every event the agent functions wrote has actor = session_user');

SELECT * FROM finish();
ROLLBACK;
