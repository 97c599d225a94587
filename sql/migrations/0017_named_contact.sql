-- 0017_named_contact.sql: a name for the customer to deal with, and
-- what a customer wrote themselves.
--
-- - queues.team: the team that answers a queue's mail ([queue NAME]
--   team in the gateway's configuration), named in the From of its
--   acknowledgements ("Refunds team via Customer Care").
-- - messages.body_new: the new text of an inbound message, its quoted
--   history and signature left out.  Messages filed before this
--   migration keep NULL there: their body is all there is.

ALTER TABLE plaint.queues ADD COLUMN team text
	CONSTRAINT queues_team_is_one_line
	CHECK (team !~ '[[:cntrl:]]' AND btrim(team) <> '' AND length(team) <= 100);
COMMENT ON COLUMN plaint.queues.team IS 'Who answers the queue''s mail, e.g. Refunds team: the From name of its acknowledgements ("Refunds team via Customer Care") and their {team}; set from [queue NAME] team; NULL: none';

ALTER TABLE plaint.messages ADD COLUMN body_new text;
ALTER TABLE plaint.messages ALTER COLUMN body_new SET COMPRESSION lz4;
COMMENT ON COLUMN plaint.messages.body_new IS 'Inbound mail: the new text of body, without the quoted history and signature (what the customer wrote this time); NULL for outgoing mail, complaints entered by agents and mail filed before migration 17';

INSERT INTO plaint.schema_migrations (version) VALUES (17);
