-- 0002_agents.sql: the database as the agents' interface.
--
-- Settings the gateway publishes, the merge and reopen rules of
-- threading (file_message is replaced with the same signature), internal
-- notes, the views an agent opens first, one function per action (each
-- writes an event), and the three roles: plaint_gateway (the daemon),
-- plaint_agent (views and functions only), plaint_admin.
--
-- Roles are cluster-wide: they are created only if missing, so this runs
-- in a second database of the same cluster too.  Creating them needs
-- CREATEROLE (or a superuser) the first time.
--
-- Not done here: per-queue row-level security (issue 5 calls it
-- optional: every agent sees every queue); attachments in plaint.thread
-- (there is no attachments table before this migration).

---------------------------------------------------------------- settings
CREATE TABLE plaint.settings (
	key   text PRIMARY KEY,
	value text NOT NULL,
	CONSTRAINT settings_reopen_days_is_a_number
		CHECK (key <> 'reopen_days' OR value ~ '^[0-9]{1,5}$'),
	CONSTRAINT settings_message_id_domain_is_one_word
		CHECK (key <> 'message_id_domain' OR value ~ '^[^][()<>@,;:\\"[:space:]]+$')
);
COMMENT ON TABLE plaint.settings IS 'Settings the SQL functions read: message_id_domain and ticket_prefix (written by the gateway at start-up from its config), reopen_days (set here by an admin)';
COMMENT ON COLUMN plaint.settings.key IS 'message_id_domain: right of the @ in Message-IDs of replies; ticket_prefix: the PREFIX of PREFIX-n ticket numbers; reopen_days: a customer''s mail to a ticket resolved or closed at most this many days ago reopens it, later mail opens a new ticket that follows it (0: never reopen)';
INSERT INTO plaint.settings (key, value) VALUES
	('message_id_domain', 'localhost'),
	('ticket_prefix', 'CMP'),
	('reopen_days', '30');

---------------------------------------------------------------- tickets, queues, messages
ALTER TABLE plaint.tickets
	ADD COLUMN merged_into bigint REFERENCES plaint.tickets,
	ADD COLUMN follows     bigint REFERENCES plaint.tickets,
	ADD COLUMN closed_at   timestamptz,
	ADD CONSTRAINT tickets_not_merged_into_itself CHECK (merged_into <> id),
	ADD CONSTRAINT tickets_does_not_follow_itself CHECK (follows <> id);
CREATE INDEX tickets_merged_into ON plaint.tickets (merged_into)
	WHERE merged_into IS NOT NULL;
COMMENT ON COLUMN plaint.tickets.merged_into IS 'The ticket this one was merged into by plaint.merge(); it is closed, keeps its messages, and new mail naming it goes to that ticket';
COMMENT ON COLUMN plaint.tickets.follows IS 'The resolved or closed ticket this one continues: mail naming it arrived more than reopen_days after it was closed; later such mail comes here too';
COMMENT ON COLUMN plaint.tickets.closed_at IS 'When the status last became resolved or closed (set by a trigger); NULL while the ticket is not';
COMMENT ON COLUMN plaint.tickets.assignee IS 'The agent (database user name) working the ticket: plaint.my_tickets shows it to them';

-- Tickets resolved or closed before this migration: the last change is the
-- best guess of when.
UPDATE plaint.tickets SET closed_at = updated_at
 WHERE status IN ('resolved', 'closed');

CREATE FUNCTION plaint.tickets_closed_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status NOT IN ('resolved', 'closed') THEN
		NEW.closed_at := NULL;
	ELSIF TG_OP = 'INSERT' THEN
		NEW.closed_at := coalesce(NEW.closed_at, now());
	ELSIF OLD.status IS DISTINCT FROM NEW.status
	      AND NEW.closed_at IS NOT DISTINCT FROM OLD.closed_at THEN
		-- An UPDATE that sets closed_at itself (an admin correcting
		-- it) keeps that value.
		NEW.closed_at := now();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION plaint.tickets_closed_at IS 'Trigger: keeps tickets.closed_at, the time the status last became resolved or closed';
CREATE TRIGGER tickets_closed_at BEFORE INSERT OR UPDATE ON plaint.tickets
	FOR EACH ROW EXECUTE FUNCTION plaint.tickets_closed_at();

ALTER TABLE plaint.queues
	ADD COLUMN first_response interval NOT NULL DEFAULT interval '1 day'
	CONSTRAINT queues_first_response_positive CHECK (first_response > interval '0');
