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
python3 - "$tmp/gen.csv" <<'PY'
import csv, json, random, sys

rnd = random.Random(20261208)
pick = rnd.choice

WEIRD = [42, 7.50, 1e2, 0, -3, True, False, None, [], {}, [1, 'x'], {'a': [1, None]}, '', ' ']
CVE_TEXT = ['CVE-2021-44228', 'cve-2019-0001x', 'xCVE-2020-12345', 'CVE-2020-123', 'CVE-20201-1234',
            'CVE-2021-1234CVE-2021-5678', 'foo,cve-2022-22965;CVE-2022-22965', '\u00e9CVE-2023-0001 and cVe-2023-0002',
            'CVE-2021-123456789', 'Cve-1999-00001', 'CVE-2021-1234a', 'GHSA-jfh8-c2jp-5v3q', 'DLA-3051-1',
            'CVE-2019-10000 CVE-2019-9999', 'ALAS-2021-1234', 'cve-2021-3712']
CWE_TEXT = ['CWE-79', 'cwe_079', 'external/cwe/cwe-020', 'CWE: 89', '79', '0079', 'CWE-0', 'CWE-1234567890',
            'CWE-000000000123', ' cwe-22 ', 'mycwe-5', 'cwe', 'CWE-79a', 'NVD-CWE-noinfo', 'NVD-CWE-Other',
            'cwe-999999999', 'CWE--:_/ 352', '-1', 'CWE-\u0660', 'cWe-0000', 79, 0, None, 1.5, True, ['CWE-1'], {'id': 'CWE-2'}]
URL_TEXT = ['https://example.com/a', 'http://x.y/z?q=1#f', 'see https://a.b/c and http://d.e/f.',
            '<https://t.co/x>', '"https://q.example"', 'HTTPS://UPPER.example', 'https://', 'https:// x',
            'ftp://nope', 'https://ex.com/\u00e9t\u00e9', 'https://dup.example https://dup.example',
            'text https://z.example/1 https://a.example/2', 'https://a.example\nhttps://b.example',
            'https://example.com/a', 'x>http://lt.example<y', 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
            'https://avd.aquasec.com/nvd/cve-2021-44228', 3, None, {'u': 'https://in.object'}, ['https://in.array']]
VEC = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:N',
       'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'AV:N/AC:L/Au:N/C:P/I:P/A:P',
       'cvss:3.1/AV:N', '', 'CVSS:2.0/x', 5, None, 'CVSS:']


def text():
    k = rnd.randrange(12)
    if k == 0:
        return pick(CVE_TEXT)
    if k == 1:
        return pick(URL_TEXT)
    if k == 2:     # long, multibyte
        return ''.join(pick(['a', ' ', '\u00e9', '\u20ac', '\U0001f600', 'x', '.']) for _ in range(rnd.choice([150, 199, 200, 201, 202, 300])))
    if k == 3:     # around the limit, multibyte
        return pick(['b', '\u00e9', '\u4e2d']) * pick([199, 200, 201])
    if k == 4:
        return pick(['  leading and trailing  ', '\n\n  first line\nsecond line', 'line one\r\nline two',
                     '\t\r\n', '   ', 'one\r', 'a\n', ' \u00a0x\u00a0 ', '\u3000wide\u3000', '\nb'])
    if k == 5:
        return pick(WEIRD)
    return pick(['OpenSSL: buffer overflow', 'glibc: heap corruption', 'S3 bucket without encryption',
                 'AWS Access Key', 'x' * rnd.randrange(1, 30), ''])


def maybe(p, value):
    return value if rnd.random() < p else None


def obj(**fields):
    return {k: v for k, v in fields.items() if v is not None}


def wrong(value, p=0.06):
    return pick(WEIRD) if rnd.random() < p else value


def tarr(items):
    """An array, or sometimes something else where an array is expected."""
    return wrong(items, 0.1)


SOURCES = ['nvd', 'redhat', 'ghsa', 'alma', 'Zed', 'amazon', '\u00e9source', 'NVD', 'bitnami', 'a']


