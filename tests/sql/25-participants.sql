-- 25-participants.sql: Cc and participants (plaint.participants,
-- add_participant, remove_participant), the exact Cc list plaint.reply()
-- records for the gateway (outbox.cc; the old call forms keep working),
-- and files on replies (plaint.add_blob, reply(..., attachments =>)).
-- Agents t25_ivy and t25_jon are NOLOGIN roles made here.
-- One transaction, rolled back.
BEGIN;
SELECT plan(56);

INSERT INTO plaint.settings (key, value) VALUES ('own_addresses', 'support@t25.example, help@t25.example')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
INSERT INTO plaint.queues (name) VALUES ('t25-q');
INSERT INTO plaint.customers (email) VALUES ('ann@t25.example'), ('bo@t25.example');
INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at)
SELECT n, c.id, 'Subject ' || n, 't25-q', now()
  FROM plaint.customers c, (VALUES ('T25-1', 'ann@t25.example'), ('T25-2', 'bo@t25.example'),
				   ('T25-3', 'ann@t25.example')) v(n, e)
 WHERE c.email = v.e;
DO $$
BEGIN
	CREATE ROLE t25_ivy NOLOGIN;
	CREATE ROLE t25_jon NOLOGIN;
	GRANT plaint_agent TO t25_ivy, t25_jon;
END
$$;
CREATE FUNCTION pg_temp.me() RETURNS text LANGUAGE sql STABLE AS $$ SELECT session_user::text $$;
CREATE FUNCTION pg_temp.tid(p_number text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT id FROM plaint.tickets WHERE number = p_number
$$;
CREATE FUNCTION pg_temp.mail(p_number text, p_name text, p_cc text[], p_ago interval) RETURNS bigint
LANGUAGE sql AS $$
	WITH r AS (
		INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		VALUES ('t25-inbox', encode(sha256(convert_to(p_name, 'UTF8')), 'hex'), 1, 'x') RETURNING id)
	INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id, from_addr, subject, body,
				     cc, received_at)
	SELECT pg_temp.tid(p_number), r.id, 'in', p_name || '@t25.example', 'ann@t25.example', 's', 'b',
	       p_cc, now() - p_ago
	  FROM r RETURNING id
$$;
CREATE FUNCTION pg_temp.participants(p_number text) RETURNS TABLE (address text, source text, added_by text)
LANGUAGE sql STABLE AS $$
	SELECT address, source, added_by FROM plaint.participants WHERE ticket = p_number ORDER BY address
$$;
CREATE FUNCTION pg_temp.last_out(p_number text) RETURNS TABLE (recipient text, cc text[], msg_cc text[])
LANGUAGE sql STABLE AS $$
	SELECT o.recipient, o.cc, m.cc FROM plaint.outbox o JOIN plaint.messages m ON m.id = o.message_row
	 WHERE o.ticket_id = pg_temp.tid(p_number) ORDER BY o.id DESC LIMIT 1
$$;
-- Ann's two mails: Carl, Dora (in capitals), plaint's own address, and
-- Ann herself in Cc.
CREATE TEMP TABLE msg AS
	SELECT 'm1'::text AS name, pg_temp.mail('T25-1', 'm1', ARRAY['carl@t25.example', 'Dora@T25.example',
							   'support@t25.example'], '2 hours') AS id
	UNION ALL SELECT 'm2', pg_temp.mail('T25-1', 'm2', ARRAY['carl@t25.example', 'ann@t25.example'], '1 hour');

---------------------------------------------------------------- participants
SELECT results_eq($$SELECT * FROM pg_temp.participants('T25-1')$$,
		  $$VALUES ('carl@t25.example'::text, 'cc'::text, NULL::text), ('dora@t25.example', 'cc', NULL)$$,
		  'participants: the Cc of the inbound mail, once each, lower case; not the customer, not plaint''s own address');
SELECT is((SELECT added_at FROM plaint.participants WHERE ticket = 'T25-1' AND address = 'carl@t25.example'),
	  now() - interval '2 hours', 'participants: a Cc address takes part since the first mail that had it');
