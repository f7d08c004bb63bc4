-- The NIS2 legal layer (docs/nis2.md): who is in scope and how
-- (Directive (EU) 2022/2555 Arts. 2 and 3, Recommendation 2003/361/EC), the
-- Art. 34(4)/(5) fine ceilings, the Art. 21 gap against ISO/IEC 27001:2022
-- evidence (with CIR (EU) 2024/2690), the Art. 20 governance records, and
-- the Art. 23 reporting clock with the GDPR Art. 33, DORA and CRA clocks
-- that can run on the same incident.
--
-- Timestamps in evidence payloads are written with compmap.utc_text
-- (src/sql/80_auditor_pack.sql; PL/pgSQL resolves it when called), so
-- payloads never depend on the session's TimeZone.
--
-- Every record below is tenant-owned (tenant_id leads the primary key,
-- row-level security) and every change is appended to the tenant's evidence
-- log through compmap.record_event.  Governance records and report
-- submissions are append-only.  Times: hour-based deadlines are elapsed
-- hours; day- and month-based deadlines are calendar arithmetic in the
-- incident's time zone (docs/nis2.md, "Time arithmetic").

-- ---------------------------------------------------------------------
-- Entity types of Annexes I and II (and the types Art. 2(4)-(5) name)
-- ---------------------------------------------------------------------

CREATE TABLE @extschema@.nis2_entity_type (
    entity_type text    NOT NULL CHECK (entity_type ~ '^[a-z][a-z0-9_]{0,62}$'),
    annex       text    CHECK (annex IN ('I', 'II')),
    sector      text    NOT NULL,
    subsector   text,
    title       text    NOT NULL,
    cir_entity  boolean NOT NULL DEFAULT false,
    sort_key    integer NOT NULL,
    PRIMARY KEY (entity_type)
);
COMMENT ON TABLE @extschema@.nis2_entity_type IS 'Entity types of NIS2 Annex I (sectors of high criticality) and Annex II (other critical sectors), plus the types Art. 2(4) and 2(5) name outside the Annexes (annex NULL). Shipped data; public administration is a profile column, not a type (docs/nis2.md).';
COMMENT ON COLUMN @extschema@.nis2_entity_type.entity_type IS 'Code used in compmap.entity_profile.entity_types and compmap.nis2_classify.';
COMMENT ON COLUMN @extschema@.nis2_entity_type.annex IS 'I or II: the Annex of Directive (EU) 2022/2555 listing the type; NULL for Art. 2(4)/(5) types.';
COMMENT ON COLUMN @extschema@.nis2_entity_type.sector IS 'Annex sector, numbered as in the Annex, e.g. "8 Digital infrastructure".';
COMMENT ON COLUMN @extschema@.nis2_entity_type.subsector IS 'Annex subsector, e.g. "(a) Electricity"; NULL when the sector has none.';
COMMENT ON COLUMN @extschema@.nis2_entity_type.title IS 'The type of entity, abridged from the Annex.';
COMMENT ON COLUMN @extschema@.nis2_entity_type.cir_entity IS 'true when Commission Implementing Regulation (EU) 2024/2690 binds the type (its Art. 1); elsewhere its Annex is a reference only.';

INSERT INTO @extschema@.nis2_entity_type (entity_type, annex, sector, subsector, title, cir_entity, sort_key) VALUES
    ('electricity_undertaking',         'I',  '1 Energy', '(a) Electricity', 'Electricity undertakings carrying out the function of supply', false, 101),
    ('electricity_dso',                 'I',  '1 Energy', '(a) Electricity', 'Distribution system operators (electricity)', false, 102),
    ('electricity_tso',                 'I',  '1 Energy', '(a) Electricity', 'Transmission system operators (electricity)', false, 103),
    ('electricity_producer',            'I',  '1 Energy', '(a) Electricity', 'Producers of electricity', false, 104),
    ('nominated_electricity_market_operator', 'I', '1 Energy', '(a) Electricity', 'Nominated electricity market operators', false, 105),
    ('electricity_market_participant',  'I',  '1 Energy', '(a) Electricity', 'Market participants providing aggregation, demand response or energy storage services', false, 106),
    ('recharging_point_operator',       'I',  '1 Energy', '(a) Electricity', 'Operators of recharging points', false, 107),
    ('district_heating_cooling_operator', 'I', '1 Energy', '(b) District heating and cooling', 'Operators of district heating or district cooling', false, 108),
    ('oil_pipeline_operator',           'I',  '1 Energy', '(c) Oil', 'Operators of oil transmission pipelines', false, 109),
    ('oil_production_operator',         'I',  '1 Energy', '(c) Oil', 'Operators of oil production, refining and treatment facilities, storage and transmission', false, 110),
    ('oil_central_stockholding_entity', 'I',  '1 Energy', '(c) Oil', 'Central stockholding entities', false, 111),
    ('gas_supply_undertaking',          'I',  '1 Energy', '(d) Gas', 'Supply undertakings (gas)', false, 112),
    ('gas_dso',                         'I',  '1 Energy', '(d) Gas', 'Distribution system operators (gas)', false, 113),
    ('gas_tso',                         'I',  '1 Energy', '(d) Gas', 'Transmission system operators (gas)', false, 114),
    ('gas_storage_operator',            'I',  '1 Energy', '(d) Gas', 'Storage system operators (gas)', false, 115),
    ('lng_system_operator',             'I',  '1 Energy', '(d) Gas', 'LNG system operators', false, 116),
    ('natural_gas_undertaking',         'I',  '1 Energy', '(d) Gas', 'Natural gas undertakings', false, 117),
    ('gas_refining_operator',           'I',  '1 Energy', '(d) Gas', 'Operators of natural gas refining and treatment facilities', false, 118),
    ('hydrogen_operator',               'I',  '1 Energy', '(e) Hydrogen', 'Operators of hydrogen production, storage and transmission', false, 119),
    ('air_carrier',                     'I',  '2 Transport', '(a) Air', 'Air carriers used for commercial purposes', false, 201),
    ('airport_managing_body',           'I',  '2 Transport', '(a) Air', 'Airport managing bodies, airports and operators of ancillary installations', false, 202),
    ('air_traffic_control_operator',    'I',  '2 Transport', '(a) Air', 'Traffic management control operators providing air traffic control services', false, 203),
    ('rail_infrastructure_manager',     'I',  '2 Transport', '(b) Rail', 'Infrastructure managers (rail)', false, 204),
    ('railway_undertaking',             'I',  '2 Transport', '(b) Rail', 'Railway undertakings, including operators of service facilities', false, 205),
    ('water_transport_company',         'I',  '2 Transport', '(c) Water', 'Inland, sea and coastal passenger and freight water transport companies', false, 206),
    ('port_managing_body',              'I',  '2 Transport', '(c) Water', 'Managing bodies of ports, including their port facilities', false, 207),
    ('vessel_traffic_service_operator', 'I',  '2 Transport', '(c) Water', 'Operators of vessel traffic services', false, 208),
    ('road_authority',                  'I',  '2 Transport', '(d) Road', 'Road authorities responsible for traffic management control', false, 209),
    ('its_operator',                    'I',  '2 Transport', '(d) Road', 'Operators of Intelligent Transport Systems', false, 210),
    ('credit_institution',              'I',  '3 Banking', NULL, 'Credit institutions', false, 301),
    ('trading_venue_operator',          'I',  '4 Financial market infrastructures', NULL, 'Operators of trading venues', false, 401),
    ('central_counterparty',            'I',  '4 Financial market infrastructures', NULL, 'Central counterparties (CCPs)', false, 402),
    ('healthcare_provider',             'I',  '5 Health', NULL, 'Healthcare providers', false, 501),
    ('eu_reference_laboratory',         'I',  '5 Health', NULL, 'EU reference laboratories', false, 502),
    ('medicinal_product_rd',            'I',  '5 Health', NULL, 'Entities carrying out research and development activities of medicinal products', false, 503),
    ('basic_pharmaceutical_manufacturer', 'I', '5 Health', NULL, 'Entities manufacturing basic pharmaceutical products and preparations (NACE C21)', false, 504),
    ('critical_medical_device_manufacturer', 'I', '5 Health', NULL, 'Entities manufacturing medical devices considered critical during a public health emergency', false, 505),
    ('drinking_water_supplier',         'I',  '6 Drinking water', NULL, 'Suppliers and distributors of water intended for human consumption', false, 601),
    ('waste_water_undertaking',         'I',  '7 Waste water', NULL, 'Undertakings collecting, disposing of or treating urban, domestic or industrial waste water', false, 701),
    ('ixp_provider',                    'I',  '8 Digital infrastructure', NULL, 'Internet Exchange Point providers', false, 801),
    ('dns_service_provider',            'I',  '8 Digital infrastructure', NULL, 'DNS service providers, excluding operators of root name servers', true, 802),
    ('tld_name_registry',               'I',  '8 Digital infrastructure', NULL, 'TLD name registries', true, 803),
    ('cloud_computing_provider',        'I',  '8 Digital infrastructure', NULL, 'Cloud computing service providers', true, 804),
    ('data_centre_provider',            'I',  '8 Digital infrastructure', NULL, 'Data centre service providers', true, 805),
    ('cdn_provider',                    'I',  '8 Digital infrastructure', NULL, 'Content delivery network providers', true, 806),
    ('trust_service_provider',          'I',  '8 Digital infrastructure', NULL, 'Trust service providers (not qualified)', true, 807),
    ('qualified_trust_service_provider', 'I', '8 Digital infrastructure', NULL, 'Qualified trust service providers', true, 808),
    ('public_ecn_provider',             'I',  '8 Digital infrastructure', NULL, 'Providers of public electronic communications networks', false, 809),
    ('public_ecs_provider',             'I',  '8 Digital infrastructure', NULL, 'Providers of publicly available electronic communications services', false, 810),
    ('managed_service_provider',        'I',  '9 ICT service management (business-to-business)', NULL, 'Managed service providers', true, 901),
    ('managed_security_service_provider', 'I', '9 ICT service management (business-to-business)', NULL, 'Managed security service providers', true, 902),
    ('space_ground_infrastructure_operator', 'I', '11 Space', NULL, 'Operators of ground-based infrastructure that supports space-based services (not public e-comms network providers)', false, 1101),
    ('postal_courier_provider',         'II', '1 Postal and courier services', NULL, 'Postal service providers, including providers of courier services', false, 2101),
    ('waste_management_undertaking',    'II', '2 Waste management', NULL, 'Undertakings carrying out waste management as their principal economic activity', false, 2201),
    ('chemicals_undertaking',           'II', '3 Manufacture, production and distribution of chemicals', NULL, 'Undertakings manufacturing or distributing substances or mixtures, and producers of articles from them', false, 2301),
    ('food_business',                   'II', '4 Production, processing and distribution of food', NULL, 'Food businesses engaged in wholesale distribution and industrial production and processing', false, 2401),
    ('medical_device_manufacturer',     'II', '5 Manufacturing', '(a) Medical devices and in vitro diagnostic medical devices', 'Manufacturers of medical devices and IVD medical devices (other than Annex I point 5)', false, 2501),
    ('electronics_manufacturer',        'II', '5 Manufacturing', '(b) Computer, electronic and optical products', 'Manufacturers of computer, electronic and optical products (NACE C26)', false, 2502),
    ('electrical_equipment_manufacturer', 'II', '5 Manufacturing', '(c) Electrical equipment', 'Manufacturers of electrical equipment (NACE C27)', false, 2503),
    ('machinery_manufacturer',          'II', '5 Manufacturing', '(d) Machinery and equipment n.e.c.', 'Manufacturers of machinery and equipment n.e.c. (NACE C28)', false, 2504),
    ('motor_vehicle_manufacturer',      'II', '5 Manufacturing', '(e) Motor vehicles, trailers and semi-trailers', 'Manufacturers of motor vehicles, trailers and semi-trailers (NACE C29)', false, 2505),
    ('transport_equipment_manufacturer', 'II', '5 Manufacturing', '(f) Other transport equipment', 'Manufacturers of other transport equipment (NACE C30)', false, 2506),
    ('online_marketplace_provider',     'II', '6 Digital providers', NULL, 'Providers of online marketplaces', true, 2601),
    ('online_search_engine_provider',   'II', '6 Digital providers', NULL, 'Providers of online search engines', true, 2602),
    ('social_network_platform_provider', 'II', '6 Digital providers', NULL, 'Providers of social networking services platforms', true, 2603),
    ('research_organisation',           'II', '7 Research', NULL, 'Research organisations', false, 2701),
    ('domain_name_registration_provider', NULL, 'Art. 2(4)', NULL, 'Entities providing domain name registration services', false, 3001),
    ('education_institution',           NULL, 'Art. 2(5)', NULL, 'Education institutions (in scope only where a Member State so provides)', false, 3002);

-- ---------------------------------------------------------------------
-- Size class (Recommendation 2003/361/EC, Annex Art. 2) and classification
-- ---------------------------------------------------------------------

-- Annex Art. 2(1)-(3) of Recommendation 2003/361/EC: headcount always
-- counts; for the money test one of the two ceilings suffices ("and/or"),
-- so an enterprise exceeds a ceiling only when it exceeds both the turnover
-- and the balance-sheet figure.  NIS2 Art. 2(1) excludes Annex Art. 3(4)
-- (public control), which compmap therefore never applies.  The figures are
-- taken as supplied: partner and linked enterprises (Annex Art. 6) and the
-- two-consecutive-periods rule (Annex Art. 4(2)) are the caller's job.
CREATE FUNCTION @extschema@.sme_size_class(staff_headcount numeric, annual_turnover_eur numeric,
                                           balance_sheet_eur numeric) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ceilings constant numeric[] := ARRAY[250, 50000000, 43000000,   -- medium ceilings, Annex Art. 2(1)
                                          50, 10000000, 10000000,   -- small, Annex Art. 2(2)
                                          10, 2000000, 2000000];    -- micro, Annex Art. 2(3)
    classes constant text[] := ARRAY['large', 'medium', 'small'];
    exceeds boolean;
BEGIN
    IF staff_headcount IS NULL THEN
        RAISE EXCEPTION 'the staff headcount is required to determine the size class'
            USING ERRCODE = 'not_null_violation',
                  DETAIL = 'Recommendation 2003/361/EC, Annex Art. 2: the headcount (annual work units) is always part of the test.';
    END IF;
    IF staff_headcount < 0 OR annual_turnover_eur < 0 OR balance_sheet_eur < 0 THEN
        RAISE EXCEPTION 'staff headcount, turnover and balance-sheet total must not be negative'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR i IN 1..3 LOOP
        exceeds := staff_headcount >= ceilings[3 * i - 2]
                   OR (annual_turnover_eur > ceilings[3 * i - 1] AND balance_sheet_eur > ceilings[3 * i]);
        IF exceeds IS NULL THEN
            RAISE EXCEPTION 'the size class cannot be decided without both the annual turnover and the balance-sheet total'
                USING ERRCODE = 'not_null_violation',
                      DETAIL = pg_catalog.format('With %s staff the money test decides whether the entity is %s; it needs turnover > EUR %s and balance sheet > EUR %s together.',
                                                 staff_headcount, classes[i], ceilings[3 * i - 1], ceilings[3 * i]),
                      HINT = 'Pass both figures (after adding partner and linked enterprises).';
        END IF;
        IF exceeds THEN
            RETURN classes[i];
        END IF;
    END LOOP;
    RETURN 'micro';
