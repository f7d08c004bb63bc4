/*-------------------------------------------------------------------------
 *
 * ingest_grype.c
 *	  compmap.map_grype(jsonb): a Grype JSON report as rows of
 *	  compmap.ingest_record, one per element of matches, in order.
 *
 * This is the SQL function compmap.map_grype_reference() (in
 * src/sql/70_ingest.sql) done in one pass over jsonb's binary containers,
 * with the readers and string functions of src/ingest_json.c: every field
 * is looked up in place, and no match is copied.
 * test/scripts/trivy_grype_reference.sh checks that both functions return
 * the same rows for the fixtures and for generated reports; keep the two
 * in step.
 *
 * Fields of an unexpected type are read as the SQL's -> and ->> read them.
 * matches itself is read by jsonb_array_elements(), not ingest_array(): a
 * report without it has no rows, and one whose matches is not an array
 * fails with jsonb_array_elements()'s error.
 *
 * The mapping is a GrypeMapper fed the source, then each match, so that
 * map_grype_text() (src/ingest_grype_stream.c) can feed it from the text.
 *
 * Memory: each match's values are built in a context reset after its row
 * went into the tuplestore, a child of the caller's context deleted at the
 * end.
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

/* The best CVSS vector so far: ORDER BY version DESC (NULLS FIRST), n. */
typedef struct BestVector
{
	bool		found;
	Str			vector;
	Str			version;
} BestVector;

/* coalesce(prefix || value || suffix, '') */
static Str
opt_part(const char *prefix, Str value, const char *suffix)
{
	return value.s != NULL ? str_cat2(str_cat2(cstr(prefix), value), cstr(suffix)) : cstr("");
}

/*
 * One candidate of the cvss_vector column, in the order of the SQL's
 * ordinality: kept when its vector starts with CVSS: (LIKE 'CVSS:%', a
 * byte prefix), and it comes first by version descending, a NULL version
 * first of all (DESC puts NULLs first), the earlier one among equals.
 */
static void
vector_candidate(BestVector *best, const Jv *c)
{
	Str			vec = get_text(c, "vector");
	Str			ver;

	if (vec.s == NULL || vec.len < 5 || memcmp(vec.s, "CVSS:", 5) != 0)
		return;
	ver = get_text(c, "version");
	if (best->found)
	{
		if (best->version.s == NULL)
			return;
		if (ver.s != NULL &&
			varstr_cmp(ver.s, ver.len, best->version.s, best->version.len,
					   DEFAULT_COLLATION_OID) <= 0)
			return;
	}
	best->found = true;
	best->vector = vec;
	best->version = ver;
}

static void
vector_candidates(BestVector *best, const Jv *cvss)
{
	JsonbContainer *c = array_or_null(cvss);
	uint32		n = c != NULL ? JsonContainerSize(c) : 0;

	for (uint32 i = 0; i < n; i++)
	{
		Jv			e = {true, *getIthJsonbValueFromContainer(c, i)};

		vector_candidate(best, &e);
	}
}

