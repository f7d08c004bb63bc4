"""OpenVAS / Greenbone XML reports for openvas_stream.sh: the two fixtures as
written, hand-written variants of the mapping's edge cases, and random
reports (fixed seed) whose results take their children in any order, leave
them out, and write their values with entities, character references,
CDATA, comments, nested elements, namespaces and multibyte text.

docs(scans) returns [(name, text)]; big(scans, n) returns one_vuln.xml
with its result n times over, on as many hosts.  Run as a script: writes the documents as
SQL (INSERT INTO doc (id, t)), or with --big N FILE the big report.
"""
import random
import re
import sys
import xml.etree.ElementTree as ET

rnd = random.Random(20261208)
pick = rnd.choice

# Pieces of text, as they are written inside an element.
TEXTS = ['plain', 'two words', '  padded  ', '\n  indented\n  lines\n', 'a &amp; b &lt;c&gt; &quot;q&quot; &apos;s&apos;',
         'caf&#233; &#x1F600; &#13;cr', '<![CDATA[raw <b> & ]]]>', 'be<!-- a comment -->fore', 'x<?pi data?>y',
         '\u65e5\u672c\u8a9e\u306e\u8aac\u660e', '\u00fc\u20ac\U0001d11e', '<b>bold</b> and <i>it<u>al</u></i>', '',
         '\t tab', 'http://a.example/x?y=1&amp;z=2 and https://b.example/', 'CVE-2021-44228, cve-2020-0001',
         'Long ' + 'text \u03a9 ' * 3000]
CVES = ['CVE-2021-44228', 'cve-2019-0001', 'CVE-2020-12345 CVE-2020-1234', 'x&amp;CVE-2018-0002', 'CVE-2017-<!-- c -->0003',
        '<![CDATA[CVE-2016-0004]]>', 'nope', '', ' CVE-2015-0005\n']
CWES = ['79', 'CWE-89', 'cwe_22', 'NVD-CWE-Other', '', ' 352 ', 'CWE-0']
URLS = ['https://a.example/adv', 'http://b.example/x?q=1&amp;r=2', 'not a url', 'https://a.example/adv',
        'https://c.example/&#233;t&#233;', '']
VECTORS = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:N',
           'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'AV:N/AC:L/Au:N/C:P/I:P/A:P',
           ' CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', 'CVSS:2.0/x', 'cvss:3.1/lower', 'CVSS:3.1/AV:N&amp;x']
TAG_PARTS = ['summary=The host is vulnerable.', 'summary=multi\nline summary', 'solution=Upgrade to 1.2.',
             'solution=', 'insight=Details here.', 'cvss_base_vector=AV:N/AC:L/Au:N/C:N/I:N/A:P',
             'cvss_base_vector=CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'cvss_base_vector=CVSS:4.0/AV:N',
             'cvss_base_vector=CVSS:3.2/AV:N', 'xsummary=not this', 'solution_type=VendorFix', 'impact=\u00dcbel',
             'summary=first &amp; only']
THREATS = ['High', 'Medium', 'Low', 'Log', 'False Positive', '', ' High ']
SEVERITIES = ['10.0', '9.0', '8.9', '7.0', '5.0', '4.0', '3.9', '0.1', '0.0', '0', '-99.0', ' 5.5 ', '5.', 'abc', '', '011.0', '4.00']
HOSTS = ['10.0.0.1', '  10.0.0.2  <asset asset_id="a"/><hostname>h</hostname>', '<asset/>10.0.0.3',
         '\n  <asset/>10.0.0.4', '10.0<!-- c -->.0.5', '<![CDATA[ 10.0.0.6 ]]>', 'host\u00e9.example', '',
         '10.0.0.7\n\t next', '&#49;0.0.0.8']
PORTS = ['general/tcp', '443/tcp', ' 80 / tcp ', 'general<b>/</b>icmp', '', '<![CDATA[22/tcp]]>', 'package']


def maybe(p=0.5):
    return rnd.random() < p


def el(name, content, attrs=''):
    return '<%s%s>%s</%s>' % (name, attrs, content, name)