END
$$;
COMMENT ON FUNCTION @extschema@.sme_size_class(numeric, numeric, numeric) IS 'Size class (micro, small, medium, large) per Recommendation 2003/361/EC, Annex Art. 2: large = staff >= 250 or (turnover > EUR 50 m and balance sheet > EUR 43 m); medium = staff >= 50 or both > EUR 10 m; small = staff >= 10 or both > EUR 2 m. Figures as supplied (no aggregation, no two-period rule).';

-- The decision table of docs/nis2.md (from the reference's table for NIS2
-- Arts. 2 and 3): the first E-rule that matches gives essential, else the
-- first I-rule gives important, else the O-rules; P0 and X1 come first and
-- the DORA overlay L1 last.
CREATE FUNCTION @extschema@.nis2_classify(
    entity_types text[],
    staff_headcount numeric,
    annual_turnover_eur numeric,
    balance_sheet_eur numeric,
    activities_in_union boolean DEFAULT true,
    public_administration text DEFAULT NULL,
    regional_risk_selected boolean DEFAULT false,
    cer_critical_entity boolean DEFAULT false,
    ms_designation text DEFAULT NULL,
    nis1_oes_kept_essential boolean DEFAULT false,
    ms_opt_in text DEFAULT NULL,
    security_defence_exempt boolean DEFAULT false,
    dora_financial_entity boolean DEFAULT false,
    OUT classification text, OUT size_class text, OUT rule text, OUT legal_basis text, OUT reason text,
    OUT annex text, OUT deciding_type text, OUT cir_binding boolean,
    OUT lex_specialis text, OUT lex_specialis_basis text, OUT art21_art23_apply boolean,
    OUT other_duties text, OUT caveats text[])
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    types text[] := coalesce(entity_types, '{}');
    unknown text[];
    annex1 text[];
    annex2 text[];
    ecomms text;
    size_rule_caveat constant text := 'size class from the figures as supplied: partner and linked enterprises and the two-consecutive-periods rule (Recommendation 2003/361/EC, Annex Arts. 4(2) and 6) are not applied by compmap';
BEGIN
    caveats := '{}';
    -- Input checks: every refusal is a clear error (docs/nis2.md, "Errors").
    SELECT pg_catalog.array_agg(u ORDER BY u) INTO unknown
      FROM pg_catalog.unnest(types) u
     WHERE u IS NULL OR NOT EXISTS (SELECT 1 FROM @extschema@.nis2_entity_type t WHERE t.entity_type = u);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'unknown NIS2 entity type(s): %', pg_catalog.array_to_string(unknown, ', ', 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The codes are listed in compmap.nis2_entity_type.';
    END IF;
    IF public_administration IS NOT NULL AND public_administration NOT IN ('central', 'regional', 'local') THEN
        RAISE EXCEPTION 'public_administration must be central, regional or local, not "%"', public_administration
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(regional_risk_selected, false) AND public_administration IS DISTINCT FROM 'regional' THEN
        RAISE EXCEPTION 'regional_risk_selected applies only to a regional public administration entity (Art. 2(2)(f)(ii))'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF ms_designation IS NOT NULL AND ms_designation NOT IN ('essential', 'important') THEN
        RAISE EXCEPTION 'ms_designation must be essential or important, not "%"', ms_designation
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF ms_opt_in IS NOT NULL AND ms_opt_in NOT IN ('essential', 'important') THEN
        RAISE EXCEPTION 'ms_opt_in must be essential or important, not "%"', ms_opt_in
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT pg_catalog.array_agg(t.entity_type ORDER BY t.sort_key) FILTER (WHERE t.annex = 'I'),
           pg_catalog.array_agg(t.entity_type ORDER BY t.sort_key) FILTER (WHERE t.annex = 'II'),
           coalesce(pg_catalog.bool_or(t.cir_entity), false)
      INTO annex1, annex2, cir_binding
      FROM @extschema@.nis2_entity_type t
     WHERE t.entity_type = ANY (types);
    annex := CASE WHEN annex1 IS NOT NULL THEN 'I' WHEN annex2 IS NOT NULL THEN 'II' END;

    IF ms_designation IS NOT NULL AND annex IS NULL AND public_administration IS NULL THEN
        RAISE EXCEPTION 'a Member State designation under Art. 2(2)(b)-(e) needs an Annex I or II entity type'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Art. 3(1)(e) and 3(2) speak of entities of a type referred to in Annex I or II.';
    END IF;
    IF ms_opt_in IS NOT NULL AND public_administration IS DISTINCT FROM 'local'
       AND NOT 'education_institution' = ANY (types) THEN
        RAISE EXCEPTION 'ms_opt_in applies only to local public administration entities and education institutions (Art. 2(5))'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Size matters for Annex I/II types only (Art. 2(1)); without one, no figures are needed.
    IF annex IS NOT NULL THEN
        size_class := @extschema@.sme_size_class(staff_headcount, annual_turnover_eur, balance_sheet_eur);
    ELSIF staff_headcount IS NOT NULL AND annual_turnover_eur IS NOT NULL AND balance_sheet_eur IS NOT NULL THEN
        size_class := @extschema@.sme_size_class(staff_headcount, annual_turnover_eur, balance_sheet_eur);
    END IF;
    IF 'domain_name_registration_provider' = ANY (types) THEN
        other_duties := 'Arts. 3(3)-(4), 27 and 28 (registration; domain name registration data), regardless of size (Art. 2(4))';
    END IF;
    ecomms := (SELECT u FROM pg_catalog.unnest(types) u WHERE u IN ('public_ecn_provider', 'public_ecs_provider') ORDER BY u LIMIT 1);

    <<decide>>
    BEGIN
        IF activities_in_union IS FALSE THEN
            classification := 'out_of_scope'; rule := 'P0'; legal_basis := 'Art. 2(1)';
            reason := 'no services provided or activities carried out in the Union';
            EXIT decide;
        END IF;
        IF security_defence_exempt THEN
            classification := 'out_of_scope'; rule := 'X1'; legal_basis := 'Art. 2(7)-(8)';
            reason := 'activities in national security, public security, defence or law enforcement, or exempted by the Member State';
            caveats := caveats || 'paragraph numbering of Art. 2(7)-(8) not re-verified against the OJ; check national law'::text;
            EXIT decide;
        END IF;
        -- E-rules: essential (Art. 3(1))
        IF cer_critical_entity THEN
            classification := 'essential'; rule := 'E1'; legal_basis := 'Art. 2(3), Art. 3(1)(f)';
            reason := 'identified as a critical entity under Directive (EU) 2022/2557 (CER), regardless of size';
            EXIT decide;
        END IF;
        IF 'qualified_trust_service_provider' = ANY (types) THEN
            classification := 'essential'; rule := 'E2'; legal_basis := 'Art. 2(2)(a)(ii), Art. 3(1)(b)';
            reason := 'qualified trust service provider, regardless of size'; deciding_type := 'qualified_trust_service_provider';
            EXIT decide;
        END IF;
        IF 'tld_name_registry' = ANY (types) THEN
            classification := 'essential'; rule := 'E3'; legal_basis := 'Art. 2(2)(a)(iii), Art. 3(1)(b)';
            reason := 'TLD name registry, regardless of size'; deciding_type := 'tld_name_registry';
            EXIT decide;
        END IF;
        IF 'dns_service_provider' = ANY (types) THEN
            classification := 'essential'; rule := 'E4'; legal_basis := 'Art. 2(2)(a)(iii), Art. 3(1)(b)';
            reason := 'DNS service provider (root name server operators are excluded by Annex I), regardless of size';
            deciding_type := 'dns_service_provider';
            EXIT decide;
        END IF;
        IF ecomms IS NOT NULL AND size_class IN ('medium', 'large') THEN
            classification := 'essential'; rule := 'E5';
            legal_basis := CASE size_class WHEN 'medium' THEN 'Art. 3(1)(c)' ELSE 'Art. 3(1)(a)' END;
            reason := pg_catalog.format('public electronic communications provider of %s size', size_class);
            deciding_type := ecomms; caveats := caveats || size_rule_caveat;
            EXIT decide;
        END IF;
        IF public_administration = 'central' THEN
            classification := 'essential'; rule := 'E6'; legal_basis := 'Art. 2(2)(f)(i), Art. 3(1)(d)';
            reason := 'public administration entity of central government (as defined by the Member State)';
            EXIT decide;
        END IF;
        IF ms_designation = 'essential' THEN
            classification := 'essential'; rule := 'E7'; legal_basis := 'Art. 2(2)(b)-(e), Art. 3(1)(e)';
            reason := 'identified by a Member State as essential under Art. 2(2)(b)-(e)';
            EXIT decide;
        END IF;
        IF nis1_oes_kept_essential THEN
            classification := 'essential'; rule := 'E8'; legal_basis := 'Art. 3(1)(g)';
            reason := 'identified as an operator of essential services under Directive (EU) 2016/1148 before 16 January 2023, and the Member State keeps such operators essential';
            EXIT decide;
        END IF;
        IF annex1 IS NOT NULL AND size_class = 'large' THEN
            classification := 'essential'; rule := 'E9'; legal_basis := 'Art. 2(1), Art. 3(1)(a)';
            reason := 'Annex I type that exceeds the ceilings for medium-sized enterprises';
            deciding_type := annex1[1]; caveats := caveats || size_rule_caveat;
            EXIT decide;
        END IF;
        -- I-rules: important (Art. 3(2))
        IF ecomms IS NOT NULL AND size_class IN ('micro', 'small') THEN
            classification := 'important'; rule := 'I1'; legal_basis := 'Art. 2(2)(a)(i), Art. 3(2)';
            reason := pg_catalog.format('public electronic communications provider of %s size: in scope regardless of size, not essential', size_class);
            deciding_type := ecomms; caveats := caveats || size_rule_caveat;
            EXIT decide;
        END IF;
        IF 'trust_service_provider' = ANY (types) AND size_class <> 'large' THEN
            classification := 'important'; rule := 'I2'; legal_basis := 'Art. 2(2)(a)(ii), Art. 3(2)';
            reason := pg_catalog.format('non-qualified trust service provider of %s size: in scope regardless of size, not essential', size_class);
            deciding_type := 'trust_service_provider'; caveats := caveats || size_rule_caveat;
            EXIT decide;
        END IF;
        IF public_administration = 'regional' AND regional_risk_selected THEN
            classification := 'important'; rule := 'I3'; legal_basis := 'Art. 2(2)(f)(ii), Art. 3(2)';
            reason := 'regional public administration entity selected by the Member State after a risk-based assessment';
            EXIT decide;
        END IF;
        IF ms_designation = 'important' THEN
            classification := 'important'; rule := 'I4'; legal_basis := 'Art. 2(2)(b)-(e), Art. 3(2) second sentence';
            reason := 'identified by a Member State under Art. 2(2)(b)-(e), not as essential';
            EXIT decide;
        END IF;
        IF annex1 IS NOT NULL AND size_class = 'medium' THEN
            classification := 'important'; rule := 'I5'; legal_basis := 'Art. 2(1), Art. 3(2)';
            reason := 'Annex I type of medium size';
            deciding_type := annex1[1]; caveats := caveats || size_rule_caveat;
            EXIT decide;
        END IF;
        IF annex2 IS NOT NULL AND size_class IN ('medium', 'large') THEN
            classification := 'important'; rule := 'I6'; legal_basis := 'Art. 2(1), Art. 3(2)';
            reason := pg_catalog.format('Annex II type of %s size (Annex II types are never essential by size)', size_class);
            deciding_type := annex2[1]; caveats := caveats || size_rule_caveat;
            EXIT decide;
        END IF;
        -- O-rules
        IF 'domain_name_registration_provider' = ANY (types) THEN
            classification := 'out_of_scope'; rule := 'O1'; legal_basis := 'Art. 2(4)';
            reason := 'provides domain name registration services: in scope regardless of size only for the registration and domain-data duties (Arts. 3(3)-(4), 27, 28), not as an essential or important entity';
            deciding_type := 'domain_name_registration_provider';
            EXIT decide;
        END IF;
        IF public_administration = 'local' OR 'education_institution' = ANY (types) THEN
            rule := 'O2'; legal_basis := 'Art. 2(5)';
            deciding_type := CASE WHEN public_administration = 'local' THEN NULL ELSE 'education_institution' END;
            IF ms_opt_in IS NOT NULL THEN
                classification := ms_opt_in;
                reason := pg_catalog.format('%s: the Member State has extended NIS2 to it, as %s',
                                            CASE WHEN public_administration = 'local' THEN 'local public administration entity' ELSE 'education institution' END, ms_opt_in);
                caveats := caveats || 'category per national law (Art. 2(5))'::text;
            ELSE
                classification := 'out_of_scope';
                reason := pg_catalog.format('%s: in scope only where the Member State provides so (Art. 2(5)); no opt-in recorded',
                                            CASE WHEN public_administration = 'local' THEN 'local public administration entity' ELSE 'education institution' END);
            END IF;
            EXIT decide;
        END IF;
        IF annex IS NOT NULL THEN
            classification := 'out_of_scope'; rule := 'O3'; legal_basis := 'Art. 2(1)';
            reason := pg_catalog.format('Annex %s type of %s size, and no size-independent rule applies', annex, size_class);
            deciding_type := coalesce(annex1[1], annex2[1]); caveats := caveats || size_rule_caveat;
            EXIT decide;
        END IF;
        -- Not a row of the reference's table: the fall-through.
        classification := 'out_of_scope'; rule := 'O4';
        legal_basis := CASE WHEN public_administration = 'regional' THEN 'Art. 2(2)(f)(ii)' ELSE 'Art. 2(1)' END;
        reason := CASE WHEN public_administration = 'regional'
                       THEN 'regional public administration entity not selected by the Member State after a risk-based assessment'
                       ELSE 'no entity type of Annex I or II and no other ground of Art. 2' END;
    END decide;

    -- L1: sector-specific act overlay (Art. 4; DORA Art. 1(2) and recital 16).
    IF dora_financial_entity AND classification IN ('essential', 'important') THEN
        lex_specialis := 'Regulation (EU) 2022/2554 (DORA)';
        lex_specialis_basis := 'NIS2 Art. 4; DORA Art. 1(2), recital 16';
        caveats := caveats || 'DORA displaces the NIS2 risk-management (Art. 21) and reporting (Art. 23) duties and their supervision; the entity may still be on the NIS2 list'::text;
    END IF;
    art21_art23_apply := classification IN ('essential', 'important') AND lex_specialis IS NULL;
    cir_binding := cir_binding AND classification IN ('essential', 'important');
END
$$;
COMMENT ON FUNCTION @extschema@.nis2_classify(text[], numeric, numeric, numeric, boolean, text, boolean, boolean, text, boolean, text, boolean, boolean) IS 'NIS2 scope: essential, important or out_of_scope, with the size class (Recommendation 2003/361/EC), the deciding rule of the decision table (P0, X1, E1-E9, I1-I6, O1-O4) and its legal basis, and the DORA lex specialis overlay (L1). Figures are taken as supplied (docs/nis2.md, "Not modelled").';

-- Art. 34(4) (essential) and 34(5) (important): the national maximum fine
-- for infringing Art. 21 or 23 must be at least EUR 10 000 000 or 2 %
-- (essential), EUR 7 000 000 or 1.4 % (important) of the total worldwide
-- annual turnover in the preceding financial year of the undertaking the
-- entity belongs to, whichever is higher.  Floors of the ceiling: Member
-- States may set higher maxima.
CREATE FUNCTION @extschema@.nis2_max_fine(classification text, worldwide_turnover numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF classification IS NULL OR worldwide_turnover IS NULL THEN
        RAISE EXCEPTION 'nis2_max_fine needs a classification and the worldwide annual turnover'
            USING ERRCODE = 'not_null_violation',
                  HINT = 'Pass the total worldwide annual turnover of the undertaking in the preceding financial year (Art. 34(4)/(5)).';
    END IF;
    IF worldwide_turnover < 0 THEN
        RAISE EXCEPTION 'the worldwide annual turnover must not be negative, not %', worldwide_turnover
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    CASE classification
        WHEN 'essential' THEN   -- Art. 34(4)
            RETURN pg_catalog.round(GREATEST(10000000::numeric, worldwide_turnover * 0.02), 2);
        WHEN 'important' THEN   -- Art. 34(5)
            RETURN pg_catalog.round(GREATEST(7000000::numeric, worldwide_turnover * 0.014), 2);
        WHEN 'out_of_scope' THEN
            RETURN NULL;
        ELSE
            RAISE EXCEPTION 'classification must be essential, important or out_of_scope, not "%"', classification
                USING ERRCODE = 'invalid_parameter_value';
    END CASE;
END
$$;
COMMENT ON FUNCTION @extschema@.nis2_max_fine(text, numeric) IS 'The least maximum fine national law must allow for infringing NIS2 Art. 21 or 23 (Art. 34(4)/(5)): essential max(EUR 10 m, 2 % of worldwide turnover), important max(EUR 7 m, 1.4 %); NULL for out_of_scope. Member States may set higher maxima.';

-- ---------------------------------------------------------------------
-- Entity profile and the scope view
-- ---------------------------------------------------------------------

-- The evidence-log subject of a tenant's NIS2 records on one topic
-- ('scope' for the profile and scope confirmations, 'governance' for the
-- Art. 20 records and other duties): one provable chain per topic.
CREATE FUNCTION @extschema@.nis2_subject(tenant uuid, topic text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.md5('compmap.nis2/' || tenant::text || '/' || topic)::uuid
$$;
COMMENT ON FUNCTION @extschema@.nis2_subject(uuid, text) IS 'The evidence-log subject id of a tenant''s NIS2 records on a topic (scope, governance).';

-- An interval as ISO 8601 text (P1Y2M3DT4H5M6S), whatever the session's
-- IntervalStyle: evidence payloads and view texts must not depend on it.
CREATE FUNCTION @extschema@.interval_iso(i interval) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN i = interval '0' THEN 'PT0S' ELSE
           'P' || coalesce(nullif(pg_catalog.date_part('year', i), 0) || 'Y', '')
               || coalesce(nullif(pg_catalog.date_part('month', i), 0) || 'M', '')
               || coalesce(nullif(pg_catalog.date_part('day', i), 0) || 'D', '')
               || CASE WHEN pg_catalog.date_part('hour', i) <> 0 OR pg_catalog.date_part('minute', i) <> 0
                             OR pg_catalog.date_part('second', i) <> 0
                       THEN 'T' || coalesce(nullif(pg_catalog.date_part('hour', i), 0) || 'H', '')
                                || coalesce(nullif(pg_catalog.date_part('minute', i), 0) || 'M', '')
                                || coalesce(nullif(pg_catalog.date_part('second', i), 0) || 'S', '')
                       ELSE '' END END
$$;
COMMENT ON FUNCTION @extschema@.interval_iso(interval) IS 'ISO 8601 duration text of an interval (P100Y, P1M, PT24H), independent of IntervalStyle.';

CREATE TABLE @extschema@.entity_profile (
    tenant_id               uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    entity_name             text        NOT NULL CHECK (entity_name <> ''),
    entity_types            text[]      NOT NULL DEFAULT '{}',
    staff_headcount         numeric     CHECK (staff_headcount >= 0),
    annual_turnover_eur     numeric     CHECK (annual_turnover_eur >= 0),
    balance_sheet_eur       numeric     CHECK (balance_sheet_eur >= 0),
    worldwide_turnover_eur  numeric     CHECK (worldwide_turnover_eur >= 0),
    member_states           text[]      NOT NULL DEFAULT '{}',
    public_administration   text        CHECK (public_administration IN ('central', 'regional', 'local')),
    regional_risk_selected  boolean     NOT NULL DEFAULT false,
    cer_critical_entity     boolean     NOT NULL DEFAULT false,
    ms_designation          text        CHECK (ms_designation IN ('essential', 'important')),
    nis1_oes_kept_essential boolean     NOT NULL DEFAULT false,
    ms_opt_in               text        CHECK (ms_opt_in IN ('essential', 'important')),
    security_defence_exempt boolean     NOT NULL DEFAULT false,
    dora_financial_entity   boolean     NOT NULL DEFAULT false,
    reporting_time_zone     text        NOT NULL DEFAULT 'UTC',
    training_interval       interval    NOT NULL DEFAULT '1 year' CHECK (training_interval > '0'::interval),
    updated_at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_by              text        NOT NULL DEFAULT CURRENT_USER,
    PRIMARY KEY (tenant_id)
);
COMMENT ON TABLE @extschema@.entity_profile IS 'The NIS2 entity profile of a tenant: entity types, size figures, Member States and designation flags; input of compmap.nis2_classify (view compmap.nis2_scope). Written with compmap.set_entity_profile, which logs every version.';
COMMENT ON COLUMN @extschema@.entity_profile.entity_types IS 'Codes of compmap.nis2_entity_type: every Annex I/II type the entity is, plus domain_name_registration_provider and education_institution where they apply.';
COMMENT ON COLUMN @extschema@.entity_profile.staff_headcount IS 'Staff in annual work units (Recommendation 2003/361/EC, Annex Art. 5), after adding partner and linked enterprises.';
COMMENT ON COLUMN @extschema@.entity_profile.annual_turnover_eur IS 'Annual turnover in EUR from the last approved accounts, after aggregation (Annex Arts. 4 and 6).';
COMMENT ON COLUMN @extschema@.entity_profile.balance_sheet_eur IS 'Annual balance-sheet total in EUR, after aggregation.';
COMMENT ON COLUMN @extschema@.entity_profile.worldwide_turnover_eur IS 'Total worldwide annual turnover of the undertaking the entity belongs to (Art. 34(4)/(5)); NULL: annual_turnover_eur is used.';
COMMENT ON COLUMN @extschema@.entity_profile.member_states IS 'EU Member States (two-letter codes as the EU writes them, EL for Greece) where the entity provides services or carries out activities; empty: none (rule P0).';
COMMENT ON COLUMN @extschema@.entity_profile.public_administration IS 'central, regional or local public administration entity as defined by the Member State (Annex I point 10, Art. 2(2)(f), Art. 2(5)); NULL: not one.';
COMMENT ON COLUMN @extschema@.entity_profile.regional_risk_selected IS 'A regional public administration entity the Member State selected after a risk-based assessment (Art. 2(2)(f)(ii)).';
COMMENT ON COLUMN @extschema@.entity_profile.cer_critical_entity IS 'Identified as a critical entity under Directive (EU) 2022/2557 (Art. 2(3)).';
COMMENT ON COLUMN @extschema@.entity_profile.ms_designation IS 'Identified by a Member State under Art. 2(2)(b)-(e) as essential or important (important also when no category was given).';
COMMENT ON COLUMN @extschema@.entity_profile.nis1_oes_kept_essential IS 'Operator of essential services under NIS1 identified before 16 January 2023, and the Member State keeps such operators essential (Art. 3(1)(g)).';
COMMENT ON COLUMN @extschema@.entity_profile.ms_opt_in IS 'For local public administration and education institutions: the category under which the Member State extended NIS2 to the entity (Art. 2(5)); NULL: no opt-in.';
COMMENT ON COLUMN @extschema@.entity_profile.security_defence_exempt IS 'Activities in national security, public security, defence or law enforcement, or exempted by the Member State (Art. 2(7)-(8)).';
COMMENT ON COLUMN @extschema@.entity_profile.dora_financial_entity IS 'A financial entity under Regulation (EU) 2022/2554 (DORA): the lex specialis overlay (NIS2 Art. 4, DORA Art. 1(2)).';
COMMENT ON COLUMN @extschema@.entity_profile.reporting_time_zone IS 'IANA time zone for calendar-day and calendar-month deadlines of new incidents (docs/nis2.md, "Time arithmetic").';
COMMENT ON COLUMN @extschema@.entity_profile.training_interval IS 'How long a management-body training counts as current in compmap.nis2_gap. compmap''s setting: Art. 20(2) sets no interval.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.entity_profile', '');
ALTER TABLE @extschema@.entity_profile ENABLE ROW LEVEL SECURITY;
CREATE POLICY entity_profile_tenant ON @extschema@.entity_profile
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));

