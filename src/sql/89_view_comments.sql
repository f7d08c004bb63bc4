-- Column comments of the reporting views, so BI tools (Grafana, Metabase,
-- Superset) show what each column means.  test/pgtap/documentation.sql
-- fails on any view column of the schema without one.

COMMENT ON COLUMN @extschema@.control_edge_both.from_framework IS 'Framework of the control the edge starts from.';
COMMENT ON COLUMN @extschema@.control_edge_both.from_control IS 'Control the edge starts from.';
COMMENT ON COLUMN @extschema@.control_edge_both.to_framework IS 'Framework of the control the edge leads to.';
COMMENT ON COLUMN @extschema@.control_edge_both.to_control IS 'Control the edge leads to.';
COMMENT ON COLUMN @extschema@.control_edge_both.relationship IS 'NIST IR 8477 relationship read from the start control: equal, subset, superset, intersects, not_related.';
COMMENT ON COLUMN @extschema@.control_edge_both.derived IS 'True for the mechanically derived reverse of a stored edge (subset and superset swap).';
COMMENT ON COLUMN @extschema@.control_edge_both.source IS 'Mapping source the edge comes from (compmap.mapping_source).';
COMMENT ON COLUMN @extschema@.control_edge_both.reviewed IS 'Whether a person reviewed the edge.';
COMMENT ON COLUMN @extschema@.control_edge_both.rationale IS 'Why the controls relate: syntactic, semantic or functional.';
COMMENT ON COLUMN @extschema@.control_edge_both.strength IS 'Optional strength of the relationship on the documented scale (docs/catalogue.md).';

COMMENT ON COLUMN @extschema@.control_status.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.control_status.framework IS 'Framework code, e.g. iso27001_2022.';
COMMENT ON COLUMN @extschema@.control_status.control IS 'Control identifier within the framework, e.g. A.8.8.';
COMMENT ON COLUMN @extschema@.control_status.control_ref IS 'framework:control, the reference compmap functions take.';
COMMENT ON COLUMN @extschema@.control_status.sort_key IS 'Order of the control in its framework, for sorting reports.';

COMMENT ON COLUMN @extschema@.current_attestation.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.current_attestation.framework IS 'Framework of the attested control.';
COMMENT ON COLUMN @extschema@.current_attestation.control IS 'Attested control.';
COMMENT ON COLUMN @extschema@.current_attestation.attestation_id IS 'The latest attestation of the control.';
COMMENT ON COLUMN @extschema@.current_attestation.attested_by IS 'Who attested.';
COMMENT ON COLUMN @extschema@.current_attestation.statement IS 'What was attested.';
COMMENT ON COLUMN @extschema@.current_attestation.evidence_ref IS 'Where the evidence is.';
COMMENT ON COLUMN @extschema@.current_attestation.valid_from IS 'First day the attestation holds.';
COMMENT ON COLUMN @extschema@.current_attestation.valid_until IS 'Last day the attestation holds.';
COMMENT ON COLUMN @extschema@.current_attestation.attested_at IS 'When it was recorded.';
COMMENT ON COLUMN @extschema@.current_attestation.valid IS 'Whether it holds today.';

COMMENT ON COLUMN @extschema@.finding_controls.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.finding_controls.finding_id IS 'Finding.';
COMMENT ON COLUMN @extschema@.finding_controls.framework IS 'Framework of the control the finding touches.';
COMMENT ON COLUMN @extschema@.finding_controls.control IS 'Control the finding touches.';
COMMENT ON COLUMN @extschema@.finding_controls.relationships IS 'Possible NIST IR 8477 relationships between the finding''s weakness and the control (a set when composed through the crosswalk).';
COMMENT ON COLUMN @extschema@.finding_controls.hops IS '0: a mapping rule targets the control; 1: reached through one crosswalk edge.';
COMMENT ON COLUMN @extschema@.finding_controls.path IS 'The rule and the controls on the way, in order.';
COMMENT ON COLUMN @extschema@.finding_controls.fail_propagates IS 'Whether the open finding counts against the control (only along equal and subset).';
COMMENT ON COLUMN @extschema@.finding_controls.rule_kind IS 'What matched: cwe, rule_family (the scanner), category or fallback.';
COMMENT ON COLUMN @extschema@.finding_controls.rule_key IS 'The matched value, e.g. CWE-89, trivy, secret.';
COMMENT ON COLUMN @extschema@.finding_controls.source IS 'Source of the mapping rule.';
COMMENT ON COLUMN @extschema@.finding_controls.reviewed IS 'Whether a person reviewed the rule.';

