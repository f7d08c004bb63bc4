/*-------------------------------------------------------------------------
 *
 * ingest_zap.c
 *	  compmap.map_zap_text(text): the rows map_zap_reference(document::jsonb)
 *	  returns for an OWASP ZAP traditional JSON report, in the same order and
 *	  with the same errors, read from the document's text one alert at a
 *	  time, without the jsonb of the whole report.
 *
 * The mapping is map_zap_reference() (src/sql/70_ingest.sql) in C, over one
 * alert's jsonb and its site's @name, with the readers and string functions
 * of src/ingest_json.c; ingest_strip_html() is done by the same built-in
 * functions it calls (regexp_replace, replace, btrim), in the database's
 * collation.  test/scripts/zap_nuclei_stream.sh checks that both give the
 * same rows; keep the two in step.
 *
 * The text is read with the events of one parse (src/json_stream.c's
 * JsonStream): each element of a site's alerts array is built as jsonb and
 * mapped as soon as it is complete, with the site's @name read so far.
 * JSON objects are unordered and jsonb keeps the last of a repeated key:
 * a repeated site member drops the rows put so far; a site's @name or
 * alerts member that comes after rows of that site were put abandons the
 * first reading (the rest is only checked, each site's last @name and last
 * alerts member noted), and the document is read again mapping only the
 * last alerts member of each site, with its last @name known from the
 * start.  A site member that is not an array raises map_zap_reference's
 * error once the whole document has been read, as document::jsonb is
 * complete before the mapping runs.
 *
 * Memory: an alert is built in a context reset as the next begins, each
 * row in one reset after it is put; the sites' names of the last site
 * member are kept (a few bytes per site).  Interrupts are checked per row
 * and every few thousand scalars.
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
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "compmap.h"
#include "ingest_json.h"
#include "json_stream.h"

enum
{
	TAG_NAME = 1,				/* a site's @name */
	TAG_ALERT					/* an element of a site's alerts */
};

/* The entities ingest_strip_html() decodes, in its order */
#define NUM_ENTITIES 5
static const char *const entity_text[NUM_ENTITIES][2] = {
	{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}
};

/* What the first reading learnt of a site of the last site member */
typedef struct ZapSite
{
	Jsonb	   *name;			/* its last @name, or NULL */
	int			last_alerts;	/* the ordinal of its last alerts member */
} ZapSite;

typedef struct ZapReader
{
	ReturnSetInfo *rsinfo;
	IngestState st;
	JsonStream js;
	bool		known;			/* second reading: the sites are known */
	bool		abandoned;		/* a site's member came after its rows */

	/* the report */
	const char *top_type;
	int			site_members;	/* site members so far */
	int			last_site_member;	/* second reading: the one mapped */
	bool		site_member;	/* reading the value of a site member */
	const char *site_type;		/* jsonb_typeof of the last site member */
	bool		in_sites;		/* inside a site member's array */

	/* the site being read */
	int			nsites;			/* sites of this site member so far */
	bool		in_site;		/* inside a site that is an object */
	int			alerts_members; /* alerts members of the site so far */
	bool		alerts_member;	/* reading the value of an alerts member */
	bool		in_alerts;		/* inside an alerts array */
	bool		map_alerts;		/* its elements are mapped */
	int64		site_rows;		/* rows put for the site */

	/* the sites of the last site member (first reading) */
	ZapSite    *sites;
	int			sites_cap;
	int			sites_known;	/* second reading: how many */

	/* ingest_strip_html's patterns, as text */
	Datum		re_paragraphs;
	Datum		re_tags;
	Datum		flags_g;
	Datum		newline;
	Datum		empty;
	Datum		blanks;
	Datum		entities[NUM_ENTITIES][2];

	MemoryContext value_cxt;	/* the value built */
	MemoryContext sites_cxt;	/* sites[] and their names */
	MemoryContext row_cxt;		/* one row */
} ZapReader;


/* ---------------------------------------------------------------------
 * The mapping of one alert (map_zap_reference)
 * ---------------------------------------------------------------------
 */