SELECT is(plaint.add_participant('T25-1', ' Erin@T25.example '), true, 'add_participant: a new address returns true');
SELECT is(plaint.add_participant('T25-1', 'erin@t25.example'), false, 'add_participant: again returns false');
SELECT is(plaint.add_participant('T25-1', 'carl@t25.example'), false,
	  'add_participant: a Cc participant already takes part');
SELECT results_eq($$SELECT * FROM pg_temp.participants('T25-1')$$,
		  $$VALUES ('carl@t25.example'::text, 'cc'::text, NULL::text), ('dora@t25.example', 'cc', NULL),
			   ('erin@t25.example', 'agent', pg_temp.me())$$,
		  'add_participant: the address takes part, added by the agent');
SELECT throws_ok($$SELECT plaint.add_participant('T25-1', 'ann@t25.example')$$, '22023',
		 'ann@t25.example is the customer of T25-1: replies go to them anyway',
		 'add_participant: the customer is refused');
SELECT throws_ok($$SELECT plaint.add_participant('T25-1', 'Help@t25.example')$$, '22023',
		 'help@t25.example is one of plaint''s own addresses', 'add_participant: an own address is refused');
SELECT throws_ok($$SELECT plaint.add_participant('T25-1', 'no address')$$, '22023',
		 '"no address" is not an email address', 'add_participant: a bad address is refused');
SELECT is(plaint.remove_participant('T25-1', 'Carl@t25.example'), true,
	  'remove_participant: a Cc participant is removed');
SELECT is(plaint.remove_participant('T25-1', 'carl@t25.example'), false, 'remove_participant: again returns false');
SELECT is(plaint.remove_participant('T25-1', 'zed@t25.example'), false,
	  'remove_participant: an address that never took part returns false');
SELECT results_eq($$SELECT source, removed_by, removed_at FROM plaint.ticket_participants
		     WHERE ticket_id = pg_temp.tid('T25-1') AND address = 'carl@t25.example'$$,
		  $$VALUES ('cc'::text, pg_temp.me(), now())$$,
		  'remove_participant: the removal of a Cc address is recorded');
SELECT pg_temp.mail('T25-1', 'm3', ARRAY['carl@t25.example'], '10 minutes');
SELECT results_eq($$SELECT address FROM pg_temp.participants('T25-1')$$,
		  $$VALUES ('dora@t25.example'::text), ('erin@t25.example')$$,
		  'participants: a removed address does not come back with later mail in Cc');
SELECT results_eq(
	$$SELECT kind, detail FROM plaint.events WHERE ticket_id = pg_temp.tid('T25-1')
	   AND kind LIKE 'participant%' ORDER BY id$$,
	$$VALUES ('participant_added'::text, '{"address": "erin@t25.example"}'::jsonb),
		 ('participant_removed', '{"address": "carl@t25.example", "source": "cc"}')$$,
	'add/remove_participant: one event per change');
SELECT is(plaint.add_participant('T25-1', 'carl@t25.example'), true, 'add_participant: a removed address is added back');
SELECT results_eq($$SELECT * FROM pg_temp.participants('T25-1') WHERE address = 'carl@t25.example'$$,
		  $$VALUES ('carl@t25.example'::text, 'agent'::text, pg_temp.me())$$,
		  'add_participant: back, as added by the agent');

---------------------------------------------------------------- reply: the Cc list
CREATE FUNCTION pg_temp.list(p_number text) RETURNS text[] LANGUAGE sql STABLE AS $$
	SELECT array_agg(address ORDER BY added_at, address) FROM plaint.participants WHERE ticket = p_number
$$;
SELECT plaint.reply('T25-1', 'To all.');
SELECT results_eq($$SELECT * FROM pg_temp.last_out('T25-1')$$,
		  $$SELECT 'ann@t25.example'::text, pg_temp.list('T25-1'), pg_temp.list('T25-1')$$,
		  'reply: To the customer, Cc the participants in the order they joined, on the outbox row and the message');
SELECT is((SELECT cc FROM pg_temp.last_out('T25-1')),
	  ARRAY['dora@t25.example', 'carl@t25.example', 'erin@t25.example'],
	  'reply: Dora (since the first mail), then Carl and Erin (added now, by address)');
