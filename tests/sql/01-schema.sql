-- 01-schema.sql: the tables, the unique indexes that carry the exactly-once
-- rules, the CHECK constraints, and a COMMENT on every table and view of
-- sql/migrations/0001_spine.sql.  One transaction, rolled back.
BEGIN;
SELECT plan(101);

-- Rows made here; every test row lives in mailboxes named "t01-*".
CREATE FUNCTION pg_temp.raw(p_mailbox text, p_seed text,
			    p_uidvalidity bigint DEFAULT NULL,
			    p_uid bigint DEFAULT NULL)
RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO plaint.raw_messages (mailbox, uidvalidity, uid, sha256, size, raw)
	VALUES (p_mailbox, p_uidvalidity, p_uid,
		encode(sha256(convert_to(p_seed, 'UTF8')), 'hex'),
		octet_length(convert_to(p_seed, 'UTF8')), convert_to(p_seed, 'UTF8'))
	RETURNING id
$$;

---------------------------------------------------------------- structure
SELECT has_schema('plaint', 'schema plaint exists');

SELECT has_table('plaint', 'schema_migrations', 'table plaint.schema_migrations exists');
SELECT has_table('plaint', 'mailboxes', 'table plaint.mailboxes exists');
SELECT has_table('plaint', 'raw_messages', 'table plaint.raw_messages exists');
SELECT has_table('plaint', 'customers', 'table plaint.customers exists');
SELECT has_table('plaint', 'queues', 'table plaint.queues exists');
SELECT has_table('plaint', 'tickets', 'table plaint.tickets exists');
SELECT has_table('plaint', 'messages', 'table plaint.messages exists');
SELECT has_table('plaint', 'events', 'table plaint.events exists');
SELECT has_table('plaint', 'outbox', 'table plaint.outbox exists');
SELECT has_view('plaint', 'tickets_overview', 'view plaint.tickets_overview exists');
SELECT has_view('plaint', 'quarantine', 'view plaint.quarantine exists');
SELECT has_sequence('plaint', 'ticket_number_seq', 'sequence plaint.ticket_number_seq exists');
SELECT has_function('plaint', 'file_message', 'function plaint.file_message exists');
SELECT has_function('plaint', 'queue_ack', 'function plaint.queue_ack exists');

SELECT ok(EXISTS (SELECT 1 FROM plaint.schema_migrations WHERE version = 1),
	  'schema_migrations records version 1');

-- raw_messages
SELECT col_type_is('plaint', 'raw_messages', 'mailbox', 'text', 'raw_messages.mailbox is text');
SELECT col_type_is('plaint', 'raw_messages', 'uidvalidity', 'bigint', 'raw_messages.uidvalidity is bigint');
SELECT col_type_is('plaint', 'raw_messages', 'uid', 'bigint', 'raw_messages.uid is bigint');
SELECT col_type_is('plaint', 'raw_messages', 'internaldate', 'timestamp with time zone', 'raw_messages.internaldate is timestamptz');
SELECT col_type_is('plaint', 'raw_messages', 'fetched_at', 'timestamp with time zone', 'raw_messages.fetched_at is timestamptz');
SELECT col_type_is('plaint', 'raw_messages', 'raw', 'bytea', 'raw_messages.raw is bytea');
SELECT col_not_null('plaint', 'raw_messages', 'raw', 'raw_messages.raw is NOT NULL');
SELECT col_not_null('plaint', 'raw_messages', 'sha256', 'raw_messages.sha256 is NOT NULL');
SELECT col_default_is('plaint', 'raw_messages', 'state', 'new'::text, 'raw_messages.state defaults to new');

-- customers, tickets
SELECT col_is_unique('plaint', 'customers', 'email', 'customers.email is unique');
SELECT col_is_unique('plaint', 'tickets', 'number', 'tickets.number is unique');
SELECT col_not_null('plaint', 'tickets', 'ack_due_at', 'tickets.ack_due_at is NOT NULL');
SELECT col_default_is('plaint', 'tickets', 'status', 'new'::text, 'tickets.status defaults to new');
SELECT col_default_is('plaint', 'tickets', 'priority', 'normal'::text, 'tickets.priority defaults to normal');
SELECT col_type_is('plaint', 'tickets', 'tags', 'text[]', 'tickets.tags is text[]');
SELECT col_type_is('plaint', 'tickets', 'rules', 'text[]', 'tickets.rules is text[]');
SELECT fk_ok('plaint', 'tickets', 'customer_id', 'plaint', 'customers', 'id', 'tickets.customer_id references customers');
SELECT fk_ok('plaint', 'tickets', 'queue', 'plaint', 'queues', 'name', 'tickets.queue references queues');

