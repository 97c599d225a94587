CREATE FUNCTION plaint.tickets_reopens() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.status IN ('resolved', 'closed') AND NEW.status NOT IN ('resolved', 'closed') THEN
		NEW.reopens := OLD.reopens + 1;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION plaint.tickets_reopens IS 'Trigger: counts in tickets.reopens each time a resolved or closed ticket becomes new, open or pending again (by new mail or by an agent)';
CREATE TRIGGER tickets_reopens BEFORE UPDATE OF status ON plaint.tickets
	FOR EACH ROW EXECUTE FUNCTION plaint.tickets_reopens();
