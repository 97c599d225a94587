-- 29-named-contact.sql: a name for the customer to deal with, the new
-- text of what they wrote, and repeat complaints.
--
-- - plaint.from_name(): who an outgoing mail speaks for in From: a
--   reply's author, the assignee, the latest replier, the queue's team
--   (seeded from [queue NAME] team) for acknowledgements; nobody for
--   escalations or agents without a display name.
-- - plaint.file_messages() keeps body_new beside body; plaint.thread
--   shows both.
-- - plaint.mark_repeats(), run by file_messages: a customer's Nth ticket
--   within the window, or a customer whose last answered satisfaction
--   score was 1 or 2, is tagged repeat and one priority step up, capped
--   at urgent, with an event giving the reason.
-- Customers and queues t29-*, roles t29_*; one transaction, rolled back.
BEGIN;
SELECT plan(41);

UPDATE plaint.settings SET value = 't29.example' WHERE key = 'message_id_domain';
DO $$
BEGIN
	CREATE ROLE t29_maria NOLOGIN;
	GRANT plaint_agent TO t29_maria;
	CREATE ROLE t29_bob NOLOGIN;
	GRANT plaint_agent TO t29_bob;
	CREATE ROLE t29_quiet NOLOGIN;	-- an agent without a display name
	GRANT plaint_agent TO t29_quiet;
END
$$;
INSERT INTO plaint.agents (login, display_name, signature)
VALUES ('t29_maria', 'Maria López', E'Maria López\nRefunds, Customer Care'),
       ('t29_bob', 'Bob Stone', NULL),
       ('t29_quiet', NULL, 'Q.');

-- Files one message (a raw row made for it) with plaint.file_messages,
-- as the gateway does; returns the ticket.
CREATE FUNCTION pg_temp.file(p_key text, p_from text, p_queue text,
			     p_extra jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		VALUES ('t29', encode(sha256(convert_to(p_key, 'UTF8')), 'hex'),
			length(p_key), convert_to(p_key, 'UTF8'))
		RETURNING id)
	SELECT f.ticket_id
	  FROM r, plaint.file_messages(jsonb_build_array(jsonb_build_object(
		'raw_id', r.id, 'message_id', p_key || '@t29.example',
		'fingerprint', encode(sha256(convert_to('fp ' || p_key, 'UTF8')), 'hex'),
		'from_addr', p_from, 'subject', 'About ' || p_key, 'body', 'Text of ' || p_key,
		'prefix', 'T29', 'queue', p_queue, 'repeat_tickets', 3, 'repeat_days', 30)
		|| p_extra)) f
$$;
CREATE FUNCTION pg_temp.fname(p_kind text, p_ticket bigint) RETURNS text
LANGUAGE sql AS $$
	SELECT plaint.from_name(p_kind, p_ticket,
				(SELECT max(m.id) FROM plaint.messages m WHERE m.ticket_id = p_ticket))
$$;
CREATE FUNCTION pg_temp.num(p_ticket bigint) RETURNS text
LANGUAGE sql AS $$ SELECT number FROM plaint.tickets WHERE id = p_ticket $$;

---------------------------------------------------------------- team
SELECT results_eq(
	$$SELECT queue, changed FROM plaint.seed_queues('[{"name": "t29-refunds", "team": "Refunds team"},
		{"name": "t29-plain"}]', 3600)$$,
	$$VALUES ('t29-refunds', 'made, first_response 01:00:00, team Refunds team'),
		 ('t29-plain', 'made, first_response 01:00:00')$$,
	'seed_queues: [queue] team is written into plaint.queues.team');
UPDATE plaint.queues SET team = 'Old name' WHERE name = 't29-refunds';
SELECT results_eq(
	$$SELECT changed FROM plaint.seed_queues('[{"name": "t29-refunds", "team": " Refunds team "}]')$$,
	$$VALUES ('team Refunds team')$$, 'seed_queues: the team given wins over an admin''s change, trimmed');
SELECT is_empty($$SELECT * FROM plaint.seed_queues('[{"name": "t29-refunds"}]')$$,
		'seed_queues: a section without team leaves it');
SELECT is((SELECT team FROM plaint.queues WHERE name = 't29-refunds'), 'Refunds team', '(queues.team holds it)');
SELECT throws_ok($$SELECT * FROM plaint.seed_queues('[{"name": "t29-plain", "team": "Two\nlines"}]')$$,
		 '23514', NULL, 'queues.team: a name on two lines is refused');

CREATE TEMP TABLE t AS SELECT
	pg_temp.file('a1', 'ann@t29.example', 't29-refunds') AS refunds,
	pg_temp.file('b1', 'bea@t29.example', 't29-plain') AS plain;