-- messages
SELECT col_type_is('plaint', 'messages', 'references', 'text[]', 'messages.references is text[]');
SELECT col_is_unique('plaint', 'messages', 'raw_id', 'messages.raw_id is unique: a raw row is filed once');
SELECT fk_ok('plaint', 'messages', 'raw_id', 'plaint', 'raw_messages', 'id', 'messages.raw_id references raw_messages');
SELECT fk_ok('plaint', 'messages', 'ticket_id', 'plaint', 'tickets', 'id', 'messages.ticket_id references tickets');

-- events, outbox
SELECT fk_ok('plaint', 'events', 'ticket_id', 'plaint', 'tickets', 'id', 'events.ticket_id references tickets');
SELECT col_is_unique('plaint', 'outbox', 'message_id', 'outbox.message_id is unique');
SELECT col_is_unique('plaint', 'outbox', 'message_row', 'outbox.message_row is unique');
SELECT col_not_null('plaint', 'outbox', 'due_at', 'outbox.due_at is NOT NULL');
SELECT fk_ok('plaint', 'outbox', 'message_row', 'plaint', 'messages', 'id', 'outbox.message_row references messages');
SELECT fk_ok('plaint', 'outbox', 'ticket_id', 'plaint', 'tickets', 'id', 'outbox.ticket_id references tickets');

---------------------------------------------------------------- unique indexes
SELECT has_index('plaint', 'raw_messages', 'raw_messages_imap_key', ARRAY['mailbox', 'uidvalidity', 'uid'], 'index raw_messages_imap_key on (mailbox, uidvalidity, uid)');
SELECT index_is_unique('plaint', 'raw_messages', 'raw_messages_imap_key', 'raw_messages_imap_key is unique');
SELECT has_index('plaint', 'raw_messages', 'raw_messages_ingest_key', ARRAY['mailbox', 'sha256'], 'index raw_messages_ingest_key on (mailbox, sha256)');
SELECT index_is_unique('plaint', 'raw_messages', 'raw_messages_ingest_key', 'raw_messages_ingest_key is unique');
SELECT has_index('plaint', 'messages', 'messages_in_fingerprint', ARRAY['fingerprint'], 'index messages_in_fingerprint on (fingerprint)');
SELECT index_is_unique('plaint', 'messages', 'messages_in_fingerprint', 'messages_in_fingerprint is unique');
SELECT has_index('plaint', 'outbox', 'outbox_one_ack_per_ticket', ARRAY['ticket_id'], 'index outbox_one_ack_per_ticket on (ticket_id)');
SELECT index_is_unique('plaint', 'outbox', 'outbox_one_ack_per_ticket', 'outbox_one_ack_per_ticket is unique');

-- raw_messages_imap_key: one raw row per (mailbox, UIDVALIDITY, UID)
SELECT lives_ok($$SELECT pg_temp.raw('t01-inbox', 'imap one', 7, 1)$$,
		'raw row with mailbox, uidvalidity and uid');
SELECT throws_ok($$SELECT pg_temp.raw('t01-inbox', 'imap one again', 7, 1)$$,
		 '23505', 'duplicate key value violates unique constraint "raw_messages_imap_key"',
		 'the same (mailbox, uidvalidity, uid) twice is refused, whatever the bytes');
SELECT lives_ok($$SELECT pg_temp.raw('t01-inbox', 'imap one', 8, 1)$$,
		'the same uid under a new uidvalidity is another message');
SELECT lives_ok($$SELECT pg_temp.raw('t01-other', 'imap one', 7, 1)$$,
		'the same uidvalidity and uid in another mailbox is another message');
SELECT lives_ok($$SELECT pg_temp.raw('t01-inbox', 'imap one', 7, 2)$$,
		'the same bytes under another uid are kept (ingest key applies to uid-less rows only)');

