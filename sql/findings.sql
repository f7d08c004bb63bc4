-- Findings: creation, every transition of the graph (allowed and refused)
-- through compmap.set_status, the data some states need, direct UPDATEs,
-- re-sightings, SLA clocks and the history in the evidence log.
\set VERBOSITY terse
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('10000000-0000-4000-8000-000000000010', 'findings test');
SELECT '10000000-0000-4000-8000-000000000010' AS t \gset

SELECT action, status FROM compmap.record_finding(:'t', 'SQL injection in login form', 'semgrep',
       scanner => 'semgrep', rule_id => 'python.django.security.injection.sql',
       cvss => 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', asset_kind => 'repository',
       asset_name => 'git@example.org:acme/shop', location => 'shop/login.py:42', cwe_ids => '{CWE-89}');
SELECT finding_id AS f FROM compmap.finding WHERE title = 'SQL injection in login form' \gset
SELECT title, severity, status, due_date - first_seen::date AS sla_days, cwe_ids, encode(fingerprint, 'hex') = encode(compmap.finding_fingerprint('semgrep', 'python.django.security.injection.sql', 'repository', 'git@example.org:acme/shop', 'shop/login.py:42'), 'hex') AS documented_fingerprint
  FROM compmap.finding WHERE finding_id = :'f';

-- the worked example: new -> triaged -> assigned -> in_progress -> fixed -> verified
SELECT compmap.set_status(:'f', 'triaged', 'alice', note => 'reproduced on staging');
SELECT compmap.set_status(:'f', 'assigned', 'alice', assignee => 'bob');
SELECT compmap.set_status(:'f', 'in_progress', 'bob');
SELECT compmap.set_status(:'f', 'fixed', 'bob', note => 'parameterised query, PR 1234');
SELECT compmap.set_status(:'f', 'verified', 'ci', note => 'rescan 2026-11-27 clean');
SELECT seq, event_type, actor, from_status, to_status, payload->>'note' AS note FROM compmap.finding_history WHERE finding_id = :'f' ORDER BY seq;
SELECT status, assignee, fixed_at IS NOT NULL AS has_fixed_at, verified_at IS NOT NULL AS has_verified_at FROM compmap.finding WHERE finding_id = :'f';

-- seen again after verified: reopened, SLA restarted; seen while open: last_seen only
SELECT action, status FROM compmap.record_finding(:'t', 'SQL injection in login form', 'semgrep',
       scanner => 'semgrep', rule_id => 'python.django.security.injection.sql', asset_kind => 'repository',
       asset_name => 'git@example.org:acme/shop', location => 'shop/login.py:42');
SELECT action, status FROM compmap.record_finding(:'t', 'SQL injection in login form', 'semgrep',
       scanner => 'semgrep', rule_id => 'python.django.security.injection.sql', asset_kind => 'repository',
       asset_name => 'git@example.org:acme/shop', location => 'shop/login.py:42');
SELECT status, due_date = (now() + interval '7 days')::date AS sla_restarted, verified_at IS NULL AS closing_data_cleared
  FROM compmap.finding WHERE finding_id = :'f';
SELECT count(*) AS findings, count(DISTINCT fingerprint) AS fingerprints FROM compmap.finding WHERE tenant_id = :'t';

-- Every pair of states: drive a fresh finding to `from` along the graph,
-- then try `to` with every datum a state may need.  The outcome must match
-- compmap.can_transition exactly.
CREATE FUNCTION pg_temp.path_to(target compmap.finding_status) RETURNS compmap.finding_status[] LANGUAGE plpgsql AS $$
DECLARE
    frontier compmap.finding_status[][] := ARRAY[ARRAY['new'::compmap.finding_status]];
    paths text[] := ARRAY['new'];
    seen text[] := ARRAY['new'];
    i int := 1;
    last text;
    nxt compmap.finding_status;
BEGIN
    -- breadth-first search over compmap.allowed_transitions, paths as text
    WHILE i <= array_length(paths, 1) LOOP
        last := split_part(paths[i], ',', array_length(string_to_array(paths[i], ','), 1));
        IF last = target::text THEN
            RETURN string_to_array(paths[i], ',')::compmap.finding_status[];
        END IF;
        FOR nxt IN SELECT * FROM compmap.allowed_transitions(last::compmap.finding_status) LOOP
            IF NOT nxt::text = ANY (seen) THEN
                seen := seen || nxt::text;
                paths := paths || (paths[i] || ',' || nxt::text);
            END IF;
        END LOOP;
        i := i + 1;
    END LOOP;
    RETURN NULL;
END $$;
CREATE FUNCTION pg_temp.move(f uuid, s compmap.finding_status, dup uuid) RETURNS void LANGUAGE sql AS $$
    SELECT compmap.set_status(f, s, 'matrix', note => 'reason for ' || s::text, assignee => 'owner',
                              approver => 'ciso', valid_until => CURRENT_DATE + 30, duplicate_of => dup)
