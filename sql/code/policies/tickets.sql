-- Who sees which tickets.  An agent sees the tickets of the queues
-- plaint.visible_queues() gives them: every queue not restricted, and the
-- restricted ones they are members of.  The gateway files and sends, and
-- admins administer: they see and write every row their privileges let
-- them.  The other tables that show ticket content follow the tickets:
-- their policies read plaint.tickets, to which this policy applies in
-- turn.  The agent functions run as their owner, whom no policy
-- restricts: they check the caller's queues themselves
-- (plaint.ticket_for_update).
CREATE POLICY agents_see_their_queues ON plaint.tickets FOR SELECT TO plaint_agent
	USING (queue IN (SELECT unnest(plaint.visible_queues(current_user))));
CREATE POLICY gateway_and_admins_all ON plaint.tickets TO plaint_gateway, plaint_admin
	USING (true) WITH CHECK (true);
