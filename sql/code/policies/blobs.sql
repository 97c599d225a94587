-- An agent sees a content when an attachment they see, inbound or
-- outgoing, refers to it (a content on tickets of two queues is seen by
-- the agents of either).
CREATE POLICY agents_see_their_attachments ON plaint.blobs FOR SELECT TO plaint_agent
	USING (EXISTS (SELECT FROM plaint.attachments a WHERE a.sha256 = blobs.sha256)
	       OR EXISTS (SELECT FROM plaint.outbox_attachments oa WHERE oa.sha256 = blobs.sha256));
CREATE POLICY gateway_and_admins_all ON plaint.blobs TO plaint_gateway, plaint_admin
	USING (true) WITH CHECK (true);
