-- An agent sees the attachments of the outgoing mail they see.
CREATE POLICY agents_see_their_outbox ON plaint.outbox_attachments FOR SELECT TO plaint_agent
	USING (EXISTS (SELECT FROM plaint.outbox o WHERE o.id = outbox_attachments.outbox_id));
CREATE POLICY gateway_and_admins_all ON plaint.outbox_attachments TO plaint_gateway, plaint_admin
	USING (true) WITH CHECK (true);
