-- Honest scoring: each outcome arises from data, on a small framework of
-- our own (so the assertions do not depend on the shipped catalogue's
-- testability judgements), plus the shipped ISO 27001 Statement of
-- Applicability.
BEGIN;
SELECT plan(27);

SELECT compmap.add_framework('tst', 'Scoring test framework');
SELECT compmap.add_mapping_source('tst_source', 'Test mappings');
SELECT compmap.add_control('tst:AUTO', 'fully machine-testable', testability => 'automated');
SELECT compmap.add_control('tst:PART', 'partly machine-testable', testability => 'partial');
SELECT compmap.add_control('tst:MAN', 'only attestable', testability => 'manual');
SELECT compmap.add_control('tst:EQ', 'equal to AUTO', testability => 'automated');
SELECT compmap.add_control('tst:NEAR', 'intersects AUTO', testability => 'automated');
SELECT compmap.add_control('tst:MAN2', 'equal to MAN', testability => 'manual');
SELECT compmap.add_control('tst:MAN3', 'intersects MAN', testability => 'manual');
SELECT compmap.add_control('tst:OUT', 'excluded', testability => 'automated');
SELECT compmap.add_edge('tst:AUTO', 'tst:EQ', 'equal', 'tst_source');
SELECT compmap.add_edge('tst:AUTO', 'tst:NEAR', 'intersects', 'tst_source');
SELECT compmap.add_edge('tst:MAN', 'tst:MAN2', 'equal', 'tst_source');
SELECT compmap.add_edge('tst:MAN', 'tst:MAN3', 'intersects', 'tst_source');
SELECT compmap.add_mapping_rule('rule_family', 'tstscan', 'tst:AUTO', 'tst_source', 'subset');
SELECT compmap.add_mapping_rule('rule_family', 'tstscan', 'tst:PART', 'tst_source', 'subset');
SELECT compmap.add_mapping_rule('rule_family', 'tstscan', 'tst:MAN', 'tst_source', 'subset');
SELECT compmap.add_mapping_rule('rule_family', 'tstscan', 'tst:OUT', 'tst_source', 'subset');

INSERT INTO compmap.tenant (tenant_id, name) VALUES ('30000000-0000-4000-8000-0000000000d0', 'scoring');
CREATE FUNCTION pg_temp.outcome(ref text) RETURNS text LANGUAGE sql AS $$
    SELECT outcome FROM compmap.control_status
     WHERE tenant_id = '30000000-0000-4000-8000-0000000000d0' AND control_ref = ref
$$;

SELECT is(pg_temp.outcome('tst:AUTO'), 'not_assessed', 'without any evidence a control is not_assessed, never passed');

-- a stale scan is no evidence
INSERT INTO compmap.scan (tenant_id, scanner, format, scanned_at, document_sha256, document_bytes)
VALUES ('30000000-0000-4000-8000-0000000000d0', 'tstscan', 'tstscan', now() - interval '40 days', sha256('old'), 1);
SELECT is(pg_temp.outcome('tst:AUTO'), 'not_assessed', 'a scan older than the freshness window does not count');
SELECT compmap.set_scan_freshness('30000000-0000-4000-8000-0000000000d0', '60 days');
SELECT is(pg_temp.outcome('tst:AUTO'), 'passed', 'the freshness window is per tenant');
SELECT compmap.set_scan_freshness('30000000-0000-4000-8000-0000000000d0', '30 days');

-- a fresh, clean scan
INSERT INTO compmap.scan (tenant_id, scanner, format, scanned_at, document_sha256, document_bytes)
VALUES ('30000000-0000-4000-8000-0000000000d0', 'tstscan', 'tstscan', now(), sha256('new'), 1);
SELECT is(pg_temp.outcome('tst:AUTO'), 'passed', 'automated control + fresh covering scan + no open finding = passed');
SELECT is(pg_temp.outcome('tst:PART'), 'partially_evidenced', 'a clean scan never passes a partial control');
SELECT is(pg_temp.outcome('tst:MAN'), 'not_assessed', 'a clean scan never passes a manual control, nor evidences it');
SELECT is(pg_temp.outcome('tst:EQ'), 'passed', 'scan evidence carries over an equal mapping');
SELECT is(pg_temp.outcome('tst:NEAR'), 'partially_evidenced', 'an intersects mapping never yields passed');
SELECT ok((SELECT reasons #>> '{scan_coverage,why_not_passed}' FROM compmap.control_status
            WHERE tenant_id = '30000000-0000-4000-8000-0000000000d0' AND control_ref = 'tst:NEAR') LIKE '%intersects%',
          'the row says why an intersects-mapped control did not pass');

