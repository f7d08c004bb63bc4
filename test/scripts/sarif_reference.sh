#!/usr/bin/env bash
# compmap.map_sarif (C, src/ingest_sarif.c) against its SQL reference
# compmap.map_sarif_reference: the same rows, in the same order, compared
# as whole records (IS NOT DISTINCT FROM, with the ordinality) for
#   * every SARIF fixture in ../shared/fixtures/scans (counts.csv), parsed
#     as ingest parsed them before it read SARIF from the text (jsonb, byte
#     order mark dropped), with the result counts counts.csv gives;
#   * generated logs that reach the mapping's edge cases: rules by ruleIndex,
#     rule.index and toolComponent.index, by id with driver rules winning
#     over extension rules, indexes out of range or of the wrong type,
#     fields of the wrong type (numbers, booleans, null, arrays, objects
#     where text or objects are expected), multibyte, multi-line and long
#     messages, security-severity spellings, CVSS vectors and metrics, CVE,
#     CWE and URL spellings, artifacts by index, pkg: logical locations,
#     kinds, fingerprints with nulls, several runs;
#   * the errors for runs that are not an array, and no rows for documents
#     that are not objects;
#   * the URL pattern's \s in a database whose LC_CTYPE is not C (the C
#     function hands such text to the regular expression engine).
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
db=cm_sarif_reference
db_utf8=cm_sarif_reference_utf8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1; dropdb --if-exists $db_utf8 >/dev/null 2>&1' EXIT
echo "1..8"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null

# Rows of the two functions that differ, per document of table doc(id, j).
diff_sql="SELECT d.id, count(*) FROM doc d,
                 LATERAL (SELECT 1 FROM compmap.map_sarif(d.j) WITH ORDINALITY AS a
                            FULL JOIN compmap.map_sarif_reference(d.j) WITH ORDINALITY AS b ON a.ordinality = b.ordinality
                           WHERE a IS DISTINCT FROM b) AS x
           GROUP BY d.id ORDER BY d.id LIMIT 5"

# 1-2: the fixtures
q -c 'CREATE TABLE doc (id text PRIMARY KEY, j jsonb)'
q -c 'CREATE TABLE expected (id text PRIMARY KEY, results bigint)'
awk -F, 'NR > 1 && $2 == "sarif" { print $1 "," $3 }' "$scans/counts.csv" > "$tmp/fixtures.csv"
q -c "\\copy expected FROM '$tmp/fixtures.csv' WITH (FORMAT csv)"
q -v scans="$scans/" >/dev/null <<'SQL'
INSERT INTO doc SELECT e.id, compmap.ingest_parse_json(CASE WHEN left(x, 1) = U&'\FEFF' THEN substr(x, 2) ELSE x END, 'sarif')
  FROM expected e, pg_read_file(:'scans' || e.id) AS x;
SQL
bad=$(q -c "SELECT e.id FROM expected e WHERE e.results <> (SELECT count(*) FROM doc d, compmap.map_sarif(d.j) WHERE d.id = e.id)")
nfix=$(q -c 'SELECT count(*) FROM doc')
[ "$nfix" -ge 15 ] && [ -z "$bad" ]
ok $? "map_sarif returns counts.csv's number of results for the $nfix SARIF fixtures ${bad:+(not: $bad)}"
bad=$(q -c "$diff_sql")
[ -z "$bad" ]
ok $? "map_sarif equals map_sarif_reference row by row for every SARIF fixture ${bad:+(differ: $bad)}"

# 3: generated logs
python3 - "$tmp/gen.csv" "$here" <<'PY'
import csv, json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from sarif_gen import *