def cvss():
    if rnd.random() < 0.05:
        return pick(WEIRD)
    c = {}
    for s in rnd.sample(SOURCES, rnd.randrange(0, 5)):
        if rnd.random() < 0.08:
            c[s] = pick(WEIRD)
            continue
        e = obj(V2Vector=maybe(0.5, 'AV:N/AC:L/Au:N/C:P/I:P/A:P'), V2Score=maybe(0.4, 7.5),
                V3Vector=maybe(0.6, wrong(pick(VEC))), V3Score=maybe(0.5, 9.8),
                V40Vector=maybe(0.2, wrong(pick(VEC))))
        if rnd.random() < 0.1:
            e['V3Vector'] = None
        c[s] = e
    return c


def vulnerability():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    c = cvss()
    src = pick(SOURCES + ['nope', 7, None]) if rnd.random() < 0.7 else None
    return obj(VulnerabilityID=maybe(0.92, wrong(pick(CVE_TEXT))), PkgID=maybe(0.5, wrong('openssl@1.1.1k-r0')),
               PkgName=maybe(0.9, wrong(pick(['openssl', 'libssl1.1', 'requests', '\u00fcber-pkg']))),
               PkgPath=maybe(0.3, wrong(pick(['usr/lib/python3/site-packages/x', 'app/node_modules/y/package.json', '']))),
               InstalledVersion=maybe(0.85, wrong(pick(['1.1.1k-r0', '2.25.0', '', '0']))),
               FixedVersion=maybe(0.6, wrong(pick(['1.1.1l-r0', '2.31.0, 3.0.0', '']))),
               SeveritySource=src, Title=maybe(0.8, text()), Description=maybe(0.7, text()),
               Severity=maybe(0.95, wrong(pick(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']))),
               CweIDs=maybe(0.5, tarr([pick(CWE_TEXT) for _ in range(rnd.randrange(4))])),
               CVSS=maybe(0.8, c), PrimaryURL=maybe(0.7, pick(URL_TEXT)),
               References=maybe(0.6, tarr([pick(URL_TEXT) for _ in range(rnd.randrange(5))])))


def misconfiguration():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    return obj(Type=maybe(0.5, 'Dockerfile Security Check'), ID=maybe(0.85, wrong(pick(['DS002', 'KSV001', 'AVD-AWS-0086', '']))),
               AVDID=maybe(0.6, wrong(pick(['AVD-DS-0002', 'AVD-KSV-0001', '']))), Title=maybe(0.8, text()),
               Description=maybe(0.7, text()), Message=maybe(0.6, text()), Resolution=maybe(0.6, wrong('Add a USER')),
               Severity=maybe(0.9, wrong(pick(['HIGH', 'LOW']))), PrimaryURL=maybe(0.5, pick(URL_TEXT)),
               References=maybe(0.5, tarr([pick(URL_TEXT) for _ in range(rnd.randrange(4))])),
               Status=maybe(0.8, wrong(pick(['PASS', 'FAIL', 'pass', 'Pass', 'PASS ', 'EXCEPTION', '', 'pa\u017fs', 'p\u00e1ss']))),
               CauseMetadata=maybe(0.7, wrong(obj(Resource=maybe(0.6, wrong(pick(['aws_s3_bucket.a', '', 'res']))),
                                                  Provider=maybe(0.5, 'Dockerfile'),
                                                  StartLine=maybe(0.7, wrong(pick([1, 12, '7', 0, 3.5])))))))


def secret():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    return obj(RuleID=maybe(0.9, wrong(pick(['aws-access-key-id', 'github-pat', '']))),
               Category=maybe(0.85, wrong(pick(['AWS', 'GitHub', '']))), Severity=maybe(0.9, 'CRITICAL'),
               Title=maybe(0.8, text()), StartLine=maybe(0.8, wrong(pick([1, 44, '3']))), EndLine=maybe(0.5, 2),
               Match=maybe(0.5, 'AKIA****'), PrimaryURL=maybe(0.1, pick(URL_TEXT)),
               References=maybe(0.1, tarr([pick(URL_TEXT)])))


def trivy_result():
    if rnd.random() < 0.04:
        return pick(WEIRD)
    r = obj(Target=maybe(0.92, wrong(pick(['alpine:3.4 (alpine 3.4.6)', 'requirements.txt', 'Dockerfile', '', '\u00fc.txt']))),
            Class=maybe(0.5, pick(['os-pkgs', 'lang-pkgs', 'config', 'secret'])), Type=maybe(0.5, 'alpine'))
    for key, make in (('Vulnerabilities', vulnerability), ('Misconfigurations', misconfiguration), ('Secrets', secret)):
        if rnd.random() < 0.5:
            r[key] = tarr([make() for _ in range(rnd.choice([0, 1, 2, 3, 6]))])
    return r


def trivy():
    d = obj(SchemaVersion=2, ArtifactName=maybe(0.9, wrong(pick(['alpine:3.4', '.', '', 'repo', '\u00e9image']))),
            ArtifactType=maybe(0.9, wrong(pick(['container_image', 'repository', 'vm', 'filesystem', 'rootfs', 'sbom', 'Container_Image']))))
    d['Results'] = tarr([trivy_result() for _ in range(rnd.choice([0, 1, 2, 3, 5]))])
    if rnd.random() < 0.03:
        del d['Results']
    return d


def gcvss():
    return tarr([wrong(obj(version=maybe(0.85, pick(['3.1', '3.0', '2.0', '4.0', 3.1, '10.0', '', None])),
                           vector=maybe(0.9, pick(VEC)), metrics=maybe(0.3, {'baseScore': 9.8})), 0.05)
                 for _ in range(rnd.randrange(4))])


def related():
    return wrong(obj(id=maybe(0.9, wrong(pick(CVE_TEXT))), cvss=maybe(0.7, gcvss()),
                     description=maybe(0.5, wrong(text())), dataSource=maybe(0.5, pick(URL_TEXT))), 0.05)


def match():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    v = obj(id=maybe(0.92, wrong(pick(CVE_TEXT))), severity=maybe(0.85, wrong(pick(['Critical', 'High', 'Negligible', 'Unknown']))),
            description=maybe(0.5, wrong(text())), dataSource=maybe(0.7, pick(URL_TEXT)),
            urls=maybe(0.6, tarr([pick(URL_TEXT) for _ in range(rnd.randrange(4))])), cvss=maybe(0.6, gcvss()),
            fix=maybe(0.7, wrong(obj(state=pick(['fixed', 'not-fixed']),
                                     versions=maybe(0.8, tarr([pick(['1.2.3', '', None, 4, '2.0.0-rc1']) for _ in range(rnd.randrange(4))]))))))
    a = obj(name=maybe(0.92, wrong(pick(['log4j-core', 'openssl', '\u00fcber', '']))), version=maybe(0.85, wrong(pick(['2.14.1', '', '1.0']))),
            type=maybe(0.8, wrong(pick(['java-archive', 'apk', 'npm']))), purl=maybe(0.7, wrong(pick(['pkg:maven/org.apache/log4j@2.14.1', '']))),
            locations=maybe(0.8, wrong([wrong(obj(path=maybe(0.9, wrong(pick(['/app/lib/x.jar', '', '/lib/apk/db/installed']))),
                                                    layerID=maybe(0.5, 'sha256:abc'))) for _ in range(rnd.choice([0, 1, 2]))], 0.1)))
    return obj(vulnerability=maybe(0.95, wrong(v, 0.03)), artifact=maybe(0.95, wrong(a, 0.03)),
               relatedVulnerabilities=maybe(0.6, tarr([related() for _ in range(rnd.randrange(4))])),
               matchDetails=maybe(0.3, [{'type': 'exact-direct-match'}]))


def grype():
    k = rnd.randrange(8)
    target = pick(['alpine:latest', '"quoted"', '""', '', '/src', '\u00e9/dir'])
    if k == 0:
        target = obj(userInput=maybe(0.8, wrong(pick(['alpine:latest', '']))), imageID=maybe(0.5, 'sha256:1'))
    elif k == 1:
        target = pick(WEIRD)
    src = obj(type=maybe(0.9, wrong(pick(['image', 'directory', 'file', 'sbom', 'Image']))), target=maybe(0.9, target))
    d = obj(source=maybe(0.95, wrong(src, 0.05)), descriptor=maybe(0.5, {'name': 'grype'}))
    d['matches'] = [match() for _ in range(rnd.choice([0, 1, 2, 3, 6]))]
    return d


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
