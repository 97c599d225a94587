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
    CONSTRAINT tickets_does_not_follow_itself CHECK ((follows <> id)),
    CONSTRAINT tickets_not_merged_into_itself CHECK ((merged_into <> id)),
    CONSTRAINT tickets_not_related_to_itself CHECK ((related_to <> id)),
    CONSTRAINT tickets_priority_check CHECK ((priority = ANY (ARRAY['low'::text, 'normal'::text, 'high'::text, 'urgent'::text]))),
    CONSTRAINT tickets_status_check CHECK ((status = ANY (ARRAY['new'::text, 'open'::text, 'pending'::text, 'resolved'::text, 'closed'::text])))
);

--
-- Name: TABLE tickets; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.tickets IS 'One complaint and its conversation';

--
-- Name: COLUMN tickets.number; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.number IS 'What customers see in the subject, e.g. CMP-1042';

--
-- Name: COLUMN tickets.customer_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.customer_id IS 'The customer who wrote the first message; NULL when it named no sender at all (no acknowledgement, no reply possible)';

--
-- Name: COLUMN tickets.rules; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.rules IS 'Names of the rules that matched the message that opened the ticket';

--
-- Name: COLUMN tickets.assignee; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.assignee IS 'The agent (database user name) working the ticket: plaint.my_tickets shows it to them';

--
-- Name: COLUMN tickets.ack_due_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.tickets.ack_due_at IS 'Arrival of the first message plus the acknowledgement SLA';

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
    CONSTRAINT messages_check CHECK (((direction = 'in'::text) = (raw_id IS NOT NULL))),
    CONSTRAINT messages_direction_check CHECK ((direction = ANY (ARRAY['in'::text, 'out'::text]))),
    CONSTRAINT messages_fingerprint_is_sha256 CHECK ((fingerprint ~ '^[0-9a-f]{64}$'::text))
);

--
-- Name: TABLE messages; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.messages IS 'Every message of a conversation, in (from customers) and out (acknowledgements, replies)';

--
-- Name: COLUMN messages.message_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.messages.message_id IS 'Message-ID without angle brackets; replies naming it thread onto the ticket';

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

COMMENT ON COLUMN plaint.messages.cc IS 'Cc addresses an agent gave to plaint.reply(); recorded only: the gateway does not send Cc yet';

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
    CONSTRAINT outbox_kind_check CHECK ((kind = ANY (ARRAY['ack'::text, 'reply'::text])))
);

--
-- Name: TABLE outbox; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.outbox IS 'Every outgoing mail, from queueing to the SMTP server''s reply; the gateway alone sends';

--
-- Name: COLUMN outbox.message_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.message_id IS 'Fixed when queued, so a resend after a crash carries the same id';

--
-- Name: COLUMN outbox.due_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.due_at IS 'The SLA deadline: the outbox sends earliest deadline first';

--
-- Name: COLUMN outbox.lease_until; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.lease_until IS 'Unused since version 8 (claimed_by holds a row while it is sent)';

--
-- Name: COLUMN outbox.smtp_reply; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.smtp_reply IS 'The SMTP server''s reply to the end of DATA, e.g. 250 ...';

