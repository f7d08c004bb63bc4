-- Tenant isolation with real login roles, for every table and view of the
-- compmap schema as found in pg_catalog (new relations are covered without
-- editing this file).  Tenant A is served by three non-superuser login
-- roles: an application (compmap_writer), a report tool (compmap_reader) and
-- an auditor (compmap_auditor).  For each of them and each relation that has
-- a tenant_id column (relations without one are global catalogues and are
-- excluded by rule), the suite shows the role can neither read nor count
-- tenant B's rows, and can neither insert, update nor delete them; that the
-- read-only roles write nothing at all; that tenant-taking functions do not
-- disclose tenant B; and that the evidence log is written only through its
-- trigger.  Every probe runs in a subtransaction that is rolled back, so a
-- write that wrongly succeeds is reported and then undone.
BEGIN;
SELECT no_plan();

CREATE ROLE tiso_app_a LOGIN;
CREATE ROLE tiso_report_a LOGIN;
CREATE ROLE tiso_audit_a LOGIN;
CREATE ROLE tiso_app_b LOGIN;
GRANT compmap_writer TO tiso_app_a, tiso_app_b;
GRANT compmap_reader TO tiso_report_a;
GRANT compmap_auditor TO tiso_audit_a;

INSERT INTO compmap.tenant (tenant_id, name) VALUES ('31000000-0000-4000-8000-00000000000a', 'isolation A'),
                                                    ('31000000-0000-4000-8000-00000000000b', 'isolation B');
INSERT INTO compmap.tenant_access (tenant_id, role_name)
VALUES ('31000000-0000-4000-8000-00000000000a', 'tiso_app_a'), ('31000000-0000-4000-8000-00000000000a', 'tiso_report_a'),
       ('31000000-0000-4000-8000-00000000000a', 'tiso_audit_a'), ('31000000-0000-4000-8000-00000000000b', 'tiso_app_b');

-- Both tenants get rows in every tenant-owned table: 20 events (so stored
-- Merkle nodes exist), a finding (asset, evidence), a scan, an SLA policy,
-- a signing key, a checkpoint row, and the NIS2 records (profile,
-- approval, training, duty record, incident with a submission and a
-- request for an intermediate report).
DO $$
DECLARE
    t uuid;
    inc uuid;
BEGIN
    FOREACH t IN ARRAY ARRAY['31000000-0000-4000-8000-00000000000a', '31000000-0000-4000-8000-00000000000b']::uuid[] LOOP
        PERFORM compmap.record_event(t, t, 'tiso.event', 'fixture', jsonb_build_object('i', g, 'secret', t::text))
           FROM generate_series(1, 20) g;
        PERFORM compmap.record_finding(t, 'isolation finding', 'fixture', scanner => 'tiso', rule_id => 'r1',
                                       asset_kind => 'host', asset_name => 'host-' || t::text);
        INSERT INTO compmap.scan (tenant_id, scanner, format, scanned_at, document_sha256, document_bytes)
        VALUES (t, 'tiso', 'sarif', now(), sha256('doc'), 3);
        PERFORM compmap.set_sla(t, 'high', 10);
        PERFORM compmap.register_signing_key(t, 'tiso-key', sha256(convert_to(t::text, 'UTF8')));
        INSERT INTO compmap.checkpoint (tenant_id, checkpoint_no, tree_size, root, time_us, body, signed_note, key_name)
        VALUES (t, 1, 1, sha256('x'), 1, 'fixture body', 'fixture note', 'tiso-key');
        PERFORM compmap.set_entity_profile(t, 'isolation entity ' || t::text, '{cloud_computing_provider}', 300, 0, 0, '{DE}');
        PERFORM compmap.record_management_approval(t, 'Board', ARRAY['member ' || t::text], '2025-01-01', sha256('m'), '2099-01-01');
        PERFORM compmap.record_management_training(t, 'member ' || t::text, '2025-01-02', 'provider');
        PERFORM compmap.record_nis2_duty(t, 'registration', '2025-01-03', 'registration ' || t::text);
        inc := compmap.open_incident(t, 'isolation incident ' || t::text, '2025-01-04 00:00+00', significant => true,
                                     personal_data_breach => true);
        PERFORM compmap.record_submission(inc, 'early_warning', '2025-01-04 12:00+00', 'report ' || t::text);
        PERFORM compmap.request_intermediate_report(inc, '2025-01-05 00:00+00', '2025-01-06 00:00+00', 'CSIRT');
    END LOOP;
