-- 11-roles.sql: the roles of sql/migrations/0002_agents.sql.  An agent
-- reads and acts through functions but cannot write a table; the gateway
-- ingests, files and sends but cannot delete or change the schema; an
-- admin can do both and grant the roles.  The roles are cluster-wide and
-- may have existed before this database: nothing here creates them.  The
-- logins made here (t11_*) vanish with the rollback.
BEGIN;
SELECT plan(94);

CREATE FUNCTION pg_temp.me() RETURNS text LANGUAGE sql STABLE AS $$ SELECT session_user::text $$;
INSERT INTO plaint.queues (name) VALUES ('t11-q');
INSERT INTO plaint.customers (email) VALUES ('t11-dan@example.com');
WITH r AS (
	INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
	VALUES ('t11-inbox', encode(sha256('t11 one'::bytea), 'hex'), 7, 't11 one')
	RETURNING id),
t AS (
	INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at)
	SELECT n, c.id, 'Lost parcel ' || n, 't11-q', now() + interval '1 hour'
	  FROM plaint.customers c, unnest(ARRAY['T11-1', 'T11-2', 'T11-3']) n
	 WHERE c.email = 't11-dan@example.com'
	RETURNING id, number)
INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id, from_addr, subject, body)
SELECT t.id, r.id, 'in', 'one.t11@example.com', 't11-dan@example.com', 'Lost parcel', 'Where?'
  FROM t, r WHERE t.number = 'T11-1';

-- The agent functions and the gateway functions, by signature.
CREATE TEMP TABLE agent_fn (sig regprocedure);
INSERT INTO agent_fn VALUES ('plaint.reply(text,text,text,boolean,text[])'), ('plaint.note(text,text)'),
	('plaint.assign(text,text)'), ('plaint.set_status(text,text)'),
	('plaint.set_priority(text,text)'), ('plaint.merge(text,text)'),
	('plaint.set_queue(text,text)'), ('plaint.tag(text,text)'), ('plaint.untag(text,text)'),
	('plaint.open_ticket(text,text,text,text,boolean,text)'),
	('plaint.set_my_profile(text,text)'), ('plaint.add_participant(text,text)'),
	('plaint.remove_participant(text,text)'), ('plaint.add_blob(text,text,bytea)');
CREATE TEMP TABLE gateway_fn (sig regprocedure);
INSERT INTO gateway_fn
SELECT p.oid FROM pg_proc p
 WHERE p.pronamespace = 'plaint'::regnamespace AND p.proname IN ('file_message', 'queue_ack');
GRANT SELECT ON agent_fn, gateway_fn TO PUBLIC;

---------------------------------------------------------------- the roles
SELECT has_role('plaint_gateway', 'role plaint_gateway exists');
SELECT has_role('plaint_agent', 'role plaint_agent exists');
SELECT has_role('plaint_admin', 'role plaint_admin exists');
SELECT is_empty($$SELECT rolname FROM pg_roles
		   WHERE rolname IN ('plaint_gateway', 'plaint_agent', 'plaint_admin')
		     AND (rolcanlogin OR rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls)$$,
		'the three roles cannot log in and have no superuser, CREATEROLE, CREATEDB or BYPASSRLS');
SELECT results_eq(
	$$SELECT r.rolname::text COLLATE "default", m.admin_option FROM pg_auth_members m
	    JOIN pg_roles r ON r.oid = m.roleid
	   WHERE m.member = 'plaint_admin'::regrole ORDER BY 1$$,
	$$VALUES ('plaint_agent', true), ('plaint_gateway', true)$$,
	'plaint_admin is a member of plaint_agent and plaint_gateway, with ADMIN OPTION');
SELECT ok(NOT pg_has_role('plaint_agent', 'plaint_gateway', 'MEMBER')
	  AND NOT pg_has_role('plaint_gateway', 'plaint_agent', 'MEMBER'),
	  'agent and gateway are not members of each other');

---------------------------------------------------------------- plaint_agent's privileges
SELECT ok(has_schema_privilege('plaint_agent', 'plaint', 'USAGE'), 'agent: USAGE on schema plaint');
SELECT ok(NOT has_schema_privilege('plaint_agent', 'plaint', 'CREATE'), 'agent: no CREATE on schema plaint');
SELECT is_empty($$
	SELECT c.relname::text, p.priv
	  FROM pg_class c, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(priv)
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
	   AND has_table_privilege('plaint_agent', c.oid, p.priv)$$,
	'agent: no INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER on any table or view of plaint');
