-- Findings: assets, scans, findings, their lifecycle, and SLA clocks.
-- Every status change and every finding creation is appended to the
-- tenant's evidence log by the trigger below; the log, not a second history
-- table, is the finding's history (view compmap.finding_history).
-- Behaviour: docs/findings.md.

CREATE TABLE @extschema@.asset (
    tenant_id   uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    asset_id    uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    kind        text        NOT NULL CHECK (kind IN ('host', 'image', 'package', 'repository', 'file', 'url', 'service', 'other')),
    name        text        NOT NULL CHECK (name <> ''),
    attributes  jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, asset_id),
    UNIQUE (tenant_id, kind, name)
);
COMMENT ON TABLE @extschema@.asset IS 'What findings are found on: hosts, container images, packages, repositories, files, URLs.';

CREATE TABLE @extschema@.scan (
    tenant_id       uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    scan_id         uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    scanner         text        NOT NULL,
    format          text        NOT NULL,
    source_label    text,
    scanned_at      timestamptz NOT NULL,
    document_sha256 bytea       NOT NULL CHECK (pg_catalog.length(document_sha256) = 32),
    document_bytes  bigint      NOT NULL CHECK (document_bytes >= 0),
    results         bigint      NOT NULL DEFAULT 0,
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, scan_id)
);
COMMENT ON TABLE @extschema@.scan IS 'One row per ingested scanner document: its digest, size and counts, never the document itself.';

-- Days to fix by severity; tenants without a row use the defaults in
-- compmap.sla_days().
CREATE TABLE @extschema@.sla_policy (
    tenant_id   uuid NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    severity    text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'none')),
    days_to_fix integer NOT NULL CHECK (days_to_fix > 0),
    PRIMARY KEY (tenant_id, severity)
);
COMMENT ON TABLE @extschema@.sla_policy IS 'Per-tenant days-to-fix by severity; defaults: critical 7, high 30, medium 90, low 120, none 365.';

