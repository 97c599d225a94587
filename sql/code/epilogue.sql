-- epilogue.sql: run by `plaint db migrate` after it re-created the code,
-- in the same transaction.  Each code file grants its own object to the
-- roles that use it; here the rules for all of them: nothing in schema
-- plaint is executable by PUBLIC, and plaint_admin may use everything.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA plaint FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA plaint TO plaint_admin;
GRANT ALL ON ALL TABLES IN SCHEMA plaint TO plaint_admin;
