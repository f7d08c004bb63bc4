-- Honest compliance scoring (docs/scoring.md): control outcomes, manual
-- attestations, the Statement of Applicability, framework scores and
-- reporting views.  A control is never shown as passing because nothing
-- failed: `passed` needs a fully machine-testable control and a fresh scan
-- that covers it; everything a scanner cannot test needs an attestation.

CREATE TABLE @extschema@.tenant_setting (
    tenant_id       uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    scan_freshness  interval    NOT NULL DEFAULT '30 days' CHECK (scan_freshness > '0'::interval),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE @extschema@.tenant_setting IS 'Per-tenant settings; tenants without a row use the defaults (scan_freshness 30 days).';
COMMENT ON COLUMN @extschema@.tenant_setting.scan_freshness IS 'How long a scan counts as current evidence for the controls it covers.';

CREATE TABLE @extschema@.attestation (
    tenant_id       uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    attestation_id  uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    framework       text        NOT NULL,
    control         text        NOT NULL,
    attested_by     text        NOT NULL CHECK (attested_by <> ''),
    statement       text        NOT NULL CHECK (statement <> ''),
    evidence_ref    text        NOT NULL CHECK (evidence_ref <> ''),
    valid_from      date        NOT NULL,
    valid_until     date        NOT NULL,
    attested_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (tenant_id, attestation_id),
    FOREIGN KEY (framework, control) REFERENCES @extschema@.control (framework, control),
    CHECK (valid_until >= valid_from)
);
CREATE INDEX attestation_control ON @extschema@.attestation (tenant_id, framework, control);
COMMENT ON TABLE @extschema@.attestation IS 'Manual attestations: who attested what about a control, on what evidence, valid until when. Append-only: the latest attestation of a control supersedes the earlier ones (compmap.current_attestation).';
COMMENT ON COLUMN @extschema@.attestation.evidence_ref IS 'Where the evidence is: a document id, ticket, URL or archive reference.';

CREATE TABLE @extschema@.applicability (
    tenant_id       uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    framework       text        NOT NULL,
    control         text        NOT NULL,
    applicable      boolean     NOT NULL,
    justification   text        NOT NULL CHECK (justification <> ''),
    decided_by      text        NOT NULL,
    decided_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, framework, control),
    FOREIGN KEY (framework, control) REFERENCES @extschema@.control (framework, control)
);
COMMENT ON TABLE @extschema@.applicability IS 'Statement of Applicability decisions (ISO/IEC 27001:2022 clause 6.1.3 d): each inclusion or exclusion with its justification. History is in the evidence log.';

CREATE TABLE @extschema@.score_snapshot (
    tenant_id           uuid    NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    snapshot_date       date    NOT NULL,
    framework           text    NOT NULL,
    applicable          integer NOT NULL,
    passed              integer NOT NULL,
    attested            integer NOT NULL,
    partially_evidenced integer NOT NULL,
    failed              integer NOT NULL,
    attestation_expired integer NOT NULL,
    not_assessed        integer NOT NULL,
    not_applicable      integer NOT NULL,
    score               numeric,
    coverage            numeric,
    open_findings       integer NOT NULL,
    PRIMARY KEY (tenant_id, snapshot_date, framework)
);
COMMENT ON TABLE @extschema@.score_snapshot IS 'Daily framework scores, taken by compmap.refresh_reports(), for trends over time.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_setting', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attestation', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.applicability', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.score_snapshot', '');

ALTER TABLE @extschema@.tenant_setting ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.attestation ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.applicability ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.score_snapshot ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_setting_tenant ON @extschema@.tenant_setting USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY attestation_tenant ON @extschema@.attestation USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY applicability_tenant ON @extschema@.applicability USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY score_snapshot_tenant ON @extschema@.score_snapshot USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));

CREATE TRIGGER attestation_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON @extschema@.attestation
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();

