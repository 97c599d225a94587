CREATE VIEW plaint.quarantine AS
SELECT r.id AS raw_id, r.mailbox, r.uid, r.fetched_at, r.size, r.reason
  FROM plaint.raw_messages r WHERE r.state = 'quarantined';
COMMENT ON VIEW plaint.quarantine IS 'Mail kept but not filed, with the reason; the raw bytes are in raw_messages';
GRANT SELECT ON plaint.quarantine TO plaint_gateway, plaint_agent;