COMMENT ON COLUMN plaint.queues.first_response IS 'First-response SLA: an agent''s first reply is due this long after the first message arrived (plaint.overdue)';

ALTER TABLE plaint.messages
	ADD COLUMN cc     text[] NOT NULL DEFAULT '{}',
	ADD COLUMN author text;
COMMENT ON COLUMN plaint.messages.cc IS 'Cc addresses an agent gave to plaint.reply(); recorded only: the gateway does not send Cc yet';
COMMENT ON COLUMN plaint.messages.author IS 'The database user who wrote an outgoing reply; NULL for inbound mail and acknowledgements';

CREATE TABLE plaint.notes (
	id         bigserial PRIMARY KEY,
	ticket_id  bigint NOT NULL REFERENCES plaint.tickets,
	author     text NOT NULL DEFAULT session_user,
	body       text NOT NULL CONSTRAINT notes_body_not_blank CHECK (btrim(body) <> ''),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_ticket ON plaint.notes (ticket_id, id);
COMMENT ON TABLE plaint.notes IS 'Internal notes agents leave on a ticket (plaint.note()); never mailed, shown in plaint.thread';
COMMENT ON COLUMN plaint.notes.author IS 'The database user who wrote the note';

---------------------------------------------------------------- file_message: merges and the reopen policy
-- As in 0001, plus: a ticket found by tag or reference that was merged is
-- followed to the ticket it was merged into; mail to a ticket resolved or
-- closed more than reopen_days ago goes to the latest ticket that follows
-- it, or opens a new ticket that follows it, instead of reopening it (at
-- most 16 such steps); a new ticket is announced with NOTIFY
-- plaint_ticket, payload the ticket number.
CREATE OR REPLACE FUNCTION plaint.file_message(
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
	v_into bigint;
	v_closed_at timestamptz;
	v_reopen_days integer;
	v_follows bigint;
	v_follows_number text;
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

	-- A merged ticket's mail goes to the ticket it was merged into.  A
	-- ticket resolved or closed more than reopen_days ago passes its mail
	-- to the latest ticket that follows it, or else a new ticket will
	-- follow it.  merge() keeps merge chains one hop long; the bound
	-- guards chains and cycles made by hand.  The lock makes a second
	-- mail to the same old ticket wait, then find the first one's new
	-- ticket.
	IF ticket_id IS NOT NULL THEN
		FOR hop IN 1..16 LOOP
			SELECT t.number, t.status, t.merged_into,
			       coalesce(t.closed_at, t.updated_at)
			  INTO ticket_number, v_status, v_into, v_closed_at
			  FROM plaint.tickets t WHERE t.id = ticket_id FOR UPDATE;
			IF v_into IS NOT NULL THEN
				ticket_id := v_into;
				CONTINUE;
			END IF;
			EXIT WHEN v_status NOT IN ('resolved', 'closed');
			IF v_reopen_days IS NULL THEN
				SELECT s.value::integer INTO v_reopen_days
				  FROM plaint.settings s WHERE s.key = 'reopen_days';
				v_reopen_days := coalesce(v_reopen_days, 30);
			END IF;
			EXIT WHEN v_closed_at > now() - make_interval(days => v_reopen_days);
			SELECT t.id INTO v_into FROM plaint.tickets t
			 WHERE t.follows = ticket_id ORDER BY t.id DESC LIMIT 1;
			IF v_into IS NULL THEN
				v_follows := ticket_id;
				v_follows_number := ticket_number;
				ticket_id := NULL;
				ticket_number := NULL;
				EXIT;
			END IF;
			ticket_id := v_into;
		END LOOP;
		IF ticket_id IS NOT NULL THEN
			SELECT t.number INTO ticket_number FROM plaint.tickets t
			 WHERE t.id = ticket_id;
		END IF;
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
					    priority, tags, rules, ack_due_at,
					    follows)
		VALUES (ticket_number, v_customer, p_subject, p_queue,
			coalesce(p_priority, 'normal'), p_tags, p_rules,
			v_arrived + make_interval(secs => p_ack_within),
			v_follows)
		RETURNING id INTO ticket_id;
		action := 'opened';
		PERFORM pg_notify('plaint_ticket', ticket_number);
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
				   'rules', p_rules, 'from', lower(p_from_addr)) ||
		CASE WHEN v_follows IS NULL THEN '{}'::jsonb
		     ELSE jsonb_build_object('follows', v_follows_number) END);
	IF v_follows IS NOT NULL THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (v_follows, 'gateway', 'followed_up',
			jsonb_build_object('ticket', ticket_number,
					   'message', message_row));
	END IF;

	UPDATE plaint.raw_messages SET state = 'done', processed_at = now()
	 WHERE id = p_raw_id;
