-- An agent sees the customers of the tickets they see.
CREATE POLICY agents_see_their_customers ON plaint.customers FOR SELECT TO plaint_agent
	USING (EXISTS (SELECT FROM plaint.tickets t WHERE t.customer_id = customers.id));
CREATE POLICY gateway_and_admins_all ON plaint.customers TO plaint_gateway, plaint_admin
	USING (true) WITH CHECK (true);
