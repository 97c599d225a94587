--
-- PostgreSQL database dump
--

--
-- Name: plaint; Type: SCHEMA; Schema: -
--

CREATE SCHEMA plaint;

--
-- Name: SCHEMA plaint; Type: COMMENT; Schema: -
--

COMMENT ON SCHEMA plaint IS 'plaint: complaints from email to tickets and acknowledgements';

--
-- Name: tickets; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.tickets (
    id bigint NOT NULL,
    number text NOT NULL,
    customer_id bigint,
    subject text NOT NULL,
    queue text NOT NULL,
    priority text DEFAULT 'normal'::text NOT NULL,
    status text DEFAULT 'new'::text NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    rules text[] DEFAULT '{}'::text[] NOT NULL,
    assignee text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    ack_due_at timestamp with time zone NOT NULL,
    merged_into bigint,
    follows bigint,
    closed_at timestamp with time zone,
    related_to bigint,
    reopens integer DEFAULT 0 NOT NULL,
    CONSTRAINT tickets_does_not_follow_itself CHECK ((follows <> id)),
    CONSTRAINT tickets_not_merged_into_itself CHECK ((merged_into <> id)),
    CONSTRAINT tickets_not_related_to_itself CHECK ((related_to <> id)),
    CONSTRAINT tickets_priority_check CHECK ((priority = ANY (ARRAY['low'::text, 'normal'::text, 'high'::text, 'urgent'::text]))),
    CONSTRAINT tickets_reopens_not_negative CHECK ((reopens >= 0)),
    CONSTRAINT tickets_status_check CHECK ((status = ANY (ARRAY['new'::text, 'open'::text, 'pending'::text, 'resolved'::text, 'closed'::text])))
);

--
-- Name: TABLE tickets; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.tickets IS 'One complaint and its conversation';

--
-- Name: COLUMN tickets.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.id IS 'Row number; other tables refer to tickets by it, people by number';

--
-- Name: COLUMN tickets.number; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.number IS 'What customers see in the subject, e.g. CMP-1042';

--
-- Name: COLUMN tickets.customer_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.customer_id IS 'The customer who wrote the first message; NULL when it named no sender at all (no acknowledgement, no reply possible)';

--
-- Name: COLUMN tickets.subject; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.subject IS 'Subject of the message that opened the ticket';

--
-- Name: COLUMN tickets.queue; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.queue IS 'The queue it is in: chosen by the rules, changed by plaint.set_queue()';

--
-- Name: COLUMN tickets.priority; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.priority IS 'low, normal, high or urgent';

--
-- Name: COLUMN tickets.status; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.status IS 'new (nobody looked), open, pending (waiting for the customer), resolved, closed';

--
-- Name: COLUMN tickets.tags; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.tags IS 'Tags from the rules and from plaint.tag()';

--
-- Name: COLUMN tickets.rules; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.rules IS 'Names of the rules that matched the message that opened the ticket';

--
-- Name: COLUMN tickets.assignee; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.assignee IS 'The agent (database user name) working the ticket: plaint.my_tickets shows it to them';

--
-- Name: COLUMN tickets.created_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.created_at IS 'When the ticket was opened';

--
-- Name: COLUMN tickets.updated_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.updated_at IS 'When the ticket last changed: new mail, a reply, a note, an agent''s action';

--
-- Name: COLUMN tickets.ack_due_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.ack_due_at IS 'Acknowledgement deadline, fixed when the ticket is opened: arrival plus the queue''s ack_within (else the gateway''s), in open hours (plaint.deadline())';

--
-- Name: COLUMN tickets.merged_into; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.merged_into IS 'The ticket this one was merged into by plaint.merge(); it is closed, keeps its messages, and new mail naming it goes to that ticket';

--
-- Name: COLUMN tickets.follows; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.follows IS 'The resolved or closed ticket this one continues: mail naming it arrived more than reopen_days after it was closed; later such mail comes here too';

--
-- Name: COLUMN tickets.closed_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.closed_at IS 'When the status last became resolved or closed (set by a trigger); NULL while the ticket is not';

--
-- Name: COLUMN tickets.related_to; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.related_to IS 'The ticket whose tag this one''s first message carried, from a sender who was not its customer nor a participant ([tickets] tag_from_strangers = new)';

--
-- Name: COLUMN tickets.reopens; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.reopens IS 'How many times the status went from resolved or closed back to new, open or pending (kept by a trigger)';

