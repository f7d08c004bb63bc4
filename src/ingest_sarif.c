/*-------------------------------------------------------------------------
 *
 * ingest_sarif.c
 *	  compmap.map_sarif(jsonb): a SARIF 2.1.0 log as rows of
 *	  compmap.ingest_record, one per result, runs in order and results in
 *	  order within each run.
 *
 * This is the SQL function compmap.map_sarif_reference() (in
 * src/sql/70_ingest.sql) done in one pass over jsonb's binary containers:
 * every field is looked up in place with getKeyJsonValueFromContainer() and
 * getIthJsonbValueFromContainer(); nothing but the values SQL's ->> would
 * turn into text (numbers, booleans, nested containers) is ever converted,
 * and no run or result is copied.  test/scripts/sarif_reference.sh checks
 * that both functions return the same rows for the fixtures and for
 * generated logs; keep the two in step.
 *
 * The SQL's semantics are kept to the letter, including its treatment of
 * unexpected types: a field is read the way ->, ->> and #> read it (a
 * string where an object is expected yields NULL; ->> of a number, boolean
 * or container yields its JSON text; -> 0 of a scalar yields the scalar).
 * The readers and the generic string functions (title, CVE, CWE and URL
 * extraction) are shared with map_trivy and map_grype in src/ingest_json.c;
 * the SARIF-only regular expressions are hand-written matchers here, each
 * exactly equivalent to its expression (see each one), on bytes as
 * ingest_json.c explains.
 *
 * The mapping is a SarifMapper (declared in compmap.h): a run is started
 * from its tool, artifacts and versionControlProvenance members, then each
 * of its results is put as one JSON value.  map_sarif(jsonb) feeds it from
 * the binary jsonb of the whole log; ingest_sarif_stream.c feeds it from the
 * document's text without ever building that jsonb.
 *
 * Memory: what a run contributes (scanner name, rules by id) lives in a
 * context reset after the run; each result's values are built in a context
 * reset after its row went into the tuplestore.  Both are children of the
 * context the mapper was created in and deleted with it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/pg_locale.h"
#include "utils/varlena.h"

#include "compmap.h"
#include "ingest_json.h"

/* Messages of one line up to this many characters are titles themselves. */
#define MESSAGE_TITLE_MAX_CHARS 160

/* One rule of the id index: the id as ->> reads it, and the rule. */
typedef struct RuleEntry
{
	Str			id;
	int			seq;			/* later entries win, as in the SQL */
	JsonbValue	rule;
} RuleEntry;

/* What a run contributes to each of its results. */
typedef struct RunInfo
{
	Datum		scanner;
	Str			repository;
	Jv			artifacts;
	JsonbContainer *rules;		/* driver rules, if an array */
	JsonbContainer *extensions; /* tool.extensions, if an array */
	RuleEntry  *rule_index;		/* sorted by id, one entry per id */
	int			nrule_index;
} RunInfo;


/* ---------------------------------------------------------------------
 * The SARIF mapping's own patterns
 * ---------------------------------------------------------------------
 */

/* Does s contain "cwe" in any letter case (ILIKE '%cwe%', see below)? */
static bool
contains_cwe_ci(Str a)
{
	for (int i = 0; i + 3 <= a.len; i++)
		if (ascii_lower(a.s[i]) == 'c' && ascii_lower(a.s[i + 1]) == 'w' &&
			ascii_lower(a.s[i + 2]) == 'e')
			return true;
	return false;
}

/*
 * x ILIKE 'cwe' and x ILIKE '%cwe%': ILIKE compares lower(x) with the
 * pattern, and the only characters whose lower case is c, w or e are C, W
 * and E, in every locale; so these are ASCII case-insensitive tests.
 */
static bool
ilike_cwe(Str a)
{
	return a.s != NULL && a.len == 3 && contains_cwe_ci(a);
}

