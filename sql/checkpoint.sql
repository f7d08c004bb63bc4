-- Signed checkpoints: Ed25519 signatures made outside the database with the
-- openssl command line, recorded, chained and refused when wrong.
\set VERBOSITY terse
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('10000000-0000-4000-8000-000000000004', 'checkpoint test'),
                                                    ('10000000-0000-4000-8000-000000000005', 'other tenant');
SELECT '10000000-0000-4000-8000-000000000004' AS t, '10000000-0000-4000-8000-000000000005' AS other \gset
\! openssl genpkey -algorithm ed25519 -out /tmp/compmap_regress_key.pem 2>/dev/null
\! openssl genpkey -algorithm ed25519 -out /tmp/compmap_regress_key2.pem 2>/dev/null
\set pub `openssl pkey -in /tmp/compmap_regress_key.pem -pubout -outform DER | tail -c 32 | base64 -w0`
\set pub2 `openssl pkey -in /tmp/compmap_regress_key2.pem -pubout -outform DER | tail -c 32 | base64 -w0`
SELECT length(compmap.register_signing_key(:'t', 'regress-signer', decode(:'pub', 'base64'))) AS key_id_bytes;
SELECT compmap.register_signing_key(:'t', 'bad key', decode(:'pub', 'base64'));
SELECT compmap.register_signing_key(:'t', 'short', '\x0102');
SELECT compmap.register_signing_key(:'t', 'regress-signer', decode(:'pub', 'base64'));

SELECT count(compmap.record_event(:'t', :'t', 'app.tick', 'clock', jsonb_build_object('i', g))) FROM generate_series(1, 20) g;

-- sign(body, key file, key name) -> signed note, as tools/sign-checkpoint.sh does
CREATE FUNCTION pg_temp.note(body text, key_name text, sig_b64 text, pub bytea) RETURNS text LANGUAGE sql AS $$
    SELECT body || E'\n' || '— ' || key_name || ' ' ||
           translate(encode(substr(sha256(convert_to(key_name, 'UTF8') || '\x0a01'::bytea || pub), 1, 4)
                            || decode(sig_b64, 'base64'), 'base64'), E'\n', '') || E'\n'
$$;

SELECT compmap.checkpoint_body(:'t') AS body1 \gset
SELECT regexp_replace(:'body1', '\n[0-9]+\n[^\n]+\ntime [0-9]+\n', E'\nSIZE\nROOT\ntime T\n') AS body1_shape;
SELECT split_part(:'body1', E'\n', 2) AS size1;
\setenv CMBODY :body1
\set sig1 `printf '%s' "$CMBODY" > /tmp/compmap_regress_body && openssl pkeyutl -sign -inkey /tmp/compmap_regress_key.pem -rawin -in /tmp/compmap_regress_body | base64 -w0`
SELECT pg_temp.note(:'body1', 'regress-signer', :'sig1', decode(:'pub', 'base64')) AS signed1 \gset
SELECT compmap.verify_checkpoint(:'signed1', 'regress-signer', decode(:'pub', 'base64')) AS signature_ok,
       compmap.verify_checkpoint(:'signed1', 'regress-signer', decode(:'pub2', 'base64')) AS other_key_ok,
       compmap.verify_checkpoint(replace(:'signed1', E'\n21\n', E'\n22\n'), 'regress-signer', decode(:'pub', 'base64')) AS edited_body_ok;

-- refusals, each changing nothing
SELECT compmap.record_checkpoint(:'other', :'signed1');
SELECT compmap.record_checkpoint(:'t', 'not a note');
SELECT compmap.record_checkpoint(:'t', replace(:'signed1', 'regress-signer', 'unknown-signer'));
SELECT compmap.record_checkpoint(:'t', pg_temp.note(:'body1', 'regress-signer', :'sig1', decode(:'pub2', 'base64')));
-- (one base64 character of the signature changed: to A, or to B where it is A)
SELECT compmap.record_checkpoint(:'t', overlay(:'signed1' placing CASE WHEN substr(:'signed1', length(:'signed1') - 5, 1) = 'A' THEN 'B' ELSE 'A' END
                                               from length(:'signed1') - 5 for 1));
SELECT count(*) AS checkpoints FROM compmap.checkpoint WHERE tenant_id = :'t';

SELECT compmap.record_checkpoint(:'t', :'signed1') AS checkpoint_no;
SELECT compmap.record_checkpoint(:'t', :'signed1');
SELECT checkpoint_no, tree_size, key_name FROM compmap.checkpoint WHERE tenant_id = :'t';
SELECT event_type, payload->>'checkpoint_no' AS no, payload->>'tree_size' AS size
  FROM compmap.evidence WHERE tenant_id = :'t' AND event_type = 'checkpoint.recorded';

-- a second checkpoint extends the first
SELECT count(compmap.record_event(:'t', :'t', 'app.tick', 'clock', jsonb_build_object('i', g))) FROM generate_series(21, 30) g;
SELECT compmap.checkpoint_body(:'t') AS body2 \gset
SELECT split_part(:'body2', E'\n', 5) = 'prev ' || translate(encode(sha256(convert_to(:'body1', 'UTF8')), 'base64'), E'\n', '') AS prev_links_first;
\setenv CMBODY :body2
\set sig2 `printf '%s' "$CMBODY" > /tmp/compmap_regress_body && openssl pkeyutl -sign -inkey /tmp/compmap_regress_key.pem -rawin -in /tmp/compmap_regress_body | base64 -w0`
SELECT compmap.record_checkpoint(:'t', pg_temp.note(:'body2', 'regress-signer', :'sig2', decode(:'pub', 'base64'))) AS checkpoint_no;
SELECT * FROM compmap.verify(:'t');

