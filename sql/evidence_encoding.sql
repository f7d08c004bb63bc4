-- Known-answer vectors for the leaf encoding (docs/evidence-format.md) and
-- proof that session settings never change the bytes.
\set VERBOSITY terse
SELECT '00000000-0000-4000-8000-000000000001' AS kt, '00000000-0000-4000-8000-0000000000aa' AS ks \gset

-- RFC 8785 canonical JSON
SELECT compmap.jcs(j) FROM (VALUES
    ('{"b":[1,2.5,"x"],"a":"é"}'::jsonb),
    ('{"numbers":[333333333.33333329, 1E30, 4.50, 2e-3, 0.000001, 1e-7, -0, 1e21, 999999999999999999999, 123456789012345678]}'),
    ('{"\u20ac":"euro","\r":"cr","1":"one","\ud83d\ude00":"emoji","\ufb33":"hebrew","\u0080":"ctrl"}'),
    ('{"s":"quote\" backslash\\ slash/ tab\t nl\n ctl\u001f del\u007f"}'),
    ('[null,true,false,{},[],""]'),
    ('"just a string"'), ('42'), ('{"z":{"b":1,"a":2},"a":[{"d":0,"c":0}]}')) AS v(j);
-- ECMAScript's shortest digits where PostgreSQL's float8 output has more
-- (node prints [43646558784219140,4447326476380320000,269467038595190000,1152921504606847000,9007199254740992,5e-324])
SELECT compmap.jcs('[43646558784219136, 4447326476380319575, 269467038595190015, 1152921504606846976, 9007199254740993, 5e-324]'),
       '4447326476380319575'::float8 AS float8_output;

-- large objects (sorted by qsort rather than insertion): byte order of ASCII keys
SELECT compmap.jcs(jsonb_object_agg(k, g)) =
       '{' || string_agg(format('"%s":%s', k, g), ',' ORDER BY k COLLATE "C") || '}' AS large_object_sorted
  FROM (SELECT 'key-' || (g * 7919 % 1000) AS k, g FROM generate_series(1, 300) g) s;

-- leaf bytes and hashes of two fixed events
SELECT compmap.payload_digest('{"b":[1,2.5,"x"],"a":"é"}') AS digest1 \gset
SELECT encode(:'digest1'::bytea, 'hex') AS payload_digest_1;
SELECT compmap.encode_leaf(:'kt', 0, :'ks', 1, '\x0000000000000000000000000000000000000000000000000000000000000000',
       'finding.created', 'alice', to_timestamp(0) + interval '1700000000000000 microseconds',
       to_timestamp(0) + interval '1700000000000001 microseconds', :'digest1') AS leaf1 \gset
SELECT encode(:'leaf1'::bytea, 'hex') AS leaf_bytes_1;
SELECT encode(compmap.leaf_hash(:'leaf1'), 'hex') AS leaf_hash_1;
SELECT compmap.leaf_hash(:'leaf1') AS lh1 \gset
SELECT compmap.encode_leaf(:'kt', 1, :'ks', 2, :'lh1',
       'finding.status_changed', 'bob', to_timestamp(0) + interval '1700000001000000 microseconds',
       to_timestamp(0) + interval '1700000001000001 microseconds',
       compmap.payload_digest('{"from":"new","to":"triaged"}')) AS leaf2 \gset
SELECT encode(compmap.leaf_hash(:'leaf2'), 'hex') AS leaf_hash_2;
SELECT encode(compmap.node_hash(:'lh1', compmap.leaf_hash(:'leaf2')), 'hex') AS root_of_2;

-- The same stored entries give the same bytes under any session settings.
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('10000000-0000-4000-8000-000000000002', 'encoding test');
SELECT compmap.record_event('10000000-0000-4000-8000-000000000002', :'ks', 'app.note', 'zoë',
       '{"amount": 12.5, "when": "2026-11-27", "list": [1, 2, 3]}', '2026-11-27 10:00:00.123456+00');
CREATE TEMP TABLE baseline AS
    SELECT compmap.leaf_bytes('10000000-0000-4000-8000-000000000002', 0) AS b,
           compmap.jcs(payload) AS j FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000002';
SET TimeZone = 'Pacific/Chatham';
SET DateStyle = 'SQL, DMY';
SET bytea_output = 'escape';
SET extra_float_digits = -15;
SET IntervalStyle = 'iso_8601';
SET search_path = pg_temp, public;
SET client_encoding = 'LATIN1';
SELECT compmap.leaf_bytes('10000000-0000-4000-8000-000000000002', 0) = b AS same_leaf_bytes,
       (SELECT compmap.jcs(payload) FROM compmap.evidence WHERE tenant_id = '10000000-0000-4000-8000-000000000002') = j AS same_jcs
  FROM baseline;
SELECT ok, checked FROM compmap.verify('10000000-0000-4000-8000-000000000002');
RESET ALL;