END
$$;
COMMENT ON FUNCTION plaint.file_message IS 'Gateway only: files one parsed inbound message onto its ticket, opening one if none matches; follows merges; reopens a ticket resolved or closed within reopen_days, else passes the mail to the ticket that follows it or opens one that does; NOTIFY plaint_ticket on a new ticket';

---------------------------------------------------------------- views
CREATE VIEW plaint.open_tickets AS
SELECT t.queue, t.number, t.status, t.priority, t.subject,
       c.email AS customer, t.assignee, t.created_at,
       date_trunc('second', now() - coalesce(inbound.first_at, t.created_at)) AS age,
       t.ack_due_at, ack.sent_at AS ack_sent_at,
       CASE WHEN ack.sent_at IS NOT NULL THEN 'sent'
	    WHEN ack.id IS NULL AND opener.ack_suppressed IS NOT NULL THEN 'suppressed'
	    WHEN now() > t.ack_due_at THEN 'overdue'
	    WHEN ack.failed_at IS NOT NULL THEN 'failed'
	    ELSE 'due' END AS ack_state,
       coalesce(inbound.first_at, t.created_at) + q.first_response
	       AS first_response_due_at,
       reply.queued_at AS first_response_at,
       CASE WHEN reply.queued_at IS NOT NULL THEN 'answered'
	    WHEN now() > coalesce(inbound.first_at, t.created_at) + q.first_response
	      THEN 'overdue'
	    ELSE 'due' END AS response_state,
       inbound.n AS messages_in, inbound.last_at AS last_in_at,
       f.number AS follows
  FROM plaint.tickets t
  JOIN plaint.customers c ON c.id = t.customer_id
  JOIN plaint.queues q ON q.name = t.queue
  LEFT JOIN plaint.tickets f ON f.id = t.follows
  LEFT JOIN plaint.outbox ack ON ack.ticket_id = t.id AND ack.kind = 'ack'
  -- the message that opened the ticket (the acknowledgement answers it)
  LEFT JOIN LATERAL (SELECT m.ack_suppressed FROM plaint.messages m
		      WHERE m.ticket_id = t.id AND m.direction = 'in'
		      ORDER BY m.id LIMIT 1) opener ON true
  CROSS JOIN LATERAL (SELECT count(*) AS n,
			     min(coalesce(m.received_at, m.created_at)) AS first_at,
			     max(coalesce(m.received_at, m.created_at)) AS last_at
			FROM plaint.messages m
		       WHERE m.ticket_id = t.id AND m.direction = 'in') inbound
  LEFT JOIN LATERAL (SELECT o.queued_at FROM plaint.outbox o
		      WHERE o.ticket_id = t.id AND o.kind = 'reply'
		      ORDER BY o.queued_at, o.id LIMIT 1) reply ON true
 WHERE t.status IN ('new', 'open', 'pending')
 ORDER BY t.queue,
	  array_position(ARRAY['urgent', 'high', 'normal', 'low'], t.priority),
	  t.created_at, t.number;
COMMENT ON VIEW plaint.open_tickets IS 'Tickets that are new, open or pending, by queue, most urgent and oldest first, with age and SLA state (acknowledgement and first response)';
COMMENT ON COLUMN plaint.open_tickets.customer IS 'The customer''s email address (the From of the first message)';
COMMENT ON COLUMN plaint.open_tickets.age IS 'Time since the earliest inbound message arrived (else since the ticket was made), to the second';
COMMENT ON COLUMN plaint.open_tickets.ack_state IS 'sent; suppressed (no acknowledgement was due: auto-reply, list, rate limit ...); overdue (ack_due_at passed, not sent); failed (given up on, not yet due); due (queued or being queued, still in time)';
COMMENT ON COLUMN plaint.open_tickets.first_response_due_at IS 'Arrival of the earliest inbound message plus the queue''s first_response interval';
COMMENT ON COLUMN plaint.open_tickets.first_response_at IS 'When an agent''s first reply was queued (plaint.reply()); NULL if none yet';
COMMENT ON COLUMN plaint.open_tickets.response_state IS 'answered (an agent replied); overdue (first_response_due_at passed without a reply); due';
COMMENT ON COLUMN plaint.open_tickets.messages_in IS 'How many inbound messages the ticket has (bounces included)';
COMMENT ON COLUMN plaint.open_tickets.last_in_at IS 'When the latest inbound message arrived';
COMMENT ON COLUMN plaint.open_tickets.follows IS 'Number of the older ticket this one continues, if any';

