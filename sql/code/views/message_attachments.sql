CREATE VIEW plaint.message_attachments WITH (security_invoker = true) AS
SELECT t.number AS ticket, m.id AS message_row, a.part, a.filename,
       a.content_type, a.size, a.sha256, a.content_id, 'in'::text AS direction
  FROM plaint.attachments a
  JOIN plaint.messages m ON m.id = a.message_row
  LEFT JOIN plaint.tickets t ON t.id = m.ticket_id
UNION ALL
SELECT t.number, o.message_row, oa.position::text, oa.filename, oa.content_type,
       oa.size, oa.sha256, NULL, 'out'
  FROM plaint.outbox_attachments oa
  JOIN plaint.outbox o ON o.id = oa.outbox_id
  JOIN plaint.tickets t ON t.id = o.ticket_id;
COMMENT ON VIEW plaint.message_attachments IS 'Attachments by ticket and message, of inbound mail and of replies; the content is in plaint.blobs by sha256';
COMMENT ON COLUMN plaint.message_attachments.ticket IS 'The ticket the message is filed on';
COMMENT ON COLUMN plaint.message_attachments.message_row IS 'The plaint.messages row';
COMMENT ON COLUMN plaint.message_attachments.part IS 'Inbound: where the part sits in the MIME tree (e.g. 1.2); outgoing: its position in the mail';
COMMENT ON COLUMN plaint.message_attachments.filename IS 'The file name';
COMMENT ON COLUMN plaint.message_attachments.content_type IS 'The MIME type';
COMMENT ON COLUMN plaint.message_attachments.size IS 'Size in bytes';
COMMENT ON COLUMN plaint.message_attachments.sha256 IS 'The content, in plaint.blobs';
COMMENT ON COLUMN plaint.message_attachments.content_id IS 'Content-ID of an inline image of inbound mail';
COMMENT ON COLUMN plaint.message_attachments.direction IS 'in: came with the customer''s mail; out: sent with a reply';
GRANT SELECT ON plaint.message_attachments TO plaint_agent;
