--
-- ingest: every shared scanner fixture ingests with the result count of
-- counts.csv; hand-checked field values per format; re-scan semantics
-- (new, updated, resolved, reopened, triage kept, not-seen flag); malformed
-- input changes nothing.  COMPMAP_SHARED is the absolute path of shared/.
--
\set VERBOSITY terse
\getenv shared COMPMAP_SHARED
\set scans :shared '/fixtures/scans/'
\set counts :scans 'counts.csv'
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('10000000-0000-4000-8000-000000000050', 'ingest test'),
                                                    ('10000000-0000-4000-8000-000000000051', 'rescan test');
SELECT '10000000-0000-4000-8000-000000000050' AS t, '10000000-0000-4000-8000-000000000051' AS r \gset

CREATE TEMP TABLE expected (file text, format text, results bigint);
COPY expected FROM :'counts' (FORMAT csv, HEADER true);
CREATE TEMP TABLE ingested AS
SELECT e.file, e.format AS expected_format, e.results AS expected_results, i.*
  FROM expected e,
       LATERAL compmap.ingest(:'t', pg_read_file(:'scans' || e.file), 'auto', '2026-01-01 00:00:00+00', e.file) i;

-- Every fixture: detected format and result count against counts.csv.
SELECT file, format, results, "new", updated, skipped,
       CASE WHEN format = expected_format AND results = expected_results THEN 'ok' ELSE 'MISMATCH' END AS vs_counts_csv
  FROM ingested ORDER BY file;
SELECT count(*) AS files, sum(results) AS results,
       count(*) FILTER (WHERE format <> expected_format OR results <> expected_results) AS mismatches
  FROM ingested;

-- The scan rows: digest and size of the document, never the document.
SELECT s.source_label, s.format, s.scanner, encode(s.document_sha256, 'hex') AS sha256, s.document_bytes, s.results
  FROM compmap.scan s WHERE s.tenant_id = :'t' AND s.source_label IN ('nessus/example.nessus', 'openvas/one_vuln.xml', 'lgtm/DefectDojo_django-DefectDojo__2020-12-11_13_42_10__export.sarif')
 ORDER BY 1;
SELECT e.event_type, e.actor, e.payload - 'scanners' AS payload, e.occurred_at = '2026-01-01 00:00:00+00' AS occurred_at_is_scanned_at
  FROM compmap.evidence e JOIN compmap.scan s ON s.tenant_id = e.tenant_id AND s.scan_id = e.subject_id
 WHERE e.tenant_id = :'t' AND s.source_label = 'grype/keycloak-test.json';
SELECT count(*) AS scan_events FROM compmap.evidence WHERE tenant_id = :'t' AND event_type = 'scan.ingested';
SELECT count(*) AS created_events, (SELECT count(*) FROM compmap.finding WHERE tenant_id = :'t') AS findings
  FROM compmap.evidence WHERE tenant_id = :'t' AND event_type = 'finding.created';
SELECT ok, checked FROM compmap.verify(:'t');

-- Hand-checked values, one view per format.
CREATE TEMP VIEW fv AS
SELECT s.source_label AS file, f.scanner, f.rule_id, f.title, f.scanner_severity, f.severity, f.cvss::text AS cvss,
       f.cve_ids, f.cwe_ids, a.kind AS asset_kind, a.name AS asset_name, f.location, f.reference_urls, f.description
  FROM compmap.finding f
  JOIN compmap.scan s ON s.tenant_id = f.tenant_id AND s.scan_id = f.last_scan_id
  LEFT JOIN compmap.asset a ON a.tenant_id = f.tenant_id AND a.asset_id = f.asset_id
 WHERE f.tenant_id = '10000000-0000-4000-8000-000000000050';
\x on
-- SARIF: CVSS v4.0 vector from rule properties, package from the logical location
SELECT scanner, rule_id, title, scanner_severity, severity, cvss, cve_ids, asset_kind, asset_name
  FROM fv WHERE file = 'dependency-check/dependency-check.sarif' AND rule_id = 'CVE-2023-0044';