CREATE VIEW plaint.my_tickets AS
SELECT * FROM plaint.open_tickets o WHERE o.assignee = current_user;
COMMENT ON VIEW plaint.my_tickets IS 'plaint.open_tickets assigned to you: assignee = current_user (assign with plaint.assign(ticket, agent))';

CREATE VIEW plaint.overdue AS
SELECT o.queue, o.number, o.status, o.priority, o.subject, o.customer,
       o.assignee, 'acknowledgement'::text AS what, o.ack_due_at AS due_at,
       date_trunc('second', now() - o.ack_due_at) AS overdue_by
  FROM plaint.open_tickets o WHERE o.ack_state = 'overdue'
UNION ALL
SELECT o.queue, o.number, o.status, o.priority, o.subject, o.customer,
       o.assignee, 'first response'::text, o.first_response_due_at,
       date_trunc('second', now() - o.first_response_due_at)
  FROM plaint.open_tickets o WHERE o.response_state = 'overdue'
 ORDER BY due_at, number, what;
COMMENT ON VIEW plaint.overdue IS 'Open tickets past a deadline: an acknowledgement not sent by ack_due_at, or no agent reply by the queue''s first-response deadline (queues.first_response); one row per missed deadline, oldest first';
COMMENT ON COLUMN plaint.overdue.what IS 'acknowledgement or first response';
COMMENT ON COLUMN plaint.overdue.overdue_by IS 'How long ago the deadline passed, to the second';

CREATE VIEW plaint.thread AS
SELECT coalesce(mt.number, t.number) AS ticket, t.number AS filed_on,
       x.at, x.direction, x.kind, x.from_addr, x.agent, x.recipient, x.cc,
       x.subject, x.body, x.delivery, x.message_id, x.in_reply_to,
       x.created_at
  FROM (SELECT m.ticket_id,
	       CASE WHEN m.direction = 'in'
		    THEN coalesce(m.received_at, m.created_at)
		    ELSE m.created_at END AS at,
	       m.direction,
	       CASE WHEN m.direction = 'in' AND m.ack_suppressed = 'bounce' THEN 'bounce'
		    WHEN m.direction = 'in' THEN 'mail'
		    ELSE coalesce(o.kind, 'mail') END AS kind,
	       m.from_addr, m.author AS agent, o.recipient, m.cc,
	       m.subject, m.body,
	       CASE WHEN o.sent_at IS NOT NULL THEN 'sent'
		    WHEN o.failed_at IS NOT NULL THEN 'failed'
		    WHEN o.id IS NOT NULL THEN 'queued' END AS delivery,
	       m.message_id, m.in_reply_to, m.created_at, 0 AS source, m.id
	  FROM plaint.messages m
	  LEFT JOIN plaint.outbox o ON o.message_row = m.id
	 UNION ALL
	SELECT n.ticket_id, n.created_at, 'note', 'note', NULL, n.author, NULL,
	       '{}', '', n.body, NULL, NULL, NULL, n.created_at, 1, n.id
	  FROM plaint.notes n) x
  JOIN plaint.tickets t ON t.id = x.ticket_id
  LEFT JOIN plaint.tickets mt ON mt.id = t.merged_into
 WHERE x.ticket_id IS NOT NULL
 ORDER BY 1, x.at, x.source, x.id;
