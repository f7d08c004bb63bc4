"""Generated SARIF 2.1.0 runs for the comparison scripts: run() draws one run
that hits the mapping's edge cases (rule resolution, wrong types, CVE/CWE/URL
variants, artifacts, multibyte and long text).

Imported by the reference and the streaming comparison scripts, so that
both draw the same documents (fixed seed).
"""
import json, random

rnd = random.Random(20261207)
pick = rnd.choice

WEIRD = [42, 7.50, 1e2, 0, -3, True, False, None, [], {}, [1, 'x'], {'a': [1, None]}, '', ' ']
IDS = ['R1', 'R2', 'R3', 'js/xss', 'CVE-2021-44228', 'CWE-79', 'py/sql-injection', 'DS002', 'GHSA-xxxx', 7, '7', '']
CVE_TEXT = ['CVE-2021-44228', 'cve-2019-0001x', 'xCVE-2020-12345', '(CVE-2020-1234)', 'CVE-2020-123',
            'CVE-20201-1234', 'CVE-2021-1234CVE-2021-5678', 'foo,cve-2022-22965;CVE-2022-22965',
            '\u00e9CVE-2023-0001 and cVe-2023-0002', 'CVE-2021-123456789', 'Cve-1999-00001', 'CVE-2021-1234_',
            'CVE-2021-1234a', 'see CVE-2020-0001.', 'cve 2020 1234', 'CVE-2019-10000 CVE-2019-9999 CVE-2019-10000']
CWE_TEXT = ['CWE-79', 'cwe_079', 'external/cwe/cwe-020', 'CWE: 89', '79', '0079', 'CWE-0', 'CWE-1234567890',
            'CWE-000000000123', ' cwe-22 ', 'cwe-22\t', 'mycwe-5', 'cwe', 'xcwe//__ 7', 'CWE-79a', 'security',
            'Cwe-1000000000', 'cwe-999999999', 'CWE--:_/ 352', 'CWE 22 CWE-23', 'external/cwe/cwe-1004', '-1',
            'c\u00e9we-5', 'CWE-\u0660', 'CWE-79 ', 'CWE-7\u00e9', 'cWe-0000']
URL_TEXT = ['https://example.com/a', 'http://x.y/z?q=1#f', 'see https://a.b/c and http://d.e/f.',
            '<https://t.co/x>', '"https://q.example"', 'HTTPS://UPPER.example', 'https://', 'https:// x',
            'ftp://nope', 'https://ex.com/\u00e9t\u00e9', 'https://a.example/\u2003b', 'https://a.example/\u00a0c',
            'httphttps://x.y', 'https://dup.example https://dup.example', 'text https://z.example/1 https://a.example/2',
            'http:/x', 'https://a.example\nhttps://b.example', 'https://a.example\u3000https://b.example',
            'https://example.com/a', 'x>http://lt.example<y', 'https://t.example/\u20ac?x=\U0001f600']
URI_TEXT = ['src/a.c', 'https://host.example/path?x', 'HTTP://Host:8080#frag', 'http://', 'https://h?x',
            'file:///etc/passwd', '', '\u00fc/\u00df.c', 'hTtPs://mixed.example', 'https:///path', 'http://a#b',
            'httpsx://no', 'src/module1/file.c']
SEV = ['9.0', '7', '4.0', '0.1', '0', '0.0', ' 8.5 ', '10', '009', '1e1', 9.8, 'high', '', '-1', '3.', '.5',
       '7.5\n', 0, '00000000000000000000009.9', '6.99999', '3.9', '4', '00.00', '0.0001', 10.0, 1e1, ' ', 'NaN']
LEVELS = ['error', 'warning', 'note', 'none', 'Error', 3, None]
KINDS = ['fail', 'pass', 'notApplicable', 'review', 'open', 'informational', 5, None, 'Pass']


def text():
    k = rnd.randrange(14)
    if k == 0:
        return pick(CVE_TEXT)
    if k == 1:
        return pick(CWE_TEXT)
    if k == 2:
        return pick(URL_TEXT)
    if k == 3:     # long, multibyte
        return ''.join(pick(['a', ' ', '\u00e9', '\u20ac', '\U0001f600', 'x', '.', 'CVE-2021-1234 ']) for _ in range(rnd.choice([150, 160, 161, 199, 200, 201, 202, 300, 900])))
    if k == 4:     # exactly around the limits, multibyte
        c = pick(['b', '\u00e9', '\u4e2d'])
        return c * pick([159, 160, 161, 199, 200, 201])
    if k == 5:
        return pick(['  leading and trailing  ', '\n\n  first line\nsecond line', 'line one\r\nline two',
                     '\t\r\n', '   ', 'one\r', 'a\n', ' \u00a0x\u00a0 ', '\u3000wide\u3000', 'tab\tinside', '\nb'])
    if k == 6:
        return pick(WEIRD)
    if k == 7:
        return 'Finding %d: %s' % (rnd.randrange(100), pick(CVE_TEXT + CWE_TEXT))
    return pick(['SQL injection', 'Cross-site scripting', 'Hard-coded secret', 'Use of weak hash',
                 'Found a problem in ' + pick(URI_TEXT), 'x' * rnd.randrange(1, 30)])


