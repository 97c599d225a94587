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
GRANT EXECUTE ON FUNCTION plaint.record_routing TO plaint_gateway;