SELECT plaint.reply('T25-1', 'And more.', 'Fred@t25.example; dora@t25.example, ann@t25.example, help@t25.example');
SELECT is((SELECT cc FROM pg_temp.last_out('T25-1')),
	  ARRAY['dora@t25.example', 'carl@t25.example', 'erin@t25.example', 'fred@t25.example'],
	  'reply with cc: the participants, then the extra addresses; none twice, not the customer, not an own address');
SELECT plaint.reply('T25-1', 'Only to Fred.', cc => 'fred@t25.example', to_participants => false);
SELECT is((SELECT cc FROM pg_temp.last_out('T25-1')), ARRAY['fred@t25.example'],
	  'reply to_participants => false: only the addresses given');
SELECT plaint.reply('T25-2', 'Hello Bo.');
SELECT is((SELECT cc FROM pg_temp.last_out('T25-2')), '{}'::text[], 'reply: no participants, no Cc');
SELECT plaint.reply('T25-2', 'Copying Gil.', 'gil@t25.example');
SELECT is((SELECT cc FROM pg_temp.last_out('T25-2')), ARRAY['gil@t25.example'],
	  'reply(ticket, body, cc): the three-argument form works as before, and the Cc is sent now');
SELECT results_eq(
	$$SELECT recipient, cc, delivery FROM plaint.thread WHERE ticket = 'T25-2' AND kind = 'reply' ORDER BY at$$,
	$$VALUES ('bo@t25.example'::text, '{}'::text[], 'queued'::text),
		 ('bo@t25.example', '{gil@t25.example}', 'queued')$$,
	'thread: outgoing mail shows the To and the exact Cc it goes to');
UPDATE plaint.outbox SET cc = '{changed@t25.example}'
 WHERE id = (SELECT max(id) FROM plaint.outbox WHERE ticket_id = pg_temp.tid('T25-2'));
SELECT is((SELECT cc FROM plaint.thread WHERE ticket = 'T25-2' AND kind = 'reply' ORDER BY at DESC LIMIT 1),
	  ARRAY['changed@t25.example'], 'thread: the Cc shown is the outbox row''s');
-- A ticket merged into T25-1 brings its participants.
SELECT pg_temp.mail('T25-3', 'm4', ARRAY['hank@t25.example'], '3 hours');
SELECT plaint.merge('T25-3', 'T25-1');
SELECT results_eq($$SELECT address, filed_on FROM plaint.participants WHERE ticket = 'T25-1' AND address = 'hank@t25.example'$$,
		  $$VALUES ('hank@t25.example'::text, 'T25-3'::text)$$,
		  'participants: after a merge, the merged ticket''s participants take part in the ticket it went into');
SELECT is(plaint.remove_participant('T25-1', 'hank@t25.example'), true,
	  'remove_participant: removes a participant that came with a merge');
SELECT ok(NOT EXISTS (SELECT FROM plaint.participants WHERE ticket = 'T25-1' AND address = 'hank@t25.example'),
	  'participants: the removal holds on the ticket it went into');

---------------------------------------------------------------- add_blob
SET LOCAL SESSION AUTHORIZATION t25_ivy;
CREATE TEMP TABLE ivy AS SELECT plaint.add_blob('C:\docs\credit.pdf', ' Application/PDF ', 'pdf bytes') AS sha;
RESET SESSION AUTHORIZATION;
GRANT SELECT ON ivy TO PUBLIC;
SELECT is((SELECT sha FROM ivy), encode(sha256('pdf bytes'::bytea), 'hex'), 'add_blob: returns the sha256 of the content');
SELECT results_eq($$SELECT filename, content_type, added_by FROM plaint.uploads WHERE sha256 = (SELECT sha FROM ivy)$$,
		  $$VALUES ('credit.pdf'::text, 'application/pdf'::text, 't25_ivy'::text)$$,
		  'add_blob: the upload under the file name (path cut off), the type in lower case, by the agent');
SELECT results_eq($$SELECT size, content FROM plaint.blobs WHERE sha256 = (SELECT sha FROM ivy)$$,
		  $$VALUES (9::bigint, 'pdf bytes'::bytea)$$, 'add_blob: the content stored once, with its size');
SELECT is(plaint.add_blob('note.txt', NULL, 'plain'), encode(sha256('plain'::bytea), 'hex'),
	  'add_blob: without a type ...');
