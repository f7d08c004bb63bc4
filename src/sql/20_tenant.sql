-- Tenants and tenant access.
--
-- Row-level security model (docs/security.md): a role sees the rows of a
-- tenant when it is a member (with inherited privileges) of a role listed in
-- compmap.tenant_access for that tenant.  A session that serves several
-- tenants narrows itself to one with SET compmap.tenant = '<uuid>'; it can
-- never widen itself beyond its grants.

CREATE TABLE @extschema@.tenant (
    tenant_id   uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    name        text        NOT NULL CHECK (name <> ''),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE @extschema@.tenant IS 'Tenants: every tenant-owned row carries tenant_id and is visible only to roles granted access to that tenant.';
COMMENT ON COLUMN @extschema@.tenant.tenant_id IS 'Tenant identifier (uuid).';
COMMENT ON COLUMN @extschema@.tenant.name IS 'Display name of the tenant.';

CREATE TABLE @extschema@.tenant_access (
    tenant_id   uuid NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    role_name   name NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, role_name)
);
COMMENT ON TABLE @extschema@.tenant_access IS 'Which roles may see which tenant. Members of role_name (with inheritance) see the tenant''s rows.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_access', '');

-- The tenants the current role may see, narrowed by compmap.tenant when set.
-- Policies call it as (SELECT compmap.current_tenants()) so that it runs
-- once per query, not once per row.
CREATE FUNCTION @extschema@.current_tenants() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(pg_catalog.array_agg(a.tenant_id), '{}')
      FROM @extschema@.tenant_access AS a
      JOIN pg_catalog.pg_roles AS r ON r.rolname = a.role_name
     WHERE pg_catalog.pg_has_role(CURRENT_USER, r.oid, 'USAGE')
       -- nullif: an empty setting (RESET, or SET to '') means "not narrowed";
       -- SQL does not promise to evaluate OR left to right, so the cast
       -- must never see ''.
       AND (NULLIF(pg_catalog.current_setting('compmap.tenant', true), '') IS NULL
            OR a.tenant_id = NULLIF(pg_catalog.current_setting('compmap.tenant', true), '')::uuid)
$$;
COMMENT ON FUNCTION @extschema@.current_tenants() IS 'Tenants visible to the current role, narrowed to compmap.tenant when that setting is not empty.';

ALTER TABLE @extschema@.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.tenant_access ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_visible ON @extschema@.tenant FOR SELECT
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY tenant_admin_insert ON @extschema@.tenant FOR INSERT TO compmap_admin
    WITH CHECK (true);
CREATE POLICY tenant_admin_update ON @extschema@.tenant FOR UPDATE TO compmap_admin
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));

-- Each role sees its own grants; the operator role manages them all.
CREATE POLICY access_own ON @extschema@.tenant_access FOR SELECT
    USING (pg_catalog.pg_has_role(CURRENT_USER, (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = role_name), 'USAGE'));
CREATE POLICY access_admin ON @extschema@.tenant_access TO compmap_admin
    USING (true) WITH CHECK (true);

CREATE FUNCTION @extschema@.create_tenant(name text) RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id uuid;
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'tenant name must not be empty'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- No RETURNING: the new row is not visible to the caller until the
    -- access grant below exists, and RLS checks RETURNING rows.
    new_id := pg_catalog.gen_random_uuid();
    INSERT INTO @extschema@.tenant (tenant_id, name) VALUES (new_id, create_tenant.name);
    -- The creating role gets access, so it can see what it created.
    INSERT INTO @extschema@.tenant_access (tenant_id, role_name) VALUES (new_id, CURRENT_USER);
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.create_tenant(text) IS 'Creates a tenant, grants the calling role access to it, and returns its uuid.';

CREATE FUNCTION @extschema@.grant_tenant_access(tenant uuid, role_name name) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = grant_tenant_access.role_name) THEN
        RAISE EXCEPTION 'role "%" does not exist', grant_tenant_access.role_name
            USING ERRCODE = 'undefined_object';
    END IF;
    INSERT INTO @extschema@.tenant_access (tenant_id, role_name)
    VALUES (grant_tenant_access.tenant, grant_tenant_access.role_name)
    ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION @extschema@.grant_tenant_access(uuid, name) IS 'Lets members of a role see and write the given tenant''s rows (within their role''s privileges).';

CREATE FUNCTION @extschema@.revoke_tenant_access(tenant uuid, role_name name) RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM @extschema@.tenant_access a
         WHERE a.tenant_id = revoke_tenant_access.tenant AND a.role_name = revoke_tenant_access.role_name
        RETURNING 1)
    SELECT count(*) > 0 FROM gone
$$;
COMMENT ON FUNCTION @extschema@.revoke_tenant_access(uuid, name) IS 'Removes a role''s access to a tenant; returns whether a grant existed.';
