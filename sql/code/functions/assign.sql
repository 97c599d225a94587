-- An agent is a name plaint.agents holds as active, or else a database
-- role that is a member of plaint_agent (admins are).  A name that is
-- neither is refused: a typo would hide the ticket from everyone's
-- plaint.my_tickets.  So is an agent who cannot see the ticket's queue.
CREATE FUNCTION plaint.assign(ticket text, agent text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, plaint, pg_temp AS $$
DECLARE
	t plaint.tickets;
	v_agent text := btrim(assign.agent);
	v_active boolean;
BEGIN
	t := plaint.ticket_for_update(assign.ticket);
	IF v_agent = '' THEN
		RAISE EXCEPTION 'no agent given for %', t.number
		      USING ERRCODE = '22023',
			    HINT = 'Name the agent''s database user; NULL unassigns.';
	END IF;
	IF v_agent IS NOT NULL THEN
		SELECT a.active INTO v_active FROM plaint.agents a WHERE a.login = v_agent;
		IF v_active IS NULL AND NOT EXISTS (
			SELECT FROM pg_roles r
			 WHERE r.rolname = v_agent
			   AND pg_has_role(r.oid, 'plaint_agent', 'MEMBER')) THEN
			RAISE EXCEPTION 'unknown agent "%"', v_agent
			      USING ERRCODE = 'P0002',
				    HINT = 'An agent is a login granted plaint_agent, or a name an admin keeps in plaint.agents.';
		END IF;
		IF v_active IS FALSE THEN
			RAISE EXCEPTION 'agent "%" is not active', v_agent
			      USING ERRCODE = '22023',
				    HINT = 'An admin sets plaint.agents.active.';
		END IF;
		IF NOT t.queue = ANY (plaint.visible_queues(v_agent)) THEN
			RAISE EXCEPTION 'agent "%" cannot see queue %', v_agent, t.queue
			      USING ERRCODE = '22023',
				    HINT = 'An admin adds members to a restricted queue in plaint.queue_members.';
		END IF;
	END IF;
	IF t.assignee IS NOT DISTINCT FROM v_agent THEN
		RETURN;
	END IF;
	UPDATE plaint.tickets x SET assignee = v_agent, updated_at = now()
	 WHERE x.id = t.id;
	INSERT INTO plaint.events (ticket_id, actor, kind, detail)
	VALUES (t.id, session_user, 'assigned',
		jsonb_build_object('assignee', v_agent, 'previous', t.assignee));
END
$$;
COMMENT ON FUNCTION plaint.assign IS 'Assigns a ticket to an agent (a login granted plaint_agent, or an active name in plaint.agents; they must see the queue), which plaint.my_tickets matches; NULL unassigns; no event if nothing changes. Example: SELECT plaint.assign(''CMP-1042'', current_user);';
GRANT EXECUTE ON FUNCTION plaint.assign TO plaint_agent;