-- A body that skips the chain, or goes back in size, is refused.
SELECT compmap.checkpoint_body(:'t') AS body3 \gset
SELECT regexp_replace(:'body3', 'prev [^\n]+', 'prev -') AS body3_unchained \gset
\setenv CMBODY :body3_unchained
\set sig3 `printf '%s' "$CMBODY" > /tmp/compmap_regress_body && openssl pkeyutl -sign -inkey /tmp/compmap_regress_key.pem -rawin -in /tmp/compmap_regress_body | base64 -w0`
SELECT compmap.record_checkpoint(:'t', pg_temp.note(:'body3_unchained', 'regress-signer', :'sig3', decode(:'pub', 'base64')));
SELECT regexp_replace(:'body3', E'\n[0-9]+\n[^\n]+\n', E'\n5\n' || translate(encode(compmap.tree_root(:'t', 5), 'base64'), E'\n', '') || E'\n') AS body3_smaller \gset
\setenv CMBODY :body3_smaller
\set sig4 `printf '%s' "$CMBODY" > /tmp/compmap_regress_body && openssl pkeyutl -sign -inkey /tmp/compmap_regress_key.pem -rawin -in /tmp/compmap_regress_body | base64 -w0`
SELECT compmap.record_checkpoint(:'t', pg_temp.note(:'body3_smaller', 'regress-signer', :'sig4', decode(:'pub', 'base64')));

-- Forward integrity: rewrite an entry and re-hash everything derived from
-- it.  Every internal check passes; only the signed checkpoint catches it.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE compmap.evidence SET payload = '{"i": 999}', payload_digest = compmap.payload_digest('{"i": 999}')
 WHERE tenant_id = :'t' AND leaf_index = 19;
UPDATE compmap.evidence SET leaf_hash = compmap.leaf_hash(compmap.leaf_bytes(tenant_id, leaf_index))
 WHERE tenant_id = :'t' AND leaf_index = 19;
-- leaf 19 has a later entry of the same subject: re-link the whole subject chain
DO $$
DECLARE
    r record;
    prev bytea;
BEGIN
    FOR r IN SELECT leaf_index FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000004' AND leaf_index > 19 ORDER BY leaf_index LOOP
        SELECT leaf_hash INTO prev FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000004' AND leaf_index = r.leaf_index - 1;
        UPDATE compmap.evidence SET subject_prev = prev WHERE tenant_id = '10000000-0000-4000-8000-000000000004' AND leaf_index = r.leaf_index;
        UPDATE compmap.evidence SET leaf_hash = compmap.leaf_hash(compmap.leaf_bytes(tenant_id, leaf_index))
         WHERE tenant_id = '10000000-0000-4000-8000-000000000004' AND leaf_index = r.leaf_index;
    END LOOP;
END $$;
-- recompute every stored node and the head from the rewritten leaves
CREATE TEMP TABLE lv AS SELECT array_agg(leaf_hash ORDER BY leaf_index) AS h FROM compmap.evidence WHERE tenant_id = :'t';
CREATE FUNCTION pg_temp.mth(leaves bytea[]) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE n int := coalesce(array_length(leaves, 1), 0); k int := 1;
BEGIN
    IF n = 1 THEN RETURN leaves[1]; END IF;
    WHILE k * 2 < n LOOP k := k * 2; END LOOP;
    RETURN compmap.node_hash(pg_temp.mth(leaves[1:k]), pg_temp.mth(leaves[k + 1:n]));
END $$;
UPDATE compmap.evidence_node SET hash = pg_temp.mth(h[node_index * 2 ^ level + 1 : (node_index + 1) * 2 ^ level])
  FROM lv WHERE tenant_id = :'t';
UPDATE compmap.evidence_head SET frontier = (SELECT string_agg(pg_temp.mth(h[s + 1 : s + w]), '' ORDER BY s)
      FROM (SELECT w, sum(w) OVER (ORDER BY w DESC) - w AS s
              FROM (SELECT (2 ^ b)::int AS w FROM generate_series(0, 10) b WHERE (size >> b) & 1 = 1) bits) parts)
  FROM lv WHERE tenant_id = :'t';
SET LOCAL session_replication_role = origin;
SELECT ok, first_bad_index, reason FROM compmap.verify(:'t');
ROLLBACK;
SELECT ok, checked FROM compmap.verify(:'t');

-- Stored checkpoints tampered with (as superuser, triggers off): a changed
-- root in the row, a changed body in the note, a checkpoint removed from the
-- chain.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE compmap.checkpoint SET root = sha256(root) WHERE tenant_id = :'t' AND checkpoint_no = 1;
SET LOCAL session_replication_role = origin;
SELECT 'checkpoint row root changed' AS scenario, ok, reason FROM compmap.verify(:'t');
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE compmap.checkpoint SET signed_note = replace(signed_note, E'\n21\n', E'\n20\n'), body = replace(body, E'\n21\n', E'\n20\n'),
       tree_size = 20 WHERE tenant_id = :'t' AND checkpoint_no = 1;
SET LOCAL session_replication_role = origin;
SELECT 'checkpoint note and row rewritten consistently' AS scenario, ok, reason FROM compmap.verify(:'t');
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
DELETE FROM compmap.checkpoint WHERE tenant_id = :'t' AND checkpoint_no = 1;
SET LOCAL session_replication_role = origin;
SELECT 'first checkpoint removed' AS scenario, ok, reason FROM compmap.verify(:'t');
ROLLBACK;
\! rm -f /tmp/compmap_regress_key.pem /tmp/compmap_regress_key2.pem /tmp/compmap_regress_body
