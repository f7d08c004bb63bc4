-- Appending to the evidence log: every way rows arrive, every refusal.
\set VERBOSITY terse
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('10000000-0000-4000-8000-000000000001', 'evidence test');
SELECT '10000000-0000-4000-8000-000000000001' AS t,
       '00000000-0000-4000-8000-0000000000f1' AS f1, '00000000-0000-4000-8000-0000000000f2' AS f2 \gset

-- single events, per-subject chains
SELECT compmap.record_event(:'t', :'f1', 'finding.created', 'alice', '{"title": "SQL injection"}');
SELECT compmap.record_event(:'t', :'f2', 'finding.created', 'alice', '{"title": "XSS"}');
SELECT compmap.record_event(:'t', :'f1', 'finding.status_changed', 'bob', '{"from": "new", "to": "triaged"}');

-- multi-row INSERT, INSERT ... SELECT and COPY in one transaction
BEGIN;
INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload)
VALUES (:'t', :'f1', 'app.note', 'carol', '{"n": 1}'), (:'t', :'f2', 'app.note', 'carol', '{"n": 2}');
INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload)
SELECT :'t', :'f2', 'app.note', 'carol', jsonb_build_object('n', g) FROM generate_series(3, 12) g;
COPY compmap.evidence (tenant_id, subject_id, event_type, actor, payload) FROM STDIN;
10000000-0000-4000-8000-000000000001	00000000-0000-4000-8000-0000000000f1	app.copied	dave	{"n": 13}
10000000-0000-4000-8000-000000000001	00000000-0000-4000-8000-0000000000f1	app.copied	dave	{"n": 14}
\.
COMMIT;

-- savepoint rollback and a PL/pgSQL exception block leave no gap
BEGIN;
SELECT compmap.record_event(:'t', :'f1', 'app.note', 'erin', '{"kept": 1}');
SAVEPOINT s1;
SELECT compmap.record_event(:'t', :'f1', 'app.note', 'erin', '{"rolled_back": 1}');
SELECT compmap.record_event(:'t', :'f2', 'app.note', 'erin', '{"rolled_back": 2}');
ROLLBACK TO SAVEPOINT s1;
SELECT compmap.record_event(:'t', :'f1', 'app.note', 'erin', '{"kept": 2}');
DO $$
BEGIN
    PERFORM compmap.record_event('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000f2', 'app.note', 'erin', '{"in_block": 1}');
    RAISE EXCEPTION 'undo the block';
EXCEPTION WHEN raise_exception THEN
    NULL;
END
$$;
SELECT compmap.record_event(:'t', :'f2', 'app.note', 'erin', '{"kept": 3}');
COMMIT;

-- an aborted transaction leaves nothing behind
BEGIN;
SELECT compmap.record_event(:'t', :'f1', 'app.note', 'frank', '{"aborted": true}');
ROLLBACK;

SELECT leaf_index, subject_id = :'f1' AS is_f1, subject_seq, event_type, actor, payload
  FROM compmap.evidence WHERE tenant_id = :'t' ORDER BY leaf_index;
SELECT count(*) = max(leaf_index) + 1 AS gapless FROM compmap.evidence WHERE tenant_id = :'t';
SELECT bool_and(e.subject_prev = coalesce(p.leaf_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)) AS chains_link
  FROM compmap.evidence e
  LEFT JOIN compmap.evidence p ON p.tenant_id = e.tenant_id AND p.subject_id = e.subject_id AND p.subject_seq = e.subject_seq - 1
 WHERE e.tenant_id = :'t';
SELECT bool_and(leaf_hash = compmap.leaf_hash(compmap.leaf_bytes(tenant_id, leaf_index))) AS hashes_recompute
  FROM compmap.evidence WHERE tenant_id = :'t';
SELECT size FROM compmap.evidence_head WHERE tenant_id = :'t';
SELECT * FROM compmap.verify(:'t');