END $$;
-- Write the heads now (otherwise written at commit), so the head and node rows exist.
DO $$ BEGIN
    PERFORM compmap.tree_size(t) FROM unnest(ARRAY['31000000-0000-4000-8000-00000000000a', '31000000-0000-4000-8000-00000000000b']::uuid[]) t;
END $$;

-- Helpers, in a schema that the rollback removes.
CREATE SCHEMA tiso;
GRANT USAGE ON SCHEMA tiso TO PUBLIC;

-- probe(role, sql): runs sql as role in a subtransaction that is always
-- rolled back.  Returns 'ok:<first column of a SELECT>' or 'ok:<row count>'
-- for other statements, or 'err:<SQLSTATE>'.
CREATE FUNCTION tiso.probe(r name, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v text;
    n bigint;
BEGIN
    BEGIN
        EXECUTE format('SET LOCAL ROLE %I', r);
        IF q ~* '^\s*(SELECT|WITH)' THEN
            EXECUTE q INTO v;
        ELSE
            EXECUTE q;
            GET DIAGNOSTICS n = ROW_COUNT;
            v := n::text;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'P0T01', MESSAGE = coalesce(v, '<null>');
    EXCEPTION
        WHEN SQLSTATE 'P0T01' THEN
            RETURN 'ok:' || SQLERRM;
        WHEN OTHERS THEN
            RETURN 'err:' || SQLSTATE;
    END;
END
$$;
GRANT EXECUTE ON FUNCTION tiso.probe(name, text) TO PUBLIC;
-- The same with the error message, the tenant uuid in it replaced by <t>.
CREATE FUNCTION tiso.probe_msg(r name, q text, t uuid) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE format('SET LOCAL ROLE %I', r);
        EXECUTE format(q, t);
        RAISE EXCEPTION USING ERRCODE = 'P0T01', MESSAGE = 'no error';
    EXCEPTION
        WHEN SQLSTATE 'P0T01' THEN
            RETURN 'ok';
        WHEN OTHERS THEN
            RETURN 'err:' || SQLSTATE || ':' || replace(SQLERRM, t::text, '<t>');
    END;
END
$$;

CREATE TABLE tiso.roles (role name, job text, writes boolean);
INSERT INTO tiso.roles VALUES ('tiso_app_a', 'application', true),
                              ('tiso_report_a', 'reporting', false),
                              ('tiso_audit_a', 'auditor', false);

-- The relations under test, from the catalogue.
CREATE TABLE tiso.rel AS
SELECT c.oid::regclass AS rel, c.relname, c.relkind,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS tenanted
  FROM pg_class c
 WHERE c.relnamespace = 'compmap'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f');

-- One sample row per tenant table, re-addressed to tenant B, for the
-- insert probes.  For the evidence log only the columns a client supplies
-- are kept (the trigger assigns the rest).
CREATE TABLE tiso.sample (rel regclass, row_b jsonb);
DO $$
DECLARE
    r record;
    j jsonb;
BEGIN
    FOR r IN SELECT * FROM tiso.rel WHERE tenanted AND relkind IN ('r', 'p') LOOP
        EXECUTE format('SELECT to_jsonb(x) FROM %s x WHERE tenant_id = %L LIMIT 1', r.rel, '31000000-0000-4000-8000-00000000000a') INTO j;
        IF j IS NOT NULL THEN
            j := j || jsonb_build_object('tenant_id', '31000000-0000-4000-8000-00000000000b');
            IF r.rel = 'compmap.evidence'::regclass THEN
                j := jsonb_build_object('tenant_id', j->'tenant_id', 'subject_id', j->'subject_id', 'event_type', 'tiso.planted',
                                        'actor', 'a', 'payload', '{}'::jsonb, 'occurred_at', j->'occurred_at');
            END IF;
            INSERT INTO tiso.sample VALUES (r.rel, j);
        END IF;
    END LOOP;
END $$;

-- What tenant B holds, as the superuser sees it, to compare at the end.
CREATE FUNCTION tiso.b_fingerprint() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r record;
    s text := '';
    h text;
BEGIN
    FOR r IN SELECT * FROM tiso.rel WHERE tenanted AND relkind IN ('r', 'p') ORDER BY relname LOOP
        EXECUTE format('SELECT md5(coalesce(string_agg(x::text, %L ORDER BY x::text), %L)) FROM %s x WHERE tenant_id = %L',
                       ',', '', r.rel, '31000000-0000-4000-8000-00000000000b') INTO h;
        s := s || r.relname || '=' || h || ';';
    END LOOP;
    RETURN s;
END $$;
CREATE FUNCTION tiso.count_b(r regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s WHERE tenant_id = %L', r, '31000000-0000-4000-8000-00000000000b') INTO n;
    RETURN n;
END $$;
CREATE TABLE tiso.before AS SELECT tiso.b_fingerprint() AS fp;

SELECT ok((SELECT count(*) FROM tiso.rel WHERE tenanted) >= 10,
          'the catalogue lists the tenant-owned relations (' || (SELECT string_agg(relname, ', ' ORDER BY relname) FROM tiso.rel WHERE tenanted) || ')');

-- 1. Reading and counting: a tenant A role sees only tenant A, in every
--    tenant-owned table and view, filtered or not, counted or aggregated.
SELECT ok(tiso.probe(ro.role, format('SELECT count(*) FROM %s WHERE tenant_id <> %L', r.rel, '31000000-0000-4000-8000-00000000000a')) IN ('ok:0', 'err:42501'),
          format('%s (%s) counts no other tenant''s rows in %s', ro.role, ro.job, r.relname))
  FROM tiso.roles ro, tiso.rel r WHERE r.tenanted ORDER BY ro.role, r.relname;
SELECT ok(tiso.probe(ro.role, format('SELECT count(*) FROM %s x WHERE x::text LIKE %L', r.rel, '%31000000-0000-4000-8000-00000000000b%')) IN ('ok:0', 'err:42501'),
          format('%s (%s) cannot find tenant B''s id anywhere in a row of %s', ro.role, ro.job, r.relname))
  FROM tiso.roles ro, tiso.rel r WHERE r.tenanted ORDER BY ro.role, r.relname;
-- The same rows are visible to tenant B's own application, so the probes
-- above are not vacuous (views with no tenant B row in the fixture say so).
SELECT CASE WHEN r.b_rows = 0
            THEN pass(format('%s holds no tenant B row in this fixture', r.relname))
            ELSE is(tiso.probe('tiso_app_b', format('SELECT count(*) FROM %s WHERE tenant_id = %L', r.rel, '31000000-0000-4000-8000-00000000000b')),
                    'ok:' || r.b_rows, format('tenant B''s application sees its %s rows of %s', r.b_rows, r.relname)) END
  FROM (SELECT rel, relname, tiso.count_b(rel) AS b_rows FROM tiso.rel WHERE tenanted AND relname <> 'tenant_access') r
 ORDER BY r.relname;

-- A session narrowed with compmap.tenant cannot widen itself to tenant B.
SELECT is(tiso.probe('tiso_app_a', $$WITH s AS (SELECT set_config('compmap.tenant', '31000000-0000-4000-8000-00000000000b', true))
                                     SELECT count(*) FROM s, compmap.evidence$$),
          'ok:0', 'setting compmap.tenant to tenant B shows tenant A''s application nothing');
SELECT is(tiso.probe('tiso_report_a', $$WITH s AS (SELECT set_config('compmap.tenant', '', true))
                                        SELECT count(*) FROM s, compmap.evidence$$),
          'ok:' || (SELECT count(*) FROM compmap.evidence WHERE tenant_id = '31000000-0000-4000-8000-00000000000a'),
          'an empty compmap.tenant (as after RESET) means not narrowed');
SELECT is(tiso.probe('tiso_report_a', $$WITH s AS (SELECT set_config('compmap.tenant', 'not-a-uuid', true))
                                        SELECT count(*) FROM s, compmap.evidence$$),
          'err:22P02', 'a compmap.tenant that is not a uuid is an error, not a wider view');

-- 2. Functions that take a tenant do not disclose tenant B: each fails as
--    if B did not exist (42704), or (export) returns nothing.
CREATE TABLE tiso.reader_fn (fn text, call text);
INSERT INTO tiso.reader_fn VALUES
    ('tree_size', 'SELECT compmap.tree_size(%L)'),
    ('tree_root', 'SELECT compmap.tree_root(%L)'),
    ('inclusion_proof', 'SELECT compmap.inclusion_proof(%L, 0, 2)'),
    ('consistency_proof', 'SELECT compmap.consistency_proof(%L, 1, 2)'),
    ('verify', 'SELECT count(*) FROM compmap.verify(%L)'),
    ('checkpoint_body', 'SELECT compmap.checkpoint_body(%L)'),
    ('export_log', 'SELECT coalesce(jsonb_array_length(compmap.export_log(%L)->''entries''), 0)'),
    ('leaf_bytes', 'SELECT compmap.leaf_bytes(%L, 0)'),
    ('sla_days', 'SELECT compmap.sla_days(%L, ''high'')'),
    ('controls_for', 'SELECT count(*) FROM compmap.controls_for(''{CWE-79}'', ''zap'', ''code_weakness'', %L)'),
    ('oscal_assessment_results', 'SELECT compmap.oscal_assessment_results(%L, ''iso27001_2022'') IS NOT NULL'),
    ('oscal_poam', 'SELECT compmap.oscal_poam(%L) IS NOT NULL');
SELECT ok(tiso.probe(ro.role, format(f.call, '31000000-0000-4000-8000-00000000000b')) ~ '^(err:|ok:<null>$|ok:0$)',
          format('%s (%s): compmap.%s on tenant B fails or returns nothing (%s)', ro.role, ro.job, f.fn,
                 tiso.probe(ro.role, format(f.call, '31000000-0000-4000-8000-00000000000b'))))
  FROM tiso.roles ro, tiso.reader_fn f WHERE f.fn NOT IN ('sla_days', 'controls_for') ORDER BY ro.role, f.fn;
-- and answers exactly as for a tenant that does not exist, so even the
-- error tells nothing about tenant B (its size, its keys, its existence).
SELECT is(tiso.probe_msg(ro.role, f.call, '31000000-0000-4000-8000-00000000000b'),
          tiso.probe_msg(ro.role, f.call, '31000000-0000-4000-8000-0000000000ff'),
          format('%s (%s): compmap.%s answers for tenant B as for no tenant', ro.role, ro.job, f.fn))
  FROM tiso.roles ro, tiso.reader_fn f ORDER BY ro.role, f.fn;
-- sla_days falls back to the default for an invisible tenant: tenant B's 10 days stay hidden.
SELECT is(tiso.probe(ro.role, format('SELECT compmap.sla_days(%L, ''high'')', '31000000-0000-4000-8000-00000000000b')), 'ok:30',
          format('%s (%s): compmap.sla_days shows the default, not tenant B''s policy', ro.role, ro.job))
  FROM tiso.roles ro ORDER BY ro.role;
SELECT is(tiso.probe('tiso_app_a', format('SELECT compmap.tree_size(%L)', '31000000-0000-4000-8000-00000000000a')),
          'ok:' || (SELECT count(*) FROM compmap.evidence WHERE tenant_id = '31000000-0000-4000-8000-00000000000a'),
          'the same function works for tenant A');

-- Every function that reads by tenant is probed above or is a writer probed below.
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname)
             FROM pg_proc p
            WHERE p.pronamespace = 'compmap'::regnamespace AND p.provolatile <> 'i'
              AND 'tenant' = ANY (p.proargnames)
              AND p.proname NOT IN (SELECT fn FROM tiso.reader_fn)
              AND p.proname NOT IN ('record_event', 'record_checkpoint', 'record_finding', 'redact',
                                    'register_signing_key', 'set_sla', 'grant_tenant_access', 'revoke_tenant_access',
                                    'attest', 'set_applicability', 'set_scan_freshness', 'ingest', 'ingest_document',
                                    'set_entity_profile', 'record_management_approval', 'record_management_training',
                                    'record_nis2_duty', 'open_incident')),
          NULL, 'every tenant-taking function of compmap is covered by this suite');