static void
map_match(IngestState *st, const Jv *m, Datum *values, bool *nulls)
{
	Jv			v = jv_get(m, "vulnerability");
	Jv			a = jv_get(m, "artifact");
	Jv			related = jv_get(m, "relatedVulnerabilities");
	JsonbContainer *rc = array_or_null(&related);
	uint32		nrelated = rc != NULL ? JsonContainerSize(rc) : 0;
	Str			id = get_text(&v, "id");
	Str			name = get_text(&a, "name");
	Str			version = get_text(&a, "version");
	Str			type = get_text(&a, "type");
	Str			purl = get_text(&a, "purl");
	Str			path;
	Jv			locations,
				loc0;
	BestVector	best = {false};
	StrList		cves = {0};
	Str			description;

	values[COL_SCANNER] = CStringGetTextDatum("grype");
	set_text(values, nulls, COL_RULE_ID, id);
	{
		Str			parts[4] = {
			coalesce_str(id, cstr("vulnerability")), cstr(" in "),
			coalesce_str(name, cstr("?")), opt_part(" ", version, "")
		};

		values[COL_TITLE] = str_datum(str_cat(4, parts));
	}
	values[COL_SCANNER_SEVERITY] = str_datum(coalesce_str(get_text(&v, "severity"), cstr("unknown")));

	/* vulnerability.cvss, then the cvss of each related vulnerability */
	{
		Jv			cvss = jv_get(&v, "cvss");

		vector_candidates(&best, &cvss);
	}
	for (uint32 i = 0; i < nrelated; i++)
	{
		Jv			rv = {true, *getIthJsonbValueFromContainer(rc, i)};
		Jv			cvss = jv_get(&rv, "cvss");

		vector_candidates(&best, &cvss);
	}
	set_text(values, nulls, COL_CVSS_VECTOR, best.found ? best.vector : NullStr);

	/* cve_ids: the id, then the ids of the related vulnerabilities */
	ingest_find_cves(id, &cves);
	for (uint32 i = 0; i < nrelated; i++)
	{
		Jv			rv = {true, *getIthJsonbValueFromContainer(rc, i)};

		ingest_find_cves(get_text(&rv, "id"), &cves);
	}
	values[COL_CVE_IDS] = ingest_cve_array(&cves);
	values[COL_CWE_IDS] = PointerGetDatum(construct_empty_array(TEXTOID));

	/* artifact.locations[0].path, else purl, else name */
	locations = jv_get(&a, "locations");
	loc0 = jv_elem(&locations, 0);
	path = get_text(&loc0, "path");
	set_text(values, nulls, COL_LOCATION, coalesce_str(coalesce_str(path, purl), name));

	/* the description, else the first related one that is not NULL */
	description = get_text(&v, "description");
	for (uint32 i = 0; i < nrelated && description.s == NULL; i++)
	{
		Jv			rv = {true, *getIthJsonbValueFromContainer(rc, i)};

		description = get_text(&rv, "description");
	}
	{
		Jv			fix = jv_get(&v, "fix");
		Jv			fix_versions = jv_get(&fix, "versions");
		StrList		fixes = {0};
		Str			parts[3];
		Str		   *joined;
		int			k = 0;

		/* nullif(array_to_string(versions, ', '), ''): NULLs left out */
		array_texts(array_or_null(&fix_versions), &fixes);
		joined = palloc((fixes.n + 1) * sizeof(Str));
		for (int i = 0; i < fixes.n; i++)
			if (fixes.items[i].str.s != NULL)
				joined[k++] = fixes.items[i].str;
		parts[0] = description;
		{
			Str			pkg[4] = {cstr("Package: "), name, opt_part(" ", version, ""),
			opt_part(" (", type, ")")};

			parts[1] = name.s != NULL ? str_cat(4, pkg) : NullStr;
		}
		parts[2] = str_concat_ws(", ", k, joined);
		parts[2] = parts[2].len > 0 ? str_cat2(cstr("Fixed in: "), parts[2]) : NullStr;
		values[COL_DESCRIPTION] = str_datum(str_concat_ws("\n\n", 3, parts));
	}

	/* reference_urls: dataSource, then urls */
	{
		StrList		texts = {0},
					urls = {0};
		Jv			u = jv_get(&v, "urls");

		strlist_add(&texts, get_text(&v, "dataSource"));
		array_texts(array_or_null(&u), &texts);
		for (int i = 0; i < texts.n; i++)
			ingest_find_urls(st, texts.items[i].str, &urls);
		values[COL_REFERENCE_URLS] = ingest_url_array(&urls);
	}
	values[COL_FP_LOCATION] = str_datum(coalesce_str(path, cstr("")));
	{
		static const char *const keys[] = {"package", "version", "type", "purl"};
		Str			vals[4] = {name, version, type, purl};

		values[COL_FP_EXTRA] = ingest_text_object(4, keys, vals);
	}
	values[COL_SKIP] = BoolGetDatum(false);
}

/*
 * The asset of every row: source.type as a kind; source.target.userInput
 * when target is an object, else the target's text trimmed of double
 * quotes; unnamed when that is NULL or empty.
 */
static void
read_source(const Jv *source, Datum *kind, Datum *name)
{
	Jv			target = jv_get(source, "target");
	Str			type = get_text(source, "type");
	Str			n;

	if (str_eq(type, "image"))
		*kind = CStringGetTextDatum("image");
	else if (str_eq(type, "directory") || str_eq(type, "file"))
		*kind = CStringGetTextDatum("file");
	else
		*kind = CStringGetTextDatum("other");
	if (jv_is_object(&target))
		n = get_text(&target, "userInput");
	else
		n = str_btrim(jv_text(&target), "\"");
	if (n.s == NULL || n.len == 0)
		n = cstr("unnamed");
	*name = str_datum(n);
}

