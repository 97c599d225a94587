-- 0010_comments.sql: a COMMENT on every column of every table, so that
-- \d+ in psql and the comment pane of a graphical client explain each
-- one; and the comments that 0009 made untrue, corrected.

---------------------------------------------------------------- raw mail
COMMENT ON TABLE plaint.raw_messages IS 'Every message exactly as fetched; rows are never deleted, the bytes only by retention or erasure (raw_removed_at)';
COMMENT ON COLUMN plaint.raw_messages.id IS 'Row number; log lines name it raw=';
COMMENT ON COLUMN plaint.raw_messages.mailbox IS 'The configured mailbox it came from, or the mailbox named to plaint ingest';
COMMENT ON COLUMN plaint.raw_messages.uidvalidity IS 'The IMAP folder''s UIDVALIDITY when it was fetched; NULL for ingested mail';
COMMENT ON COLUMN plaint.raw_messages.uid IS 'Its IMAP UID; NULL for ingested mail';
COMMENT ON COLUMN plaint.raw_messages.fetched_at IS 'When plaint stored it';
COMMENT ON COLUMN plaint.raw_messages.sha256 IS 'sha256 of the raw bytes, hex; kept when the bytes are removed';
COMMENT ON COLUMN plaint.raw_messages.size IS 'Size of the raw bytes as fetched; kept when they are removed';
COMMENT ON COLUMN plaint.raw_messages.raw IS 'The message as the server gave it; empty once raw_removed_at is set';
COMMENT ON COLUMN plaint.raw_messages.processed_at IS 'When it was filed, dropped or quarantined; NULL while new';

COMMENT ON COLUMN plaint.mailboxes.name IS 'The mailbox''s name in the configuration ([mailbox NAME])';
COMMENT ON COLUMN plaint.mailboxes.uidvalidity IS 'The folder''s UIDVALIDITY at the last poll; when it changes, UIDs start over';
COMMENT ON COLUMN plaint.mailboxes.last_uid IS 'The highest UID stored under that UIDVALIDITY: the next poll asks for later ones';
COMMENT ON COLUMN plaint.mailboxes.polled_at IS 'When the mailbox was last polled';

COMMENT ON COLUMN plaint.routing.raw_id IS 'The raw message the rules looked at';
COMMENT ON COLUMN plaint.routing.routed_at IS 'When it was classified (again after a requeue)';
COMMENT ON COLUMN plaint.routing.tags IS 'Tags the rules gave';
COMMENT ON COLUMN plaint.routing.assignee IS 'Agent a rule assigned, NULL if none did';

---------------------------------------------------------------- customers, queues, tickets
COMMENT ON COLUMN plaint.customers.id IS 'Row number';
COMMENT ON COLUMN plaint.customers.email IS 'The address the customer writes from, lower case; unique';
COMMENT ON COLUMN plaint.customers.name IS 'The display name of their From, as last seen; NULL if none';
COMMENT ON COLUMN plaint.customers.created_at IS 'When their first ticket was opened';

COMMENT ON COLUMN plaint.queues.name IS 'The queue''s name, as rules and plaint.set_queue() use it';
COMMENT ON COLUMN plaint.queues.created_at IS 'When the queue was first used';
COMMENT ON COLUMN plaint.queues.first_response IS 'First-response SLA: an agent''s first reply is due this long, in open hours, after the first message arrived (plaint.overdue)';

COMMENT ON COLUMN plaint.tickets.id IS 'Row number; other tables refer to tickets by it, people by number';
COMMENT ON COLUMN plaint.tickets.subject IS 'Subject of the message that opened the ticket';
COMMENT ON COLUMN plaint.tickets.queue IS 'The queue it is in: chosen by the rules, changed by plaint.set_queue()';
COMMENT ON COLUMN plaint.tickets.priority IS 'low, normal, high or urgent';
COMMENT ON COLUMN plaint.tickets.status IS 'new (nobody looked), open, pending (waiting for the customer), resolved, closed';
COMMENT ON COLUMN plaint.tickets.tags IS 'Tags from the rules and from plaint.tag()';
COMMENT ON COLUMN plaint.tickets.created_at IS 'When the ticket was opened';
COMMENT ON COLUMN plaint.tickets.updated_at IS 'When the ticket last changed: new mail, a reply, a note, an agent''s action';
COMMENT ON COLUMN plaint.tickets.ack_due_at IS 'Acknowledgement deadline, fixed when the ticket is opened: arrival plus the queue''s ack_within (else the gateway''s), in open hours (plaint.deadline())';

