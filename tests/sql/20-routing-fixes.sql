-- 20-routing-fixes.sql: agents fix routing (plaint.set_queue, tag,
-- untag), open a ticket for a complaint that came by phone
-- (plaint.open_ticket), and only known agents are assigned (plaint.agents,
-- members of plaint_agent; plaint.set_my_profile).  Tickets are made by
-- hand in queues t20-*; the roles t20_* vanish with the rollback.
-- One transaction, rolled back.
BEGIN;
SELECT plan(79);

UPDATE plaint.settings SET value = 't20.example' WHERE key = 'message_id_domain';
UPDATE plaint.settings SET value = 'T20' WHERE key = 'ticket_prefix';
INSERT INTO plaint.queues (name) VALUES ('t20-general'), ('t20-billing');
INSERT INTO plaint.queues (name, restricted) VALUES ('t20-legal', true);
INSERT INTO plaint.queues (name, ack_within) VALUES ('t20-fast', interval '10 minutes');
INSERT INTO plaint.customers (email, name) VALUES ('t20-ann@example.com', 'Ann Lee');
INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at, created_at, updated_at)
SELECT n, c.id, 'Wrong place ' || n, 't20-general', now() + interval '1 hour',
       now() - interval '1 day', now() - interval '1 day'
  FROM plaint.customers c, unnest(ARRAY['T20-1', 'T20-2', 'T20-3']) n
 WHERE c.email = 't20-ann@example.com';
DO $$
BEGIN
	CREATE ROLE t20_carl NOLOGIN;	-- an agent by role
	GRANT plaint_agent TO t20_carl;
	CREATE ROLE t20_dora NOLOGIN;	-- a role, but no agent
END
$$;
INSERT INTO plaint.agents (login, display_name, active)
VALUES ('t20_eve', 'Eve', true), ('t20_fred', 'Fred', false);

