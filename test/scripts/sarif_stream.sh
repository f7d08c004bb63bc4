#!/usr/bin/env bash
# compmap.map_sarif_text (src/ingest_sarif_stream.c, the SARIF log read from
# its text) against compmap.map_sarif(document::jsonb): the same rows in the
# same order, or the same error (SQLSTATE, message, detail and the "JSON
# data, line" context), for
#   * every SARIF fixture in ../shared/fixtures/scans, as written;
#   * the fixtures re-serialised with the keys of every object shuffled
#     (results before tool, artifacts and versionControlProvenance after
#     them), with duplicated keys (the last value wins), with \u escapes;
#   * 3,000 generated logs (sarif_gen.py, as sarif_reference.sh draws them, with
#     shuffled keys);
#   * hand-written logs: several runs, runs and results repeated, tool
#     after results, runs that are not objects, deep nesting, \u0000 and
#     lone surrogates (refused), surrogate pairs, huge strings, numbers
#     jsonb normalises (1.0, 1E+2, -0, 1e400) and numbers numeric refuses;
#   * truncated and damaged text at many cut points;
# and ingest's checks: sarif_scan's errors against ingest_parse_json's,
# the scanners it reads against the jsonb ones, a failed ingest changes
# nothing, and the peak memory of a backend mapping a generated 50 MB log.
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
db=cm_sarif_stream
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..9"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q -f "$here/json_stream_compare.sql" >/dev/null

q >/dev/null <<'SQL'
CREATE TABLE doc (id text PRIMARY KEY, t text);
CREATE TABLE outcome (id text PRIMARY KEY, streamed text, jsonb text);
SQL
compare() {  # compare WHERE-clause: ids whose outcomes differ (at most 5), into $bad
    q -c "INSERT INTO outcome SELECT id, outcome('sarif', t, true), outcome('sarif', t, false) FROM doc WHERE $1 ON CONFLICT DO NOTHING"
    bad=$(q -c "SELECT string_agg(id, ' ') FROM (SELECT id FROM outcome o WHERE o.streamed IS DISTINCT FROM o.jsonb AND $1 ORDER BY id LIMIT 5) s")
}

# The documents.
python3 - "$scans" "$tmp/docs.csv" "$top/test/scripts/sarif_reference.sh" <<'PY'
import csv, json, os, random, re, sys

scans, out, ref = sys.argv[1], sys.argv[2], sys.argv[3]
rnd = random.Random(20261208)
rows = []


def add(i, text):
    rows.append((i, text))


sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(ref))
import json_rewrite as jr
Pairs, Raw = jr.Pairs, jr.Raw


def dumps(v, ascii_=None, sep=None):
    return jr.dumps(v, rnd, ascii_, sep)


def shuffled(v, dup=0.0):
    return jr.shuffled(v, rnd, dup)


# fixtures, as written and rewritten
fixtures = []
with open(os.path.join(scans, 'counts.csv')) as f:
    for line in list(f)[1:]:
        p = line.split(',')
        if p[1] == 'sarif':
            fixtures.append(p[0])
for fx in fixtures:
    with open(os.path.join(scans, fx), encoding='utf-8') as f:
        text = f.read()
    add('f:' + fx, text.lstrip('\ufeff'))
    try:
        v = json.loads(text.lstrip('\ufeff'))
    except ValueError:
        continue
    add('s:' + fx, dumps(shuffled(v)))
    add('d:' + fx, dumps(shuffled(v, 0.3)))
    add('u:' + fx, dumps(v, ascii_=True))

# the generated logs of sarif_gen.py (as sarif_reference.sh draws them), keys shuffled
import sarif_gen as g
for i in range(3000):
    d = {'version': '2.1.0', 'runs': [g.run() for _ in range(g.rnd.choice([0, 1, 1, 1, 2, 3]))]}
    add('g%05d' % i, dumps(shuffled(d, 0.05)))