--
-- Name: COLUMN outbox.claimed_by; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.outbox.claimed_by IS 'The database backend (pid) of the gateway sending it now; free again the moment that session ends';

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
    flagged_at timestamp with time zone,
    requeues integer DEFAULT 0 NOT NULL,
    requeued_at timestamp with time zone,
    previous_reason text,
    attempts integer DEFAULT 0 NOT NULL,
    claimed_by integer,
    CONSTRAINT raw_messages_check CHECK (((uid IS NULL) = (uidvalidity IS NULL))),
    CONSTRAINT raw_messages_dropped_names_its_rule CHECK ((COALESCE((outcome = 'dropped'::text), false) = (dropped_by IS NOT NULL))),
    CONSTRAINT raw_messages_duplicate_names_its_original CHECK ((COALESCE((outcome = 'duplicate'::text), false) = (duplicate_of IS NOT NULL))),
    CONSTRAINT raw_messages_outcome_known CHECK ((outcome = ANY (ARRAY['ticket'::text, 'bounce'::text, 'duplicate'::text, 'dropped'::text, 'quarantined'::text]))),
    CONSTRAINT raw_messages_outcome_matches_state CHECK (COALESCE((((state = 'new'::text) AND (outcome IS NULL)) OR ((state = 'quarantined'::text) AND (outcome = 'quarantined'::text) AND (reason IS NOT NULL)) OR ((state = 'done'::text) AND (outcome = ANY (ARRAY['ticket'::text, 'bounce'::text, 'duplicate'::text, 'dropped'::text])))), false)),
    CONSTRAINT raw_messages_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT raw_messages_state_check CHECK ((state = ANY (ARRAY['new'::text, 'done'::text, 'quarantined'::text])))
);

--
-- Name: TABLE raw_messages; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.raw_messages IS 'Every message exactly as fetched; the source of truth, never deleted';

--
-- Name: COLUMN raw_messages.internaldate; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.internaldate IS 'When the IMAP server received the message (INTERNALDATE); NULL for ingested mail';

--
-- Name: COLUMN raw_messages.state; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.state IS 'new: waiting to be processed; done: processed, see outcome; quarantined: kept but not filed, see reason';

--
-- Name: COLUMN raw_messages.reason; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.reason IS 'Why the message was quarantined, or a note on its outcome (a reused Message-ID, a ticket tag from a stranger)';

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
-- Name: COLUMN raw_messages.flagged_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.raw_messages.flagged_at IS 'When plaint set \Seen on the IMAP server, after the raw row was committed; NULL for ingested mail and until then';

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
-- Name: COLUMN attachments.part; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.part IS 'Where the part sits in the MIME tree, e.g. 1.2 (as plaint parse shows it)';

--
-- Name: COLUMN attachments.content_id; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.attachments.content_id IS 'Content-ID, for images an HTML body shows inline';

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
    CONSTRAINT blobs_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text))
);

--
-- Name: TABLE blobs; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.blobs IS 'Attachment contents, decoded, stored once however many messages carry them';

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
    CONSTRAINT customers_email_check CHECK ((email = lower(email)))
);

--
-- Name: TABLE customers; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.customers IS 'People who wrote to support, identified by their From address';

--
-- Name: COLUMN customers.bounced_at; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.bounced_at IS 'When mail plaint sent to this address last bounced';

--
-- Name: COLUMN customers.bounces; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.customers.bounces IS 'How many of plaint''s mails to this address bounced';

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
    polled_at timestamp with time zone
);

--
-- Name: TABLE mailboxes; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.mailboxes IS 'IMAP cursor per configured mailbox: UIDVALIDITY and the highest UID stored';

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
    CONSTRAINT queues_first_response_positive CHECK ((first_response > '00:00:00'::interval))
);

--
-- Name: TABLE queues; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.queues IS 'Queues tickets are routed to; a queue is created when first used';

--
-- Name: COLUMN queues.first_response; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.queues.first_response IS 'First-response SLA: an agent''s first reply is due this long after the first message arrived (plaint.overdue)';

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
-- Name: COLUMN notes.author; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.notes.author IS 'The database user who wrote the note';

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
-- Name: settings; Type: TABLE; Schema: plaint
--

CREATE TABLE plaint.settings (
    key text NOT NULL,
    value text NOT NULL,
    CONSTRAINT settings_message_id_domain_is_one_word CHECK (((key <> 'message_id_domain'::text) OR (value ~ '^[^][()<>@,;:\\"[:space:]]+$'::text))),
    CONSTRAINT settings_reopen_days_is_a_number CHECK (((key <> 'reopen_days'::text) OR (value ~ '^[0-9]{1,5}$'::text)))
);

--
-- Name: TABLE settings; Type: COMMENT; Schema: plaint
--

