CREATE VIEW plaint.my_tickets AS
SELECT * FROM plaint.open_tickets o WHERE o.assignee = current_user;
COMMENT ON VIEW plaint.my_tickets IS 'plaint.open_tickets assigned to you: assignee = current_user (assign with plaint.assign(ticket, agent))';
GRANT SELECT ON plaint.my_tickets TO plaint_agent;