-- raw_messages_ingest_key: one uid-less (ingested) raw row per (mailbox, sha256)
SELECT lives_ok($$SELECT pg_temp.raw('t01-inbox', 'ingested')$$,
		'ingested raw row (no uid)');
SELECT throws_ok($$SELECT pg_temp.raw('t01-inbox', 'ingested')$$,
		 '23505', 'duplicate key value violates unique constraint "raw_messages_ingest_key"',
		 'the same bytes ingested twice into one mailbox are refused');
SELECT lives_ok($$SELECT pg_temp.raw('t01-other', 'ingested')$$,
		'the same bytes ingested into another mailbox are kept');
SELECT lives_ok($$SELECT pg_temp.raw('t01-inbox', 'ingested', 7, 3)$$,
		'the same bytes fetched over IMAP (with a uid) are kept');

---------------------------------------------------------------- CHECKs on raw_messages
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state)
		   VALUES ('t01-chk', encode(sha256('c1'::bytea), 'hex'), 2, 'c1', 'bogus')$$,
		 '23514', NULL, 'raw_messages.state must be new, done or quarantined');
SELECT lives_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome, reason)
		  VALUES ('t01-chk', encode(sha256('c2'::bytea), 'hex'), 2, 'c2', 'new', NULL, NULL),
			 ('t01-chk', encode(sha256('c3'::bytea), 'hex'), 2, 'c3', 'done', 'ticket', NULL),
			 ('t01-chk', encode(sha256('c4'::bytea), 'hex'), 2, 'c4', 'quarantined', 'quarantined', 'why')$$,
		'raw_messages.state accepts new, done and quarantined, each with its outcome');
-- The ledger: every processed row says where it ended, and names what
-- its outcome refers to.
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state)
		   VALUES ('t01-chk', encode(sha256('c9'::bytea), 'hex'), 2, 'c9', 'done')$$,
		 '23514', NULL, 'a done row without an outcome is refused');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome)
		   VALUES ('t01-chk', encode(sha256('c10'::bytea), 'hex'), 3, 'c10', 'quarantined', 'quarantined')$$,
		 '23514', NULL, 'a quarantined row without a reason is refused');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome)
		   VALUES ('t01-chk', encode(sha256('c11'::bytea), 'hex'), 3, 'c11', 'done', 'duplicate')$$,
		 '23514', NULL, 'a duplicate that names no original is refused');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome)
		   VALUES ('t01-chk', encode(sha256('c12'::bytea), 'hex'), 3, 'c12', 'done', 'dropped')$$,
		 '23514', NULL, 'a dropped row that names no rule is refused');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw, state, outcome)
		   VALUES ('t01-chk', encode(sha256('c13'::bytea), 'hex'), 3, 'c13', 'new', 'ticket')$$,
		 '23514', NULL, 'a new row has no outcome yet');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		   VALUES ('t01-chk', upper(encode(sha256('c5'::bytea), 'hex')), 2, 'c5')$$,
		 '23514', NULL, 'raw_messages.sha256 must be lower-case hex');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		   VALUES ('t01-chk', substr(encode(sha256('c6'::bytea), 'hex'), 2), 2, 'c6')$$,
		 '23514', NULL, 'raw_messages.sha256 must be 64 characters, not 63');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		   VALUES ('t01-chk', encode(sha256('c7'::bytea), 'hex') || '0', 2, 'c7')$$,
		 '23514', NULL, 'raw_messages.sha256 must be 64 characters, not 65');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
		   VALUES ('t01-chk', repeat('g', 64), 2, 'c8')$$,
		 '23514', NULL, 'raw_messages.sha256 must be hex digits');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, uid, sha256, size, raw)
		   VALUES ('t01-chk', 5, encode(sha256('c9'::bytea), 'hex'), 2, 'c9')$$,
		 '23514', NULL, 'raw_messages: a uid without a uidvalidity is refused');
SELECT throws_ok($$INSERT INTO plaint.raw_messages (mailbox, uidvalidity, sha256, size, raw)
		   VALUES ('t01-chk', 5, encode(sha256('c10'::bytea), 'hex'), 3, 'c10')$$,
		 '23514', NULL, 'raw_messages: a uidvalidity without a uid is refused');

