-- 0016_satisfaction.sql: asking customers how they were served, and
-- keeping what they answer.
--
-- - plaint.satisfaction: one row per ticket whose customer was asked
--   (a question queued in the outbox, kind 'survey'); score, comment and
--   answered_at are filled in when the answer is filed.
-- - outbox.kind 'survey': the question itself.

CREATE TABLE plaint.satisfaction (
	ticket_id   bigint PRIMARY KEY REFERENCES plaint.tickets (id) ON DELETE CASCADE,
	customer_id bigint REFERENCES plaint.customers (id),
	queue       text NOT NULL,
	asked_at    timestamptz NOT NULL DEFAULT now(),
	outbox_id   bigint REFERENCES plaint.outbox (id),
	score       smallint CHECK (score BETWEEN 1 AND 5),
	comment     text,
	answered_at timestamptz,
	message_row bigint REFERENCES plaint.messages (id),
	CONSTRAINT satisfaction_answer_whole
		CHECK ((score IS NULL) = (answered_at IS NULL))
);
CREATE INDEX satisfaction_customer ON plaint.satisfaction (customer_id, asked_at);
COMMENT ON TABLE plaint.satisfaction IS 'How customers say they were served: one row per ticket whose customer was asked on resolution, with the answer once it came';
COMMENT ON COLUMN plaint.satisfaction.ticket_id IS 'The ticket the question was about';
COMMENT ON COLUMN plaint.satisfaction.customer_id IS 'Who was asked';
COMMENT ON COLUMN plaint.satisfaction.queue IS 'The ticket''s queue when the question was asked';
COMMENT ON COLUMN plaint.satisfaction.asked_at IS 'When the question was queued';
COMMENT ON COLUMN plaint.satisfaction.outbox_id IS 'The question in plaint.outbox (kind survey)';
COMMENT ON COLUMN plaint.satisfaction.score IS '1 (very poor) to 5 (very good), read from the answer; NULL: not answered';
COMMENT ON COLUMN plaint.satisfaction.comment IS 'What the customer wrote besides the score, quoted text and signature left out; NULL: nothing';
COMMENT ON COLUMN plaint.satisfaction.answered_at IS 'When the answer was filed; NULL: not answered';
COMMENT ON COLUMN plaint.satisfaction.message_row IS 'The answer in plaint.messages';

ALTER TABLE plaint.outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE plaint.outbox ADD CONSTRAINT outbox_kind_known
	CHECK (kind IN ('ack', 'reply', 'escalation', 'survey'));
COMMENT ON COLUMN plaint.outbox.kind IS 'ack (acknowledgement, sent as an automatic reply), reply (an agent''s), escalation (a missed deadline, to the queue''s escalate_to), survey (the satisfaction question on resolution)';

ALTER TABLE plaint.satisfaction ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON plaint.satisfaction TO plaint_agent;
GRANT SELECT, INSERT, UPDATE ON plaint.satisfaction TO plaint_gateway;
GRANT ALL ON plaint.satisfaction TO plaint_admin;

INSERT INTO plaint.schema_migrations (version) VALUES (16);