COMMENT ON VIEW plaint.thread IS 'Every message of every ticket, in and out, and the internal notes, in order; read one with WHERE ticket = ''CMP-1042'' (includes tickets merged into it)';
COMMENT ON COLUMN plaint.thread.ticket IS 'The ticket the row belongs to now: for a merged ticket, the ticket it was merged into';
COMMENT ON COLUMN plaint.thread.filed_on IS 'The ticket the row was filed on (differs from ticket after a merge)';
COMMENT ON COLUMN plaint.thread.at IS 'When it happened: arrival for inbound mail, creation for replies, acknowledgements and notes';
COMMENT ON COLUMN plaint.thread.direction IS 'in (from the customer side), out (mailed by plaint), note (internal, never mailed)';
COMMENT ON COLUMN plaint.thread.kind IS 'mail or bounce (in); ack or reply (out); note';
COMMENT ON COLUMN plaint.thread.from_addr IS 'Sender address of inbound mail';
COMMENT ON COLUMN plaint.thread.agent IS 'Who wrote a reply or note (database user); NULL for mail and acknowledgements';
COMMENT ON COLUMN plaint.thread.recipient IS 'Where an outgoing mail goes';
COMMENT ON COLUMN plaint.thread.cc IS 'Cc of a reply, recorded only: the gateway does not send Cc yet';
COMMENT ON COLUMN plaint.thread.delivery IS 'Outgoing mail: queued, sent or failed (details in plaint.outbox)';

---------------------------------------------------------------- agent functions
-- Each takes a ticket by number ('CMP-1042'; case, spaces and brackets do
-- not matter), locks it, and writes a plaint.events row with actor =
-- session_user.  Errors: P0002 unknown ticket, 22004 no ticket given,
-- 22023 a bad argument (empty body, unknown status or priority), 55000
-- the ticket's state forbids it (reply to a closed ticket, merged ticket).

CREATE FUNCTION plaint.ticket_for_update(p_ticket text) RETURNS plaint.tickets
LANGUAGE plpgsql SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	v plaint.tickets;
BEGIN
	IF p_ticket IS NULL OR btrim(p_ticket, ' []') = '' THEN
		RAISE EXCEPTION 'no ticket given'
		      USING ERRCODE = '22004',
			    HINT = 'Name a ticket by its number, e.g. ''CMP-1042''.';
	END IF;
	SELECT * INTO v FROM plaint.tickets t
	 WHERE t.number = upper(btrim(p_ticket, ' []')) FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown ticket "%"', p_ticket
		      USING ERRCODE = 'P0002',
			    HINT = 'plaint.open_tickets lists the open tickets by number.';
	END IF;
	RETURN v;
END
$$;
COMMENT ON FUNCTION plaint.ticket_for_update IS 'Internal to the agent functions: the ticket with that number, locked; raises P0002 for an unknown one';

