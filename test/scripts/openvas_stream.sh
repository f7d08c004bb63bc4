#!/usr/bin/env bash
# compmap.map_openvas_text (src/ingest_openvas_stream.c: an OpenVAS /
# Greenbone XML report read with libxml2's streaming reader) against
# map_openvas_reference(document::xml), the SQL mapping over the parsed
# document: the same rows in the same order, or the same error, for
#   * both OpenVAS fixtures in ../shared/fixtures/scans, as written;
#   * generated reports (openvas_gen.py): results repeated and in a second
#     results element, the children of every result, nvt and refs
#     reversed, elements and attributes left out, random results (values
#     with entities, character references, CDATA, comments, processing
#     instructions, nested elements, multibyte and long text), results
#     nested in results, results outside results, namespaces (default,
#     prefixed, reset, declared outside the result), the host, port,
#     severities and tags rules, DTD entities outside results (substituted)
#     and inside (the item column's 2200N), repeated single-valued children
#     (XMLTABLE's 21000) and which of two errors comes first;
#   * truncated and damaged text, against ingest_parse_xml(document,
#     'openvas') (SQLSTATE, message, detail and hint);
# and ingest: xml_scan against XMLPARSE's root and //results test, ingest
# of the fixtures and generated reports (named, detected, after a byte
# order mark) against the rows of the reference, and the peak memory of a
# backend mapping a report of about 100 MB.
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
db=cm_openvas_stream
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..8"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q -f "$here/xml_stream_compare.sql" >/dev/null
q -c "CREATE TABLE doc (id text PRIMARY KEY, t text)"
python3 "$here/openvas_gen.py" "$scans" >"$tmp/docs.sql" && q -f "$tmp/docs.sql" >/dev/null
ndocs=$(q -c "SELECT count(*) FROM doc")

# 1-2: the fixtures and the generated reports, row by row
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc WHERE id IN ('one_vuln', 'no_vuln') AND outcome('openvas', t, true) IS DISTINCT FROM outcome('openvas', t, false)")
nrows=$(q -c "SELECT sum(n) FROM doc, LATERAL (SELECT count(*) AS n FROM compmap.map_openvas_text(t)) c WHERE id IN ('one_vuln', 'no_vuln')")
[ -z "$bad" ] && [ "$nrows" = 1 ]
ok $? "map_openvas_text equals map_openvas_reference(text::xml) row by row for both fixtures ($nrows row) ${bad:+(differ: $bad)}"
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc WHERE outcome('openvas', t, true) IS DISTINCT FROM outcome('openvas', t, false)")
nall=$(q -c "SELECT sum(n) FROM doc, LATERAL (SELECT count(*) AS n FROM compmap.map_openvas_reference(t::xml)) c WHERE outcome('openvas', t, false) LIKE 'rows%'")
nerr=$(q -c "SELECT count(*) FROM doc WHERE outcome('openvas', t, true) LIKE 'error%'")
[ -z "$bad" ] && [ "$nerr" = 9 ] && [ "$nall" -gt 500 ]
ok $? "... and for the $ndocs fixtures and generated reports ($nall rows; reordered, missing, entities, CDATA, comments, multibyte, long, nested, namespaced; $nerr refused alike: repeated fields, DTD entities inside a result, the first of two errors) ${bad:+(differ: $bad)}"

# 3: truncated and damaged text fails as ingest_parse_xml(text, 'openvas') does
q >/dev/null <<'SQL'
CREATE TABLE damaged AS
SELECT d.id || ' cut at ' || c AS id, left(d.t, c) AS t
  FROM doc d, generate_series(1, 40) g, LATERAL (SELECT (length(d.t) * g / 41) AS c) s
 WHERE d.id IN ('one_vuln', 'no_vuln', 'random_1', 'nested_results_2', 'duplicate_name', 'entity_in_result')
UNION ALL
SELECT d.id || ' ' || r.what || ' at ' || p, overlay(d.t placing r.repl from p for 1)
  FROM doc d, generate_series(1, 12) g, LATERAL (SELECT 1 + (length(d.t) * g / 13) AS p) s,
       (VALUES ('<', '<'), ('&', '&'), ('quote', '"'), ('nul-ish', E'\x01'), ('close', '</x>')) AS r(what, repl)
 WHERE d.id IN ('one_vuln', 'random_2')
UNION ALL
SELECT id, t FROM (VALUES ('garbage', '<report><results><<<&&'), ('two roots', '<a/><b/>'),
                          ('undeclared entity', '<report>&nope;</report>'),
                          ('empty', ''), ('text only', 'hello'),
                          ('deep', repeat('<a>', 300) || repeat('</a>', 300)),
                          ('deep results', '<report><results><result>' || repeat('<a>', 300) || repeat('</a>', 300) || '</result></results></report>'),
                          ('mismatch', '<report><results></report>'),
                          ('error then truncated', '<report><results><result><name>a</name><name>b</name></result><result>')) AS v(id, t);
