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
 * Memory: each Result's target lives in a context reset after the Result;
 * each item's values are built in a context reset after its row went into
 * the tuplestore.  Both are children of the caller's context and deleted at
 * the end.
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
#include "utils/varlena.h"

#include "compmap.h"
#include "ingest_json.h"

/* The three classes of item, in the order a Result's rows come in. */
typedef enum TrivyClass
{
	TRIVY_VULNERABILITY,
	TRIVY_MISCONFIGURATION,
	TRIVY_SECRET
} TrivyClass;

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
read_report(TrivyReport *report, const Jv *root)
{
	Str			type = get_text(root, "ArtifactType");
	Str			name = get_text(root, "ArtifactName");
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

/*
 * compmap.map_trivy(document jsonb) RETURNS SETOF compmap.ingest_record
 */
PG_FUNCTION_INFO_V1(compmap_map_trivy);
Datum
compmap_map_trivy(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	IngestState st;
	TrivyReport report;
	Jv			root,
				results;
	JsonbContainer *rc;
	uint32		nresults;
	MemoryContext result_cxt,
				row_cxt,
				old;

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

	ingest_state_init(&st);
	read_report(&report, &root);

	result_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_trivy result",
									   ALLOCSET_DEFAULT_SIZES);
	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_trivy item",
									ALLOCSET_DEFAULT_SIZES);
	nresults = JsonContainerSize(rc);
	for (uint32 r = 0; r < nresults; r++)
	{
		Jv			result;
		Str			target;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(result_cxt);
		result.present = true;
		result.v = *getIthJsonbValueFromContainer(rc, r);
		target = get_text(&result, "Target");
		MemoryContextSwitchTo(old);

		for (int class = TRIVY_VULNERABILITY; class <= TRIVY_SECRET; class++)
		{
			Jv			items = jv_get(&result, class_keys[class]);
			JsonbContainer *ic = array_or_null(&items);
			uint32		nitems = ic != NULL ? JsonContainerSize(ic) : 0;

			for (uint32 i = 0; i < nitems; i++)
			{
				Datum		values[NUM_COLS];
				bool		nulls[NUM_COLS];
				Jv			item;

				CHECK_FOR_INTERRUPTS();
				old = MemoryContextSwitchTo(row_cxt);
				memset(nulls, 0, sizeof(nulls));
				item.present = true;
				item.v = *getIthJsonbValueFromContainer(ic, i);
				values[COL_SCANNER] = CStringGetTextDatum("trivy");
				set_text(values, nulls, COL_SCANNER_SEVERITY, get_text(&item, "Severity"));
				values[COL_ASSET_KIND] = report.asset_kind;
				values[COL_ASSET_NAME] = report.asset_name;
				if (class == TRIVY_VULNERABILITY)
					map_vulnerability(&st, target, &item, values, nulls);
				else if (class == TRIVY_MISCONFIGURATION)
					map_misconfiguration(&st, target, &item, values, nulls);
				else
					map_secret(&st, target, &item, values, nulls);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
				MemoryContextSwitchTo(old);
				MemoryContextReset(row_cxt);
			}
		}
		MemoryContextReset(result_cxt);
	}
	MemoryContextDelete(row_cxt);
	MemoryContextDelete(result_cxt);
	return (Datum) 0;
}