-- Refuses an IANA time zone name PostgreSQL does not know.
CREATE FUNCTION @extschema@.check_time_zone(time_zone text) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF time_zone IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z WHERE z.name = time_zone) THEN
        RAISE EXCEPTION 'time zone "%" is not a known IANA time zone name', time_zone
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use a name from pg_timezone_names, e.g. Europe/Berlin or UTC.';
    END IF;
    RETURN time_zone;
END
$$;
COMMENT ON FUNCTION @extschema@.check_time_zone(text) IS 'Returns the time zone name when PostgreSQL knows it (pg_timezone_names), else raises 22023.';

CREATE FUNCTION @extschema@.set_entity_profile(
    tenant uuid, entity_name text, entity_types text[],
    staff_headcount numeric, annual_turnover_eur numeric, balance_sheet_eur numeric,
    member_states text[],
    worldwide_turnover_eur numeric DEFAULT NULL,
    public_administration text DEFAULT NULL,
    regional_risk_selected boolean DEFAULT false,
    cer_critical_entity boolean DEFAULT false,
    ms_designation text DEFAULT NULL,
    nis1_oes_kept_essential boolean DEFAULT false,
    ms_opt_in text DEFAULT NULL,
    security_defence_exempt boolean DEFAULT false,
    dora_financial_entity boolean DEFAULT false,
    reporting_time_zone text DEFAULT 'UTC',
    training_interval interval DEFAULT '1 year',
    actor text DEFAULT CURRENT_USER)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    eu constant text[] := '{AT,BE,BG,CY,CZ,DE,DK,EE,EL,ES,FI,FR,HR,HU,IE,IT,LT,LU,LV,MT,NL,PL,PT,RO,SE,SI,SK}';
    bad text[];
    c record;
