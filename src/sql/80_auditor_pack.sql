-- Auditor packs: one finding's evidence with everything needed to verify it
-- offline (test/verifier/compmap_verify.py pack; docs/auditor-guide.md).
-- Format compmap.auditor-pack/1 (docs/auditor-pack.md).

-- Timestamps in packs and exports: UTC, microseconds, whatever the session's
-- TimeZone and DateStyle, so the same data gives the same bytes.
CREATE FUNCTION @extschema@.utc_text(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
COMMENT ON FUNCTION @extschema@.utc_text(timestamptz) IS 'A timestamp as ISO 8601 UTC text with microseconds, independent of session settings.';

-- Microseconds since 1970-01-01 UTC, exactly as the leaf encoding stores them.
CREATE FUNCTION @extschema@.unix_us(ts timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ((pg_catalog.extract('epoch', ts) * 1000000)::numeric)::bigint
$$;
COMMENT ON FUNCTION @extschema@.unix_us(timestamptz) IS 'Microseconds since 1970-01-01 UTC, as the evidence leaf encoding stores timestamps.';

-- One evidence entry as packs and exports carry it.
CREATE FUNCTION @extschema@.evidence_entry_json(e @extschema@.evidence) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_build_object(
        'leaf_index', e.leaf_index,
        'subject_id', e.subject_id,
        'subject_seq', e.subject_seq,
        'subject_prev', pg_catalog.encode(e.subject_prev, 'hex'),
        'event_type', e.event_type,
        'actor', e.actor,
        'occurred_at_us', @extschema@.unix_us(e.occurred_at),
        'recorded_at_us', @extschema@.unix_us(e.recorded_at),
        'payload', e.payload,
        'payload_digest', pg_catalog.encode(e.payload_digest, 'hex'),
        'leaf_hash', pg_catalog.encode(e.leaf_hash, 'hex'),
        'leaf_bytes', pg_catalog.translate(pg_catalog.encode(@extschema@.encode_leaf(
            e.tenant_id, e.leaf_index, e.subject_id, e.subject_seq, e.subject_prev, e.event_type,
            e.actor, e.occurred_at, e.recorded_at, e.payload_digest), 'base64'), E'\n', ''))
$$;
COMMENT ON FUNCTION @extschema@.evidence_entry_json(@extschema@.evidence) IS 'An evidence entry with its listed fields, digests and leaf bytes (base64), as exports and auditor packs carry it.';

CREATE FUNCTION @extschema@.hashes_b64(hashes bytea[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.encode(h, 'base64') ORDER BY o), '[]'::jsonb)
      FROM pg_catalog.unnest(hashes) WITH ORDINALITY AS u(h, o)
$$;
COMMENT ON FUNCTION @extschema@.hashes_b64(bytea[]) IS 'A proof (array of 32-byte hashes) as a JSON array of base64 strings.';

CREATE FUNCTION @extschema@.auditor_pack(finding uuid, checkpoint_no bigint DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    f @extschema@.finding;
    cp @extschema@.checkpoint;
    k @extschema@.signing_key;
    as_of date;
    entries jsonb;
    later bigint;
    earlier jsonb;
BEGIN
    SELECT * INTO f FROM @extschema@.finding x WHERE x.finding_id = auditor_pack.finding;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'finding % does not exist or is not visible to role "%"', finding, CURRENT_USER
            USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO cp FROM @extschema@.checkpoint c
     WHERE c.tenant_id = f.tenant_id AND (auditor_pack.checkpoint_no IS NULL OR c.checkpoint_no = auditor_pack.checkpoint_no)
     ORDER BY c.checkpoint_no DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % has no signed checkpoint%', f.tenant_id,
            CASE WHEN checkpoint_no IS NULL THEN '' ELSE ' number ' || checkpoint_no END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Sign compmap.checkpoint_body() outside the database and record it with compmap.record_checkpoint().';
    END IF;
    SELECT * INTO k FROM @extschema@.signing_key s WHERE s.tenant_id = cp.tenant_id AND s.key_name = cp.key_name;
    -- the SLA as of the checkpoint's UTC date, so the pack never depends on when it is made
    as_of := ((pg_catalog.to_timestamp(0) + pg_catalog.make_interval(secs => cp.time_us / 1000000.0)) AT TIME ZONE 'UTC')::date;

    -- The finding's entries the checkpoint covers, each with its proof.
    SELECT coalesce(pg_catalog.jsonb_agg(
               @extschema@.evidence_entry_json(e)
               || pg_catalog.jsonb_build_object(
                      'canonical_payload', @extschema@.jcs(e.payload),
                      'inclusion_proof', @extschema@.hashes_b64(@extschema@.inclusion_proof(e.tenant_id, e.leaf_index, cp.tree_size)))
               ORDER BY e.subject_seq), '[]'::jsonb)
      INTO entries
      FROM @extschema@.evidence e
     WHERE e.tenant_id = f.tenant_id AND e.subject_id = f.finding_id AND e.leaf_index < cp.tree_size;
    SELECT pg_catalog.count(*) INTO later FROM @extschema@.evidence e
     WHERE e.tenant_id = f.tenant_id AND e.subject_id = f.finding_id AND e.leaf_index >= cp.tree_size;

    -- Every earlier checkpoint, with the proof that this one extends it.
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
               'checkpoint_no', c.checkpoint_no,
               'tree_size', c.tree_size,
               'signed', c.signed_note,
               'consistency_proof', @extschema@.hashes_b64(@extschema@.consistency_proof(c.tenant_id, c.tree_size, cp.tree_size)))
               ORDER BY c.checkpoint_no), '[]'::jsonb)
      INTO earlier
      FROM @extschema@.checkpoint c
     WHERE c.tenant_id = cp.tenant_id AND c.checkpoint_no < cp.checkpoint_no;

    RETURN pg_catalog.jsonb_build_object(
        'format', 'compmap.auditor-pack/1',
        'tenant_id', f.tenant_id,
        'finding_id', f.finding_id,
        'finding', pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'title', f.title, 'scanner', f.scanner, 'rule_id', f.rule_id,
            'fingerprint', pg_catalog.encode(f.fingerprint, 'hex'),
            'cve_ids', f.cve_ids, 'cwe_ids', f.cwe_ids, 'cvss', f.cvss::text,
            'cvss_score', @extschema@.cvss_score(f.cvss), 'scanner_severity', f.scanner_severity,
            'severity', f.severity,
            'asset', (SELECT pg_catalog.jsonb_build_object('kind', a.kind, 'name', a.name)
                        FROM @extschema@.asset a WHERE a.tenant_id = f.tenant_id AND a.asset_id = f.asset_id),
            'location', f.location, 'description', f.description, 'reference_urls', f.reference_urls,
            'status', f.status::text, 'status_changed_at', @extschema@.utc_text(f.status_changed_at),
            'status_reason', f.status_reason, 'owner', f.owner, 'assignee', f.assignee,
            'risk_accepted_by', f.risk_accepted_by, 'risk_accepted_until', f.risk_accepted_until,
            'duplicate_of', f.duplicate_of,
            'first_seen', @extschema@.utc_text(f.first_seen), 'last_seen', @extschema@.utc_text(f.last_seen),
            'due_date', f.due_date)),
        'sla', pg_catalog.jsonb_build_object(
            'as_of', as_of,
            'due_date', f.due_date,
            'days_to_fix', @extschema@.sla_days(f.tenant_id, f.severity),
            'state', CASE
                WHEN f.status::text = 'risk_accepted' THEN 'risk_accepted'
                WHEN NOT @extschema@.is_open(f.status) THEN 'closed'
                WHEN f.due_date < as_of THEN 'overdue'
                ELSE 'on_track' END),
        'controls', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                        'framework', c.framework, 'control', c.control, 'relationships', c.relationships,
                        'hops', c.hops, 'path', c.path, 'fail_propagates', c.fail_propagates,
                        'rule', c.rule_kind || ':' || c.rule_key, 'source', c.source, 'reviewed', c.reviewed)
                        ORDER BY c.framework, c.control), '[]'::jsonb)
                       FROM @extschema@.finding_controls c
                      WHERE c.tenant_id = f.tenant_id AND c.finding_id = f.finding_id),
        'history', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                        'seq', x->'subject_seq', 'event_type', x->'event_type', 'actor', x->'actor',
                        'occurred_at', @extschema@.utc_text(pg_catalog.to_timestamp(0)
                            + pg_catalog.make_interval(secs => (x->>'occurred_at_us')::numeric / 1000000)),
                        'from', x #> '{payload,from}', 'to', x #> '{payload,to}', 'note', x #> '{payload,note}'))
                        ORDER BY (x->>'subject_seq')::bigint), '[]'::jsonb)
                      FROM pg_catalog.jsonb_array_elements(entries) x),
        'entries', entries,
        'entries_after_checkpoint', later,
        'checkpoint', pg_catalog.jsonb_build_object(
            'checkpoint_no', cp.checkpoint_no,
            'tree_size', cp.tree_size,
            'root', pg_catalog.encode(cp.root, 'base64'),
            'time', @extschema@.utc_text(pg_catalog.to_timestamp(0) + pg_catalog.make_interval(secs => cp.time_us / 1000000.0)),
            'signed', cp.signed_note,
            'key_name', cp.key_name,
            'key_id', pg_catalog.encode(k.key_id, 'hex'),
            'public_key', pg_catalog.encode(k.public_key, 'base64')),
        'earlier_checkpoints', earlier);
