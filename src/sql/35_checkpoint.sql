-- Signed checkpoints and the public keys that sign them.
-- The private keys never enter the database (tools/sign-checkpoint.sh).

CREATE TABLE @extschema@.signing_key (
    tenant_id     uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    key_name      text        NOT NULL CHECK (key_name ~ '^[A-Za-z0-9._:/-]{1,100}$'),
    public_key    bytea       NOT NULL CHECK (pg_catalog.length(public_key) = 32),
    key_id        bytea       NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    revoked_at    timestamptz,
    PRIMARY KEY (tenant_id, key_name)
);
COMMENT ON TABLE @extschema@.signing_key IS 'Ed25519 public keys allowed to sign a tenant''s checkpoints.';

CREATE TABLE @extschema@.checkpoint (
    tenant_id     uuid        NOT NULL,
    checkpoint_no bigint      NOT NULL CHECK (checkpoint_no > 0),
    tree_size     bigint      NOT NULL CHECK (tree_size >= 0),
    root          bytea       NOT NULL,
    time_us       bigint      NOT NULL,
    body          text        NOT NULL,
    signed_note   text        NOT NULL,
    key_name      text        NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, checkpoint_no)
);
COMMENT ON TABLE @extschema@.checkpoint IS 'Signed checkpoints of each tenant''s evidence log; each extends the previous one.';
COMMENT ON COLUMN @extschema@.checkpoint.time_us IS 'Checkpoint time from the signed body, microseconds since 1970-01-01 UTC.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.signing_key', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.checkpoint', '');

CREATE TRIGGER checkpoint_append_only BEFORE UPDATE OR DELETE ON @extschema@.checkpoint
    FOR EACH ROW EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER checkpoint_no_truncate BEFORE TRUNCATE ON @extschema@.checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();

ALTER TABLE @extschema@.signing_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.checkpoint ENABLE ROW LEVEL SECURITY;
CREATE POLICY signing_key_tenant ON @extschema@.signing_key
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY checkpoint_tenant ON @extschema@.checkpoint
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));

CREATE FUNCTION @extschema@.register_signing_key(tenant uuid, key_name text, public_key bytea) RETURNS bytea
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kid bytea;
BEGIN
    IF pg_catalog.length(register_signing_key.public_key) <> 32 THEN
        RAISE EXCEPTION 'an Ed25519 public key is 32 bytes, not %', pg_catalog.length(register_signing_key.public_key)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the raw key, e.g. decode(''<base64>'', ''base64'') from tools/sign-checkpoint.sh pubkey.';
    END IF;
    IF register_signing_key.key_name !~ '^[A-Za-z0-9._:/-]{1,100}$' THEN
        RAISE EXCEPTION 'invalid signing key name "%"', register_signing_key.key_name
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Key names are 1 to 100 characters of letters, digits and . _ : / -.';
    END IF;
    kid := pg_catalog.substr(pg_catalog.sha256(pg_catalog.convert_to(register_signing_key.key_name, 'UTF8')
                             || '\x0a01'::bytea || register_signing_key.public_key), 1, 4);
    INSERT INTO @extschema@.signing_key (tenant_id, key_name, public_key, key_id)
    VALUES (register_signing_key.tenant, register_signing_key.key_name, register_signing_key.public_key, kid);
    PERFORM @extschema@.record_event(register_signing_key.tenant, register_signing_key.tenant,
        'signing_key.registered', CURRENT_USER::text,
        pg_catalog.jsonb_build_object('key_name', register_signing_key.key_name,
                                      'public_key', pg_catalog.encode(register_signing_key.public_key, 'base64'),
                                      'key_id', pg_catalog.encode(kid, 'hex')));
    RETURN kid;
END
$$;
COMMENT ON FUNCTION @extschema@.register_signing_key(uuid, text, bytea) IS 'Registers an Ed25519 public key (32 raw bytes) that may sign the tenant''s checkpoints; logs the registration; returns the 4-byte key id.';

CREATE FUNCTION @extschema@.checkpoint_body(tenant uuid) RETURNS text
LANGUAGE c STRICT SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_checkpoint_body';
COMMENT ON FUNCTION @extschema@.checkpoint_body(uuid) IS 'The text of a new checkpoint of the tenant''s log (origin, size, root, time, hash of the previous checkpoint), to be signed outside the database.';
CREATE FUNCTION @extschema@.record_checkpoint(tenant uuid, signed text) RETURNS bigint
LANGUAGE c STRICT SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_record_checkpoint';
COMMENT ON FUNCTION @extschema@.record_checkpoint(uuid, text) IS 'Stores a signed checkpoint after checking its signature, its root against the log, and that it extends the previous checkpoint; returns its number.';
CREATE FUNCTION @extschema@.verify_checkpoint(signed text, key_name text, public_key bytea) RETURNS boolean
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_verify_checkpoint';
COMMENT ON FUNCTION @extschema@.verify_checkpoint(text, text, bytea) IS 'Whether a signed checkpoint note is well formed and signed by the given Ed25519 key.';

CREATE FUNCTION @extschema@.verify(tenant uuid)
RETURNS TABLE (ok boolean, checked bigint, first_bad_index bigint, reason text)
LANGUAGE c STRICT SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_verify';
COMMENT ON FUNCTION @extschema@.verify(uuid) IS 'Recomputes the tenant''s whole evidence log and checks every stored node, the head and every signed checkpoint; reports the first bad index and why.';