--
-- Name: messages; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.messages (
    id bigint NOT NULL,
    ticket_id bigint,
    raw_id bigint,
    direction text NOT NULL,
    message_id text,
    in_reply_to text,
    "references" text[] DEFAULT '{}'::text[] NOT NULL,
    from_addr text,
    from_name text,
    subject text DEFAULT ''::text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    received_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    ack_suppressed text,
    rules_version text,
    cc text[] DEFAULT '{}'::text[] NOT NULL,
    author text,
    limits_hit text[] DEFAULT '{}'::text[] NOT NULL,
    defects text[] DEFAULT '{}'::text[] NOT NULL,
    fingerprint text,
    entered_by text,
    shape text,
    body_html text,
    body_new text,
    CONSTRAINT messages_direction_check CHECK ((direction = ANY (ARRAY['in'::text, 'out'::text]))),
    CONSTRAINT messages_fingerprint_is_sha256 CHECK ((fingerprint ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT messages_inbound_is_fetched_or_entered CHECK (
CASE
    WHEN (direction = 'in'::text) THEN ((raw_id IS NULL) <> (entered_by IS NULL))
    ELSE ((raw_id IS NULL) AND (entered_by IS NULL))
END)
);
ALTER TABLE ONLY plaint.messages ALTER COLUMN body SET COMPRESSION lz4;
ALTER TABLE ONLY plaint.messages ALTER COLUMN body_new SET COMPRESSION lz4;

--
-- Name: TABLE messages; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.messages IS 'Every message of a conversation, in (from customers) and out (acknowledgements, replies)';

--
-- Name: COLUMN messages.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.id IS 'Row number; plaint.outbox and plaint.attachments refer to it';

--
-- Name: COLUMN messages.ticket_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.ticket_id IS 'The ticket it was filed on';

--
-- Name: COLUMN messages.raw_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.raw_id IS 'Inbound mail: its raw row; NULL for outgoing mail and for messages an agent entered';

--
-- Name: COLUMN messages.direction; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.direction IS 'in (from the customer side: mail, or entered by an agent) or out (mail plaint sends)';

--
-- Name: COLUMN messages.message_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.message_id IS 'Message-ID without angle brackets; replies naming it thread onto the ticket';

--
-- Name: COLUMN messages.in_reply_to; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.in_reply_to IS 'The Message-ID it answers (In-Reply-To), without angle brackets';

--
-- Name: COLUMN messages."references"; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages."references" IS 'The Message-IDs of its References header, oldest first';

--
-- Name: COLUMN messages.from_addr; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.from_addr IS 'Inbound: the sender (the customer''s address, lower case); NULL for outgoing mail';

--
-- Name: COLUMN messages.from_name; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.from_name IS 'Inbound: the sender''s display name';

--
-- Name: COLUMN messages.subject; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.subject IS 'The subject, decoded';

--
-- Name: COLUMN messages.body; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.body IS 'The text: for inbound mail the readable text the parser found (bounded), for outgoing mail what is sent';

--
-- Name: COLUMN messages.received_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.received_at IS 'Inbound: when the mail server received it (INTERNALDATE), else when it was filed or entered';

--
-- Name: COLUMN messages.created_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.created_at IS 'When the row was made';

--
-- Name: COLUMN messages.ack_suppressed; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.ack_suppressed IS 'Why no acknowledgement went out for this message (auto-reply, list, ...), if so';

--
-- Name: COLUMN messages.rules_version; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.rules_version IS 'Hash of the rule set that classified the message';

--
-- Name: COLUMN messages.cc; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.cc IS 'Inbound: the Cc addresses of the mail (they count as the ticket''s participants); outgoing: the Cc list it was queued with (as outbox.cc)';

--
-- Name: COLUMN messages.author; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.author IS 'The database user who wrote an outgoing reply; NULL for inbound mail and acknowledgements';

--
-- Name: COLUMN messages.limits_hit; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.limits_hit IS 'Limits the message reached (size, header block, nesting, parts, text): what was not read; the raw bytes are whole in raw_messages';

--
-- Name: COLUMN messages.defects; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.defects IS 'What the MIME parser found wrong in the message';

--
-- Name: COLUMN messages.fingerprint; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.fingerprint IS 'Inbound mail: sha256 of the message without trace headers; the same message is filed once (NULL before version 6)';

--
-- Name: COLUMN messages.entered_by; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.entered_by IS 'For an inbound message an agent typed in (plaint.open_ticket(), e.g. a phone call): who; it has no raw row';

--
-- Name: COLUMN messages.shape; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.shape IS 'Inbound: a digest of the message''s own text (quoted lines left out, letters only, lower case); near-identical mail shares it ([ack] similar_rate_limit)';

--
-- Name: COLUMN messages.body_html; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.body_html IS 'Outgoing: the HTML alternative sent with body (multipart/alternative), from an acknowledgement template''s html_file; NULL: text only';

--
-- Name: COLUMN messages.body_new; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.body_new IS 'Inbound mail: the new text of body, without the quoted history and signature (what the customer wrote this time); NULL for outgoing mail, complaints entered by agents and mail filed before migration 17';

--
-- Name: outbox; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.outbox (
    id bigint NOT NULL,
    kind text NOT NULL,
    ticket_id bigint NOT NULL,
    message_row bigint NOT NULL,
    recipient text NOT NULL,
    message_id text NOT NULL,
    queued_at timestamp with time zone DEFAULT now() NOT NULL,
    due_at timestamp with time zone NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    lease_until timestamp with time zone,
    attempts integer DEFAULT 0 NOT NULL,
    sent_at timestamp with time zone,
    failed_at timestamp with time zone,
    last_error text,
    smtp_reply text,
    claimed_by integer,
    cc text[] DEFAULT '{}'::text[] NOT NULL,
    CONSTRAINT outbox_kind_known CHECK ((kind = ANY (ARRAY['ack'::text, 'reply'::text, 'escalation'::text, 'survey'::text])))
)
WITH (fillfactor='80');

--
-- Name: TABLE outbox; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.outbox IS 'Every outgoing mail, from queueing to the SMTP server''s reply; the gateway alone sends';

--
-- Name: COLUMN outbox.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.id IS 'Row number; plaint.reply() returns it';

--
-- Name: COLUMN outbox.kind; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.kind IS 'ack (acknowledgement, sent as an automatic reply), reply (an agent''s), escalation (a missed deadline, to the queue''s escalate_to), survey (the satisfaction question on resolution)';

--
-- Name: COLUMN outbox.ticket_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.ticket_id IS 'The ticket';

--
-- Name: COLUMN outbox.message_row; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.message_row IS 'The outgoing plaint.messages row: subject, body and threading headers';

--
-- Name: COLUMN outbox.recipient; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.recipient IS 'The To address';

--
-- Name: COLUMN outbox.message_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.message_id IS 'Fixed when queued, so a resend after a crash carries the same id';

--
-- Name: COLUMN outbox.queued_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.queued_at IS 'When it was queued';

--
-- Name: COLUMN outbox.due_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.due_at IS 'The SLA deadline: the outbox sends earliest deadline first';

--
-- Name: COLUMN outbox.next_attempt_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.next_attempt_at IS 'Not sent before then: after a temporary failure the gateway backs off';

--
-- Name: COLUMN outbox.lease_until; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.lease_until IS 'Unused since version 8 (claimed_by holds a row while it is sent)';

--
-- Name: COLUMN outbox.attempts; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.attempts IS 'How many times the gateway tried to send it';

--
-- Name: COLUMN outbox.sent_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.sent_at IS 'When the SMTP server accepted it; NULL until then';

--
-- Name: COLUMN outbox.failed_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.failed_at IS 'When the gateway gave up on it (a permanent SMTP error, or its recipient was erased); NULL otherwise';

--
-- Name: COLUMN outbox.last_error; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.last_error IS 'The last failure, for a retry or the final one';

--
-- Name: COLUMN outbox.smtp_reply; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.smtp_reply IS 'The SMTP server''s reply to the end of DATA, e.g. 250 ...';

--
-- Name: COLUMN outbox.claimed_by; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.claimed_by IS 'The database backend (pid) of the gateway sending it now; free again the moment that session ends';

--
-- Name: COLUMN outbox.cc; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.cc IS 'The exact Cc list to send: the gateway sends to recipient and each of these (after dropping its own addresses)';

--
-- Name: raw_messages; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.raw_messages (
    id bigint NOT NULL,
    mailbox text NOT NULL,
    uidvalidity bigint,
    uid bigint,
    internaldate timestamp with time zone,
    fetched_at timestamp with time zone DEFAULT now() NOT NULL,
    sha256 text NOT NULL,
    size integer NOT NULL,
    raw bytea NOT NULL,
    state text DEFAULT 'new'::text NOT NULL,
    reason text,
    processed_at timestamp with time zone,
    outcome text,
    duplicate_of bigint,
    dropped_by text,
    requeues integer DEFAULT 0 NOT NULL,
    requeued_at timestamp with time zone,
    previous_reason text,
    attempts integer DEFAULT 0 NOT NULL,
    claimed_by integer,
    raw_removed_at timestamp with time zone,
    CONSTRAINT raw_messages_check CHECK (((uid IS NULL) = (uidvalidity IS NULL))),
    CONSTRAINT raw_messages_dropped_names_its_rule CHECK ((COALESCE((outcome = 'dropped'::text), false) = (dropped_by IS NOT NULL))),
    CONSTRAINT raw_messages_duplicate_names_its_original CHECK ((COALESCE((outcome = 'duplicate'::text), false) = (duplicate_of IS NOT NULL))),
    CONSTRAINT raw_messages_outcome_known CHECK ((outcome = ANY (ARRAY['ticket'::text, 'bounce'::text, 'duplicate'::text, 'dropped'::text, 'quarantined'::text]))),
    CONSTRAINT raw_messages_outcome_matches_state CHECK (COALESCE((((state = 'new'::text) AND (outcome IS NULL)) OR ((state = 'quarantined'::text) AND (outcome = 'quarantined'::text) AND (reason IS NOT NULL)) OR ((state = 'done'::text) AND (outcome = ANY (ARRAY['ticket'::text, 'bounce'::text, 'duplicate'::text, 'dropped'::text])))), false)),
    CONSTRAINT raw_messages_removed_is_empty CHECK (((raw_removed_at IS NULL) OR (octet_length(raw) = 0))),
    CONSTRAINT raw_messages_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT raw_messages_state_check CHECK ((state = ANY (ARRAY['new'::text, 'done'::text, 'quarantined'::text])))
)
WITH (fillfactor='80', toast_tuple_target='256');
ALTER TABLE ONLY plaint.raw_messages ALTER COLUMN raw SET COMPRESSION lz4;

--
-- Name: TABLE raw_messages; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.raw_messages IS 'Every message exactly as fetched; rows are never deleted, the bytes only by retention or erasure (raw_removed_at)';

--
-- Name: COLUMN raw_messages.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.id IS 'Row number; log lines name it raw=';

--
-- Name: COLUMN raw_messages.mailbox; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.mailbox IS 'The configured mailbox it came from, or the mailbox named to plaint ingest';

--
-- Name: COLUMN raw_messages.uidvalidity; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.uidvalidity IS 'The IMAP folder''s UIDVALIDITY when it was fetched; NULL for ingested mail';

--
-- Name: COLUMN raw_messages.uid; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.uid IS 'Its IMAP UID; NULL for ingested mail';

--
-- Name: COLUMN raw_messages.internaldate; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.internaldate IS 'When the IMAP server received the message (INTERNALDATE); NULL for ingested mail';

--
-- Name: COLUMN raw_messages.fetched_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.fetched_at IS 'When plaint stored it';

--
-- Name: COLUMN raw_messages.sha256; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.sha256 IS 'sha256 of the raw bytes, hex; kept when the bytes are removed';

--
-- Name: COLUMN raw_messages.size; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.size IS 'Size of the raw bytes as fetched; kept when they are removed';

--
-- Name: COLUMN raw_messages.raw; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.raw IS 'The message as the server gave it; empty once raw_removed_at is set';

--
-- Name: COLUMN raw_messages.state; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.state IS 'new: waiting to be processed; done: processed, see outcome; quarantined: kept but not filed, see reason';

--
-- Name: COLUMN raw_messages.reason; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.reason IS 'Why the message was quarantined, or a note on its outcome (a reused Message-ID, a ticket tag from a stranger)';

--
-- Name: COLUMN raw_messages.processed_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.processed_at IS 'When it was filed, dropped or quarantined; NULL while new';

--
-- Name: COLUMN raw_messages.outcome; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.outcome IS 'Where the message ended: ticket (filed on a ticket, new or threaded), bounce (a report linked to the ticket of the plaint mail it names), duplicate (of duplicate_of), dropped (by the rule dropped_by), quarantined (see reason); NULL while new';

--
-- Name: COLUMN raw_messages.duplicate_of; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.duplicate_of IS 'For a duplicate: the plaint.messages row of the same message filed earlier';

--
-- Name: COLUMN raw_messages.dropped_by; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.dropped_by IS 'For a dropped message: the rule that said drop';

--
-- Name: COLUMN raw_messages.requeues; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.requeues IS 'How many times it was put back to new from quarantine (plaint requeue, plaint.requeue())';

--
-- Name: COLUMN raw_messages.requeued_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.requeued_at IS 'When it was last put back to new from quarantine';

--
-- Name: COLUMN raw_messages.previous_reason; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.previous_reason IS 'The quarantine reason it had before it was last put back to new';

--
-- Name: COLUMN raw_messages.attempts; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.attempts IS 'How many times a gateway began to file it; one that did not finish [mail] max_attempts times is quarantined';

--
-- Name: COLUMN raw_messages.claimed_by; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.claimed_by IS 'The database backend (pid) of the gateway worker filing it now; a worker that died lets go of it at once (its session''s advisory lock is gone)';

--
-- Name: COLUMN raw_messages.raw_removed_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.raw_removed_at IS 'When the raw bytes were removed (retention, or erasure of a customer): raw is then empty; sha256 and size stay for de-duplication';

--
-- Name: agents; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.agents (
    login text NOT NULL,
    display_name text,
    signature text,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agents_login_is_a_name CHECK ((login ~ '^[^[:space:][:cntrl:]]+$'::text))
);

--
-- Name: TABLE agents; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.agents IS 'People who work tickets: a row here lets a name be assigned without being a database login, or stops an inactive one being assigned; agents edit their own display name and signature with plaint.set_my_profile()';

--
-- Name: COLUMN agents.login; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.agents.login IS 'The agent''s name as plaint.assign() and tickets.assignee use it: their database login, or any name an admin keeps here';

--
-- Name: COLUMN agents.display_name; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.agents.display_name IS 'How the agent''s name is shown to customers, e.g. Alice Martin';

--
-- Name: COLUMN agents.signature; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.agents.signature IS 'Text plaint.reply() puts under the agent''s replies, after a "-- " line; NULL: none';

--
-- Name: COLUMN agents.active; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.agents.active IS 'false: the agent can no longer be assigned tickets (left, on leave)';

--
-- Name: COLUMN agents.created_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.agents.created_at IS 'When the row was made';

--
-- Name: COLUMN agents.updated_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.agents.updated_at IS 'When the profile last changed';

--
-- Name: attachments; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.attachments (
    id bigint NOT NULL,
    message_row bigint NOT NULL,
    part text NOT NULL,
    filename text,
    content_type text NOT NULL,
    disposition text,
    content_id text,
    size bigint NOT NULL,
    sha256 text NOT NULL
);

--
-- Name: TABLE attachments; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.attachments IS 'The attachments of each message: name, type and a reference to their content';

--
-- Name: COLUMN attachments.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.id IS 'Row number';

--
-- Name: COLUMN attachments.message_row; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.message_row IS 'The inbound message it came with';

--
-- Name: COLUMN attachments.part; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.part IS 'Where the part sits in the MIME tree, e.g. 1.2 (as plaint parse shows it)';

--
-- Name: COLUMN attachments.filename; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.filename IS 'Its file name as the mail gave it; NULL if none';

--
-- Name: COLUMN attachments.content_type; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.content_type IS 'Its MIME type, e.g. image/png';

--
-- Name: COLUMN attachments.disposition; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.disposition IS 'attachment or inline, as the mail said; NULL if it said nothing';

--
-- Name: COLUMN attachments.content_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.content_id IS 'Content-ID, for images an HTML body shows inline';

--
-- Name: COLUMN attachments.size; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.size IS 'Decoded size in bytes';

--
-- Name: COLUMN attachments.sha256; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.sha256 IS 'The content, in plaint.blobs';

--
-- Name: attachments_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.attachments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: attachments_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.attachments_id_seq OWNED BY plaint.attachments.id;

--
-- Name: blobs; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.blobs (
    sha256 text NOT NULL,
    size bigint NOT NULL,
    content bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    removed_at timestamp with time zone,
    CONSTRAINT blobs_removed_is_empty CHECK (((removed_at IS NULL) OR (octet_length(content) = 0))),
    CONSTRAINT blobs_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text))
);
ALTER TABLE ONLY plaint.blobs ALTER COLUMN content SET COMPRESSION lz4;

