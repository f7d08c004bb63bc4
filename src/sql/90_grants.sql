-- Privileges.  Nothing is granted to PUBLIC; each role gets what its job
-- needs (docs/security.md).  No compmap role may UPDATE, DELETE or TRUNCATE
-- the evidence log, its head, its nodes or the checkpoints.

REVOKE ALL ON SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;

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
    @extschema@.checkpoint_body(uuid),
    @extschema@.export_log(uuid)
TO compmap_admin, compmap_writer, compmap_reader, compmap_auditor;

-- Writing evidence and recording checkpoints.
GRANT EXECUTE ON FUNCTION
    @extschema@.record_event(uuid, uuid, text, text, jsonb, timestamptz),
    @extschema@.record_checkpoint(uuid, text)
TO compmap_admin, compmap_writer;
GRANT INSERT ON @extschema@.checkpoint TO compmap_admin, compmap_writer;

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
    @extschema@.record_finding(uuid, text, text, text, text, @extschema@.cvss, text, text, text, text, text[], text[], text, text[], bytea, timestamptz),
    @extschema@.expire_risk_acceptances(date)
TO compmap_admin, compmap_writer;
GRANT EXECUTE ON FUNCTION @extschema@.set_sla(uuid, text, integer) TO compmap_admin;

-- Ingest.
GRANT INSERT, UPDATE ON @extschema@.finding_scope TO compmap_admin, compmap_writer;
GRANT EXECUTE ON FUNCTION
    @extschema@.ingest(uuid, text, text, timestamptz, text),
    @extschema@.ingest_document(uuid, text, text, timestamptz, text),
    @extschema@.detect_format(text),
    @extschema@.ingest_parse(text, text),
    @extschema@.ingest_parse_json(text, text),
    @extschema@.ingest_parse_xml(text, text),
    @extschema@.ingest_parse_jsonl(text, text),
    @extschema@.ingest_json_format(jsonb),
    @extschema@.ingest_map(text, jsonb, xml),
    @extschema@.map_sarif(jsonb),
    @extschema@.map_trivy(jsonb),
    @extschema@.map_grype(jsonb),
    @extschema@.map_openvas(xml),
    @extschema@.map_nessus(xml),
    @extschema@.map_zap(jsonb),
    @extschema@.map_zap_xml(xml),
    @extschema@.map_nuclei(jsonb),
    @extschema@.ingest_array(jsonb),
    @extschema@.severity_from_score(text),
    @extschema@.ingest_cwe_ids(text[]),
    @extschema@.ingest_cve_ids(text[]),
    @extschema@.ingest_cvss(text),
    @extschema@.ingest_title(text),
    @extschema@.ingest_urls(text[]),
    @extschema@.ingest_strip_html(text)
TO compmap_admin, compmap_writer;
