#!/usr/bin/env bash
# compmap.map_nuclei_text and compmap.map_zap_text (src/ingest_nuclei.c,
# src/ingest_zap.c: the document read from its text, one line or alert at
# a time) against the SQL mappings over jsonb:
# map_nuclei_reference(ingest_parse_jsonl(document, 'nuclei')) and
# map_zap_reference(document::jsonb).  The same rows in the same order, or
# the same error (SQLSTATE, message, detail, hint and the "JSON data,
# line" context), for
#   * the Nuclei and ZAP JSON fixtures in ../shared/fixtures/scans, as
#     written, with keys shuffled, repeated (jsonb keeps the last) and \u
#     escapes; Nuclei also with CRLF and blank lines, and as the JSON array
#     of -json-export;
#   * generated documents (zap_nuclei_gen.py): members missing, null or of
#     the wrong type, multibyte and long text, HTML, many sites, alerts and
#     instances; for Nuclei blank lines, CRLF, a last line without newline,
#     white space around lines, arrays;
#   * hand-written documents: Nuclei lines that are not objects, objects
#     split over lines; ZAP sites named after their alerts, repeated
#     names, alerts and sites, members of the wrong type; escapes, numbers,
#     nesting;
#   * truncated and damaged text at many cut points;
# and ingest: jsonl_scan against ingest_parse_jsonl's errors, json_scan's
# format (Trivy Kubernetes reports: every combination of their keys), site
# type and errors against the jsonb expressions and
# ingest_parse_json, ingest_parse's checks, ingest of the fixtures through
# the text path against the rows of the reference (fingerprints included),
# and the peak memory of backends mapping a big generated file of each
# format.
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
db=cm_zap_nuclei_stream
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..17"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q -f "$here/json_stream_compare.sql" >/dev/null

q >/dev/null <<'SQL'
CREATE TABLE doc (id text PRIMARY KEY, fmt text, t text);
CREATE TABLE outcome (id text PRIMARY KEY, fmt text, streamed text, reference text);
-- The reading from the text and the reference, for one document.
CREATE FUNCTION both_outcomes(fmt text, t text, OUT streamed text, OUT reference text) LANGUAGE plpgsql AS $$
BEGIN
    IF fmt = 'nuclei' THEN
        streamed := query_outcome('compmap.map_nuclei_text($1)', t);
        reference := query_outcome('compmap.map_nuclei_reference(compmap.ingest_parse_jsonl($1, ''nuclei''))', t);
    ELSE
        streamed := query_outcome('compmap.map_zap_text($1)', t);
        reference := query_outcome('compmap.map_zap_reference($1::jsonb)', t);
    END IF;
END
$$;
SQL
compare() {  # compare WHERE-clause: ids whose outcomes differ (at most 5), into $bad
    q -c "INSERT INTO outcome SELECT id, fmt, (o).streamed, (o).reference FROM (SELECT id, fmt, both_outcomes(fmt, t) AS o FROM doc WHERE $1) s ON CONFLICT DO NOTHING"
    bad=$(q -c "SELECT string_agg(id, ' ') FROM (SELECT id FROM outcome o WHERE o.streamed IS DISTINCT FROM o.reference AND $1 ORDER BY id LIMIT 5) s")
}

# The documents.
python3 - "$scans" "$tmp/docs.csv" "$here" <<'PY'
import csv, json, os, random, sys

scans, out, here = sys.argv[1], sys.argv[2], sys.argv[3]
rnd = random.Random(20261211)
rows = []


def add(i, fmt, text):
    rows.append((i, fmt, text))


sys.dont_write_bytecode = True
sys.path.insert(0, here)
import json_rewrite as jr
import zap_nuclei_gen as g
Pairs = jr.Pairs


def dumps(v, ascii_=None, sep=None):
    return jr.dumps(v, rnd, ascii_, sep)


def shuffled(v, dup=0.0):
    return jr.shuffled(v, rnd, dup, [[{'uri': 'http://dup.example'}], 'template'])


def line(v):
    """One JSON line: no newline inside, some blanks around."""
    return rnd.choice(['', '', ' ', '\t']) + dumps(v, sep=rnd.choice(['', ' ', '\t'])) + rnd.choice(['', '', ' ', '\t', '\r'])


def jsonl(objs, crlf=None, last_newline=None, blanks=0.1):
    eol = rnd.choice(['\n', '\r\n']) if crlf is None else crlf
    parts = []
    for o in objs:
        while rnd.random() < blanks:
            parts.append(rnd.choice(['', ' ', '\t \t']))
        parts.append(o if isinstance(o, str) else line(o))
    text = eol.join(parts)
    if (rnd.random() < 0.7) if last_newline is None else last_newline:
        text += eol
    return text


# fixtures, as written and rewritten
fixtures = []
with open(os.path.join(scans, 'counts.csv')) as f:
    for l in list(f)[1:]:
        p = l.split(',')
        if p[1] == 'nuclei' or (p[1] == 'zap' and p[0].endswith('.json') and 'sarif' not in p[0]):
            fixtures.append((p[0], p[1]))
for fx, fmt in fixtures:
    with open(os.path.join(scans, fx), encoding='utf-8') as f:
        text = f.read().lstrip('\ufeff')
    add('f:' + fx, fmt, text)
    if fmt == 'zap':
        v = json.loads(text)
        add('s:' + fx, fmt, dumps(shuffled(v)))
        add('d:' + fx, fmt, dumps(shuffled(v, 0.3)))
        add('u:' + fx, fmt, dumps(v, ascii_=True))
    else:
        objs = [json.loads(l) for l in text.splitlines() if l.strip()]
        add('s:' + fx, fmt, jsonl([shuffled(o) for o in objs]))
        add('d:' + fx, fmt, jsonl([shuffled(o, 0.3) for o in objs], '\r\n'))
        add('u:' + fx, fmt, jsonl([dumps(o, ascii_=True, sep='') for o in objs], '\n', False, 0))
        add('a:' + fx, fmt, dumps([shuffled(o, 0.1) for o in objs]))

