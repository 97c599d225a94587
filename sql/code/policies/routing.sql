-- An agent sees how the rules routed the messages they routed to the
-- queues the agent sees.
CREATE POLICY agents_see_their_queues ON plaint.routing FOR SELECT TO plaint_agent
	USING (queue IN (SELECT unnest(plaint.visible_queues(current_user))));
CREATE POLICY gateway_and_admins_all ON plaint.routing TO plaint_gateway, plaint_admin
	USING (true) WITH CHECK (true);
