-- RFC 9162 tree: published known-answer roots, and every proof of a
-- 37-entry log checked against an independent SQL implementation.
\set VERBOSITY terse

-- An independent MTH in SQL, from the RFC's definition.
CREATE FUNCTION pg_temp.mth(leaves bytea[]) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    n int := coalesce(array_length(leaves, 1), 0);
    k int := 1;
BEGIN
    IF n = 0 THEN RETURN sha256(''); END IF;
    IF n = 1 THEN RETURN leaves[1]; END IF;
    WHILE k * 2 < n LOOP k := k * 2; END LOOP;
    RETURN compmap.node_hash(pg_temp.mth(leaves[1:k]), pg_temp.mth(leaves[k + 1:n]));
END $$;

-- The classic CT test leaves and their published roots (ledger-anchors 4.5).
WITH inputs(i, d) AS (VALUES (1, ''::bytea), (2, '\x00'), (3, '\x10'), (4, '\x2021'), (5, '\x3031'),
                             (6, '\x40414243'), (7, '\x5051525354555657'), (8, '\x606162636465666768696a6b6c6d6e6f')),
     hashes AS (SELECT array_agg(compmap.leaf_hash(d) ORDER BY i) AS h FROM inputs)
SELECT n, encode(pg_temp.mth(h[1:n]), 'hex') AS root FROM hashes, generate_series(0, 8) n ORDER BY n;

-- The published inclusion proof of leaf 0 in the tree of 8.
WITH inputs(i, d) AS (VALUES (1, ''::bytea), (2, '\x00'), (3, '\x10'), (4, '\x2021'), (5, '\x3031'),
                             (6, '\x40414243'), (7, '\x5051525354555657'), (8, '\x606162636465666768696a6b6c6d6e6f')),
     hashes AS (SELECT array_agg(compmap.leaf_hash(d) ORDER BY i) AS h FROM inputs)
SELECT compmap.verify_inclusion(h[1], 0, 8,
           ARRAY[decode('lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=', 'base64'),
                 decode('Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'base64'),
                 decode('a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=', 'base64')],
           pg_temp.mth(h)) AS published_proof_verifies
  FROM hashes;

-- A real log of 37 entries.
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('10000000-0000-4000-8000-000000000003', 'merkle test');
SELECT '10000000-0000-4000-8000-000000000003' AS t \gset
SELECT count(compmap.record_event(:'t', :'t', 'app.tick', 'clock', jsonb_build_object('i', g))) FROM generate_series(1, 37) g;
CREATE TEMP TABLE leaves AS
    SELECT array_agg(leaf_hash ORDER BY leaf_index) AS h FROM compmap.evidence WHERE tenant_id = :'t';
SELECT count(*) AS stored_nodes, min(level), max(level) FROM compmap.evidence_node WHERE tenant_id = :'t';

SELECT bool_and(compmap.tree_root(:'t', n) = pg_temp.mth(h[1:n])) AS roots_match_sql_mth
  FROM leaves, generate_series(0, 37) n;
SELECT count(*) AS inclusion_cases,
       bool_and(compmap.verify_inclusion(h[i + 1], i, n, compmap.inclusion_proof(:'t', i, n), pg_temp.mth(h[1:n]))) AS all_verify
  FROM leaves, generate_series(1, 37) n, generate_series(0, 36) i WHERE i < n;
SELECT count(*) AS consistency_cases,
       bool_and(compmap.verify_consistency(m, n, pg_temp.mth(h[1:m]), pg_temp.mth(h[1:n]), compmap.consistency_proof(:'t', m, n))) AS all_verify
  FROM leaves, generate_series(1, 37) n, generate_series(1, 37) m WHERE m <= n;
SELECT max(array_length(compmap.inclusion_proof(:'t', i, 37), 1)) AS longest_inclusion_proof FROM generate_series(0, 36) i;

-- Tampered proofs fail: every single bit flip, wrong index, wrong size,
-- truncated, extended, swapped roots.
CREATE TEMP TABLE p AS SELECT compmap.inclusion_proof(:'t', 13, 37) AS proof, h FROM leaves;
SELECT count(*) AS flips, bool_or(compmap.verify_inclusion(h[14], 13, 37,
           proof[:e - 1] || set_bit(proof[e], b, 1 - get_bit(proof[e], b)) || proof[e + 1:], pg_temp.mth(h))) AS any_accepted
  FROM p, generate_series(1, array_length(proof, 1)) e, generate_series(0, 255) b;
SELECT compmap.verify_inclusion(h[14], 12, 37, proof, pg_temp.mth(h)) AS wrong_index,
       compmap.verify_inclusion(h[14], 13, 18, proof, pg_temp.mth(h)) AS halved_size,
       compmap.verify_inclusion(h[14], 13, 74, proof, pg_temp.mth(h)) AS doubled_size,
       compmap.verify_inclusion(h[14], 13, 37, proof[1:array_length(proof, 1) - 1], pg_temp.mth(h)) AS truncated,
       compmap.verify_inclusion(h[14], 13, 37, proof || h[1], pg_temp.mth(h)) AS trailing_garbage,
       compmap.verify_inclusion(h[14], 13, 37, h[1] || proof, pg_temp.mth(h)) AS leading_garbage,
       compmap.verify_inclusion(h[15], 13, 37, proof, pg_temp.mth(h)) AS wrong_leaf
  FROM p;
CREATE TEMP TABLE c AS SELECT compmap.consistency_proof(:'t', 13, 37) AS proof, h FROM leaves;
SELECT count(*) AS flips, bool_or(compmap.verify_consistency(13, 37, pg_temp.mth(h[1:13]), pg_temp.mth(h),
           proof[:e - 1] || set_bit(proof[e], b, 1 - get_bit(proof[e], b)) || proof[e + 1:])) AS any_accepted
  FROM c, generate_series(1, array_length(proof, 1)) e, generate_series(0, 255) b;
SELECT compmap.verify_consistency(13, 37, pg_temp.mth(h), pg_temp.mth(h[1:13]), proof) AS swapped_roots,
       compmap.verify_consistency(12, 37, pg_temp.mth(h[1:13]), pg_temp.mth(h), proof) AS wrong_old_size,
       compmap.verify_consistency(13, 37, pg_temp.mth(h[1:13]), pg_temp.mth(h), '{}') AS empty_proof,
       compmap.verify_consistency(37, 13, pg_temp.mth(h), pg_temp.mth(h[1:13]), proof) AS sizes_reversed,
       compmap.verify_consistency(37, 37, pg_temp.mth(h), pg_temp.mth(h), ARRAY[h[1]]) AS equal_sizes_nonempty,
       compmap.verify_consistency(37, 37, pg_temp.mth(h), pg_temp.mth(h), '{}') AS equal_sizes_empty
  FROM c;

-- Errors
SELECT compmap.inclusion_proof(:'t', 37, 37);
SELECT compmap.inclusion_proof(:'t', 0, 38);
SELECT compmap.consistency_proof(:'t', 5, 3);
SELECT compmap.tree_root(:'t', -1);
SELECT compmap.verify_inclusion('\x00', 0, 1, '{}', '\x00');
SELECT compmap.tree_root('10000000-0000-4000-8000-00000000beef');