def maybe(p, value):
    return value if rnd.random() < p else None


def obj(**fields):
    """An object with the fields that are not None (None means absent)."""
    return {k.replace('__', '-'): v for k, v in fields.items() if v is not None}


def wrong(value, p=0.08):
    return pick(WEIRD) if rnd.random() < p else value


def properties():
    if rnd.random() < 0.1:
        return pick(WEIRD)
    p = {}
    if rnd.random() < 0.5:
        p['security-severity'] = pick(SEV)
    if rnd.random() < 0.5:
        p['tags'] = wrong([wrong(pick(CWE_TEXT + CVE_TEXT + ['security', 'external/cwe/cwe-89', 'maintainability', 'CWE-79', 'cwe-79'])) for _ in range(rnd.randrange(5))])
    if rnd.random() < 0.3:
        p['references'] = wrong([wrong(pick(URL_TEXT)) for _ in range(rnd.randrange(4))])
    k = rnd.randrange(8)
    if k == 0:
        p[pick(['cvssv4_vector', 'cvssv3_vector', 'cvss_vector', 'cvssV3_vector'])] = wrong(pick(
            ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'junk']))
    elif k == 1:
        for m, vals in [('attackVector', ['NETWORK', 'LOCAL', '\u00e9x']), ('attackComplexity', ['LOW', 'HIGH']),
                        ('privilegesRequired', ['NONE', 'LOW']), ('userInteraction', ['NONE', 'REQUIRED']),
                        ('scope', ['UNCHANGED', 'CHANGED']), ('confidentialityImpact', ['HIGH', 'LOW', '']),
                        ('integrityImpact', ['HIGH', 'NONE']), ('availabilityImpact', ['HIGH', 'NONE'])]:
            if rnd.random() < 0.93:
                p['cvssv3_' + m] = wrong(pick(vals), 0.05)
        if rnd.random() < 0.5:
            p['cvssv3_version'] = wrong(pick(['3.0', '3.1']))
    return p


def rule(ids):
    if rnd.random() < 0.05:
        return pick(WEIRD)
    r = obj(id=wrong(pick(ids), 0.05) if rnd.random() < 0.95 else None,
            name=maybe(0.6, text()),
            shortDescription=maybe(0.6, wrong({'text': text()})),
            fullDescription=maybe(0.5, wrong({'text': text()})),
            helpUri=maybe(0.4, wrong(pick(URL_TEXT))),
            defaultConfiguration=maybe(0.5, wrong({'level': pick(LEVELS)})),
            properties=maybe(0.7, properties()),
            relationships=maybe(0.3, wrong([wrong({'target': wrong({'id': wrong(pick(CWE_TEXT)),
                                                                   'toolComponent': wrong({'name': pick(['CWE', 'cwe', 'Cwe', 'OWASP', 'cwe ', 'xcwe', 3])})})})
                                            for _ in range(rnd.randrange(4))])))
    return r


def location(nartifacts):
    if rnd.random() < 0.05:
        return pick(WEIRD)
    al = {}
    if rnd.random() < 0.8:
        al['uri'] = wrong(pick(URI_TEXT), 0.05)
    if rnd.random() < 0.4:
        al['index'] = pick([0, 1, 2, nartifacts, 99, -1, '1', 1.0, '01', None, True, 1234567890])
    phys = obj(artifactLocation=wrong(al, 0.05),
               region=maybe(0.7, wrong({'startLine': pick([1, 12, 0, '7', None, 3.5, 'x'])}, 0.05)))
    loc = obj(physicalLocation=maybe(0.85, wrong(phys, 0.05)))
    if rnd.random() < 0.25:
        ll = obj(fullyQualifiedName=maybe(0.7, wrong(pick(['pkg:npm/lodash@4.17.20', 'pkg:maven/a/b@1', 'PKG:npm/x', 'com.example.Foo.bar', 'pkg:']))),
                 name=maybe(0.5, pick(['bar', 'pkg:pypi/django@3.2', 3])))
        loc['logicalLocations'] = wrong([ll] + ([obj(name='second')] if rnd.random() < 0.2 else []), 0.05)
    return loc


