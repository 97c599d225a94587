-- Erases a customer's personal data everywhere, for a request to be
-- forgotten; rows, counts and timestamps stay, so the statistics do.
--
--   * their tickets: subjects; every message on them and every message
--     they sent elsewhere: subject, body (and HTML body), sender name;
--     notes on them;
--   * raw bytes of those messages and of their duplicates, and any raw
--     message or blob whose bytes contain the address or their name;
--   * blobs used only by that mail (their attachments, the replies'
--     attachments), with the file names;
--   * the address wherever it is written: customers, senders, Cc lists,
--     participants, outbox recipients, event details, error texts, and
--     any other text, text[] or jsonb column of schema plaint;
--   * their name (the customer's, and the names their mail came under)
--     likewise, when it has two words or more: a single word is too
--     common to be searched for safely, and is erased only where it is
--     linked to them.
--
-- The address becomes erased-ID@erased.invalid (ID: the customer's row,
-- or a random word if there is none), names and texts become [erased].
-- Mail still waiting to go to them is marked failed, and they are taken
-- out of the Cc of mail still waiting.  Each of their tickets gets an
-- event 'erased' naming no personal data.  An address plaint never saw
-- is erased wherever it is written all the same.  For plaint_admin only.
CREATE FUNCTION plaint.forget_customer(address text,
	OUT customer_id bigint, OUT tickets_erased integer, OUT messages_erased integer,
	OUT raw_removed integer, OUT blobs_removed integer, OUT cells_changed integer)
LANGUAGE plpgsql SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	v_addr text := lower(btrim(forget_customer.address));
	v_marker constant text := '[erased]';
	v_marker_addr text;
	v_names text[];
	v_tickets bigint[];
	v_msgs bigint[];
	v_needles bytea[];
	v_patterns text[];
	v_replacements text[];
	v_col record;
	v_n integer;
BEGIN
	IF v_addr IS NULL OR v_addr !~ '^[^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+$' THEN
		RAISE EXCEPTION '"%" is not an email address', forget_customer.address
		      USING ERRCODE = '22023';
	END IF;
	SELECT c.id INTO customer_id FROM plaint.customers c WHERE c.email = v_addr;
	v_marker_addr := 'erased-' || coalesce(customer_id::text, left(md5(gen_random_uuid()::text), 8))
			 || '@erased.invalid';
	SELECT coalesce(array_agg(DISTINCT btrim(x.n)), '{}') INTO v_names
	  FROM (SELECT c.name FROM plaint.customers c WHERE c.id = forget_customer.customer_id
		UNION ALL
		SELECT m.from_name FROM plaint.messages m WHERE m.from_addr = v_addr) x(n)
	 WHERE btrim(x.n) ~ '[^[:space:]]+[[:space:]]+[^[:space:]]';
	SELECT coalesce(array_agg(t.id), '{}') INTO v_tickets
	  FROM plaint.tickets t WHERE t.customer_id = forget_customer.customer_id;
	SELECT coalesce(array_agg(m.id), '{}') INTO v_msgs
	  FROM plaint.messages m WHERE m.ticket_id = ANY (v_tickets) OR m.from_addr = v_addr;
	tickets_erased := cardinality(v_tickets);
	messages_erased := cardinality(v_msgs);

	-- What to look for in bytes (compared in escape form, lower case)
	-- and in text: the address not inside a longer one, and each name as
	-- whole words.
	v_needles := ARRAY(SELECT convert_to(n, 'UTF8') FROM unnest(v_addr || v_names) n);
	v_patterns := ARRAY['(?<![[:alnum:]._%+-])' ||
			    regexp_replace(v_addr, '([^[:alnum:][:space:]])', '\\\1', 'g') ||
			    '(?![[:alnum:]_-]|\.[[:alnum:]])']
		      || ARRAY(SELECT CASE WHEN n ~ '^[[:alnum:]]' THEN '\m' ELSE '' END ||
				      regexp_replace(n, '([^[:alnum:][:space:]])', '\\\1', 'g') ||
				      CASE WHEN n ~ '[[:alnum:]]$' THEN '\M' ELSE '' END
				 FROM unnest(v_names) n);
	v_replacements := v_marker_addr || array_fill(v_marker, ARRAY[cardinality(v_names)]);

	-- Raw bytes: of their mail and its duplicates, and any that hold
	-- the address or a name.
	UPDATE plaint.raw_messages r SET raw = '', raw_removed_at = now()
	 WHERE octet_length(r.raw) > 0
	   AND (r.id IN (SELECT m.raw_id FROM plaint.messages m WHERE m.id = ANY (v_msgs))
		OR r.duplicate_of = ANY (v_msgs)
		OR EXISTS (SELECT FROM unnest(v_needles) x
			    WHERE strpos(lower(encode(r.raw, 'escape')),
					 lower(encode(x, 'escape'))) > 0));
	GET DIAGNOSTICS raw_removed = ROW_COUNT;

	-- Blobs only their mail uses, or whose bytes hold the address or a
	-- name; and the names their files were sent under.
	UPDATE plaint.blobs b SET content = '', removed_at = now()
	 WHERE b.removed_at IS NULL
	   AND ((EXISTS (SELECT FROM plaint.attachments a
			  WHERE a.sha256 = b.sha256 AND a.message_row = ANY (v_msgs))
		 OR EXISTS (SELECT FROM plaint.outbox_attachments oa
			     JOIN plaint.outbox o ON o.id = oa.outbox_id
			    WHERE oa.sha256 = b.sha256 AND o.ticket_id = ANY (v_tickets)))
		AND NOT EXISTS (SELECT FROM plaint.attachments a
				 WHERE a.sha256 = b.sha256 AND NOT a.message_row = ANY (v_msgs))
		AND NOT EXISTS (SELECT FROM plaint.outbox_attachments oa
				 JOIN plaint.outbox o ON o.id = oa.outbox_id
				WHERE oa.sha256 = b.sha256 AND NOT o.ticket_id = ANY (v_tickets))
		OR EXISTS (SELECT FROM unnest(v_needles) x
			    WHERE strpos(lower(encode(b.content, 'escape')),
					 lower(encode(x, 'escape'))) > 0));
	GET DIAGNOSTICS blobs_removed = ROW_COUNT;
	UPDATE plaint.attachments a SET filename = v_marker
	 WHERE a.message_row = ANY (v_msgs) AND a.filename IS NOT NULL;
	UPDATE plaint.outbox_attachments oa SET filename = v_marker
	  FROM plaint.outbox o
	 WHERE o.id = oa.outbox_id AND o.ticket_id = ANY (v_tickets);
	UPDATE plaint.uploads u SET filename = v_marker
	 WHERE u.sha256 IN (SELECT oa.sha256 FROM plaint.outbox_attachments oa
			      JOIN plaint.outbox o ON o.id = oa.outbox_id
			     WHERE o.ticket_id = ANY (v_tickets))
	   AND NOT EXISTS (SELECT FROM plaint.outbox_attachments oa
			    JOIN plaint.outbox o ON o.id = oa.outbox_id
			   WHERE oa.sha256 = u.sha256 AND NOT o.ticket_id = ANY (v_tickets));

	-- Their texts.
	UPDATE plaint.messages m
	   SET subject = v_marker, body = v_marker,
	       body_html = CASE WHEN m.body_html IS NOT NULL THEN v_marker END,
	       from_name = CASE WHEN m.from_name IS NOT NULL THEN v_marker END
	 WHERE m.id = ANY (v_msgs);
	UPDATE plaint.tickets t SET subject = v_marker WHERE t.id = ANY (v_tickets);
	UPDATE plaint.notes n SET body = v_marker WHERE n.ticket_id = ANY (v_tickets);
	UPDATE plaint.satisfaction s SET comment = v_marker
	 WHERE s.ticket_id = ANY (v_tickets) AND s.comment IS NOT NULL;

	-- Mail not yet sent to them never will be.
	UPDATE plaint.outbox o
	   SET failed_at = now(), lease_until = NULL, last_error = 'recipient erased'
	 WHERE o.recipient = v_addr AND o.sent_at IS NULL AND o.failed_at IS NULL;
	UPDATE plaint.outbox o SET cc = array_remove(o.cc, v_addr)
	 WHERE v_addr = ANY (o.cc) AND o.sent_at IS NULL AND o.failed_at IS NULL;

	UPDATE plaint.customers c
	   SET email = v_marker_addr, name = CASE WHEN c.name IS NOT NULL THEN v_marker END,
	       erased_at = now()
	 WHERE c.id = forget_customer.customer_id;

	-- The address and the names wherever else they are written.
	cells_changed := 0;
	FOR v_col IN
		SELECT c.relname, a.attname, a.atttypid
		  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind = 'r'
		   AND a.attnum > 0 AND NOT a.attisdropped
		   AND a.atttypid IN ('text'::regtype, 'text[]'::regtype, 'jsonb'::regtype)
		 ORDER BY c.relname, a.attnum
	LOOP
		FOR i IN 1..cardinality(v_patterns) LOOP
			IF v_col.atttypid = 'text'::regtype THEN
				EXECUTE format('UPDATE plaint.%I SET %I = regexp_replace(%2$I, $1, $2, ''gi'') '
					       'WHERE %2$I ~* $1', v_col.relname, v_col.attname)
				USING v_patterns[i], v_replacements[i];
			ELSIF v_col.atttypid = 'text[]'::regtype THEN
				EXECUTE format('UPDATE plaint.%I SET %I = ARRAY(SELECT regexp_replace(e, $1, $2, ''gi'') '
					       'FROM unnest(%2$I) WITH ORDINALITY u(e, n) ORDER BY n) '
					       'WHERE EXISTS (SELECT FROM unnest(%2$I) e WHERE e ~* $1)',
					       v_col.relname, v_col.attname)
				USING v_patterns[i], v_replacements[i];
			ELSE
				EXECUTE format('UPDATE plaint.%I SET %I = regexp_replace(%2$I::text, $1, $2, ''gi'')::jsonb '
					       'WHERE %2$I::text ~* $1', v_col.relname, v_col.attname)
				USING v_patterns[i], v_replacements[i];
			END IF;
			GET DIAGNOSTICS v_n = ROW_COUNT;
			cells_changed := cells_changed + v_n;
		END LOOP;
	END LOOP;

	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	SELECT t, session_user, 'erased',
	       jsonb_build_object('customer', forget_customer.customer_id,
				  'messages', messages_erased)
	  FROM unnest(v_tickets) t;
END
$$;
COMMENT ON FUNCTION plaint.forget_customer IS 'Admins: erases a customer''s personal data everywhere (texts and raw bytes of their mail, attachments only they used, their address and name wherever written), keeping rows, counts and timestamps; returns what it changed. Example: SELECT * FROM plaint.forget_customer(''ann@example.com'');';