END
$$;
COMMENT ON FUNCTION @extschema@.auditor_pack(uuid, bigint) IS 'The finding''s auditor pack (format compmap.auditor-pack/1): its fields, SLA state as of the checkpoint, history, every evidence entry the checkpoint covers with leaf bytes and inclusion proof, the signed checkpoint and key, and consistency proofs from every earlier checkpoint.  Deterministic.';

-- The log as the independent verifier (test/verifier/compmap_verify.py log) reads it.
CREATE FUNCTION @extschema@.export_log(tenant uuid) RETURNS jsonb
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_build_object(
        'format', 'compmap.evidence-export/1',
        'tenant_id', export_log.tenant,
        'entries', coalesce((
            SELECT pg_catalog.jsonb_agg(@extschema@.evidence_entry_json(e) ORDER BY e.leaf_index)
              FROM @extschema@.evidence e WHERE e.tenant_id = export_log.tenant), '[]'::jsonb),
        'checkpoints', coalesce((
            SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('signed', c.signed_note) ORDER BY c.checkpoint_no)
              FROM @extschema@.checkpoint c WHERE c.tenant_id = export_log.tenant), '[]'::jsonb),
        'public_keys', coalesce((
            SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                       'key_name', k.key_name,
                       'public_key', pg_catalog.encode(k.public_key, 'base64')) ORDER BY k.key_name)
              FROM @extschema@.signing_key k WHERE k.tenant_id = export_log.tenant), '[]'::jsonb))
$$;
COMMENT ON FUNCTION @extschema@.export_log(uuid) IS 'The tenant''s whole evidence log, checkpoints and public keys as JSON for offline verification (format compmap.evidence-export/1).';