/* ingest_strip_html(html): the same built-in functions, in the same order */
static Str
strip_html(ZapReader *r, Str html)
{
	Datum		t;
	text	   *res;
	Str			out;

	if (html.s == NULL)
		return NullStr;
	t = PointerGetDatum(cstring_to_text_with_len(html.s, html.len));
	t = DirectFunctionCall4Coll(textregexreplace, DEFAULT_COLLATION_OID, t,
								r->re_paragraphs, r->newline, r->flags_g);
	t = DirectFunctionCall4Coll(textregexreplace, DEFAULT_COLLATION_OID, t,
								r->re_tags, r->empty, r->flags_g);
	for (int i = 0; i < NUM_ENTITIES; i++)
		t = DirectFunctionCall3Coll(replace_text, DEFAULT_COLLATION_OID, t,
									r->entities[i][0], r->entities[i][1]);
	t = DirectFunctionCall2Coll(btrim, DEFAULT_COLLATION_OID, t, r->blanks);
	res = DatumGetTextPP(t);
	out.s = VARDATA_ANY(res);
	out.len = VARSIZE_ANY_EXHDR(res);
	return out.len > 0 ? out : NullStr;
}

/* split_part(s, ' ', 1) */
static Str
first_word(Str s)
{
	const char *sp;

	if (s.s == NULL)
		return s;
	sp = memchr(s.s, ' ', s.len);
	if (sp != NULL)
		s.len = sp - s.s;
	return s;
}

static void
map_alert(ZapReader *r, const Jv *a, Str site, Datum *values, bool *nulls)
{
	Str			pluginid = get_text(a, "pluginid");
	Str			riskcode = get_text(a, "riskcode");
	Str			severity;
	Jv			instances = jv_get(a, "instances");

	values[COL_SCANNER] = CStringGetTextDatum("zap");
	set_text(values, nulls, COL_RULE_ID, coalesce_str(get_text(a, "alertRef"), pluginid));
	set_text(values, nulls, COL_TITLE,
			 coalesce_str(coalesce_str(ingest_title_of(&r->st, get_text(a, "name")),
									   ingest_title_of(&r->st, get_text(a, "alert"))),
						  str_cat2(cstr("ZAP alert "), pluginid)));
	if (str_eq(riskcode, "0"))
		severity = cstr("info");
	else if (str_eq(riskcode, "1"))
		severity = cstr("low");
	else if (str_eq(riskcode, "2"))
		severity = cstr("medium");
	else if (str_eq(riskcode, "3"))
		severity = cstr("high");
	else
		severity = first_word(get_text(a, "riskdesc"));
	set_text(values, nulls, COL_SCANNER_SEVERITY, severity);
	nulls[COL_CVSS_VECTOR] = true;
	values[COL_CVE_IDS] = PointerGetDatum(construct_empty_array(TEXTOID));
	{
		Int64List	cwes = {0};

		int64list_add(&cwes, ingest_cwe_number(get_text(a, "cweid")));
		values[COL_CWE_IDS] = ingest_cwe_array(&cwes);
	}
	values[COL_ASSET_KIND] = CStringGetTextDatum("url");
	values[COL_ASSET_NAME] = str_datum(site.s != NULL && site.len > 0 ? site : cstr("unknown"));
	{
		Jv			first = jv_elem(&instances, 0);

		set_text(values, nulls, COL_LOCATION, coalesce_str(get_text(&first, "uri"), site));
	}
	{
		Str			parts[3];
		Str			count = get_text(a, "count");

		parts[0] = strip_html(r, get_text(a, "desc"));
		parts[1] = str_cat2(cstr("Solution: "), strip_html(r, get_text(a, "solution")));
		if (count.s == NULL)
		{
			/* jsonb_array_length(ingest_array(a->'instances'))::text */
			JsonbContainer *c = array_or_null(&instances);

			count.s = psprintf("%u", c != NULL ? JsonContainerSize(c) : 0);
			count.len = strlen(count.s);
		}
		parts[2] = str_cat2(cstr("Instances: "), count);
		values[COL_DESCRIPTION] = str_datum(str_concat_ws("\n\n", 3, parts));
	}
	{
		StrList		urls = {0};

		ingest_find_urls(&r->st, get_text(a, "reference"), &urls);
		values[COL_REFERENCE_URLS] = ingest_url_array(&urls);
	}
	nulls[COL_FP_LOCATION] = true;
	values[COL_FP_EXTRA] = ingest_text_object(0, NULL, NULL);
	values[COL_SKIP] = BoolGetDatum(false);
}

