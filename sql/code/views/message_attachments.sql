CREATE VIEW plaint.message_attachments AS
SELECT t.number AS ticket, m.id AS message_row, a.part, a.filename,
       a.content_type, a.size, a.sha256, a.content_id
  FROM plaint.attachments a
  JOIN plaint.messages m ON m.id = a.message_row
  LEFT JOIN plaint.tickets t ON t.id = m.ticket_id;
COMMENT ON VIEW plaint.message_attachments IS 'Attachments by ticket and message; the content is in plaint.blobs by sha256';
GRANT SELECT ON plaint.message_attachments TO plaint_agent;
