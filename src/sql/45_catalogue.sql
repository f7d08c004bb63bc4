-- Framework catalogue and crosswalk (docs/catalogue.md).
--
-- Catalogue data is global, not tenant-owned: every compmap role reads it;
-- nobody writes the tables directly.  compmap_admin adds user frameworks,
-- controls, sources, edges and rules through the functions below, which run
-- as the extension owner (SECURITY DEFINER) for that reason only.  Shipped
-- rows (origin = 'shipped') come from the install script; user rows
-- (origin = 'user') are dumped by pg_dump (extension configuration tables
-- filtered on origin) and so survive dump/restore and extension upgrades.

CREATE TABLE @extschema@.framework (
    framework    text        NOT NULL CHECK (framework ~ '^[a-z][a-z0-9_]{0,62}$'),
    name         text        NOT NULL CHECK (name <> ''),
    version      text,
    publisher    text,
    source_url   text,
    licence_note text,
    origin       text        NOT NULL DEFAULT 'user' CHECK (origin IN ('shipped', 'user')),
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (framework)
);
COMMENT ON TABLE @extschema@.framework IS 'Control frameworks: regulations, standards and user-defined control sets.';
COMMENT ON COLUMN @extschema@.framework.framework IS 'Short code, used as the prefix of control references (code:control).';
COMMENT ON COLUMN @extschema@.framework.version IS 'Version or publication of the source document.';
COMMENT ON COLUMN @extschema@.framework.licence_note IS 'What may be shipped from the source (identifiers only, quoted text, ...).';
COMMENT ON COLUMN @extschema@.framework.origin IS 'shipped: installed by compmap; user: added with compmap.add_framework.';

CREATE TABLE @extschema@.control (
    framework   text    NOT NULL REFERENCES @extschema@.framework (framework) ON DELETE CASCADE,
    control     text    NOT NULL CHECK (control ~ '^[A-Za-z0-9][A-Za-z0-9._()/-]{0,63}$'),
    parent      text,
    kind        text    NOT NULL CHECK (kind <> ''),
    title       text    NOT NULL CHECK (title <> ''),
    testability text    CHECK (testability IN ('automated', 'partial', 'manual')),
    attributes  jsonb   NOT NULL DEFAULT '{}',
    sort_key    integer NOT NULL,
    origin      text    NOT NULL DEFAULT 'user' CHECK (origin IN ('shipped', 'user')),
    PRIMARY KEY (framework, control),
    FOREIGN KEY (framework, parent) REFERENCES @extschema@.control (framework, control)
);
COMMENT ON TABLE @extschema@.control IS 'Controls and requirements of each framework, with their hierarchy.';
COMMENT ON COLUMN @extschema@.control.control IS 'Identifier inside the framework, e.g. A.8.8, 21.2.e, GV.OC-01.';
COMMENT ON COLUMN @extschema@.control.parent IS 'Enclosing control, section or heading in the same framework.';
COMMENT ON COLUMN @extschema@.control.kind IS 'Level in the framework: clause, theme, control, section, subsection, function, category, subcategory, safeguard, ...';
COMMENT ON COLUMN @extschema@.control.title IS 'Short title: quoted for EU law and NIST; compmap''s own words for ISO, CIS, PCI and AICPA.';
COMMENT ON COLUMN @extschema@.control.testability IS 'automated: a scanner can fully test it; partial: a scanner evidences part of it; manual: only an attestation can show it; NULL: a heading, not assessed itself.';
COMMENT ON COLUMN @extschema@.control.attributes IS 'Framework-specific facts, e.g. CIS implementation groups, ISO theme.';
COMMENT ON COLUMN @extschema@.control.sort_key IS 'Order of the control inside its framework, as in the source document.';

CREATE TABLE @extschema@.mapping_source (
    source       text        NOT NULL CHECK (source ~ '^[a-z][a-z0-9_]{0,62}$'),
    title        text        NOT NULL CHECK (title <> ''),
    publisher    text,
    version      text,
    url          text,
    licence_note text,
    origin       text        NOT NULL DEFAULT 'user' CHECK (origin IN ('shipped', 'user')),
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (source)
);
COMMENT ON TABLE @extschema@.mapping_source IS 'Documents that mapping edges and finding rules cite.';

