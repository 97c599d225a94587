CREATE VIEW plaint.rule_hits WITH (security_invoker = true) AS
SELECT m.rule, count(*) AS messages, max(r.routed_at) AS last_matched,
       count(*) FILTER (WHERE r.routed_at > now() - interval '1 day') AS last_day
  FROM plaint.routing r, unnest(r.matched) AS m(rule)
 GROUP BY m.rule;
COMMENT ON VIEW plaint.rule_hits IS 'Per rule: how many messages it matched, how many in the last day, and when last';
COMMENT ON COLUMN plaint.rule_hits.rule IS 'The rule''s name, as the rule files give it';
COMMENT ON COLUMN plaint.rule_hits.messages IS 'How many messages it matched';
COMMENT ON COLUMN plaint.rule_hits.last_matched IS 'When it last matched';
COMMENT ON COLUMN plaint.rule_hits.last_day IS 'How many it matched in the last 24 hours';
GRANT SELECT ON plaint.rule_hits TO plaint_agent;