def fingerprints():
    return pick([{}, {'primaryLocationLineHash': 'abc:1'}, {'a': None, 'n': {'x': None, 'y': 1}, 'l': [None, 1]},
                 None, 'str', [1, None], {'z': 'last', 'a': 'first'}, 5])


def result(rules_len, ext_lens, nartifacts, ids):
    if rnd.random() < 0.04:
        return pick(WEIRD)
    res = {}
    if rnd.random() < 0.7:
        res['ruleId'] = wrong(pick(ids + ['nosuchrule']), 0.05)
    k = rnd.randrange(6)
    if k == 0:
        res['ruleIndex'] = pick([0, 1, 2, rules_len - 1 if rules_len else 0, rules_len, 50, -1, '1', 1.5, True, '007', None, 1e0, '0000000001', 1234567890])
    elif k == 1 and ext_lens:
        ci = rnd.randrange(len(ext_lens) + 1)
        res['rule'] = obj(id=maybe(0.5, pick(ids)), index=pick([0, 1, 2, '1', -1, 9]),
                          toolComponent=wrong(obj(index=pick([ci, ci, '0', -1, 1.5, None, 99]), name='ext'), 0.05))
    elif k == 2:
        res['rule'] = wrong(obj(id=maybe(0.7, pick(ids)), index=maybe(0.3, pick([0, 1, '2']))), 0.1)
    if rnd.random() < 0.3:
        res['kind'] = pick(KINDS)
    if rnd.random() < 0.5:
        res['level'] = pick(LEVELS)
    m = rnd.randrange(10)
    if m < 7:
        res['message'] = obj(text=text())
    elif m == 7:
        res['message'] = obj(markdown=text())
    elif m == 8:
        res['message'] = wrong({'text': None, 'markdown': text()}, 0.3)
    if rnd.random() < 0.85:
        res['locations'] = wrong([location(nartifacts) for _ in range(rnd.choice([0, 1, 1, 1, 2]))], 0.05)
    if rnd.random() < 0.35:
        res['fingerprints'] = fingerprints()
    if rnd.random() < 0.35:
        res['partialFingerprints'] = fingerprints()
    if rnd.random() < 0.4:
        res['properties'] = properties()
    if rnd.random() < 0.2:
        res['taxa'] = wrong([wrong({'id': wrong(pick(CWE_TEXT)), 'toolComponent': wrong({'name': pick(['CWE', 'cwe', 'OWASP', 'CWE ', 3])})})
                             for _ in range(rnd.randrange(4))])
    return res


def run():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    ids = rnd.sample(IDS, rnd.randrange(3, len(IDS)))
    nrules = rnd.choice([0, 1, 3, 5, 8, 40])
    rules = [rule(ids) for _ in range(nrules)]
    exts = []
    if rnd.random() < 0.4:
        for _ in range(rnd.randrange(1, 4)):
            if rnd.random() < 0.1:
                exts.append(pick(WEIRD))
            else:
                exts.append(obj(name='ext', rules=wrong([rule(ids) for _ in range(rnd.randrange(5))], 0.1)))
    ext_lens = [len(e.get('rules', [])) if isinstance(e, dict) and isinstance(e.get('rules'), list) else 0 for e in exts]
    nart = rnd.choice([0, 2, 3])
    driver = obj(name=maybe(0.9, wrong(pick(['CodeQL', '  Semgrep  ', '', 'KICS', 'trivy', '\u00c9CLAIR', 'Gitleaks']), 0.1)),
                 rules=wrong(rules, 0.05))
    r = obj(tool=wrong(obj(driver=maybe(0.95, wrong(driver, 0.03)), extensions=maybe(0.9, wrong(exts, 0.05)) if exts else None), 0.02),
            results=wrong([result(nrules, ext_lens, nart, ids) for _ in range(rnd.randrange(0, 13))], 0.03))
    if nart:
        r['artifacts'] = wrong([wrong({'location': wrong({'uri': pick(URI_TEXT)})}) for _ in range(nart)], 0.05)
    v = rnd.randrange(10)
    if v == 0:
        r['versionControlProvenance'] = [{'repositoryUri': pick(['https://github.com/o/r', '', 5])}]
    elif v == 1:
        r['versionControlProvenance'] = pick([{'0': {'repositoryUri': 'https://git.example/x'}}, 'str', [], [None], [{'repositoryUri': None}]])
    return r