def tags():
    parts = rnd.sample(TAG_PARTS, rnd.randint(0, 5))
    s = '|'.join(parts)
    return s if not maybe(0.1) else '|' + s


def severities():
    out = []
    for _ in range(rnd.randint(0, 3)):
        vals = []
        for _ in range(rnd.randint(0, 2)):
            v = pick(VECTORS + ['5.0', '', '<![CDATA[%s]]>' % VECTORS[0], 'CVSS:<!-- c -->3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N',
                                '<b>CVSS:3.1</b>/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L'])
            vals.append(el('value', v))
        body = ''.join(vals)
        if maybe(0.3):
            body = el('origin', 'nvd') + body + el('date', '2023-01-01')
        out.append(el('severity', body, ' type="%s"' % pick(['cvss_base_v3', 'cvss_base_v2', 'cvss_base_v4'])))
    return el('severities', ''.join(out)) if out or maybe() else ''


def refs():
    out = []
    for _ in range(rnd.randint(0, 6)):
        t = pick(['cve', 'cwe', 'url', 'cert-bund', 'CVE', 'cve ', None])
        i = pick(CVES[:5] if t in ('cve', 'CVE', 'cve ') else CWES if t == 'cwe' else URLS)
        i = i.replace('<!-- c -->', '').replace('&amp;', '&amp;')
        a = (' type="%s"' % t if t is not None else '') + (' id="%s"' % i if maybe(0.9) else '')
        out.append('<ref%s/>' % a)
    return el('refs', ''.join(out))


def nvt():
    kids = []
    if maybe(0.9):
        kids.append(el('name', pick(TEXTS[:12])))
    if maybe(0.9):
        kids.append(el('tags', tags()))
    if maybe(0.7):
        kids.append(severities())
    if maybe(0.8):
        kids.append(refs())
    for _ in range(rnd.randint(0, 2)):
        kids.append(el('cve', pick(CVES)))
    for _ in range(rnd.randint(0, 2)):
        kids.append(el('xref', pick(URLS + ['URL:https://x.example/xref'])))
    kids += [el('family', 'General'), el('cvss_base', '5.0'), el('type', 'nvt')]
    rnd.shuffle(kids)
    oid = ' oid="1.3.6.1.4.1.25623.1.0.%d"' % rnd.randint(1, 99999) if maybe(0.9) else pick(['', ' oid=""'])
    return el('nvt', ''.join(kids), oid)


def result():
    kids = []
    if maybe(0.9):
        kids.append(el('name', pick(TEXTS)))
    if maybe(0.9):
        kids.append(el('host', pick(HOSTS)))
    if maybe(0.2):
        kids.append(el('host', pick(HOSTS)))
    if maybe(0.9):
        kids.append(el('port', pick(PORTS)))
    if maybe(0.1):
        kids.append(el('port', pick(PORTS)))
    if maybe(0.9):
        kids.append(nvt())
    if maybe(0.8):
        kids.append(el('threat', pick(THREATS)))
    if maybe(0.8):
        kids.append(el('severity', pick(SEVERITIES)))
    if maybe(0.8):
        kids.append(el('description', pick(TEXTS)))
    if maybe(0.2):
        kids.append(el('detection', '<result id="d"><details><detail><name>product</name><value>cpe:/a:x</value></detail></details></result>'))
    kids += [el('owner', el('name', 'gps')), el('qod', el('value', '97')), el('original_threat', 'High')]
    rnd.shuffle(kids)
    return el('result', ''.join(kids), ' id="%d"' % rnd.randint(1, 10 ** 6))


def report(n):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<report id="r"><name>random</name><report id="i"><results start="1">\n'
            + '\n'.join(result() for _ in range(n)) + '\n</results><result_count>%d</result_count></report></report>\n' % n)


def wrap(results, head='<?xml version="1.0"?>\n', around=('<report><report>', '</report></report>')):
    return head + around[0] + '<results>' + results + '</results>' + around[1] + '\n'


