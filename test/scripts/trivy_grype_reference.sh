#!/usr/bin/env bash
# compmap.map_trivy and compmap.map_grype (C, src/ingest_trivy.c and
# src/ingest_grype.c) against their SQL references map_trivy_reference and
# map_grype_reference: the same rows, in the same order, compared as whole
# records (IS NOT DISTINCT FROM, with the ordinality) for
#   * every Trivy and Grype fixture in ../shared/fixtures/scans (counts.csv),
#     parsed as ingest parses them, with the result counts counts.csv gives;
#   * generated reports that reach the mappings' edge cases: the three Trivy
#     classes, misconfigurations with Status PASS in any case, CVSS sources
#     (SeveritySource, nvd, the first by key, V40 before V3), Grype vectors
#     by version with NULL and equal versions, related vulnerabilities,
#     fields missing or of the wrong type (numbers, booleans, null, arrays,
#     objects where text, objects or arrays are expected), multibyte,
#     multi-line and long titles, CVE, CWE and URL spellings, empty and odd
#     arrays, source targets as objects and quoted strings;
#   * Grype's errors for matches that is not an array, and no rows for
#     documents that are not objects or are NULL.
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
db=cm_trivy_grype_reference
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..9"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null

# Rows of a C function and its reference that differ, per document of
# table doc(id, fmt, j) of that format.
diff_sql() {
    echo "SELECT d.id, count(*) FROM doc d,
                 LATERAL (SELECT 1 FROM compmap.map_$1(d.j) WITH ORDINALITY AS a
                            FULL JOIN compmap.map_$1_reference(d.j) WITH ORDINALITY AS b ON a.ordinality = b.ordinality
                           WHERE a IS DISTINCT FROM b) AS x
           WHERE d.fmt = '$1'
           GROUP BY d.id ORDER BY d.id LIMIT 5"
}

