-- 24-retention.sql: plaint.apply_retention() removes the raw bytes of
-- mail on tickets resolved or closed long ago and the blobs nothing live
-- uses, keeping text, hashes and sizes; plaint.forget_customer() erases
-- a customer everywhere: afterwards a search of every text, text[],
-- jsonb and bytea column of every table of schema plaint finds neither
-- their address nor their name (the same search before the erasure is
-- the control), while counts, timestamps and other people's data stay.
-- One transaction, rolled back.
BEGIN;
SELECT plan(35);

INSERT INTO plaint.queues (name) VALUES ('t24-q');
INSERT INTO plaint.customers (email, name) VALUES ('t24-cy@example.com', 'Cy');
CREATE FUNCTION pg_temp.tid(p_number text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM plaint.tickets WHERE number = p_number
$$;
CREATE FUNCTION pg_temp.ticket(p_number text, p_status text, p_closed_ago interval,
			       p_customer text DEFAULT 't24-cy@example.com', p_subject text DEFAULT 'About it')
RETURNS void LANGUAGE sql AS $$
	INSERT INTO plaint.tickets (number, customer_id, subject, queue, status, ack_due_at, closed_at,
				    created_at)
	SELECT p_number, c.id, p_subject, 't24-q', p_status, now(), now() - p_closed_ago,
	       now() - interval '60 days'
	  FROM plaint.customers c WHERE c.email = p_customer
$$;
-- An inbound message with its raw bytes; returns the message row.
CREATE FUNCTION pg_temp.mail(p_number text, p_raw text, p_from text DEFAULT 't24-cy@example.com',
			     p_body text DEFAULT 'body', p_cc text[] DEFAULT '{}',
			     p_name text DEFAULT NULL)
RETURNS bigint LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome, processed_at)
		VALUES ('t24-inbox', encode(sha256(convert_to(p_raw, 'UTF8')), 'hex'),
			octet_length(convert_to(p_raw, 'UTF8')), convert_to(p_raw, 'UTF8'), 'done', 'ticket', now())
		RETURNING id)
	INSERT INTO plaint.messages (ticket_id, raw_id, direction, from_addr, from_name, subject, body, cc)
	SELECT pg_temp.tid(p_number), r.id, 'in', p_from, p_name, 'subject of ' || p_raw, p_body, p_cc FROM r
	RETURNING id
$$;
CREATE FUNCTION pg_temp.blob(p_content text, p_age interval DEFAULT '60 days') RETURNS text LANGUAGE sql AS $$
	INSERT INTO plaint.blobs (sha256, size, content, created_at)
	VALUES (encode(sha256(convert_to(p_content, 'UTF8')), 'hex'), octet_length(convert_to(p_content, 'UTF8')),
		convert_to(p_content, 'UTF8'), now() - p_age)
	RETURNING sha256