CREATE VIEW @extschema@.current_attestation WITH (security_invoker = true) AS
SELECT DISTINCT ON (a.tenant_id, a.framework, a.control)
       a.tenant_id, a.framework, a.control, a.attestation_id, a.attested_by, a.statement, a.evidence_ref,
       a.valid_from, a.valid_until, a.attested_at,
       a.valid_from <= CURRENT_DATE AND a.valid_until >= CURRENT_DATE AS valid
  FROM @extschema@.attestation a
 ORDER BY a.tenant_id, a.framework, a.control, a.attested_at DESC, a.attestation_id;
COMMENT ON VIEW @extschema@.current_attestation IS 'The latest attestation of each control per tenant (it supersedes the earlier ones), and whether it is valid today.';

-- The evidence-log subject of a control within a tenant: one chain per
-- control, so every attestation and applicability decision about it is
-- provably complete.
CREATE FUNCTION @extschema@.control_subject(tenant uuid, framework text, control text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.md5('compmap.control/' || tenant::text || '/' || framework || ':' || control)::uuid
$$;
COMMENT ON FUNCTION @extschema@.control_subject(uuid, text, text) IS 'The evidence-log subject id of a control within a tenant (attestations and applicability decisions chain on it).';

CREATE FUNCTION @extschema@.resolve_control(ref text) RETURNS @extschema@.control
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parts record;
    c @extschema@.control;
BEGIN
    SELECT * INTO parts FROM @extschema@.split_control_ref(ref);
    SELECT * INTO c FROM @extschema@.control x WHERE x.framework = parts.framework AND x.control = parts.control;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'control "%" is not in the catalogue', ref
            USING ERRCODE = 'undefined_object',
                  HINT = 'List controls with SELECT framework || '':'' || control FROM compmap.control.';
    END IF;
    IF c.testability IS NULL THEN
        RAISE EXCEPTION 'control "%" is a heading (%), not an assessable control', ref, c.kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN c;
END
$$;
COMMENT ON FUNCTION @extschema@.resolve_control(text) IS 'The catalogue row of an assessable control (framework:control), or a clear error.';

CREATE FUNCTION @extschema@.attest(tenant uuid, control text, attested_by text, statement text,
                                   evidence_ref text, valid_until date,
                                   valid_from date DEFAULT CURRENT_DATE) RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.control := @extschema@.resolve_control(control);
    new_id uuid := pg_catalog.gen_random_uuid();
    previous uuid;
BEGIN
    IF coalesce(attested_by, '') = '' OR coalesce(statement, '') = '' OR coalesce(evidence_ref, '') = '' THEN
        RAISE EXCEPTION 'an attestation needs who attests, a statement and an evidence reference'
            USING ERRCODE = 'not_null_violation';
    END IF;
    IF valid_until IS NULL OR valid_until < CURRENT_DATE OR valid_until < coalesce(valid_from, CURRENT_DATE) THEN
        RAISE EXCEPTION 'an attestation must be valid until a date not before today and not before it starts, not %', valid_until
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT a.attestation_id INTO previous FROM @extschema@.current_attestation a
     WHERE a.tenant_id = attest.tenant AND a.framework = c.framework AND a.control = c.control;
    INSERT INTO @extschema@.attestation (tenant_id, attestation_id, framework, control, attested_by, statement,
                                         evidence_ref, valid_from, valid_until)
    VALUES (tenant, new_id, c.framework, c.control, attested_by, statement, evidence_ref,
            coalesce(valid_from, CURRENT_DATE), valid_until);
    PERFORM @extschema@.record_event(tenant, @extschema@.control_subject(tenant, c.framework, c.control),
        'attestation.recorded', attested_by,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'attestation_id', new_id, 'control', c.framework || ':' || c.control, 'statement', statement,
            'evidence_ref', evidence_ref, 'valid_from', coalesce(valid_from, CURRENT_DATE),
            'valid_until', valid_until, 'supersedes', previous)));
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.attest(uuid, text, text, text, text, date, date) IS 'Records a manual attestation of a control (framework:control): who, what, on what evidence, valid until when; supersedes the previous one; logged in the evidence log. Returns its id.';