CREATE FUNCTION plaint.ticket_number(p_id bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, plaint, pg_temp AS $$
	SELECT t.number FROM plaint.tickets t WHERE t.id = p_id
$$;
COMMENT ON FUNCTION plaint.ticket_number IS 'Internal: the number of the ticket with that id';

CREATE FUNCTION plaint.reply(ticket text, body text, cc text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_cc text[] := '{}';
	v_bad text;
	v_to text;
	v_domain text;
	v_mid text;
	v_subject text;
	v_irt text;
	v_refs text[];
	v_status text;
	v_row bigint;
	v_out bigint;
BEGIN
	t := plaint.ticket_for_update(reply.ticket);
	IF t.status = 'closed' THEN
		IF t.merged_into IS NOT NULL THEN
			RAISE EXCEPTION 'ticket % is closed: it was merged into %',
			      t.number, plaint.ticket_number(t.merged_into)
			      USING ERRCODE = '55000',
				    HINT = format('Reply on %s.', plaint.ticket_number(t.merged_into));
		END IF;
		RAISE EXCEPTION 'ticket % is closed', t.number
		      USING ERRCODE = '55000',
			    HINT = format('Reopen it first: SELECT plaint.set_status(%L, ''open'');', t.number);
	END IF;
	IF reply.body IS NULL OR btrim(reply.body, E' \t\r\n') = '' THEN
		RAISE EXCEPTION 'the reply to % has an empty body', t.number
		      USING ERRCODE = '22023';
	END IF;
	IF reply.cc IS NOT NULL AND btrim(reply.cc, E' \t\r\n,;') <> '' THEN
		SELECT array_agg(lower(a) ORDER BY n) INTO v_cc
		  FROM regexp_split_to_table(btrim(reply.cc, E' \t\r\n,;'),
					     E'\\s*[,;]\\s*') WITH ORDINALITY AS s(a, n);
		SELECT a INTO v_bad FROM unnest(v_cc) a
		 WHERE a !~ '^[^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+$' LIMIT 1;
		IF v_bad IS NOT NULL THEN
			RAISE EXCEPTION 'Cc "%" is not an email address', v_bad
			      USING ERRCODE = '22023',
				    HINT = 'Give plain addresses separated by commas.';
		END IF;
	END IF;

	SELECT c.email INTO v_to FROM plaint.customers c WHERE c.id = t.customer_id;
	SELECT s.value INTO v_domain FROM plaint.settings s
	 WHERE s.key = 'message_id_domain';
	v_mid := 'plaint.' || gen_random_uuid() || '@' || coalesce(v_domain, 'localhost');
	v_subject := '[' || t.number || '] ' ||
		     CASE WHEN t.subject ~* '^\s*(re|aw|sv|antw)\s*:' THEN t.subject
			  ELSE 'Re: ' || t.subject END;
	-- Threading headers answer the inbound mail with an id (not a bounce)
	-- that arrived last: In-Reply-To is its id, References its References
	-- plus it.
	SELECT m.message_id, m."references" INTO v_irt, v_refs
	  FROM plaint.messages m
	 WHERE m.ticket_id = t.id AND m.direction = 'in'
	   AND m.message_id IS NOT NULL
	   AND m.ack_suppressed IS DISTINCT FROM 'bounce'
	 ORDER BY coalesce(m.received_at, m.created_at) DESC, m.id DESC LIMIT 1;
	v_refs := CASE WHEN v_irt IS NULL THEN '{}'::text[]
		       ELSE array_append(array_remove(coalesce(v_refs, '{}'), v_irt), v_irt) END;

	INSERT INTO plaint.messages (ticket_id, direction, message_id, in_reply_to,
				     "references", subject, body, cc, author,
				     created_at)
	VALUES (t.id, 'out', v_mid, v_irt, v_refs, v_subject, reply.body, v_cc,
		session_user, clock_timestamp())
	RETURNING id INTO v_row;
	INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient,
				   message_id, due_at)
	VALUES ('reply', t.id, v_row, v_to, v_mid, now())
	RETURNING id INTO v_out;

	v_status := CASE WHEN t.status IN ('new', 'open') THEN 'pending' ELSE t.status END;
	UPDATE plaint.tickets x SET status = v_status, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'replied',
		jsonb_build_object('outbox', v_out, 'message', v_row,
				   'message_id', v_mid, 'to', v_to, 'cc', v_cc,
				   'status', v_status));
	PERFORM pg_notify('plaint_outbox', t.id::text);
	RETURN v_out;
END
$$;
COMMENT ON FUNCTION plaint.reply IS 'Queues a reply to the ticket''s customer, sent by the gateway at once: subject "[CMP-n] Re: ...", In-Reply-To and References answering the latest inbound mail, a Message-ID of plaint''s own; a new or open ticket becomes pending. cc is recorded but not sent yet. Returns the plaint.outbox id. Example: SELECT plaint.reply(''CMP-1042'', ''We have refunded you.'');';

CREATE FUNCTION plaint.note(ticket text, body text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_id bigint;
BEGIN
	t := plaint.ticket_for_update(note.ticket);
	IF note.body IS NULL OR btrim(note.body, E' \t\r\n') = '' THEN
		RAISE EXCEPTION 'the note on % is empty', t.number
		      USING ERRCODE = '22023';
	END IF;
	INSERT INTO plaint.notes (ticket_id, author, body, created_at)
	VALUES (t.id, session_user, note.body, clock_timestamp())
	RETURNING id INTO v_id;
	UPDATE plaint.tickets x SET updated_at = now() WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'note', jsonb_build_object('note', v_id));
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION plaint.note IS 'Adds an internal note to a ticket: shown in plaint.thread, never mailed. Returns the plaint.notes id. Example: SELECT plaint.note(''CMP-1042'', ''Refund approved by Sam.'');';

CREATE FUNCTION plaint.assign(ticket text, agent text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_agent text := btrim(assign.agent);
BEGIN
	t := plaint.ticket_for_update(assign.ticket);
	IF v_agent = '' THEN
		RAISE EXCEPTION 'no agent given for %', t.number
		      USING ERRCODE = '22023',
			    HINT = 'Name the agent''s database user; NULL unassigns.';
	END IF;
	IF t.assignee IS NOT DISTINCT FROM v_agent THEN
		RETURN;
	END IF;
	UPDATE plaint.tickets x SET assignee = v_agent, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'assigned',
		jsonb_build_object('assignee', v_agent, 'previous', t.assignee));
END
$$;
COMMENT ON FUNCTION plaint.assign IS 'Assigns a ticket to an agent (their database user name, which plaint.my_tickets matches); NULL unassigns; no event if nothing changes. Example: SELECT plaint.assign(''CMP-1042'', current_user);';

