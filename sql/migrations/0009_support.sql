-- 0009_support.sql: what support teams need next.
--
--   agents            who may be assigned: logins granted plaint_agent,
--                     or rows here kept by admins; display name and
--                     signature, which agents edit themselves
--   queues            restricted queues and their members; the SLA in
--                     one place (acknowledgement, first response,
--                     resolution, business hours); escalation address
--   messages          inbound messages an agent entered (a phone call):
--                     no raw row, entered_by names the agent
--   tickets.reopens   how often a ticket came back from resolved/closed
--   breaches          each missed deadline, noticed once
--   ticket_participants
--                     Cc participants an agent added or removed
--   outbox            escalations; the exact Cc list and the attachments
--                     of each outgoing mail; uploads of agents' files
--   retention         raw bytes and blobs removed, erased customers
--
-- Row-level security is enabled here on every table that shows ticket
-- content; its policies depend on functions of sql/code and so are
-- code too (sql/code/policies, one file per table), re-created by every
-- db migrate.

---------------------------------------------------------------- settings
ALTER TABLE plaint.settings
	ADD CONSTRAINT settings_max_attachment_bytes_is_a_number
		CHECK (key <> 'max_attachment_bytes' OR value ~ '^[0-9]{1,10}$'),
	ADD CONSTRAINT settings_own_addresses_are_addresses
		CHECK (key <> 'own_addresses' OR
		       value ~ '^\s*([^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+\s*(,\s*|$))*$');
INSERT INTO plaint.settings (key, value) VALUES ('max_attachment_bytes', '26214400')
ON CONFLICT (key) DO NOTHING;

---------------------------------------------------------------- agents
CREATE TABLE plaint.agents (
	login        text PRIMARY KEY
	             CONSTRAINT agents_login_is_a_name CHECK (login ~ '^[^[:space:][:cntrl:]]+$'),
	display_name text,
	signature    text,
	active       boolean NOT NULL DEFAULT true,
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now()
);

---------------------------------------------------------------- queues
ALTER TABLE plaint.queues
	ADD COLUMN restricted boolean NOT NULL DEFAULT false,
	ADD COLUMN ack_within interval
	    CONSTRAINT queues_ack_within_positive CHECK (ack_within > interval '0'),
	ADD COLUMN resolve_within interval
	    CONSTRAINT queues_resolve_within_positive CHECK (resolve_within > interval '0'),
	ADD COLUMN hours_days integer[],
	ADD COLUMN hours_start time,
	ADD COLUMN hours_end time,
	ADD COLUMN hours_tz text,
	ADD COLUMN escalate_to text
	    CONSTRAINT queues_escalate_to_is_an_address
	    CHECK (escalate_to ~ '^[^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+$'),
	ADD CONSTRAINT queues_hours_all_or_none CHECK (
		(hours_days IS NULL) = (hours_start IS NULL) AND
		(hours_days IS NULL) = (hours_end IS NULL) AND
		(hours_days IS NULL) = (hours_tz IS NULL)),
	ADD CONSTRAINT queues_hours_days_are_iso_weekdays CHECK (
		cardinality(hours_days) BETWEEN 1 AND 7 AND
		hours_days <@ ARRAY[1, 2, 3, 4, 5, 6, 7] AND
		array_position(hours_days, NULL) IS NULL),
	ADD CONSTRAINT queues_hours_start_before_end CHECK (hours_start < hours_end),
	-- An unknown zone fails here with "time zone ... not recognized".
	ADD CONSTRAINT queues_hours_tz_is_a_zone CHECK (
		hours_tz IS NULL OR
		(timestamptz '2000-01-01 00:00+00' AT TIME ZONE hours_tz) IS NOT NULL);

CREATE TABLE plaint.queue_members (
	queue    text NOT NULL REFERENCES plaint.queues ON UPDATE CASCADE ON DELETE CASCADE,
	agent    text NOT NULL
	         CONSTRAINT queue_members_agent_is_a_name CHECK (agent ~ '^[^[:space:][:cntrl:]]+$'),
	added_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (queue, agent)
);

