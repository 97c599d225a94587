-- 21-visibility.sql: per-queue visibility.  Queue t21-legal is
-- restricted: t21_amy is a member, t21_cora through the role
-- t21_lawyers, t21_ben is not.  All three are agents (NOLOGIN roles
-- granted plaint_agent, made here, gone with the rollback).  Ben must not
-- see the legal tickets through any table or view, nor act on them; Amy
-- and Cora do; unrestricted queues stay visible to every agent; the
-- gateway and admins see everything.  The search for legal content runs
-- over every table and view an agent may read, so a new one is covered
-- without changing this file.  One transaction, rolled back.
BEGIN;
SELECT plan(54);

UPDATE plaint.settings SET value = 't21.example' WHERE key = 'message_id_domain';
INSERT INTO plaint.queues (name, restricted, first_response)
VALUES ('t21-legal', true, interval '1 hour'), ('t21-general', false, interval '1 hour');
DO $$
BEGIN
	CREATE ROLE t21_amy NOLOGIN;
	CREATE ROLE t21_ben NOLOGIN;
	CREATE ROLE t21_cora NOLOGIN;
	CREATE ROLE t21_lawyers NOLOGIN;
	CREATE ROLE t21_root NOLOGIN;
	GRANT plaint_agent TO t21_amy, t21_ben, t21_cora;
	GRANT t21_lawyers TO t21_cora;
	GRANT plaint_admin TO t21_root;
END
$$;
INSERT INTO plaint.queue_members (queue, agent) VALUES ('t21-legal', 't21_amy'), ('t21-legal', 't21_lawyers');

-- Two legal tickets of Lena's (she is a repeat complainant), one general
-- ticket of Gary's.  Everything the legal ones have carries a marker:
-- T21-Ln, t21-lena, Subpoena, legal-rule, counsel@t21, the blob's bytes.
INSERT INTO plaint.customers (email, name)
VALUES ('t21-lena@example.com', 'Lena Legal'), ('t21-gary@example.com', 'Gary');
CREATE FUNCTION pg_temp.tid(p_number text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM plaint.tickets WHERE number = p_number
$$;
CREATE FUNCTION pg_temp.ticket(p_number text, p_queue text, p_customer text, p_subject text,
			       p_rule text, p_tag text)
RETURNS void LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome, processed_at)
		VALUES ('t21-inbox', encode(sha256(convert_to(p_number, 'UTF8')), 'hex'), 8,
			convert_to('raw of ' || p_number, 'UTF8'), 'done', 'ticket', now())
		RETURNING id),
	ro AS (
		INSERT INTO plaint.routing (raw_id, rules_version, matched, queue)
		SELECT r.id, 'v1', ARRAY[p_rule], p_queue FROM r),
	t AS (
		INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at,
					    created_at, tags, rules, assignee)
		SELECT p_number, c.id, p_subject, p_queue, now() - interval '1 hour',
		       now() - interval '2 hours', ARRAY[p_tag], ARRAY[p_rule],
		       CASE WHEN p_queue = 't21-legal' THEN 't21_amy' END
		  FROM plaint.customers c WHERE c.email = p_customer
		RETURNING id)
	INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id, from_addr, from_name,
				     subject, body, received_at, cc)
	SELECT t.id, r.id, 'in', p_number || '.t21@example.com', p_customer, 'Sender',
	       p_subject, 'body of ' || p_subject, now() - interval '2 hours',
	       CASE WHEN p_queue = 't21-legal' THEN ARRAY['counsel@t21.example'] ELSE '{}' END
	  FROM t, r
$$;
SELECT pg_temp.ticket('T21-L1', 't21-legal', 't21-lena@example.com', 'Subpoena one', 'legal-rule', 'subpoena');
SELECT pg_temp.ticket('T21-L2', 't21-legal', 't21-lena@example.com', 'Subpoena two', 'legal-rule', 'subpoena');
SELECT pg_temp.ticket('T21-G1', 't21-general', 't21-gary@example.com', 'Broken kettle', 'general-rule', 'kettle');
INSERT INTO plaint.notes (ticket_id, body) VALUES (pg_temp.tid('T21-L1'), 'Subpoena note');
INSERT INTO plaint.events (ticket_id, kind, detail)
VALUES (pg_temp.tid('T21-L1'), 't21-test', '{"what": "Subpoena"}');
INSERT INTO plaint.blobs (sha256, size, content)
VALUES (encode(sha256('legalsecret'::bytea), 'hex'), 11, 'legalsecret');
INSERT INTO plaint.attachments (message_row, part, filename, content_type, size, sha256)
SELECT m.id, '2', 'Subpoena.txt', 'text/plain', 11, encode(sha256('legalsecret'::bytea), 'hex')
  FROM plaint.messages m WHERE m.ticket_id = pg_temp.tid('T21-L1');