CREATE TABLE @extschema@.control_edge (
    source_framework text     NOT NULL,
    source_control   text     NOT NULL,
    target_framework text     NOT NULL,
    target_control   text     NOT NULL,
    relationship     text     NOT NULL CHECK (relationship IN ('equal', 'subset', 'superset', 'intersects', 'not_related')),
    rationale        text     CHECK (rationale IN ('syntactic', 'semantic', 'functional')),
    strength         smallint CHECK (strength BETWEEN 1 AND 10),
    source           text     NOT NULL REFERENCES @extschema@.mapping_source (source),
    reviewed         boolean  NOT NULL DEFAULT false,
    note             text,
    origin           text     NOT NULL DEFAULT 'user' CHECK (origin IN ('shipped', 'user')),
    created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (source_framework, source_control, target_framework, target_control, source),
    FOREIGN KEY (source_framework, source_control) REFERENCES @extschema@.control (framework, control) ON DELETE CASCADE,
    FOREIGN KEY (target_framework, target_control) REFERENCES @extschema@.control (framework, control) ON DELETE CASCADE,
    CHECK ((source_framework, source_control) <> (target_framework, target_control))
);
CREATE INDEX control_edge_target ON @extschema@.control_edge (target_framework, target_control);
COMMENT ON TABLE @extschema@.control_edge IS 'Typed mapping edges (NIST IR 8477 set-theory relationships) between controls, each with its source document.';
COMMENT ON COLUMN @extschema@.control_edge.relationship IS 'How the source control relates to the target as sets of requirements: equal, subset (source narrower), superset (source wider), intersects, not_related.';
COMMENT ON COLUMN @extschema@.control_edge.rationale IS 'NIST IR 8477 rationale: syntactic, semantic or functional (NULL when the source states none).';
COMMENT ON COLUMN @extschema@.control_edge.strength IS 'Optional strength of the relationship, 1 (weak) to 10 (the source calls them the same requirement); NULL when the source gives none.';
COMMENT ON COLUMN @extschema@.control_edge.reviewed IS 'true only when a person has checked the row against the cited source.';

-- Every stored edge read in both directions: the reverse of subset is
-- superset and the other relationships are symmetric.
CREATE VIEW @extschema@.control_edge_both AS
SELECT e.source_framework AS from_framework, e.source_control AS from_control,
       e.target_framework AS to_framework, e.target_control AS to_control,
       e.relationship, false AS derived, e.source, e.reviewed, e.rationale, e.strength
  FROM @extschema@.control_edge AS e
UNION ALL
SELECT e.target_framework, e.target_control, e.source_framework, e.source_control,
       CASE e.relationship WHEN 'subset' THEN 'superset' WHEN 'superset' THEN 'subset' ELSE e.relationship END,
       true, e.source, e.reviewed, e.rationale, e.strength
  FROM @extschema@.control_edge AS e;
COMMENT ON VIEW @extschema@.control_edge_both IS 'Stored edges plus their mechanically derived reverses (derived = true): subset <-> superset, the rest unchanged.';