# hand-written
R = '{"ruleId": "R1", "message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"index": 0}}}]}'
T = '{"driver": {"name": "Tool", "rules": [{"id": "R1", "name": "CVE-2020-1234 rule", "helpUri": "https://h.example/r1"}]}}'
T2 = '{"driver": {"name": "Other", "rules": [{"id": "R1", "shortDescription": {"text": "second tool"}}]}}'
A = '[{"location": {"uri": "src/a.c"}}]'
hand = {
    'results_before_tool': '{"version": "2.1.0", "runs": [{"results": [%s, %s], "tool": %s, "artifacts": %s}]}' % (R, R, T, A),
    'tool_twice_after_results': '{"version": "2.1.0", "runs": [{"tool": %s, "results": [%s], "tool": %s}]}' % (T, R, T2),
    'tool_twice_before_results': '{"version": "2.1.0", "runs": [{"tool": %s, "tool": %s, "results": [%s]}]}' % (T, T2, R),
    'results_twice': '{"runs": [{"tool": %s, "results": [%s, %s], "results": [{"ruleId": "R2"}]}]}' % (T, R, R),
    'results_twice_last_not_array': '{"runs": [{"tool": %s, "results": [%s], "results": 5}]}' % (T, R),
    'runs_twice': '{"runs": [{"tool": %s, "results": [%s]}], "version": "2.1.0", "runs": [{"results": [{"ruleId": "Z"}]}]}' % (T, R),
    'runs_twice_last_object': '{"runs": [{"tool": %s, "results": [%s]}], "runs": {}}' % (T, R),
    'runs_twice_last_null': '{"runs": [{"tool": %s, "results": [%s]}], "runs": null}' % (T, R),
    'runs_then_array': '{"runs": 5, "runs": [{"results": [%s]}]}' % R,
    'several_runs': '{"runs": [{"tool": %s, "results": [%s]}, 7, [1, {"tool": 1}], {"results": [%s], "versionControlProvenance": [{"repositoryUri": "https://r.example"}]}, {}, null]}' % (T, R, R),
    'vcp_after_results': '{"runs": [{"results": [%s], "versionControlProvenance": [{"repositoryUri": "https://r.example"}], "tool": %s}]}' % (R, T),
    'run_member_names_elsewhere': '{"runs": [{"properties": {"tool": 1, "results": [1]}, "results": [{"properties": {"results": [], "tool": {}}}]}], "x": {"runs": [{"results": [1]}]}}',
    'top_array': '[{"runs": [{"results": [%s]}]}]' % R,
    'top_scalar': '"runs"',
    'top_null': 'null',
    'no_runs': '{"version": "2.1.0"}',
    'empty_key': '{"": 1, "runs": [{"": {"": []}, "results": [{"": ""}]}]}',
    'scalar_results': '{"runs": [{"results": [1, "x", null, true, 1.50, [], {}]}]}',
    'numbers': '{"runs": [{"tool": {"driver": {"name": 1.0, "rules": [{"id": 1E+2, "properties": {"security-severity": 9.50}}]}}, "results": [{"ruleId": 100, "ruleIndex": 0.0, "message": {"text": -0}, "properties": {"security-severity": 1e1, "tags": [1e400, -0.0, 0.000000001, 12345678901234567890123]}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a"}, "region": {"startLine": 1.0}}}]}]}]}',
    'number_overflow_in_result': '{"runs": [{"results": [{"ruleId": 1e1000000}]}]}',
    'number_overflow_elsewhere': '{"runs": [{"results": [%s]}], "x": [1e1000000]}' % R,
    'escapes': '{"runs": [{"tool": {"driver": {"name": "T\\u00e9\\ud83d\\ude00"}}, "results": [{"ruleId": "\\u0052\\u0031", "message": {"text": "a\\nb\\t\\"\\\\\\/\\u20ac"}}]}]}',
    'escaped_keys': '{"r\\u0075ns": [{"t\\u006fol": {"driver": {"name": "esc"}}, "res\\u0075lts": [{"r\\u0075leId": "R1"}]}]}',
    'nul_escape_in_result': '{"runs": [{"results": [{"message": {"text": "a\\u0000b"}}]}]}',
    'nul_escape_elsewhere': '{"runs": [], "x": "\\u0000"}',
    'nul_escape_in_key': '{"runs": [{"results": [{"a\\u0000": 1}]}]}',
    'lone_high_surrogate': '{"runs": [{"results": [{"ruleId": "\\ud83d"}]}]}',
    'lone_low_surrogate': '{"runs": [{"results": [{"ruleId": "\\ude00x"}]}]}',
    'bad_escape': '{"runs": [{"results": [{"ruleId": "\\x"}]}]}',
    'huge_strings': '{"runs": [{"tool": {"driver": {"name": "%s"}}, "results": [{"message": {"text": "%s"}, "ruleId": "%s"}]}]}' % ('n' * 3000000, 'é' * 2000000, 'CVE-2021-44228 ' * 100000),
    'deep_in_result': '{"runs": [{"results": [{"ruleId": "deep", "properties": %s1%s}]}]}' % ('[' * 3000, ']' * 3000),
    'deep_elsewhere': '{"runs": [{"results": [%s]}], "x": %s{}%s}' % (R, '{"a":' * 3000, '}' * 3000),
    'too_deep': '{"runs": [{"results": [%s]}]}' % ('[' * 1000000),
    'whitespace': ' \n\t{ "runs" :\r\n[ { "results" : [ { } ] } ] } \n',
    'trailing_garbage': '{"runs": [{"results": [%s]}]} x' % R,
    'two_values': '{"runs": []} {}',
    'empty': '',
    'blank': '   ',
    'single_quotes': "{'runs': []}",
    'trailing_comma': '{"runs": [{"results": [%s,]}]}' % R,
    'nan': '{"runs": [{"results": [{"ruleId": NaN}]}]}',
    'leading_zero': '{"runs": [{"results": [{"ruleId": 01}]}]}',
    'control_char': '{"runs": [{"results": [{"ruleId": "a\x01b"}]}]}',
}
for k, v in hand.items():
    add('h:' + k, v)

