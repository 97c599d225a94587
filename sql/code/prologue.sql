-- prologue.sql: run by `plaint db migrate` before it re-creates the code
-- (sql/code/types, functions, views, policies), in the same transaction.
--
-- Drops every view, function, composite type and row-level security
-- policy of schema plaint, so that the files under sql/code are the only
-- definition of each.  Tables, their columns and data belong to
-- sql/migrations and are never touched here.  A database object outside schema plaint that depends on plaint's
-- code (an admin's report view over plaint.open_tickets, say) would be
-- dropped with it: migrate refuses instead, naming it.
DO $$
DECLARE
	v_dep text;
	v_on text;
BEGIN
	IF to_regnamespace('plaint') IS NULL THEN
		RETURN;
	END IF;

	-- Views (through their rewrite rules) and functions outside plaint
	-- that use a plaint view, function or type.
	SELECT coalesce(dv.oid::regclass::text, dp.oid::regprocedure::text),
	       coalesce(rv.oid::regclass::text, rp.oid::regprocedure::text,
			rt.oid::regtype::text)
	  INTO v_dep, v_on
	  FROM pg_depend d
	  LEFT JOIN pg_rewrite w ON d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid
	  LEFT JOIN pg_class dv ON dv.oid = w.ev_class
	  LEFT JOIN pg_proc dp ON d.classid = 'pg_proc'::regclass AND dp.oid = d.objid
	  LEFT JOIN pg_class rv ON d.refclassid = 'pg_class'::regclass AND rv.oid = d.refobjid
				   AND rv.relkind IN ('v', 'm')
	  LEFT JOIN pg_proc rp ON d.refclassid = 'pg_proc'::regclass AND rp.oid = d.refobjid
	  LEFT JOIN pg_type rt ON d.refclassid = 'pg_type'::regclass AND rt.oid = d.refobjid
				  AND rt.typtype = 'c'
				  AND (SELECT c.relkind FROM pg_class c WHERE c.oid = rt.typrelid) = 'c'
	 WHERE coalesce(dv.relnamespace, dp.pronamespace) <> 'plaint'::regnamespace
	   AND coalesce(rv.relnamespace, rp.pronamespace, rt.typnamespace) = 'plaint'::regnamespace
	   AND coalesce(dv.oid, w.ev_class) IS DISTINCT FROM rv.oid
	 LIMIT 1;
	IF v_dep IS NOT NULL THEN
		RAISE EXCEPTION '% depends on %, which plaint db migrate re-creates', v_dep, v_on
		      USING ERRCODE = '2BP01',
			    HINT = 'Drop it, run plaint db migrate, then create it again.';
	END IF;

	-- Row-level security policies are code too (sql/code/policies): they
	-- use plaint's functions.  Whether a table has row-level security
	-- enabled is the table's, and stays.
	FOR v_dep, v_on IN
		SELECT p.polname, c.oid::regclass::text FROM pg_policy p
		  JOIN pg_class c ON c.oid = p.polrelid
		 WHERE c.relnamespace = 'plaint'::regnamespace
	LOOP
		EXECUTE format('DROP POLICY %I ON %s', v_dep, v_on);
	END LOOP;

	-- Names are read first: a view dropped by CASCADE has no name left.
	FOREACH v_dep IN ARRAY ARRAY(
		SELECT c.oid::regclass::text FROM pg_class c
		 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind = 'v')
	LOOP
		EXECUTE 'DROP VIEW IF EXISTS ' || v_dep || ' CASCADE';
	END LOOP;
	FOREACH v_dep IN ARRAY ARRAY(
		SELECT p.oid::regprocedure::text FROM pg_proc p
		 WHERE p.pronamespace = 'plaint'::regnamespace)
	LOOP
		EXECUTE 'DROP FUNCTION IF EXISTS ' || v_dep || ' CASCADE';
	END LOOP;
	FOREACH v_dep IN ARRAY ARRAY(
		SELECT t.oid::regtype::text FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid
		 WHERE t.typnamespace = 'plaint'::regnamespace AND c.relkind = 'c')
	LOOP
		EXECUTE 'DROP TYPE IF EXISTS ' || v_dep || ' CASCADE';
	END LOOP;
END
$$;
