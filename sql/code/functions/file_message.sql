-- Files one inbound message, as the gateway's facts describe it (see
-- plaint.inbound for the keys), and records where it ended:
--
--   duplicate  the same message (fingerprint) was filed before;
--   bounce     a bounce or report naming mail plaint sent: joins that
--              mail's ticket, and the address is marked as bouncing;
--   dropped    a rule said drop: stored, named, no ticket;
--   threaded   onto the ticket its tag or references name, or that a
--              reply to it, or a later message of the thread it
--              starts, filed before it is on (following
--              merges; reopening it, or passing the mail to a ticket
--              that follows it, by the reopen_days setting; the
--              customer's answer to the satisfaction question, and a
--              machine's reply to it, reopen nothing: the answer is
--              recorded by plaint.record_satisfaction);
--   opened     a new ticket, announced with NOTIFY plaint_ticket (and
--              checked for a repeat complaint by plaint.file_messages).
--
-- A Message-ID seen before on other content is not a duplicate: the
-- message is filed, and the reuse noted.  A report that names no mail of
-- plaint's opens a ticket of its own in the facts' queue (the gateway's
-- unlinked_bounce_queue).  A ticket tag from a sender who is neither the
-- ticket's customer nor a participant threads or opens a related ticket
-- (tag_from_strangers).  ack_suppressed says why the gateway must not
-- acknowledge (NULL: it may, when action is opened); note explains an
-- unusual outcome.
CREATE FUNCTION plaint.file_message(facts jsonb,
	OUT action text, OUT ticket_id bigint, OUT ticket_number text,
	OUT message_row bigint, OUT ack_suppressed text, OUT note text)
LANGUAGE plpgsql AS $$
DECLARE
	m plaint.inbound := jsonb_populate_record(NULL::plaint.inbound, facts);
	v_from text := nullif(lower(btrim(m.from_addr)), '');
	v_arrived timestamptz := coalesce(m.received_at, now());
	v_customer bigint;
	v_status text;
	v_into bigint;
	v_closed_at timestamptz;
	v_reopen_days integer;
	v_follows bigint;
	v_follows_number text;
	v_related bigint;
	v_related_number text;
	v_outbox bigint;
	v_recipient text;
	v_other record;
	v_asked boolean := false;
	v_answer bigint;
	v_reply boolean;
