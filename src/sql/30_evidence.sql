-- The evidence log: one append-only, tamper-evident Merkle log per tenant.
-- Format: docs/evidence-format.md.  Behaviour and guarantees: docs/evidence-log.md.

CREATE TABLE @extschema@.evidence (
    tenant_id       uuid        NOT NULL,
    leaf_index      bigint      NOT NULL,
    enc_version     smallint    NOT NULL DEFAULT 1,
    subject_id      uuid        NOT NULL,
    subject_seq     bigint      NOT NULL,
    subject_prev    bytea       NOT NULL,
    event_type      text        NOT NULL,
    actor           text        NOT NULL,
    occurred_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    recorded_at     timestamptz NOT NULL,
    payload         jsonb,
    payload_digest  bytea       NOT NULL,
    leaf_hash       bytea       NOT NULL,
    PRIMARY KEY (tenant_id, leaf_index)
);
CREATE UNIQUE INDEX evidence_subject_chain ON @extschema@.evidence (tenant_id, subject_id, subject_seq);

COMMENT ON TABLE @extschema@.evidence IS 'Append-only evidence log: one Merkle log per tenant; leaf_index, subject_seq, subject_prev, recorded_at, payload_digest and leaf_hash are assigned by compmap.';
COMMENT ON COLUMN @extschema@.evidence.tenant_id IS 'Tenant whose log holds the entry.';
COMMENT ON COLUMN @extschema@.evidence.leaf_index IS 'Gapless 0-based position in the tenant''s log.';
COMMENT ON COLUMN @extschema@.evidence.enc_version IS 'Version of the leaf encoding (docs/evidence-format.md).';
COMMENT ON COLUMN @extschema@.evidence.subject_id IS 'Object the event is about: finding, scan, incident, or the tenant itself.';
COMMENT ON COLUMN @extschema@.evidence.subject_seq IS '1-based position of the entry in its subject''s own chain.';
COMMENT ON COLUMN @extschema@.evidence.subject_prev IS 'Leaf hash of the subject''s previous entry (32 zero bytes for the first).';
COMMENT ON COLUMN @extschema@.evidence.event_type IS 'Dot-separated event type, e.g. finding.status_changed.';
COMMENT ON COLUMN @extschema@.evidence.actor IS 'Who caused the event, as the application names them.';
COMMENT ON COLUMN @extschema@.evidence.occurred_at IS 'When the event happened, as the caller states it.';
COMMENT ON COLUMN @extschema@.evidence.recorded_at IS 'When compmap appended the entry (server clock).';
COMMENT ON COLUMN @extschema@.evidence.payload IS 'Event details; NULL only after compmap.redact().';
COMMENT ON COLUMN @extschema@.evidence.payload_digest IS 'SHA-256 of the payload''s RFC 8785 canonical JSON; kept after redaction.';
COMMENT ON COLUMN @extschema@.evidence.leaf_hash IS 'SHA-256(0x00 || leaf bytes), the entry''s Merkle leaf hash.';

