-- Roles.  Roles are cluster-wide, so they are created here only when absent
-- and are not dropped by DROP EXTENSION (other databases may use them); see
-- docs/security.md for how to remove them.  All are NOLOGIN group roles:
-- grant them to login roles.
--
--   compmap_admin    operator: creates tenants and grants tenant access
--   compmap_writer   applications: record findings and evidence
--   compmap_reader   BI tools and reports: read only
--   compmap_auditor  auditors: read, verify and export; never write
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['compmap_admin', 'compmap_writer', 'compmap_reader', 'compmap_auditor']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN NOINHERIT', r);
        END IF;
    END LOOP;
END
$roles$;
