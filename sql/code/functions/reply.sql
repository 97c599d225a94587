-- Queues an agent's reply to the ticket's customer.
--
-- Cc: with to_participants (the default) the ticket's participants
-- (plaint.participants: Cc addresses of its inbound mail and addresses
-- agents added, less those removed), then the addresses of cc, a text
-- of addresses separated by commas; without the customer's own address,
-- the own_addresses setting, or any address twice.  That exact list is
-- stored on the outbox row (and on the message) for the gateway to send.
--
-- Attachments: sha256 values of files the agent stored with
-- plaint.add_blob() (sent under the name and type given there), or of
-- attachments of the ticket's own mail (sent as they came).  Anything
-- else is refused, so that a hash cannot carry out a file from a ticket
-- the agent cannot see.  Together they weigh at most the
-- max_attachment_bytes setting.
--
-- The agent's signature (plaint.agents) goes under the text.
CREATE FUNCTION plaint.reply(ticket text, body text, cc text DEFAULT NULL,
			     to_participants boolean DEFAULT true,
			     attachments text[] DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_extra text[] := '{}';
	v_cc text[];
	v_own text[];
	v_bad text;
	v_to text;
	v_domain text;
	v_mid text;
	v_subject text;
	v_body text;
	v_sig text;
	v_irt text;
	v_refs text[];
	v_status text;
	v_row bigint;
	v_out bigint;
	v_files jsonb := '[]';
	v_file record;
	v_limit bigint;
	v_total bigint := 0;
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
		SELECT array_agg(lower(a) ORDER BY n) INTO v_extra
		  FROM regexp_split_to_table(btrim(reply.cc, E' \t\r\n,;'),
					     E'\\s*[,;]\\s*') WITH ORDINALITY AS s(a, n);
		SELECT a INTO v_bad FROM unnest(v_extra) a
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

	SELECT array_agg(lower(btrim(a))) INTO v_own
	  FROM plaint.settings s, regexp_split_to_table(s.value, ',') a
	 WHERE s.key = 'own_addresses' AND btrim(a) <> '';
	SELECT coalesce(array_agg(x.a ORDER BY x.n), '{}') INTO v_cc
	  FROM (SELECT u.a, min(u.n) AS n
		  FROM unnest(CASE WHEN reply.to_participants
				   THEN ARRAY(SELECT p.address FROM plaint.participants p
					       WHERE p.ticket = t.number
					       ORDER BY p.added_at, p.address)
				   ELSE '{}'::text[] END || v_extra)
		       WITH ORDINALITY AS u(a, n)
		 WHERE u.a <> v_to AND NOT u.a = ANY (coalesce(v_own, '{}'))
		 GROUP BY u.a) x;

	-- The files, in the order given: check them all before writing.
	SELECT s.value::bigint INTO v_limit FROM plaint.settings s
	 WHERE s.key = 'max_attachment_bytes';
	FOR v_file IN
		SELECT f.n, f.sha, b.size, b.removed_at, coalesce(u.filename, a.filename) AS filename,
		       coalesce(u.content_type, a.content_type) AS content_type,
		       u.filename IS NOT NULL OR a.content_type IS NOT NULL AS allowed
		  FROM unnest(reply.attachments) WITH ORDINALITY AS f0(sha, n)
		 CROSS JOIN LATERAL (SELECT lower(btrim(f0.sha)) AS sha, f0.n) f
		  LEFT JOIN plaint.blobs b ON b.sha256 = f.sha
		  LEFT JOIN LATERAL (SELECT x.filename, x.content_type FROM plaint.uploads x
				      WHERE x.sha256 = f.sha AND x.added_by = session_user
				      ORDER BY x.id DESC LIMIT 1) u ON true
		  LEFT JOIN LATERAL (SELECT coalesce(x.filename, 'attachment') AS filename,
					    x.content_type
				       FROM plaint.attachments x
				       JOIN plaint.messages m ON m.id = x.message_row
				       JOIN plaint.tickets mt ON mt.id = m.ticket_id
				      WHERE x.sha256 = f.sha
					AND (mt.id = t.id OR mt.merged_into = t.id)
				      ORDER BY x.id LIMIT 1) a ON true
		 ORDER BY f.n
	LOOP
		IF v_file.sha IS NULL OR NOT v_file.allowed OR v_file.size IS NULL THEN
			RAISE EXCEPTION 'attachment % is neither a file you stored nor an attachment of %',
			      coalesce(v_file.sha, 'NULL'), t.number
			      USING ERRCODE = '22023',
				    HINT = 'Store a file with plaint.add_blob(name, type, content); it returns the sha256 to give here.';
		END IF;
		IF v_file.removed_at IS NOT NULL THEN
			RAISE EXCEPTION 'the content of attachment % was removed on %',
			      v_file.sha, v_file.removed_at
			      USING ERRCODE = '55000',
				    HINT = 'Store the file again with plaint.add_blob().';
		END IF;
		v_total := v_total + v_file.size;
		v_files := v_files || jsonb_build_object(
			'sha256', v_file.sha, 'filename', v_file.filename,
			'content_type', v_file.content_type, 'size', v_file.size);
	END LOOP;
	IF v_total > coalesce(v_limit, 26214400) THEN
		RAISE EXCEPTION 'the attachments weigh % bytes, more than the % a reply may carry',
		      v_total, coalesce(v_limit, 26214400)
		      USING ERRCODE = '54000';
	END IF;

	SELECT s.value INTO v_domain FROM plaint.settings s
	 WHERE s.key = 'message_id_domain';
	v_mid := 'plaint.' || gen_random_uuid() || '@' || coalesce(v_domain, 'localhost');
	v_subject := '[' || t.number || '] ' ||
		     CASE WHEN t.subject ~* '^\s*(re|aw|sv|antw)\s*:' THEN t.subject
			  ELSE 'Re: ' || t.subject END;
	SELECT nullif(btrim(a.signature, E' \t\r\n'), '') INTO v_sig
	  FROM plaint.agents a WHERE a.login = session_user;
	v_body := CASE WHEN v_sig IS NULL THEN reply.body
		       ELSE rtrim(reply.body, E' \t\r\n') || E'\n\n-- \n' || v_sig END;
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
	VALUES (t.id, 'out', v_mid, v_irt, v_refs, v_subject, v_body, v_cc,
		session_user, clock_timestamp())
	RETURNING id INTO v_row;
	INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, cc,
				   message_id, due_at)
	VALUES ('reply', t.id, v_row, v_to, v_cc, v_mid, now())
	RETURNING id INTO v_out;
	INSERT INTO plaint.outbox_attachments (outbox_id, position, sha256, filename,
					       content_type, size)
	SELECT v_out, f.n, f.e->>'sha256', f.e->>'filename', f.e->>'content_type',
	       (f.e->>'size')::bigint
	  FROM jsonb_array_elements(v_files) WITH ORDINALITY AS f(e, n);

	v_status := CASE WHEN t.status IN ('new', 'open') THEN 'pending' ELSE t.status END;
	UPDATE plaint.tickets x SET status = v_status, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'replied',
		jsonb_build_object('outbox', v_out, 'message', v_row,
				   'message_id', v_mid, 'to', v_to, 'cc', v_cc,
				   'status', v_status) ||
		CASE WHEN jsonb_array_length(v_files) = 0 THEN '{}'::jsonb
		     ELSE jsonb_build_object('attachments',
			     (SELECT jsonb_agg(e->>'filename') FROM jsonb_array_elements(v_files) e))
		END);
	PERFORM pg_notify('plaint_outbox', t.id::text);
	RETURN v_out;
END
$$;
COMMENT ON FUNCTION plaint.reply IS 'Queues a reply to the ticket''s customer, sent by the gateway at once: subject "[CMP-n] Re: ...", In-Reply-To and References answering the latest inbound mail, a Message-ID of plaint''s own, your signature; Cc to the ticket''s participants (to_participants => false: not) and to the addresses in cc; attachments => ARRAY[sha256, ...] of files stored with plaint.add_blob() or attachments of the ticket; a new or open ticket becomes pending. Returns the plaint.outbox id. Examples: SELECT plaint.reply(''CMP-1042'', ''We have refunded you.''); SELECT plaint.reply(''CMP-1042'', ''The credit note is attached.'', cc => ''lead@example.com'', attachments => ARRAY[''<sha256 from plaint.add_blob>'']);';
GRANT EXECUTE ON FUNCTION plaint.reply TO plaint_agent;