---------------------------------------------------------------- messages, notes, events
COMMENT ON COLUMN plaint.messages.id IS 'Row number; plaint.outbox and plaint.attachments refer to it';
COMMENT ON COLUMN plaint.messages.ticket_id IS 'The ticket it was filed on';
COMMENT ON COLUMN plaint.messages.raw_id IS 'Inbound mail: its raw row; NULL for outgoing mail and for messages an agent entered';
COMMENT ON COLUMN plaint.messages.direction IS 'in (from the customer side: mail, or entered by an agent) or out (mail plaint sends)';
COMMENT ON COLUMN plaint.messages.in_reply_to IS 'The Message-ID it answers (In-Reply-To), without angle brackets';
COMMENT ON COLUMN plaint.messages."references" IS 'The Message-IDs of its References header, oldest first';
COMMENT ON COLUMN plaint.messages.from_addr IS 'Inbound: the sender (the customer''s address, lower case); NULL for outgoing mail';
COMMENT ON COLUMN plaint.messages.from_name IS 'Inbound: the sender''s display name';
COMMENT ON COLUMN plaint.messages.subject IS 'The subject, decoded';
COMMENT ON COLUMN plaint.messages.body IS 'The text: for inbound mail the readable text the parser found (bounded), for outgoing mail what is sent';
COMMENT ON COLUMN plaint.messages.received_at IS 'Inbound: when the mail server received it (INTERNALDATE), else when it was filed or entered';
COMMENT ON COLUMN plaint.messages.created_at IS 'When the row was made';
COMMENT ON COLUMN plaint.messages.cc IS 'Inbound: the Cc addresses of the mail (they count as the ticket''s participants); outgoing: the Cc list it was queued with (as outbox.cc)';

COMMENT ON COLUMN plaint.notes.id IS 'Row number';
COMMENT ON COLUMN plaint.notes.ticket_id IS 'The ticket';
COMMENT ON COLUMN plaint.notes.body IS 'The note''s text';
COMMENT ON COLUMN plaint.notes.created_at IS 'When it was written';

COMMENT ON COLUMN plaint.events.id IS 'Row number, in order of writing';
COMMENT ON COLUMN plaint.events.ticket_id IS 'The ticket';
COMMENT ON COLUMN plaint.events.at IS 'When it happened';
COMMENT ON COLUMN plaint.events.actor IS 'Who: the agent''s login (session_user), or gateway';
COMMENT ON COLUMN plaint.events.kind IS 'What: opened, threaded, replied, note, assigned, status, priority, queue, tagged, untagged, merged, overdue, erased, ...';
COMMENT ON COLUMN plaint.events.detail IS 'The particulars, as a JSON object (e.g. {"from": "open", "to": "resolved"})';

---------------------------------------------------------------- attachments
COMMENT ON COLUMN plaint.attachments.id IS 'Row number';
COMMENT ON COLUMN plaint.attachments.message_row IS 'The inbound message it came with';
COMMENT ON COLUMN plaint.attachments.filename IS 'Its file name as the mail gave it; NULL if none';
COMMENT ON COLUMN plaint.attachments.content_type IS 'Its MIME type, e.g. image/png';
COMMENT ON COLUMN plaint.attachments.disposition IS 'attachment or inline, as the mail said; NULL if it said nothing';
COMMENT ON COLUMN plaint.attachments.size IS 'Decoded size in bytes';
COMMENT ON COLUMN plaint.attachments.sha256 IS 'The content, in plaint.blobs';

COMMENT ON COLUMN plaint.blobs.sha256 IS 'sha256 of the content, hex: the key that stores each content once';
COMMENT ON COLUMN plaint.blobs.size IS 'Size of the content in bytes; kept when it is removed';
COMMENT ON COLUMN plaint.blobs.content IS 'The decoded bytes; empty once removed_at is set';
COMMENT ON COLUMN plaint.blobs.created_at IS 'When the content was first stored';

---------------------------------------------------------------- outbox
COMMENT ON COLUMN plaint.outbox.id IS 'Row number; plaint.reply() returns it';
COMMENT ON COLUMN plaint.outbox.kind IS 'ack (acknowledgement, sent as an automatic reply), reply (an agent''s), escalation (a missed deadline, to the queue''s escalate_to)';
COMMENT ON COLUMN plaint.outbox.ticket_id IS 'The ticket';
COMMENT ON COLUMN plaint.outbox.message_row IS 'The outgoing plaint.messages row: subject, body and threading headers';
COMMENT ON COLUMN plaint.outbox.recipient IS 'The To address';
COMMENT ON COLUMN plaint.outbox.queued_at IS 'When it was queued';
COMMENT ON COLUMN plaint.outbox.next_attempt_at IS 'Not sent before then: after a temporary failure the gateway backs off';
COMMENT ON COLUMN plaint.outbox.attempts IS 'How many times the gateway tried to send it';
COMMENT ON COLUMN plaint.outbox.sent_at IS 'When the SMTP server accepted it; NULL until then';
COMMENT ON COLUMN plaint.outbox.failed_at IS 'When the gateway gave up on it (a permanent SMTP error, or its recipient was erased); NULL otherwise';
COMMENT ON COLUMN plaint.outbox.last_error IS 'The last failure, for a retry or the final one';

---------------------------------------------------------------- bookkeeping
COMMENT ON COLUMN plaint.schema_migrations.version IS 'The migration''s number (sql/migrations/NNNN_name.sql)';
COMMENT ON COLUMN plaint.schema_migrations.applied_at IS 'When plaint db migrate applied it';
COMMENT ON COLUMN plaint.settings.key IS 'message_id_domain: right of the @ in Message-IDs of replies; ticket_prefix: the PREFIX of PREFIX-n ticket numbers; reopen_days: a customer''s mail to a ticket resolved or closed at most this many days ago reopens it, later mail opens a new ticket that follows it (0: never reopen); max_attachment_bytes: the most an agent''s upload, and the attachments of one reply together, may weigh; own_addresses: addresses of plaint''s own mailboxes, comma separated, that replies never copy';
COMMENT ON COLUMN plaint.settings.value IS 'The setting''s value, as text';

INSERT INTO plaint.schema_migrations (version) VALUES (10);