$$;
CREATE FUNCTION pg_temp.sha(p_content text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT encode(sha256(convert_to(p_content, 'UTF8')), 'hex')
$$;
CREATE FUNCTION pg_temp.attach(p_message bigint, p_content text, p_name text DEFAULT 'file.bin')
RETURNS void LANGUAGE sql AS $$
	INSERT INTO plaint.attachments (message_row, part, filename, content_type, size, sha256)
	SELECT p_message, (SELECT count(*) + 2 FROM plaint.attachments WHERE message_row = p_message)::text,
	       p_name, 'application/octet-stream', b.size, b.sha256
	  FROM plaint.blobs b WHERE b.sha256 = pg_temp.sha(p_content)
$$;
CREATE FUNCTION pg_temp.raw_of(p_raw text) RETURNS plaint.raw_messages LANGUAGE sql STABLE AS $$
	SELECT * FROM plaint.raw_messages WHERE sha256 = pg_temp.sha(p_raw)
$$;

---------------------------------------------------------------- retention
-- OLD was resolved 40 days ago, RECENT 10 days ago, OPEN is open, GONE
-- was merged 40 days ago into OPEN (its mail shows under OPEN: kept).
SELECT pg_temp.ticket('T24-OLD', 'resolved', '40 days');
SELECT pg_temp.ticket('T24-RECENT', 'closed', '10 days');
SELECT pg_temp.ticket('T24-OPEN', 'open', NULL);
SELECT pg_temp.ticket('T24-GONE', 'closed', '40 days');
UPDATE plaint.tickets SET merged_into = pg_temp.tid('T24-OPEN') WHERE number = 'T24-GONE';
SELECT pg_temp.blob('only old'), pg_temp.blob('shared'), pg_temp.blob('recent'),
       pg_temp.blob('sent with old'), pg_temp.blob('orphan upload'), pg_temp.blob('fresh upload', '5 days');
CREATE TEMP TABLE msg AS
	SELECT 'old'::text AS name, pg_temp.mail('T24-OLD', 'raw old one') AS id
	UNION ALL SELECT 'old2', pg_temp.mail('T24-OLD', 'raw old two')
	UNION ALL SELECT 'recent', pg_temp.mail('T24-RECENT', 'raw recent')
	UNION ALL SELECT 'open', pg_temp.mail('T24-OPEN', 'raw open')
	UNION ALL SELECT 'gone', pg_temp.mail('T24-GONE', 'raw gone');
SELECT pg_temp.attach((SELECT id FROM msg WHERE name = 'old'), 'only old');
SELECT pg_temp.attach((SELECT id FROM msg WHERE name = 'old'), 'shared');
SELECT pg_temp.attach((SELECT id FROM msg WHERE name = 'open'), 'shared');
SELECT pg_temp.attach((SELECT id FROM msg WHERE name = 'recent'), 'recent');
-- A second copy of OLD's first message, and mail filed on no ticket.
INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome, duplicate_of, processed_at)
VALUES ('t24-inbox', pg_temp.sha('raw old copy'), 12, 'raw old copy', 'done', 'duplicate',
	(SELECT id FROM msg WHERE name = 'old'), now());
INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome, reason)
VALUES ('t24-inbox', pg_temp.sha('raw quarantined'), 15, 'raw quarantined', 'quarantined', 'quarantined', 'bad');
-- OLD's reply carried an upload; two uploads were never sent.
WITH m AS (INSERT INTO plaint.messages (ticket_id, direction, message_id, subject, body)
	   VALUES (pg_temp.tid('T24-OLD'), 'out', 'r.t24@example.com', 's', 'b') RETURNING id),
o AS (INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
      SELECT 'reply', pg_temp.tid('T24-OLD'), m.id, 't24-cy@example.com', 'r.t24@example.com', now() FROM m
      RETURNING id)
INSERT INTO plaint.outbox_attachments (outbox_id, position, sha256, filename, content_type, size)
SELECT o.id, 1, pg_temp.sha('sent with old'), 'x.pdf', 'application/pdf', 13 FROM o;
INSERT INTO plaint.uploads (sha256, filename, content_type, added_by, added_at)
VALUES (pg_temp.sha('sent with old'), 'x.pdf', 'application/pdf', 'sam', now() - interval '41 days'),
       (pg_temp.sha('orphan upload'), 'y.pdf', 'application/pdf', 'sam', now() - interval '60 days'),
       (pg_temp.sha('fresh upload'), 'z.pdf', 'application/pdf', 'sam', now() - interval '5 days');
CREATE TEMP TABLE before AS
	SELECT r.id, r.sha256, r.size, octet_length(r.raw) AS bytes FROM plaint.raw_messages r;

SELECT throws_ok($$SELECT * FROM plaint.apply_retention(0)$$, '22023', 'raw_days must be 1 or more, not 0',
		 'apply_retention: 0 days is refused');
SELECT throws_ok($$SELECT * FROM plaint.apply_retention(NULL)$$, '22023', NULL,
		 'apply_retention: NULL days is refused');
SELECT throws_ok($$SELECT * FROM plaint.apply_retention(30, 0)$$, '22023', 'batch must be 1 or more',
		 'apply_retention: a batch of 0 is refused');
CREATE TEMP TABLE round1 AS SELECT * FROM plaint.apply_retention(30, 1);
CREATE TEMP TABLE round2 AS SELECT * FROM plaint.apply_retention(30);
SELECT results_eq($$SELECT raw_removed, blobs_removed FROM round1$$, $$VALUES (1, 1)$$,
		  'apply_retention batch 1: one raw message and one blob');
