"""Generated OWASP ZAP JSON reports and Nuclei result objects for
zap_nuclei_stream.sh: zap() draws one report, nuclei() one line object,
each hitting the mappings' edge cases (members missing, null or of the
wrong type, multibyte and long text, HTML in descriptions, the old field
names); big_zap() and big_nuclei() write the large documents of the memory
check.  The text lists come from trivy_grype_gen.py; this module draws with
a random generator of its own (fixed seed), so its documents stay fixed.
"""
import json, random

from trivy_grype_gen import CVE_TEXT, CWE_TEXT, URL_TEXT, VEC, WEIRD

rnd = random.Random(20261210)
pick = rnd.choice


def text():
    k = rnd.randrange(12)
    if k == 0:
        return pick(CVE_TEXT)
    if k == 1:
        return pick(URL_TEXT)
    if k == 2:     # long, multibyte
        return ''.join(pick(['a', ' ', '\u00e9', '\u20ac', '\U0001f600', 'x', '.']) for _ in range(pick([150, 199, 200, 201, 300])))
    if k == 3:     # around the title's limit, multibyte
        return pick(['b', '\u00e9', '\u4e2d']) * pick([199, 200, 201])
    if k == 4:
        return pick(['  leading and trailing  ', '\n\n  first line\nsecond line', 'line one\r\nline two',
                     '\t\r\n', '   ', 'one\r', 'a\n', ' \u00a0x\u00a0 ', '\u3000wide\u3000', '\nb'])
    if k == 5:
        return pick(WEIRD)
    return pick(['Missing header', 'SQL Injection', 'Log4j RCE', 'x' * rnd.randrange(1, 30), ''])


HTML = ['<p>Content Security Policy (CSP) is an added layer.</p>', '<p>one</p><p>two</p>', '<p>a</p>  \n <p>b</p>',
        '<p>&lt;script&gt; &amp;amp; &quot;q&quot; &#39;s&#39;</p>', 'no tags at all', '<p></p>', '<br/>',
        '<p>\u00e9t\u00e9 \u20ac</p>\n', '  <b>bold</b> <a href="https://x.example/a">link</a>  ', '<p>unclosed',
        'a < b > c', '<P>upper</P><p>x</p>', '</p>\u00a0<p>', '', ' ', '&lt;p&gt;', '<p>\r\n</p><p>\t</p>']
REFS = ['<p>https://owasp.org/www-community/attacks/xss/</p><p>https://cwe.mitre.org/data/definitions/79.html</p>',
        'https://a.example/1\nhttps://a.example/1', '', 'none', '<p>http://x.example/"q"</p>']


def maybe(p, value):
    return value if rnd.random() < p else None


def obj(**fields):
    return {k: v for k, v in fields.items() if v is not None}


def wrong(value, p=0.06):
    return pick(WEIRD) if rnd.random() < p else value


def tarr(items):
    """An array, or sometimes something else where an array is expected."""
    return wrong(items, 0.1)


def instance():
    return wrong(obj(uri=maybe(0.9, wrong(pick(['http://www.itsecgames.com', 'http://x.example/a?b=1', '', '\u00e9/x']))),
                     method=maybe(0.8, 'GET'), param=maybe(0.5, ''), evidence=maybe(0.5, pick(['', 'Set-Cookie: a=b']))), 0.05)


def alert():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    pid = maybe(0.9, wrong(pick(['10038', '10020', '40012', '', '0'])))
    a = obj(pluginid=pid, alertRef=maybe(0.6, wrong(pick(['10038-1', '10020-2', '', pid]))),
            alert=maybe(0.7, text()), name=maybe(0.8, text()),
            riskcode=maybe(0.9, wrong(pick(['0', '1', '2', '3', '4', '', ' 2', 2, '02']))),
            confidence=maybe(0.5, '2'),
            riskdesc=maybe(0.8, wrong(pick(['Medium (High)', 'High (Medium)', 'Informational (Low)', 'Low', '', ' x', 'Hoch (Mittel)']))),
            desc=maybe(0.8, wrong(pick(HTML))), solution=maybe(0.7, wrong(pick(HTML))),
            otherinfo=maybe(0.3, pick(HTML)), reference=maybe(0.6, wrong(pick(REFS + URL_TEXT))),
            cweid=maybe(0.8, wrong(pick(CWE_TEXT + ['693', '-1', '79']))), wascid=maybe(0.5, '15'),
            sourceid=maybe(0.3, '3'),
            count=maybe(0.6, wrong(pick(['1', '3', '', '10']))))
    if rnd.random() < 0.8:
        a['instances'] = tarr([instance() for _ in range(pick([0, 1, 2, 3, 7]))])
    return a


