-- An agent sees the rows of the tickets they see (plaint.tickets' policy).
CREATE POLICY agents_see_their_tickets ON plaint.satisfaction FOR SELECT TO plaint_agent
	USING (EXISTS (SELECT FROM plaint.tickets t WHERE t.id = satisfaction.ticket_id));
CREATE POLICY gateway_and_admins_all ON plaint.satisfaction TO plaint_gateway, plaint_admin
	USING (true) WITH CHECK (true);