-- Derived state: rebuilt from the leaves on restore, so not dumped.
CREATE TABLE @extschema@.evidence_head (
    tenant_id   uuid        NOT NULL,
    size        bigint      NOT NULL CHECK (size >= 0),
    frontier    bytea       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE @extschema@.evidence_head IS 'Per-tenant head of the evidence log: its size and the hashes of the complete subtrees on its right edge. Locked by every appending transaction.';

CREATE TABLE @extschema@.evidence_node (
    tenant_id   uuid     NOT NULL,
    level       smallint NOT NULL CHECK (level >= 4),
    node_index  bigint   NOT NULL CHECK (node_index >= 0),
    hash        bytea    NOT NULL,
    PRIMARY KEY (tenant_id, level, node_index)
);
COMMENT ON TABLE @extschema@.evidence_node IS 'Hashes of complete subtrees of 2^level leaves (level >= 4) covering leaves [node_index * 2^level, (node_index + 1) * 2^level); make proofs O(log n).';

-- Dumped in log order (pg_dump appends this text to its SELECT): a restore
-- replays the log through the append trigger, which refuses gaps; heap order
-- is not log order once a payload has been redacted.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.evidence', 'WHERE true ORDER BY tenant_id, leaf_index');

-- No SET clause: per row the trigger runs no SQL and resolves no names; the
-- SQL it runs to lock, reload and write a tenant's head pins search_path
-- itself (src/evidence.c), and a SET clause would cost every appended row a
-- GUC save and restore (docs/security.md, docs/performance.md).  The head
-- and Merkle nodes are written just before commit, by a transaction
-- callback, not by a trigger.
CREATE FUNCTION @extschema@.evidence_append() RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'compmap_evidence_append';
CREATE FUNCTION @extschema@.evidence_guard() RETURNS trigger
LANGUAGE c SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_evidence_guard';

-- zz_ so that it runs after every other BEFORE trigger (they fire in name order).
CREATE TRIGGER zz_evidence_append BEFORE INSERT ON @extschema@.evidence
    FOR EACH ROW EXECUTE FUNCTION @extschema@.evidence_append();
CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON @extschema@.evidence
    FOR EACH ROW EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER evidence_no_truncate BEFORE TRUNCATE ON @extschema@.evidence
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER evidence_head_guard BEFORE DELETE ON @extschema@.evidence_head
    FOR EACH ROW EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER evidence_head_no_truncate BEFORE TRUNCATE ON @extschema@.evidence_head
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER evidence_node_guard BEFORE UPDATE OR DELETE ON @extschema@.evidence_node
    FOR EACH ROW EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER evidence_node_no_truncate BEFORE TRUNCATE ON @extschema@.evidence_node
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();

ALTER TABLE @extschema@.evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.evidence_head ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.evidence_node ENABLE ROW LEVEL SECURITY;
CREATE POLICY evidence_tenant ON @extschema@.evidence
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY evidence_head_tenant ON @extschema@.evidence_head FOR SELECT
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY evidence_node_tenant ON @extschema@.evidence_node FOR SELECT
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));