-- 3. Writing tenant B's rows: refused for every role, every table.
SELECT ok(tiso.probe(ro.role, format('INSERT INTO %s SELECT * FROM jsonb_populate_record(NULL::%s, %L)', s.rel, s.rel, s.row_b)) LIKE 'err:%',
          format('%s (%s) cannot insert a tenant B row into %s (%s)', ro.role, ro.job, s.rel,
                 tiso.probe(ro.role, format('INSERT INTO %s SELECT * FROM jsonb_populate_record(NULL::%s, %L)', s.rel, s.rel, s.row_b))))
  FROM tiso.roles ro, tiso.sample s ORDER BY ro.role, s.rel::text;
SELECT ok(tiso.probe(ro.role, format('UPDATE %s SET tenant_id = tenant_id WHERE tenant_id = %L', r.rel, '31000000-0000-4000-8000-00000000000b')) ~ '^(ok:0$|err:)',
          format('%s (%s) updates no tenant B row of %s', ro.role, ro.job, r.relname))
  FROM tiso.roles ro, tiso.rel r WHERE r.tenanted ORDER BY ro.role, r.relname;
SELECT ok(tiso.probe(ro.role, format('DELETE FROM %s WHERE tenant_id = %L', r.rel, '31000000-0000-4000-8000-00000000000b')) ~ '^(ok:0$|err:)',
          format('%s (%s) deletes no tenant B row of %s', ro.role, ro.job, r.relname))
  FROM tiso.roles ro, tiso.rel r WHERE r.tenanted ORDER BY ro.role, r.relname;