$$;
CREATE TEMP TABLE matrix (from_s compmap.finding_status, to_s compmap.finding_status, moved boolean, message text);
DO $$
DECLARE
    a compmap.finding_status;
    b compmap.finding_status;
    step compmap.finding_status;
    fid uuid;
    k int := 0;
    dup uuid;
BEGIN
    SELECT finding_id INTO dup FROM compmap.finding WHERE title = 'SQL injection in login form';
    FOR a IN SELECT * FROM compmap.finding_states() LOOP
        FOR b IN SELECT * FROM compmap.finding_states() LOOP
            k := k + 1;
            SELECT finding_id INTO fid FROM compmap.record_finding('10000000-0000-4000-8000-000000000010',
                'matrix finding ' || k, 'matrix', scanner => 'matrix', rule_id => 'r' || k, scanner_severity => 'medium');
            FOREACH step IN ARRAY (pg_temp.path_to(a))[2:] LOOP
                PERFORM pg_temp.move(fid, step, dup);
            END LOOP;
            BEGIN
                PERFORM pg_temp.move(fid, b, dup);
                INSERT INTO matrix VALUES (a, b, true, NULL);
            EXCEPTION WHEN OTHERS THEN
                INSERT INTO matrix VALUES (a, b, false, SQLERRM);
            END;
        END LOOP;
    END LOOP;
END $$;
SELECT count(*) AS pairs, count(*) FILTER (WHERE moved) AS allowed,
       count(*) FILTER (WHERE moved IS DISTINCT FROM compmap.can_transition(from_s, to_s)) AS disagreements_with_graph
  FROM matrix;
SELECT from_s, string_agg(to_s::text, ' ' ORDER BY to_s) FILTER (WHERE moved) AS moved_to FROM matrix GROUP BY from_s ORDER BY from_s;
SELECT DISTINCT regexp_replace(message, 'from \w+ to \w+', 'from X to Y') AS refusal FROM matrix WHERE NOT moved;

-- Refusals that need data, each changing nothing
SELECT finding_id AS g FROM compmap.record_finding(:'t', 'Outdated OpenSSL', 'trivy', scanner => 'trivy',
       rule_id => 'CVE-2024-5535', scanner_severity => 'HIGH', asset_kind => 'image', asset_name => 'registry.example/shop:1.4',
       cve_ids => '{CVE-2024-5535}') \gset
SELECT severity FROM compmap.finding WHERE finding_id = :'g';
-- (each shown as SQLSTATE: message)
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'false_positive', 'alice')$q$, :'g'));
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'duplicate', 'alice', note => 'same as the other')$q$, :'g'));
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'duplicate', 'alice', note => 'itself', duplicate_of => %L)$q$, :'g', :'g'));
SELECT compmap.set_status(:'g', 'triaged', 'alice');
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'assigned', 'alice')$q$, :'g'));
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'risk_accepted', 'alice', note => 'compensating WAF rule')$q$, :'g'));
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'risk_accepted', 'alice', approver => 'ciso', valid_until => '2020-01-01')$q$, :'g'));
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'new', 'alice')$q$, :'g'));
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'bogus', 'alice')$q$, :'g'));
SELECT pg_temp.try(format($q$SELECT compmap.set_status(%L, 'verified', '')$q$, :'g'));
SELECT pg_temp.try($q$SELECT compmap.set_status('10000000-0000-4000-8000-0000000000ff', 'triaged', 'alice')$q$);
SELECT status, risk_accepted_by FROM compmap.finding WHERE finding_id = :'g';

-- risk acceptance and its expiry
SELECT compmap.set_status(:'g', 'risk_accepted', 'alice', note => 'compensating WAF rule', approver => 'ciso', valid_until => CURRENT_DATE + 90);
SELECT status, risk_accepted_by, risk_accepted_until = CURRENT_DATE + 90 AS until_ok, status_reason FROM compmap.finding WHERE finding_id = :'g';
SELECT compmap.expire_risk_acceptances(CURRENT_DATE + 89) AS expired_early;
SELECT compmap.expire_risk_acceptances(CURRENT_DATE + 90) AS expired;
SELECT status, risk_accepted_by FROM compmap.finding WHERE finding_id = :'g';

