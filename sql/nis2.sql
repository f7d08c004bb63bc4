-- The NIS2 legal layer (docs/nis2.md): scope classification case by case,
-- fine floors, governance records and their effect on nis2_gap, and the
-- reporting clocks (NIS2, GDPR, DORA, CRA) with fixed timestamps.
\set VERBOSITY terse
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT '75000000-0000-4000-8000-000000000001' AS t,
       '75000000-0000-4000-8000-000000000002' AS g,
       '75000000-0000-4000-8000-000000000003' AS f \gset
INSERT INTO compmap.tenant (tenant_id, name) VALUES (:'t', 'nis2 clocks'), (:'g', 'nis2 governance'), (:'f', 'nis2 bank');

-- Refusals are shown as SQLSTATE: message.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- ---------------------------------------------------------------------
-- Size classes at the Recommendation 2003/361/EC boundaries
-- ---------------------------------------------------------------------
SELECT staff, turnover, balance, compmap.sme_size_class(staff, turnover, balance) AS size_class
  FROM (VALUES (0, 0, 0), (9, 2000000, 2000000), (9, 2000001, 2000000), (9, 2000001, 2000001), (10, 0, 0),
               (49, 10000000, 10000001), (49, 10000001, 10000001), (50, 0, 0), (249, 50000000, 43000001),
               (249, 50000001, 43000000), (249, 50000001, 43000001), (250, 0, 0), (0, 50000001, 43000001),
               (12.5, 0, 0)) AS v(staff, turnover, balance);

-- ---------------------------------------------------------------------
-- The decision table, case by case (each rule at least once; size edges)
-- ---------------------------------------------------------------------
CREATE TEMP TABLE cases (n int, what text, types text[], staff numeric, turnover numeric, balance numeric,
                         in_union boolean DEFAULT true, pa text, pa_selected boolean DEFAULT false,
                         cer boolean DEFAULT false, ms text, nis1 boolean DEFAULT false, opt_in text,
                         exempt boolean DEFAULT false, dora boolean DEFAULT false,
                         expect_class text, expect_rule text);
