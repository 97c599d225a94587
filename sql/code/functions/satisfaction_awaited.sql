-- Whether mail from address p_from to ticket p_ticket may answer its
-- satisfaction question: the question went out (the SMTP server took
-- it), to that very address, and has no answer yet.
CREATE FUNCTION plaint.satisfaction_awaited(p_ticket bigint, p_from text)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, plaint, pg_temp AS $$
	SELECT EXISTS (SELECT FROM plaint.satisfaction s
			 JOIN plaint.outbox o ON o.id = s.outbox_id
			WHERE s.ticket_id = p_ticket AND s.answered_at IS NULL
			  AND o.sent_at IS NOT NULL
			  AND o.recipient = lower(btrim(p_from)))
$$;
COMMENT ON FUNCTION plaint.satisfaction_awaited IS 'Gateway: whether mail from an address to a ticket may answer its satisfaction question (sent to that address, not answered yet). Example: SELECT plaint.satisfaction_awaited(42, ''ann@example.com'');';
GRANT EXECUTE ON FUNCTION plaint.satisfaction_awaited TO plaint_gateway;
