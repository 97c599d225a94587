-- Counts per mailbox and day only, no ticket: the view runs with its
-- owner's rights (agents may not read raw_messages) and shows every
-- agent the whole intake.
CREATE VIEW plaint.intake_summary AS
SELECT r.mailbox, date_trunc('day', r.fetched_at) AS day,
       count(*) AS messages,
       count(*) FILTER (WHERE r.outcome = 'ticket') AS ticket,
       count(*) FILTER (WHERE r.outcome = 'bounce') AS bounce,
       count(*) FILTER (WHERE r.outcome = 'duplicate') AS duplicate,
       count(*) FILTER (WHERE r.outcome = 'dropped') AS dropped,
       count(*) FILTER (WHERE r.outcome = 'quarantined') AS quarantined,
       count(*) FILTER (WHERE r.state = 'new') AS waiting
  FROM plaint.raw_messages r
 GROUP BY r.mailbox, date_trunc('day', r.fetched_at)
 ORDER BY 2 DESC, 1;
COMMENT ON VIEW plaint.intake_summary IS 'The intake ledger per mailbox and day (of fetching): how many messages, and how many ended on a ticket, as a linked bounce, as a duplicate, dropped by a rule, quarantined, or are still waiting; the outcomes add up to messages';
COMMENT ON COLUMN plaint.intake_summary.mailbox IS 'The mailbox';
COMMENT ON COLUMN plaint.intake_summary.day IS 'The day plaint fetched the messages (midnight in the session''s time zone)';
COMMENT ON COLUMN plaint.intake_summary.messages IS 'How many messages it fetched that day; the outcome columns add up to this';
COMMENT ON COLUMN plaint.intake_summary.ticket IS 'Filed on a ticket (opened or threaded)';
COMMENT ON COLUMN plaint.intake_summary.bounce IS 'Bounces and reports linked to the ticket of the plaint mail they name';
COMMENT ON COLUMN plaint.intake_summary.duplicate IS 'Copies of a message filed before';
COMMENT ON COLUMN plaint.intake_summary.dropped IS 'Dropped by a rule (plaint.intake names it)';
COMMENT ON COLUMN plaint.intake_summary.quarantined IS 'Kept but not filed (plaint.quarantine gives the reasons)';
COMMENT ON COLUMN plaint.intake_summary.waiting IS 'Fetched, not processed yet';
GRANT SELECT ON plaint.intake_summary TO plaint_agent;
