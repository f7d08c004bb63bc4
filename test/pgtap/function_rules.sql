-- Rules every function of the compmap schema obeys, enumerated from
-- pg_catalog so that new functions are held to them without editing this
-- file (docs/security.md, "Functions"):
--   * search_path is pinned to pg_catalog, pg_temp (trigger functions too),
--     except the C functions of the finding_status and cvss types, which
--     resolve no names (src/sql/40_finding_types.sql, docs/security.md),
--     and the evidence append trigger, which runs no SQL per row and pins
--     search_path itself for the SQL it runs (src/evidence.c; the
--     shadowing suite and sql/evidence.sql append from hostile paths);
--   * SECURITY DEFINER only for the functions listed in docs/security.md
--     (the list below mirrors it; keep the two in step);
--   * no EXECUTE for PUBLIC, except type input/output functions and
--     operator / operator class / cast support functions, which PostgreSQL calls
--     on behalf of whoever uses the type (they read no table and take no
--     tenant);
--   * written in C, SQL or PL/pgSQL only.
BEGIN;
SELECT no_plan();

CREATE TEMP TABLE definer_allowed (proname name);
-- docs/security.md lists these SECURITY DEFINER functions, with why.
INSERT INTO definer_allowed VALUES ('add_framework'), ('add_control'), ('add_mapping_source'), ('add_edge'),
                                   ('remove_edge'), ('remove_framework'), ('add_mapping_rule');

CREATE TEMP TABLE fn AS
SELECT p.oid, p.oid::regprocedure::text AS sig, p.proname, p.prosecdef, p.proconfig, l.lanname,
       l.lanname = 'c' AND (p.prosrc LIKE 'compmap\_cvss\_%' OR p.prosrc LIKE 'compmap\_finding\_status\_%') AS is_type_c,
       l.lanname = 'c' AND p.prosrc = 'compmap_evidence_append' AS is_append_trigger,
       p.prorettype = 'trigger'::regtype AS is_trigger,
       (p.oid IN (SELECT typinput FROM pg_type UNION SELECT typoutput FROM pg_type
                  UNION SELECT typreceive FROM pg_type UNION SELECT typsend FROM pg_type
                  UNION SELECT typmodin FROM pg_type UNION SELECT typmodout FROM pg_type
                  UNION SELECT typanalyze FROM pg_type)) AS is_type_io,
       (p.oid IN (SELECT oprcode FROM pg_operator UNION SELECT oprrest FROM pg_operator
                  UNION SELECT oprjoin FROM pg_operator UNION SELECT amproc FROM pg_amproc
                  UNION SELECT castfunc FROM pg_cast)) AS is_op_support
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'compmap'::regnamespace;

SELECT cmp_ok((SELECT count(*) FROM fn), '>=', 50::bigint, 'the catalogue lists compmap''s functions');
SELECT ok((SELECT count(*) FROM fn WHERE is_trigger) >= 4, 'trigger functions are among them');
SELECT is((SELECT array_agg(proname::text) FROM fn WHERE is_append_trigger), '{evidence_append}'::text[],
          'the search_path exception for the append trigger names exactly compmap.evidence_append');

-- (ingest's mapping functions also set jit = off; nothing else is set)
SELECT ok(CASE WHEN f.is_type_c OR f.is_append_trigger THEN f.proconfig IS NULL
               ELSE 'search_path=pg_catalog, pg_temp' = ANY (f.proconfig)
                    AND f.proconfig <@ ARRAY['search_path=pg_catalog, pg_temp', 'jit=off'] END,
          format('%s %s', f.sig, CASE WHEN f.is_type_c THEN 'resolves no names and sets no search_path'
                                      WHEN f.is_append_trigger THEN 'pins search_path itself around the SQL it runs and sets none per call'
                                      ELSE 'pins search_path = pg_catalog, pg_temp' END))
  FROM fn f ORDER BY f.sig;

SELECT ok(NOT f.prosecdef OR f.proname IN (SELECT proname FROM definer_allowed),
          format('%s is %s', f.sig, CASE WHEN f.prosecdef THEN 'SECURITY DEFINER, as listed in docs/security.md' ELSE 'SECURITY INVOKER' END))
  FROM fn f ORDER BY f.sig;

SELECT ok(NOT has_function_privilege('public', f.oid, 'EXECUTE') OR f.is_type_io OR f.is_op_support,
          format('%s: %s', f.sig, CASE WHEN NOT has_function_privilege('public', f.oid, 'EXECUTE') THEN 'PUBLIC may not execute it'
                                       WHEN f.is_type_io THEN 'type I/O, executable by PUBLIC'
                                       ELSE 'operator/opclass/cast support, executable by PUBLIC' END))
  FROM fn f ORDER BY f.sig;

SELECT ok(f.lanname IN ('c', 'sql', 'plpgsql'), format('%s is written in %s', f.sig, f.lanname))
  FROM fn f ORDER BY f.sig;

-- Every non-trigger function that PUBLIC may not run is granted to at
-- least one compmap role, or is a type cast / internal helper the server
-- calls itself.
SELECT is((SELECT array_agg(f.sig ORDER BY f.sig) FROM fn f
            WHERE NOT f.is_trigger AND NOT f.is_type_io AND NOT f.is_op_support
              AND NOT EXISTS (SELECT 1 FROM unnest(ARRAY['compmap_admin', 'compmap_writer', 'compmap_reader', 'compmap_auditor']) r
                               WHERE has_function_privilege(r, f.oid, 'EXECUTE'))
),
          NULL, 'every callable function is granted to a compmap role');

-- No compmap role holds CREATE on the compmap schema (it could plant a
-- look-alike function there), and PUBLIC holds nothing on it.
SELECT ok(NOT has_schema_privilege(r, 'compmap', 'CREATE'), format('%s cannot create objects in schema compmap', r))
  FROM unnest(ARRAY['compmap_admin', 'compmap_writer', 'compmap_reader', 'compmap_auditor', 'public']) r;
SELECT ok(NOT has_schema_privilege('public', 'compmap', 'USAGE'), 'PUBLIC has no USAGE on schema compmap');

-- Type I/O works for an ordinary role (it needs the PUBLIC grant above).
CREATE ROLE fnrules_app LOGIN;
GRANT compmap_reader TO fnrules_app;
SET LOCAL ROLE fnrules_app;
SELECT is('in_progress'::compmap.finding_status::text, 'in_progress', 'a reader casts a finding status to text');
SELECT is(('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::text)::compmap.cvss::text, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          'a reader casts text to cvss and back');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
