-- OSCAL 1.0.6 exports (docs/oscal.md): assessment results from
-- compmap.control_status, and a plan of action and milestones from the open
-- findings.  Validated in the tests against NIST's official 1.0.6 JSON
-- Schemas.  Identifiers are derived from the data, so the same data and
-- as_of give the same document.

-- An RFC 4122 version-5-shaped UUID derived from a name (OSCAL accepts only
-- version 4 and 5 UUIDs).
CREATE FUNCTION @extschema@.oscal_uuid(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.substr(h, 1, 8) || '-' || pg_catalog.substr(h, 9, 4) || '-5' || pg_catalog.substr(h, 14, 3) || '-'
           || pg_catalog.substr('89ab', (pg_catalog.get_byte(pg_catalog.decode(pg_catalog.substr(h, 17, 2), 'hex'), 0) % 4) + 1, 1)
           || pg_catalog.substr(h, 18, 3) || '-' || pg_catalog.substr(h, 21, 12)
      FROM (SELECT pg_catalog.md5('compmap.oscal/' || name) AS h) s
$$;
COMMENT ON FUNCTION @extschema@.oscal_uuid(text) IS 'A version-5-shaped UUID derived from a name, so OSCAL exports of the same data are identical.';

-- OSCAL control ids are tokens (letters first): framework code, a hyphen,
-- and the control with anything else replaced by an underscore.
CREATE FUNCTION @extschema@.oscal_control_id(framework text, control text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT framework || '-' || pg_catalog.regexp_replace(control, '[^A-Za-z0-9._-]', '_', 'g')
$$;
COMMENT ON FUNCTION @extschema@.oscal_control_id(text, text) IS 'The OSCAL control-id (a token) of a compmap control: framework-control.';

CREATE FUNCTION @extschema@.oscal_assessment_results(tenant uuid, framework text,
                                                     as_of timestamptz DEFAULT pg_catalog.now()) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tname text;
    fname text;
    doc jsonb;
BEGIN
    SELECT t.name INTO tname FROM @extschema@.tenant t WHERE t.tenant_id = oscal_assessment_results.tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % does not exist or is not visible to role "%"', tenant, CURRENT_USER
            USING ERRCODE = 'undefined_object';
    END IF;
    SELECT f.name INTO fname FROM @extschema@.framework f WHERE f.framework = oscal_assessment_results.framework;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'framework "%" is not in the catalogue', framework
            USING ERRCODE = 'undefined_object', HINT = 'List them with SELECT framework FROM compmap.framework.';
    END IF;

    WITH cs AS (
        SELECT s.*, c.title, @extschema@.oscal_control_id(s.framework, s.control) AS control_id,
               @extschema@.oscal_uuid(tenant::text || '/' || s.control_ref || '/' || as_of::text) AS key
          FROM @extschema@.control_status s
          JOIN @extschema@.control c ON c.framework = s.framework AND c.control = s.control
         WHERE s.tenant_id = oscal_assessment_results.tenant AND s.framework = oscal_assessment_results.framework
    ),
    evidenced AS (
        SELECT * FROM cs WHERE cs.outcome NOT IN ('not_assessed', 'not_applicable')
    )
    SELECT pg_catalog.jsonb_build_object('assessment-results', pg_catalog.jsonb_build_object(
        'uuid', @extschema@.oscal_uuid('ar/' || tenant::text || '/' || framework || '/' || as_of::text),
        'metadata', pg_catalog.jsonb_build_object(
            'title', 'compmap control outcomes: ' || fname || ' for ' || tname,
            'last-modified', @extschema@.utc_text(as_of),
            'version', 'compmap ' || (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'compmap'),
            'oscal-version', '1.0.6',
            'props', pg_catalog.jsonb_build_array(
                pg_catalog.jsonb_build_object('name', 'tenant', 'ns', 'urn:compmap', 'value', tenant::text),
                pg_catalog.jsonb_build_object('name', 'framework', 'ns', 'urn:compmap', 'value', framework))),
        'import-ap', pg_catalog.jsonb_build_object(
            'href', 'urn:compmap:assessment-plan:' || tenant::text || ':' || framework,
            'remarks', 'compmap assesses continuously from scans, findings and attestations; there is no separate assessment plan document.'),
        'results', pg_catalog.jsonb_build_array(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'uuid', @extschema@.oscal_uuid('result/' || tenant::text || '/' || framework || '/' || as_of::text),
            'title', 'Control outcomes as of ' || @extschema@.utc_text(as_of),
            'description', 'Outcomes computed by compmap.control_status: a control is satisfied only when passed (fully machine-testable, fresh covering scan, no open finding) or attested (valid manual attestation).',
            'start', @extschema@.utc_text(as_of),
            'reviewed-controls', pg_catalog.jsonb_build_object('control-selections', pg_catalog.jsonb_build_array(
                pg_catalog.jsonb_build_object('include-controls',
                    (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('control-id', cs.control_id) ORDER BY cs.sort_key, cs.control)
                       FROM cs WHERE cs.outcome <> 'not_applicable')))),
            'attestations', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                 'parts', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                                     'name', 'attestation',
                                     'title', a.framework || ':' || a.control,
                                     'prose', a.statement || ' (attested by ' || a.attested_by || '; evidence: ' || a.evidence_ref
                                              || '; valid ' || a.valid_from || ' to ' || a.valid_until || ')')))
                                 ORDER BY a.control)
                               FROM @extschema@.current_attestation a
                              WHERE a.tenant_id = oscal_assessment_results.tenant AND a.framework = oscal_assessment_results.framework
                                AND a.valid),
            'observations', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                 'uuid', @extschema@.oscal_uuid('observation/' || e.key),
                                 'title', e.control_ref || ': ' || e.outcome,
                                 'description', e.reasons::text,
                                 'methods', CASE WHEN e.reasons ? 'attestations' AND NOT (e.reasons ? 'findings' OR e.reasons ? 'scan_coverage')
                                                 THEN '["EXAMINE"]'::jsonb
                                                 WHEN e.reasons ? 'attestations' THEN '["TEST", "EXAMINE"]'::jsonb
                                                 ELSE '["TEST"]'::jsonb END,
                                 'collected', @extschema@.utc_text(as_of))
                                 ORDER BY e.sort_key, e.control)
                               FROM evidenced e),
            'findings', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                             'uuid', @extschema@.oscal_uuid('finding/' || cs.key),
                             'title', cs.control_ref || ' ' || cs.title,
                             'description', 'compmap outcome: ' || cs.outcome || CASE WHEN cs.failing_findings > 0
                                            THEN ' (' || cs.failing_findings || ' open findings count against it)' ELSE '' END,
                             'props', pg_catalog.jsonb_build_array(
                                 pg_catalog.jsonb_build_object('name', 'outcome', 'ns', 'urn:compmap', 'value', cs.outcome),
                                 pg_catalog.jsonb_build_object('name', 'testability', 'ns', 'urn:compmap', 'value', cs.testability)),
                             'target', pg_catalog.jsonb_build_object(
                                 'type', 'objective-id',
                                 'target-id', cs.control_id,
                                 'status', pg_catalog.jsonb_build_object(
                                     'state', CASE WHEN cs.outcome IN ('passed', 'attested') THEN 'satisfied' ELSE 'not-satisfied' END,
                                     'reason', CASE WHEN cs.outcome IN ('passed', 'attested') THEN 'pass'
                                                    WHEN cs.outcome = 'failed' THEN 'fail' ELSE 'other' END)),
                             'related-observations', CASE WHEN cs.outcome NOT IN ('not_assessed', 'not_applicable') THEN
                                 pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                                     'observation-uuid', @extschema@.oscal_uuid('observation/' || cs.key))) END))
                             ORDER BY cs.sort_key, cs.control)
                           FROM cs WHERE cs.outcome <> 'not_applicable'))))))
      INTO doc;
    RETURN doc;
