"""Generated Trivy and Grype reports for the comparison scripts: trivy() and
grype() each draw one report that hits the mappings' edge cases.

Imported by the reference and the streaming comparison scripts, so that
both draw the same documents (fixed seed).
"""
import json, random

rnd = random.Random(20261208)
pick = rnd.choice

WEIRD = [42, 7.50, 1e2, 0, -3, True, False, None, [], {}, [1, 'x'], {'a': [1, None]}, '', ' ']
CVE_TEXT = ['CVE-2021-44228', 'cve-2019-0001x', 'xCVE-2020-12345', 'CVE-2020-123', 'CVE-20201-1234',
            'CVE-2021-1234CVE-2021-5678', 'foo,cve-2022-22965;CVE-2022-22965', '\u00e9CVE-2023-0001 and cVe-2023-0002',
            'CVE-2021-123456789', 'Cve-1999-00001', 'CVE-2021-1234a', 'GHSA-jfh8-c2jp-5v3q', 'DLA-3051-1',
            'CVE-2019-10000 CVE-2019-9999', 'ALAS-2021-1234', 'cve-2021-3712']
CWE_TEXT = ['CWE-79', 'cwe_079', 'external/cwe/cwe-020', 'CWE: 89', '79', '0079', 'CWE-0', 'CWE-1234567890',
            'CWE-000000000123', ' cwe-22 ', 'mycwe-5', 'cwe', 'CWE-79a', 'NVD-CWE-noinfo', 'NVD-CWE-Other',
            'cwe-999999999', 'CWE--:_/ 352', '-1', 'CWE-\u0660', 'cWe-0000', 79, 0, None, 1.5, True, ['CWE-1'], {'id': 'CWE-2'}]
URL_TEXT = ['https://example.com/a', 'http://x.y/z?q=1#f', 'see https://a.b/c and http://d.e/f.',
            '<https://t.co/x>', '"https://q.example"', 'HTTPS://UPPER.example', 'https://', 'https:// x',
            'ftp://nope', 'https://ex.com/\u00e9t\u00e9', 'https://dup.example https://dup.example',
            'text https://z.example/1 https://a.example/2', 'https://a.example\nhttps://b.example',
            'https://example.com/a', 'x>http://lt.example<y', 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
            'https://avd.aquasec.com/nvd/cve-2021-44228', 3, None, {'u': 'https://in.object'}, ['https://in.array']]
VEC = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:N',
       'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'AV:N/AC:L/Au:N/C:P/I:P/A:P',
       'cvss:3.1/AV:N', '', 'CVSS:2.0/x', 5, None, 'CVSS:']


def text():
    k = rnd.randrange(12)
    if k == 0:
        return pick(CVE_TEXT)
    if k == 1:
        return pick(URL_TEXT)
    if k == 2:     # long, multibyte
        return ''.join(pick(['a', ' ', '\u00e9', '\u20ac', '\U0001f600', 'x', '.']) for _ in range(rnd.choice([150, 199, 200, 201, 202, 300])))
    if k == 3:     # around the limit, multibyte
        return pick(['b', '\u00e9', '\u4e2d']) * pick([199, 200, 201])
    if k == 4:
        return pick(['  leading and trailing  ', '\n\n  first line\nsecond line', 'line one\r\nline two',
                     '\t\r\n', '   ', 'one\r', 'a\n', ' \u00a0x\u00a0 ', '\u3000wide\u3000', '\nb'])
    if k == 5:
        return pick(WEIRD)
    return pick(['OpenSSL: buffer overflow', 'glibc: heap corruption', 'S3 bucket without encryption',
                 'AWS Access Key', 'x' * rnd.randrange(1, 30), ''])


def maybe(p, value):
    return value if rnd.random() < p else None


def obj(**fields):
    return {k: v for k, v in fields.items() if v is not None}


def wrong(value, p=0.06):
    return pick(WEIRD) if rnd.random() < p else value


def tarr(items):
    """An array, or sometimes something else where an array is expected."""
    return wrong(items, 0.1)


SOURCES = ['nvd', 'redhat', 'ghsa', 'alma', 'Zed', 'amazon', '\u00e9source', 'NVD', 'bitnami', 'a']