CREATE FUNCTION pg_temp.me() RETURNS text LANGUAGE sql STABLE AS $$ SELECT session_user::text $$;
CREATE FUNCTION pg_temp.tid(p_number text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM plaint.tickets WHERE number = p_number
$$;
CREATE FUNCTION pg_temp.events(p_number text, p_kind text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT count(*) FROM plaint.events WHERE ticket_id = pg_temp.tid(p_number) AND kind = p_kind
$$;
CREATE TEMP TABLE seq AS
	SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS next
	  FROM plaint.ticket_number_seq;

---------------------------------------------------------------- set_queue
SELECT lives_ok($$SELECT plaint.set_queue('t20-1', 't20-billing')$$, 'set_queue: moves a ticket');
SELECT results_eq($$SELECT queue, updated_at FROM plaint.tickets WHERE number = 'T20-1'$$,
		  $$VALUES ('t20-billing'::text, now())$$,
		  'set_queue: the ticket is in the new queue, updated now');
SELECT results_eq($$SELECT actor, detail FROM plaint.events
		     WHERE ticket_id = pg_temp.tid('T20-1') AND kind = 'queue'$$,
		  $$VALUES (pg_temp.me(), '{"from": "t20-general", "to": "t20-billing"}'::jsonb)$$,
		  'set_queue: an event queue {from, to} by session_user');
SELECT lives_ok($$SELECT plaint.set_queue('T20-1', ' t20-billing ')$$,
		'set_queue: to the queue it is in already');
SELECT is(pg_temp.events('T20-1', 'queue'), 1::bigint, 'set_queue: no event when nothing changes');
SELECT throws_ok($$SELECT plaint.set_queue('T20-1', 't20-nowhere')$$, 'P0002',
		 'unknown queue "t20-nowhere"', 'set_queue: an unknown queue is refused, none made');
SELECT ok(NOT EXISTS (SELECT FROM plaint.queues WHERE name = 't20-nowhere'),
	  'set_queue: the unknown queue was not created');
SELECT throws_ok($$SELECT plaint.set_queue('T20-999', 't20-billing')$$, 'P0002',
		 'unknown ticket "T20-999"', 'set_queue: an unknown ticket is refused');
-- T20-2's assignee cannot see t20-legal: moving it there unassigns it.
SELECT plaint.assign('T20-2', 't20_eve');
SELECT lives_ok($$SELECT plaint.set_queue('T20-2', 't20-legal')$$,
		'set_queue: into a restricted queue');
SELECT results_eq($$SELECT queue, assignee FROM plaint.tickets WHERE number = 'T20-2'$$,
		  $$VALUES ('t20-legal'::text, NULL::text)$$,
		  'set_queue: an assignee who cannot see the new queue is unassigned');
SELECT is((SELECT detail FROM plaint.events WHERE ticket_id = pg_temp.tid('T20-2') AND kind = 'queue'),
	  '{"from": "t20-general", "to": "t20-legal", "unassigned": "t20_eve"}'::jsonb,
	  'set_queue: the event says who was unassigned');
SET LOCAL ROLE plaint_agent;
SELECT lives_ok($$SELECT plaint.set_queue('T20-3', 't20-billing')$$,
		'set_queue: works for plaint_agent');
RESET ROLE;
SELECT is((SELECT queue FROM plaint.tickets WHERE number = 'T20-3'), 't20-billing',
	  'set_queue: plaint_agent''s move took effect');

---------------------------------------------------------------- tag, untag
SELECT is(plaint.tag('T20-1', 'refund'), true, 'tag: a new tag returns true');
SELECT is(plaint.tag('T20-1', ' late-delivery '), true, 'tag: a second tag, spaces trimmed');
SELECT is(plaint.tag('T20-1', 'refund'), false, 'tag: a tag the ticket has returns false');
SELECT is((SELECT tags FROM plaint.tickets WHERE number = 'T20-1'), ARRAY['refund', 'late-delivery'],
	  'tag: the tags in the order given, once each');
SELECT results_eq($$SELECT actor, detail->>'tag' FROM plaint.events
		     WHERE ticket_id = pg_temp.tid('T20-1') AND kind = 'tagged' ORDER BY id$$,
		  $$VALUES (pg_temp.me(), 'refund'), (pg_temp.me(), 'late-delivery')$$,
		  'tag: one tagged event per new tag, none for the repeat');
SELECT throws_ok($$SELECT plaint.tag('T20-1', 'two words')$$, '22023', 'bad tag "two words"',
		 'tag: a tag with a space is refused');
SELECT throws_ok($$SELECT plaint.tag('T20-1', 'a,b')$$, '22023', 'bad tag "a,b"',
		 'tag: a tag with a comma is refused');
SELECT throws_ok($$SELECT plaint.tag('T20-1', '')$$, '22023', 'bad tag ""',
		 'tag: an empty tag is refused');
SELECT throws_ok(format('SELECT plaint.tag(%L, %L)', 'T20-1', repeat('x', 65)), '22023', NULL,
		 'tag: a tag of 65 characters is refused');
SELECT is(plaint.tag('T20-1', repeat('y', 64)), true, 'tag: a tag of 64 characters is taken');
SELECT is(plaint.untag('T20-1', 'refund'), true, 'untag: a tag it has returns true');
SELECT is(plaint.untag('T20-1', 'refund'), false, 'untag: a tag it lacks returns false');
SELECT is((SELECT tags FROM plaint.tickets WHERE number = 'T20-1'),
	  ARRAY['late-delivery', repeat('y', 64)], 'untag: the tag is gone, the others stay');
SELECT is(pg_temp.events('T20-1', 'untagged'), 1::bigint, 'untag: one untagged event');
SELECT throws_ok($$SELECT plaint.untag('T20-999', 'refund')$$, 'P0002', 'unknown ticket "T20-999"',
		 'untag: an unknown ticket is refused');

---------------------------------------------------------------- open_ticket
CREATE TEMP TABLE opened AS SELECT plaint.open_ticket(
	' T20-Gus@Example.com ', 'Kettle leaks', E'Called at 10:05.\nThe new kettle leaks.',
	't20-general', name => 'Gus Hale') AS number;
SELECT is((SELECT number FROM opened), 'T20-' || (SELECT next FROM seq),
	  'open_ticket: returns the new number, PREFIX-n from the setting and the sequence');
SELECT results_eq(
	$$SELECT c.email, c.name, t.subject, t.queue, t.status, t.ack_due_at
	    FROM plaint.tickets t JOIN plaint.customers c ON c.id = t.customer_id
	   WHERE t.number = (SELECT number FROM opened)$$,
	$$VALUES ('t20-gus@example.com'::text, 'Gus Hale'::text, 'Kettle leaks'::text,
		  't20-general'::text, 'new'::text, now() + interval '1 hour')$$,
	'open_ticket: a new customer (address in lower case, the name), a new ticket, ack due in an hour');
SELECT results_eq(
	$$SELECT direction, raw_id, entered_by, from_addr, from_name, subject, body,
		 received_at, ack_suppressed
	    FROM plaint.messages WHERE ticket_id = pg_temp.tid((SELECT number FROM opened))$$,
	$$VALUES ('in'::text, NULL::bigint, pg_temp.me(), 't20-gus@example.com'::text,
		  'Gus Hale'::text, 'Kettle leaks'::text, E'Called at 10:05.\nThe new kettle leaks.'::text,
		  now(), 'not-requested'::text)$$,
	'open_ticket: one inbound message, no raw row, entered_by the agent, no acknowledgement asked');
SELECT is((SELECT count(*) FROM plaint.outbox WHERE ticket_id = pg_temp.tid((SELECT number FROM opened))),
	  0::bigint, 'open_ticket: no acknowledgement unless asked');
SELECT results_eq(
	$$SELECT actor, detail->>'entered_by', detail->>'from', detail->>'queue' FROM plaint.events
	   WHERE ticket_id = pg_temp.tid((SELECT number FROM opened)) ORDER BY id$$,
	$$VALUES (pg_temp.me(), pg_temp.me(), 't20-gus@example.com', 't20-general')$$,
	'open_ticket: one opened event naming the agent');
SELECT results_eq(
	$$SELECT ack_state, messages_in, age FROM plaint.open_tickets
	   WHERE number = (SELECT number FROM opened)$$,
	$$VALUES ('suppressed'::text, 1::bigint, interval '0')$$,
	'open_ticket: open_tickets counts the message; the acknowledgement is suppressed, never overdue');
SELECT results_eq(
	$$SELECT direction, kind, agent, from_addr FROM plaint.thread
	   WHERE ticket = (SELECT number FROM opened)$$,
	$$VALUES ('in'::text, 'entered'::text, pg_temp.me(), 't20-gus@example.com'::text)$$,
	'open_ticket: thread shows the message as entered by the agent');

-- The same customer again, by phone, asking for an acknowledgement, in a
-- queue with its own acknowledgement deadline.
CREATE TEMP TABLE opened2 AS SELECT plaint.open_ticket(
	't20-gus@example.com', 'Kettle still leaks', 'Second call.', 't20-fast',
	acknowledge => true) AS number;
SELECT is((SELECT count(*) FROM plaint.customers WHERE email = 't20-gus@example.com'), 1::bigint,
	  'open_ticket: a known customer is not made twice');
SELECT is((SELECT name FROM plaint.customers WHERE email = 't20-gus@example.com'), 'Gus Hale',
	  'open_ticket: without a name the known one stays');
SELECT is((SELECT ack_due_at FROM plaint.tickets WHERE number = (SELECT number FROM opened2)),
	  now() + interval '10 minutes', 'open_ticket: the queue''s ack_within sets the deadline');
SELECT results_eq(
	$$SELECT o.kind, o.recipient, o.due_at, m.direction, m.subject, m.message_id ~ '^plaint\..*@t20\.example$',
		 m.body LIKE '%recorded your complaint as ' || (SELECT number FROM opened2) || ': Kettle still leaks.%'
	    FROM plaint.outbox o JOIN plaint.messages m ON m.id = o.message_row
	   WHERE o.ticket_id = pg_temp.tid((SELECT number FROM opened2))$$,
	$$SELECT 'ack'::text, 't20-gus@example.com'::text, now() + interval '10 minutes', 'out'::text,
		 '[' || (SELECT number FROM opened2) || '] Kettle still leaks', true, true$$,
	'open_ticket acknowledge: an acknowledgement queued to the customer, due at the deadline, naming the ticket');
SELECT is((SELECT ack_suppressed FROM plaint.messages
	    WHERE ticket_id = pg_temp.tid((SELECT number FROM opened2)) AND direction = 'in'),
	  NULL, 'open_ticket acknowledge: the message is not marked suppressed');
SELECT is((SELECT ack_state FROM plaint.open_tickets WHERE number = (SELECT number FROM opened2)),
	  'due', 'open_ticket acknowledge: open_tickets shows the acknowledgement due');
SELECT results_eq(
	$$SELECT kind FROM plaint.events WHERE ticket_id = pg_temp.tid((SELECT number FROM opened2)) ORDER BY id$$,
	$$VALUES ('opened'::text), ('ack_queued'::text)$$,
	'open_ticket acknowledge: events opened and ack_queued');
SELECT throws_ok($$SELECT plaint.open_ticket('not an address', 's', 'b', 't20-general')$$, '22023',
		 'customer "not an address" is not an email address', 'open_ticket: a bad address is refused');
SELECT throws_ok($$SELECT plaint.open_ticket('x@example.com', '  ', 'b', 't20-general')$$, '22023',
		 'a ticket needs a subject of one line', 'open_ticket: a blank subject is refused');
SELECT throws_ok($$SELECT plaint.open_ticket('x@example.com', E'two\nlines', 'b', 't20-general')$$,
		 '22023', 'a ticket needs a subject of one line', 'open_ticket: a subject of two lines is refused');
SELECT throws_ok($$SELECT plaint.open_ticket('x@example.com', 's', E' \n', 't20-general')$$, '22023',
		 'the complaint has an empty body', 'open_ticket: an empty body is refused');
SELECT throws_ok($$SELECT plaint.open_ticket('x@example.com', 's', 'b', 't20-nowhere')$$, 'P0002',
		 'unknown queue "t20-nowhere"', 'open_ticket: an unknown queue is refused');
SELECT ok(NOT EXISTS (SELECT FROM plaint.customers WHERE email = 'x@example.com'),
	  'open_ticket: a refused call leaves no customer behind');
SET LOCAL ROLE plaint_agent;
SELECT lives_ok($$SELECT plaint.open_ticket('t20-hal@example.com', 'Broken lid', 'Called.', 't20-billing')$$,
		'open_ticket: works for plaint_agent');
RESET ROLE;

-- The inbound/raw rule of plaint.messages, now that entered messages exist.
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, direction, subject, body)
		   VALUES (pg_temp.tid('T20-1'), 'in', 's', 'b')$$, '23514', NULL,
		 'messages: inbound needs a raw row or an agent who entered it');
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, direction, entered_by, subject, body)
		   VALUES (pg_temp.tid('T20-1'), 'out', 'someone', 's', 'b')$$, '23514', NULL,
		 'messages: outgoing mail is not entered');