-- SARIF: CVSS v3.1 vector rebuilt from dependency-check's cvssv3_* properties
SELECT rule_id, cvss, severity FROM fv WHERE file = 'dependency-check/dependency-check.sarif' AND rule_id = 'CVE-2017-10355';
-- SARIF: CWE from result.taxa (Mayhem), from rule relationships by index (KICS), from tags (CodeQL)
SELECT rule_id, title, scanner_severity, cwe_ids, location FROM fv WHERE file = 'mayhem/mayhem_code_many_vulns.sarif' AND location = 'src/gps_uploader.c:97';
SELECT rule_id, title, scanner_severity, severity, cwe_ids, location FROM fv WHERE file = 'kics/kics.valid.sarif';
SELECT rule_id, scanner_severity, severity, cwe_ids FROM fv WHERE file = 'codeql/out.javascript.sarif.json' AND location = 'views/common/head.ejs:11';
-- SARIF: two runs, rules by ruleIndex, no level (SARIF default warning)
SELECT scanner, count(*) AS findings, count(DISTINCT rule_id) AS rules, min(scanner_severity) AS lowest, max(scanner_severity) AS highest
  FROM fv WHERE file LIKE 'lgtm/%' GROUP BY scanner;
-- Trivy: vulnerability with the vector of its SeveritySource, secret, misconfiguration
SELECT rule_id, title, scanner_severity, severity, cvss, cve_ids, cwe_ids, asset_kind, asset_name, location
  FROM fv WHERE file = 'trivy/trivy_python-3-4-alpine.json' AND rule_id = 'CVE-2018-20843';
SELECT rule_id, title, scanner_severity, asset_kind, asset_name, location, description
  FROM fv WHERE file = 'trivy/secrets.json.golden' ORDER BY location;
SELECT rule_id, title, scanner_severity, location FROM fv WHERE file = 'trivy/issue_14136.json';
-- Grype: the match with no severity, and one with a CVSS v3.1 vector
SELECT rule_id, title, scanner_severity, severity, cvss FROM fv WHERE file = 'grype/issue_9618.json' AND scanner_severity = 'unknown';
SELECT rule_id, title, scanner_severity, severity, cvss, asset_kind, location FROM fv
 WHERE file = 'grype/keycloak-test.json' AND title = 'CVE-2020-12413 in nss 3.79.0-17.el9_1';
-- OpenVAS
SELECT rule_id, title, scanner_severity, severity, array_length(cve_ids, 1) AS cves, cve_ids[1] AS first_cve,
       asset_kind, asset_name, location, reference_urls
  FROM fv WHERE file = 'openvas/one_vuln.xml';
-- Nessus: informational items, a CVSS v3 vector without prefix, several hosts
SELECT count(*) AS items, count(*) FILTER (WHERE severity = 'none') AS informational, count(cvss) AS with_cvss3
  FROM fv WHERE file = 'nessus/example.nessus';
SELECT rule_id, title, scanner_severity, severity, cvss, cve_ids, asset_kind, asset_name, location
  FROM fv WHERE file = 'nessus/example.nessus' AND rule_id = '105175';
SELECT count(DISTINCT asset_name) AS hosts, count(*) FILTER (WHERE scanner_severity = 'medium') AS medium
  FROM fv WHERE file = 'nessus/nessus_v_unknown.xml';
-- ZAP JSON and XML
SELECT rule_id, title, scanner_severity, severity, cwe_ids, asset_kind, asset_name, location
  FROM fv WHERE file = 'zap/report_json.json' AND rule_id = '10038-1';
SELECT rule_id, title, scanner_severity, cwe_ids, asset_name, location, reference_urls
  FROM fv WHERE file = 'zap/some_2.9.0.xml' AND rule_id = '10011';
SELECT rule_id, title, scanner_severity, location FROM fv WHERE file = 'zap/zap-xml-plus-format.xml';
-- Nuclei: current and old field names
SELECT rule_id, title, scanner_severity, severity, cve_ids, asset_kind, asset_name, location
  FROM fv WHERE file = 'nuclei/log4shell.jsonl';
SELECT rule_id, title, scanner_severity, severity, location FROM fv
 WHERE file = 'nuclei/many_findings.json' AND rule_id = 'openssh5.3-detect';