--
-- Name: TABLE blobs; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.blobs IS 'Attachment contents, decoded, stored once however many messages carry them';

--
-- Name: COLUMN blobs.sha256; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.blobs.sha256 IS 'sha256 of the content, hex: the key that stores each content once';

--
-- Name: COLUMN blobs.size; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.blobs.size IS 'Size of the content in bytes; kept when it is removed';

--
-- Name: COLUMN blobs.content; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.blobs.content IS 'The decoded bytes; empty once removed_at is set';

--
-- Name: COLUMN blobs.created_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.blobs.created_at IS 'When the content was first stored';

--
-- Name: COLUMN blobs.removed_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.blobs.removed_at IS 'When the content was removed (retention or erasure): content is then empty, and is filled again if the same content arrives';

--
-- Name: breaches; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.breaches (
    ticket_id bigint NOT NULL,
    kind text NOT NULL,
    due_at timestamp with time zone NOT NULL,
    noticed_at timestamp with time zone DEFAULT now() NOT NULL,
    outbox_id bigint,
    CONSTRAINT breaches_kind_known CHECK ((kind = ANY (ARRAY['ack'::text, 'first_response'::text, 'resolution'::text])))
);

--
-- Name: TABLE breaches; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.breaches IS 'Every deadline a ticket missed, recorded once by plaint.check_overdue(), which notifies plaint_overdue and escalates';

--
-- Name: COLUMN breaches.ticket_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.breaches.ticket_id IS 'The ticket';

--
-- Name: COLUMN breaches.kind; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.breaches.kind IS 'ack (acknowledgement not sent), first_response (no agent reply), resolution (not resolved)';

--
-- Name: COLUMN breaches.due_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.breaches.due_at IS 'The deadline that passed';

--
-- Name: COLUMN breaches.noticed_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.breaches.noticed_at IS 'When plaint.check_overdue() found it';

--
-- Name: COLUMN breaches.outbox_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.breaches.outbox_id IS 'The escalation mail queued for it, if the queue has escalate_to';

--
-- Name: customers; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.customers (
    id bigint NOT NULL,
    email text NOT NULL,
    name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    bounced_at timestamp with time zone,
    bounces integer DEFAULT 0 NOT NULL,
    erased_at timestamp with time zone,
    CONSTRAINT customers_email_check CHECK ((email = lower(email)))
);

--
-- Name: TABLE customers; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.customers IS 'People who wrote to support, identified by their From address';

--
-- Name: COLUMN customers.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.id IS 'Row number';

--
-- Name: COLUMN customers.email; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.email IS 'The address the customer writes from, lower case; unique';

--
-- Name: COLUMN customers.name; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.name IS 'The display name of their From, as last seen; NULL if none';

--
-- Name: COLUMN customers.created_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.created_at IS 'When their first ticket was opened';

--
-- Name: COLUMN customers.bounced_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.bounced_at IS 'When mail plaint sent to this address last bounced';

--
-- Name: COLUMN customers.bounces; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.bounces IS 'How many of plaint''s mails to this address bounced';

--
-- Name: COLUMN customers.erased_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.erased_at IS 'When plaint.forget_customer() erased the customer''s personal data; email and name are then markers';

--
-- Name: customers_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.customers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: customers_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.customers_id_seq OWNED BY plaint.customers.id;

--
-- Name: events; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.events (
    id bigint NOT NULL,
    ticket_id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor text DEFAULT CURRENT_USER NOT NULL,
    kind text NOT NULL,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL
);

--
-- Name: TABLE events; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.events IS 'Audit trail: who did what to which ticket, and when';

--
-- Name: COLUMN events.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.events.id IS 'Row number, in order of writing';

--
-- Name: COLUMN events.ticket_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.events.ticket_id IS 'The ticket';

--
-- Name: COLUMN events.at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.events.at IS 'When it happened';

--
-- Name: COLUMN events.actor; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.events.actor IS 'Who: the agent''s login (session_user), or gateway';

--
-- Name: COLUMN events.kind; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.events.kind IS 'What: opened, threaded, replied, note, assigned, status, priority, queue, tagged, untagged, merged, overdue, erased, ...';

--
-- Name: COLUMN events.detail; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.events.detail IS 'The particulars, as a JSON object (e.g. {"from": "open", "to": "resolved"})';

--
-- Name: events_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: events_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.events_id_seq OWNED BY plaint.events.id;

--
-- Name: mailboxes; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.mailboxes (
    name text NOT NULL,
    uidvalidity bigint DEFAULT 0 NOT NULL,
    last_uid bigint DEFAULT 0 NOT NULL,
    polled_at timestamp with time zone,
    unflagged bigint[] DEFAULT '{}'::bigint[] NOT NULL,
    last_error text,
    last_error_at timestamp with time zone
);

--
-- Name: TABLE mailboxes; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.mailboxes IS 'IMAP cursor per configured mailbox: UIDVALIDITY and the highest UID stored';

--
-- Name: COLUMN mailboxes.name; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.mailboxes.name IS 'The mailbox''s name in the configuration ([mailbox NAME])';

--
-- Name: COLUMN mailboxes.uidvalidity; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.mailboxes.uidvalidity IS 'The folder''s UIDVALIDITY at the last poll; when it changes, UIDs start over';

