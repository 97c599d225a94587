CREATE VIEW plaint.rule_limit_hits WITH (security_invoker = true) AS
SELECT l.rule, count(*) AS messages, max(r.routed_at) AS last_hit
  FROM plaint.routing r, unnest(r.limit_hits) AS l(rule)
 GROUP BY l.rule;
COMMENT ON VIEW plaint.rule_limit_hits IS 'Per rule: messages on which a pattern hit its match or depth limit';
COMMENT ON COLUMN plaint.rule_limit_hits.rule IS 'The rule''s name, as the rule files give it';
COMMENT ON COLUMN plaint.rule_limit_hits.messages IS 'Messages on which one of its patterns hit the match or depth limit (taken as no match)';
COMMENT ON COLUMN plaint.rule_limit_hits.last_hit IS 'When that last happened';
GRANT SELECT ON plaint.rule_limit_hits TO plaint_agent;