---------------------------------------------------------------- customers, tickets
INSERT INTO plaint.customers (email, name) VALUES ('t01-dana@example.com', 'Dana');
INSERT INTO plaint.queues (name) VALUES ('t01-queue');
CREATE TEMP TABLE t01_ticket AS
	WITH t AS (
		INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at)
		SELECT 'T01-1', c.id, 'schema test', 't01-queue', now()
		  FROM plaint.customers c WHERE c.email = 't01-dana@example.com'
		RETURNING id, customer_id)
	SELECT id, customer_id AS customer FROM t;

SELECT throws_ok($$INSERT INTO plaint.customers (email) VALUES ('T01-Erin@Example.com')$$,
		 '23514', NULL, 'customers.email must be lower-case');
SELECT throws_ok($$INSERT INTO plaint.customers (email) VALUES ('t01-dana@example.com')$$,
		 '23505', NULL, 'customers.email is unique');
SELECT throws_ok($$INSERT INTO plaint.tickets (number, customer_id, subject, queue, priority, ack_due_at)
		   SELECT 'T01-2', customer, 's', 't01-queue', 'critical', now() FROM t01_ticket$$,
		 '23514', NULL, 'tickets.priority must be low, normal, high or urgent');
SELECT lives_ok($$INSERT INTO plaint.tickets (number, customer_id, subject, queue, priority, ack_due_at)
		  SELECT 'T01-' || p, customer, 's', 't01-queue', p, now()
		    FROM t01_ticket, unnest(ARRAY['low', 'normal', 'high', 'urgent']) p$$,
		'tickets.priority accepts low, normal, high and urgent');
SELECT throws_ok($$INSERT INTO plaint.tickets (number, customer_id, subject, queue, status, ack_due_at)
		   SELECT 'T01-3', customer, 's', 't01-queue', 'reopened', now() FROM t01_ticket$$,
		 '23514', NULL, 'tickets.status must be new, open, pending, resolved or closed');
SELECT lives_ok($$INSERT INTO plaint.tickets (number, customer_id, subject, queue, status, ack_due_at)
		  SELECT 'T01-' || s, customer, 's', 't01-queue', s, now()
		    FROM t01_ticket, unnest(ARRAY['new', 'open', 'pending', 'resolved', 'closed']) s$$,
		'tickets.status accepts new, open, pending, resolved and closed');
SELECT throws_ok($$INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at)
		   SELECT 'T01-1', customer, 's', 't01-queue', now() FROM t01_ticket$$,
		 '23505', NULL, 'tickets.number is unique');

---------------------------------------------------------------- messages
CREATE TEMP TABLE t01_raw AS
	SELECT pg_temp.raw('t01-msg', 'm1') AS m1, pg_temp.raw('t01-msg', 'm2') AS m2,
	       pg_temp.raw('t01-msg', 'm3') AS m3, pg_temp.raw('t01-msg', 'm5') AS m5;

SELECT lives_ok($$INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id, fingerprint)
		  SELECT id, m1, 'in', 't01-dup@example.com', repeat('a', 64) FROM t01_ticket, t01_raw$$,
		'an inbound message with a Message-ID and a fingerprint');
SELECT lives_ok($$INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id, fingerprint)
		  SELECT id, m2, 'in', 't01-dup@example.com', repeat('b', 64) FROM t01_ticket, t01_raw$$,
		'another inbound message reusing that Message-ID, with other content, is kept');
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id, fingerprint)
		   SELECT id, m3, 'in', 't01-other@example.com', repeat('a', 64) FROM t01_ticket, t01_raw$$,
		 '23505', 'duplicate key value violates unique constraint "messages_in_fingerprint"',
		 'a second inbound message with the same fingerprint is refused, whatever its Message-ID');
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, raw_id, direction, fingerprint)
		   SELECT id, m3, 'in', 'not-a-hash' FROM t01_ticket, t01_raw$$,
		 '23514', NULL, 'messages.fingerprint must be a sha256 in hex');
SELECT lives_ok($$INSERT INTO plaint.messages (ticket_id, direction, message_id, fingerprint)
		  SELECT id, 'out', 't01-dup@example.com', repeat('a', 64) FROM t01_ticket$$,
		'an outbound message is not unique-checked (the index is on direction = in)');