def site():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    s = obj(**{'@name': maybe(0.9, wrong(pick(['http://www.itsecgames.com', 'https://x.example:8443', '', '\u00e9.example']))),
               '@host': maybe(0.7, 'www.itsecgames.com'), '@port': maybe(0.7, '80'), '@ssl': maybe(0.7, 'false')})
    if rnd.random() < 0.93:
        s['alerts'] = tarr([alert() for _ in range(pick([0, 1, 2, 3, 6]))])
    return s


def zap():
    d = obj(**{'@programName': maybe(0.8, 'ZAP'), '@version': maybe(0.9, pick(['2.14.0', '2.9.0', 'D-2024-04-07', 2.14])),
               '@generated': maybe(0.5, 'Sun, 7 Apr 2024 01:18:39')})
    d['site'] = tarr([site() for _ in range(pick([0, 1, 1, 2, 3]))])
    if rnd.random() < 0.03:
        del d['site']
    return d



def classification():
    return wrong(obj(**{'cve-id': maybe(0.6, tarr([pick(CVE_TEXT) for _ in range(rnd.randrange(3))])),
                        'cwe-id': maybe(0.6, tarr([pick(CWE_TEXT) for _ in range(rnd.randrange(3))])),
                        'cvss-metrics': maybe(0.5, wrong(pick(VEC))), 'cvss-score': maybe(0.4, 10),
                        'epss-score': maybe(0.2, 0.97)}), 0.05)


def nuclei():
    """One line object of nuclei -jsonl (v2 and v3 names, and the old ones)."""
    tid = wrong(pick(['CVE-2021-44228', 'cve-2021-41773', 'tomcat-exposed-docs', 'nginx-version', 'cvE-x', 'xcve-1', '',
                      'tech-detect', '\u00e9-template']))
    info = obj(name=maybe(0.85, text()), author=maybe(0.6, pick([['pdteam'], 'iamthefrogy', None])),
               tags=maybe(0.5, pick([['cve', 'rce'], 'network,openssh'])),
               severity=maybe(0.9, wrong(pick(['critical', 'high', 'medium', 'low', 'info', 'unknown', '']))),
               description=maybe(0.6, text()),
               reference=maybe(0.6, wrong(pick([[pick(URL_TEXT) for _ in range(rnd.randrange(4))], pick(URL_TEXT),
                                                 '- http://seclists.org/a\n- https://b.example/c\n', None]))),
               classification=maybe(0.5, classification()), metadata=maybe(0.3, {'shodan-query': 'title:"x"'}))
    d = {}
    k = rnd.randrange(10)
    key = 'template-id' if k < 6 else 'templateID' if k < 8 else 'template'
    d[key] = tid
    if rnd.random() < 0.1:      # several of the names: template-id wins
        d[pick(['templateID', 'template', 'template-id'])] = pick(['other-id', None, 5])
    if rnd.random() < 0.05:
        d[key] = None
    d['info'] = wrong(info, 0.04)
    m = maybe(0.5, wrong(pick(['word-1', 'status-2', '', 'x\u00e9'])))
    if m is not None:
        d[pick(['matcher-name', 'matcher-name', 'matcher_name'])] = m
    d['type'] = maybe(0.9, wrong(pick(['http', 'network', 'dns', ''])))
    d['host'] = maybe(0.9, wrong(pick(['http://bodgeit.example:8080', 'https://nuclei-example.com', '', '10.0.0.1:22'])))
    at = maybe(0.85, wrong(pick(['http://bodgeit.example:8080/docs/', 'nuclei-example.com:22', '', '\u00e9/x'])))
    if at is not None:
        d[pick(['matched-at', 'matched-at', 'matched'])] = at
    d['extracted-results'] = maybe(0.3, ['Version 8.5.28,'])
    d['ip'] = maybe(0.5, '10.96.163.66')
    d['timestamp'] = '2022-10-27T13:54:59.4860876Z'
    d['curl-command'] = maybe(0.3, "curl -X 'GET' -H 'Accept: */*'")
    d['matcher-status'] = maybe(0.3, True)
    return {k: v for k, v in d.items() if v is not None or rnd.random() < 0.2}


