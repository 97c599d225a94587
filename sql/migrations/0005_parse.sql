-- 0005_parse.sql: what parsing found: limits reached, defects, and the
-- attachments, stored once per content (by sha256).

ALTER TABLE plaint.messages
	ADD COLUMN limits_hit text[] NOT NULL DEFAULT '{}',
	ADD COLUMN defects text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN plaint.messages.limits_hit IS 'Limits the message reached (size, header block, nesting, parts, text): what was not read; the raw bytes are whole in raw_messages';
COMMENT ON COLUMN plaint.messages.defects IS 'What the MIME parser found wrong in the message';

CREATE TABLE plaint.blobs (
	sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	size       bigint NOT NULL,
	content    bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE plaint.blobs IS 'Attachment contents, decoded, stored once however many messages carry them';

CREATE TABLE plaint.attachments (
	id           bigserial PRIMARY KEY,
	message_row  bigint NOT NULL REFERENCES plaint.messages,
	part         text NOT NULL,
	filename     text,
	content_type text NOT NULL,
	disposition  text,
	content_id   text,
	size         bigint NOT NULL,
	sha256       text NOT NULL REFERENCES plaint.blobs,
	UNIQUE (message_row, part)
);
CREATE INDEX attachments_sha256 ON plaint.attachments (sha256);
COMMENT ON TABLE plaint.attachments IS 'The attachments of each message: name, type and a reference to their content';
COMMENT ON COLUMN plaint.attachments.part IS 'Where the part sits in the MIME tree, e.g. 1.2 (as plaint parse shows it)';
COMMENT ON COLUMN plaint.attachments.content_id IS 'Content-ID, for images an HTML body shows inline';

-- The blobs of these hashes that are stored already.
CREATE FUNCTION plaint.known_blobs(p_sha256 text[])
RETURNS SETOF text
LANGUAGE sql STABLE AS $$
	SELECT b.sha256 FROM plaint.blobs b WHERE b.sha256 = ANY(p_sha256)
$$;
COMMENT ON FUNCTION plaint.known_blobs IS 'Which of these attachment hashes are stored already';

-- One attachment of a filed message; p_content NULL when its blob is
-- known.
CREATE FUNCTION plaint.add_attachment(
	p_message_row bigint, p_part text, p_filename text, p_content_type text,
	p_disposition text, p_content_id text, p_size bigint, p_sha256 text,
	p_content bytea)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_content IS NOT NULL THEN
		INSERT INTO plaint.blobs (sha256, size, content)
		VALUES (p_sha256, p_size, p_content)
		ON CONFLICT DO NOTHING;
	END IF;
	INSERT INTO plaint.attachments (message_row, part, filename, content_type,
					disposition, content_id, size, sha256)
	VALUES (p_message_row, p_part, p_filename, p_content_type, p_disposition,
		p_content_id, p_size, p_sha256)
	ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION plaint.add_attachment IS 'Gateway only: records an attachment of a filed message, storing its content once';

-- Records limits and defects; a limit reached is noted on the ticket so
-- that an agent knows part of the message is only in the raw bytes.
CREATE FUNCTION plaint.record_parse(p_message_row bigint, p_limits text[],
				    p_defects text[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_ticket bigint;
BEGIN
	UPDATE plaint.messages
	   SET limits_hit = p_limits, defects = p_defects
	 WHERE id = p_message_row
	RETURNING ticket_id INTO v_ticket;
	IF cardinality(p_limits) > 0 AND v_ticket IS NOT NULL THEN
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (v_ticket, 'gateway', 'limits',
			jsonb_build_object('message', p_message_row,
					   'limits', to_jsonb(p_limits)));
	END IF;
END
$$;
COMMENT ON FUNCTION plaint.record_parse IS 'Gateway only: records the limits a message reached and its defects';

CREATE VIEW plaint.message_attachments AS
SELECT t.number AS ticket, m.id AS message_row, a.part, a.filename,
       a.content_type, a.size, a.sha256, a.content_id
  FROM plaint.attachments a
  JOIN plaint.messages m ON m.id = a.message_row
  LEFT JOIN plaint.tickets t ON t.id = m.ticket_id;
COMMENT ON VIEW plaint.message_attachments IS 'Attachments by ticket and message; the content is in plaint.blobs by sha256';

DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_gateway') THEN
		GRANT SELECT, INSERT ON plaint.blobs, plaint.attachments TO plaint_gateway;
		GRANT USAGE ON SEQUENCE plaint.attachments_id_seq TO plaint_gateway;
		GRANT EXECUTE ON FUNCTION plaint.known_blobs, plaint.add_attachment,
		      plaint.record_parse TO plaint_gateway;
	END IF;
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_agent') THEN
		GRANT SELECT ON plaint.attachments, plaint.blobs,
		      plaint.message_attachments TO plaint_agent;
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION plaint.add_attachment, plaint.record_parse FROM PUBLIC;

INSERT INTO plaint.schema_migrations (version) VALUES (5);
