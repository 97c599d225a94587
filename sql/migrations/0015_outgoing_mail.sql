-- 0015_outgoing_mail.sql: what the gateway needs to send mail as it is
-- meant, and to say why it did not.
--
-- - messages.body_html: the HTML alternative of an outgoing message (an
--   acknowledgement from a template with html_file), kept with its text
--   so that a resend after a crash is the same mail.

ALTER TABLE plaint.messages ADD COLUMN body_html text;
COMMENT ON COLUMN plaint.messages.body_html IS 'Outgoing: the HTML alternative sent with body (multipart/alternative), from an acknowledgement template''s html_file; NULL: text only';

INSERT INTO plaint.schema_migrations (version) VALUES (15);