def cvss():
    if rnd.random() < 0.05:
        return pick(WEIRD)
    c = {}
    for s in rnd.sample(SOURCES, rnd.randrange(0, 5)):
        if rnd.random() < 0.08:
            c[s] = pick(WEIRD)
            continue
        e = obj(V2Vector=maybe(0.5, 'AV:N/AC:L/Au:N/C:P/I:P/A:P'), V2Score=maybe(0.4, 7.5),
                V3Vector=maybe(0.6, wrong(pick(VEC))), V3Score=maybe(0.5, 9.8),
                V40Vector=maybe(0.2, wrong(pick(VEC))))
        if rnd.random() < 0.1:
            e['V3Vector'] = None
        c[s] = e
    return c


def vulnerability():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    c = cvss()
    src = pick(SOURCES + ['nope', 7, None]) if rnd.random() < 0.7 else None
    return obj(VulnerabilityID=maybe(0.92, wrong(pick(CVE_TEXT))), PkgID=maybe(0.5, wrong('openssl@1.1.1k-r0')),
               PkgName=maybe(0.9, wrong(pick(['openssl', 'libssl1.1', 'requests', '\u00fcber-pkg']))),
               PkgPath=maybe(0.3, wrong(pick(['usr/lib/python3/site-packages/x', 'app/node_modules/y/package.json', '']))),
               InstalledVersion=maybe(0.85, wrong(pick(['1.1.1k-r0', '2.25.0', '', '0']))),
               FixedVersion=maybe(0.6, wrong(pick(['1.1.1l-r0', '2.31.0, 3.0.0', '']))),
               SeveritySource=src, Title=maybe(0.8, text()), Description=maybe(0.7, text()),
               Severity=maybe(0.95, wrong(pick(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']))),
               CweIDs=maybe(0.5, tarr([pick(CWE_TEXT) for _ in range(rnd.randrange(4))])),
               CVSS=maybe(0.8, c), PrimaryURL=maybe(0.7, pick(URL_TEXT)),
               References=maybe(0.6, tarr([pick(URL_TEXT) for _ in range(rnd.randrange(5))])))


def misconfiguration():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    return obj(Type=maybe(0.5, 'Dockerfile Security Check'), ID=maybe(0.85, wrong(pick(['DS002', 'KSV001', 'AVD-AWS-0086', '']))),
               AVDID=maybe(0.6, wrong(pick(['AVD-DS-0002', 'AVD-KSV-0001', '']))), Title=maybe(0.8, text()),
               Description=maybe(0.7, text()), Message=maybe(0.6, text()), Resolution=maybe(0.6, wrong('Add a USER')),
               Severity=maybe(0.9, wrong(pick(['HIGH', 'LOW']))), PrimaryURL=maybe(0.5, pick(URL_TEXT)),
               References=maybe(0.5, tarr([pick(URL_TEXT) for _ in range(rnd.randrange(4))])),
               Status=maybe(0.8, wrong(pick(['PASS', 'FAIL', 'pass', 'Pass', 'PASS ', 'EXCEPTION', '', 'pa\u017fs', 'p\u00e1ss']))),
               CauseMetadata=maybe(0.7, wrong(obj(Resource=maybe(0.6, wrong(pick(['aws_s3_bucket.a', '', 'res']))),
                                                  Provider=maybe(0.5, 'Dockerfile'),
                                                  StartLine=maybe(0.7, wrong(pick([1, 12, '7', 0, 3.5])))))))


def secret():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    return obj(RuleID=maybe(0.9, wrong(pick(['aws-access-key-id', 'github-pat', '']))),
               Category=maybe(0.85, wrong(pick(['AWS', 'GitHub', '']))), Severity=maybe(0.9, 'CRITICAL'),
               Title=maybe(0.8, text()), StartLine=maybe(0.8, wrong(pick([1, 44, '3']))), EndLine=maybe(0.5, 2),
               Match=maybe(0.5, 'AKIA****'), PrimaryURL=maybe(0.1, pick(URL_TEXT)),
               References=maybe(0.1, tarr([pick(URL_TEXT)])))


def trivy_result():
    if rnd.random() < 0.04:
        return pick(WEIRD)
    r = obj(Target=maybe(0.92, wrong(pick(['alpine:3.4 (alpine 3.4.6)', 'requirements.txt', 'Dockerfile', '', '\u00fc.txt']))),
            Class=maybe(0.5, pick(['os-pkgs', 'lang-pkgs', 'config', 'secret'])), Type=maybe(0.5, 'alpine'))
    for key, make in (('Vulnerabilities', vulnerability), ('Misconfigurations', misconfiguration), ('Secrets', secret)):
        if rnd.random() < 0.5:
            r[key] = tarr([make() for _ in range(rnd.choice([0, 1, 2, 3, 6]))])
    return r


def trivy():
    d = obj(SchemaVersion=2, ArtifactName=maybe(0.9, wrong(pick(['alpine:3.4', '.', '', 'repo', '\u00e9image']))),
            ArtifactType=maybe(0.9, wrong(pick(['container_image', 'repository', 'vm', 'filesystem', 'rootfs', 'sbom', 'Container_Image']))))
    d['Results'] = tarr([trivy_result() for _ in range(rnd.choice([0, 1, 2, 3, 5]))])
    if rnd.random() < 0.03:
        del d['Results']
    return d


def gcvss():
    return tarr([wrong(obj(version=maybe(0.85, pick(['3.1', '3.0', '2.0', '4.0', 3.1, '10.0', '', None])),
                           vector=maybe(0.9, pick(VEC)), metrics=maybe(0.3, {'baseScore': 9.8})), 0.05)
                 for _ in range(rnd.randrange(4))])


def related():
    return wrong(obj(id=maybe(0.9, wrong(pick(CVE_TEXT))), cvss=maybe(0.7, gcvss()),
                     description=maybe(0.5, wrong(text())), dataSource=maybe(0.5, pick(URL_TEXT))), 0.05)


def match():
    if rnd.random() < 0.03:
        return pick(WEIRD)
    v = obj(id=maybe(0.92, wrong(pick(CVE_TEXT))), severity=maybe(0.85, wrong(pick(['Critical', 'High', 'Negligible', 'Unknown']))),
            description=maybe(0.5, wrong(text())), dataSource=maybe(0.7, pick(URL_TEXT)),
            urls=maybe(0.6, tarr([pick(URL_TEXT) for _ in range(rnd.randrange(4))])), cvss=maybe(0.6, gcvss()),
            fix=maybe(0.7, wrong(obj(state=pick(['fixed', 'not-fixed']),
                                     versions=maybe(0.8, tarr([pick(['1.2.3', '', None, 4, '2.0.0-rc1']) for _ in range(rnd.randrange(4))]))))))
    a = obj(name=maybe(0.92, wrong(pick(['log4j-core', 'openssl', '\u00fcber', '']))), version=maybe(0.85, wrong(pick(['2.14.1', '', '1.0']))),
            type=maybe(0.8, wrong(pick(['java-archive', 'apk', 'npm']))), purl=maybe(0.7, wrong(pick(['pkg:maven/org.apache/log4j@2.14.1', '']))),
            locations=maybe(0.8, wrong([wrong(obj(path=maybe(0.9, wrong(pick(['/app/lib/x.jar', '', '/lib/apk/db/installed']))),
                                                    layerID=maybe(0.5, 'sha256:abc'))) for _ in range(rnd.choice([0, 1, 2]))], 0.1)))
    return obj(vulnerability=maybe(0.95, wrong(v, 0.03)), artifact=maybe(0.95, wrong(a, 0.03)),
               relatedVulnerabilities=maybe(0.6, tarr([related() for _ in range(rnd.randrange(4))])),
               matchDetails=maybe(0.3, [{'type': 'exact-direct-match'}]))


def grype():
    k = rnd.randrange(8)
    target = pick(['alpine:latest', '"quoted"', '""', '', '/src', '\u00e9/dir'])
    if k == 0:
        target = obj(userInput=maybe(0.8, wrong(pick(['alpine:latest', '']))), imageID=maybe(0.5, 'sha256:1'))
    elif k == 1:
        target = pick(WEIRD)
    src = obj(type=maybe(0.9, wrong(pick(['image', 'directory', 'file', 'sbom', 'Image']))), target=maybe(0.9, target))
    d = obj(source=maybe(0.95, wrong(src, 0.05)), descriptor=maybe(0.5, {'name': 'grype'}))
    d['matches'] = [match() for _ in range(rnd.choice([0, 1, 2, 3, 6]))]
    return d
