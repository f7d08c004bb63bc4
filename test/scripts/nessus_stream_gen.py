#!/usr/bin/env python3
# Writes the generated and hand-written Nessus documents of nessus_stream.sh
# as SQL: INSERT INTO doc (id, t) for each.  Arguments: the scans directory;
# or the scans directory, --big, a count and a file: example.nessus with its
# ReportHost elements that many times over, written to the file.
import re
import sys
import xml.etree.ElementTree as ET

scans = sys.argv[1]
docs = []


def add(name, text):
    docs.append((name, text))


example = open(scans + '/nessus/example.nessus', encoding='utf-8').read()
unknown = open(scans + '/nessus/nessus_v_unknown.xml', encoding='utf-8').read()
m = re.search(r'(?s)(<ReportHost .*</ReportHost>)', example)
if len(sys.argv) > 2 and sys.argv[2] == '--big':
    with open(sys.argv[4], 'w', encoding='utf-8') as f:
        f.write(example[:m.start()] + m.group(1) * int(sys.argv[3]) + example[m.end():])
    sys.exit(0)

add('example', example)
add('v_unknown', unknown)

# hosts repeated: the file's ReportHost elements three times over
add('example_hosts_x3', example[:m.start()] + m.group(1) * 3 + example[m.end():])

# children of every ReportItem reversed, and attributes dropped
for src_name, src in (('example', example), ('v_unknown', unknown)):
    root = ET.fromstring(src.encode('utf-8'))
    for item in root.iter('ReportItem'):
        kids = list(item)
        for k in kids:
            item.remove(k)
        for k in reversed(kids):
            item.append(k)
    add(src_name + '_reversed', ET.tostring(root, encoding='unicode'))
    root = ET.fromstring(src.encode('utf-8'))
    drop = ['port', 'protocol', 'svc_name', 'severity', 'pluginName', 'pluginID']
    for i, item in enumerate(root.iter('ReportItem')):
        a = drop[i % len(drop)]
        if a in item.attrib:
            del item.attrib[a]
        for tag in ('synopsis', 'description', 'solution', 'risk_factor', 'cvss3_vector', 'see_also')[i % 6:i % 6 + 1]:
            for e in item.findall(tag):
                item.remove(e)
    for i, host in enumerate(root.iter('ReportHost')):
        if i % 2 == 0:
            host.attrib.pop('name', None)
        else:
            host.set('name', '')
    add(src_name + '_missing', ET.tostring(root, encoding='unicode'))


def nessus(items, host='h1', extra_hosts='', head='<?xml version="1.0" ?>\n', root_attrs=''):
    return (head + '<NessusClientData_v2%s>\n<Report name="r">\n<ReportHost name="%s"><HostProperties><tag name="x">y</tag></HostProperties>\n'
            % (root_attrs, host) + items + '\n</ReportHost>' + extra_hosts + '\n</Report>\n</NessusClientData_v2>\n')


item = '<ReportItem port="%s" svc_name="%s" protocol="%s" severity="%s" pluginID="%s" pluginName="%s">%s</ReportItem>'
add('entities_cdata', nessus(
    item % ('443', 'www', 'tcp', '2', '1001', 'Caf&#233; &amp; &lt;b&gt;', '\n<synopsis>a &amp; b &lt; c &#x41;&#13;x</synopsis>'
            '<description><![CDATA[raw <html> & stuff]]> and text <b>bold CVE-2020-0001</b> tail</description>'
            '<solution>  Upgrade  </solution><risk_factor>Medium</risk_factor>'
            '<cve>CVE-2021-44228</cve><cve><![CDATA[CVE-2020-1234]]></cve><cve>x&amp;CVE-2019-1000 cve-2018-9999</cve>'
            '<cve>CVE-2017-<!-- split -->0001</cve><cwe>79</cwe><cwe><![CDATA[89]]></cwe><cwe> 352 </cwe>'
            '<xref>CWE:200</xref><xref>cwe:22</xref><xref>OSVDB:1</xref><xref><![CDATA[CWE:400]]></xref>'
            '<see_also>https://a.example/x?q=1&amp;r=2\nhttp://b.example/ https://a.example/x?q=1&amp;r=2</see_also>'
            '<cvss3_vector> AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H </cvss3_vector>')))