\x off
-- No secret or request/response bodies are kept.
SELECT count(*) AS leaked FROM fv
 WHERE description ~ 'AKIA|BEGIN PRIVATE KEY|curl -X|Set-Cookie: JSESSIONID=|raw-request';

-- Re-scan semantics, on a tenant of its own ---------------------------------
-- Scan 1: three results.
\set doc1 '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Demo", "rules": [{"id": "R1", "shortDescription": {"text": "Rule one"}}, {"id": "R2"}, {"id": "R3"}, {"id": "R4"}]}}, "results": [{"ruleId": "R1", "level": "error", "message": {"text": "one"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.c"}, "region": {"startLine": 1}}}]}, {"ruleId": "R2", "level": "warning", "message": {"text": "two"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.c"}, "region": {"startLine": 2}}}]}, {"ruleId": "R3", "level": "note", "message": {"text": "three"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "b.c"}, "region": {"startLine": 3}}}]}]}]}'
SELECT format, results, "new", updated, reopened, resolved, skipped
  FROM compmap.ingest(:'r', :'doc1', 'auto', '2026-02-01 00:00:00+00', 'demo repo');
SELECT finding_id AS f1 FROM compmap.finding WHERE tenant_id = :'r' AND rule_id = 'R1' \gset
SELECT finding_id AS f2 FROM compmap.finding WHERE tenant_id = :'r' AND rule_id = 'R2' \gset
SELECT finding_id AS f3 FROM compmap.finding WHERE tenant_id = :'r' AND rule_id = 'R3' \gset
-- triage: R1 fixed, R2 false positive, R3 left open
SELECT compmap.set_status(:'f1', 'triaged', 'alice');
SELECT compmap.set_status(:'f1', 'assigned', 'alice', assignee => 'bob');
SELECT compmap.set_status(:'f1', 'in_progress', 'bob');
SELECT compmap.set_status(:'f1', 'fixed', 'bob', note => 'patched');
SELECT compmap.set_status(:'f2', 'false_positive', 'alice', note => 'test code');

-- Scan 2 of the same scope: R2 still there, R1 and R3 gone, R4 new, plus a pass.
\set doc2 '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Demo", "rules": [{"id": "R1"}, {"id": "R2"}, {"id": "R3"}, {"id": "R4"}]}}, "results": [{"ruleId": "R2", "level": "warning", "message": {"text": "two"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.c"}, "region": {"startLine": 2}}}]}, {"ruleId": "R4", "message": {"text": "four"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "c.c"}, "region": {"startLine": 4}}}]}, {"ruleId": "R1", "kind": "pass", "message": {"text": "one passes"}}]}]}'
SELECT format, results, "new", updated, reopened, resolved, skipped
  FROM compmap.ingest(:'r', :'doc2', 'sarif', '2026-02-02 00:00:00+00', 'demo repo');
SELECT f.rule_id, f.status, f.last_seen, f.not_seen_since, f.not_seen_since IS NOT NULL AS flagged_not_seen
  FROM compmap.finding f
 WHERE f.tenant_id = :'r' ORDER BY f.rule_id;
SELECT h.event_type, h.actor, h.from_status, h.to_status, h.payload->>'note' LIKE 'not seen in scan % of the same scope' AS note_names_scan
  FROM compmap.finding_history h WHERE h.finding_id = :'f1' ORDER BY h.seq DESC LIMIT 1;
SELECT h.event_type, h.actor, h.payload->>'status' AS status FROM compmap.finding_history h
 WHERE h.finding_id = :'f3' AND h.event_type = 'finding.not_seen';

-- Scan 3: another scope (other label) reports nothing; scope 'demo repo' untouched.
SELECT results, "new", resolved FROM compmap.ingest(:'r', '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Demo"}}, "results": []}]}',
                                                    'sarif', '2026-02-03 00:00:00+00', 'other repo');
SELECT count(*) FILTER (WHERE status::text = 'new') AS still_new FROM compmap.finding WHERE tenant_id = :'r';

