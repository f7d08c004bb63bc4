#!/usr/bin/env bash
# The canonicaliser's fast path (src/jcs.c reads jsonb's binary containers
# and writes through a buffered sink) against its slow reference (the same
# core driven by PostgreSQL's JsonbIterator, compmap_jcs_reference in the
# library): identical text for generated documents that reach every branch
# (all scalar kinds, escapes, keys whose JCS order differs from jsonb's,
# objects and arrays past jsonb's offset stride of 32 entries, deep nesting,
# strings longer than the digest sink's 8 KB buffer, toasted values,
# integers on both sides of the 15 digits printed without conversion), and
# payload_digest equal to the SHA-256 of the reference text.  Needs
# PGHOST/PGPORT.
set -u
here=$(cd "$(dirname "$0")" && pwd)
db=cm_jcs_reference
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..4"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null

python3 - "$tmp/docs.csv" <<'PY'
import csv, json, random, sys

rnd = random.Random(8785)
ALPHA = ['a', 'b', 'z', 'A', '_', '1', ' ', '"', '\\', '/', '\n', '\t', '\x01', '\x1f', '\x7f',
         '\u00e9', '\u0080', '\u20ac', '\ud7ff', '\ue000', '\ufb33', '\uffff',
         '\U0001f600', '\U00010000', '\U0010ffff']

def text(maxlen):
    n = rnd.choice([0, 1, 2, 3, 5, 8, rnd.randint(0, maxlen)])
    return ''.join(rnd.choice(ALPHA) for _ in range(n))

def number():
    k = rnd.randrange(8)
    sign = rnd.choice(['', '-'])
    if k == 0:
        return sign + str(rnd.randrange(10 ** rnd.randint(1, 15)))
    if k == 1:
        return sign + str(rnd.randrange(10 ** rnd.randint(15, 25)))
    if k == 2:
        return sign + '%d.%0*d' % (rnd.randrange(10 ** 6), rnd.randint(1, 20), rnd.randrange(10 ** 20))
    if k == 3:
        return sign + '%de%d' % (rnd.randrange(1, 10 ** 4), rnd.randint(-300, 300))
    if k == 4:
        return sign + '0.%0*d' % (rnd.randint(1, 12), rnd.randrange(1, 1000))
    if k == 5:
        return repr(rnd.uniform(-1e6, 1e6))
    if k == 6:
        return rnd.choice(['0', '-0', '0.0', '1.000', '1e21', '1e-7', '123456789012345678', '5e-324'])
    return sign + str(rnd.randrange(100))

budget = [0]

def value(depth):
    budget[0] -= 1
    k = rnd.randrange(10 if depth < 6 and budget[0] > 0 else 6)
    if k == 0:
        return 'null'
    if k == 1:
        return rnd.choice(['true', 'false'])
    if k in (2, 3):
        return json.dumps(text(40), ensure_ascii=rnd.random() < 0.3)
    if k in (4, 5):
        return number()
    if k in (6, 7):
        n = rnd.choice([0, 1, 3, 8, 31, 32, 33, 70])
        keys = {text(12) for _ in range(n)}
        return '{' + ','.join(json.dumps(key, ensure_ascii=False) + ':' + value(depth + 1) for key in keys) + '}'
    n = rnd.choice([0, 1, 2, 5, 32, 33, 65])
    return '[' + ','.join(value(depth + 1) for _ in range(n)) + ']'

with open(sys.argv[1], 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f)
    for i in range(3000):
        budget[0] = 300         # values per document, containers included
        w.writerow([i, value(0)])
    # long strings: past the digest buffer, escapes at its edges, toasted
    for i, n in enumerate([8190, 8191, 8192, 8193, 20000, 300000]):
        s = ''.join(rnd.choice(ALPHA) for _ in range(n))
        w.writerow([10000 + i, json.dumps({'long': s, 'k': [s[:100]] * 40}, ensure_ascii=False)])
    # deep nesting
    w.writerow([20000, '[' * 200 + '{"a":1}' + ']' * 200])
PY
q -c 'CREATE TABLE doc (id int PRIMARY KEY, j jsonb)'
q -c "\\copy doc FROM '$tmp/docs.csv' WITH (FORMAT csv)"
ok $? "generated documents load"
# numbers made by arithmetic, around the 15-digit edge of the integer path
q -c "INSERT INTO doc SELECT 30000 + g, jsonb_build_array(g, -g, g * 10007, round(10::numeric ^ (g % 19)),
        -round(10::numeric ^ (g % 19)), round(10::numeric ^ (g % 19)) - 1, 1 - round(10::numeric ^ (g % 19)),
        round(g / 7.0, g % 4), trunc(g * 1e10 / 3), g * 1e-3, '1e3'::numeric, '-0'::numeric, 0.0, -0.0)
      FROM generate_series(0, 2000) g"
q -c "CREATE FUNCTION jcs_ref(jsonb) RETURNS text AS '\$libdir/compmap', 'compmap_jcs_reference' LANGUAGE C STRICT"

bad=$(q -c "SELECT count(*) FROM doc WHERE compmap.jcs(j) IS DISTINCT FROM jcs_ref(j)")
[ "$bad" = 0 ]
ok $? "compmap.jcs equals the iterator-based reference for $(q -c 'SELECT count(*) FROM doc') documents ($bad differ)"
bad=$(q -c "SELECT count(*) FROM doc WHERE compmap.payload_digest(j) <> sha256(convert_to(jcs_ref(j), 'UTF8'))")
[ "$bad" = 0 ]
ok $? "payload_digest is the SHA-256 of the reference text ($bad differ)"

# A number outside the double range is refused by both paths alike.
e1=$(q -c "SELECT compmap.jcs('[1e400]')" 2>&1)
e2=$(q -c "SELECT jcs_ref('[1e400]')" 2>&1)
[ -n "$e1" ] && [ "$e1" = "$e2" ] && echo "$e1" | grep -q 'out of range for canonical JSON'
ok $? "out-of-range numbers give the same error"
exit 0
