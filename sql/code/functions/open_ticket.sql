-- A complaint that did not come by mail (a phone call, a letter): the
-- customer (made if new), a ticket in an existing queue, and an inbound
-- message with the agent's text, entered_by naming the agent and no raw
-- row.  It counts as the customer's first message for the SLA clocks.
-- No acknowledgement unless asked: then one is queued through the
-- outbox, as plaint.reply() queues a reply, and the gateway sends it as
-- it sends acknowledgements.  Without one, the message says why
-- (ack_suppressed = 'not-requested'), so the ticket is never overdue
-- for one.
CREATE FUNCTION plaint.open_ticket(customer text, subject text, body text, queue text,
				   acknowledge boolean DEFAULT false, name text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	v_addr text := lower(btrim(open_ticket.customer));
	v_subject text := btrim(open_ticket.subject, E' \t\r\n');
	v_name text := nullif(btrim(open_ticket.name), '');
	q plaint.queues;
	v_customer bigint;
	v_prefix text;
	v_number text;
	v_ticket bigint;
	v_msg bigint;
	v_domain text;
	v_mid text;
	v_ack_row bigint;
	v_outbox bigint;
	v_due timestamptz;
	v_sig text;
BEGIN
	IF v_addr IS NULL OR v_addr !~ '^[^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+$' THEN
		RAISE EXCEPTION 'customer "%" is not an email address', open_ticket.customer
		      USING ERRCODE = '22023',
			    HINT = 'Give the customer''s address, e.g. ann@example.com.';
	END IF;
	IF v_subject IS NULL OR v_subject = '' OR v_subject ~ '[\r\n]' THEN
		RAISE EXCEPTION 'a ticket needs a subject of one line'
		      USING ERRCODE = '22023';
	END IF;
	IF open_ticket.body IS NULL OR btrim(open_ticket.body, E' \t\r\n') = '' THEN
		RAISE EXCEPTION 'the complaint has an empty body'
		      USING ERRCODE = '22023',
			    HINT = 'Write down what the customer said.';
	END IF;
	IF v_name ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'a customer''s name is one line'
		      USING ERRCODE = '22023';
	END IF;
	SELECT * INTO q FROM plaint.queues x WHERE x.name = btrim(open_ticket.queue);
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown queue "%"', open_ticket.queue
		      USING ERRCODE = 'P0002',
			    HINT = 'SELECT name FROM plaint.queues lists the queues; an admin adds one.';
	END IF;

	INSERT INTO plaint.customers AS c (email, name) VALUES (v_addr, v_name)
	ON CONFLICT (email) DO UPDATE SET name = coalesce(EXCLUDED.name, c.name)
	RETURNING c.id INTO v_customer;
	SELECT s.value INTO v_prefix FROM plaint.settings s WHERE s.key = 'ticket_prefix';
	v_number := upper(coalesce(v_prefix, 'CMP')) || '-' || nextval('plaint.ticket_number_seq');
	v_due := plaint.deadline(q.name, now(), coalesce(q.ack_within, interval '1 hour'));
	INSERT INTO plaint.tickets (number, customer_id, subject, queue, ack_due_at)
	VALUES (v_number, v_customer, v_subject, q.name, v_due)
	RETURNING id INTO v_ticket;
	INSERT INTO plaint.messages (ticket_id, direction, entered_by, from_addr, from_name,
				     subject, body, received_at, ack_suppressed, created_at)
	VALUES (v_ticket, 'in', session_user, v_addr, v_name, v_subject, open_ticket.body,
		now(), CASE WHEN open_ticket.acknowledge THEN NULL ELSE 'not-requested' END,
		clock_timestamp())
	RETURNING id INTO v_msg;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (v_ticket, session_user, 'opened',
		jsonb_build_object('message', v_msg, 'entered_by', session_user::text,
				   'from', v_addr, 'queue', q.name));

	IF open_ticket.acknowledge THEN
		SELECT s.value INTO v_domain FROM plaint.settings s
		 WHERE s.key = 'message_id_domain';
		SELECT a.signature INTO v_sig FROM plaint.agents a WHERE a.login = session_user;
		v_mid := 'plaint.' || gen_random_uuid() || '@' || coalesce(v_domain, 'localhost');
		INSERT INTO plaint.messages (ticket_id, direction, message_id, subject, body,
					     author, created_at)
		VALUES (v_ticket, 'out', v_mid, '[' || v_number || '] ' || v_subject,
			format(E'Hello%s,\n\nwe have recorded your complaint as %s: %s.\n'
			       'To add to it, reply to this mail and keep [%s] in the subject.\n',
			       coalesce(' ' || v_name, ''), v_number, v_subject, v_number)
			|| coalesce(E'\n-- \n' || nullif(btrim(v_sig, E' \t\r\n'), ''), ''),
			session_user, clock_timestamp())
		RETURNING id INTO v_ack_row;
		INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient, message_id, due_at)
		VALUES ('ack', v_ticket, v_ack_row, v_addr, v_mid, v_due)
		RETURNING id INTO v_outbox;
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (v_ticket, session_user, 'ack_queued',
			jsonb_build_object('message_id', v_mid, 'outbox', v_outbox));
		PERFORM pg_notify('plaint_outbox', v_ticket::text);
	END IF;
	PERFORM pg_notify('plaint_ticket', v_number);
	RETURN v_number;
END
$$;
COMMENT ON FUNCTION plaint.open_ticket IS 'Opens a ticket for a complaint that came by phone or letter: the customer (made if new), a ticket in an existing queue, an inbound message entered by you; acknowledge => true also queues an acknowledgement mail. Returns the ticket number. Example: SELECT plaint.open_ticket(''ann@example.com'', ''Kettle leaks'', ''Called at 10:05: the new kettle leaks.'', ''returns'', acknowledge => true, name => ''Ann Lee'');';
GRANT EXECUTE ON FUNCTION plaint.open_ticket TO plaint_agent;