-- Scan 4 of 'demo repo': R1 (verified) and R3 back, R2 again: reopened, seen again, false positive kept.
SELECT format, results, "new", updated, reopened, resolved, skipped
  FROM compmap.ingest(:'r', :'doc1', 'sarif', '2026-02-04 00:00:00+00', 'demo repo');
SELECT f.rule_id, f.status, f.last_seen, f.not_seen_since IS NOT NULL AS flagged_not_seen
  FROM compmap.finding f
 WHERE f.tenant_id = :'r' ORDER BY f.rule_id;
SELECT h.event_type FROM compmap.finding_history h WHERE h.finding_id = :'f3' ORDER BY h.seq;

-- An older scan uploaded late resolves and flags nothing and moves no last_seen back.
SELECT results, "new", updated, resolved FROM compmap.ingest(:'r', :'doc2', 'sarif', '2026-01-15 00:00:00+00', 'demo repo');
SELECT f.rule_id, f.status, f.last_seen FROM compmap.finding f WHERE f.tenant_id = :'r' ORDER BY f.rule_id;
SELECT source_label, results, findings_new, findings_updated, findings_reopened, findings_resolved, findings_not_seen, results_skipped
  FROM compmap.scan WHERE tenant_id = :'r' ORDER BY scanned_at;
SELECT ok, checked FROM compmap.verify(:'r');

-- Malformed input: a clear error and nothing changed -------------------------
CREATE TEMP VIEW row_counts AS
SELECT (SELECT count(*) FROM compmap.finding) AS findings, (SELECT count(*) FROM compmap.scan) AS scans,
       (SELECT count(*) FROM compmap.asset) AS assets, (SELECT count(*) FROM compmap.evidence) AS evidence,
       (SELECT count(*) FROM compmap.finding WHERE last_scan_id IS NOT NULL) AS scopes;
SELECT * FROM row_counts;
\set VERBOSITY default
\set SHOW_CONTEXT never
-- truncated JSON
SELECT * FROM compmap.ingest(:'t', left(pg_read_file(:'scans' || 'trivy/issue_14136.json'), 2000));
SELECT * FROM compmap.ingest(:'t', '{"version": "2.1.0", "runs": [{"results": [', 'sarif');
-- wrong SARIF version, no runs
SELECT * FROM compmap.ingest(:'t', '{"version": "2.0.0", "runs": []}');
SELECT * FROM compmap.ingest(:'t', '{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json"}');
-- Nessus without a report; truncated XML; wrong root for the named format
SELECT * FROM compmap.ingest(:'t', '<?xml version="1.0" ?><NessusClientData_v2><Policy><policyName>x</policyName></Policy></NessusClientData_v2>');
SELECT * FROM compmap.ingest(:'t', left(pg_read_file(:'scans' || 'nessus/nessus_v_unknown.xml'), 5000));
SELECT * FROM compmap.ingest(:'t', pg_read_file(:'scans' || 'zap/some_2.9.0.xml'), 'nessus');
-- OpenVAS report without results
SELECT * FROM compmap.ingest(:'t', '<report id="x"><report id="y"><hosts><count>1</count></hosts></report></report>');
-- unknown format name; undetectable documents
SELECT * FROM compmap.ingest(:'t', '{}', 'burp');
SELECT * FROM compmap.ingest(:'t', '{"issues": []}');
SELECT * FROM compmap.ingest(:'t', '<issues/>');
SELECT * FROM compmap.ingest(:'t', 'CVE-2021-44228 found');
-- a bad line in JSON lines
SELECT * FROM compmap.ingest(:'t', '{"template-id": "a", "host": "h"}' || E'\n' || '{"template-id": "b", "host": ' || E'\n', 'nuclei');
-- a tenant that does not exist; a missing document
SELECT * FROM compmap.ingest('10000000-0000-4000-8000-0000000000ff', '{"matches": []}');
SELECT * FROM compmap.ingest(:'t', NULL);
\set VERBOSITY terse
SELECT * FROM row_counts;
SELECT compmap.detect_format(pg_read_file(:'scans' || 'nuclei/many_findings.json')) AS nuclei,
       compmap.detect_format(pg_read_file(:'scans' || 'govulncheck/issue_15033_sarif.json')) AS sarif,
       compmap.detect_format(pg_read_file(:'scans' || 'trivy/secrets.json.golden')) AS trivy;

