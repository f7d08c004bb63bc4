#!/usr/bin/env bash
# compmap.map_zap_xml_text (src/ingest_zap_xml_stream.c: an OWASP ZAP
# traditional XML report read with libxml2's streaming reader) against
# map_zap_xml_reference(document::xml), the SQL mapping over the parsed
# document: the same rows in the same order, or the same error, for
#   * both ZAP XML fixtures in ../shared/fixtures/scans (plain and
#     "xml-plus"), as written;
#   * generated reports (zap_xml_gen.py): sites repeated, the children of
#     every alertitem and instance reversed, elements and site names left
#     out, random alertitems (values with entities of the report's DTD,
#     character references, CDATA, comments, processing instructions,
#     nested elements, HTML to strip, multibyte and long text), alertitems
#     outside site/alerts, namespaces, the uri, risk, count and title
#     rules, and repeated single-valued children (XMLTABLE's 21000);
#   * truncated and damaged text, against ingest_parse_xml(document, 'zap')
#     (SQLSTATE, message, detail and hint);
# and ingest: xml_scan against XMLPARSE's root, ingest of the fixtures and
# generated reports (named, detected, after a byte order mark) against the
# rows of the reference, ZAP JSON still through jsonb, and the peak memory
# of a backend mapping a report of about 100 MB.
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
db=cm_zap_xml_stream
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
python3 "$here/zap_xml_gen.py" "$scans" >"$tmp/docs.sql" && q -f "$tmp/docs.sql" >/dev/null
ndocs=$(q -c "SELECT count(*) FROM doc")

# 1-2: the fixtures and the generated reports, row by row
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc WHERE id IN ('some_2.9.0', 'xml_plus') AND outcome('zap_xml', t, true) IS DISTINCT FROM outcome('zap_xml', t, false)")
nrows=$(q -c "SELECT sum(n) FROM doc, LATERAL (SELECT count(*) AS n FROM compmap.map_zap_xml_text(t)) c WHERE id IN ('some_2.9.0', 'xml_plus')")
[ -z "$bad" ] && [ "$nrows" = 8 ]
ok $? "map_zap_xml_text equals map_zap_xml_reference(text::xml) row by row for both fixtures ($nrows rows) ${bad:+(differ: $bad)}"
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc WHERE outcome('zap_xml', t, true) IS DISTINCT FROM outcome('zap_xml', t, false)")
nall=$(q -c "SELECT sum(n) FROM doc, LATERAL (SELECT count(*) AS n FROM compmap.map_zap_xml_reference(t::xml)) c WHERE outcome('zap_xml', t, false) LIKE 'rows%'")
nerr=$(q -c "SELECT count(*) FROM doc WHERE outcome('zap_xml', t, true) LIKE 'error%'")
[ -z "$bad" ] && [ "$nerr" = 3 ] && [ "$nall" -gt 300 ]
ok $? "... and for the $ndocs fixtures and generated reports ($nall rows; reordered, missing, DTD entities, CDATA, comments, HTML, multibyte, long, misplaced, namespaced; $nerr refused alike: repeated fields) ${bad:+(differ: $bad)}"

# 3: truncated and damaged text fails as ingest_parse_xml(text, 'zap') does
q >/dev/null <<'SQL'
CREATE TABLE damaged AS
SELECT d.id || ' cut at ' || c AS id, left(d.t, c) AS t
  FROM doc d, generate_series(1, 40) g, LATERAL (SELECT (length(d.t) * g / 41) AS c) s
 WHERE d.id IN ('some_2.9.0', 'xml_plus', 'random_1', 'entities_dtd', 'duplicate_name')
UNION ALL
SELECT d.id || ' ' || r.what || ' at ' || p, overlay(d.t placing r.repl from p for 1)
  FROM doc d, generate_series(1, 12) g, LATERAL (SELECT 1 + (length(d.t) * g / 13) AS p) s,
       (VALUES ('<', '<'), ('&', '&'), ('quote', '"'), ('nul-ish', E'\x01'), ('close', '</x>')) AS r(what, repl)
 WHERE d.id IN ('some_2.9.0', 'random_2')
UNION ALL
SELECT id, t FROM (VALUES ('garbage', '<OWASPZAPReport><site><<<&&'), ('two roots', '<a/><b/>'),
                          ('undeclared entity', '<OWASPZAPReport>&nope;</OWASPZAPReport>'),
                          ('empty', ''), ('text only', 'hello'),
                          ('deep', repeat('<a>', 300) || repeat('</a>', 300)),
                          ('deep item', '<OWASPZAPReport><site><alerts><alertitem><desc>' || repeat('<a>', 300) || repeat('</a>', 300) || '</desc></alertitem></alerts></site></OWASPZAPReport>'),
                          ('mismatch', '<OWASPZAPReport><site></OWASPZAPReport>'),
                          ('error then truncated', '<OWASPZAPReport><site><alerts><alertitem><name>a</name><name>b</name></alertitem><alertitem>')) AS v(id, t);
