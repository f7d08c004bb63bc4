#!/usr/bin/env bash
# compmap.map_trivy_text and compmap.map_grype_text (src/ingest_trivy_stream.c,
# src/ingest_grype_stream.c: the report read from its text) against
# map_trivy(document::jsonb) and map_grype(document::jsonb): the same rows
# in the same order, or the same error (SQLSTATE, message, detail and the
# "JSON data, line" context), for
#   * every Trivy and Grype fixture in ../shared/fixtures/scans, as written;
#   * the fixtures re-serialised with the keys of every object shuffled
#     (ArtifactName after Results, Target after the items, Secrets before
#     Vulnerabilities, source after matches), with duplicated keys (the
#     last value wins) and with \u escapes;
#   * generated reports (trivy_grype_gen.py, as trivy_grype_reference.sh draws them, keys
#     shuffled and repeated);
#   * hand-written reports: members out of order or repeated, Results and
#     matches that are not arrays, items that are not objects, escapes,
#     numbers, deep nesting, refused escapes and numbers;
#   * truncated and damaged text at many cut points;
# and ingest: json_scan's errors against ingest_parse_json's, what it reads
# against the jsonb expressions ingest_parse used, ingest of the texts,
# and the peak memory of backends mapping a big generated report.
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
db=cm_trivy_grype_stream
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..10"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q -f "$here/json_stream_compare.sql" >/dev/null

q >/dev/null <<'SQL'
CREATE TABLE doc (id text PRIMARY KEY, fmt text, t text);
CREATE TABLE outcome (id text PRIMARY KEY, fmt text, streamed text, jsonb text);
SQL
compare() {  # compare WHERE-clause: ids whose outcomes differ (at most 5), into $bad
    q -c "INSERT INTO outcome SELECT id, fmt, outcome(fmt, t, true), outcome(fmt, t, false) FROM doc WHERE $1 ON CONFLICT DO NOTHING"
    bad=$(q -c "SELECT string_agg(id, ' ') FROM (SELECT id FROM outcome o WHERE o.streamed IS DISTINCT FROM o.jsonb AND $1 ORDER BY id LIMIT 5) s")
}

# The documents.
python3 - "$scans" "$tmp/docs.csv" "$here/trivy_grype_reference.sh" <<'PY'
import csv, json, os, random, sys

scans, out, ref = sys.argv[1], sys.argv[2], sys.argv[3]
rnd = random.Random(20261209)
rows = []


def add(i, fmt, text):
    rows.append((i, fmt, text))


sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(ref))
import json_rewrite as jr
Pairs = jr.Pairs


def dumps(v, ascii_=None):
    return jr.dumps(v, rnd, ascii_)


def shuffled(v, dup=0.0):
    return jr.shuffled(v, rnd, dup, [[{'VulnerabilityID': 'CVE-2000-0001'}]])


# fixtures, as written and rewritten
fixtures = []
with open(os.path.join(scans, 'counts.csv')) as f:
    for line in list(f)[1:]:
        p = line.split(',')
        if p[1] in ('trivy', 'grype'):
            fixtures.append((p[0], p[1]))
for fx, fmt in fixtures:
    with open(os.path.join(scans, fx), encoding='utf-8') as f:
        text = f.read().lstrip('\ufeff')
    add('f:' + fx, fmt, text)
    v = json.loads(text)
    add('s:' + fx, fmt, dumps(shuffled(v)))
    add('d:' + fx, fmt, dumps(shuffled(v, 0.3)))
    add('u:' + fx, fmt, dumps(v, ascii_=True))

# the reports of trivy_grype_gen.py, keys shuffled and repeated
import trivy_grype_gen as g
for i in range(1200):
    add('gt%05d' % i, 'trivy', dumps(shuffled(g.trivy(), 0.05)))
    add('gg%05d' % i, 'grype', dumps(shuffled(g.grype(), 0.05)))

