-- 0003_routing.sql: which rule set routed each message, and how.
--
-- One row per raw message the gateway classified, written in the same
-- transaction that files it: the rules that matched, the verdict, and
-- the version (a hash) of the rule set.  `plaint rules test --stored`
-- compares these rows with what changed rules would do.

CREATE TABLE plaint.routing (
	raw_id        bigint PRIMARY KEY REFERENCES plaint.raw_messages,
	routed_at     timestamptz NOT NULL DEFAULT now(),
	rules_version text NOT NULL,
	matched       text[] NOT NULL DEFAULT '{}',
	queue         text NOT NULL,
	priority      text,
	tags          text[] NOT NULL DEFAULT '{}',
	assignee      text,
	template      text,
	no_ack        boolean NOT NULL DEFAULT false,
	dropped       boolean NOT NULL DEFAULT false,
	limit_hits    text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX routing_routed_at ON plaint.routing (routed_at);
COMMENT ON TABLE plaint.routing IS 'How the rules routed each message: matched rules, verdict and rule-set version';
COMMENT ON COLUMN plaint.routing.rules_version IS 'Hash of the rule files in use (plaint rules check prints it)';
COMMENT ON COLUMN plaint.routing.matched IS 'Names of the rules that matched, in the order they applied';
COMMENT ON COLUMN plaint.routing.queue IS 'The queue chosen: by a rule, else the mailbox''s queue';
COMMENT ON COLUMN plaint.routing.priority IS 'Priority set by a rule, NULL if none did';
COMMENT ON COLUMN plaint.routing.template IS 'Acknowledgement template chosen by a rule, NULL for the default';
COMMENT ON COLUMN plaint.routing.no_ack IS 'A rule said no-ack';
COMMENT ON COLUMN plaint.routing.dropped IS 'A rule said drop: stored, no ticket, nothing sent';
COMMENT ON COLUMN plaint.routing.limit_hits IS 'Rules whose pattern hit its match or depth limit (taken as no match)';

-- Records the verdict of one message; assigns a ticket the message
-- opened when a rule chose an agent.
CREATE FUNCTION plaint.record_routing(
	p_raw_id bigint, p_rules_version text, p_matched text[], p_queue text,
	p_priority text, p_tags text[], p_assignee text, p_template text,
	p_no_ack boolean, p_dropped boolean, p_limit_hits text[],
	p_opened_ticket bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO plaint.routing (raw_id, rules_version, matched, queue,
				    priority, tags, assignee, template, no_ack,
				    dropped, limit_hits)
	VALUES (p_raw_id, p_rules_version, p_matched, p_queue, p_priority,
		p_tags, p_assignee, p_template, p_no_ack, p_dropped,
		p_limit_hits)
	ON CONFLICT (raw_id) DO UPDATE
	   SET routed_at = now(), rules_version = EXCLUDED.rules_version,
	       matched = EXCLUDED.matched, queue = EXCLUDED.queue,
	       priority = EXCLUDED.priority, tags = EXCLUDED.tags,
	       assignee = EXCLUDED.assignee, template = EXCLUDED.template,
	       no_ack = EXCLUDED.no_ack, dropped = EXCLUDED.dropped,
	       limit_hits = EXCLUDED.limit_hits;
	IF p_opened_ticket IS NOT NULL AND p_assignee IS NOT NULL THEN
		UPDATE plaint.tickets SET assignee = p_assignee
		 WHERE id = p_opened_ticket AND assignee IS NULL;
		INSERT INTO plaint.events (ticket_id, actor, kind, detail)
		VALUES (p_opened_ticket, 'gateway', 'assigned',
			jsonb_build_object('assignee', p_assignee,
					   'by', 'rules'));
	END IF;
END
$$;
COMMENT ON FUNCTION plaint.record_routing IS 'Gateway only: records how the rules routed one message';

CREATE VIEW plaint.rule_hits AS
SELECT m.rule, count(*) AS messages, max(r.routed_at) AS last_matched,
       count(*) FILTER (WHERE r.routed_at > now() - interval '1 day') AS last_day
  FROM plaint.routing r, unnest(r.matched) AS m(rule)
 GROUP BY m.rule;
COMMENT ON VIEW plaint.rule_hits IS 'Per rule: how many messages it matched, how many in the last day, and when last';

CREATE VIEW plaint.rule_limit_hits AS
SELECT l.rule, count(*) AS messages, max(r.routed_at) AS last_hit
  FROM plaint.routing r, unnest(r.limit_hits) AS l(rule)
 GROUP BY l.rule;
COMMENT ON VIEW plaint.rule_limit_hits IS 'Per rule: messages on which a pattern hit its match or depth limit';

DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_gateway') THEN
		GRANT SELECT, INSERT, UPDATE ON plaint.routing TO plaint_gateway;
		GRANT EXECUTE ON FUNCTION plaint.record_routing TO plaint_gateway;
	END IF;
	IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'plaint_agent') THEN
		GRANT SELECT ON plaint.routing, plaint.rule_hits,
		      plaint.rule_limit_hits TO plaint_agent;
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION plaint.record_routing FROM PUBLIC;

INSERT INTO plaint.schema_migrations (version) VALUES (3);