-- Privileges: writers and admins ingest, readers cannot.
SELECT r.rolname, has_function_privilege(r.rolname, 'compmap.ingest(uuid, text, text, timestamptz, text)', 'EXECUTE') AS can_ingest
  FROM pg_roles r WHERE r.rolname IN ('compmap_admin', 'compmap_writer', 'compmap_reader', 'compmap_auditor') ORDER BY 1;

-- URLs in order of first appearance: by text, then by position in the text.
SELECT compmap.ingest_urls(ARRAY['see https://z.example/1 and https://a.example/2 then https://m.example/3',
                                 NULL, 'https://a.example/2 again and http://b.example/4 <https://c.example/5>']) AS urls;

-- A JSON string's \u0000 (text cannot hold NUL): read as U+FFFD, in JSON
-- only, with escapes paired from the start; the digest is the document's.
SELECT compmap.json_nul_replaced('{"a": "x\u0000y"}') AS escape,
       compmap.json_nul_replaced('{"a": "x\\u0000y"}') AS escaped_backslash,
       compmap.json_nul_replaced('{"a": "x\\\u0000y"}') AS backslash_then_escape,
       compmap.json_nul_replaced(E'\uFEFF \n [{"a": "\\u0000\\u0000"}]') = E'\uFEFF \n [{"a": "\\ufffd\\ufffd"}]' AS bom_array,
       compmap.json_nul_replaced('<x>\u0000</x>') AS xml,
       compmap.json_nul_replaced('{"a": "\u000') AS cut_short;
\set nul_doc '{"matches": [{"vulnerability": {"id": "CVE-2009-3882", "severity": "High"}, "artifact": {"name": "java", "version": "17.0.10+7\\u0000-J-ms8m", "type": "binary"}}], "source": {"type": "image", "target": {"userInput": "app:1"}}}'
SELECT format, results, "new" FROM compmap.ingest(:'t', :'nul_doc', source_label => 'NUL in a version');
SELECT s.document_sha256 = sha256(convert_to(:'nul_doc', 'UTF8')) AS digest_of_the_document_passed,
       f.title = E'CVE-2009-3882 in java 17.0.10+7\uFFFD-J-ms8m' AS nul_read_as_fffd
  FROM compmap.scan s JOIN compmap.finding f ON f.tenant_id = s.tenant_id AND f.last_scan_id = s.scan_id
 WHERE s.tenant_id = :'t' AND s.source_label = 'NUL in a version';