SELECT ok(tiso.probe(ro.role, format('UPDATE %s SET tenant_id = %L WHERE tenant_id = %L', r.rel,
                                     '31000000-0000-4000-8000-00000000000b', '31000000-0000-4000-8000-00000000000a')) SIMILAR TO '(ok:0|err:%)',
          format('%s (%s) cannot move tenant A''s rows of %s into tenant B', ro.role, ro.job, r.relname))
  FROM tiso.roles ro, tiso.rel r WHERE r.tenanted ORDER BY ro.role, r.relname;
SELECT is(tiso.probe(ro.role, format('TRUNCATE %s', r.rel)), 'err:42501',
          format('%s (%s) cannot truncate %s', ro.role, ro.job, r.relname))
  FROM tiso.roles ro, tiso.rel r WHERE r.relkind IN ('r', 'p') ORDER BY ro.role, r.relname;
-- The writing functions refuse tenant B too: with 42501 (row-level
-- security) or 42704, the answer for a tenant that does not exist.
SELECT ok(tiso.probe_msg('tiso_app_a', q, '31000000-0000-4000-8000-00000000000b') ~ '^err:(42501|42704|22023):',
          format('tenant A''s application: %s on tenant B is refused (%s)', q,
                 tiso.probe_msg('tiso_app_a', q, '31000000-0000-4000-8000-00000000000b')))
  FROM unnest(ARRAY[
        'SELECT compmap.record_event(%1$L, %1$L, ''tiso.x'', ''a'', ''{}'')',
        'SELECT compmap.record_finding(%L, ''planted'', ''a'', scanner => ''x'', rule_id => ''planted'')',
        'SELECT compmap.record_checkpoint(%L, ''x'')',
        'SELECT compmap.set_sla(%L, ''high'', 1)',
        'SELECT compmap.register_signing_key(%L, ''k'', sha256(''k''))',
        'SELECT compmap.redact(%L, 0, ''a'', ''r'')',
        'SELECT compmap.grant_tenant_access(%L, ''tiso_app_a'')',
        'SELECT compmap.attest(%L, ''iso27001_2022:A.5.1'', ''a'', ''s'', ''e'', CURRENT_DATE + 1)',
        'SELECT compmap.set_applicability(%L, ''iso27001_2022:A.7.5'', false, ''planted'')',
        'SELECT compmap.set_scan_freshness(%L, ''1 day'')',
        'SELECT * FROM compmap.ingest(%L, ''{"version": "2.1.0", "runs": []}'')',
        'SELECT compmap.set_entity_profile(%L, ''planted'', ''{}'', 1, 0, 0, ''{DE}'')',
        'SELECT compmap.record_management_approval(%L, ''b'', ''{x}'', ''2025-01-01'', sha256(''x''), ''2099-01-01'')',
        'SELECT compmap.record_management_training(%L, ''x'', ''2025-01-01'', ''p'')',
        'SELECT compmap.record_nis2_duty(%L, ''registration'', ''2025-01-01'', ''planted'')',
        'SELECT compmap.open_incident(%L, ''planted'', ''2025-01-01'')']) q;
