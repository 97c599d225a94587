CREATE VIEW plaint.rule_limit_hits AS
SELECT l.rule, count(*) AS messages, max(r.routed_at) AS last_hit
  FROM plaint.routing r, unnest(r.limit_hits) AS l(rule)
 GROUP BY l.rule;
COMMENT ON VIEW plaint.rule_limit_hits IS 'Per rule: messages on which a pattern hit its match or depth limit';
GRANT SELECT ON plaint.rule_limit_hits TO plaint_agent;