-- RCC-5 composition (grc-anchors 2.3): A->B composed with B->C gives the set
-- of relationships A->C may have.  The crosswalk holds the same table in C;
-- the regression test checks that both agree.
CREATE TABLE @extschema@.rcc5_composition (
    first_rel  text   NOT NULL,
    second_rel text   NOT NULL,
    possible   text[] NOT NULL,
    PRIMARY KEY (first_rel, second_rel)
);
COMMENT ON TABLE @extschema@.rcc5_composition IS 'RCC-5 composition: if A first_rel B and B second_rel C, A relates to C by one of possible.';
INSERT INTO @extschema@.rcc5_composition (first_rel, second_rel, possible) VALUES
    ('equal', 'equal', '{equal}'),
    ('equal', 'subset', '{subset}'),
    ('equal', 'superset', '{superset}'),
    ('equal', 'intersects', '{intersects}'),
    ('equal', 'not_related', '{not_related}'),
    ('subset', 'equal', '{subset}'),
    ('subset', 'subset', '{subset}'),
    ('subset', 'superset', '{equal,subset,superset,intersects,not_related}'),
    ('subset', 'intersects', '{subset,intersects,not_related}'),
    ('subset', 'not_related', '{not_related}'),
    ('superset', 'equal', '{superset}'),
    ('superset', 'subset', '{equal,subset,superset,intersects}'),
    ('superset', 'superset', '{superset}'),
    ('superset', 'intersects', '{superset,intersects}'),
    ('superset', 'not_related', '{superset,intersects,not_related}'),
    ('intersects', 'equal', '{intersects}'),
    ('intersects', 'subset', '{subset,intersects}'),
    ('intersects', 'superset', '{superset,intersects,not_related}'),
    ('intersects', 'intersects', '{equal,subset,superset,intersects,not_related}'),
    ('intersects', 'not_related', '{superset,intersects,not_related}'),
    ('not_related', 'equal', '{not_related}'),
    ('not_related', 'subset', '{subset,intersects,not_related}'),
    ('not_related', 'superset', '{not_related}'),
    ('not_related', 'intersects', '{subset,intersects,not_related}'),
    ('not_related', 'not_related', '{equal,subset,superset,intersects,not_related}');

-- Finding-to-control rules (global) and per-tenant overrides.
CREATE TABLE @extschema@.mapping_rule (
    kind         text    NOT NULL CHECK (kind IN ('cwe', 'rule_family', 'category', 'fallback')),
    key          text    NOT NULL CHECK (key <> ''),
    framework    text    NOT NULL,
    control      text    NOT NULL,
    relationship text    NOT NULL DEFAULT 'subset' CHECK (relationship IN ('equal', 'subset', 'superset', 'intersects', 'not_related')),
    source       text    NOT NULL REFERENCES @extschema@.mapping_source (source),
    reviewed     boolean NOT NULL DEFAULT false,
    note         text,
    origin       text    NOT NULL DEFAULT 'user' CHECK (origin IN ('shipped', 'user')),
    PRIMARY KEY (kind, key, framework, control),
    FOREIGN KEY (framework, control) REFERENCES @extschema@.control (framework, control) ON DELETE CASCADE,
    CHECK (kind <> 'cwe' OR key ~ '^CWE-[0-9]+$'),
    CHECK (kind <> 'fallback' OR key = '*')
);
COMMENT ON TABLE @extschema@.mapping_rule IS 'Rules mapping CWE ids, scanner rule families and finding categories to controls; kind fallback (key *) applies when nothing else matches.';
COMMENT ON COLUMN @extschema@.mapping_rule.relationship IS 'How a finding of this kind relates to the control; subset means an open finding counts against the control.';

CREATE TABLE @extschema@.tenant_mapping_rule (
    tenant_id    uuid NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    kind         text NOT NULL CHECK (kind IN ('cwe', 'rule_family', 'category', 'fallback')),
    key          text NOT NULL CHECK (key <> ''),
    framework    text NOT NULL,
    control      text NOT NULL,
    action       text NOT NULL CHECK (action IN ('add', 'suppress')),
    relationship text NOT NULL DEFAULT 'subset' CHECK (relationship IN ('equal', 'subset', 'superset', 'intersects', 'not_related')),
    note         text,
    created_by   name NOT NULL DEFAULT CURRENT_USER,
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, kind, key, framework, control),
    FOREIGN KEY (framework, control) REFERENCES @extschema@.control (framework, control) ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.tenant_mapping_rule IS 'Per-tenant overrides of the finding rules: add a control to a key, or suppress a global rule.  Keyed by rule, not by finding, so they survive re-imports.';
ALTER TABLE @extschema@.tenant_mapping_rule ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_mapping_rule_tenant ON @extschema@.tenant_mapping_rule
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));

SELECT pg_catalog.pg_extension_config_dump('@extschema@.framework', 'WHERE origin = ''user''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.control', 'WHERE origin = ''user''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.mapping_source', 'WHERE origin = ''user''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.control_edge', 'WHERE origin = ''user''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.mapping_rule', 'WHERE origin = ''user''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tenant_mapping_rule', '');