-- an open finding fails what it maps to, and stops passing elsewhere
SELECT finding_id AS f FROM compmap.record_finding('30000000-0000-4000-8000-0000000000d0', 'open port', 'tap',
       scanner => 'tstscan', rule_id => 'r1', scanner_severity => 'high') \gset
SELECT is(pg_temp.outcome('tst:AUTO'), 'failed', 'an open finding mapped with failing polarity fails the control');
SELECT is((SELECT failing_findings FROM compmap.control_status
            WHERE tenant_id = '30000000-0000-4000-8000-0000000000d0' AND control_ref = 'tst:AUTO'), 1,
          'the failing finding is counted');
SELECT ok((SELECT reasons->'findings'->0->'example_findings' ? :'f' FROM compmap.control_status
            WHERE tenant_id = '30000000-0000-4000-8000-0000000000d0' AND control_ref = 'tst:AUTO'),
          'the row lists the finding and its mapping path');
SELECT is(pg_temp.outcome('tst:EQ'), 'failed', 'a failure carries over an equal mapping');
SELECT isnt(pg_temp.outcome('tst:NEAR'), 'passed', 'a finding related through intersects keeps the control from passing');
SELECT compmap.set_status(:'f', 'fixed', 'tap');
SELECT is(pg_temp.outcome('tst:AUTO'), 'failed', 'a fixed but unverified finding still fails the control');
SELECT compmap.set_status(:'f', 'verified', 'tap');
SELECT is(pg_temp.outcome('tst:AUTO'), 'passed', 'once verified the control passes again');

-- attestations
SELECT compmap.attest('30000000-0000-4000-8000-0000000000d0', 'tst:MAN', 'ciso', 'procedure followed', 'DOC-1', CURRENT_DATE + 90);
SELECT is(pg_temp.outcome('tst:MAN'), 'attested', 'a valid attestation makes a manual control attested');
SELECT is(pg_temp.outcome('tst:MAN2'), 'attested', 'an attestation counts for another control through an equal mapping');
SELECT ok((SELECT reasons->'attestations'->0->>'via' FROM compmap.control_status
            WHERE tenant_id = '30000000-0000-4000-8000-0000000000d0' AND control_ref = 'tst:MAN2') = 'tst:MAN -> tst:MAN2',
          'and the row says through which mapping');
SELECT is(pg_temp.outcome('tst:MAN3'), 'partially_evidenced', 'through an intersects mapping an attestation only partially evidences');
-- an attestation that has lapsed (inserted directly: attest() refuses past dates)
INSERT INTO compmap.attestation (tenant_id, framework, control, attested_by, statement, evidence_ref, valid_from, valid_until, attested_at)
VALUES ('30000000-0000-4000-8000-0000000000d0', 'tst', 'MAN', 'ciso', 'renewed late', 'DOC-2', CURRENT_DATE - 100, CURRENT_DATE - 1, clock_timestamp());
SELECT is(pg_temp.outcome('tst:MAN'), 'attestation_expired', 'expiry flips attested to attestation_expired');
SELECT throws_ok($$SELECT compmap.attest('30000000-0000-4000-8000-0000000000d0', 'tst:MAN', 'ciso', 'x', 'y', CURRENT_DATE - 1)$$,
                 '22023', NULL, 'an attestation valid until the past is refused');

-- applicability
SELECT throws_ok($$SELECT compmap.set_applicability('30000000-0000-4000-8000-0000000000d0', 'tst:OUT', false, '')$$,
                 '23502', NULL, 'an exclusion without a justification is refused');
SELECT compmap.set_applicability('30000000-0000-4000-8000-0000000000d0', 'tst:OUT', false, 'no such systems');
SELECT is(pg_temp.outcome('tst:OUT'), 'not_applicable', 'an excluded control is not_applicable');

SELECT results_eq(
    $$SELECT applicable, numerator, passed, attested, partially_evidenced, failed, attestation_expired, not_assessed, not_applicable
        FROM compmap.framework_score WHERE tenant_id = '30000000-0000-4000-8000-0000000000d0' AND framework = 'tst'$$,
    $$VALUES (7, 2, 2, 0, 2, 0, 2, 1, 1)$$,
    'framework_score counts every outcome; score = (passed + attested) / applicable');
SELECT is((SELECT count(*)::int FROM compmap.statement_of_applicability WHERE tenant_id = '30000000-0000-4000-8000-0000000000d0'),
          93, 'the Statement of Applicability has exactly the 93 Annex A controls');
SELECT cmp_ok(compmap.refresh_reports(), '>=', 11, 'refresh_reports takes a snapshot per tenant and framework');

SELECT * FROM finish();
ROLLBACK;