SELECT results_eq($$SELECT raw_removed, blobs_removed FROM round2$$, $$VALUES (2, 2)$$,
		  'apply_retention: then the rest: OLD''s two raw messages and its duplicate, three blobs');
SELECT is((SELECT bytes_freed FROM round1) + (SELECT bytes_freed FROM round2),
	  (SELECT sum(octet_length(convert_to(x, 'UTF8'))) FROM unnest(ARRAY['raw old one', 'raw old two',
		'raw old copy', 'only old', 'sent with old', 'orphan upload']) x)::bigint,
	  'apply_retention: bytes_freed adds up to the sizes of what was removed');
SELECT results_eq(
	$$SELECT r.sha256, r.size, octet_length(r.raw), r.raw_removed_at IS NOT NULL
	    FROM plaint.raw_messages r JOIN before b ON b.id = r.id ORDER BY r.id$$,
	$$SELECT b.sha256, b.size,
		 CASE WHEN b.sha256 IN (SELECT pg_temp.sha(x) FROM unnest(ARRAY['raw old one', 'raw old two',
			'raw old copy']) x) THEN 0 ELSE b.bytes END,
		 b.sha256 IN (SELECT pg_temp.sha(x) FROM unnest(ARRAY['raw old one', 'raw old two', 'raw old copy']) x)
	    FROM before b ORDER BY b.id$$,
	'apply_retention: the raw bytes of OLD''s mail and its duplicate are empty and marked; hashes and sizes stay; RECENT, OPEN, GONE (merged into OPEN) and the quarantined mail keep theirs');
SELECT results_eq(
	$$SELECT convert_from(content, 'UTF8') COLLATE "default", removed_at IS NOT NULL FROM plaint.blobs
	   WHERE sha256 IN (SELECT pg_temp.sha(x) FROM unnest(ARRAY['only old', 'shared', 'recent',
		'sent with old', 'orphan upload', 'fresh upload']) x)
	   ORDER BY size, sha256$$,
	$$SELECT CASE WHEN x IN ('only old', 'sent with old', 'orphan upload') THEN '' ELSE x END,
		 x IN ('only old', 'sent with old', 'orphan upload')
	    FROM unnest(ARRAY['only old', 'shared', 'recent', 'sent with old', 'orphan upload', 'fresh upload']) x
	   ORDER BY octet_length(x), pg_temp.sha(x)$$,
	'apply_retention: blobs only OLD used, and an old unsent upload, are emptied; the shared one, RECENT''s and the fresh upload stay');
SELECT is((SELECT size FROM plaint.blobs WHERE sha256 = pg_temp.sha('only old')), 8::bigint,
	  'apply_retention: a removed blob keeps its size');
SELECT results_eq($$SELECT body, subject FROM plaint.messages WHERE id = (SELECT id FROM msg WHERE name = 'old')$$,
		  $$VALUES ('body'::text, 'subject of raw old one'::text)$$,
		  'apply_retention: the message text stays');
SELECT results_eq($$SELECT * FROM plaint.apply_retention(30)$$, $$VALUES (0, 0, 0::bigint)$$,
		  'apply_retention again: nothing left to do');
SELECT is((SELECT raw_removed_at FROM plaint.intake WHERE raw_id = (pg_temp.raw_of('raw old one')).id), now(),
	  'intake shows when the raw bytes were removed');
SELECT throws_ok($$UPDATE plaint.raw_messages SET raw = 'back' WHERE sha256 = pg_temp.sha('raw old one')$$,
		 '23514', NULL, 'raw_messages: bytes with raw_removed_at set are refused');
-- The same content arriving again fills its blob in.
SELECT is_empty($$SELECT * FROM plaint.known_blobs(ARRAY[pg_temp.sha('only old')])$$,
		'known_blobs: a removed blob is not known, so the gateway sends its content');
SELECT plaint.add_attachment((SELECT id FROM msg WHERE name = 'open'), '9', 'again.bin',
			     'application/octet-stream', NULL, NULL, 8, pg_temp.sha('only old'), 'only old');