static void
put_row(ZapReader *r, Jsonb *alert, Jsonb *name)
{
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Jv			a,
				n = {false};
	MemoryContext old;

	CHECK_FOR_INTERRUPTS();
	old = MemoryContextSwitchTo(r->row_cxt);
	memset(nulls, 0, sizeof(nulls));
	a.present = true;
	jsonb_root_value(alert, &a.v);
	if (name != NULL)
	{
		n.present = true;
		jsonb_root_value(name, &n.v);
	}
	map_alert(r, &a, jv_text(&n), values, nulls);
	tuplestore_putvalues(r->rsinfo->setResult, r->rsinfo->setDesc, values, nulls);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->row_cxt);
}


/* ---------------------------------------------------------------------
 * The reading
 * ---------------------------------------------------------------------
 */

/* The site being read, among those the first reading noted */
static ZapSite *
current_site(ZapReader *r)
{
	int			i = r->nsites - 1;

	if (r->known)
		return r->site_members == r->last_site_member && i < r->sites_known ? &r->sites[i] : NULL;
	return &r->sites[i];
}

/* The rows put may be wrong: only check the rest, then read again */
static void
abandon(ZapReader *r)
{
	r->abandoned = true;
	r->map_alerts = false;
}

static int
zap_member(JsonStream *js, const char *name, int d)
{
	ZapReader  *r = js->arg;

	if (d == 1)
	{
		r->site_member = strcmp(name, "site") == 0;
		if (r->site_member)
		{
			/* a repeated site member replaces the earlier one */
			r->site_members++;
			r->nsites = 0;
			if (!r->known)
			{
				if (!r->abandoned)
					tuplestore_clear(r->rsinfo->setResult);
				MemoryContextReset(r->sites_cxt);
				r->sites = NULL;
				r->sites_cap = 0;
			}
		}
		return 0;
	}
	if (d != 3 || !r->in_site)
		return 0;
	r->alerts_member = false;
	if (strcmp(name, "@name") == 0)
	{
		if (r->known)
			return 0;
		if (!r->abandoned && r->site_rows > 0)
			abandon(r);
		return TAG_NAME;
	}
	if (strcmp(name, "alerts") == 0)
	{
		r->alerts_members++;
		r->alerts_member = true;
		if (!r->known)
		{
			current_site(r)->last_alerts = r->alerts_members;
			if (!r->abandoned && r->site_rows > 0)
				abandon(r);
		}
	}
	return 0;
}

static void
zap_value(JsonStream *js, const char *type, int d)
{
	ZapReader  *r = js->arg;
	bool		array = strcmp(type, "array") == 0;

	if (d == 0)
		r->top_type = type;
	else if (d == 1 && r->site_member)
	{
		r->site_type = type;
		r->in_sites = array;
	}
	else if (d == 2 && r->in_sites)
	{
		/* a site: only an object has alerts (s->'alerts') */
		r->nsites++;
		if (!r->known)
		{
			if (r->nsites > r->sites_cap)
			{
				r->sites_cap = r->sites_cap ? r->sites_cap * 2 : 16;
				r->sites = r->sites
					? repalloc(r->sites, r->sites_cap * sizeof(ZapSite))
					: MemoryContextAlloc(r->sites_cxt, r->sites_cap * sizeof(ZapSite));
			}
			r->sites[r->nsites - 1].name = NULL;
			r->sites[r->nsites - 1].last_alerts = 0;
		}
		r->in_site = strcmp(type, "object") == 0;
		r->alerts_members = 0;
		r->alerts_member = false;
		r->site_rows = 0;
	}
	else if (d == 3 && r->in_site && r->alerts_member && array)
	{
		ZapSite    *s = current_site(r);

		/* ingest_array(s->'alerts'): the last alerts member, if an array */
		r->in_alerts = true;
		r->map_alerts = r->known
			? s != NULL && r->alerts_members == s->last_alerts
			: !r->abandoned;
	}
}

static void
zap_end(JsonStream *js, bool object, int d)
{
	ZapReader  *r = js->arg;

	if (d == 1)
		r->in_sites = false;
	else if (d == 2)
		r->in_site = false;
	else if (d == 3)
		r->in_alerts = false;
}