---------------------------------------------------------------- messages an agent entered
-- A complaint taken by phone is inbound like mail, so everything that
-- reads direction = 'in' (SLA clocks, threading, participants) counts
-- it; it has no raw row, and entered_by says who typed it.
ALTER TABLE plaint.messages
	ADD COLUMN entered_by text,
	DROP CONSTRAINT messages_check,
	ADD CONSTRAINT messages_inbound_is_fetched_or_entered CHECK (
		CASE WHEN direction = 'in' THEN (raw_id IS NULL) <> (entered_by IS NULL)
		     ELSE raw_id IS NULL AND entered_by IS NULL END);

---------------------------------------------------------------- tickets
ALTER TABLE plaint.tickets
	ADD COLUMN reopens integer NOT NULL DEFAULT 0
	    CONSTRAINT tickets_reopens_not_negative CHECK (reopens >= 0);
-- What the audit trail shows of earlier reopenings by agents.
UPDATE plaint.tickets t SET reopens = e.n
  FROM (SELECT ticket_id, count(*)::integer AS n FROM plaint.events
	 WHERE kind = 'status' AND detail->>'from' IN ('resolved', 'closed')
	   AND detail->>'to' IN ('new', 'open', 'pending')
	 GROUP BY ticket_id) e
 WHERE e.ticket_id = t.id;
CREATE INDEX tickets_customer ON plaint.tickets (customer_id);
CREATE INDEX events_queue_moves ON plaint.events (ticket_id) WHERE kind = 'queue';
CREATE INDEX outbox_ticket ON plaint.outbox (ticket_id);

---------------------------------------------------------------- breaches
CREATE TABLE plaint.breaches (
	ticket_id  bigint NOT NULL REFERENCES plaint.tickets,
	kind       text NOT NULL
	           CONSTRAINT breaches_kind_known CHECK (kind IN ('ack', 'first_response', 'resolution')),
	due_at     timestamptz NOT NULL,
	noticed_at timestamptz NOT NULL DEFAULT now(),
	outbox_id  bigint REFERENCES plaint.outbox,
	PRIMARY KEY (ticket_id, kind)
);

---------------------------------------------------------------- participants
CREATE TABLE plaint.ticket_participants (
	ticket_id  bigint NOT NULL REFERENCES plaint.tickets,
	address    text NOT NULL
	           CONSTRAINT ticket_participants_address_is_an_address
	           CHECK (address = lower(address) AND address ~ '^[^@[:space:]<>,;"]+@[^@[:space:]<>,;"]+$'),
	source     text NOT NULL
	           CONSTRAINT ticket_participants_source_known CHECK (source IN ('cc', 'agent')),
	added_by   text,
	added_at   timestamptz NOT NULL DEFAULT now(),
	removed_at timestamptz,
	removed_by text,
	PRIMARY KEY (ticket_id, address),
	CONSTRAINT ticket_participants_removal_names_its_agent
		CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);

---------------------------------------------------------------- outbox: escalations, Cc, attachments
ALTER TABLE plaint.outbox
	DROP CONSTRAINT outbox_kind_check,
	ADD CONSTRAINT outbox_kind_known CHECK (kind IN ('ack', 'reply', 'escalation')),
	ADD COLUMN cc text[] NOT NULL DEFAULT '{}';