CREATE TABLE @extschema@.finding (
    tenant_id           uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    finding_id          uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    fingerprint         bytea       NOT NULL CHECK (pg_catalog.length(fingerprint) = 32),
    title               text        NOT NULL CHECK (title <> ''),
    scanner             text,
    rule_id             text,
    cve_ids             text[]      NOT NULL DEFAULT '{}',
    cwe_ids             text[]      NOT NULL DEFAULT '{}',
    category            text        CHECK (category IN ('code_weakness', 'exposed_service', 'malware', 'misconfiguration',
                                                        'missing_patch', 'secret', 'vulnerable_dependency', 'weak_tls')),
    cvss                @extschema@.cvss,
    scanner_severity    text,
    severity            text        NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'none')),
    asset_id            uuid,
    location            text,
    description         text,
    reference_urls      text[]      NOT NULL DEFAULT '{}',
    first_seen          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    status              @extschema@.finding_status NOT NULL DEFAULT 'new',
    status_changed_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    status_reason       text,
    owner               text,
    assignee            text,
    risk_accepted_by    text,
    risk_accepted_until date,
    duplicate_of        uuid,
    due_date            date,
    fixed_at            timestamptz,
    verified_at         timestamptz,
    source_label        text,
    last_scan_id        uuid,
    last_scanned_at     timestamptz,
    not_seen_since      timestamptz,
    not_seen_scan_id    uuid,
    PRIMARY KEY (tenant_id, finding_id),
    UNIQUE (tenant_id, fingerprint),
    FOREIGN KEY (tenant_id, asset_id) REFERENCES @extschema@.asset (tenant_id, asset_id),
    FOREIGN KEY (tenant_id, duplicate_of) REFERENCES @extschema@.finding (tenant_id, finding_id),
    -- deferred: ingest writes the scan row, with its counts, after the findings
    FOREIGN KEY (tenant_id, last_scan_id) REFERENCES @extschema@.scan (tenant_id, scan_id) DEFERRABLE INITIALLY DEFERRED,
    CHECK ((last_scan_id IS NULL) = (last_scanned_at IS NULL)),
    CHECK ((not_seen_since IS NULL) = (not_seen_scan_id IS NULL)),
    CHECK (cve_ids <@ '{}'::text[] OR pg_catalog.array_to_string(cve_ids, ',') ~ '^CVE-[0-9]{4}-[0-9]{4,}(,CVE-[0-9]{4}-[0-9]{4,})*$'),
    CHECK (cwe_ids <@ '{}'::text[] OR pg_catalog.array_to_string(cwe_ids, ',') ~ '^CWE-[0-9]+(,CWE-[0-9]+)*$')
)
-- Every scan of a scope updates every finding it reports (last_seen and the
-- scope columns, none of them indexed).  Room on the page lets those be
-- heap-only updates, which write no index entries: a re-scan of 50,000
-- findings took 2.6 s with the default 100 and 2.3-2.4 s with 70
-- (docs/performance.md), and the four indexes stop growing by one entry
-- per finding per scan.
WITH (fillfactor = 70);
-- set_status() and auditor_pack() find a finding by its id alone (without
-- the tenant, which the primary key leads with): without this index each
-- call read the whole table (38 ms at 400,000 findings), and an ingest
-- that reopens or verifies many findings calls set_status() per finding.
CREATE UNIQUE INDEX finding_id_key ON @extschema@.finding (finding_id);
-- The findings a re-scan of a scope (tenant + scanner + source label)
-- covers.  No predicate on last_scan_id: every re-sighting changes it, and
-- a column in an index predicate rules out heap-only updates.
CREATE INDEX finding_scope_idx ON @extschema@.finding (tenant_id, scanner, source_label);
COMMENT ON TABLE @extschema@.finding IS 'One row per security finding; change status only through compmap.set_status() or an UPDATE the transition graph allows. Every change is in the evidence log.';
COMMENT ON COLUMN @extschema@.finding.fingerprint IS 'SHA-256 identifying the finding across re-imports (compmap.finding_fingerprint); unique per tenant.';
COMMENT ON COLUMN @extschema@.finding.category IS 'Kind of weakness, used with CWE ids and the scanner to map the finding to controls (compmap.finding_controls).';
COMMENT ON COLUMN @extschema@.finding.severity IS 'From the CVSS vector when there is one, else from the scanner''s severity.';
COMMENT ON COLUMN @extschema@.finding.status IS 'Lifecycle state (compmap.finding_status; graph in docs/findings-lifecycle.md).';
COMMENT ON COLUMN @extschema@.finding.due_date IS 'SLA due date: first seen (or reopened) plus the tenant''s days-to-fix for the severity.';
COMMENT ON COLUMN @extschema@.finding.source_label IS 'For a finding that arrived through compmap.ingest(): the source_label given to it; with tenant and scanner it names the scope a re-scan covers.';
COMMENT ON COLUMN @extschema@.finding.last_scan_id IS 'The latest ingested scan (compmap.scan) that reported the finding; NULL for a finding never reported by compmap.ingest().';
COMMENT ON COLUMN @extschema@.finding.last_scanned_at IS 'scanned_at of that scan.';
COMMENT ON COLUMN @extschema@.finding.not_seen_since IS 'scanned_at of the first later scan of the same scope that did not report the finding; NULL while every scan reports it.';
COMMENT ON COLUMN @extschema@.finding.not_seen_scan_id IS 'That scan.';
COMMENT ON COLUMN @extschema@.finding.status_reason IS 'Why a finding was closed as false positive or duplicate, or a risk accepted.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.asset', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.scan', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sla_policy', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.finding', '');

ALTER TABLE @extschema@.asset ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.scan ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.sla_policy ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.finding ENABLE ROW LEVEL SECURITY;
CREATE POLICY asset_tenant ON @extschema@.asset USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY scan_tenant ON @extschema@.scan USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY sla_policy_tenant ON @extschema@.sla_policy USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY finding_tenant ON @extschema@.finding USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));

CREATE FUNCTION @extschema@.sla_days(tenant uuid, severity text) RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(
        (SELECT p.days_to_fix FROM @extschema@.sla_policy p WHERE p.tenant_id = sla_days.tenant AND p.severity = sla_days.severity),
        CASE sla_days.severity WHEN 'critical' THEN 7 WHEN 'high' THEN 30 WHEN 'medium' THEN 90 WHEN 'low' THEN 120 ELSE 365 END)
$$;
COMMENT ON FUNCTION @extschema@.sla_days(uuid, text) IS 'Days to fix a finding of this severity for the tenant (its sla_policy row, else the default).';

