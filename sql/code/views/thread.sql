-- Per ticket (a LATERAL join), so that WHERE ticket = '...' reads the
-- messages and notes of that ticket alone, through their indexes.
CREATE VIEW plaint.thread WITH (security_invoker = true) AS
SELECT coalesce(mt.number, t.number) AS ticket, t.number AS filed_on,
       x.at, x.direction, x.kind, x.from_addr, x.agent, x.recipient, x.cc,
       x.subject, x.body, x.body_new, x.delivery, x.message_id, x.in_reply_to,
       x.created_at,
       CASE WHEN x.source = 1 THEN '{}'::text[]
	    WHEN x.outbox_id IS NOT NULL
	    THEN ARRAY(SELECT oa.filename FROM plaint.outbox_attachments oa
			WHERE oa.outbox_id = x.outbox_id ORDER BY oa.position)
	    ELSE ARRAY(SELECT coalesce(a.filename, a.content_type) FROM plaint.attachments a
			WHERE a.message_row = x.id ORDER BY a.part) END AS attachments
  FROM plaint.tickets t
  LEFT JOIN plaint.tickets mt ON mt.id = t.merged_into
 CROSS JOIN LATERAL (
	SELECT CASE WHEN m.direction = 'in'
		    THEN coalesce(m.received_at, m.created_at)
		    ELSE m.created_at END AS at,
	       m.direction,
	       CASE WHEN m.direction = 'in' AND m.ack_suppressed = 'bounce' THEN 'bounce'
		    WHEN m.direction = 'in' AND m.entered_by IS NOT NULL THEN 'entered'
		    WHEN m.direction = 'in' THEN 'mail'
		    ELSE coalesce(o.kind, 'mail') END AS kind,
	       m.from_addr, coalesce(m.author, m.entered_by) AS agent, o.recipient,
	       CASE WHEN o.id IS NOT NULL THEN o.cc ELSE m.cc END AS cc,
	       m.subject, m.body, m.body_new,
	       CASE WHEN o.sent_at IS NOT NULL THEN 'sent'
		    WHEN o.failed_at IS NOT NULL THEN 'failed'
		    WHEN o.id IS NOT NULL THEN 'queued' END AS delivery,
	       m.message_id, m.in_reply_to, m.created_at, 0 AS source, m.id, o.id AS outbox_id
	  FROM plaint.messages m
	  LEFT JOIN plaint.outbox o ON o.message_row = m.id
	 WHERE m.ticket_id = t.id
	 UNION ALL
	SELECT n.created_at, 'note', 'note', NULL, n.author, NULL, '{}', '', n.body,
	       NULL, NULL, NULL, NULL, n.created_at, 1, n.id, NULL
	  FROM plaint.notes n
	 WHERE n.ticket_id = t.id) x
 ORDER BY 1, x.at, x.source, x.id;
COMMENT ON VIEW plaint.thread IS 'Every message of every ticket, in and out, and the internal notes, in order; read one with WHERE ticket = ''CMP-1042'' (includes tickets merged into it)';
COMMENT ON COLUMN plaint.thread.ticket IS 'The ticket the row belongs to now: for a merged ticket, the ticket it was merged into';
COMMENT ON COLUMN plaint.thread.filed_on IS 'The ticket the row was filed on (differs from ticket after a merge)';
COMMENT ON COLUMN plaint.thread.at IS 'When it happened: arrival for inbound mail, creation for replies, acknowledgements, escalations, satisfaction questions and notes';
COMMENT ON COLUMN plaint.thread.direction IS 'in (from the customer side), out (mailed by plaint), note (internal, never mailed)';
COMMENT ON COLUMN plaint.thread.kind IS 'mail, bounce or entered (typed in by an agent: a phone call, a letter) for in; ack, reply, escalation or survey (the satisfaction question) for out; note';
COMMENT ON COLUMN plaint.thread.from_addr IS 'Sender address of inbound mail';
COMMENT ON COLUMN plaint.thread.agent IS 'Who wrote a reply or note, or entered a complaint (database user); NULL for mail, acknowledgements, escalations and satisfaction questions';
COMMENT ON COLUMN plaint.thread.recipient IS 'Where an outgoing mail goes (To)';
COMMENT ON COLUMN plaint.thread.cc IS 'Outgoing mail: the exact Cc list it is sent with (plaint.outbox.cc); inbound mail: its Cc';
COMMENT ON COLUMN plaint.thread.subject IS 'The subject';
COMMENT ON COLUMN plaint.thread.body IS 'The text, or the note';
COMMENT ON COLUMN plaint.thread.body_new IS 'Inbound mail: what the customer wrote this time, without the quoted history and signature (plaint.messages.body_new); NULL for other rows and for mail filed before migration 17';
COMMENT ON COLUMN plaint.thread.delivery IS 'Outgoing mail: queued, sent or failed (details in plaint.outbox)';
COMMENT ON COLUMN plaint.thread.message_id IS 'The Message-ID, without angle brackets';
COMMENT ON COLUMN plaint.thread.in_reply_to IS 'The Message-ID it answers';
COMMENT ON COLUMN plaint.thread.created_at IS 'When the row was made';
COMMENT ON COLUMN plaint.thread.attachments IS 'File names of its attachments, in order (the content type when a file had no name); plaint.message_attachments has the details';
GRANT SELECT ON plaint.thread TO plaint_agent;