SELECT throws_ok($$WITH r AS (INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
			     VALUES ('t20-inbox', repeat('a', 64), 1, 'x') RETURNING id)
		   INSERT INTO plaint.messages (ticket_id, raw_id, direction, entered_by, subject, body)
		   SELECT pg_temp.tid('T20-1'), r.id, 'in', 'someone', 's', 'b' FROM r$$, '23514', NULL,
		 'messages: not both a raw row and an agent');

---------------------------------------------------------------- assign: known agents only
SELECT throws_ok($$SELECT plaint.assign('T20-1', 't20_nobody')$$, 'P0002', 'unknown agent "t20_nobody"',
		 'assign: a name that is neither an agent login nor in plaint.agents is refused');
SELECT throws_ok($$SELECT plaint.assign('T20-1', 't20_dora')$$, 'P0002', 'unknown agent "t20_dora"',
		 'assign: a role that is not a member of plaint_agent is refused');
SELECT lives_ok($$SELECT plaint.assign('T20-1', 't20_carl')$$,
		'assign: a role that is a member of plaint_agent is taken');
SELECT lives_ok($$SELECT plaint.assign('T20-1', 't20_eve')$$,
		'assign: an active name of plaint.agents is taken');
SELECT throws_ok($$SELECT plaint.assign('T20-1', 't20_fred')$$, '22023', 'agent "t20_fred" is not active',
		 'assign: an inactive agent is refused');