BEGIN
    IF coalesce(entity_name, '') = '' OR coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'an entity profile needs the entity''s name and an actor'
            USING ERRCODE = 'not_null_violation';
    END IF;
    IF member_states IS NULL THEN
        RAISE EXCEPTION 'member_states is required (an empty array: no activities in the Union)'
            USING ERRCODE = 'not_null_violation';
    END IF;
    SELECT pg_catalog.array_agg(m ORDER BY m) INTO bad FROM pg_catalog.unnest(member_states) m WHERE m IS NULL OR NOT m = ANY (eu);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'not an EU Member State code: %', pg_catalog.array_to_string(bad, ', ', 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use the EU''s two-letter codes (EL for Greece): ' || pg_catalog.array_to_string(eu, ' ') || '.';
    END IF;
    PERFORM @extschema@.check_time_zone(reporting_time_zone);
    IF training_interval IS NULL OR training_interval <= '0'::interval THEN
        RAISE EXCEPTION 'training_interval must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF worldwide_turnover_eur < 0 THEN
        RAISE EXCEPTION 'worldwide_turnover_eur must not be negative' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Classifying validates every other input with the same errors.
    SELECT * INTO c FROM @extschema@.nis2_classify(entity_types, staff_headcount, annual_turnover_eur, balance_sheet_eur,
        pg_catalog.cardinality(member_states) > 0, public_administration, coalesce(regional_risk_selected, false),
        coalesce(cer_critical_entity, false), ms_designation, coalesce(nis1_oes_kept_essential, false), ms_opt_in,
        coalesce(security_defence_exempt, false), coalesce(dora_financial_entity, false));
    INSERT INTO @extschema@.entity_profile AS p (tenant_id, entity_name, entity_types, staff_headcount, annual_turnover_eur,
        balance_sheet_eur, worldwide_turnover_eur, member_states, public_administration, regional_risk_selected,
        cer_critical_entity, ms_designation, nis1_oes_kept_essential, ms_opt_in, security_defence_exempt,
        dora_financial_entity, reporting_time_zone, training_interval, updated_at, updated_by)
    VALUES (tenant, entity_name, coalesce(entity_types, '{}'), staff_headcount, annual_turnover_eur, balance_sheet_eur,
        worldwide_turnover_eur, member_states, public_administration, coalesce(regional_risk_selected, false),
        coalesce(cer_critical_entity, false), ms_designation, coalesce(nis1_oes_kept_essential, false), ms_opt_in,
        coalesce(security_defence_exempt, false), coalesce(dora_financial_entity, false), reporting_time_zone,
        training_interval, pg_catalog.now(), actor)
    ON CONFLICT (tenant_id) DO UPDATE
       SET entity_name = EXCLUDED.entity_name, entity_types = EXCLUDED.entity_types,
           staff_headcount = EXCLUDED.staff_headcount, annual_turnover_eur = EXCLUDED.annual_turnover_eur,
           balance_sheet_eur = EXCLUDED.balance_sheet_eur, worldwide_turnover_eur = EXCLUDED.worldwide_turnover_eur,
           member_states = EXCLUDED.member_states, public_administration = EXCLUDED.public_administration,
           regional_risk_selected = EXCLUDED.regional_risk_selected, cer_critical_entity = EXCLUDED.cer_critical_entity,
           ms_designation = EXCLUDED.ms_designation, nis1_oes_kept_essential = EXCLUDED.nis1_oes_kept_essential,
           ms_opt_in = EXCLUDED.ms_opt_in, security_defence_exempt = EXCLUDED.security_defence_exempt,
           dora_financial_entity = EXCLUDED.dora_financial_entity, reporting_time_zone = EXCLUDED.reporting_time_zone,
           training_interval = EXCLUDED.training_interval, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by;
    PERFORM @extschema@.record_event(tenant, @extschema@.nis2_subject(tenant, 'scope'), 'nis2.profile_set', actor,
        pg_catalog.jsonb_build_object(
            'entity_name', entity_name, 'entity_types', pg_catalog.to_jsonb(coalesce(entity_types, '{}')),
            'staff_headcount', staff_headcount, 'annual_turnover_eur', annual_turnover_eur,
            'balance_sheet_eur', balance_sheet_eur, 'worldwide_turnover_eur', worldwide_turnover_eur,
            'member_states', pg_catalog.to_jsonb(member_states), 'public_administration', public_administration,
            'regional_risk_selected', regional_risk_selected, 'cer_critical_entity', cer_critical_entity,
            'ms_designation', ms_designation, 'nis1_oes_kept_essential', nis1_oes_kept_essential,
            'ms_opt_in', ms_opt_in, 'security_defence_exempt', security_defence_exempt,
            'dora_financial_entity', dora_financial_entity, 'reporting_time_zone', reporting_time_zone,
            'training_interval', @extschema@.interval_iso(training_interval),
            'classification', pg_catalog.jsonb_build_object('classification', c.classification, 'size_class', c.size_class,
                                                            'rule', c.rule, 'legal_basis', c.legal_basis,
                                                            'lex_specialis', c.lex_specialis)));
    RETURN c.classification;
END
$$;
COMMENT ON FUNCTION @extschema@.set_entity_profile(uuid, text, text[], numeric, numeric, numeric, text[], numeric, text, boolean, boolean, text, boolean, text, boolean, boolean, text, interval, text) IS 'Creates or replaces the tenant''s NIS2 entity profile after validating it, logs the profile and its classification in the evidence log (nis2.profile_set) and returns the classification.';

CREATE VIEW @extschema@.nis2_scope WITH (security_invoker = true) AS
SELECT p.tenant_id, p.entity_name, c.classification, c.size_class, c.rule, c.legal_basis, c.reason,
       c.annex, c.deciding_type, c.cir_binding, c.lex_specialis, c.lex_specialis_basis, c.art21_art23_apply,
       c.other_duties, c.caveats,
       CASE WHEN coalesce(p.worldwide_turnover_eur, p.annual_turnover_eur) IS NOT NULL
            THEN @extschema@.nis2_max_fine(c.classification, coalesce(p.worldwide_turnover_eur, p.annual_turnover_eur)) END AS max_fine_floor_eur,
       p.updated_at AS profile_updated_at
  FROM @extschema@.entity_profile p
 CROSS JOIN LATERAL @extschema@.nis2_classify(p.entity_types, p.staff_headcount, p.annual_turnover_eur, p.balance_sheet_eur,
        pg_catalog.cardinality(p.member_states) > 0, p.public_administration, p.regional_risk_selected,
        p.cer_critical_entity, p.ms_designation, p.nis1_oes_kept_essential, p.ms_opt_in,
        p.security_defence_exempt, p.dora_financial_entity) c;
COMMENT ON VIEW @extschema@.nis2_scope IS 'Am I in scope? Each tenant''s NIS2 classification from its entity profile: essential / important / out_of_scope, size class, deciding rule with legal basis, DORA overlay, Art. 34 fine floor.';
COMMENT ON COLUMN @extschema@.nis2_scope.tenant_id IS 'Tenant whose profile this is.';
COMMENT ON COLUMN @extschema@.nis2_scope.entity_name IS 'Name of the entity as profiled.';
COMMENT ON COLUMN @extschema@.nis2_scope.classification IS 'essential (Art. 3(1)), important (Art. 3(2)) or out_of_scope.';
COMMENT ON COLUMN @extschema@.nis2_scope.size_class IS 'micro, small, medium or large per Recommendation 2003/361/EC (NULL when no Annex type needs it and figures are missing).';
COMMENT ON COLUMN @extschema@.nis2_scope.rule IS 'The decision-table rule that decided: P0, X1, E1-E9, I1-I6, O1-O4 (docs/nis2.md).';
COMMENT ON COLUMN @extschema@.nis2_scope.legal_basis IS 'Articles of Directive (EU) 2022/2555 behind the rule.';
COMMENT ON COLUMN @extschema@.nis2_scope.reason IS 'The rule in words, for this entity.';
COMMENT ON COLUMN @extschema@.nis2_scope.annex IS 'I when the entity has an Annex I type, II when only Annex II types, NULL otherwise.';
COMMENT ON COLUMN @extschema@.nis2_scope.deciding_type IS 'The entity type the rule matched, when a type decided.';
COMMENT ON COLUMN @extschema@.nis2_scope.cir_binding IS 'CIR (EU) 2024/2690 binds the entity (an Art. 1 type, in scope); otherwise its Annex is a reference.';
COMMENT ON COLUMN @extschema@.nis2_scope.lex_specialis IS 'The sector-specific act that displaces NIS2 Arts. 21 and 23 (DORA for financial entities), or NULL.';
COMMENT ON COLUMN @extschema@.nis2_scope.lex_specialis_basis IS 'Legal basis of the overlay: NIS2 Art. 4; DORA Art. 1(2), recital 16.';
COMMENT ON COLUMN @extschema@.nis2_scope.art21_art23_apply IS 'true when NIS2 Art. 21 measures and Art. 23 reporting apply: in scope and not displaced by a sector act.';
COMMENT ON COLUMN @extschema@.nis2_scope.other_duties IS 'Duties outside the essential/important split: the Art. 2(4) registration duties of domain name registration service providers.';
COMMENT ON COLUMN @extschema@.nis2_scope.caveats IS 'What to check beyond compmap: national law, figures as supplied, the DORA overlay.';
COMMENT ON COLUMN @extschema@.nis2_scope.max_fine_floor_eur IS 'Art. 34(4)/(5): the least maximum fine national law must allow (compmap.nis2_max_fine), from the undertaking''s worldwide turnover.';
COMMENT ON COLUMN @extschema@.nis2_scope.profile_updated_at IS 'When the profile was last set.';

-- ---------------------------------------------------------------------
-- Art. 20 governance and the other NIS2-only duties
-- ---------------------------------------------------------------------

CREATE TABLE @extschema@.management_approval (
    tenant_id       uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    approval_id     uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    body            text        NOT NULL CHECK (body <> ''),
    approvers       text[]      NOT NULL CHECK (pg_catalog.cardinality(approvers) > 0),
    approved_on     date        NOT NULL,
    document_ref    text,
    document_sha256 bytea       NOT NULL CHECK (pg_catalog.length(document_sha256) = 32),
    next_review     date        NOT NULL,
    recorded_by     text        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, approval_id),
    CHECK (next_review > approved_on)
);
COMMENT ON TABLE @extschema@.management_approval IS 'NIS2 Art. 20(1): the management body''s approvals of the Art. 21 cybersecurity risk-management measures. Append-only; the latest approval counts.';
COMMENT ON COLUMN @extschema@.management_approval.body IS 'The management body that approved, e.g. "Board of directors".';
COMMENT ON COLUMN @extschema@.management_approval.approvers IS 'Named members of the management body who approved; Art. 20(2) training is expected of each of them.';
COMMENT ON COLUMN @extschema@.management_approval.approved_on IS 'Date of the approval.';
COMMENT ON COLUMN @extschema@.management_approval.document_ref IS 'Where the approved document is (document id, URL).';
COMMENT ON COLUMN @extschema@.management_approval.document_sha256 IS 'SHA-256 of the approved document (32 bytes), so the approval names exactly one text.';
COMMENT ON COLUMN @extschema@.management_approval.next_review IS 'When the approval must be renewed; after it, compmap.nis2_gap shows the approval as stale.';

CREATE TABLE @extschema@.management_training (
    tenant_id    uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    training_id  uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    person       text        NOT NULL CHECK (person <> ''),
    trained_on   date        NOT NULL,
    provider     text        NOT NULL CHECK (provider <> ''),
    topic        text,
    evidence_ref text,
    recorded_by  text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, training_id)
);
CREATE INDEX management_training_person ON @extschema@.management_training (tenant_id, person, trained_on);
COMMENT ON TABLE @extschema@.management_training IS 'NIS2 Art. 20(2): cybersecurity training followed by members of the management body. Append-only.';
COMMENT ON COLUMN @extschema@.management_training.person IS 'The member of the management body, named as in compmap.management_approval.approvers.';
COMMENT ON COLUMN @extschema@.management_training.trained_on IS 'Date the training was completed.';
COMMENT ON COLUMN @extschema@.management_training.provider IS 'Who gave the training.';
COMMENT ON COLUMN @extschema@.management_training.evidence_ref IS 'Certificate or attendance record reference.';

CREATE TABLE @extschema@.nis2_duty_record (
    tenant_id    uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    record_id    uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    duty         text        NOT NULL CHECK (duty IN ('registration', 'scope_confirmation', 'reporting_procedure')),
    done_on      date        NOT NULL,
    reference    text        NOT NULL CHECK (reference <> ''),
    next_review  date,
    note         text,
    recorded_by  text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, record_id),
    CHECK (next_review IS NULL OR next_review > done_on)
);
COMMENT ON TABLE @extschema@.nis2_duty_record IS 'Records of NIS2 duties no ISO/IEC 27001 control covers: registration with the competent authority (Arts. 3(4), 27), confirmation of the scope assessment, and the Art. 23 reporting procedure. Append-only; the latest record of a duty counts.';
COMMENT ON COLUMN @extschema@.nis2_duty_record.duty IS 'registration (Art. 3(4), Art. 27), scope_confirmation (the entity''s own check of compmap.nis2_scope), reporting_procedure (Art. 23 workflow: CSIRT or authority contact, roles, templates).';
COMMENT ON COLUMN @extschema@.nis2_duty_record.done_on IS 'Date the duty was done (registration submitted, scope confirmed, procedure adopted).';
COMMENT ON COLUMN @extschema@.nis2_duty_record.reference IS 'Registration number, document id or other reference.';
COMMENT ON COLUMN @extschema@.nis2_duty_record.next_review IS 'When the record must be renewed; NULL: no fixed review.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.management_approval', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.management_training', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.nis2_duty_record', '');
ALTER TABLE @extschema@.management_approval ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.management_training ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.nis2_duty_record ENABLE ROW LEVEL SECURITY;
CREATE POLICY management_approval_tenant ON @extschema@.management_approval
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY management_training_tenant ON @extschema@.management_training
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY nis2_duty_record_tenant ON @extschema@.nis2_duty_record
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE TRIGGER management_approval_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON @extschema@.management_approval
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER management_training_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON @extschema@.management_training
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER nis2_duty_record_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON @extschema@.nis2_duty_record
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();

CREATE FUNCTION @extschema@.record_management_approval(
    tenant uuid, body text, approvers text[], approved_on date, document_sha256 bytea, next_review date,
    document_ref text DEFAULT NULL, actor text DEFAULT CURRENT_USER, approval_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id uuid := coalesce(approval_id, pg_catalog.gen_random_uuid());
BEGIN
    IF coalesce(body, '') = '' OR approvers IS NULL OR approved_on IS NULL OR document_sha256 IS NULL
       OR next_review IS NULL OR coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'a management approval needs the body, the named approvers, the date, the document digest, the next review and an actor'
            USING ERRCODE = 'not_null_violation',
                  DETAIL = 'NIS2 Art. 20(1): the management body approves the Art. 21 risk-management measures.';
    END IF;
    IF pg_catalog.cardinality(approvers) = 0
       OR EXISTS (SELECT 1 FROM pg_catalog.unnest(approvers) a WHERE coalesce(pg_catalog.btrim(a), '') = '') THEN
        RAISE EXCEPTION 'approvers must name at least one member of the management body, and no empty name'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.length(document_sha256) <> 32 THEN
        RAISE EXCEPTION 'document_sha256 must be a SHA-256 digest (32 bytes), not % bytes', pg_catalog.length(document_sha256)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass sha256(document) or decode(''<64 hex digits>'', ''hex'').';
    END IF;
    IF approved_on > CURRENT_DATE THEN
        RAISE EXCEPTION 'an approval cannot be dated in the future (%)', approved_on USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF next_review <= approved_on THEN
        RAISE EXCEPTION 'next_review (%) must come after approved_on (%)', next_review, approved_on
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.management_approval (tenant_id, approval_id, body, approvers, approved_on, document_ref,
                                                 document_sha256, next_review, recorded_by)
    VALUES (tenant, new_id, body, approvers, approved_on, document_ref, document_sha256, next_review, actor);
    PERFORM @extschema@.record_event(tenant, @extschema@.nis2_subject(tenant, 'governance'), 'nis2.management_approval', actor,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'approval_id', new_id, 'body', body, 'approvers', pg_catalog.to_jsonb(approvers), 'approved_on', approved_on,
            'document_ref', document_ref, 'document_sha256', pg_catalog.encode(document_sha256, 'hex'),
            'next_review', next_review, 'legal_basis', 'NIS2 Art. 20(1)')));
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.record_management_approval(uuid, text, text[], date, bytea, date, text, text, uuid) IS 'Records the management body''s approval of the Art. 21 measures (NIS2 Art. 20(1)): body, named approvers, date, SHA-256 of the document, next review; logged in the evidence log (nis2.management_approval). Returns its id.';

CREATE FUNCTION @extschema@.record_management_training(
    tenant uuid, person text, trained_on date, provider text, topic text DEFAULT NULL,
    evidence_ref text DEFAULT NULL, actor text DEFAULT CURRENT_USER, training_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id uuid := coalesce(training_id, pg_catalog.gen_random_uuid());
BEGIN
    IF coalesce(pg_catalog.btrim(person), '') = '' OR trained_on IS NULL OR coalesce(pg_catalog.btrim(provider), '') = ''
       OR coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'a training record needs the person, the date, the provider and an actor'
            USING ERRCODE = 'not_null_violation',
                  DETAIL = 'NIS2 Art. 20(2): members of the management body follow cybersecurity training.';
    END IF;
    IF trained_on > CURRENT_DATE THEN
        RAISE EXCEPTION 'a training cannot be recorded before it happened (%)', trained_on USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.management_training (tenant_id, training_id, person, trained_on, provider, topic, evidence_ref, recorded_by)
    VALUES (tenant, new_id, person, trained_on, provider, topic, evidence_ref, actor);
    PERFORM @extschema@.record_event(tenant, @extschema@.nis2_subject(tenant, 'governance'), 'nis2.management_training', actor,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'training_id', new_id, 'person', person, 'trained_on', trained_on, 'provider', provider, 'topic', topic,
            'evidence_ref', evidence_ref, 'legal_basis', 'NIS2 Art. 20(2)')));
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.record_management_training(uuid, text, date, text, text, text, text, uuid) IS 'Records a management-body member''s cybersecurity training (NIS2 Art. 20(2)): person, date, provider; logged in the evidence log (nis2.management_training). Returns its id.';

CREATE FUNCTION @extschema@.record_nis2_duty(
    tenant uuid, duty text, done_on date, reference text, next_review date DEFAULT NULL,
    note text DEFAULT NULL, actor text DEFAULT CURRENT_USER, record_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id uuid := coalesce(record_id, pg_catalog.gen_random_uuid());
BEGIN
    IF duty IS NULL OR duty NOT IN ('registration', 'scope_confirmation', 'reporting_procedure') THEN
        RAISE EXCEPTION 'duty must be registration, scope_confirmation or reporting_procedure, not "%"', duty
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF done_on IS NULL OR coalesce(pg_catalog.btrim(reference), '') = '' OR coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'a % record needs the date, a reference and an actor', duty USING ERRCODE = 'not_null_violation';
    END IF;
    IF done_on > CURRENT_DATE THEN
        RAISE EXCEPTION 'a duty cannot be recorded as done in the future (%)', done_on USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF next_review <= done_on THEN
        RAISE EXCEPTION 'next_review (%) must come after done_on (%)', next_review, done_on USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF duty = 'scope_confirmation' AND NOT EXISTS (SELECT 1 FROM @extschema@.entity_profile p WHERE p.tenant_id = record_nis2_duty.tenant) THEN
        RAISE EXCEPTION 'there is no entity profile to confirm'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Set it with compmap.set_entity_profile first.';
    END IF;
    INSERT INTO @extschema@.nis2_duty_record (tenant_id, record_id, duty, done_on, reference, next_review, note, recorded_by)
    VALUES (tenant, new_id, duty, done_on, reference, next_review, note, actor);
    PERFORM @extschema@.record_event(tenant,
        @extschema@.nis2_subject(tenant, CASE WHEN duty = 'scope_confirmation' THEN 'scope' ELSE 'governance' END),
        'nis2.' || duty, actor,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'record_id', new_id, 'duty', duty, 'done_on', done_on, 'reference', reference, 'next_review', next_review,
            'note', note,
            'scope', CASE WHEN duty = 'scope_confirmation' THEN
                (SELECT pg_catalog.jsonb_build_object('classification', s.classification, 'rule', s.rule)
                   FROM @extschema@.nis2_scope s WHERE s.tenant_id = record_nis2_duty.tenant) END)));
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.record_nis2_duty(uuid, text, date, text, date, text, text, uuid) IS 'Records a NIS2 duty no ISO control covers: registration (Arts. 3(4), 27), scope_confirmation (of the current profile) or reporting_procedure (Art. 23 workflow); logged in the evidence log. Returns its id.';

