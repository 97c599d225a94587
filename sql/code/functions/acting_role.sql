-- The role whose rights the session uses: the one chosen with SET ROLE,
-- else the login.  Outside SECURITY DEFINER functions this is simply
-- current_user.  Inside one, current_user is the function's owner, but
-- the role setting and the login are still the caller's: the agent
-- functions check what the caller may see against this.
CREATE FUNCTION plaint.acting_role() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(nullif(current_setting('role'), 'none'), session_user::text)
$$;
COMMENT ON FUNCTION plaint.acting_role IS 'The role the session acts as (SET ROLE, else the login), also inside SECURITY DEFINER functions; the agent functions check visibility against it. Example: SELECT plaint.acting_role();';
GRANT EXECUTE ON FUNCTION plaint.acting_role TO plaint_agent, plaint_gateway;