# generated documents, keys shuffled and repeated
for i in range(700):
    add('gn%05d' % i, 'nuclei', jsonl([shuffled(g.nuclei(), 0.05) for _ in range(rnd.choice([0, 1, 2, 3, 5, 8]))]))
for i in range(100):
    add('ga%05d' % i, 'nuclei', rnd.choice(['', ' ', '\n']) + dumps([shuffled(g.nuclei(), 0.05) for _ in range(rnd.choice([0, 1, 3]))]))
for i in range(800):
    add('gz%05d' % i, 'zap', dumps(shuffled(g.zap(), 0.05)))

# hand-written Nuclei
N = '{"template-id": "t1", "info": {"name": "One", "severity": "high"}, "host": "h", "matched-at": "h/1"}'
N2 = '{"templateID": "t2", "info": {"severity": "low", "classification": {"cve-id": ["cve-2021-1234"]}}, "matched": "h/2"}'
nuclei_hand = {
    'two_lines': N + '\n' + N2 + '\n',
    'crlf_no_newline': N + '\r\n' + N2,
    'blank_lines': '\n\n  \n\t\n' + N + '\n \t \n\n' + N2 + '\n\n',
    'cr_inside_line': N + '\r\r\n' + N2,
    'lone_cr_line': N + '\n\r \n' + N2,
    'formfeed_line': N + '\n\f\n' + N2,
    'only_blank': ' \n\t\n\n',
    'empty': '',
    'number_line': N + '\n5\n' + N2,
    'string_line': '"template"\n' + N,
    'array_line': N + '\n[' + N + ']',
    'null_line': N + '\nnull',
    'two_objects_one_line': N + ' ' + N2,
    'two_objects_comma': N + ', ' + N2,
    'object_over_lines': N + '\n{"template-id": "x",\n "host": "y"}',
    'joined_object_over_lines': '{"template-id": "x", "a": [1\n2]}, ' + N2,
    'joined_number_split': '{"template-id": "x", "a": 1\n2}',
    'truncated_last': N + '\n{"template-id": "x", ',
    'garbage_line': N + '\nnot json\n' + N2,
    'trailing_comma_line': N + ',\n' + N2,
    'bad_escape': '{"template-id": "\\x"}',
    'nul_escape': N + '\n{"template-id": "\\u0000"}',
    'lone_surrogate': '{"template-id": "\\ud83d"}',
    'number_overflow': N + '\n{"n": 1e1000000}',
    'deep_line': '{"template-id": "deep", "x": %s1%s}' % ('[' * 2000, ']' * 2000),
    'too_deep': N + '\n' + '[' * 1000000,
    'escapes': '{"t\\u0065mplate-id": "\\u00e9\\ud83d\\ude00", "info": {"n\\u0061me": "a\\nb", "severity": "\\"x\\""}}',
    'numbers': '{"template": 1.50, "info": {"name": 1e2, "severity": -0, "classification": {"cwe-id": [79, 1.0]}}, "host": 0.1}',
    'array_form': '[' + N + ',\n' + N2 + ']',
    'array_form_ws': ' \r\n\t[' + N + ']',
    'array_form_far': ' ' * 70 + '[' + N + ']',
    'array_form_not_objects': '[' + N + ', 1, "x"]',
    'array_form_then_bad': '[' + N + ', 1] x',
    'array_form_truncated': '[' + N + ', {',
    'array_form_empty': '[]',
    'array_form_nested': '[[' + N + ']]',
    'repeated_names': '{"template-id": "a", "templateID": "b", "template-id": "c", "matcher-name": "m", "matcher_name": "n", "matcher-name": null}',
    'multibyte': '{"template-id": "\u00e9\u4e2d", "info": {"name": "%s", "description": "\U0001f600"}, "host": "\u00fc"}' % ('\u00e9' * 250),
    'bom_inside': N + '\n\ufeff' + N2,
}
for k, v in nuclei_hand.items():
    add('hn:' + k, 'nuclei', v)

