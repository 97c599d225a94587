-- Complaints per week, queue and tag, for reports and BI tools.  A
-- ticket counts once under each of its tags (once with tag NULL if it
-- has none) in the week it was opened and the queue it is in now; a
-- ticket merged into another is the same complaint and does not count.
-- Every (queue, tag) has a row for every week from its first to the
-- current one, 0 included, so that change shows a fall to nothing too.
CREATE VIEW plaint.complaints_by_week WITH (security_invoker = true) AS
WITH counted AS (
	SELECT date_trunc('week', t.created_at)::date AS week, t.queue, g.tag,
	       count(*) AS complaints
	  FROM plaint.tickets t
	 CROSS JOIN LATERAL unnest(CASE WHEN cardinality(t.tags) = 0 THEN ARRAY[NULL::text]
					ELSE t.tags END) AS g(tag)
	 WHERE t.merged_into IS NULL
	 GROUP BY 1, 2, 3),
grid AS (
	SELECT s.queue, s.tag, w::date AS week
	  FROM (SELECT c.queue, c.tag, min(c.week) AS first FROM counted c
		 GROUP BY c.queue, c.tag) s
	 CROSS JOIN LATERAL generate_series(s.first, date_trunc('week', now())::date,
					    interval '1 week') AS w)
SELECT g.week, g.queue, g.tag, coalesce(c.complaints, 0) AS complaints,
       coalesce(lag(coalesce(c.complaints, 0)) OVER w, 0) AS previous,
       coalesce(c.complaints, 0) - coalesce(lag(coalesce(c.complaints, 0)) OVER w, 0)
	       AS change
  FROM grid g
  LEFT JOIN counted c ON c.queue = g.queue AND c.tag IS NOT DISTINCT FROM g.tag
			 AND c.week = g.week
WINDOW w AS (PARTITION BY g.queue, g.tag ORDER BY g.week)
 ORDER BY g.week, g.queue, g.tag NULLS FIRST;
COMMENT ON VIEW plaint.complaints_by_week IS 'Complaints (tickets, merged ones left out) per week opened, queue and tag, with the change on the week before; every week from a (queue, tag)''s first to now has a row. Example: SELECT week, tag, complaints, change FROM plaint.complaints_by_week WHERE queue = ''billing'' AND week >= current_date - 56 ORDER BY week, tag;';
COMMENT ON COLUMN plaint.complaints_by_week.week IS 'The Monday the week starts on (in the session''s time zone)';
COMMENT ON COLUMN plaint.complaints_by_week.queue IS 'The queue the tickets are in now';
COMMENT ON COLUMN plaint.complaints_by_week.tag IS 'A tag of the tickets; NULL for tickets without tags (a ticket with two tags counts under each)';
COMMENT ON COLUMN plaint.complaints_by_week.complaints IS 'Tickets opened that week in that queue with that tag';
COMMENT ON COLUMN plaint.complaints_by_week.previous IS 'The same count for the week before (0 before the first)';
COMMENT ON COLUMN plaint.complaints_by_week.change IS 'complaints minus previous';
GRANT SELECT ON plaint.complaints_by_week TO plaint_agent;