GRANT SELECT ON t TO PUBLIC;	-- the agents read it too
-- As an agent: reply on a ticket of t.
CREATE FUNCTION pg_temp.reply_as(p_agent text, p_which text, p_body text) RETURNS text
LANGUAGE sql AS $$
	SELECT format($q$SET LOCAL SESSION AUTHORIZATION %s;
		SELECT plaint.reply((SELECT number FROM plaint.tickets x, t WHERE x.id = t.%s), %L);
		RESET SESSION AUTHORIZATION$q$, p_agent, p_which, p_body)
$$;
CREATE FUNCTION pg_temp.reply_row(p_ticket bigint) RETURNS plaint.outbox
LANGUAGE sql AS $$
	SELECT * FROM plaint.outbox WHERE ticket_id = p_ticket AND kind = 'reply'
	 ORDER BY id DESC LIMIT 1
$$;

---------------------------------------------------------------- from_name
SELECT is(pg_temp.fname('ack', (SELECT refunds FROM t)), 'Refunds team',
	  'from_name: the acknowledgement of an unassigned ticket names the queue''s team (trimmed)');
SELECT is(pg_temp.fname('ack', (SELECT plain FROM t)), NULL,
	  'from_name: a queue without a team: nobody');
SELECT is(pg_temp.fname('escalation', (SELECT refunds FROM t)), NULL,
	  'from_name: an escalation is nobody''s');

SELECT lives_ok($$SELECT plaint.assign(pg_temp.num(refunds), 't29_maria') FROM t$$,
		'(Maria is assigned)');
SELECT is(pg_temp.fname('ack', (SELECT refunds FROM t)), 'Maria López',
	  'from_name: once assigned, the assignee''s display name, before the team');
SELECT is(pg_temp.fname('escalation', (SELECT refunds FROM t)), NULL,
	  'from_name: an escalation names no agent either');

SELECT lives_ok(pg_temp.reply_as('t29_maria', 'refunds', 'We refund you today.'), '(Maria replies)');
SELECT is((SELECT plaint.from_name(o.kind, o.ticket_id, o.message_row)
	     FROM pg_temp.reply_row((SELECT refunds FROM t)) o),
	  'Maria López', 'from_name: Maria''s reply is hers');
SELECT is((SELECT m.body FROM plaint.messages m
	    WHERE m.id = (pg_temp.reply_row((SELECT refunds FROM t))).message_row),
	  E'We refund you today.\n\n-- \nMaria López\nRefunds, Customer Care',
	  'reply: the named agent''s signature is under the text');

-- The other ticket: an agent without a display name replies, then one with.
SELECT lives_ok(pg_temp.reply_as('t29_quiet', 'plain', 'Looking into it.'), '(an agent without a name replies)');
SELECT is((SELECT plaint.from_name(o.kind, o.ticket_id, o.message_row)
	     FROM pg_temp.reply_row((SELECT plain FROM t)) o),
	  NULL, 'from_name: a reply by an agent without a display name names nobody');
SELECT is(pg_temp.fname('ack', (SELECT plain FROM t)), NULL,
	  'from_name: nor does later mail on that ticket');
SELECT lives_ok(pg_temp.reply_as('t29_bob', 'plain', 'Found it.'), '(Bob replies)');
SELECT is(pg_temp.fname('ack', (SELECT plain FROM t)), 'Bob Stone',
	  'from_name: unassigned, later mail names the agent who replied last');
SELECT lives_ok($$SELECT plaint.assign(pg_temp.num(plain), 't29_quiet') FROM t$$, '(the quiet one is assigned)');
SELECT is(pg_temp.fname('ack', (SELECT plain FROM t)), 'Bob Stone',
	  'from_name: an assignee without a display name leaves the last replier');
SELECT lives_ok($$SELECT plaint.assign(pg_temp.num(plain), 't29_maria') FROM t$$, '(then Maria)');
SELECT is(pg_temp.fname('ack', (SELECT plain FROM t)), 'Maria López',
	  'from_name: an assignee with one comes first');
UPDATE plaint.agents SET display_name = '  ' WHERE login = 't29_maria';
SELECT is(pg_temp.fname('ack', (SELECT refunds FROM t)), 'Refunds team',
	  'from_name: a blank display name counts as none: the team again');

---------------------------------------------------------------- body_new
CREATE TEMP TABLE nb AS SELECT pg_temp.file('n1', 'nat@t29.example', 't29-plain', jsonb_build_object(
	'body', E'Still broken.\n\nOn Mon, 30 Nov 2026 at 10:00, Care <care@example.com> wrote:\n> We fixed it.',
	'body_new', 'Still broken.')) AS ticket;