END
$$;
COMMENT ON FUNCTION @extschema@.oscal_assessment_results(uuid, text, timestamptz) IS 'OSCAL 1.0.6 assessment results for one tenant and framework: reviewed controls, observations (the evidence), findings (satisfied only when passed or attested) and attestations as attestation parts.';

CREATE FUNCTION @extschema@.oscal_poam(tenant uuid, as_of timestamptz DEFAULT pg_catalog.now()) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    tname text;
    doc jsonb;
BEGIN
    SELECT t.name INTO tname FROM @extschema@.tenant t WHERE t.tenant_id = oscal_poam.tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % does not exist or is not visible to role "%"', tenant, CURRENT_USER
            USING ERRCODE = 'undefined_object';
    END IF;
    WITH items AS (
        SELECT f.*, a.kind AS asset_kind, a.name AS asset_name,
               @extschema@.oscal_uuid('poam/' || f.finding_id::text) AS item_uuid,
               @extschema@.oscal_uuid('risk/' || f.finding_id::text) AS risk_uuid,
               @extschema@.oscal_uuid('poam-observation/' || f.finding_id::text) AS obs_uuid
          FROM @extschema@.finding f
          LEFT JOIN @extschema@.asset a ON a.tenant_id = f.tenant_id AND a.asset_id = f.asset_id
         WHERE f.tenant_id = oscal_poam.tenant
           AND (@extschema@.is_open(f.status) OR f.status::text = 'risk_accepted')
    )
    SELECT CASE WHEN pg_catalog.count(*) = 0 THEN NULL ELSE pg_catalog.jsonb_build_object('plan-of-action-and-milestones', pg_catalog.jsonb_build_object(
        'uuid', @extschema@.oscal_uuid('poam/' || tenant::text || '/' || as_of::text),
        'metadata', pg_catalog.jsonb_build_object(
            'title', 'compmap plan of action and milestones for ' || tname,
            'last-modified', @extschema@.utc_text(as_of),
            'version', 'compmap ' || (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'compmap'),
            'oscal-version', '1.0.6',
            'props', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('name', 'tenant', 'ns', 'urn:compmap', 'value', tenant::text))),
        'observations', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
            'uuid', i.obs_uuid,
            'title', i.title,
            'description', coalesce(nullif(i.description, ''), i.title),
            'methods', '["TEST"]'::jsonb,
            'collected', @extschema@.utc_text(i.last_seen)) ORDER BY i.due_date, i.finding_id),
        'risks', pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'uuid', i.risk_uuid,
            'title', i.title,
            'description', coalesce(nullif(i.description, ''), i.title),
            'statement', i.severity || ' severity finding from ' || coalesce(i.scanner, 'a manual report')
                         || coalesce(' on ' || i.asset_kind || ' ' || i.asset_name, '') || coalesce(' at ' || i.location, ''),
            'status', CASE i.status::text WHEN 'risk_accepted' THEN 'deviation-approved'
                                          WHEN 'assigned' THEN 'remediating' WHEN 'in_progress' THEN 'remediating'
                                          WHEN 'fixed' THEN 'remediating' WHEN 'triaged' THEN 'investigating'
                                          ELSE 'open' END,
            'deadline', @extschema@.utc_text(((i.due_date + 1)::timestamp AT TIME ZONE 'UTC') - interval '1 second'),
            'related-observations', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('observation-uuid', i.obs_uuid))))
            ORDER BY i.due_date, i.finding_id),
        'poam-items', pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'uuid', i.item_uuid,
            'title', i.title,
            'description', 'Remediate by ' || i.due_date || ' (SLA for ' || i.severity || ' severity); status ' || i.status::text
                           || coalesce('; assignee ' || i.assignee, '') || coalesce('; risk accepted by ' || i.risk_accepted_by
                           || ' until ' || i.risk_accepted_until, '') || '.',
            'props', pg_catalog.jsonb_build_array(
                pg_catalog.jsonb_build_object('name', 'finding-id', 'ns', 'urn:compmap', 'value', i.finding_id::text),
                pg_catalog.jsonb_build_object('name', 'severity', 'ns', 'urn:compmap', 'value', i.severity),
                pg_catalog.jsonb_build_object('name', 'status', 'ns', 'urn:compmap', 'value', i.status::text)),
            'related-observations', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('observation-uuid', i.obs_uuid)),
            'related-risks', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('risk-uuid', i.risk_uuid))))
            ORDER BY i.due_date, i.finding_id))) END
      INTO doc
      FROM items i;
    IF doc IS NULL THEN
        RAISE EXCEPTION 'tenant % has no open or risk-accepted finding: a POA&M would have no item', tenant
            USING ERRCODE = 'no_data_found',
                  HINT = 'OSCAL requires at least one POA&M item.';
    END IF;
    RETURN doc;
END
$$;
COMMENT ON FUNCTION @extschema@.oscal_poam(uuid, timestamptz) IS 'OSCAL 1.0.6 plan of action and milestones: every open or risk-accepted finding as a POA&M item with its risk (deadline = SLA due date, end of day UTC) and observation.';