--
-- Name: COLUMN mailboxes.last_uid; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.mailboxes.last_uid IS 'The highest UID stored under that UIDVALIDITY: the next poll asks for later ones';

--
-- Name: COLUMN mailboxes.polled_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.mailboxes.polled_at IS 'When a poll of the mailbox last worked (it may have found nothing new)';

--
-- Name: COLUMN mailboxes.unflagged; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.mailboxes.unflagged IS 'UIDs (under uidvalidity) stored but not yet flagged \Seen on the server: set with the batch that stores them, emptied once the flag is set; a crash between the two leaves them here for the next poll';

--
-- Name: COLUMN mailboxes.last_error; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.mailboxes.last_error IS 'Why the last poll that failed failed, in the gateway''s words (cleaned to one line); NULL if none has failed';

--
-- Name: COLUMN mailboxes.last_error_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.mailboxes.last_error_at IS 'When that poll failed; a polled_at later than this means the mailbox works again';

--
-- Name: outbox_attachments; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.outbox_attachments (
    outbox_id bigint NOT NULL,
    "position" integer NOT NULL,
    sha256 text NOT NULL,
    filename text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    CONSTRAINT outbox_attachments_position_positive CHECK (("position" > 0))
);

--
-- Name: TABLE outbox_attachments; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.outbox_attachments IS 'The attachments of an outgoing mail, in order: the gateway attaches each blob under its file name and type';

--
-- Name: COLUMN outbox_attachments.outbox_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox_attachments.outbox_id IS 'The outgoing mail';

--
-- Name: COLUMN outbox_attachments."position"; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox_attachments."position" IS 'Order in the mail, from 1';

--
-- Name: COLUMN outbox_attachments.sha256; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox_attachments.sha256 IS 'The content, in plaint.blobs';

--
-- Name: COLUMN outbox_attachments.filename; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox_attachments.filename IS 'The file name to send it under';

--
-- Name: COLUMN outbox_attachments.content_type; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox_attachments.content_type IS 'The MIME type to send it as';

--
-- Name: COLUMN outbox_attachments.size; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox_attachments.size IS 'Its size in bytes';

--
-- Name: messages_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: messages_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.messages_id_seq OWNED BY plaint.messages.id;

--
-- Name: queues; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.queues (
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    first_response interval DEFAULT '1 day'::interval NOT NULL,
    restricted boolean DEFAULT false NOT NULL,
    ack_within interval,
    resolve_within interval,
    hours_days integer[],
    hours_start time without time zone,
    hours_end time without time zone,
    hours_tz text,
    escalate_to text,
    team text,
    CONSTRAINT queues_ack_within_positive CHECK ((ack_within > '00:00:00'::interval)),
    CONSTRAINT queues_escalate_to_is_an_address CHECK ((escalate_to ~ '^[^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+$'::text)),
    CONSTRAINT queues_first_response_positive CHECK ((first_response > '00:00:00'::interval)),
    CONSTRAINT queues_hours_all_or_none CHECK ((((hours_days IS NULL) = (hours_start IS NULL)) AND ((hours_days IS NULL) = (hours_end IS NULL)) AND ((hours_days IS NULL) = (hours_tz IS NULL)))),
    CONSTRAINT queues_hours_days_are_iso_weekdays CHECK ((((cardinality(hours_days) >= 1) AND (cardinality(hours_days) <= 7)) AND (hours_days <@ ARRAY[1, 2, 3, 4, 5, 6, 7]) AND (array_position(hours_days, NULL::integer) IS NULL))),
    CONSTRAINT queues_hours_start_before_end CHECK ((hours_start < hours_end)),
    CONSTRAINT queues_hours_tz_is_a_zone CHECK (((hours_tz IS NULL) OR (('2000-01-01 00:00:00+00'::timestamp with time zone AT TIME ZONE hours_tz) IS NOT NULL))),
    CONSTRAINT queues_resolve_within_positive CHECK ((resolve_within > '00:00:00'::interval)),
    CONSTRAINT queues_team_is_one_line CHECK (((team !~ '[[:cntrl:]]'::text) AND (btrim(team) <> ''::text) AND (length(team) <= 100)))
);

--
-- Name: TABLE queues; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.queues IS 'Queues tickets are routed to; a queue is created when first used';

--
-- Name: COLUMN queues.name; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.name IS 'The queue''s name, as rules and plaint.set_queue() use it';

--
-- Name: COLUMN queues.created_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.created_at IS 'When the queue was first used';

--
-- Name: COLUMN queues.first_response; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.first_response IS 'First-response SLA: an agent''s first reply is due this long, in open hours, after the first message arrived (plaint.overdue)';

--
-- Name: COLUMN queues.restricted; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.restricted IS 'true: only the queue''s members (plaint.queue_members), admins and the gateway see its tickets; false: every agent does';

--
-- Name: COLUMN queues.ack_within; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.ack_within IS 'Acknowledgement deadline after arrival, in open hours; NULL: the gateway''s [ack] within';

--
-- Name: COLUMN queues.resolve_within; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.resolve_within IS 'Resolution deadline after the first message arrived, in open hours; NULL: none';

--
-- Name: COLUMN queues.hours_days; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.hours_days IS 'Business hours: the ISO weekdays the queue is staffed (1 Monday ... 7 Sunday); NULL: always open, deadlines count every hour';

--
-- Name: COLUMN queues.hours_start; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.hours_start IS 'Business hours: opening time of each staffed day, in hours_tz';

--
-- Name: COLUMN queues.hours_end; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.hours_end IS 'Business hours: closing time of each staffed day, in hours_tz; after hours_start (24:00 for midnight)';

--
-- Name: COLUMN queues.hours_tz; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.hours_tz IS 'Business hours: the time zone of hours_start and hours_end, e.g. Europe/Berlin';

--
-- Name: COLUMN queues.escalate_to; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.escalate_to IS 'Address that gets one mail per missed deadline of the queue''s tickets (plaint.check_overdue()); NULL: none';

--
-- Name: COLUMN queues.team; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.team IS 'Who answers the queue''s mail, e.g. Refunds team: the From name of its acknowledgements ("Refunds team via Customer Care") and their {team}; set from [queue NAME] team; NULL: none';

--
-- Name: notes; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.notes (
    id bigint NOT NULL,
    ticket_id bigint NOT NULL,
    author text DEFAULT SESSION_USER NOT NULL,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notes_body_not_blank CHECK ((btrim(body) <> ''::text))
);

--
-- Name: TABLE notes; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.notes IS 'Internal notes agents leave on a ticket (plaint.note()); never mailed, shown in plaint.thread';

--
-- Name: COLUMN notes.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.notes.id IS 'Row number';

--
-- Name: COLUMN notes.ticket_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.notes.ticket_id IS 'The ticket';

--
-- Name: COLUMN notes.author; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.notes.author IS 'The database user who wrote the note';

--
-- Name: COLUMN notes.body; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.notes.body IS 'The note''s text';

--
-- Name: COLUMN notes.created_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.notes.created_at IS 'When it was written';

--
-- Name: notes_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.notes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: notes_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.notes_id_seq OWNED BY plaint.notes.id;

--
-- Name: outbox_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: outbox_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.outbox_id_seq OWNED BY plaint.outbox.id;

--
-- Name: settings; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.settings (
    key text NOT NULL,
    value text NOT NULL,
    CONSTRAINT settings_max_attachment_bytes_is_a_number CHECK (((key <> 'max_attachment_bytes'::text) OR (value ~ '^[0-9]{1,10}$'::text))),
    CONSTRAINT settings_message_id_domain_is_one_word CHECK (((key <> 'message_id_domain'::text) OR (value ~ '^[^][()<>@,;:\\"[:space:]]+$'::text))),
    CONSTRAINT settings_own_addresses_are_addresses CHECK (((key <> 'own_addresses'::text) OR (value ~ '^\s*([^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+\s*(,\s*|$))*$'::text))),
    CONSTRAINT settings_reopen_days_is_a_number CHECK (((key <> 'reopen_days'::text) OR (value ~ '^[0-9]{1,5}$'::text)))
);

--
-- Name: TABLE settings; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.settings IS 'Settings the SQL functions read: message_id_domain and ticket_prefix (written by the gateway at start-up from its config), reopen_days (set here by an admin)';

--
-- Name: COLUMN settings.key; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.settings.key IS 'message_id_domain: right of the @ in Message-IDs of replies; ticket_prefix: the PREFIX of PREFIX-n ticket numbers; reopen_days: a customer''s mail to a ticket resolved or closed at most this many days ago reopens it, later mail opens a new ticket that follows it (0: never reopen); max_attachment_bytes: the most an agent''s upload, and the attachments of one reply together, may weigh; own_addresses: addresses of plaint''s own mailboxes, comma separated, that replies never copy';

--
-- Name: COLUMN settings.value; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.settings.value IS 'The setting''s value, as text';

