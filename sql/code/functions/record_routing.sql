-- Records how the rules routed one message (plaint.routing): the rules
-- that matched, the verdict, the rule set's version.  A message filed
-- again (after plaint.requeue) is routed anew.  PL/pgSQL, not SQL: its
-- plan is kept between calls, where an SQL function called from
-- PL/pgSQL is planned anew each time.
CREATE FUNCTION plaint.record_routing(m plaint.inbound) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO plaint.routing (raw_id, rules_version, matched, queue,
				    priority, tags, assignee, template, no_ack,
				    dropped, limit_hits)
	VALUES (m.raw_id, coalesce(m.rules_version, ''), coalesce(m.rules, '{}'),
		m.queue, m.priority, coalesce(m.tags, '{}'), m.assignee, m.template,
		coalesce(m.no_ack, false), coalesce(m.drop, false),
		coalesce(m.limit_hits, '{}'))
	ON CONFLICT (raw_id) DO UPDATE
	   SET routed_at = now(), rules_version = EXCLUDED.rules_version,
	       matched = EXCLUDED.matched, queue = EXCLUDED.queue,
	       priority = EXCLUDED.priority, tags = EXCLUDED.tags,
	       assignee = EXCLUDED.assignee, template = EXCLUDED.template,
	       no_ack = EXCLUDED.no_ack, dropped = EXCLUDED.dropped,
	       limit_hits = EXCLUDED.limit_hits;
END
$$;
COMMENT ON FUNCTION plaint.record_routing IS 'Internal to plaint.file_message: records how the rules routed one message';
GRANT EXECUTE ON FUNCTION plaint.record_routing TO plaint_gateway;