# hand-written ZAP
A = '{"pluginid": "10038", "alertRef": "10038-1", "name": "CSP", "riskcode": "2", "desc": "<p>d</p>", "instances": [{"uri": "http://a/1"}]}'
A2 = '{"pluginid": "10020", "name": "XFO", "riskcode": "1", "count": "3", "cweid": "1021", "reference": "https://r.example"}'
zap_hand = {
    'in_order': '{"@programName": "ZAP", "site": [{"@name": "http://a", "alerts": [%s, %s]}]}' % (A, A2),
    'name_after_alerts': '{"site": [{"alerts": [%s], "@name": "http://late"}, {"@name": "http://b", "alerts": [%s]}]}' % (A, A2),
    'name_twice': '{"site": [{"@name": "http://first", "alerts": [%s], "@name": "http://second"}]}' % A,
    'name_twice_before': '{"site": [{"@name": "http://first", "@name": "http://second", "alerts": [%s]}]}' % A,
    'alerts_twice': '{"site": [{"@name": "http://a", "alerts": [%s], "alerts": [%s, %s]}]}' % (A, A2, A),
    'alerts_twice_last_null': '{"site": [{"@name": "http://a", "alerts": [%s], "alerts": null}]}' % A,
    'no_name': '{"site": [{"alerts": [%s]}]}' % A,
    'empty_name': '{"site": [{"@name": "", "alerts": [%s]}]}' % A2,
    'name_null': '{"site": [{"@name": null, "alerts": [%s]}]}' % A2,
    'name_number': '{"site": [{"@name": 1.50, "alerts": [%s]}]}' % A2,
    'site_twice': '{"site": [{"@name": "http://a", "alerts": [%s]}], "@version": "x", "site": [{"@name": "http://b", "alerts": [%s]}]}' % (A, A2),
    'site_twice_last_object': '{"site": [{"@name": "http://a", "alerts": [%s]}], "site": {}}' % A,
    'site_object': '{"site": {"@name": "http://a", "alerts": [%s]}}' % A,
    'site_string': '{"site": "x"}',
    'site_null': '{"site": null}',
    'no_site': '{"@programName": "ZAP"}',
    'sites_not_objects': '{"site": [1, "x", null, [], {}, [{"alerts": [%s]}], {"@name": "http://c", "alerts": [%s]}]}' % (A, A2),
    'alerts_not_array': '{"site": [{"@name": "http://a", "alerts": {"a": %s}}, {"@name": "http://b", "alerts": "x"}]}' % A,
    'alerts_not_objects': '{"site": [{"@name": "http://a", "alerts": [1, "x", null, true, [], {}, [%s]]}]}' % A,
    'instances_odd': '{"site": [{"@name": "http://a", "alerts": [{"name": "i", "instances": "x"}, {"name": "j", "instances": {"uri": "u"}}, {"name": "k", "instances": [1, {"uri": 5}]}, {"name": "l", "instances": null, "count": 7}]}]}',
    'names_elsewhere': '{"x": {"site": [{"alerts": [1]}]}, "site": [{"y": {"@name": "no", "alerts": [%s]}, "@name": "http://yes", "alerts": [%s]}]}' % (A, A2),
    'top_array': '[{"site": [{"alerts": [%s]}]}]' % A,
    'top_scalar': '"site"',
    'escapes': '{"s\\u0069te": [{"@n\\u0061me": "http://\\u00e9", "\\u0061lerts": [{"n\\u0061me": "a\\nb", "desc": "\\u003cp\\u003ex\\u003c/p\\u003e"}]}]}',
    'numbers': '{"site": [{"@name": 1E+2, "alerts": [{"pluginid": 10038, "riskcode": 2, "cweid": 79.0, "count": 0.10, "name": -0}]}]}',
    'html': '{"site": [{"@name": "http://a", "alerts": [{"desc": "<p>a</p>\\n <p>b &amp;amp; &lt;c&gt;</p>", "solution": "<p> </p>", "reference": "<p>https://x.example/a</p><p>https://x.example/a</p>"}]}]}',
    'deep_in_alert': '{"site": [{"alerts": [{"name": "deep", "x": %s1%s}]}]}' % ('[' * 2000, ']' * 2000),
    'too_deep': '{"site": [{"alerts": [%s]}]}' % ('[' * 1000000),
    'nul_escape_in_alert': '{"site": [{"alerts": [{"name": "a\\u0000b"}]}]}',
    'nul_escape_elsewhere': '{"site": [], "x": "\\u0000"}',
    'lone_surrogate': '{"site": [{"@name": "\\ud83d"}]}',
    'number_overflow_in_alert': '{"site": [{"alerts": [{"count": 1e1000000}]}]}',
    'number_overflow_after': '{"site": [{"alerts": [%s]}], "x": [1e1000000]}' % A,
    'trailing_garbage': '{"site": [{"alerts": [%s]}]} x' % A,
    'empty': '',
}
for k, v in zap_hand.items():
    add('hz:' + k, 'zap', v)

# damaged text at many cut points
bases = [('nuclei', nuclei_hand['two_lines']), ('nuclei', nuclei_hand['array_form']), ('nuclei', nuclei_hand['blank_lines']),
         ('zap', zap_hand['in_order']), ('zap', zap_hand['name_after_alerts'])]
for fx, fmt in fixtures:
    with open(os.path.join(scans, fx), encoding='utf-8') as f:
        bases.append((fmt, f.read().lstrip('\ufeff')))
for b, (fmt, base) in enumerate(bases):
    cuts = range(len(base)) if len(base) < 400 else sorted(rnd.sample(range(len(base)), 150))
    for c in cuts:
        add('t%d:%06d' % (b, c), fmt, base[:c])
    for j in range(40):          # one character replaced or dropped
        c = rnd.randrange(len(base))
        add('x%d:%04d' % (b, j), fmt, base[:c] + rnd.choice(['', '"', '{', ']', ',', ':', '\\', 'x', '\\u00', '1e', '-', '\n', '\r\n']) + base[c + 1:])