--
-- Name: ticket_participants; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.ticket_participants (
    ticket_id bigint NOT NULL,
    address text NOT NULL,
    source text NOT NULL,
    added_by text,
    added_at timestamp with time zone DEFAULT now() NOT NULL,
    removed_at timestamp with time zone,
    removed_by text,
    CONSTRAINT ticket_participants_address_is_an_address CHECK (((address = lower(address)) AND (address ~ '^[^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+$'::text))),
    CONSTRAINT ticket_participants_removal_names_its_agent CHECK (((removed_at IS NULL) = (removed_by IS NULL))),
    CONSTRAINT ticket_participants_source_known CHECK ((source = ANY (ARRAY['cc'::text, 'agent'::text])))
);

--
-- Name: TABLE ticket_participants; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.ticket_participants IS 'Participants agents added to a ticket, and removals; the Cc addresses of its inbound mail count too unless removed (plaint.participants shows the result)';

--
-- Name: COLUMN ticket_participants.ticket_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.ticket_participants.ticket_id IS 'The ticket';

--
-- Name: COLUMN ticket_participants.address; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.ticket_participants.address IS 'The participant''s address, lower case';

--
-- Name: COLUMN ticket_participants.source; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.ticket_participants.source IS 'cc: it came from the Cc of inbound mail (the row records its removal); agent: added with plaint.add_participant()';

--
-- Name: COLUMN ticket_participants.added_by; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.ticket_participants.added_by IS 'The agent who added it; NULL for a Cc address';

--
-- Name: COLUMN ticket_participants.added_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.ticket_participants.added_at IS 'When it was added (or, for a Cc address, when the row was made)';

--
-- Name: COLUMN ticket_participants.removed_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.ticket_participants.removed_at IS 'When an agent removed it: replies no longer copy it; NULL while it takes part';

--
-- Name: COLUMN ticket_participants.removed_by; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.ticket_participants.removed_by IS 'The agent who removed it';

--
-- Name: satisfaction; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.satisfaction (
    ticket_id bigint NOT NULL,
    customer_id bigint,
    queue text NOT NULL,
    asked_at timestamp with time zone DEFAULT now() NOT NULL,
    outbox_id bigint,
    score smallint,
    comment text,
    answered_at timestamp with time zone,
    message_row bigint,
    CONSTRAINT satisfaction_answer_whole CHECK (((score IS NULL) = (answered_at IS NULL))),
    CONSTRAINT satisfaction_score_check CHECK (((score >= 1) AND (score <= 5)))
);

--
-- Name: TABLE satisfaction; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.satisfaction IS 'How customers say they were served: one row per ticket whose customer was asked on resolution, with the answer once it came';

--
-- Name: COLUMN satisfaction.ticket_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.ticket_id IS 'The ticket the question was about';

--
-- Name: COLUMN satisfaction.customer_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.customer_id IS 'Who was asked';

--
-- Name: COLUMN satisfaction.queue; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.queue IS 'The ticket''s queue when the question was asked';

--
-- Name: COLUMN satisfaction.asked_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.asked_at IS 'When the question was queued';

--
-- Name: COLUMN satisfaction.outbox_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.outbox_id IS 'The question in plaint.outbox (kind survey)';

--
-- Name: COLUMN satisfaction.score; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.score IS '1 (very poor) to 5 (very good), read from the answer; NULL: not answered';

--
-- Name: COLUMN satisfaction.comment; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.comment IS 'What the customer wrote besides the score, quoted text and signature left out; NULL: nothing';

--
-- Name: COLUMN satisfaction.answered_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.answered_at IS 'When the answer was filed; NULL: not answered';

--
-- Name: COLUMN satisfaction.message_row; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.satisfaction.message_row IS 'The answer in plaint.messages';

--
-- Name: queue_members; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.queue_members (
    queue text NOT NULL,
    agent text NOT NULL,
    added_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT queue_members_agent_is_a_name CHECK ((agent ~ '^[^[:space:][:cntrl:]]+$'::text))
);

--
-- Name: TABLE queue_members; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.queue_members IS 'Who sees a restricted queue: an agent login, or a role whose members all do';

--
-- Name: COLUMN queue_members.queue; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queue_members.queue IS 'The queue';

--
-- Name: COLUMN queue_members.agent; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queue_members.agent IS 'A login name, or the name of a role: its members are members of the queue';

--
-- Name: COLUMN queue_members.added_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queue_members.added_at IS 'When the membership was given';

--
-- Name: raw_messages_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.raw_messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: raw_messages_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.raw_messages_id_seq OWNED BY plaint.raw_messages.id;

--
-- Name: routing; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.routing (
    raw_id bigint NOT NULL,
    routed_at timestamp with time zone DEFAULT now() NOT NULL,
    rules_version text NOT NULL,
    matched text[] DEFAULT '{}'::text[] NOT NULL,
    queue text NOT NULL,
    priority text,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    assignee text,
    template text,
    no_ack boolean DEFAULT false NOT NULL,
    dropped boolean DEFAULT false NOT NULL,
    limit_hits text[] DEFAULT '{}'::text[] NOT NULL
);

--
-- Name: TABLE routing; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.routing IS 'How the rules routed each message: matched rules, verdict and rule-set version';

--
-- Name: COLUMN routing.raw_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.raw_id IS 'The raw message the rules looked at';

--
-- Name: COLUMN routing.routed_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.routed_at IS 'When it was classified (again after a requeue)';

--
-- Name: COLUMN routing.rules_version; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.rules_version IS 'Hash of the rule files in use (plaint rules check prints it)';

--
-- Name: COLUMN routing.matched; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.matched IS 'Names of the rules that matched, in the order they applied';

--
-- Name: COLUMN routing.queue; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.queue IS 'The queue chosen: by a rule, else the mailbox''s queue';

--
-- Name: COLUMN routing.priority; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.priority IS 'Priority set by a rule, NULL if none did';

--
-- Name: COLUMN routing.tags; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.tags IS 'Tags the rules gave';

--
-- Name: COLUMN routing.assignee; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.assignee IS 'Agent a rule assigned, NULL if none did';

--
-- Name: COLUMN routing.template; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.template IS 'Acknowledgement template chosen by a rule, NULL for the default';

--
-- Name: COLUMN routing.no_ack; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.no_ack IS 'A rule said no-ack';

--
-- Name: COLUMN routing.dropped; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.dropped IS 'A rule said drop: stored, no ticket, nothing sent';

--
-- Name: COLUMN routing.limit_hits; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.routing.limit_hits IS 'Rules whose pattern hit its match or depth limit (taken as no match)';

--
-- Name: schema_code; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.schema_code (
    only_row boolean DEFAULT true NOT NULL,
    hash text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT schema_code_only_row_check CHECK (only_row)
);

--
-- Name: TABLE schema_code; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.schema_code IS 'The views and functions in the database: which build of sql/code plaint db migrate created last';

--
-- Name: COLUMN schema_code.only_row; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.schema_code.only_row IS 'Always true: the table has one row';

--
-- Name: COLUMN schema_code.hash; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.schema_code.hash IS 'sha256 of the code files; the daemon refuses to start when it is not its own';

--
-- Name: COLUMN schema_code.applied_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.schema_code.applied_at IS 'When plaint db migrate last created the code';

--
-- Name: schema_migrations; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.schema_migrations (
    version integer NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE schema_migrations; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.schema_migrations IS 'Migrations applied by plaint db migrate';

--
-- Name: COLUMN schema_migrations.version; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.schema_migrations.version IS 'The migration''s number (sql/migrations/NNNN_name.sql)';

--
-- Name: COLUMN schema_migrations.applied_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.schema_migrations.applied_at IS 'When plaint db migrate applied it';

--
-- Name: ticket_number_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.ticket_number_seq
    START WITH 1000
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: tickets_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.tickets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: tickets_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.tickets_id_seq OWNED BY plaint.tickets.id;

--
-- Name: uploads; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.uploads (
    id bigint NOT NULL,
    sha256 text NOT NULL,
    filename text NOT NULL,
    content_type text NOT NULL,
    added_by text DEFAULT SESSION_USER NOT NULL,
    added_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE uploads; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.uploads IS 'Files agents stored with plaint.add_blob() to attach to replies, under the name and type they gave';

--
-- Name: COLUMN uploads.id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.uploads.id IS 'Row number';

--
-- Name: COLUMN uploads.sha256; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.uploads.sha256 IS 'The content, in plaint.blobs';

--
-- Name: COLUMN uploads.filename; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.uploads.filename IS 'The file name to send it under';

--
-- Name: COLUMN uploads.content_type; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.uploads.content_type IS 'Its MIME type, e.g. application/pdf';

--
-- Name: COLUMN uploads.added_by; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.uploads.added_by IS 'The agent who uploaded it';

--
-- Name: COLUMN uploads.added_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.uploads.added_at IS 'When it was uploaded';

--
-- Name: uploads_id_seq; Type: SEQUENCE; Schema: plaint
--

CREATE SEQUENCE plaint.uploads_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: uploads_id_seq; Type: SEQUENCE OWNED BY; Schema: plaint
--

ALTER SEQUENCE plaint.uploads_id_seq OWNED BY plaint.uploads.id;

--
-- Name: agents agents_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (login);

--
-- Name: attachments attachments_message_row_part_key; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.attachments
    ADD CONSTRAINT attachments_message_row_part_key UNIQUE (message_row, part);

--
-- Name: attachments attachments_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (id);

--
-- Name: blobs blobs_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.blobs
    ADD CONSTRAINT blobs_pkey PRIMARY KEY (sha256);

--
-- Name: breaches breaches_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.breaches
    ADD CONSTRAINT breaches_pkey PRIMARY KEY (ticket_id, kind);

--
-- Name: customers customers_email_key; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.customers
    ADD CONSTRAINT customers_email_key UNIQUE (email);

--
-- Name: customers customers_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);

--
-- Name: mailboxes mailboxes_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.mailboxes
    ADD CONSTRAINT mailboxes_pkey PRIMARY KEY (name);

--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);