# hand-written
V = '{"VulnerabilityID": "CVE-2021-0001", "PkgName": "p", "InstalledVersion": "1", "Severity": "HIGH"}'
V2 = '{"VulnerabilityID": "CVE-2021-0002", "PkgName": "q", "Severity": "LOW"}'
M = '{"ID": "DS002", "AVDID": "AVD-DS-0002", "Status": "FAIL", "CauseMetadata": {"StartLine": 3}}'
S = '{"RuleID": "aws-key", "Category": "AWS", "StartLine": 7}'
MT = '{"vulnerability": {"id": "CVE-2022-0001", "severity": "High"}, "artifact": {"name": "a", "version": "1"}}'
SRC = '{"type": "image", "target": {"userInput": "img:1"}}'
trivy_hand = {
    'in_order': '{"SchemaVersion": 2, "ArtifactName": "a", "ArtifactType": "container_image", "Results": [{"Target": "t", "Vulnerabilities": [%s, %s], "Misconfigurations": [%s], "Secrets": [%s]}]}' % (V, V2, M, S),
    'artifact_after_results': '{"Results": [{"Target": "t", "Vulnerabilities": [%s]}], "ArtifactName": "late", "ArtifactType": "vm"}' % V,
    'artifact_twice': '{"ArtifactName": "first", "Results": [{"Target": "t", "Vulnerabilities": [%s]}], "ArtifactName": "second"}' % V,
    'target_after_items': '{"Results": [{"Vulnerabilities": [%s], "Target": "late"}, {"Target": "t2", "Secrets": [%s]}]}' % (V, S),
    'target_twice': '{"Results": [{"Target": "a", "Target": "b", "Secrets": [%s]}]}' % S,
    'classes_reversed': '{"Results": [{"Target": "t", "Secrets": [%s], "Misconfigurations": [%s], "Vulnerabilities": [%s, %s]}]}' % (S, M, V, V2),
    'class_twice': '{"Results": [{"Target": "t", "Vulnerabilities": [%s], "Vulnerabilities": [%s]}]}' % (V, V2),
    'class_twice_last_null': '{"Results": [{"Target": "t", "Vulnerabilities": [%s], "Secrets": [%s], "Vulnerabilities": null}]}' % (V, S),
    'results_twice': '{"Results": [{"Target": "t", "Vulnerabilities": [%s]}], "Results": [{"Target": "u", "Secrets": [%s]}]}' % (V, S),
    'results_twice_last_object': '{"Results": [{"Target": "t", "Vulnerabilities": [%s]}], "Results": {}}' % V,
    'results_then_array': '{"Results": 5, "Results": [{"Secrets": [%s]}]}' % S,
    'items_not_objects': '{"Results": [{"Vulnerabilities": [1, "x", null, true, 1.50, [], {}], "Secrets": [[%s]]}]}' % S,
    'results_not_objects': '{"Results": [1, null, [{"Vulnerabilities": [%s]}], {"Secrets": {"a": [%s]}}, {"Secrets": [%s]}]}' % (V, S, S),
    'names_elsewhere': '{"Metadata": {"Results": [{"Vulnerabilities": [1]}], "ArtifactName": "no"}, "Results": [{"Target": "t", "x": {"Target": "no", "Secrets": [1]}, "Secrets": [%s]}]}' % S,
    'top_array': '[{"Results": [{"Vulnerabilities": [%s]}]}]' % V,
    'top_scalar': '"Results"',
    'numbers': '{"ArtifactName": 1.0, "Results": [{"Target": 1E+2, "Vulnerabilities": [{"VulnerabilityID": -0, "PkgName": 1e1, "InstalledVersion": 0.000000001, "CVSS": {"nvd": {"V3Score": 9.80}}}], "Misconfigurations": [{"CauseMetadata": {"StartLine": 12345678901234567890123}}]}]}',
    'escapes': '{"ArtifactN\\u0061me": "\\u00e9\\ud83d\\ude00", "Results": [{"T\\u0061rget": "a\\nb", "Secrets": [{"RuleID": "\\u0052\\u0031", "Category": "\\"\\\\\\/\\u20ac"}]}]}',
    'deep_in_item': '{"Results": [{"Vulnerabilities": [{"VulnerabilityID": "deep", "X": %s1%s}]}]}' % ('[' * 3000, ']' * 3000),
    'too_deep': '{"Results": [{"Vulnerabilities": [%s]}]}' % ('[' * 1000000),
    'nul_escape_in_item': '{"Results": [{"Vulnerabilities": [{"Title": "a\\u0000b"}]}]}',
    'nul_escape_elsewhere': '{"Results": [], "x": "\\u0000"}',
    'lone_surrogate': '{"Results": [{"Target": "\\ud83d"}]}',
    'number_overflow_in_item': '{"Results": [{"Secrets": [{"StartLine": 1e1000000}]}]}',
    'number_overflow_after': '{"Results": [{"Secrets": [%s]}], "x": [1e1000000]}' % S,
    'trailing_garbage': '{"Results": [{"Secrets": [%s]}]} x' % S,
    'empty': '',
}
grype_hand = {
    'in_order': '{"source": %s, "matches": [%s, %s]}' % (SRC, MT, MT),
    'source_after_matches': '{"matches": [%s], "source": %s}' % (MT, SRC),
    'source_twice': '{"source": {"type": "file", "target": "x"}, "matches": [%s], "source": %s}' % (MT, SRC),
    'matches_twice': '{"source": %s, "matches": [%s], "matches": [{"vulnerability": {"id": "CVE-2023-0009"}}]}' % (SRC, MT),
    'matches_twice_last_object': '{"matches": [%s], "matches": {}}' % MT,
    'matches_null': '{"source": %s, "matches": null}' % SRC,
    'matches_string': '{"matches": "x"}',
    'matches_object': '{"matches": {"a": [%s]}}' % MT,
    'matches_not_objects': '{"matches": [1, "x", null, [], {}, [%s]]}' % MT,
    'no_matches': '{"source": %s}' % SRC,
    'top_array': '[{"matches": [%s]}]' % MT,
    'names_elsewhere': '{"descriptor": {"matches": [1], "source": {"type": "image"}}, "matches": [{"source": 1, "matches": []}]}',
    'escapes': '{"s\\u006furce": {"type": "im\\u0061ge", "target": "\\"q\\""}, "m\\u0061tches": [{"vulnerability": {"id": "CVE-2021-\\u0031234"}}]}',
    'numbers': '{"source": {"type": 1.0, "target": 1E+2}, "matches": [{"vulnerability": {"id": 1e1, "cvss": [{"version": 3.10, "vector": "CVSS:3.1/AV:N"}]}, "artifact": {"name": -0, "version": 0.10}}]}',
    'too_deep': '{"matches": [%s]}' % ('[' * 1000000),
    'nul_escape_in_match': '{"matches": [{"vulnerability": {"id": "\\u0000"}}]}',
    'number_overflow_after': '{"matches": [%s], "x": 1e1000000}' % MT,
    'trailing_comma': '{"matches": [%s,]}' % MT,
}
for k, v in trivy_hand.items():
    add('ht:' + k, 'trivy', v)
