-- 28-satisfaction.sql: the satisfaction question.  plaint.satisfaction_due()
-- names the resolved tickets whose customer may be asked (after
-- ask_after, still resolved, within a week, never twice per ticket, one
-- question per customer in quiet_days, never when the opening mail's
-- acknowledgement was withheld); plaint.ask_satisfaction() queues each
-- once, checked again; plaint.file_message() records the first answer
-- (plaint.record_satisfaction) from the customer asked and leaves the
-- ticket resolved; a score of 1 or 2 reopens and moves it; the views
-- count and quote.  One transaction, rolled back.
BEGIN;
SELECT plan(52);

UPDATE plaint.settings SET value = 't28.example' WHERE key = 'message_id_domain';

CREATE TEMP TABLE res (name text PRIMARY KEY, action text, ticket_id bigint,
		       ticket_number text, message_row bigint,
		       ack_suppressed text, note text);
CREATE FUNCTION pg_temp.raw(p_name text) RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
	VALUES ('t28-inbox', encode(sha256(convert_to('t28 ' || p_name, 'UTF8')), 'hex'),
		octet_length(convert_to('t28 ' || p_name, 'UTF8')),
		convert_to('t28 ' || p_name, 'UTF8'))
	RETURNING id
$$;
-- Files mail p_name (Message-ID p_name.t28@example.com) from p_from as
-- the gateway does: a reply when p_refs names earlier mail, with the
-- score and comment the gateway read from its text, if any.
CREATE PROCEDURE pg_temp.file(p_name text, p_from text, p_refs text[] DEFAULT '{}',
			      p_ack text DEFAULT NULL, p_score integer DEFAULT NULL,
			      p_comment text DEFAULT NULL, p_low text DEFAULT NULL)
LANGUAGE sql AS $$
	INSERT INTO pg_temp.res
	SELECT p_name, f.* FROM plaint.file_message(jsonb_build_object(
		'raw_id', pg_temp.raw(p_name), 'prefix', 'T28', 'queue', 't28-q',
		'tags', '{}', 'rules', '{}', 'drop', false, 'refs', p_refs,
		'message_id', p_name || '.t28@example.com', 'in_reply_to', p_refs[1],
		'references', p_refs, 'from_addr', p_from, 'from_name', initcap(split_part(p_from, '@', 1)),
		'subject', 'subject of ' || p_name, 'body', 'body of ' || p_name,
		'ack_within', 600, 'ack_suppressed', p_ack, 'rules_version', 'v1',
		'answer_score', p_score, 'answer_comment', p_comment,
		'low_score_queue', p_low)) f