--
-- Name: messages messages_raw_id_key; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.messages
    ADD CONSTRAINT messages_raw_id_key UNIQUE (raw_id);

--
-- Name: notes notes_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.notes
    ADD CONSTRAINT notes_pkey PRIMARY KEY (id);

--
-- Name: outbox_attachments outbox_attachments_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.outbox_attachments
    ADD CONSTRAINT outbox_attachments_pkey PRIMARY KEY (outbox_id, "position");

--
-- Name: outbox outbox_message_id_key; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.outbox
    ADD CONSTRAINT outbox_message_id_key UNIQUE (message_id);

--
-- Name: outbox outbox_message_row_key; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.outbox
    ADD CONSTRAINT outbox_message_row_key UNIQUE (message_row);

--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);

--
-- Name: queue_members queue_members_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.queue_members
    ADD CONSTRAINT queue_members_pkey PRIMARY KEY (queue, agent);

--
-- Name: queues queues_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.queues
    ADD CONSTRAINT queues_pkey PRIMARY KEY (name);

--
-- Name: raw_messages raw_messages_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.raw_messages
    ADD CONSTRAINT raw_messages_pkey PRIMARY KEY (id);

--
-- Name: routing routing_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.routing
    ADD CONSTRAINT routing_pkey PRIMARY KEY (raw_id);

--
-- Name: satisfaction satisfaction_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.satisfaction
    ADD CONSTRAINT satisfaction_pkey PRIMARY KEY (ticket_id);

--
-- Name: schema_code schema_code_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.schema_code
    ADD CONSTRAINT schema_code_pkey PRIMARY KEY (only_row);

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: settings settings_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (key);

--
-- Name: ticket_participants ticket_participants_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.ticket_participants
    ADD CONSTRAINT ticket_participants_pkey PRIMARY KEY (ticket_id, address);

--
-- Name: tickets tickets_number_key; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.tickets
    ADD CONSTRAINT tickets_number_key UNIQUE (number);

--
-- Name: tickets tickets_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id);

--
-- Name: uploads uploads_pkey; Type: CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.uploads
    ADD CONSTRAINT uploads_pkey PRIMARY KEY (id);

--
-- Name: attachments_sha256; Type: INDEX; Schema: plaint
--

CREATE INDEX attachments_sha256 ON plaint.attachments USING btree (sha256);

--
-- Name: events_queue_moves; Type: INDEX; Schema: plaint
--

CREATE INDEX events_queue_moves ON plaint.events USING btree (ticket_id) WHERE (kind = 'queue'::text);

--
-- Name: events_ticket; Type: INDEX; Schema: plaint
--

CREATE INDEX events_ticket ON plaint.events USING btree (ticket_id, id);

--
-- Name: messages_in_answers; Type: INDEX; Schema: plaint
--

CREATE INDEX messages_in_answers ON plaint.messages USING btree (COALESCE(in_reply_to, "references"[cardinality("references")])) WHERE ((direction = 'in'::text) AND (COALESCE(in_reply_to, "references"[cardinality("references")]) IS NOT NULL));

--
-- Name: messages_in_fingerprint; Type: INDEX; Schema: plaint
--

CREATE UNIQUE INDEX messages_in_fingerprint ON plaint.messages USING btree (fingerprint) WHERE (direction = 'in'::text);

--
-- Name: messages_in_message_id; Type: INDEX; Schema: plaint
--

CREATE INDEX messages_in_message_id ON plaint.messages USING btree (message_id) WHERE (direction = 'in'::text);

--
-- Name: messages_in_roots; Type: INDEX; Schema: plaint
--

CREATE INDEX messages_in_roots ON plaint.messages USING btree (("references"[1])) WHERE ((direction = 'in'::text) AND ("references"[1] IS NOT NULL));

--
-- Name: messages_in_shape; Type: INDEX; Schema: plaint
--

CREATE INDEX messages_in_shape ON plaint.messages USING btree (shape, received_at) WHERE ((direction = 'in'::text) AND (shape IS NOT NULL));

--
-- Name: messages_in_ticket; Type: INDEX; Schema: plaint
--

CREATE INDEX messages_in_ticket ON plaint.messages USING btree (ticket_id, id) WHERE (direction = 'in'::text);

--
-- Name: messages_message_id; Type: INDEX; Schema: plaint
--

CREATE INDEX messages_message_id ON plaint.messages USING btree (message_id);

--
-- Name: messages_ticket; Type: INDEX; Schema: plaint
--

CREATE INDEX messages_ticket ON plaint.messages USING btree (ticket_id, id);

--
-- Name: notes_ticket; Type: INDEX; Schema: plaint
--

CREATE INDEX notes_ticket ON plaint.notes USING btree (ticket_id, id);

--
-- Name: outbox_ack_domain; Type: INDEX; Schema: plaint
--

CREATE INDEX outbox_ack_domain ON plaint.outbox USING btree (lower(split_part(recipient, '@'::text, '-1'::integer)), queued_at) WHERE (kind = 'ack'::text);

--
-- Name: outbox_attachments_sha256; Type: INDEX; Schema: plaint
--

CREATE INDEX outbox_attachments_sha256 ON plaint.outbox_attachments USING btree (sha256);

--
-- Name: outbox_due; Type: INDEX; Schema: plaint
--

CREATE INDEX outbox_due ON plaint.outbox USING btree (due_at, id) WHERE ((sent_at IS NULL) AND (failed_at IS NULL));

--
-- Name: outbox_one_ack_per_ticket; Type: INDEX; Schema: plaint
--

CREATE UNIQUE INDEX outbox_one_ack_per_ticket ON plaint.outbox USING btree (ticket_id) WHERE (kind = 'ack'::text);

--
-- Name: outbox_recipient; Type: INDEX; Schema: plaint
--

CREATE INDEX outbox_recipient ON plaint.outbox USING btree (recipient, queued_at) WHERE (kind = 'ack'::text);

--
-- Name: outbox_ticket; Type: INDEX; Schema: plaint
--

CREATE INDEX outbox_ticket ON plaint.outbox USING btree (ticket_id);

--
-- Name: raw_messages_imap_key; Type: INDEX; Schema: plaint
--

CREATE UNIQUE INDEX raw_messages_imap_key ON plaint.raw_messages USING btree (mailbox, uidvalidity, uid) WHERE (uid IS NOT NULL);

--
-- Name: raw_messages_ingest_key; Type: INDEX; Schema: plaint
--

CREATE UNIQUE INDEX raw_messages_ingest_key ON plaint.raw_messages USING btree (mailbox, sha256) WHERE (uid IS NULL);

--
-- Name: raw_messages_new; Type: INDEX; Schema: plaint
--

CREATE INDEX raw_messages_new ON plaint.raw_messages USING btree (id) WHERE (state = 'new'::text);

--
-- Name: raw_messages_quarantined; Type: INDEX; Schema: plaint
--

CREATE INDEX raw_messages_quarantined ON plaint.raw_messages USING btree (mailbox) WHERE (state = 'quarantined'::text);

--
-- Name: routing_routed_at; Type: INDEX; Schema: plaint
--

CREATE INDEX routing_routed_at ON plaint.routing USING btree (routed_at);

--
-- Name: satisfaction_customer; Type: INDEX; Schema: plaint
--

CREATE INDEX satisfaction_customer ON plaint.satisfaction USING btree (customer_id, asked_at);

--
-- Name: tickets_customer; Type: INDEX; Schema: plaint
--

CREATE INDEX tickets_customer ON plaint.tickets USING btree (customer_id);

--
-- Name: tickets_merged_into; Type: INDEX; Schema: plaint
--

CREATE INDEX tickets_merged_into ON plaint.tickets USING btree (merged_into) WHERE (merged_into IS NOT NULL);

--
-- Name: tickets_open; Type: INDEX; Schema: plaint
--