BEGIN
	PERFORM FROM plaint.raw_messages r WHERE r.id = m.raw_id AND r.state = 'new';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'raw message % is not waiting to be filed', m.raw_id
		      USING ERRCODE = '55000',
			    HINT = 'Only rows in state new are filed; plaint.requeue() puts a quarantined one back.';
	END IF;

	-- The same message, filed before.  The locks make what is filed at
	-- the same time wait, then find this one: a second copy (the
	-- fingerprint), another message with its Message-ID, the message
	-- it answers (refs[1]), the first of its thread (the last of refs)
	-- or a later message of its own thread.  In the order
	-- plaint.file_messages takes them: fingerprints, then Message-IDs.
	IF m.fingerprint IS NOT NULL THEN
		PERFORM pg_advisory_xact_lock(hashtext('plaint.fingerprint'),
					      hashtext(m.fingerprint));
		SELECT x.id, x.ticket_id INTO message_row, ticket_id
		  FROM plaint.messages x
		 WHERE x.fingerprint = m.fingerprint AND x.direction = 'in';
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('plaint.message_id'), h)
	   FROM (SELECT DISTINCT hashtext(x.i) AS h
		   FROM (VALUES (m.message_id), (m.refs[1]),
				(m.refs[cardinality(m.refs)])) AS x(i)
		  WHERE x.i IS NOT NULL ORDER BY 1) x;
	IF message_row IS NULL AND m.message_id IS NOT NULL THEN
		SELECT x.id, x.ticket_id, x.fingerprint, t.number INTO v_other
		  FROM plaint.messages x LEFT JOIN plaint.tickets t ON t.id = x.ticket_id
		 WHERE x.message_id = m.message_id AND x.direction = 'in'
		 ORDER BY x.fingerprint IS NULL DESC, x.id LIMIT 1;
		IF v_other.id IS NOT NULL AND (v_other.fingerprint IS NULL OR m.fingerprint IS NULL) THEN
			-- filed before fingerprints were kept: the id decides
			message_row := v_other.id;
			ticket_id := v_other.ticket_id;
		ELSIF v_other.id IS NOT NULL THEN
			note := format('Message-ID also on message %s (%s) with other content: filed as a message of its own',
				       v_other.id, coalesce(v_other.number, 'no ticket'));
		END IF;
	END IF;
	IF message_row IS NOT NULL THEN
		UPDATE plaint.raw_messages
		   SET state = 'done', outcome = 'duplicate', duplicate_of = message_row,
		       reason = NULL, processed_at = now()
		 WHERE id = m.raw_id;
		SELECT t.number INTO ticket_number FROM plaint.tickets t WHERE t.id = ticket_id;
		PERFORM plaint.record_routing(m);
		action := 'duplicate';
		RETURN;
	END IF;

	-- A bounce or report of plaint's own mail joins that mail's ticket.
	IF m.bounce IS NOT NULL AND cardinality(m.original_ids) > 0 THEN
		SELECT o.id, o.ticket_id, o.recipient, t.number
		  INTO v_outbox, ticket_id, v_recipient, ticket_number
		  FROM unnest(m.original_ids) WITH ORDINALITY AS r(id, n)
		  JOIN plaint.outbox o ON o.message_id = r.id
		  JOIN plaint.tickets t ON t.id = o.ticket_id
		 ORDER BY r.n LIMIT 1;
		IF v_outbox IS NOT NULL THEN
			ack_suppressed := 'bounce';
			INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id,
						     from_addr, from_name, subject, body,
						     received_at, ack_suppressed, fingerprint,
						     limits_hit, defects, rules_version)
			VALUES (ticket_id, m.raw_id, 'in', m.message_id, v_from, m.from_name,
				coalesce(m.subject, ''), coalesce(m.body, ''), v_arrived,
				ack_suppressed, m.fingerprint, coalesce(m.limits, '{}'),
				coalesce(m.defects, '{}'), m.rules_version)
			RETURNING id INTO message_row;
			INSERT INTO plaint.events (ticket_id, actor, kind, detail)
			VALUES (ticket_id, 'gateway', 'bounced',
				jsonb_build_object('outbox', v_outbox, 'recipient', v_recipient,
						   'raw', m.raw_id, 'message', message_row));
			UPDATE plaint.customers
			   SET bounced_at = now(), bounces = bounces + 1
			 WHERE email = v_recipient;
			UPDATE plaint.raw_messages
			   SET state = 'done', outcome = 'bounce', processed_at = now(),
			       reason = 'bounce of outbox ' || v_outbox
			 WHERE id = m.raw_id;
			PERFORM plaint.record_routing(m);
			action := 'bounce';
			RETURN;
		END IF;
	END IF;

	IF m.drop THEN
		UPDATE plaint.raw_messages
		   SET state = 'done', outcome = 'dropped', processed_at = now(),
		       dropped_by = coalesce(nullif(m.dropped_by, ''), '?'), reason = note
		 WHERE id = m.raw_id;
		PERFORM plaint.record_routing(m);
		action := 'dropped';
		RETURN;
	END IF;

	ack_suppressed := m.ack_suppressed;
	-- A report that names no mail of plaint's is a ticket of its own.
	IF m.bounce IS DISTINCT FROM 'report' THEN
		IF m.tag_number IS NOT NULL THEN
			SELECT t.id, t.number INTO ticket_id, ticket_number
			  FROM plaint.tickets t WHERE t.number = upper(m.tag_number);
			-- A tag from someone the ticket does not know.
			IF ticket_id IS NOT NULL AND NOT EXISTS (
				SELECT FROM plaint.tickets t JOIN plaint.customers c ON c.id = t.customer_id
				 WHERE t.id = ticket_id AND c.email = v_from
				UNION ALL
				SELECT FROM plaint.messages x
				 WHERE x.ticket_id = file_message.ticket_id
				   AND (x.from_addr = v_from OR v_from = ANY (x.cc))) THEN
				IF m.tag_from_strangers = 'thread' THEN
					note := format('tag %s from %s, who is not its customer nor a participant: threaded',
						       ticket_number, coalesce(v_from, 'no sender'));
				ELSE
					note := format('tag %s from %s, who is not its customer nor a participant: a related ticket',
						       ticket_number, coalesce(v_from, 'no sender'));
					v_related := ticket_id;
					v_related_number := ticket_number;
					ticket_id := NULL;
					ticket_number := NULL;
				END IF;
			END IF;
		END IF;
		IF ticket_id IS NULL AND v_related IS NULL AND cardinality(m.refs) > 0 THEN
			SELECT t.id, t.number INTO ticket_id, ticket_number
			  FROM unnest(m.refs) WITH ORDINALITY AS r(id, n)
			  JOIN plaint.messages x ON x.message_id = r.id
			  JOIN plaint.tickets t ON t.id = x.ticket_id
			 ORDER BY r.n, x.id LIMIT 1;
		END IF;
		-- A reply to it, or a later message of the thread it starts,
		-- filed first, opened a ticket: it joins that.
		IF ticket_id IS NULL AND v_related IS NULL AND note IS NULL
		   AND m.message_id IS NOT NULL THEN
			SELECT a.id, t.id, t.number, a.reply
			  INTO v_answer, ticket_id, ticket_number, v_reply
			  FROM (SELECT x.id, x.ticket_id, true AS reply FROM plaint.messages x
				 WHERE coalesce(x.in_reply_to, x."references"[cardinality(x."references")])
				       = m.message_id
				   AND x.direction = 'in'
				UNION ALL
				SELECT x.id, x.ticket_id, false FROM plaint.messages x
				 WHERE x."references"[1] = m.message_id AND x.direction = 'in') a
			  JOIN plaint.tickets t ON t.id = a.ticket_id
			 ORDER BY a.reply DESC, a.id LIMIT 1;
			IF ticket_id IS NOT NULL THEN
				note := format('message %s, %s, was filed first: threaded onto %s',
					       v_answer, CASE WHEN v_reply THEN 'a reply to it'
							      ELSE 'a later message of its thread' END,
					       ticket_number);
			END IF;
		END IF;
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
		IF v_from IS NOT NULL THEN
			-- Without locking a known customer's row: parallel
			-- filers of one customer's mail must not wait on it.
			SELECT c.id INTO v_customer FROM plaint.customers c
			 WHERE c.email = v_from;
			IF v_customer IS NULL THEN
				INSERT INTO plaint.customers (email, name)
				VALUES (v_from, nullif(m.from_name, ''))
				ON CONFLICT (email) DO NOTHING
				RETURNING id INTO v_customer;
			END IF;
			IF v_customer IS NULL THEN	-- filed by another, just now
				SELECT c.id INTO v_customer FROM plaint.customers c
				 WHERE c.email = v_from;
			END IF;
			UPDATE plaint.customers c SET name = nullif(m.from_name, '')
			 WHERE c.id = v_customer AND c.name IS NULL
			   AND nullif(m.from_name, '') IS NOT NULL;
		ELSE
			ack_suppressed := coalesce(ack_suppressed, 'null-sender');
		END IF;
		INSERT INTO plaint.queues (name, first_response)
		VALUES (m.queue, make_interval(secs => coalesce(m.respond_within, 86400)))
		ON CONFLICT DO NOTHING;
		ticket_number := upper(m.prefix) || '-' ||
				 nextval('plaint.ticket_number_seq');
		INSERT INTO plaint.tickets (number, customer_id, subject, queue,
					    priority, tags, rules, ack_due_at,
					    follows, related_to, assignee)
		VALUES (ticket_number, v_customer, coalesce(m.subject, ''), m.queue,
			coalesce(m.priority, 'normal'), coalesce(m.tags, '{}'),
			coalesce(m.rules, '{}'),
			-- the queue's SLA, in its hours; else the gateway's
			plaint.deadline(m.queue, v_arrived,
					coalesce((SELECT q.ack_within FROM plaint.queues q
						   WHERE q.name = m.queue),
						 make_interval(secs => coalesce(m.ack_within, 3600)))),
			v_follows, v_related, m.assignee)
		RETURNING id INTO ticket_id;
		action := 'opened';
		-- The acknowledgement rate limits.
		IF ack_suppressed IS NULL THEN
			ack_suppressed := plaint.ack_limit(m);
		END IF;
		PERFORM pg_notify('plaint_ticket', ticket_number);
	ELSE
		SELECT t.status INTO v_status FROM plaint.tickets t
		 WHERE t.id = ticket_id FOR UPDATE;
		-- The customer's answer to the satisfaction question, or a
		-- machine's reply to it, leaves the ticket as it is.
		v_asked := plaint.satisfaction_awaited(ticket_id, v_from);
		UPDATE plaint.tickets t
		   SET updated_at = now(),
		       status = CASE WHEN v_asked AND (m.answer_score IS NOT NULL
						       OR m.ack_suppressed IS NOT NULL)
				     THEN t.status
				     WHEN v_status IN ('resolved', 'closed', 'pending')
				     THEN 'open' ELSE t.status END
		 WHERE t.id = ticket_id;
		action := 'threaded';
	END IF;

	INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id,
				     in_reply_to, "references", from_addr,
				     from_name, subject, body, received_at,
				     ack_suppressed, rules_version, fingerprint, cc,
				     limits_hit, defects, shape, body_new)
	VALUES (ticket_id, m.raw_id, 'in', m.message_id, m.in_reply_to,
		coalesce(m."references", '{}'), v_from, m.from_name,
		coalesce(m.subject, ''), coalesce(m.body, ''), v_arrived,
		ack_suppressed, m.rules_version, m.fingerprint, coalesce(m.cc, '{}'),
		coalesce(m.limits, '{}'), coalesce(m.defects, '{}'), m.shape, m.body_new)
	RETURNING id INTO message_row;

	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (ticket_id, 'gateway', action,
		jsonb_strip_nulls(jsonb_build_object(
			'message', message_row, 'raw', m.raw_id, 'rules', m.rules,
			'from', v_from, 'follows', v_follows_number,
			'related_to', v_related_number, 'note', note)));
	IF v_asked AND m.answer_score IS NOT NULL AND m.ack_suppressed IS NULL THEN
		PERFORM plaint.record_satisfaction(ticket_id, message_row, m.answer_score,
						   m.answer_comment, m.low_score_queue);
	END IF;
	IF action = 'opened' AND m.assignee IS NOT NULL THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (ticket_id, 'gateway', 'assigned',
			jsonb_build_object('assignee', m.assignee, 'by', 'rules'));
	END IF;
	IF v_follows IS NOT NULL THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (v_follows, 'gateway', 'followed_up',
			jsonb_build_object('ticket', ticket_number,
					   'message', message_row));
	END IF;
	IF v_related IS NOT NULL THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (v_related, 'gateway', 'tag_from_stranger',
			jsonb_build_object('ticket', ticket_number, 'from', v_from,
					   'message', message_row));
	END IF;
	IF cardinality(m.limits) > 0 THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (ticket_id, 'gateway', 'limits',
			jsonb_build_object('message', message_row,
					   'limits', to_jsonb(m.limits)));
	END IF;

	UPDATE plaint.raw_messages
	   SET state = 'done', outcome = 'ticket', processed_at = now(), reason = note
	 WHERE id = m.raw_id;
	PERFORM plaint.record_routing(m);
END
$$;
COMMENT ON FUNCTION plaint.file_message IS 'Gateway only: files one inbound message from its facts (a jsonb object with the fields of plaint.inbound): duplicate, bounce of plaint''s mail, dropped, threaded or a new ticket; records the outcome on its raw row';
GRANT EXECUTE ON FUNCTION plaint.file_message TO plaint_gateway;
