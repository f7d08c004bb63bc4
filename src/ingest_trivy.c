/*-------------------------------------------------------------------------
 *
 * ingest_trivy.c
 *	  compmap.map_trivy(jsonb): a Trivy JSON report (SchemaVersion 2) as
 *	  rows of compmap.ingest_record: for each element of Results in order,
 *	  its Vulnerabilities, then its Misconfigurations, then its Secrets.
 *
 * This is the SQL function compmap.map_trivy_reference() (in
 * src/sql/70_ingest.sql) done in one pass over jsonb's binary containers,
 * with the readers and string functions of src/ingest_json.c: every field
 * is looked up in place, and no Result or item is copied.
 * test/scripts/trivy_grype_reference.sh checks that both functions return
 * the same rows for the fixtures and for generated reports; keep the two
 * in step.
 *
 * Fields of an unexpected type are read as the SQL's -> and ->> read them:
 * a Results element or item that is not an object has no fields, a number
 * where text is expected is its JSON text, a Results, Vulnerabilities,
 * CweIDs or References that is not an array counts as empty
 * (ingest_array()).
 *
 * The mapping is a TrivyMapper fed the report's asset, then each Result's
 * Target and items in row order, so that map_trivy_text()
 * (src/ingest_trivy_stream.c) can feed it from the text.
 *
 * Memory: each Result's target lives in a context reset by the next
 * Result; each item's values are built in a context reset after its row
 * went into the tuplestore.  Both are children of the caller's context
 * and deleted at the end.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "compmap.h"
#include "ingest_json.h"

static const char *const class_keys[] = {"Vulnerabilities", "Misconfigurations", "Secrets"};

/* What the report contributes to every row. */
typedef struct TrivyReport
{
	Datum		asset_kind;
	Datum		asset_name;
} TrivyReport;

/* coalesce(V40Vector, V3Vector) of one CVSS source */
static Str
source_vector(const Jv *source)
{
	return coalesce_str(get_text(source, "V40Vector"), get_text(source, "V3Vector"));
}

/*
 * The cvss_vector column of a vulnerability: the vector of the source
 * SeveritySource names, else of nvd, else of the first source by key (ORDER
 * BY e.key: text in the database's default collation) that has one.
 */
static Str
vulnerability_vector(const Jv *item)
{
	Jv			cvss = jv_get(item, "CVSS");
	Jv			src = jv_get_str(&cvss, get_text(item, "SeveritySource"));
	Str			vec = source_vector(&src);
	Str			best_key = NullStr;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	cur;

	if (vec.s != NULL)
		return vec;
	src = jv_get(&cvss, "nvd");
	vec = source_vector(&src);
	if (vec.s != NULL || !jv_is_object(&cvss))
		return vec;

	it = JsonbIteratorInit(cvss.v.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &cur, true)) != WJB_DONE)
	{
		Str			key;
		Jv			value;
		Str			v;

		if (tok != WJB_KEY)
			continue;
		key.s = cur.val.string.val;
		key.len = cur.val.string.len;
		tok = JsonbIteratorNext(&it, &cur, true);
		Assert(tok == WJB_VALUE);
		value.present = true;
		value.v = cur;
		v = source_vector(&value);
		if (v.s == NULL)
			continue;
		if (best_key.s == NULL ||
			varstr_cmp(key.s, key.len, best_key.s, best_key.len, DEFAULT_COLLATION_OID) < 0)
		{
			best_key = key;
			vec = v;
		}
	}
	return vec;
}

/*
 * upper(coalesce(Status, 'FAIL')) = 'PASS'.  ASCII text is compared
 * without regard to case (no locale maps an ASCII letter to another of P,
 * A, S); other text goes through upper(), where locales may map other
 * characters to these letters.
 */
static bool
status_is_pass(Str status)
{
	bool		ascii = true;
	text	   *up;

	if (status.s == NULL)
		return false;
	for (int i = 0; i < status.len; i++)
		if ((unsigned char) status.s[i] >= 0x80)
			ascii = false;
	if (ascii)
		return status.len == 4 && pg_strncasecmp(status.s, "pass", 4) == 0;
	up = DatumGetTextPP(DirectFunctionCall1Coll(upper, DEFAULT_COLLATION_OID, str_datum(status)));
	return VARSIZE_ANY_EXHDR(up) == 4 && memcmp(VARDATA_ANY(up), "PASS", 4) == 0;
}

