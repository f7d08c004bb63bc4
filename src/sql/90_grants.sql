-- Privileges.  Nothing is granted to PUBLIC; each role gets what its job
-- needs (docs/security.md).  No compmap role may UPDATE, DELETE or TRUNCATE
-- the evidence log, its head, its nodes or the checkpoints.

REVOKE ALL ON SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;

-- Except what compmap's types cannot work without, as for every built-in
-- type: input/output, send/receive, the functions behind their operators
-- and operator classes, and their casts.  They read no table and take no
-- tenant.  Without this grant a role that may read a finding still could
-- not cast its status or CVSS vector to text (42501 on finding_status_out),
-- because these functions carry a SET clause.  test/pgtap/function_rules.sql
-- fails on any other function executable by PUBLIC.
DO $public_type_support$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = '@extschema@'::regnamespace
           AND p.oid IN (SELECT t.typinput FROM pg_catalog.pg_type t UNION SELECT t.typoutput FROM pg_catalog.pg_type t
                         UNION SELECT t.typreceive FROM pg_catalog.pg_type t UNION SELECT t.typsend FROM pg_catalog.pg_type t
                         UNION SELECT o.oprcode FROM pg_catalog.pg_operator o
                         UNION SELECT a.amproc FROM pg_catalog.pg_amproc a
                         UNION SELECT c.castfunc FROM pg_catalog.pg_cast c)
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
    END LOOP;
END
$public_type_support$;

GRANT USAGE ON SCHEMA @extschema@ TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;

GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@ TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;
GRANT INSERT, UPDATE ON @extschema@.tenant TO compmap_admin;
GRANT INSERT, DELETE ON @extschema@.tenant_access TO compmap_admin;
GRANT INSERT ON @extschema@.evidence TO compmap_admin, compmap_writer;
GRANT INSERT ON @extschema@.signing_key TO compmap_admin;
GRANT UPDATE (revoked_at) ON @extschema@.signing_key TO compmap_admin;

-- Functions every compmap role may call: reads, proofs, verification.
GRANT EXECUTE ON FUNCTION
    @extschema@.current_tenants(),
    @extschema@.jcs(jsonb),
    @extschema@.payload_digest(jsonb),
    @extschema@.encode_leaf(uuid, bigint, uuid, bigint, bytea, text, text, timestamptz, timestamptz, bytea),
    @extschema@.leaf_hash(bytea),
    @extschema@.node_hash(bytea, bytea),
    @extschema@.leaf_bytes(uuid, bigint),
    @extschema@.tree_size(uuid),
    @extschema@.tree_root(uuid, bigint),
    @extschema@.inclusion_proof(uuid, bigint, bigint),
    @extschema@.consistency_proof(uuid, bigint, bigint),
    @extschema@.verify_inclusion(bytea, bigint, bigint, bytea[], bytea),
    @extschema@.verify_consistency(bigint, bigint, bytea, bytea, bytea[]),
    @extschema@.verify(uuid),
    @extschema@.verify_checkpoint(text, text, bytea),
    @extschema@.checkpoint_body(uuid)
TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;

-- Writing evidence and recording checkpoints.
GRANT EXECUTE ON FUNCTION
    @extschema@.record_event(uuid, uuid, text, text, jsonb, timestamptz),
    @extschema@.record_checkpoint(uuid, text)
TO compmap_admin, compmap_writer;

-- Operator functions.
GRANT EXECUTE ON FUNCTION
    @extschema@.create_tenant(text),
    @extschema@.grant_tenant_access(uuid, name),
    @extschema@.revoke_tenant_access(uuid, name),
    @extschema@.register_signing_key(uuid, text, bytea),
    @extschema@.redact(uuid, bigint, text, text)
TO compmap_admin;

-- Findings.
GRANT INSERT ON @extschema@.asset, @extschema@.scan TO compmap_admin, compmap_writer;
GRANT INSERT, UPDATE ON @extschema@.finding TO compmap_admin, compmap_writer;
GRANT INSERT, UPDATE ON @extschema@.sla_policy TO compmap_admin;
GRANT EXECUTE ON FUNCTION
    @extschema@.sla_days(uuid, text),
    @extschema@.normalize_severity(text),
    @extschema@.finding_fingerprint(text, text, text, text, text, jsonb),
    @extschema@.check_transition(@extschema@.finding_status, @extschema@.finding_status)
TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;
GRANT EXECUTE ON FUNCTION
    @extschema@.set_status(uuid, @extschema@.finding_status, text, text, text, text, date, uuid),
    @extschema@.record_finding(uuid, text, text, text, text, @extschema@.cvss, text, text, text, text, text[], text[], text, text[], bytea, timestamptz, text),
    @extschema@.expire_risk_acceptances(date),
    @extschema@.finding_created_payload(text, text, text, bytea, text, @extschema@.cvss, text[], text[], text, uuid, text, date, timestamptz)
TO compmap_admin, compmap_writer;
GRANT EXECUTE ON FUNCTION @extschema@.set_sla(uuid, text, integer) TO compmap_admin;

-- Auditor packs and their helpers: read-only, for every role.
GRANT EXECUTE ON FUNCTION
    @extschema@.utc_text(timestamptz),
    @extschema@.unix_us(timestamptz),
    @extschema@.evidence_entry_json(@extschema@.evidence),
    @extschema@.hashes_b64(bytea[]),
    @extschema@.auditor_pack(uuid, bigint),
    @extschema@.export_log(uuid)
TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;

-- Catalogue and crosswalk: global data every role reads (SELECT above);
-- written only through the SECURITY DEFINER functions, by compmap_admin.
GRANT EXECUTE ON FUNCTION
    @extschema@.crosswalk(text, text, integer),
    @extschema@.split_control_ref(text),
    @extschema@.controls_for(text[], text, text, uuid)
TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;
GRANT EXECUTE ON FUNCTION
    @extschema@.add_framework(text, text, text, text, text, text),
    @extschema@.add_control(text, text, text, text, text, jsonb),
    @extschema@.add_mapping_source(text, text, text, text, text, text),
    @extschema@.add_edge(text, text, text, text, text, integer, boolean, text),
    @extschema@.remove_edge(text, text, text),
    @extschema@.remove_framework(text),
    @extschema@.add_mapping_rule(text, text, text, text, text, text)
TO compmap_admin;
-- Per-tenant rule overrides are tenant-owned rows, limited by row-level security.
GRANT INSERT, UPDATE, DELETE ON @extschema@.tenant_mapping_rule TO compmap_admin, compmap_writer;

-- Scoring.
GRANT INSERT, UPDATE ON @extschema@.tenant_setting TO compmap_admin;
GRANT INSERT ON @extschema@.attestation TO compmap_admin, compmap_writer;
GRANT INSERT, UPDATE ON @extschema@.applicability TO compmap_admin, compmap_writer;
GRANT INSERT, DELETE ON @extschema@.score_snapshot TO compmap_admin, compmap_writer;
GRANT EXECUTE ON FUNCTION
    @extschema@.control_subject(uuid, text, text),
    @extschema@.resolve_control(text)
TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;
GRANT EXECUTE ON FUNCTION
    @extschema@.attest(uuid, text, text, text, text, date, date),
    @extschema@.set_applicability(uuid, text, boolean, text, text),
    @extschema@.refresh_reports(date)
TO compmap_admin, compmap_writer;
GRANT EXECUTE ON FUNCTION @extschema@.set_scan_freshness(uuid, interval) TO compmap_admin;

