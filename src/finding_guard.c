/*-------------------------------------------------------------------------
 *
 * finding_guard.c
 *	  The BEFORE INSERT and BEFORE UPDATE row triggers of compmap.finding:
 *	  a new finding starts in status new, with its severity and SLA due date
 *	  set; an update that only records a sighting passes straight through,
 *	  every other update goes to the PL/pgSQL guard.
 *
 * The rules for real changes (the transition graph, the data some states
 * need, the evidence entries of every change) stay in PL/pgSQL,
 * compmap.finding_guard() in src/sql/60_findings.sql.  These two are C
 * because ingest creates or re-sights tens of thousands of findings per
 * statement, and a PL/pgSQL trigger call per row (building the NEW and OLD
 * records and forming the tuple again) cost more than the rest of what the
 * row needs.
 *
 * finding_guard_update: when NEW differs from OLD only in the sighting
 * columns (last_seen and the ingest scope columns source_label,
 * last_scan_id, last_scanned_at, not_seen_since, not_seen_scan_id) there is
 * nothing to check or log, and NEW is returned as it is.  Columns are
 * compared by their stored bytes: a value that is equal but stored
 * differently (a toasted copy, numeric 1.0 against 1.00) counts as a change
 * and takes the PL/pgSQL path, which finds nothing to do; the fast path
 * never skips a real change.
 *
 * finding_guard_insert, row by row:
 *
 *	  severity			 coalesce(compmap.cvss_severity(cvss),
 *						 normalize_severity(scanner_severity), 'none')
 *	  status			 must be new (22023 otherwise)
 *	  status_changed_at  first_seen
 *	  due_date			 kept when given (ingest gives it), else first_seen +
 *						 compmap.sla_days(tenant_id, severity) days, as a
 *						 date in the session's time zone
 *
 * The severity words are compmap.normalize_severity()'s, written out once
 * more (test/pgtap/severity_copies.sql inserts a finding per word and checks
 * that this copy agrees).  lower() and btrim() are the SQL functions, so
 * case folding follows the database's collation as it does in SQL.
 *
 * The function carries SET search_path like every compmap function; the
 * only SQL it runs (the SLA lookup, when no due date is given) names every
 * object with its schema.
 *
 * Errors raised:
 *	  22023 (invalid_parameter_value)	a new finding in a status other
 *										than new
 *	  39P01 (trigger_protocol_violated) not called as a BEFORE INSERT row
 *										trigger on a table with the
 *										finding columns
 *
 * IDENTIFICATION
 *	  src/finding_guard.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "parser/parse_func.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "compmap.h"

/* The columns the trigger reads or sets, by name. */
enum
{
	FG_TENANT_ID,
	FG_CVSS,
	FG_SCANNER_SEVERITY,
	FG_SEVERITY,
	FG_FIRST_SEEN,
	FG_STATUS,
	FG_STATUS_CHANGED_AT,
	FG_DUE_DATE,
	FG_NCOLS
};

static const char *const fg_column_names[FG_NCOLS] = {
	"tenant_id", "cvss", "scanner_severity", "severity", "first_seen",
	"status", "status_changed_at", "due_date"
};

/* Attribute numbers for the last relation seen; looked up once per relation. */
static Oid	fg_cached_relid = InvalidOid;
static int	fg_cached_natts = 0;
static int	fg_attnum[FG_NCOLS];

/* compmap.normalize_severity()'s words, after lower(btrim()). */
static const struct
{
	const char *word;
	const char *severity;
}			fg_severity_words[] = {
	{"critical", "critical"}, {"very high", "critical"}, {"urgent", "critical"},
	{"high", "high"}, {"important", "high"}, {"error", "high"},
	{"medium", "medium"}, {"moderate", "medium"}, {"warning", "medium"},
	{"low", "low"}, {"minor", "low"}, {"note", "low"},
	{"info", "none"}, {"informational", "none"}, {"none", "none"}, {"log", "none"},
	{"negligible", "none"}, {"unknown", "none"}
};

static SPIPlanPtr fg_due_plan = NULL;

static void
fg_lookup_columns(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (RelationGetRelid(rel) == fg_cached_relid && desc->natts == fg_cached_natts)
		return;
	for (int i = 0; i < FG_NCOLS; i++)
	{
		fg_attnum[i] = SPI_fnumber(desc, fg_column_names[i]);
		if (fg_attnum[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("finding_guard_insert: relation \"%s\" has no column \"%s\"",
							RelationGetRelationName(rel), fg_column_names[i])));
	}
	fg_cached_relid = RelationGetRelid(rel);
	fg_cached_natts = desc->natts;
}