-- refusals: each changes nothing
SELECT compmap.record_event(:'t', :'f1', 'Bad Type', 'alice', '{}');
SELECT compmap.record_event(:'t', :'f1', 'finding.', 'alice', '{}');
SELECT compmap.record_event(:'t', :'f1', 'finding.created', '', '{}');
SELECT compmap.record_event(:'t', NULL, 'finding.created', 'alice', '{}');
SELECT compmap.record_event(:'t', :'f1', 'finding.created', 'alice', NULL);
SELECT compmap.record_event(:'t', :'f1', 'finding.created', 'alice', '{}', 'infinity');
SELECT compmap.record_event(:'t', :'f1', 'finding.created', 'alice', '{"big": 1e400}');
SELECT compmap.record_event('10000000-0000-4000-8000-00000000dead', :'f1', 'finding.created', 'alice', '{}');
INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload, recorded_at)
VALUES (:'t', :'f1', 'app.note', 'alice', '{}', '2000-01-01');
INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload, subject_seq)
VALUES (:'t', :'f1', 'app.note', 'alice', '{}', 99);
INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload, enc_version)
VALUES (:'t', :'f1', 'app.note', 'alice', '{}', 2);
SET ROLE cmt_app_a;
INSERT INTO compmap.evidence (tenant_id, leaf_index, subject_id, event_type, actor, payload)
VALUES (:'t', 22, :'f1', 'app.note', 'alice', '{}');
RESET ROLE;
-- append-only for everyone, the superuser included
UPDATE compmap.evidence SET actor = 'mallory' WHERE tenant_id = :'t' AND leaf_index = 0;
DELETE FROM compmap.evidence WHERE tenant_id = :'t' AND leaf_index = 0;
TRUNCATE compmap.evidence;
DELETE FROM compmap.evidence_head;
UPDATE compmap.evidence_node SET hash = hash;
SELECT count(*) AS entries, max(leaf_index) AS last FROM compmap.evidence WHERE tenant_id = :'t';

-- redaction keeps the log verifiable and logs itself
SELECT compmap.redact(:'t', 0, 'dpo', 'GDPR Art. 17 request 2026-17');
SELECT leaf_index, event_type, payload IS NULL AS payload_removed, payload FROM compmap.evidence
 WHERE tenant_id = :'t' AND (leaf_index = 0 OR event_type = 'evidence.redacted') ORDER BY 1;
SELECT compmap.redact(:'t', 0, 'dpo', 'again');
SELECT compmap.redact(:'t', 1, 'dpo', '');
SELECT compmap.redact(:'t', 20, 'dpo', 'a redaction event stays');
SET ROLE cmt_app_a;
SELECT compmap.redact(:'t', 1, 'app', 'not allowed');
RESET ROLE;
SELECT ok, checked, first_bad_index, reason FROM compmap.verify(:'t');

-- The head and the Merkle nodes are written just before commit.  Inside the
-- transaction, the tree functions write them first and see what they wrote.
BEGIN;
SELECT compmap.record_event(:'t', :'t', 'head.in_transaction', 'tester', '{"n": 1}') AS in_txn_leaf \gset
SELECT compmap.tree_size(:'t') = :in_txn_leaf + 1 AS size_includes_own_append;
SELECT array_length(compmap.inclusion_proof(:'t', :in_txn_leaf, :in_txn_leaf + 1), 1) > 0 AS proof_of_own_append;
SELECT compmap.verify_inclusion(e.leaf_hash, e.leaf_index, :in_txn_leaf + 1,
                                compmap.inclusion_proof(:'t', e.leaf_index, :in_txn_leaf + 1),
                                compmap.tree_root(:'t')) AS own_append_included
  FROM compmap.evidence e WHERE e.tenant_id = :'t' AND e.leaf_index = :in_txn_leaf;
SELECT compmap.record_event(:'t', :'t', 'head.in_transaction', 'tester', '{"n": 2}') IS NOT NULL AS appended_again;
SELECT ok, checked = :in_txn_leaf + 2 AS checked_own_appends, reason FROM compmap.verify(:'t');
COMMIT;
-- A prepared transaction writes its head when it is prepared.
BEGIN;
SELECT compmap.record_event(:'t', :'t', 'head.prepared', 'tester', '{}') AS prepared_leaf \gset
PREPARE TRANSACTION 'compmap_evidence_prepared';
COMMIT PREPARED 'compmap_evidence_prepared';
SELECT size = :prepared_leaf + 1 AS head_written_by_prepare FROM compmap.evidence_head WHERE tenant_id = :'t';
-- From a search_path whose uuid = operator is a trap: the head is locked,
-- the subject looked up and the head written at commit without reaching it.
CREATE SCHEMA evidence_trap;
CREATE FUNCTION evidence_trap.uuid_eq(uuid, uuid) RETURNS boolean LANGUAGE plpgsql
    AS $$BEGIN RAISE EXCEPTION 'trap reached'; END$$;
CREATE OPERATOR evidence_trap.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = evidence_trap.uuid_eq);
SET search_path = evidence_trap, pg_catalog;
INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload)
VALUES (:'t', '00000000-0000-4000-8000-0000000000aa', 'head.trap', 'tester', '{}'),
       (:'t', '00000000-0000-4000-8000-0000000000aa', 'head.trap', 'tester', '{}');
RESET search_path;
SELECT subject_seq FROM compmap.evidence
 WHERE tenant_id = :'t' AND subject_id = '00000000-0000-4000-8000-0000000000aa' ORDER BY leaf_index;
DROP SCHEMA evidence_trap CASCADE;
SELECT ok, checked, first_bad_index, reason FROM compmap.verify(:'t');
