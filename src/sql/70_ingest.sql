-- Scanner ingestion: SARIF 2.1.0, Trivy, Grype, OpenVAS/Greenbone, Nessus,
-- OWASP ZAP and Nuclei output into findings, in one transaction per document.
--
-- compmap.ingest() parses the document once (jsonb or xml; SARIF, Trivy
-- and Grype are read from the text by map_<format>_text(), one result at a
-- time, never as one jsonb; a Trivy Kubernetes report is the exception),
-- maps it with the per-format function map_<format>() into rows of
-- compmap.ingest_record,
-- then works set-based: assets, new findings, re-sightings, reopens, and the
-- findings of the same scope that this scan did not see.  The document is
-- never stored: compmap.scan and the scan.ingested evidence event keep its
-- SHA-256, size, format and counts.  Field mappings and re-scan rules:
-- docs/ingest.md.

-- The scan row carries the counts as well as the results total.
ALTER TABLE @extschema@.scan
    ADD COLUMN findings_new      bigint NOT NULL DEFAULT 0,
    ADD COLUMN findings_updated  bigint NOT NULL DEFAULT 0,
    ADD COLUMN findings_reopened bigint NOT NULL DEFAULT 0,
    ADD COLUMN findings_resolved bigint NOT NULL DEFAULT 0,
    ADD COLUMN findings_not_seen bigint NOT NULL DEFAULT 0,
    ADD COLUMN results_skipped   bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN @extschema@.scan.results IS 'Result records in the document (SARIF results, Trivy vulnerabilities + misconfigurations + secrets, Grype matches, OpenVAS results, Nessus ReportItems, ZAP alerts, Nuclei lines).';
COMMENT ON COLUMN @extschema@.scan.findings_new IS 'Results that created a finding.';
COMMENT ON COLUMN @extschema@.scan.findings_updated IS 'Results that matched an existing finding (last_seen updated, status kept).';
COMMENT ON COLUMN @extschema@.scan.findings_reopened IS 'Results that matched a fixed or verified finding, which is now reopened.';
COMMENT ON COLUMN @extschema@.scan.findings_resolved IS 'Findings of the scope in status fixed that this scan did not report, now verified.';
COMMENT ON COLUMN @extschema@.scan.findings_not_seen IS 'Open findings of the scope that this scan did not report, newly flagged as not seen (never closed).';
COMMENT ON COLUMN @extschema@.scan.results_skipped IS 'Results that state no problem (SARIF kind pass or notApplicable, Trivy misconfiguration status PASS) and so create no finding.';

-- What every per-format mapping function returns, one row per result record.
CREATE TYPE @extschema@.ingest_record AS (
    scanner          text,
    rule_id          text,
    title            text,
    scanner_severity text,
    cvss_vector      text,
    cve_ids          text[],
    cwe_ids          text[],
    asset_kind       text,
    asset_name       text,
    location         text,
    description      text,
    reference_urls   text[],
    fp_location      text,
    fp_extra         jsonb,
    skip             boolean
);
COMMENT ON TYPE @extschema@.ingest_record IS 'One scanner result mapped to the finding model by a compmap.map_<format>() function; fp_location and fp_extra are the fingerprint fields (docs/ingest.md).';