static int
zap_element(JsonStream *js, int d)
{
	ZapReader  *r = js->arg;

	return d == 4 && r->in_alerts && r->map_alerts ? TAG_ALERT : 0;
}

static void
zap_built(JsonStream *js, int tag, Jsonb *jb)
{
	ZapReader  *r = js->arg;
	ZapSite    *s = current_site(r);

	if (tag == TAG_NAME)
		s->name = jsonb_copy_to(r->sites_cxt, jb);
	else
	{
		put_row(r, jb, s != NULL ? s->name : NULL);
		r->site_rows++;
	}
}

static const JsonStreamHandler zap_handler = {
	.member = zap_member,
	.element = zap_element,
	.value = zap_value,
	.end = zap_end,
	.built = zap_built
};

/* One reading of the whole document; errors are those of document::jsonb. */
static void
zap_read(ZapReader *r, text *doc, MemoryContext parse_cxt)
{
	MemoryContext old = MemoryContextSwitchTo(parse_cxt);

	r->abandoned = false;
	r->top_type = NULL;
	r->site_members = 0;
	r->site_member = r->in_sites = r->in_site = r->alerts_member = r->in_alerts = false;
	r->site_type = NULL;
	r->nsites = 0;
	json_stream_init(&r->js, &zap_handler, r, r->value_cxt);
	json_stream_parse(&r->js, VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), 0, NULL);
	MemoryContextSwitchTo(old);
	MemoryContextReset(parse_cxt);
}

/*
 * compmap.map_zap_text(document text) RETURNS SETOF compmap.ingest_record
 *
 * The rows of map_zap_reference(document::jsonb).
 */
PG_FUNCTION_INFO_V1(compmap_map_zap_text);
Datum
compmap_map_zap_text(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	MemoryContext parse_cxt;
	ZapReader	r;

	InitMaterializedSRF(fcinfo, 0);
	memset(&r, 0, sizeof(r));
	r.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ingest_state_init(&r.st);
	r.re_paragraphs = CStringGetTextDatum("</p>\\s*<p>");
	r.re_tags = CStringGetTextDatum("<[^>]*>");
	r.flags_g = CStringGetTextDatum("g");
	r.newline = CStringGetTextDatum("\n");
	r.empty = CStringGetTextDatum("");
	r.blanks = CStringGetTextDatum(" \t\r\n");
	for (int i = 0; i < NUM_ENTITIES; i++)
	{
		r.entities[i][0] = CStringGetTextDatum(entity_text[i][0]);
		r.entities[i][1] = CStringGetTextDatum(entity_text[i][1]);
	}
	r.value_cxt = AllocSetContextCreate(CurrentMemoryContext, "zap stream value",
										ALLOCSET_DEFAULT_SIZES);
	r.sites_cxt = AllocSetContextCreate(CurrentMemoryContext, "zap stream sites",
										ALLOCSET_DEFAULT_SIZES);
	r.row_cxt = AllocSetContextCreate(CurrentMemoryContext, "zap stream row",
									  ALLOCSET_DEFAULT_SIZES);
	parse_cxt = AllocSetContextCreate(CurrentMemoryContext, "zap stream",
									  ALLOCSET_DEFAULT_SIZES);

	zap_read(&r, doc, parse_cxt);
	if (r.abandoned)
	{
		/* read again, each site's last @name and alerts member known */
		tuplestore_clear(r.rsinfo->setResult);
		r.known = true;
		r.last_site_member = r.site_members;
		r.sites_known = r.nsites;
		zap_read(&r, doc, parse_cxt);
	}
	/* map_zap_reference's error for a site member that is not an array */
	if (r.top_type != NULL && strcmp(r.top_type, "object") == 0 && r.site_type != NULL &&
		strcmp(r.site_type, "array") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(strcmp(r.site_type, "object") == 0
						? "cannot extract elements from an object"
						: "cannot extract elements from a scalar")));

	MemoryContextDelete(parse_cxt);
	MemoryContextDelete(r.row_cxt);
	MemoryContextDelete(r.sites_cxt);
	MemoryContextDelete(r.value_cxt);
	return (Datum) 0;
}