/* coalesce(prefix || value, ''): the suffix the SQL appends when present */
static Str
opt_suffix(const char *prefix, Str value)
{
	return value.s != NULL ? str_cat2(cstr(prefix), value) : cstr("");
}

/* reference_urls: PrimaryURL, then References, for every class */
static Datum
reference_urls(IngestState *st, const Jv *item)
{
	StrList		texts = {0},
				urls = {0};
	Jv			refs = jv_get(item, "References");

	strlist_add(&texts, get_text(item, "PrimaryURL"));
	array_texts(array_or_null(&refs), &texts);
	for (int i = 0; i < texts.n; i++)
		ingest_find_urls(st, texts.items[i].str, &urls);
	return ingest_url_array(&urls);
}

static void
map_vulnerability(IngestState *st, Str target, const Jv *item, Datum *values, bool *nulls)
{
	Str			vid = get_text(item, "VulnerabilityID");
	Str			pkg_name = get_text(item, "PkgName");
	Str			installed = get_text(item, "InstalledVersion");
	Str			pkg_path = get_text(item, "PkgPath");
	Str			title = ingest_title_of(st, get_text(item, "Title"));
	Str			package;
	StrList		cves = {0};
	Int64List	cwes = {0};
	Jv			cwe_ids = jv_get(item, "CweIDs");

	set_text(values, nulls, COL_RULE_ID, vid);
	{
		Str			parts[5] = {
			coalesce_str(vid, cstr("vulnerability")), cstr(" in "),
			coalesce_str(pkg_name, cstr("?")), opt_suffix(" ", installed),
			opt_suffix(": ", title)
		};

		values[COL_TITLE] = str_datum(str_cat(5, parts));
	}
	set_text(values, nulls, COL_CVSS_VECTOR, vulnerability_vector(item));

	ingest_find_cves(vid, &cves);
	values[COL_CVE_IDS] = ingest_cve_array(&cves);
	{
		StrList		texts = {0};

		array_texts(array_or_null(&cwe_ids), &texts);
		for (int i = 0; i < texts.n; i++)
			int64list_add(&cwes, ingest_cwe_number(texts.items[i].str));
		values[COL_CWE_IDS] = ingest_cwe_array(&cwes);
	}

	/* target || coalesce(' ' || PkgPath, '') */
	set_text(values, nulls, COL_LOCATION, str_cat2(target, opt_suffix(" ", pkg_path)));

	/* coalesce(PkgID, PkgName || '@' || InstalledVersion) */
	package = coalesce_str(get_text(item, "PkgID"), str_cat2(str_cat2(pkg_name, cstr("@")), installed));
	{
		Str			parts[3] = {
			get_text(item, "Description"),
			str_cat2(cstr("Package: "), package),
			str_cat2(cstr("Fixed in: "), get_text(item, "FixedVersion"))
		};

		values[COL_DESCRIPTION] = str_datum(str_concat_ws("\n\n", 3, parts));
	}
	values[COL_REFERENCE_URLS] = reference_urls(st, item);
	set_text(values, nulls, COL_FP_LOCATION, target);
	{
		static const char *const keys[] = {"package", "path"};
		Str			vals[2] = {package, pkg_path};

		values[COL_FP_EXTRA] = ingest_text_object(2, keys, vals);
	}
	values[COL_SKIP] = BoolGetDatum(false);
}

static void
map_misconfiguration(IngestState *st, Str target, const Jv *item, Datum *values, bool *nulls)
{
	Str			id = get_text(item, "ID");
	Jv			cause = jv_get(item, "CauseMetadata");

	set_text(values, nulls, COL_RULE_ID, coalesce_str(get_text(item, "AVDID"), id));
	values[COL_TITLE] = str_datum(coalesce_str(coalesce_str(ingest_title_of(st, get_text(item, "Title")), id),
											   cstr("misconfiguration")));
	nulls[COL_CVSS_VECTOR] = true;
	values[COL_CVE_IDS] = PointerGetDatum(construct_empty_array(TEXTOID));
	values[COL_CWE_IDS] = PointerGetDatum(construct_empty_array(TEXTOID));
	set_text(values, nulls, COL_LOCATION,
			 str_cat2(target, opt_suffix(":", get_text(&cause, "StartLine"))));
	{
		Str			parts[3] = {
			get_text(item, "Description"),
			get_text(item, "Message"),
			str_cat2(cstr("Resolution: "), get_text(item, "Resolution"))
		};

		values[COL_DESCRIPTION] = str_datum(str_concat_ws("\n\n", 3, parts));
	}
	values[COL_REFERENCE_URLS] = reference_urls(st, item);
	set_text(values, nulls, COL_FP_LOCATION, target);
	{
		static const char *const keys[] = {"resource"};
		Str			vals[1] = {get_text(&cause, "Resource")};

		values[COL_FP_EXTRA] = ingest_text_object(1, keys, vals);
	}
	values[COL_SKIP] = BoolGetDatum(status_is_pass(get_text(item, "Status")));
}