CREATE FUNCTION @extschema@.set_sla(tenant uuid, severity text, days_to_fix integer) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO @extschema@.sla_policy (tenant_id, severity, days_to_fix)
    VALUES (set_sla.tenant, set_sla.severity, set_sla.days_to_fix)
    ON CONFLICT (tenant_id, severity) DO UPDATE SET days_to_fix = EXCLUDED.days_to_fix
$$;
COMMENT ON FUNCTION @extschema@.set_sla(uuid, text, integer) IS 'Sets the tenant''s days-to-fix for a severity (applies to findings created or reopened afterwards).';

-- Scanner severities in the words scanners use, mapped to compmap's five.
CREATE FUNCTION @extschema@.normalize_severity(scanner_severity text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE lower(btrim(scanner_severity))
        WHEN 'critical' THEN 'critical' WHEN 'very high' THEN 'critical' WHEN 'urgent' THEN 'critical'
        WHEN 'high' THEN 'high' WHEN 'important' THEN 'high' WHEN 'error' THEN 'high'
        WHEN 'medium' THEN 'medium' WHEN 'moderate' THEN 'medium' WHEN 'warning' THEN 'medium'
        WHEN 'low' THEN 'low' WHEN 'minor' THEN 'low' WHEN 'note' THEN 'low'
        WHEN 'info' THEN 'none' WHEN 'informational' THEN 'none' WHEN 'none' THEN 'none' WHEN 'log' THEN 'none'
        WHEN 'negligible' THEN 'none' WHEN 'unknown' THEN 'none'
        ELSE NULL END
$$;
COMMENT ON FUNCTION @extschema@.normalize_severity(text) IS 'Maps a scanner''s severity word (critical/high/medium/low/info and common synonyms, SARIF levels) to compmap''s five severities; NULL when unknown.';

-- The documented fingerprint: SHA-256 of the RFC 8785 canonical JSON of the
-- identifying fields (docs/findings.md), that is
--   payload_digest(jsonb_build_object(
--       'scanner', coalesce(scanner, ''), 'rule', coalesce(rule_id, ''),
--       'asset', coalesce(asset_kind, '') || ':' || coalesce(asset_name, ''),
--       'location', coalesce(location, ''), 'extra', coalesce(extra, '{}')))
-- computed in C without building the object (src/finding_payload.c; ingest
-- calls it once per result; sql/findings.sql compares the two).  Ingest
-- (per scanner) may pass its own identifying fields in `extra`.
CREATE FUNCTION @extschema@.finding_fingerprint(scanner text, rule_id text, asset_kind text, asset_name text,
                                                location text, extra jsonb DEFAULT '{}')
RETURNS bytea
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_finding_fingerprint';
COMMENT ON FUNCTION @extschema@.finding_fingerprint(text, text, text, text, text, jsonb) IS 'SHA-256 of the canonical JSON of scanner, rule, asset, location and extra identifying fields.';

-- Raises the transition error shared by set_status and direct UPDATEs.
CREATE FUNCTION @extschema@.check_transition("from" @extschema@.finding_status, "to" @extschema@.finding_status)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT @extschema@.can_transition("from", "to") THEN
        RAISE EXCEPTION 'finding status cannot change from % to %', "from", "to"
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('Allowed from %s: %s.', "from",
                      (SELECT coalesce(pg_catalog.string_agg(s::text, ', '), 'none') FROM @extschema@.allowed_transitions("from") s)),
                  HINT = 'See docs/findings-lifecycle.md for the transition graph.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.check_transition(@extschema@.finding_status, @extschema@.finding_status) IS 'Raises SQLSTATE 22023, with the allowed targets in the detail, unless the transition graph allows the move.';

-- A new finding: status new, severity, status_changed_at and the SLA due
-- date (src/finding_guard.c; C because ingest creates findings by the tens
-- of thousands per statement).
CREATE FUNCTION @extschema@.finding_guard_insert() RETURNS trigger
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_finding_guard_insert';
COMMENT ON FUNCTION @extschema@.finding_guard_insert() IS 'Trigger: a new finding starts in status new; sets its severity (CVSS, else the scanner''s word, else none), status_changed_at and, unless given, the SLA due date.';

CREATE TRIGGER finding_guard_insert BEFORE INSERT ON @extschema@.finding
    FOR EACH ROW EXECUTE FUNCTION @extschema@.finding_guard_insert();

-- Lifecycle guard and evidence writer for every UPDATE that changes more
-- than the sighting columns (the trigger finding_guard_update below runs it
-- with its own trigger data).  The finding.created entries are written per
-- statement by finding_log_created below, one INSERT for all the rows a
-- statement creates.
CREATE FUNCTION @extschema@.finding_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who text;
    note text;
    changes jsonb := '{}';
BEGIN
    -- The CASE is compmap.normalize_severity(), written out: a call per row
    -- of a function that pins search_path cannot be inlined.
    NEW.severity := coalesce(@extschema@.cvss_severity(NEW.cvss),
                             CASE pg_catalog.lower(pg_catalog.btrim(NEW.scanner_severity))
                                 WHEN 'critical' THEN 'critical' WHEN 'very high' THEN 'critical' WHEN 'urgent' THEN 'critical'
                                 WHEN 'high' THEN 'high' WHEN 'important' THEN 'high' WHEN 'error' THEN 'high'
                                 WHEN 'medium' THEN 'medium' WHEN 'moderate' THEN 'medium' WHEN 'warning' THEN 'medium'
                                 WHEN 'low' THEN 'low' WHEN 'minor' THEN 'low' WHEN 'note' THEN 'low'
                                 WHEN 'info' THEN 'none' WHEN 'informational' THEN 'none' WHEN 'none' THEN 'none' WHEN 'log' THEN 'none'
                                 WHEN 'negligible' THEN 'none' WHEN 'unknown' THEN 'none'
                                 ELSE NULL END,
                             'none');
    who := coalesce(nullif(pg_catalog.current_setting('compmap.actor', true), ''), CURRENT_USER::text);
    note := nullif(pg_catalog.current_setting('compmap.note', true), '');

    IF NEW.tenant_id <> OLD.tenant_id OR NEW.finding_id <> OLD.finding_id OR NEW.fingerprint <> OLD.fingerprint
       OR NEW.first_seen <> OLD.first_seen THEN
        RAISE EXCEPTION 'a finding''s tenant, id, fingerprint and first_seen never change'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF NEW.status::text <> OLD.status::text THEN
        PERFORM @extschema@.check_transition(OLD.status, NEW.status);
        CASE NEW.status::text
        WHEN 'assigned' THEN
            IF NEW.assignee IS NULL OR NEW.assignee = '' THEN
                RAISE EXCEPTION 'an assigned finding needs an assignee'
                    USING ERRCODE = 'not_null_violation', HINT = 'Pass assignee => ... to compmap.set_status().';
            END IF;
        WHEN 'risk_accepted' THEN
            IF NEW.risk_accepted_by IS NULL OR NEW.risk_accepted_by = '' OR NEW.risk_accepted_until IS NULL THEN
                RAISE EXCEPTION 'accepting a risk needs an approver and an expiry date'
                    USING ERRCODE = 'not_null_violation', HINT = 'Pass approver => ... and valid_until => ... to compmap.set_status().';
            END IF;
            IF NEW.risk_accepted_until <= CURRENT_DATE THEN
                RAISE EXCEPTION 'a risk acceptance must expire in the future, not on %', NEW.risk_accepted_until
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            NEW.status_reason := coalesce(note, NEW.status_reason);
        WHEN 'false_positive', 'duplicate' THEN
            NEW.status_reason := coalesce(note, CASE WHEN NEW.status_reason IS DISTINCT FROM OLD.status_reason THEN NEW.status_reason END);
            IF NEW.status_reason IS NULL OR NEW.status_reason = '' THEN
                RAISE EXCEPTION 'closing a finding as % needs a reason', NEW.status
                    USING ERRCODE = 'not_null_violation', HINT = 'Pass the reason as note => ... to compmap.set_status().';
            END IF;
            IF NEW.status::text = 'duplicate' AND (NEW.duplicate_of IS NULL OR NEW.duplicate_of = NEW.finding_id) THEN
                RAISE EXCEPTION 'a duplicate needs the finding it duplicates'
                    USING ERRCODE = 'not_null_violation', HINT = 'Pass duplicate_of => ... to compmap.set_status().';
            END IF;
        WHEN 'fixed' THEN
            NEW.fixed_at := pg_catalog.now();
        WHEN 'verified' THEN
            NEW.verified_at := pg_catalog.now();
        WHEN 'reopened' THEN
            -- the SLA clock restarts; earlier closing data no longer applies
            NEW.due_date := (pg_catalog.now() + pg_catalog.make_interval(days => @extschema@.sla_days(NEW.tenant_id, NEW.severity)))::date;
            NEW.fixed_at := NULL;
            NEW.verified_at := NULL;
            NEW.risk_accepted_by := NULL;
            NEW.risk_accepted_until := NULL;
            NEW.duplicate_of := NULL;
            NEW.status_reason := NULL;
        ELSE
            NULL;
        END CASE;
        NEW.status_changed_at := pg_catalog.now();
        PERFORM @extschema@.record_event(NEW.tenant_id, NEW.finding_id, 'finding.status_changed', who,
            pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                'from', OLD.status::text, 'to', NEW.status::text, 'note', note,
                'reason', CASE WHEN NEW.status::text IN ('false_positive', 'duplicate', 'risk_accepted') THEN NEW.status_reason END,
                'assignee', CASE WHEN NEW.status::text = 'assigned' THEN NEW.assignee END,
                'approver', NEW.risk_accepted_by, 'valid_until', NEW.risk_accepted_until,
                'duplicate_of', NEW.duplicate_of, 'due_date', NEW.due_date)));
        RETURN NEW;
    END IF;

    -- Other changes that matter to an auditor are logged field by field.
    SELECT coalesce(pg_catalog.jsonb_object_agg(k, pg_catalog.jsonb_build_object('from', o, 'to', n)), '{}')
      INTO changes
      FROM (VALUES ('owner', pg_catalog.to_jsonb(OLD.owner), pg_catalog.to_jsonb(NEW.owner)),
                   ('assignee', pg_catalog.to_jsonb(OLD.assignee), pg_catalog.to_jsonb(NEW.assignee)),
                   ('due_date', pg_catalog.to_jsonb(OLD.due_date), pg_catalog.to_jsonb(NEW.due_date)),
                   ('severity', pg_catalog.to_jsonb(OLD.severity), pg_catalog.to_jsonb(NEW.severity)),
                   ('cvss', pg_catalog.to_jsonb(OLD.cvss::text), pg_catalog.to_jsonb(NEW.cvss::text)),
                   ('title', pg_catalog.to_jsonb(OLD.title), pg_catalog.to_jsonb(NEW.title))) AS f(k, o, n)
     WHERE o IS DISTINCT FROM n;
    IF changes <> '{}' THEN
        PERFORM @extschema@.record_event(NEW.tenant_id, NEW.finding_id, 'finding.updated', who,
            pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('changes', changes, 'note', note)));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.finding_guard() IS 'Trigger: on UPDATE, enforces the transition graph and the data some states need, keeps severity and SLA dates, and appends every change to the evidence log.';