INSERT INTO cases (n, what, types, staff, turnover, balance, in_union, pa, pa_selected, cer, ms, nis1, opt_in, exempt, dora, expect_class, expect_rule) VALUES
 ( 1, 'no activities in the Union',            '{cloud_computing_provider}', 900, 0, 0, false, NULL, false, false, NULL, false, NULL, false, false, 'out_of_scope', 'P0'),
 ( 2, 'central PA in defence, exempted',       '{}', NULL, NULL, NULL, true, 'central', false, false, NULL, false, NULL, true, false, 'out_of_scope', 'X1'),
 ( 3, 'CER critical entity, micro food',       '{food_business}', 3, 0, 0, true, NULL, false, true, NULL, false, NULL, false, false, 'essential', 'E1'),
 ( 4, 'qualified TSP, micro',                  '{qualified_trust_service_provider}', 3, 100000, 100000, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E2'),
 ( 5, 'TLD name registry, small',              '{tld_name_registry}', 20, 1000000, 1000000, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E3'),
 ( 6, 'DNS service provider, micro',           '{dns_service_provider}', 2, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E4'),
 ( 7, 'public ECN provider, medium (50 staff)', '{public_ecn_provider}', 50, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E5'),
 ( 8, 'public ECS provider, large (250 staff)', '{public_ecs_provider}', 250, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E5'),
 ( 9, 'central government PA',                 '{}', NULL, NULL, NULL, true, 'central', false, false, NULL, false, NULL, false, false, 'essential', 'E6'),
 (10, 'MS designated essential, small Annex II', '{machinery_manufacturer}', 20, 0, 0, true, NULL, false, false, 'essential', false, NULL, false, false, 'essential', 'E7'),
 (11, 'NIS1 OES kept essential, small water',  '{drinking_water_supplier}', 20, 0, 0, true, NULL, false, false, NULL, true, NULL, false, false, 'essential', 'E8'),
 (12, 'Annex I, 250 staff',                    '{electricity_producer}', 250, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E9'),
 (13, 'Annex I, large by money only',          '{hydrogen_operator}', 10, 50000001, 43000001, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E9'),
 (14, 'Annex I, turnover at 50 m exactly',     '{hydrogen_operator}', 249, 50000000, 43000001, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I5'),
 (15, 'Annex I, balance at 43 m exactly',      '{hydrogen_operator}', 249, 50000001, 43000000, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I5'),
 (16, 'non-qualified TSP, 250 staff',          '{trust_service_provider}', 250, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E9'),
 (17, 'public ECN provider, small (49 staff)', '{public_ecn_provider}', 49, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I1'),
 (18, 'public ECS provider, micro',            '{public_ecs_provider}', 9, 2000000, 2000000, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I1'),
 (19, 'non-qualified TSP, medium',             '{trust_service_provider}', 60, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I2'),
 (20, 'non-qualified TSP, micro',              '{trust_service_provider}', 1, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I2'),
 (21, 'regional PA, selected after risk assessment', '{}', NULL, NULL, NULL, true, 'regional', true, false, NULL, false, NULL, false, false, 'important', 'I3'),
 (22, 'MS identified, small Annex I',          '{ixp_provider}', 30, 0, 0, true, NULL, false, false, 'important', false, NULL, false, false, 'important', 'I4'),
 (23, 'Annex I, 50 staff',                     '{cloud_computing_provider}', 50, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I5'),
 (24, 'Annex I, 249 staff',                    '{data_centre_provider}', 249, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I5'),
 (25, 'Annex I, medium by money only',         '{managed_service_provider}', 49, 10000001, 10000001, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I5'),
 (26, 'Annex II, 50 staff',                    '{food_business}', 50, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I6'),
 (27, 'Annex II, large: still important',      '{online_marketplace_provider}', 5000, 900000000, 900000000, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I6'),
 (28, 'domain name registration, small',       '{domain_name_registration_provider}', 12, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'out_of_scope', 'O1'),
 (29, 'local PA, no opt-in',                   '{}', NULL, NULL, NULL, true, 'local', false, false, NULL, false, NULL, false, false, 'out_of_scope', 'O2'),
 (30, 'education institution, MS opt-in',     '{education_institution}', 400, 0, 0, true, NULL, false, false, NULL, false, 'important', false, false, 'important', 'O2'),
 (31, 'Annex I, 49 staff, money at 10 m',      '{cdn_provider}', 49, 10000001, 10000000, true, NULL, false, false, NULL, false, NULL, false, false, 'out_of_scope', 'O3'),
 (32, 'Annex II, micro',                       '{research_organisation}', 9, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'out_of_scope', 'O3'),
 (33, 'regional PA, not selected',             '{}', NULL, NULL, NULL, true, 'regional', false, false, NULL, false, NULL, false, false, 'out_of_scope', 'O4'),
 (34, 'no Annex type at all',                  '{}', 900, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'out_of_scope', 'O4'),
 (35, 'credit institution, large, DORA',       '{credit_institution}', 3000, 0, 0, true, NULL, false, false, NULL, false, NULL, false, true, 'essential', 'E9'),
 (36, 'trading venue, medium, DORA',           '{trading_venue_operator}', 80, 0, 0, true, NULL, false, false, NULL, false, NULL, false, true, 'important', 'I5'),
 (37, 'several types: highest ranks (DNS)',    '{cloud_computing_provider,dns_service_provider}', 5, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'essential', 'E4'),
 (38, 'Annex I and II, medium: Annex I decides', '{food_business,healthcare_provider}', 100, 0, 0, true, NULL, false, false, NULL, false, NULL, false, false, 'important', 'I5');

SELECT c.n, c.what, r.classification, r.size_class, r.rule, r.legal_basis, r.deciding_type,
       r.lex_specialis IS NOT NULL AS dora_overlay, r.art21_art23_apply, r.cir_binding,
       (r.classification, r.rule) = (c.expect_class, c.expect_rule) AS as_expected
  FROM cases c
 CROSS JOIN LATERAL compmap.nis2_classify(c.types, c.staff, c.turnover, c.balance, c.in_union, c.pa, c.pa_selected,
                                          c.cer, c.ms, c.nis1, c.opt_in, c.exempt, c.dora) r
 ORDER BY c.n;
-- every rule of the table is exercised, and every case decides as expected
SELECT array_agg(DISTINCT c.expect_rule ORDER BY c.expect_rule) AS rules_covered, count(*) AS cases,
       count(*) FILTER (WHERE (r.classification, r.rule) IS DISTINCT FROM (c.expect_class, c.expect_rule)) AS mismatches
  FROM cases c
 CROSS JOIN LATERAL compmap.nis2_classify(c.types, c.staff, c.turnover, c.balance, c.in_union, c.pa, c.pa_selected,
                                          c.cer, c.ms, c.nis1, c.opt_in, c.exempt, c.dora) r;
-- what a row says beyond the verdict: O1's other duties, caveats, the overlay
SELECT rule, other_duties, caveats, lex_specialis, lex_specialis_basis
  FROM compmap.nis2_classify('{domain_name_registration_provider}', 12, 0, 0)
UNION ALL
SELECT rule, other_duties, caveats, lex_specialis, lex_specialis_basis
  FROM compmap.nis2_classify('{credit_institution}', 3000, 0, 0, dora_financial_entity => true)
UNION ALL
SELECT rule, other_duties, caveats, lex_specialis, lex_specialis_basis
  FROM compmap.nis2_classify('{}', NULL, NULL, NULL, public_administration => 'central', security_defence_exempt => true);

-- refusals
SELECT what, pg_temp.try(stmt) AS result FROM (VALUES
  ('unknown type', $$SELECT compmap.nis2_classify('{cloud,dns_service_provider}', 10, 0, 0)$$),
  ('no headcount for an Annex type', $$SELECT compmap.nis2_classify('{cloud_computing_provider}', NULL, 0, 0)$$),
  ('money test undecidable', $$SELECT compmap.nis2_classify('{cloud_computing_provider}', 20, 60000000, NULL)$$),
  ('money test decidable without balance', $$SELECT (compmap.nis2_classify('{cloud_computing_provider}', 20, 5000000, NULL)).rule$$),
  ('negative figure', $$SELECT compmap.nis2_classify('{cloud_computing_provider}', -1, 0, 0)$$),
  ('bad public administration level', $$SELECT compmap.nis2_classify('{}', NULL, NULL, NULL, public_administration => 'federal')$$),
  ('risk selection without regional PA', $$SELECT compmap.nis2_classify('{food_business}', 60, 0, 0, regional_risk_selected => true)$$),
  ('bad designation', $$SELECT compmap.nis2_classify('{food_business}', 60, 0, 0, ms_designation => 'critical')$$),
  ('designation without Annex type', $$SELECT compmap.nis2_classify('{}', 60, 0, 0, ms_designation => 'essential')$$),
  ('opt-in outside Art. 2(5)', $$SELECT compmap.nis2_classify('{food_business}', 60, 0, 0, ms_opt_in => 'important')$$),
  ('bad opt-in category', $$SELECT compmap.nis2_classify('{education_institution}', 60, 0, 0, ms_opt_in => 'yes')$$)
) AS v(what, stmt);

-- ---------------------------------------------------------------------
-- Fine floors, Art. 34(4)/(5)
-- ---------------------------------------------------------------------
SELECT classification, turnover, compmap.nis2_max_fine(classification, turnover) AS max_fine_floor
  FROM (VALUES ('essential', 0), ('essential', 499999999), ('essential', 500000000), ('essential', 500000001),
               ('essential', 2000000000), ('important', 0), ('important', 500000000), ('important', 500000001),
               ('important', 2000000000), ('out_of_scope', 2000000000)) AS v(classification, turnover);
SELECT what, pg_temp.try(stmt) AS result FROM (VALUES
  ('unknown classification', $$SELECT compmap.nis2_max_fine('critical', 1)$$),
  ('negative turnover', $$SELECT compmap.nis2_max_fine('essential', -1)$$),
  ('no turnover', $$SELECT compmap.nis2_max_fine('essential', NULL)$$)
) AS v(what, stmt);

-- ---------------------------------------------------------------------
-- Entity profiles and the scope view
-- ---------------------------------------------------------------------
SELECT compmap.set_entity_profile(:'g', 'Example Cloud GmbH', '{cloud_computing_provider}', 300, 80000000, 60000000,
                                  '{DE,AT}', worldwide_turnover_eur => 900000000, reporting_time_zone => 'Europe/Berlin',
                                  training_interval => '100 years', actor => 'ciso');
SELECT compmap.set_entity_profile(:'f', 'Example Bank AG', '{credit_institution}', 3000, 900000000, 9000000000,
                                  '{DE}', dora_financial_entity => true, actor => 'ciso');
SELECT entity_name, classification, size_class, rule, legal_basis, cir_binding, lex_specialis, art21_art23_apply,
       max_fine_floor_eur
  FROM compmap.nis2_scope WHERE tenant_id IN (:'g', :'f') ORDER BY entity_name;
SELECT what, pg_temp.try(stmt) AS result FROM (VALUES
  ('not an EU code', $$SELECT compmap.set_entity_profile('75000000-0000-4000-8000-000000000001', 'x', '{}', 1, 0, 0, '{DE,GR,US}')$$),
  ('no member states', $$SELECT compmap.set_entity_profile('75000000-0000-4000-8000-000000000001', 'x', '{}', 1, 0, 0, NULL)$$),
  ('no name', $$SELECT compmap.set_entity_profile('75000000-0000-4000-8000-000000000001', '', '{}', 1, 0, 0, '{DE}')$$),
  ('unknown time zone', $$SELECT compmap.set_entity_profile('75000000-0000-4000-8000-000000000001', 'x', '{}', 1, 0, 0, '{DE}', reporting_time_zone => 'Mars/Olympus')$$),
  ('bad training interval', $$SELECT compmap.set_entity_profile('75000000-0000-4000-8000-000000000001', 'x', '{}', 1, 0, 0, '{DE}', training_interval => '0 days')$$),
  ('invalid classification input', $$SELECT compmap.set_entity_profile('75000000-0000-4000-8000-000000000001', 'x', '{spaceship}', 1, 0, 0, '{DE}')$$)
) AS v(what, stmt);
SELECT count(*) AS profiles_of_t FROM compmap.entity_profile WHERE tenant_id = :'t';

-- ---------------------------------------------------------------------
-- Does my ISO work cover NIS2?  Governance records and their effect
-- ---------------------------------------------------------------------
-- The view's mappings are exactly the crosswalk's (two hops for Art. 21 points, one for CIR).
SELECT count(*) AS mapping_mismatches
  FROM compmap.nis2_gap g
 WHERE g.tenant_id = :'g' AND g.kind <> 'duty'
   AND g.iso_controls::text[] IS DISTINCT FROM (
       SELECT array_agg(x.control ORDER BY c.sort_key)
         FROM compmap.crosswalk(g.ref, 'iso27001_2022', CASE g.kind WHEN 'art21_point' THEN 2 ELSE 1 END) x
         JOIN compmap.control c ON c.framework = x.framework AND c.control = x.control
        WHERE NOT 'not_related' = ANY (x.relationships));
SELECT kind, count(*) AS rows, count(*) FILTER (WHERE iso_mapped = 0) AS unmapped
  FROM compmap.nis2_gap WHERE tenant_id = :'g' GROUP BY kind ORDER BY min(sort_order);

-- before any ISO evidence or governance record
SELECT ref, applicability, verdict, iso_evidenced || '/' || iso_mapped AS iso_evidence, duty_status, action
  FROM compmap.nis2_gap WHERE tenant_id = :'g' AND kind <> 'cir_subsection' ORDER BY sort_order;

-- ISO evidence: attest the controls behind (h) and one of the two behind (j)
SELECT compmap.attest(:'g', 'iso27001_2022:A.5.31', 'ciso', 'legal requirements register kept', 'DMS-1', '2099-12-31') IS NOT NULL AS attested;
SELECT compmap.attest(:'g', 'iso27001_2022:A.8.24', 'ciso', 'cryptography policy in force', 'DMS-2', '2099-12-31') IS NOT NULL AS attested;
SELECT compmap.attest(:'g', 'iso27001_2022:A.8.5', 'ciso', 'MFA everywhere', 'DMS-3', '2099-12-31') IS NOT NULL AS attested;

-- governance: an old approval (stale), then a current one; trainings
SELECT compmap.record_management_approval(:'g', 'Management board', '{Alice Example,Bob Example}', '2024-01-10',
       sha256('risk-management measures v1'), '2025-01-10', document_ref => 'DMS-RM-1', actor => 'ciso',
       approval_id => '75000000-0000-4000-8000-0000000000b1');
SELECT ref, duty_status, action FROM compmap.nis2_gap WHERE tenant_id = :'g' AND ref IN ('nis2:20.1', 'nis2:20.2') ORDER BY sort_order;
SELECT compmap.record_management_approval(:'g', 'Management board', '{Alice Example,Bob Example}', '2025-06-01',
       sha256('risk-management measures v2'), '2099-12-31', document_ref => 'DMS-RM-2', actor => 'ciso',
       approval_id => '75000000-0000-4000-8000-0000000000b2');
SELECT compmap.record_management_training(:'g', 'Alice Example', '2025-05-01', 'Example Academy', 'NIS2 for boards',
       actor => 'hr', training_id => '75000000-0000-4000-8000-0000000000c1');
SELECT compmap.record_management_training(:'g', 'Bob Example', '1920-01-01', 'Old School', actor => 'hr',
       training_id => '75000000-0000-4000-8000-0000000000c2');
SELECT ref, duty_status, action, detail FROM compmap.nis2_gap WHERE tenant_id = :'g' AND ref IN ('nis2:20.1', 'nis2:20.2') ORDER BY sort_order;
SELECT compmap.record_management_training(:'g', 'Bob Example', '2025-05-02', 'Example Academy', actor => 'hr',
       training_id => '75000000-0000-4000-8000-0000000000c3');
SELECT compmap.record_nis2_duty(:'g', 'registration', '2025-03-01', 'BSI-REG-4711', actor => 'ciso',
       record_id => '75000000-0000-4000-8000-0000000000d1');
SELECT compmap.record_nis2_duty(:'g', 'reporting_procedure', '2025-03-01', 'DMS-IR-7', next_review => '2099-12-31',
       actor => 'ciso', record_id => '75000000-0000-4000-8000-0000000000d2');
SELECT compmap.record_nis2_duty(:'g', 'scope_confirmation', '2025-03-01', 'DMS-SCOPE-1', actor => 'ciso',
       record_id => '75000000-0000-4000-8000-0000000000d3');

-- The question, as one query: what does my ISO work not cover, and which NIS2 duties are open?
SELECT ref, verdict, iso_evidenced || '/' || iso_mapped AS iso_evidence, duty_status, action
  FROM compmap.nis2_gap
 WHERE tenant_id = :'g' AND kind <> 'cir_subsection'
 ORDER BY sort_order;
SELECT verdict, count(*) AS requirements FROM compmap.nis2_gap WHERE tenant_id = :'g' AND kind <> 'duty' GROUP BY verdict ORDER BY verdict;
SELECT ref, art21_points, cir_status, verdict, iso_controls, detail
  FROM compmap.nis2_gap WHERE tenant_id = :'g' AND ref IN ('cir2024_2690:9', 'cir2024_2690:11.7', 'cir2024_2690:7') ORDER BY sort_order;

-- the profile changes: the scope confirmation goes stale
SELECT compmap.set_entity_profile(:'g', 'Example Cloud GmbH', '{cloud_computing_provider}', 320, 80000000, 60000000,
                                  '{DE,AT}', worldwide_turnover_eur => 900000000, reporting_time_zone => 'Europe/Berlin',
                                  training_interval => '100 years', actor => 'ciso');
SELECT ref, duty_status, action FROM compmap.nis2_gap WHERE tenant_id = :'g' AND ref = 'nis2:scope';

-- DORA displaces Arts. 21 and 23 for the bank; no profile at all: scope not assessed
SELECT tenant_id = :'f' AS bank, ref, applicability, duty_status
  FROM compmap.nis2_gap WHERE tenant_id IN (:'f', :'t') AND ref IN ('nis2:21.2.a', 'nis2:20.1', 'nis2:23', 'nis2:3.4', 'nis2:scope')
 ORDER BY 1, sort_order;

SELECT what, pg_temp.try(stmt) AS result FROM (VALUES
  ('approval without approvers', $$SELECT compmap.record_management_approval('75000000-0000-4000-8000-000000000002', 'Board', '{}', '2025-01-01', sha256('x'), '2026-01-01')$$),
  ('approval with an empty name', $$SELECT compmap.record_management_approval('75000000-0000-4000-8000-000000000002', 'Board', '{Alice,""}', '2025-01-01', sha256('x'), '2026-01-01')$$),
  ('approval digest not SHA-256', $$SELECT compmap.record_management_approval('75000000-0000-4000-8000-000000000002', 'Board', '{Alice}', '2025-01-01', '\x0102', '2026-01-01')$$),
  ('approval review before approval', $$SELECT compmap.record_management_approval('75000000-0000-4000-8000-000000000002', 'Board', '{Alice}', '2025-01-01', sha256('x'), '2025-01-01')$$),
  ('approval in the future', $$SELECT compmap.record_management_approval('75000000-0000-4000-8000-000000000002', 'Board', '{Alice}', '2999-01-01', sha256('x'), '3000-01-01')$$),
  ('approval without body', $$SELECT compmap.record_management_approval('75000000-0000-4000-8000-000000000002', NULL, '{Alice}', '2025-01-01', sha256('x'), '2026-01-01')$$),
  ('training without provider', $$SELECT compmap.record_management_training('75000000-0000-4000-8000-000000000002', 'Alice', '2025-01-01', ' ')$$),
  ('training in the future', $$SELECT compmap.record_management_training('75000000-0000-4000-8000-000000000002', 'Alice', '2999-01-01', 'X')$$),
  ('unknown duty', $$SELECT compmap.record_nis2_duty('75000000-0000-4000-8000-000000000002', 'audit', '2025-01-01', 'R')$$),
  ('duty without reference', $$SELECT compmap.record_nis2_duty('75000000-0000-4000-8000-000000000002', 'registration', '2025-01-01', '')$$),
  ('duty review before done', $$SELECT compmap.record_nis2_duty('75000000-0000-4000-8000-000000000002', 'registration', '2025-01-01', 'R', next_review => '2024-01-01')$$),
  ('scope confirmation without profile', $$SELECT compmap.record_nis2_duty('75000000-0000-4000-8000-000000000001', 'scope_confirmation', '2025-01-01', 'R')$$),
  ('governance records are append-only', $$UPDATE compmap.management_approval SET body = 'x'$$),
  ('training records are append-only', $$DELETE FROM compmap.management_training$$)
) AS v(what, stmt);

-- ---------------------------------------------------------------------
-- Reporting clocks
-- ---------------------------------------------------------------------
CREATE FUNCTION pg_temp.clocks(incident uuid, as_of timestamptz DEFAULT now())
RETURNS TABLE (regime text, stage text, due_at timestamptz, submitted_at timestamptz, status text, provisional boolean,
               anchor text, legal_basis text)
LANGUAGE sql AS $$
    SELECT d.regime, d.stage, d.due_at, d.submitted_at, d.status, d.provisional, d.anchor, d.legal_basis
      FROM compmap.incident_deadlines_at(as_of) d WHERE d.incident_id = incident ORDER BY d.sort_order, d.due_at
$$;

-- 1. NIS2 with a parallel GDPR clock: 24 h, 72 h, final one month after the notification was submitted
SELECT compmap.open_incident(:'t', 'ransomware on file servers', '2025-01-30 10:00+00', significant => true,
                             personal_data_breach => true, actor => 'soc',
                             incident_id => '75000000-0000-4000-8000-00000000a001');
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a001', '2025-01-30 12:00+00');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'early_warning', '2025-01-31 09:00+00', 'CSIRT-2025-17',
                                 recipient => 'national CSIRT', actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e001');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'notification', '2025-02-02 11:00+00', 'CSIRT-2025-17',
                                 actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e002');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'notification', '2025-02-01 16:00+00', 'DPA-99',
                                 regime => 'gdpr', recipient => 'data protection authority', actor => 'dpo',
                                 submission_id => '75000000-0000-4000-8000-00000000e003');
-- as of mid-February: the final report is due a month after the (late) notification, not after its due time
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a001', '2025-02-15 00:00+00');
SELECT compmap.mark_incident_handled('75000000-0000-4000-8000-00000000a001', '2025-02-20 17:00+00', 'soc');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'final', '2025-03-01 10:00+00', 'CSIRT-2025-17',
                                 actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e004');
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a001');

-- 2. month ends: notification on 31 January -> final on 28 February (29 in a leap year)
SELECT compmap.open_incident(:'t', 'month end 2025', '2025-01-28 12:00+00', significant => true, actor => 'soc',
                             incident_id => '75000000-0000-4000-8000-00000000a002');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a002', 'notification', '2025-01-31 12:00+00', 'C-2',
                                 actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e005');
SELECT compmap.open_incident(:'t', 'month end 2024', '2024-01-28 12:00+00', significant => true, actor => 'soc',
                             incident_id => '75000000-0000-4000-8000-00000000a003');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a003', 'notification', '2024-01-31 12:00+00', 'C-3',
                                 actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e006');
SELECT d.title, d.stage, d.due_at, d.status
  FROM compmap.incident_deadlines_at('2024-02-10 00:00+00') d WHERE d.incident_id = '75000000-0000-4000-8000-00000000a003'
UNION ALL
SELECT d.title, d.stage, d.due_at, d.status
  FROM compmap.incident_deadlines_at('2025-02-10 00:00+00') d WHERE d.incident_id = '75000000-0000-4000-8000-00000000a002'
 ORDER BY 1, 3;
SELECT ts, compmap.interval_iso(period) AS period, compmap.add_local(ts, period, 'UTC') AS utc
  FROM (VALUES ('2025-01-31 10:00+00'::timestamptz, interval '1 month'), ('2024-01-31 10:00+00', '1 month'),
               ('2025-03-31 10:00+00', '1 month'), ('2025-12-31 23:30+00', '1 month'), ('2025-02-28 10:00+00', '1 month'))
       AS v(ts, period);

-- 3. trust service provider: the notification is due within 24 h
SELECT compmap.open_incident(:'t', 'qualified signature service down', '2025-05-05 08:00+00', significant => true,
                             trust_service => true, actor => 'soc', incident_id => '75000000-0000-4000-8000-00000000a004');
SELECT regime, stage, due_at, legal_basis FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a004', '2025-05-05 09:00+00')
 WHERE stage IN ('early_warning', 'notification');

-- 4. daylight saving time (Europe/Berlin): hour clocks are elapsed hours, month clocks keep the local time
SELECT compmap.open_incident(:'t', 'DST spring', '2025-03-29 12:00+01', significant => true, time_zone => 'Europe/Berlin',
                             actor => 'soc', incident_id => '75000000-0000-4000-8000-00000000a005');
SELECT stage, due_at, timezone('Europe/Berlin', due_at) AS berlin_local, provisional
  FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a005', '2025-03-29 13:00+01');
SELECT label, compmap.add_local(ts, interval '1 month', 'Europe/Berlin') AS due_utc,
       timezone('Europe/Berlin', compmap.add_local(ts, interval '1 month', 'Europe/Berlin')) AS berlin_local
  FROM (VALUES ('across spring DST', '2025-03-03 09:00+01'::timestamptz),
               ('across autumn DST', '2025-10-03 09:00+02'),
               ('lands in the spring gap', '2027-02-28 02:30+01'),
               ('lands on the ambiguous hour', '2025-09-26 02:30+02')) AS v(label, ts);

-- 5. progress report: still ongoing when the final report falls due, then final one month after handling
SELECT compmap.open_incident(:'t', 'long-running intrusion', '2025-03-01 08:00+00', significant => true,
                             time_zone => 'Europe/Berlin', actor => 'soc', incident_id => '75000000-0000-4000-8000-00000000a006');
-- without a notification the final date is provisional (from the notification's due time)
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a006', '2025-03-05 00:00+00');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a006', 'notification', '2025-03-03 08:00+00', 'C-6',
                                 actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e007');
SELECT compmap.request_intermediate_report('75000000-0000-4000-8000-00000000a006', '2025-03-10 09:00+00',
                                           '2025-03-14 17:00+00', 'national CSIRT', 'REQ-1', 'soc',
                                           request_id => '75000000-0000-4000-8000-00000000f001');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a006', 'intermediate', '2025-03-14 18:00+00', 'C-6',
                                 actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e008');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a006', 'progress', '2025-04-02 10:00+00', 'C-6',
                                 actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e009');
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a006', '2025-04-10 00:00+00');
SELECT compmap.mark_incident_handled('75000000-0000-4000-8000-00000000a006', '2025-04-20 10:00+00', 'soc');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a006', 'final', '2025-05-19 10:00+00', 'C-6',
                                 actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e010');
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a006');

-- 6. DORA: initial 4 h after classification (at most 24 h after awareness), intermediate 72 h after the
--    initial notification, final one month after the latest intermediate report; no NIS2 clock for the bank
SELECT compmap.open_incident(:'f', 'payment system outage', '2025-06-02 08:00+00', actor => 'soc',
                             incident_id => '75000000-0000-4000-8000-00000000a007');
SELECT compmap.assess_incident('75000000-0000-4000-8000-00000000a007', true, 'critical service down for 3 h',
                               '2025-06-02 10:00+00', dora_major => true, actor => 'soc');
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a007', '2025-06-02 11:00+00');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a007', 'initial', '2025-06-02 13:00+00', 'BAFIN-1',
                                 regime => 'dora', actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e011');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a007', 'intermediate', '2025-06-05 12:00+00', 'BAFIN-1',
                                 regime => 'dora', actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e012');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a007', 'intermediate', '2025-06-20 09:00+00', 'BAFIN-1',
                                 regime => 'dora', actor => 'soc', submission_id => '75000000-0000-4000-8000-00000000e013');
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a007');
-- classified as major more than 24 h after awareness: 4 h after classification (Art. 5(2))
SELECT compmap.open_incident(:'f', 'slow-burning data leak', '2025-06-02 08:00+00', actor => 'soc',
                             incident_id => '75000000-0000-4000-8000-00000000a008');
SELECT compmap.assess_incident('75000000-0000-4000-8000-00000000a008', true, 'data loss confirmed',
                               '2025-06-04 09:00+00', dora_major => true, actor => 'soc');
SELECT regime, stage, due_at, status, legal_basis FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a008', '2025-06-04 10:00+00')
 WHERE stage = 'initial';

-- 7. CRA: actively exploited vulnerability, 24 h / 72 h / 14 days after the corrective measure
SELECT compmap.open_incident(:'t', 'exploited flaw in our router firmware', '2025-10-15 10:00+00',
                             cra_exploited_vulnerability => true, significant => false, time_zone => 'Europe/Berlin',
                             actor => 'psirt', incident_id => '75000000-0000-4000-8000-00000000a009');
SELECT * FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a009', '2025-10-15 11:00+00');
SELECT compmap.set_incident_flags('75000000-0000-4000-8000-00000000a009', cra_measure_available_at => '2025-10-20 10:00+00',
                                  actor => 'psirt');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a009', 'early_warning', '2025-10-16 09:00+00', 'ENISA-SRP-1',
                                 regime => 'cra', actor => 'psirt', submission_id => '75000000-0000-4000-8000-00000000e014');
SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a009', 'notification', '2025-10-18 09:00+00', 'ENISA-SRP-1',
                                 regime => 'cra', actor => 'psirt', submission_id => '75000000-0000-4000-8000-00000000e015');
SELECT stage, due_at, timezone('Europe/Berlin', due_at) AS berlin_local, submitted_at, status
  FROM pg_temp.clocks('75000000-0000-4000-8000-00000000a009', '2025-10-25 00:00+00');

-- Which reports are due in the next 24 hours (as of a fixed time)?
SELECT d.title, d.regime, d.stage, d.due_at
  FROM compmap.incident_deadlines_at('2025-06-02 11:00+00') d
 WHERE d.status = 'due' AND d.due_at < '2025-06-02 11:00+00'::timestamptz + interval '24 hours'
 ORDER BY d.due_at, d.title;
-- today every clock above has long run out: nothing is merely due
SELECT status, count(*) FROM compmap.incident_deadlines WHERE tenant_id IN (:'t', :'f') GROUP BY status ORDER BY status;
-- an overdue NIS2 report shows in the gap view's Art. 23 duty
SELECT compmap.open_incident(:'g', 'forgotten incident', '2025-07-01 08:00+00', significant => true, actor => 'soc',
                             incident_id => '75000000-0000-4000-8000-00000000a010');
SELECT ref, duty_status, action FROM compmap.nis2_gap WHERE tenant_id = :'g' AND ref = 'nis2:23';

-- refusals, each changing nothing
SELECT what, pg_temp.try(stmt) AS result FROM (VALUES
  ('unknown incident', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000ffff', 'notification', '2025-01-01', 'R')$$),
  ('unknown regime', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'notification', '2025-02-01', 'R', regime => 'nis3')$$),
  ('stage of another regime', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'initial', '2025-02-01', 'R')$$),
  ('no reference', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'notification', '2025-02-01', '')$$),
  ('before awareness', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'notification', '2025-01-01', 'R')$$),
  ('in the future', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'notification', '2999-01-01', 'R')$$),
  ('final before notification', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a004', 'final', '2025-05-06', 'R')$$),
  ('GDPR on a non-breach', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a004', 'notification', '2025-05-06', 'R', regime => 'gdpr')$$),
  ('NIS2 on a non-significant incident', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a009', 'early_warning', '2025-10-16', 'R')$$),
  ('NIS2 for a DORA entity', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a007', 'early_warning', '2025-06-03', 'R')$$),
  ('DORA before classification', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a004', 'initial', '2025-05-06', 'R', regime => 'dora')$$),
  ('DORA final before intermediate', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a008', 'final', '2025-06-05', 'R', regime => 'dora')$$),
  ('CRA on a non-vulnerability', $$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'early_warning', '2025-02-01', 'R', regime => 'cra')$$),
  ('incident without awareness time', $$SELECT compmap.open_incident('75000000-0000-4000-8000-000000000001', 'x', NULL)$$),
  ('incident aware in the future', $$SELECT compmap.open_incident('75000000-0000-4000-8000-000000000001', 'x', '2999-01-01')$$),
  ('incident in an unknown time zone', $$SELECT compmap.open_incident('75000000-0000-4000-8000-000000000001', 'x', '2025-01-01', time_zone => 'Atlantis')$$),
  ('handled twice', $$SELECT compmap.mark_incident_handled('75000000-0000-4000-8000-00000000a001', '2025-03-01', 'soc')$$),
  ('handled before awareness', $$SELECT compmap.mark_incident_handled('75000000-0000-4000-8000-00000000a002', '2025-01-01', 'soc')$$),
  ('DORA major for a non-financial entity', $$SELECT compmap.assess_incident('75000000-0000-4000-8000-00000000a002', true, 'r', '2025-02-01', dora_major => true)$$),
  ('assessment without reason', $$SELECT compmap.assess_incident('75000000-0000-4000-8000-00000000a002', true, ' ')$$),
  ('request deadline before request', $$SELECT compmap.request_intermediate_report('75000000-0000-4000-8000-00000000a002', '2025-02-01', '2025-01-31', 'CSIRT')$$),
  ('request on a DORA entity', $$SELECT compmap.request_intermediate_report('75000000-0000-4000-8000-00000000a007', '2025-06-03', '2025-06-04', 'CSIRT')$$),
  ('CRA measure without vulnerability', $$SELECT compmap.set_incident_flags('75000000-0000-4000-8000-00000000a001', cra_measure_available_at => '2025-02-01')$$),
  ('submissions are append-only', $$UPDATE compmap.incident_submission SET reference = 'x'$$)
) AS v(what, stmt);

-- tenant isolation: another tenant's application sees and reaches nothing
SET ROLE cmt_app_b;
SELECT count(*) AS incidents_seen FROM compmap.incident;
SELECT count(*) AS gap_rows_seen FROM compmap.nis2_gap WHERE tenant_id = :'g';
SELECT pg_temp.try($$SELECT compmap.record_submission('75000000-0000-4000-8000-00000000a001', 'progress', '2025-02-03', 'R')$$) AS result;
RESET ROLE;

-- every record is in the evidence log, and the logs verify
SELECT CASE tenant_id WHEN :'t' THEN 'clocks' WHEN :'g' THEN 'governance' ELSE 'bank' END AS tenant, event_type, count(*)
  FROM compmap.evidence WHERE tenant_id IN (:'t', :'g', :'f') AND (event_type LIKE 'nis2.%' OR event_type LIKE 'incident.%')
 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT payload->>'regime' AS regime, payload->>'stage' AS stage, occurred_at, actor
  FROM compmap.evidence WHERE tenant_id = :'t' AND subject_id = '75000000-0000-4000-8000-00000000a001'
   AND event_type = 'incident.report_submitted' ORDER BY leaf_index;
SELECT (compmap.verify(:'t')).ok AS clocks_log_ok, (compmap.verify(:'g')).ok AS governance_log_ok, (compmap.verify(:'f')).ok AS bank_log_ok;