# 1-3: the fixtures
q -c 'CREATE TABLE doc (id text PRIMARY KEY, fmt text, j jsonb)'
q -c 'CREATE TABLE expected (id text PRIMARY KEY, fmt text, results bigint)'
awk -F, 'NR > 1 && ($2 == "trivy" || $2 == "grype") { print $1 "," $2 "," $3 }' "$scans/counts.csv" > "$tmp/fixtures.csv"
q -c "\\copy expected FROM '$tmp/fixtures.csv' WITH (FORMAT csv)"
q -v scans="$scans/" >/dev/null <<'SQL'
INSERT INTO doc SELECT e.id, e.fmt, compmap.ingest_parse_json(ltrim(pg_read_file(:'scans' || e.id), U&'\FEFF'), e.fmt) FROM expected e;
SQL
bad=$(q -c "SELECT e.id FROM expected e
             WHERE e.results <> (SELECT count(*) FROM doc d,
                                        LATERAL (SELECT 1 FROM compmap.map_trivy(d.j) WHERE d.fmt = 'trivy'
                                                 UNION ALL SELECT 1 FROM compmap.map_grype(d.j) WHERE d.fmt = 'grype') AS x
                                  WHERE d.id = e.id)")
nt=$(q -c "SELECT count(*) FROM doc WHERE fmt = 'trivy'")
ng=$(q -c "SELECT count(*) FROM doc WHERE fmt = 'grype'")
[ "$nt" -ge 5 ] && [ "$ng" -ge 4 ] && [ -z "$bad" ]
ok $? "map_trivy and map_grype return counts.csv's number of results for the $nt Trivy and $ng Grype fixtures ${bad:+(not: $bad)}"
bad=$(q -c "$(diff_sql trivy)")
[ -z "$bad" ]
ok $? "map_trivy equals map_trivy_reference row by row for every Trivy fixture ${bad:+(differ: $bad)}"
bad=$(q -c "$(diff_sql grype)")
[ -z "$bad" ]
ok $? "map_grype equals map_grype_reference row by row for every Grype fixture ${bad:+(differ: $bad)}"

# 4-6: generated reports
python3 - "$tmp/gen.csv" "$here" <<'PY'
import csv, json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from trivy_grype_gen import *

with open(sys.argv[1], 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    for i in range(2500):
        w.writerow(['t%05d' % i, 'trivy', json.dumps(trivy(), ensure_ascii=rnd.random() < 0.5)])
    for i in range(2500):
        w.writerow(['g%05d' % i, 'grype', json.dumps(grype(), ensure_ascii=rnd.random() < 0.5)])
    # not objects, or nothing to map: no rows from either
    for i, d in enumerate(['[]', '[{"Results": [{"Vulnerabilities": [{}]}]}]', '"Results"', '5', 'null', '{}',
                           '{"Results": []}', '{"Results": {}}', '{"Results": null}', '{"Results": [null, 1, []]}']):
        w.writerow(['tn%02d' % i, 'trivy', d])
    for i, d in enumerate(['[]', '[{"matches": [{}]}]', '"matches"', '5', 'null', '{}', '{"matches": []}']):
        w.writerow(['gn%02d' % i, 'grype', d])
PY
q -c 'TRUNCATE doc'
q -c "\\copy doc FROM '$tmp/gen.csv' WITH (FORMAT csv)"
for f in trivy grype; do
    ngen=$(q -c "SELECT count(*) FROM doc WHERE fmt = '$f'")
    nrows=$(q -c "SELECT count(*) FROM doc d, compmap.map_$f(d.j) WHERE d.fmt = '$f'")
    bad=$(q -c "$(diff_sql $f)")
    [ -z "$bad" ] && [ "$nrows" -gt 5000 ]
    ok $? "map_$f equals map_${f}_reference row by row for $ngen generated documents, $nrows rows ${bad:+(differ: $bad)}"
done

# each edge case was reached (so the generator keeps testing them)
q -c "SELECT
        count(*) FILTER (WHERE m.skip) > 0
        AND count(*) FILTER (WHERE m.title LIKE '%…') > 0 AND count(*) FILTER (WHERE m.cvss_vector LIKE 'CVSS:4.0/%') > 0
        AND count(*) FILTER (WHERE m.cvss_vector LIKE 'CVSS:3._/%') > 0 AND count(*) FILTER (WHERE m.cvss_vector NOT LIKE 'CVSS:%') > 0
        AND count(*) FILTER (WHERE cardinality(m.cve_ids) > 1) > 0 AND count(*) FILTER (WHERE cardinality(m.cwe_ids) > 1) > 0
        AND count(*) FILTER (WHERE cardinality(m.reference_urls) > 1) > 0 AND count(*) FILTER (WHERE m.description = '') > 0
        AND count(*) FILTER (WHERE m.location IS NULL) > 0 AND count(*) FILTER (WHERE m.rule_id ~ '^(DS|KSV|AVD)') > 0
        AND count(*) FILTER (WHERE m.description LIKE 'Secret of category %') > 0 AND count(*) FILTER (WHERE m.fp_extra ? 'resource') > 0
        AND count(DISTINCT m.asset_kind) = 5
      FROM doc d, compmap.map_trivy(d.j) m WHERE d.fmt = 'trivy'" > "$tmp/reach"
# a vector chosen by each rule: SeveritySource, nvd, the first source by key
q -c "SELECT count(*) FILTER (WHERE m.cvss_vector IS NOT NULL AND m.cvss_vector IS NOT DISTINCT FROM coalesce(i->'CVSS'->(i->>'SeveritySource')->>'V40Vector', i->'CVSS'->(i->>'SeveritySource')->>'V3Vector')) > 0
          AND count(*) FILTER (WHERE m.cvss_vector IS NOT NULL AND coalesce(i->'CVSS'->(i->>'SeveritySource')->>'V40Vector', i->'CVSS'->(i->>'SeveritySource')->>'V3Vector') IS NULL
                                 AND m.cvss_vector IS NOT DISTINCT FROM coalesce(i->'CVSS'->'nvd'->>'V40Vector', i->'CVSS'->'nvd'->>'V3Vector')) > 0
          AND count(*) FILTER (WHERE m.cvss_vector IS NOT NULL AND coalesce(i->'CVSS'->(i->>'SeveritySource')->>'V40Vector', i->'CVSS'->(i->>'SeveritySource')->>'V3Vector',
                                                                          i->'CVSS'->'nvd'->>'V40Vector', i->'CVSS'->'nvd'->>'V3Vector') IS NULL) > 0
          AND count(*) FILTER (WHERE m.skip AND i->>'Status' <> 'PASS') > 0
      FROM doc d, jsonb_array_elements(d.j->'Results') AS r,
           LATERAL (SELECT i, row_number() OVER () AS k FROM jsonb_array_elements(r->'Vulnerabilities') AS i
                    UNION ALL SELECT i, 0 FROM jsonb_array_elements(r->'Misconfigurations') AS i) AS x,
           LATERAL compmap.map_trivy(jsonb_build_object('Results', jsonb_build_array(jsonb_build_object(
               CASE WHEN x.k = 0 THEN 'Misconfigurations' ELSE 'Vulnerabilities' END, jsonb_build_array(x.i))))) AS m
     WHERE d.fmt = 'trivy' AND jsonb_typeof(d.j->'Results') = 'array' AND jsonb_typeof(r) = 'object'
       AND jsonb_typeof(coalesce(r->'Vulnerabilities', '[]')) = 'array' AND jsonb_typeof(coalesce(r->'Misconfigurations', '[]')) = 'array'" >> "$tmp/reach"
q -c "SELECT count(*) FILTER (WHERE m.cvss_vector LIKE 'CVSS:4.0/%') > 0 AND count(*) FILTER (WHERE m.cvss_vector LIKE 'CVSS:3.1/%') > 0
          AND count(*) FILTER (WHERE m.description LIKE '%Fixed in: %, %') > 0 AND count(*) FILTER (WHERE m.description = '') > 0
          AND count(*) FILTER (WHERE cardinality(m.cve_ids) > 1) > 0 AND count(*) FILTER (WHERE cardinality(m.reference_urls) > 1) > 0
          AND count(*) FILTER (WHERE m.fp_location = '') > 0 AND count(*) FILTER (WHERE m.location LIKE 'pkg:%') > 0
          AND count(DISTINCT m.asset_kind) = 3 AND count(*) FILTER (WHERE m.asset_name = 'unnamed') > 0
          AND count(*) FILTER (WHERE m.asset_name = 'quoted') > 0
      FROM doc d, compmap.map_grype(d.j) m WHERE d.fmt = 'grype'" >> "$tmp/reach"
[ "$(tr '\n' ' ' < "$tmp/reach")" = "t t t " ]
ok $? "the generated documents reach PASS in other spellings, CVSS sources by each rule, V4 and V3 vectors, long titles, identifier and URL lists, empty descriptions, all asset kinds ($(tr '\n' ' ' < "$tmp/reach"))"

# 7-8: Grype's matches that is not an array fails alike (the reference adds a CONTEXT line)
err() { q -c "SELECT count(*) FROM compmap.$1('$2')" 2>&1 | head -1; }
e1=$(err map_grype '{"matches": {}}')
e2=$(err map_grype_reference '{"matches": {}}')
[ -n "$e1" ] && [ "$e1" = "$e2" ] && echo "$e1" | grep -q 'cannot extract elements from an object'
ok $? "matches as an object: the same error ($e1)"
e1=$(err map_grype '{"matches": null}'; err map_grype '{"matches": "x"}')
e2=$(err map_grype_reference '{"matches": null}'; err map_grype_reference '{"matches": "x"}')
[ -n "$e1" ] && [ "$e1" = "$e2" ] && echo "$e1" | grep -q 'cannot extract elements from a scalar'
ok $? "matches null or a string: the same error"

# 9: a NULL document maps to no rows in all four
[ "$(q -c 'SELECT (SELECT count(*) FROM compmap.map_trivy(NULL)) + (SELECT count(*) FROM compmap.map_trivy_reference(NULL))
                + (SELECT count(*) FROM compmap.map_grype(NULL)) + (SELECT count(*) FROM compmap.map_grype_reference(NULL))')" = 0 ]
ok $? "a NULL document maps to no rows"
exit 0