/*
 * The band of a security-severity score, or NULL:
 *   CASE WHEN btrim(s) ~ '^[0-9]+(\.[0-9]+)?$' THEN
 *       CASE WHEN btrim(s)::numeric >= 9.0 THEN 'critical' ... END END
 * The pattern admits only plain decimals, so the comparisons need the
 * integer part without its leading zeros and whether the fraction is zero.
 */
static const char *
severity_band(Str s)
{
	int			i = 0,
				int_start,
				int_end;
	bool		frac_nonzero = false;

	s = str_btrim(s, " ");
	if (s.s == NULL)
		return NULL;
	while (i < s.len && is_digit(s.s[i]))
		i++;
	if (i == 0)
		return NULL;
	int_end = i;
	if (i < s.len)
	{
		if (s.s[i] != '.' || i + 1 >= s.len)
			return NULL;
		for (i++; i < s.len; i++)
		{
			if (!is_digit(s.s[i]))
				return NULL;
			if (s.s[i] != '0')
				frac_nonzero = true;
		}
	}
	int_start = 0;
	while (int_start < int_end - 1 && s.s[int_start] == '0')
		int_start++;
	if (int_end - int_start > 1)
		return "critical";		/* 10 or more */
	switch (s.s[int_start])
	{
		case '9':
			return "critical";
		case '7':
		case '8':
			return "high";
		case '4':
		case '5':
		case '6':
			return "medium";
		case '0':
			return frac_nonzero ? "low" : "none";
		default:
			return "low";
	}
}