CREATE FUNCTION plaint.set_status(ticket text, status text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_status text := lower(btrim(set_status.status));
BEGIN
	t := plaint.ticket_for_update(set_status.ticket);
	IF v_status IS NULL OR v_status NOT IN ('new', 'open', 'pending', 'resolved', 'closed') THEN
		RAISE EXCEPTION 'unknown status "%"', set_status.status
		      USING ERRCODE = '22023',
			    HINT = 'A status is new, open, pending, resolved or closed.';
	END IF;
	IF t.merged_into IS NOT NULL AND v_status <> 'closed' THEN
		RAISE EXCEPTION 'ticket % was merged into %: it stays closed',
		      t.number, plaint.ticket_number(t.merged_into)
		      USING ERRCODE = '55000',
			    HINT = format('Work on %s.', plaint.ticket_number(t.merged_into));
	END IF;
	IF t.status = v_status THEN
		RETURN;
	END IF;
	UPDATE plaint.tickets x SET status = v_status, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'status',
		jsonb_build_object('from', t.status, 'to', v_status));
END
$$;
COMMENT ON FUNCTION plaint.set_status IS 'Sets a ticket''s status: new, open, pending, resolved or closed; no event if nothing changes. Example: SELECT plaint.set_status(''CMP-1042'', ''closed'');';

CREATE FUNCTION plaint.set_priority(ticket text, priority text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_priority text := lower(btrim(set_priority.priority));
BEGIN
	t := plaint.ticket_for_update(set_priority.ticket);
	IF v_priority IS NULL OR v_priority NOT IN ('low', 'normal', 'high', 'urgent') THEN
		RAISE EXCEPTION 'unknown priority "%"', set_priority.priority
		      USING ERRCODE = '22023',
			    HINT = 'A priority is low, normal, high or urgent.';
	END IF;
	IF t.priority = v_priority THEN
		RETURN;
	END IF;
	UPDATE plaint.tickets x SET priority = v_priority, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'priority',
		jsonb_build_object('from', t.priority, 'to', v_priority));
END
$$;
COMMENT ON FUNCTION plaint.set_priority IS 'Sets a ticket''s priority: low, normal, high or urgent; no event if nothing changes. Example: SELECT plaint.set_priority(''CMP-1042'', ''urgent'');';