SELECT ok(tiso.probe('tiso_app_a', format('SELECT compmap.set_status(%L, ''false_positive'', ''a'', note => ''hide'')', f.finding_id)) IN ('err:42501', 'err:42704'),
          'tenant A''s application cannot change tenant B''s finding')
  FROM compmap.finding f WHERE f.tenant_id = '31000000-0000-4000-8000-00000000000b';
SELECT ok(tiso.probe('tiso_app_a', format(q, i.incident_id)) IN ('err:42501', 'err:42704'),
          format('tenant A''s application cannot act on tenant B''s incident: %s (%s)', q, tiso.probe('tiso_app_a', format(q, i.incident_id))))
  FROM compmap.incident i, unnest(ARRAY[
        'SELECT compmap.record_submission(%L, ''notification'', ''2025-01-05'', ''planted'')',
        'SELECT compmap.assess_incident(%L, false, ''planted'')',
        'SELECT compmap.set_incident_flags(%L, trust_service => true)',
        'SELECT compmap.mark_incident_handled(%L, ''2025-01-05'')',
        'SELECT compmap.request_intermediate_report(%L, ''2025-01-05'', ''2025-01-06'', ''planted'')']) q
 WHERE i.tenant_id = '31000000-0000-4000-8000-00000000000b'
 ORDER BY q;