-- direct UPDATEs: along the graph they are logged like set_status; across it, refused
UPDATE compmap.finding SET status = 'triaged' WHERE finding_id = :'g';
SELECT pg_temp.try(format($q$UPDATE compmap.finding SET status = 'verified' WHERE finding_id = %L$q$, :'g'));
SELECT pg_temp.try(format($q$UPDATE compmap.finding SET first_seen = '2020-01-01' WHERE finding_id = %L$q$, :'g'));
UPDATE compmap.finding SET assignee = 'carol', owner = 'platform team' WHERE finding_id = :'g';
SELECT pg_temp.try(format($q$INSERT INTO compmap.finding (tenant_id, fingerprint, title, severity, status) VALUES (%L, sha256('x'), 'born fixed', 'none', 'fixed')$q$, :'t'));
SELECT pg_temp.try(format($q$DELETE FROM compmap.finding WHERE finding_id = %L$q$, :'g'));
SELECT seq, event_type, actor, from_status, to_status, payload->'changes' AS changes FROM compmap.finding_history WHERE finding_id = :'g' ORDER BY seq;

-- SLA: overdue findings and time to fix
SELECT finding_id AS old FROM compmap.record_finding(:'t', 'Weak TLS configuration', 'testssl', scanner => 'testssl',
       rule_id => 'TLS1.0', scanner_severity => 'low', asset_kind => 'host', asset_name => 'mail.acme.example',
       seen_at => now() - interval '200 days') \gset
SELECT title, severity, days_over FROM compmap.sla_overdue WHERE tenant_id = :'t' AND days_over > 0 ORDER BY title;
SELECT sla_state, count(*) FROM compmap.finding_sla WHERE tenant_id = :'t' GROUP BY 1 ORDER BY 1;
SELECT compmap.set_sla(:'t', 'low', 300);
SELECT finding_id AS new_low FROM compmap.record_finding(:'t', 'Missing security header', 'zap', scanner => 'zap',
       rule_id => '10038', scanner_severity => 'Low', asset_kind => 'url', asset_name => 'https://shop.acme.example/') \gset
SELECT due_date - first_seen::date AS days_for_low FROM compmap.finding WHERE finding_id = :'new_low';
SELECT severity, verified_findings FROM compmap.time_to_fix WHERE tenant_id = :'t' ORDER BY severity;
SELECT compmap.normalize_severity(s) FROM unnest(ARRAY['Critical', 'HIGH', 'moderate', 'warning', 'note', 'Informational', 'weird']) s;

-- the whole history is in a log that verifies
SELECT ok, checked > 100 AS many_entries FROM compmap.verify(:'t');

-- the controls a finding touches, through the mapping rules and the crosswalk
SELECT finding_id AS cat FROM compmap.record_finding(:'t', 'Hard-coded AWS key', 'gitleaks', scanner => 'gitleaks',
       rule_id => 'aws-access-token', scanner_severity => 'high', asset_kind => 'repository',
       asset_name => 'git@example.org:acme/shop', location => 'deploy/env.sh:3', category => 'secret') \gset
SELECT framework, control, relationships, hops, fail_propagates, rule_kind || ':' || rule_key AS rule
  FROM compmap.finding_controls WHERE finding_id = :'cat' AND hops = 0 ORDER BY framework, control;
SELECT count(*) > 0 AS reaches_nis2_through_crosswalk FROM compmap.finding_controls WHERE finding_id = :'cat' AND framework = 'nis2';
SELECT pg_temp.try(format($q$SELECT compmap.record_finding(%L, 'bad category', 'x', scanner => 'x', rule_id => 'y', category => 'nonsense')$q$, :'t'));

-- finding.created payloads, built in C, equal the jsonb_build_object()
-- expression they replace: every finding of the tenant plus rows with
-- NULLs, NULL and multi-dimensional array elements, infinite and
-- far-off dates, in two time zones.
CREATE TEMP TABLE payload_case AS
SELECT title, scanner, rule_id, fingerprint, severity, cvss, cve_ids, cwe_ids, category, asset_id, location, due_date, first_seen
  FROM compmap.finding WHERE tenant_id = :'t'
UNION ALL
SELECT * FROM (VALUES
    ('t', NULL::text, NULL::text, NULL::bytea, NULL::text, NULL::compmap.cvss, NULL::text[], NULL::text[], NULL::text, NULL::uuid,
     NULL::text, NULL::date, NULL::timestamptz),
    ('ünïcödé "quoted" \ back', 'x', 'y', '\x00ff10'::bytea, 'low', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'::compmap.cvss,
     ARRAY['CVE-2021-44228', NULL], '{{CWE-1,CWE-2},{CWE-3,CWE-4}}'::text[], 'secret', '10000000-0000-4000-8000-0000000000aa'::uuid,
     E'a\tb\nc', 'infinity'::date, '-infinity'::timestamptz),
    ('far', 'x', 'y', ''::bytea, 'none', NULL, '{}'::text[], '[0:1]={CWE-79,CWE-89}'::text[], NULL, NULL, NULL,
     '0044-03-15 BC'::date, '2038-01-19 03:14:07.123456+00'::timestamptz)) AS v;