-- Any change to the catalogue invalidates every backend's crosswalk graph
-- (crosswalk.c): the trigger sends a relcache invalidation for the table,
-- which the graph cache listens for.
CREATE FUNCTION @extschema@.catalogue_changed() RETURNS trigger
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_catalogue_changed';
COMMENT ON FUNCTION @extschema@.catalogue_changed() IS 'Statement trigger: invalidates the crosswalk graph cached by every backend.';

CREATE TRIGGER catalogue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.framework
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.catalogue_changed();
CREATE TRIGGER catalogue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.control
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.catalogue_changed();
CREATE TRIGGER catalogue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.control_edge
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.catalogue_changed();

CREATE FUNCTION @extschema@.crosswalk(control text, target_framework text DEFAULT NULL, max_hops integer DEFAULT 2)
RETURNS TABLE (framework text, control text, relationships text[], hops integer, path text[],
               pass_propagates boolean, fail_propagates boolean)
LANGUAGE C STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'compmap_crosswalk';
COMMENT ON FUNCTION @extschema@.crosswalk(text, text, integer) IS 'Controls reachable from control (code:control) in at most max_hops edges, with the RCC-5 set of possible relationships, the first shortest path and result polarity (docs/catalogue.md).';

-- User-defined catalogue content.  SECURITY DEFINER: the catalogue tables
-- are not writable by any compmap role, so these functions are the only
-- write path; they accept user rows only and never touch shipped ones.
CREATE FUNCTION @extschema@.split_control_ref(ref text, OUT framework text, OUT control text)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF ref IS NULL OR pg_catalog.strpos(ref, ':') = 0 THEN
        RAISE EXCEPTION 'control reference "%" is not of the form framework:control', ref
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Write the framework code, a colon and the control, e.g. iso27001_2022:A.8.8.';
    END IF;
    framework := pg_catalog.split_part(ref, ':', 1);
    control := pg_catalog.substr(ref, pg_catalog.strpos(ref, ':') + 1);
END
$$;
COMMENT ON FUNCTION @extschema@.split_control_ref(text) IS 'Splits framework:control into its two parts.';