SELECT is((SELECT assignee FROM plaint.tickets WHERE number = 'T20-1'), 't20_eve',
	  'assign: refusals leave the assignee as it was');
UPDATE plaint.agents SET active = false WHERE login = 't20_eve';
INSERT INTO plaint.agents (login) VALUES ('t20_carl');
UPDATE plaint.agents SET active = false WHERE login = 't20_carl';
SELECT throws_ok($$SELECT plaint.assign('T20-3', 't20_carl')$$, '22023', 'agent "t20_carl" is not active',
		 'assign: a row of plaint.agents marked inactive wins over role membership');
SELECT lives_ok($$SELECT plaint.assign('T20-1', NULL)$$, 'assign: NULL still unassigns');
UPDATE plaint.agents SET active = true WHERE login IN ('t20_eve', 't20_carl');
SELECT throws_ok($$SELECT plaint.assign('T20-2', 't20_carl')$$, '22023', 'agent "t20_carl" cannot see queue t20-legal',
		 'assign: an agent who cannot see the ticket''s restricted queue is refused');
INSERT INTO plaint.queue_members (queue, agent) VALUES ('t20-legal', 't20_carl');
SELECT lives_ok($$SELECT plaint.assign('T20-2', 't20_carl')$$,
		'assign: once a member of the queue, the agent is taken');