/* normalize_severity(): the severity of a scanner's word, or NULL. */
static const char *
fg_normalize_severity(Datum scanner_severity)
{
	Datum		folded;
	char	   *word;

	folded = DirectFunctionCall1Coll(lower, DEFAULT_COLLATION_OID,
									 DirectFunctionCall1(btrim1, scanner_severity));
	word = TextDatumGetCString(folded);
	for (size_t i = 0; i < lengthof(fg_severity_words); i++)
		if (strcmp(word, fg_severity_words[i].word) == 0)
			return fg_severity_words[i].severity;
	return NULL;
}

/* first_seen + sla_days(tenant, severity) days, as a date. */
static Datum
fg_due_date(Datum tenant, Datum first_seen, const char *severity)
{
	Datum		args[3];
	bool		isnull;
	Datum		result;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "finding_guard_insert: SPI_connect failed");
	if (fg_due_plan == NULL)
	{
		Oid			types[3] = {UUIDOID, TIMESTAMPTZOID, TEXTOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("SELECT ($2 OPERATOR(pg_catalog.+) pg_catalog.make_interval(days => compmap.sla_days($1, $3)))::pg_catalog.date",
						   3, types);
		if (plan == NULL)
			elog(ERROR, "finding_guard_insert: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "finding_guard_insert: SPI_keepplan failed");
		fg_due_plan = plan;
	}
	args[0] = tenant;
	args[1] = first_seen;
	args[2] = CStringGetTextDatum(severity);
	if (SPI_execute_plan(fg_due_plan, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "finding_guard_insert: SLA lookup failed");
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "finding_guard_insert: SLA lookup returned no date");
	/* date is pass-by-value: nothing to copy out of SPI's memory */
	SPI_finish();
	return result;
}

PG_FUNCTION_INFO_V1(compmap_finding_guard_insert);

/* compmap.finding_guard_insert() RETURNS trigger */
Datum
compmap_finding_guard_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	HeapTuple	tuple;
	Datum		values[FG_NCOLS];
	bool		isnull[FG_NCOLS];
	Datum		repl_values[3];
	bool		repl_nulls[3] = {false, false, false};
	int			repl_cols[3];
	int			nrepl = 0;
	const char *severity = NULL;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("finding_guard_insert must run as a BEFORE INSERT row trigger")));

	rel = trigdata->tg_relation;
	tuple = trigdata->tg_trigtuple;
	fg_lookup_columns(rel);
	for (int i = 0; i < FG_NCOLS; i++)
		values[i] = heap_getattr(tuple, fg_attnum[i], RelationGetDescr(rel), &isnull[i]);

	/*
	 * status is the one-byte finding_status code; 0 is new.  A NULL status
	 * is left to the column's NOT NULL constraint, as in SQL.
	 */
	if (!isnull[FG_STATUS] && DatumGetUInt8(values[FG_STATUS]) != 0)
	{
		Oid			typoutput;
		bool		typisvarlena;

		getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), fg_attnum[FG_STATUS] - 1)->atttypid,
						  &typoutput, &typisvarlena);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a finding starts in status new, not %s",
						OidOutputFunctionCall(typoutput, values[FG_STATUS])),
				 errhint("Create it, then move it with compmap.set_status().")));
	}

	if (!isnull[FG_CVSS])
		severity = TextDatumGetCString(DirectFunctionCall1(compmap_cvss_severity, values[FG_CVSS]));
	if (severity == NULL && !isnull[FG_SCANNER_SEVERITY])
		severity = fg_normalize_severity(values[FG_SCANNER_SEVERITY]);
	if (severity == NULL)
		severity = "none";

	if (isnull[FG_SEVERITY] || strcmp(TextDatumGetCString(values[FG_SEVERITY]), severity) != 0)
	{
		repl_cols[nrepl] = fg_attnum[FG_SEVERITY];
		repl_values[nrepl++] = CStringGetTextDatum(severity);
	}
	if (isnull[FG_STATUS_CHANGED_AT] || isnull[FG_FIRST_SEEN] ||
		DatumGetTimestampTz(values[FG_STATUS_CHANGED_AT]) != DatumGetTimestampTz(values[FG_FIRST_SEEN]))
	{
		repl_cols[nrepl] = fg_attnum[FG_STATUS_CHANGED_AT];
		repl_values[nrepl] = values[FG_FIRST_SEEN];
		repl_nulls[nrepl++] = isnull[FG_FIRST_SEEN];
	}
	if (isnull[FG_DUE_DATE] && !isnull[FG_FIRST_SEEN] && !isnull[FG_TENANT_ID])
	{
		repl_cols[nrepl] = fg_attnum[FG_DUE_DATE];
		repl_values[nrepl++] = fg_due_date(values[FG_TENANT_ID], values[FG_FIRST_SEEN], severity);
	}

	if (nrepl > 0)
		tuple = heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), nrepl, repl_cols, repl_values, repl_nulls);
	return PointerGetDatum(tuple);
}