CREATE FUNCTION @extschema@.set_applicability(tenant uuid, control text, applicable boolean, justification text,
                                              decided_by text DEFAULT CURRENT_USER) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.control := @extschema@.resolve_control(control);
BEGIN
    IF applicable IS NULL THEN
        RAISE EXCEPTION 'applicable must be true or false' USING ERRCODE = 'not_null_violation';
    END IF;
    -- ISO/IEC 27001:2022 clause 6.1.3 d): a justification for each inclusion and exclusion.
    IF coalesce(pg_catalog.btrim(justification), '') = '' THEN
        RAISE EXCEPTION '% of % needs a justification', CASE WHEN applicable THEN 'inclusion' ELSE 'exclusion' END, control
            USING ERRCODE = 'not_null_violation',
                  HINT = 'ISO/IEC 27001:2022 clause 6.1.3 d) asks for the justification of every inclusion and exclusion.';
    END IF;
    INSERT INTO @extschema@.applicability (tenant_id, framework, control, applicable, justification, decided_by, decided_at)
    VALUES (tenant, c.framework, c.control, applicable, justification, decided_by, pg_catalog.now())
    ON CONFLICT ON CONSTRAINT applicability_pkey DO UPDATE
       SET applicable = EXCLUDED.applicable, justification = EXCLUDED.justification,
           decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at;
    PERFORM @extschema@.record_event(tenant, @extschema@.control_subject(tenant, c.framework, c.control),
        'applicability.set', decided_by,
        pg_catalog.jsonb_build_object('control', c.framework || ':' || c.control,
                                      'applicable', applicable, 'justification', justification));
END
$$;
COMMENT ON FUNCTION @extschema@.set_applicability(uuid, text, boolean, text, text) IS 'Includes or excludes a control in the tenant''s Statement of Applicability, with the justification ISO/IEC 27001 clause 6.1.3 d) requires; logged in the evidence log.';

CREATE FUNCTION @extschema@.set_scan_freshness(tenant uuid, freshness interval) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO @extschema@.tenant_setting (tenant_id, scan_freshness) VALUES (tenant, freshness)
    ON CONFLICT (tenant_id) DO UPDATE SET scan_freshness = EXCLUDED.scan_freshness, updated_at = pg_catalog.now()
$$;
COMMENT ON FUNCTION @extschema@.set_scan_freshness(uuid, interval) IS 'How long a scan counts as current evidence for the tenant (default 30 days).';