CREATE INDEX tickets_open ON plaint.tickets USING btree (queue, created_at) WHERE (status <> ALL (ARRAY['resolved'::text, 'closed'::text]));

--
-- Name: uploads_added_by; Type: INDEX; Schema: plaint
--

CREATE INDEX uploads_added_by ON plaint.uploads USING btree (added_by, sha256);

--
-- Name: uploads_sha256; Type: INDEX; Schema: plaint
--

CREATE INDEX uploads_sha256 ON plaint.uploads USING btree (sha256);

--
-- Name: repeat_complainants _RETURN; Type: RULE; Schema: plaint
--

CREATE OR REPLACE VIEW plaint.repeat_complainants WITH (security_invoker='true') AS
 SELECT c.email AS customer,
    c.name,
    count(*) FILTER (WHERE (t.created_at > (now() - '90 days'::interval))) AS tickets_90d,
    count(*) FILTER (WHERE (t.status = ANY (ARRAY['new'::text, 'open'::text, 'pending'::text]))) AS open_now,
    count(*) AS tickets,
    array_agg(DISTINCT t.queue ORDER BY t.queue) FILTER (WHERE (t.created_at > (now() - '90 days'::interval))) AS queues_90d,
    max(last_in.at) AS last_contact
   FROM ((plaint.customers c
     JOIN plaint.tickets t ON (((t.customer_id = c.id) AND (t.merged_into IS NULL))))
     LEFT JOIN LATERAL ( SELECT max(COALESCE(m.received_at, m.created_at)) AS at
           FROM plaint.messages m
          WHERE ((m.ticket_id = t.id) AND (m.direction = 'in'::text))) last_in ON (true))
  GROUP BY c.id
 HAVING (count(*) FILTER (WHERE (t.created_at > (now() - '90 days'::interval))) >= 2)
  ORDER BY (count(*) FILTER (WHERE (t.created_at > (now() - '90 days'::interval)))) DESC, (max(last_in.at)) DESC, c.email;

--
-- Name: attachments attachments_message_row_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.attachments
    ADD CONSTRAINT attachments_message_row_fkey FOREIGN KEY (message_row) REFERENCES plaint.messages(id);

--
-- Name: attachments attachments_sha256_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.attachments
    ADD CONSTRAINT attachments_sha256_fkey FOREIGN KEY (sha256) REFERENCES plaint.blobs(sha256);

--
-- Name: breaches breaches_outbox_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.breaches
    ADD CONSTRAINT breaches_outbox_id_fkey FOREIGN KEY (outbox_id) REFERENCES plaint.outbox(id);

--
-- Name: breaches breaches_ticket_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.breaches
    ADD CONSTRAINT breaches_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES plaint.tickets(id);

--
-- Name: events events_ticket_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.events
    ADD CONSTRAINT events_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES plaint.tickets(id);

--
-- Name: messages messages_raw_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.messages
    ADD CONSTRAINT messages_raw_id_fkey FOREIGN KEY (raw_id) REFERENCES plaint.raw_messages(id);

--
-- Name: messages messages_ticket_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.messages
    ADD CONSTRAINT messages_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES plaint.tickets(id);

--
-- Name: notes notes_ticket_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.notes
    ADD CONSTRAINT notes_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES plaint.tickets(id);

--
-- Name: outbox_attachments outbox_attachments_outbox_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.outbox_attachments
    ADD CONSTRAINT outbox_attachments_outbox_id_fkey FOREIGN KEY (outbox_id) REFERENCES plaint.outbox(id);

--
-- Name: outbox_attachments outbox_attachments_sha256_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.outbox_attachments
    ADD CONSTRAINT outbox_attachments_sha256_fkey FOREIGN KEY (sha256) REFERENCES plaint.blobs(sha256);

--
-- Name: outbox outbox_message_row_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.outbox
    ADD CONSTRAINT outbox_message_row_fkey FOREIGN KEY (message_row) REFERENCES plaint.messages(id);

--
-- Name: outbox outbox_ticket_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.outbox
    ADD CONSTRAINT outbox_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES plaint.tickets(id);

--
-- Name: queue_members queue_members_queue_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.queue_members
    ADD CONSTRAINT queue_members_queue_fkey FOREIGN KEY (queue) REFERENCES plaint.queues(name) ON UPDATE CASCADE ON DELETE CASCADE;

--
-- Name: raw_messages raw_messages_duplicate_of_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.raw_messages
    ADD CONSTRAINT raw_messages_duplicate_of_fkey FOREIGN KEY (duplicate_of) REFERENCES plaint.messages(id);

--
-- Name: routing routing_raw_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.routing
    ADD CONSTRAINT routing_raw_id_fkey FOREIGN KEY (raw_id) REFERENCES plaint.raw_messages(id);

--
-- Name: satisfaction satisfaction_customer_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.satisfaction
    ADD CONSTRAINT satisfaction_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES plaint.customers(id);

--
-- Name: satisfaction satisfaction_message_row_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.satisfaction
    ADD CONSTRAINT satisfaction_message_row_fkey FOREIGN KEY (message_row) REFERENCES plaint.messages(id);

--
-- Name: satisfaction satisfaction_outbox_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.satisfaction
    ADD CONSTRAINT satisfaction_outbox_id_fkey FOREIGN KEY (outbox_id) REFERENCES plaint.outbox(id);

--
-- Name: satisfaction satisfaction_ticket_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.satisfaction
    ADD CONSTRAINT satisfaction_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES plaint.tickets(id) ON DELETE CASCADE;

--
-- Name: ticket_participants ticket_participants_ticket_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.ticket_participants
    ADD CONSTRAINT ticket_participants_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES plaint.tickets(id);

--
-- Name: tickets tickets_customer_id_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.tickets
    ADD CONSTRAINT tickets_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES plaint.customers(id);

--
-- Name: tickets tickets_follows_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.tickets
    ADD CONSTRAINT tickets_follows_fkey FOREIGN KEY (follows) REFERENCES plaint.tickets(id);

--
-- Name: tickets tickets_merged_into_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.tickets
    ADD CONSTRAINT tickets_merged_into_fkey FOREIGN KEY (merged_into) REFERENCES plaint.tickets(id);

--
-- Name: tickets tickets_queue_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.tickets
    ADD CONSTRAINT tickets_queue_fkey FOREIGN KEY (queue) REFERENCES plaint.queues(name);

--
-- Name: tickets tickets_related_to_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.tickets
    ADD CONSTRAINT tickets_related_to_fkey FOREIGN KEY (related_to) REFERENCES plaint.tickets(id);

--
-- Name: uploads uploads_sha256_fkey; Type: FK CONSTRAINT; Schema: plaint
--

ALTER TABLE ONLY plaint.uploads
    ADD CONSTRAINT uploads_sha256_fkey FOREIGN KEY (sha256) REFERENCES plaint.blobs(sha256);

--
-- Name: attachments; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.attachments ENABLE ROW LEVEL SECURITY;

--
-- Name: blobs; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.blobs ENABLE ROW LEVEL SECURITY;

--
-- Name: breaches; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.breaches ENABLE ROW LEVEL SECURITY;

--
-- Name: customers; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.customers ENABLE ROW LEVEL SECURITY;

--
-- Name: events; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.events ENABLE ROW LEVEL SECURITY;

--
-- Name: messages; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.messages ENABLE ROW LEVEL SECURITY;

--
-- Name: notes; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.notes ENABLE ROW LEVEL SECURITY;

--
-- Name: outbox; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.outbox ENABLE ROW LEVEL SECURITY;

--
-- Name: outbox_attachments; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.outbox_attachments ENABLE ROW LEVEL SECURITY;

--
-- Name: routing; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.routing ENABLE ROW LEVEL SECURITY;

--
-- Name: satisfaction; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.satisfaction ENABLE ROW LEVEL SECURITY;

--
-- Name: ticket_participants; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.ticket_participants ENABLE ROW LEVEL SECURITY;

--
-- Name: tickets; Type: ROW SECURITY; Schema: plaint
--

ALTER TABLE plaint.tickets ENABLE ROW LEVEL SECURITY;

--
-- Name: SCHEMA plaint; Type: ACL; Schema: -
--

GRANT USAGE ON SCHEMA plaint TO plaint_gateway;
GRANT USAGE ON SCHEMA plaint TO plaint_agent;
GRANT ALL ON SCHEMA plaint TO plaint_admin;

--
-- Name: TABLE tickets; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT,UPDATE ON TABLE plaint.tickets TO plaint_gateway;
GRANT SELECT ON TABLE plaint.tickets TO plaint_agent;
GRANT ALL ON TABLE plaint.tickets TO plaint_admin;

--
-- Name: TABLE messages; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT,UPDATE ON TABLE plaint.messages TO plaint_gateway;
GRANT SELECT ON TABLE plaint.messages TO plaint_agent;
GRANT ALL ON TABLE plaint.messages TO plaint_admin;

