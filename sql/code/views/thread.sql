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
GRANT SELECT ON plaint.thread TO plaint_agent;
