-- Tamper scenarios (shared reference ledger-anchors.md section 8b).  Each
-- edit is made as superuser with triggers off (session_replication_role =
-- replica), which no in-database control can prevent; compmap.verify must
-- report the first bad index and why.  Each scenario is rolled back.
\set VERBOSITY terse
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('10000000-0000-4000-8000-000000000006', 'tamper test'),
                                                    ('10000000-0000-4000-8000-000000000007', 'tamper neighbour');
SELECT '10000000-0000-4000-8000-000000000006' AS t, '10000000-0000-4000-8000-000000000007' AS u \gset
SELECT count(compmap.record_event(:'t', ('00000000-0000-4000-8000-0000000000' || lpad((g % 3)::text, 2, '0'))::uuid,
             'app.tick', 'clock', jsonb_build_object('i', g, 'note', ''))) FROM generate_series(0, 39) g;
SELECT count(compmap.record_event(:'u', :'u', 'app.tick', 'clock', jsonb_build_object('i', g))) FROM generate_series(0, 4) g;
SELECT ok, checked FROM compmap.verify(:'t');

CREATE FUNCTION pg_temp.scenario(name text, edit text) RETURNS TABLE (scenario text, ok boolean, first_bad_index bigint, reason text)
LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL session_replication_role = replica;
    EXECUTE edit;
    SET LOCAL session_replication_role = origin;
    RETURN QUERY SELECT name, v.ok, v.first_bad_index, v.reason FROM compmap.verify('10000000-0000-4000-8000-000000000006') v;
END $$;

BEGIN; SELECT * FROM pg_temp.scenario('01 payload byte changed', $$UPDATE compmap.evidence SET payload = '{"i": 7, "note": "x"}' WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 7$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('02 actor changed', $$UPDATE compmap.evidence SET actor = 'mallory' WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 8$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('03 occurred_at moved by 1 microsecond', $$UPDATE compmap.evidence SET occurred_at = occurred_at + interval '1 microsecond' WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 9$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('04 recorded_at changed', $$UPDATE compmap.evidence SET recorded_at = '2020-01-01' WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 10$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('05 empty string became null', $$UPDATE compmap.evidence SET payload = jsonb_set(payload, '{note}', 'null') WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 11$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('06 JSON re-encoded, same meaning (accepted)', $$UPDATE compmap.evidence SET payload = ('{"note":"", "i":' || (payload->>'i') || '.000}')::jsonb WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 12$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('07 payload and digest changed together', $$UPDATE compmap.evidence SET payload = '{"i": 0}', payload_digest = compmap.payload_digest('{"i": 0}') WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 13$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('08 leaf hash rewritten to match edited row', $$UPDATE compmap.evidence SET actor = 'mallory' WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 14; UPDATE compmap.evidence SET leaf_hash = compmap.leaf_hash(compmap.leaf_bytes(tenant_id, leaf_index)) WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 14$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('09 row deleted mid-log', $$DELETE FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 15$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('10 row deleted at the tail', $$DELETE FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 39$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('11 tail deleted and head rewound', $$DELETE FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 39; UPDATE compmap.evidence_head SET size = 39 WHERE tenant_id = '10000000-0000-4000-8000-000000000006'$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('12 forged row appended without the head', $$INSERT INTO compmap.evidence SELECT tenant_id, 40, enc_version, subject_id, subject_seq + 100, subject_prev, event_type, actor, occurred_at, recorded_at, payload, payload_digest, leaf_hash FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 39$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('13 two rows swapped', $$UPDATE compmap.evidence SET leaf_index = CASE leaf_index WHEN 16 THEN -1 ELSE leaf_index END WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 16; UPDATE compmap.evidence SET leaf_index = 16 WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 17; UPDATE compmap.evidence SET leaf_index = 17 WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = -1$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('14 row moved to another tenant', $$UPDATE compmap.evidence SET tenant_id = '10000000-0000-4000-8000-000000000007', leaf_index = 5 WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 18$$); ROLLBACK;
BEGIN; SET LOCAL session_replication_role = replica; UPDATE compmap.evidence SET tenant_id = '10000000-0000-4000-8000-000000000007', leaf_index = 5 WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 18; SET LOCAL session_replication_role = origin;
SELECT '14b the receiving tenant' AS scenario, * FROM compmap.verify(:'u'); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('15 subject sequence edited and re-hashed', $$UPDATE compmap.evidence SET subject_seq = subject_seq + 1 WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 39; UPDATE compmap.evidence SET leaf_hash = compmap.leaf_hash(compmap.leaf_bytes(tenant_id, leaf_index)) WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 39$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('16 subject back-link edited and re-hashed', $$UPDATE compmap.evidence SET subject_prev = '\x0000000000000000000000000000000000000000000000000000000000000000' WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 20; UPDATE compmap.evidence SET leaf_hash = compmap.leaf_hash(compmap.leaf_bytes(tenant_id, leaf_index)) WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 20$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('17 head rewound', $$UPDATE compmap.evidence_head SET size = 32, frontier = (SELECT hash FROM compmap.evidence_node WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND level = 5) WHERE tenant_id = '10000000-0000-4000-8000-000000000006'$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('18 head frontier corrupted', $$UPDATE compmap.evidence_head SET frontier = set_byte(frontier, 0, get_byte(frontier, 0) # 255) WHERE tenant_id = '10000000-0000-4000-8000-000000000006'$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('19 stored node altered', $$UPDATE compmap.evidence_node SET hash = sha256(hash) WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND level = 4 AND node_index = 1$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('20 stored node deleted', $$DELETE FROM compmap.evidence_node WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND level = 4 AND node_index = 0$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('21 forged node added', $$INSERT INTO compmap.evidence_node VALUES ('10000000-0000-4000-8000-000000000006', 4, 7, sha256(''))$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('22 encoding version changed', $$UPDATE compmap.evidence SET enc_version = 2 WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 21$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('23 duplicate of a row appended', $$INSERT INTO compmap.evidence SELECT tenant_id, 40, enc_version, subject_id, subject_seq + 1, leaf_hash, event_type, actor, occurred_at, recorded_at, payload, payload_digest, leaf_hash FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 38; UPDATE compmap.evidence_head SET size = 41 WHERE tenant_id = '10000000-0000-4000-8000-000000000006'$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('24 superuser TRUNCATE with triggers off', $$TRUNCATE compmap.evidence$$); ROLLBACK;
BEGIN; ALTER TABLE compmap.evidence DISABLE TRIGGER evidence_append_only;
UPDATE compmap.evidence SET actor = 'mallory' WHERE tenant_id = :'t' AND leaf_index = 22;
ALTER TABLE compmap.evidence ENABLE TRIGGER evidence_append_only;
SELECT '25 append-only trigger disabled by the owner' AS scenario, * FROM compmap.verify(:'t'); ROLLBACK;

BEGIN; SELECT * FROM pg_temp.scenario('26 payload removed without a redaction event', $$UPDATE compmap.evidence SET payload = NULL WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 23$$); ROLLBACK;
BEGIN; SELECT * FROM pg_temp.scenario('27 redaction event forged for another entry', $$UPDATE compmap.evidence SET payload = NULL WHERE tenant_id = '10000000-0000-4000-8000-000000000006' AND leaf_index = 24$$);
SELECT compmap.redact(:'t', 25, 'dpo', 'covers 25, not 24');
SELECT ok, first_bad_index, reason FROM compmap.verify(:'t'); ROLLBACK;

-- Nothing above survived.
SELECT ok, checked FROM compmap.verify(:'t');