-- ---------------------------------------------------------------------
-- Incidents and the reporting clocks
-- ---------------------------------------------------------------------

CREATE TABLE @extschema@.incident (
    tenant_id                   uuid        NOT NULL REFERENCES @extschema@.tenant (tenant_id),
    incident_id                 uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    title                       text        NOT NULL CHECK (title <> ''),
    aware_at                    timestamptz NOT NULL,
    time_zone                   text        NOT NULL DEFAULT 'UTC',
    significant                 boolean,
    significance_reason         text,
    assessed_at                 timestamptz,
    trust_service               boolean     NOT NULL DEFAULT false,
    personal_data_breach        boolean     NOT NULL DEFAULT false,
    nis2_applies                boolean     NOT NULL,
    dora_financial_entity       boolean     NOT NULL DEFAULT false,
    dora_major_at               timestamptz,
    cra_exploited_vulnerability boolean     NOT NULL DEFAULT false,
    cra_measure_available_at    timestamptz,
    status                      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handled')),
    handled_at                  timestamptz,
    opened_by                   text        NOT NULL,
    created_at                  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, incident_id),
    UNIQUE (incident_id),
    CHECK ((status = 'handled') = (handled_at IS NOT NULL)),
    CHECK (handled_at >= aware_at),
    CHECK (dora_major_at >= aware_at),
    CHECK (cra_measure_available_at >= aware_at),
    CHECK (dora_major_at IS NULL OR dora_financial_entity)
);
COMMENT ON TABLE @extschema@.incident IS 'Incidents with the inputs of the reporting clocks (view compmap.incident_deadlines): awareness time, significance, trust-service, personal-data, DORA and CRA flags, handling. Changed only through the incident functions, each of which logs in the evidence log on the incident''s own chain.';
COMMENT ON COLUMN @extschema@.incident.aware_at IS 'When the entity became aware of the (significant) incident: the clock start, an input, not the detection time (NIS2 Art. 23(4)).';
COMMENT ON COLUMN @extschema@.incident.time_zone IS 'IANA time zone for calendar-day and calendar-month deadlines (docs/nis2.md, "Time arithmetic").';
COMMENT ON COLUMN @extschema@.incident.significant IS 'Significance assessment (NIS2 Art. 23(3); for CIR entity types CIR 2024/2690 Arts. 3-14): true, false, or NULL while not assessed (the NIS2 clock is then shown, conservatively).';
COMMENT ON COLUMN @extschema@.incident.trust_service IS 'A trust service provider''s significant incident affecting the provision of its trust services: the notification is due within 24 h (Art. 23(4)).';
COMMENT ON COLUMN @extschema@.incident.personal_data_breach IS 'A personal data breach to notify to the supervisory authority (GDPR Art. 33(1), 72 h).';
COMMENT ON COLUMN @extschema@.incident.nis2_applies IS 'The entity reports under NIS2 Art. 23 (essential or important, not displaced by DORA); taken from compmap.nis2_scope when not given.';
COMMENT ON COLUMN @extschema@.incident.dora_financial_entity IS 'The entity is a DORA financial entity (reports major ICT-related incidents under DORA Art. 19).';
COMMENT ON COLUMN @extschema@.incident.dora_major_at IS 'When the incident was classified as major (DORA Art. 18, Del. Reg. (EU) 2024/1772); anchors the DORA initial notification.';
COMMENT ON COLUMN @extschema@.incident.cra_exploited_vulnerability IS 'A manufacturer''s actively exploited vulnerability in a product with digital elements (CRA Art. 14(1)-(2)).';
COMMENT ON COLUMN @extschema@.incident.cra_measure_available_at IS 'When a corrective or mitigating measure became available; anchors the CRA final report (Art. 14(2)(c)).';
COMMENT ON COLUMN @extschema@.incident.handled_at IS 'When the incident was handled; anchors the NIS2 final report after a progress report (Art. 23(4)(e)).';

CREATE TABLE @extschema@.incident_submission (
    tenant_id     uuid        NOT NULL,
    submission_id uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    incident_id   uuid        NOT NULL,
    regime        text        NOT NULL,
    stage         text        NOT NULL,
    submitted_at  timestamptz NOT NULL,
    reference     text        NOT NULL CHECK (reference <> ''),
    recipient     text,
    submitted_by  text        NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, submission_id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES @extschema@.incident (tenant_id, incident_id),
    CHECK ((regime = 'nis2' AND stage IN ('early_warning', 'notification', 'intermediate', 'final', 'progress'))
        OR (regime = 'gdpr' AND stage = 'notification')
        OR (regime = 'dora' AND stage IN ('initial', 'intermediate', 'final'))
        OR (regime = 'cra' AND stage IN ('early_warning', 'notification', 'final')))
);
CREATE INDEX incident_submission_incident ON @extschema@.incident_submission (tenant_id, incident_id, regime, stage, submitted_at);
COMMENT ON TABLE @extschema@.incident_submission IS 'Reports submitted to CSIRTs and authorities, per regime and stage. Append-only; each is also in the evidence log.';
COMMENT ON COLUMN @extschema@.incident_submission.regime IS 'nis2 (Art. 23), gdpr (Art. 33), dora (Art. 19), cra (Art. 14).';
COMMENT ON COLUMN @extschema@.incident_submission.stage IS 'nis2: early_warning, notification, intermediate, final, progress; gdpr: notification; dora: initial, intermediate, final; cra: early_warning, notification, final.';
COMMENT ON COLUMN @extschema@.incident_submission.submitted_at IS 'When the report was submitted; anchors later stages (NIS2 final, DORA intermediate and final).';
COMMENT ON COLUMN @extschema@.incident_submission.reference IS 'The recipient''s case number or the report''s document reference.';
COMMENT ON COLUMN @extschema@.incident_submission.recipient IS 'CSIRT, competent authority or supervisory authority the report went to.';

CREATE TABLE @extschema@.incident_report_request (
    tenant_id    uuid        NOT NULL,
    request_id   uuid        NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    incident_id  uuid        NOT NULL,
    requested_at timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    requested_by text        NOT NULL CHECK (requested_by <> ''),
    reference    text,
    recorded_by  text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, request_id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES @extschema@.incident (tenant_id, incident_id),
    CHECK (due_at > requested_at)
);
COMMENT ON TABLE @extschema@.incident_report_request IS 'Requests of a CSIRT or competent authority for an intermediate report (NIS2 Art. 23(4)(c)), with the deadline they set. Append-only.';
COMMENT ON COLUMN @extschema@.incident_report_request.requested_by IS 'The CSIRT or authority that asked.';
COMMENT ON COLUMN @extschema@.incident_report_request.due_at IS 'The deadline the request sets.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.incident', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.incident_submission', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.incident_report_request', '');
ALTER TABLE @extschema@.incident ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.incident_submission ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.incident_report_request ENABLE ROW LEVEL SECURITY;
CREATE POLICY incident_tenant ON @extschema@.incident
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY incident_submission_tenant ON @extschema@.incident_submission
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE POLICY incident_report_request_tenant ON @extschema@.incident_report_request
    USING (tenant_id = ANY ((SELECT @extschema@.current_tenants())::uuid[]));
CREATE TRIGGER incident_submission_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON @extschema@.incident_submission
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();
CREATE TRIGGER incident_report_request_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON @extschema@.incident_report_request
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.evidence_guard();

-- Calendar arithmetic in a time zone: the same local wall-clock time n
-- days or months later, the day clamped to the end of a shorter month
-- (31 January + 1 month = 28/29 February).  A local time that falls into a
-- spring-forward gap moves forward by the gap; an ambiguous autumn time is
-- read as standard time (PostgreSQL's rules; docs/nis2.md).
CREATE FUNCTION @extschema@.add_local(ts timestamptz, period interval, time_zone text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.timezone(time_zone, pg_catalog.timezone(time_zone, ts) + period)
$$;
COMMENT ON FUNCTION @extschema@.add_local(timestamptz, interval, text) IS 'ts plus a calendar period (days, months) on the local calendar of time_zone: same wall-clock time, day clamped to month end.';

-- The incident a function acts on, locked, or 42704 when it is not visible.
CREATE FUNCTION @extschema@.incident_for_update(incident uuid) RETURNS @extschema@.incident
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r @extschema@.incident;
BEGIN
    SELECT * INTO r FROM @extschema@.incident i WHERE i.incident_id = incident_for_update.incident FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'incident % does not exist or is not visible to role "%"', incident, CURRENT_USER
            USING ERRCODE = 'undefined_object';
    END IF;
    RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.incident_for_update(uuid) IS 'The incident row, locked for update; raises 42704 when it does not exist or is not visible.';

-- Refuses a time that lies in the future or before the incident's clock start.
CREATE FUNCTION @extschema@.check_incident_time(what text, t timestamptz, aware_at timestamptz) RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF t IS NULL THEN
        RAISE EXCEPTION '% is required', what USING ERRCODE = 'not_null_violation';
    END IF;
    IF t > pg_catalog.now() THEN
        RAISE EXCEPTION '% (%) lies in the future', what, t
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Record events when they have happened.';
    END IF;
    IF t < aware_at THEN
        RAISE EXCEPTION '% (%) lies before the incident''s awareness time (%)', what, t, aware_at
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN t;
END
$$;
COMMENT ON FUNCTION @extschema@.check_incident_time(text, timestamptz, timestamptz) IS 'Returns t when it is neither in the future nor before aware_at; otherwise raises 22023 (23502 when NULL).';

CREATE FUNCTION @extschema@.open_incident(
    tenant uuid, title text, aware_at timestamptz,
    significant boolean DEFAULT NULL,
    trust_service boolean DEFAULT false,
    personal_data_breach boolean DEFAULT false,
    cra_exploited_vulnerability boolean DEFAULT false,
    nis2_applies boolean DEFAULT NULL,
    dora_financial_entity boolean DEFAULT NULL,
    time_zone text DEFAULT NULL,
    actor text DEFAULT CURRENT_USER,
    incident_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id uuid := coalesce(incident_id, pg_catalog.gen_random_uuid());
    scope record;
    tz text;
    dora boolean;
    nis2 boolean;
BEGIN
    IF coalesce(title, '') = '' OR coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'an incident needs a title and an actor' USING ERRCODE = 'not_null_violation';
    END IF;
    IF aware_at IS NULL THEN
        RAISE EXCEPTION 'aware_at is required: it starts the reporting clocks'
            USING ERRCODE = 'not_null_violation',
                  DETAIL = 'NIS2 Art. 23(4), GDPR Art. 33(1) and CRA Art. 14(2) count from becoming aware.';
    END IF;
    IF aware_at > pg_catalog.now() THEN
        RAISE EXCEPTION 'aware_at (%) lies in the future', aware_at USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT s.art21_art23_apply, p.dora_financial_entity, p.reporting_time_zone INTO scope
      FROM @extschema@.entity_profile p JOIN @extschema@.nis2_scope s USING (tenant_id)
     WHERE p.tenant_id = open_incident.tenant;
    tz := @extschema@.check_time_zone(coalesce(time_zone, scope.reporting_time_zone, 'UTC'));
    dora := coalesce(dora_financial_entity, scope.dora_financial_entity, false);
    -- Without a profile compmap assumes NIS2 applies, unless the entity is a DORA financial entity.
    nis2 := coalesce(nis2_applies, scope.art21_art23_apply, NOT dora);
    INSERT INTO @extschema@.incident (tenant_id, incident_id, title, aware_at, time_zone, significant, assessed_at,
                                      trust_service, personal_data_breach, nis2_applies, dora_financial_entity,
                                      cra_exploited_vulnerability, opened_by)
    VALUES (tenant, new_id, title, aware_at, tz, significant, CASE WHEN significant IS NOT NULL THEN aware_at END,
            coalesce(trust_service, false), coalesce(personal_data_breach, false), nis2, dora,
            coalesce(cra_exploited_vulnerability, false), actor);
    PERFORM @extschema@.record_event(tenant, new_id, 'incident.opened', actor,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'title', title, 'aware_at', @extschema@.utc_text(aware_at), 'time_zone', tz, 'significant', significant,
            'trust_service', coalesce(trust_service, false), 'personal_data_breach', coalesce(personal_data_breach, false),
            'nis2_applies', nis2, 'dora_financial_entity', dora,
            'cra_exploited_vulnerability', coalesce(cra_exploited_vulnerability, false))),
        aware_at);
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.open_incident(uuid, text, timestamptz, boolean, boolean, boolean, boolean, boolean, boolean, text, text, uuid) IS 'Opens an incident whose clocks start at aware_at; NIS2 applicability, the DORA flag and the time zone default to the tenant''s profile. Logged in the evidence log (incident.opened). Returns its id.';

CREATE FUNCTION @extschema@.assess_incident(incident uuid, significant boolean, reason text,
                                            assessed_at timestamptz DEFAULT pg_catalog.now(),
                                            dora_major boolean DEFAULT NULL,
                                            actor text DEFAULT CURRENT_USER) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    i @extschema@.incident;
BEGIN
    IF significant IS NULL OR coalesce(pg_catalog.btrim(reason), '') = '' OR coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'a significance assessment needs the verdict, the reason and an actor'
            USING ERRCODE = 'not_null_violation',
                  DETAIL = 'NIS2 Art. 23(3): severe operational disruption or financial loss, or considerable damage to others.';
    END IF;
    i := @extschema@.incident_for_update(incident);
    IF assessed_at IS NULL OR assessed_at > pg_catalog.now() THEN
        RAISE EXCEPTION 'assessed_at (%) must be given and not lie in the future', assessed_at
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF dora_major THEN
        IF NOT i.dora_financial_entity THEN
            RAISE EXCEPTION 'incident % is not recorded for a DORA financial entity', incident
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Open it with dora_financial_entity => true, or set the flag in the entity profile.';
        END IF;
        PERFORM @extschema@.check_incident_time('the classification as major', assessed_at, i.aware_at);
    END IF;
    UPDATE @extschema@.incident x
       SET significant = assess_incident.significant, significance_reason = assess_incident.reason,
           assessed_at = assess_incident.assessed_at,
           dora_major_at = CASE WHEN assess_incident.dora_major THEN coalesce(x.dora_major_at, assess_incident.assessed_at)
                                WHEN assess_incident.dora_major IS FALSE THEN NULL ELSE x.dora_major_at END
     WHERE x.tenant_id = i.tenant_id AND x.incident_id = i.incident_id;
    PERFORM @extschema@.record_event(i.tenant_id, i.incident_id, 'incident.assessed', actor,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'significant', significant, 'reason', reason, 'assessed_at', @extschema@.utc_text(assessed_at), 'dora_major', dora_major)),
        assessed_at);
END
$$;
COMMENT ON FUNCTION @extschema@.assess_incident(uuid, boolean, text, timestamptz, boolean, text) IS 'Records the significance assessment (NIS2 Art. 23(3)) and, for DORA financial entities, the classification as major (which anchors the DORA clock); logged (incident.assessed).';

CREATE FUNCTION @extschema@.set_incident_flags(incident uuid,
                                               trust_service boolean DEFAULT NULL,
                                               personal_data_breach boolean DEFAULT NULL,
                                               cra_exploited_vulnerability boolean DEFAULT NULL,
                                               cra_measure_available_at timestamptz DEFAULT NULL,
                                               actor text DEFAULT CURRENT_USER) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    i @extschema@.incident;