CREATE TABLE plaint.uploads (
	id           bigserial PRIMARY KEY,
	sha256       text NOT NULL REFERENCES plaint.blobs,
	filename     text NOT NULL,
	content_type text NOT NULL,
	added_by     text NOT NULL DEFAULT session_user,
	added_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_sha256 ON plaint.uploads (sha256);
CREATE INDEX uploads_added_by ON plaint.uploads (added_by, sha256);

CREATE TABLE plaint.outbox_attachments (
	outbox_id    bigint NOT NULL REFERENCES plaint.outbox,
	position     integer NOT NULL CONSTRAINT outbox_attachments_position_positive CHECK (position > 0),
	sha256       text NOT NULL REFERENCES plaint.blobs,
	filename     text NOT NULL,
	content_type text NOT NULL,
	size         bigint NOT NULL,
	PRIMARY KEY (outbox_id, position)
);
CREATE INDEX outbox_attachments_sha256 ON plaint.outbox_attachments (sha256);

---------------------------------------------------------------- retention and erasure
ALTER TABLE plaint.raw_messages
	ADD COLUMN raw_removed_at timestamptz,
	ADD CONSTRAINT raw_messages_removed_is_empty
		CHECK (raw_removed_at IS NULL OR octet_length(raw) = 0);
ALTER TABLE plaint.blobs
	ADD COLUMN removed_at timestamptz,
	ADD CONSTRAINT blobs_removed_is_empty
		CHECK (removed_at IS NULL OR octet_length(content) = 0);
ALTER TABLE plaint.customers ADD COLUMN erased_at timestamptz;

---------------------------------------------------------------- row-level security
ALTER TABLE plaint.tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.outbox_attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.blobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.routing ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.ticket_participants ENABLE ROW LEVEL SECURITY;
ALTER TABLE plaint.breaches ENABLE ROW LEVEL SECURITY;

---------------------------------------------------------------- privileges
GRANT SELECT ON plaint.agents, plaint.queue_members, plaint.breaches,
      plaint.ticket_participants, plaint.outbox_attachments TO plaint_agent;
GRANT SELECT ON plaint.agents, plaint.queue_members, plaint.ticket_participants,
      plaint.outbox_attachments TO plaint_gateway;
-- plaint.check_overdue() runs as the gateway; a blob removed by
-- retention is filled again when the same content comes back.
GRANT SELECT, INSERT, UPDATE ON plaint.breaches TO plaint_gateway;
GRANT UPDATE (content, removed_at) ON plaint.blobs TO plaint_gateway;
GRANT ALL ON plaint.agents, plaint.queue_members, plaint.breaches,
      plaint.ticket_participants, plaint.uploads, plaint.outbox_attachments
      TO plaint_admin;
GRANT ALL ON SEQUENCE plaint.uploads_id_seq TO plaint_admin;

---------------------------------------------------------------- comments
COMMENT ON TABLE plaint.agents IS 'People who work tickets: a row here lets a name be assigned without being a database login, or stops an inactive one being assigned; agents edit their own display name and signature with plaint.set_my_profile()';
COMMENT ON COLUMN plaint.agents.login IS 'The agent''s name as plaint.assign() and tickets.assignee use it: their database login, or any name an admin keeps here';
COMMENT ON COLUMN plaint.agents.display_name IS 'How the agent''s name is shown to customers, e.g. Alice Martin';
COMMENT ON COLUMN plaint.agents.signature IS 'Text plaint.reply() puts under the agent''s replies, after a "-- " line; NULL: none';
COMMENT ON COLUMN plaint.agents.active IS 'false: the agent can no longer be assigned tickets (left, on leave)';
COMMENT ON COLUMN plaint.agents.created_at IS 'When the row was made';
COMMENT ON COLUMN plaint.agents.updated_at IS 'When the profile last changed';

COMMENT ON COLUMN plaint.queues.restricted IS 'true: only the queue''s members (plaint.queue_members), admins and the gateway see its tickets; false: every agent does';
COMMENT ON COLUMN plaint.queues.ack_within IS 'Acknowledgement deadline after arrival, in open hours; NULL: the gateway''s [ack] within';
COMMENT ON COLUMN plaint.queues.resolve_within IS 'Resolution deadline after the first message arrived, in open hours; NULL: none';
COMMENT ON COLUMN plaint.queues.hours_days IS 'Business hours: the ISO weekdays the queue is staffed (1 Monday ... 7 Sunday); NULL: always open, deadlines count every hour';
COMMENT ON COLUMN plaint.queues.hours_start IS 'Business hours: opening time of each staffed day, in hours_tz';
COMMENT ON COLUMN plaint.queues.hours_end IS 'Business hours: closing time of each staffed day, in hours_tz; after hours_start (24:00 for midnight)';
COMMENT ON COLUMN plaint.queues.hours_tz IS 'Business hours: the time zone of hours_start and hours_end, e.g. Europe/Berlin';
COMMENT ON COLUMN plaint.queues.escalate_to IS 'Address that gets one mail per missed deadline of the queue''s tickets (plaint.check_overdue()); NULL: none';

COMMENT ON TABLE plaint.queue_members IS 'Who sees a restricted queue: an agent login, or a role whose members all do';
COMMENT ON COLUMN plaint.queue_members.queue IS 'The queue';
COMMENT ON COLUMN plaint.queue_members.agent IS 'A login name, or the name of a role: its members are members of the queue';
COMMENT ON COLUMN plaint.queue_members.added_at IS 'When the membership was given';

COMMENT ON COLUMN plaint.messages.entered_by IS 'For an inbound message an agent typed in (plaint.open_ticket(), e.g. a phone call): who; it has no raw row';
COMMENT ON COLUMN plaint.tickets.reopens IS 'How many times the status went from resolved or closed back to new, open or pending (kept by a trigger)';

COMMENT ON TABLE plaint.breaches IS 'Every deadline a ticket missed, recorded once by plaint.check_overdue(), which notifies plaint_overdue and escalates';
COMMENT ON COLUMN plaint.breaches.ticket_id IS 'The ticket';
COMMENT ON COLUMN plaint.breaches.kind IS 'ack (acknowledgement not sent), first_response (no agent reply), resolution (not resolved)';
COMMENT ON COLUMN plaint.breaches.due_at IS 'The deadline that passed';
COMMENT ON COLUMN plaint.breaches.noticed_at IS 'When plaint.check_overdue() found it';
COMMENT ON COLUMN plaint.breaches.outbox_id IS 'The escalation mail queued for it, if the queue has escalate_to';

COMMENT ON TABLE plaint.ticket_participants IS 'Participants agents added to a ticket, and removals; the Cc addresses of its inbound mail count too unless removed (plaint.participants shows the result)';
COMMENT ON COLUMN plaint.ticket_participants.ticket_id IS 'The ticket';
COMMENT ON COLUMN plaint.ticket_participants.address IS 'The participant''s address, lower case';
COMMENT ON COLUMN plaint.ticket_participants.source IS 'cc: it came from the Cc of inbound mail (the row records its removal); agent: added with plaint.add_participant()';
COMMENT ON COLUMN plaint.ticket_participants.added_by IS 'The agent who added it; NULL for a Cc address';
COMMENT ON COLUMN plaint.ticket_participants.added_at IS 'When it was added (or, for a Cc address, when the row was made)';
COMMENT ON COLUMN plaint.ticket_participants.removed_at IS 'When an agent removed it: replies no longer copy it; NULL while it takes part';
COMMENT ON COLUMN plaint.ticket_participants.removed_by IS 'The agent who removed it';

COMMENT ON COLUMN plaint.outbox.cc IS 'The exact Cc list to send: the gateway sends to recipient and each of these (after dropping its own addresses)';
COMMENT ON TABLE plaint.uploads IS 'Files agents stored with plaint.add_blob() to attach to replies, under the name and type they gave';
COMMENT ON COLUMN plaint.uploads.id IS 'Row number';
COMMENT ON COLUMN plaint.uploads.sha256 IS 'The content, in plaint.blobs';
COMMENT ON COLUMN plaint.uploads.filename IS 'The file name to send it under';
COMMENT ON COLUMN plaint.uploads.content_type IS 'Its MIME type, e.g. application/pdf';
COMMENT ON COLUMN plaint.uploads.added_by IS 'The agent who uploaded it';
COMMENT ON COLUMN plaint.uploads.added_at IS 'When it was uploaded';
COMMENT ON TABLE plaint.outbox_attachments IS 'The attachments of an outgoing mail, in order: the gateway attaches each blob under its file name and type';
COMMENT ON COLUMN plaint.outbox_attachments.outbox_id IS 'The outgoing mail';
COMMENT ON COLUMN plaint.outbox_attachments.position IS 'Order in the mail, from 1';
COMMENT ON COLUMN plaint.outbox_attachments.sha256 IS 'The content, in plaint.blobs';
COMMENT ON COLUMN plaint.outbox_attachments.filename IS 'The file name to send it under';
COMMENT ON COLUMN plaint.outbox_attachments.content_type IS 'The MIME type to send it as';
COMMENT ON COLUMN plaint.outbox_attachments.size IS 'Its size in bytes';

COMMENT ON COLUMN plaint.raw_messages.raw_removed_at IS 'When the raw bytes were removed (retention, or erasure of a customer): raw is then empty; sha256 and size stay for de-duplication';
COMMENT ON COLUMN plaint.blobs.removed_at IS 'When the content was removed (retention or erasure): content is then empty, and is filled again if the same content arrives';
COMMENT ON COLUMN plaint.customers.erased_at IS 'When plaint.forget_customer() erased the customer''s personal data; email and name are then markers';

INSERT INTO plaint.schema_migrations (version) VALUES (9);
