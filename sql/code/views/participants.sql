-- Who takes part in each ticket besides its customer: the Cc addresses
-- of its inbound mail, and addresses agents added; less those removed.
-- A row of plaint.ticket_participants decides for its address: added,
-- or removed (removed_at).  As in plaint.thread, a merged ticket's
-- participants belong to the ticket it was merged into, unless removed
-- there.  The customer and plaint's own addresses (the own_addresses
-- setting) are no participants.  plaint.reply() copies these.
CREATE VIEW plaint.participants WITH (security_invoker = true) AS
WITH candidate AS (
	SELECT p.ticket_id, p.address, p.source, p.added_by, p.added_at
	  FROM plaint.ticket_participants p
	 WHERE p.removed_at IS NULL
	UNION ALL
	SELECT m.ticket_id, lower(a.address), 'cc', NULL,
	       min(coalesce(m.received_at, m.created_at))
	  FROM plaint.messages m, unnest(m.cc) AS a(address)
	 WHERE m.direction = 'in' AND m.ticket_id IS NOT NULL
	   AND NOT EXISTS (SELECT FROM plaint.ticket_participants p
			    WHERE p.ticket_id = m.ticket_id AND p.address = lower(a.address))
	 GROUP BY m.ticket_id, lower(a.address)),
own AS (
	SELECT lower(btrim(a)) AS address
	  FROM plaint.settings s, regexp_split_to_table(s.value, ',') AS a
	 WHERE s.key = 'own_addresses'),
placed AS (
	SELECT coalesce(mt.id, t.id) AS ticket_id, t.number AS filed_on, c.address,
	       c.source, c.added_by, c.added_at
	  FROM candidate c
	  JOIN plaint.tickets t ON t.id = c.ticket_id
	  LEFT JOIN plaint.tickets mt ON mt.id = t.merged_into)
SELECT DISTINCT ON (t.number, x.address)
       t.number AS ticket, x.address, x.source, x.added_by, x.added_at, x.filed_on
  FROM placed x
  JOIN plaint.tickets t ON t.id = x.ticket_id
  LEFT JOIN plaint.customers cu ON cu.id = t.customer_id
 WHERE x.address IS DISTINCT FROM cu.email
   AND x.address NOT IN (SELECT own.address FROM own)
   AND NOT EXISTS (SELECT FROM plaint.ticket_participants r
		    WHERE r.ticket_id = x.ticket_id AND r.address = x.address
		      AND r.removed_at IS NOT NULL)
 ORDER BY t.number, x.address, x.added_at;
COMMENT ON VIEW plaint.participants IS 'The participants of each ticket besides its customer and plaint''s own addresses, whom plaint.reply() copies: Cc addresses of its inbound mail and addresses agents added (plaint.add_participant), less those removed (plaint.remove_participant). Example: SELECT address, source FROM plaint.participants WHERE ticket = ''CMP-1042'';';
COMMENT ON COLUMN plaint.participants.ticket IS 'The ticket (for a merged ticket''s participants, the ticket it was merged into)';
COMMENT ON COLUMN plaint.participants.address IS 'The participant''s address, lower case';
COMMENT ON COLUMN plaint.participants.source IS 'cc: from the Cc of the ticket''s inbound mail; agent: added by an agent';
COMMENT ON COLUMN plaint.participants.added_by IS 'The agent who added it; NULL for a Cc address';
COMMENT ON COLUMN plaint.participants.added_at IS 'When it was added, or when the first mail that had it in Cc arrived';
COMMENT ON COLUMN plaint.participants.filed_on IS 'The ticket it takes part in by its own mail or addition (differs from ticket after a merge)';
GRANT SELECT ON plaint.participants TO plaint_agent;