static void
map_secret(IngestState *st, Str target, const Jv *item, Datum *values, bool *nulls)
{
	Str			rule = get_text(item, "RuleID");
	Str			category = get_text(item, "Category");
	Str			location;

	set_text(values, nulls, COL_RULE_ID, rule);
	values[COL_TITLE] = str_datum(coalesce_str(coalesce_str(ingest_title_of(st, get_text(item, "Title")), rule),
											   cstr("secret")));
	nulls[COL_CVSS_VECTOR] = true;
	values[COL_CVE_IDS] = PointerGetDatum(construct_empty_array(TEXTOID));
	values[COL_CWE_IDS] = PointerGetDatum(construct_empty_array(TEXTOID));
	location = str_cat2(target, opt_suffix(":", get_text(item, "StartLine")));
	set_text(values, nulls, COL_LOCATION, location);
	{
		/* 'Secret of category ' || Category || ' (rule ' || RuleID || ')' */
		Str			d = str_cat2(str_cat2(str_cat2(str_cat2(cstr("Secret of category "), category), cstr(" (rule ")), rule), cstr(")"));

		values[COL_DESCRIPTION] = str_datum(str_concat_ws("\n\n", 1, &d));
	}
	values[COL_REFERENCE_URLS] = reference_urls(st, item);
	set_text(values, nulls, COL_FP_LOCATION, location);
	{
		static const char *const keys[] = {"category"};

		values[COL_FP_EXTRA] = ingest_text_object(1, keys, &category);
	}
	values[COL_SKIP] = BoolGetDatum(false);
}

/* The asset of every row: ArtifactType as a kind, ArtifactName or unnamed. */
static void
read_report(TrivyReport *report, const Jv *artifact_type, const Jv *artifact_name)
{
	Str			type = jv_text(artifact_type);
	Str			name = jv_text(artifact_name);
	const char *kind;

	if (str_eq(type, "container_image"))
		kind = "image";
	else if (str_eq(type, "repository"))
		kind = "repository";
	else if (str_eq(type, "vm"))
		kind = "host";
	else if (str_eq(type, "filesystem") || str_eq(type, "rootfs"))
		kind = "file";
	else
		kind = "other";
	report->asset_kind = CStringGetTextDatum(kind);
	if (name.s == NULL || name.len == 0)
		name = cstr("unnamed");
	report->asset_name = str_datum(name);
}

static inline Jv
jv_of(const JsonbValue *v)
{
	Jv			r;

	r.present = v != NULL;
	if (v != NULL)
		r.v = *v;
	return r;
}

/*
 * A mapper that puts its rows into the tuplestore of rsinfo (set up by
 * InitMaterializedSRF), fed report, Result and item at a time so that a
 * reader of the text can drive it as well as map_trivy(jsonb) does.  Its
 * memory is a child of the current context.
 */
struct TrivyMapper
{
	ReturnSetInfo *rsinfo;
	IngestState st;
	TrivyReport report;
	Str			target;			/* of the Result being mapped */
	MemoryContext report_cxt;	/* the report's asset */
	MemoryContext result_cxt;	/* the Result's target */
	MemoryContext row_cxt;		/* one item */
};

TrivyMapper *
trivy_mapper_create(ReturnSetInfo *rsinfo)
{
	TrivyMapper *m = palloc0(sizeof(TrivyMapper));

	m->rsinfo = rsinfo;
	ingest_state_init(&m->st);
	m->report_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_trivy report",
										  ALLOCSET_SMALL_SIZES);
	m->result_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_trivy result",
										  ALLOCSET_DEFAULT_SIZES);
	m->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_trivy item",
									   ALLOCSET_DEFAULT_SIZES);
	return m;
}