-- An acknowledgement sent late, and a reply with the file attached.
WITH m AS (
	INSERT INTO plaint.messages (ticket_id, direction, message_id, subject, body)
	VALUES (pg_temp.tid('T21-L1'), 'out', 'ack.T21-L1@t21.example', '[T21-L1] Subpoena one', 'Got it')
	RETURNING id)
INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at, sent_at, queued_at)
SELECT 'ack', pg_temp.tid('T21-L1'), m.id, 't21-lena@example.com', 'ack.T21-L1@t21.example',
       now() - interval '1 hour', now() - interval '30 minutes', now() - interval '2 hours'
  FROM m;
WITH m AS (
	INSERT INTO plaint.messages (ticket_id, direction, message_id, subject, body, author)
	VALUES (pg_temp.tid('T21-L1'), 'out', 'reply.T21-L1@t21.example', '[T21-L1] Re: Subpoena one',
		'See attached', 't21_amy')
	RETURNING id),
o AS (
	INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
	SELECT 'reply', pg_temp.tid('T21-L1'), m.id, 't21-lena@example.com', 'reply.T21-L1@t21.example', now()
	  FROM m RETURNING id)
INSERT INTO plaint.outbox_attachments (outbox_id, position, sha256, filename, content_type, size)
SELECT o.id, 1, encode(sha256('legalsecret'::bytea), 'hex'), 'Subpoena-reply.txt', 'text/plain', 11 FROM o;
INSERT INTO plaint.ticket_participants (ticket_id, address, source, added_by)
VALUES (pg_temp.tid('T21-L2'), 'counsel@t21.example', 'agent', 't21_amy');
INSERT INTO plaint.breaches (ticket_id, kind, due_at) VALUES (pg_temp.tid('T21-L2'), 'ack', now() - interval '1 hour');