with open(sys.argv[1], 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    for i in range(3000):
        doc = {'version': '2.1.0', 'runs': [run() for _ in range(rnd.choice([0, 1, 1, 1, 2, 3]))]}
        w.writerow(['g%05d' % i, json.dumps(doc, ensure_ascii=rnd.random() < 0.5)])
    # not objects, or no runs: no rows from either
    for i, d in enumerate(['[]', '[{"runs": [{"results": [{}]}]}]', '"runs"', '5', 'null', '{}',
                           '{"runs": []}', '[{"runs": {}}]']):
        w.writerow(['n%02d' % i, d])
PY
q -c 'TRUNCATE doc'
q -c "\\copy doc FROM '$tmp/gen.csv' WITH (FORMAT csv)"
ngen=$(q -c 'SELECT count(*) FROM doc')
nrows=$(q -c 'SELECT count(*) FROM doc d, compmap.map_sarif(d.j)')
bad=$(q -c "$diff_sql")
[ -z "$bad" ] && [ "$nrows" -gt 10000 ]
ok $? "map_sarif equals map_sarif_reference row by row for $ngen generated documents, $nrows rows ${bad:+(differ: $bad)}"

# 4: each edge case was reached (so the generator keeps testing them)
q -c "SELECT
        count(*) FILTER (WHERE m.asset_kind = 'package') > 0 AND count(*) FILTER (WHERE m.asset_kind = 'url') > 0
        AND count(*) FILTER (WHERE m.asset_kind = 'repository') > 0 AND count(*) FILTER (WHERE m.skip) > 0
        AND count(*) FILTER (WHERE m.title LIKE '%…') > 0 AND count(*) FILTER (WHERE m.cvss_vector LIKE 'CVSS:3._/AV:_/AC:_/PR:_/UI:_/S:_/C:/%') > 0
        AND count(*) FILTER (WHERE cardinality(m.cve_ids) > 1) > 0 AND count(*) FILTER (WHERE cardinality(m.cwe_ids) > 1) > 0
        AND count(*) FILTER (WHERE cardinality(m.reference_urls) > 1) > 0 AND count(*) FILTER (WHERE m.fp_extra ? 'fingerprints') > 0
        AND count(DISTINCT m.scanner_severity) >= 8 AND count(DISTINCT m.scanner) > 5
      FROM doc d, compmap.map_sarif(d.j) m" > "$tmp/reach"
[ "$(cat "$tmp/reach")" = t ]
ok $? "the generated documents reach packages, URLs, repositories, skips, long titles, built vectors and identifier lists"

# 5-6: runs that are not an array fail alike (the reference adds a CONTEXT line)
err() { q -c "SELECT count(*) FROM compmap.$1('$2')" 2>&1 | head -1; }
e1=$(err map_sarif '{"runs": {}}')
e2=$(err map_sarif_reference '{"runs": {}}')
[ -n "$e1" ] && [ "$e1" = "$e2" ] && echo "$e1" | grep -q 'cannot get array length of a non-array'
ok $? "runs as an object: the same error ($e1)"
e1=$(err map_sarif '{"runs": null}'; err map_sarif '{"runs": 5}')
e2=$(err map_sarif_reference '{"runs": null}'; err map_sarif_reference '{"runs": 5}')
[ -n "$e1" ] && [ "$e1" = "$e2" ] && echo "$e1" | grep -q 'cannot get array length of a scalar'
ok $? "runs null or a number: the same error"

# 7: a NULL document maps to no rows in both
[ "$(q -c 'SELECT (SELECT count(*) FROM compmap.map_sarif(NULL)) + (SELECT count(*) FROM compmap.map_sarif_reference(NULL))')" = 0 ]
ok $? "a NULL document maps to no rows"

# 8: where LC_CTYPE is not C, \s also stops a URL at non-ASCII white space
if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then
    dropdb --if-exists $db_utf8 >/dev/null 2>&1
    createdb -T template0 -E UTF8 --locale=C --lc-ctype=C.UTF-8 $db_utf8 \
        && psql -X -q -d $db_utf8 -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
    psql -X -q -At -v ON_ERROR_STOP=1 -d $db_utf8 >"$tmp/utf8" 2>&1 <<'SQL'
CREATE TABLE doc (id text PRIMARY KEY, j jsonb);
INSERT INTO doc
SELECT 'u' || i, jsonb_build_object('runs', jsonb_build_array(jsonb_build_object(
           'tool', jsonb_build_object('driver', jsonb_build_object('name', 'x', 'rules', jsonb_build_array(
               jsonb_build_object('id', 'r', 'helpUri', u, 'properties', jsonb_build_object('references', jsonb_build_array(u, 'https://k.example')))))),
           'results', jsonb_build_array(jsonb_build_object('ruleId', 'r')))))
  FROM unnest(ARRAY['https://a.example/' || chr(8195) || 'b', 'https://a.example/' || chr(160) || 'b https://b.example/',
                    'https://a.example' || chr(12288) || 'https://c.example', 'https://ü.example/é', 'x https://a.example/' || chr(133) || 'y',
                    'https://k.example' || chr(8232) || 'z https://k.example']) WITH ORDINALITY AS t(u, i);
SELECT count(*) FROM doc d,
       LATERAL (SELECT 1 FROM compmap.map_sarif(d.j) WITH ORDINALITY AS a
                  FULL JOIN compmap.map_sarif_reference(d.j) WITH ORDINALITY AS b ON a.ordinality = b.ordinality
                 WHERE a IS DISTINCT FROM b) AS x;
-- the engine does stop at some of them, so the comparison means something
SELECT count(*) FROM doc d, compmap.map_sarif(d.j) m WHERE 'https://a.example/' = ANY (m.reference_urls);
SQL
    [ "$(sed -n 1p "$tmp/utf8")" = 0 ] && [ "$(sed -n 2p "$tmp/utf8")" -gt 0 ]
    ok $? "with LC_CTYPE C.UTF-8, URLs that meet non-ASCII white space are the same ($(tr '\n' ' ' < "$tmp/utf8"))"
else
    n=$((n + 1)); echo "ok $n # SKIP no C.UTF-8 locale on this machine"
fi
exit 0