-- 4. The reporting and auditor roles write nothing, not even in tenant A.
SELECT is((SELECT array_agg(r.relname || ':' || p ORDER BY r.relname, p)
             FROM tiso.rel r, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
            WHERE has_table_privilege(ro.role, r.rel, p)),
          NULL, format('%s (%s) holds no write privilege on any compmap relation', ro.role, ro.job))
  FROM tiso.roles ro WHERE NOT ro.writes ORDER BY ro.role;
SELECT ok(tiso.probe(ro.role, format('INSERT INTO %s SELECT * FROM jsonb_populate_record(NULL::%s, %L)', s.rel, s.rel,
                                     s.row_b || jsonb_build_object('tenant_id', '31000000-0000-4000-8000-00000000000a'))) = 'err:42501',
          format('%s (%s) cannot insert into %s for its own tenant', ro.role, ro.job, s.rel))
  FROM tiso.roles ro, tiso.sample s WHERE NOT ro.writes ORDER BY ro.role, s.rel::text;
SELECT ok(tiso.probe(ro.role, format('UPDATE %s SET tenant_id = tenant_id', r.rel)) IN ('err:42501', 'err:55000'),
          format('%s (%s) cannot update %s', ro.role, ro.job, r.relname))
  FROM tiso.roles ro, tiso.rel r WHERE NOT ro.writes AND r.tenanted ORDER BY ro.role, r.relname;
