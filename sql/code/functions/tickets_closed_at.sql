CREATE FUNCTION plaint.tickets_closed_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status NOT IN ('resolved', 'closed') THEN
		NEW.closed_at := NULL;
	ELSIF TG_OP = 'INSERT' THEN
		NEW.closed_at := coalesce(NEW.closed_at, now());
	ELSIF OLD.status IS DISTINCT FROM NEW.status
	      AND NEW.closed_at IS NOT DISTINCT FROM OLD.closed_at THEN
		-- An UPDATE that sets closed_at itself (an admin correcting
		-- it) keeps that value.
		NEW.closed_at := now();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION plaint.tickets_closed_at IS 'Trigger: keeps tickets.closed_at, the time the status last became resolved or closed';
CREATE TRIGGER tickets_closed_at BEFORE INSERT OR UPDATE ON plaint.tickets
	FOR EACH ROW EXECUTE FUNCTION plaint.tickets_closed_at();