-- Ingest.
GRANT EXECUTE ON FUNCTION
    @extschema@.ingest(uuid, text, text, timestamptz, text),
    @extschema@.ingest_document(uuid, text, text, timestamptz, text),
    @extschema@.detect_format(text),
    @extschema@.ingest_parse(text, text),
    @extschema@.ingest_parse_json(text, text),
    @extschema@.document_sha256(text),
    @extschema@.json_nul_replaced(text),
    @extschema@.ingest_parse_xml(text, text),
    @extschema@.ingest_parse_jsonl(text, text),
    @extschema@.ingest_json_format(jsonb),
    @extschema@.ingest_map(text, jsonb, xml),
    @extschema@.map_sarif(jsonb),
    @extschema@.map_sarif_reference(jsonb),
    @extschema@.map_sarif_text(text),
    @extschema@.sarif_scan(text, text),
    @extschema@.json_scan(text, text),
    @extschema@.map_trivy(jsonb),
    @extschema@.map_trivy_text(text),
    @extschema@.map_trivy_k8s(jsonb),
    @extschema@.map_trivy_reference(jsonb),
    @extschema@.map_grype(jsonb),
    @extschema@.map_grype_text(text),
    @extschema@.map_grype_reference(jsonb),
    @extschema@.map_openvas(xml),
    @extschema@.map_openvas_reference(xml),
    @extschema@.map_openvas_text(text),
    @extschema@.map_nessus(xml),
    @extschema@.map_nessus_reference(xml),
    @extschema@.map_nessus_text(text),
    @extschema@.xml_scan(text, text),
    @extschema@.map_zap(jsonb),
    @extschema@.map_zap_reference(jsonb),
    @extschema@.map_zap_text(text),
    @extschema@.map_zap_xml(xml),
    @extschema@.map_zap_xml_reference(xml),
    @extschema@.map_zap_xml_text(text),
    @extschema@.map_nuclei(jsonb),
    @extschema@.map_nuclei_reference(jsonb),
    @extschema@.map_nuclei_text(text),
    @extschema@.jsonl_scan(text, text),
    @extschema@.ingest_array(jsonb),
    @extschema@.severity_from_score(text),
    @extschema@.ingest_cwe_ids(text[]),
    @extschema@.ingest_cve_ids(text[]),
    @extschema@.ingest_cvss(text),
    @extschema@.ingest_category(text, text, text, text[]),
    @extschema@.ingest_title(text),
    @extschema@.ingest_urls(text[]),
    @extschema@.ingest_strip_html(text)
TO compmap_admin, compmap_writer;

-- OSCAL exports: read-only, for every role.
GRANT EXECUTE ON FUNCTION
    @extschema@.oscal_uuid(text),
    @extschema@.oscal_control_id(text, text),
    @extschema@.oscal_assessment_results(uuid, text, timestamptz),
    @extschema@.oscal_poam(uuid, timestamptz)
TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;

-- NIS2 (src/sql/75_nis2.sql).  Profiles, governance records, incidents and
-- submissions are tenant-owned rows, limited by row-level security; the
-- governance records and submissions are append-only (no UPDATE granted,
-- and a trigger refuses it anyway).
GRANT INSERT, UPDATE ON @extschema@.entity_profile TO compmap_admin, compmap_writer;
GRANT INSERT ON @extschema@.management_approval, @extschema@.management_training, @extschema@.nis2_duty_record
    TO compmap_admin, compmap_writer;
GRANT INSERT, UPDATE ON @extschema@.incident TO compmap_admin, compmap_writer;
GRANT INSERT ON @extschema@.incident_submission, @extschema@.incident_report_request TO compmap_admin, compmap_writer;
GRANT EXECUTE ON FUNCTION
    @extschema@.sme_size_class(numeric, numeric, numeric),
    @extschema@.nis2_classify(text[], numeric, numeric, numeric, boolean, text, boolean, boolean, text, boolean, text, boolean, boolean),
    @extschema@.nis2_max_fine(text, numeric),
    @extschema@.nis2_subject(uuid, text),
    @extschema@.interval_iso(interval),
    @extschema@.check_time_zone(text),
    @extschema@.add_local(timestamptz, interval, text),
    @extschema@.incident_deadlines_at(timestamptz)
TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;
GRANT EXECUTE ON FUNCTION
    @extschema@.set_entity_profile(uuid, text, text[], numeric, numeric, numeric, text[], numeric, text, boolean, boolean, text, boolean, text, boolean, boolean, text, interval, text),
    @extschema@.record_management_approval(uuid, text, text[], date, bytea, date, text, text, uuid),
    @extschema@.record_management_training(uuid, text, date, text, text, text, text, uuid),
    @extschema@.record_nis2_duty(uuid, text, date, text, date, text, text, uuid),
    @extschema@.incident_for_update(uuid),
    @extschema@.check_incident_time(text, timestamptz, timestamptz),
    @extschema@.open_incident(uuid, text, timestamptz, boolean, boolean, boolean, boolean, boolean, boolean, text, text, uuid),
    @extschema@.assess_incident(uuid, boolean, text, timestamptz, boolean, text),
    @extschema@.set_incident_flags(uuid, boolean, boolean, boolean, timestamptz, text),
    @extschema@.mark_incident_handled(uuid, timestamptz, text),
    @extschema@.request_intermediate_report(uuid, timestamptz, timestamptz, text, text, text, uuid),
    @extschema@.record_submission(uuid, text, timestamptz, text, text, text, text, uuid)
TO compmap_admin, compmap_writer;
