-- The daemon calls this every minute or so.  Each deadline an open
-- ticket has missed (plaint.overdue) is recorded once in
-- plaint.breaches; for each new one it writes an event, notifies the
-- channel plaint_overdue with "NUMBER KIND" (e.g. "CMP-1042
-- first_response"), and, when the ticket's queue has escalate_to,
-- queues one mail there (outbox kind escalation) that the gateway sends
-- like a reply.  Two gateways calling at once record and escalate each
-- breach once: the primary key of plaint.breaches decides.  Returns the
-- breaches it found now.
CREATE FUNCTION plaint.check_overdue()
RETURNS TABLE (ticket text, kind text, due_at timestamptz, escalated_to text,
	       outbox_id bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	o record;
	v_domain text;
	v_mid text;
	v_row bigint;
	v_zone text;
BEGIN
	SELECT s.value INTO v_domain FROM plaint.settings s WHERE s.key = 'message_id_domain';
	FOR o IN
		SELECT t.id, d.number, d.kind, d.what, d.due_at, d.queue, d.priority,
		       d.subject, d.customer, d.assignee, t.created_at,
		       q.escalate_to, q.hours_tz
		  FROM plaint.overdue d
		  JOIN plaint.tickets t ON t.number = d.number
		  JOIN plaint.queues q ON q.name = d.queue
		 WHERE NOT EXISTS (SELECT FROM plaint.breaches b
				    WHERE b.ticket_id = t.id AND b.kind = d.kind)
		 ORDER BY d.due_at, d.number, d.kind
	LOOP
		INSERT INTO plaint.breaches (ticket_id, kind, due_at)
		VALUES (o.id, o.kind, o.due_at)
		ON CONFLICT DO NOTHING;
		CONTINUE WHEN NOT FOUND;
		ticket := o.number;
		kind := o.kind;
		due_at := o.due_at;
		escalated_to := o.escalate_to;
		outbox_id := NULL;
		IF o.escalate_to IS NOT NULL THEN
			v_zone := coalesce(o.hours_tz, 'UTC');
			v_mid := 'plaint.' || gen_random_uuid() || '@' || coalesce(v_domain, 'localhost');
			INSERT INTO plaint.messages (ticket_id, direction, message_id, subject,
						     body, created_at)
			VALUES (o.id, 'out', v_mid,
				format('[%s] Overdue: %s', o.number, o.what),
				format(E'Ticket %s in queue %s is overdue: %s was due at %s %s.\n\n'
				       'Subject:  %s\nCustomer: %s\nPriority: %s\nAssignee: %s\n'
				       'Opened:   %s %s\n\n'
				       'Read it in psql:\n'
				       '  SELECT * FROM plaint.thread WHERE ticket = %L;\n',
				       o.number, o.queue, o.what,
				       to_char(o.due_at AT TIME ZONE v_zone, 'YYYY-MM-DD HH24:MI'), v_zone,
				       o.subject, coalesce(o.customer, 'none'), o.priority,
				       coalesce(o.assignee, 'nobody'),
				       to_char(o.created_at AT TIME ZONE v_zone, 'YYYY-MM-DD HH24:MI'), v_zone,
				       o.number),
				clock_timestamp())
			RETURNING id INTO v_row;
			INSERT INTO plaint.outbox (kind, ticket_id, message_row, recipient,
						   message_id, due_at)
			VALUES ('escalation', o.id, v_row, o.escalate_to, v_mid, now())
			RETURNING id INTO outbox_id;
			UPDATE plaint.breaches b SET outbox_id = check_overdue.outbox_id
			 WHERE b.ticket_id = o.id AND b.kind = o.kind;
			PERFORM pg_notify('plaint_outbox', o.id::text);
		END IF;
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (o.id, 'gateway', 'overdue',
			jsonb_strip_nulls(jsonb_build_object(
				'kind', o.kind, 'due_at', o.due_at,
				'escalated_to', o.escalate_to, 'outbox', outbox_id)));
		PERFORM pg_notify('plaint_overdue', o.number || ' ' || o.kind);
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION plaint.check_overdue IS 'Daemon, every minute or so: records each newly missed deadline in plaint.breaches once, with an event, NOTIFY plaint_overdue ''NUMBER KIND'' and, if the queue has escalate_to, one escalation mail in the outbox; returns the new breaches. Example: SELECT * FROM plaint.check_overdue();';
GRANT EXECUTE ON FUNCTION plaint.check_overdue TO plaint_gateway;