BEGIN
    IF coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'changing an incident needs an actor' USING ERRCODE = 'not_null_violation';
    END IF;
    i := @extschema@.incident_for_update(incident);
    IF cra_measure_available_at IS NOT NULL THEN
        IF NOT coalesce(cra_exploited_vulnerability, i.cra_exploited_vulnerability) THEN
            RAISE EXCEPTION 'a CRA corrective measure needs an actively exploited vulnerability'
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Pass cra_exploited_vulnerability => true as well.';
        END IF;
        PERFORM @extschema@.check_incident_time('cra_measure_available_at', cra_measure_available_at, i.aware_at);
    END IF;
    UPDATE @extschema@.incident x
       SET trust_service = coalesce(set_incident_flags.trust_service, x.trust_service),
           personal_data_breach = coalesce(set_incident_flags.personal_data_breach, x.personal_data_breach),
           cra_exploited_vulnerability = coalesce(set_incident_flags.cra_exploited_vulnerability, x.cra_exploited_vulnerability),
           cra_measure_available_at = coalesce(set_incident_flags.cra_measure_available_at, x.cra_measure_available_at)
     WHERE x.tenant_id = i.tenant_id AND x.incident_id = i.incident_id;
    PERFORM @extschema@.record_event(i.tenant_id, i.incident_id, 'incident.flags_changed', actor,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'trust_service', trust_service, 'personal_data_breach', personal_data_breach,
            'cra_exploited_vulnerability', cra_exploited_vulnerability,
            'cra_measure_available_at', @extschema@.utc_text(cra_measure_available_at))));
END
$$;
COMMENT ON FUNCTION @extschema@.set_incident_flags(uuid, boolean, boolean, boolean, timestamptz, text) IS 'Changes an incident''s regime flags (NULL: unchanged) and records when a CRA corrective or mitigating measure became available; logged (incident.flags_changed).';

CREATE FUNCTION @extschema@.mark_incident_handled(incident uuid, handled_at timestamptz,
                                                  actor text DEFAULT CURRENT_USER) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    i @extschema@.incident;
BEGIN
    IF coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'changing an incident needs an actor' USING ERRCODE = 'not_null_violation';
    END IF;
    i := @extschema@.incident_for_update(incident);
    IF i.status = 'handled' THEN
        RAISE EXCEPTION 'incident % was already handled at %', incident, i.handled_at
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM @extschema@.check_incident_time('handled_at', handled_at, i.aware_at);
    UPDATE @extschema@.incident x SET status = 'handled', handled_at = mark_incident_handled.handled_at
     WHERE x.tenant_id = i.tenant_id AND x.incident_id = i.incident_id;
    PERFORM @extschema@.record_event(i.tenant_id, i.incident_id, 'incident.handled', actor,
        pg_catalog.jsonb_build_object('handled_at', @extschema@.utc_text(handled_at)), handled_at);
END
$$;
COMMENT ON FUNCTION @extschema@.mark_incident_handled(uuid, timestamptz, text) IS 'Records when the incident was handled (anchors the NIS2 final report after a progress report, Art. 23(4)(e)); logged (incident.handled).';

CREATE FUNCTION @extschema@.request_intermediate_report(incident uuid, requested_at timestamptz, due_at timestamptz,
                                                        requested_by text, reference text DEFAULT NULL,
                                                        actor text DEFAULT CURRENT_USER, request_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    i @extschema@.incident;
    new_id uuid := coalesce(request_id, pg_catalog.gen_random_uuid());
BEGIN
    IF coalesce(pg_catalog.btrim(requested_by), '') = '' OR due_at IS NULL OR coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'a request for an intermediate report needs who asked, the deadline and an actor'
            USING ERRCODE = 'not_null_violation';
    END IF;
    i := @extschema@.incident_for_update(incident);
    IF NOT i.nis2_applies OR i.significant IS FALSE THEN
        RAISE EXCEPTION 'NIS2 Art. 23 reporting does not apply to incident %', incident
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = CASE WHEN NOT i.nis2_applies THEN 'The entity does not report under NIS2 Art. 23.' ELSE 'The incident was assessed as not significant.' END;
    END IF;
    PERFORM @extschema@.check_incident_time('requested_at', requested_at, i.aware_at);
    IF due_at <= requested_at THEN
        RAISE EXCEPTION 'the deadline (%) must come after the request (%)', due_at, requested_at
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.incident_report_request (tenant_id, request_id, incident_id, requested_at, due_at,
                                                     requested_by, reference, recorded_by)
    VALUES (i.tenant_id, new_id, i.incident_id, requested_at, due_at, requested_by, reference, actor);
    PERFORM @extschema@.record_event(i.tenant_id, i.incident_id, 'incident.report_requested', actor,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'request_id', new_id, 'regime', 'nis2', 'stage', 'intermediate', 'requested_at', @extschema@.utc_text(requested_at),
            'due_at', @extschema@.utc_text(due_at), 'requested_by', requested_by, 'reference', reference,
            'legal_basis', 'NIS2 Art. 23(4)(c)')),
        requested_at);
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.request_intermediate_report(uuid, timestamptz, timestamptz, text, text, text, uuid) IS 'Records a CSIRT''s or competent authority''s request for an intermediate report with its deadline (NIS2 Art. 23(4)(c)); logged (incident.report_requested). Returns its id.';

CREATE FUNCTION @extschema@.record_submission(incident uuid, stage text, submitted_at timestamptz, reference text,
                                              regime text DEFAULT 'nis2', recipient text DEFAULT NULL,
                                              actor text DEFAULT CURRENT_USER, submission_id uuid DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stages constant jsonb := '{"nis2": ["early_warning", "notification", "intermediate", "final", "progress"],
                               "gdpr": ["notification"],
                               "dora": ["initial", "intermediate", "final"],
                               "cra":  ["early_warning", "notification", "final"]}';
    i @extschema@.incident;
    new_id uuid := coalesce(submission_id, pg_catalog.gen_random_uuid());
    prerequisite text;
    inapplicable text;
BEGIN
    IF regime IS NULL OR NOT stages ? regime THEN
        RAISE EXCEPTION 'regime must be nis2, gdpr, dora or cra, not "%"', regime
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF stage IS NULL OR NOT (stages -> regime) ? stage THEN
        RAISE EXCEPTION '"%" is not a % reporting stage', stage, regime
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = pg_catalog.format('The %s stages are: %s.', regime,
                                           (SELECT pg_catalog.string_agg(s, ', ') FROM pg_catalog.jsonb_array_elements_text(stages -> regime) s));
    END IF;
    IF coalesce(pg_catalog.btrim(reference), '') = '' OR coalesce(actor, '') = '' THEN
        RAISE EXCEPTION 'a submission needs a reference (case number or document id) and an actor'
            USING ERRCODE = 'not_null_violation';
    END IF;
    i := @extschema@.incident_for_update(incident);
    PERFORM @extschema@.check_incident_time('submitted_at', submitted_at, i.aware_at);
    inapplicable := CASE regime
        WHEN 'nis2' THEN CASE WHEN NOT i.nis2_applies THEN 'the entity does not report under NIS2 Art. 23'
                              WHEN i.significant IS FALSE THEN 'the incident was assessed as not significant (NIS2 Art. 23(3))' END
        WHEN 'gdpr' THEN CASE WHEN NOT i.personal_data_breach THEN 'the incident is not recorded as a personal data breach' END
        WHEN 'dora' THEN CASE WHEN NOT i.dora_financial_entity THEN 'the entity is not recorded as a DORA financial entity'
                              WHEN i.dora_major_at IS NULL THEN 'the incident has not been classified as major (compmap.assess_incident(..., dora_major => true))' END
        WHEN 'cra' THEN CASE WHEN NOT i.cra_exploited_vulnerability THEN 'the incident is not recorded as an actively exploited vulnerability (CRA Art. 14(1))' END
    END;
    IF inapplicable IS NOT NULL THEN
        RAISE EXCEPTION 'no % clock runs on incident %: %', regime, incident, inapplicable
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Change the incident''s flags with compmap.set_incident_flags or compmap.assess_incident first.';
    END IF;
    -- A later stage needs the report its deadline counts from.
    prerequisite := CASE
        WHEN regime IN ('nis2', 'cra') AND stage IN ('final', 'progress') THEN 'notification'
        WHEN regime = 'dora' AND stage = 'intermediate' THEN 'initial'
        WHEN regime = 'dora' AND stage = 'final' THEN 'intermediate' END;
    IF prerequisite IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM @extschema@.incident_submission s
             WHERE s.tenant_id = i.tenant_id AND s.incident_id = i.incident_id AND s.regime = record_submission.regime
               AND s.stage = prerequisite AND s.submitted_at <= record_submission.submitted_at) THEN
        RAISE EXCEPTION 'the % % report needs the % report submitted first', regime, stage, prerequisite
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Its deadline counts from that submission.';
    END IF;
    INSERT INTO @extschema@.incident_submission (tenant_id, submission_id, incident_id, regime, stage, submitted_at,
                                                 reference, recipient, submitted_by)
    VALUES (i.tenant_id, new_id, i.incident_id, regime, stage, submitted_at, reference, recipient, actor);
    PERFORM @extschema@.record_event(i.tenant_id, i.incident_id, 'incident.report_submitted', actor,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'submission_id', new_id, 'regime', regime, 'stage', stage, 'submitted_at', @extschema@.utc_text(submitted_at),
            'reference', reference, 'recipient', recipient)),
        submitted_at);
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.record_submission(uuid, text, timestamptz, text, text, text, text, uuid) IS 'Records a report submitted for an incident (regime nis2, gdpr, dora or cra; stage per regime), after checking that the regime''s clock runs and that the report its deadline counts from was submitted; logged (incident.report_submitted). Returns its id.';

-- Every applicable clock of every visible incident as of a point in time:
-- only submissions, requests and handling recorded up to as_of count, so
-- the result is what the view showed at that moment.
CREATE FUNCTION @extschema@.incident_deadlines_at(as_of timestamptz)
RETURNS TABLE (tenant_id uuid, incident_id uuid, title text, regime text, stage text, due_at timestamptz,
               submitted_at timestamptz, status text, provisional boolean, anchor text, anchor_at timestamptz,
               legal_basis text, note text, sort_order integer)