SQL
ndam=$(q -c "SELECT count(*) FROM damaged")
bad=$(q -c "SELECT string_agg(id, ', ') FROM damaged
             WHERE parse_error(format('SELECT count(*) FROM compmap.map_openvas_text(%L)', t))
                   IS DISTINCT FROM parse_error(format('SELECT compmap.ingest_parse_xml(%L, %L)', t, 'openvas'))")
nref=$(q -c "SELECT count(*) FROM damaged WHERE parse_error(format('SELECT compmap.ingest_parse_xml(%L, %L)', t, 'openvas')) LIKE '22P02%'")
[ -z "$bad" ] && [ "$nref" -gt 150 ]
ok $? "$ndam truncated and damaged texts: map_openvas_text fails exactly as ingest_parse_xml does ($nref refused with 22P02, same message, detail and hint) ${bad:+(differ: $bad)}"

# 4: xml_scan's root and //results test against XMLPARSE and xpath
for f in nessus/example.nessus zap/some_2.9.0.xml zap/zap-xml-plus-format.xml; do
    q -v f="$f" -v p="$scans/$f" <<<"INSERT INTO doc VALUES (:'f', pg_read_file(:'p'))"
done
q -c "INSERT INTO doc VALUES ('no results', '<?xml version=\"1.0\" ?><report id=\"x\"><report><result_count/></report></report>'),
                             ('results as root', '<results/>'),
                             ('namespaced results', '<report xmlns=\"urn:r\"><results/></report>'),
                             ('prefixed root', '<g:report xmlns:g=\"urn:g\"><results/></g:report>'),
                             ('deep results', '<report><a><b><c><results/></c></b></a></report>')"
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc, compmap.xml_scan(t, 'XML') s
             WHERE s.root_name IS DISTINCT FROM (xpath('name(/*)', XMLPARSE (DOCUMENT t)))[1]::text
                OR (s.root_name IN ('report', 'get_reports_response') AND s.openvas_results IS DISTINCT FROM xpath_exists('//results', XMLPARSE (DOCUMENT t)))")
nx=$(q -c "SELECT count(*) FROM doc")
[ -z "$bad" ]
ok $? "xml_scan's root element and results test equal XMLPARSE's for $nx XML documents ${bad:+(differ: $bad)}"

# 5: ingest maps with the reader: named, detected and after a byte order
# mark; a report without results and a document of another root refused
q >/dev/null <<'SQL'
CREATE TABLE ingested (how text, n bigint, digest text);
DO $$
DECLARE
    t uuid;
    d text := (SELECT doc.t FROM doc WHERE doc.id = 'one_vuln_x3');
BEGIN
    t := compmap.create_tenant('openvas stream');
    INSERT INTO ingested SELECT 'named', i.results, NULL FROM compmap.ingest(t, d, 'openvas') i;
    INSERT INTO ingested SELECT 'auto', i.results, NULL FROM compmap.ingest(t, d) i;
    INSERT INTO ingested SELECT 'bom', i.results, NULL FROM compmap.ingest(t, U&'\FEFF' || d) i;
    INSERT INTO ingested SELECT 'detect', NULL, compmap.detect_format(d);
    INSERT INTO ingested SELECT 'gmp', i.results, NULL FROM compmap.ingest(t, (SELECT doc.t FROM doc WHERE doc.id = 'get_reports_response')) i;
END
$$;
SQL
got=$(q -c "SELECT string_agg(how || '=' || coalesce(n::text, digest), ' ' ORDER BY how) FROM ingested")
noresults=$(q -c "SELECT parse_error(format('SELECT compmap.ingest_parse(%L, %L)', t, 'openvas')) FROM doc WHERE id = 'no results'")
wrongroot=$(q -c "SELECT parse_error(format('SELECT compmap.ingest_parse(%L, %L)', t, 'openvas')) FROM doc WHERE id = 'results as root'")
[ "$got" = "auto=3 bom=3 detect=openvas gmp=1 named=3" ] &&
    [ "$noresults" = "22023: openvas document has no results element / Expected <results> inside <report>; a report exported without details cannot say what was not found. / Export the report in the XML format with details." ] &&
    [ "$wrongroot" = "22023: openvas document has root element <results>, expected <report> /  / " ]
ok $? "ingest reads OpenVAS with the reader: $got; no results: ${noresults%% /*}; ${wrongroot%% /*}"

# 6: what ingest stored equals the reference's rows: every finding is a
# reference row (fingerprint and fields), one per distinct fingerprint
q >/dev/null <<'SQL'
CREATE TABLE checked (id text, results bigint, findings bigint, ref_rows bigint, ref_fps bigint, unmatched bigint);
DO $$
DECLARE
    d record;
    t uuid;
    i record;
BEGIN
    FOR d IN SELECT * FROM doc WHERE id IN ('one_vuln', 'one_vuln_x3', 'two_results', 'one_vuln_reversed', 'hosts', 'severities',
                                           'refs', 'multibyte_long', 'nested_results', 'random_3', 'random_4', 'random_5') LOOP
        t := compmap.create_tenant('openvas ' || d.id);
        SELECT * INTO i FROM compmap.ingest(t, d.t, 'openvas', now(), 'scope-' || d.id);
        INSERT INTO checked
        WITH ref AS (
            SELECT r.*, compmap.finding_fingerprint(r.scanner, r.rule_id, CASE WHEN r.asset_name <> '' THEN r.asset_kind END,
                                                    nullif(r.asset_name, ''), r.fp_location,
                                                    coalesce(r.fp_extra, '{}') || jsonb_build_object('scope', 'scope-' || d.id)) AS fp
              FROM compmap.map_openvas_reference(d.t::xml) r)
        SELECT d.id, i.results, (SELECT count(*) FROM compmap.finding f WHERE f.tenant_id = t),
               (SELECT count(*) FROM ref), (SELECT count(DISTINCT fp) FROM ref),
               (SELECT count(*) FROM compmap.finding f LEFT JOIN compmap.asset a ON a.tenant_id = f.tenant_id AND a.asset_id = f.asset_id
                 WHERE f.tenant_id = t
                   AND NOT EXISTS (SELECT 1 FROM ref r
                                    WHERE r.fp = f.fingerprint AND r.rule_id IS NOT DISTINCT FROM f.rule_id AND r.title = f.title
                                      AND r.scanner_severity IS NOT DISTINCT FROM f.scanner_severity AND r.cve_ids = f.cve_ids
                                      AND r.cwe_ids = f.cwe_ids AND r.asset_name = a.name AND r.location IS NOT DISTINCT FROM f.location
                                      AND r.description IS NOT DISTINCT FROM f.description AND r.reference_urls = f.reference_urls
                                      AND compmap.ingest_cvss(r.cvss_vector)::text IS NOT DISTINCT FROM f.cvss::text));
    END LOOP;
END
$$;
SQL
bad=$(q -c "SELECT string_agg(id, ', ') FROM checked WHERE results <> ref_rows OR findings <> ref_fps OR unmatched <> 0")
nres=$(q -c "SELECT sum(results) || ' results, ' || sum(findings) || ' findings' FROM checked")
[ -z "$bad" ] && [ "$(q -c "SELECT count(*) FROM checked")" = 12 ]
ok $? "ingest of 12 fixtures and generated reports stores the reference's rows ($nres) ${bad:+(differ: $bad)}"

# 7: map_openvas(xml) still returns the reference's rows
bad=$(q -c "SELECT count(*) FROM doc WHERE id LIKE 'random%'
              AND (SELECT md5(string_agg(m::text, E'\n' ORDER BY m.ordinality)) FROM compmap.map_openvas(t::xml) WITH ORDINALITY m)
                  IS DISTINCT FROM (SELECT md5(string_agg(m::text, E'\n' ORDER BY m.ordinality)) FROM compmap.map_openvas_reference(t::xml) WITH ORDINALITY m)")
[ "$bad" = 0 ]
ok $? "map_openvas(xml) still returns the reference's rows for its callers"

# 8: peak memory of a backend mapping a report of about 100 MB (one_vuln's
# result 42,000 times over, on as many hosts), read from a table by a new session
python3 "$here/openvas_gen.py" "$scans" --big 42000 "$tmp/big.xml"
q -v f="$tmp/big.xml" <<<"CREATE TABLE big AS SELECT pg_read_file(:'f') AS t"
out=$(q <<'SQL'
SELECT count(*), octet_length(b.t) FROM big b, LATERAL compmap.map_openvas_text(b.t) GROUP BY 2;
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+([0-9]+) kB'))[1];
SQL
)
rows=$(echo "$out" | sed -n 1p | cut -d'|' -f1)
bytes=$(echo "$out" | sed -n 1p | cut -d'|' -f2)
hwm=$(echo "$out" | sed -n 2p)
# the xml path took about ten times the file; the bound is the text
# (detoasted) plus 64 MB.  Under AddressSanitizer (make sanitize sets
# COMPMAP_SANITIZED) freed memory is held in quarantine and every
# allocation carries red zones, so only the rows are checked there.
if [ -n "${COMPMAP_SANITIZED:-}" ]; then
    [ "$rows" = 42000 ]
    ok $? "a $((bytes / 1048576)) MB report maps: $rows rows (peak $((hwm / 1024)) MB, not held to a bound under AddressSanitizer)"
else
    [ "$rows" = 42000 ] && [ -n "$hwm" ] && [ $((hwm * 1024)) -lt $((bytes + 64 * 1048576)) ]
    ok $? "a $((bytes / 1048576)) MB report maps in a backend whose peak memory stays under its size plus 64 MB: $rows rows, peak $((hwm / 1024)) MB"
fi