with open(out, 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    for r in rows:
        w.writerow(r)
PY
q -c "\\copy doc FROM '$tmp/docs.csv' WITH (FORMAT csv, FORCE_NOT_NULL (t))"

# 1: Nuclei fixtures as written
compare "fmt = 'nuclei' AND id LIKE 'f:%'"
nn=$(q -c "SELECT count(*) FROM outcome WHERE fmt = 'nuclei' AND id LIKE 'f:%' AND streamed LIKE 'rows %'")
nr=$(q -c "SELECT sum(split_part(streamed, ' ', 2)::int) FROM outcome WHERE fmt = 'nuclei' AND id LIKE 'f:%'")
[ -z "$bad" ] && [ "$nn" = 3 ] && [ "$nr" = 44 ]
ok $? "map_nuclei_text equals map_nuclei_reference(ingest_parse_jsonl(...)) for the $nn Nuclei fixtures ($nr rows) ${bad:+(differ: $bad)}"

# 2: Nuclei fixtures rewritten
compare "fmt = 'nuclei' AND id ~ '^[sdua]:'"
nd=$(q -c "SELECT count(*) FROM outcome WHERE fmt = 'nuclei' AND id ~ '^[sdua]:' AND streamed LIKE 'rows %'")
[ -z "$bad" ] && [ "$nd" = 12 ]
ok $? "the same for the Nuclei fixtures with keys shuffled and repeated, \\u escapes, CRLF, blank lines, and as a JSON array ($nd documents) ${bad:+(differ: $bad)}"

# 3: generated Nuclei documents
compare "id ~ '^g[na]'"
ngen=$(q -c "SELECT count(*) FROM outcome WHERE id ~ '^g[na]'")
nr=$(q -c "SELECT sum(split_part(streamed, ' ', 2)::int) FROM outcome WHERE id ~ '^g[na]' AND streamed LIKE 'rows %'")
[ -z "$bad" ] && [ "$ngen" = 800 ] && [ "$nr" -gt 2000 ]
ok $? "the same for $ngen generated Nuclei documents (JSON lines and arrays), $nr rows ${bad:+(differ: $bad)}"

# 4: hand-written Nuclei documents, each meaning something
compare "id LIKE 'hn:%'"
detail=$(q -c "SELECT string_agg(o.id || ' ' || left(o.streamed, 110), E'\n' ORDER BY o.id) FROM outcome o WHERE o.id LIKE 'hn:%'")
expect=$(q -c "SELECT count(*) FROM outcome o WHERE
   (o.id IN ('hn:two_lines', 'hn:crlf_no_newline', 'hn:blank_lines', 'hn:cr_inside_line', 'hn:joined_object_over_lines', 'hn:array_form')
    AND o.streamed LIKE 'rows 2 %')
   OR (o.id IN ('hn:only_blank', 'hn:empty', 'hn:array_form_empty') AND o.streamed LIKE 'rows 0 %')
   OR (o.id IN ('hn:escapes', 'hn:numbers', 'hn:deep_line', 'hn:repeated_names', 'hn:multibyte', 'hn:array_form_ws', 'hn:array_form_far')
       AND o.streamed LIKE 'rows 1 %')
   OR (o.id = 'hn:number_line' AND o.streamed = 'error 22P02: malformed nuclei document: line 2: line is a JSON number, not an object /  / JSON lines need exactly one JSON object on every non-empty line. / ')
   OR (o.id = 'hn:string_line' AND o.streamed LIKE 'error 22P02: malformed nuclei document: line 1: line is a JSON string, not an object /%')
   OR (o.id = 'hn:array_line' AND o.streamed LIKE 'error 22P02: malformed nuclei document: line 2: line is a JSON array, not an object /%')
   OR (o.id = 'hn:null_line' AND o.streamed LIKE 'error 22P02: malformed nuclei document: line 2: line is a JSON null, not an object /%')
   OR (o.id IN ('hn:two_objects_one_line', 'hn:two_objects_comma', 'hn:joined_number_split', 'hn:garbage_line', 'hn:bad_escape', 'hn:lone_surrogate', 'hn:lone_cr_line', 'hn:formfeed_line', 'hn:bom_inside')
       AND o.streamed ~ '^error 22P02: malformed nuclei document: line [0-9]+: invalid input syntax for type json / .+ / JSON lines need')
   OR (o.id = 'hn:trailing_comma_line' AND o.streamed LIKE 'error 22P02: malformed nuclei document: line 1: invalid input syntax for type json / Expected end of input, but found \",\". /%')
   OR (o.id IN ('hn:object_over_lines', 'hn:truncated_last') AND o.streamed LIKE 'error 22P02: malformed nuclei document: line 2: invalid input syntax for type json%')
   OR (o.id = 'hn:nul_escape' AND o.streamed LIKE 'error 22P02: malformed nuclei document: line 2: unsupported Unicode escape sequence / \\\\u0000 cannot be converted to text. /%')
   OR (o.id = 'hn:number_overflow' AND o.streamed = 'error 22P02: malformed nuclei document: line 2: value overflows numeric format /  / JSON lines need exactly one JSON object on every non-empty line. / ')
   OR (o.id = 'hn:too_deep' AND o.streamed LIKE 'error 54001:%')
   OR (o.id IN ('hn:array_form_not_objects', 'hn:array_form_nested') AND o.streamed = 'error 22P02: malformed nuclei document: expected JSON objects, one per line /  /  / ')
   OR (o.id IN ('hn:array_form_then_bad', 'hn:array_form_truncated')
       AND o.streamed LIKE 'error 22P02: malformed nuclei document: invalid input syntax for type json / % JSON data, line 1: % / The whole document must be one JSON value, as the scanner wrote it. / ')")
total=$(q -c "SELECT count(*) FROM outcome o WHERE o.id LIKE 'hn:%'")
[ -z "$bad" ] && [ "$expect" = "$total" ]
ok $? "the same for hand-written Nuclei documents: lines not objects, objects over lines, blank and CR lines, escapes, numbers, nesting, arrays ($expect of $total as expected) ${bad:+(differ: $bad)}"
[ -z "$bad" ] && [ "$expect" = "$total" ] || echo "$detail" | sed 's/^/# /'

# 5: damaged Nuclei text: the same outcome at every cut
compare "fmt = 'nuclei' AND id ~ '^[tx][0-9]'"
nt=$(q -c "SELECT count(*) FROM outcome WHERE fmt = 'nuclei' AND id ~ '^[tx][0-9]'")
ne=$(q -c "SELECT count(*) FROM outcome WHERE fmt = 'nuclei' AND id ~ '^[tx][0-9]' AND streamed ~ '^error 22P02: malformed nuclei document: line [1-9]'")
[ -z "$bad" ] && [ "$ne" -gt 400 ]
ok $? "the same outcome for $nt truncated or damaged Nuclei texts ($ne errors naming the line, SQLSTATE, message, detail and hint alike) ${bad:+(differ: $bad)}"

# 6: ingest's parse of Nuclei: jsonl_scan raises what ingest_parse_jsonl raised
q -c "CREATE TABLE jsonl_cmp AS
      SELECT d.id, parse_error(format('SELECT compmap.jsonl_scan(%L, %L)', d.t, 'nuclei')) AS streamed,
             parse_error(format('SELECT compmap.ingest_parse_jsonl(%L, %L)', d.t, 'nuclei')) AS reference
        FROM doc d WHERE d.fmt = 'nuclei' AND length(d.t) < 100000"
bad=$(q -c "SELECT string_agg(id, ', ') FROM (SELECT * FROM jsonl_cmp WHERE streamed IS DISTINCT FROM reference ORDER BY id LIMIT 5) s")
ns=$(q -c "SELECT count(*) FROM jsonl_cmp WHERE streamed LIKE '22P02: malformed nuclei document: %'")
nall=$(q -c "SELECT count(*) FROM jsonl_cmp")
[ -z "$bad" ] && [ "$ns" -gt 400 ]
ok $? "jsonl_scan accepts and refuses as ingest_parse_jsonl for $nall Nuclei texts ($ns refused alike: 22P02, message, detail, hint) ${bad:+(differ: $bad)}"

# 7: json_scan's type, format and site type against the jsonb expressions,
# for every document that is one JSON value (arrays of Nuclei results too)
q >/dev/null <<'SQL'
INSERT INTO doc VALUES
    ('j:string', 'nuclei', '["template"]'), ('j:nested', 'nuclei', '[["template-id"]]'), ('j:nested_object', 'nuclei', '[[{"template": 1}]]'),
    ('j:mixed', 'nuclei', '[{"template": 1}, 5]'), ('j:empty', 'nuclei', '[]'), ('j:other', 'nuclei', '[{"x": 1}]'),
    ('j:names', 'nuclei', '["templateID", {"template-id": null}, {"x": 1, "template": 2}]'), ('j:null', 'nuclei', '[null]'),
    ('j:value_not_key', 'nuclei', '[{"x": "template"}]'), ('j:object', 'nuclei', '{"info": {"template": 1}, "template": 1}'),
    ('j:deeper', 'nuclei', '{"x": {"template-id": 1}}'), ('j:escaped', 'nuclei', '["templ\u0061te", {"template\u002did": 1}]'),
    ('k:escaped', 'trivy', '{"Cluster\u004eame": "c", "Res\u006furces": []}'), ('k:nested', 'trivy', '{"x": {"ClusterName": "c", "Resources": []}}'),
    ('k:deeper_list', 'trivy', '{"ClusterName": "c", "x": {"Resources": []}}'), ('k:duplicate', 'trivy', '{"ClusterName": 1, "ClusterName": null, "Misconfigurations": 2}'),
    ('k:array', 'trivy', '[{"ClusterName": "c", "Resources": []}]'), ('k:legacy', 'trivy', '[{"Target": "t", "Vulnerabilities": []}]');
-- Trivy Kubernetes reports: every combination of ClusterName, its lists and
-- the keys of the other formats besides, with values of every type.
INSERT INTO doc
SELECT 'k:' || i, 'trivy',
       coalesce((SELECT '{' || string_agg(to_json(k)::text || ': ' || (ARRAY['[]', '{}', 'null', '"x"', '[{"Results": []}]'])[1 + (i + n) % 5], ', ') || '}'
                   FROM unnest(ARRAY['ClusterName', 'Resources', 'Vulnerabilities', 'Misconfigurations', 'SchemaVersion', 'Results',
                                     'matches', 'runs']) WITH ORDINALITY AS u(k, n)
                  WHERE i & (1 << (n::int - 1)) <> 0), '{}')
  FROM generate_series(0, 255) AS i;
CREATE FUNCTION try_jsonb(t text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$$;
CREATE TABLE parsed AS SELECT id, t, try_jsonb(t) AS j FROM doc WHERE length(t) < 100000;
DELETE FROM parsed WHERE j IS NULL OR jsonb_typeof(j) NOT IN ('object', 'array');
SQL
bad=$(q -c "SELECT string_agg(id, ' ') FROM (
   SELECT p.id FROM parsed p, compmap.json_scan(p.t, 'JSON') s
    WHERE s.json_type IS DISTINCT FROM jsonb_typeof(p.j)
       OR s.format IS DISTINCT FROM compmap.ingest_json_format(p.j)
       OR s.site_type IS DISTINCT FROM (CASE WHEN jsonb_typeof(p.j) = 'object' THEN jsonb_typeof(p.j->'site') END)
    ORDER BY p.id LIMIT 5) s")
nw=$(q -c "SELECT count(*) FROM parsed")
nn=$(q -c "SELECT count(*) FROM parsed p, compmap.json_scan(p.t, 'JSON') s WHERE s.format = 'nuclei' AND s.json_type = 'array'")
nk=$(q -c "SELECT count(*) FROM parsed p, compmap.json_scan(p.t, 'JSON') s WHERE p.id LIKE 'k:%' AND s.format = 'trivy' AND NOT p.j ? 'SchemaVersion' AND NOT p.j ? 'Results' AND NOT p.j ? 'runs'")
[ -z "$bad" ] && [ "$nn" -gt 50 ] && [ "$nk" -eq 16 ]
ok $? "json_scan's type, format (ingest_json_format of objects and arrays) and site type equal the jsonb expressions for $nw documents, $nn arrays of Nuclei results, $nk Trivy Kubernetes reports ${bad:+(differ: $bad)}"

# 8: ingest_parse's reading of Nuclei, named and detected: JSON lines and
# arrays from the text (no jsonb), a single object parsed as before
q >/dev/null <<'SQL'
CREATE FUNCTION parsed_as(d text, f text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    p record;
BEGIN
    p := compmap.ingest_parse(d, f);
    RETURN p.format_name || CASE WHEN p.parsed_json IS NULL THEN ' from the text' ELSE ' from jsonb ' || p.parsed_json::text END;
EXCEPTION WHEN OTHERS THEN
    RETURN parse_error(format('SELECT compmap.ingest_parse(%L, %L)', d, f));
END
$$;
SQL
got=$(q <<'SQL'
SELECT string_agg(x.f || ' ' || x.d || ': ' || parsed_as(x.d, x.f), E'\n' ORDER BY x.n)
  FROM (VALUES (1, E'{"template-id": "a"}\n{"template-id": "b"}', 'auto'), (2, E'{"template-id": "a"}\n5', 'auto'),
               (3, E'{"host": "h", "template-id": "a"}\n{"template-id": "b"}', 'nuclei'), (4, '[{"template": "a"}, {"templateID": "b"}]', 'auto'),
               (5, '["template"]', 'auto'), (6, E'{"host": "h",\n "template": "a"}', 'auto'), (7, '[]', 'auto'),
               (8, E'{"template-id": "a"}\n{"template-id": ', 'nuclei'), (9, '[{"template": "a"}', 'auto'),
               (10, '{"template-id": "a", "info": {"name": "x"}}', 'nuclei')) AS x(n, d, f)
SQL
)
want='auto {"template-id": "a"}
{"template-id": "b"}: nuclei from the text
auto {"template-id": "a"}
5: 22P02: malformed nuclei document: line 2: line is a JSON number, not an object /  / JSON lines need exactly one JSON object on every non-empty line.
nuclei {"host": "h", "template-id": "a"}
{"template-id": "b"}: nuclei from the text
auto [{"template": "a"}, {"templateID": "b"}]: nuclei from the text
auto ["template"]: 22P02: malformed nuclei document: expected JSON objects, one per line /  / 
auto {"host": "h",
 "template": "a"}: nuclei from jsonb [{"host": "h", "template": "a"}]
auto []: 22023: cannot detect the scanner format of this JSON document / It is a JSON array. / Name the format: sarif, trivy, grype, zap or nuclei.
nuclei {"template-id": "a"}
{"template-id": : 22P02: malformed nuclei document: line 2: invalid input syntax for type json / The input string ended unexpectedly. / JSON lines need exactly one JSON object on every non-empty line.
auto [{"template": "a"}: 22P02: malformed JSON document: invalid input syntax for type json / The input string ended unexpectedly. JSON data, line 1: [{"template": "a"} / The whole document must be one JSON value, as the scanner wrote it.
nuclei {"template-id": "a", "info": {"name": "x"}}: nuclei from the text'
[ "$got" = "$want" ]
ok $? "ingest_parse reads Nuclei JSON lines and arrays from the text (jsonl_scan), named and detected, with ingest_parse_jsonl's errors; a single object detected by its keys is parsed as before"
[ "$got" = "$want" ] || echo "$got" | sed 's/^/# /'

# 9: ingest reads the texts: the findings are the reference's rows
# (fingerprints included), named, detected, after a byte order mark and as
# a JSON array; a damaged text changes nothing
q -c "SELECT compmap.create_tenant('stream') AS t" > "$tmp/tenant"
t=$(cat "$tmp/tenant")
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
-- The findings the reference's rows make in the scope label: one per
-- fingerprint, the first row of each.
CREATE FUNCTION reference_findings(fmt text, t text, label text)
RETURNS TABLE (fingerprint bytea, rule_id text, title text, scanner_severity text, cve_ids text[], cwe_ids text[],
               location text, description text, reference_urls text[]) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT DISTINCT ON (fp) fp, m.rule_id, m.title, m.scanner_severity, coalesce(m.cve_ids, ''{}''), coalesce(m.cwe_ids, ''{}''),
                m.location, m.description, coalesce(m.reference_urls, ''{}'')
           FROM %s WITH ORDINALITY AS m,
                LATERAL (SELECT compmap.finding_fingerprint(m.scanner, m.rule_id, CASE WHEN m.asset_name <> '''' THEN m.asset_kind END,
                                                            nullif(m.asset_name, ''''), m.fp_location,
                                                            coalesce(m.fp_extra, ''{}'') || jsonb_build_object(''scope'', $2)) AS fp) AS f
          ORDER BY fp, m.ordinality',
        CASE fmt WHEN 'nuclei' THEN 'compmap.map_nuclei_reference(compmap.ingest_parse_jsonl($1, ''nuclei''))'
                 ELSE 'compmap.map_zap_reference($1::jsonb)' END)
        USING t, label;
END
$$;
-- The number of rows the text reader gives.
CREATE FUNCTION text_rows(fmt text, t text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM compmap.map_%s_text($1)', fmt) INTO c USING t;
    RETURN c;
END
$$;
SQL
ingest_check() {  # ingest_check FMT: ingests the format's fixture documents, compares; sets $bad, $ni, $before, $after, $errs
    before=$(q -c "SELECT (SELECT count(*) FROM compmap.finding) || '/' || (SELECT count(*) FROM compmap.scan) || '/' || (SELECT count(*) FROM compmap.evidence)")
    errs=$(q -c "SELECT string_agg(DISTINCT left(parse_error(format('SELECT * FROM compmap.ingest(%L, %L, %L)', '$t', d.t, x.f)), 5), ',')
                   FROM doc d, (VALUES ('auto'), ('$1')) AS x(f) WHERE d.fmt = '$1' AND d.id ~ '^t[0-9]:' AND d.t ~ '^.*[{\[]' AND length(d.t) > 1
                    AND d.id IN (SELECT id FROM outcome WHERE reference LIKE 'error 22P02%')")
    after=$(q -c "SELECT (SELECT count(*) FROM compmap.finding) || '/' || (SELECT count(*) FROM compmap.scan) || '/' || (SELECT count(*) FROM compmap.evidence)")
    q -c "CREATE TABLE ingested_$1 AS SELECT d.id || '/' || x.how AS label, d.id, d.t, x.how,
                 ingest_outcome('$t', CASE WHEN x.how = 'bom' THEN U&'\\FEFF' ELSE '' END || d.t, CASE WHEN x.how = 'named' THEN '$1' ELSE 'auto' END, d.id || '/' || x.how) AS got
            FROM doc d, (VALUES ('named'), ('auto'), ('bom')) AS x(how) WHERE d.fmt = '$1' AND d.id ~ '^[fsdua]:'
             -- (detection reads JSON lines by a first key template-id, templateID or template)
             AND (x.how = 'named' OR d.fmt <> 'nuclei' OR d.id !~ '^[sd]:' OR d.t !~ E'\\n.')"
    bad=$(q -c "SELECT string_agg(i.label, ' ') FROM ingested_$1 i
                 WHERE i.got IS DISTINCT FROM '$1 ' || text_rows('$1', i.t)
                    OR EXISTS (SELECT * FROM reference_findings('$1', i.t, i.label)
                               EXCEPT SELECT f.fingerprint, f.rule_id, f.title, f.scanner_severity, f.cve_ids, f.cwe_ids, f.location, f.description, f.reference_urls
                                        FROM compmap.finding f WHERE f.tenant_id = '$t' AND f.source_label = i.label)
                    OR (SELECT count(*) FROM compmap.finding f WHERE f.tenant_id = '$t' AND f.source_label = i.label)
                       <> (SELECT count(*) FROM reference_findings('$1', i.t, i.label))")
    ni=$(q -c "SELECT count(*) FROM ingested_$1 WHERE got NOT LIKE 'error %'")
}
ingest_check nuclei
[ "$before" = "$after" ] && [ "$errs" = "22P02" ] && [ -z "$bad" ] && [ "$ni" = 37 ]
ok $? "ingest of $ni Nuclei texts (fixtures as written, rewritten and as arrays; named, detected, after a byte order mark) makes the reference's findings, fingerprints included; truncated texts fail with ${errs:-?} and change nothing ($before = $after) ${bad:+(not: $bad)}"

# 10: peak memory of a backend mapping a big generated file, read from a
# table by a new session.  Under AddressSanitizer (make sanitize sets
# COMPMAP_SANITIZED) freed memory is held in quarantine and every
# allocation carries red zones, so only the rows are checked there, of a
# smaller file.
big=100
[ -n "${COMPMAP_SANITIZED:-}" ] && big=10
big_check() {  # big_check FMT FUNCTION: sets $okm and $mem
    local out rows bytes hwm
    out=$(q <<SQL
SELECT count(*), octet_length(b.t) FROM big_$1 b, LATERAL compmap.$2(b.t) GROUP BY 2;
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+([0-9]+) kB'))[1];
SQL
)
    rows=$(echo "$out" | sed -n 1p | cut -d'|' -f1)
    bytes=$(echo "$out" | sed -n 1p | cut -d'|' -f2)
    hwm=$(echo "$out" | sed -n 2p)
    mem="a $((bytes / 1048576)) MB file maps: $rows rows, peak $((hwm / 1024)) MB"
    # the jsonb path took about 20 times the document; the bound is the
    # document's detoasted copy plus 64 MB
    if [ -n "${COMPMAP_SANITIZED:-}" ]; then
        [ "$rows" = "$3" ]
    else
        [ "$rows" = "$3" ] && [ -n "$hwm" ] && [ $((hwm * 1024)) -lt $((bytes + 64 * 1048576)) ]
    fi
    okm=$?
}
nbig=$(cd "$here" && python3 -B -c "import sys, zap_nuclei_gen as g; print(g.big_nuclei(sys.argv[1], $big * 1048576))" "$tmp/big.jsonl")
q -v f="$tmp/big.jsonl" <<<"CREATE TABLE big_nuclei AS SELECT pg_read_file(:'f') AS t"
rm -f "$tmp/big.jsonl"
big_check nuclei map_nuclei_text "$nbig"
ok $okm "Nuclei: $mem${COMPMAP_SANITIZED:+ (not held to a bound under AddressSanitizer)}, under the document's size plus 64 MB"

# 11: the ZAP JSON fixture, as written and rewritten
compare "fmt = 'zap' AND id ~ '^[fsdu]:'"
nz=$(q -c "SELECT count(*) FROM outcome WHERE fmt = 'zap' AND id ~ '^[fsdu]:' AND streamed LIKE 'rows 12 %'")
[ -z "$bad" ] && [ "$nz" = 4 ]
ok $? "map_zap_text equals map_zap_reference(text::jsonb) for the ZAP JSON fixture as written, with keys shuffled and repeated and with \\\\u escapes ($nz documents of 12 rows) ${bad:+(differ: $bad)}"

# 12: generated ZAP reports
compare "id LIKE 'gz%'"
ngen=$(q -c "SELECT count(*) FROM outcome WHERE id LIKE 'gz%'")
nr=$(q -c "SELECT sum(split_part(streamed, ' ', 2)::int) FROM outcome WHERE id LIKE 'gz%' AND streamed LIKE 'rows %'")
ne=$(q -c "SELECT count(*) FROM outcome WHERE id LIKE 'gz%' AND streamed LIKE 'error %'")
[ -z "$bad" ] && [ "$ngen" = 800 ] && [ "$nr" -gt 1500 ]
ok $? "the same for $ngen generated ZAP reports with shuffled and repeated keys: $nr rows, $ne errors ${bad:+(differ: $bad)}"

# 13: hand-written ZAP reports, each meaning something
compare "id LIKE 'hz:%'"
detail=$(q -c "SELECT string_agg(o.id || ' ' || left(o.streamed, 110), E'\n' ORDER BY o.id) FROM outcome o WHERE o.id LIKE 'hz:%'")
expect=$(q -c "SELECT count(*) FROM outcome o WHERE
   (o.id IN ('hz:in_order', 'hz:name_after_alerts') AND o.streamed LIKE 'rows 2 %')
   OR (o.id IN ('hz:alerts_twice') AND o.streamed LIKE 'rows 2 %')
   OR (o.id IN ('hz:name_twice', 'hz:name_twice_before', 'hz:no_name', 'hz:empty_name', 'hz:name_null', 'hz:name_number', 'hz:site_twice',
                'hz:names_elsewhere', 'hz:sites_not_objects', 'hz:escapes', 'hz:numbers', 'hz:html', 'hz:deep_in_alert') AND o.streamed LIKE 'rows 1 %')
   OR (o.id = 'hz:alerts_not_objects' AND o.streamed LIKE 'rows 7 %')
   OR (o.id = 'hz:instances_odd' AND o.streamed LIKE 'rows 4 %')
   OR (o.id IN ('hz:alerts_twice_last_null', 'hz:no_site', 'hz:alerts_not_array', 'hz:top_array', 'hz:top_scalar') AND o.streamed LIKE 'rows 0 %')
   OR (o.id IN ('hz:site_object', 'hz:site_twice_last_object') AND o.streamed LIKE 'error 22023: cannot extract elements from an object%')
   OR (o.id IN ('hz:site_string', 'hz:site_null') AND o.streamed LIKE 'error 22023: cannot extract elements from a scalar%')
   OR (o.id IN ('hz:nul_escape_in_alert', 'hz:nul_escape_elsewhere') AND o.streamed LIKE 'error 22P05: unsupported Unicode escape sequence%')
   OR (o.id IN ('hz:lone_surrogate', 'hz:trailing_garbage', 'hz:empty') AND o.streamed LIKE 'error 22P02:%')
   OR (o.id IN ('hz:number_overflow_in_alert', 'hz:number_overflow_after') AND o.streamed LIKE 'error 22003:%')
   OR (o.id = 'hz:too_deep' AND o.streamed LIKE 'error 54001:%')")
total=$(q -c "SELECT count(*) FROM outcome o WHERE o.id LIKE 'hz:%'")
[ -z "$bad" ] && [ "$expect" = "$total" ]
ok $? "the same for hand-written ZAP reports: @name after alerts, repeated names, alerts and sites, odd types, escapes, numbers, HTML, nesting ($expect of $total as expected) ${bad:+(differ: $bad)}"
[ -z "$bad" ] && [ "$expect" = "$total" ] || echo "$detail" | sed 's/^/# /'

# 14: damaged ZAP text: the same outcome at every cut
compare "fmt = 'zap' AND id ~ '^[tx][0-9]'"
nt=$(q -c "SELECT count(*) FROM outcome WHERE fmt = 'zap' AND id ~ '^[tx][0-9]'")
ne=$(q -c "SELECT count(*) FROM outcome WHERE fmt = 'zap' AND id ~ '^[tx][0-9]' AND streamed LIKE 'error 22P02: %JSON data, line %'")
[ -z "$bad" ] && [ "$ne" -gt 400 ]
ok $? "the same outcome for $nt truncated or damaged ZAP texts ($ne errors, SQLSTATE, message, detail and line alike) ${bad:+(differ: $bad)}"

# 15: ingest's parse of ZAP JSON: json_scan raises what ingest_parse_json
# raised, and ingest_parse's checks, named and detected, read the text
q -c "CREATE TABLE scan_cmp AS
      SELECT d.id, l.label,
             parse_error(format('SELECT compmap.json_scan(%L, %L)', d.t, l.label)) AS streamed,
             parse_error(format('SELECT compmap.ingest_parse_json(%L, %L)', d.t, l.label)) AS reference
        FROM doc d, (VALUES ('zap'), ('JSON')) AS l(label)
       WHERE d.fmt = 'zap' AND d.id ~ '^([tx][0-9]|hz:)' AND length(d.t) < 100000"
bad=$(q -c "SELECT string_agg(id || ' ' || label, ', ') FROM (SELECT * FROM scan_cmp WHERE streamed IS DISTINCT FROM reference ORDER BY id LIMIT 5) s")
ns=$(q -c "SELECT count(*) FROM scan_cmp WHERE streamed LIKE '22P02: malformed % document: %'")
got=$(q <<'SQL'
SELECT string_agg(x.f || ' ' || x.d || ': ' || parsed_as(x.d, x.f), E'\n' ORDER BY x.n)
  FROM (VALUES (1, '{"@programName": "ZAP", "site": []}', 'auto'), (2, '{"site": [], "@version": "2"}', 'zap'),
               (3, '{"@programName": "ZAP", "site": {}}', 'auto'), (4, '{"x": 1}', 'zap'), (5, '[{"site": []}]', 'zap'),
               (6, '{"site": 1, "@version": "2", "site": null}', 'auto'), (7, '{"site": {}, "@version": "2", "site": []}', 'auto'),
               (8, '{"@programName": "ZAP", "site": [', 'zap')) AS x(n, d, f)
SQL
)
want='auto {"@programName": "ZAP", "site": []}: zap from the text
zap {"site": [], "@version": "2"}: zap from the text
auto {"@programName": "ZAP", "site": {}}: 22023: zap document has no site array / Expected an array at $.site. / 
zap {"x": 1}: 22023: zap document has no site array / Expected an array at $.site. / 
zap [{"site": []}]: 22023: zap document is a JSON array, expected an object /  / 
auto {"site": 1, "@version": "2", "site": null}: 22023: zap document has no site array / Expected an array at $.site. / 
auto {"site": {}, "@version": "2", "site": []}: zap from the text
zap {"@programName": "ZAP", "site": [: 22P02: malformed zap document: invalid input syntax for type json / The input string ended unexpectedly. JSON data, line 1: {"@programName": "ZAP", "site": [ / The whole document must be one JSON value, as the scanner wrote it.'
[ -z "$bad" ] && [ "$ns" -gt 400 ] && [ "$got" = "$want" ]
ok $? "json_scan refuses malformed ZAP JSON as ingest_parse_json did ($ns errors alike); ingest_parse checks the site array from the text, named and detected ${bad:+(differ: $bad)}"
[ "$got" = "$want" ] || echo "$got" | sed 's/^/# /'

# 16: ingest reads ZAP JSON from the text: the reference's findings
ingest_check zap
[ "$before" = "$after" ] && [ "$errs" = "22P02" ] && [ -z "$bad" ] && [ "$ni" = 12 ]
ok $? "ingest of $ni ZAP JSON texts (the fixture as written and rewritten; named, detected, after a byte order mark) makes the reference's findings, fingerprints included; truncated texts fail with ${errs:-?} and change nothing ($before = $after) ${bad:+(not: $bad)}"

# 17: peak memory of a backend mapping a big generated ZAP report
nbig=$(cd "$here" && python3 -B -c "import sys, zap_nuclei_gen as g; print(g.big_zap(sys.argv[1], $big * 1048576))" "$tmp/big.json")
q -v f="$tmp/big.json" <<<"CREATE TABLE big_zap AS SELECT pg_read_file(:'f') AS t"
rm -f "$tmp/big.json"
big_check zap map_zap_text "$nbig"
ok $okm "ZAP: $mem${COMPMAP_SANITIZED:+ (not held to a bound under AddressSanitizer)}, under the document's size plus 64 MB"
