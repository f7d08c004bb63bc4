#!/usr/bin/env bash
# compmap.map_nessus_text (src/ingest_nessus_stream.c: a .nessus file read
# with libxml2's streaming reader) against map_nessus_reference(document::xml),
# the SQL mapping over the parsed document: the same rows in the same order,
# or the same error, for
#   * both Nessus fixtures in ../shared/fixtures/scans, as written;
#   * generated variants (nessus_stream_gen.py): hosts repeated, the children
#     of every item reversed, attributes and elements left out, entities,
#     character references and CDATA, comments inside values, nested and
#     namespaced elements, several Reports, multibyte and long text, a
#     repeated single-valued child (XMLTABLE's 21000), DTD entities in a
#     host's name (substituted) and inside an item (xpath()'s 2200N);
#   * truncated and damaged text, against ingest_parse_xml(document, 'nessus')
#     (SQLSTATE, message, detail and hint);
# and ingest: xml_scan against XMLPARSE's root and Report test, ingest of
# the fixtures (named, detected, after a byte order mark) against the rows
# of the reference, and the peak memory of a backend mapping a big file.
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
db=cm_nessus_stream
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..7"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null

q >/dev/null <<'SQL'
CREATE TABLE doc (id text PRIMARY KEY, t text);
-- The rows of a mapping as one digest, or its error.
CREATE FUNCTION outcome(t text, streamed boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
    c bigint;
    st text;
    msg text;
BEGIN
    IF streamed THEN
        SELECT md5(coalesce(string_agg(m::text, E'\n' ORDER BY m.ordinality), '')), count(*) INTO r, c
          FROM compmap.map_nessus_text(t) WITH ORDINALITY AS m;
    ELSE
        SELECT md5(coalesce(string_agg(m::text, E'\n' ORDER BY m.ordinality), '')), count(*) INTO r, c
          FROM compmap.map_nessus_reference(t::xml) WITH ORDINALITY AS m;
    END IF;
    RETURN 'rows ' || c || ' ' || r;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN 'error ' || st || ': ' || msg;
END
$$;
SQL
q -f "$here/parse_error.sql" >/dev/null

python3 "$here/nessus_stream_gen.py" "$scans" >"$tmp/docs.sql" && q -f "$tmp/docs.sql" >/dev/null
ndocs=$(q -c "SELECT count(*) FROM doc")

# 1-2: the fixtures and the generated documents, row by row
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc WHERE id IN ('example', 'v_unknown') AND outcome(t, true) IS DISTINCT FROM outcome(t, false)")
nrows=$(q -c "SELECT sum(n) FROM doc, LATERAL (SELECT count(*) AS n FROM compmap.map_nessus_text(t)) c WHERE id IN ('example', 'v_unknown')")
[ -z "$bad" ] && [ "$nrows" = 526 ]
ok $? "map_nessus_text equals map_nessus_reference(text::xml) row by row for both fixtures ($nrows rows) ${bad:+(differ: $bad)}"
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc WHERE outcome(t, true) IS DISTINCT FROM outcome(t, false)")
nerr=$(q -c "SELECT count(*) FROM doc WHERE outcome(t, true) LIKE 'error%'")
[ -z "$bad" ] && [ "$nerr" = 3 ]
ok $? "... and for the $ndocs fixtures and generated documents (reordered, missing, entities, CDATA, multibyte, long, nested; $nerr refused alike: a repeated field, DTD entities inside an item) ${bad:+(differ: $bad)}"

# 3: truncated and damaged text fails as ingest_parse_xml(text, 'nessus') does
q >/dev/null <<'SQL'
CREATE TABLE damaged AS
SELECT d.id || ' cut at ' || c AS id, left(d.t, c) AS t
  FROM doc d, generate_series(1, 40) g, LATERAL (SELECT (length(d.t) * g / 41) AS c) s
 WHERE d.id IN ('example', 'v_unknown', 'entities_cdata', 'odd_structure')
UNION ALL
-- an item's own error (a repeated field, a DTD entity) in a document that
-- is cut short after it: the malformed document's 22P02 comes first
SELECT d.id || ' cut short', left(d.t, length(d.t) - 30)
  FROM doc d WHERE d.id IN ('duplicate_field', 'internal_entities', 'entity_in_attribute')
UNION ALL
SELECT d.id || ' ' || r.what || ' at ' || p, overlay(d.t placing r.repl from p for 1)
  FROM doc d, generate_series(1, 12) g, LATERAL (SELECT 1 + (length(d.t) * g / 13) AS p) s,
       (VALUES ('<', '<'), ('&', '&'), ('quote', '"'), ('nul-ish', E'\x01'), ('close', '</x>')) AS r(what, repl)
 WHERE d.id IN ('example', 'entities_cdata')
UNION ALL
SELECT id, t FROM (VALUES ('garbage', '<NessusClientData_v2><Report><<<&&'), ('two roots', '<a/><b/>'),
                          ('undeclared entity', '<NessusClientData_v2>&nope;</NessusClientData_v2>'),
                          ('empty', ''), ('text only', 'hello'),
                          ('deep', repeat('<a>', 300) || repeat('</a>', 300)),
                          ('mismatch', '<NessusClientData_v2><Report></NessusClientData_v2>')) AS v(id, t);
SQL
ndam=$(q -c "SELECT count(*) FROM damaged")
bad=$(q -c "SELECT string_agg(id, ', ') FROM damaged
             WHERE parse_error(format('SELECT count(*) FROM compmap.map_nessus_text(%L)', t))
                   IS DISTINCT FROM parse_error(format('SELECT compmap.ingest_parse_xml(%L, %L)', t, 'nessus'))")
nref=$(q -c "SELECT count(*) FROM damaged WHERE parse_error(format('SELECT compmap.ingest_parse_xml(%L, %L)', t, 'nessus')) LIKE '22P02%'")
[ -z "$bad" ] && [ "$nref" -gt 100 ]
ok $? "$ndam truncated and damaged texts: map_nessus_text fails exactly as ingest_parse_xml does ($nref refused with 22P02, same message, detail and hint) ${bad:+(differ: $bad)}"

# 4: xml_scan's root and Report test against XMLPARSE and xpath
for f in openvas/one_vuln.xml openvas/no_vuln.xml zap/some_2.9.0.xml zap/zap-xml-plus-format.xml; do
    q -v f="$f" -v t="$(cat "$scans/$f")" <<<"INSERT INTO doc VALUES (:'f', :'t')"
done
q -c "INSERT INTO doc VALUES ('policy only', '<?xml version=\"1.0\" ?><NessusClientData_v2><Policy/></NessusClientData_v2>'),
                             ('empty report', '<NessusClientData_v2><Report/></NessusClientData_v2>'),
                             ('prefixed root', '<n:NessusClientData_v2 xmlns:n=\"urn:n\"><n:Report/></n:NessusClientData_v2>')"
bad=$(q -c "SELECT string_agg(id, ', ') FROM doc, compmap.xml_scan(t, 'XML') s
             WHERE s.root_name IS DISTINCT FROM (xpath('name(/*)', XMLPARSE (DOCUMENT t)))[1]::text
                OR (s.root_name = 'NessusClientData_v2' AND s.nessus_report IS DISTINCT FROM xpath_exists('/NessusClientData_v2/Report', XMLPARSE (DOCUMENT t)))")
nx=$(q -c "SELECT count(*) FROM doc")
[ -z "$bad" ]
ok $? "xml_scan's root element and Report test equal XMLPARSE's for $nx XML documents ${bad:+(differ: $bad)}"

# 5: ingest maps with the reader: the same rows as the reference, named,
# detected and after a byte order mark; a file without Report refused
q >/dev/null <<'SQL'
CREATE TABLE ingested (how text, n bigint, digest text);
DO $$
DECLARE
    t uuid;
    d text := (SELECT doc.t FROM doc WHERE doc.id = 'example');
BEGIN
    t := compmap.create_tenant('nessus stream');
    INSERT INTO ingested SELECT 'named', i.results, NULL FROM compmap.ingest(t, d, 'nessus') i;
    INSERT INTO ingested SELECT 'auto', i.results, NULL FROM compmap.ingest(t, d) i;
    INSERT INTO ingested SELECT 'bom', i.results, NULL FROM compmap.ingest(t, U&'\FEFF' || d) i;
    INSERT INTO ingested SELECT 'detect', NULL, compmap.detect_format(d);
END
$$;
SQL
got=$(q -c "SELECT string_agg(how || '=' || coalesce(n::text, digest), ' ' ORDER BY how) FROM ingested")
noreport=$(q -c "SELECT parse_error(format('SELECT compmap.ingest_parse(%L, %L)', t, 'nessus')) FROM doc WHERE id = 'policy only'")
[ "$got" = "auto=230 bom=230 detect=nessus named=230" ] &&
    [ "$noreport" = "22023: nessus document has no Report element / Expected /NessusClientData_v2/Report; this file holds no scan results (a policy-only export?). / Export the scan results as a .nessus file." ]
ok $? "ingest reads Nessus with the reader: $got; no Report: ${noreport%% /*}"

# 6: the whole ingest's rows equal the reference's (fingerprints included)
bad=$(q -c "SELECT count(*) FROM (
              SELECT rule_id, asset_name, location, title, scanner_severity, cvss_vector, cve_ids, cwe_ids, description, reference_urls
                FROM compmap.map_nessus_reference((SELECT t FROM doc WHERE id = 'example')::xml)
              EXCEPT ALL
              SELECT rule_id, asset_name, location, title, scanner_severity, cvss_vector, cve_ids, cwe_ids, description, reference_urls
                FROM compmap.map_nessus((SELECT t FROM doc WHERE id = 'example')::xml)) s")
[ "$bad" = 0 ]
ok $? "map_nessus(xml) still returns the reference's rows for ingest_map's callers"

# 7: peak memory of a backend mapping a big generated file (the example's
# ReportHost elements 24 times over), read from a table by a new session
python3 "$here/nessus_stream_gen.py" "$scans" --big 24 "$tmp/big.nessus"
q -v f="$tmp/big.nessus" <<<"CREATE TABLE big AS SELECT pg_read_file(:'f') AS t"
out=$(q <<'SQL'
SELECT count(*), octet_length(b.t) FROM big b, LATERAL compmap.map_nessus_text(b.t) GROUP BY 2;
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+([0-9]+) kB'))[1];
SQL
)
rows=$(echo "$out" | sed -n 1p | cut -d'|' -f1)
bytes=$(echo "$out" | sed -n 1p | cut -d'|' -f2)
hwm=$(echo "$out" | sed -n 2p)
# the xml path took ten times the file; the bound is the text (detoasted)
# plus 64 MB.  Under AddressSanitizer (make sanitize sets COMPMAP_SANITIZED)
# freed memory is held in quarantine and every allocation carries red
# zones, so only the rows are checked there.
if [ -n "${COMPMAP_SANITIZED:-}" ]; then
    [ "$rows" = 5520 ]
    ok $? "a $((bytes / 1048576)) MB file maps: $rows rows (peak $((hwm / 1024)) MB, not held to a bound under AddressSanitizer)"
else
    [ "$rows" = 5520 ] && [ -n "$hwm" ] && [ $((hwm * 1024)) -lt $((bytes + 64 * 1048576)) ]
    ok $? "a $((bytes / 1048576)) MB file maps in a backend whose peak memory stays under its size plus 64 MB: $rows rows, peak $((hwm / 1024)) MB"
fi