/* The columns an update may change without the PL/pgSQL guard. */
static const char *const fg_sighting_columns[] = {
	"last_seen", "source_label", "last_scan_id", "last_scanned_at",
	"not_seen_since", "not_seen_scan_id"
};

/* Per relation: which attributes are sighting columns (1-based, natts + 1). */
static Oid	fg_sighting_relid = InvalidOid;
static int	fg_sighting_natts = 0;
static bool *fg_is_sighting = NULL;

static void
fg_lookup_sighting(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (RelationGetRelid(rel) == fg_sighting_relid && desc->natts == fg_sighting_natts)
		return;
	fg_sighting_relid = InvalidOid;
	if (fg_is_sighting)
		pfree(fg_is_sighting);
	fg_is_sighting = MemoryContextAllocZero(TopMemoryContext, sizeof(bool) * (desc->natts + 1));
	for (size_t i = 0; i < lengthof(fg_sighting_columns); i++)
	{
		int			attnum = SPI_fnumber(desc, fg_sighting_columns[i]);

		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
					 errmsg("finding_guard_update: relation \"%s\" has no column \"%s\"",
							RelationGetRelationName(rel), fg_sighting_columns[i])));
		fg_is_sighting[attnum] = true;
	}
	fg_sighting_relid = RelationGetRelid(rel);
	fg_sighting_natts = desc->natts;
}

/* True when the two versions differ only in sighting columns. */
static bool
fg_sighting_only(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Datum	   *oldvals = palloc(sizeof(Datum) * desc->natts);
	Datum	   *newvals = palloc(sizeof(Datum) * desc->natts);
	bool	   *oldnulls = palloc(sizeof(bool) * desc->natts);
	bool	   *newnulls = palloc(sizeof(bool) * desc->natts);
	bool		same = true;

	/* one pass over each tuple: heap_getattr per column is quadratic past the first varlena */
	heap_deform_tuple(oldtup, desc, oldvals, oldnulls);
	heap_deform_tuple(newtup, desc, newvals, newnulls);
	for (int i = 0; i < desc->natts && same; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || fg_is_sighting[i + 1])
			continue;
		if (oldnulls[i] != newnulls[i])
			same = false;
		else if (!oldnulls[i] && !datumIsEqual(oldvals[i], newvals[i], att->attbyval, att->attlen))
			same = false;
	}
	pfree(oldvals);
	pfree(newvals);
	pfree(oldnulls);
	pfree(newnulls);
	return same;
}

PG_FUNCTION_INFO_V1(compmap_finding_guard_update);

/* compmap.finding_guard_update() RETURNS trigger */
Datum
compmap_finding_guard_update(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Oid			guard;
	Oid			argtypes[1];
	FmgrInfo	flinfo;
	LOCAL_FCINFO(guard_fcinfo, 0);
	Datum		result;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("finding_guard_update must run as a BEFORE UPDATE row trigger")));

	fg_lookup_sighting(trigdata->tg_relation);
	if (fg_sighting_only(trigdata->tg_relation, trigdata->tg_trigtuple, trigdata->tg_newtuple))
		return PointerGetDatum(trigdata->tg_newtuple);

	/*
	 * A real change: run compmap.finding_guard() as this trigger, with the
	 * same trigger data.  Looked up by name on every such call (a few
	 * microseconds, next to the PL/pgSQL it runs), so that a replaced
	 * function is never called through a stale OID.
	 */
	guard = LookupFuncName(list_make2(makeString("compmap"), makeString("finding_guard")), 0, argtypes, false);
	fmgr_info(guard, &flinfo);
	InitFunctionCallInfoData(*guard_fcinfo, &flinfo, 0, InvalidOid, (Node *) trigdata, NULL);
	result = FunctionCallInvoke(guard_fcinfo);
	if (guard_fcinfo->isnull)
		elog(ERROR, "compmap.finding_guard() returned NULL");
	return result;
}