SELECT lives_ok($$INSERT INTO plaint.messages (ticket_id, raw_id, direction)
		  SELECT id, m3, 'in' FROM t01_ticket, t01_raw;
		  INSERT INTO plaint.messages (ticket_id, raw_id, direction)
		  SELECT id, m5, 'in' FROM t01_ticket, t01_raw$$,
		'inbound messages without a fingerprint (filed before version 7) are not unique-checked');
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, raw_id, direction)
		   SELECT id, m1, 'in' FROM t01_ticket, t01_raw$$,
		 '23505', NULL, 'a raw row is filed as at most one message');
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, direction) SELECT id, 'in' FROM t01_ticket$$,
		 '23514', NULL, 'an inbound message must have a raw row');
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, raw_id, direction)
		   SELECT id, pg_temp.raw('t01-msg', 'm4'), 'out' FROM t01_ticket$$,
		 '23514', NULL, 'an outbound message has no raw row');
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, direction) SELECT id, 'sideways' FROM t01_ticket$$,
		 '23514', NULL, 'messages.direction must be in or out');

---------------------------------------------------------------- outbox
CREATE TEMP TABLE t01_out AS
	WITH m AS (
		INSERT INTO plaint.messages (ticket_id, direction, message_id)
		SELECT id, 'out', 't01-out-' || n FROM t01_ticket, generate_series(1, 5) n
		RETURNING id, message_id)
	SELECT message_id AS name, id FROM m;

SELECT lives_ok($$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
		  SELECT 'ack', t.id, o.id, 'dana@example.com', 't01-ack-1@plaint.test', now()
		    FROM t01_ticket t, t01_out o WHERE o.name = 't01-out-1'$$,
		'first acknowledgement of a ticket');
SELECT throws_ok($$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
		   SELECT 'ack', t.id, o.id, 'dana@example.com', 't01-ack-2@plaint.test', now()
		     FROM t01_ticket t, t01_out o WHERE o.name = 't01-out-2'$$,
		 '23505', 'duplicate key value violates unique constraint "outbox_one_ack_per_ticket"',
		 'a second acknowledgement of the same ticket is refused');
SELECT lives_ok($$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
		  SELECT 'reply', t.id, o.id, 'dana@example.com', 't01-reply-1@plaint.test', now()
		    FROM t01_ticket t, t01_out o WHERE o.name = 't01-out-3'$$,
		'a reply beside the acknowledgement of the same ticket is accepted');
SELECT throws_ok($$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
		   SELECT 'reply', t.id, o.id, 'dana@example.com', 't01-ack-1@plaint.test', now()
		     FROM t01_ticket t, t01_out o WHERE o.name = 't01-out-4'$$,
		 '23505', 'duplicate key value violates unique constraint "outbox_message_id_key"',
		 'two outgoing mails with one Message-ID are refused');
SELECT throws_ok($$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
		   SELECT 'reply', t.id, o.id, 'dana@example.com', 't01-reply-2@plaint.test', now()
		     FROM t01_ticket t, t01_out o WHERE o.name = 't01-out-3'$$,
		 '23505', NULL, 'one message row is sent by at most one outbox row');
SELECT throws_ok($$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
		   SELECT 'nag', t.id, o.id, 'dana@example.com', 't01-nag@plaint.test', now()
		     FROM t01_ticket t, t01_out o WHERE o.name = 't01-out-5'$$,
		 '23514', NULL, 'outbox.kind must be ack or reply');

---------------------------------------------------------------- COMMENTs
SELECT is_empty($$
	SELECT c.relname::text
	  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname = 'plaint' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
	   AND coalesce(btrim(obj_description(c.oid, 'pg_class')), '') = ''
	 ORDER BY 1$$,
	'every table and view in schema plaint has a COMMENT (lists those that lack one)');
SELECT cmp_ok((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'plaint' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')),
	      '>=', 11, 'schema plaint has at least the 9 tables and 2 views of 0001 (the check above saw them)');
SELECT isnt(obj_description('plaint'::regnamespace, 'pg_namespace'), NULL, 'schema plaint has a COMMENT');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text
	  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	 WHERE n.nspname = 'plaint'
	   AND coalesce(btrim(obj_description(p.oid, 'pg_proc')), '') = ''
	 ORDER BY 1$$,
	'every function in schema plaint has a COMMENT (lists those that lack one)');

SELECT * FROM finish();
ROLLBACK;
