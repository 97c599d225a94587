-- 0013_loop_limits.sql: acknowledgements limited by domain and by
-- near-identical text, against a robot that answers from a new address
-- each time.
--
-- - messages.shape: a digest of a message's own text (quotes left out,
--   letters only, in lower case), so that mail that differs only in
--   numbers, addresses or what it quotes has one shape.
-- - Indexes for the two counts plaint.file_message makes before an
--   acknowledgement: acknowledgements to one domain lately, and inbound
--   mail of one shape lately.

ALTER TABLE plaint.messages ADD COLUMN shape text;
COMMENT ON COLUMN plaint.messages.shape IS 'Inbound: a digest of the message''s own text (quoted lines left out, letters only, lower case); near-identical mail shares it ([ack] similar_rate_limit)';
CREATE INDEX messages_in_shape ON plaint.messages (shape, received_at)
	WHERE direction = 'in' AND shape IS NOT NULL;
CREATE INDEX outbox_ack_domain ON plaint.outbox
	(lower(split_part(recipient, '@', -1)), queued_at) WHERE kind = 'ack';

INSERT INTO plaint.schema_migrations (version) VALUES (13);