-- The outcome of every assessable control for every visible tenant.
-- Evidence is gathered per tenant × control, then one CASE decides; the
-- reasons column says which evidence decided and how it reached the control.
CREATE VIEW @extschema@.control_status WITH (security_invoker = true) AS
WITH tenants AS (
    SELECT t.tenant_id, coalesce(s.scan_freshness, '30 days'::interval) AS freshness
      FROM @extschema@.tenant t LEFT JOIN @extschema@.tenant_setting s USING (tenant_id)
),
controls AS (
    SELECT c.framework, c.control, c.testability, c.sort_key
      FROM @extschema@.control c
     WHERE c.testability IS NOT NULL
),
-- Open findings, mapped once per distinct (cwe ids, scanner, category).
open_signatures AS (
    SELECT f.tenant_id, f.cwe_ids, f.scanner, f.category, pg_catalog.count(*) AS findings
      FROM @extschema@.finding f
     WHERE @extschema@.is_open(f.status)
     GROUP BY f.tenant_id, f.cwe_ids, f.scanner, f.category
),
signature_examples AS (
    -- up to five findings per signature name the evidence; compmap.finding_controls lists all
    SELECT s.*, (SELECT pg_catalog.array_agg(x.finding_id)
                   FROM (SELECT y.finding_id FROM @extschema@.finding y
                          WHERE y.tenant_id = s.tenant_id AND y.cwe_ids = s.cwe_ids
                            AND y.scanner IS NOT DISTINCT FROM s.scanner AND y.category IS NOT DISTINCT FROM s.category
                            AND @extschema@.is_open(y.status)
                          LIMIT 5) x) AS examples
      FROM open_signatures s
),
finding_hits AS (
    SELECT s.tenant_id, m.framework, m.control,
           pg_catalog.bool_or(m.fail_propagates) AS failing,
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
               'findings', s.findings, 'example_findings', s.examples,
               'path', m.path, 'relationships', m.relationships, 'fails', m.fail_propagates)) AS detail,
           pg_catalog.sum(s.findings) FILTER (WHERE m.fail_propagates) AS failing_findings,
           pg_catalog.sum(s.findings) FILTER (WHERE NOT m.fail_propagates) AS review_findings
      FROM signature_examples s
     CROSS JOIN LATERAL @extschema@.controls_for(s.cwe_ids, s.scanner, s.category, s.tenant_id) m
     GROUP BY s.tenant_id, m.framework, m.control
),
-- Fresh scans and the controls their scanner family covers.
fresh_families AS (
    SELECT DISTINCT sc.tenant_id, sc.format
      FROM @extschema@.scan sc JOIN tenants t USING (tenant_id)
     WHERE sc.scanned_at >= pg_catalog.now() - t.freshness
),
covered_direct AS (
    SELECT DISTINCT ff.tenant_id, r.framework, r.control, r.framework || ':' || r.control AS via
      FROM fresh_families ff
      JOIN @extschema@.mapping_rule r
        ON r.kind = 'rule_family' AND (r.key = ff.format OR r.key LIKE ff.format || ':%')
),
coverage AS (
    SELECT d.tenant_id, d.framework, d.control, true AS full_coverage, 'scan ' || d.via AS via FROM covered_direct d
    UNION ALL
    SELECT d.tenant_id, x.framework, x.control, x.pass_propagates, 'scan ' || pg_catalog.array_to_string(x.path, ' -> ')
      FROM covered_direct d
     CROSS JOIN LATERAL @extschema@.crosswalk(d.via, NULL, 1) x
     WHERE NOT 'not_related' = ANY (x.relationships)
),
coverage_best AS (
    SELECT tenant_id, framework, control, pg_catalog.bool_or(full_coverage) AS full_coverage,
           pg_catalog.min(via) AS via
      FROM coverage GROUP BY tenant_id, framework, control
),
-- Current attestations, and where they count through the crosswalk.
current_attestations AS (
    SELECT a.tenant_id, a.framework, a.control, a.attestation_id, a.valid_until, a.evidence_ref, a.valid
      FROM @extschema@.current_attestation a
),
attestation_reach AS (
    SELECT ca.tenant_id, ca.framework, ca.control, ca.valid, true AS counts_fully, ca.valid_until,
           ca.evidence_ref, ca.framework || ':' || ca.control AS via
      FROM current_attestations ca
    UNION ALL
    SELECT ca.tenant_id, x.framework, x.control, ca.valid, x.pass_propagates, ca.valid_until, ca.evidence_ref,
           pg_catalog.array_to_string(x.path, ' -> ')
      FROM current_attestations ca
     CROSS JOIN LATERAL @extschema@.crosswalk(ca.framework || ':' || ca.control, NULL, 1) x
     -- only mappings that are certainly related carry evidence
     WHERE NOT 'not_related' = ANY (x.relationships)
),
attestation_best AS (
    SELECT tenant_id, framework, control,
           pg_catalog.bool_or(valid AND counts_fully) AS attested,
           pg_catalog.bool_or(valid AND NOT counts_fully) AS attested_partly,
           pg_catalog.bool_or(NOT valid AND counts_fully) AS expired,
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('via', via, 'valid', valid, 'counts_fully', counts_fully,
                                                              'valid_until', valid_until, 'evidence_ref', evidence_ref)
                                ORDER BY counts_fully DESC, via) AS detail
      FROM attestation_reach GROUP BY tenant_id, framework, control
),
evaluated AS (
    SELECT t.tenant_id, c.framework, c.control, c.testability, c.sort_key,
           ap.applicable, ap.justification,
           fh.failing, fh.failing_findings, fh.review_findings, fh.detail AS finding_detail,
           cb.full_coverage, cb.via AS coverage_via,
           ab.attested, ab.attested_partly, ab.expired, ab.detail AS attestation_detail
      FROM tenants t
     CROSS JOIN controls c
      LEFT JOIN @extschema@.applicability ap ON ap.tenant_id = t.tenant_id AND ap.framework = c.framework AND ap.control = c.control
      LEFT JOIN finding_hits fh ON fh.tenant_id = t.tenant_id AND fh.framework = c.framework AND fh.control = c.control
      LEFT JOIN coverage_best cb ON cb.tenant_id = t.tenant_id AND cb.framework = c.framework AND cb.control = c.control
      LEFT JOIN attestation_best ab ON ab.tenant_id = t.tenant_id AND ab.framework = c.framework AND ab.control = c.control
)
SELECT e.tenant_id, e.framework, e.control, e.framework || ':' || e.control AS control_ref, e.testability,
       CASE
           WHEN e.applicable IS FALSE THEN 'not_applicable'
           WHEN e.failing THEN 'failed'
           WHEN e.attested THEN 'attested'
           WHEN e.testability = 'automated' AND e.full_coverage AND e.review_findings IS NULL THEN 'passed'
           WHEN e.testability IN ('automated', 'partial') AND e.full_coverage IS NOT NULL THEN 'partially_evidenced'
           -- a manual control: scans say nothing about it, only attestations do
           WHEN e.attested_partly THEN 'partially_evidenced'
           WHEN e.expired THEN 'attestation_expired'
           ELSE 'not_assessed'
       END AS outcome,
       coalesce(e.failing_findings, 0)::integer AS failing_findings,
       coalesce(e.review_findings, 0)::integer AS findings_to_review,
       pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'excluded_because', CASE WHEN e.applicable IS FALSE THEN e.justification END,
           'findings', e.finding_detail,
           'scan_coverage', CASE WHEN e.full_coverage IS NOT NULL THEN pg_catalog.jsonb_build_object(
                                     'via', e.coverage_via, 'full', e.full_coverage,
                                     'why_not_passed', CASE
                                         WHEN e.testability = 'manual' THEN 'control is manual: only an attestation can show it'
                                         WHEN e.testability <> 'automated' THEN 'control is ' || e.testability || ': a scan cannot show all of it'
                                         WHEN NOT e.full_coverage THEN 'scan evidence reaches it only through an intersects or subset mapping'
                                         WHEN e.review_findings IS NOT NULL THEN 'open findings may affect it (intersects mapping): review them' END) END,
           'attestations', e.attestation_detail)) AS reasons,
       e.sort_key
  FROM evaluated e;