-- Trivy Kubernetes reports (trivy k8s --format json), hand-written: the
-- current shape {ClusterName, Resources} and the older one {ClusterName,
-- Vulnerabilities, Misconfigurations}, each resource's Results as in a
-- standard report.  Resources: a Deployment with a vulnerability, a failed
-- and a passed misconfiguration and a secret; a Service without Results; a
-- cluster-scoped ClusterRole (empty Namespace) and Node (no Namespace).
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('10000000-0000-4000-8000-000000000052', 'k8s test');
SELECT '10000000-0000-4000-8000-000000000052' AS k \gset
\set k8s_web '{"Namespace": "shop", "Kind": "Deployment", "Name": "web", "Metadata": {"RepoTags": ["nginx:1.25"]}, "Results": [{"Target": "nginx:1.25 (debian 12.1)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [{"VulnerabilityID": "CVE-2023-4911", "PkgID": "libc6@2.36-9", "PkgName": "libc6", "InstalledVersion": "2.36-9", "FixedVersion": "2.36-9+deb12u3", "Severity": "HIGH", "Title": "glibc: buffer overflow in ld.so", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2023-4911", "CweIDs": ["CWE-787"], "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}}}]}, {"Target": "Deployment/web", "Class": "config", "Type": "kubernetes", "Misconfigurations": [{"ID": "KSV001", "AVDID": "AVD-KSV-0001", "Title": "Process can elevate its own privileges", "Severity": "MEDIUM", "Status": "FAIL", "Message": "Container web should set allowPrivilegeEscalation to false", "Resolution": "Set allowPrivilegeEscalation to false.", "CauseMetadata": {"Resource": "Deployment/web", "StartLine": 20}}, {"ID": "KSV003", "AVDID": "AVD-KSV-0003", "Title": "Default capabilities not dropped", "Severity": "LOW", "Status": "PASS", "CauseMetadata": {}}]}, {"Target": "/srv/app/.env", "Class": "secret", "Secrets": [{"RuleID": "aws-access-key-id", "Category": "AWS", "Severity": "CRITICAL", "Title": "AWS Access Key ID", "StartLine": 3}]}]}'
\set k8s_svc '{"Namespace": "shop", "Kind": "Service", "Name": "web"}'
\set k8s_role '{"Namespace": "", "Kind": "ClusterRole", "Name": "admin-all", "Results": [{"Target": "ClusterRole/admin-all", "Class": "config", "Type": "kubernetes", "Misconfigurations": [{"ID": "KSV046", "AVDID": "AVD-KSV-0046", "Title": "Manage all resources", "Severity": "CRITICAL", "Status": "FAIL", "CauseMetadata": {"Resource": "ClusterRole/admin-all", "StartLine": 1}}]}]}'
\set k8s_node '{"Kind": "Node", "Name": "lab-control-plane", "Results": [{"Target": "node/lab-control-plane", "Class": "lang-pkgs", "Type": "kubernetes", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-3177", "PkgName": "k8s.io/kubernetes", "InstalledVersion": "1.29.1", "Severity": "LOW", "Title": "kubernetes: secrets bypass"}]}]}'
SELECT '{"ClusterName": "lab", "Resources": [' || :'k8s_web' || ', ' || :'k8s_svc' || ', ' || :'k8s_role' || ', ' || :'k8s_node' || ']}' AS k8s_now,
       '{"ClusterName": "lab", "Vulnerabilities": [' || :'k8s_node' || ', ' || :'k8s_web' || '], "Misconfigurations": [' || :'k8s_role' || ', ' || :'k8s_svc' || ']}' AS k8s_old \gset
SELECT compmap.detect_format(:'k8s_now') AS now_shape, compmap.detect_format(:'k8s_old') AS old_shape,
       (compmap.ingest_parse(:'k8s_now', 'auto')).parsed_json IS NOT NULL AS now_parsed,
       (compmap.ingest_parse(:'k8s_old', 'trivy')).parsed_json IS NOT NULL AS old_parsed,
       (compmap.ingest_parse(pg_read_file(:'scans' || 'trivy/secrets.json.golden'), 'auto')).parsed_json IS NULL AS standard_from_text;
-- The rows, per resource in document order: asset ClusterName/Namespace/Kind/Name.
SELECT asset_kind, asset_name, rule_id, location, scanner_severity, skip
  FROM compmap.map_trivy_k8s(:'k8s_now'::jsonb) WITH ORDINALITY ORDER BY ordinality;
SELECT asset_name, rule_id FROM compmap.map_trivy_k8s(:'k8s_old'::jsonb) WITH ORDINALITY ORDER BY ordinality;
-- Each resource's rows are those of map_trivy() for a standard report of
-- its Results named after the resource.
SELECT v.asset_name,
       (SELECT count(*) FROM compmap.map_trivy_k8s(:'k8s_now'::jsonb) m WHERE m.asset_name = v.asset_name) AS k8s_rows,
       ARRAY(SELECT m FROM compmap.map_trivy_k8s(:'k8s_now'::jsonb) m WHERE m.asset_name = v.asset_name)::text
       = ARRAY(SELECT m FROM compmap.map_trivy(jsonb_build_object('SchemaVersion', 2, 'ArtifactName', v.asset_name, 'ArtifactType', 'kubernetes',
                                                                'Results', v.resource::jsonb -> 'Results')) m)::text
       AS equals_map_trivy
  FROM (VALUES ('lab/shop/Deployment/web', :'k8s_web'), ('lab/shop/Service/web', :'k8s_svc'),
               ('lab//ClusterRole/admin-all', :'k8s_role'), ('lab//Node/lab-control-plane', :'k8s_node')) AS v(asset_name, resource);