def big_nuclei(path, target_bytes):
    """JSON lines of nuclei-like results until target_bytes; the count."""
    n = 0
    size = 0
    with open(path, 'w', encoding='utf-8') as f:
        while size < target_bytes:
            line = json.dumps({'template-id': 'CVE-2021-%05d' % (n % 50000), 'template-path': '/root/nuclei-templates/cves/x.yaml',
                               'info': {'name': 'Finding %d \u00e9' % n, 'author': ['pdteam'], 'tags': ['cve', 'rce'],
                                        'description': 'Description of finding %d, ' % n + 'x' * 200,
                                        'reference': ['https://example.com/%d' % n, 'https://nvd.nist.gov/vuln/detail/CVE-2021-%05d' % (n % 50000)],
                                        'severity': pick(['critical', 'high', 'medium', 'low', 'info']),
                                        'classification': {'cve-id': ['cve-2021-%05d' % (n % 50000)], 'cwe-id': ['cwe-%d' % (20 + n % 50)],
                                                           'cvss-metrics': 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'}},
                               'matcher-name': 'word-%d' % (n % 3), 'type': 'http', 'host': 'http://host%d.example:8080' % (n % 300),
                               'matched-at': 'http://host%d.example:8080/path/%d' % (n % 300, n), 'ip': '10.0.%d.%d' % (n % 250, n % 200),
                               'timestamp': '2022-10-27T13:54:59.4860876Z',
                               'curl-command': "curl -X 'GET' -H 'Accept: */*' 'http://host%d.example:8080/path/%d'" % (n % 300, n),
                               'request': 'GET /path/%d HTTP/1.1\r\nHost: host%d.example\r\n\r\n' % (n, n % 300),
                               'response': 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n' + 'r' * 300}) + '\n'
            f.write(line)
            size += len(line.encode('utf-8'))
            n += 1
    return n


def big_zap(path, target_bytes):
    """A ZAP JSON report of many sites, alerts and instances until
    target_bytes; the number of alerts."""
    n = 0
    size = 0
    with open(path, 'w', encoding='utf-8') as f:
        head = '{"@programName": "ZAP", "@version": "2.14.0", "@generated": "Sun, 7 Apr 2024 01:18:39", "site": ['
        f.write(head)
        size += len(head)
        s = 0
        while size < target_bytes:
            alerts = []
            for _ in range(200):
                alerts.append({'pluginid': str(10000 + n % 900), 'alertRef': '%d-%d' % (10000 + n % 900, n % 3),
                               'alert': 'Alert %d' % n, 'name': 'Alert %d \u00e9' % n, 'riskcode': str(n % 4), 'confidence': '2',
                               'riskdesc': 'Medium (High)', 'desc': '<p>Description of alert %d.</p><p>%s</p>' % (n, 'd' * 300),
                               'instances': [{'uri': 'http://site%d.example/p/%d/%d' % (s, n, i), 'method': 'GET', 'param': '',
                                              'attack': '', 'evidence': 'Set-Cookie: x=%d' % i, 'otherinfo': ''} for i in range(5)],
                               'count': '5', 'solution': '<p>Fix %d.</p>' % n, 'otherinfo': '',
                               'reference': '<p>https://owasp.org/%d</p><p>https://cwe.mitre.org/data/definitions/%d.html</p>' % (n, 20 + n % 50),
                               'cweid': str(20 + n % 50), 'wascid': '15', 'sourceid': '3'})
                n += 1
            site_text = ('' if s == 0 else ', ') + json.dumps({'@name': 'http://site%d.example' % s, '@host': 'site%d.example' % s,
                                                               '@port': '80', '@ssl': 'false', 'alerts': alerts})
            f.write(site_text)
            size += len(site_text.encode('utf-8'))
            s += 1
        f.write(']}')
    return n