SELECT results_eq(
	$$SELECT body, body_new FROM plaint.messages WHERE ticket_id = (SELECT ticket FROM nb)$$,
	$$VALUES (E'Still broken.\n\nOn Mon, 30 Nov 2026 at 10:00, Care <care@example.com> wrote:\n> We fixed it.',
		  'Still broken.')$$,
	'file_messages: a new complaint keeps body and its body_new');
SELECT results_eq(
	$$SELECT body_new FROM plaint.thread WHERE ticket = (SELECT pg_temp.num(ticket) FROM nb)$$,
	$$VALUES ('Still broken.')$$, 'thread: shows body_new');
-- A reply, filed one by one (plaint.file_message).
CREATE TEMP TABLE n2 AS
WITH x AS (INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
	   VALUES ('t29', encode(sha256('n2'), 'hex'), 2, 'n2') RETURNING id)
SELECT f.action FROM x, plaint.file_messages(jsonb_build_array(jsonb_build_object(
	'raw_id', x.id, 'message_id', 'n2@t29.example',
	'fingerprint', encode(sha256('fp n2'), 'hex'), 'from_addr', 'nat@t29.example',
	'refs', ARRAY['n1@t29.example'], 'subject', 'Re: About n1',
	'body', E'Thanks!\n> Still broken.', 'body_new', 'Thanks!',
	'prefix', 'T29', 'queue', 't29-plain'))) f;
SELECT is((SELECT action FROM n2), 'threaded', '(the reply threads)');
SELECT results_eq(
	$$SELECT body_new FROM plaint.thread WHERE ticket = (SELECT pg_temp.num(ticket) FROM nb)
	   AND direction = 'in' ORDER BY at, message_id$$,
	$$VALUES ('Still broken.'), ('Thanks!')$$,
	'file_message: a threaded reply keeps its body_new too');
SELECT is((SELECT body_new FROM plaint.thread WHERE kind = 'reply'
	    AND ticket = (SELECT pg_temp.num(plain) FROM t) ORDER BY at LIMIT 1),
	  NULL, 'thread: body_new is NULL for outgoing mail');

---------------------------------------------------------------- repeats
-- Cara: two tickets 10 and 20 days ago, one 40 days ago; the next is her
-- third within 30 days.
INSERT INTO plaint.customers (email) VALUES ('cara@t29.example'), ('dan@t29.example'),
	('eve@t29.example'), ('fay@t29.example'), ('gus@t29.example');
INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at, created_at)
SELECT 'T29-OLD-' || c.email || d, c.id, 'old', 't29-plain', now(), now() - make_interval(days => d)
  FROM plaint.customers c, unnest(ARRAY[10, 20, 40]) d WHERE c.email = 'cara@t29.example'
UNION ALL
SELECT 'T29-OLD-' || c.email || d, c.id, 'old', 't29-plain', now(), now() - make_interval(days => d)
  FROM plaint.customers c, unnest(ARRAY[20, 45]) d WHERE c.email = 'dan@t29.example';
CREATE TEMP TABLE rp AS SELECT
	pg_temp.file('c3', 'cara@t29.example', 't29-plain') AS cara,
	pg_temp.file('d3', 'dan@t29.example', 't29-plain') AS dan;
SELECT results_eq(
	$$SELECT priority, 'repeat' = ANY (tags) FROM plaint.tickets WHERE id = (SELECT cara FROM rp)$$,
	$$VALUES ('high', true)$$,
	'repeat: a third ticket within 30 days is tagged repeat and goes from normal to high');
SELECT results_eq(
	$$SELECT actor, detail FROM plaint.events WHERE ticket_id = (SELECT cara FROM rp) AND kind = 'repeat'$$,
	$$VALUES ('gateway', '{"reasons": ["tickets"], "tickets": 3, "days": 30, "from": "normal", "to": "high"}'::jsonb)$$,
	'repeat: an event says why: the count and the window, and the priority before and after');
SELECT results_eq(
	$$SELECT priority, tags FROM plaint.tickets WHERE id = (SELECT dan FROM rp)$$,
	$$VALUES ('normal', '{}'::text[])$$,
	'repeat: a ticket 45 days ago is outside the window: the second within 30 days is not');
SELECT is((SELECT count(*) FROM plaint.events WHERE ticket_id = (SELECT dan FROM rp) AND kind = 'repeat'),
	  0::bigint, '(and no event)');

-- Three complaints of one new customer in one batch: the third only.
CREATE TEMP TABLE batch AS
WITH r AS (
	INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
	SELECT 't29', encode(sha256(convert_to('h' || n, 'UTF8')), 'hex'), 2, convert_to('h' || n, 'UTF8')
	  FROM generate_series(1, 3) n RETURNING id)
