-- Files a batch of inbound messages in one call: a jsonb array of the
-- facts plaint.file_message() takes; one result row per message, in the
-- order given.  One round trip for the gateway instead of one per
-- message, and set-based work for the common case.  The texts of the
-- messages (body, body_new) are in the objects, or, when bodies is
-- given, in bodies and bodies_new, element i for object i: the gateway
-- sends them so, as text that needs no JSON parsing.
--
-- A new complaint that names no ticket, no earlier message and no
-- bounce, whose fingerprint and Message-ID are new (in the database and
-- in the batch), and that no message filed answers or names as the
-- first of its thread, is filed together with the others of its kind:
-- one statement writes their customers, tickets, messages, events,
-- routing and raw rows.  Every other message (a reply, a duplicate, a
-- bounce, a drop, a ticket tag, a message that a reply filed first
-- answers, or whose thread a later message filed first continues) goes
-- through plaint.file_message(), one at a time, after them and in the
-- order given, so that it sees what the batch filed before it.  The
-- tickets opened are then checked for repeat complaints
-- (plaint.mark_repeats, with the first message's repeat_tickets and
-- repeat_days), and the acknowledgement rate limits (plaint.ack_limit)
-- applied over the whole batch, in order: what was queued before it,
-- then what the batch acknowledges, counts.
--
-- Its statements (and those of the functions it calls) are planned
-- generically from the first call: PostgreSQL would plan each of them
-- afresh for a session's first five batches, to settle on the generic
-- plan anyway.
CREATE FUNCTION plaint.file_messages(batch jsonb, bodies text[] DEFAULT NULL,
				     bodies_new text[] DEFAULT NULL)
RETURNS TABLE (raw_id bigint, action text, ticket_id bigint, ticket_number text,
	       message_row bigint, ack_suppressed text, note text)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
	v_rows plaint.inbound[];
	v_simple boolean[];
	v_action text[];
	v_ticket bigint[];
	v_number text[];
	v_row bigint[];
	v_ack text[];
	v_note text[];
	v_n integer;
	v_out record;
	v_one plaint.inbound;
	v_ids bigint[];
	v_addr text;
	v_domain text;
	v_shape_key text;
	v_addrs text[];	-- of each message: its address, domain, domain and shape
	v_domains text[];
	v_shapes text[];
	v_addr_n bigint[];	-- what the database held: acks to the address,
	v_shape_n bigint[];	-- messages of the shape from the domain, acks
	v_domain_n bigint[];	-- to the domain; NULL where a limit is off
	v_by_addr jsonb := '{}';	-- acknowledgements before, in the batch
	v_by_domain jsonb := '{}';
	v_by_shape jsonb := '{}';	-- messages before, by domain and shape