R = '<result><name>%s</name><host>10.0.0.1</host><port>general/tcp</port><nvt oid="1.2.3"><name>n</name><tags>summary=s|solution=u</tags></nvt><threat>High</threat><severity>7.5</severity><description>d</description></result>'


def docs(scans):
    one = open(scans + '/openvas/one_vuln.xml', encoding='utf-8').read()
    none = open(scans + '/openvas/no_vuln.xml', encoding='utf-8').read()
    out = [('one_vuln', one), ('no_vuln', none)]
    m = re.search(r'(?s)(<result id=.*</result>)\s*</results>', one)
    res = m.group(1)
    out.append(('one_vuln_x3', one[:m.start(1)] + res * 3 + one[m.end(1):]))
    # a second results element, elsewhere in the report
    out.append(('two_results', one.replace('<errors/>', '<errors/><results>' + res.replace('10.0.101.2', '10.0.101.9') + '</results>')))

    # children of every result and nvt reversed; then elements and attributes left out
    root = ET.fromstring(one.encode('utf-8'))
    for e in list(root.iter('result')) + list(root.iter('nvt')) + list(root.iter('refs')):
        kids = list(e)
        for k in kids:
            e.remove(k)
        for k in reversed(kids):
            e.append(k)
    out.append(('one_vuln_reversed', ET.tostring(root, encoding='unicode')))
    for i, tag in enumerate(['name', 'host', 'port', 'threat', 'severity', 'description', 'nvt']):
        root = ET.fromstring(one.encode('utf-8'))
        for r in root.iter('result'):
            for e in r.findall(tag):
                r.remove(e)
        out.append(('one_vuln_no_' + tag, ET.tostring(root, encoding='unicode')))
    for tag in ['name', 'tags', 'refs']:
        root = ET.fromstring(one.encode('utf-8'))
        for n in root.iter('nvt'):
            for e in n.findall(tag):
                n.remove(e)
            n.attrib.pop('oid', None)
        out.append(('one_vuln_no_nvt_' + tag, ET.tostring(root, encoding='unicode')))

    for i in range(40):
        out.append(('random_%d' % i, report(rnd.randint(0, 25))))

    # hand-written edge cases
    out.append(('empty_result', wrap('<result/><result></result><result>\n</result>')))
    out.append(('results_root', '<results>' + R % 'at the root' + '</results>'))
    out.append(('get_reports_response', '<get_reports_response status="200"><report><report><results>' + R % 'gmp'
                + '</results></report></report></get_reports_response>'))
    out.append(('not_under_results', '<report><result><name>no: parent report</name></result><report><results>' + R % 'counted'
                + '<other><result><name>no: parent other</name></result></other></results></report></report>'))
    out.append(('nested_results', wrap('<result><name>outer</name><description>before <results>' + R % 'inner'
                                       + '</results> after</description><nvt oid="9"/></result>' + R % 'next')))
    out.append(('nested_results_2', wrap('<result><name>outer</name><x><results><result><name>inner1</name></result>'
                                         '<result><name>inner2</name><results><result><name>innermost</name></result></results></result></results></x>'
                                         '<threat>Low</threat></result>' + R % 'after')))
    out.append(('namespaces', wrap('<x:result xmlns:x="urn:x"><x:name>prefixed</x:name></x:result>'
                                   '<result xmlns="urn:d"><name>default ns</name></result>'
                                   '<result xmlns:y="urn:y"><y:name>ns name</y:name><name>plain</name><y:host>1.1.1.1</y:host>'
                                   '<nvt y:oid="ns-oid" oid="plain-oid"><y:tags>summary=ns</y:tags><refs><ref y:type="cve" id="CVE-2020-0001"/>'
                                   '<ref type="cve" y:id="CVE-2020-0002"/><y:ref type="cve" id="CVE-2020-0003"/><ref type="cve" id="CVE-2020-0004"/></refs></nvt></result>'
                                   ).replace('<results>', '<results xmlns:z="urn:z">')))
    out.append(('namespace_default_reset', '<report xmlns="urn:r"><results xmlns=""><result><name>reset</name>'
                '<nvt oid="1"><name>n</name></nvt></result></results><results><result><name>in urn:r</name></result></results></report>'))
    out.append(('prefix_from_outside', '<report xmlns:p="urn:p"><results><result><name>outside prefix</name><p:extra>x</p:extra>'
                '<nvt oid="1"><refs><ref type="cve" id="CVE-2022-0001" p:note="n"/></refs></nvt></result></results></report>'))
    out.append(('hosts', wrap(''.join('<result><name>h%d</name>%s</result>' % (i, h) for i, h in enumerate([
        '<host><asset/></host><host>1.2.3.4</host>', '<host></host><host>5.6.7.8</host>', '<host/><host> 9.9.9.9 </host>',
        '<host><![CDATA[a]]>b</host>', '<host>a<![CDATA[b]]></host>', '<host>\n</host>', '<host>&#x20;x&#x9;y&#xA;z </host>',
        '<host><b>bold</b>after</host>', '<host>&amp;amp</host>', '<host>\u00a0nbsp\u00a0</host>', '<host>\u3000ideo\u3000</host>',
        '<port>1</port><port>2</port>', '<port>\n  a \n b\t</port>', '<port/>', '<port>\u00a0</port>'])))))
    out.append(('severities', wrap(''.join('<result><name>s%d</name><nvt oid="%d"><severities>%s</severities><tags>%s</tags></nvt></result>' % (i, i, s, t) for i, (s, t) in enumerate([
        ('<severity><value>5.0</value></severity><severity><value>CVSS:3.1/AV:N</value></severity>', ''),
        ('<severity><value>x</value><value>CVSS:3.1/second</value></severity>', 'cvss_base_vector=CVSS:3.0/from-tags'),
        ('<severity><value>CVSS:3.1/<![CDATA[cdata]]></value></severity>', ''),
        ('<severity><value><![CDATA[CVSS:3.1/all-cdata&]]></value></severity>', ''),
        ('<severity><value>CVSS:<b>3.1</b>/el</value></severity>', 'cvss_base_vector=CVSS:3.1/tags|x'),
        ('<severity><value><b>CVSS:3.1/only-in-b</b></value><value>CVSS:tail</value></severity>', ''),
        ('<severity><value>CVSS:3.1/a&amp;b&lt;c&#13;</value></severity>', ''),
        ('<severity><value></value><value>CVSS:3.1/x</value></severity>', 'cvss_base_vector=CVSS:4.0/t'),
        ('', 'a=1|cvss_base_vector=AV:N|cvss_base_vector=CVSS:3.1/AV:L|x'),
        ('', 'cvss_base_vector=CVSS:3.1/'),
        ('', 'summary=s1|summary=s2|solution=a|solution=b'),
        ('', 'solution=at start|summary=later'),
        ('', '|summary=after bar|'),
        ('<severity><value>\n CVSS:3.1/lead</value></severity>', ''),
        ('<severity/><severity><value/></severity>', '')])))))
    out.append(('refs', wrap(''.join('<result><name>f%d</name><nvt oid="%d">%s</nvt></result>' % (i, i, s) for i, s in enumerate([
        '<refs><ref type="cve" id="CVE-2021-0001"/><ref type="url" id="https://u.example/1"/><ref type="cwe" id="CWE-79"/>'
        '<ref type="cwe" id="89"/><ref type="url" id="https://u.example/1 https://u.example/2"/></refs>'
        '<cve>CVE-2021-0002, CVE-2021-0003</cve><cve>NOCVE</cve><xref>URL:https://x.example/1</xref><xref><![CDATA[https://x.example/<2>]]></xref>',
        '<refs><ref type="cve" id="CVE-2021-0001&amp;x"/><ref type="url" id="https://a.example/?a=1&amp;b=&lt;2&gt;"/></refs><refs><ref type="cve" id="CVE-2021-0009"/></refs>',
        '<cve>CVE-2020-<b>0001</b></cve><cve><![CDATA[CVE-2020-0002]]>CVE-2020-0003</cve><xref>https://a.example/x<!-- c -->y</xref>',
        '<refs><ref type="cve"/><ref id="CVE-2019-0001"/><ref type="cve" id=""/></refs>',
        '<cve>\n</cve><xref>  </xref>'])))))
    out.append(('multibyte_long', wrap(R % ('\u00dcberl\u00e4nge ' + '\u00fc\u20ac\U0001d11e' * 150) + R % ('\u65e5\u672c\u8a9e\n2nd line')
                                       + '<result><name>  \n  </name><nvt oid=""><name>nvt name wins</name></nvt><description>'
                                       + 'long \u03a9 text ' * 30000 + '</description></result>'
                                       + '<result><nvt><name>\n\n</name></nvt></result>')))
    out.append(('comments_pis', wrap('<result><!-- c --><name>n<!-- c -->m</name><?pi x?><host><!-- c -->1.1.1.1</host>'
                                     '<threat><!-- only a comment --></threat><severity>7<!-- c -->.5</severity></result>')))
    out.append(('internal_entity_outside', '<?xml version="1.0"?>\n<!DOCTYPE report [ <!ENTITY co "Example &amp; Co"> ]>\n'
                '<report><name>&co;</name><results>' + R % 'fine' + '</results></report>'))
    out.append(('cdata_whitespace_only', wrap('<result><name><![CDATA[   ]]></name><host><![CDATA[]]></host><description><![CDATA[ x ]]></description></result>')))
    # refused alike
    dtd = '<?xml version="1.0"?>\n<!DOCTYPE report [ <!ENTITY co "Example &amp; Co"> ]>\n'
    out.append(('entity_in_result', dtd + '<report><results>' + R % 'ok first' + R % 'a &co; b' + '</results></report>'))
    out.append(('entity_in_attribute', dtd + '<report><results><result><name>n</name><nvt oid="&co;"/></result></results></report>'))
    out.append(('entity_in_nested_attribute', dtd + '<report><results><result><name>n</name><nvt><refs><ref type="cve" id="x&co;"/></refs></nvt></result></results></report>'))
    out.append(('duplicate_name', wrap(R % 'ok first' + '<result><name>a</name><name>b</name></result>')))
    out.append(('duplicate_oid', wrap('<result><nvt oid="1"/><nvt oid="2"/></result>')))
    out.append(('duplicate_nvt_name', wrap('<result><nvt><name>a</name></nvt><nvt><name>b</name></nvt></result>')))
    out.append(('duplicate_then_entity', dtd + '<report><results><result><name>&co;</name><threat>a</threat><threat>b</threat></result></results></report>'))
    out.append(('entity_then_duplicate', dtd + '<report><results><result><name>&co;</name></result><result><threat>a</threat><threat>b</threat></result></results></report>'))
    out.append(('nested_error_order', wrap('<result><name>outer</name><x><results><result><name>i</name><name>j</name></result></results></x>'
                                           '<description>a</description><description>b</description></result>')))
    return out


def big(scans, n):
    """one_vuln.xml with its result n times over, each on another host and
    with another NVT (about 3.5 kB a result)"""
    one = open(scans + '/openvas/one_vuln.xml', encoding='utf-8').read()
    m = re.search(r'(?s)(<result id=.*</result>)\s*</results>', one)
    res = m.group(1).replace('10.0.101.2', '%s').replace('1.0.832260', '1.0.%d')
    assert res.count('%') == 2
    return (one[:m.start(1)]
            + ''.join(res % ('10.%d.%d.%d' % (i >> 16 & 255, i >> 8 & 255, i & 255), 800000 + i % 5000) for i in range(n))
            + one[m.end(1):])


if __name__ == '__main__':
    scans = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == '--big':
        with open(sys.argv[4], 'w', encoding='utf-8') as f:
            f.write(big(scans, int(sys.argv[3])))
        sys.exit(0)
    for name, text in docs(scans):
        tag = '$openvas_doc$'
        assert tag not in text
        sys.stdout.write("INSERT INTO doc (id, t) VALUES ('%s', %s%s%s);\n" % (name, tag, text, tag))