SELECT results_eq($$SELECT convert_from(content, 'UTF8') COLLATE "default", removed_at FROM plaint.blobs
		     WHERE sha256 = pg_temp.sha('only old')$$,
		  $$VALUES ('only old'::text, NULL::timestamptz)$$,
		  'add_attachment: the content is stored again');
SET LOCAL ROLE plaint_gateway;
SELECT lives_ok($$SELECT * FROM plaint.apply_retention(30)$$, 'apply_retention: the gateway may call it');
SELECT throws_ok($$UPDATE plaint.raw_messages SET raw = '' WHERE false$$, '42501', NULL,
		 'the gateway still may not change raw bytes itself');
RESET ROLE;
SELECT ok(NOT has_function_privilege('plaint_agent', 'plaint.apply_retention(integer,integer)', 'EXECUTE'),
	  'apply_retention: not for agents');

---------------------------------------------------------------- forget_customer
-- Ann's own ticket, mail she sent onto Bob's ticket, and everything that
-- mentions her; Bob's ticket has her in Cc, as participant, in a text.
INSERT INTO plaint.customers (email, name) VALUES ('ann.erase@t24.example', 'Ann Erasmus'),
						   ('t24-bob@example.com', 'Bob');
SELECT pg_temp.ticket('T24-ANN', 'open', NULL, 'ann.erase@t24.example', 'Ann Erasmus wants her money back');
SELECT pg_temp.ticket('T24-BOB', 'open', NULL, 't24-bob@example.com', 'Noisy fridge');
SELECT pg_temp.blob('scan of Ann''s passport'), pg_temp.blob('common logo'), pg_temp.blob('credit note'),
       pg_temp.blob('a list: ann.erase@t24.example, others');
INSERT INTO msg VALUES
	('ann1', pg_temp.mail('T24-ANN', E'From: Ann Erasmus <ann.erase@t24.example>\r\n\r\nRefund!',
			      'ann.erase@t24.example', 'I want my refund.', '{}', 'Ann Erasmus')),
	('ann2', pg_temp.mail('T24-ANN', E'From: <ANN.ERASE@t24.example>\r\n\r\nStill waiting.',
			      'ann.erase@t24.example', 'Still waiting.', '{}', 'Ann Erasmus')),
	('bob1', pg_temp.mail('T24-BOB', E'From: Bob <t24-bob@example.com>\r\nCc: ann.erase@t24.example\r\n\r\nFridge.',
			      't24-bob@example.com', 'My fridge hums. My neighbour Ann Erasmus (ann.erase@t24.example) hears it too.',
			      ARRAY['ann.erase@t24.example', 'carl@t24.example'], 'Bob')),
	('ann3', pg_temp.mail('T24-BOB', E'From: Ann Erasmus <ann.erase@t24.example>\r\n\r\nYes, loud.',
			      'ann.erase@t24.example', 'Yes, it is loud.', '{}', 'Ann Erasmus'));
SELECT pg_temp.attach((SELECT id FROM msg WHERE name = 'ann1'), 'scan of Ann''s passport', 'Ann Erasmus passport.png');
SELECT pg_temp.attach((SELECT id FROM msg WHERE name = 'ann1'), 'common logo', 'logo.png');
SELECT pg_temp.attach((SELECT id FROM msg WHERE name = 'bob1'), 'common logo', 'logo.png');
SELECT pg_temp.attach((SELECT id FROM msg WHERE name = 'bob1'), 'a list: ann.erase@t24.example, others', 'list.txt');
INSERT INTO plaint.notes (ticket_id, body) VALUES (pg_temp.tid('T24-ANN'), 'Called Ann Erasmus back.'),
						   (pg_temp.tid('T24-BOB'), 'Bob''s fridge is a model X.');
INSERT INTO plaint.events (ticket_id, actor, kind, detail)
VALUES (pg_temp.tid('T24-ANN'), 'gateway', 'opened', '{"from": "ann.erase@t24.example"}'),
       (pg_temp.tid('T24-BOB'), 'gateway', 'opened', '{"from": "t24-bob@example.com", "cc": ["ann.erase@t24.example"]}');