LANGUAGE sql STABLE ROWS 20
SET search_path = pg_catalog, pg_temp
AS $$
WITH inc AS (
    SELECT i.tenant_id, i.incident_id, i.title, i.aware_at, i.time_zone, i.trust_service, i.personal_data_breach,
           i.nis2_applies, i.dora_financial_entity, i.cra_exploited_vulnerability,
           CASE WHEN i.assessed_at <= $1 THEN i.significant END AS significant,
           CASE WHEN i.dora_major_at <= $1 THEN i.dora_major_at END AS dora_major_at,
           CASE WHEN i.cra_measure_available_at <= $1 THEN i.cra_measure_available_at END AS cra_measure_at,
           CASE WHEN i.handled_at <= $1 THEN i.handled_at END AS handled_at
      FROM @extschema@.incident i
     WHERE i.aware_at <= $1
),
subs AS (
    SELECT s.tenant_id, s.incident_id,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'nis2' AND s.stage = 'early_warning') AS nis2_ew,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'nis2' AND s.stage = 'notification') AS nis2_notif,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'nis2' AND s.stage = 'progress') AS nis2_progress,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'nis2' AND s.stage = 'final') AS nis2_final,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'gdpr' AND s.stage = 'notification') AS gdpr_notif,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'dora' AND s.stage = 'initial') AS dora_initial,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'dora' AND s.stage = 'intermediate') AS dora_int_first,
           pg_catalog.max(s.submitted_at) FILTER (WHERE s.regime = 'dora' AND s.stage = 'intermediate') AS dora_int_last,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'dora' AND s.stage = 'final') AS dora_final,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'cra' AND s.stage = 'early_warning') AS cra_ew,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'cra' AND s.stage = 'notification') AS cra_notif,
           pg_catalog.min(s.submitted_at) FILTER (WHERE s.regime = 'cra' AND s.stage = 'final') AS cra_final
      FROM @extschema@.incident_submission s
     WHERE s.submitted_at <= $1
     GROUP BY s.tenant_id, s.incident_id
),
b AS (
    SELECT inc.*, subs.nis2_ew, subs.nis2_notif, subs.nis2_progress, subs.nis2_final, subs.gdpr_notif,
           subs.dora_initial, subs.dora_int_first, subs.dora_int_last, subs.dora_final,
           subs.cra_ew, subs.cra_notif, subs.cra_final
      FROM inc LEFT JOIN subs ON subs.tenant_id = inc.tenant_id AND subs.incident_id = inc.incident_id
),
-- NIS2 Art. 23(4): runs while the incident is significant or not yet assessed.
n AS (
    SELECT b.*,
           b.aware_at + interval '24 hours' AS ew_due,
           b.aware_at + CASE WHEN b.trust_service THEN interval '24 hours' ELSE interval '72 hours' END AS notif_due,
           CASE WHEN b.significant IS NULL THEN 'significance not yet assessed: shown as if significant' END AS sig_note
      FROM b
     WHERE b.nis2_applies AND b.significant IS NOT FALSE
),
nf AS (
    SELECT n.*,
           @extschema@.add_local(coalesce(n.nis2_notif, n.notif_due), interval '1 month', n.time_zone) AS final_due,
           n.nis2_notif IS NULL AS final_provisional
      FROM n
),
nff AS (
    -- Art. 23(4)(e): still ongoing when the final report falls due -> a progress report then,
    -- and the final report one month after handling.
    SELECT nf.*,
           coalesce(nf.handled_at <= nf.final_due, false) OR coalesce(nf.nis2_final <= nf.final_due, false)
           OR (nf.handled_at IS NULL AND $1 < nf.final_due) AS final_at_due
      FROM nf
),
req AS (
    SELECT r.tenant_id, r.incident_id, r.requested_at, r.due_at, r.requested_by,
           pg_catalog.row_number() OVER (PARTITION BY r.tenant_id, r.incident_id ORDER BY r.requested_at, r.request_id) AS n
      FROM @extschema@.incident_report_request r
     WHERE r.requested_at <= $1
),
isub AS (
    SELECT s.tenant_id, s.incident_id, s.submitted_at,
           pg_catalog.row_number() OVER (PARTITION BY s.tenant_id, s.incident_id ORDER BY s.submitted_at, s.submission_id) AS n
      FROM @extschema@.incident_submission s
     WHERE s.regime = 'nis2' AND s.stage = 'intermediate' AND s.submitted_at <= $1
),
d AS (
    -- DORA Art. 19(4) with Del. Reg. (EU) 2025/301 Art. 5: only once classified as major.
    SELECT b.*,
           CASE WHEN b.dora_major_at > b.aware_at + interval '24 hours' THEN b.dora_major_at + interval '4 hours'
                ELSE LEAST(b.dora_major_at + interval '4 hours', b.aware_at + interval '24 hours') END AS initial_due,
           b.dora_major_at > b.aware_at + interval '24 hours' AS late_classification
      FROM b
     WHERE b.dora_financial_entity AND b.dora_major_at IS NOT NULL
),
dd AS (
    SELECT d.*, coalesce(d.dora_initial, d.initial_due) + interval '72 hours' AS intermediate_due FROM d
),
rows AS (
    SELECT n.tenant_id, n.incident_id, n.title, 'nis2' AS regime, 'early_warning' AS stage, n.ew_due AS due_at,
           n.nis2_ew AS submitted_at, false AS provisional, 'awareness' AS anchor, n.aware_at AS anchor_at,
           'NIS2 Art. 23(4)(a)' AS legal_basis, n.sig_note AS note, 1 AS sort_order
      FROM n
    UNION ALL
    SELECT n.tenant_id, n.incident_id, n.title, 'nis2', 'notification', n.notif_due, n.nis2_notif, false,
           'awareness', n.aware_at,
           CASE WHEN n.trust_service THEN 'NIS2 Art. 23(4), derogation from point (b) for trust service providers (24 h)'
                ELSE 'NIS2 Art. 23(4)(b)' END,
           n.sig_note, 2
      FROM n
    UNION ALL
    SELECT n.tenant_id, n.incident_id, n.title, 'nis2', 'intermediate', req.due_at, isub.submitted_at, false,
           'request by ' || req.requested_by, req.requested_at, 'NIS2 Art. 23(4)(c)',
           'requested intermediate report #' || req.n, 3
      FROM n
      JOIN req ON req.tenant_id = n.tenant_id AND req.incident_id = n.incident_id
      LEFT JOIN isub ON isub.tenant_id = n.tenant_id AND isub.incident_id = n.incident_id AND isub.n = req.n
    UNION ALL
    SELECT f.tenant_id, f.incident_id, f.title, 'nis2', 'final', f.final_due, f.nis2_final, f.final_provisional,
           CASE WHEN f.final_provisional THEN 'notification due (not yet submitted)' ELSE 'notification submitted' END,
           coalesce(f.nis2_notif, f.notif_due), 'NIS2 Art. 23(4)(d)',
           CASE WHEN f.handled_at IS NULL AND f.nis2_final IS NULL
                THEN 'becomes a progress report (Art. 23(4)(e)) if the incident is still ongoing at the due time' END,
           4
      FROM nff f WHERE f.final_at_due
    UNION ALL
    SELECT f.tenant_id, f.incident_id, f.title, 'nis2', 'progress', f.final_due, f.nis2_progress, f.final_provisional,
           CASE WHEN f.final_provisional THEN 'notification due (not yet submitted)' ELSE 'notification submitted' END,
           coalesce(f.nis2_notif, f.notif_due), 'NIS2 Art. 23(4)(e)',
           'incident still ongoing when the final report fell due', 4
      FROM nff f WHERE NOT f.final_at_due
    UNION ALL
    SELECT f.tenant_id, f.incident_id, f.title, 'nis2', 'final',
           @extschema@.add_local(f.handled_at, interval '1 month', f.time_zone), f.nis2_final, false,
           'incident handled', f.handled_at, 'NIS2 Art. 23(4)(e)',
           CASE WHEN f.handled_at IS NULL THEN 'due one month after the incident is handled' END, 5
      FROM nff f WHERE NOT f.final_at_due
    UNION ALL
    -- GDPR Art. 33(1): 72 hours after becoming aware of the personal data breach.
    SELECT b.tenant_id, b.incident_id, b.title, 'gdpr', 'notification', b.aware_at + interval '72 hours', b.gdpr_notif,
           false, 'awareness', b.aware_at, 'GDPR Art. 33(1)', NULL, 10
      FROM b WHERE b.personal_data_breach
    UNION ALL
    SELECT dd.tenant_id, dd.incident_id, dd.title, 'dora', 'initial', dd.initial_due, dd.dora_initial, false,
           'classification as major', dd.dora_major_at,
           CASE WHEN dd.late_classification THEN 'DORA Art. 19(4)(a); Del. Reg. (EU) 2025/301 Art. 5(2) (4 h after a classification later than 24 h)'
                ELSE 'DORA Art. 19(4)(a); Del. Reg. (EU) 2025/301 Art. 5(1) (4 h after classification, at most 24 h after awareness)' END,
           NULL, 20
      FROM dd
    UNION ALL
    SELECT dd.tenant_id, dd.incident_id, dd.title, 'dora', 'intermediate', dd.intermediate_due, dd.dora_int_first,
           dd.dora_initial IS NULL,
           CASE WHEN dd.dora_initial IS NULL THEN 'initial notification due (not yet submitted)' ELSE 'initial notification submitted' END,
           coalesce(dd.dora_initial, dd.initial_due), 'DORA Art. 19(4)(b); Del. Reg. (EU) 2025/301 Art. 5(1) (72 h after the initial notification)',
           NULL, 21
      FROM dd
    UNION ALL
    SELECT dd.tenant_id, dd.incident_id, dd.title, 'dora', 'final',
           @extschema@.add_local(coalesce(dd.dora_int_last, dd.intermediate_due), interval '1 month', dd.time_zone),
           dd.dora_final, dd.dora_int_last IS NULL,
           CASE WHEN dd.dora_int_last IS NULL THEN 'intermediate report due (not yet submitted)' ELSE 'latest intermediate report submitted' END,
           coalesce(dd.dora_int_last, dd.intermediate_due),
           'DORA Art. 19(4)(c); Del. Reg. (EU) 2025/301 Art. 5(1) (one month after the latest intermediate report)',
           NULL, 22
      FROM dd
    UNION ALL
    -- CRA Art. 14(2): actively exploited vulnerability.
    SELECT b.tenant_id, b.incident_id, b.title, 'cra', 'early_warning', b.aware_at + interval '24 hours', b.cra_ew, false,
           'awareness', b.aware_at, 'CRA Art. 14(2)(a)', NULL, 30
      FROM b WHERE b.cra_exploited_vulnerability
    UNION ALL
    SELECT b.tenant_id, b.incident_id, b.title, 'cra', 'notification', b.aware_at + interval '72 hours', b.cra_notif, false,
           'awareness', b.aware_at, 'CRA Art. 14(2)(b)', NULL, 31
      FROM b WHERE b.cra_exploited_vulnerability
    UNION ALL
    SELECT b.tenant_id, b.incident_id, b.title, 'cra', 'final', @extschema@.add_local(b.cra_measure_at, interval '14 days', b.time_zone),
           b.cra_final, false, 'corrective or mitigating measure available', b.cra_measure_at, 'CRA Art. 14(2)(c)',
           CASE WHEN b.cra_measure_at IS NULL THEN 'due 14 days after a corrective or mitigating measure is available' END, 32
      FROM b WHERE b.cra_exploited_vulnerability
)
SELECT r.tenant_id, r.incident_id, r.title, r.regime, r.stage, r.due_at, r.submitted_at,
       CASE WHEN r.submitted_at IS NOT NULL THEN CASE WHEN r.due_at IS NULL OR r.submitted_at <= r.due_at THEN 'met' ELSE 'late' END
            WHEN r.due_at IS NULL THEN 'pending'
            WHEN $1 > r.due_at THEN 'overdue'
            ELSE 'due' END,
       r.provisional, r.anchor, r.anchor_at, r.legal_basis, r.note, r.sort_order
  FROM rows r
$$;
COMMENT ON FUNCTION @extschema@.incident_deadlines_at(timestamptz) IS 'The reporting clocks of every visible incident as they stood at as_of (submissions, requests and handling up to then); compmap.incident_deadlines is this at now().';

CREATE VIEW @extschema@.incident_deadlines WITH (security_invoker = true) AS
SELECT d.tenant_id, d.incident_id, d.title, d.regime, d.stage, d.due_at, d.submitted_at, d.status, d.provisional,
       d.anchor, d.anchor_at, d.legal_basis, d.note, d.sort_order
  FROM @extschema@.incident_deadlines_at(pg_catalog.now()) d;
COMMENT ON VIEW @extschema@.incident_deadlines IS 'Every applicable reporting clock per incident: NIS2 Art. 23 (early warning, notification, intermediate on request, final or progress + final), GDPR Art. 33, DORA Art. 19 and CRA Art. 14, with due time, submission, status and legal basis.';
COMMENT ON COLUMN @extschema@.incident_deadlines.tenant_id IS 'Tenant of the incident.';
COMMENT ON COLUMN @extschema@.incident_deadlines.incident_id IS 'The incident.';
COMMENT ON COLUMN @extschema@.incident_deadlines.title IS 'The incident''s title.';
COMMENT ON COLUMN @extschema@.incident_deadlines.regime IS 'nis2, gdpr, dora or cra.';
COMMENT ON COLUMN @extschema@.incident_deadlines.stage IS 'Report stage: early_warning, notification, intermediate, progress, final (nis2); notification (gdpr); initial, intermediate, final (dora); early_warning, notification, final (cra).';
COMMENT ON COLUMN @extschema@.incident_deadlines.due_at IS 'Deadline; NULL while its anchor event (handling, corrective measure) has not happened.';
COMMENT ON COLUMN @extschema@.incident_deadlines.submitted_at IS 'First submission of this stage (for intermediate reports on request: the one paired with the request in order).';
COMMENT ON COLUMN @extschema@.incident_deadlines.status IS 'met (submitted by the deadline), late (submitted after it), due (not submitted, deadline ahead), overdue (not submitted, deadline passed), pending (deadline not yet determined).';
COMMENT ON COLUMN @extschema@.incident_deadlines.provisional IS 'true when the deadline counts from the due time of an earlier report not yet submitted; it moves when that report is submitted.';
COMMENT ON COLUMN @extschema@.incident_deadlines.anchor IS 'The event the deadline counts from.';
COMMENT ON COLUMN @extschema@.incident_deadlines.anchor_at IS 'When that event happened (or, when provisional, was due).';
COMMENT ON COLUMN @extschema@.incident_deadlines.legal_basis IS 'Article that sets the deadline.';
COMMENT ON COLUMN @extschema@.incident_deadlines.note IS 'What may still change the row (significance not assessed, progress report, missing anchor).';
COMMENT ON COLUMN @extschema@.incident_deadlines.sort_order IS 'Order of the stages within an incident.';

-- ---------------------------------------------------------------------
-- The Art. 21 gap: ISO/IEC 27001 evidence against NIS2, plus NIS2-only duties
-- ---------------------------------------------------------------------