SELECT is((SELECT content_type FROM plaint.uploads WHERE filename = 'note.txt'), 'application/octet-stream',
	  '... application/octet-stream');
SELECT throws_ok($$SELECT plaint.add_blob('x.bin', NULL, '')$$, '22023', 'the file is empty',
		 'add_blob: an empty file is refused');
SELECT throws_ok($$SELECT plaint.add_blob(E'a\nb.txt', NULL, 'x')$$, '22023', NULL,
		 'add_blob: a file name of two lines is refused');
SELECT throws_ok($$SELECT plaint.add_blob('x.txt', 'pdf', 'x')$$, '22023', 'bad content type "pdf"',
		 'add_blob: a type that is not type/subtype is refused');
UPDATE plaint.settings SET value = '10' WHERE key = 'max_attachment_bytes';
SELECT throws_ok($$SELECT plaint.add_blob('big.bin', NULL, '01234567890')$$, '54000',
		 'the file has 11 bytes, more than the 10 allowed', 'add_blob: a file over max_attachment_bytes is refused');
SELECT lives_ok($$SELECT plaint.add_blob('ten.bin', NULL, '0123456789')$$, 'add_blob: a file of exactly the limit is taken');
UPDATE plaint.blobs SET content = '', removed_at = now() WHERE sha256 = encode(sha256('plain'::bytea), 'hex');
SELECT plaint.add_blob('note.txt', NULL, 'plain');
SELECT results_eq($$SELECT content, removed_at FROM plaint.blobs WHERE sha256 = encode(sha256('plain'::bytea), 'hex')$$,
		  $$VALUES ('plain'::bytea, NULL::timestamptz)$$, 'add_blob: a removed content is stored again');
SET LOCAL SESSION AUTHORIZATION t25_ivy;
SELECT throws_ok($$INSERT INTO plaint.blobs (sha256, size, content) VALUES (repeat('0', 64), 1, 'x')$$, '42501', NULL,
		 'ivy: may not write plaint.blobs herself');
RESET SESSION AUTHORIZATION;

---------------------------------------------------------------- reply with attachments
UPDATE plaint.settings SET value = '26214400' WHERE key = 'max_attachment_bytes';
-- The photo Ann sent with her first mail.
INSERT INTO plaint.blobs (sha256, size, content) VALUES (encode(sha256('jpeg bytes'::bytea), 'hex'), 10, 'jpeg bytes');
INSERT INTO plaint.attachments (message_row, part, filename, content_type, size, sha256)
SELECT id, '2', 'photo.jpg', 'image/jpeg', 10, encode(sha256('jpeg bytes'::bytea), 'hex') FROM msg WHERE name = 'm1';
SET LOCAL SESSION AUTHORIZATION t25_ivy;
CREATE TEMP TABLE sent AS SELECT plaint.reply('T25-1', 'Credit note and your photo attached.',
	attachments => ARRAY[(SELECT sha FROM ivy), encode(sha256('jpeg bytes'::bytea), 'hex')]) AS outbox_id;
SELECT results_eq($$SELECT position, sha256, filename, content_type, size FROM plaint.outbox_attachments
		     WHERE outbox_id = (SELECT outbox_id FROM sent) ORDER BY position$$,
		  $$VALUES (1, (SELECT sha FROM ivy), 'credit.pdf'::text, 'application/pdf'::text, 9::bigint),
			   (2, encode(sha256('jpeg bytes'::bytea), 'hex'), 'photo.jpg', 'image/jpeg', 10)$$,
		  'ivy: reply attaches her upload and the ticket''s own attachment, in order, under their names');
SELECT is((SELECT attachments FROM plaint.thread WHERE ticket = 'T25-1' AND kind = 'reply'
	    AND agent = 't25_ivy'), ARRAY['credit.pdf', 'photo.jpg'], 'ivy: thread names the files of her reply');
SELECT is((SELECT attachments FROM plaint.thread WHERE ticket = 'T25-1' AND message_id = 'm1@t25.example'),
	  ARRAY['photo.jpg'], 'thread: and those of inbound mail');
SELECT results_eq($$SELECT direction, filename FROM plaint.message_attachments
		     WHERE ticket = 'T25-1' ORDER BY direction, part$$,
		  $$VALUES ('in'::text, 'photo.jpg'::text), ('out', 'credit.pdf'), ('out', 'photo.jpg')$$,
		  'message_attachments: inbound and outgoing attachments');
