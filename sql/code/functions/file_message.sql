-- As in 0001, plus: a ticket found by tag or reference that was merged is
-- followed to the ticket it was merged into; mail to a ticket resolved or
-- closed more than reopen_days ago goes to the latest ticket that follows
-- it, or opens a new ticket that follows it, instead of reopening it (at
-- most 16 such steps); a new ticket is announced with NOTIFY
-- plaint_ticket, payload the ticket number.
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
GRANT EXECUTE ON FUNCTION plaint.file_message TO plaint_gateway;