-- The UPDATE trigger: a sighting (an UPDATE of last_seen and the ingest
-- scope columns alone, as ingest and record_finding make for every finding
-- seen again, or ingest's not-seen flag) has nothing to check or log and
-- passes in C; any other change runs compmap.finding_guard() above
-- (src/finding_guard.c).
CREATE FUNCTION @extschema@.finding_guard_update() RETURNS trigger
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_finding_guard_update';
COMMENT ON FUNCTION @extschema@.finding_guard_update() IS 'Trigger: lets an update of the sighting columns alone (last_seen, source_label, last_scan_id, last_scanned_at, not_seen_since, not_seen_scan_id) through; runs compmap.finding_guard() for every other change.';

CREATE TRIGGER finding_guard BEFORE UPDATE ON @extschema@.finding
    FOR EACH ROW EXECUTE FUNCTION @extschema@.finding_guard_update();

-- The payload of a finding.created entry: the finding's identifying and
-- triage fields, NULLs left out.  Built in C (src/finding_payload.c); the
-- same value as
--   jsonb_strip_nulls(jsonb_build_object('title', title, 'scanner', scanner,
--     'rule_id', rule_id, 'fingerprint', encode(fingerprint, 'hex'),
--     'severity', severity, 'cvss', cvss::text, 'cve_ids', cve_ids,
--     'cwe_ids', cwe_ids, 'category', category, 'asset_id', asset_id,
--     'location', location, 'due_date', due_date, 'first_seen', first_seen))
-- (sql/findings.sql compares the two), which cost a type lookup per
-- argument per row.
CREATE FUNCTION @extschema@.finding_created_payload(title text, scanner text, rule_id text, fingerprint bytea,
                                                    severity text, cvss @extschema@.cvss, cve_ids text[], cwe_ids text[],
                                                    category text, asset_id uuid, location text, due_date date,
                                                    first_seen timestamptz)
RETURNS jsonb
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_finding_created_payload';
COMMENT ON FUNCTION @extschema@.finding_created_payload(text, text, text, bytea, text, @extschema@.cvss, text[], text[], text, uuid, text, date, timestamptz) IS 'The payload of a finding.created evidence entry (NULL fields left out; timestamps as jsonb renders them in the session time zone).';

-- The finding.created evidence entry of every finding a statement inserts,
-- in insertion order, written by one INSERT ... SELECT over the statement's
-- new rows (as finding_guard left them) instead of one record_event() call
-- per row.  Entry by entry the same as a record_event() call: actor from
-- compmap.actor (else the current role), occurred_at the finding's
-- first_seen.
CREATE FUNCTION @extschema@.finding_log_created() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO @extschema@.evidence (tenant_id, subject_id, event_type, actor, payload, occurred_at)
    SELECT n.tenant_id, n.finding_id, 'finding.created', a.actor,
           @extschema@.finding_created_payload(n.title, n.scanner, n.rule_id, n.fingerprint, n.severity, n.cvss,
                                               n.cve_ids, n.cwe_ids, n.category, n.asset_id, n.location,
                                               n.due_date, n.first_seen),
           n.first_seen
      FROM (SELECT coalesce(nullif(pg_catalog.current_setting('compmap.actor', true), ''), CURRENT_USER::text) AS actor) AS a,
           created_findings AS n;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.finding_log_created() IS 'Trigger: appends a finding.created evidence entry for every finding the statement inserted, in insertion order.';

CREATE TRIGGER finding_log_created AFTER INSERT ON @extschema@.finding
    REFERENCING NEW TABLE AS created_findings
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.finding_log_created();
CREATE TRIGGER finding_no_delete BEFORE DELETE OR TRUNCATE ON @extschema@.finding
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();

-- The one-call way to change a finding's status.
CREATE FUNCTION @extschema@.set_status(finding uuid, to_status @extschema@.finding_status, actor text,
                                       note text DEFAULT NULL, assignee text DEFAULT NULL,
                                       approver text DEFAULT NULL, valid_until date DEFAULT NULL,
                                       duplicate_of uuid DEFAULT NULL)
RETURNS @extschema@.finding_status
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result @extschema@.finding_status;
    current @extschema@.finding_status;
BEGIN
    IF actor IS NULL OR actor = '' THEN
        RAISE EXCEPTION 'a status change needs an actor' USING ERRCODE = 'not_null_violation';
    END IF;
    SELECT f.status INTO current FROM @extschema@.finding f WHERE f.finding_id = set_status.finding FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'finding % does not exist or is not visible to role "%"', finding, CURRENT_USER
            USING ERRCODE = 'undefined_object';
    END IF;
    -- also refuses x -> x, which an UPDATE would let through as a no-op
    PERFORM @extschema@.check_transition(current, to_status);
    PERFORM pg_catalog.set_config('compmap.actor', actor, true);
    PERFORM pg_catalog.set_config('compmap.note', coalesce(note, ''), true);
    UPDATE @extschema@.finding f
       SET status = set_status.to_status,
           assignee = coalesce(set_status.assignee, f.assignee),
           risk_accepted_by = CASE WHEN set_status.to_status::text = 'risk_accepted' THEN set_status.approver ELSE f.risk_accepted_by END,
           risk_accepted_until = CASE WHEN set_status.to_status::text = 'risk_accepted' THEN set_status.valid_until ELSE f.risk_accepted_until END,
           duplicate_of = CASE WHEN set_status.to_status::text = 'duplicate' THEN set_status.duplicate_of ELSE f.duplicate_of END
     WHERE f.finding_id = set_status.finding
    RETURNING f.status INTO result;
    PERFORM pg_catalog.set_config('compmap.actor', '', true);
    PERFORM pg_catalog.set_config('compmap.note', '', true);
    RETURN result;
END
$$;
COMMENT ON FUNCTION @extschema@.set_status(uuid, @extschema@.finding_status, text, text, text, text, date, uuid) IS 'Moves a finding along the transition graph, with the data the target state needs (assignee; approver and expiry for risk_accepted; a reason in note for false_positive and duplicate; duplicate_of); logs it in the evidence log.';

-- Records a sighting: creates the finding, or updates last_seen; a finding
-- seen again after fixed or verified is reopened.  Explicit decisions
-- (false_positive, duplicate, risk_accepted) are never overridden.
CREATE FUNCTION @extschema@.record_finding(
    tenant uuid, title text, actor text,
    scanner text DEFAULT NULL, rule_id text DEFAULT NULL, cvss @extschema@.cvss DEFAULT NULL,
    scanner_severity text DEFAULT NULL, asset_kind text DEFAULT NULL, asset_name text DEFAULT NULL,
    location text DEFAULT NULL, cve_ids text[] DEFAULT '{}', cwe_ids text[] DEFAULT '{}',
    description text DEFAULT NULL, reference_urls text[] DEFAULT '{}',
    fingerprint bytea DEFAULT NULL, seen_at timestamptz DEFAULT pg_catalog.now(),
    category text DEFAULT NULL)
RETURNS TABLE (finding_id uuid, action text, status @extschema@.finding_status)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fp bytea := coalesce(record_finding.fingerprint,
                         @extschema@.finding_fingerprint(record_finding.scanner, record_finding.rule_id,
                                                         record_finding.asset_kind, record_finding.asset_name,
                                                         record_finding.location));
    aid uuid;
    f record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM @extschema@.tenant x WHERE x.tenant_id = record_finding.tenant) THEN
        RAISE EXCEPTION 'tenant % does not exist or is not visible to role "%"', tenant, CURRENT_USER
            USING ERRCODE = 'undefined_object';
    END IF;
    IF (asset_kind IS NULL) <> (asset_name IS NULL) THEN
        RAISE EXCEPTION 'asset_kind and asset_name go together' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF asset_kind IS NOT NULL THEN
        INSERT INTO @extschema@.asset (tenant_id, kind, name) VALUES (tenant, asset_kind, asset_name)
        ON CONFLICT (tenant_id, kind, name) DO NOTHING;
        SELECT a.asset_id INTO aid FROM @extschema@.asset a
         WHERE a.tenant_id = tenant AND a.kind = asset_kind AND a.name = asset_name;
    END IF;

    SELECT x.finding_id, x.status::text AS st, x.last_seen INTO f FROM @extschema@.finding x
     WHERE x.tenant_id = tenant AND x.fingerprint = fp FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM pg_catalog.set_config('compmap.actor', actor, true);
        INSERT INTO @extschema@.finding (tenant_id, fingerprint, title, scanner, rule_id, cve_ids, cwe_ids, category, cvss,
                                         scanner_severity, severity, asset_id, location, description, reference_urls,
                                         first_seen, last_seen)
        VALUES (tenant, fp, title, scanner, rule_id, coalesce(cve_ids, '{}'), coalesce(cwe_ids, '{}'), category, cvss,
                scanner_severity, 'none', aid, location, description, coalesce(reference_urls, '{}'), seen_at, seen_at)
        RETURNING finding.finding_id INTO f;
        PERFORM pg_catalog.set_config('compmap.actor', '', true);
        RETURN QUERY SELECT f.finding_id, 'created'::text, 'new'::@extschema@.finding_status;
        RETURN;
    END IF;

    UPDATE @extschema@.finding x SET last_seen = greatest(x.last_seen, seen_at)
     WHERE x.tenant_id = tenant AND x.finding_id = f.finding_id;
    IF f.st IN ('fixed', 'verified') THEN
        PERFORM @extschema@.set_status(f.finding_id, 'reopened', actor,
                                       'seen again at ' || pg_catalog.to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
        RETURN QUERY SELECT f.finding_id, 'reopened'::text, 'reopened'::@extschema@.finding_status;
    ELSE
        RETURN QUERY SELECT f.finding_id, 'seen'::text, f.st::@extschema@.finding_status;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.record_finding(uuid, text, text, text, text, @extschema@.cvss, text, text, text, text, text[], text[], text, text[], bytea, timestamptz, text) IS 'Records a sighting of a finding: creates it (status new, SLA due date set), or updates last_seen and reopens it when it was fixed or verified; explicit triage decisions are kept.';

-- Moves risk acceptances whose expiry has passed back to reopened.
CREATE FUNCTION @extschema@.expire_risk_acceptances(as_of date DEFAULT CURRENT_DATE) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n integer := 0;
    f uuid;
BEGIN
    FOR f IN SELECT x.finding_id FROM @extschema@.finding x
              WHERE x.status::text = 'risk_accepted' AND x.risk_accepted_until <= as_of
              ORDER BY x.tenant_id, x.finding_id FOR UPDATE
    LOOP
        PERFORM @extschema@.set_status(f, 'reopened', 'compmap', 'risk acceptance expired');
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.expire_risk_acceptances(date) IS 'Reopens every visible finding whose risk acceptance has expired; returns how many. Schedule it daily (e.g. with pg_cron).';

-- The finding's history is its evidence.
CREATE VIEW @extschema@.finding_history WITH (security_invoker = true) AS
SELECT e.tenant_id, e.subject_id AS finding_id, e.subject_seq AS seq, e.event_type, e.actor,
       e.occurred_at, e.recorded_at, e.payload->>'from' AS from_status, e.payload->>'to' AS to_status,
       e.payload, e.leaf_index
  FROM @extschema@.evidence e
 WHERE e.event_type LIKE 'finding.%'
   AND EXISTS (SELECT 1 FROM @extschema@.finding f WHERE f.tenant_id = e.tenant_id AND f.finding_id = e.subject_id);
COMMENT ON VIEW @extschema@.finding_history IS 'Every logged change of every finding, from the evidence log, in subject order (seq).';

CREATE VIEW @extschema@.finding_sla WITH (security_invoker = true) AS
SELECT f.tenant_id, f.finding_id, f.title, f.severity, f.status, f.first_seen, f.due_date,
       CASE
           WHEN f.status::text = 'risk_accepted' THEN 'risk_accepted'
           WHEN NOT @extschema@.is_open(f.status) THEN 'closed'
           WHEN f.due_date < CURRENT_DATE THEN 'overdue'
           WHEN f.due_date < CURRENT_DATE + 7 THEN 'due_soon'
           ELSE 'on_track'
       END AS sla_state,
       CASE WHEN @extschema@.is_open(f.status) THEN f.due_date - CURRENT_DATE END AS days_left
  FROM @extschema@.finding f;
COMMENT ON VIEW @extschema@.finding_sla IS 'SLA state of every finding: on_track, due_soon (within 7 days), overdue, closed or risk_accepted.';

CREATE VIEW @extschema@.sla_overdue WITH (security_invoker = true) AS
SELECT f.tenant_id, f.finding_id, f.title, f.severity, f.status, f.assignee, f.due_date,
       CURRENT_DATE - f.due_date AS days_over
  FROM @extschema@.finding f
 WHERE @extschema@.is_open(f.status) AND f.due_date < CURRENT_DATE;
COMMENT ON VIEW @extschema@.sla_overdue IS 'Open findings past their due date, with the days over.';

CREATE VIEW @extschema@.time_to_fix WITH (security_invoker = true) AS
SELECT f.tenant_id, f.severity, pg_catalog.count(*) AS verified_findings,
       pg_catalog.round((pg_catalog.avg(EXTRACT(epoch FROM f.verified_at - f.first_seen)) / 86400)::numeric, 1) AS mean_days,
       pg_catalog.round((pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(epoch FROM f.verified_at - f.first_seen)) / 86400)::numeric, 1) AS median_days,
       pg_catalog.count(*) FILTER (WHERE f.verified_at::date > f.due_date) AS verified_late
  FROM @extschema@.finding f
 WHERE f.verified_at IS NOT NULL
 GROUP BY f.tenant_id, f.severity;
COMMENT ON VIEW @extschema@.time_to_fix IS 'Mean and median days from first seen to verified, by tenant and severity, for BI.';

-- Every control each finding touches, in every framework, with the rule
-- and the crosswalk path that connect them (docs/catalogue.md).
CREATE VIEW @extschema@.finding_controls WITH (security_invoker = true) AS
SELECT f.tenant_id, f.finding_id, c.framework, c.control, c.relationships, c.hops, c.path,
       c.fail_propagates, c.rule_kind, c.rule_key, c.source, c.reviewed
  FROM @extschema@.finding f
 CROSS JOIN LATERAL @extschema@.controls_for(f.cwe_ids, f.scanner, f.category, f.tenant_id) c;
COMMENT ON VIEW @extschema@.finding_controls IS 'For each finding, the controls it touches in every framework: the mapping rule (CWE id, scanner, category, tenant override or fallback), the crosswalk path, the set of possible relationships and whether a failing finding counts against the control.';