COMMENT ON VIEW @extschema@.control_status IS 'Outcome of every assessable control for every visible tenant: failed, passed (automated control, fresh covering scan, no open finding), partially_evidenced, attested, attestation_expired, not_assessed or not_applicable, with the reasons (findings and mapping paths, scan coverage, attestations).';
COMMENT ON COLUMN @extschema@.control_status.outcome IS 'failed | attested | passed | partially_evidenced | attestation_expired | not_assessed | not_applicable (docs/scoring.md).';
COMMENT ON COLUMN @extschema@.control_status.failing_findings IS 'Open findings that count against the control (equal or subset mapping path).';
COMMENT ON COLUMN @extschema@.control_status.findings_to_review IS 'Open findings related only through an intersects mapping: they may affect the control.';
COMMENT ON COLUMN @extschema@.control_status.reasons IS 'The evidence behind the outcome: findings with their mapping paths, scan coverage and why it is not a pass, attestations and how they reach the control, the exclusion justification.';
COMMENT ON COLUMN @extschema@.control_status.testability IS 'automated, partial or manual: what a scanner can show of the control.';

CREATE VIEW @extschema@.framework_score WITH (security_invoker = true) AS
SELECT cs.tenant_id, cs.framework, f.name AS framework_name,
       pg_catalog.count(*) FILTER (WHERE cs.outcome <> 'not_applicable')::integer AS applicable,
       pg_catalog.count(*) FILTER (WHERE cs.outcome IN ('passed', 'attested'))::integer AS numerator,
       pg_catalog.count(*) FILTER (WHERE cs.outcome = 'passed')::integer AS passed,
       pg_catalog.count(*) FILTER (WHERE cs.outcome = 'attested')::integer AS attested,
       pg_catalog.count(*) FILTER (WHERE cs.outcome = 'partially_evidenced')::integer AS partially_evidenced,
       pg_catalog.count(*) FILTER (WHERE cs.outcome = 'failed')::integer AS failed,
       pg_catalog.count(*) FILTER (WHERE cs.outcome = 'attestation_expired')::integer AS attestation_expired,
       pg_catalog.count(*) FILTER (WHERE cs.outcome = 'not_assessed')::integer AS not_assessed,
       pg_catalog.count(*) FILTER (WHERE cs.outcome = 'not_applicable')::integer AS not_applicable,
       pg_catalog.round(pg_catalog.count(*) FILTER (WHERE cs.outcome IN ('passed', 'attested'))::numeric
                        / NULLIF(pg_catalog.count(*) FILTER (WHERE cs.outcome <> 'not_applicable'), 0), 4) AS score,
       pg_catalog.round(pg_catalog.count(*) FILTER (WHERE cs.outcome NOT IN ('not_applicable', 'not_assessed'))::numeric
                        / NULLIF(pg_catalog.count(*) FILTER (WHERE cs.outcome <> 'not_applicable'), 0), 4) AS coverage
  FROM @extschema@.control_status cs
  JOIN @extschema@.framework f ON f.framework = cs.framework
 GROUP BY cs.tenant_id, cs.framework, f.name;
