#!/usr/bin/env bash
# bench/ingest_formats.sh: the Trivy and Grype mappings, C against their SQL
# references, on generated reports, in the same run:
#
#   (a) map:     SELECT count(*) FROM compmap.map_<format>(document), the
#                C function, against compmap.map_<format>_reference(), the
#                SQL it replaced; the document already parsed (jsonb)
#   (b) text:    compmap.map_<format>_text(document), the reader ingest
#                uses (no jsonb of the whole document), against
#                map_<format>(document::jsonb), parse included
#   (c) ingest:  compmap.ingest() of the document text (parse, map,
#                fingerprint, findings, evidence), first ingest on a fresh
#                tenant, against a plain INSERT ... SELECT of a few fields
#                of every item from jsonb_array_elements() into an
#                unindexed table in the same run
#
# The documents: a Trivy report of BENCH_RESULTS vulnerabilities (default
# 20,000) over 10 Results, with CVSS from two sources, CWE ids and
# references, about 13 MB; a Grype report of as many matches with CVSS,
# related vulnerabilities, fix versions and URLs.  Both are written through
# jsonb, whose text puts shorter keys first: Trivy's Results come before
# ArtifactName and ArtifactType, the order that makes map_trivy_text read
# the report twice (Trivy itself writes the artifact first).  Each variant runs
# BENCH_ROUNDS times, interleaved, and the best round counts.
#
# Uses the PG* environment of a running cluster whose database has compmap
# installed (bench/run.sh provides one).
set -euo pipefail
results=${BENCH_RESULTS:-20000}
rounds=${BENCH_ROUNDS:-3}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q >/dev/null <<SQL
DROP TABLE IF EXISTS bench_formats_doc;
CREATE TABLE bench_formats_doc (fmt text PRIMARY KEY, doc text, j jsonb);
INSERT INTO bench_formats_doc (fmt, doc)
SELECT 'trivy', jsonb_build_object(
    'SchemaVersion', 2, 'ArtifactName', 'registry.example/app:1.0', 'ArtifactType', 'container_image',
    'Results', (SELECT jsonb_agg(jsonb_build_object(
        'Target', 'registry.example/app:1.0 (debian 11.' || t || ')', 'Class', 'os-pkgs', 'Type', 'debian',
        'Vulnerabilities', (SELECT jsonb_agg(jsonb_build_object(
            'VulnerabilityID', 'CVE-' || (2015 + g % 9) || '-' || (10000 + g),
            'PkgID', 'pkg' || (g % 700) || '@1.' || (g % 13),
            'PkgName', 'pkg' || (g % 700), 'InstalledVersion', '1.' || (g % 13), 'FixedVersion', '1.' || (g % 13 + 1),
            'SeveritySource', (ARRAY['nvd', 'debian', 'redhat'])[1 + g % 3],
            'PrimaryURL', 'https://avd.aquasec.com/nvd/cve-' || (2015 + g % 9) || '-' || (10000 + g),
            'Title', 'pkg' || (g % 700) || ': memory corruption in parser ' || g,
            'Description', 'A flaw was found in pkg' || (g % 700) || '. ' || repeat('An attacker could use it to crash the service. ', 1),
            'Severity', (ARRAY['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])[1 + g % 4],
            'CweIDs', jsonb_build_array('CWE-' || (20 + g % 60)),
            'CVSS', jsonb_build_object(
                'nvd', jsonb_build_object('V3Vector', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'V3Score', 9.8),
                'redhat', jsonb_build_object('V3Vector', 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', 'V3Score', 5.5)),
            'References', jsonb_build_array('https://security-tracker.debian.org/tracker/CVE-' || (2015 + g % 9) || '-' || (10000 + g),
                                            'https://nvd.nist.gov/vuln/detail/CVE-' || (2015 + g % 9) || '-' || (10000 + g),
                                            'https://ubuntu.com/security/notices/USN-' || (g % 5000) || '-1'))
            ORDER BY g) FROM generate_series(t, $results, 10) g))
        ORDER BY t) FROM generate_series(1, 10) t))::text
UNION ALL
SELECT 'grype', jsonb_build_object(
    'source', jsonb_build_object('type', 'image', 'target', jsonb_build_object('userInput', 'registry.example/app:1.0')),
    'descriptor', jsonb_build_object('name', 'grype', 'version', '0.74.0'),
    'matches', (SELECT jsonb_agg(jsonb_build_object(
        'vulnerability', jsonb_build_object(
            'id', 'GHSA-' || md5(g::text)::uuid::text, 'dataSource', 'https://github.com/advisories/GHSA-' || g,
            'namespace', 'github:language:java', 'severity', (ARRAY['Low', 'Medium', 'High', 'Critical'])[1 + g % 4],
            'urls', jsonb_build_array('https://github.com/advisories/GHSA-' || g, 'https://nvd.nist.gov/vuln/detail/CVE-2021-' || (10000 + g)),
            'description', 'Deserialization of untrusted data in lib' || (g % 500) || '. ' || repeat('Remote code execution is possible. ', 1),
            'cvss', jsonb_build_array(jsonb_build_object('version', '3.1', 'vector', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
                                                         'metrics', jsonb_build_object('baseScore', 9.8))),
            'fix', jsonb_build_object('versions', jsonb_build_array('2.' || (g % 20) || '.1'), 'state', 'fixed')),
        'relatedVulnerabilities', jsonb_build_array(jsonb_build_object(
            'id', 'CVE-2021-' || (10000 + g), 'dataSource', 'https://nvd.nist.gov/vuln/detail/CVE-2021-' || (10000 + g),
            'description', 'Deserialization of untrusted data.',
            'cvss', jsonb_build_array(jsonb_build_object('version', '2.0', 'vector', 'AV:N/AC:L/Au:N/C:P/I:P/A:P'),
                                      jsonb_build_object('version', '3.1', 'vector', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H')))),
        'artifact', jsonb_build_object('name', 'lib' || (g % 500), 'version', '2.' || (g % 20), 'type', 'java-archive',
                                       'locations', jsonb_build_array(jsonb_build_object('path', '/app/lib/lib' || (g % 500) || '.jar')),
                                       'purl', 'pkg:maven/org.example/lib' || (g % 500) || '@2.' || (g % 20)))
        ORDER BY g) FROM generate_series(1, $results) g))::text;
UPDATE bench_formats_doc SET j = doc::jsonb;
SQL

ms() {  # ms SQL -> milliseconds of the statement and its commit (psql's \timing)
    q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
best() { printf '%s\n' "$@" | sort -g | head -1; }
rate() { printf '%.0f' "$(echo "$results * 1000 / $1" | bc -l)"; }

# The plain baseline of (c): a few fields of every item into an unindexed
# table, from the document parsed into jsonb in the same statement.
q -c "DROP TABLE IF EXISTS bench_formats_plain; CREATE TABLE bench_formats_plain (id text, pkg text, severity text, target text)" >/dev/null
plain_sql() {
    case $1 in
        trivy) echo "INSERT INTO bench_formats_plain
                     SELECT v->>'VulnerabilityID', v->>'PkgName', v->>'Severity', r->>'Target'
                       FROM bench_formats_doc d, jsonb_array_elements(d.doc::jsonb->'Results') r,
                            jsonb_array_elements(r->'Vulnerabilities') v WHERE d.fmt = 'trivy'" ;;
        grype) echo "INSERT INTO bench_formats_plain
                     SELECT m->'vulnerability'->>'id', m->'artifact'->>'name', m->'vulnerability'->>'severity',
                            m->'artifact'->>'purl'
                       FROM bench_formats_doc d, jsonb_array_elements(d.doc::jsonb->'matches') m WHERE d.fmt = 'grype'" ;;
    esac
}

for f in trivy grype; do
    bytes=$(q -c "SELECT octet_length(doc) FROM bench_formats_doc WHERE fmt = '$f'")
    map_c=() map_sql=() text=() jsonb=() plain=() ing=()
    for r in $(seq "$rounds"); do
        map_c+=("$(ms "SELECT count(*) FROM bench_formats_doc d, compmap.map_$f(d.j) WHERE d.fmt = '$f'")")
        map_sql+=("$(ms "SELECT count(*) FROM bench_formats_doc d, compmap.map_${f}_reference(d.j) WHERE d.fmt = '$f'")")
        text+=("$(ms "SELECT count(*) FROM bench_formats_doc d, compmap.map_${f}_text(d.doc) WHERE d.fmt = '$f'")")
        jsonb+=("$(ms "SELECT count(*) FROM bench_formats_doc d, compmap.map_$f(d.doc::jsonb) WHERE d.fmt = '$f'")")
        q -c "TRUNCATE bench_formats_plain" >/dev/null
        plain+=("$(ms "$(plain_sql $f)")")
        tenant=$(q -c "SELECT compmap.create_tenant('bench formats ' || clock_timestamp())")
        ing+=("$(ms "SELECT count(*) FROM bench_formats_doc d, compmap.ingest('$tenant', d.doc, '$f', now(), 'bench') i WHERE d.fmt = '$f'")")
    done
    mc=$(best "${map_c[@]}") msq=$(best "${map_sql[@]}") tx=$(best "${text[@]}") jb=$(best "${jsonb[@]}")
    pl=$(best "${plain[@]}") ig=$(best "${ing[@]}")
    printf '%s: %d results, %d bytes, best of %d rounds:\n' "$f" "$results" "$bytes" "$rounds"
    printf '  (a) map_%s on parsed jsonb, C          %8.0f ms  %8s results/s\n' "$f" "$mc" "$(rate "$mc")"
    printf '      map_%s_reference, SQL               %8.0f ms  %8s results/s  (C %.1fx)\n' "$f" "$msq" "$(rate "$msq")" "$(echo "$msq / $mc" | bc -l)"
    printf '  (b) map_%s_text(document), from the text  %8.0f ms  %8s results/s\n' "$f" "$tx" "$(rate "$tx")"
    printf '      map_%s(document::jsonb), parse first  %8.0f ms  %8s results/s  (text %.2fx)\n' "$f" "$jb" "$(rate "$jb")" "$(echo "$jb / $tx" | bc -l)"
    printf '  (c) plain INSERT ... SELECT FROM jsonb_array_elements  %8.0f ms  %8s results/s\n' "$pl" "$(rate "$pl")"
    printf '      compmap.ingest, first scan                       %8.0f ms  %8s results/s  (%.1f x the plain insert)\n' "$ig" "$(rate "$ig")" "$(echo "$ig / $pl" | bc -l)"
done
q -c "DROP TABLE bench_formats_plain" >/dev/null
q -c "DROP TABLE bench_formats_doc" >/dev/null