add('multibyte_long', nessus(
    item % ('0', '', 'udp', '4', '2002', 'Überlänge ' + 'ü€𝄞' * 120, '<synopsis>日本語の説明\nzweite Zeile</synopsis>'
            '<description>' + ('Ω long text ' * 20000) + '</description>'
            '<cvss4_vector>CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N</cvss4_vector>'
            '<cvss3_vector>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</cvss3_vector>') + '\n' +
    item % ('22', 'ssh', 'tcp', '9', '2003', '\n\n  ', '<risk_factor>None</risk_factor><synopsis/><description></description>'
            '<solution>   </solution><cvss3_vector>CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N</cvss3_vector>'),
    host='ホスト'))
add('odd_structure', nessus(
    '<ReportItem pluginID="3001" pluginName="nested"><extra><synopsis>not a child</synopsis><cve>CVE-2000-0001</cve></extra>'
    '<synopsis>the <i>child</i> text</synopsis><x:solution xmlns:x="urn:x">namespaced</x:solution>'
    '<cve>CVE-2001-<b>0002</b></cve></ReportItem>'
    '<ReportItem pluginID="3002"/>'
    '<NotAnItem pluginID="9"/>'
    '<ReportItem xmlns="urn:other" pluginID="3003"/>'
    '<ReportItem pluginID="3004" pluginName="  multi\nline title  " severity="">\n  <risk_factor>High</risk_factor>\n</ReportItem>',
    extra_hosts='<ReportHost><ReportItem pluginID="3005"/></ReportHost><ReportHost name="e"/>'
    '<ReportHost name="h2"><HostProperties/><ReportItem pluginID="3006" port="80" protocol="tcp" svc_name="www"/></ReportHost>')
    .replace('</Report>\n</NessusClientData_v2>',
             '</Report>\n<Report name="second"><ReportHost name="h3"><ReportItem pluginID="3007"/></ReportHost></Report>\n'
             '<Other><Report><ReportHost name="no"><ReportItem pluginID="9999"/></ReportHost></Report></Other>\n</NessusClientData_v2>'))
add('namespaced_root', nessus(item % ('1', '', 'tcp', '1', '1', 'n', ''), root_attrs=' xmlns="urn:nessus"'))
add('no_items', nessus(''))
add('whitespace', nessus('\n   \n' + item % ('1', '', 'tcp', '1', '4001', 'w', '\n   <synopsis>\n\n</synopsis>\n   <cve>\n</cve>  <see_also>\n</see_also>\n') + '\n  '))
add('internal_entities', nessus(item % ('1', '', 'tcp', '1', '6001', 'a &co; b', '<synopsis>s &co; t</synopsis>'),
                                host='h&co;', head='<?xml version="1.0"?>\n<!DOCTYPE NessusClientData_v2 [ <!ENTITY co "Example &amp; Co"> ]>\n'))
add('entity_in_attribute', nessus(item % ('1', '', 'tcp', '1', '6002', 'a &co; b', '<synopsis>s</synopsis>'),
                                  head='<?xml version="1.0"?>\n<!DOCTYPE NessusClientData_v2 [ <!ENTITY co "Example &amp; Co"> ]>\n'))
add('entity_outside_items', nessus(item % ('1', '', 'tcp', '1', '6003', 'a b', '<synopsis>s</synopsis>'),
                                   host='h&co;', head='<?xml version="1.0"?>\n<!DOCTYPE NessusClientData_v2 [ <!ENTITY co "Example &amp; Co"> ]>\n'))
add('duplicate_field', nessus(item % ('1', '', 'tcp', '1', '5001', 'd', '<synopsis>a</synopsis><synopsis>b</synopsis>')))
# see_also once per URL, as Tenable's web application scanner writes it,
# with a URL repeated, an empty one, one with markup inside and no URL
add('see_also_repeated', nessus(item % ('80', 'www', 'tcp', '3', '98104', 'XSS',
    '<see_also>http://projects.example/w/page/1</see_also><see_also>https://owasp.example/a?b=1&amp;c=2</see_also>'
    '<see_also/><see_also>  https://<b>split.example</b>/x  http://projects.example/w/page/1</see_also>'
    '<see_also>no URL</see_also><xref>CWE:79</xref><xref>OWASP:2017-A7</xref>')))

for name, text in docs:
    tag = '$nessus_doc$'
    assert tag not in text
    sys.stdout.write("INSERT INTO doc (id, t) VALUES (%s, %s%s%s);\n" % ("'" + name + "'", tag, text, tag))