SQL
ndam=$(q -c "SELECT count(*) FROM damaged")
bad=$(q -c "SELECT string_agg(id, ', ') FROM damaged
             WHERE parse_error(format('SELECT count(*) FROM compmap.map_zap_xml_text(%L)', t))
                   IS DISTINCT FROM parse_error(format('SELECT compmap.ingest_parse_xml(%L, %L)', t, 'zap'))")
nref=$(q -c "SELECT count(*) FROM damaged WHERE parse_error(format('SELECT compmap.ingest_parse_xml(%L, %L)', t, 'zap')) LIKE '22P02%'")
[ -z "$bad" ] && [ "$nref" -gt 150 ]
ok $? "$ndam truncated and damaged texts: map_zap_xml_text fails exactly as ingest_parse_xml does ($nref refused with 22P02, same message, detail and hint) ${bad:+(differ: $bad)}"

# 4: xml_scan's root against XMLPARSE and xpath
for f in nessus/example.nessus openvas/one_vuln.xml; do
    q -v f="$f" -v p="$scans/$f" <<<"INSERT INTO doc VALUES (:'f', pg_read_file(:'p'))"
done
q -c "INSERT INTO doc VALUES ('prefixed root', '<z:OWASPZAPReport xmlns:z=\"urn:z\"><site/></z:OWASPZAPReport>'),
                             ('site root', '<site name=\"x\"><alerts/></site>')"
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc, compmap.xml_scan(t, 'XML') s
             WHERE s.root_name IS DISTINCT FROM (xpath('name(/*)', XMLPARSE (DOCUMENT t)))[1]::text")
nx=$(q -c "SELECT count(*) FROM doc")
[ -z "$bad" ]
ok $? "xml_scan's root element equals XMLPARSE's for $nx XML documents ${bad:+(differ: $bad)}"

# 5: ingest maps with the reader: named, detected and after a byte order
# mark; a document of another root refused; ZAP JSON still through jsonb
q -v p="$scans/zap/report_json.json" <<<"INSERT INTO doc VALUES ('report_json', pg_read_file(:'p'))"
q >/dev/null <<'SQL'
CREATE TABLE ingested (how text, n bigint, digest text);
DO $$
DECLARE
    t uuid;
    d text := (SELECT doc.t FROM doc WHERE doc.id = 'sites_x3');
    j text := (SELECT doc.t FROM doc WHERE doc.id = 'report_json');
BEGIN
    t := compmap.create_tenant('zap xml stream');
    INSERT INTO ingested SELECT 'named', i.results, NULL FROM compmap.ingest(t, d, 'zap') i;
    INSERT INTO ingested SELECT 'auto', i.results, NULL FROM compmap.ingest(t, d) i;
    INSERT INTO ingested SELECT 'bom', i.results, NULL FROM compmap.ingest(t, U&'\FEFF' || d) i;
    INSERT INTO ingested SELECT 'detect', NULL, compmap.detect_format(d);
    INSERT INTO ingested SELECT 'json', i.results, NULL FROM compmap.ingest(t, j, 'zap') i;
    INSERT INTO ingested SELECT 'json_ref', count(*), NULL FROM compmap.map_zap(j::jsonb);
END
$$;
SQL
got=$(q -c "SELECT string_agg(how || '=' || coalesce(n::text, digest), ' ' ORDER BY how) FROM ingested")
wrongroot=$(q -c "SELECT parse_error(format('SELECT compmap.ingest_parse(%L, %L)', t, 'zap')) FROM doc WHERE id = 'site root'")
[ "$got" = "auto=21 bom=21 detect=zap json=12 json_ref=12 named=21" ] &&
    [ "$wrongroot" = "22023: zap document has root element <site>, expected <OWASPZAPReport> /  / " ]
ok $? "ingest reads ZAP XML with the reader: $got; ${wrongroot%% /*}"

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
    FOR d IN SELECT * FROM doc WHERE id IN ('some_2.9.0', 'xml_plus', 'sites_x3', 'some_2.9.0_reversed', 'xml_plus_missing', 'uris',
                                           'strip_html', 'entities_dtd', 'multibyte_long', 'random_1', 'random_2', 'random_4') LOOP
        t := compmap.create_tenant('zap ' || d.id);
        SELECT * INTO i FROM compmap.ingest(t, d.t, 'zap', now(), 'scope-' || d.id);
        INSERT INTO checked
        WITH ref AS (
            SELECT r.*, compmap.finding_fingerprint(r.scanner, r.rule_id, CASE WHEN r.asset_name <> '' THEN r.asset_kind END,
                                                    nullif(r.asset_name, ''), r.fp_location,
                                                    coalesce(r.fp_extra, '{}') || jsonb_build_object('scope', 'scope-' || d.id)) AS fp
              FROM compmap.map_zap_xml_reference(d.t::xml) r)
        SELECT d.id, i.results, (SELECT count(*) FROM compmap.finding f WHERE f.tenant_id = t),
               (SELECT count(*) FROM ref), (SELECT count(DISTINCT fp) FROM ref),
               (SELECT count(*) FROM compmap.finding f LEFT JOIN compmap.asset a ON a.tenant_id = f.tenant_id AND a.asset_id = f.asset_id
                 WHERE f.tenant_id = t
                   AND NOT EXISTS (SELECT 1 FROM ref r
                                    WHERE r.fp = f.fingerprint AND r.rule_id IS NOT DISTINCT FROM f.rule_id AND r.title = f.title
                                      AND r.scanner_severity IS NOT DISTINCT FROM f.scanner_severity AND r.cve_ids = f.cve_ids
                                      AND r.cwe_ids = f.cwe_ids AND r.asset_name = a.name AND r.location IS NOT DISTINCT FROM f.location
                                      AND r.description IS NOT DISTINCT FROM f.description AND r.reference_urls = f.reference_urls));
    END LOOP;
END
$$;
SQL
bad=$(q -c "SELECT string_agg(id, ', ') FROM checked WHERE results <> ref_rows OR findings <> ref_fps OR unmatched <> 0")
nres=$(q -c "SELECT sum(results) || ' results, ' || sum(findings) || ' findings' FROM checked")
[ -z "$bad" ] && [ "$(q -c "SELECT count(*) FROM checked")" = 12 ]
ok $? "ingest of 12 fixtures and generated reports stores the reference's rows ($nres) ${bad:+(differ: $bad)}"

# 7: map_zap_xml(xml) still returns the reference's rows
bad=$(q -c "SELECT count(*) FROM doc WHERE id LIKE 'random%' AND outcome('zap_xml', t, false) LIKE 'rows%'
              AND (SELECT md5(string_agg(m::text, E'\n' ORDER BY m.ordinality)) FROM compmap.map_zap_xml(t::xml) WITH ORDINALITY m)
                  IS DISTINCT FROM (SELECT md5(string_agg(m::text, E'\n' ORDER BY m.ordinality)) FROM compmap.map_zap_xml_reference(t::xml) WITH ORDINALITY m)")
[ "$bad" = 0 ]
ok $? "map_zap_xml(xml) still returns the reference's rows for its callers"

# 8: peak memory of a backend mapping a report of about 100 MB (the
# xml-plus fixture's alertitem, with its request and response, 30,000 times
# over on 1,500 sites), read from a table by a new session
python3 "$here/zap_xml_gen.py" "$scans" --big 30000 "$tmp/big.xml"
q -v f="$tmp/big.xml" <<<"CREATE TABLE big AS SELECT pg_read_file(:'f') AS t"
out=$(q <<'SQL'
SELECT count(*), octet_length(b.t) FROM big b, LATERAL compmap.map_zap_xml_text(b.t) GROUP BY 2;
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+([0-9]+) kB'))[1];
SQL
)
rows=$(echo "$out" | sed -n 1p | cut -d'|' -f1)
bytes=$(echo "$out" | sed -n 1p | cut -d'|' -f2)
hwm=$(echo "$out" | sed -n 2p)
# the xml path took about six times the file; the bound is the text
# (detoasted) plus 64 MB.  Under AddressSanitizer (make sanitize sets
# COMPMAP_SANITIZED) freed memory is held in quarantine and every
# allocation carries red zones, so only the rows are checked there.
if [ -n "${COMPMAP_SANITIZED:-}" ]; then
    [ "$rows" = 30000 ]
    ok $? "a $((bytes / 1048576)) MB report maps: $rows rows (peak $((hwm / 1024)) MB, not held to a bound under AddressSanitizer)"
else
    [ "$rows" = 30000 ] && [ -n "$hwm" ] && [ $((hwm * 1024)) -lt $((bytes + 64 * 1048576)) ]
    ok $? "a $((bytes / 1048576)) MB report maps in a backend whose peak memory stays under its size plus 64 MB: $rows rows, peak $((hwm / 1024)) MB"
fi