COMMENT ON COLUMN @extschema@.finding_history.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.finding_history.finding_id IS 'Finding.';
COMMENT ON COLUMN @extschema@.finding_history.seq IS 'Position of the event in the finding''s own chain in the evidence log, from 1.';
COMMENT ON COLUMN @extschema@.finding_history.event_type IS 'finding.created, finding.status_changed, finding.updated, finding.not_seen, ...';
COMMENT ON COLUMN @extschema@.finding_history.actor IS 'Who caused the event.';
COMMENT ON COLUMN @extschema@.finding_history.occurred_at IS 'When it happened.';
COMMENT ON COLUMN @extschema@.finding_history.recorded_at IS 'When compmap logged it.';
COMMENT ON COLUMN @extschema@.finding_history.from_status IS 'Status before a status change.';
COMMENT ON COLUMN @extschema@.finding_history.to_status IS 'Status after a status change.';
COMMENT ON COLUMN @extschema@.finding_history.payload IS 'The event''s details as logged.';
COMMENT ON COLUMN @extschema@.finding_history.leaf_index IS 'Position of the event in the tenant''s evidence log (for proofs).';

COMMENT ON COLUMN @extschema@.finding_sla.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.finding_sla.finding_id IS 'Finding.';
COMMENT ON COLUMN @extschema@.finding_sla.title IS 'Finding title.';
COMMENT ON COLUMN @extschema@.finding_sla.severity IS 'critical, high, medium, low or none.';
COMMENT ON COLUMN @extschema@.finding_sla.status IS 'Lifecycle state.';
COMMENT ON COLUMN @extschema@.finding_sla.first_seen IS 'When the finding was first seen.';
COMMENT ON COLUMN @extschema@.finding_sla.due_date IS 'SLA due date.';
COMMENT ON COLUMN @extschema@.finding_sla.sla_state IS 'on_track, due_soon (within 7 days), overdue, closed or risk_accepted.';
COMMENT ON COLUMN @extschema@.finding_sla.days_left IS 'Days until the due date (negative: overdue); NULL when closed.';

COMMENT ON COLUMN @extschema@.framework_score.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.framework_score.framework IS 'Framework code.';
COMMENT ON COLUMN @extschema@.framework_score.framework_name IS 'Framework name.';
COMMENT ON COLUMN @extschema@.framework_score.passed IS 'Controls passed: automated, freshly scanned, no open finding.';
COMMENT ON COLUMN @extschema@.framework_score.attested IS 'Controls with a valid attestation (directly or through equal/superset mappings).';
COMMENT ON COLUMN @extschema@.framework_score.partially_evidenced IS 'Controls with some evidence that cannot show all of them.';
COMMENT ON COLUMN @extschema@.framework_score.failed IS 'Controls an open finding counts against.';
COMMENT ON COLUMN @extschema@.framework_score.attestation_expired IS 'Controls whose attestation has lapsed.';
COMMENT ON COLUMN @extschema@.framework_score.not_assessed IS 'Controls nothing speaks to; they count against the score.';
COMMENT ON COLUMN @extschema@.framework_score.not_applicable IS 'Controls excluded in the Statement of Applicability.';