CREATE FUNCTION @extschema@.record_event(
    tenant uuid, subject uuid, event_type text, actor text, payload jsonb,
    occurred_at timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO @extschema@.evidence (tenant_id, subject_id, event_type, actor, payload, occurred_at)
    VALUES (record_event.tenant, record_event.subject, record_event.event_type, record_event.actor,
            record_event.payload, record_event.occurred_at)
    RETURNING leaf_index
$$;
COMMENT ON FUNCTION @extschema@.record_event(uuid, uuid, text, text, jsonb, timestamptz) IS 'Appends an event to the tenant''s evidence log and returns its leaf index.';

CREATE FUNCTION @extschema@.jcs(payload jsonb) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_jcs';
COMMENT ON FUNCTION @extschema@.jcs(jsonb) IS 'RFC 8785 canonical JSON text of a jsonb value.';
CREATE FUNCTION @extschema@.payload_digest(payload jsonb) RETURNS bytea
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_payload_digest_sql';
COMMENT ON FUNCTION @extschema@.payload_digest(jsonb) IS 'SHA-256 of the RFC 8785 canonical JSON of a payload.';
CREATE FUNCTION @extschema@.encode_leaf(
    tenant uuid, leaf_index bigint, subject uuid, subject_seq bigint, subject_prev bytea,
    event_type text, actor text, occurred_at timestamptz, recorded_at timestamptz, payload_digest bytea)
RETURNS bytea
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_encode_leaf';
COMMENT ON FUNCTION @extschema@.encode_leaf(uuid, bigint, uuid, bigint, bytea, text, text, timestamptz, timestamptz, bytea) IS 'Leaf bytes of an evidence entry, encoding version 1.';
CREATE FUNCTION @extschema@.leaf_hash(leaf_bytes bytea) RETURNS bytea
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_leaf_hash_sql';
COMMENT ON FUNCTION @extschema@.leaf_hash(bytea) IS 'SHA-256(0x00 || leaf_bytes), RFC 9162 leaf hash.';
CREATE FUNCTION @extschema@.node_hash(left_hash bytea, right_hash bytea) RETURNS bytea
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_node_hash_sql';
COMMENT ON FUNCTION @extschema@.node_hash(bytea, bytea) IS 'SHA-256(0x01 || left || right), RFC 9162 interior node hash.';

CREATE FUNCTION @extschema@.leaf_bytes(tenant uuid, leaf_index bigint) RETURNS bytea
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT @extschema@.encode_leaf(e.tenant_id, e.leaf_index, e.subject_id, e.subject_seq, e.subject_prev,
                                   e.event_type, e.actor, e.occurred_at, e.recorded_at, e.payload_digest)
      FROM @extschema@.evidence e
     WHERE e.tenant_id = leaf_bytes.tenant AND e.leaf_index = leaf_bytes.leaf_index
$$;
COMMENT ON FUNCTION @extschema@.leaf_bytes(uuid, bigint) IS 'The bytes an entry''s leaf hash covers, recomputed from its stored fields.';

CREATE FUNCTION @extschema@.tree_size(tenant uuid) RETURNS bigint
LANGUAGE c STRICT SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_tree_size_sql';
COMMENT ON FUNCTION @extschema@.tree_size(uuid) IS 'Number of entries in the tenant''s evidence log.';
CREATE FUNCTION @extschema@.tree_root(tenant uuid, tree_size bigint DEFAULT NULL) RETURNS bytea
LANGUAGE c SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_tree_root';
COMMENT ON FUNCTION @extschema@.tree_root(uuid, bigint) IS 'RFC 9162 root of the tenant''s first tree_size entries (all entries when NULL).';
CREATE FUNCTION @extschema@.inclusion_proof(tenant uuid, leaf_index bigint, tree_size bigint) RETURNS bytea[]
LANGUAGE c STRICT SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_inclusion_proof';
COMMENT ON FUNCTION @extschema@.inclusion_proof(uuid, bigint, bigint) IS 'RFC 9162 inclusion proof (audit path) of an entry in the tree of the given size.';
CREATE FUNCTION @extschema@.consistency_proof(tenant uuid, old_size bigint, new_size bigint) RETURNS bytea[]
LANGUAGE c STRICT SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_consistency_proof';
COMMENT ON FUNCTION @extschema@.consistency_proof(uuid, bigint, bigint) IS 'RFC 9162 consistency proof between two sizes of the tenant''s tree.';
CREATE FUNCTION @extschema@.verify_inclusion(leaf_hash bytea, leaf_index bigint, tree_size bigint, proof bytea[], root bytea)
RETURNS boolean
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_verify_inclusion';
COMMENT ON FUNCTION @extschema@.verify_inclusion(bytea, bigint, bigint, bytea[], bytea) IS 'Checks an RFC 9162 inclusion proof; touches no table.';
CREATE FUNCTION @extschema@.verify_consistency(old_size bigint, new_size bigint, old_root bytea, new_root bytea, proof bytea[])
RETURNS boolean
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_verify_consistency';
COMMENT ON FUNCTION @extschema@.verify_consistency(bigint, bigint, bytea, bytea, bytea[]) IS 'Checks an RFC 9162 consistency proof; touches no table.';

CREATE FUNCTION @extschema@.redact(tenant uuid, leaf_index bigint, actor text, reason text) RETURNS bigint
LANGUAGE c SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_redact';
COMMENT ON FUNCTION @extschema@.redact(uuid, bigint, text, text) IS 'Removes one entry''s payload (keeping its digest, so the log still verifies) and logs an evidence.redacted event; returns that event''s leaf index.';
