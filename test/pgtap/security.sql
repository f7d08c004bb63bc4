-- Roles, privileges and tenant isolation, asserted with pgTAP.  Runs inside
-- one transaction that is rolled back.
BEGIN;
SELECT plan(20);

SELECT has_role(r) FROM unnest(ARRAY['compmap_admin', 'compmap_writer', 'compmap_reader', 'compmap_auditor']) r;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tap_app_a') THEN CREATE ROLE tap_app_a LOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tap_report_a') THEN CREATE ROLE tap_report_a LOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tap_app_b') THEN CREATE ROLE tap_app_b LOGIN; END IF;
END $$;
GRANT compmap_writer TO tap_app_a, tap_app_b;
GRANT compmap_reader TO tap_report_a;
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('30000000-0000-4000-8000-00000000000a', 'tap A'),
                                                    ('30000000-0000-4000-8000-00000000000b', 'tap B');
SELECT compmap.grant_tenant_access('30000000-0000-4000-8000-00000000000a', 'tap_app_a');
SELECT compmap.grant_tenant_access('30000000-0000-4000-8000-00000000000a', 'tap_report_a');
SELECT compmap.grant_tenant_access('30000000-0000-4000-8000-00000000000b', 'tap_app_b');
SELECT compmap.record_event('30000000-0000-4000-8000-00000000000b', '30000000-0000-4000-8000-00000000000b', 'tap.secret', 'b', '{"secret": true}');
SELECT finding_id AS fb FROM compmap.record_finding('30000000-0000-4000-8000-00000000000b', 'tenant B finding', 'b', scanner => 'x', rule_id => 'y') \gset

-- Every tenant-owned table leads its primary key with tenant_id and has RLS.
SELECT is(
    (SELECT array_agg(c.relname ORDER BY c.relname)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'compmap' AND c.relkind = 'r'
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
        AND NOT (c.relrowsecurity AND EXISTS (
                SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                 WHERE i.indrelid = c.oid AND i.indisprimary AND a.attname = 'tenant_id'))),
    NULL, 'every tenant-owned table has RLS and tenant_id leading its primary key');
-- The exceptions: the C functions of the finding_status and cvss types,
-- which resolve no names (src/sql/40_finding_types.sql says why), and the
-- evidence append trigger, which pins search_path itself around the SQL it
-- runs (src/evidence.c says why).
SELECT is(
    (SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'compmap'
        AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
        AND NOT (p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
                 AND (p.prosrc LIKE 'compmap\_cvss\_%' OR p.prosrc LIKE 'compmap\_finding\_status\_%'
                      OR p.prosrc = 'compmap_evidence_append'))),
    0, 'every compmap function pins search_path, but the name-free C functions of the two base types and the append trigger');
SELECT is(
    (SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'compmap' AND has_function_privilege('public', p.oid, 'EXECUTE')
        AND p.prorettype <> 'trigger'::regtype
        AND p.oid NOT IN (SELECT typinput FROM pg_type UNION SELECT typoutput FROM pg_type
                          UNION SELECT typreceive FROM pg_type UNION SELECT typsend FROM pg_type
                          UNION SELECT oprcode FROM pg_operator UNION SELECT amproc FROM pg_amproc
                          UNION SELECT castfunc FROM pg_cast)),
    0, 'PUBLIC may execute no compmap function but type I/O, operator and cast support');

SET ROLE tap_app_a;
SELECT lives_ok($$SELECT compmap.record_event('30000000-0000-4000-8000-00000000000a', '30000000-0000-4000-8000-00000000000a', 'tap.ok', 'a', '{}')$$,
                'tenant A application appends to tenant A');
SELECT throws_ok($$SELECT compmap.record_event('30000000-0000-4000-8000-00000000000b', '30000000-0000-4000-8000-00000000000b', 'tap.x', 'a', '{}')$$,
                 '42501', NULL, 'tenant A application cannot append to tenant B');
SELECT is((SELECT count(*)::int FROM compmap.evidence WHERE tenant_id = '30000000-0000-4000-8000-00000000000b'), 0,
          'tenant A application sees none of tenant B''s evidence');
SELECT is((SELECT count(*)::int FROM compmap.evidence WHERE payload ? 'secret'), 0,
          'tenant B''s payloads cannot be inferred through a filter');
SELECT throws_ok($$SELECT compmap.tree_size('30000000-0000-4000-8000-00000000000b')$$, '42704', NULL,
                 'tenant B''s log size is not disclosed to tenant A');
SELECT lives_ok($$SELECT compmap.record_finding('30000000-0000-4000-8000-00000000000a', 'tenant A finding', 'a', scanner => 'x', rule_id => 'y')$$,
                'tenant A application records findings in tenant A');
SELECT throws_ok($$SELECT compmap.record_finding('30000000-0000-4000-8000-00000000000b', 'planted', 'a', scanner => 'x', rule_id => 'z')$$,
                 '42704', NULL, 'tenant A application cannot plant findings in tenant B (it is told the tenant does not exist)');
SELECT throws_ok(format($$SELECT compmap.set_status(%L, 'false_positive', 'a', note => 'hide it')$$, :'fb'),
                 '42704', NULL, 'tenant A application cannot see or close tenant B''s finding');
RESET ROLE;

SET ROLE tap_report_a;
SELECT is((SELECT count(*)::int FROM compmap.evidence), 2, 'the reporting role reads its tenant''s two entries');
SELECT throws_ok($$INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload) VALUES ('30000000-0000-4000-8000-00000000000a', '30000000-0000-4000-8000-00000000000a', 'tap.x', 'r', '{}')$$,
                 '42501', NULL, 'the reporting role cannot write evidence');
SELECT throws_ok($$UPDATE compmap.tenant SET name = 'x'$$, '42501', NULL, 'the reporting role cannot change tenants');
SELECT throws_ok($$SELECT compmap.set_status(gen_random_uuid(), 'triaged', 'r')$$, '42501', NULL, 'the reporting role cannot change findings');
RESET ROLE;

SELECT throws_ok($$DELETE FROM compmap.evidence$$, '42501', NULL, 'not even the superuser deletes evidence through SQL');
SELECT * FROM finish();
ROLLBACK;
