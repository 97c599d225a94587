-- How customers say they were served, per queue and week: the
-- questions asked, the answers, the answer rate, the mean score and how
-- many gave each score.  A question counts in the week it was asked and
-- under the queue its ticket was in then (plaint.satisfaction.queue),
-- so a low score that moved the ticket stays with the team that served
-- it.
CREATE VIEW plaint.satisfaction_by_queue WITH (security_invoker = true) AS
SELECT s.queue, date_trunc('week', s.asked_at)::date AS week,
       count(*) AS asked,
       count(s.score) AS answered,
       round(count(s.score)::numeric / count(*), 3) AS answer_rate,
       round(avg(s.score), 2) AS mean_score,
       count(*) FILTER (WHERE s.score = 1) AS score_1,
       count(*) FILTER (WHERE s.score = 2) AS score_2,
       count(*) FILTER (WHERE s.score = 3) AS score_3,
       count(*) FILTER (WHERE s.score = 4) AS score_4,
       count(*) FILTER (WHERE s.score = 5) AS score_5
  FROM plaint.satisfaction s
 GROUP BY 1, 2
 ORDER BY 2, 1;
COMMENT ON VIEW plaint.satisfaction_by_queue IS 'Satisfaction per queue and week asked: questions asked, answered, answer rate, mean score and the count of each score 1 to 5. Example: SELECT week, asked, answer_rate, mean_score, score_1 + score_2 AS unhappy FROM plaint.satisfaction_by_queue WHERE queue = ''billing'' ORDER BY week DESC LIMIT 8;';
COMMENT ON COLUMN plaint.satisfaction_by_queue.queue IS 'The queue the tickets were in when their customers were asked';
COMMENT ON COLUMN plaint.satisfaction_by_queue.week IS 'The Monday of the week the questions were asked (in the session''s time zone)';
COMMENT ON COLUMN plaint.satisfaction_by_queue.asked IS 'Questions asked (one per resolved ticket at most)';
COMMENT ON COLUMN plaint.satisfaction_by_queue.answered IS 'Of them, answered with a score';
COMMENT ON COLUMN plaint.satisfaction_by_queue.answer_rate IS 'answered / asked, 0 to 1';
COMMENT ON COLUMN plaint.satisfaction_by_queue.mean_score IS 'The mean of the scores given, 1 to 5; NULL if none';
COMMENT ON COLUMN plaint.satisfaction_by_queue.score_1 IS 'Answers with score 1 (very poor)';
COMMENT ON COLUMN plaint.satisfaction_by_queue.score_2 IS 'Answers with score 2';
COMMENT ON COLUMN plaint.satisfaction_by_queue.score_3 IS 'Answers with score 3';
COMMENT ON COLUMN plaint.satisfaction_by_queue.score_4 IS 'Answers with score 4';
COMMENT ON COLUMN plaint.satisfaction_by_queue.score_5 IS 'Answers with score 5 (very good)';
GRANT SELECT ON plaint.satisfaction_by_queue TO plaint_agent;