INSERT INTO plaint.ticket_participants (ticket_id, address, source, added_by)
VALUES (pg_temp.tid('T24-BOB'), 'ann.erase@t24.example', 'agent', 'sam');
-- Replies: one to Ann sent (with an upload attached), one to Ann waiting,
-- one to Bob with Ann in Cc waiting, one to Bob sent whose server reply names her.
CREATE FUNCTION pg_temp.reply(p_number text, p_to text, p_cc text[], p_sent boolean, p_body text,
			      p_reply text DEFAULT '250 ok')
RETURNS bigint LANGUAGE sql AS $$
	WITH m AS (INSERT INTO plaint.messages (ticket_id, direction, message_id, subject, body, cc, author)
		   VALUES (pg_temp.tid(p_number), 'out', gen_random_uuid() || '@t24.example', 'Re', p_body,
			   p_cc, 'sam') RETURNING id, message_id)
	INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, cc, message_id, due_at,
				   sent_at, smtp_reply)
	SELECT 'reply', pg_temp.tid(p_number), m.id, p_to, p_cc, m.message_id, now(),
	       CASE WHEN p_sent THEN now() END, CASE WHEN p_sent THEN p_reply END
	  FROM m RETURNING id
$$;
CREATE TEMP TABLE rep AS
	SELECT 'ann-sent'::text AS name, pg_temp.reply('T24-ANN', 'ann.erase@t24.example', '{}', true,
						       'Dear Ann Erasmus, the credit note is attached.') AS id
	UNION ALL SELECT 'ann-wait', pg_temp.reply('T24-ANN', 'ann.erase@t24.example', '{}', false, 'Dear Ann, soon.')
	UNION ALL SELECT 'bob-wait', pg_temp.reply('T24-BOB', 't24-bob@example.com',
						   ARRAY['ann.erase@t24.example', 'carl@t24.example'], false, 'Dear Bob.')
	UNION ALL SELECT 'bob-sent', pg_temp.reply('T24-BOB', 't24-bob@example.com', ARRAY['carl@t24.example'],
						   true, 'Dear Bob, fixed.', '250 ok, copy to ann.erase@t24.example held');
INSERT INTO plaint.uploads (sha256, filename, content_type, added_by)
VALUES (pg_temp.sha('credit note'), 'credit note for Ann Erasmus.pdf', 'application/pdf', 'sam');
INSERT INTO plaint.outbox_attachments (outbox_id, position, sha256, filename, content_type, size)
SELECT id, 1, pg_temp.sha('credit note'), 'credit note for Ann Erasmus.pdf', 'application/pdf', 11
  FROM rep WHERE name = 'ann-sent';
UPDATE plaint.raw_messages SET reason = 'tag from ann.erase@t24.example, a stranger'
 WHERE id = (SELECT raw_id FROM plaint.messages WHERE id = (SELECT id FROM msg WHERE name = 'ann3'));