CREATE VIEW @extschema@.nis2_gap WITH (security_invoker = true) AS
WITH items AS (
    -- Art. 21(2)(a)-(j): mapped to ISO directly (practitioner edges) and through the CIR sections (ENISA), two hops.
    SELECT 'art21_point'::text AS kind, c.framework, c.control, c.framework || ':' || c.control AS ref, c.title,
           'NIS2 Art. 21(2)(' || pg_catalog.right(c.control, 1) || ')' AS legal_basis, NULL::text AS art21_points,
           2 AS hops, 1 AS kind_order, c.sort_key
      FROM @extschema@.control c
     WHERE c.framework = 'nis2' AND c.parent = '21.2' AND c.kind = 'point'
    UNION ALL
    -- CIR 2024/2690 Annex subsections (sections 7 and 9 are units themselves): ENISA's mapping, one hop.
    SELECT 'cir_subsection', c.framework, c.control, c.framework || ':' || c.control, c.title,
           'CIR (EU) 2024/2690 Annex ' || c.control,
           (SELECT pg_catalog.string_agg('(' || v || ')', ', ')
              FROM pg_catalog.jsonb_array_elements_text(
                       CASE WHEN pg_catalog.jsonb_typeof(coalesce(c.attributes -> 'nis2_points', p.attributes -> 'nis2_points')) = 'array'
                            THEN coalesce(c.attributes -> 'nis2_points', p.attributes -> 'nis2_points')
                            ELSE pg_catalog.jsonb_build_array(coalesce(c.attributes -> 'nis2_points', p.attributes -> 'nis2_points')) END) v),
           1, 2, c.sort_key
      FROM @extschema@.control c
      LEFT JOIN @extschema@.control p ON p.framework = c.framework AND p.control = c.parent
     WHERE c.framework = 'cir2024_2690' AND c.testability IS NOT NULL
),
-- The same edges compmap.crosswalk follows (control_edge_both), spelled out
-- in SQL: a point reaches ISO directly or through one CIR subsection; a path
-- counts only when the RCC-5 composition of its edges cannot be not_related.
paths AS (
    SELECT it.ref, e.to_control AS iso_control, ARRAY[it.ref, 'iso27001_2022:' || e.to_control] AS path,
           ARRAY[e.relationship] AS possible
      FROM items it
      JOIN @extschema@.control_edge_both e
        ON e.from_framework = it.framework AND e.from_control = it.control AND e.to_framework = 'iso27001_2022'
    UNION ALL
    SELECT it.ref, e2.to_control,
           ARRAY[it.ref, 'cir2024_2690:' || e1.to_control, 'iso27001_2022:' || e2.to_control], rc.possible
      FROM items it
      JOIN @extschema@.control_edge_both e1
        ON e1.from_framework = it.framework AND e1.from_control = it.control AND e1.to_framework = 'cir2024_2690'
      JOIN @extschema@.control_edge_both e2
        ON e2.from_framework = 'cir2024_2690' AND e2.from_control = e1.to_control AND e2.to_framework = 'iso27001_2022'
      JOIN @extschema@.rcc5_composition rc ON rc.first_rel = e1.relationship AND rc.second_rel = e2.relationship
     WHERE it.hops = 2
),
mapped AS (
    SELECT DISTINCT ON (p.ref, p.iso_control) p.ref, p.iso_control, p.path, ic.sort_key AS iso_sort
      FROM paths p
      JOIN @extschema@.control ic ON ic.framework = 'iso27001_2022' AND ic.control = p.iso_control
     WHERE NOT 'not_related' = ANY (p.possible) AND ic.testability IS NOT NULL
     ORDER BY p.ref, p.iso_control, pg_catalog.cardinality(p.path), p.path
),
outcomes AS MATERIALIZED (
    SELECT cs.tenant_id, cs.framework, cs.control, cs.outcome
      FROM @extschema@.control_status cs
     WHERE cs.framework IN ('iso27001_2022', 'nis2', 'cir2024_2690')
),
item_iso AS (
    SELECT t.tenant_id, m.ref, m.iso_control, m.iso_sort, m.path, coalesce(s.outcome, 'not_assessed') AS outcome
      FROM @extschema@.tenant t
     CROSS JOIN mapped m
      LEFT JOIN outcomes s ON s.tenant_id = t.tenant_id AND s.framework = 'iso27001_2022' AND s.control = m.iso_control
),
agg AS (
    SELECT ii.tenant_id, ii.ref,
           pg_catalog.count(*)::integer AS mapped,
           pg_catalog.count(*) FILTER (WHERE ii.outcome IN ('passed', 'attested'))::integer AS evidenced,
           pg_catalog.count(*) FILTER (WHERE ii.outcome = 'partially_evidenced')::integer AS partial,
           pg_catalog.count(*) FILTER (WHERE ii.outcome = 'failed')::integer AS failed,
           pg_catalog.array_agg(ii.iso_control ORDER BY ii.iso_sort) AS iso_controls,
           pg_catalog.array_agg(ii.iso_control ORDER BY ii.iso_sort) FILTER (WHERE ii.outcome NOT IN ('passed', 'attested')) AS to_evidence,
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('control', ii.iso_control, 'outcome', ii.outcome,
                                                              'path', pg_catalog.to_jsonb(ii.path)) ORDER BY ii.iso_sort) AS iso_detail
      FROM item_iso ii
     GROUP BY ii.tenant_id, ii.ref
),
prof AS (
    SELECT s.tenant_id, s.classification, s.lex_specialis, s.cir_binding, s.other_duties,
           p.training_interval, p.updated_at
      FROM @extschema@.nis2_scope s
      JOIN @extschema@.entity_profile p ON p.tenant_id = s.tenant_id
),
tenant_state AS (
    SELECT t.tenant_id, pr.classification, pr.lex_specialis, pr.cir_binding, pr.other_duties, pr.updated_at AS profile_at,
           coalesce(pr.training_interval, interval '1 year') AS training_interval,
           CASE WHEN pr.tenant_id IS NULL THEN 'scope_not_assessed'
                WHEN pr.classification = 'out_of_scope' THEN 'out_of_scope'
                WHEN pr.lex_specialis IS NOT NULL THEN 'displaced_by_dora'
                ELSE 'applies' END AS art21_art23_applicability
      FROM @extschema@.tenant t
      LEFT JOIN prof pr ON pr.tenant_id = t.tenant_id
),
iso_rows AS (
    SELECT ts.tenant_id, it.kind, it.ref, it.title, it.legal_basis, it.art21_points,
           CASE WHEN it.kind = 'cir_subsection' THEN CASE WHEN ts.cir_binding THEN 'binding' ELSE 'reference' END END AS cir_status,
           ts.art21_art23_applicability AS applicability,
           coalesce(a.iso_controls, '{}') AS iso_controls,
           coalesce(a.mapped, 0) AS iso_mapped, coalesce(a.evidenced, 0) AS iso_evidenced,
           coalesce(a.partial, 0) AS iso_partly_evidenced, coalesce(a.failed, 0) AS iso_failed,
           a.iso_detail,
           CASE WHEN coalesce(a.mapped, 0) = 0 THEN 'not_covered'
                WHEN a.evidenced = a.mapped THEN 'covered_by_iso_evidence'
                WHEN a.evidenced + a.partial > 0 THEN 'partly_covered'
                ELSE 'not_covered' END AS verdict,
           NULL::text AS duty_status,
           own.outcome AS own_outcome,
           CASE WHEN coalesce(a.mapped, 0) = 0
                THEN 'no ISO/IEC 27001 control is mapped: evidence it directly (compmap.attest on ' || it.ref || ')'
                WHEN a.to_evidence IS NOT NULL
                THEN 'evidence or attest ISO/IEC 27001 ' || pg_catalog.array_to_string(a.to_evidence, ', ')
                ELSE 'mapped ISO controls are evidenced; the mapping is not an equivalence: review the NIS2-specific content' END AS action,
           NULL::jsonb AS duty_detail,
           it.kind_order, it.sort_key
      FROM tenant_state ts
     CROSS JOIN items it
      LEFT JOIN agg a ON a.tenant_id = ts.tenant_id AND a.ref = it.ref
      LEFT JOIN outcomes own ON own.tenant_id = ts.tenant_id AND own.framework = it.framework AND own.control = it.control
),
approval AS (
    SELECT DISTINCT ON (m.tenant_id) m.*
      FROM @extschema@.management_approval m
     ORDER BY m.tenant_id, m.approved_on DESC, m.recorded_at DESC, m.approval_id
),
trained AS (
    SELECT tr.tenant_id, tr.person, pg_catalog.max(tr.trained_on) AS last_trained
      FROM @extschema@.management_training tr
     GROUP BY tr.tenant_id, tr.person
),
training_state AS (
    SELECT ts.tenant_id,
           pg_catalog.array_agg(req.person ORDER BY req.person) FILTER (WHERE tr.last_trained IS NULL) AS untrained,
           pg_catalog.array_agg(req.person ORDER BY req.person)
               FILTER (WHERE tr.last_trained IS NOT NULL AND tr.last_trained + ts.training_interval < CURRENT_DATE) AS stale,
           pg_catalog.count(req.person)::integer AS required,
           pg_catalog.jsonb_object_agg(req.person, tr.last_trained) FILTER (WHERE req.person IS NOT NULL) AS last_trained
      FROM tenant_state ts
      LEFT JOIN approval ap ON ap.tenant_id = ts.tenant_id
      LEFT JOIN LATERAL (
          -- the members expected to train: the approvers of the latest approval,
          -- or, without an approval, everyone with a training record
          SELECT DISTINCT x.person
            FROM (SELECT pg_catalog.unnest(ap.approvers) AS person WHERE ap.tenant_id IS NOT NULL
                  UNION ALL
                  SELECT t2.person FROM trained t2 WHERE t2.tenant_id = ts.tenant_id AND ap.tenant_id IS NULL) x) req ON true
      LEFT JOIN trained tr ON tr.tenant_id = ts.tenant_id AND tr.person = req.person
     GROUP BY ts.tenant_id
),
duty AS (
    SELECT DISTINCT ON (d.tenant_id, d.duty) d.*
      FROM @extschema@.nis2_duty_record d
     ORDER BY d.tenant_id, d.duty, d.done_on DESC, d.recorded_at DESC, d.record_id
),
overdue AS (
    SELECT dl.tenant_id,
           pg_catalog.count(*) FILTER (WHERE dl.status = 'overdue')::integer AS overdue,
           pg_catalog.count(*) FILTER (WHERE dl.status = 'late')::integer AS late,
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('incident_id', dl.incident_id, 'stage', dl.stage, 'due_at', dl.due_at)
                                ORDER BY dl.due_at) FILTER (WHERE dl.status = 'overdue') AS overdue_reports
      FROM @extschema@.incident_deadlines dl
     WHERE dl.regime = 'nis2'
     GROUP BY dl.tenant_id
),
duty_rows AS (
    SELECT ts.tenant_id, 'duty'::text AS kind, 'nis2:20.1' AS ref,
           'Management body approves the cybersecurity risk-management measures' AS title, 'NIS2 Art. 20(1)' AS legal_basis,
           CASE WHEN ts.art21_art23_applicability IN ('applies', 'displaced_by_dora', 'scope_not_assessed') THEN ts.art21_art23_applicability
                ELSE 'out_of_scope' END AS applicability,
           CASE WHEN ap.tenant_id IS NULL THEN 'missing' WHEN ap.next_review < CURRENT_DATE THEN 'stale' ELSE 'in_place' END AS duty_status,
           CASE WHEN ap.tenant_id IS NULL THEN 'record the approval: compmap.record_management_approval'
                WHEN ap.next_review < CURRENT_DATE THEN 'renew the approval (review was due ' || ap.next_review || ')' END AS action,
           CASE WHEN ap.tenant_id IS NOT NULL THEN pg_catalog.jsonb_build_object(
                    'body', ap.body, 'approvers', pg_catalog.to_jsonb(ap.approvers), 'approved_on', ap.approved_on,
                    'next_review', ap.next_review, 'document_sha256', pg_catalog.encode(ap.document_sha256, 'hex')) END AS duty_detail,
           1 AS duty_order
      FROM tenant_state ts LEFT JOIN approval ap ON ap.tenant_id = ts.tenant_id
    UNION ALL
    SELECT ts.tenant_id, 'duty', 'nis2:20.2', 'Members of the management body follow cybersecurity training', 'NIS2 Art. 20(2)',
           CASE WHEN ts.art21_art23_applicability IN ('applies', 'displaced_by_dora', 'scope_not_assessed') THEN ts.art21_art23_applicability
                ELSE 'out_of_scope' END,
           CASE WHEN tst.required = 0 OR tst.untrained IS NOT NULL THEN 'missing'
                WHEN tst.stale IS NOT NULL THEN 'stale' ELSE 'in_place' END,
           CASE WHEN tst.required = 0 THEN 'record trainings: compmap.record_management_training'
                WHEN tst.untrained IS NOT NULL THEN 'no training recorded for ' || pg_catalog.array_to_string(tst.untrained, ', ')
                WHEN tst.stale IS NOT NULL THEN 'training older than ' || @extschema@.interval_iso(ts.training_interval) || ' for ' || pg_catalog.array_to_string(tst.stale, ', ') END,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('last_trained', tst.last_trained,
                                                                      'training_interval', @extschema@.interval_iso(ts.training_interval))),
           2
      FROM tenant_state ts JOIN training_state tst ON tst.tenant_id = ts.tenant_id
    UNION ALL
    SELECT ts.tenant_id, 'duty', 'nis2:23', 'Reporting workflow for significant incidents (24 h / 72 h / one month)', 'NIS2 Art. 23',
           ts.art21_art23_applicability,
           CASE WHEN coalesce(od.overdue, 0) > 0 THEN 'overdue'
                WHEN rp.tenant_id IS NULL THEN 'missing'
                WHEN rp.next_review < CURRENT_DATE THEN 'stale' ELSE 'in_place' END,
           CASE WHEN coalesce(od.overdue, 0) > 0 THEN od.overdue || ' NIS2 report(s) overdue: see compmap.incident_deadlines'
                WHEN rp.tenant_id IS NULL THEN 'record the reporting procedure: compmap.record_nis2_duty(tenant, ''reporting_procedure'', ...)'
                WHEN rp.next_review < CURRENT_DATE THEN 'review the reporting procedure (due ' || rp.next_review || ')' END,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
               'procedure', rp.reference, 'adopted_on', rp.done_on, 'next_review', rp.next_review,
               'overdue_reports', od.overdue_reports, 'late_reports', od.late)),
           3
      FROM tenant_state ts
      LEFT JOIN duty rp ON rp.tenant_id = ts.tenant_id AND rp.duty = 'reporting_procedure'
      LEFT JOIN overdue od ON od.tenant_id = ts.tenant_id
    UNION ALL
    SELECT ts.tenant_id, 'duty', 'nis2:3.4', 'Registration with the competent authority', 'NIS2 Art. 3(4), Art. 27',
           CASE WHEN ts.classification IN ('essential', 'important') OR ts.other_duties IS NOT NULL THEN 'applies'
                WHEN ts.classification IS NULL THEN 'scope_not_assessed' ELSE 'out_of_scope' END,
           CASE WHEN rg.tenant_id IS NULL THEN 'missing' WHEN rg.next_review < CURRENT_DATE THEN 'stale' ELSE 'in_place' END,
           CASE WHEN rg.tenant_id IS NULL THEN 'record the registration: compmap.record_nis2_duty(tenant, ''registration'', ...)'
                WHEN rg.next_review < CURRENT_DATE THEN 'confirm the registered information (due ' || rg.next_review || ')' END,
           CASE WHEN rg.tenant_id IS NOT NULL THEN pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
               'reference', rg.reference, 'registered_on', rg.done_on, 'next_review', rg.next_review)) END,
           4
      FROM tenant_state ts
      LEFT JOIN duty rg ON rg.tenant_id = ts.tenant_id AND rg.duty = 'registration'
    UNION ALL
    SELECT ts.tenant_id, 'duty', 'nis2:scope', 'Scope assessment confirmed (essential, important or out of scope)', 'NIS2 Arts. 2 and 3',
           'applies',
           CASE WHEN ts.classification IS NULL OR sc.tenant_id IS NULL THEN 'missing'
                WHEN sc.recorded_at < ts.profile_at OR sc.next_review < CURRENT_DATE THEN 'stale' ELSE 'in_place' END,
           CASE WHEN ts.classification IS NULL THEN 'set the entity profile: compmap.set_entity_profile'
                WHEN sc.tenant_id IS NULL THEN 'confirm the scope: compmap.record_nis2_duty(tenant, ''scope_confirmation'', ...)'
                WHEN sc.recorded_at < ts.profile_at THEN 'the profile changed after the last confirmation: confirm it again'
                WHEN sc.next_review < CURRENT_DATE THEN 'review the scope (due ' || sc.next_review || ')' END,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
               'classification', ts.classification, 'confirmed_on', sc.done_on, 'reference', sc.reference)),
           5
      FROM tenant_state ts
      LEFT JOIN duty sc ON sc.tenant_id = ts.tenant_id AND sc.duty = 'scope_confirmation'
)
SELECT r.tenant_id, r.kind, r.ref, r.title, r.legal_basis, r.art21_points, r.cir_status, r.applicability,
       r.iso_controls, r.iso_mapped, r.iso_evidenced, r.iso_partly_evidenced, r.iso_failed,
       r.verdict, r.duty_status, r.own_outcome, r.action, coalesce(r.iso_detail, r.duty_detail) AS detail,
       r.kind_order * 1000 + r.sort_key AS sort_order
  FROM iso_rows r
UNION ALL
SELECT d.tenant_id, d.kind, d.ref, d.title, d.legal_basis, NULL, NULL, d.applicability,
       '{}'::text[], 0, 0, 0, 0,
       'nis2_only', d.duty_status, NULL, d.action, d.duty_detail,
       3000 + d.duty_order
  FROM duty_rows d;
COMMENT ON VIEW @extschema@.nis2_gap IS 'Does my ISO work cover NIS2? Per tenant: each Art. 21(2) point and each CIR (EU) 2024/2690 subsection with the mapped ISO/IEC 27001:2022 controls, their outcomes (compmap.control_status) and a coverage verdict; then the NIS2 duties no ISO control covers (Art. 20 approval and training, Art. 23 workflow, registration, scope confirmation) with their status from the records.';
COMMENT ON COLUMN @extschema@.nis2_gap.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.nis2_gap.kind IS 'art21_point, cir_subsection or duty.';
COMMENT ON COLUMN @extschema@.nis2_gap.ref IS 'The requirement: nis2:21.2.x, cir2024_2690:n.n, or the duty (nis2:20.1, nis2:20.2, nis2:23, nis2:3.4, nis2:scope).';
COMMENT ON COLUMN @extschema@.nis2_gap.title IS 'Title of the requirement or duty.';
COMMENT ON COLUMN @extschema@.nis2_gap.legal_basis IS 'Article or Annex point.';
COMMENT ON COLUMN @extschema@.nis2_gap.art21_points IS 'For CIR subsections: the Art. 21(2) points their section heading cites.';
COMMENT ON COLUMN @extschema@.nis2_gap.cir_status IS 'For CIR subsections: binding (the entity is a CIR Art. 1 type in scope) or reference (benchmark only).';
COMMENT ON COLUMN @extschema@.nis2_gap.applicability IS 'applies, displaced_by_dora (NIS2 Art. 4, DORA Art. 1(2)), out_of_scope, or scope_not_assessed (no entity profile).';
COMMENT ON COLUMN @extschema@.nis2_gap.iso_controls IS 'ISO/IEC 27001:2022 controls and clauses mapped to the requirement (ENISA via CIR, and practitioner edges), ordered as in the standard.';
COMMENT ON COLUMN @extschema@.nis2_gap.iso_mapped IS 'How many ISO controls are mapped.';
COMMENT ON COLUMN @extschema@.nis2_gap.iso_evidenced IS 'How many of them are passed or attested for the tenant.';
COMMENT ON COLUMN @extschema@.nis2_gap.iso_partly_evidenced IS 'How many of them are partially_evidenced.';
COMMENT ON COLUMN @extschema@.nis2_gap.iso_failed IS 'How many of them are failed (open findings).';
COMMENT ON COLUMN @extschema@.nis2_gap.verdict IS 'covered_by_iso_evidence (every mapped ISO control passed or attested), partly_covered (some evidence), not_covered (none, or nothing mapped), nis2_only (a duty no ISO control covers; see duty_status). The mappings are "related", not equivalence: coverage never proves NIS2 compliance.';
COMMENT ON COLUMN @extschema@.nis2_gap.duty_status IS 'For duties: in_place, stale (review date passed, training too old, profile changed since confirmation), missing, or overdue (a NIS2 report is overdue).';
COMMENT ON COLUMN @extschema@.nis2_gap.own_outcome IS 'Outcome of the NIS2 or CIR control itself in compmap.control_status (e.g. attested directly).';
COMMENT ON COLUMN @extschema@.nis2_gap.action IS 'What to do next.';
COMMENT ON COLUMN @extschema@.nis2_gap.detail IS 'For requirements: each mapped ISO control with its outcome and mapping path; for duties: the record that decided.';
COMMENT ON COLUMN @extschema@.nis2_gap.sort_order IS 'Order: Art. 21 points, CIR subsections, duties.';