CREATE FUNCTION @extschema@.add_framework(framework text, name text, version text DEFAULT NULL,
                                          publisher text DEFAULT NULL, source_url text DEFAULT NULL,
                                          licence_note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO @extschema@.framework (framework, name, version, publisher, source_url, licence_note, origin)
    VALUES (add_framework.framework, add_framework.name, add_framework.version, add_framework.publisher,
            add_framework.source_url, add_framework.licence_note, 'user');
END
$$;
COMMENT ON FUNCTION @extschema@.add_framework(text, text, text, text, text, text) IS 'Adds a user-defined framework (e.g. an internal control set or a national NIS2 law).';

CREATE FUNCTION @extschema@.add_control(control_ref text, title text, parent text DEFAULT NULL,
                                        testability text DEFAULT 'manual', kind text DEFAULT 'control',
                                        attributes jsonb DEFAULT '{}') RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    r := @extschema@.split_control_ref(control_ref);
    IF EXISTS (SELECT 1 FROM @extschema@.framework f WHERE f.framework = r.framework AND f.origin = 'shipped') THEN
        RAISE EXCEPTION 'framework "%" is shipped with compmap and cannot be extended', r.framework
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Add your own framework with compmap.add_framework and map it with compmap.add_edge.';
    END IF;
    INSERT INTO @extschema@.control (framework, control, parent, kind, title, testability, attributes, sort_key, origin)
    VALUES (r.framework, r.control, add_control.parent, add_control.kind, add_control.title,
            add_control.testability, add_control.attributes,
            (SELECT coalesce(pg_catalog.max(c.sort_key), 0) + 1 FROM @extschema@.control c WHERE c.framework = r.framework),
            'user');
END
$$;
COMMENT ON FUNCTION @extschema@.add_control(text, text, text, text, text, jsonb) IS 'Adds a control (framework:control) to a user-defined framework.';

CREATE FUNCTION @extschema@.add_mapping_source(source text, title text, publisher text DEFAULT NULL,
                                               version text DEFAULT NULL, url text DEFAULT NULL,
                                               licence_note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO @extschema@.mapping_source (source, title, publisher, version, url, licence_note, origin)
    VALUES (add_mapping_source.source, add_mapping_source.title, add_mapping_source.publisher,
            add_mapping_source.version, add_mapping_source.url, add_mapping_source.licence_note, 'user');
END
$$;
COMMENT ON FUNCTION @extschema@.add_mapping_source(text, text, text, text, text, text) IS 'Registers a document that user edges or rules cite.';

CREATE FUNCTION @extschema@.add_edge(from_control text, to_control text, relationship text, source text,
                                     rationale text DEFAULT NULL, strength integer DEFAULT NULL,
                                     reviewed boolean DEFAULT false, note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s record;
    t record;
BEGIN
    s := @extschema@.split_control_ref(from_control);
    t := @extschema@.split_control_ref(to_control);
    INSERT INTO @extschema@.control_edge (source_framework, source_control, target_framework, target_control,
                                          relationship, rationale, strength, source, reviewed, note, origin)
    VALUES (s.framework, s.control, t.framework, t.control, add_edge.relationship, add_edge.rationale,
            add_edge.strength, add_edge.source, add_edge.reviewed, add_edge.note, 'user');
END
$$;
COMMENT ON FUNCTION @extschema@.add_edge(text, text, text, text, text, integer, boolean, text) IS 'Adds a user mapping edge from_control -> to_control (both framework:control) with a NIST IR 8477 relationship and its source.';

CREATE FUNCTION @extschema@.remove_edge(from_control text, to_control text, source text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s record;
    t record;
    n bigint;
BEGIN
    s := @extschema@.split_control_ref(from_control);
    t := @extschema@.split_control_ref(to_control);
    DELETE FROM @extschema@.control_edge e
     WHERE e.source_framework = s.framework AND e.source_control = s.control
       AND e.target_framework = t.framework AND e.target_control = t.control
       AND e.source = remove_edge.source AND e.origin = 'user';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n > 0;
END
$$;
COMMENT ON FUNCTION @extschema@.remove_edge(text, text, text) IS 'Removes a user edge; shipped edges are never removed.  Returns whether one existed.';

CREATE FUNCTION @extschema@.remove_framework(framework text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM @extschema@.framework f WHERE f.framework = remove_framework.framework AND f.origin = 'shipped') THEN
        RAISE EXCEPTION 'framework "%" is shipped with compmap and cannot be removed', remove_framework.framework
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM @extschema@.framework f WHERE f.framework = remove_framework.framework AND f.origin = 'user';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n > 0;
END
$$;
COMMENT ON FUNCTION @extschema@.remove_framework(text) IS 'Removes a user framework with its controls, edges and rules.';

CREATE FUNCTION @extschema@.add_mapping_rule(kind text, key text, control_ref text, source text,
                                             relationship text DEFAULT 'subset', note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    r := @extschema@.split_control_ref(control_ref);
    INSERT INTO @extschema@.mapping_rule (kind, key, framework, control, relationship, source, reviewed, note, origin)
    VALUES (add_mapping_rule.kind, add_mapping_rule.key, r.framework, r.control, add_mapping_rule.relationship,
            add_mapping_rule.source, false, add_mapping_rule.note, 'user');
END
$$;
COMMENT ON FUNCTION @extschema@.add_mapping_rule(text, text, text, text, text, text) IS 'Adds a global finding-to-control rule (kind cwe, rule_family, category or fallback).';

-- The controls a finding touches, from its CWE ids, scanner rule family and
-- category: the matching rules (global, plus the tenant's additions, minus
-- its suppressions; the fallback when nothing matches), then one crosswalk
-- hop from each.  One row per control: the shortest derivation wins.
CREATE FUNCTION @extschema@.controls_for(cwe_ids text[], rule_family text, category text, tenant uuid DEFAULT NULL)
RETURNS TABLE (framework text, control text, relationships text[], hops integer, path text[],
               fail_propagates boolean, rule_kind text, rule_key text, source text, reviewed boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH keys AS (
        SELECT 'cwe'::text AS kind,
               'CWE-' || pg_catalog.regexp_replace(pg_catalog.upper(c), '^CWE-', '') AS key
          FROM pg_catalog.unnest(cwe_ids) AS c
         WHERE c IS NOT NULL
        UNION
        SELECT 'rule_family', rule_family WHERE rule_family IS NOT NULL
        UNION
        SELECT 'category', category WHERE category IS NOT NULL
    ), suppressed AS (
        SELECT t.kind, t.key, t.framework, t.control
          FROM @extschema@.tenant_mapping_rule t
         WHERE t.tenant_id = tenant AND t.action = 'suppress'
    ), matched AS (
        SELECT r.kind, r.key, r.framework, r.control, r.relationship, r.source, r.reviewed
          FROM @extschema@.mapping_rule r JOIN keys k USING (kind, key)
         WHERE (r.kind, r.key, r.framework, r.control) NOT IN (SELECT * FROM suppressed)
        UNION ALL
        SELECT t.kind, t.key, t.framework, t.control, t.relationship, 'tenant override', true
          FROM @extschema@.tenant_mapping_rule t JOIN keys k USING (kind, key)
         WHERE t.tenant_id = tenant AND t.action = 'add'
    ), fallback AS (
        SELECT * FROM matched
        UNION ALL
        SELECT r.kind, r.key, r.framework, r.control, r.relationship, r.source, r.reviewed
          FROM @extschema@.mapping_rule r
         WHERE r.kind = 'fallback' AND NOT EXISTS (SELECT 1 FROM matched)
           AND (r.kind, r.key, r.framework, r.control) NOT IN (SELECT * FROM suppressed)
           AND NOT EXISTS (SELECT 1 FROM @extschema@.tenant_mapping_rule t
                            WHERE t.tenant_id = tenant AND t.kind = 'fallback' AND t.action = 'add')
        UNION ALL
        SELECT t.kind, t.key, t.framework, t.control, t.relationship, 'tenant override', true
          FROM @extschema@.tenant_mapping_rule t
         WHERE t.tenant_id = tenant AND t.kind = 'fallback' AND t.action = 'add'
           AND NOT EXISTS (SELECT 1 FROM matched)
    ), expanded AS (
        SELECT f.framework, f.control, ARRAY[f.relationship] AS relationships, 0 AS hops,
               ARRAY[f.kind || ':' || f.key, f.framework || ':' || f.control] AS path,
               f.relationship IN ('equal', 'subset') AS fail_propagates,
               f.kind, f.key, f.source, f.reviewed
          FROM fallback f
        UNION ALL
        SELECT x.framework, x.control, comp.possible, x.hops,
               ARRAY[f.kind || ':' || f.key] || x.path,
               comp.possible <@ ARRAY['equal', 'subset'],
               f.kind, f.key, f.source, f.reviewed
          FROM fallback f
          CROSS JOIN LATERAL @extschema@.crosswalk(f.framework || ':' || f.control, NULL, 1) AS x
          CROSS JOIN LATERAL (
              SELECT pg_catalog.array_agg(d.p ORDER BY pg_catalog.array_position(
                         ARRAY['equal', 'subset', 'superset', 'intersects', 'not_related'], d.p)) AS possible
                FROM (SELECT DISTINCT p
                        FROM pg_catalog.unnest(x.relationships) AS xr,
                             @extschema@.rcc5_composition c,
                             pg_catalog.unnest(c.possible) AS p
                       WHERE c.first_rel = f.relationship AND c.second_rel = xr) AS d
          ) AS comp
    )
    SELECT DISTINCT ON (e.framework, e.control)
           e.framework, e.control, e.relationships, e.hops, e.path, e.fail_propagates,
           e.kind, e.key, e.source, e.reviewed
      FROM expanded e
     ORDER BY e.framework, e.control, e.hops, e.fail_propagates DESC, e.path COLLATE "C"
$$;
COMMENT ON FUNCTION @extschema@.controls_for(text[], text, text, uuid) IS 'Controls a finding touches, from its CWE ids, rule family and category, through mapping rules (tenant overrides applied, fallback when nothing matches) and one crosswalk hop; with relationship, path and provenance.';