COMMENT ON TABLE plaint.settings IS 'Settings the SQL functions read: message_id_domain and ticket_prefix (written by the gateway at start-up from its config), reopen_days (set here by an admin)';

--
-- Name: COLUMN settings.key; Type: COMMENT; Schema: plaint
--

COMMENT ON COLUMN plaint.settings.key IS 'message_id_domain: right of the @ in Message-IDs of replies; ticket_prefix: the PREFIX of PREFIX-n ticket numbers; reopen_days: a customer''s mail to a ticket resolved or closed at most this many days ago reopens it, later mail opens a new ticket that follows it (0: never reopen)';

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
-- Name: attachments_sha256; Type: INDEX; Schema: plaint
--

CREATE INDEX attachments_sha256 ON plaint.attachments USING btree (sha256);

--
-- Name: events_ticket; Type: INDEX; Schema: plaint
--

CREATE INDEX events_ticket ON plaint.events USING btree (ticket_id, id);

--
-- Name: messages_in_fingerprint; Type: INDEX; Schema: plaint
--

CREATE UNIQUE INDEX messages_in_fingerprint ON plaint.messages USING btree (fingerprint) WHERE (direction = 'in'::text);

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
-- Name: outbox_due; Type: INDEX; Schema: plaint
--

CREATE INDEX outbox_due ON plaint.outbox USING btree (due_at) WHERE ((sent_at IS NULL) AND (failed_at IS NULL));

--
-- Name: outbox_one_ack_per_ticket; Type: INDEX; Schema: plaint
--

CREATE UNIQUE INDEX outbox_one_ack_per_ticket ON plaint.outbox USING btree (ticket_id) WHERE (kind = 'ack'::text);

--
-- Name: outbox_recipient; Type: INDEX; Schema: plaint
--

CREATE INDEX outbox_recipient ON plaint.outbox USING btree (recipient, queued_at) WHERE (kind = 'ack'::text);

--
-- Name: raw_messages_fetched_at; Type: INDEX; Schema: plaint
--

CREATE INDEX raw_messages_fetched_at ON plaint.raw_messages USING btree (fetched_at);

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
-- Name: raw_messages_unflagged; Type: INDEX; Schema: plaint
--

CREATE INDEX raw_messages_unflagged ON plaint.raw_messages USING btree (mailbox, uidvalidity) WHERE ((flagged_at IS NULL) AND (uid IS NOT NULL));

--
-- Name: routing_routed_at; Type: INDEX; Schema: plaint
--

CREATE INDEX routing_routed_at ON plaint.routing USING btree (routed_at);

--
-- Name: tickets_merged_into; Type: INDEX; Schema: plaint
--

CREATE INDEX tickets_merged_into ON plaint.tickets USING btree (merged_into) WHERE (merged_into IS NOT NULL);

--
-- Name: tickets_open; Type: INDEX; Schema: plaint
--

CREATE INDEX tickets_open ON plaint.tickets USING btree (queue, created_at) WHERE (status <> ALL (ARRAY['resolved'::text, 'closed'::text]));

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
-- Name: COLUMN raw_messages.flagged_at; Type: ACL; Schema: plaint
--

GRANT UPDATE(flagged_at) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.attempts; Type: ACL; Schema: plaint
--

GRANT UPDATE(attempts) ON TABLE plaint.raw_messages TO plaint_gateway;

--
-- Name: COLUMN raw_messages.claimed_by; Type: ACL; Schema: plaint
--

GRANT UPDATE(claimed_by) ON TABLE plaint.raw_messages TO plaint_gateway;

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
-- Name: TABLE settings; Type: ACL; Schema: plaint
--

GRANT SELECT,INSERT,UPDATE ON TABLE plaint.settings TO plaint_gateway;
GRANT SELECT ON TABLE plaint.settings TO plaint_agent;
GRANT ALL ON TABLE plaint.settings TO plaint_admin;

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
-- PostgreSQL database dump complete
--

