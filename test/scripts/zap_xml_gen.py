"""OWASP ZAP traditional XML reports for zap_xml_stream.sh: the two fixtures
as written, hand-written variants of the mapping's edge cases, and random
reports (fixed seed) whose alertitems take their children in any order,
leave them out, and write their values with entities (predefined, and of
the report's DTD), character references, CDATA, comments, nested elements,
namespaces and multibyte text.

docs(scans) returns [(name, text)]; big(scans, n) returns
zap-xml-plus-format.xml with its alertitem n times over, on n / 20 sites.
Run as a script: writes the documents as SQL (INSERT INTO doc (id, t)), or
with --big N FILE the big report.
"""
import random
import re
import sys
import xml.etree.ElementTree as ET

rnd = random.Random(20261209)
pick = rnd.choice

DTD = '<?xml version="1.0"?>\n<!DOCTYPE OWASPZAPReport [ <!ENTITY co "Example &amp; Co"> <!ENTITY m "<b>marked</b> up"> <!ENTITY n "n &co; n"> ]>\n'

TEXTS = ['plain', '  padded  ', '\n  lines\n  two\n', 'a &amp; b &lt;c&gt; &quot;q&quot; &apos;s&apos;', 'caf&#233; &#x1F600; &#13;cr',
         '<![CDATA[raw <b> & ]]]>', 'be<!-- a comment -->fore', 'x<?pi data?>y', '\u65e5\u672c\u8a9e', '\u00fc\u20ac\U0001d11e',
         '<b>bold</b> and <i>it</i>', '', 'entity &co; here', 'markup &m; entity', 'nested &n;', '\t tab',
         '&lt;p&gt;para one&lt;/p&gt;\n&lt;p&gt;para two&lt;/p&gt;', '&lt;p&gt;a&lt;/p&gt; &#160; &lt;p&gt;b&lt;/p&gt;',
         '&lt;p&gt;x &amp;amp; y &amp;quot;z&amp;quot; &amp;#39;w&amp;#39; &amp;lt;t&amp;gt;&lt;/p&gt;',
         '<![CDATA[<p>in cdata</p><p>next</p>]]>', 'Long ' + 'text \u03a9 ' * 3000]
REFS = ['https://owasp.org/a\nhttp://b.example/x?q=1&amp;r=2', '&lt;p&gt;https://c.example/p&lt;/p&gt;', 'none', '',
        'https://a.example/ https://a.example/', 'https://caf\u00e9.example/\u00e9']
RISK = ['0', '1', '2', '3', '4', '', ' 1', 'x']
RISKDESC = ['High (Medium)', 'Informational (Low)', 'Low', '', ' Medium (High)', 'Medium\u00a0(x)']
CWES = ['79', '-1', '0', 'CWE-89', '', ' 352 ', 'x']
URIS = ['https://site.example/a', '  https://site.example/b?x=1&amp;y=2  ', '', '\n', 'https://site.example/<!-- c -->c',
        '<![CDATA[https://site.example/d]]>', 'https://site.example/\u00e9', 'https://site.example/&co;']


def maybe(p=0.5):
    return rnd.random() < p


def el(name, content, attrs=''):
    return '<%s%s>%s</%s>' % (name, attrs, content, name)


def instances():
    out = []
    for _ in range(rnd.randint(0, 3)):
        kids = [el('method', 'GET'), el('param', pick(['', 'q'])), el('evidence', pick(TEXTS[:8]))]
        if maybe(0.8):
            kids.insert(rnd.randint(0, len(kids)), el('uri', pick(URIS)))
        if maybe(0.2):
            kids.append(el('requestheader', 'GET / HTTP/1.1\nHost: x\n') + el('responsebody', '&lt;html&gt;' + 'body ' * 200))
        out.append(el('instance', ''.join(kids)))
    return el('instances', ''.join(out))


def alertitem():
    kids = []
    for tag, pool, p in (('pluginid', ['10011', '90028', '', '1&#48;'], 0.9), ('alertRef', ['10011-1', '', '90028'], 0.5),
                         ('alert', TEXTS, 0.8), ('name', TEXTS, 0.7), ('riskcode', RISK, 0.9), ('confidence', ['2'], 0.5),
                         ('riskdesc', RISKDESC, 0.8), ('desc', TEXTS, 0.8), ('solution', TEXTS, 0.8),
                         ('otherinfo', TEXTS, 0.3), ('reference', REFS, 0.7), ('cweid', CWES, 0.8), ('wascid', ['13'], 0.5),
                         ('sourceid', ['3'], 0.5), ('count', ['1', '3', '', ' 2 '], 0.7)):
        if maybe(p):
            kids.append(el(tag, pick(pool)))
    if maybe(0.8):
        kids.append(instances())
    if maybe(0.15):
        kids.append(el('uri', pick(URIS)))
    rnd.shuffle(kids)
    return el('alertitem', ''.join(kids))