$$;
CREATE FUNCTION pg_temp.tk(p_name text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT ticket_id FROM pg_temp.res WHERE name = p_name
$$;
CREATE FUNCTION pg_temp.num(p_name text) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT ticket_number FROM pg_temp.res WHERE name = p_name
$$;
-- Resolves (or closes) the ticket of p_name as of p_ago ago.
CREATE PROCEDURE pg_temp.close(p_name text, p_ago interval, p_status text DEFAULT 'resolved')
LANGUAGE sql AS $$
	UPDATE plaint.tickets SET status = p_status, closed_at = now() - p_ago
	 WHERE id = pg_temp.tk(p_name)
$$;
-- The question for tickets of names, as the gateway renders it.
CREATE FUNCTION pg_temp.batch(VARIADIC names text[]) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_agg(jsonb_build_object(
		'ticket_id', pg_temp.tk(n), 'subject', '[' || pg_temp.num(n) || '] How did we do?',
		'body', 'Score ' || pg_temp.num(n) || ' from 1 to 5.',
		'message_id', 'q-' || n || '.t28@t28.example'))
	  FROM unnest(names) n
$$;
CREATE FUNCTION pg_temp.due(p_quiet integer DEFAULT 30) RETURNS SETOF text LANGUAGE sql STABLE AS $$
	SELECT ticket FROM plaint.satisfaction_due(3600, p_quiet) WHERE ticket LIKE 'T28-%' ORDER BY ticket_id
$$;

SELECT has_function('plaint', 'satisfaction_due', ARRAY['integer', 'integer', 'integer'], 'satisfaction_due exists');
SELECT has_function('plaint', 'ask_satisfaction', ARRAY['jsonb', 'integer', 'integer'], 'ask_satisfaction exists');
SELECT has_function('plaint', 'record_satisfaction', ARRAY['bigint', 'bigint', 'integer', 'text', 'text'],
		    'record_satisfaction exists');
SELECT has_view('plaint', 'satisfaction_by_queue', 'satisfaction_by_queue exists');
SELECT has_view('plaint', 'praise', 'praise exists');
SELECT ok(has_table_privilege('plaint_agent', 'plaint.satisfaction_by_queue', 'SELECT')
	  AND has_table_privilege('plaint_agent', 'plaint.praise', 'SELECT'),
	  'agents may read both views');
SELECT ok(has_function_privilege('plaint_gateway', 'plaint.ask_satisfaction(jsonb, integer, integer)', 'EXECUTE')
	  AND NOT has_function_privilege('plaint_agent', 'plaint.ask_satisfaction(jsonb, integer, integer)', 'EXECUTE'),
	  'the gateway asks; agents do not');

---------------------------------------------------------------- who is due a question
CALL pg_temp.file('ann1', 'ann@t28.example');		-- resolved 3 h ago
CALL pg_temp.file('ann2', 'ann@t28.example');		-- resolved 2 h ago: ann's second
CALL pg_temp.file('bob', 'bob@t28.example');		-- resolved 10 min ago
CALL pg_temp.file('robot', 'robot@t28.example', p_ack => 'auto-submitted');
CALL pg_temp.file('capped', 'cap@t28.example', p_ack => 'rate-limit');
CALL pg_temp.file('eve', 'eve@t28.example');		-- resolved, then reopened
CALL pg_temp.file('old', 'old@t28.example');		-- resolved 10 days ago
CALL pg_temp.file('gus', 'gus@t28.example');		-- closed
CALL pg_temp.file('hal', 'hal@t28.example');		-- answers 1
CALL pg_temp.close('ann1', '3 hours');
CALL pg_temp.close('ann2', '2 hours');
CALL pg_temp.close('bob', '10 minutes');
CALL pg_temp.close('robot', '2 hours');
CALL pg_temp.close('capped', '2 hours');
CALL pg_temp.close('eve', '2 hours');
UPDATE plaint.tickets SET status = 'open' WHERE id = pg_temp.tk('eve');
CALL pg_temp.close('old', '10 days');
CALL pg_temp.close('gus', '2 hours', 'closed');
CALL pg_temp.close('hal', '2 hours');

SELECT results_eq($$SELECT * FROM pg_temp.due()$$,
		  ARRAY[pg_temp.num('ann1'), pg_temp.num('hal')],
		  'due: ann''s earlier resolved ticket and hal''s; not too recent, machine, rate-limited, reopened, old or closed ones');
SELECT results_eq($$SELECT email, name, subject, in_reply_to, "references"
		      FROM plaint.satisfaction_due(3600, 30) WHERE ticket = pg_temp.num('ann1')$$,
		  $$VALUES ('ann@t28.example', 'Ann', 'subject of ann1', 'ann1.t28@example.com',
			    ARRAY['ann1.t28@example.com'])$$,
		  'due: with the customer, the subject and threading under her mail');
SELECT results_eq($$SELECT ticket FROM plaint.satisfaction_due(300, 30) WHERE ticket LIKE 'T28-%' ORDER BY ticket_id$$,
		  ARRAY[pg_temp.num('ann1'), pg_temp.num('bob'), pg_temp.num('hal')],
		  'due: with ask_after 300 s bob''s ticket, resolved 10 minutes ago, is due too');
SELECT is((SELECT count(*) FROM plaint.satisfaction_due(3600, 30, 1) WHERE ticket LIKE 'T28-%'), 1::bigint,
	  'due: max_rows bounds the rows');

---------------------------------------------------------------- asking, once
SELECT results_eq($$SELECT ticket, recipient FROM plaint.ask_satisfaction(pg_temp.batch('ann1', 'robot', 'bob'), 3600, 30)$$,
		  $$VALUES (pg_temp.num('ann1'), 'ann@t28.example')$$,
		  'ask: only the due ticket of the batch is asked');
SELECT results_eq($$SELECT o.kind, o.recipient, o.due_at <= now(), m.subject, m.in_reply_to, m.direction,
			   s.customer_id = t.customer_id, s.queue, s.score IS NULL
		      FROM plaint.satisfaction s JOIN plaint.outbox o ON o.id = s.outbox_id
		      JOIN plaint.messages m ON m.id = o.message_row
		      JOIN plaint.tickets t ON t.id = s.ticket_id
		     WHERE s.ticket_id = pg_temp.tk('ann1')$$,
		  $$VALUES ('survey', 'ann@t28.example', true, '[' || pg_temp.num('ann1') || '] How did we do?',
			    'ann1.t28@example.com', 'out', true, 't28-q', true)$$,
		  'ask: one survey in the outbox, due now, threaded under her mail, recorded unanswered');
SELECT is((SELECT count(*) FROM plaint.events WHERE ticket_id = pg_temp.tk('ann1') AND kind = 'satisfaction_asked'),
	  1::bigint, 'ask: an event satisfaction_asked');
SELECT is_empty($$SELECT * FROM plaint.ask_satisfaction(pg_temp.batch('ann1'), 3600, 30)$$,
		'ask again: never twice per ticket');
SELECT is((SELECT count(*) FROM plaint.outbox WHERE ticket_id = pg_temp.tk('ann1') AND kind = 'survey'),
	  1::bigint, 'ask again: still one survey in the outbox');
SELECT results_eq($$SELECT * FROM pg_temp.due()$$, ARRAY[pg_temp.num('hal')],
		  'quiet_days: ann''s second ticket is not due, she was asked today');
SELECT is_empty($$SELECT * FROM plaint.ask_satisfaction(pg_temp.batch('ann2'), 3600, 30)$$,
		'quiet_days: nor asked when the gateway hands it in');
SELECT results_eq($$SELECT * FROM pg_temp.due(0)$$, ARRAY[pg_temp.num('ann2'), pg_temp.num('hal')],
		  'quiet_days 0: her second ticket is due');
UPDATE plaint.satisfaction SET asked_at = now() - interval '31 days' WHERE ticket_id = pg_temp.tk('ann1');
SELECT results_eq($$SELECT * FROM pg_temp.due()$$, ARRAY[pg_temp.num('ann2'), pg_temp.num('hal')],
		  'quiet_days: a question 31 days ago does not hold back the next');
UPDATE plaint.satisfaction SET asked_at = now() WHERE ticket_id = pg_temp.tk('ann1');
UPDATE plaint.customers SET bounced_at = now() WHERE email = 'hal@t28.example';
SELECT is_empty($$SELECT * FROM pg_temp.due()$$,
		'an address that bounced since the ticket opened is not asked');
UPDATE plaint.customers SET bounced_at = NULL WHERE email = 'hal@t28.example';
SELECT is((SELECT count(*) FROM plaint.ask_satisfaction(pg_temp.batch('hal'), 3600, 30)), 1::bigint,
	  'hal is asked');
SELECT throws_ok($$SELECT * FROM plaint.ask_satisfaction('{}', 3600, 30)$$, '22023', NULL,
		 'ask: a batch that is no array is refused');

---------------------------------------------------------------- answers
-- Not sent yet: a score is a reply like any other.
CALL pg_temp.file('ann1-early', 'ann@t28.example', ARRAY['q-ann1.t28@t28.example'], p_score => 5);
SELECT results_eq($$SELECT action FROM pg_temp.res WHERE name = 'ann1-early'$$, ARRAY['threaded'],
		  'before the question went out: threaded');
SELECT is((SELECT score FROM plaint.satisfaction WHERE ticket_id = pg_temp.tk('ann1')), NULL,
	  'before the question went out: no score recorded');
SELECT is((SELECT status FROM plaint.tickets WHERE id = pg_temp.tk('ann1')), 'open',
	  'before the question went out: the reply reopens the ticket as any reply does');
CALL pg_temp.close('ann1', '3 hours');
UPDATE plaint.outbox SET sent_at = now() WHERE kind = 'survey' AND ticket_id IN (pg_temp.tk('ann1'), pg_temp.tk('hal'));

SELECT is(plaint.satisfaction_awaited(pg_temp.tk('ann1'), ' Ann@T28.example '), true,
	  'awaited: from the address asked, in any case');
SELECT is(plaint.satisfaction_awaited(pg_temp.tk('ann1'), 'eve@t28.example'), false,
	  'awaited: not from another address');
CALL pg_temp.file('stranger', 'eve@t28.example', ARRAY['q-ann1.t28@t28.example'], p_score => 1);
SELECT is((SELECT score FROM plaint.satisfaction WHERE ticket_id = pg_temp.tk('ann1')), NULL,
	  'a score from someone else does not count');
CALL pg_temp.close('ann1', '3 hours');
CALL pg_temp.file('ooo', 'ann@t28.example', ARRAY['q-ann1.t28@t28.example'], p_ack => 'auto-reply', p_score => 2);
SELECT is((SELECT score FROM plaint.satisfaction WHERE ticket_id = pg_temp.tk('ann1')), NULL,
	  'a machine''s reply to the question does not count, whatever it says');
SELECT is((SELECT status FROM plaint.tickets WHERE id = pg_temp.tk('ann1')), 'resolved',
	  'nor does it reopen the ticket');
SELECT is((SELECT reopens FROM plaint.tickets WHERE id = pg_temp.tk('ann1')), 2,
	  '(reopened twice before: by her early reply and by the stranger)');

CALL pg_temp.file('ann1-answer', 'ann@t28.example', ARRAY['q-ann1.t28@t28.example', 'ann1.t28@example.com'],
		  p_score => 4, p_comment => 'quick and kind');
SELECT results_eq($$SELECT action, ticket_id FROM pg_temp.res WHERE name = 'ann1-answer'$$,
		  $$VALUES ('threaded', pg_temp.tk('ann1'))$$, 'the answer threads onto the ticket');
SELECT results_eq($$SELECT score, comment, message_row = (SELECT message_row FROM pg_temp.res WHERE name = 'ann1-answer'),
			   answered_at IS NOT NULL
		      FROM plaint.satisfaction WHERE ticket_id = pg_temp.tk('ann1')$$,
		  $$VALUES (4::smallint, 'quick and kind', true, true)$$,
		  'the answer: score 4, comment "quick and kind", its message');
SELECT results_eq($$SELECT status, reopens FROM plaint.tickets WHERE id = pg_temp.tk('ann1')$$,
		  $$VALUES ('resolved', 2)$$, 'an answer of 4 leaves the ticket resolved');
SELECT results_eq($$SELECT detail->>'score' FROM plaint.events WHERE ticket_id = pg_temp.tk('ann1') AND kind = 'satisfaction'$$,
		  ARRAY['4'], 'an event satisfaction with the score');
SELECT is(plaint.satisfaction_awaited(pg_temp.tk('ann1'), 'ann@t28.example'), false,
	  'answered: no answer awaited any more');
CALL pg_temp.file('ann1-again', 'ann@t28.example', ARRAY['q-ann1.t28@t28.example'], p_score => 1, p_comment => 'no');
SELECT results_eq($$SELECT score, comment FROM plaint.satisfaction WHERE ticket_id = pg_temp.tk('ann1')$$,
		  $$VALUES (4::smallint, 'quick and kind')$$, 'only the first answer counts');
SELECT is((SELECT status FROM plaint.tickets WHERE id = pg_temp.tk('ann1')), 'open',
	  'a later mail is an ordinary reply: it reopens the ticket');
SELECT is(plaint.record_satisfaction(pg_temp.tk('ann1'), NULL, 2, 'x'), false,
	  'record_satisfaction: false when the question was answered');
SELECT throws_ok($$SELECT plaint.record_satisfaction(1, NULL, 6, NULL)$$, '22023', NULL,
		 'record_satisfaction: a score off the scale is refused');

---------------------------------------------------------------- a low score
UPDATE plaint.tickets SET assignee = 'nobody_t28' WHERE id = pg_temp.tk('hal');
CALL pg_temp.file('hal-answer', 'hal@t28.example', ARRAY['q-hal.t28@t28.example'],
		  p_score => 1, p_comment => '', p_low => 't28-care');
SELECT results_eq($$SELECT score, comment FROM plaint.satisfaction WHERE ticket_id = pg_temp.tk('hal')$$,
		  $$VALUES (1::smallint, NULL::text)$$, 'low score: score 1 recorded, no comment');
SELECT results_eq($$SELECT status, reopens, queue, assignee FROM plaint.tickets WHERE id = pg_temp.tk('hal')$$,
		  $$VALUES ('open', 1, 't28-care', 'nobody_t28')$$,
		  'low score: the ticket is open again (one reopen), in low_score_queue, still assigned (the queue is not restricted)');
SELECT ok(EXISTS (SELECT FROM plaint.queues WHERE name = 't28-care'), 'low score: the queue was made');
SELECT results_eq($$SELECT detail->>'reason', detail->>'queue_from', detail->>'queue_to', detail->>'status_from'
		      FROM plaint.events WHERE ticket_id = pg_temp.tk('hal') AND kind = 'low_score'$$,
		  $$VALUES ('the customer scored the service 1 of 5', 't28-q', 't28-care', 'resolved')$$,
		  'low score: an event low_score says why and where it moved');
SELECT is((SELECT queue FROM plaint.satisfaction WHERE ticket_id = pg_temp.tk('hal')), 't28-q',
	  'low score: the answer stays with the queue that served it');

---------------------------------------------------------------- views
INSERT INTO plaint.queues (name) VALUES ('t28-view');
CALL pg_temp.file('v1', 'v1@t28.example');
CALL pg_temp.file('v2', 'v2@t28.example');
CALL pg_temp.file('v3', 'v3@t28.example');
CALL pg_temp.file('v4', 'v4@t28.example');
INSERT INTO plaint.satisfaction (ticket_id, customer_id, queue, asked_at, score, comment, answered_at)
SELECT t.id, t.customer_id, 't28-view', timestamptz '2024-03-06 12:00+00', v.score, v.comment,
       CASE WHEN v.score IS NOT NULL THEN timestamptz '2024-03-07 12:00+00' + v.k * interval '1 hour' END
  FROM (VALUES ('v1', 5, 'Great help', 1), ('v2', 5, NULL, 2), ('v3', 3, 'slow', 3),
	       ('v4', NULL, NULL, 4)) v(name, score, comment, k)
  JOIN plaint.tickets t ON t.id = pg_temp.tk(v.name);
SET LOCAL timezone = 'UTC';
SELECT results_eq($$SELECT week, asked, answered, answer_rate, mean_score, score_1, score_2, score_3, score_4, score_5
		      FROM plaint.satisfaction_by_queue WHERE queue = 't28-view'$$,
		  $$VALUES (date '2024-03-04', 4::bigint, 3::bigint, 0.750, 4.33, 0::bigint, 0::bigint, 1::bigint, 0::bigint, 2::bigint)$$,
		  'satisfaction_by_queue: 4 asked, 3 answered (0.750), mean 4.33, one 3 and two 5s, in the week of Monday 4 March');
SELECT results_eq($$SELECT asked, answered, score_1, score_4 FROM plaint.satisfaction_by_queue WHERE queue = 't28-q'$$,
		  $$VALUES (2::bigint, 2::bigint, 1::bigint, 1::bigint)$$,
		  'satisfaction_by_queue: ann''s 4 and hal''s 1 under t28-q, the queue asked');
SELECT results_eq($$SELECT ticket, queue, customer, comment, answered_at FROM plaint.praise WHERE queue = 't28-view'$$,
		  $$VALUES (pg_temp.num('v1'), 't28-view', 'V1', 'Great help', timestamptz '2024-03-07 13:00+00')$$,
		  'praise: the 5 with a comment; not the 5 without one, nor the 3');
SELECT is_empty($$SELECT FROM plaint.praise WHERE queue = 't28-q'$$, 'praise: nothing below 5');

---------------------------------------------------------------- erasure
SELECT lives_ok($$SELECT * FROM plaint.forget_customer('v1@t28.example')$$, 'forget_customer');
SELECT isnt((SELECT comment FROM plaint.satisfaction WHERE ticket_id = pg_temp.tk('v1')), 'Great help',
	    'forget_customer: the comment is erased too');

SELECT * FROM finish();
ROLLBACK;