SET TimeZone = 'America/St_Johns';
SELECT count(*) AS payloads,
       count(*) FILTER (WHERE compmap.finding_created_payload(title, scanner, rule_id, fingerprint, severity, cvss, cve_ids, cwe_ids,
                                                             category, asset_id, location, due_date, first_seen)
                          = jsonb_strip_nulls(jsonb_build_object(
                                'title', title, 'scanner', scanner, 'rule_id', rule_id, 'fingerprint', encode(fingerprint, 'hex'),
                                'severity', severity, 'cvss', cvss::text, 'cve_ids', cve_ids, 'cwe_ids', cwe_ids, 'category', category,
                                'asset_id', asset_id, 'location', location, 'due_date', due_date, 'first_seen', first_seen))) AS equal
  FROM payload_case;
RESET TimeZone;
SELECT count(*) FILTER (WHERE compmap.finding_created_payload(title, scanner, rule_id, fingerprint, severity, cvss, cve_ids, cwe_ids,
                                                             category, asset_id, location, due_date, first_seen)::text
                          = jsonb_strip_nulls(jsonb_build_object(
                                'title', title, 'scanner', scanner, 'rule_id', rule_id, 'fingerprint', encode(fingerprint, 'hex'),
                                'severity', severity, 'cvss', cvss::text, 'cve_ids', cve_ids, 'cwe_ids', cwe_ids, 'category', category,
                                'asset_id', asset_id, 'location', location, 'due_date', due_date, 'first_seen', first_seen))::text) AS equal_as_text
  FROM payload_case;
SELECT compmap.finding_created_payload(title, scanner, rule_id, fingerprint, severity, cvss, cve_ids, cwe_ids,
                                       category, asset_id, location, due_date, first_seen)
  FROM payload_case WHERE title IN ('t', 'far') ORDER BY title;

-- The fingerprint, computed in C, equals the documented expression: every
-- finding of the tenant, with and without extra fields, NULLs, escapes.
CREATE TEMP TABLE fingerprint_case AS
SELECT f.scanner, f.rule_id, a.kind AS asset_kind, a.name AS asset_name, f.location, e.extra
  FROM compmap.finding f LEFT JOIN compmap.asset a USING (tenant_id, asset_id),
       (VALUES (NULL::jsonb), ('{}'), ('{"scope": "repo \"x\"", "n": 1.50, "a": [true, null, {"é": "\u0001"}]}'), ('[1, 2]'), ('"s"')) AS e(extra)
 WHERE f.tenant_id = :'t'
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL
UNION ALL
SELECT E'sc\u00e4nner\n', E'r\\ule', 'host', '', E'\u2028line', '{"b": 1, "a": 2}';
SELECT count(*) AS cases,
       count(*) FILTER (WHERE compmap.finding_fingerprint(scanner, rule_id, asset_kind, asset_name, location, extra)
                          = compmap.payload_digest(jsonb_build_object(
                                'scanner', coalesce(scanner, ''), 'rule', coalesce(rule_id, ''),
                                'asset', coalesce(asset_kind, '') || ':' || coalesce(asset_name, ''),
                                'location', coalesce(location, ''), 'extra', coalesce(extra, '{}')))) AS equal
  FROM fingerprint_case;
SELECT encode(compmap.finding_fingerprint('s', 'r', 'host', 'h', 'l'), 'hex') AS default_extra;

-- The UPDATE trigger lets a sighting (last_seen and the scope columns)
-- through without a log entry, and never skips a real change made with it.
SELECT finding_id AS s FROM compmap.record_finding(:'t', 'Sighting test', 'tester', scanner => 'manual', rule_id => 'sight') \gset
SELECT count(*) AS entries_before FROM compmap.finding_history WHERE finding_id = :'s';
UPDATE compmap.finding SET last_seen = last_seen + interval '1 day', not_seen_since = now(), not_seen_scan_id = gen_random_uuid()
 WHERE finding_id = :'s';
SELECT count(*) AS entries_after_sighting FROM compmap.finding_history WHERE finding_id = :'s';
UPDATE compmap.finding SET last_seen = last_seen + interval '1 day', title = 'Sighting test, renamed' WHERE finding_id = :'s';
UPDATE compmap.finding SET last_seen = last_seen + interval '1 day', status = 'triaged' WHERE finding_id = :'s';
SELECT seq, event_type, from_status, to_status, payload->'changes' AS changes FROM compmap.finding_history WHERE finding_id = :'s' ORDER BY seq;
SELECT pg_temp.try(format($q$UPDATE compmap.finding SET last_seen = now(), first_seen = '2020-01-01' WHERE finding_id = %L$q$, :'s'));

-- A finding is found by its id alone through an index (set_status and
-- auditor_pack look it up without the tenant).
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT status FROM compmap.finding WHERE finding_id = '10000000-0000-4000-8000-0000000000aa';
RESET enable_seqscan;