SELECT ARRAY(SELECT m FROM compmap.map_trivy_k8s(:'k8s_now'::jsonb) m WHERE m.asset_name = 'lab/shop/Deployment/web')::text
       = ARRAY(SELECT m FROM compmap.map_trivy_text('{"SchemaVersion": 2, "ArtifactName": "lab/shop/Deployment/web", "ArtifactType": "kubernetes", "Results": '
                                                    || (:'k8s_web'::jsonb -> 'Results')::text || '}') m)::text AS web_equals_standard_report;
-- Ingest: detected and named; the old shape maps the same results.
SELECT format, results, "new", updated, skipped FROM compmap.ingest(:'k', :'k8s_now', 'auto', '2026-03-01 00:00:00+00', 'cluster lab');
SELECT format, results, "new", updated, skipped FROM compmap.ingest(:'k', :'k8s_old', 'trivy', '2026-03-01 00:00:00+00', 'cluster lab, old trivy');
SELECT a.kind, a.name, count(*) AS findings, string_agg(f.rule_id, ' ' ORDER BY f.rule_id) AS rules
  FROM compmap.finding f JOIN compmap.asset a ON a.tenant_id = f.tenant_id AND a.asset_id = f.asset_id
 WHERE f.tenant_id = :'k' AND f.source_label = 'cluster lab' GROUP BY 1, 2 ORDER BY 2;
-- The same report again: every result re-sighted, none new; then without
-- the ClusterRole: its finding is flagged not seen, the others are not.
SELECT format, results, "new", updated, resolved, skipped FROM compmap.ingest(:'k', :'k8s_now', 'auto', '2026-03-02 00:00:00+00', 'cluster lab');
SELECT format, results, "new", updated, resolved, skipped
  FROM compmap.ingest(:'k', (:'k8s_now'::jsonb #- '{Resources,2}')::text, 'auto', '2026-03-03 00:00:00+00', 'cluster lab');
SELECT a.name, f.rule_id, f.status, f.not_seen_since IS NOT NULL AS not_seen, f.last_seen
  FROM compmap.finding f JOIN compmap.asset a ON a.tenant_id = f.tenant_id AND a.asset_id = f.asset_id
 WHERE f.tenant_id = :'k' AND f.source_label = 'cluster lab' ORDER BY 1, 2;
-- A report of no resources (Trivy omits empty lists): named trivy, nothing
-- found; detection needs ClusterName and one of its lists.
SELECT format, results, "new" FROM compmap.ingest(:'k', '{"ClusterName": "empty"}', 'trivy', '2026-03-01 00:00:00+00', 'cluster empty');
SELECT format, results FROM compmap.ingest(:'k', '{"ClusterName": "empty", "Resources": null}', 'auto', '2026-03-01 00:00:00+00', 'cluster empty');
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT * FROM compmap.ingest(:'k', '{"ClusterName": "empty"}');
-- lists that are not arrays
SELECT * FROM compmap.ingest(:'k', '{"ClusterName": "lab", "Resources": {"Kind": "Pod"}}');
SELECT * FROM compmap.ingest(:'k', '{"ClusterName": "lab", "Vulnerabilities": [], "Misconfigurations": "none"}', 'trivy');
SELECT * FROM compmap.ingest(:'k', '{"Vulnerabilities": 1}', 'trivy');
-- Trivy before 0.20: an array of Results, and null for nothing found
SELECT * FROM compmap.ingest(:'k', '[{"Target": "alpine:3.10 (alpine 3.10.2)", "Vulnerabilities": null}]');
SELECT * FROM compmap.ingest(:'k', E' null\n');
SELECT * FROM compmap.ingest(:'k', '[{"Target": "alpine:3.10 (alpine 3.10.2)", "Vulnerabilities": null}]', 'trivy');
SELECT * FROM compmap.ingest(:'k', 'null', 'trivy');
-- (an array of other objects, and null inside more text, keep their messages)
SELECT * FROM compmap.ingest(:'k', '[{"target": "x"}]');
SELECT * FROM compmap.ingest(:'k', 'null null');
\set VERBOSITY terse
SELECT count(*) AS k8s_scans FROM compmap.scan WHERE tenant_id = :'k';
