-- Tenants, roles and row-level security.
\set VERBOSITY terse
SET ROLE cmt_operator;
SELECT compmap.create_tenant('Tenant A') AS ta \gset
SELECT compmap.create_tenant('Tenant B') AS tb \gset
SELECT compmap.grant_tenant_access(:'ta', 'cmt_app_a');
SELECT compmap.grant_tenant_access(:'ta', 'cmt_report_a');
SELECT compmap.grant_tenant_access(:'ta', 'cmt_audit_a');
SELECT compmap.grant_tenant_access(:'tb', 'cmt_app_b');
SELECT name FROM compmap.tenant ORDER BY name;
-- errors: empty name, unknown role
SELECT compmap.create_tenant('');
SELECT compmap.grant_tenant_access(:'ta', 'no_such_role');
RESET ROLE;

-- An application of tenant A writes A, sees only A, and cannot write B.
SET ROLE cmt_app_a;
SELECT name FROM compmap.tenant ORDER BY name;
SELECT compmap.record_event(:'ta', :'ta', 'app.started', 'app-a', '{"v": 1}') >= 0 AS wrote_a;
SELECT compmap.record_event(:'tb', :'tb', 'app.started', 'app-a', '{"v": 1}');
SELECT count(*) AS visible_entries, count(*) FILTER (WHERE tenant_id <> :'ta') AS foreign_entries FROM compmap.evidence;
-- it cannot create tenants or grant itself access
SELECT compmap.create_tenant('sneaky');
INSERT INTO compmap.tenant_access VALUES (:'tb', 'cmt_app_a');
RESET ROLE;

SET ROLE cmt_app_b;
SELECT compmap.record_event(:'tb', :'tb', 'app.started', 'app-b', '{"v": 2}') >= 0 AS wrote_b;
SELECT count(*) AS visible_entries, count(*) FILTER (WHERE tenant_id <> :'tb') AS foreign_entries FROM compmap.evidence;
-- (SQLSTATE only: the message names the random tenant id)
\set VERBOSITY sqlstate
SELECT compmap.tree_size(:'ta') AS size_of_a_seen_by_b;
SELECT * FROM compmap.verify(:'ta');
\set VERBOSITY terse
RESET ROLE;

-- The reporting role reads its tenant and writes nothing.
SET ROLE cmt_report_a;
SELECT count(*) AS visible_entries FROM compmap.evidence;
SELECT compmap.record_event(:'ta', :'ta', 'app.started', 'report', '{}');
INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload) VALUES (:'ta', :'ta', 'x.y', 'r', '{}');
UPDATE compmap.tenant SET name = 'renamed';
RESET ROLE;

-- The auditor reads and verifies, and writes nothing.
SET ROLE cmt_audit_a;
SELECT ok, checked FROM compmap.verify(:'ta');
SELECT compmap.record_event(:'ta', :'ta', 'app.started', 'auditor', '{}');
DELETE FROM compmap.evidence;
RESET ROLE;

-- compmap.tenant narrows a session to one of its tenants, never beyond.
SET ROLE cmt_operator;
SELECT count(*) AS operator_sees FROM compmap.tenant;
SET compmap.tenant = :'ta';
SELECT name AS narrowed_to FROM compmap.tenant;
RESET compmap.tenant;
RESET ROLE;
SET ROLE cmt_app_a;
SET compmap.tenant = :'tb';
SELECT count(*) AS app_a_narrowed_to_b FROM compmap.evidence;
RESET compmap.tenant;
RESET ROLE;
