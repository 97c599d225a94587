-- 0001_spine.sql: raw mail, messages, customers, tickets, events, outbox,
-- and the functions the gateway files mail with.
--
-- The database enforces the exactly-once rules: one raw row per
-- (mailbox, UIDVALIDITY, UID), one inbound message per Message-ID, one
-- acknowledgement per ticket, one Message-ID per outgoing mail.

CREATE SCHEMA plaint;
COMMENT ON SCHEMA plaint IS 'plaint: complaints from email to tickets and acknowledgements';

CREATE TABLE plaint.schema_migrations (
	version    integer PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE plaint.schema_migrations IS 'Migrations applied by plaint db migrate';

CREATE TABLE plaint.mailboxes (
	name        text PRIMARY KEY,
	uidvalidity bigint NOT NULL DEFAULT 0,
	last_uid    bigint NOT NULL DEFAULT 0,
	polled_at   timestamptz
);
COMMENT ON TABLE plaint.mailboxes IS 'IMAP cursor per configured mailbox: UIDVALIDITY and the highest UID stored';

CREATE TABLE plaint.raw_messages (
	id           bigserial PRIMARY KEY,
	mailbox      text NOT NULL,
	uidvalidity  bigint,
	uid          bigint,
	internaldate timestamptz,
	fetched_at   timestamptz NOT NULL DEFAULT now(),
	sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	size         integer NOT NULL,
	raw          bytea NOT NULL,
	state        text NOT NULL DEFAULT 'new'
	             CHECK (state IN ('new', 'done', 'quarantined')),
	reason       text,
	processed_at timestamptz,
	CHECK ((uid IS NULL) = (uidvalidity IS NULL))
);
CREATE UNIQUE INDEX raw_messages_imap_key
	ON plaint.raw_messages (mailbox, uidvalidity, uid) WHERE uid IS NOT NULL;
CREATE UNIQUE INDEX raw_messages_ingest_key
	ON plaint.raw_messages (mailbox, sha256) WHERE uid IS NULL;
CREATE INDEX raw_messages_new ON plaint.raw_messages (id) WHERE state = 'new';
COMMENT ON TABLE plaint.raw_messages IS 'Every message exactly as fetched; the source of truth, never deleted';
COMMENT ON COLUMN plaint.raw_messages.internaldate IS 'When the IMAP server received the message (INTERNALDATE); NULL for ingested mail';
COMMENT ON COLUMN plaint.raw_messages.state IS 'new: waiting to be processed; done: filed; quarantined: kept but not filed, see reason';
COMMENT ON COLUMN plaint.raw_messages.reason IS 'Why the message was quarantined, dropped or taken as a duplicate';

CREATE TABLE plaint.customers (
	id         bigserial PRIMARY KEY,
	email      text NOT NULL UNIQUE CHECK (email = lower(email)),
	name       text,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE plaint.customers IS 'People who wrote to support, identified by their From address';

CREATE TABLE plaint.queues (
	name       text PRIMARY KEY,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE plaint.queues IS 'Queues tickets are routed to; a queue is created when first used';

CREATE SEQUENCE plaint.ticket_number_seq START 1000;

CREATE TABLE plaint.tickets (
	id          bigserial PRIMARY KEY,
	number      text NOT NULL UNIQUE,
	customer_id bigint NOT NULL REFERENCES plaint.customers,
	subject     text NOT NULL,
	queue       text NOT NULL REFERENCES plaint.queues,
	priority    text NOT NULL DEFAULT 'normal'
	            CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	status      text NOT NULL DEFAULT 'new'
	            CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
	tags        text[] NOT NULL DEFAULT '{}',
	rules       text[] NOT NULL DEFAULT '{}',
	assignee    text,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	ack_due_at  timestamptz NOT NULL
);
CREATE INDEX tickets_open ON plaint.tickets (queue, created_at)
	WHERE status NOT IN ('resolved', 'closed');
COMMENT ON TABLE plaint.tickets IS 'One complaint and its conversation';
COMMENT ON COLUMN plaint.tickets.number IS 'What customers see in the subject, e.g. CMP-1042';
COMMENT ON COLUMN plaint.tickets.rules IS 'Names of the rules that matched the message that opened the ticket';
COMMENT ON COLUMN plaint.tickets.ack_due_at IS 'Arrival of the first message plus the acknowledgement SLA';

CREATE TABLE plaint.messages (
	id             bigserial PRIMARY KEY,
	ticket_id      bigint REFERENCES plaint.tickets,
	raw_id         bigint UNIQUE REFERENCES plaint.raw_messages,
	direction      text NOT NULL CHECK (direction IN ('in', 'out')),
	message_id     text,
	in_reply_to    text,
	"references"   text[] NOT NULL DEFAULT '{}',
	from_addr      text,
	from_name      text,
	subject        text NOT NULL DEFAULT '',
	body           text NOT NULL DEFAULT '',
	received_at    timestamptz,
	created_at     timestamptz NOT NULL DEFAULT now(),
	ack_suppressed text,
	rules_version  text,
	CHECK ((direction = 'in') = (raw_id IS NOT NULL))
);
CREATE UNIQUE INDEX messages_in_message_id
	ON plaint.messages (message_id) WHERE direction = 'in' AND message_id IS NOT NULL;
CREATE INDEX messages_message_id ON plaint.messages (message_id);
CREATE INDEX messages_ticket ON plaint.messages (ticket_id, id);
COMMENT ON TABLE plaint.messages IS 'Every message of a conversation, in (from customers) and out (acknowledgements, replies)';
COMMENT ON COLUMN plaint.messages.message_id IS 'Message-ID without angle brackets; replies naming it thread onto the ticket';
COMMENT ON COLUMN plaint.messages.ack_suppressed IS 'Why no acknowledgement went out for this message (auto-reply, list, ...), if so';
COMMENT ON COLUMN plaint.messages.rules_version IS 'Hash of the rule set that classified the message';

CREATE TABLE plaint.events (
	id        bigserial PRIMARY KEY,
	ticket_id bigint NOT NULL REFERENCES plaint.tickets,
	at        timestamptz NOT NULL DEFAULT now(),
	actor     text NOT NULL DEFAULT current_user,
	kind      text NOT NULL,
	detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_ticket ON plaint.events (ticket_id, id);
COMMENT ON TABLE plaint.events IS 'Audit trail: who did what to which ticket, and when';

CREATE TABLE plaint.outbox (
	id              bigserial PRIMARY KEY,
	kind            text NOT NULL CHECK (kind IN ('ack', 'reply')),
	ticket_id       bigint NOT NULL REFERENCES plaint.tickets,
	message_row     bigint NOT NULL UNIQUE REFERENCES plaint.messages,
	recipient       text NOT NULL,
	message_id      text NOT NULL UNIQUE,
	queued_at       timestamptz NOT NULL DEFAULT now(),
	due_at          timestamptz NOT NULL,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	lease_until     timestamptz,
	attempts        integer NOT NULL DEFAULT 0,
	sent_at         timestamptz,
	failed_at       timestamptz,
	last_error      text,
	smtp_reply      text
);
CREATE UNIQUE INDEX outbox_one_ack_per_ticket ON plaint.outbox (ticket_id) WHERE kind = 'ack';
CREATE INDEX outbox_due ON plaint.outbox (due_at)
	WHERE sent_at IS NULL AND failed_at IS NULL;
COMMENT ON TABLE plaint.outbox IS 'Every outgoing mail, from queueing to the SMTP server''s reply; the gateway alone sends';
COMMENT ON COLUMN plaint.outbox.message_id IS 'Fixed when queued, so a resend after a crash carries the same id';
COMMENT ON COLUMN plaint.outbox.due_at IS 'The SLA deadline: the outbox sends earliest deadline first';
COMMENT ON COLUMN plaint.outbox.lease_until IS 'A gateway holds the row until then while sending it';
COMMENT ON COLUMN plaint.outbox.smtp_reply IS 'The SMTP server''s reply to the end of DATA, e.g. 250 ...';

-- Files one inbound message: duplicate check, drop, threading, or a new
-- ticket; records the message and an event and marks the raw row done.
-- The C side computes the facts; this one function applies them.
CREATE FUNCTION plaint.file_message(
	p_raw_id bigint, p_prefix text, p_queue text, p_priority text,
	p_tags text[], p_rules text[], p_drop boolean,
	p_tag_number text, p_refs text[],
	p_message_id text, p_in_reply_to text, p_references text[],
	p_from_addr text, p_from_name text, p_subject text, p_body text,
	p_received_at timestamptz, p_ack_within integer,
	p_ack_suppressed text, p_rules_version text,
	OUT action text, OUT ticket_id bigint, OUT ticket_number text,
	OUT message_row bigint)
LANGUAGE plpgsql AS $$
DECLARE
	v_customer bigint;
	v_status text;
	v_arrived timestamptz := coalesce(p_received_at, now());
BEGIN
	IF p_message_id IS NOT NULL THEN
		-- Two gateways filing one Message-ID at once: the second
		-- waits here, then finds the first one's message.
		PERFORM pg_advisory_xact_lock(hashtext('plaint.message_id'),
					      hashtext(p_message_id));
		SELECT m.ticket_id, m.id INTO ticket_id, message_row
		  FROM plaint.messages m
		 WHERE m.message_id = p_message_id AND m.direction = 'in';
		IF FOUND THEN
			UPDATE plaint.raw_messages
			   SET state = 'done', processed_at = now(),
			       reason = 'duplicate of message ' || message_row
			 WHERE id = p_raw_id;
			SELECT t.number INTO ticket_number FROM plaint.tickets t
			 WHERE t.id = ticket_id;
			action := 'duplicate';
			RETURN;
		END IF;
	END IF;

	IF p_drop THEN
		UPDATE plaint.raw_messages
		   SET state = 'done', processed_at = now(),
		       reason = 'dropped by rule ' ||
				coalesce(nullif(array_to_string(p_rules, ','), ''), '?')
		 WHERE id = p_raw_id;
		action := 'dropped';
		RETURN;
	END IF;

	IF p_tag_number IS NOT NULL THEN
		SELECT t.id, t.number INTO ticket_id, ticket_number
		  FROM plaint.tickets t WHERE t.number = upper(p_tag_number);
	END IF;
	IF ticket_id IS NULL AND cardinality(p_refs) > 0 THEN
		SELECT t.id, t.number INTO ticket_id, ticket_number
		  FROM unnest(p_refs) WITH ORDINALITY AS r(id, n)
		  JOIN plaint.messages m ON m.message_id = r.id
		  JOIN plaint.tickets t ON t.id = m.ticket_id
		 ORDER BY r.n, m.id LIMIT 1;
	END IF;

	IF ticket_id IS NULL THEN
		INSERT INTO plaint.customers (email, name)
		VALUES (lower(p_from_addr), nullif(p_from_name, ''))
		ON CONFLICT (email) DO UPDATE
		   SET name = coalesce(EXCLUDED.name, plaint.customers.name)
		RETURNING id INTO v_customer;
		INSERT INTO plaint.queues (name) VALUES (p_queue)
		ON CONFLICT DO NOTHING;
		ticket_number := upper(p_prefix) || '-' ||
				 nextval('plaint.ticket_number_seq');
		INSERT INTO plaint.tickets (number, customer_id, subject, queue,
					    priority, tags, rules, ack_due_at)
		VALUES (ticket_number, v_customer, p_subject, p_queue,
			coalesce(p_priority, 'normal'), p_tags, p_rules,
			v_arrived + make_interval(secs => p_ack_within))
		RETURNING id INTO ticket_id;
		action := 'opened';
	ELSE
		SELECT t.status INTO v_status FROM plaint.tickets t
		 WHERE t.id = ticket_id FOR UPDATE;
		UPDATE plaint.tickets t
		   SET updated_at = now(),
		       status = CASE WHEN v_status IN ('resolved', 'closed', 'pending')
				     THEN 'open' ELSE t.status END
		 WHERE t.id = ticket_id;
		action := 'threaded';
	END IF;

	INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id,
				     in_reply_to, "references", from_addr,
				     from_name, subject, body, received_at,
				     ack_suppressed, rules_version)
	VALUES (ticket_id, p_raw_id, 'in', p_message_id, p_in_reply_to,
		coalesce(p_references, '{}'), lower(p_from_addr), p_from_name,
		p_subject, p_body, v_arrived, p_ack_suppressed, p_rules_version)
	RETURNING id INTO message_row;

	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (ticket_id, 'gateway', action,
		jsonb_build_object('message', message_row, 'raw', p_raw_id,
				   'rules', p_rules, 'from', lower(p_from_addr)));

	UPDATE plaint.raw_messages SET state = 'done', processed_at = now()
	 WHERE id = p_raw_id;
END
$$;
COMMENT ON FUNCTION plaint.file_message IS 'Gateway only: files one parsed inbound message onto its ticket, opening one if none matches';

-- Queues the acknowledgement of a new ticket: an outbound message row
-- (so replies to it thread) and its outbox row, due at the SLA deadline.
CREATE FUNCTION plaint.queue_ack(
	p_ticket_id bigint, p_reply_to_row bigint, p_recipient text,
	p_subject text, p_body text, p_message_id text,
	p_in_reply_to text, p_references text[])
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	v_row bigint;
BEGIN
	PERFORM 1 FROM plaint.outbox o
	 WHERE o.ticket_id = p_ticket_id AND o.kind = 'ack';
	IF FOUND THEN
		RETURN false;
	END IF;
	INSERT INTO plaint.messages (ticket_id, direction, message_id,
				     in_reply_to, "references", subject, body)
	VALUES (p_ticket_id, 'out', p_message_id, p_in_reply_to,
		coalesce(p_references, '{}'), p_subject, p_body)
	RETURNING id INTO v_row;
	INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient,
				   message_id, due_at)
	SELECT 'ack', p_ticket_id, v_row, p_recipient, p_message_id,
	       t.ack_due_at
	  FROM plaint.tickets t WHERE t.id = p_ticket_id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (p_ticket_id, 'gateway', 'ack_queued',
		jsonb_build_object('message_id', p_message_id,
				   'in_reply_to_row', p_reply_to_row));
	PERFORM pg_notify('plaint_outbox', p_ticket_id::text);
	RETURN true;
END
$$;
COMMENT ON FUNCTION plaint.queue_ack IS 'Gateway only: queues the acknowledgement of a ticket, at most one per ticket';

CREATE VIEW plaint.tickets_overview AS
SELECT t.number, t.status, t.queue, t.priority, t.subject,
       c.email AS customer, t.tags, t.created_at, t.ack_due_at,
       (SELECT o.sent_at FROM plaint.outbox o
	 WHERE o.ticket_id = t.id AND o.kind = 'ack') AS ack_sent_at,
       (SELECT count(*) FROM plaint.messages m
	 WHERE m.ticket_id = t.id) AS messages
  FROM plaint.tickets t
  JOIN plaint.customers c ON c.id = t.customer_id;
COMMENT ON VIEW plaint.tickets_overview IS 'Every ticket with its customer, acknowledgement time and message count';

CREATE VIEW plaint.quarantine AS
SELECT r.id AS raw_id, r.mailbox, r.uid, r.fetched_at, r.size, r.reason
  FROM plaint.raw_messages r WHERE r.state = 'quarantined';
COMMENT ON VIEW plaint.quarantine IS 'Mail kept but not filed, with the reason; the raw bytes are in raw_messages';

INSERT INTO plaint.schema_migrations (version) VALUES (1);