SELECT is_empty($$
	SELECT c.relname::text FROM pg_class c
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind = 'S'
	   AND (has_sequence_privilege('plaint_agent', c.oid, 'USAGE')
		OR has_sequence_privilege('plaint_agent', c.oid, 'UPDATE'))$$,
	'agent: no use of any sequence');
SELECT is_empty($$
	SELECT v FROM unnest(ARRAY['open_tickets', 'my_tickets', 'overdue', 'thread', 'quarantine',
				   'tickets', 'messages', 'customers', 'events', 'outbox', 'notes']) v
	 WHERE NOT has_table_privilege('plaint_agent', 'plaint.' || v, 'SELECT')$$,
	'agent: SELECT on the views and on tickets, messages, customers, events, outbox, notes');
SELECT is_empty($$SELECT sig FROM agent_fn WHERE NOT has_function_privilege('plaint_agent', sig, 'EXECUTE')$$,
		'agent: EXECUTE on every agent function');
SELECT is_empty($$SELECT sig FROM gateway_fn WHERE has_function_privilege('plaint_agent', sig, 'EXECUTE')$$,
		'agent: no EXECUTE on file_message or queue_ack');

---------------------------------------------------------------- the agent functions
SELECT is_empty($$SELECT a.sig FROM agent_fn a JOIN pg_proc p ON p.oid = a.sig
		   WHERE NOT p.prosecdef$$,
		'the agent functions are SECURITY DEFINER');
SELECT is_empty($$SELECT a.sig FROM agent_fn a JOIN pg_proc p ON p.oid = a.sig
		   WHERE p.proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, plaint, pg_temp']$$,
		'the agent functions pin search_path = pg_catalog, plaint, pg_temp');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text
	  FROM pg_proc p
	 WHERE p.pronamespace = 'plaint'::regnamespace AND p.prosecdef
	   AND (p.proconfig IS NULL
		OR NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'))$$,
	'every SECURITY DEFINER function in plaint pins its search_path');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text
	  FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
	 WHERE p.oid IN (SELECT sig FROM agent_fn UNION ALL SELECT sig FROM gateway_fn)
	   AND a.grantee = 0 AND a.privilege_type = 'EXECUTE'$$,
	'PUBLIC may not execute the agent functions, file_message or queue_ack');

---------------------------------------------------------------- plaint_gateway's privileges
SELECT ok(has_schema_privilege('plaint_gateway', 'plaint', 'USAGE'), 'gateway: USAGE on schema plaint');
SELECT ok(NOT has_schema_privilege('plaint_gateway', 'plaint', 'CREATE'), 'gateway: no CREATE on schema plaint');
SELECT is_empty($$
	SELECT v, p FROM unnest(ARRAY['raw_messages', 'mailboxes', 'messages', 'customers', 'queues',
				      'tickets', 'events', 'outbox', 'settings']) v,
	       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE']) p
	 WHERE NOT has_table_privilege('plaint_gateway', 'plaint.' || v, p)
	   AND (v, p) NOT IN (('raw_messages', 'UPDATE'), ('events', 'UPDATE'))$$,
	'gateway: SELECT, INSERT, UPDATE on what it touches');
-- It changes a raw row's state and outcome, never its bytes, and only
-- adds to the audit trail.
SELECT ok(has_column_privilege('plaint_gateway', 'plaint.raw_messages', 'state', 'UPDATE')
	  AND has_column_privilege('plaint_gateway', 'plaint.raw_messages', 'outcome', 'UPDATE'),
	  'gateway: may update a raw row''s state and outcome');
SELECT is_empty($$
	SELECT c FROM unnest(ARRAY['raw', 'sha256', 'size', 'mailbox', 'uid', 'uidvalidity',
				   'internaldate', 'fetched_at']) c
	 WHERE has_column_privilege('plaint_gateway', 'plaint.raw_messages', c, 'UPDATE')$$,
	'gateway: may not update a raw row''s bytes, hash or origin');
SELECT ok(NOT has_table_privilege('plaint_gateway', 'plaint.events', 'UPDATE'),
	  'gateway: may not update the audit trail');
SELECT ok(has_table_privilege('plaint_gateway', 'plaint.schema_migrations', 'SELECT'),
	  'gateway: reads schema_migrations (it refuses to start on another version)');