SELECT f.* FROM plaint.file_messages((
	SELECT jsonb_agg(jsonb_build_object(
		'raw_id', r.id, 'message_id', 'h' || r.id || '@t29.example',
		'fingerprint', encode(sha256(convert_to('fp h' || r.id, 'UTF8')), 'hex'),
		'from_addr', 'hal@t29.example', 'subject', 'Complaint ' || r.id, 'body', 'x',
		'prefix', 'T29', 'queue', 't29-plain', 'priority', 'low',
		'repeat_tickets', 3, 'repeat_days', 30) ORDER BY r.id) FROM r)) f;
SELECT results_eq(
	$$SELECT t.priority, 'repeat' = ANY (t.tags) FROM batch b JOIN plaint.tickets t ON t.id = b.ticket_id
	   ORDER BY b.raw_id$$,
	$$VALUES ('low', false), ('low', false), ('normal', true)$$,
	'repeat: in one batch, the customer''s third new ticket alone, low -> normal');
SELECT is((SELECT count(*) FROM batch WHERE action = 'opened'), 3::bigint,
	  '(all three opened set-based)');

-- Off: repeat_tickets = 0.
CREATE TEMP TABLE off AS
	SELECT pg_temp.file('c4', 'cara@t29.example', 't29-plain', '{"repeat_tickets": 0}') AS ticket;
SELECT is((SELECT tags FROM plaint.tickets WHERE id = (SELECT ticket FROM off)), '{}'::text[],
	  'repeat: repeat_tickets = 0 counts nothing');

-- Satisfaction: Eve's latest answer is 2 (an earlier one 5), Fay's
-- latest is 4 (an earlier one 1), Gus's 1, with an unanswered question
-- after it.
INSERT INTO plaint.satisfaction (ticket_id, customer_id, queue, asked_at, score, answered_at)
SELECT pg_temp.file('s-' || x.email || x.n, x.email, 't29-plain', '{"repeat_tickets": 0}'),
       c.id, 't29-plain', now(), x.score, x.answered
  FROM (VALUES ('eve@t29.example', 1, 5, now() - interval '9 days'),
	       ('eve@t29.example', 2, 2, now() - interval '2 days'),
	       ('fay@t29.example', 1, 1, now() - interval '9 days'),
	       ('fay@t29.example', 2, 4, now() - interval '2 days'),
	       ('gus@t29.example', 1, 1, now() - interval '9 days'),
	       ('gus@t29.example', 2, NULL, NULL)) x(email, n, score, answered)
  JOIN plaint.customers c ON c.email = x.email;
CREATE TEMP TABLE sc AS SELECT
	pg_temp.file('e9', 'eve@t29.example', 't29-plain', '{"priority": "urgent"}') AS eve,
	pg_temp.file('f9', 'fay@t29.example', 't29-plain') AS fay,
	pg_temp.file('g9', 'gus@t29.example', 't29-plain', '{"priority": "high"}') AS gus;
SELECT results_eq(
	$$SELECT priority, 'repeat' = ANY (tags) FROM plaint.tickets WHERE id = (SELECT eve FROM sc)$$,
	$$VALUES ('urgent', true)$$,
	'repeat: a last score of 2 tags repeat; urgent stays urgent');
SELECT results_eq(
	$$SELECT detail FROM plaint.events WHERE ticket_id = (SELECT eve FROM sc) AND kind = 'repeat'$$,
	$$VALUES ('{"reasons": ["tickets", "low_score"], "tickets": 3, "days": 30, "score": 2, "from": "urgent", "to": "urgent"}'::jsonb)$$,
	'repeat: both reasons in one event: her third ticket, and the score');
SELECT results_eq(
	$$SELECT priority, tags FROM plaint.tickets WHERE id = (SELECT fay FROM sc)$$,
	$$VALUES ('high', '{repeat}'::text[])$$,
	'repeat: Fay''s third ticket counts (her last score, 4, does not)');
SELECT results_eq(
	$$SELECT detail->'reasons' FROM plaint.events WHERE ticket_id = (SELECT fay FROM sc) AND kind = 'repeat'$$,
	$$VALUES ('["tickets"]'::jsonb)$$,
	'repeat: an earlier score of 1 is not her latest: the count is the only reason');
SELECT results_eq(
	$$SELECT priority, detail->'reasons', detail->'score' FROM plaint.tickets t
	    JOIN plaint.events e ON e.ticket_id = t.id AND e.kind = 'repeat'
	   WHERE t.id = (SELECT gus FROM sc)$$,
	$$VALUES ('urgent', '["tickets", "low_score"]'::jsonb, '1'::jsonb)$$,
	'repeat: an unanswered question does not hide the latest answer (1); high -> urgent');

SELECT * FROM finish();
ROLLBACK;
