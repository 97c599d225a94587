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
-- Fired only where closed_at may have to change (the function keeps
-- it NULL on a ticket neither resolved nor closed, so another ticket
-- needs nothing): a new ticket resolved or closed, or that names its
-- closed_at; a change of the status or of closed_at.  Most tickets are
-- opened by the gateway, new, and fire nothing.
CREATE TRIGGER tickets_closed_at BEFORE INSERT ON plaint.tickets
	FOR EACH ROW WHEN (NEW.status IN ('resolved', 'closed') OR NEW.closed_at IS NOT NULL)
	EXECUTE FUNCTION plaint.tickets_closed_at();
CREATE TRIGGER tickets_closed_at_changed BEFORE UPDATE ON plaint.tickets
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
			   OR OLD.closed_at IS DISTINCT FROM NEW.closed_at)
	EXECUTE FUNCTION plaint.tickets_closed_at();
