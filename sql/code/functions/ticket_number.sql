CREATE FUNCTION plaint.ticket_number(p_id bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, plaint, pg_temp AS $$
	SELECT t.number FROM plaint.tickets t WHERE t.id = p_id
$$;
COMMENT ON FUNCTION plaint.ticket_number IS 'Internal: the number of the ticket with that id';