def report(nsites, head='<?xml version="1.0"?>\n'):
    sites = []
    for s in range(nsites):
        name = pick(['https://site%d.example' % s, 'http://h:8080', '', 'https://caf\u00e9.example', 'x &amp; y', 'with &co;'])
        attrs = '' if maybe(0.1) else ' name="%s"' % name
        alerts = ''.join(alertitem() for _ in range(rnd.randint(0, 8)))
        sites.append(el('site', el('alerts', alerts) if maybe(0.95) else '', attrs + ' host="h" port="443" ssl="true"'))
    return head + el('OWASPZAPReport', '\n'.join(sites), ' version="2.11.1" generated="now"') + '\n'


A = '<alertitem><pluginid>%s</pluginid><alert>a</alert><riskcode>1</riskcode><desc>d</desc><instances><instance><uri>https://u.example</uri></instance></instances></alertitem>'


def wrap(body, head='<?xml version="1.0"?>\n', site=' name="https://s.example"'):
    return head + '<OWASPZAPReport version="2.9.0"><site%s><alerts>%s</alerts></site></OWASPZAPReport>\n' % (site, body)


def docs(scans):
    plain = open(scans + '/zap/some_2.9.0.xml', encoding='utf-8').read()
    plus = open(scans + '/zap/zap-xml-plus-format.xml', encoding='utf-8').read()
    out = [('some_2.9.0', plain), ('xml_plus', plus)]
    m = re.search(r'(?s)(<site .*</site>)', plain)
    out.append(('sites_x3', plain[:m.start()] + m.group(1) * 3 + plain[m.end():]))

    for src_name, src in (('some_2.9.0', plain), ('xml_plus', plus)):
        root = ET.fromstring(src.encode('utf-8'))
        for e in list(root.iter('alertitem')) + list(root.iter('instance')):
            kids = list(e)
            for k in kids:
                e.remove(k)
            for k in reversed(kids):
                e.append(k)
        out.append((src_name + '_reversed', ET.tostring(root, encoding='unicode')))
        tags = ['alertRef', 'pluginid', 'name', 'alert', 'riskcode', 'riskdesc', 'desc', 'solution', 'reference', 'cweid', 'count', 'instances']
        root = ET.fromstring(src.encode('utf-8'))
        for i, item in enumerate(root.iter('alertitem')):
            for tag in (tags[i % len(tags)], tags[(i + 5) % len(tags)]):
                for e in item.findall(tag):
                    item.remove(e)
        for i, site in enumerate(root.iter('site')):
            if i % 2 == 0:
                site.attrib.pop('name', None)
        out.append((src_name + '_missing', ET.tostring(root, encoding='unicode')))

    for i in range(40):
        doc = report(rnd.randint(0, 4), head=DTD if i % 3 else '<?xml version="1.0"?>\n')
        if i % 3 == 0:
            doc = doc.replace('&co;', 'co').replace('&m;', 'm').replace('&n;', 'n')
        out.append(('random_%d' % i, doc))

    out.append(('empty_items', wrap('<alertitem/><alertitem></alertitem><alertitem>\n</alertitem>')))
    out.append(('no_alerts', '<OWASPZAPReport><site name="a"/><site name="b"><alerts/></site></OWASPZAPReport>'))
    out.append(('structure', '<OWASPZAPReport><alertitem><pluginid>0</pluginid></alertitem>'
                '<site name="s1"><alerts>' + A % '1' + '</alerts><alertitem><pluginid>no</pluginid></alertitem>'
                '<alerts>' + A % '2' + '<x>' + A % 'no' + '</x></alerts><other><alerts>' + A % 'no' + '</alerts></other></site>'
                '<notsite name="n"><alerts>' + A % 'no' + '</alerts></notsite><site name="s2"><alerts>' + A % '3' + '</alerts></site>'
                '</OWASPZAPReport>'))
    out.append(('namespaces', '<OWASPZAPReport xmlns:z="urn:z"><site z:name="ns" name="plain"><alerts>'
                '<alertitem><z:pluginid>ns</z:pluginid><pluginid>p</pluginid><z:uri>https://ns.example</z:uri><uri>https://plain.example</uri></alertitem>'
                '<z:alertitem><pluginid>no</pluginid></z:alertitem><alertitem xmlns="urn:d"><pluginid>no</pluginid></alertitem>'
                '<alertitem><instances xmlns="urn:i"><instance><uri>https://no.example</uri></instance></instances></alertitem>'
                '</alerts></site><z:site name="no"><alerts>' + A % 'no' + '</alerts></z:site></OWASPZAPReport>'))
    out.append(('namespaced_root', '<OWASPZAPReport xmlns="urn:zap"><site name="x"><alerts>' + A % '1' + '</alerts></site></OWASPZAPReport>'))
    out.append(('uris', wrap(''.join('<alertitem><pluginid>%d</pluginid>%s</alertitem>' % (i, u) for i, u in enumerate([
        '<uri>https://direct.example</uri><instances><instance><uri>https://inst.example</uri></instance></instances>',
        '<instances><instance><uri>https://inst.example</uri></instance></instances><uri>https://direct.example</uri>',
        '<instances><instance><method>GET</method></instance><instance><uri>  https://second.example \n x </uri></instance></instances>',
        '<instances><instance><uri></uri></instance><instance><uri>https://after-empty.example</uri></instance></instances>',
        '<instances><instance><uri><b>https://</b>bold.example</uri></instance></instances>',
        '<instances/><uri/>', '<instances><uri>https://not-in-instance.example</uri></instances>',
        '<instances><instance><x><uri>https://too-deep.example</uri></x></instance></instances>',
        '<uri>\u00a0https://nbsp.example\u00a0</uri>', ''])), site=' name=" https://site.example "')))
    out.append(('strip_html', wrap(''.join('<alertitem><pluginid>h%d</pluginid><desc>%s</desc><solution>%s</solution></alertitem>' % (i, d, s)
                                           for i, (d, s) in enumerate([
        ('&lt;p&gt;one&lt;/p&gt;  \n\t &lt;p&gt;two&lt;/p&gt;', '&lt;p&gt;&lt;/p&gt;'),
        ('&lt;/p&gt;&#xA0;&lt;p&gt;nbsp', '&lt;/p&gt;&#x2003;&lt;p&gt;em space'),
        ('&lt;a href="x"&gt;link&lt;/a&gt; &amp;lt;kept&amp;gt; &amp;amp;lt;', '&lt;unclosed tag'),
        ('  \n  ', '&lt;p&gt; &lt;/p&gt;'), ('&amp;#39;q&amp;#39; &amp;quot;', '&gt;stray'),
        ('&lt;P&gt;upper&lt;/P&gt;&lt;P&gt;case&lt;/P&gt;', '&lt;/p&gt;\r\n&lt;p&gt;crlf via &#13;')])))))
    out.append(('risk_count', wrap(''.join('<alertitem><pluginid>r%d</pluginid>%s</alertitem>' % (i, x) for i, x in enumerate([
        '<riskcode>3</riskcode><riskdesc>Low (x)</riskdesc>', '<riskcode>9</riskcode><riskdesc>Medium (High)</riskdesc>',
        '<riskdesc>  High</riskdesc>', '<riskcode/><riskdesc/>', '<count>0</count>', '<count></count>', '<count> </count>',
        '<alertRef></alertRef>', '<alertRef>ref</alertRef>', '<name>  \n </name><alert>fallback</alert>',
        '<name/><alert/>', '<cweid>-1</cweid>', '<cweid>CWE-0079</cweid>'])))))
    out.append(('entities_dtd', DTD + '<OWASPZAPReport><site name="s &co;"><alerts><alertitem><pluginid>&co;</pluginid>'
                '<name>&m;</name><desc>&n; and &lt;p&gt;x&lt;/p&gt;</desc><reference>https://e.example/&co;</reference>'
                '<instances><instance><uri>https://u.example/&n;</uri></instance></instances></alertitem></alerts></site></OWASPZAPReport>'))
    out.append(('multibyte_long', wrap(A % ('\u00fc' * 300) + '<alertitem><name>' + '\u65e5\u672c ' * 200 + '</name><desc>'
                                       + 'long \u03a9 text ' * 30000 + '</desc></alertitem>', site=' name="https://\u00fc.example"')))
    # refused alike
    out.append(('duplicate_name', wrap(A % 'ok first' + '<alertitem><name>a</name><name>b</name></alertitem>')))
    out.append(('duplicate_desc', wrap('<alertitem><desc/><desc>x</desc></alertitem>')))
    out.append(('duplicate_count', wrap('<alertitem><count>1</count><instances/><count>2</count></alertitem>' + A % 'after')))
    return out


