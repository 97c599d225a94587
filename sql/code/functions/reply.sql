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
	IF v_to IS NULL THEN
		RAISE EXCEPTION 'ticket % has no customer address: its mail named no sender', t.number
		      USING ERRCODE = '55000',
			    HINT = 'plaint.thread shows the message; answer by other means and note it with plaint.note().';
	END IF;
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
GRANT EXECUTE ON FUNCTION plaint.reply TO plaint_agent;