# damaged text at many cut points
bases = [hand['results_before_tool'], hand['escapes'], hand['numbers'], hand['several_runs']]
for fx in fixtures[:3]:
    with open(os.path.join(scans, fx), encoding='utf-8') as f:
        bases.append(f.read().lstrip('\ufeff'))
for b, base in enumerate(bases):
    cuts = range(len(base)) if len(base) < 700 else sorted(rnd.sample(range(len(base)), 250))
    for c in cuts:
        add('t%d:%06d' % (b, c), base[:c])
    for j in range(60):          # one character replaced or dropped
        c = rnd.randrange(len(base))
        add('x%d:%04d' % (b, j), base[:c] + rnd.choice(['', '"', '{', ']', ',', ':', '\\', 'x', '\\u00', '1e', '-']) + base[c + 1:])

with open(out, 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    for i, t in rows:
        w.writerow([i, t])
PY
q -c "\\copy doc FROM '$tmp/docs.csv' WITH (FORMAT csv, FORCE_NOT_NULL (t))"

# 1: fixtures as written
compare "id LIKE 'f:%'"
nf=$(q -c "SELECT count(*) FROM outcome WHERE id LIKE 'f:%' AND streamed LIKE 'rows %'")
[ -z "$bad" ] && [ "$nf" -ge 15 ]
ok $? "map_sarif_text equals map_sarif(text::jsonb) for the $nf SARIF fixtures ${bad:+(differ: $bad)}"

# 2: fixtures with shuffled keys, duplicate keys, \u escapes
compare "id ~ '^[sdu]:'"
nd=$(q -c "SELECT count(*) FROM outcome WHERE id ~ '^[sdu]:'")
[ -z "$bad" ] && [ "$nd" -ge 45 ]
ok $? "the same for the fixtures with keys shuffled, keys repeated and \\u escapes ($nd documents) ${bad:+(differ: $bad)}"

# 3: generated logs
compare "id LIKE 'g%'"
ng=$(q -c "SELECT count(*) FROM outcome WHERE id LIKE 'g%'")
nr=$(q -c "SELECT sum(split_part(streamed, ' ', 2)::int) FROM outcome WHERE id LIKE 'g%' AND streamed LIKE 'rows %'")
[ -z "$bad" ] && [ "$ng" = 3000 ] && [ "$nr" -gt 10000 ]
ok $? "the same for $ng generated logs with shuffled and repeated keys, $nr rows ${bad:+(differ: $bad)}"

# 4: hand-written documents (and each one means something)
compare "id LIKE 'h:%'"
detail=$(q -c "SELECT string_agg(o.id || ' ' || left(o.streamed, 60), E'\n' ORDER BY o.id) FROM outcome o WHERE o.id LIKE 'h:%'")
expect=$(q -c "SELECT count(*) FROM outcome o WHERE
   (o.id IN ('h:nul_escape_in_result', 'h:nul_escape_elsewhere', 'h:nul_escape_in_key') AND o.streamed LIKE 'error 22P05: unsupported Unicode escape sequence%')
   OR (o.id IN ('h:lone_high_surrogate', 'h:lone_low_surrogate', 'h:bad_escape', 'h:trailing_garbage', 'h:empty', 'h:nan') AND o.streamed LIKE 'error 22P02:%')
   OR (o.id IN ('h:number_overflow_in_result', 'h:number_overflow_elsewhere') AND o.streamed LIKE 'error 22003:%')
   OR (o.id = 'h:too_deep' AND o.streamed LIKE 'error 54001:%')
   OR (o.id IN ('h:runs_twice_last_object', 'h:runs_twice_last_null') AND o.streamed LIKE 'error 22023: cannot get array length%')
   OR (o.id IN ('h:results_before_tool', 'h:huge_strings', 'h:deep_in_result', 'h:escapes', 'h:escaped_keys', 'h:numbers') AND o.streamed NOT LIKE 'rows 0 %' AND o.streamed LIKE 'rows %')
   OR (o.id IN ('h:top_array', 'h:top_scalar', 'h:no_runs') AND o.streamed LIKE 'rows 0 %')")
[ -z "$bad" ] && [ "$expect" = 23 ]
ok $? "the same for hand-written logs: key order, repeated runs/results/tool, deep nesting, escapes, huge strings, numbers ($expect of 23 as expected) ${bad:+(differ: $bad)}"
[ -z "$bad" ] && [ "$expect" = 23 ] || echo "$detail" | sed 's/^/# /'

# 5: damaged text: the same error (or rows) at every cut
compare "id ~ '^[tx][0-9]'"
nt=$(q -c "SELECT count(*) FROM outcome WHERE id ~ '^[tx][0-9]'")
ne=$(q -c "SELECT count(*) FROM outcome WHERE id ~ '^[tx][0-9]' AND streamed LIKE 'error %'")
[ -z "$bad" ] && [ "$ne" -gt 1000 ]
ok $? "the same outcome for $nt truncated or damaged texts ($ne errors, SQLSTATE, message, detail and line alike) ${bad:+(differ: $bad)}"

# 6: ingest's parse: sarif_scan raises what ingest_parse_json raised
q -c "CREATE TABLE scan_cmp AS
      SELECT d.id, l.label,
             parse_error(format('SELECT compmap.sarif_scan(%L, %L)', d.t, l.label)) AS streamed,
             parse_error(format('SELECT compmap.ingest_parse_json(%L, %L)', d.t, l.label)) AS jsonb
        FROM doc d, (VALUES ('sarif'), ('JSON')) AS l(label)
       WHERE d.id ~ '^([tx][0-3]|h:)' AND length(d.t) < 100000"
bad=$(q -c "SELECT string_agg(id || ' ' || label, ', ') FROM (SELECT * FROM scan_cmp WHERE streamed IS DISTINCT FROM jsonb ORDER BY id LIMIT 5) s")
ns=$(q -c "SELECT count(*) FROM scan_cmp WHERE streamed LIKE '22P02: malformed % document: %'")
[ -z "$bad" ] && [ "$ns" -gt 500 ]
ok $? "sarif_scan refuses malformed JSON as ingest_parse_json did: $ns errors alike (22P02, message, detail with the line, hint) ${bad:+(differ: $bad)}"

# 7: what sarif_scan reads equals the jsonb expressions ingest used
bad=$(q -c "SELECT string_agg(id, ' ') FROM (
   SELECT d.id FROM doc d, compmap.sarif_scan(d.t, 'sarif') s, LATERAL (SELECT d.t::jsonb AS j) j
    WHERE d.id IN (SELECT id FROM outcome WHERE streamed LIKE 'rows %' AND id !~ '^[tx][0-9]')
      AND (s.json_type IS DISTINCT FROM jsonb_typeof(j.j)
           OR s.version IS DISTINCT FROM (CASE WHEN jsonb_typeof(j.j) = 'object' THEN j.j->>'version' END)
           OR s.is_sarif IS DISTINCT FROM coalesce(compmap.ingest_json_format(j.j) = 'sarif', false)
           OR s.runs_type IS DISTINCT FROM (CASE WHEN jsonb_typeof(j.j) = 'object' THEN jsonb_typeof(j.j->'runs') END)
           OR (s.runs_type = 'array' AND s.scanners IS DISTINCT FROM ARRAY(
                  SELECT lower(coalesce(nullif(btrim(j.j #>> ARRAY['runs', i::text, 'tool', 'driver', 'name']), ''), 'sarif'))
                    FROM generate_series(0, jsonb_array_length(j.j->'runs') - 1) AS i ORDER BY i)))
    ORDER BY d.id LIMIT 5) s")
[ -z "$bad" ]
ok $? "sarif_scan's type, detection, version, runs type and scanners equal the jsonb expressions for every well-formed document ${bad:+(differ: $bad)}"

# 8: a failed ingest of damaged SARIF changes nothing
q -c "SELECT compmap.create_tenant('stream') AS t" > "$tmp/tenant"
t=$(cat "$tmp/tenant")
before=$(q -c "SELECT (SELECT count(*) FROM compmap.finding) || '/' || (SELECT count(*) FROM compmap.scan) || '/' || (SELECT count(*) FROM compmap.evidence)")
errs=$(q -c "SELECT string_agg(DISTINCT left(parse_error(format('SELECT * FROM compmap.ingest(%L, %L, %L)', '$t', d.t, f)), 5), ',')
               FROM doc d, (VALUES ('sarif'), ('auto')) AS x(f) WHERE d.id ~ '^t0:' AND length(d.t) > 1")
after=$(q -c "SELECT (SELECT count(*) FROM compmap.finding) || '/' || (SELECT count(*) FROM compmap.scan) || '/' || (SELECT count(*) FROM compmap.evidence)")
good=$(q -c "SELECT results FROM compmap.ingest('$t', (SELECT t FROM doc WHERE id = 'h:results_before_tool'), 'auto')")
bom=$(q -c "SELECT results || ' ' || updated FROM compmap.ingest('$t', U&'\\FEFF' || (SELECT t FROM doc WHERE id = 'h:results_before_tool'), 'sarif')")
[ "$before" = "$after" ] && [ "$errs" = "22P02" ] && [ "$good" = 2 ] && [ "$bom" = "2 2" ]
ok $? "ingest of every truncated text fails with 22P02 and changes nothing ($before = $after); the whole text ingests $good results, again after a byte order mark ($bom)"

# 9: peak memory of a backend mapping a generated 50 MB log
q >/dev/null <<'SQL'
CREATE TABLE big AS
SELECT '{"version": "2.1.0", "runs": [{"results": ['
       || string_agg(format('{"ruleId": "R%s", "ruleIndex": %s, "message": {"text": "finding %s in module %s"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/module%s/file.c"}, "region": {"startLine": %s}}}], "partialFingerprints": {"primaryLocationLineHash": "%s:1"}, "properties": {"tags": ["security", "external/cwe/cwe-%s"]}}',
                            g % 50, g % 50, g, g % 2000, g % 2000, g / 2000 + 1, md5(g::text), 20 + g % 50), ', ')
       || '], "tool": {"driver": {"name": "Big", "rules": ['
       || (SELECT string_agg(format('{"id": "R%s", "shortDescription": {"text": "rule %s"}}', r, r), ', ') FROM generate_series(0, 49) r)
       || ']}}}]}' AS t
  FROM generate_series(1, 130000) g;
SQL
bytes=$(q -c "SELECT octet_length(t) FROM big")
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $db <<'SQL'
SELECT count(*) FROM big, compmap.map_sarif_text(big.t);
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+([0-9]+) kB'))[1];
SQL
)
rows=$(echo "$out" | sed -n 1p)
hwm=$(echo "$out" | sed -n 2p)
# the jsonb of this log alone took about 20 times its size; the bound is
# the document's detoasted copy plus 64 MB (the tool comes last, so every
# result is held until the run ends: the slow path's memory is tested)
[ "$rows" = 130000 ] && [ -n "$hwm" ] && [ $((hwm * 1024)) -lt $((bytes + 64 * 1048576)) ]
ok $? "a $((bytes / 1048576)) MB log (130,000 results, tool after them) maps in a backend whose peak memory is $((hwm / 1024)) MB"
exit 0