def big(scans, n):
    plus = open(scans + '/zap/zap-xml-plus-format.xml', encoding='utf-8').read()
    m = re.search(r'(?s)(<site .*</site>)', plus)
    site = m.group(1)
    a = re.search(r'(?s)(<alertitem>.*</alertitem>)', site)
    item = a.group(1).replace('<pluginid>90028</pluginid>', '<pluginid>%d</pluginid>').replace('<alertRef>90028</alertRef>', '<alertRef>%d</alertRef>')
    per = 20
    sites = []
    for s in range(0, n, per):
        items = ''.join(item % (90000 + i, 90000 + i) for i in range(s, min(n, s + per)))
        sites.append(site[:a.start()].replace('http://localhost:8080', 'http://host%d.example:8080' % (s // per)) + items + site[a.end():])
    return plus[:m.start()] + ''.join(sites) + plus[m.end():]


if __name__ == '__main__':
    scans = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == '--big':
        with open(sys.argv[4], 'w', encoding='utf-8') as f:
            f.write(big(scans, int(sys.argv[3])))
        sys.exit(0)
    for name, text in docs(scans):
        tag = '$zap_doc$'
        assert tag not in text
        sys.stdout.write("INSERT INTO doc (id, t) VALUES ('%s', %s%s%s);\n" % (name, tag, text, tag))
