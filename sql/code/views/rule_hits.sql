CREATE VIEW plaint.rule_hits AS
SELECT m.rule, count(*) AS messages, max(r.routed_at) AS last_matched,
       count(*) FILTER (WHERE r.routed_at > now() - interval '1 day') AS last_day
  FROM plaint.routing r, unnest(r.matched) AS m(rule)
 GROUP BY m.rule;
COMMENT ON VIEW plaint.rule_hits IS 'Per rule: how many messages it matched, how many in the last day, and when last';
GRANT SELECT ON plaint.rule_hits TO plaint_agent;
