-- Search-path and object-shadowing attacks.  Look-alike functions,
-- aggregates and operators for what compmap uses (sha256, now,
-- jsonb_build_object, gen_random_uuid, current_setting, encode, =, ||, ...)
-- are planted in public and in a user schema that comes first in the
-- caller's search_path.  Each raises SQLSTATE SH001 when called.  Then
-- compmap's main functions and triggers run from that hostile search_path,
-- as the superuser and as an application role, and never reach a trap:
-- every compmap function pins search_path = pg_catalog, pg_temp and
-- qualifies its objects, and pg_temp is never searched for functions or
-- operators.
BEGIN;
SELECT no_plan();

CREATE ROLE shadow_app LOGIN;
GRANT compmap_writer TO shadow_app;
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('32000000-0000-4000-8000-00000000000a', 'shadowing');
INSERT INTO compmap.tenant_access (tenant_id, role_name) VALUES ('32000000-0000-4000-8000-00000000000a', 'shadow_app');

CREATE SCHEMA shadow_evil;
GRANT USAGE ON SCHEMA shadow_evil TO PUBLIC;
CREATE FUNCTION shadow_evil.trap() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a shadowing object was called' USING ERRCODE = 'SH001';
END $$;

-- Plant each look-alike in both schemas.
DO $plant$
DECLARE
    s text;
    d text;
BEGIN
    FOREACH s IN ARRAY ARRAY['shadow_evil', 'public'] LOOP
        FOREACH d IN ARRAY ARRAY[
            'sha256(bytea) RETURNS bytea',
            'now() RETURNS timestamptz',
            'jsonb_build_object(VARIADIC text[]) RETURNS jsonb',
            'jsonb_build_object(text, bigint) RETURNS jsonb',
            'jsonb_build_object(text, text) RETURNS jsonb',
            'gen_random_uuid() RETURNS uuid',
            'current_setting(text, boolean) RETURNS text',
            'current_setting(text) RETURNS text',
            'set_config(text, text, boolean) RETURNS text',
            'encode(bytea, text) RETURNS text',
            'decode(text, text) RETURNS bytea',
            'convert_to(text, name) RETURNS bytea',
            'length(bytea) RETURNS integer',
            'length(text) RETURNS integer',
            'to_jsonb(text) RETURNS jsonb',
            'jsonb_strip_nulls(jsonb) RETURNS jsonb',
            'pg_has_role(name, oid, text) RETURNS boolean',
            'format(text, VARIADIC text[]) RETURNS text',
            'make_interval(integer, integer, integer, integer, integer, integer, double precision) RETURNS interval',
            'digest(bytea, text) RETURNS bytea',
            'substr(bytea, integer, integer) RETURNS bytea',
            'uuid_eq(uuid, uuid) RETURNS boolean',
            'text_eq(text, text) RETURNS boolean',
            'textcat(text, text) RETURNS text',
            'bytea_eq(bytea, bytea) RETURNS boolean',
            'int8_lt(bigint, bigint) RETURNS boolean',
            'jsonb_concat(jsonb, jsonb) RETURNS jsonb',
            'uuid_any(uuid, uuid[]) RETURNS boolean',
            'agg_step(uuid[], uuid) RETURNS uuid[]'] LOOP
            -- (pgcrypto's own gen_random_uuid and digest may live in public)
            -- In public, only exact look-alikes of pg_catalog functions:
            -- better-matching ones would also capture this test's own tools.
            CONTINUE WHEN s = 'public' AND d ~ '^(jsonb_build_object\(VARIADIC|format|text_eq|textcat|bytea_eq|int8_lt|jsonb_concat|agg_step)';
            CONTINUE WHEN to_regprocedure(s || '.' || replace(split_part(d, ' RETURNS ', 1), 'VARIADIC ', '')) IS NOT NULL;
            EXECUTE pg_catalog.format('CREATE FUNCTION %I.%s LANGUAGE plpgsql AS $f$BEGIN PERFORM shadow_evil.trap(); RETURN NULL; END$f$', s, d);
        END LOOP;
        EXECUTE pg_catalog.format('CREATE OPERATOR %I.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = %I.uuid_eq)', s, s);
        CONTINUE WHEN s = 'public';
        EXECUTE pg_catalog.format('CREATE OPERATOR %I.= (LEFTARG = text, RIGHTARG = text, FUNCTION = %I.text_eq)', s, s);
        EXECUTE pg_catalog.format('CREATE OPERATOR %I.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = %I.bytea_eq)', s, s);
        EXECUTE pg_catalog.format('CREATE OPERATOR %I.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = %I.textcat)', s, s);
        EXECUTE pg_catalog.format('CREATE OPERATOR %I.< (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = %I.int8_lt)', s, s);
        EXECUTE pg_catalog.format('CREATE OPERATOR %I.|| (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = %I.jsonb_concat)', s, s);
        EXECUTE pg_catalog.format('CREATE AGGREGATE %I.array_agg(uuid) (SFUNC = %I.agg_step, STYPE = uuid[])', s, s);
        EXECUTE pg_catalog.format('CREATE AGGREGATE %I.count(uuid) (SFUNC = %I.agg_step, STYPE = uuid[])', s, s);
    END LOOP;
END
$plant$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA shadow_evil TO PUBLIC;

-- The traps work: from the hostile search_path they are what gets called.
CREATE FUNCTION shadow_evil.run(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    saved text := pg_catalog.current_setting('search_path');
BEGIN
    BEGIN
        PERFORM pg_catalog.set_config('search_path', 'shadow_evil, public, pg_catalog', true);
        EXECUTE q;
        PERFORM pg_catalog.set_config('search_path', saved, true);
        RETURN 'ok';
    EXCEPTION WHEN OTHERS THEN
        RETURN pg_catalog.concat(SQLSTATE, ': ', SQLERRM);
    END;
END $$;
GRANT EXECUTE ON FUNCTION shadow_evil.run(text) TO PUBLIC;

SELECT matches(shadow_evil.run($$SELECT sha256('\x00'::bytea)$$), '^SH001:', 'trap check: an unqualified sha256() from this search_path hits the look-alike');
SELECT matches(shadow_evil.run($$SELECT now()$$), '^SH001:', 'trap check: now() hits the look-alike');
SELECT matches(shadow_evil.run($$SELECT '32000000-0000-4000-8000-00000000000a'::uuid = '32000000-0000-4000-8000-00000000000a'::uuid$$), '^SH001:',
            'trap check: uuid = uuid hits the look-alike operator');
SELECT matches(shadow_evil.run($$SELECT 'a'::text || 'b'::text$$), '^SH001:', 'trap check: text || text hits the look-alike operator');

-- The append trigger sets no search_path (per row it runs no SQL); the SQL
-- it runs for a transaction's first append to a tenant pins search_path
-- itself.  Nothing has appended in this backend yet, so this INSERT also
-- prepares that SQL, from the hostile search_path.
SELECT is(shadow_evil.run($$INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload) VALUES ('32000000-0000-4000-8000-00000000000a', '32000000-0000-4000-8000-0000000000e0', 'shadow.first', 'tester', '{"first": true}')$$),
          'ok', 'the backend''s first append, a plain INSERT from the hostile search_path, reaches no trap');
SELECT is(shadow_evil.run($$INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload) VALUES ('32000000-0000-4000-8000-00000000000a', '32000000-0000-4000-8000-0000000000e0', 'shadow.second', 'tester', '{}')$$),
          'ok', 'a second append to the same subject from the hostile search_path reaches no trap');