SELECT is((SELECT detail->'attachments' FROM plaint.events WHERE kind = 'replied'
	    AND detail->>'outbox' = (SELECT outbox_id::text FROM sent)),
	  '["credit.pdf", "photo.jpg"]'::jsonb, 'ivy: the replied event names the files');
RESET SESSION AUTHORIZATION;
SET LOCAL SESSION AUTHORIZATION t25_jon;
SELECT throws_ok($$SELECT plaint.reply('T25-2', 'Here.', attachments => ARRAY[(SELECT sha FROM ivy)])$$, '22023',
		 format('attachment %s is neither a file you stored nor an attachment of T25-2', (SELECT sha FROM ivy)),
		 'jon: another agent''s upload cannot be attached');
SELECT throws_ok($$SELECT plaint.reply('T25-2', 'Here.',
				     attachments => ARRAY[encode(sha256('jpeg bytes'::bytea), 'hex')])$$, '22023', NULL,
		 'jon: an attachment of another ticket cannot be attached');
SELECT throws_ok($$SELECT plaint.reply('T25-2', 'Here.', attachments => ARRAY[repeat('a', 64)])$$, '22023', NULL,
		 'jon: a hash nobody stored is refused');
CREATE TEMP TABLE jon AS SELECT plaint.add_blob('a.bin', NULL, 'aaaaaaaa') AS a, plaint.add_blob('b.bin', NULL, 'bbbbbbbb') AS b;
RESET SESSION AUTHORIZATION;
UPDATE plaint.settings SET value = '12' WHERE key = 'max_attachment_bytes';
SET LOCAL SESSION AUTHORIZATION t25_jon;
SELECT throws_ok($$SELECT plaint.reply('T25-2', 'Two.', attachments => ARRAY[(SELECT a FROM jon), (SELECT b FROM jon)])$$,
		 '54000', 'the attachments weigh 16 bytes, more than the 12 a reply may carry',
		 'jon: files that together weigh more than max_attachment_bytes are refused');
SELECT lives_ok($$SELECT plaint.reply('T25-2', 'One.', attachments => ARRAY[(SELECT a FROM jon)])$$,
		'jon: one of them goes');
RESET SESSION AUTHORIZATION;
UPDATE plaint.blobs SET content = '', removed_at = now() WHERE sha256 = (SELECT b FROM jon);
SET LOCAL SESSION AUTHORIZATION t25_jon;
SELECT throws_ok($$SELECT plaint.reply('T25-2', 'Gone.', attachments => ARRAY[(SELECT b FROM jon)])$$, '55000', NULL,
		 'jon: a file whose content was removed is refused');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM plaint.outbox_attachments oa JOIN plaint.outbox o ON o.id = oa.outbox_id
	    WHERE o.ticket_id = pg_temp.tid('T25-2')), 1::bigint,
	  'refused replies queued no attachment (nor mail)');

---------------------------------------------------------------- settings
SELECT throws_ok($$UPDATE plaint.settings SET value = 'support, help' WHERE key = 'own_addresses'$$, '23514', NULL,
		 'settings: own_addresses must be addresses separated by commas');
SELECT throws_ok($$UPDATE plaint.settings SET value = '25 MB' WHERE key = 'max_attachment_bytes'$$, '23514', NULL,
		 'settings: max_attachment_bytes must be a number of bytes');

---------------------------------------------------------------- privileges
SELECT ok(has_table_privilege('plaint_gateway', 'plaint.outbox_attachments', 'SELECT')
	  AND has_column_privilege('plaint_gateway', 'plaint.outbox', 'cc', 'SELECT')
	  AND has_table_privilege('plaint_gateway', 'plaint.blobs', 'SELECT'),
	  'the gateway reads outbox.cc, the outgoing attachments and their content');
SELECT ok(NOT has_table_privilege('plaint_agent', 'plaint.uploads', 'SELECT')
	  AND NOT has_table_privilege('plaint_agent', 'plaint.ticket_participants', 'INSERT'),
	  'agents neither read the uploads nor write participants directly');

SELECT * FROM finish();
ROLLBACK;