SELECT results_eq($$SELECT detail->>'assignee' FROM plaint.events
		     WHERE ticket_id = pg_temp.tid('T20-1') AND kind = 'assigned' ORDER BY id$$,
		  $$VALUES ('t20_carl'), ('t20_eve'), (NULL)$$,
		  'assign: events only for the changes that were made');

---------------------------------------------------------------- set_my_profile
SET LOCAL SESSION AUTHORIZATION t20_carl;
SELECT lives_ok($$SELECT plaint.set_my_profile('Carl Berg', E'Carl Berg\nCustomer care')$$,
		't20_carl: set_my_profile works for an agent');
SELECT throws_ok($$UPDATE plaint.agents SET display_name = 'Boss' WHERE login = 't20_carl'$$, '42501', NULL,
		 't20_carl: may not update plaint.agents directly');
SELECT throws_ok($$SELECT plaint.set_my_profile(E'Carl\nBerg', NULL)$$, '22023', 'a display name is one line',
		 't20_carl: a display name of two lines is refused');
SELECT lives_ok($$SELECT plaint.set_my_profile(NULL, E'Carl\n')$$, 't20_carl: NULL keeps the name');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT display_name, signature, active FROM plaint.agents WHERE login = 't20_carl'$$,
		  $$VALUES ('Carl Berg'::text, 'Carl'::text, true)$$,
		  'set_my_profile: the caller''s own row: name kept, signature replaced (trimmed), active untouched');
SELECT is((SELECT count(*) FROM plaint.agents WHERE display_name = 'Carl Berg'), 1::bigint,
	  'set_my_profile: no other row changed');
SELECT lives_ok($$SELECT plaint.set_my_profile('', NULL)$$, 'set_my_profile: makes a row for a login without one');
SELECT results_eq($$SELECT display_name, signature FROM plaint.agents WHERE login = pg_temp.me()$$,
		  $$VALUES (NULL::text, NULL::text)$$,
		  'set_my_profile: '''' leaves the name empty');
SELECT plaint.set_my_profile('Sam', E'Sam\nCustomer care\n');
SELECT plaint.reply('T20-3', E'We are on it.\n\n');
SELECT is((SELECT m.body FROM plaint.messages m JOIN plaint.outbox o ON o.message_row = m.id
	    WHERE o.ticket_id = pg_temp.tid('T20-3') AND o.kind = 'reply'),
	  E'We are on it.\n\n-- \nSam\nCustomer care',
	  'reply: the author''s signature goes under the text, after "-- "');
SELECT plaint.set_my_profile(NULL, '');
SELECT plaint.reply('T20-3', 'Plain.');
SELECT is((SELECT m.body FROM plaint.messages m JOIN plaint.outbox o ON o.message_row = m.id
	    WHERE o.ticket_id = pg_temp.tid('T20-3') AND o.kind = 'reply' ORDER BY o.id DESC LIMIT 1),
	  'Plain.', 'reply: without a signature the text is sent as written');

---------------------------------------------------------------- privileges
SELECT ok(has_table_privilege('plaint_agent', 'plaint.agents', 'SELECT')
	  AND NOT has_table_privilege('plaint_agent', 'plaint.agents', 'UPDATE'),
	  'agent: reads plaint.agents, cannot write it');
SELECT ok(has_table_privilege('plaint_admin', 'plaint.agents', 'UPDATE')
	  AND has_table_privilege('plaint_admin', 'plaint.queue_members', 'INSERT'),
	  'admin: keeps plaint.agents and plaint.queue_members');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace = 'plaint'::regnamespace
	   AND p.proname IN ('set_queue', 'tag', 'untag', 'open_ticket', 'set_my_profile')
	   AND (NOT p.prosecdef OR NOT has_function_privilege('plaint_agent', p.oid, 'EXECUTE')
		OR has_function_privilege('plaint_gateway', p.oid, 'EXECUTE'))$$,
	'set_queue, tag, untag, open_ticket, set_my_profile: SECURITY DEFINER, for agents, not the gateway');
SELECT col_type_is('plaint', 'messages', 'entered_by', 'text', 'messages.entered_by is text');
SELECT col_default_is('plaint', 'queues', 'restricted', 'false', 'queues.restricted defaults to false');
SELECT ok(EXISTS (SELECT FROM plaint.schema_migrations WHERE version = 9),
	  'schema_migrations records version 9');

SELECT * FROM finish();
ROLLBACK;
