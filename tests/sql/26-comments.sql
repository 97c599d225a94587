-- 26-comments.sql: every column of every table and view of schema
-- plaint says what it holds (COMMENT ON COLUMN), so \d+ in psql and the
-- comment pane of a graphical client explain it; and what agents may call
-- shows an example.  A failure lists what lacks one.
-- One transaction, rolled back.
BEGIN;
SELECT plan(5);

SELECT is_empty($$
	SELECT c.relname || '.' || a.attname
	  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind IN ('r', 'v')
	   AND a.attnum > 0 AND NOT a.attisdropped
	   AND coalesce(btrim(col_description(c.oid, a.attnum)), '') = ''
	 ORDER BY 1$$,
	'every column of every table and view has a COMMENT');
SELECT is_empty($$
	SELECT c.relname || '.' || a.attname
	  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind IN ('r', 'v')
	   AND a.attnum > 0 AND NOT a.attisdropped
	   AND (lower(btrim(col_description(c.oid, a.attnum), ' .')) = lower(a.attname)
		OR col_description(c.oid, a.attnum) !~ '\S+\s+\S+')
	 ORDER BY 1$$,
	'no column COMMENT is a single word or the column''s name again');
SELECT is_empty($$
	SELECT c.relname::text
	  FROM pg_class c
	 WHERE c.relnamespace = 'plaint'::regnamespace AND c.relkind IN ('r', 'v')
	   AND coalesce(btrim(obj_description(c.oid, 'pg_class')), '') = ''
	 ORDER BY 1$$,
	'every table and view has a COMMENT');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text
	  FROM pg_proc p
	 WHERE p.pronamespace = 'plaint'::regnamespace
	   AND has_function_privilege('plaint_agent', p.oid, 'EXECUTE')
	   AND coalesce(obj_description(p.oid, 'pg_proc'), '') NOT LIKE '%Example%'
	 ORDER BY 1$$,
	'every function agents may call shows an example in its COMMENT');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text
	  FROM pg_proc p
	 WHERE p.pronamespace = 'plaint'::regnamespace
	   AND p.proname IN ('check_overdue', 'apply_retention', 'forget_customer')
	   AND coalesce(obj_description(p.oid, 'pg_proc'), '') NOT LIKE '%Example%'
	 ORDER BY 1$$,
	'the functions of the daemon and of admins show an example too');

SELECT * FROM finish();
ROLLBACK;