-- The kind of weakness a result is, for compmap.finding_controls: from the
-- format, the scanner and the identifiers (docs/ingest.md, "Categories").
CREATE FUNCTION @extschema@.ingest_category(format text, scanner text, rule_id text, cve_ids text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN pg_catalog.cardinality(cve_ids) > 0 OR rule_id ~ '^(CVE|GHSA|GO|PYSEC|RUSTSEC|OSV)-'
            THEN CASE WHEN format IN ('nessus', 'openvas') THEN 'missing_patch' ELSE 'vulnerable_dependency' END
        WHEN format = 'trivy' AND rule_id ~ '^(AVD|KSV|KCV|DS|AWS|AZU|GCP|GIT|DIG|OCI)-' THEN 'misconfiguration'
        WHEN format = 'trivy' THEN 'secret'
        WHEN format = 'grype' THEN 'vulnerable_dependency'
        WHEN format = 'sarif' AND pg_catalog.lower(scanner) IN ('kics', 'checkov', 'tfsec', 'trivy', 'terrascan') THEN 'misconfiguration'
        WHEN format = 'sarif' AND pg_catalog.lower(scanner) IN ('gitleaks', 'trufflehog', 'detect-secrets') THEN 'secret'
        WHEN format IN ('sarif', 'zap') THEN 'code_weakness'
        WHEN format = 'nuclei' THEN 'exposed_service'
        WHEN format IN ('nessus', 'openvas') THEN 'misconfiguration'
    END
$$;
COMMENT ON FUNCTION @extschema@.ingest_category(text, text, text, text[]) IS 'The finding category of an ingested result (vulnerable_dependency, missing_patch, misconfiguration, secret, code_weakness, exposed_service), used to map it to controls.';

-- Small helpers ------------------------------------------------------------

CREATE FUNCTION @extschema@.ingest_array(value jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN pg_catalog.jsonb_typeof(value) = 'array' THEN value ELSE '[]'::jsonb END
$$;
COMMENT ON FUNCTION @extschema@.ingest_array(jsonb) IS 'The value when it is a JSON array, else an empty array (scanners write null or omit empty lists).';

CREATE FUNCTION @extschema@.severity_from_score(score text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN score IS NULL OR pg_catalog.btrim(score) !~ '^[0-9]+(\.[0-9]+)?$' THEN NULL
        WHEN pg_catalog.btrim(score)::numeric >= 9.0 THEN 'critical'
        WHEN pg_catalog.btrim(score)::numeric >= 7.0 THEN 'high'
        WHEN pg_catalog.btrim(score)::numeric >= 4.0 THEN 'medium'
        WHEN pg_catalog.btrim(score)::numeric > 0.0 THEN 'low'
        ELSE 'none' END
$$;
COMMENT ON FUNCTION @extschema@.severity_from_score(text) IS 'A 0-10 score (CVSS bands: 9.0 critical, 7.0 high, 4.0 medium, above 0 low, else none); NULL when the text is not a number.';

CREATE FUNCTION @extschema@.ingest_cwe_ids(candidates text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(pg_catalog.array_agg('CWE-' || n ORDER BY n), '{}')
      FROM (SELECT DISTINCT pg_catalog.substring(pg_catalog.lower(pg_catalog.btrim(c)), '(?:^|cwe[-_/: ]*)0*([0-9]{1,9})$')::bigint AS n
              FROM pg_catalog.unnest(candidates) AS c) AS s
     WHERE n > 0
$$;
COMMENT ON FUNCTION @extschema@.ingest_cwe_ids(text[]) IS 'CWE ids from scanner spellings (190, CWE-190, cwe_190, external/cwe/cwe-190), as sorted distinct CWE-n; other values are dropped.';

CREATE FUNCTION @extschema@.ingest_cve_ids(candidates text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(pg_catalog.array_agg(id ORDER BY id), '{}')
      FROM (SELECT DISTINCT pg_catalog.upper(m[1]) AS id
              FROM pg_catalog.unnest(candidates) AS c,
                   pg_catalog.regexp_matches(c, '(?:^|[^A-Za-z0-9])(cve-[0-9]{4}-[0-9]{4,})(?![0-9])', 'gi') AS m) AS s
$$;
COMMENT ON FUNCTION @extschema@.ingest_cve_ids(text[]) IS 'Every CVE id (CVE-yyyy-nnnn...) mentioned in the texts, upper case, sorted and distinct.';

-- A vector the cvss type refuses is dropped rather than failing the ingest:
-- the scanner's severity still applies and the vector stays out of the data.
CREATE FUNCTION @extschema@.ingest_cvss(vector text) RETURNS @extschema@.cvss
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF vector IS NULL OR pg_catalog.btrim(vector) !~ '^CVSS:(3\.[01]|4\.0)/' THEN
        RETURN NULL;
    END IF;
    RETURN @extschema@.cvss(pg_catalog.btrim(vector));
EXCEPTION WHEN invalid_text_representation OR invalid_parameter_value THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_cvss(text) IS 'The vector as compmap.cvss when it is a valid CVSS v3.0, v3.1 or v4.0 vector, else NULL (CVSS v2 and malformed vectors are not kept).';

CREATE FUNCTION @extschema@.ingest_title(candidate text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN pg_catalog.length(t) > 200 THEN pg_catalog.left(t, 199) || '…' ELSE t END
      FROM (SELECT nullif(pg_catalog.btrim(pg_catalog.split_part(pg_catalog.btrim(candidate, E' \t\r\n'), E'\n', 1)), '') AS t) AS s
$$;
COMMENT ON FUNCTION @extschema@.ingest_title(text) IS 'First line of a text, trimmed, at most 200 characters; NULL when empty.';

CREATE FUNCTION @extschema@.ingest_urls(texts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    -- (first appearance: the text, then the match within it)
    SELECT coalesce(pg_catalog.array_agg(s.u ORDER BY s.first), '{}')
      FROM (SELECT mm.m[1] AS u, pg_catalog.min(ARRAY[t.ord, mm.m_no]) AS first
              FROM pg_catalog.unnest(texts) WITH ORDINALITY AS t(x, ord),
                   pg_catalog.regexp_matches(t.x, '(https?://[^\s<>"]+)', 'g') WITH ORDINALITY AS mm(m, m_no)
             GROUP BY mm.m[1]) AS s
$$;
COMMENT ON FUNCTION @extschema@.ingest_urls(text[]) IS 'The http(s) URLs found in the texts, distinct, in order of first appearance.';

CREATE FUNCTION @extschema@.ingest_strip_html(html text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT nullif(pg_catalog.btrim(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
               pg_catalog.regexp_replace(pg_catalog.regexp_replace(html, '</p>\s*<p>', E'\n', 'g'), '<[^>]*>', '', 'g'),
               '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&'), E' \t\r\n'), '')
$$;
COMMENT ON FUNCTION @extschema@.ingest_strip_html(text) IS 'Text of a small HTML fragment as ZAP writes descriptions: tags removed, paragraphs as lines, common entities decoded.';

-- Per-format mapping ------------------------------------------------------
--
-- The mapping queries are large expressions evaluated a few times per
-- result; JIT compiling them costs far more than it saves, so these
-- functions and the ingest run with jit = off.

-- SARIF 2.1.0: every run; rules resolved by ruleIndex / rule.index (driver,
-- or the extension rule.toolComponent.index names) and else by id.
--
-- compmap.map_sarif() is this function in C (src/ingest_sarif.c), about
-- 5 times faster (bench/ingest.sh's 50,000 results: 0.12 s against 0.7 s);
-- this SQL version is kept as its reference, the definition
-- test/scripts/sarif_reference.sh compares it with, row by row.  A change
-- to the mapping goes into both.
CREATE FUNCTION @extschema@.map_sarif_reference(document jsonb) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
-- The small helpers (ingest_array, ingest_title, severity_from_score,
-- ingest_cve_ids, ingest_cwe_ids, ingest_urls) are written out here rather
-- than called: they pin search_path, so PostgreSQL cannot inline them, and a
-- call per result was most of the cost of an ingest.  Keep each expression
-- the same as its function (sql/ingest.sql checks the results field by field).
SELECT f.scanner,
       f.rid,
       coalesce(CASE WHEN pg_catalog.strpos(pg_catalog.btrim(f.message, E' \t\r\n'), E'\n') = 0 AND pg_catalog.length(f.message) <= 160
                     THEN t.message END,
                t.short, t.name, t.message, f.rid, 'SARIF result'),
       coalesce(CASE WHEN pg_catalog.btrim(f.security_severity) ~ '^[0-9]+(\.[0-9]+)?$' THEN
                    CASE WHEN pg_catalog.btrim(f.security_severity)::numeric >= 9.0 THEN 'critical'
                         WHEN pg_catalog.btrim(f.security_severity)::numeric >= 7.0 THEN 'high'
                         WHEN pg_catalog.btrim(f.security_severity)::numeric >= 4.0 THEN 'medium'
                         WHEN pg_catalog.btrim(f.security_severity)::numeric > 0.0 THEN 'low'
                         ELSE 'none' END
                END,
                f.res->>'level', f.rule->'defaultConfiguration'->>'level',
                CASE WHEN f.kind = 'fail' THEN 'warning' ELSE 'none' END),
       coalesce(f.props->>'cvssv4_vector', f.props->>'cvssv3_vector', f.props->>'cvss_vector', f.props->>'cvssV3_vector',
                CASE WHEN f.props ? 'cvssv3_attackVector' THEN
                    'CVSS:' || coalesce(f.props->>'cvssv3_version', '3.1')
                    || '/AV:' || pg_catalog.left(f.props->>'cvssv3_attackVector', 1)
                    || '/AC:' || pg_catalog.left(f.props->>'cvssv3_attackComplexity', 1)
                    || '/PR:' || pg_catalog.left(f.props->>'cvssv3_privilegesRequired', 1)
                    || '/UI:' || pg_catalog.left(f.props->>'cvssv3_userInteraction', 1)
                    || '/S:' || pg_catalog.left(f.props->>'cvssv3_scope', 1)
                    || '/C:' || pg_catalog.left(f.props->>'cvssv3_confidentialityImpact', 1)
                    || '/I:' || pg_catalog.left(f.props->>'cvssv3_integrityImpact', 1)
                    || '/A:' || pg_catalog.left(f.props->>'cvssv3_availabilityImpact', 1)
                END),
       ids.cve_ids,
       ids.cwe_ids,
       CASE WHEN f.logical LIKE 'pkg:%' THEN 'package'
            WHEN f.repository IS NOT NULL THEN 'repository'
            WHEN f.uri ~* '^https?://[^/?#]+' THEN 'url'
            WHEN f.uri IS NOT NULL THEN 'file' END,
       CASE WHEN f.logical LIKE 'pkg:%' THEN f.logical
            WHEN f.repository IS NOT NULL THEN f.repository
            WHEN f.uri ~* '^https?://[^/?#]+' THEN pg_catalog.substring(f.uri, '(?i)^(https?://[^/?#]+)')
            ELSE f.uri END,
       CASE WHEN f.uri IS NOT NULL THEN f.uri || coalesce(':' || f.line, '') ELSE f.logical END,
       coalesce(f.message, f.rule->'fullDescription'->>'text'),
       ids.urls,
       CASE WHEN f.given_fp IS NULL THEN CASE WHEN f.uri IS NOT NULL THEN f.uri || coalesce(':' || f.line, '') ELSE f.logical END
            ELSE f.uri END,
       pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('fingerprints', f.given_fp, 'logical', f.logical)),
       f.kind IN ('pass', 'notApplicable')
  FROM (
    -- per run: scanner name, rules by index and by id, repository; once per
    -- run (OFFSET 0 keeps the subquery from being pulled into the per-result
    -- rows).  Runs and results are read by position with path operators:
    -- document->'runs' and jsonb_array_elements() would copy the whole log
    -- (twice, and through a tuplestore) before the first result is mapped.
    SELECT x.run_no,
           pg_catalog.lower(coalesce(nullif(pg_catalog.btrim(document #>> ARRAY['runs', (x.run_no - 1)::text, 'tool', 'driver', 'name']), ''),
                                     'sarif')) AS scanner,
           a.rules, a.extensions,
           -- (the last rule of an id wins: driver rules over extension
           -- rules, and within each the later one, as in the C version)
           (SELECT pg_catalog.jsonb_object_agg(r->>'id', r ORDER BY src DESC, e_no, r_no)
              FROM (SELECT rr.r, 0 AS src, 0::bigint AS e_no, rr.r_no
                      FROM pg_catalog.jsonb_array_elements(a.rules) WITH ORDINALITY AS rr(r, r_no)
                    UNION ALL
                    SELECT rr.r, 1, ex.e_no, rr.r_no
                      FROM pg_catalog.jsonb_array_elements(a.extensions) WITH ORDINALITY AS ex(e, e_no),
                           pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(ex.e->'rules') = 'array' THEN ex.e->'rules' ELSE '[]' END)
                               WITH ORDINALITY AS rr(r, r_no)) AS all_rules
             WHERE r->>'id' IS NOT NULL) AS rule_map,
           nullif(document #>> ARRAY['runs', (x.run_no - 1)::text, 'versionControlProvenance', '0', 'repositoryUri'], '') AS repository,
           document #> ARRAY['runs', (x.run_no - 1)::text, 'artifacts'] AS artifacts,
           a.results
      FROM pg_catalog.generate_series(1, CASE WHEN pg_catalog.jsonb_path_query_first(document, '$.runs.type()') #>> '{}' = 'array'
                                              THEN (pg_catalog.jsonb_path_query_first(document, '$.runs.size()'))::int
                                              ELSE pg_catalog.jsonb_array_length(document->'runs') END) AS x(run_no)
     CROSS JOIN LATERAL (
        SELECT CASE WHEN pg_catalog.jsonb_typeof(v.rules) = 'array' THEN v.rules ELSE '[]' END AS rules,
               CASE WHEN pg_catalog.jsonb_typeof(v.extensions) = 'array' THEN v.extensions ELSE '[]' END AS extensions,
               CASE WHEN pg_catalog.jsonb_typeof(v.results) = 'array' THEN v.results ELSE '[]' END AS results
          FROM (SELECT document #> ARRAY['runs', (x.run_no - 1)::text, 'tool', 'driver', 'rules'] AS rules,
                       document #> ARRAY['runs', (x.run_no - 1)::text, 'tool', 'extensions'] AS extensions,
                       document #> ARRAY['runs', (x.run_no - 1)::text, 'results'] AS results OFFSET 0) AS v
        OFFSET 0) AS a
    OFFSET 0) AS ru
 CROSS JOIN LATERAL pg_catalog.generate_series(1, pg_catalog.jsonb_array_length(ru.results)) AS i(res_no)
 CROSS JOIN LATERAL (SELECT ru.results->(i.res_no - 1)::int AS res, i.res_no OFFSET 0) AS y
 CROSS JOIN LATERAL (
    -- per result: the rule it refers to, and the fields read more than once
    SELECT ru.scanner, ru.repository, ru.run_no, y.res_no, y.res, rl.rule,
           coalesce(y.res->>'ruleId', y.res->'rule'->>'id', rl.rule->>'id') AS rid,
           coalesce(y.res->>'kind', 'fail') AS kind,
           coalesce(l.loc->'physicalLocation'->'artifactLocation'->>'uri',
                    CASE WHEN l.loc->'physicalLocation'->'artifactLocation'->>'index' ~ '^[0-9]{1,9}$'
                         THEN ru.artifacts->((l.loc->'physicalLocation'->'artifactLocation'->>'index')::int)->'location'->>'uri' END) AS uri,
           l.loc->'physicalLocation'->'region'->>'startLine' AS line,
           coalesce(l.loc->'logicalLocations'->0->>'fullyQualifiedName', l.loc->'logicalLocations'->0->>'name') AS logical,
           coalesce(nullif(y.res->'fingerprints', '{}'), nullif(y.res->'partialFingerprints', '{}')) AS given_fp,
           coalesce(y.res->'message'->>'text', y.res->'message'->>'markdown') AS message,
           coalesce(y.res->'properties'->>'security-severity', rl.rule->'properties'->>'security-severity') AS security_severity,
           p.props,
           -- the inputs of the identifier lists below, as text (see there)
           rl.rule->>'name' AS rule_name, rl.rule->'shortDescription'->>'text' AS rule_short,
           rl.rule->'fullDescription'->>'text' AS rule_full, rl.rule->>'helpUri' AS help_uri,
           (p.props->'references')::text AS refs, (y.res->'taxa')::text AS taxa, (rl.rule->'relationships')::text AS rels,
           (CASE WHEN pg_catalog.jsonb_typeof(p.props->'tags') = 'array' THEN p.props->'tags' ELSE '[]' END)::text AS tags
      FROM (SELECT coalesce(CASE WHEN ix.rule_index ~ '^[0-9]{1,9}$' THEN
                                CASE WHEN ix.component_index ~ '^[0-9]{1,9}$'
                                     THEN ru.extensions->(ix.component_index::int)->'rules'->(ix.rule_index::int)
                                     ELSE ru.rules->(ix.rule_index::int) END
                            END,
                            ru.rule_map->(coalesce(y.res->>'ruleId', y.res->'rule'->>'id'))) AS rule
              FROM (SELECT coalesce(y.res->>'ruleIndex', y.res->'rule'->>'index') AS rule_index,
                           y.res->'rule'->'toolComponent'->>'index' AS component_index) AS ix
            OFFSET 0) AS rl,
           LATERAL (SELECT y.res->'locations'->0 AS loc) AS l,
           LATERAL (SELECT coalesce(rl.rule->'properties', '{}') || coalesce(y.res->'properties', '{}') AS props OFFSET 0) AS p
    OFFSET 0) AS f
 CROSS JOIN LATERAL (
    -- ingest_title of the message, the rule's short description and name
    SELECT CASE WHEN pg_catalog.length(v.m) > 200 THEN pg_catalog.left(v.m, 199) || '…' ELSE v.m END AS message,
           CASE WHEN pg_catalog.length(v.s) > 200 THEN pg_catalog.left(v.s, 199) || '…' ELSE v.s END AS short,
           CASE WHEN pg_catalog.length(v.n) > 200 THEN pg_catalog.left(v.n, 199) || '…' ELSE v.n END AS name
      FROM (SELECT nullif(pg_catalog.btrim(pg_catalog.split_part(pg_catalog.btrim(f.message, E' \t\r\n'), E'\n', 1)), '') AS m,
                   nullif(pg_catalog.btrim(pg_catalog.split_part(pg_catalog.btrim(f.rule->'shortDescription'->>'text', E' \t\r\n'), E'\n', 1)), '') AS s,
                   nullif(pg_catalog.btrim(pg_catalog.split_part(pg_catalog.btrim(f.rule->>'name', E' \t\r\n'), E'\n', 1)), '') AS n
            OFFSET 0) AS v
    OFFSET 0) AS t
 CROSS JOIN LATERAL (
    -- ingest_cve_ids, ingest_cwe_ids and ingest_urls.  Their inputs come
    -- mostly from the rule, the same for many results; as a subquery of
    -- their own (OFFSET 0) the planner caches the lists by input (Memoize)
    -- instead of running the regular expressions, sorts and aggregates
    -- once per result.  The inputs are passed as text, not jsonb: jsonb
    -- equality treats 1.0 and 1 as equal, text does not, so a cached list
    -- is reused only for identical input.
    SELECT (SELECT coalesce(pg_catalog.array_agg(s.id ORDER BY s.id), '{}')
              FROM (SELECT DISTINCT pg_catalog.upper(m[1]) AS id
                      FROM pg_catalog.unnest(ARRAY[f.rid, f.rule_name, f.rule_short, f.rule_full]
                                             || ARRAY(SELECT pg_catalog.jsonb_array_elements_text(f.tags::jsonb))) AS c,
                           pg_catalog.regexp_matches(c, '(?:^|[^A-Za-z0-9])(cve-[0-9]{4}-[0-9]{4,})(?![0-9])', 'gi') AS m) AS s) AS cve_ids,
           (SELECT coalesce(pg_catalog.array_agg('CWE-' || s.n ORDER BY s.n), '{}')
              FROM (SELECT DISTINCT pg_catalog.substring(pg_catalog.lower(pg_catalog.btrim(c)), '(?:^|cwe[-_/: ]*)0*([0-9]{1,9})$')::bigint AS n
                      FROM pg_catalog.unnest(
                               ARRAY(SELECT x->>'id' FROM pg_catalog.jsonb_array_elements(
                                         CASE WHEN pg_catalog.jsonb_typeof(f.taxa::jsonb) = 'array' THEN f.taxa::jsonb ELSE '[]' END) AS x
                                      WHERE x->'toolComponent'->>'name' ILIKE 'cwe')
                               || ARRAY(SELECT rel->'target'->>'id' FROM pg_catalog.jsonb_array_elements(
                                            CASE WHEN pg_catalog.jsonb_typeof(f.rels::jsonb) = 'array' THEN f.rels::jsonb ELSE '[]' END) AS rel
                                         WHERE rel->'target'->'toolComponent'->>'name' ILIKE 'cwe')
                               || ARRAY(SELECT x FROM pg_catalog.jsonb_array_elements_text(f.tags::jsonb) AS x
                                         WHERE x ILIKE '%cwe%')) AS c) AS s
             WHERE s.n > 0) AS cwe_ids,
           -- (first appearance: the text, then the match within it)
           (SELECT coalesce(pg_catalog.array_agg(s.u ORDER BY s.first), '{}')
              FROM (SELECT mm.m[1] AS u, pg_catalog.min(ARRAY[x.ord, mm.m_no]) AS first
                      FROM pg_catalog.unnest(ARRAY[f.help_uri]
                                             || ARRAY(SELECT pg_catalog.jsonb_array_elements_text(
                                                          CASE WHEN pg_catalog.jsonb_typeof(f.refs::jsonb) = 'array' THEN f.refs::jsonb ELSE '[]' END)))
                           WITH ORDINALITY AS x(x, ord),
                           pg_catalog.regexp_matches(x.x, '(https?://[^\s<>"]+)', 'g') WITH ORDINALITY AS mm(m, m_no)
                     GROUP BY mm.m[1]) AS s) AS urls
    OFFSET 0) AS ids
 ORDER BY f.run_no, f.res_no
$$;
COMMENT ON FUNCTION @extschema@.map_sarif_reference(jsonb) IS 'The SQL definition of compmap.map_sarif(), slow; kept as the reference the C function is tested against.';

-- The function ingest calls.  The SET clause costs nothing here (one call
-- per document) and keeps the rule that every compmap function pins
-- search_path without an exception.
CREATE FUNCTION @extschema@.map_sarif(document jsonb) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_sarif'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_sarif(jsonb) IS 'Maps every result of every run of a SARIF 2.1.0 log to compmap.ingest_record (docs/ingest.md, SARIF).';

-- SARIF read from the document's text (src/ingest_sarif_stream.c): the rows
-- of map_sarif(document::jsonb) without the jsonb of the whole log, which
-- took about 20 times the document's size in memory while it was built.
-- Each result is built as a jsonb of its own and mapped by the code of
-- map_sarif; the errors are those of document::jsonb.  ingest uses it.
CREATE FUNCTION @extschema@.map_sarif_text(document text) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_sarif_text'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_sarif_text(text) IS 'The rows of compmap.map_sarif(document::jsonb), read from the text without building the jsonb of the whole log (docs/ingest.md, Size limit and memory).';

-- What ingest_parse needs of a JSON object before it builds anything: one
-- pass that builds no result (src/ingest_sarif_stream.c).
CREATE FUNCTION @extschema@.sarif_scan(document text, label text,
                                       OUT json_type text, OUT is_sarif boolean, OUT version text,
                                       OUT runs_type text, OUT scanners text[])
AS 'MODULE_PATHNAME', 'compmap_sarif_scan'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.sarif_scan(text, text) IS 'One pass over a JSON document: its jsonb_typeof, whether ingest_json_format() calls it sarif, version ->> text, jsonb_typeof of runs, and the scanner name of every run; malformed JSON raises 22P02 as ingest_parse_json(document, label) does.';

-- The same pass, with what detection and the Trivy, Grype and ZAP checks
-- of ingest_parse read: ingest_parse uses it for every JSON object and
-- array.
CREATE FUNCTION @extschema@.json_scan(document text, label text,
                                      OUT json_type text, OUT is_sarif boolean, OUT version text,
                                      OUT runs_type text, OUT scanners text[],
                                      OUT format text, OUT schema_version jsonb,
                                      OUT results_type text, OUT matches_type text, OUT site_type text)
AS 'MODULE_PATHNAME', 'compmap_json_scan'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.json_scan(text, text) IS 'sarif_scan, and the format ingest_json_format() gives the document (an object, or an array of Nuclei results), the SchemaVersion member (->), and jsonb_typeof of Results, of matches and of site; malformed JSON raises 22P02 as ingest_parse_json(document, label) does.';

-- Trivy JSON (SchemaVersion 2): vulnerabilities, misconfigurations and
-- secrets of every Result; licences are not findings.
--
-- compmap.map_trivy() is this function in C (src/ingest_trivy.c); this SQL
-- version is kept as its reference, the definition
-- test/scripts/trivy_grype_reference.sh compares it with, row by row.  A
-- change to the mapping goes into both.
CREATE FUNCTION @extschema@.map_trivy_reference(document jsonb) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
WITH artifact AS MATERIALIZED (
    SELECT CASE document->>'ArtifactType'
               WHEN 'container_image' THEN 'image' WHEN 'repository' THEN 'repository'
               WHEN 'vm' THEN 'host' WHEN 'filesystem' THEN 'file' WHEN 'rootfs' THEN 'file'
               ELSE 'other' END AS kind,
           coalesce(nullif(document->>'ArtifactName', ''), 'unnamed') AS name
), items AS MATERIALIZED (
    SELECT r->>'Target' AS target, r_no, 1 AS class, i, i_no
      FROM pg_catalog.jsonb_array_elements(@extschema@.ingest_array(document->'Results')) WITH ORDINALITY AS a(r, r_no),
           pg_catalog.jsonb_array_elements(@extschema@.ingest_array(r->'Vulnerabilities')) WITH ORDINALITY AS b(i, i_no)
    UNION ALL
    SELECT r->>'Target', r_no, 2, i, i_no
      FROM pg_catalog.jsonb_array_elements(@extschema@.ingest_array(document->'Results')) WITH ORDINALITY AS a(r, r_no),
           pg_catalog.jsonb_array_elements(@extschema@.ingest_array(r->'Misconfigurations')) WITH ORDINALITY AS b(i, i_no)
    UNION ALL
    SELECT r->>'Target', r_no, 3, i, i_no
      FROM pg_catalog.jsonb_array_elements(@extschema@.ingest_array(document->'Results')) WITH ORDINALITY AS a(r, r_no),
           pg_catalog.jsonb_array_elements(@extschema@.ingest_array(r->'Secrets')) WITH ORDINALITY AS b(i, i_no)
)
SELECT 'trivy',
       CASE class WHEN 1 THEN i->>'VulnerabilityID' WHEN 2 THEN coalesce(i->>'AVDID', i->>'ID') ELSE i->>'RuleID' END,
       CASE class
           WHEN 1 THEN coalesce(i->>'VulnerabilityID', 'vulnerability') || ' in ' || coalesce(i->>'PkgName', '?')
                       || coalesce(' ' || (i->>'InstalledVersion'), '') || coalesce(': ' || @extschema@.ingest_title(i->>'Title'), '')
           WHEN 2 THEN coalesce(@extschema@.ingest_title(i->>'Title'), i->>'ID', 'misconfiguration')
           ELSE coalesce(@extschema@.ingest_title(i->>'Title'), i->>'RuleID', 'secret') END,
       i->>'Severity',
       CASE WHEN class = 1 THEN
           coalesce(i->'CVSS'->(i->>'SeveritySource')->>'V40Vector', i->'CVSS'->(i->>'SeveritySource')->>'V3Vector',
                    i->'CVSS'->'nvd'->>'V40Vector', i->'CVSS'->'nvd'->>'V3Vector',
                    (SELECT coalesce(e.value->>'V40Vector', e.value->>'V3Vector')
                       FROM pg_catalog.jsonb_each(CASE WHEN pg_catalog.jsonb_typeof(i->'CVSS') = 'object' THEN i->'CVSS' ELSE '{}' END) AS e
                      WHERE coalesce(e.value->>'V40Vector', e.value->>'V3Vector') IS NOT NULL
                      ORDER BY e.key LIMIT 1)) END,
       CASE WHEN class = 1 THEN @extschema@.ingest_cve_ids(ARRAY[i->>'VulnerabilityID']) ELSE '{}' END,
       CASE WHEN class = 1 THEN @extschema@.ingest_cwe_ids(ARRAY(SELECT pg_catalog.jsonb_array_elements_text(@extschema@.ingest_array(i->'CweIDs'))))
            ELSE '{}' END,
       artifact.kind, artifact.name,
       CASE class
           WHEN 1 THEN target || coalesce(' ' || (i->>'PkgPath'), '')
           WHEN 2 THEN target || coalesce(':' || (i->'CauseMetadata'->>'StartLine'), '')
           ELSE target || coalesce(':' || (i->>'StartLine'), '') END,
       CASE class
           WHEN 1 THEN pg_catalog.concat_ws(E'\n\n', i->>'Description',
                                 'Package: ' || coalesce(i->>'PkgID', (i->>'PkgName') || '@' || (i->>'InstalledVersion')),
                                 'Fixed in: ' || (i->>'FixedVersion'))
           WHEN 2 THEN pg_catalog.concat_ws(E'\n\n', i->>'Description', i->>'Message', 'Resolution: ' || (i->>'Resolution'))
           ELSE pg_catalog.concat_ws(E'\n\n', 'Secret of category ' || (i->>'Category') || ' (rule ' || (i->>'RuleID') || ')') END,
       @extschema@.ingest_urls(ARRAY[i->>'PrimaryURL'] || ARRAY(SELECT pg_catalog.jsonb_array_elements_text(@extschema@.ingest_array(i->'References')))),
       CASE class WHEN 3 THEN target || coalesce(':' || (i->>'StartLine'), '') ELSE target END,
       CASE class
           WHEN 1 THEN pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                          'package', coalesce(i->>'PkgID', (i->>'PkgName') || '@' || (i->>'InstalledVersion')),
                          'path', i->>'PkgPath'))
           WHEN 2 THEN pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('resource', i->'CauseMetadata'->>'Resource'))
           ELSE pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('category', i->>'Category')) END,
       class = 2 AND pg_catalog.upper(coalesce(i->>'Status', 'FAIL')) = 'PASS'
  FROM items, artifact
 ORDER BY r_no, class, i_no
$$;
COMMENT ON FUNCTION @extschema@.map_trivy_reference(jsonb) IS 'The SQL definition of compmap.map_trivy(), slow; kept as the reference the C function is tested against.';

-- The function ingest calls; the SET clause costs nothing (one call per
-- document) and keeps the rule that every compmap function pins
-- search_path.
CREATE FUNCTION @extschema@.map_trivy(document jsonb) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_trivy'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_trivy(jsonb) IS 'Maps the vulnerabilities, misconfigurations and secrets of a Trivy JSON report (SchemaVersion 2) to compmap.ingest_record (docs/ingest.md, Trivy).';

-- Trivy read from the document's text (src/ingest_trivy_stream.c): the rows
-- of map_trivy(document::jsonb) without the jsonb of the whole report, each
-- item built as a jsonb of its own and mapped by the code of map_trivy; the
-- errors are those of document::jsonb.  ingest uses it.
CREATE FUNCTION @extschema@.map_trivy_text(document text) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_trivy_text'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_trivy_text(text) IS 'The rows of compmap.map_trivy(document::jsonb), read from the text without building the jsonb of the whole report (docs/ingest.md, Size limit and memory).';

-- Trivy's Kubernetes report (trivy k8s --format json): per cluster, a list
-- of resources, each with the Results of a standard report.  Current
-- releases write {ClusterName, Resources: [...]}, older ones
-- {ClusterName, Vulnerabilities: [...], Misconfigurations: [...]} (the two
-- lists holding resources, not items).  Each resource's Results are mapped
-- by map_trivy as the Results of a report of their own, whose artifact is
-- the resource: ClusterName/Namespace/Kind/Name, each segment as ->> reads
-- it, a missing or null one left empty (a cluster-scoped resource has no
-- Namespace).  Rows come per resource in document order (Resources, then
-- Vulnerabilities, then Misconfigurations), then in map_trivy's order.
CREATE FUNCTION @extschema@.map_trivy_k8s(document jsonb) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT m.scanner, m.rule_id, m.title, m.scanner_severity, m.cvss_vector, m.cve_ids, m.cwe_ids,
       m.asset_kind, m.asset_name, m.location, m.description, m.reference_urls, m.fp_location, m.fp_extra, m.skip
  FROM pg_catalog.unnest(ARRAY['Resources', 'Vulnerabilities', 'Misconfigurations']) WITH ORDINALITY AS l(list, l_no),
       pg_catalog.jsonb_array_elements(@extschema@.ingest_array(document -> l.list)) WITH ORDINALITY AS r(resource, r_no),
       @extschema@.map_trivy(pg_catalog.jsonb_build_object(
           'ArtifactName', pg_catalog.concat_ws('/', coalesce(document ->> 'ClusterName', ''),
                                                coalesce(r.resource ->> 'Namespace', ''),
                                                coalesce(r.resource ->> 'Kind', ''),
                                                coalesce(r.resource ->> 'Name', '')),
           'ArtifactType', 'kubernetes',
           'Results', r.resource -> 'Results')) WITH ORDINALITY AS m
 ORDER BY l.l_no, r.r_no, m.ordinality
$$;
COMMENT ON FUNCTION @extschema@.map_trivy_k8s(jsonb) IS 'Maps a Trivy Kubernetes report (ClusterName with Resources, or with Vulnerabilities and Misconfigurations) to compmap.ingest_record: each resource''s Results as compmap.map_trivy() maps a report named ClusterName/Namespace/Kind/Name (docs/ingest.md, Trivy).';

-- Grype JSON: one record per match.
--
-- compmap.map_grype() is this function in C (src/ingest_grype.c); this SQL
-- version is kept as its reference, the definition
-- test/scripts/trivy_grype_reference.sh compares it with, row by row.  A
-- change to the mapping goes into both.
CREATE FUNCTION @extschema@.map_grype_reference(document jsonb) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
WITH source AS MATERIALIZED (
    SELECT CASE document->'source'->>'type' WHEN 'image' THEN 'image' WHEN 'directory' THEN 'file' WHEN 'file' THEN 'file'
                ELSE 'other' END AS kind,
           coalesce(nullif(CASE WHEN pg_catalog.jsonb_typeof(document->'source'->'target') = 'object'
                                THEN document->'source'->'target'->>'userInput'
                                ELSE pg_catalog.btrim(document->'source'->>'target', '"') END, ''), 'unnamed') AS name
)
SELECT 'grype',
       v->>'id',
       coalesce(v->>'id', 'vulnerability') || ' in ' || coalesce(a->>'name', '?') || coalesce(' ' || (a->>'version'), ''),
       coalesce(v->>'severity', 'unknown'),
       (SELECT c->>'vector'
          FROM pg_catalog.jsonb_array_elements(@extschema@.ingest_array(v->'cvss')
                                               || coalesce((SELECT pg_catalog.jsonb_agg(c2)
                                                              FROM pg_catalog.jsonb_array_elements(@extschema@.ingest_array(m->'relatedVulnerabilities')) AS rv,
                                                                   pg_catalog.jsonb_array_elements(@extschema@.ingest_array(rv->'cvss')) AS c2), '[]'))
               WITH ORDINALITY AS x(c, n)
         WHERE c->>'vector' LIKE 'CVSS:%'
         ORDER BY (c->>'version') DESC, n LIMIT 1),
       @extschema@.ingest_cve_ids(ARRAY[v->>'id']
                                  || ARRAY(SELECT rv->>'id' FROM pg_catalog.jsonb_array_elements(@extschema@.ingest_array(m->'relatedVulnerabilities')) AS rv)),
       '{}'::text[],
       source.kind, source.name,
       coalesce(a->'locations'->0->>'path', a->>'purl', a->>'name'),
       pg_catalog.concat_ws(E'\n\n', coalesce(v->>'description',
                                   (SELECT rv->>'description' FROM pg_catalog.jsonb_array_elements(@extschema@.ingest_array(m->'relatedVulnerabilities')) AS rv
                                     WHERE rv->>'description' IS NOT NULL LIMIT 1)),
                 'Package: ' || (a->>'name') || coalesce(' ' || (a->>'version'), '') || coalesce(' (' || (a->>'type') || ')', ''),
                 'Fixed in: ' || nullif(pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.jsonb_array_elements_text(@extschema@.ingest_array(v->'fix'->'versions'))), ', '), '')),
       @extschema@.ingest_urls(ARRAY[v->>'dataSource'] || ARRAY(SELECT pg_catalog.jsonb_array_elements_text(@extschema@.ingest_array(v->'urls')))),
       coalesce(a->'locations'->0->>'path', ''),
       pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('package', a->>'name', 'version', a->>'version',
                                                                  'type', a->>'type', 'purl', a->>'purl')),
       false
  FROM pg_catalog.jsonb_array_elements(document->'matches') WITH ORDINALITY AS x(m, m_no), source,
       LATERAL (SELECT m->'vulnerability' AS v, m->'artifact' AS a) AS va
 ORDER BY m_no
$$;
COMMENT ON FUNCTION @extschema@.map_grype_reference(jsonb) IS 'The SQL definition of compmap.map_grype(), slow; kept as the reference the C function is tested against.';

-- The function ingest calls (the SET clause as for map_trivy).
CREATE FUNCTION @extschema@.map_grype(document jsonb) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_grype'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_grype(jsonb) IS 'Maps the matches of a Grype JSON report to compmap.ingest_record (docs/ingest.md, Grype).';

-- Grype read from the document's text (src/ingest_grype_stream.c), as
-- map_trivy_text for Trivy.
CREATE FUNCTION @extschema@.map_grype_text(document text) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_grype_text'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_grype_text(text) IS 'The rows of compmap.map_grype(document::jsonb), read from the text without building the jsonb of the whole report (docs/ingest.md, Size limit and memory).';

-- OpenVAS / Greenbone GMP XML report: <result> elements under <results>.
-- The SQL definition, kept as the reference map_openvas_text (below) is
-- tested against (test/scripts/openvas_stream.sh).
CREATE FUNCTION @extschema@.map_openvas_reference(document xml) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
SELECT 'openvas',
       coalesce(nullif(r.oid, ''), r.name),
       coalesce(@extschema@.ingest_title(r.name), @extschema@.ingest_title(r.nvt_name), r.oid, 'OpenVAS result'),
       coalesce(nullif(r.threat, ''), @extschema@.severity_from_score(r.severity)),
       coalesce((pg_catalog.xpath('/result/nvt/severities/severity[starts-with(value, "CVSS:")]/value/text()', r.item))[1]::text,
                pg_catalog.substring(r.tags, 'cvss_base_vector=(CVSS:[34]\.[01]/[^|]*)')),
       @extschema@.ingest_cve_ids(pg_catalog.array_cat(
           pg_catalog.xpath('/result/nvt/refs/ref[@type="cve"]/@id', r.item)::text[],
           pg_catalog.xpath('/result/nvt/cve/text()', r.item)::text[])),
       @extschema@.ingest_cwe_ids(pg_catalog.xpath('/result/nvt/refs/ref[@type="cwe"]/@id', r.item)::text[]),
       'host', coalesce(nullif(r.host, ''), 'unknown'),
       nullif(r.port, ''),
       pg_catalog.concat_ws(E'\n\n', pg_catalog.substring(r.tags, '(?:^|\|)summary=([^|]*)'), nullif(pg_catalog.btrim(r.description), ''),
                 'Solution: ' || pg_catalog.substring(r.tags, '\|solution=([^|]*)')),
       @extschema@.ingest_urls(pg_catalog.xpath('/result/nvt/refs/ref[@type="url"]/@id', r.item)::text[]
                               || pg_catalog.xpath('/result/nvt/xref/text()', r.item)::text[]),
       nullif(r.port, ''),
       pg_catalog.jsonb_build_object('host', coalesce(nullif(r.host, ''), 'unknown'), 'port', coalesce(r.port, '')),
       false
  FROM XMLTABLE('//results/result' PASSING document
                COLUMNS name text PATH 'name',
                        host text PATH 'normalize-space(host/text()[1])',
                        port text PATH 'normalize-space(port)',
                        oid text PATH 'nvt/@oid',
                        nvt_name text PATH 'nvt/name',
                        tags text PATH 'nvt/tags',
                        threat text PATH 'threat',
                        severity text PATH 'severity',
                        description text PATH 'description',
                        item xml PATH '.') AS r
$$;
COMMENT ON FUNCTION @extschema@.map_openvas_reference(xml) IS 'The SQL definition of the OpenVAS mapping (XMLTABLE over the parsed document), slow on big files; kept as the reference compmap.map_openvas_text() is tested against.';

CREATE FUNCTION @extschema@.map_openvas(document xml) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM @extschema@.map_openvas_reference(document) $$;
COMMENT ON FUNCTION @extschema@.map_openvas(xml) IS 'Maps the results of an OpenVAS/Greenbone XML report to compmap.ingest_record (docs/ingest.md, OpenVAS); ingest reads OpenVAS with compmap.map_openvas_text() instead.';

-- OpenVAS read from the document's text with libxml2's streaming reader
-- (src/ingest_openvas_stream.c): the rows of map_openvas(document::xml)
-- without the tree of the whole report, one result held at a time; a
-- malformed document raises ingest_parse_xml(document, 'openvas')'s error.
-- ingest uses it.
CREATE FUNCTION @extschema@.map_openvas_text(document text) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_openvas_text'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_openvas_text(text) IS 'The rows of compmap.map_openvas(document::xml), read from the text without building the tree of the whole report (docs/ingest.md, Size limit and memory).';

-- Nessus (.nessus, NessusClientData_v2): one record per ReportItem.  The
-- SQL definition, kept as the reference map_nessus_text (below) is tested
-- against (test/scripts/nessus_stream.sh).
CREATE FUNCTION @extschema@.map_nessus_reference(document xml) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
SELECT 'nessus',
       r.plugin_id,
       coalesce(@extschema@.ingest_title(r.plugin_name), 'Nessus plugin ' || r.plugin_id),
       CASE r.sev WHEN '0' THEN 'info' WHEN '1' THEN 'low' WHEN '2' THEN 'medium' WHEN '3' THEN 'high' WHEN '4' THEN 'critical'
                  ELSE r.risk_factor END,
       coalesce(nullif(pg_catalog.btrim(r.cvss4), ''),
                CASE WHEN pg_catalog.btrim(r.cvss3) LIKE 'CVSS:%' THEN pg_catalog.btrim(r.cvss3)
                     WHEN nullif(pg_catalog.btrim(r.cvss3), '') IS NOT NULL THEN 'CVSS:3.0/' || pg_catalog.btrim(r.cvss3) END),
       @extschema@.ingest_cve_ids(pg_catalog.xpath('/ReportItem/cve/text()', r.item)::text[]),
       @extschema@.ingest_cwe_ids(pg_catalog.array_cat(pg_catalog.xpath('/ReportItem/cwe/text()', r.item)::text[],
                                  ARRAY(SELECT x FROM pg_catalog.unnest(pg_catalog.xpath('/ReportItem/xref/text()', r.item)::text[]) AS x
                                         WHERE x ILIKE 'CWE:%'))),
       'host', coalesce(nullif(r.host, ''), 'unknown'),
       coalesce(r.port, '0') || '/' || coalesce(r.protocol, '') || coalesce(' (' || nullif(r.svc, '') || ')', ''),
       pg_catalog.concat_ws(E'\n\n', nullif(pg_catalog.btrim(r.synopsis), ''), nullif(pg_catalog.btrim(r.description), ''), 'Solution: ' || nullif(pg_catalog.btrim(r.solution), '')),
       -- every see_also child: Nessus writes one with the URLs on lines,
       -- Tenable's web application scanner one per URL
       @extschema@.ingest_urls(ARRAY(SELECT s.v FROM XMLTABLE('/ReportItem/see_also' PASSING r.item
                                                               COLUMNS n FOR ORDINALITY, v text PATH '.') AS s
                                      ORDER BY s.n)),
       coalesce(r.port, '0') || '/' || coalesce(r.protocol, ''),
       pg_catalog.jsonb_build_object('host', coalesce(nullif(r.host, ''), 'unknown')),
       false
  FROM XMLTABLE('/NessusClientData_v2/Report/ReportHost/ReportItem' PASSING document
                COLUMNS host text PATH '../@name',
                        plugin_id text PATH '@pluginID',
                        plugin_name text PATH '@pluginName',
                        port text PATH '@port',
                        protocol text PATH '@protocol',
                        svc text PATH '@svc_name',
                        sev text PATH '@severity',
                        risk_factor text PATH 'risk_factor',
                        synopsis text PATH 'synopsis',
                        description text PATH 'description',
                        solution text PATH 'solution',
                        cvss3 text PATH 'cvss3_vector',
                        cvss4 text PATH 'cvss4_vector',
                        item xml PATH '.') AS r
$$;
COMMENT ON FUNCTION @extschema@.map_nessus_reference(xml) IS 'The SQL definition of the Nessus mapping (XMLTABLE over the parsed document), slow on big files; kept as the reference compmap.map_nessus_text() is tested against.';

CREATE FUNCTION @extschema@.map_nessus(document xml) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM @extschema@.map_nessus_reference(document) $$;
COMMENT ON FUNCTION @extschema@.map_nessus(xml) IS 'Maps the ReportItems of a Nessus v2 file to compmap.ingest_record (docs/ingest.md, Nessus); ingest reads Nessus with compmap.map_nessus_text() instead.';

-- Nessus read from the document's text with libxml2's streaming reader
-- (src/ingest_nessus_stream.c): the rows of map_nessus(document::xml)
-- without the tree of the whole file, one ReportItem held at a time; a
-- malformed document raises ingest_parse_xml(document, 'nessus')'s error.
-- ingest uses it.
CREATE FUNCTION @extschema@.map_nessus_text(document text) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_nessus_text'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_nessus_text(text) IS 'The rows of compmap.map_nessus(document::xml), read from the text without building the tree of the whole file (docs/ingest.md, Size limit and memory).';

-- What ingest_parse needs of an XML document, read with the streaming
-- reader (src/ingest_xml_stream.c) instead of parsing it whole: the root
-- element, whether a Nessus file has a Report and whether an OpenVAS
-- report has results.  A document of the formats read from the text is
-- read to its end (malformed XML fails here); for another root only the
-- start is read.
CREATE FUNCTION @extschema@.xml_scan(document text, label text, OUT root_name text, OUT nessus_report boolean,
                                     OUT openvas_results boolean)
AS 'MODULE_PATHNAME', 'compmap_xml_scan'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.xml_scan(text, text) IS 'The name of the root element (XPath name(/*)), whether /NessusClientData_v2/Report exists and whether //results does; malformed XML raises 22P02 as ingest_parse_xml(document, label) does.  When the root is not NessusClientData_v2, report, get_reports_response or OWASPZAPReport only the start of the document is read.';

-- OWASP ZAP traditional JSON report: alerts of every site.
--
-- compmap.map_zap_text() is this mapping in C, reading the report's text
-- one alert at a time (src/ingest_zap.c); this SQL version is kept as its
-- reference, the definition test/scripts/zap_nuclei_stream.sh compares it
-- with, row by row.  A change to the mapping goes into both.
CREATE FUNCTION @extschema@.map_zap_reference(document jsonb) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
SELECT 'zap',
       coalesce(a->>'alertRef', a->>'pluginid'),
       coalesce(@extschema@.ingest_title(a->>'name'), @extschema@.ingest_title(a->>'alert'), 'ZAP alert ' || (a->>'pluginid')),
       CASE a->>'riskcode' WHEN '0' THEN 'info' WHEN '1' THEN 'low' WHEN '2' THEN 'medium' WHEN '3' THEN 'high'
                           ELSE pg_catalog.split_part(a->>'riskdesc', ' ', 1) END,
       NULL,
       '{}'::text[],
       @extschema@.ingest_cwe_ids(ARRAY[a->>'cweid']),
       'url', coalesce(nullif(s->>'@name', ''), 'unknown'),
       coalesce(a->'instances'->0->>'uri', s->>'@name'),
       pg_catalog.concat_ws(E'\n\n', @extschema@.ingest_strip_html(a->>'desc'), 'Solution: ' || @extschema@.ingest_strip_html(a->>'solution'),
                 'Instances: ' || coalesce(a->>'count', pg_catalog.jsonb_array_length(@extschema@.ingest_array(a->'instances'))::text)),
       @extschema@.ingest_urls(ARRAY[a->>'reference']),
       NULL,
       '{}'::jsonb,
       false
  FROM pg_catalog.jsonb_array_elements(document->'site') WITH ORDINALITY AS x(s, s_no),
       pg_catalog.jsonb_array_elements(@extschema@.ingest_array(s->'alerts')) WITH ORDINALITY AS y(a, a_no)
 ORDER BY s_no, a_no
$$;
COMMENT ON FUNCTION @extschema@.map_zap_reference(jsonb) IS 'The SQL definition of compmap.map_zap() and compmap.map_zap_text(); kept as the reference the text reader is tested against.';

CREATE FUNCTION @extschema@.map_zap(document jsonb) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM @extschema@.map_zap_reference(document) $$;
COMMENT ON FUNCTION @extschema@.map_zap(jsonb) IS 'Maps the alerts of an OWASP ZAP traditional JSON report to compmap.ingest_record (docs/ingest.md, ZAP); ingest reads ZAP JSON with compmap.map_zap_text() instead.';

-- ZAP JSON read from the document's text (src/ingest_zap.c): the rows of
-- map_zap(document::jsonb), in the same order and with the same errors,
-- one alert held as jsonb at a time instead of the jsonb of the whole
-- report.  ingest uses it.
CREATE FUNCTION @extschema@.map_zap_text(document text) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_zap_text'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_zap_text(text) IS 'The rows of compmap.map_zap(document::jsonb), read from the text one alert at a time without the jsonb of the whole report (docs/ingest.md, Size limit and memory).';

-- OWASP ZAP traditional XML report (plain and "xml-plus").  The SQL
-- definition, kept as the reference map_zap_xml_text (below) is tested
-- against (test/scripts/zap_xml_stream.sh).
CREATE FUNCTION @extschema@.map_zap_xml_reference(document xml) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
SELECT 'zap',
       coalesce(nullif(a.alert_ref, ''), a.plugin_id),
       coalesce(@extschema@.ingest_title(a.name), @extschema@.ingest_title(a.alert), 'ZAP alert ' || a.plugin_id),
       CASE a.riskcode WHEN '0' THEN 'info' WHEN '1' THEN 'low' WHEN '2' THEN 'medium' WHEN '3' THEN 'high'
                       ELSE pg_catalog.split_part(a.riskdesc, ' ', 1) END,
       NULL,
       '{}'::text[],
       @extschema@.ingest_cwe_ids(ARRAY[a.cweid]),
       'url', coalesce(nullif(a.site, ''), 'unknown'),
       coalesce(nullif(a.uri, ''), a.site),
       pg_catalog.concat_ws(E'\n\n', @extschema@.ingest_strip_html(a.descr), 'Solution: ' || @extschema@.ingest_strip_html(a.solution),
                 'Instances: ' || nullif(a.count, '')),
       @extschema@.ingest_urls(ARRAY[a.reference]),
       NULL,
       '{}'::jsonb,
       false
  FROM XMLTABLE('/OWASPZAPReport/site/alerts/alertitem' PASSING document
                COLUMNS site text PATH '../../@name',
                        plugin_id text PATH 'pluginid',
                        alert_ref text PATH 'alertRef',
                        alert text PATH 'alert',
                        name text PATH 'name',
                        riskcode text PATH 'riskcode',
                        riskdesc text PATH 'riskdesc',
                        descr text PATH 'desc',
                        solution text PATH 'solution',
                        reference text PATH 'reference',
                        cweid text PATH 'cweid',
                        count text PATH 'count',
                        uri text PATH 'normalize-space((instances/instance/uri | uri)[1])') AS a
$$;
COMMENT ON FUNCTION @extschema@.map_zap_xml_reference(xml) IS 'The SQL definition of the ZAP XML mapping (XMLTABLE over the parsed document), slow on big files; kept as the reference compmap.map_zap_xml_text() is tested against.';

CREATE FUNCTION @extschema@.map_zap_xml(document xml) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM @extschema@.map_zap_xml_reference(document) $$;
COMMENT ON FUNCTION @extschema@.map_zap_xml(xml) IS 'Maps the alertitems of an OWASP ZAP traditional XML report to compmap.ingest_record (docs/ingest.md, ZAP); ingest reads ZAP XML with compmap.map_zap_xml_text() instead.';

-- ZAP XML read from the document's text with libxml2's streaming reader
-- (src/ingest_zap_xml_stream.c): the rows of map_zap_xml(document::xml)
-- without the tree of the whole report, one alertitem held at a time (its
-- instances read past); a malformed document raises
-- ingest_parse_xml(document, 'zap')'s error.  ingest uses it.
CREATE FUNCTION @extschema@.map_zap_xml_text(document text) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_zap_xml_text'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_zap_xml_text(text) IS 'The rows of compmap.map_zap_xml(document::xml), read from the text without building the tree of the whole report (docs/ingest.md, Size limit and memory).';

-- Nuclei JSON lines (v2 and v3 field names, and the older templateID /
-- matched / matcher_name), given as a JSON array of the line objects.
--
-- compmap.map_nuclei_text() is this mapping in C, reading the document's
-- text one line at a time (src/ingest_nuclei.c); this SQL version is kept
-- as its reference, the definition test/scripts/zap_nuclei_stream.sh
-- compares it with, row by row.  A change to the mapping goes into both.
CREATE FUNCTION @extschema@.map_nuclei_reference(lines jsonb) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
SELECT 'nuclei',
       tid,
       coalesce(@extschema@.ingest_title(l->'info'->>'name'), tid, 'Nuclei result')
           || coalesce(' [' || nullif(matcher, '') || ']', ''),
       coalesce(l->'info'->>'severity', 'unknown'),
       l->'info'->'classification'->>'cvss-metrics',
       @extschema@.ingest_cve_ids(ARRAY(SELECT pg_catalog.jsonb_array_elements_text(@extschema@.ingest_array(l->'info'->'classification'->'cve-id')))
                                  || CASE WHEN tid ~* '^cve-' THEN ARRAY[tid] ELSE '{}'::text[] END),
       @extschema@.ingest_cwe_ids(ARRAY(SELECT pg_catalog.jsonb_array_elements_text(@extschema@.ingest_array(l->'info'->'classification'->'cwe-id')))),
       'url', coalesce(nullif(l->>'host', ''), matched, 'unknown'),
       matched,
       l->'info'->>'description',
       @extschema@.ingest_urls(CASE pg_catalog.jsonb_typeof(l->'info'->'reference')
                                   WHEN 'array' THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text(l->'info'->'reference'))
                                   ELSE ARRAY[l->'info'->>'reference'] END),
       matched,
       pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('matcher', matcher, 'type', l->>'type')),
       false
  FROM pg_catalog.jsonb_array_elements(lines) WITH ORDINALITY AS x(l, n),
       LATERAL (SELECT coalesce(l->>'template-id', l->>'templateID', l->>'template') AS tid,
                       coalesce(l->>'matcher-name', l->>'matcher_name') AS matcher,
                       coalesce(l->>'matched-at', l->>'matched') AS matched) AS k
 ORDER BY n
$$;
COMMENT ON FUNCTION @extschema@.map_nuclei_reference(jsonb) IS 'The SQL definition of compmap.map_nuclei() and compmap.map_nuclei_text(); kept as the reference the text reader is tested against.';

-- The mapping over jsonb, for callers that have the lines as a JSON array
-- (ingest maps a single Nuclei object this way).
CREATE FUNCTION @extschema@.map_nuclei(lines jsonb) RETURNS SETOF @extschema@.ingest_record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM @extschema@.map_nuclei_reference(lines) $$;
COMMENT ON FUNCTION @extschema@.map_nuclei(jsonb) IS 'Maps Nuclei JSON-lines results (as a JSON array of the line objects) to compmap.ingest_record (docs/ingest.md, Nuclei); ingest reads Nuclei JSON lines with compmap.map_nuclei_text() instead.';

-- Nuclei read from the document's text (src/ingest_nuclei.c): the rows of
-- map_nuclei(ingest_parse_jsonl(document, 'nuclei')), in the same order
-- and with the same errors, one line (or element of a JSON array) held as
-- jsonb at a time instead of the jsonb array of every line.  ingest uses it.
CREATE FUNCTION @extschema@.map_nuclei_text(document text) RETURNS SETOF @extschema@.ingest_record
AS 'MODULE_PATHNAME', 'compmap_map_nuclei_text'
LANGUAGE C STRICT STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.map_nuclei_text(text) IS 'The rows of compmap.map_nuclei(compmap.ingest_parse_jsonl(document, ''nuclei'')), read from the text one line at a time without the jsonb of the whole document (docs/ingest.md, Size limit and memory).';

-- Parsing and format detection ---------------------------------------------

-- SHA-256 of the document's bytes (its text in the database encoding), as
-- sha256(textsend(document)) gives it, without copying the document first.
CREATE FUNCTION @extschema@.document_sha256(document text) RETURNS bytea
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_document_sha256';
COMMENT ON FUNCTION @extschema@.document_sha256(text) IS 'SHA-256 of a document''s text as stored (the value sha256(textsend(document)) gives), read in place; what compmap.scan.document_sha256 records.';

-- A JSON document's \u0000 escapes as \ufffd (src/ingest_json_nul.c): text,
-- so jsonb, cannot hold NUL, and real scanner output has it.  NULL when
-- the document has none or is not JSON.
CREATE FUNCTION @extschema@.json_nul_replaced(document text) RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_json_nul_replaced';
COMMENT ON FUNCTION @extschema@.json_nul_replaced(text) IS 'A JSON or JSON-lines document with every \u0000 escape written as \ufffd (U+FFFD), or NULL when it has none or does not start with { or [; ingest reads such documents through it (docs/ingest.md).';

CREATE FUNCTION @extschema@.ingest_parse_json(document text, format text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    msg text;
    detail text;
    context text;
BEGIN
    RETURN document::jsonb;
EXCEPTION WHEN data_exception THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL, context = PG_EXCEPTION_CONTEXT;
    RAISE EXCEPTION 'malformed % document: %', format, msg
        USING ERRCODE = 'invalid_text_representation',
              DETAIL = pg_catalog.concat_ws(' ', nullif(detail, ''),
                                 (SELECT pg_catalog.rtrim(l) FROM pg_catalog.regexp_split_to_table(context, E'\n') AS l WHERE l LIKE 'JSON data, line %' LIMIT 1)),
              HINT = 'The whole document must be one JSON value, as the scanner wrote it.';
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_parse_json(text, text) IS 'Parses a JSON document; on bad input raises SQLSTATE 22P02 naming the format and the line.';

CREATE FUNCTION @extschema@.ingest_parse_xml(document text, format text) RETURNS xml
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    msg text;
    detail text;
BEGIN
    RETURN XMLPARSE (DOCUMENT document);
EXCEPTION WHEN data_exception THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RAISE EXCEPTION 'malformed % document: %', format, msg
        USING ERRCODE = 'invalid_text_representation',
              DETAIL = nullif(pg_catalog.split_part(detail, E'\n', 1), ''),
              HINT = 'The document must be well-formed XML, as the scanner wrote it.';
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_parse_xml(text, text) IS 'Parses an XML document; on bad input raises SQLSTATE 22P02 naming the format and the libxml2 line and message.';

-- JSON lines: one JSON object per non-empty line (Nuclei -jsonl); a JSON
-- array of objects (Nuclei -json-export) is accepted too.
CREATE FUNCTION @extschema@.ingest_parse_jsonl(document text, format text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lines text[];
    arr jsonb;
    bad_line integer;
    bad_msg text;
    bad_detail text;
    value jsonb;
BEGIN
    IF pg_catalog.ltrim(document, E' \t\r\n') LIKE '[%' THEN
        arr := @extschema@.ingest_parse_json(document, format);
    ELSE
        lines := pg_catalog.regexp_split_to_array(document, E'\r?\n');
        BEGIN
            arr := ('[' || pg_catalog.array_to_string(ARRAY(SELECT l FROM pg_catalog.unnest(lines) AS l WHERE pg_catalog.btrim(l, E' \t') <> ''), ',') || ']')::jsonb;
        EXCEPTION WHEN data_exception THEN
            arr := NULL;
        END;
        IF arr IS NULL
           OR pg_catalog.jsonb_array_length(arr) <> (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(lines) AS l WHERE pg_catalog.btrim(l, E' \t') <> '')
           OR EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements(arr) AS e WHERE pg_catalog.jsonb_typeof(e) <> 'object') THEN
            -- find the first offending line, for the error
            FOR i IN 1 .. pg_catalog.array_length(lines, 1) LOOP
                CONTINUE WHEN pg_catalog.btrim(lines[i], E' \t') = '';
                BEGIN
                    value := lines[i]::jsonb;
                    IF pg_catalog.jsonb_typeof(value) <> 'object' THEN
                        bad_line := i;
                        bad_msg := 'line is a JSON ' || pg_catalog.jsonb_typeof(value) || ', not an object';
                    END IF;
                EXCEPTION WHEN data_exception THEN
                    GET STACKED DIAGNOSTICS bad_msg = MESSAGE_TEXT, bad_detail = PG_EXCEPTION_DETAIL;
                    bad_line := i;
                END;
                EXIT WHEN bad_line IS NOT NULL;
            END LOOP;
            -- (a line that is not an object has no detail; RAISE refuses a
            -- NULL option)
            IF bad_detail IS NULL THEN
                RAISE EXCEPTION 'malformed % document: line %: %', format, coalesce(bad_line, 0), coalesce(bad_msg, 'not one JSON object per line')
                    USING ERRCODE = 'invalid_text_representation',
                          HINT = 'JSON lines need exactly one JSON object on every non-empty line.';
            END IF;
            RAISE EXCEPTION 'malformed % document: line %: %', format, bad_line, bad_msg
                USING ERRCODE = 'invalid_text_representation', DETAIL = bad_detail,
                      HINT = 'JSON lines need exactly one JSON object on every non-empty line.';
        END IF;
    END IF;
    IF pg_catalog.jsonb_typeof(arr) <> 'array'
       OR EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements(arr) AS e WHERE pg_catalog.jsonb_typeof(e) <> 'object') THEN
        RAISE EXCEPTION 'malformed % document: expected JSON objects, one per line', format
            USING ERRCODE = 'invalid_text_representation';
    END IF;
    RETURN arr;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_parse_jsonl(text, text) IS 'Parses JSON lines (or a JSON array of objects) into a JSON array; on bad input raises SQLSTATE 22P02 naming the format and the first bad line.  The reference of compmap.jsonl_scan() and compmap.map_nuclei_text(), which ingest uses.';

-- What ingest_parse needs of JSON lines: ingest_parse_jsonl's checks and
-- errors, one line at a time, building nothing (src/ingest_nuclei.c).
CREATE FUNCTION @extschema@.jsonl_scan(document text, label text) RETURNS void
AS 'MODULE_PATHNAME', 'compmap_jsonl_scan'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.jsonl_scan(text, text) IS 'Checks JSON lines (or a JSON array of objects) as compmap.ingest_parse_jsonl(document, label) does, with its errors, without building the jsonb of the document.';

-- The format a parsed JSON document is in, from its shape; NULL if none.
CREATE FUNCTION @extschema@.ingest_json_format(document jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN pg_catalog.jsonb_typeof(document) = 'object' THEN
            CASE WHEN document ? 'runs' OR (document->>'$schema') ILIKE '%sarif%' THEN 'sarif'
                 WHEN document ? 'SchemaVersion' OR (document ? 'ArtifactName' AND document ? 'Results') THEN 'trivy'
                 -- trivy k8s: Resources, or in older releases Vulnerabilities and Misconfigurations
                 WHEN document ? 'ClusterName'
                      AND (document ? 'Resources' OR document ? 'Vulnerabilities' OR document ? 'Misconfigurations') THEN 'trivy'
                 WHEN document ? 'matches' THEN 'grype'
                 WHEN document ? '@programName' OR (document ? 'site' AND document ? '@version') THEN 'zap'
                 WHEN document ? 'template-id' OR document ? 'templateID' OR document ? 'template' THEN 'nuclei'
            END
        WHEN pg_catalog.jsonb_typeof(document) = 'array' AND pg_catalog.jsonb_array_length(document) > 0
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements(document) AS e
                              WHERE NOT (e ? 'template-id' OR e ? 'templateID' OR e ? 'template')) THEN 'nuclei'
    END
$$;
COMMENT ON FUNCTION @extschema@.ingest_json_format(jsonb) IS 'The scanner format of a parsed JSON document, from its top-level keys (docs/ingest.md, detection); NULL when none matches.';

-- Detects (format 'auto') or checks the format, parses the document once and
-- checks the shape the mapping needs.  Raises 22P02 for malformed input and
-- 22023 for a document that is well-formed but not what the format needs.
CREATE FUNCTION @extschema@.ingest_parse(document text, format text,
                                         OUT format_name text, OUT parsed_json jsonb, OUT parsed_xml xml,
                                         OUT sarif_scanners text[], OUT xml_document boolean)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fmt text := pg_catalog.lower(pg_catalog.btrim(coalesce(format, 'auto')));
    head text;
    root text;
    expected text;
    v text;
    scan record;
    scanned boolean := false;
    xscan record;
    xscanned boolean := false;
BEGIN
    IF fmt NOT IN ('auto', 'sarif', 'trivy', 'grype', 'openvas', 'nessus', 'zap', 'nuclei') THEN
        RAISE EXCEPTION 'unknown scanner format "%"', format
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use auto, sarif, trivy, grype, openvas, nessus, zap or nuclei.';
    END IF;
    -- (the document itself, not a copy in a variable: an assignment would
    -- copy the whole text)
    IF pg_catalog.left(document, 1) = U&'\FEFF' THEN
        document := pg_catalog.substr(document, 2);      -- a byte order mark is not part of the JSON or XML
    END IF;
    head := pg_catalog.ltrim(pg_catalog.left(document, 1024), E' \t\r\n');
    -- (what tells a ZAP XML report from a ZAP JSON one when neither is parsed)
    xml_document := head LIKE '<%';

    IF fmt = 'auto' THEN
        IF head LIKE '<%' THEN
            -- The root from the streaming reader; a Nessus, OpenVAS or ZAP
            -- document is read whole by it (malformed XML fails here) and
            -- never parsed into xml; another root is parsed whole, as
            -- before, for the error a malformed document gives.
            xscan := @extschema@.xml_scan(document, 'XML');
            xscanned := true;
            root := xscan.root_name;
            IF root IS NULL OR root NOT IN ('NessusClientData_v2', 'report', 'get_reports_response', 'OWASPZAPReport') THEN
                parsed_xml := @extschema@.ingest_parse_xml(document, 'XML');
                root := (pg_catalog.xpath('name(/*)', parsed_xml))[1]::text;
            END IF;
            fmt := CASE root WHEN 'NessusClientData_v2' THEN 'nessus' WHEN 'report' THEN 'openvas'
                             WHEN 'get_reports_response' THEN 'openvas' WHEN 'OWASPZAPReport' THEN 'zap' END;
            IF fmt IS NULL THEN
                RAISE EXCEPTION 'cannot detect the scanner format: unknown XML root element <%>', root
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'compmap reads XML from OpenVAS/Greenbone (<report>), Nessus (<NessusClientData_v2>) and ZAP (<OWASPZAPReport>).';
            END IF;
        ELSIF head ~ '^\{\s*"(template-id|templateID|template)"\s*:' THEN
            fmt := 'nuclei';
        ELSIF head LIKE '{%' OR head LIKE '[%' THEN
            -- An object or array is read once without building its jsonb:
            -- SARIF, Trivy, Grype, ZAP and an array of Nuclei results are
            -- mapped from the text (map_<format>_text); only a single
            -- Nuclei object (one result) and an undetectable document are
            -- parsed into jsonb.
            scan := @extschema@.json_scan(document, 'JSON');
            scanned := true;
            IF scan.format IN ('sarif', 'trivy', 'grype', 'zap') OR (scan.format = 'nuclei' AND scan.json_type = 'array') THEN
                fmt := scan.format;
            END IF;
        END IF;
        IF fmt = 'auto' AND (head LIKE '{%' OR head LIKE '[%') THEN
            parsed_json := @extschema@.ingest_parse_json(document, 'JSON');
            fmt := @extschema@.ingest_json_format(parsed_json);
            IF fmt IS NULL AND pg_catalog.jsonb_typeof(parsed_json -> 0) = 'object' AND (parsed_json -> 0) ? 'Target' THEN
                -- (what Trivy wrote before SchemaVersion: the Results alone)
                RAISE EXCEPTION 'cannot detect the scanner format of this JSON document'
                    USING ERRCODE = 'invalid_parameter_value',
                          DETAIL = 'It looks like a Trivy report from before version 0.20 (a JSON array of results, without SchemaVersion).',
                          HINT = 'Scan again with a current Trivy: --format json writes SchemaVersion 2.';
            END IF;
            IF fmt IS NULL THEN
                RAISE EXCEPTION 'cannot detect the scanner format of this JSON document'
                    USING ERRCODE = 'invalid_parameter_value',
                          DETAIL = CASE WHEN pg_catalog.jsonb_typeof(parsed_json) = 'object'
                                        THEN 'Its top-level keys are: ' || (SELECT pg_catalog.string_agg(k, ', ' ORDER BY k)
                                                                              FROM (SELECT k FROM pg_catalog.jsonb_object_keys(parsed_json) AS k LIMIT 20) AS s) || '.'
                                        ELSE 'It is a JSON ' || pg_catalog.jsonb_typeof(parsed_json) || '.' END,
                          HINT = 'Name the format: sarif, trivy, grype, zap or nuclei.';
            END IF;
            IF fmt = 'nuclei' AND pg_catalog.jsonb_typeof(parsed_json) = 'object' THEN
                parsed_json := pg_catalog.jsonb_build_array(parsed_json);
            END IF;
        ELSIF fmt = 'auto' AND head ~ '^null' AND pg_catalog.btrim(document, E' \t\r\n') = 'null' THEN
            -- (what Trivy before 0.20 wrote for a scan that found nothing)
            RAISE EXCEPTION 'cannot detect the scanner format of this JSON document'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'It is the JSON literal null, which Trivy before version 0.20 wrote for a scan that found nothing.',
                      HINT = 'Scan again with a current Trivy: --format json writes SchemaVersion 2.';
        ELSIF fmt = 'auto' THEN
            RAISE EXCEPTION 'cannot detect the scanner format: the document is not JSON, JSON lines or XML'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = pg_catalog.format('It starts with %L.', pg_catalog.left(head, 20)),
                      HINT = 'Pass the file exactly as the scanner wrote it.';
        END IF;
    END IF;

    IF fmt = 'nessus' THEN
        -- No xml of the file: the checks come from the streaming reader,
        -- the rows from map_nessus_text.
        IF NOT xscanned THEN
            xscan := @extschema@.xml_scan(document, fmt);
            root := xscan.root_name;
        END IF;
        IF root IS DISTINCT FROM 'NessusClientData_v2' THEN
            -- (a document of another format: parsed whole, as before, so
            -- that a malformed one fails as before)
            PERFORM @extschema@.ingest_parse_xml(document, fmt);
            RAISE EXCEPTION '% document has root element <%>, expected <%>', fmt, root, 'NessusClientData_v2'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF NOT xscan.nessus_report THEN
            RAISE EXCEPTION 'nessus document has no Report element'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Expected /NessusClientData_v2/Report; this file holds no scan results (a policy-only export?).',
                      HINT = 'Export the scan results as a .nessus file.';
        END IF;
    ELSIF fmt = 'openvas' THEN
        -- No xml of the report either: the checks come from the streaming
        -- reader, the rows from map_openvas_text.
        IF NOT xscanned THEN
            xscan := @extschema@.xml_scan(document, fmt);
            root := xscan.root_name;
        END IF;
        IF root IS DISTINCT FROM 'report' AND root IS DISTINCT FROM 'get_reports_response' THEN
            -- (a document of another format: parsed whole, as before, so
            -- that a malformed one fails as before)
            PERFORM @extschema@.ingest_parse_xml(document, fmt);
            RAISE EXCEPTION '% document has root element <%>, expected <%>', fmt, root, 'report'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF NOT xscan.openvas_results THEN
            RAISE EXCEPTION 'openvas document has no results element'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Expected <results> inside <report>; a report exported without details cannot say what was not found.',
                      HINT = 'Export the report in the XML format with details.';
        END IF;
    ELSIF fmt = 'zap' AND head LIKE '<%' THEN
        -- A ZAP XML report is not parsed into xml either: the root comes
        -- from the streaming reader, the rows from map_zap_xml_text
        -- (xml_document tells ingest it is XML).
        IF NOT xscanned THEN
            xscan := @extschema@.xml_scan(document, fmt);
            root := xscan.root_name;
        END IF;
        IF root IS DISTINCT FROM 'OWASPZAPReport' THEN
            -- (a document of another format: parsed whole, as before, so
            -- that a malformed one fails as before)
            PERFORM @extschema@.ingest_parse_xml(document, fmt);
            RAISE EXCEPTION '% document has root element <%>, expected <%>', fmt, root, 'OWASPZAPReport'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    ELSIF fmt = 'nuclei' THEN
        -- No jsonb of the lines: ingest_parse_jsonl's checks one line at a
        -- time, the rows from map_nuclei_text.  (A single object detected
        -- by its keys was parsed above and is mapped from that.)
        IF parsed_json IS NULL THEN
            PERFORM @extschema@.jsonl_scan(document, fmt);
        END IF;
    ELSIF fmt = 'sarif' THEN
        -- No jsonb of the log: the checks and the scanners come from one
        -- pass over the text, the rows from map_sarif_text.
        IF NOT scanned THEN
            scan := @extschema@.json_scan(document, fmt);
        END IF;
        IF scan.json_type <> 'object' THEN
            RAISE EXCEPTION '% document is a JSON %, expected an object', fmt, scan.json_type
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v := scan.version;
        IF v IS DISTINCT FROM '2.1.0' THEN
            RAISE EXCEPTION 'unsupported SARIF version %', coalesce('"' || v || '"', '(none)')
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'The element $.version must be "2.1.0".',
                      HINT = 'compmap reads SARIF 2.1.0 logs; convert older logs with the SARIF multitool.';
        END IF;
        IF scan.runs_type IS DISTINCT FROM 'array' THEN
            RAISE EXCEPTION 'sarif document has no runs array'
                USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Expected an array at $.runs.';
        END IF;
        sarif_scanners := scan.scanners;
    ELSIF fmt IN ('trivy', 'grype') THEN
        -- No jsonb of the report either: the checks come from one pass
        -- over the text, the rows from map_<format>_text.
        IF NOT scanned THEN
            scan := @extschema@.json_scan(document, fmt);
        END IF;
        IF scan.json_type <> 'object' THEN
            RAISE EXCEPTION '% document is a JSON %, expected an object', fmt, scan.json_type
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF fmt = 'trivy' THEN
            IF scan.schema_version IS NOT NULL AND scan.schema_version #>> '{}' IS DISTINCT FROM '2' THEN
                RAISE EXCEPTION 'unsupported Trivy SchemaVersion %', scan.schema_version
                    USING ERRCODE = 'invalid_parameter_value', DETAIL = 'The element $.SchemaVersion must be 2.';
            END IF;
            IF scan.results_type NOT IN ('array', 'null') THEN
                RAISE EXCEPTION 'trivy document has no Results array'
                    USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Expected an array at $.Results.';
            END IF;
            IF scan.results_type IS NULL THEN
                -- No Results member: perhaps a Kubernetes report (trivy k8s),
                -- which is parsed into jsonb whole and mapped by
                -- map_trivy_k8s through ingest_map (one report per cluster:
                -- the accepted cost, docs/ingest.md, Size limit and memory).
                -- A standard report without Results has no results and is
                -- small; it goes on from the text as before.
                parsed_json := @extschema@.ingest_parse_json(document, fmt);
                IF parsed_json ?| ARRAY['ClusterName', 'Resources', 'Vulnerabilities', 'Misconfigurations'] THEN
                    SELECT m INTO v
                      FROM pg_catalog.unnest(ARRAY['Resources', 'Vulnerabilities', 'Misconfigurations']) WITH ORDINALITY AS u(m, n)
                     WHERE pg_catalog.jsonb_typeof(parsed_json -> m) NOT IN ('array', 'null')
                     ORDER BY n
                     LIMIT 1;
                    IF v IS NOT NULL THEN
                        RAISE EXCEPTION 'trivy document has no % array', v
                            USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Expected an array at $.%s.', v);
                    END IF;
                ELSE
                    parsed_json := NULL;        -- a standard report without results
                END IF;
            END IF;
        ELSIF scan.matches_type IS DISTINCT FROM 'array' THEN
            RAISE EXCEPTION 'grype document has no matches array'
                USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Expected an array at $.matches.';
        END IF;
    ELSE
        -- ZAP JSON, without jsonb too: the checks from one pass over the
        -- text, the rows from map_zap_text.
        IF NOT scanned THEN
            scan := @extschema@.json_scan(document, fmt);
        END IF;
        IF scan.json_type <> 'object' THEN
            RAISE EXCEPTION '% document is a JSON %, expected an object', fmt, scan.json_type
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF scan.site_type IS DISTINCT FROM 'array' THEN
            RAISE EXCEPTION 'zap document has no site array'
                USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Expected an array at $.site.';
        END IF;
    END IF;
    format_name := fmt;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_parse(text, text) IS 'Detects (format auto) or checks a document''s scanner format and the elements the mapping needs, reading the text (json_scan, jsonl_scan, xml_scan); parses into jsonb only a single Nuclei object, a Trivy report without Results (a Kubernetes report is mapped from that jsonb) or an undetectable JSON document, into xml only an XML document of an unknown root.';

CREATE FUNCTION @extschema@.detect_format(document text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (@extschema@.ingest_parse(document, 'auto')).format_name
$$;
COMMENT ON FUNCTION @extschema@.detect_format(text) IS 'The scanner format compmap.ingest() would detect for the document (sarif, trivy, grype, openvas, nessus, zap, nuclei); raises the ingest errors for malformed or unknown input.';

CREATE FUNCTION @extschema@.ingest_map(format text, json jsonb, xml xml) RETURNS SETOF @extschema@.ingest_record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
BEGIN
    CASE format
    WHEN 'sarif' THEN RETURN QUERY SELECT * FROM @extschema@.map_sarif(json);
    WHEN 'trivy' THEN
        -- (the rule of ingest_parse: no Results, but ClusterName or a
        -- Kubernetes report's list)
        IF NOT json ? 'Results' AND json ?| ARRAY['ClusterName', 'Resources', 'Vulnerabilities', 'Misconfigurations'] THEN
            RETURN QUERY SELECT * FROM @extschema@.map_trivy_k8s(json);
        ELSE
            RETURN QUERY SELECT * FROM @extschema@.map_trivy(json);
        END IF;
    WHEN 'grype' THEN RETURN QUERY SELECT * FROM @extschema@.map_grype(json);
    WHEN 'openvas' THEN RETURN QUERY SELECT * FROM @extschema@.map_openvas(xml);
    WHEN 'nessus' THEN RETURN QUERY SELECT * FROM @extschema@.map_nessus(xml);
    WHEN 'zap' THEN
        IF xml IS NOT NULL THEN
            RETURN QUERY SELECT * FROM @extschema@.map_zap_xml(xml);
        ELSE
            RETURN QUERY SELECT * FROM @extschema@.map_zap(json);
        END IF;
    WHEN 'nuclei' THEN RETURN QUERY SELECT * FROM @extschema@.map_nuclei(json);
    END CASE;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_map(text, jsonb, xml) IS 'Runs the mapping function of the format over the parsed document.';

-- The ingest ---------------------------------------------------------------

-- The worker behind compmap.ingest() (PL/pgSQL cannot have an input and an
-- output column both named format, as ingest's documented signature does).
CREATE FUNCTION @extschema@.ingest_document(tenant uuid, document text, format text, scanned_at timestamptz, source_label text,
                                            OUT scan uuid, OUT format_name text, OUT n_results bigint, OUT n_new bigint,
                                            OUT n_updated bigint, OUT n_reopened bigint, OUT n_resolved bigint, OUT n_skipped bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    t uuid := ingest_document.tenant;
    scan_at timestamptz := ingest_document.scanned_at;
    label text := nullif(pg_catalog.btrim(ingest_document.source_label), '');
    parsed record;
    sid uuid := pg_catalog.gen_random_uuid();
    scanners text[];
    digest bytea;
    n_not_seen bigint := 0;
    f record;
    sla integer[];
    missing uuid[];
    seen_again uuid[] := '{}';
    work_mem_before text;
    scope_extra jsonb := CASE WHEN label IS NULL THEN '{}'::jsonb ELSE pg_catalog.jsonb_build_object('scope', label) END;
    n_existing bigint;
    fid uuid;
    nul_free text;
BEGIN
    IF t IS NULL OR ingest_document.document IS NULL OR scan_at IS NULL THEN
        RAISE EXCEPTION 'ingest needs a tenant, a document and scanned_at'
            USING ERRCODE = 'not_null_violation';
    END IF;
    IF NOT pg_catalog.isfinite(scan_at) THEN
        RAISE EXCEPTION 'scanned_at must be a finite timestamp, not %', scan_at
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant AS x WHERE x.tenant_id = t) THEN
        RAISE EXCEPTION 'tenant % does not exist or is not visible to role "%"', t, CURRENT_USER
            USING ERRCODE = 'undefined_object';
    END IF;

    n_resolved := 0;
    -- The sorts below (document order, one row per fingerprint) and the
    -- new rows the finding.created trigger reads hold every mapped result;
    -- with the default 4 MB they went to temporary files.  The caller's
    -- setting is put back at the end, and a larger one is kept.
    work_mem_before := pg_catalog.current_setting('work_mem');
    IF pg_catalog.pg_size_bytes(work_mem_before) < 64 * 1024 * 1024 THEN
        PERFORM pg_catalog.set_config('work_mem', '64MB', true);
    END IF;
    -- The digest of the document as passed; then a JSON string's \u0000,
    -- which text cannot hold, is read as U+FFFD (the copy is made only
    -- when there is one).
    digest := @extschema@.document_sha256(ingest_document.document);
    nul_free := @extschema@.json_nul_replaced(ingest_document.document);
    IF nul_free IS NOT NULL THEN
        ingest_document.document := nul_free;
        nul_free := NULL;
    END IF;
    parsed := @extschema@.ingest_parse(ingest_document.document, ingest_document.format);
    -- (for SARIF every run's lower-cased driver name, read by ingest_parse)
    scanners := CASE WHEN parsed.format_name = 'sarif'
                     THEN ARRAY(SELECT DISTINCT s FROM pg_catalog.unnest(parsed.sarif_scanners) AS s ORDER BY 1)
                     ELSE ARRAY[parsed.format_name] END;

    -- One ingest per tenant at a time: two ingests of the same scope must
    -- not both create a finding or both decide what the other did not see.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('compmap.ingest ' || t::text, 0));

    -- The mapped records, with their fingerprints, in a transaction-local
    -- table; and each existing finding a result that is not skipped
    -- matches, with its status before this ingest, in a second, narrow one
    -- (writing the finding into every mapped row took two UPDATEs of the
    -- wide table, 0.3 s and 0.5 s for 50,000 rows).  The findings this
    -- ingest creates are not in it: they carry last_scan_id = this scan.
    IF pg_catalog.to_regclass('pg_temp.compmap_ingest_rows') IS NULL THEN
        CREATE TEMP TABLE compmap_ingest_rows (
            ord bigint, scanner text, rule_id text, title text, scanner_severity text, cvss_vector text,
            cve_ids text[], cwe_ids text[], asset_kind text, asset_name text, location text,
            description text, reference_urls text[], skip boolean, fingerprint bytea
        ) ON COMMIT DROP;
        CREATE TEMP TABLE compmap_ingest_found (
            fingerprint bytea PRIMARY KEY, finding_id uuid NOT NULL, prior_status text
        ) ON COMMIT DROP;
        CREATE INDEX compmap_ingest_found_finding ON pg_temp.compmap_ingest_found (finding_id);
        -- A 3,000-row sample is plenty for the joins below; the default
        -- target of 100 samples 30,000 rows (ANALYZE 0.13 s instead of
        -- 0.02 s for 50,000 results).
        ALTER TABLE pg_temp.compmap_ingest_rows
            ALTER ord SET STATISTICS 10, ALTER scanner SET STATISTICS 10, ALTER asset_kind SET STATISTICS 10,
            ALTER asset_name SET STATISTICS 10, ALTER skip SET STATISTICS 10, ALTER fingerprint SET STATISTICS 10;
        ALTER TABLE pg_temp.compmap_ingest_found
            ALTER fingerprint SET STATISTICS 10, ALTER finding_id SET STATISTICS 10, ALTER prior_status SET STATISTICS 10;
    ELSE
        DROP INDEX IF EXISTS pg_temp.compmap_ingest_rows_fp;
        TRUNCATE pg_temp.compmap_ingest_rows, pg_temp.compmap_ingest_found;
    END IF;
    -- Every format straight from the text by map_<format>_text (but a
    -- single Nuclei object and a Trivy Kubernetes report, which
    -- ingest_parse has parsed into jsonb and ingest_map maps)
    -- (no jsonb of the whole document; ingest_map's RETURN QUERY would hold
    -- every mapped row once more, and each CASE keeps the other formats
    -- from being read); the fingerprint is compmap.finding_fingerprint() of
    -- the result's fields, with the source label as "scope" in extra.
    INSERT INTO pg_temp.compmap_ingest_rows (ord, scanner, rule_id, title, scanner_severity, cvss_vector, cve_ids, cwe_ids,
                                             asset_kind, asset_name, location, description, reference_urls, skip, fingerprint)
    SELECT m.ordinality, m.scanner, m.rule_id, m.title, m.scanner_severity, m.cvss_vector,
           coalesce(m.cve_ids, '{}'), coalesce(m.cwe_ids, '{}'),
           CASE WHEN m.asset_name <> '' THEN m.asset_kind END, nullif(m.asset_name, ''),
           m.location, m.description, coalesce(m.reference_urls, '{}'), coalesce(m.skip, false),
           @extschema@.finding_fingerprint(m.scanner, m.rule_id, CASE WHEN m.asset_name <> '' THEN m.asset_kind END,
                                           nullif(m.asset_name, ''), m.fp_location, coalesce(m.fp_extra, '{}') || scope_extra)
      FROM (SELECT * FROM @extschema@.map_sarif_text(CASE WHEN parsed.format_name <> 'sarif' THEN NULL
                                                          WHEN pg_catalog.left(ingest_document.document, 1) = U&'\FEFF'
                                                          THEN pg_catalog.substr(ingest_document.document, 2)
                                                          ELSE ingest_document.document END) WITH ORDINALITY AS s
             WHERE parsed.format_name = 'sarif'
            UNION ALL
            SELECT * FROM @extschema@.map_trivy_text(CASE WHEN parsed.format_name <> 'trivy' OR parsed.parsed_json IS NOT NULL THEN NULL
                                                          WHEN pg_catalog.left(ingest_document.document, 1) = U&'\FEFF'
                                                          THEN pg_catalog.substr(ingest_document.document, 2)
                                                          ELSE ingest_document.document END) WITH ORDINALITY AS tv
             WHERE parsed.format_name = 'trivy' AND parsed.parsed_json IS NULL
            UNION ALL
            SELECT * FROM @extschema@.map_grype_text(CASE WHEN parsed.format_name <> 'grype' THEN NULL
                                                          WHEN pg_catalog.left(ingest_document.document, 1) = U&'\FEFF'
                                                          THEN pg_catalog.substr(ingest_document.document, 2)
                                                          ELSE ingest_document.document END) WITH ORDINALITY AS gr
             WHERE parsed.format_name = 'grype'
            UNION ALL
            SELECT * FROM @extschema@.map_nessus_text(CASE WHEN parsed.format_name <> 'nessus' THEN NULL
                                                           WHEN pg_catalog.left(ingest_document.document, 1) = U&'\FEFF'
                                                           THEN pg_catalog.substr(ingest_document.document, 2)
                                                           ELSE ingest_document.document END) WITH ORDINALITY AS ns
             WHERE parsed.format_name = 'nessus'
            UNION ALL
            SELECT * FROM @extschema@.map_openvas_text(CASE WHEN parsed.format_name <> 'openvas' THEN NULL
                                                            WHEN pg_catalog.left(ingest_document.document, 1) = U&'\FEFF'
                                                            THEN pg_catalog.substr(ingest_document.document, 2)
                                                            ELSE ingest_document.document END) WITH ORDINALITY AS ov
             WHERE parsed.format_name = 'openvas'
            UNION ALL
            SELECT * FROM @extschema@.map_zap_xml_text(CASE WHEN parsed.format_name <> 'zap' OR NOT parsed.xml_document THEN NULL
                                                            WHEN pg_catalog.left(ingest_document.document, 1) = U&'\FEFF'
                                                            THEN pg_catalog.substr(ingest_document.document, 2)
                                                            ELSE ingest_document.document END) WITH ORDINALITY AS zx
             WHERE parsed.format_name = 'zap' AND parsed.xml_document
            UNION ALL
            SELECT * FROM @extschema@.map_zap_text(CASE WHEN parsed.format_name <> 'zap' OR parsed.xml_document THEN NULL
                                                        WHEN pg_catalog.left(ingest_document.document, 1) = U&'\FEFF'
                                                        THEN pg_catalog.substr(ingest_document.document, 2)
                                                        ELSE ingest_document.document END) WITH ORDINALITY AS zp
             WHERE parsed.format_name = 'zap' AND NOT parsed.xml_document
            UNION ALL
            SELECT * FROM @extschema@.map_nuclei_text(CASE WHEN parsed.format_name <> 'nuclei' OR parsed.parsed_json IS NOT NULL THEN NULL
                                                           WHEN pg_catalog.left(ingest_document.document, 1) = U&'\FEFF'
                                                           THEN pg_catalog.substr(ingest_document.document, 2)
                                                           ELSE ingest_document.document END) WITH ORDINALITY AS nu
             WHERE parsed.format_name = 'nuclei' AND parsed.parsed_json IS NULL
            UNION ALL
            SELECT * FROM @extschema@.ingest_map(parsed.format_name, parsed.parsed_json, parsed.parsed_xml) WITH ORDINALITY AS o
             WHERE parsed.format_name IN ('nuclei', 'trivy') AND parsed.parsed_json IS NOT NULL) AS m;
    -- The index keeps every join with compmap.finding below cheap even when
    -- the planner's statistics for this tenant are stale (a nested loop over
    -- two unindexed sides of 50,000 rows took minutes).
    -- Statistics only for the columns the queries below join, filter or
    -- sort on: a full ANALYZE also sorts every text and array column of the
    -- sample (titles, descriptions, URLs) and took 0.3 s for 50,000 rows.
    CREATE INDEX compmap_ingest_rows_fp ON pg_temp.compmap_ingest_rows (fingerprint);
    ANALYZE pg_temp.compmap_ingest_rows (ord, scanner, asset_kind, asset_name, skip, fingerprint);

    -- Assets.
    INSERT INTO @extschema@.asset (tenant_id, kind, name)
    SELECT DISTINCT t, r.asset_kind, r.asset_name FROM pg_temp.compmap_ingest_rows AS r
     WHERE r.asset_kind IS NOT NULL AND NOT r.skip
    ON CONFLICT (tenant_id, kind, name) DO NOTHING;

    -- Existing findings, locked in a fixed order, with their status (FOR
    -- UPDATE returns each row as it is once locked).
    INSERT INTO pg_temp.compmap_ingest_found (fingerprint, finding_id, prior_status)
    SELECT x.fingerprint, x.finding_id, x.status::text FROM @extschema@.finding AS x
     WHERE x.tenant_id = t AND x.fingerprint IN (SELECT r.fingerprint FROM pg_temp.compmap_ingest_rows AS r WHERE NOT r.skip)
     ORDER BY x.finding_id FOR UPDATE OF x;
    ANALYZE pg_temp.compmap_ingest_found;

    -- New findings, in document order.  Severity and due date are given
    -- here, set-based, as finding_guard would compute them (its CASE is
    -- compmap.normalize_severity(); the days come from one sla_days() call
    -- per severity, not one per row); the guard computes the same severity
    -- again and keeps a due date that is given.  The category is
    -- compmap.ingest_category() written out, and ingest_cvss() (a
    -- subtransaction per call) runs only for text that can be a vector: a
    -- per-row call of a function that pins search_path cannot be inlined.
    sla := ARRAY[@extschema@.sla_days(t, 'critical'), @extschema@.sla_days(t, 'high'), @extschema@.sla_days(t, 'medium'),
                 @extschema@.sla_days(t, 'low'), @extschema@.sla_days(t, 'none')];
    PERFORM pg_catalog.set_config('compmap.actor', 'ingest', true);
    INSERT INTO @extschema@.finding AS x (tenant_id, fingerprint, title, scanner, rule_id, cve_ids, cwe_ids, category, cvss,
                                          scanner_severity, severity, asset_id, location, description, reference_urls,
                                          first_seen, last_seen, due_date, source_label, last_scan_id, last_scanned_at)
        SELECT t, r.fingerprint, r.title, r.scanner, r.rule_id, r.cve_ids, r.cwe_ids,
               CASE
                   WHEN pg_catalog.cardinality(r.cve_ids) > 0 OR r.rule_id ~ '^(CVE|GHSA|GO|PYSEC|RUSTSEC|OSV)-'
                       THEN CASE WHEN parsed.format_name IN ('nessus', 'openvas') THEN 'missing_patch' ELSE 'vulnerable_dependency' END
                   WHEN parsed.format_name = 'trivy' AND r.rule_id ~ '^(AVD|KSV|KCV|DS|AWS|AZU|GCP|GIT|DIG|OCI)-' THEN 'misconfiguration'
                   WHEN parsed.format_name = 'trivy' THEN 'secret'
                   WHEN parsed.format_name = 'grype' THEN 'vulnerable_dependency'
                   WHEN parsed.format_name = 'sarif' AND pg_catalog.lower(r.scanner) IN ('kics', 'checkov', 'tfsec', 'trivy', 'terrascan') THEN 'misconfiguration'
                   WHEN parsed.format_name = 'sarif' AND pg_catalog.lower(r.scanner) IN ('gitleaks', 'trufflehog', 'detect-secrets') THEN 'secret'
                   WHEN parsed.format_name IN ('sarif', 'zap') THEN 'code_weakness'
                   WHEN parsed.format_name = 'nuclei' THEN 'exposed_service'
                   WHEN parsed.format_name IN ('nessus', 'openvas') THEN 'misconfiguration'
               END,
               c.cvss, r.scanner_severity, c.severity, a.asset_id, r.location, r.description, r.reference_urls, scan_at, scan_at,
               (scan_at + pg_catalog.make_interval(days => sla[pg_catalog.array_position(ARRAY['critical', 'high', 'medium', 'low', 'none'], c.severity)]))::date,
               label, sid, scan_at
          FROM (SELECT DISTINCT ON (y.fingerprint) y.* FROM pg_temp.compmap_ingest_rows AS y
                 WHERE NOT y.skip ORDER BY y.fingerprint, y.ord) AS r
          LEFT JOIN @extschema@.asset AS a ON a.tenant_id = t AND a.kind = r.asset_kind AND a.name = r.asset_name
         CROSS JOIN LATERAL (
            SELECT v.cvss,
                   coalesce(@extschema@.cvss_severity(v.cvss),
                            CASE pg_catalog.lower(pg_catalog.btrim(r.scanner_severity))
                                WHEN 'critical' THEN 'critical' WHEN 'very high' THEN 'critical' WHEN 'urgent' THEN 'critical'
                                WHEN 'high' THEN 'high' WHEN 'important' THEN 'high' WHEN 'error' THEN 'high'
                                WHEN 'medium' THEN 'medium' WHEN 'moderate' THEN 'medium' WHEN 'warning' THEN 'medium'
                                WHEN 'low' THEN 'low' WHEN 'minor' THEN 'low' WHEN 'note' THEN 'low'
                                WHEN 'info' THEN 'none' WHEN 'informational' THEN 'none' WHEN 'none' THEN 'none' WHEN 'log' THEN 'none'
                                WHEN 'negligible' THEN 'none' WHEN 'unknown' THEN 'none'
                                ELSE NULL END,
                            'none') AS severity
              FROM (SELECT CASE WHEN pg_catalog.btrim(r.cvss_vector) ~ '^CVSS:(3\.[01]|4\.0)/'
                                THEN @extschema@.ingest_cvss(r.cvss_vector) END AS cvss
                    OFFSET 0) AS v) AS c
         WHERE NOT EXISTS (SELECT 1 FROM pg_temp.compmap_ingest_found AS fd WHERE fd.fingerprint = r.fingerprint)
         ORDER BY r.ord
    ;
    GET DIAGNOSTICS n_new = ROW_COUNT;

    -- Per result: skipped; new or reopened for the first result of a
    -- fingerprint (by prior status, the same for every row of it);
    -- else updated.
    -- (compmap_ingest_found has one row per existing finding that a result
    -- not skipped matched)
    SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE r.skip)
      INTO n_results, n_skipped
      FROM pg_temp.compmap_ingest_rows AS r;
    SELECT pg_catalog.count(*) FILTER (WHERE fd.prior_status IN ('fixed', 'verified')), pg_catalog.count(*)
      INTO n_reopened, n_existing
      FROM pg_temp.compmap_ingest_found AS fd;
    n_updated := n_results - n_new - n_reopened - n_skipped;

    -- Re-sightings: last_seen moves forward (never back, for a late upload
    -- of an older scan); the scope columns name this scan unless a newer
    -- scan of the scope already reported the finding, and a not-seen flag
    -- is cleared (its finding.seen_again events are written below, after
    -- the reopens and the not-seen decisions, so the ids are kept here).
    -- A finding first recorded by record_finding() joins the scope here.
    IF n_existing > 0 THEN
        seen_again := ARRAY(SELECT x.finding_id
                              FROM pg_temp.compmap_ingest_found AS fd
                              JOIN @extschema@.finding AS x ON x.tenant_id = t AND x.finding_id = fd.finding_id
                             WHERE fd.prior_status IS NOT NULL AND x.not_seen_since IS NOT NULL AND x.not_seen_since <= scan_at
                             ORDER BY x.finding_id);
        UPDATE @extschema@.finding AS x
           SET last_seen = GREATEST(x.last_seen, scan_at),
               source_label = CASE WHEN x.last_scan_id IS NULL THEN label ELSE x.source_label END,
               last_scan_id = CASE WHEN x.last_scanned_at IS NULL OR x.last_scanned_at <= scan_at THEN sid ELSE x.last_scan_id END,
               last_scanned_at = CASE WHEN x.last_scanned_at IS NULL OR x.last_scanned_at <= scan_at THEN scan_at ELSE x.last_scanned_at END,
               not_seen_since = CASE WHEN x.last_scanned_at IS NULL OR x.last_scanned_at <= scan_at THEN NULL ELSE x.not_seen_since END,
               not_seen_scan_id = CASE WHEN x.last_scanned_at IS NULL OR x.last_scanned_at <= scan_at THEN NULL ELSE x.not_seen_scan_id END
          FROM pg_temp.compmap_ingest_found AS s
         WHERE s.prior_status IS NOT NULL AND x.tenant_id = t AND x.finding_id = s.finding_id
           AND (x.last_seen < scan_at OR x.last_scanned_at IS NULL OR x.last_scanned_at <= scan_at);
    END IF;
    FOR f IN SELECT s.finding_id FROM (SELECT DISTINCT ON (r.fingerprint) fd.finding_id, r.ord
                                         FROM pg_temp.compmap_ingest_rows AS r
                                         JOIN pg_temp.compmap_ingest_found AS fd ON fd.fingerprint = r.fingerprint
                                        WHERE NOT r.skip AND fd.prior_status IN ('fixed', 'verified')
                                        ORDER BY r.fingerprint, r.ord) AS s
              ORDER BY s.ord LOOP
        PERFORM @extschema@.set_status(f.finding_id, 'reopened', 'ingest', 'seen again in scan ' || sid::text);
    END LOOP;

    -- Findings of the same scope that this scan did not report.  Only a scan
    -- newer than the finding's last sighting counts.  fixed -> verified;
    -- open findings are flagged, never closed; triage decisions are kept.
    -- The scope's findings this scan did not report are collected first and
    -- then looked up by key: with this tenant's statistics still stale
    -- (right after its first ingest) the planner estimated one row on both
    -- sides of the join below and chose a nested loop that scanned the
    -- whole scope once per finding (minutes for 50,000 findings).
    missing := ARRAY(SELECT c.finding_id FROM @extschema@.finding AS c
                      WHERE c.tenant_id = t AND c.scanner = ANY (scanners) AND c.source_label IS NOT DISTINCT FROM label
                        AND c.last_scan_id IS NOT NULL
                        AND c.last_scan_id <> sid
                        AND NOT EXISTS (SELECT 1 FROM pg_temp.compmap_ingest_found AS fd WHERE fd.finding_id = c.finding_id)
                        AND c.last_seen < scan_at);
    FOR f IN SELECT x.finding_id, x.status::text AS status, x.not_seen_since
               FROM @extschema@.finding AS x
              WHERE x.tenant_id = t AND x.finding_id = ANY (missing)
                AND x.scanner = ANY (scanners) AND x.source_label IS NOT DISTINCT FROM label AND x.last_scan_id IS NOT NULL
                AND x.last_seen < scan_at
              ORDER BY x.first_seen, x.finding_id
                FOR UPDATE OF x
    LOOP
        IF f.status = 'fixed' THEN
            PERFORM @extschema@.set_status(f.finding_id, 'verified', 'ingest',
                                           'not seen in scan ' || sid::text || ' of the same scope');
            n_resolved := n_resolved + 1;
        ELSIF f.status IN ('new', 'triaged', 'assigned', 'in_progress', 'reopened') AND f.not_seen_since IS NULL THEN
            UPDATE @extschema@.finding AS x SET not_seen_since = scan_at, not_seen_scan_id = sid
             WHERE x.tenant_id = t AND x.finding_id = f.finding_id;
            PERFORM @extschema@.record_event(t, f.finding_id, 'finding.not_seen', 'ingest',
                pg_catalog.jsonb_build_object('scan_id', sid, 'status', f.status), scan_at);
            n_not_seen := n_not_seen + 1;
        END IF;
    END LOOP;

    -- Flagged findings seen again.
    FOREACH fid IN ARRAY seen_again LOOP
        PERFORM @extschema@.record_event(t, fid, 'finding.seen_again', 'ingest',
                                         pg_catalog.jsonb_build_object('scan_id', sid), scan_at);
    END LOOP;

    INSERT INTO @extschema@.scan (tenant_id, scan_id, scanner, format, source_label, scanned_at, document_sha256, document_bytes,
                                  results, findings_new, findings_updated, findings_reopened, findings_resolved,
                                  findings_not_seen, results_skipped)
    VALUES (t, sid, pg_catalog.array_to_string(scanners, ', '), parsed.format_name, label, scan_at, digest,
            pg_catalog.octet_length(ingest_document.document), n_results, n_new, n_updated, n_reopened, n_resolved, n_not_seen, n_skipped);

    PERFORM @extschema@.record_event(t, sid, 'scan.ingested', 'ingest',
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'format', parsed.format_name, 'scanners', scanners, 'source_label', label,
            'document_sha256', pg_catalog.encode(digest, 'hex'), 'document_bytes', pg_catalog.octet_length(ingest_document.document),
            'results', n_results, 'new', n_new, 'updated', n_updated, 'reopened', n_reopened,
            'resolved', n_resolved, 'not_seen', n_not_seen, 'skipped', n_skipped)),
        scan_at);
    PERFORM pg_catalog.set_config('compmap.actor', '', true);
    PERFORM pg_catalog.set_config('work_mem', work_mem_before, true);

    scan := sid;
    format_name := parsed.format_name;
END
$$;
COMMENT ON FUNCTION @extschema@.ingest_document(uuid, text, text, timestamptz, text) IS 'The worker behind compmap.ingest(); same arguments and results.';

CREATE FUNCTION @extschema@.ingest(tenant uuid, document text, format text DEFAULT 'auto',
                                   scanned_at timestamptz DEFAULT pg_catalog.now(), source_label text DEFAULT NULL)
RETURNS TABLE (scan_id uuid, format text, results bigint, "new" bigint, updated bigint,
               reopened bigint, resolved bigint, skipped bigint)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM @extschema@.ingest_document($1, $2, $3, $4, $5)
$$;
COMMENT ON FUNCTION @extschema@.ingest(uuid, text, text, timestamptz, text) IS 'Ingests one scanner document (SARIF 2.1.0, Trivy, Grype, OpenVAS, Nessus, ZAP, Nuclei; format auto-detected or named) into findings in one transaction: creates, re-sights and reopens findings, verifies fixed findings of the same scope (tenant + scanner + source_label) that the scan no longer reports and flags open ones, records the scan (SHA-256, size, counts; never the document) in compmap.scan and the evidence log.';
