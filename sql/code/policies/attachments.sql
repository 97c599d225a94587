-- An agent sees the attachments of the messages they see.
CREATE POLICY agents_see_their_messages ON plaint.attachments FOR SELECT TO plaint_agent
	USING (EXISTS (SELECT FROM plaint.messages m WHERE m.id = attachments.message_row));
CREATE POLICY gateway_and_admins_all ON plaint.attachments TO plaint_gateway, plaint_admin
	USING (true) WITH CHECK (true);
