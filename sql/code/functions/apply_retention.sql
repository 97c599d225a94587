-- Removes what is only kept in case: the raw bytes of mail on tickets
-- resolved or closed more than raw_days ago, and the contents of blobs
-- nothing else still needs.  The message text, the attachments' names,
-- sizes and hashes, and every row stay; raw_messages.sha256 and size stay
-- for de-duplication.  The raw bytes become empty, with raw_removed_at;
-- a blob's content too, with removed_at (filled again if the same content
-- arrives later).
--
-- A ticket counts as expired when it, and the ticket it was merged into
-- if any, are resolved or closed since before now() - raw_days.  Its
-- mail is the messages filed on it and their duplicates.  A blob is
-- removed when no attachment of mail on a ticket that has not expired,
-- no outgoing attachment of one, and no upload of the last raw_days
-- uses it.
--
-- At most `batch` raw rows and `batch` blobs per call, so that each call
-- is a bounded unit of work: the daemon calls again while either count
-- equals batch.  It runs as its owner (the gateway may not change raw
-- bytes otherwise).
CREATE FUNCTION plaint.apply_retention(raw_days integer, batch integer DEFAULT 1000,
				       OUT raw_removed integer, OUT blobs_removed integer,
				       OUT bytes_freed bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	v_cutoff timestamptz;
	v_bytes bigint;
BEGIN
	IF apply_retention.raw_days IS NULL OR apply_retention.raw_days < 1 THEN
		RAISE EXCEPTION 'raw_days must be 1 or more, not %', coalesce(apply_retention.raw_days::text, 'NULL')
		      USING ERRCODE = '22023',
			    HINT = 'Do not call plaint.apply_retention() when retention is off.';
	END IF;
	IF apply_retention.batch IS NULL OR apply_retention.batch < 1 THEN
		RAISE EXCEPTION 'batch must be 1 or more' USING ERRCODE = '22023';
	END IF;
	v_cutoff := now() - make_interval(days => apply_retention.raw_days);

	WITH expired AS MATERIALIZED (
		SELECT t.id FROM plaint.tickets t
		  LEFT JOIN plaint.tickets i ON i.id = t.merged_into
		 WHERE t.status IN ('resolved', 'closed') AND t.closed_at < v_cutoff
		   AND (i.id IS NULL OR (i.status IN ('resolved', 'closed') AND i.closed_at < v_cutoff))),
	doomed AS (
		SELECT r.id, r.size FROM plaint.raw_messages r
		 WHERE r.raw_removed_at IS NULL
		   AND r.id IN (SELECT m.raw_id FROM plaint.messages m
				  JOIN expired e ON e.id = m.ticket_id
				UNION ALL
				SELECT d.id FROM plaint.raw_messages d
				  JOIN plaint.messages m ON m.id = d.duplicate_of
				  JOIN expired e ON e.id = m.ticket_id)
		 ORDER BY r.id LIMIT apply_retention.batch
		   FOR UPDATE OF r SKIP LOCKED),
	gone AS (
		UPDATE plaint.raw_messages r SET raw = '', raw_removed_at = now()
		  FROM doomed d WHERE r.id = d.id
		RETURNING d.size)
	SELECT count(*), coalesce(sum(gone.size), 0) INTO raw_removed, bytes_freed FROM gone;

	WITH expired AS MATERIALIZED (
		SELECT t.id FROM plaint.tickets t
		  LEFT JOIN plaint.tickets i ON i.id = t.merged_into
		 WHERE t.status IN ('resolved', 'closed') AND t.closed_at < v_cutoff
		   AND (i.id IS NULL OR (i.status IN ('resolved', 'closed') AND i.closed_at < v_cutoff))),
	doomed AS (
		SELECT b.sha256, b.size FROM plaint.blobs b
		 WHERE b.removed_at IS NULL
		   -- no mail of a ticket that has not expired uses it
		   AND NOT EXISTS (SELECT FROM plaint.attachments a
				    JOIN plaint.messages m ON m.id = a.message_row
				   WHERE a.sha256 = b.sha256
				     AND (m.ticket_id IS NULL
					  OR m.ticket_id NOT IN (SELECT e.id FROM expired e)))
		   AND NOT EXISTS (SELECT FROM plaint.outbox_attachments oa
				    JOIN plaint.outbox o ON o.id = oa.outbox_id
				   WHERE oa.sha256 = b.sha256
				     AND o.ticket_id NOT IN (SELECT e.id FROM expired e))
		   AND NOT EXISTS (SELECT FROM plaint.uploads u
				   WHERE u.sha256 = b.sha256 AND u.added_at >= v_cutoff)
		   -- one that no mail uses at all is kept raw_days, like an upload
		   AND (b.created_at < v_cutoff
			OR EXISTS (SELECT FROM plaint.attachments a WHERE a.sha256 = b.sha256)
			OR EXISTS (SELECT FROM plaint.outbox_attachments oa WHERE oa.sha256 = b.sha256))
		 ORDER BY b.sha256 LIMIT apply_retention.batch
		   FOR UPDATE OF b SKIP LOCKED),
	gone AS (
		UPDATE plaint.blobs b SET content = '', removed_at = now()
		  FROM doomed d WHERE b.sha256 = d.sha256
		RETURNING d.size)
	SELECT count(*), coalesce(sum(gone.size), 0) INTO blobs_removed, v_bytes FROM gone;
	bytes_freed := bytes_freed + v_bytes;
END
$$;
COMMENT ON FUNCTION plaint.apply_retention IS 'Daemon, e.g. hourly: empties the raw bytes of mail on tickets resolved or closed more than raw_days ago, and blobs nothing live uses, at most batch of each per call (call again while a count equals batch); message text, hashes and sizes stay. Example: SELECT * FROM plaint.apply_retention(180);';
GRANT EXECUTE ON FUNCTION plaint.apply_retention TO plaint_gateway;