-- Every table and view the current role may read, with how many rows
-- hold one of the markers (a bytea shows as hex in a row's text).
CREATE FUNCTION pg_temp.sightings(p_markers text[]) RETURNS TABLE (rel text, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_rel text;
	v_re text := array_to_string(p_markers, '|');
BEGIN
	FOR v_rel IN
		SELECT c.oid::regclass::text FROM pg_class c
		 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind IN ('r', 'v')
		   AND has_table_privilege(c.oid, 'SELECT')
		 ORDER BY 1
	LOOP
		EXECUTE format('SELECT count(*) FROM %s x WHERE x::text ~* $1', v_rel) INTO n USING v_re;
		IF n > 0 THEN
			rel := v_rel;
			RETURN NEXT;
		END IF;
	END LOOP;
END
$$;
CREATE TEMP TABLE markers (m text[]);
INSERT INTO markers VALUES (ARRAY['T21-L[0-9]', 't21-lena', 'Subpoena', 'legal-rule', 'counsel@t21',
				  encode('legalsecret'::bytea, 'hex')]);
CREATE TEMP TABLE leaked (v text);
CREATE FUNCTION pg_temp.leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS $$
BEGIN
	INSERT INTO pg_temp.leaked VALUES ($1);
	RETURN true;
END
$$;
GRANT SELECT ON markers TO PUBLIC;
-- Rows that name a legal ticket only by its id (plaint.breaches does):
-- every table with a ticket_id column, and how many of its rows are on
-- a legal ticket.
CREATE TEMP TABLE legal_ids AS
	SELECT id FROM plaint.tickets WHERE number IN ('T21-L1', 'T21-L2');
GRANT SELECT ON legal_ids TO PUBLIC;
CREATE FUNCTION pg_temp.by_id() RETURNS TABLE (rel text, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_rel text;
BEGIN
	FOR v_rel IN
		SELECT c.oid::regclass::text FROM pg_class c
		  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'ticket_id'
		 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind = 'r'
		   AND has_table_privilege(c.oid, 'SELECT')
		 ORDER BY 1
	LOOP
		EXECUTE format('SELECT count(*) FROM %s x WHERE x.ticket_id IN (SELECT id FROM legal_ids)',
			       v_rel) INTO n;
		rel := v_rel;
		RETURN NEXT;
	END LOOP;
END
$$;
GRANT INSERT, SELECT ON leaked TO PUBLIC;
CREATE TEMP TABLE before AS
	SELECT (SELECT count(*) FROM plaint.notes) AS notes, (SELECT count(*) FROM plaint.outbox) AS outbox,
	       (SELECT count(*) FROM plaint.events) AS events;
GRANT SELECT ON before TO PUBLIC;

-- What a member of the legal queue sees: the markers are everywhere the
-- ticket content is (the positive control of the search).
CREATE TEMP TABLE seen_by_member (rel text);
INSERT INTO seen_by_member VALUES
	('plaint.ack_breaches'), ('plaint.ack_rate'), ('plaint.ack_sla'), ('plaint.attachments'), ('plaint.blobs'),
	('plaint.complaints_by_week'), ('plaint.customers'), ('plaint.events'),
	('plaint.intake'), ('plaint.message_attachments'), ('plaint.messages'), ('plaint.my_tickets'),
	('plaint.notes'), ('plaint.open_tickets'), ('plaint.outbox'), ('plaint.outbox_attachments'),
	('plaint.overdue'), ('plaint.participants'), ('plaint.repeat_complainants'),
	('plaint.routing'), ('plaint.rule_effectiveness'), ('plaint.rule_hits'), ('plaint.thread'),
	('plaint.ticket_participants'), ('plaint.tickets'), ('plaint.tickets_overview');
GRANT SELECT ON seen_by_member TO PUBLIC;

---------------------------------------------------------------- structure
SELECT is_empty($$
	SELECT t FROM unnest(ARRAY['tickets', 'messages', 'events', 'notes', 'outbox', 'outbox_attachments',
				   'attachments', 'blobs', 'customers', 'routing', 'ticket_participants',
				   'breaches']) t
	 WHERE NOT (SELECT c.relrowsecurity FROM pg_class c
		     WHERE c.oid = ('plaint.' || t)::regclass)$$,
	'row-level security is on for every table that shows ticket content');
SELECT is_empty($$
	SELECT c.relname::text FROM pg_class c
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind = 'v'
	   AND c.relname NOT IN ('quarantine', 'intake_summary')
	   AND NOT coalesce(c.reloptions, '{}') && ARRAY['security_invoker=true', 'security_barrier=true']$$,
	'every view with ticket content runs with the reader''s rights, or filters behind a security barrier');
SELECT is(plaint.visible_queues('t21_ben') @> ARRAY['t21-general'] AND NOT 't21-legal' = ANY (plaint.visible_queues('t21_ben')),
	  true, 'visible_queues: an agent who is no member sees the unrestricted queues only');
SELECT ok('t21-legal' = ANY (plaint.visible_queues('t21_amy')), 'visible_queues: a member sees the restricted queue');
SELECT ok('t21-legal' = ANY (plaint.visible_queues('t21_cora')),
	  'visible_queues: a member of a role that is a member sees it too');
SELECT ok('t21-legal' = ANY (plaint.visible_queues('t21_root')), 'visible_queues: an admin sees it');
SELECT ok('t21-legal' = ANY (plaint.visible_queues('plaint_gateway')), 'visible_queues: the gateway sees it');
SELECT ok(NOT 't21-legal' = ANY (plaint.visible_queues('t21_nobody')),
	  'visible_queues: a name that is no role sees the unrestricted queues only');

---------------------------------------------------------------- Ben, no member
SET LOCAL SESSION AUTHORIZATION t21_ben;
SELECT is_empty($$SELECT * FROM pg_temp.sightings((SELECT m FROM markers))$$,
		'ben: no table or view he may read shows anything of the legal tickets');
SELECT is_empty($$SELECT * FROM pg_temp.by_id() WHERE n > 0$$,
		'ben: no row of a table with a ticket_id is on a legal ticket');
SELECT results_eq($$SELECT number FROM plaint.open_tickets WHERE queue LIKE 't21-%'$$,
		  $$VALUES ('T21-G1'::text)$$, 'ben: open_tickets shows the unrestricted queue''s ticket');
SELECT ok(EXISTS (SELECT FROM plaint.thread WHERE ticket = 'T21-G1')
	  AND EXISTS (SELECT FROM plaint.customers WHERE email = 't21-gary@example.com')
	  AND EXISTS (SELECT FROM plaint.routing WHERE 'general-rule' = ANY (matched)),
	  'ben: thread, customers and routing of the unrestricted queue are there');
SELECT is((SELECT count(*) FROM plaint.tickets WHERE pg_temp.leak(number)), 1::bigint,
	  'ben: a function of his own in WHERE on plaint.tickets ...');
SELECT is((SELECT count(*) FROM plaint.intake WHERE pg_temp.leak(ticket)) >= 1, true,
	  '... and on plaint.intake (a security barrier view) ...');
SELECT is((SELECT count(*) FROM plaint.ack_sla WHERE pg_temp.leak(ticket)), 0::bigint,
	  '... and on plaint.ack_sla ...');
SELECT is_empty($$SELECT v FROM leaked WHERE v LIKE 'T21-L%'$$,
		'... never sees a legal row: the filter comes first');
SELECT throws_ok($$SELECT plaint.reply('T21-L1', 'Hello')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: reply to a legal ticket is refused as if it did not exist');
SELECT throws_ok($$SELECT plaint.note('T21-L1', 'Peek')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: note on a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.assign('T21-L1', 't21_ben')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: assign of a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.set_status('T21-L1', 'closed')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: set_status of a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.set_priority('T21-L1', 'low')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: set_priority of a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.set_queue('T21-L1', 't21-general')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: set_queue of a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.merge('T21-G1', 'T21-L1')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: merge into a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.merge('T21-L2', 'T21-G1')$$, 'P0002', 'unknown ticket "T21-L2"',
		 'ben: merge of a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.tag('T21-L1', 'x')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: tag of a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.untag('T21-L1', 'subpoena')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'ben: untag of a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.add_participant('T21-L1', 'ben@t21.example')$$, 'P0002',
		 'unknown ticket "T21-L1"', 'ben: add_participant to a legal ticket is refused');
SELECT throws_ok($$SELECT plaint.remove_participant('T21-L2', 'counsel@t21.example')$$, 'P0002',
		 'unknown ticket "T21-L2"', 'ben: remove_participant from a legal ticket is refused');
SELECT throws_ok(format('SELECT plaint.reply(%L, %L, attachments => ARRAY[%L])', 'T21-G1', 'Look',
			encode(sha256('legalsecret'::bytea), 'hex')),
		 '22023', NULL, 'ben: a legal attachment''s hash cannot be attached to his reply');
RESET SESSION AUTHORIZATION;
SELECT results_eq($$SELECT (SELECT count(*) FROM plaint.notes), (SELECT count(*) FROM plaint.outbox),
			   (SELECT count(*) FROM plaint.events)$$,
		  $$SELECT notes, outbox, events FROM before$$,
		  'ben''s refused calls left no note, outbox row or event');
SELECT results_eq($$SELECT status, priority, assignee, queue FROM plaint.tickets WHERE number = 'T21-L1'$$,
		  $$VALUES ('new'::text, 'normal'::text, 't21_amy'::text, 't21-legal'::text)$$,
		  'the legal ticket is unchanged');

-- The same agent through SET ROLE from a superuser session: reads and
-- actions are judged by the role set, not the login.
SET LOCAL ROLE t21_ben;
SELECT is_empty($$SELECT * FROM pg_temp.sightings((SELECT m FROM markers))$$,
		'SET ROLE t21_ben: no legal content either');
SELECT is(plaint.acting_role(), 't21_ben', 'SET ROLE t21_ben: acting_role is the role set');
SELECT throws_ok($$SELECT plaint.note('T21-L1', 'Peek')$$, 'P0002', 'unknown ticket "T21-L1"',
		 'SET ROLE t21_ben: note on a legal ticket is refused although the login is a superuser');
RESET ROLE;

---------------------------------------------------------------- Amy, a member
SET LOCAL SESSION AUTHORIZATION t21_amy;
SELECT results_eq($$SELECT rel FROM pg_temp.sightings((SELECT m FROM markers)) ORDER BY 1$$,
		  $$SELECT rel FROM seen_by_member ORDER BY 1$$,
		  'amy: the legal tickets show in every table and view with ticket content');
SELECT results_eq($$SELECT rel FROM pg_temp.by_id() WHERE n > 0 ORDER BY 1$$,
		  $$VALUES ('plaint.breaches'), ('plaint.events'), ('plaint.messages'), ('plaint.notes'),
			   ('plaint.outbox'), ('plaint.ticket_participants')$$,
		  'amy: every table with a ticket_id has rows on the legal tickets');
SELECT results_eq($$SELECT number FROM plaint.my_tickets WHERE queue LIKE 't21-%' ORDER BY 1$$,
		  $$VALUES ('T21-L1'::text), ('T21-L2'::text)$$, 'amy: my_tickets lists her legal tickets');
SELECT lives_ok($$SELECT plaint.note('T21-L1', 'Counsel informed.')$$, 'amy: notes a legal ticket');
SELECT lives_ok($$SELECT plaint.reply('T21-L1', 'We received the subpoena.')$$, 'amy: replies to a legal ticket');
SELECT lives_ok($$SELECT plaint.reply('T21-L1', 'The file again.',
				      attachments => ARRAY[encode(sha256('legalsecret'::bytea), 'hex')])$$,
		'amy: attaches the legal ticket''s own attachment to its reply');
SELECT lives_ok($$SELECT plaint.assign('T21-L2', NULL)$$, 'amy: unassigns a legal ticket');
RESET SESSION AUTHORIZATION;

---------------------------------------------------------------- Cora, through a role
SET LOCAL SESSION AUTHORIZATION t21_cora;
SELECT results_eq($$SELECT number FROM plaint.open_tickets WHERE queue = 't21-legal' ORDER BY 1$$,
		  $$VALUES ('T21-L1'::text), ('T21-L2'::text)$$,
		  'cora: sees the legal queue through her role t21_lawyers');
SELECT lives_ok($$SELECT plaint.assign('T21-L2', 't21_cora')$$, 'cora: takes a legal ticket');
RESET SESSION AUTHORIZATION;

---------------------------------------------------------------- admin, gateway
SET LOCAL SESSION AUTHORIZATION t21_root;
SELECT results_eq($$SELECT number FROM plaint.tickets WHERE number LIKE 'T21-%' ORDER BY 1$$,
		  $$VALUES ('T21-G1'::text), ('T21-L1'::text), ('T21-L2'::text)$$,
		  'an admin sees every ticket');
SELECT lives_ok($$SELECT plaint.note('T21-L2', 'Checked by an admin.')$$, 'an admin acts on a legal ticket');
SELECT lives_ok($$UPDATE plaint.tickets SET priority = 'high' WHERE number = 'T21-L2'$$,
		'an admin writes a legal ticket directly');
RESET SESSION AUTHORIZATION;
SET LOCAL ROLE plaint_gateway;
SELECT results_eq($$SELECT number FROM plaint.tickets_overview WHERE number LIKE 'T21-%' ORDER BY 1$$,
		  $$VALUES ('T21-G1'::text), ('T21-L1'::text), ('T21-L2'::text)$$,
		  'the gateway sees every ticket');
SELECT is((SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tid('T21-L1') AND direction = 'in'),
	  1::bigint, 'the gateway reads the legal ticket''s mail (it threads onto it)');
SELECT lives_ok($$UPDATE plaint.outbox SET sent_at = now(), smtp_reply = '250 ok'
		  WHERE message_id = 'reply.T21-L1@t21.example'$$,
		'the gateway records the sending of legal mail');
SELECT is((SELECT sent_at FROM plaint.outbox WHERE message_id = 'reply.T21-L1@t21.example'), now(),
	  'the gateway''s update took effect');
RESET ROLE;

---------------------------------------------------------------- a queue opened to all
UPDATE plaint.queues SET restricted = false WHERE name = 't21-legal';
SET LOCAL SESSION AUTHORIZATION t21_ben;
SELECT results_eq($$SELECT number FROM plaint.open_tickets WHERE queue LIKE 't21-%' ORDER BY 1$$,
		  $$VALUES ('T21-G1'::text), ('T21-L1'::text), ('T21-L2'::text)$$,
		  'ben: once the queue is not restricted, he sees its tickets');
SELECT lives_ok($$SELECT plaint.note('T21-L1', 'Now I may.')$$, 'ben: and may act on them');
RESET SESSION AUTHORIZATION;

---------------------------------------------------------------- the agent functions pin their search path
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace = 'plaint'::regnamespace AND p.prosecdef
	   AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, plaint, pg_temp']$$,
	'every SECURITY DEFINER function pins search_path = pg_catalog, plaint, pg_temp');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace = 'plaint'::regnamespace AND p.prosecdef
	   AND has_function_privilege('plaint_agent', p.oid, 'EXECUTE')
	   AND p.proname NOT IN ('add_blob', 'open_ticket', 'set_my_profile')
	   AND position('ticket_for_update' IN p.prosrc) = 0$$,
	'every SECURITY DEFINER function agents may call on a ticket goes through ticket_for_update');

SELECT * FROM finish();
ROLLBACK;
