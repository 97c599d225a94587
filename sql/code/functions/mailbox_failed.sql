-- The gateway records here each poll of a mailbox that failed, so that
-- `plaint status` shows the last error from the database alone.  A
-- mailbox that never polled gets its row now, with no cursor yet.
CREATE FUNCTION plaint.mailbox_failed(mailbox text, error text) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, plaint, pg_temp AS $$
	INSERT INTO plaint.mailboxes AS m (name, last_error, last_error_at)
	VALUES (mailbox_failed.mailbox, mailbox_failed.error, now())
	ON CONFLICT (name) DO UPDATE
	   SET last_error = excluded.last_error, last_error_at = excluded.last_error_at;
$$;
COMMENT ON FUNCTION plaint.mailbox_failed IS 'Records that a poll of the mailbox failed, and why (plaint.mailbox_status shows it). The gateway calls it. Example: SELECT plaint.mailbox_failed(''support'', ''imap imap.example.com:993: login as support refused'');';
GRANT EXECUTE ON FUNCTION plaint.mailbox_failed TO plaint_gateway;
