-- Whether a rule routes well: how often it matched, how many tickets it
-- helped open (tickets.rules), and how many of those an agent later
-- moved to another queue with plaint.set_queue() (events of kind
-- queue): a high share says the rule sends tickets to the wrong place,
-- and moved_to says where they belonged.
CREATE VIEW plaint.rule_effectiveness WITH (security_invoker = true) AS
WITH hits AS (
	SELECT m.rule, count(*) AS hits
	  FROM plaint.routing r, unnest(r.matched) AS m(rule)
	 GROUP BY m.rule),
opened AS (
	SELECT g.rule, t.id,
	       mv.last_to IS NOT NULL AS moved, mv.last_to
	  FROM plaint.tickets t
	 CROSS JOIN LATERAL unnest(t.rules) AS g(rule)
	  LEFT JOIN LATERAL (SELECT e.detail->>'to' AS last_to FROM plaint.events e
			      WHERE e.ticket_id = t.id AND e.kind = 'queue'
			      ORDER BY e.id DESC LIMIT 1) mv ON true)
SELECT coalesce(h.rule, o.rule) AS rule, coalesce(h.hits, 0) AS hits,
       count(o.id) AS tickets,
       count(o.id) FILTER (WHERE o.moved) AS moved,
       round(count(o.id) FILTER (WHERE o.moved)::numeric / nullif(count(o.id), 0), 3)
	       AS moved_share,
       mode() WITHIN GROUP (ORDER BY o.last_to) FILTER (WHERE o.moved) AS moved_to
  FROM hits h
  FULL JOIN opened o ON o.rule = h.rule
 GROUP BY coalesce(h.rule, o.rule), coalesce(h.hits, 0)
 ORDER BY 5 DESC NULLS LAST, 1;
COMMENT ON VIEW plaint.rule_effectiveness IS 'Per rule: messages matched, tickets opened with it, and the share of those an agent moved to another queue afterwards (plaint.set_queue), with the queue they went to most. Example: SELECT rule, tickets, moved_share, moved_to FROM plaint.rule_effectiveness WHERE tickets >= 20 AND moved_share > 0.2;';
COMMENT ON COLUMN plaint.rule_effectiveness.rule IS 'The rule''s name';
COMMENT ON COLUMN plaint.rule_effectiveness.hits IS 'Messages it matched (plaint.routing)';
COMMENT ON COLUMN plaint.rule_effectiveness.tickets IS 'Tickets whose first message it matched (tickets.rules)';
COMMENT ON COLUMN plaint.rule_effectiveness.moved IS 'Of those, tickets an agent moved to another queue';
COMMENT ON COLUMN plaint.rule_effectiveness.moved_share IS 'moved / tickets; NULL when it opened none';
COMMENT ON COLUMN plaint.rule_effectiveness.moved_to IS 'The queue its moved tickets ended in most often';
GRANT SELECT ON plaint.rule_effectiveness TO plaint_agent;