COMMENT ON COLUMN @extschema@.open_findings_by_severity.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.open_findings_by_severity.severity IS 'critical, high, medium, low or none.';
COMMENT ON COLUMN @extschema@.open_findings_by_severity.open_findings IS 'Open findings of this severity.';
COMMENT ON COLUMN @extschema@.open_findings_by_severity.younger_than_7_days IS 'Of those, first seen less than 7 days ago.';
COMMENT ON COLUMN @extschema@.open_findings_by_severity.from_7_to_30_days IS 'Of those, first seen 7 to 30 days ago.';
COMMENT ON COLUMN @extschema@.open_findings_by_severity.from_30_to_90_days IS 'Of those, first seen 30 to 90 days ago.';
COMMENT ON COLUMN @extschema@.open_findings_by_severity.older_than_90_days IS 'Of those, first seen more than 90 days ago.';
COMMENT ON COLUMN @extschema@.open_findings_by_severity.past_due IS 'Of those, past their SLA due date.';

COMMENT ON COLUMN @extschema@.score_trend.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.score_trend.framework IS 'Framework code.';
COMMENT ON COLUMN @extschema@.score_trend.snapshot_date IS 'Day of the snapshot.';
COMMENT ON COLUMN @extschema@.score_trend.score IS '(passed + attested) / applicable on that day.';
COMMENT ON COLUMN @extschema@.score_trend.coverage IS 'Share of applicable controls with any evidence on that day.';
COMMENT ON COLUMN @extschema@.score_trend.failed IS 'Failed controls on that day.';
COMMENT ON COLUMN @extschema@.score_trend.open_findings IS 'Open findings of the tenant on that day.';
COMMENT ON COLUMN @extschema@.score_trend.score_change IS 'Change of the score since the previous snapshot.';

COMMENT ON COLUMN @extschema@.sla_overdue.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.sla_overdue.finding_id IS 'Finding.';
COMMENT ON COLUMN @extschema@.sla_overdue.title IS 'Finding title.';
COMMENT ON COLUMN @extschema@.sla_overdue.severity IS 'critical, high, medium, low or none.';
COMMENT ON COLUMN @extschema@.sla_overdue.status IS 'Lifecycle state (always an open one here).';
COMMENT ON COLUMN @extschema@.sla_overdue.assignee IS 'Who is to fix it.';
COMMENT ON COLUMN @extschema@.sla_overdue.due_date IS 'SLA due date.';
COMMENT ON COLUMN @extschema@.sla_overdue.days_over IS 'Days past the due date.';

COMMENT ON COLUMN @extschema@.statement_of_applicability.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.annex_a_control IS 'ISO/IEC 27001:2022 Annex A control, e.g. A.5.1.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.title IS 'Short title (compmap''s own words; ISO text is copyrighted).';
COMMENT ON COLUMN @extschema@.statement_of_applicability.theme IS 'Annex A theme: organizational, people, physical or technological.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.applicability IS 'included, excluded or undecided.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.justification IS 'Why the control is included or excluded (clause 6.1.3 d).';
COMMENT ON COLUMN @extschema@.statement_of_applicability.decided_by IS 'Who decided.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.decided_on IS 'When.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.implementation IS 'The control''s outcome (compmap.control_status).';
COMMENT ON COLUMN @extschema@.statement_of_applicability.evidence_refs IS 'Evidence reference of the current attestation, with attester and validity.';
COMMENT ON COLUMN @extschema@.statement_of_applicability.failing_findings IS 'Open findings that count against the control.';

COMMENT ON COLUMN @extschema@.time_to_fix.tenant_id IS 'Tenant.';
COMMENT ON COLUMN @extschema@.time_to_fix.severity IS 'critical, high, medium, low or none.';
COMMENT ON COLUMN @extschema@.time_to_fix.verified_findings IS 'Findings confirmed fixed.';
COMMENT ON COLUMN @extschema@.time_to_fix.mean_days IS 'Mean days from first seen to verified.';
COMMENT ON COLUMN @extschema@.time_to_fix.median_days IS 'Median days from first seen to verified.';
COMMENT ON COLUMN @extschema@.time_to_fix.verified_late IS 'Findings verified after their due date.';