CREATE FUNCTION plaint.merge(from_ticket text, into_ticket text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	f plaint.tickets;
	i plaint.tickets;
	v_moved bigint[];
BEGIN
	f := plaint.ticket_for_update(merge.from_ticket);
	i := plaint.ticket_for_update(merge.into_ticket);
	IF f.id = i.id THEN
		RAISE EXCEPTION 'cannot merge % into itself', f.number
		      USING ERRCODE = '22023';
	END IF;
	IF f.merged_into IS NOT NULL THEN
		RAISE EXCEPTION 'ticket % was already merged into %',
		      f.number, plaint.ticket_number(f.merged_into)
		      USING ERRCODE = '55000';
	END IF;
	IF i.merged_into IS NOT NULL THEN
		RAISE EXCEPTION 'ticket % was merged into %', i.number,
		      plaint.ticket_number(i.merged_into)
		      USING ERRCODE = '55000',
			    HINT = format('Merge into %s instead.', plaint.ticket_number(i.merged_into));
	END IF;
	IF i.status = 'closed' THEN
		RAISE EXCEPTION 'cannot merge into % : it is closed', i.number
		      USING ERRCODE = '55000',
			    HINT = format('Reopen it first: SELECT plaint.set_status(%L, ''open'');', i.number);
	END IF;
	UPDATE plaint.tickets x
	   SET merged_into = i.id, status = 'closed', updated_at = now()
	 WHERE x.id = f.id;
	-- Tickets merged into the one merged now: one hop, straight to i.
	WITH m AS (
		UPDATE plaint.tickets x SET merged_into = i.id
		 WHERE x.merged_into = f.id RETURNING x.id)
	SELECT array_agg(m.id ORDER BY m.id) INTO v_moved FROM m;
	UPDATE plaint.tickets x SET updated_at = now() WHERE x.id = i.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (f.id, session_user, 'merged',
		jsonb_build_object('into', i.number, 'status', f.status));
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (i.id, session_user, 'merged_from',
		jsonb_build_object('from', f.number));
	IF v_moved IS NOT NULL THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		SELECT x, session_user, 'merged',
		       jsonb_build_object('into', i.number, 'via', f.number)
		  FROM unnest(v_moved) x;
	END IF;
END
$$;
COMMENT ON FUNCTION plaint.merge IS 'Merges from_ticket into into_ticket: from_ticket is closed with merged_into set and keeps its history; plaint.thread shows its rows under into_ticket and new mail naming it threads onto into_ticket. Example: SELECT plaint.merge(''CMP-1043'', ''CMP-1042'');';

---------------------------------------------------------------- roles and grants
-- COMMENT ON ROLE needs CREATEROLE, so only the migration that creates a
-- role comments it.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_gateway') THEN
		CREATE ROLE plaint_gateway NOLOGIN;
		COMMENT ON ROLE plaint_gateway IS 'plaint: what the gateway daemon needs (ingest, file, outbox); no DELETE, no DDL';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_agent') THEN
		CREATE ROLE plaint_agent NOLOGIN;
		COMMENT ON ROLE plaint_agent IS 'plaint: support agents: read the views and tables, act through plaint.reply/note/assign/set_status/set_priority/merge; no direct writes';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_admin') THEN
		CREATE ROLE plaint_admin NOLOGIN;
		COMMENT ON ROLE plaint_admin IS 'plaint: administrators: every right on schema plaint short of owning it; member of plaint_agent and plaint_gateway with ADMIN OPTION';
	END IF;
END
$$;

GRANT USAGE ON SCHEMA plaint TO plaint_gateway, plaint_agent;

-- The gateway: ingest, filing, acknowledgements, the outbox, its settings.
GRANT SELECT, INSERT, UPDATE ON plaint.raw_messages, plaint.mailboxes,
      plaint.messages, plaint.customers, plaint.queues, plaint.tickets,
      plaint.events, plaint.outbox, plaint.settings TO plaint_gateway;
GRANT SELECT ON plaint.schema_migrations, plaint.tickets_overview,
      plaint.quarantine TO plaint_gateway;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA plaint TO plaint_gateway;
REVOKE EXECUTE ON FUNCTION plaint.file_message, plaint.queue_ack,
       plaint.tickets_closed_at, plaint.ticket_for_update,
       plaint.ticket_number FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plaint.file_message, plaint.queue_ack TO plaint_gateway;

-- Agents: read, and act through the functions only.
GRANT SELECT ON plaint.tickets, plaint.messages, plaint.customers,
      plaint.events, plaint.outbox, plaint.queues, plaint.notes,
      plaint.settings TO plaint_agent;
GRANT SELECT ON plaint.open_tickets, plaint.my_tickets, plaint.overdue,
      plaint.thread, plaint.quarantine, plaint.tickets_overview TO plaint_agent;
REVOKE EXECUTE ON FUNCTION plaint.reply, plaint.note, plaint.assign,
       plaint.set_status, plaint.set_priority, plaint.merge FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plaint.reply, plaint.note, plaint.assign,
      plaint.set_status, plaint.set_priority, plaint.merge TO plaint_agent;

-- Admins: everything on the schema's objects, now and (for objects the
-- role running migrations creates later) by default; they can grant the
-- other two roles to logins.
DO $$
BEGIN
	-- Quietly: a second database of the cluster finds this done.
	IF NOT EXISTS (SELECT FROM pg_auth_members m
			WHERE m.roleid = 'plaint_agent'::regrole
			  AND m.member = 'plaint_admin'::regrole AND m.admin_option) THEN
		GRANT plaint_agent TO plaint_admin WITH ADMIN OPTION;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_auth_members m
			WHERE m.roleid = 'plaint_gateway'::regrole
			  AND m.member = 'plaint_admin'::regrole AND m.admin_option) THEN
		GRANT plaint_gateway TO plaint_admin WITH ADMIN OPTION;
	END IF;
END
$$;
GRANT USAGE, CREATE ON SCHEMA plaint TO plaint_admin;
GRANT ALL ON ALL TABLES IN SCHEMA plaint TO plaint_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA plaint TO plaint_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA plaint TO plaint_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA plaint GRANT ALL ON TABLES TO plaint_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA plaint GRANT ALL ON SEQUENCES TO plaint_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA plaint GRANT EXECUTE ON FUNCTIONS TO plaint_admin;

INSERT INTO plaint.schema_migrations (version) VALUES (2);