SELECT is_empty($$
	SELECT c.relname::text, p.priv
	  FROM pg_class c, unnest(ARRAY['DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(priv)
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
	   AND has_table_privilege('plaint_gateway', c.oid, p.priv)$$,
	'gateway: no DELETE, TRUNCATE, REFERENCES or TRIGGER on any table of plaint');
SELECT is_empty($$
	SELECT c.relname::text FROM pg_class c
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind = 'r'
	   AND c.relname IN ('notes', 'schema_migrations')
	   AND (has_table_privilege('plaint_gateway', c.oid, 'INSERT')
		OR has_table_privilege('plaint_gateway', c.oid, 'UPDATE'))$$,
	'gateway: cannot write notes or schema_migrations');
SELECT ok(has_sequence_privilege('plaint_gateway', 'plaint.ticket_number_seq', 'USAGE'),
	  'gateway: may number tickets');
SELECT is_empty($$SELECT sig FROM gateway_fn WHERE NOT has_function_privilege('plaint_gateway', sig, 'EXECUTE')$$,
		'gateway: EXECUTE on file_message and queue_ack');
SELECT is_empty($$SELECT sig FROM agent_fn WHERE has_function_privilege('plaint_gateway', sig, 'EXECUTE')$$,
		'gateway: no EXECUTE on the agent functions');

---------------------------------------------------------------- plaint_admin's privileges
SELECT ok(has_schema_privilege('plaint_admin', 'plaint', 'CREATE'), 'admin: CREATE on schema plaint');
SELECT is_empty($$
	SELECT c.relname::text, p.priv
	  FROM pg_class c, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p(priv)
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind = 'r'
	   AND NOT has_table_privilege('plaint_admin', c.oid, p.priv)$$,
	'admin: every right on every table of plaint');
SELECT is_empty($$SELECT sig FROM (SELECT sig FROM agent_fn UNION ALL SELECT sig FROM gateway_fn) f
		   WHERE NOT has_function_privilege('plaint_admin', sig, 'EXECUTE')$$,
		'admin: EXECUTE on the agent and gateway functions');

---------------------------------------------------------------- acting as plaint_agent
SET LOCAL ROLE plaint_agent;
SELECT throws_ok($$DELETE FROM plaint.tickets$$, '42501', 'permission denied for table tickets',
		 'agent: DELETE FROM plaint.tickets is refused');
SELECT throws_ok($$UPDATE plaint.tickets SET status = 'closed'$$, '42501',
		 'permission denied for table tickets', 'agent: UPDATE plaint.tickets is refused');
SELECT throws_ok($$INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
		   SELECT 'reply', m.ticket_id, m.id, 'x@example.com', 't11-forged@plaint.test', now()
		     FROM plaint.messages m WHERE m.message_id = 'one.t11@example.com'$$,
		 '42501', 'permission denied for table outbox', 'agent: INSERT INTO plaint.outbox is refused');
SELECT throws_ok($$INSERT INTO plaint.messages (ticket_id, direction, subject, body)
		   SELECT id, 'out', 's', 'b' FROM plaint.tickets WHERE number = 'T11-1'$$,
		 '42501', 'permission denied for table messages', 'agent: INSERT INTO plaint.messages is refused');
SELECT throws_ok($$INSERT INTO plaint.notes (ticket_id, body)
		   SELECT id, 'sneaky' FROM plaint.tickets WHERE number = 'T11-1'$$,
		 '42501', 'permission denied for table notes', 'agent: INSERT INTO plaint.notes is refused');
SELECT throws_ok($$UPDATE plaint.events SET actor = 'someone'$$, '42501',
		 'permission denied for table events', 'agent: UPDATE plaint.events (the audit trail) is refused');
SELECT throws_ok($$DELETE FROM plaint.events$$, '42501',
		 'permission denied for table events', 'agent: DELETE FROM plaint.events is refused');
SELECT throws_ok($$UPDATE plaint.settings SET value = '0' WHERE key = 'reopen_days'$$, '42501',
		 'permission denied for table settings', 'agent: UPDATE plaint.settings is refused');
SELECT throws_ok($$TRUNCATE plaint.messages$$, '42501',
		 'permission denied for table messages', 'agent: TRUNCATE is refused');
SELECT throws_ok($$CREATE TABLE plaint.t11_agent (id int)$$, '42501',
		 'permission denied for schema plaint', 'agent: CREATE TABLE in plaint is refused');
SELECT throws_ok($$SELECT * FROM plaint.file_message(jsonb_build_object(
	'raw_id', 0,
	'prefix', 'CMP',
	'queue', 'q',
	'priority', NULL,
	'tags', '{}',
	'rules', '{}',
	'drop', false,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', NULL,
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'a@b',
	'from_name', NULL,
	'subject', 's',
	'body', 'b',
	'received_at', NULL,
	'ack_within', 60,
	'ack_suppressed', NULL,
	'rules_version', 'v'))$$,
		 '42501', 'permission denied for function file_message',
		 'agent: plaint.file_message is refused');
SELECT lives_ok($$SELECT * FROM plaint.open_tickets$$, 'agent: SELECT * FROM plaint.open_tickets works');
SELECT lives_ok($$SELECT * FROM plaint.my_tickets$$, 'agent: SELECT * FROM plaint.my_tickets works');
SELECT lives_ok($$SELECT * FROM plaint.overdue$$, 'agent: SELECT * FROM plaint.overdue works');
SELECT lives_ok($$SELECT * FROM plaint.thread WHERE ticket = 'T11-1'$$, 'agent: SELECT * FROM plaint.thread works');
SELECT lives_ok($$SELECT * FROM plaint.quarantine$$, 'agent: SELECT * FROM plaint.quarantine works');
SELECT results_eq($$SELECT number, status FROM plaint.open_tickets WHERE queue = 't11-q' ORDER BY number$$,
		  $$VALUES ('T11-1', 'new'), ('T11-2', 'new'), ('T11-3', 'new')$$,
		  'agent: sees the open tickets');
SELECT lives_ok($$SELECT plaint.reply('T11-1', 'We are looking for it.')$$,
		'agent: SELECT plaint.reply(...) works');
SELECT results_eq(
	$$SELECT o.kind, o.recipient, m.subject, m.in_reply_to FROM plaint.outbox o
	    JOIN plaint.messages m ON m.id = o.message_row
	   WHERE o.ticket_id = (SELECT id FROM plaint.tickets WHERE number = 'T11-1')$$,
	$$VALUES ('reply', 't11-dan@example.com', '[T11-1] Re: Lost parcel T11-1', 'one.t11@example.com')$$,
	'agent: the reply is queued (read back through the agent''s SELECT)');
SELECT lives_ok($$SELECT plaint.note('T11-1', 'Checked with the courier.')$$, 'agent: plaint.note works');
SELECT lives_ok($$SELECT plaint.assign('T11-1', current_user)$$, 'agent: plaint.assign works');
SELECT lives_ok($$SELECT plaint.set_priority('T11-1', 'high')$$, 'agent: plaint.set_priority works');
SELECT lives_ok($$SELECT plaint.merge('T11-3', 'T11-2')$$, 'agent: plaint.merge works');
SELECT lives_ok($$SELECT plaint.set_status('T11-2', 'closed')$$, 'agent: plaint.set_status works');
SELECT results_eq($$SELECT number FROM plaint.my_tickets WHERE queue = 't11-q'$$,
		  $$VALUES ('T11-1')$$,
		  'agent: my_tickets lists the ticket assigned to current_user (plaint_agent under SET ROLE)');
SELECT results_eq(
	$$SELECT kind, actor FROM plaint.events
	   WHERE ticket_id IN (SELECT id FROM plaint.tickets WHERE queue = 't11-q') ORDER BY id$$,
	$$VALUES ('replied', pg_temp.me()), ('note', pg_temp.me()), ('assigned', pg_temp.me()),
		 ('priority', pg_temp.me()), ('merged', pg_temp.me()), ('merged_from', pg_temp.me()),
		 ('status', pg_temp.me())$$,
	'agent: each action left an event whose actor is session_user (the login), not the role or the owner');
RESET ROLE;

---------------------------------------------------------------- acting as plaint_gateway
SET LOCAL ROLE plaint_gateway;
SELECT throws_ok($$CREATE TABLE plaint.x (id int)$$, '42501', 'permission denied for schema plaint',
		 'gateway: CREATE TABLE in plaint is refused');
SELECT throws_ok($$DELETE FROM plaint.raw_messages$$, '42501', 'permission denied for table raw_messages',
		 'gateway: DELETE FROM plaint.raw_messages is refused');
SELECT throws_ok($$DELETE FROM plaint.tickets$$, '42501', 'permission denied for table tickets',
		 'gateway: DELETE FROM plaint.tickets is refused');
SELECT throws_ok($$TRUNCATE plaint.outbox$$, '42501', 'permission denied for table outbox',
		 'gateway: TRUNCATE is refused');
SELECT throws_ok($$ALTER TABLE plaint.tickets ADD COLUMN x int$$, '42501',
		 'must be owner of table tickets', 'gateway: ALTER TABLE is refused');
SELECT throws_ok($$DROP TABLE plaint.outbox$$, '42501', 'must be owner of table outbox',
		 'gateway: DROP TABLE is refused');
SELECT throws_ok($$CREATE FUNCTION plaint.f() RETURNS int LANGUAGE sql AS 'SELECT 1'$$, '42501',
		 'permission denied for schema plaint', 'gateway: CREATE FUNCTION in plaint is refused');
SELECT throws_ok($$SELECT plaint.reply('T11-1', 'Forged')$$, '42501',
		 'permission denied for function reply', 'gateway: plaint.reply is refused');
SELECT lives_ok($$INSERT INTO plaint.settings (key, value) VALUES ('message_id_domain', 't11.example')
		  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value$$,
		'gateway: upserts its settings');
SELECT lives_ok($$INSERT INTO plaint.mailboxes (name, uidvalidity, last_uid) VALUES ('t11-box', 7, 0)
		  ON CONFLICT (name) DO UPDATE SET last_uid = 1$$,
		'gateway: writes its IMAP cursor');
SELECT lives_ok($$INSERT INTO plaint.raw_messages (mailbox, uidvalidity, uid, sha256, size, raw)
		  VALUES ('t11-box', 7, 1, encode(sha256('t11 two'::bytea), 'hex'), 7, 't11 two')$$,
		'gateway: stores a raw message');
CREATE TEMP TABLE gw AS
	SELECT f.* FROM plaint.file_message(jsonb_build_object(
		'raw_id', (SELECT id FROM plaint.raw_messages WHERE mailbox = 't11-box' AND uid = 1),
		'prefix', 'T11G',
		'queue', 't11-q',
		'priority', NULL,
		'tags', '{}',
		'rules', '{}',
		'drop', false,
		'tag_number', NULL,
		'refs', '{}',
		'message_id', 'two.t11@example.com',
		'in_reply_to', NULL,
		'references', '{}',
		'from_addr', 'erin@example.com',
		'from_name', 'Erin',
		'subject', 'Broken lamp',
		'body', 'It flickers.',
		'received_at', NULL,
		'ack_within', 600,
		'ack_suppressed', NULL,
		'rules_version', 'v1')) f;
SELECT is((SELECT action FROM gw), 'opened', 'gateway: file_message opens a ticket');
SELECT is((SELECT plaint.queue_ack(ticket_id, message_row, 'erin@example.com', '[x] Broken lamp',
				   'Got it.', 'ack-two.t11@plaint.test', 'two.t11@example.com',
				   ARRAY['two.t11@example.com']) FROM gw),
	  true, 'gateway: queue_ack queues its acknowledgement');
SELECT lives_ok($$UPDATE plaint.outbox SET sent_at = now(), smtp_reply = '250 ok'
		  WHERE message_id = 'ack-two.t11@plaint.test'$$,
		'gateway: records a sent mail');
SELECT lives_ok($$SELECT coalesce(max(version), 0) FROM plaint.schema_migrations$$,
		'gateway: reads the schema version');
RESET ROLE;
SELECT is((SELECT count(*) FROM plaint.raw_messages WHERE mailbox = 't11-box' AND state = 'done'),
	  1::bigint, 'gateway: the raw row it filed is done');

---------------------------------------------------------------- acting as plaint_admin
SET LOCAL ROLE plaint_admin;
SELECT lives_ok($$CREATE TABLE plaint.t11_scratch (id int)$$, 'admin: CREATE TABLE in plaint works');
SELECT lives_ok($$UPDATE plaint.settings SET value = '14' WHERE key = 'reopen_days'$$,
		'admin: changes a setting');
SELECT lives_ok($$DELETE FROM plaint.notes WHERE body = 'Checked with the courier.'$$,
		'admin: DELETE works');
SELECT lives_ok($$SELECT plaint.reply('T11-1', 'From the admin.')$$, 'admin: the agent functions work');
INSERT INTO plaint.raw_messages (mailbox, sha256, size, raw)
VALUES ('t11-admin', encode(sha256('t11 admin'::bytea), 'hex'), 9, 't11 admin');
SELECT lives_ok($$SELECT * FROM plaint.file_message(jsonb_build_object(
	'raw_id', (SELECT id FROM plaint.raw_messages WHERE mailbox = 't11-admin'),
	'dropped_by', 'admin-test',
	'prefix', 'CMP',
	'queue', 'q',
	'priority', NULL,
	'tags', '{}',
	'rules', '{}',
	'drop', true,
	'tag_number', NULL,
	'refs', '{}',
	'message_id', NULL,
	'in_reply_to', NULL,
	'references', '{}',
	'from_addr', 'a@b',
	'from_name', NULL,
	'subject', 's',
	'body', 'b',
	'received_at', NULL,
	'ack_within', 60,
	'ack_suppressed', NULL,
	'rules_version', 'v'))$$,
		'admin: the gateway functions work');
RESET ROLE;

---------------------------------------------------------------- a login with only plaint_agent
DO $$
BEGIN
	CREATE ROLE t11_carol LOGIN;
	CREATE ROLE t11_boss LOGIN;
	GRANT plaint_admin TO t11_boss;
END
$$;
SET LOCAL SESSION AUTHORIZATION t11_boss;
SELECT lives_ok($$GRANT plaint_agent TO t11_carol$$,
		'a login with plaint_admin grants plaint_agent to a login');
RESET SESSION AUTHORIZATION;
SET LOCAL SESSION AUTHORIZATION t11_carol;
SELECT is(pg_temp.me(), 't11_carol', 'logged in as t11_carol, who has only plaint_agent');
SELECT lives_ok($$SELECT plaint.assign('T11-2', NULL)$$, 't11_carol: plaint.assign works');
SELECT lives_ok($$SELECT plaint.reply('T11-1', 'Carol here.')$$, 't11_carol: plaint.reply works');
SELECT lives_ok($$SELECT plaint.note('T11-1', 'Carol''s note.')$$, 't11_carol: plaint.note works');
SELECT lives_ok($$SELECT plaint.set_priority('T11-1', 'urgent')$$, 't11_carol: plaint.set_priority works');
SELECT lives_ok($$SELECT plaint.set_status('T11-1', 'open')$$, 't11_carol: plaint.set_status works');
SELECT lives_ok($$SELECT plaint.assign('T11-1', 't11_carol')$$, 't11_carol: plaint.assign to herself works');
-- T11-3 was merged into T11-2 above: it moves along to T11-1 (a third event).
SELECT lives_ok($$SELECT plaint.merge('T11-2', 'T11-1')$$, 't11_carol: plaint.merge works');
SELECT results_eq(
	$$SELECT kind, actor FROM plaint.events
	   WHERE ticket_id IN (SELECT id FROM plaint.tickets WHERE queue = 't11-q')
	     AND id > (SELECT max(id) FROM plaint.events WHERE kind = 'replied' AND actor <> 't11_carol')
	   ORDER BY id$$,
	$$VALUES ('replied', 't11_carol'), ('note', 't11_carol'), ('priority', 't11_carol'),
		 ('status', 't11_carol'), ('assigned', 't11_carol'), ('merged', 't11_carol'),
		 ('merged_from', 't11_carol'), ('merged', 't11_carol')$$,
	't11_carol: each of her actions left an event naming her (session_user), not the functions'' owner');
SELECT results_eq($$SELECT number FROM plaint.my_tickets WHERE queue = 't11-q'$$,
		  $$VALUES ('T11-1')$$,
		  't11_carol: my_tickets lists the ticket assigned to her');
SELECT is((SELECT author FROM plaint.messages m JOIN plaint.outbox o ON o.message_row = m.id
	    WHERE o.kind = 'reply' ORDER BY o.id DESC LIMIT 1),
	  't11_carol', 't11_carol: the reply''s message names her as author');
SELECT throws_ok($$DELETE FROM plaint.tickets WHERE number = 'T11-1'$$, '42501',
		 'permission denied for table tickets', 't11_carol: DELETE FROM plaint.tickets is refused');
SELECT throws_ok($$UPDATE plaint.tickets SET assignee = 't11_carol'$$, '42501',
		 'permission denied for table tickets', 't11_carol: UPDATE plaint.tickets is refused');
SELECT throws_ok($$GRANT plaint_agent TO t11_boss$$, '42501', NULL,
		 't11_carol: cannot grant plaint_agent');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