SELECT ok(tiso.probe(ro.role, format('DELETE FROM %s', r.rel)) IN ('err:42501', 'err:55000'),
          format('%s (%s) cannot delete from %s', ro.role, ro.job, r.relname))
  FROM tiso.roles ro, tiso.rel r WHERE NOT ro.writes ORDER BY ro.role, r.relname;
-- No volatile function outside the read-only list is executable by them.
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname)
             FROM pg_proc p
            WHERE p.pronamespace = 'compmap'::regnamespace AND p.provolatile = 'v'
              AND has_function_privilege(ro.role, p.oid, 'EXECUTE')
              AND p.proname NOT IN ('tree_size', 'tree_root', 'inclusion_proof', 'consistency_proof', 'verify', 'checkpoint_body',
                                    'auditor_pack')),
          NULL, format('%s (%s) may execute no writing function', ro.role, ro.job))
  FROM tiso.roles ro WHERE NOT ro.writes ORDER BY ro.role;
SELECT is(tiso.probe(ro.role, format(q, '31000000-0000-4000-8000-00000000000a')), 'err:42501',
          format('%s (%s): %s is refused', ro.role, ro.job, q))
  FROM tiso.roles ro, unnest(ARRAY[
        'SELECT compmap.record_event(%1$L, %1$L, ''tiso.x'', ''a'', ''{}'')',
        'SELECT compmap.record_finding(%L, ''x'', ''a'', scanner => ''x'', rule_id => ''x'')',
        'SELECT compmap.record_checkpoint(%L, ''x'')',
        'SELECT compmap.redact(%L, 0, ''a'', ''r'')']) q
 WHERE NOT ro.writes ORDER BY ro.role, q;
SELECT ok(tiso.probe(ro.role, format('SELECT compmap.set_status(%L, ''triaged'', ''a'')', f.finding_id)) = 'err:42501',
          format('%s (%s) cannot change a finding''s status', ro.role, ro.job))
  FROM tiso.roles ro, compmap.finding f WHERE NOT ro.writes AND f.tenant_id = '31000000-0000-4000-8000-00000000000a' ORDER BY ro.role;
SELECT ok(tiso.probe(ro.role, 'SELECT jsonb_array_length(compmap.export_log(''31000000-0000-4000-8000-00000000000a'')->''entries'')') = 'ok:' || (SELECT count(*) FROM compmap.evidence WHERE tenant_id = '31000000-0000-4000-8000-00000000000a')
          AND tiso.probe(ro.role, 'SELECT count(*) FROM compmap.verify(''31000000-0000-4000-8000-00000000000a'')') = 'ok:1',
          format('%s (%s) reads, exports and verifies tenant A', ro.role, ro.job))
  FROM tiso.roles ro WHERE NOT ro.writes ORDER BY ro.role;

-- 5. The evidence log is written only through its trigger.
SELECT is((SELECT array_agg(r.rolname || ':' || c.relname || ':' || p ORDER BY 1)
             FROM pg_roles r,
                  (SELECT oid, relname, relowner FROM pg_class WHERE relnamespace = 'compmap'::regnamespace
                      AND relname IN ('evidence', 'evidence_head', 'evidence_node', 'checkpoint')) c,
                  unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) p
            WHERE NOT r.rolsuper AND r.oid >= 16384 AND r.oid <> c.relowner AND has_table_privilege(r.oid, c.oid, p)),
          NULL, 'no role but the owner (and the predefined pg_write_all_data) holds UPDATE, DELETE or TRUNCATE on the log, its head, nodes or checkpoints');