for k, v in grype_hand.items():
    add('hg:' + k, 'grype', v)

# damaged text at many cut points
bases = [('trivy', trivy_hand['classes_reversed']), ('trivy', trivy_hand['artifact_after_results']),
         ('grype', grype_hand['source_after_matches']), ('grype', grype_hand['numbers'])]
for fx, fmt in fixtures[:2] + [x for x in fixtures if x[1] == 'grype'][:1]:
    with open(os.path.join(scans, fx), encoding='utf-8') as f:
        bases.append((fmt, f.read().lstrip('\ufeff')))
for b, (fmt, base) in enumerate(bases):
    cuts = range(len(base)) if len(base) < 400 else sorted(rnd.sample(range(len(base)), 150))
    for c in cuts:
        add('t%d:%06d' % (b, c), fmt, base[:c])
    for j in range(40):          # one character replaced or dropped
        c = rnd.randrange(len(base))
        add('x%d:%04d' % (b, j), fmt, base[:c] + rnd.choice(['', '"', '{', ']', ',', ':', '\\', 'x', '\\u00', '1e', '-']) + base[c + 1:])

with open(out, 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    for r in rows:
        w.writerow(r)
PY
q -c "\\copy doc FROM '$tmp/docs.csv' WITH (FORMAT csv, FORCE_NOT_NULL (t))"

# 1: fixtures as written
compare "id LIKE 'f:%'"
nt=$(q -c "SELECT count(*) FROM outcome WHERE id LIKE 'f:%' AND fmt = 'trivy' AND streamed LIKE 'rows %'")
ng=$(q -c "SELECT count(*) FROM outcome WHERE id LIKE 'f:%' AND fmt = 'grype' AND streamed LIKE 'rows %'")
[ -z "$bad" ] && [ "$nt" -ge 5 ] && [ "$ng" -ge 4 ]
ok $? "map_trivy_text and map_grype_text equal map_<format>(text::jsonb) for the $nt Trivy and $ng Grype fixtures ${bad:+(differ: $bad)}"

# 2: fixtures with shuffled keys, duplicate keys, \u escapes
compare "id ~ '^[sdu]:'"
nd=$(q -c "SELECT count(*) FROM outcome WHERE id ~ '^[sdu]:'")
[ -z "$bad" ] && [ "$nd" -ge 27 ]
ok $? "the same for the fixtures with keys shuffled, keys repeated and \\u escapes ($nd documents) ${bad:+(differ: $bad)}"

# 3: generated reports
compare "id ~ '^g[tg]'"
ngen=$(q -c "SELECT count(*) FROM outcome WHERE id ~ '^g[tg]'")
nr=$(q -c "SELECT sum(split_part(streamed, ' ', 2)::int) FROM outcome WHERE id ~ '^g[tg]' AND streamed LIKE 'rows %'")
[ -z "$bad" ] && [ "$ngen" = 2400 ] && [ "$nr" -gt 5000 ]
ok $? "the same for $ngen generated reports with shuffled and repeated keys, $nr rows ${bad:+(differ: $bad)}"

# 4: hand-written documents (and each one means something)
compare "id ~ '^h[tg]:'"
detail=$(q -c "SELECT string_agg(o.id || ' ' || left(o.streamed, 60), E'\n' ORDER BY o.id) FROM outcome o WHERE o.id ~ '^h[tg]:'")
expect=$(q -c "SELECT count(*) FROM outcome o WHERE
   (o.id IN ('ht:nul_escape_in_item', 'ht:nul_escape_elsewhere', 'hg:nul_escape_in_match') AND o.streamed LIKE 'error 22P05: unsupported Unicode escape sequence%')
   OR (o.id IN ('ht:lone_surrogate', 'ht:trailing_garbage', 'ht:empty', 'hg:trailing_comma') AND o.streamed LIKE 'error 22P02:%')
   OR (o.id IN ('ht:number_overflow_in_item', 'ht:number_overflow_after', 'hg:number_overflow_after') AND o.streamed LIKE 'error 22003:%')
   OR (o.id IN ('ht:too_deep', 'hg:too_deep') AND o.streamed LIKE 'error 54001:%')
   OR (o.id IN ('hg:matches_twice_last_object', 'hg:matches_object') AND o.streamed LIKE 'error 22023: cannot extract elements from an object%')
   OR (o.id IN ('hg:matches_null', 'hg:matches_string') AND o.streamed LIKE 'error 22023: cannot extract elements from a scalar%')
   OR (o.id IN ('ht:in_order', 'ht:classes_reversed') AND o.streamed LIKE 'rows 4 %')
   OR (o.id IN ('ht:artifact_after_results', 'ht:artifact_twice', 'ht:target_twice', 'ht:class_twice', 'ht:results_then_array', 'ht:deep_in_item', 'ht:names_elsewhere')
       AND o.streamed LIKE 'rows 1 %')
   OR (o.id IN ('ht:target_after_items', 'ht:numbers', 'hg:in_order') AND o.streamed LIKE 'rows 2 %')
   OR (o.id IN ('ht:results_twice', 'ht:escapes', 'ht:class_twice_last_null', 'hg:source_after_matches', 'hg:source_twice', 'hg:matches_twice', 'hg:escapes', 'hg:numbers', 'hg:names_elsewhere') AND o.streamed LIKE 'rows 1 %')
   OR (o.id = 'ht:items_not_objects' AND o.streamed LIKE 'rows 8 %')
   OR (o.id = 'ht:results_not_objects' AND o.streamed LIKE 'rows 1 %')
   OR (o.id = 'hg:matches_not_objects' AND o.streamed LIKE 'rows 6 %')
   OR (o.id IN ('ht:results_twice_last_object', 'ht:top_array', 'ht:top_scalar', 'hg:no_matches', 'hg:top_array') AND o.streamed LIKE 'rows 0 %')")
total=$(q -c "SELECT count(*) FROM outcome o WHERE o.id ~ '^h[tg]:'")
[ -z "$bad" ] && [ "$expect" = "$total" ]
ok $? "the same for hand-written reports: members out of order and repeated, odd types, escapes, numbers, nesting ($expect of $total as expected) ${bad:+(differ: $bad)}"
[ -z "$bad" ] && [ "$expect" = "$total" ] || echo "$detail" | sed 's/^/# /'

# 5: damaged text: the same error (or rows) at every cut
compare "id ~ '^[tx][0-9]'"
nt=$(q -c "SELECT count(*) FROM outcome WHERE id ~ '^[tx][0-9]'")
ne=$(q -c "SELECT count(*) FROM outcome WHERE id ~ '^[tx][0-9]' AND streamed LIKE 'error %'")
[ -z "$bad" ] && [ "$ne" -gt 800 ]
ok $? "the same outcome for $nt truncated or damaged texts ($ne errors, SQLSTATE, message, detail and line alike) ${bad:+(differ: $bad)}"

# 6: ingest's parse: json_scan raises what ingest_parse_json raised
q -c "CREATE TABLE scan_cmp AS
      SELECT d.id, l.label,
             parse_error(format('SELECT compmap.json_scan(%L, %L)', d.t, l.label)) AS streamed,
             parse_error(format('SELECT compmap.ingest_parse_json(%L, %L)', d.t, l.label)) AS jsonb
        FROM doc d, (VALUES ('trivy'), ('grype'), ('JSON')) AS l(label)
       WHERE d.id ~ '^([tx][0-9]|h[tg]:)' AND length(d.t) < 100000"
bad=$(q -c "SELECT string_agg(id || ' ' || label, ', ') FROM (SELECT * FROM scan_cmp WHERE streamed IS DISTINCT FROM jsonb ORDER BY id LIMIT 5) s")
ns=$(q -c "SELECT count(*) FROM scan_cmp WHERE streamed LIKE '22P02: malformed % document: %'")
[ -z "$bad" ] && [ "$ns" -gt 500 ]
ok $? "json_scan refuses malformed JSON as ingest_parse_json did: $ns errors alike (22P02, message, detail with the line, hint) ${bad:+(differ: $bad)}"

# 7: what json_scan reads equals the jsonb expressions ingest_parse used
bad=$(q -c "SELECT string_agg(id, ' ') FROM (
   SELECT d.id FROM doc d, compmap.json_scan(d.t, 'JSON') s, LATERAL (SELECT d.t::jsonb AS j) j
    WHERE d.id IN (SELECT id FROM outcome WHERE streamed LIKE 'rows %')
      AND (s.json_type IS DISTINCT FROM jsonb_typeof(j.j)
           OR s.format IS DISTINCT FROM (CASE WHEN jsonb_typeof(j.j) = 'object' THEN compmap.ingest_json_format(j.j) END)
           OR s.schema_version IS DISTINCT FROM (CASE WHEN jsonb_typeof(j.j) = 'object' THEN j.j->'SchemaVersion' END)
           OR s.results_type IS DISTINCT FROM (CASE WHEN jsonb_typeof(j.j) = 'object' THEN jsonb_typeof(j.j->'Results') END)
           OR s.matches_type IS DISTINCT FROM (CASE WHEN jsonb_typeof(j.j) = 'object' THEN jsonb_typeof(j.j->'matches') END))
    ORDER BY d.id LIMIT 5) s")
nw=$(q -c "SELECT count(*) FROM outcome WHERE streamed LIKE 'rows %'")
[ -z "$bad" ]
ok $? "json_scan's type, format, SchemaVersion and the types of Results and matches equal the jsonb expressions for the $nw well-formed documents ${bad:+(differ: $bad)}"

# 8: ingest_parse's checks of Trivy and Grype, named and detected
got=$(q <<'SQL'
SELECT string_agg(x.d || ' ' || x.f || ': ' || parse_error(format('SELECT compmap.ingest_parse(%L, %L)', x.d, x.f)), E'\n' ORDER BY x.n)
  FROM (VALUES (1, '{"SchemaVersion": 3, "Results": []}', 'auto'), (2, '{"SchemaVersion": "2", "Results": []}', 'trivy'),
               (3, '{"SchemaVersion": null}', 'trivy'), (4, '{"SchemaVersion": 2, "Results": {}}', 'auto'),
               (5, '{"ArtifactName": "a", "Results": 1, "Results": null}', 'auto'), (6, '[{"Results": []}]', 'trivy'),
               (7, '{"matches": {}}', 'auto'), (8, '{"x": 1}', 'grype'), (9, '"matches"', 'grype'),
               (10, '{"SchemaVersion": 2.0}', 'trivy'), (11, '{"SchemaVersion": {"a": [1]}}', 'auto')) AS x(n, d, f)
SQL
)
want='{"SchemaVersion": 3, "Results": []} auto: 22023: unsupported Trivy SchemaVersion 3 / The element $.SchemaVersion must be 2. / 
{"SchemaVersion": "2", "Results": []} trivy: no error
{"SchemaVersion": null} trivy: 22023: unsupported Trivy SchemaVersion null / The element $.SchemaVersion must be 2. / 
{"SchemaVersion": 2, "Results": {}} auto: 22023: trivy document has no Results array / Expected an array at $.Results. / 
{"ArtifactName": "a", "Results": 1, "Results": null} auto: no error
[{"Results": []}] trivy: 22023: trivy document is a JSON array, expected an object /  / 
{"matches": {}} auto: 22023: grype document has no matches array / Expected an array at $.matches. / 
{"x": 1} grype: 22023: grype document has no matches array / Expected an array at $.matches. / 
"matches" grype: 22023: grype document is a JSON string, expected an object /  / 
{"SchemaVersion": 2.0} trivy: 22023: unsupported Trivy SchemaVersion 2.0 / The element $.SchemaVersion must be 2. / 
{"SchemaVersion": {"a": [1]}} auto: 22023: unsupported Trivy SchemaVersion {"a": [1]} / The element $.SchemaVersion must be 2. / '
[ "$got" = "$want" ]
ok $? "ingest_parse checks Trivy's SchemaVersion and Results and Grype's matches from the text, named and detected, with the messages of the jsonb checks"
[ "$got" = "$want" ] || echo "$got" | sed 's/^/# /'

# 9: ingest reads the texts: rows as map_<format>(text::jsonb) gives, a
# damaged text changes nothing, a byte order mark is no obstacle
q -c "SELECT compmap.create_tenant('stream') AS t" > "$tmp/tenant"
t=$(cat "$tmp/tenant")
before=$(q -c "SELECT (SELECT count(*) FROM compmap.finding) || '/' || (SELECT count(*) FROM compmap.scan) || '/' || (SELECT count(*) FROM compmap.evidence)")
errs=$(q -c "SELECT string_agg(DISTINCT left(parse_error(format('SELECT * FROM compmap.ingest(%L, %L, %L)', '$t', d.t, x.f)), 5), ',')
               FROM doc d, (VALUES ('auto'), (NULL)) AS x(f) WHERE d.id ~ '^t[05]:' AND length(d.t) > 1")
after=$(q -c "SELECT (SELECT count(*) FROM compmap.finding) || '/' || (SELECT count(*) FROM compmap.scan) || '/' || (SELECT count(*) FROM compmap.evidence)")
q >/dev/null <<'SQL'
-- The results an ingest counted, or its error.
CREATE FUNCTION ingest_outcome(tenant uuid, t text, f text, label text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    SELECT i.format || ' ' || i.results INTO r FROM compmap.ingest(tenant, t, f, now(), label) AS i;
    RETURN r;
EXCEPTION WHEN OTHERS THEN
    RETURN 'error ' || SQLERRM;
END
$$;
SQL
q -c "CREATE TABLE ingested AS SELECT d.id, d.fmt, ingest_outcome('$t', CASE WHEN d.id LIKE 'd:%' THEN U&'\\FEFF' ELSE '' END || d.t, CASE WHEN d.id LIKE 's:%' THEN d.fmt ELSE 'auto' END, d.id) AS got
        FROM doc d WHERE d.id ~ '^[fsd]:'"
bad=$(q -c "SELECT string_agg(i.id, ' ') FROM ingested i JOIN outcome o USING (id)
             WHERE i.got IS DISTINCT FROM i.fmt || ' ' || split_part(o.streamed, ' ', 2)
               -- a repeated key may leave what ingest_parse checks refused
               AND NOT (i.id LIKE 'd:%' AND (i.got LIKE 'error unsupported Trivy SchemaVersion %'
                                             OR i.got IN ('error trivy document has no Results array', 'error grype document has no matches array')))")
ni=$(q -c "SELECT count(*) FROM ingested WHERE got NOT LIKE 'error %'")
[ "$before" = "$after" ] && [ "$errs" = "22P02" ] && [ -z "$bad" ] && [ "$ni" -ge 20 ]
ok $? "ingest of truncated Trivy and Grype texts fails with 22P02 and changes nothing ($before = $after); $ni fixtures, shuffled and repeated, ingest with map_<format>'s counts, named, detected and after a byte order mark ${bad:+(not: $bad)}"

# 10: peak memory of backends mapping big generated reports, the members
# that every row needs written last (the slower paths: Trivy reads twice
# holding each Result's items, Grype reads twice)
q >/dev/null <<'SQL'
CREATE TABLE big AS
SELECT 'trivy' AS fmt, '{"SchemaVersion": 2, "Results": [' || string_agg(r, ', ') || '], "ArtifactType": "container_image", "ArtifactName": "big"}' AS t
  FROM (SELECT '{"Vulnerabilities": [' || string_agg(format('{"VulnerabilityID": "CVE-2021-%s", "PkgName": "pkg%s", "InstalledVersion": "1.%s", "FixedVersion": "1.%s.1", "Severity": "HIGH", "Title": "title %s", "Description": "description of %s %s", "References": ["https://example.com/%s"], "CweIDs": ["CWE-%s"], "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}}}',
                                             g, g % 300, g % 7, g % 7, g, g, md5(g::text), g, 20 + g % 50), ', ')
               || '], "Target": "target ' || g / 1000 || '"}' AS r
          FROM generate_series(1, 70000) g GROUP BY g / 1000) s
UNION ALL
SELECT 'grype', '{"matches": [' || string_agg(format('{"vulnerability": {"id": "CVE-2022-%s", "severity": "High", "description": "description of %s %s", "urls": ["https://example.com/%s"], "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}], "fix": {"versions": ["1.%s.1"]}}, "artifact": {"name": "pkg%s", "version": "1.%s", "type": "npm", "locations": [{"path": "/app/node_modules/pkg%s"}]}}',
                                              g, g, md5(g::text), g, g % 7, g % 300, g % 7, g % 300), ', ')
       || '], "source": {"type": "image", "target": {"userInput": "big:1"}}}'
  FROM generate_series(1, 70000) g;
SQL
mem=""
okm=0
for f in trivy grype; do
    bytes=$(q -c "SELECT octet_length(t) FROM big WHERE fmt = '$f'")
    out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $db <<SQL
SELECT count(*) FROM big, compmap.map_${f}_text(big.t) WHERE big.fmt = '$f';
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+([0-9]+) kB'))[1];
SQL
)
    rows=$(echo "$out" | sed -n 1p)
    hwm=$(echo "$out" | sed -n 2p)
    mem="$mem $f $((bytes / 1048576)) MB: $rows rows, peak $((hwm / 1024)) MB;"
    # the jsonb alone took about 20 times the document's size; the bound is
    # the document's detoasted copy plus 64 MB
    [ "$rows" = 70000 ] && [ -n "$hwm" ] && [ $((hwm * 1024)) -lt $((bytes + 64 * 1048576)) ] || okm=1
done
ok $okm "big reports map in backends whose peak memory stays under the document's size plus 64 MB:$mem"