-- Every text, text[], jsonb and bytea column of every table of plaint,
-- and how many rows hold the address or the name (any case).
CREATE FUNCTION pg_temp.holding(p_needles text[]) RETURNS TABLE (col text, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT k.relname, a.attname, a.atttypid
		  FROM pg_attribute a JOIN pg_class k ON k.oid = a.attrelid
		 WHERE k.relnamespace = 'plaint'::regnamespace AND k.relkind = 'r'
		   AND a.attnum > 0 AND NOT a.attisdropped
		   AND a.atttypid IN ('text'::regtype, 'text[]'::regtype, 'jsonb'::regtype, 'bytea'::regtype)
		 ORDER BY 1, 2
	LOOP
		EXECUTE format('SELECT count(*) FROM plaint.%I x WHERE EXISTS (SELECT FROM unnest($1) w '
			       'WHERE strpos(lower(%s), lower(w)) > 0)', c.relname,
			       CASE WHEN c.atttypid = 'bytea'::regtype
				    THEN format('encode(x.%I, ''escape'')', c.attname)
				    ELSE format('x.%I::text', c.attname) END)
		INTO n USING p_needles;
		IF n > 0 THEN
			col := c.relname || '.' || c.attname;
			RETURN NEXT;
		END IF;
	END LOOP;
END
$$;
CREATE TEMP TABLE kept AS
	SELECT (SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tid('T24-ANN')) AS ann_messages,
	       (SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tid('T24-BOB')) AS bob_messages,
	       (SELECT created_at FROM plaint.tickets WHERE number = 'T24-ANN') AS ann_created,
	       (SELECT array_agg(received_at ORDER BY id) FROM plaint.messages
		 WHERE ticket_id = pg_temp.tid('T24-ANN')) AS ann_received,
	       (SELECT count(*) FROM plaint.events) AS events,
	       (SELECT id FROM plaint.customers WHERE email = 'ann.erase@t24.example') AS ann_id;
SELECT results_eq(
	$$SELECT col FROM pg_temp.holding(ARRAY['ann.erase@t24.example', 'Ann Erasmus'])$$,
	$$VALUES ('attachments.filename'), ('blobs.content'), ('customers.email'), ('customers.name'),
		 ('events.detail'), ('messages.body'), ('messages.cc'), ('messages.from_addr'),
		 ('messages.from_name'), ('messages.subject'), ('notes.body'), ('outbox.cc'),
		 ('outbox.recipient'), ('outbox.smtp_reply'), ('outbox_attachments.filename'),
		 ('raw_messages.raw'), ('raw_messages.reason'), ('ticket_participants.address'),
		 ('tickets.subject'), ('uploads.filename')$$,
	'before: the search finds the address or the name in every kind of place (the control)');

CREATE TEMP TABLE forgot AS SELECT * FROM plaint.forget_customer(' Ann.Erase@T24.example ');
SELECT is_empty($$SELECT * FROM pg_temp.holding(ARRAY['ann.erase@t24.example', 'Ann Erasmus'])$$,
		'forget_customer: no text, text[], jsonb or bytea column of any table holds her address or name');
SELECT results_eq(
	$$SELECT customer_id, tickets_erased, messages_erased, raw_removed, blobs_removed FROM forgot$$,
	$$SELECT ann_id, 1, ann_messages::integer + 1, 4, 3 FROM kept$$,
	'forget_customer: returns her row, her ticket, its messages and the one she sent elsewhere, 4 raw messages, 3 blobs');
SELECT results_eq(
	$$SELECT email, name, erased_at FROM plaint.customers WHERE id = (SELECT ann_id FROM kept)$$,
	$$SELECT 'erased-' || ann_id || '@erased.invalid', '[erased]'::text, now() FROM kept$$,
	'forget_customer: the customer row stays, with markers for address and name');
SELECT results_eq(
	$$SELECT (SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tid('T24-ANN')),
		 (SELECT count(*) FROM plaint.messages WHERE ticket_id = pg_temp.tid('T24-BOB')),
		 (SELECT created_at FROM plaint.tickets WHERE number = 'T24-ANN'),
		 (SELECT array_agg(received_at ORDER BY id) FROM plaint.messages WHERE ticket_id = pg_temp.tid('T24-ANN'))$$,
	$$SELECT ann_messages, bob_messages, ann_created, ann_received FROM kept$$,
	'forget_customer: counts and timestamps stay');
SELECT results_eq(
	$$SELECT subject, body, from_addr, from_name FROM plaint.messages WHERE id IN
		(SELECT id FROM msg WHERE name IN ('ann1', 'ann3')) ORDER BY id$$,
	$$SELECT '[erased]'::text, '[erased]'::text, 'erased-' || ann_id || '@erased.invalid', '[erased]'::text
	    FROM kept, generate_series(1, 2)$$,
	'forget_customer: her messages, on her ticket and on Bob''s, are markers');
SELECT results_eq(
	$$SELECT subject, body, cc FROM plaint.messages WHERE id = (SELECT id FROM msg WHERE name = 'bob1')$$,
	$$SELECT 'subject of ' || E'From: Bob <t24-bob@example.com>\r\nCc: erased-' || ann_id || E'@erased.invalid\r\n\r\nFridge.',
		 'My fridge hums. My neighbour [erased] (erased-' || ann_id || '@erased.invalid) hears it too.',
		 ARRAY['erased-' || ann_id || '@erased.invalid', 'carl@t24.example']
	    FROM kept$$,
	'forget_customer: in Bob''s message only her name and address are replaced');
SELECT is((SELECT subject FROM plaint.tickets WHERE number = 'T24-BOB'), 'Noisy fridge',
	  'forget_customer: Bob''s ticket keeps its subject');
SELECT is((SELECT body FROM plaint.notes WHERE ticket_id = pg_temp.tid('T24-BOB')), 'Bob''s fridge is a model X.',
	  'forget_customer: Bob''s note stays');
SELECT results_eq(
	$$SELECT convert_from(content, 'UTF8') COLLATE "default", removed_at IS NOT NULL FROM plaint.blobs
	   WHERE sha256 IN (SELECT pg_temp.sha(x) FROM unnest(ARRAY['common logo', 'scan of Ann''s passport',
			    'credit note', 'a list: ann.erase@t24.example, others']) x)
	   ORDER BY sha256$$,
	$$SELECT CASE WHEN x = 'common logo' THEN x ELSE '' END, x <> 'common logo'
	    FROM unnest(ARRAY['common logo', 'scan of Ann''s passport', 'credit note',
			      'a list: ann.erase@t24.example, others']) x
	   ORDER BY pg_temp.sha(x)$$,
	'forget_customer: her scan, the credit note sent only to her, and a file naming her are emptied; the shared logo stays');
SELECT results_eq(
	$$SELECT r.name, o.recipient, o.cc, o.sent_at IS NOT NULL, o.failed_at IS NOT NULL, o.last_error
	    FROM rep r JOIN plaint.outbox o ON o.id = r.id ORDER BY r.name$$,
	$$SELECT * FROM (VALUES
		('ann-sent'::text, 'erased-' || (SELECT ann_id FROM kept) || '@erased.invalid', '{}'::text[], true, false, NULL::text),
		('ann-wait', 'erased-' || (SELECT ann_id FROM kept) || '@erased.invalid', '{}', false, true, 'recipient erased'),
		('bob-sent', 't24-bob@example.com', '{carl@t24.example}', true, false, NULL),
		('bob-wait', 't24-bob@example.com', '{carl@t24.example}', false, false, NULL)) v$$,
	'forget_customer: mail waiting for her fails, she leaves the Cc of mail waiting for others; sent mail keeps its count');
SELECT is((SELECT detail FROM plaint.events WHERE kind = 'erased'),
	  jsonb_build_object('customer', (SELECT ann_id FROM kept), 'messages', (SELECT ann_messages + 1 FROM kept)),
	  'forget_customer: an erased event on her ticket, with numbers only');
SELECT is((SELECT count(*) FROM plaint.events), (SELECT events + 1 FROM kept),
	  'forget_customer: no event removed');
SELECT results_eq($$SELECT customer_id, tickets_erased, raw_removed, blobs_removed, cells_changed
		     FROM plaint.forget_customer('ann.erase@t24.example')$$,
		  $$VALUES (NULL::bigint, 0, 0, 0, 0)$$,
		  'forget_customer again: nothing of her is left to erase');
-- Near misses are other people's: a longer address, a longer name.
INSERT INTO plaint.notes (ticket_id, body)
VALUES (pg_temp.tid('T24-BOB'), 'Copy xann.erase@t24.example and ann.erase@t24.example.org; Ann Erasmusson is someone else.');
SELECT plaint.forget_customer('ann.erase@t24.example');
SELECT ok(EXISTS (SELECT FROM plaint.notes WHERE body =
		  'Copy xann.erase@t24.example and ann.erase@t24.example.org; Ann Erasmusson is someone else.'),
	  'forget_customer: addresses and names that merely contain hers are left alone');
SELECT throws_ok($$SELECT plaint.forget_customer('nobody')$$, '22023', '"nobody" is not an email address',
		 'forget_customer: a bad address is refused');
SELECT ok(NOT has_function_privilege('plaint_agent', 'plaint.forget_customer(text)', 'EXECUTE')
	  AND NOT has_function_privilege('plaint_gateway', 'plaint.forget_customer(text)', 'EXECUTE')
	  AND has_function_privilege('plaint_admin', 'plaint.forget_customer(text)', 'EXECUTE'),
	  'forget_customer: for admins only');

SELECT * FROM finish();
ROLLBACK;