/*
 * A mapper that puts its rows into the tuplestore of rsinfo (set up by
 * InitMaterializedSRF), fed the report's source and then one match at a
 * time, by map_grype(jsonb) or by a reader of the text.  Its memory is a
 * child of the current context.
 */
struct GrypeMapper
{
	ReturnSetInfo *rsinfo;
	IngestState st;
	Datum		asset_kind;
	Datum		asset_name;
	MemoryContext source_cxt;	/* the asset */
	MemoryContext row_cxt;		/* one match */
};

GrypeMapper *
grype_mapper_create(ReturnSetInfo *rsinfo)
{
	GrypeMapper *m = palloc0(sizeof(GrypeMapper));

	m->rsinfo = rsinfo;
	ingest_state_init(&m->st);
	m->source_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_grype source",
										  ALLOCSET_SMALL_SIZES);
	m->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_grype match",
									   ALLOCSET_DEFAULT_SIZES);
	return m;
}

/* The report's source member (NULL when missing) */
void
grype_mapper_set_source(GrypeMapper *m, const JsonbValue *source)
{
	Jv			s;
	MemoryContext old;

	s.present = source != NULL;
	if (source != NULL)
		s.v = *source;
	MemoryContextReset(m->source_cxt);
	old = MemoryContextSwitchTo(m->source_cxt);
	read_source(&s, &m->asset_kind, &m->asset_name);
	MemoryContextSwitchTo(old);
}

/* One element of matches */
void
grype_mapper_put_match(GrypeMapper *m, const JsonbValue *match)
{
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Jv			j = {true, *match};
	MemoryContext old;

	CHECK_FOR_INTERRUPTS();
	old = MemoryContextSwitchTo(m->row_cxt);
	memset(nulls, 0, sizeof(nulls));
	map_match(&m->st, &j, values, nulls);
	values[COL_ASSET_KIND] = m->asset_kind;
	values[COL_ASSET_NAME] = m->asset_name;
	tuplestore_putvalues(m->rsinfo->setResult, m->rsinfo->setDesc, values, nulls);
	MemoryContextSwitchTo(old);
	MemoryContextReset(m->row_cxt);
}

/* Drops the rows put so far (the report's matches member turned out to repeat). */
void
grype_mapper_discard_rows(GrypeMapper *m)
{
	tuplestore_clear(m->rsinfo->setResult);
}

void
grype_mapper_destroy(GrypeMapper *m)
{
	MemoryContextDelete(m->row_cxt);
	MemoryContextDelete(m->source_cxt);
	pfree(m);
}

/* map_grype's error for a matches member that is not an array */
void
grype_check_matches_array(bool is_container)
{
	/* as jsonb_array_elements(document->'matches') fails */
	if (!is_container)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot extract elements from a scalar")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot extract elements from an object")));
}

/*
 * compmap.map_grype(document jsonb) RETURNS SETOF compmap.ingest_record
 */
PG_FUNCTION_INFO_V1(compmap_map_grype);
Datum
compmap_map_grype(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GrypeMapper *m;
	Jv			root,
				matches,
				source;
	JsonbContainer *mc;
	uint32		nmatches;

	InitMaterializedSRF(fcinfo, 0);

	/* document -> 'matches' is NULL unless the document is an object */
	if (!JB_ROOT_IS_OBJECT(doc))
		return (Datum) 0;
	root.present = true;
	root.v.type = jbvBinary;
	root.v.val.binary.data = &doc->root;
	root.v.val.binary.len = VARSIZE(doc) - VARHDRSZ;
	matches = jv_get(&root, "matches");
	if (!matches.present)
		return (Datum) 0;
	if (matches.v.type != jbvBinary || !JsonContainerIsArray(matches.v.val.binary.data))
		grype_check_matches_array(matches.v.type == jbvBinary);
	mc = matches.v.val.binary.data;

	m = grype_mapper_create(rsinfo);
	source = jv_get(&root, "source");
	grype_mapper_set_source(m, source.present ? &source.v : NULL);
	nmatches = JsonContainerSize(mc);
	for (uint32 i = 0; i < nmatches; i++)
		grype_mapper_put_match(m, getIthJsonbValueFromContainer(mc, i));
	grype_mapper_destroy(m);
	return (Datum) 0;
}