/* x ~ '^[0-9]{1,9}$', and its value */
static bool
small_index(Str x, uint32 *out)
{
	uint32		v = 0;

	if (x.s == NULL || x.len < 1 || x.len > 9)
		return false;
	for (int i = 0; i < x.len; i++)
	{
		if (!is_digit(x.s[i]))
			return false;
		v = v * 10 + (x.s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * Length in bytes of the "http(s)://host" prefix of a URI, or 0:
 *   uri ~* '^https?://[^/?#]+', substring(uri, '(?i)^(https?://[^/?#]+)')
 * (the greedy run takes everything up to the first /, ? or #).
 */
static int
url_host_prefix(Str uri)
{
	int			i;

	if (uri.s == NULL || uri.len < 4)
		return 0;
	for (i = 0; i < 4; i++)
		if (ascii_lower(uri.s[i]) != "http"[i])
			return 0;
	if (i < uri.len && ascii_lower(uri.s[i]) == 's')
		i++;
	if (uri.len - i < 3 || memcmp(uri.s + i, "://", 3) != 0)
		return 0;
	i += 3;
	if (i >= uri.len || uri.s[i] == '/' || uri.s[i] == '?' || uri.s[i] == '#')
		return 0;
	while (i < uri.len && uri.s[i] != '/' && uri.s[i] != '?' && uri.s[i] != '#')
		i++;
	return i;
}


/* ---------------------------------------------------------------------
 * Runs and rules
 * ---------------------------------------------------------------------
 */

static int
cmp_rule_entry(const void *a, const void *b)
{
	const RuleEntry *x = a,
			   *y = b;
	int			r = cmp_str_bytes(x->id, y->id);

	if (r != 0)
		return r;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
rule_index_add(RuleEntry **entries, int *n, int *cap, JsonbValue *rule)
{
	Jv			r = {true, *rule};
	Str			id = get_text(&r, "id");

	if (id.s == NULL)
		return;
	if (*n == *cap)
	{
		*cap = *cap ? *cap * 2 : 16;
		*entries = *entries ? repalloc(*entries, *cap * sizeof(RuleEntry))
			: palloc(*cap * sizeof(RuleEntry));
	}
	(*entries)[*n].id = id;
	(*entries)[*n].seq = *n;
	(*entries)[*n].rule = *rule;
	(*n)++;
}

/*
 * The rules by id, as the SQL's jsonb_object_agg(r->>'id', r ORDER BY src
 * DESC, ...) builds them: extension rules first, then driver rules, each in
 * document order, the last rule of an id winning; so a driver rule wins
 * over an extension rule of the same id.
 */
static void
build_rule_index(RunInfo *run)
{
	RuleEntry  *entries = NULL;
	int			n = 0,
				cap = 0,
				kept = 0;

	if (run->extensions != NULL)
	{
		uint32		next = JsonContainerSize(run->extensions);

		for (uint32 e = 0; e < next; e++)
		{
			JsonbValue *ext = getIthJsonbValueFromContainer(run->extensions, e);
			Jv			extv = {true, *ext};
			Jv			rules = jv_get(&extv, "rules");

			if (jv_is_array(&rules))
			{
				JsonbContainer *rc = rules.v.val.binary.data;
				uint32		nr = JsonContainerSize(rc);

				for (uint32 i = 0; i < nr; i++)
					rule_index_add(&entries, &n, &cap, getIthJsonbValueFromContainer(rc, i));
			}
		}
	}
	if (run->rules != NULL)
	{
		uint32		nr = JsonContainerSize(run->rules);

		for (uint32 i = 0; i < nr; i++)
			rule_index_add(&entries, &n, &cap, getIthJsonbValueFromContainer(run->rules, i));
	}
	if (n > 1)
		qsort(entries, n, sizeof(RuleEntry), cmp_rule_entry);
	/* keep the last entry of each id */
	for (int i = 0; i < n; i++)
	{
		if (i + 1 < n && cmp_str_bytes(entries[i].id, entries[i + 1].id) == 0)
			continue;
		entries[kept++] = entries[i];
	}
	run->rule_index = entries;
	run->nrule_index = kept;
}

static Jv
rule_by_id(const RunInfo *run, Str id)
{
	Jv			r;
	int			lo = 0,
				hi = run->nrule_index - 1;

	r.present = false;
	if (id.s == NULL)
		return r;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = cmp_str_bytes(run->rule_index[mid].id, id);

		if (c == 0)
		{
			r.present = true;
			r.v = run->rule_index[mid].rule;
			return r;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return r;
}

/* lower(coalesce(nullif(btrim(tool #>> '{driver,name}'), ''), 'sarif')) */
static Datum
scanner_name(const Jv *tool)
{
	Jv			driver = jv_path_step(tool, "driver");
	Jv			name = jv_path_step(&driver, "name");
	Str			scanner = str_btrim(jv_text(&name), " ");

	if (scanner.s == NULL || scanner.len == 0)
		scanner = cstr("sarif");
	return DirectFunctionCall1Coll(lower, DEFAULT_COLLATION_OID, str_datum(scanner));
}

/*
 * The run's part of every result: the scanner name, rules and extensions,
 * artifacts and repository, from the run's tool, artifacts and
 * versionControlProvenance members (each missing or any JSON value).
 */
static void
read_run(RunInfo *run, const Jv *tool, const Jv *artifacts, const Jv *vcp)
{
	Jv			driver = jv_path_step(tool, "driver");
	Jv			rules = jv_path_step(&driver, "rules");
	Jv			extensions = jv_path_step(tool, "extensions");
	Jv			vcp0 = jv_path_step(vcp, "0");
	Jv			repo = jv_path_step(&vcp0, "repositoryUri");

	run->scanner = scanner_name(tool);
	run->repository = jv_text(&repo);
	if (run->repository.s != NULL && run->repository.len == 0)
		run->repository = NullStr;
	run->artifacts = *artifacts;
	run->rules = array_or_null(&rules);
	run->extensions = array_or_null(&extensions);
	build_rule_index(run);
}


/* ---------------------------------------------------------------------
 * One result
 * ---------------------------------------------------------------------
 */

/*
 * The merged properties (rule properties || result properties) read by
 * key: an object only when both sides are objects (a missing side counts
 * as {}); the result's key wins.  Any other jsonb || gives an array, where
 * ->> of a key is NULL.
 */
typedef struct Props
{
	bool		is_object;
	Jv			rule;
	Jv			res;
} Props;

static Jv
props_get(const Props *p, const char *key)
{
	Jv			v;

	v.present = false;
	if (!p->is_object)
		return v;
	v = jv_get(&p->res, key);
	if (!v.present)
		v = jv_get(&p->rule, key);
	return v;
}

static Str
props_text(const Props *p, const char *key)
{
	Jv			v = props_get(p, key);

	return jv_text(&v);
}

/* left(s, 1): the first character */
static Str
first_char(Str s)
{
	if (s.s != NULL && s.len > 0)
		s.len = pg_mblen(s.s);
	return s;
}

/*
 * The cvss_vector column: the first of the vector properties, else one
 * built from dependency-check's metric properties when all of them are
 * there (the || of a NULL makes the SQL's vector NULL otherwise).
 */
static Str
cvss_vector(const Props *p)
{
	static const char *const names[] = {"cvssv4_vector", "cvssv3_vector", "cvss_vector", "cvssV3_vector"};
	static const char *const metrics[][2] = {
		{"/AV:", "cvssv3_attackVector"},
		{"/AC:", "cvssv3_attackComplexity"},
		{"/PR:", "cvssv3_privilegesRequired"},
		{"/UI:", "cvssv3_userInteraction"},
		{"/S:", "cvssv3_scope"},
		{"/C:", "cvssv3_confidentialityImpact"},
		{"/I:", "cvssv3_integrityImpact"},
		{"/A:", "cvssv3_availabilityImpact"},
	};
	Str			parts[2 + 2 * lengthof(metrics)];

	if (!p->is_object)
		return NullStr;
	for (int i = 0; i < (int) lengthof(names); i++)
	{
		Str			v = props_text(p, names[i]);

		if (v.s != NULL)
			return v;
	}
	parts[0] = cstr("CVSS:");
	parts[1] = coalesce_str(props_text(p, "cvssv3_version"), cstr("3.1"));
	for (int i = 0; i < (int) lengthof(metrics); i++)
	{
		Str			v = props_text(p, metrics[i][1]);

		if (v.s == NULL)
			return NullStr;
		parts[2 + 2 * i] = cstr(metrics[i][0]);
		parts[3 + 2 * i] = first_char(v);
	}
	return str_cat(lengthof(parts), parts);
}

/*
 * fp_extra: jsonb_strip_nulls(jsonb_build_object('fingerprints', given,
 * 'logical', logical)).
 */
static Datum
fp_extra(const Jv *given_fp, Str logical)
{
	JsonbParseState *state = NULL;
	JsonbValue	k,
				v,
			   *res;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (given_fp->present && given_fp->v.type != jbvNull)
	{
		JsonbValue	fp = given_fp->v;

		k.type = jbvString;
		k.val.string.val = (char *) "fingerprints";
		k.val.string.len = strlen("fingerprints");
		pushJsonbValue(&state, WJB_KEY, &k);
		push_stripped(&state, &fp);
	}
	if (logical.s != NULL)
	{
		k.type = jbvString;
		k.val.string.val = (char *) "logical";
		k.val.string.len = strlen("logical");
		pushJsonbValue(&state, WJB_KEY, &k);
		v.type = jbvString;
		v.val.string.val = (char *) logical.s;
		v.val.string.len = logical.len;
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(res));
}

/* nullif(v, '{}') */
static bool
is_empty_object(const Jv *j)
{
	return jv_is_object(j) && JsonContainerSize(j->v.val.binary.data) == 0;
}

static void
map_result(IngestState *st, const RunInfo *run, const Jv *res, Datum *values, bool *nulls)
{
	Jv			res_rule = jv_get(res, "rule");
	Str			res_rule_id = coalesce_str(get_text(res, "ruleId"), get_text(&res_rule, "id"));
	Str			rule_index_txt = coalesce_str(get_text(res, "ruleIndex"), get_text(&res_rule, "index"));
	Jv			rule = {false};
	uint32		ri,
				ci;
	Str			rid,
				kind,
				uri,
				line,
				logical,
				message,
				title,
				sev,
				loc_text;
	Jv			locations,
				loc,
				phys,
				artloc,
				logicals,
				logical0,
				given_fp,
				res_props,
				rule_props,
				tags,
				refs,
				taxa,
				rels;
	Props		props;
	StrList		cand = {0},
				cves = {0},
				urls = {0};
	Int64List	cwes = {0};
	int			host_len;

	/* the rule: by index (driver, or the extension named), else by id */
	if (small_index(rule_index_txt, &ri))
	{
		Str			ci_txt;
		Jv			tc = jv_get(&res_rule, "toolComponent");

		ci_txt = get_text(&tc, "index");
		if (small_index(ci_txt, &ci))
		{
			Jv			exts = {false},
						ext,
						ext_rules;

			if (run->extensions != NULL)
			{
				exts.present = true;
				exts.v.type = jbvBinary;
				exts.v.val.binary.data = run->extensions;
				exts.v.val.binary.len = 0;	/* not read */
			}
			ext = jv_elem(&exts, ci);
			ext_rules = jv_get(&ext, "rules");
			rule = jv_elem(&ext_rules, ri);
		}
		else if (run->rules != NULL)
		{
			JsonbValue *r = getIthJsonbValueFromContainer(run->rules, ri);

			if (r != NULL)
			{
				rule.present = true;
				rule.v = *r;
			}
		}
	}
	if (!rule.present)
		rule = rule_by_id(run, res_rule_id);

	rid = coalesce_str(res_rule_id, get_text(&rule, "id"));
	kind = coalesce_str(get_text(res, "kind"), cstr("fail"));

	/* the first location */
	locations = jv_get(res, "locations");
	loc = jv_elem(&locations, 0);
	phys = jv_get(&loc, "physicalLocation");
	artloc = jv_get(&phys, "artifactLocation");
	uri = get_text(&artloc, "uri");
	if (uri.s == NULL)
	{
		uint32		ai;

		if (small_index(get_text(&artloc, "index"), &ai))
		{
			Jv			art = jv_elem(&run->artifacts, ai);

			uri = get2_text(&art, "location", "uri");
		}
	}
	{
		Jv			region = jv_get(&phys, "region");

		line = get_text(&region, "startLine");
	}
	logicals = jv_get(&loc, "logicalLocations");
	logical0 = jv_elem(&logicals, 0);
	logical = coalesce_str(get_text(&logical0, "fullyQualifiedName"), get_text(&logical0, "name"));

	/* fingerprints given by the scanner, unless missing or {} */
	given_fp = jv_get(res, "fingerprints");
	if (!given_fp.present || is_empty_object(&given_fp))
	{
		given_fp = jv_get(res, "partialFingerprints");
		if (is_empty_object(&given_fp))
			given_fp.present = false;
	}

	{
		Jv			msg = jv_get(res, "message");

		message = coalesce_str(get_text(&msg, "text"), get_text(&msg, "markdown"));
	}

	res_props = jv_get(res, "properties");
	rule_props = jv_get(&rule, "properties");
	props.rule = rule_props;
	props.res = res_props;
	props.is_object = (!rule_props.present || jv_is_object(&rule_props)) &&
		(!res_props.present || jv_is_object(&res_props));

	values[COL_SCANNER] = run->scanner;
	if (rid.s != NULL)
		values[COL_RULE_ID] = str_datum(rid);
	else
		nulls[COL_RULE_ID] = true;

	/*
	 * title: the message when it is one line of at most 160 characters
	 * (strpos(btrim(message, E' \t\r\n'), E'\n') = 0 AND length(message) <=
	 * 160), else the rule's short description, name, the message's first
	 * line, the rule id.
	 */
	title = NullStr;
	if (message.s != NULL)
	{
		Str			tm = str_btrim(message, " \t\r\n");

		if (memchr(tm.s, '\n', tm.len) == NULL &&
			(message.len <= MESSAGE_TITLE_MAX_CHARS ||
			 pg_mbstrlen_with_len(message.s, message.len) <= MESSAGE_TITLE_MAX_CHARS))
			title = ingest_title_of(st, message);
	}
	if (title.s == NULL)
	{
		Jv			sd = jv_get(&rule, "shortDescription");

		title = ingest_title_of(st, get_text(&sd, "text"));
	}
	if (title.s == NULL)
		title = ingest_title_of(st, get_text(&rule, "name"));
	if (title.s == NULL)
		title = ingest_title_of(st, message);
	if (title.s == NULL)
		title = coalesce_str(rid, cstr("SARIF result"));
	values[COL_TITLE] = str_datum(title);

	/* scanner_severity */
	{
		const char *band = severity_band(coalesce_str(get2_text(res, "properties", "security-severity"),
													  get2_text(&rule, "properties", "security-severity")));

		if (band != NULL)
			sev = cstr(band);
		else
		{
			Jv			dc = jv_get(&rule, "defaultConfiguration");

			sev = coalesce_str(get_text(res, "level"), get_text(&dc, "level"));
			if (sev.s == NULL)
				sev = cstr(str_eq(kind, "fail") ? "warning" : "none");
		}
		values[COL_SCANNER_SEVERITY] = str_datum(sev);
	}

	{
		Str			v = cvss_vector(&props);

		if (v.s != NULL)
			values[COL_CVSS_VECTOR] = str_datum(v);
		else
			nulls[COL_CVSS_VECTOR] = true;
	}

	/* tags: properties.tags when an array */
	tags = props_get(&props, "tags");
	refs = props_get(&props, "references");

	/* cve_ids: the rule id, rule name, descriptions and tags */
	strlist_add(&cand, rid);
	strlist_add(&cand, get_text(&rule, "name"));
	{
		Jv			sd = jv_get(&rule, "shortDescription");
		Jv			fd = jv_get(&rule, "fullDescription");

		strlist_add(&cand, get_text(&sd, "text"));
		strlist_add(&cand, get_text(&fd, "text"));
	}
	array_texts(array_or_null(&tags), &cand);
	for (int i = 0; i < cand.n; i++)
		ingest_find_cves(cand.items[i].str, &cves);
	values[COL_CVE_IDS] = ingest_cve_array(&cves);

	/*
	 * cwe_ids: taxa of a component named cwe (any case), rule relationships
	 * whose target's component is cwe, tags that mention cwe.
	 */
	taxa = jv_get(res, "taxa");
	if (jv_is_array(&taxa))
	{
		JsonbContainer *c = taxa.v.val.binary.data;
		uint32		n = JsonContainerSize(c);

		for (uint32 i = 0; i < n; i++)
		{
			Jv			x = {true, *getIthJsonbValueFromContainer(c, i)};
			Jv			tc = jv_get(&x, "toolComponent");

			if (ilike_cwe(get_text(&tc, "name")))
				int64list_add(&cwes, ingest_cwe_number(get_text(&x, "id")));
		}
	}
	rels = jv_get(&rule, "relationships");
	if (jv_is_array(&rels))
	{
		JsonbContainer *c = rels.v.val.binary.data;
		uint32		n = JsonContainerSize(c);

		for (uint32 i = 0; i < n; i++)
		{
			Jv			rel = {true, *getIthJsonbValueFromContainer(c, i)};
			Jv			target = jv_get(&rel, "target");
			Jv			tc = jv_get(&target, "toolComponent");

			if (ilike_cwe(get_text(&tc, "name")))
				int64list_add(&cwes, ingest_cwe_number(get_text(&target, "id")));
		}
	}
	/* the tags are the candidates after the first four */
	for (int i = 4; i < cand.n; i++)
		if (cand.items[i].str.s != NULL && contains_cwe_ci(cand.items[i].str))
			int64list_add(&cwes, ingest_cwe_number(cand.items[i].str));
	values[COL_CWE_IDS] = ingest_cwe_array(&cwes);

	/* asset: package, repository, url host or file */
	host_len = url_host_prefix(uri);
	if (logical.s != NULL && logical.len >= 4 && memcmp(logical.s, "pkg:", 4) == 0)
	{
		values[COL_ASSET_KIND] = CStringGetTextDatum("package");
		values[COL_ASSET_NAME] = str_datum(logical);
	}
	else if (run->repository.s != NULL)
	{
		values[COL_ASSET_KIND] = CStringGetTextDatum("repository");
		values[COL_ASSET_NAME] = str_datum(run->repository);
	}
	else if (host_len > 0)
	{
		Str			host = {uri.s, host_len};

		values[COL_ASSET_KIND] = CStringGetTextDatum("url");
		values[COL_ASSET_NAME] = str_datum(host);
	}
	else if (uri.s != NULL)
	{
		values[COL_ASSET_KIND] = CStringGetTextDatum("file");
		values[COL_ASSET_NAME] = str_datum(uri);
	}
	else
	{
		nulls[COL_ASSET_KIND] = true;
		nulls[COL_ASSET_NAME] = true;
	}

	/* location: uri:line, else the logical location */
	if (uri.s != NULL)
	{
		if (line.s != NULL)
		{
			Str			parts[3] = {uri, {":", 1}, line};

			loc_text = str_cat(3, parts);
		}
		else
			loc_text = uri;
	}
	else
		loc_text = logical;
	if (loc_text.s != NULL)
		values[COL_LOCATION] = str_datum(loc_text);
	else
		nulls[COL_LOCATION] = true;

	{
		Jv			fd = jv_get(&rule, "fullDescription");
		Str			d = coalesce_str(message, get_text(&fd, "text"));

		if (d.s != NULL)
			values[COL_DESCRIPTION] = str_datum(d);
		else
			nulls[COL_DESCRIPTION] = true;
	}

	/* reference_urls: helpUri, then properties.references */
	ingest_find_urls(st, get_text(&rule, "helpUri"), &urls);
	{
		StrList		ref_texts = {0};

		array_texts(array_or_null(&refs), &ref_texts);
		for (int i = 0; i < ref_texts.n; i++)
			ingest_find_urls(st, ref_texts.items[i].str, &urls);
	}
	values[COL_REFERENCE_URLS] = ingest_url_array(&urls);

	/* fp_location: uri:line, or just the uri when fingerprints are given */
	{
		Str			fpl = given_fp.present ? uri : loc_text;

		if (fpl.s != NULL)
			values[COL_FP_LOCATION] = str_datum(fpl);
		else
			nulls[COL_FP_LOCATION] = true;
	}
	values[COL_FP_EXTRA] = fp_extra(&given_fp, logical);
	values[COL_SKIP] = BoolGetDatum(str_eq(kind, "pass") || str_eq(kind, "notApplicable"));
}


/* ---------------------------------------------------------------------
 * The mapper: runs and results in, rows of ingest_record out
 * ---------------------------------------------------------------------
 */

struct SarifMapper
{
	IngestState st;
	ReturnSetInfo *rsinfo;
	RunInfo		run;
	bool		in_run;
	MemoryContext run_cxt;		/* the run's rule index; reset by end_run */
	MemoryContext row_cxt;		/* one result's values; reset per row */
};

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
 * InitMaterializedSRF); its memory is a child of the current context.
 */
SarifMapper *
sarif_mapper_create(ReturnSetInfo *rsinfo)
{
	SarifMapper *m = palloc0(sizeof(SarifMapper));

	m->rsinfo = rsinfo;
	ingest_state_init(&m->st);
	m->run_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_sarif run",
									   ALLOCSET_DEFAULT_SIZES);
	m->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_sarif result",
									   ALLOCSET_DEFAULT_SIZES);
	return m;
}

/*
 * Starts a run from its tool, artifacts and versionControlProvenance
 * members (NULL when missing).  The values must stay valid until
 * sarif_mapper_end_run().
 */
void
sarif_mapper_start_run(SarifMapper *m, const JsonbValue *tool,
					   const JsonbValue *artifacts, const JsonbValue *vcp)
{
	Jv			t = jv_of(tool),
				a = jv_of(artifacts),
				v = jv_of(vcp);
	MemoryContext old;

	if (m->in_run)
		sarif_mapper_end_run(m);
	old = MemoryContextSwitchTo(m->run_cxt);
	memset(&m->run, 0, sizeof(m->run));
	read_run(&m->run, &t, &a, &v);
	MemoryContextSwitchTo(old);
	m->in_run = true;
}

/* Maps one result of the current run (any JSON value) into a row. */
void
sarif_mapper_put_result(SarifMapper *m, const JsonbValue *result)
{
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Jv			res = jv_of(result);
	MemoryContext old;

	Assert(m->in_run);
	CHECK_FOR_INTERRUPTS();
	old = MemoryContextSwitchTo(m->row_cxt);
	memset(nulls, 0, sizeof(nulls));
	map_result(&m->st, &m->run, &res, values, nulls);
	tuplestore_putvalues(m->rsinfo->setResult, m->rsinfo->setDesc, values, nulls);
	MemoryContextSwitchTo(old);
	MemoryContextReset(m->row_cxt);
}

void
sarif_mapper_end_run(SarifMapper *m)
{
	MemoryContextReset(m->run_cxt);
	m->in_run = false;
}

/* Drops the rows put so far (the log's runs member turned out to repeat). */
void
sarif_mapper_discard_rows(SarifMapper *m)
{
	tuplestore_clear(m->rsinfo->setResult);
}

void
sarif_mapper_destroy(SarifMapper *m)
{
	MemoryContextDelete(m->row_cxt);
	MemoryContextDelete(m->run_cxt);
	pfree(m);
}

/*
 * The scanner a run names, from its tool member (NULL when missing):
 * lower(coalesce(nullif(btrim(tool #>> '{driver,name}'), ''), 'sarif')).
 */
Datum
sarif_scanner_name(const JsonbValue *tool)
{
	Jv			t = jv_of(tool);

	return scanner_name(&t);
}


/*
 * compmap.map_sarif(document jsonb) RETURNS SETOF compmap.ingest_record
 */
PG_FUNCTION_INFO_V1(compmap_map_sarif);
Datum
compmap_map_sarif(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SarifMapper *m;
	Jv			root,
				runs;
	uint32		nruns;

	InitMaterializedSRF(fcinfo, 0);

	/* the runs: none unless the document is an object */
	if (!JB_ROOT_IS_OBJECT(doc))
		return (Datum) 0;
	root.present = true;
	root.v.type = jbvBinary;
	root.v.val.binary.data = &doc->root;
	root.v.val.binary.len = VARSIZE(doc) - VARHDRSZ;
	runs = jv_get(&root, "runs");
	if (!runs.present)
		return (Datum) 0;
	sarif_check_runs_array(runs.v.type == jbvBinary,
						   runs.v.type == jbvBinary && JsonContainerIsArray(runs.v.val.binary.data));

	m = sarif_mapper_create(rsinfo);
	nruns = JsonContainerSize(runs.v.val.binary.data);
	for (uint32 k = 0; k < nruns; k++)
	{
		Jv			runv = jv_elem(&runs, k),
					tool = jv_path_step(&runv, "tool"),
					artifacts = jv_path_step(&runv, "artifacts"),
					vcp = jv_path_step(&runv, "versionControlProvenance"),
					results = jv_path_step(&runv, "results");
		JsonbContainer *rc = array_or_null(&results);
		uint32		nresults = rc != NULL ? JsonContainerSize(rc) : 0;

		sarif_mapper_start_run(m, tool.present ? &tool.v : NULL,
							   artifacts.present ? &artifacts.v : NULL,
							   vcp.present ? &vcp.v : NULL);
		for (uint32 i = 0; i < nresults; i++)
		{
			JsonbValue *res = getIthJsonbValueFromContainer(rc, i);

			sarif_mapper_put_result(m, res);
			pfree(res);
		}
		sarif_mapper_end_run(m);
	}
	sarif_mapper_destroy(m);
	return (Datum) 0;
}

/*
 * The errors of jsonb_array_length(document->'runs') for a runs member
 * that is not an array: a scalar (null included) or an object.
 */
void
sarif_check_runs_array(bool is_container, bool is_array)
{
	if (!is_container)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot get array length of a scalar")));
	if (!is_array)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot get array length of a non-array")));
}
