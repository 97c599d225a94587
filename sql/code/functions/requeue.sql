-- Puts a quarantined message back to be filed again, once: the gateway
-- files it at its next round (NOTIFY plaint_intake wakes a running
-- `plaint run`); if it fails again, it is quarantined again with the new
-- reason.  The old reason is kept in previous_reason.
CREATE FUNCTION plaint.requeue(raw_id bigint) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, plaint, pg_temp AS $$
BEGIN
	UPDATE plaint.raw_messages r
	   SET state = 'new', outcome = NULL, previous_reason = r.reason,
	       reason = NULL, processed_at = NULL, requeues = r.requeues + 1,
	       requeued_at = now()
	 WHERE r.id = requeue.raw_id AND r.state = 'quarantined';
	IF NOT FOUND THEN
		IF NOT EXISTS (SELECT FROM plaint.raw_messages r WHERE r.id = requeue.raw_id) THEN
			RAISE EXCEPTION 'no raw message %', requeue.raw_id
			      USING ERRCODE = 'P0002',
				    HINT = 'plaint.quarantine lists the quarantined messages by raw_id.';
		END IF;
		RETURN false;
	END IF;
	PERFORM pg_notify('plaint_intake', requeue.raw_id::text);
	RETURN true;
END
$$;
COMMENT ON FUNCTION plaint.requeue IS 'Admins: puts a quarantined message back to be filed again by the gateway (once: a new failure quarantines it again); false if it was not quarantined. Example: SELECT plaint.requeue(raw_id) FROM plaint.quarantine WHERE reason LIKE ''%no header%'';';