COMMENT ON VIEW @extschema@.framework_score IS 'Per tenant and framework: score = (passed + attested) / applicable controls; not_assessed counts against; coverage = assessed / applicable. No weighting (docs/scoring.md).';
COMMENT ON COLUMN @extschema@.framework_score.score IS '(passed + attested) / applicable, 0..1.';
COMMENT ON COLUMN @extschema@.framework_score.coverage IS 'Share of applicable controls with any evidence at all (not not_assessed), 0..1.';
COMMENT ON COLUMN @extschema@.framework_score.numerator IS 'passed + attested.';
COMMENT ON COLUMN @extschema@.framework_score.applicable IS 'Assessable controls not excluded in the Statement of Applicability.';

CREATE VIEW @extschema@.statement_of_applicability WITH (security_invoker = true) AS
SELECT cs.tenant_id, c.control AS annex_a_control, c.title, c.attributes->>'theme' AS theme,
       CASE WHEN ap.applicable IS NULL THEN 'undecided' WHEN ap.applicable THEN 'included' ELSE 'excluded' END AS applicability,
       ap.justification, ap.decided_by, ap.decided_at::date AS decided_on,
       cs.outcome AS implementation,
       (SELECT a.evidence_ref || ' (' || a.attested_by || ', valid until ' || a.valid_until || ')'
          FROM @extschema@.current_attestation a
         WHERE a.tenant_id = cs.tenant_id AND a.framework = c.framework AND a.control = c.control) AS evidence_refs,
       cs.failing_findings
  FROM @extschema@.control_status cs
  JOIN @extschema@.control c ON c.framework = cs.framework AND c.control = cs.control
  LEFT JOIN @extschema@.applicability ap ON ap.tenant_id = cs.tenant_id AND ap.framework = c.framework AND ap.control = c.control
 WHERE cs.framework = 'iso27001_2022' AND c.kind = 'control'
 ORDER BY cs.tenant_id, c.sort_key;