--
-- Name: TABLE outbox; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT,UPDATE ON TABLE plaint.outbox TO plaint_gateway;
GRANT SELECT ON TABLE plaint.outbox TO plaint_agent;
GRANT ALL ON TABLE plaint.outbox TO plaint_admin;

--
-- Name: TABLE raw_messages; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT ON TABLE plaint.raw_messages TO plaint_gateway;
GRANT ALL ON TABLE plaint.raw_messages TO plaint_admin;

--
-- Name: COLUMN raw_messages.state; Type: ACL; Schema: plaint
--

GRANT UPDATE(state) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.reason; Type: ACL; Schema: plaint
--

GRANT UPDATE(reason) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.processed_at; Type: ACL; Schema: plaint
--

GRANT UPDATE(processed_at) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.outcome; Type: ACL; Schema: plaint
--

GRANT UPDATE(outcome) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.duplicate_of; Type: ACL; Schema: plaint
--

GRANT UPDATE(duplicate_of) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.dropped_by; Type: ACL; Schema: plaint
--

GRANT UPDATE(dropped_by) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.attempts; Type: ACL; Schema: plaint
--

GRANT UPDATE(attempts) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.claimed_by; Type: ACL; Schema: plaint
--

GRANT UPDATE(claimed_by) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: TABLE agents; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.agents TO plaint_admin;
GRANT SELECT ON TABLE plaint.agents TO plaint_agent;
GRANT SELECT ON TABLE plaint.agents TO plaint_gateway;

--
-- Name: TABLE attachments; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.attachments TO plaint_admin;
GRANT SELECT,INSERT ON TABLE plaint.attachments TO plaint_gateway;
GRANT SELECT ON TABLE plaint.attachments TO plaint_agent;

--
-- Name: SEQUENCE attachments_id_seq; Type: ACL; Schema: plaint
--

GRANT ALL ON SEQUENCE plaint.attachments_id_seq TO plaint_admin;
GRANT USAGE ON SEQUENCE plaint.attachments_id_seq TO plaint_gateway;

--
-- Name: TABLE blobs; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.blobs TO plaint_admin;
GRANT SELECT,INSERT ON TABLE plaint.blobs TO plaint_gateway;
GRANT SELECT ON TABLE plaint.blobs TO plaint_agent;

--
-- Name: COLUMN blobs.content; Type: ACL; Schema: plaint
--

GRANT UPDATE(content) ON TABLE plaint.blobs TO plaint_gateway;

--
-- Name: COLUMN blobs.removed_at; Type: ACL; Schema: plaint
--

GRANT UPDATE(removed_at) ON TABLE plaint.blobs TO plaint_gateway;

--
-- Name: TABLE breaches; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.breaches TO plaint_admin;
GRANT SELECT ON TABLE plaint.breaches TO plaint_agent;
GRANT SELECT,INSERT,UPDATE ON TABLE plaint.breaches TO plaint_gateway;

--
-- Name: TABLE customers; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT,UPDATE ON TABLE plaint.customers TO plaint_gateway;
GRANT SELECT ON TABLE plaint.customers TO plaint_agent;
GRANT ALL ON TABLE plaint.customers TO plaint_admin;

--
-- Name: SEQUENCE customers_id_seq; Type: ACL; Schema: plaint
--

GRANT SELECT,USAGE ON SEQUENCE plaint.customers_id_seq TO plaint_gateway;
GRANT ALL ON SEQUENCE plaint.customers_id_seq TO plaint_admin;

--
-- Name: TABLE events; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT ON TABLE plaint.events TO plaint_gateway;
GRANT SELECT ON TABLE plaint.events TO plaint_agent;
GRANT ALL ON TABLE plaint.events TO plaint_admin;

--
-- Name: SEQUENCE events_id_seq; Type: ACL; Schema: plaint
--

GRANT SELECT,USAGE ON SEQUENCE plaint.events_id_seq TO plaint_gateway;
GRANT ALL ON SEQUENCE plaint.events_id_seq TO plaint_admin;

--
-- Name: TABLE mailboxes; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT,UPDATE ON TABLE plaint.mailboxes TO plaint_gateway;
GRANT ALL ON TABLE plaint.mailboxes TO plaint_admin;

--
-- Name: TABLE outbox_attachments; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.outbox_attachments TO plaint_admin;
GRANT SELECT ON TABLE plaint.outbox_attachments TO plaint_agent;
GRANT SELECT ON TABLE plaint.outbox_attachments TO plaint_gateway;

--
-- Name: SEQUENCE messages_id_seq; Type: ACL; Schema: plaint
--

GRANT SELECT,USAGE ON SEQUENCE plaint.messages_id_seq TO plaint_gateway;
GRANT ALL ON SEQUENCE plaint.messages_id_seq TO plaint_admin;

--
-- Name: TABLE queues; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT,UPDATE ON TABLE plaint.queues TO plaint_gateway;
GRANT SELECT ON TABLE plaint.queues TO plaint_agent;
GRANT ALL ON TABLE plaint.queues TO plaint_admin;

--
-- Name: TABLE notes; Type: ACL; Schema: plaint
--

GRANT SELECT ON TABLE plaint.notes TO plaint_agent;
GRANT ALL ON TABLE plaint.notes TO plaint_admin;

--
-- Name: SEQUENCE notes_id_seq; Type: ACL; Schema: plaint
--

GRANT SELECT,USAGE ON SEQUENCE plaint.notes_id_seq TO plaint_gateway;
GRANT ALL ON SEQUENCE plaint.notes_id_seq TO plaint_admin;

--
-- Name: SEQUENCE outbox_id_seq; Type: ACL; Schema: plaint
--

GRANT SELECT,USAGE ON SEQUENCE plaint.outbox_id_seq TO plaint_gateway;
GRANT ALL ON SEQUENCE plaint.outbox_id_seq TO plaint_admin;

--
-- Name: TABLE settings; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT,UPDATE ON TABLE plaint.settings TO plaint_gateway;
GRANT SELECT ON TABLE plaint.settings TO plaint_agent;
GRANT ALL ON TABLE plaint.settings TO plaint_admin;

--
-- Name: TABLE ticket_participants; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.ticket_participants TO plaint_admin;
GRANT SELECT ON TABLE plaint.ticket_participants TO plaint_agent;
GRANT SELECT ON TABLE plaint.ticket_participants TO plaint_gateway;

--
-- Name: TABLE satisfaction; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.satisfaction TO plaint_admin;
GRANT SELECT ON TABLE plaint.satisfaction TO plaint_agent;
GRANT SELECT,INSERT,UPDATE ON TABLE plaint.satisfaction TO plaint_gateway;

--
-- Name: TABLE queue_members; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.queue_members TO plaint_admin;
GRANT SELECT ON TABLE plaint.queue_members TO plaint_agent;
GRANT SELECT ON TABLE plaint.queue_members TO plaint_gateway;

--
-- Name: SEQUENCE raw_messages_id_seq; Type: ACL; Schema: plaint
--

GRANT SELECT,USAGE ON SEQUENCE plaint.raw_messages_id_seq TO plaint_gateway;
GRANT ALL ON SEQUENCE plaint.raw_messages_id_seq TO plaint_admin;

--
-- Name: TABLE routing; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.routing TO plaint_admin;
GRANT SELECT,INSERT,UPDATE ON TABLE plaint.routing TO plaint_gateway;
GRANT SELECT ON TABLE plaint.routing TO plaint_agent;

--
-- Name: TABLE schema_code; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.schema_code TO plaint_admin;
GRANT SELECT ON TABLE plaint.schema_code TO plaint_gateway;
GRANT SELECT ON TABLE plaint.schema_code TO plaint_agent;

--
-- Name: TABLE schema_migrations; Type: ACL; Schema: plaint
--

GRANT SELECT ON TABLE plaint.schema_migrations TO plaint_gateway;
GRANT ALL ON TABLE plaint.schema_migrations TO plaint_admin;

--
-- Name: SEQUENCE ticket_number_seq; Type: ACL; Schema: plaint
--

GRANT SELECT,USAGE ON SEQUENCE plaint.ticket_number_seq TO plaint_gateway;
GRANT ALL ON SEQUENCE plaint.ticket_number_seq TO plaint_admin;

--
-- Name: SEQUENCE tickets_id_seq; Type: ACL; Schema: plaint
--

GRANT SELECT,USAGE ON SEQUENCE plaint.tickets_id_seq TO plaint_gateway;
GRANT ALL ON SEQUENCE plaint.tickets_id_seq TO plaint_admin;

--
-- Name: TABLE uploads; Type: ACL; Schema: plaint
--

GRANT ALL ON TABLE plaint.uploads TO plaint_admin;

--
-- Name: SEQUENCE uploads_id_seq; Type: ACL; Schema: plaint
--

GRANT ALL ON SEQUENCE plaint.uploads_id_seq TO plaint_admin;

--
-- PostgreSQL database dump complete
--