/* The report's ArtifactType and ArtifactName members (NULL when missing). */
void
trivy_mapper_set_report(TrivyMapper *m, const JsonbValue *artifact_type,
						const JsonbValue *artifact_name)
{
	Jv			t = jv_of(artifact_type),
				n = jv_of(artifact_name);
	MemoryContext old;

	MemoryContextReset(m->report_cxt);
	old = MemoryContextSwitchTo(m->report_cxt);
	read_report(&m->report, &t, &n);
	MemoryContextSwitchTo(old);
}

/* Starts a Result from its Target member (NULL when missing). */
void
trivy_mapper_start_result(TrivyMapper *m, const JsonbValue *target)
{
	Jv			t = jv_of(target);
	MemoryContext old;

	CHECK_FOR_INTERRUPTS();
	MemoryContextReset(m->result_cxt);
	old = MemoryContextSwitchTo(m->result_cxt);
	m->target = jv_text(&t);
	MemoryContextSwitchTo(old);
}

/* One element of the Result's Vulnerabilities, Misconfigurations or Secrets */
void
trivy_mapper_put_item(TrivyMapper *m, TrivyClass class, const JsonbValue *value)
{
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Jv			item = jv_of(value);
	MemoryContext old;

	CHECK_FOR_INTERRUPTS();
	old = MemoryContextSwitchTo(m->row_cxt);
	memset(nulls, 0, sizeof(nulls));
	values[COL_SCANNER] = CStringGetTextDatum("trivy");
	set_text(values, nulls, COL_SCANNER_SEVERITY, get_text(&item, "Severity"));
	values[COL_ASSET_KIND] = m->report.asset_kind;
	values[COL_ASSET_NAME] = m->report.asset_name;
	if (class == TRIVY_VULNERABILITY)
		map_vulnerability(&m->st, m->target, &item, values, nulls);
	else if (class == TRIVY_MISCONFIGURATION)
		map_misconfiguration(&m->st, m->target, &item, values, nulls);
	else
		map_secret(&m->st, m->target, &item, values, nulls);
	tuplestore_putvalues(m->rsinfo->setResult, m->rsinfo->setDesc, values, nulls);
	MemoryContextSwitchTo(old);
	MemoryContextReset(m->row_cxt);
}

/* Drops the rows put so far (the report's Results member turned out to repeat). */
void
trivy_mapper_discard_rows(TrivyMapper *m)
{
	tuplestore_clear(m->rsinfo->setResult);
}

void
trivy_mapper_destroy(TrivyMapper *m)
{
	MemoryContextDelete(m->row_cxt);
	MemoryContextDelete(m->result_cxt);
	MemoryContextDelete(m->report_cxt);
	pfree(m);
}

/*
 * compmap.map_trivy(document jsonb) RETURNS SETOF compmap.ingest_record
 */
PG_FUNCTION_INFO_V1(compmap_map_trivy);
Datum
compmap_map_trivy(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TrivyMapper *m;
	Jv			root,
				results,
				type,
				name;
	JsonbContainer *rc;
	uint32		nresults;

	InitMaterializedSRF(fcinfo, 0);

	/* document -> 'Results' is NULL unless the document is an object */
	if (!JB_ROOT_IS_OBJECT(doc))
		return (Datum) 0;
	root.present = true;
	root.v.type = jbvBinary;
	root.v.val.binary.data = &doc->root;
	root.v.val.binary.len = VARSIZE(doc) - VARHDRSZ;
	results = jv_get(&root, "Results");
	rc = array_or_null(&results);
	if (rc == NULL)
		return (Datum) 0;

	m = trivy_mapper_create(rsinfo);
	type = jv_get(&root, "ArtifactType");
	name = jv_get(&root, "ArtifactName");
	trivy_mapper_set_report(m, type.present ? &type.v : NULL, name.present ? &name.v : NULL);

	nresults = JsonContainerSize(rc);
	for (uint32 r = 0; r < nresults; r++)
	{
		Jv			result = {true, *getIthJsonbValueFromContainer(rc, r)};
		Jv			target = jv_get(&result, "Target");

		trivy_mapper_start_result(m, target.present ? &target.v : NULL);
		for (int class = TRIVY_VULNERABILITY; class <= TRIVY_SECRET; class++)
		{
			Jv			items = jv_get(&result, class_keys[class]);
			JsonbContainer *ic = array_or_null(&items);
			uint32		nitems = ic != NULL ? JsonContainerSize(ic) : 0;

			for (uint32 i = 0; i < nitems; i++)
				trivy_mapper_put_item(m, class, getIthJsonbValueFromContainer(ic, i));
		}
	}
	trivy_mapper_destroy(m);
	return (Datum) 0;
}