BEGIN
	-- body and body_new stay out of v_rows (in batch, or in bodies and
	-- bodies_new), read where they are: each use of a row of v_rows
	-- copies the whole row, and the texts in every one would make each
	-- such use cost as much as the mail is long.
	SELECT array_agg(r ORDER BY e.n) INTO v_rows
	  FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(j, n),
	       LATERAL jsonb_populate_record(NULL::plaint.inbound, e.j - 'body' - 'body_new') AS r;
	v_n := coalesce(cardinality(v_rows), 0);
	IF v_n = 0 THEN
		RETURN;
	END IF;
	v_action := array_fill(NULL::text, ARRAY[v_n]);
	v_ticket := array_fill(NULL::bigint, ARRAY[v_n]);
	v_number := v_action;
	v_row := v_ticket;
	v_ack := v_action;
	v_note := v_action;

	-- Two filers of one message, of two messages with one Message-ID,
	-- of a message and a reply to it or a later message of its thread,
	-- or of mail from one sender, wait for each other here, always in
	-- the same order: the fingerprints, then the Message-IDs, the ones
	-- they answer and the first of their threads (as
	-- plaint.file_message), then the senders, each by its key.  The
	-- last make the second filer count the first one's
	-- acknowledgements to the address (rate_limit) and its tickets
	-- (repeat complaints).
	PERFORM pg_advisory_xact_lock(hashtext('plaint.fingerprint'), h)
	   FROM (SELECT DISTINCT hashtext(u.fingerprint) AS h FROM unnest(v_rows) AS u
		  WHERE u.fingerprint IS NOT NULL ORDER BY 1) x;
	PERFORM pg_advisory_xact_lock(hashtext('plaint.message_id'), h)
	   FROM (SELECT DISTINCT hashtext(y.i) AS h FROM unnest(v_rows) AS u,
			LATERAL (VALUES (u.message_id), (u.refs[1]),
				       (u.refs[cardinality(u.refs)])) AS y(i)
		  WHERE y.i IS NOT NULL ORDER BY 1) x;
	PERFORM pg_advisory_xact_lock(hashtext('plaint.sender'), h)
	   FROM (SELECT DISTINCT hashtext(lower(btrim(u.from_addr))) AS h FROM unnest(v_rows) AS u
		  WHERE nullif(btrim(u.from_addr), '') IS NOT NULL ORDER BY 1) x;

	-- Which are new complaints of the plain kind.
	SELECT array_agg(x.plain ORDER BY x.n) INTO v_simple
	  FROM (SELECT u.ordinality AS n,
		       u.bounce IS NULL AND NOT coalesce(u."drop", false)
		       AND u.tag_number IS NULL
		       AND cardinality(coalesce(u.refs, '{}')) = 0
		       AND u.fingerprint IS NOT NULL
		       AND nullif(btrim(u.from_addr), '') IS NOT NULL
		       AND count(*) OVER (PARTITION BY u.fingerprint) = 1
		       AND count(*) OVER (PARTITION BY coalesce(u.message_id, u.ordinality::text)) = 1
		       AND NOT EXISTS (SELECT FROM plaint.messages x
				       WHERE x.fingerprint = u.fingerprint
					 AND x.direction = 'in')
		       AND NOT EXISTS (SELECT FROM plaint.messages x
				       WHERE x.message_id = u.message_id
					 AND x.direction = 'in')
		       AND NOT EXISTS (SELECT FROM plaint.messages x
				       WHERE coalesce(x.in_reply_to,
						      x."references"[cardinality(x."references")])
					     = u.message_id
					 AND x.direction = 'in')
		       AND NOT EXISTS (SELECT FROM plaint.messages x
				       WHERE x."references"[1] = u.message_id
					 AND x.direction = 'in')
		       AND EXISTS (SELECT FROM plaint.raw_messages w
				   WHERE w.id = u.raw_id AND w.state = 'new') AS plain
		  FROM unnest(v_rows) WITH ORDINALITY AS u) x;

	IF true = ANY (v_simple) THEN
		FOR v_out IN
		WITH s AS (
			SELECT u.ordinality AS n, u.*,
			       lower(btrim(u.from_addr)) AS email,
			       coalesce(u.received_at, now()) AS arrived
			  FROM unnest(v_rows) WITH ORDINALITY AS u
			 WHERE v_simple[u.ordinality]),
		cn AS (
			-- known customers are not locked: parallel filers of
			-- one customer's mail must not wait on each other
			INSERT INTO plaint.customers (email, name)
			SELECT DISTINCT ON (s.email) s.email, nullif(s.from_name, '')
			  FROM s ORDER BY s.email, nullif(s.from_name, '') IS NULL, s.n
			ON CONFLICT (email) DO NOTHING RETURNING id, email),
		c AS (
			SELECT cn.email, cn.id FROM cn
			UNION ALL
			SELECT k.email, k.id FROM plaint.customers k
			 WHERE k.email IN (SELECT s.email FROM s)),
		qn AS (
			INSERT INTO plaint.queues (name, first_response)
			SELECT DISTINCT ON (s.queue) s.queue,
			       make_interval(secs => coalesce(s.respond_within, 86400))
			  FROM s ORDER BY s.queue
			ON CONFLICT DO NOTHING RETURNING name),
		num AS (
			SELECT o.n, upper(o.prefix) || '-' ||
			       nextval('plaint.ticket_number_seq') AS number
			  FROM (SELECT s.n, s.prefix FROM s ORDER BY s.n OFFSET 0) o),
		t AS (
			INSERT INTO plaint.tickets (number, customer_id, subject, queue,
						    priority, tags, rules, ack_due_at,
						    assignee)
			SELECT num.number, c.id, coalesce(s.subject, ''), s.queue,
			       coalesce(s.priority, 'normal'), coalesce(s.tags, '{}'),
			       coalesce(s.rules, '{}'),
			       -- the queue's SLA, in its hours; else the gateway's
			       CASE WHEN q.hours_days IS NULL
				    THEN s.arrived + coalesce(q.ack_within,
					 make_interval(secs => coalesce(s.ack_within, 3600)))
				    ELSE plaint.deadline(s.queue, s.arrived, coalesce(q.ack_within,
					 make_interval(secs => coalesce(s.ack_within, 3600))))
			       END,
			       s.assignee
			  FROM s JOIN num ON num.n = s.n JOIN c ON c.email = s.email
			  LEFT JOIN plaint.queues q ON q.name = s.queue
			 ORDER BY s.n	-- ids in the batch's order, as the numbers
			RETURNING id, number),
		m AS (
			INSERT INTO plaint.messages (ticket_id, raw_id, direction, message_id,
						     in_reply_to, "references", from_addr,
						     from_name, subject, body, received_at,
						     ack_suppressed, rules_version, fingerprint,
						     cc, limits_hit, defects, shape, body_new)
			SELECT t.id, s.raw_id, 'in', s.message_id, s.in_reply_to,
			       coalesce(s."references", '{}'), s.email, s.from_name,
			       coalesce(s.subject, ''),
			       coalesce(CASE WHEN file_messages.bodies IS NULL
					     THEN batch -> (s.n::integer - 1) ->> 'body'
					     ELSE file_messages.bodies[s.n::integer] END, ''),
			       s.arrived,
			       s.ack_suppressed, s.rules_version, s.fingerprint,
			       coalesce(s.cc, '{}'), coalesce(s.limits, '{}'),
			       coalesce(s.defects, '{}'), s.shape,
			       CASE WHEN file_messages.bodies IS NULL
				    THEN batch -> (s.n::integer - 1) ->> 'body_new'
				    ELSE file_messages.bodies_new[s.n::integer] END
			  FROM s JOIN num ON num.n = s.n JOIN t ON t.number = num.number
			RETURNING id, raw_id, ticket_id),
		ev AS (
			INSERT INTO plaint.events (ticket_id, actor, kind, detail)
			SELECT m.ticket_id, 'gateway', x.kind, x.detail
			  FROM m JOIN s ON s.raw_id = m.raw_id,
			       LATERAL (VALUES
				('opened', jsonb_strip_nulls(jsonb_build_object(
					'message', m.id, 'raw', s.raw_id, 'rules', s.rules,
					'from', s.email))),
				('assigned', CASE WHEN s.assignee IS NOT NULL THEN
					jsonb_build_object('assignee', s.assignee, 'by', 'rules') END),
				('limits', CASE WHEN cardinality(s.limits) > 0 THEN
					jsonb_build_object('message', m.id, 'limits', to_jsonb(s.limits)) END))
				AS x(kind, detail)
			 WHERE x.detail IS NOT NULL
			RETURNING 1),
		-- Only what was filed above is marked so: a message whose
		-- customer another filer added since this statement began is
		-- left for the loop below.
		w AS (
			UPDATE plaint.raw_messages x
			   SET state = 'done', outcome = 'ticket', processed_at = now(),
			       reason = NULL
			  FROM m WHERE x.id = m.raw_id RETURNING x.id),
		nm AS (
			UPDATE plaint.customers k SET name = u.from_name
			  FROM (SELECT DISTINCT ON (s.email) s.email, nullif(s.from_name, '') AS from_name
				  FROM s JOIN m ON m.raw_id = s.raw_id ORDER BY s.email, nullif(s.from_name, '') IS NULL, s.n) u
			 WHERE k.email = u.email AND k.name IS NULL AND u.from_name IS NOT NULL
			RETURNING k.id),
		g AS (
			INSERT INTO plaint.routing (raw_id, rules_version, matched, queue,
						    priority, tags, assignee, template,
						    no_ack, dropped, limit_hits)
			SELECT s.raw_id, coalesce(s.rules_version, ''), coalesce(s.rules, '{}'),
			       s.queue, s.priority, coalesce(s.tags, '{}'), s.assignee,
			       s.template, coalesce(s.no_ack, false), false,
			       coalesce(s.limit_hits, '{}')
			  FROM s JOIN m ON m.raw_id = s.raw_id
			ON CONFLICT (raw_id) DO UPDATE
			   SET routed_at = now(), rules_version = EXCLUDED.rules_version,
			       matched = EXCLUDED.matched, queue = EXCLUDED.queue,
			       priority = EXCLUDED.priority, tags = EXCLUDED.tags,
			       assignee = EXCLUDED.assignee, template = EXCLUDED.template,
			       no_ack = EXCLUDED.no_ack, dropped = EXCLUDED.dropped,
			       limit_hits = EXCLUDED.limit_hits
			RETURNING raw_id)
		SELECT s.n, t.id AS ticket, num.number, m.id AS message,
		       s.ack_suppressed AS ack
		  FROM s JOIN num ON num.n = s.n JOIN t ON t.number = num.number
		  JOIN m ON m.raw_id = s.raw_id
		LOOP
			v_action[v_out.n] := 'opened';
			v_ticket[v_out.n] := v_out.ticket;
			v_number[v_out.n] := v_out.number;
			v_row[v_out.n] := v_out.message;
			v_ack[v_out.n] := v_out.ack;
			PERFORM pg_notify('plaint_ticket', v_out.number);
		END LOOP;
	END IF;

	-- The rest, one by one (and a plain one another filer's new
	-- customer kept from the statement above, if any).
	FOR i IN 1 .. v_n LOOP
		CONTINUE WHEN v_action[i] IS NOT NULL;
		v_one := v_rows[i];
		SELECT * INTO v_out FROM plaint.file_message(to_jsonb(v_one) ||
			CASE WHEN file_messages.bodies IS NULL
			     THEN jsonb_build_object('body', batch -> (i - 1) -> 'body',
						     'body_new', batch -> (i - 1) -> 'body_new')
			     ELSE jsonb_build_object('body', file_messages.bodies[i],
						     'body_new', file_messages.bodies_new[i]) END);
		v_action[i] := v_out.action;
		v_ticket[i] := v_out.ticket_id;
		v_number[i] := v_out.ticket_number;
		v_row[i] := v_out.message_row;
		v_ack[i] := v_out.ack_suppressed;
		v_note[i] := v_out.note;
	END LOOP;

	-- Repeat complaints among the tickets opened, in one statement.
	PERFORM plaint.mark_repeats(
		ARRAY(SELECT v_ticket[i] FROM generate_series(1, v_n) AS i
		       WHERE v_action[i] = 'opened'),
		(v_rows[1]).repeat_tickets, (v_rows[1]).repeat_days);

	-- The acknowledgement rate limits over the batch, in order: what
	-- the database held before it (plaint.ack_counts, for all in one
	-- call), plus the acknowledgements (and, for near-identical mail,
	-- the messages) before each in the batch, against the limits as
	-- plaint.ack_limit() weighs them for one (plaint.ack_verdict).
	v_ids := ARRAY(SELECT u.raw_id FROM unnest(v_rows) WITH ORDINALITY AS u ORDER BY u.ordinality);
	SELECT array_agg(c.addr ORDER BY c.n), array_agg(c.domain ORDER BY c.n),
	       array_agg(c.shape_key ORDER BY c.n), array_agg(c.addr_n ORDER BY c.n),
	       array_agg(c.shape_n ORDER BY c.n), array_agg(c.domain_n ORDER BY c.n)
	  INTO v_addrs, v_domains, v_shapes, v_addr_n, v_shape_n, v_domain_n
	  FROM plaint.ack_counts(v_rows,
		ARRAY(SELECT v_action[i] = 'opened' AND v_ack[i] IS NULL
			FROM generate_series(1, v_n) AS i ORDER BY i), v_ids) c;
	FOR i IN 1 .. v_n LOOP
		CONTINUE WHEN v_action[i] NOT IN ('opened', 'threaded');
		v_addr := v_addrs[i];
		v_domain := v_domains[i];
		v_shape_key := v_shapes[i];
		IF v_action[i] = 'opened' AND v_ack[i] IS NULL AND v_addr <> '' THEN
			v_ack[i] := plaint.ack_verdict(v_addr_n[i], v_shape_n[i], v_domain_n[i],
				coalesce((v_by_addr->>v_addr)::integer, 0),
				coalesce((v_by_shape->>v_shape_key)::integer, 0),
				coalesce((v_by_domain->>v_domain)::integer, 0), v_rows[i]);
			IF v_ack[i] IS NOT NULL THEN
				UPDATE plaint.messages x SET ack_suppressed = v_ack[i]
				 WHERE x.id = v_row[i];
			ELSE
				v_by_addr := v_by_addr || jsonb_build_object(v_addr,
					coalesce((v_by_addr->>v_addr)::integer, 0) + 1);
				v_by_domain := v_by_domain || jsonb_build_object(v_domain,
					coalesce((v_by_domain->>v_domain)::integer, 0) + 1);
			END IF;
		END IF;
		IF v_shape_key IS NOT NULL THEN
			v_by_shape := v_by_shape || jsonb_build_object(v_shape_key,
				coalesce((v_by_shape->>v_shape_key)::integer, 0) + 1);
		END IF;
	END LOOP;

	RETURN QUERY SELECT v_ids[i], v_action[i], v_ticket[i], v_number[i],
			    v_row[i], v_ack[i], v_note[i]
		       FROM generate_series(1, v_n) AS i ORDER BY i;
END
$$;
COMMENT ON FUNCTION plaint.file_messages IS 'Gateway only: files a batch of inbound messages (a jsonb array of plaint.file_message facts, their texts in it or in bodies and bodies_new) and returns what was done with each, in order; new complaints of the plain kind are filed together, the rest one by one; the acknowledgement rate limits count the whole batch';
GRANT EXECUTE ON FUNCTION plaint.file_messages TO plaint_gateway;
