-- Every table, view and column of the compmap schema is documented with
-- COMMENT ON, so BI tools and psql's \d+ show what it means.
BEGIN;
SELECT plan(2);
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname)
             FROM pg_class c
            WHERE c.relnamespace = 'compmap'::regnamespace AND c.relkind IN ('r', 'v', 'p')
              AND obj_description(c.oid, 'pg_class') IS NULL),
          NULL, 'every compmap table and view has a comment');
SELECT is((SELECT array_agg(c.relname || '.' || a.attname ORDER BY c.relname, a.attnum)
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace = 'compmap'::regnamespace AND c.relkind = 'v'
              AND col_description(c.oid, a.attnum) IS NULL),
          NULL, 'every column of every compmap view has a comment');
SELECT * FROM finish();
ROLLBACK;
