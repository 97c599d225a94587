-- The queues an agent may see, for the row-level security policies (as
-- visible_queues(current_user)) and for the agent functions.  Every
-- queue that is not restricted; a restricted one when the agent is
-- named in plaint.queue_members, or is a member of a role named there;
-- all of them for superusers, roles that bypass row-level security, and
-- members of plaint_admin or plaint_gateway.  agent need not be a
-- database role: a name kept in plaint.agents is matched by name.
CREATE FUNCTION plaint.visible_queues(agent text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, plaint, pg_temp AS $$
	WITH me AS (
		SELECT r.oid,
		       r.rolsuper OR r.rolbypassrls
		       OR pg_has_role(r.oid, 'plaint_admin', 'MEMBER')
		       OR pg_has_role(r.oid, 'plaint_gateway', 'MEMBER') AS everything
		  FROM pg_roles r WHERE r.rolname = visible_queues.agent)
	SELECT coalesce(array_agg(q.name ORDER BY q.name), '{}')
	  FROM plaint.queues q
	 WHERE NOT q.restricted
	    OR coalesce((SELECT me.everything FROM me), false)
	    OR EXISTS (SELECT FROM plaint.queue_members m
			WHERE m.queue = q.name
			  AND (m.agent = visible_queues.agent
			       OR EXISTS (SELECT FROM pg_roles g, me
					   WHERE g.rolname = m.agent
					     AND pg_has_role(me.oid, g.oid, 'MEMBER'))))
$$;
COMMENT ON FUNCTION plaint.visible_queues IS 'The queues whose tickets an agent sees: every queue not restricted, the restricted ones the agent (or a role of theirs) is a member of; all for admins and the gateway. Example: SELECT plaint.visible_queues(current_user);';
GRANT EXECUTE ON FUNCTION plaint.visible_queues TO plaint_agent, plaint_gateway;
