-- One row per mailbox the gateway has polled or tried to poll, and per
-- mailbox with mail in quarantine (an MTA's `plaint ingest` too).  It
-- counts raw_messages, which agents may not read: it is the gateway's
-- and the admins'.
CREATE VIEW plaint.mailbox_status WITH (security_invoker = true) AS
SELECT coalesce(m.name, q.mailbox) AS mailbox,
       nullif(m.uidvalidity, 0) AS uidvalidity,
       CASE WHEN m.uidvalidity <> 0 THEN m.last_uid END AS last_uid,
       m.polled_at, m.last_error, m.last_error_at,
       coalesce(q.quarantined, 0) AS quarantined
  FROM plaint.mailboxes m
  FULL JOIN (SELECT r.mailbox, count(*) AS quarantined
	       FROM plaint.raw_messages r WHERE r.state = 'quarantined'
	      GROUP BY r.mailbox) q ON q.mailbox = m.name
 ORDER BY 1;
COMMENT ON VIEW plaint.mailbox_status IS 'Each mailbox as the gateway left it: its UID cursor, its last poll that worked, its last poll that failed and why, and how many of its messages wait in quarantine (plaint status prints it)';
COMMENT ON COLUMN plaint.mailbox_status.mailbox IS 'The mailbox''s name in the configuration ([mailbox NAME]), or ingest';
COMMENT ON COLUMN plaint.mailbox_status.uidvalidity IS 'The folder''s UIDVALIDITY at the last poll that worked; NULL before the first';
COMMENT ON COLUMN plaint.mailbox_status.last_uid IS 'The cursor: the highest UID stored under that UIDVALIDITY; NULL before the first poll';
COMMENT ON COLUMN plaint.mailbox_status.polled_at IS 'When a poll last worked';
COMMENT ON COLUMN plaint.mailbox_status.last_error IS 'Why the last poll that failed failed; NULL if none has';
COMMENT ON COLUMN plaint.mailbox_status.last_error_at IS 'When it failed; before polled_at means the mailbox works again';
COMMENT ON COLUMN plaint.mailbox_status.quarantined IS 'Its messages kept but not filed (plaint.quarantine lists them)';
GRANT SELECT ON plaint.mailbox_status TO plaint_gateway;
