-- Installs compmap (and pgcrypto through CASCADE) and the login roles the
-- other tests use.
CREATE EXTENSION compmap CASCADE;
SELECT extname, extversion FROM pg_extension WHERE extname IN ('compmap', 'pgcrypto') ORDER BY 1;
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'compmap\_%' ORDER BY 1;
SELECT nspname FROM pg_namespace WHERE nspname = 'compmap';

-- Test login roles: one application and one report reader per tenant, an
-- auditor, and an operator.  (Roles are cluster-wide: quiet on re-runs.)
SET client_min_messages = warning;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES ('cmt_app_a', 'compmap_writer'), ('cmt_app_b', 'compmap_writer'),
                                   ('cmt_report_a', 'compmap_reader'), ('cmt_audit_a', 'compmap_auditor'),
                                   ('cmt_operator', 'compmap_admin')) AS v(login, grp)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.login) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', r.login);
        END IF;
        EXECUTE format('GRANT %I TO %I', r.grp, r.login);
    END LOOP;
END
$$;
RESET client_min_messages;