SELECT is((SELECT array_agg(r.rolname ORDER BY 1) FROM pg_roles r
            WHERE NOT r.rolsuper AND r.oid >= 16384 AND has_table_privilege(r.oid, 'compmap.evidence_head', 'INSERT')
              AND r.oid <> (SELECT relowner FROM pg_class WHERE oid = 'compmap.evidence_head'::regclass)),
          NULL, 'no role but the owner may insert into evidence_head');
SELECT is((SELECT array_agg(r.rolname ORDER BY 1) FROM pg_roles r
            WHERE NOT r.rolsuper AND r.oid >= 16384 AND has_table_privilege(r.oid, 'compmap.evidence_node', 'INSERT')
              AND r.oid <> (SELECT relowner FROM pg_class WHERE oid = 'compmap.evidence_node'::regclass)),
          NULL, 'no role but the owner may insert into evidence_node');
SELECT is((SELECT string_agg(tgname || '=' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger
            WHERE tgrelid = 'compmap.evidence'::regclass AND NOT tgisinternal),
          'evidence_append_only=O,evidence_no_truncate=O,zz_evidence_append=O',
          'the append and guard triggers are in place and enabled');
SELECT is(tiso.probe('tiso_app_a', 'SET session_replication_role = replica'), 'err:42501',
          'an application cannot switch triggers off with session_replication_role');
SELECT is(tiso.probe('tiso_app_a', 'ALTER TABLE compmap.evidence DISABLE TRIGGER zz_evidence_append'), 'err:42501',
          'an application cannot disable the append trigger');
SELECT is(tiso.probe('tiso_app_a', format($$INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload, leaf_index)
                                            VALUES (%1$L, %1$L, 'tiso.x', 'a', '{}', 0)$$, '31000000-0000-4000-8000-00000000000a')),
          'err:428C9', 'an application cannot choose the leaf index');
SELECT is(tiso.probe('tiso_app_a', format($$INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload, leaf_hash)
                                            VALUES (%1$L, %1$L, 'tiso.x', 'a', '{}', sha256('x'))$$, '31000000-0000-4000-8000-00000000000a')),
          'err:428C9', 'an application cannot choose the leaf hash');
SELECT is(tiso.probe('tiso_app_a', format($$WITH i AS (INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload)
                                            VALUES (%1$L, %1$L, 'tiso.x', 'a', '{}') RETURNING leaf_index) SELECT leaf_index FROM i$$, '31000000-0000-4000-8000-00000000000a')),
          'ok:' || (SELECT count(*) FROM compmap.evidence WHERE tenant_id = '31000000-0000-4000-8000-00000000000a'),
          'a plain INSERT by the application gets its place from the trigger');
SELECT is(tiso.probe(ro.role, format('%s compmap.evidence %s', op, tail)), 'err:42501',
          format('%s (%s): %s on the evidence log is refused', ro.role, ro.job, op))
  FROM tiso.roles ro,
       (VALUES ('UPDATE', 'SET actor = ''x'''), ('DELETE FROM', ''), ('TRUNCATE', '')) AS o(op, tail)
 ORDER BY ro.role, op;
SELECT throws_ok($$UPDATE compmap.evidence SET actor = 'x' WHERE tenant_id = '31000000-0000-4000-8000-00000000000b'$$, '42501', NULL,
                 'the superuser cannot update the evidence log through SQL either');

-- Nothing above changed tenant B.
SELECT is(tiso.b_fingerprint(), (SELECT fp FROM tiso.before), 'tenant B''s rows are exactly as before');

SELECT * FROM finish();
ROLLBACK;
