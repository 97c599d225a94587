-- 0021_thread_roots.sql: the first message of an inbound message's
-- thread, looked up from that first message's side.
--
-- References lists a thread from its first message on.  A later message
-- of a customer's thread can be filed before the first one, and before
-- the message between them that would tie the two (mail held up on its
-- way, or a backlog filed by several workers): the first message then
-- joins the later one's ticket, as a message answered by a reply filed
-- first does (0020).  plaint.file_message() and plaint.file_messages()
-- ask this index which filed message starts with theirs.  Mail without
-- References has no entry.

CREATE INDEX messages_in_roots ON plaint.messages (("references"[1]))
	WHERE direction = 'in' AND "references"[1] IS NOT NULL;

INSERT INTO plaint.schema_migrations (version) VALUES (21);
