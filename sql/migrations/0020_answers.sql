-- 0020_answers.sql: the message an inbound message answers, looked up
-- from the answered side.
--
-- A reply names the message it answers (In-Reply-To, else the newest
-- of References: what the gateway sends first in refs).  When the reply
-- is filed before the message it answers (two filers side by side on a
-- backlog, or mail that came late), the message answered joins the
-- reply's ticket: plaint.file_message() and plaint.file_messages() ask
-- this index which filed message answers theirs.  Mail that answers
-- nothing (a new complaint) has no entry.

CREATE INDEX messages_in_answers ON plaint.messages
	((coalesce(in_reply_to, "references"[cardinality("references")])))
	WHERE direction = 'in'
	  AND coalesce(in_reply_to, "references"[cardinality("references")]) IS NOT NULL;

INSERT INTO plaint.schema_migrations (version) VALUES (20);