SELECT is((SELECT array_agg(subject_seq ORDER BY leaf_index) FROM compmap.evidence WHERE tenant_id = '32000000-0000-4000-8000-00000000000a'),
          '{1,2}'::bigint[], 'and chains the subject: subject_seq 1, 2');

-- A signing key and a finding to work on (made from a safe search_path).
SELECT compmap.register_signing_key('32000000-0000-4000-8000-00000000000a', 'shadow-key', '\x0000000000000000000000000000000000000000000000000000000000000001'::bytea) IS NOT NULL AS key_registered \gset
SELECT finding_id AS f FROM compmap.record_finding('32000000-0000-4000-8000-00000000000a', 'shadow finding', 'setup', scanner => 'shadow', rule_id => 'r0') \gset

-- compmap from the hostile search_path: nothing reaches a trap.
CREATE TEMP TABLE calls (who text, q text);
INSERT INTO calls VALUES
  ('postgres', $$SELECT compmap.record_event('32000000-0000-4000-8000-00000000000a', '32000000-0000-4000-8000-0000000000e1', 'shadow.event', 'tester', '{"k": [1, 2.5, "x"], "a": {"b": null}}')$$),
  ('postgres', $$INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload) VALUES ('32000000-0000-4000-8000-00000000000a', '32000000-0000-4000-8000-0000000000e1', 'shadow.insert', 'tester', '{}')$$),
  ('postgres', $$SELECT * FROM compmap.verify('32000000-0000-4000-8000-00000000000a')$$),
  ('postgres', $$SELECT compmap.tree_root('32000000-0000-4000-8000-00000000000a')$$),
  ('postgres', $$SELECT compmap.tree_size('32000000-0000-4000-8000-00000000000a')$$),
  ('postgres', $$SELECT compmap.inclusion_proof('32000000-0000-4000-8000-00000000000a', 0, 2)$$),
  ('postgres', $$SELECT compmap.consistency_proof('32000000-0000-4000-8000-00000000000a', 1, 2)$$),
  ('postgres', $$SELECT compmap.export_log('32000000-0000-4000-8000-00000000000a')$$),
  ('postgres', $$SELECT compmap.checkpoint_body('32000000-0000-4000-8000-00000000000a')$$),
  ('postgres', $$SELECT compmap.jcs('{"b": 1e300, "a": "\u00e9"}')$$),
  ('postgres', $$SELECT compmap.payload_digest('{"b": 1, "a": [true, false, null]}')$$),
  ('postgres', $$SELECT compmap.record_finding('32000000-0000-4000-8000-00000000000a', 'shadowed finding', 'tester', scanner => 'shadow', rule_id => 'r1', cvss => 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', asset_kind => 'host', asset_name => 'h1', location => 'x:1', cwe_ids => '{CWE-79}')$$),
  ('postgres', $$SELECT compmap.set_status('$$ || :'f' || $$', 'triaged', 'tester', note => 'n')$$),
  ('postgres', $$SELECT compmap.set_status('$$ || :'f' || $$', 'risk_accepted', 'tester', note => 'n', approver => 'boss', valid_until => '2099-01-01')$$),
  ('postgres', $$SELECT compmap.expire_risk_acceptances('2100-01-01')$$),
  ('postgres', $$SELECT compmap.set_sla('32000000-0000-4000-8000-00000000000a', 'high', 5)$$),
  ('postgres', $$SELECT compmap.sla_days('32000000-0000-4000-8000-00000000000a', 'high')$$),
  ('postgres', $$SELECT compmap.normalize_severity('error')$$),
  ('postgres', $$SELECT compmap.finding_fingerprint('s', 'r', 'host', 'h', 'l')$$),
  ('postgres', $$SELECT compmap.create_tenant('shadow two')$$),
  ('postgres', $$SELECT compmap.grant_tenant_access('32000000-0000-4000-8000-00000000000a', 'shadow_app')$$),
  ('postgres', $$SELECT compmap.revoke_tenant_access('32000000-0000-4000-8000-00000000000a', 'nobody')$$),
  ('postgres', $$SELECT compmap.register_signing_key('32000000-0000-4000-8000-00000000000a', 'shadow-key-2', '\x0000000000000000000000000000000000000000000000000000000000000002'::bytea)$$),
  ('postgres', $$SELECT compmap.redact('32000000-0000-4000-8000-00000000000a', 1, 'dpo', 'shadow test')$$),
  ('postgres', $$SELECT compmap.verify_checkpoint('x', 'k', '\x0000000000000000000000000000000000000000000000000000000000000001'::bytea)$$),
  ('postgres', $$SELECT compmap.current_tenants()$$),
  ('postgres', $$SELECT compmap.cvss_score('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')$$),
  ('postgres', $$SELECT * FROM compmap.finding_sla$$),
  ('postgres', $$SELECT * FROM compmap.finding_history$$),
  ('shadow_app', $$SELECT compmap.record_event('32000000-0000-4000-8000-00000000000a', '32000000-0000-4000-8000-0000000000e2', 'shadow.app', 'app', '{"n": 1}')$$),
  ('shadow_app', $$SELECT compmap.record_finding('32000000-0000-4000-8000-00000000000a', 'app finding', 'app', scanner => 'shadow', rule_id => 'r2')$$),
  ('shadow_app', $$SELECT compmap.set_status('$$ || :'f' || $$', 'assigned', 'app', assignee => 'bob')$$),
  ('shadow_app', $$SELECT * FROM compmap.verify('32000000-0000-4000-8000-00000000000a')$$),
  ('shadow_app', $$SELECT compmap.checkpoint_body('32000000-0000-4000-8000-00000000000a')$$),
  ('shadow_app', $$SELECT count(*) FROM compmap.evidence$$);

CREATE FUNCTION shadow_evil.run_as(who text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE pg_catalog.format('SET LOCAL ROLE %I', who);
    r := shadow_evil.run(q);
    RESET ROLE;
    RETURN r;
END $$;

SELECT is(shadow_evil.run_as(c.who, c.q), 'ok', pg_catalog.format('as %s, from a hostile search_path: %s', c.who, pg_catalog.left(c.q, 90)))
  FROM calls c;

-- A malformed checkpoint is refused with compmap's own error, not a trap.
SELECT matches(shadow_evil.run($$SELECT compmap.record_checkpoint('32000000-0000-4000-8000-00000000000a', 'not a note')$$), '^22023:',
            'record_checkpoint refuses a malformed note with 22023, not through a look-alike');
-- And the log written from the hostile search_path verifies.
SELECT ok(bool_and(v.ok), 'the log written from the hostile search_path verifies') FROM compmap.verify('32000000-0000-4000-8000-00000000000a') v;

SELECT * FROM finish();
ROLLBACK;