COMMENT ON VIEW @extschema@.statement_of_applicability IS 'Every ISO/IEC 27001:2022 Annex A control for each tenant: included, excluded or undecided, the justification, the implementation outcome and evidence references. Export with COPY (SELECT ...) TO ... (FORMAT csv, HEADER).';

-- Reporting views for BI tools.
CREATE VIEW @extschema@.open_findings_by_severity WITH (security_invoker = true) AS
SELECT f.tenant_id, f.severity,
       pg_catalog.count(*)::integer AS open_findings,
       pg_catalog.count(*) FILTER (WHERE f.first_seen > pg_catalog.now() - interval '7 days')::integer AS younger_than_7_days,
       pg_catalog.count(*) FILTER (WHERE f.first_seen <= pg_catalog.now() - interval '7 days' AND f.first_seen > pg_catalog.now() - interval '30 days')::integer AS from_7_to_30_days,
       pg_catalog.count(*) FILTER (WHERE f.first_seen <= pg_catalog.now() - interval '30 days' AND f.first_seen > pg_catalog.now() - interval '90 days')::integer AS from_30_to_90_days,
       pg_catalog.count(*) FILTER (WHERE f.first_seen <= pg_catalog.now() - interval '90 days')::integer AS older_than_90_days,
       pg_catalog.count(*) FILTER (WHERE f.due_date < CURRENT_DATE)::integer AS past_due
  FROM @extschema@.finding f
 WHERE @extschema@.is_open(f.status)
 GROUP BY f.tenant_id, f.severity;
COMMENT ON VIEW @extschema@.open_findings_by_severity IS 'Open findings per tenant and severity, bucketed by age since first seen, with how many are past their SLA due date.';

CREATE VIEW @extschema@.score_trend WITH (security_invoker = true) AS
SELECT s.tenant_id, s.framework, s.snapshot_date, s.score, s.coverage, s.failed, s.open_findings,
       s.score - pg_catalog.lag(s.score) OVER (PARTITION BY s.tenant_id, s.framework ORDER BY s.snapshot_date) AS score_change
  FROM @extschema@.score_snapshot s;
COMMENT ON VIEW @extschema@.score_trend IS 'Daily framework scores with the change from the previous snapshot.';

-- Takes today's snapshot for every visible tenant (replacing an earlier one
-- of the same day).  Schedule it daily: docs/scoring.md shows pg_cron and cron.
CREATE FUNCTION @extschema@.refresh_reports(snapshot_date date DEFAULT CURRENT_DATE) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM @extschema@.score_snapshot s WHERE s.snapshot_date = refresh_reports.snapshot_date;
    INSERT INTO @extschema@.score_snapshot (tenant_id, snapshot_date, framework, applicable, passed, attested,
                                            partially_evidenced, failed, attestation_expired, not_assessed,
                                            not_applicable, score, coverage, open_findings)
    SELECT fs.tenant_id, refresh_reports.snapshot_date, fs.framework, fs.applicable, fs.passed, fs.attested,
           fs.partially_evidenced, fs.failed, fs.attestation_expired, fs.not_assessed, fs.not_applicable,
           fs.score, fs.coverage,
           (SELECT pg_catalog.count(*) FROM @extschema@.finding f
             WHERE f.tenant_id = fs.tenant_id AND @extschema@.is_open(f.status))
      FROM @extschema@.framework_score fs;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.refresh_reports(date) IS 'Takes the daily score snapshot (compmap.score_snapshot) for every tenant the caller can see; returns the rows written. Schedule daily with pg_cron or cron + psql.';
