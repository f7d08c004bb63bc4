/*-------------------------------------------------------------------------
 *
 * ingest_openvas_stream.c
 *	  compmap.map_openvas_text(text): the rows map_openvas(document::xml)
 *	  returns, in the same order, read from the report's text with
 *	  libxml2's streaming xmlTextReader (ingest_xml_stream.c) instead of the
 *	  tree of the whole report.
 *
 * This file keeps one result's values, mapped as soon as the result ends.
 * The SQL reference is compmap.map_openvas_reference() (src/sql/70_ingest.sql),
 * an XMLTABLE over //results/result; what it does is kept:
 *   * a row is a <result> whose parent is a <results>, at any depth, in
 *     document order: a result nested in another one (under a results
 *     element inside it) comes after its outer result, which is held until
 *     it ends;
 *   * name, nvt/name, nvt/tags, threat, severity and description are the
 *     XPath string value of the one such node (all descendant text and
 *     CDATA); NULL when missing; a second one is XMLTABLE's error 21000,
 *     and so is a second nvt/@oid;
 *   * host is normalize-space(host/text()[1]): the first text or CDATA
 *     child of the first host element that has one; port is
 *     normalize-space(port), the string value of the first port;
 *   * the CVSS vector, the refs and the old cve and xref elements are what
 *     xpath() of the serialized result returns: attribute values and text
 *     nodes XML-escaped, a CDATA node as its markup;
 *   * names match only elements and attributes outside any namespace;
 *   * a reference to an entity of the document's DTD inside a result (its
 *     content or attributes) fails with 2200N, as the reference's item
 *     column does when the serialized result is parsed again; a 21000 of
 *     the same result comes first, as XMLTABLE reads the text columns
 *     before the item.
 * An error of a result is raised once the whole document has been read,
 * so that a malformed document fails as XMLPARSE would have first refused
 * it.  test/scripts/openvas_stream.sh compares the two row by row.
 *
 * Memory: a result's values live in a context of its own, deleted once its
 * row is in the tuplestore (an outer result's and those nested in it stay
 * until the outer one is mapped).  Interrupts are checked per result and
 * every few thousand nodes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "compmap.h"
#include "ingest_json.h"
#include "ingest_xml_stream.h"

/* The text columns read as string values. */
enum
{
	F_NAME,						/* name */
	F_THREAT,					/* threat */
	F_SEVERITY,					/* severity */
	F_DESCRIPTION,				/* description */
	F_PORT,						/* port (the first; no cardinality error) */
	F_NVT_NAME,					/* nvt/name */
	F_TAGS,						/* nvt/tags */
	NUM_FIELDS
};

/* Lists of xpath() values. */
enum
{
	L_REF_CVE,					/* nvt/refs/ref[@type="cve"]/@id */
	L_REF_CWE,					/* nvt/refs/ref[@type="cwe"]/@id */
	L_REF_URL,					/* nvt/refs/ref[@type="url"]/@id */
	L_CVE,						/* nvt/cve/text() */
	L_XREF,						/* nvt/xref/text() */
	NUM_LISTS
};

/* One result being read; depths are relative to the result element */
typedef struct OvItem
{
	struct OvItem *next;		/* the next result in document order */
	MemoryContext cxt;
	int			depth;			/* of the <result> element */
	bool		done;			/* its end was read */
	XmlItemError error;

	StringInfoData fields[NUM_FIELDS];
	bool		have[NUM_FIELDS];
	Str			oid;
	StrList		lists[NUM_LISTS];
	char	   *host;			/* the first text child of a host, or NULL */
	char	   *sev_vector;		/* the first CVSS value text, or NULL */

	/* where the reader is within the result */
	int			field;			/* the string value being read, or -1 */
	int			field_depth;
	bool		in_host;		/* a host child: its first text child is the host */
	bool		in_nvt;
	bool		in_severities;
	bool		in_refs;
	int			list;			/* nvt/cve or nvt/xref being read, or -1 */
	bool		in_severity;
	bool		in_value;		/* a value child of that severity */
	bool		in_first_value;
	bool		value_seen;
	StringInfoData first_value; /* the first value's string value (its start) */
	char	   *value_text;		/* the first text child of the severity's values */
} OvItem;

typedef struct OvReader
{
	ReturnSetInfo *rsinfo;
	IngestState st;
	XmlStream	xs;
	MemoryContext callcxt;
	MemoryContext spare;		/* a deleted item's context, reset for reuse */

	/* for each open element's depth: whether it is a <results> */
	bool	   *results_at;
	int			results_cap;

	/* open and finished results not mapped yet, in document order */
	OvItem	   *head;
	OvItem	   *tail;

	/* the first result's error, raised at the end */
	bool		failed;
	XmlItemError error;
} OvReader;

/* The CVSS value's test: starts-with(value, "CVSS:") */
#define CVSS_PREFIX "CVSS:"
#define CVSS_PREFIX_LEN 5

/* The byte offset of needle in x from pos, or -1 */
static int
find_from(Str x, int pos, const char *needle)
{
	int			n = strlen(needle);

	for (int p = pos; p + n <= x.len; p++)
		if (x.s[p] == needle[0] && memcmp(x.s + p, needle, n) == 0)
			return p;
	return -1;
}

/* From p to the next | or the end: the group ([^|]*) */
static Str
up_to_bar(Str x, int p)
{
	Str			r = {x.s + p, 0};
	const char *bar = memchr(x.s + p, '|', x.len - p);

	r.len = (bar != NULL ? bar - x.s : x.len) - p;
	return r;
}

/* substring(tags, '(?:^|\|)summary=([^|]*)') */
static Str
tag_summary(Str tags)
{
	int			p;

	if (tags.s == NULL)
		return NullStr;
	if (tags.len >= 8 && memcmp(tags.s, "summary=", 8) == 0)
		return up_to_bar(tags, 8);
	p = find_from(tags, 0, "|summary=");
	return p < 0 ? NullStr : up_to_bar(tags, p + 9);
}

/* substring(tags, '\|solution=([^|]*)') */
static Str
tag_solution(Str tags)
{
	int			p;

	if (tags.s == NULL)
		return NullStr;
	p = find_from(tags, 0, "|solution=");
	return p < 0 ? NullStr : up_to_bar(tags, p + 10);
}

/* substring(tags, 'cvss_base_vector=(CVSS:[34]\.[01]/[^|]*)') */
static Str
tag_cvss(Str tags)
{
	int			p = 0;

	if (tags.s == NULL)
		return NullStr;
	while ((p = find_from(tags, p, "cvss_base_vector=CVSS:")) >= 0)
	{
		const char *v = tags.s + p + 22;

		if (p + 26 <= tags.len && (v[0] == '3' || v[0] == '4') && v[1] == '.' &&
			(v[2] == '0' || v[2] == '1') && v[3] == '/')
			return up_to_bar(tags, p + 17);
		p++;
	}
	return NullStr;
}

/*
 * severity_from_score(score): the band of a number written as
 * ^[0-9]+(\.[0-9]+)?$ once blanks are trimmed, else NULL.
 */
static Str
severity_from_score(Str score)
{
	int			i = 0,
				int_start,
				int_end;
	bool		frac_nonzero = false;
	int64		ip = 0;

	score = str_btrim(score, " ");
	if (score.s == NULL)
		return NullStr;
	while (i < score.len && is_digit(score.s[i]))
		i++;
	if (i == 0)
		return NullStr;
	int_start = 0;
	int_end = i;
	if (i < score.len)
	{
		int			f;

		if (score.s[i] != '.')
			return NullStr;
		f = ++i;
		while (i < score.len && is_digit(score.s[i]))
		{
			if (score.s[i] != '0')
				frac_nonzero = true;
			i++;
		}
		if (i == f || i < score.len)
			return NullStr;
	}
	while (int_start < int_end && score.s[int_start] == '0')
		int_start++;
	if (int_end - int_start > 2)
		return cstr("critical");
	for (int k = int_start; k < int_end; k++)
		ip = ip * 10 + (score.s[k] - '0');
	if (ip >= 9)
		return cstr("critical");
	if (ip >= 7)
		return cstr("high");
	if (ip >= 4)
		return cstr("medium");
	if (ip > 0 || frac_nonzero)
		return cstr("low");
	return cstr("none");
}

/* The row of one result, as map_openvas_reference builds it */
static void
put_item(OvReader *ov, OvItem *it)
{
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Str			name = xml_field_str(it->fields, it->have, F_NAME);
	Str			tags = xml_field_str(it->fields, it->have, F_TAGS);
	Str			oid = it->oid;
	Str			host = str_nullif_empty(xml_normalize_space(it->host ? cstr(it->host) : cstr("")));
	Str			port = xml_normalize_space(it->have[F_PORT] ? xml_field_str(it->fields, it->have, F_PORT) : cstr(""));
	Str			title;
	Str			sev;

	if (host.s == NULL)
		host = cstr("unknown");
	memset(nulls, 0, sizeof(nulls));
	values[COL_SCANNER] = CStringGetTextDatum("openvas");
	set_text(values, nulls, COL_RULE_ID, coalesce_str(str_nullif_empty(oid), name));

	title = ingest_title_of(&ov->st, name);
	if (title.s == NULL)
		title = ingest_title_of(&ov->st, xml_field_str(it->fields, it->have, F_NVT_NAME));
	if (title.s == NULL)
		title = coalesce_str(oid, cstr("OpenVAS result"));
	set_text(values, nulls, COL_TITLE, title);

	sev = str_nullif_empty(xml_field_str(it->fields, it->have, F_THREAT));
	if (sev.s == NULL)
		sev = severity_from_score(xml_field_str(it->fields, it->have, F_SEVERITY));
	set_text(values, nulls, COL_SCANNER_SEVERITY, sev);

	set_text(values, nulls, COL_CVSS_VECTOR,
			 it->sev_vector != NULL ? cstr(it->sev_vector) : tag_cvss(tags));

	{
		StrList		cves = {0};
		Int64List	cwes = {0};
		StrList		urls = {0};

		for (int i = 0; i < it->lists[L_REF_CVE].n; i++)
			ingest_find_cves(it->lists[L_REF_CVE].items[i].str, &cves);
		for (int i = 0; i < it->lists[L_CVE].n; i++)
			ingest_find_cves(it->lists[L_CVE].items[i].str, &cves);
		values[COL_CVE_IDS] = ingest_cve_array(&cves);
		for (int i = 0; i < it->lists[L_REF_CWE].n; i++)
			int64list_add(&cwes, ingest_cwe_number(it->lists[L_REF_CWE].items[i].str));
		values[COL_CWE_IDS] = ingest_cwe_array(&cwes);
		for (int i = 0; i < it->lists[L_REF_URL].n; i++)
			ingest_find_urls(&ov->st, it->lists[L_REF_URL].items[i].str, &urls);
		for (int i = 0; i < it->lists[L_XREF].n; i++)
			ingest_find_urls(&ov->st, it->lists[L_XREF].items[i].str, &urls);
		values[COL_REFERENCE_URLS] = ingest_url_array(&urls);
	}

	values[COL_ASSET_KIND] = CStringGetTextDatum("host");
	values[COL_ASSET_NAME] = str_datum(host);
	set_text(values, nulls, COL_LOCATION, str_nullif_empty(port));
	{
		Str			parts[3] = {
			tag_summary(tags),
			str_nullif_empty(str_btrim(xml_field_str(it->fields, it->have, F_DESCRIPTION), " ")),
			str_cat2(cstr("Solution: "), tag_solution(tags))
		};

		values[COL_DESCRIPTION] = str_datum(str_concat_ws("\n\n", 3, parts));
	}
	set_text(values, nulls, COL_FP_LOCATION, str_nullif_empty(port));
	{
		static const char *const keys[] = {"host", "port"};
		Str			vals[2] = {host, port};

		values[COL_FP_EXTRA] = ingest_text_object(2, keys, vals);
	}
	values[COL_SKIP] = BoolGetDatum(false);

	tuplestore_putvalues(ov->rsinfo->setResult, ov->rsinfo->setDesc, values, nulls);
}

static void
free_item(OvReader *ov, OvItem *it)
{
	MemoryContext cxt = it->cxt;

	if (ov->spare == NULL)
	{
		MemoryContextReset(cxt);
		ov->spare = cxt;
	}
	else
		MemoryContextDelete(cxt);
}

/*
 * Maps the finished results at the head of the queue: a result is mapped
 * once it and every result before it have ended.  The first one with an
 * error stops the mapping; the error is raised after the document's end.
 */
static void
flush_items(OvReader *ov)
{
	while (ov->head != NULL && ov->head->done)
	{
		OvItem	   *it = ov->head;

		ov->head = it->next;
		if (ov->head == NULL)
			ov->tail = NULL;
		if (!ov->failed && it->error.kind != XML_ITEM_OK)
		{
			ov->failed = true;
			xml_item_error_set(&ov->error, it->error.kind, it->error.entity, ov->callcxt);
		}
		if (!ov->failed)
		{
			MemoryContext old = MemoryContextSwitchTo(it->cxt);

			put_item(ov, it);
			MemoryContextSwitchTo(old);
		}
		free_item(ov, it);
	}
	if (ov->failed)
	{
		/* nothing more is mapped: drop what is still open */
		while (ov->head != NULL)
		{
			OvItem	   *it = ov->head;

			ov->head = it->next;
			free_item(ov, it);
		}
		ov->tail = NULL;
	}
}

static void
start_item(OvReader *ov, int depth)
{
	MemoryContext cxt;
	OvItem	   *it;

	CHECK_FOR_INTERRUPTS();
	if (ov->spare != NULL)
	{
		cxt = ov->spare;
		ov->spare = NULL;
	}
	else
		cxt = AllocSetContextCreate(ov->callcxt, "map_openvas result", ALLOCSET_DEFAULT_SIZES);
	it = MemoryContextAllocZero(cxt, sizeof(OvItem));
	it->cxt = cxt;
	it->depth = depth;
	it->field = -1;
	it->list = -1;
	if (ov->tail != NULL)
		ov->tail->next = it;
	else
		ov->head = it;
	ov->tail = it;
}

/* A text column's element starts: its string value is read */
static void
start_field(OvItem *it, int f, int k, bool empty)
{
	if (it->have[f])
	{
		if (f != F_PORT)
			xml_item_error_set(&it->error, XML_ITEM_CARDINALITY, NULL, it->cxt);
		return;
	}
	it->have[f] = true;
	initStringInfo(&it->fields[f]);
	if (!empty)
	{
		it->field = f;
		it->field_depth = k;
	}
}

/* An element starts at depth k within the result */
static void
item_element(OvReader *ov, OvItem *it, int k, bool empty)
{
	xmlTextReaderPtr r = ov->xs.reader;

	if (k == 1)
	{
		if (xml_node_is(r, "name"))
			start_field(it, F_NAME, k, empty);
		else if (xml_node_is(r, "threat"))
			start_field(it, F_THREAT, k, empty);
		else if (xml_node_is(r, "severity"))
			start_field(it, F_SEVERITY, k, empty);
		else if (xml_node_is(r, "description"))
			start_field(it, F_DESCRIPTION, k, empty);
		else if (xml_node_is(r, "port"))
			start_field(it, F_PORT, k, empty);
		else if (xml_node_is(r, "host"))
			it->in_host = !empty && it->host == NULL;
		else if (xml_node_is(r, "nvt"))
		{
			Str			oid = xml_attribute(r, "oid");

			if (oid.s != NULL)
			{
				if (it->oid.s != NULL)
					xml_item_error_set(&it->error, XML_ITEM_CARDINALITY, NULL, it->cxt);
				else
					it->oid = oid;
			}
			it->in_nvt = !empty;
		}
	}
	else if (k == 2 && it->in_nvt)
	{
		if (xml_node_is(r, "name"))
			start_field(it, F_NVT_NAME, k, empty);
		else if (xml_node_is(r, "tags"))
			start_field(it, F_TAGS, k, empty);
		else if (xml_node_is(r, "severities"))
			it->in_severities = !empty;
		else if (xml_node_is(r, "refs"))
			it->in_refs = !empty;
		else if (xml_node_is(r, "cve"))
			it->list = empty ? -1 : L_CVE;
		else if (xml_node_is(r, "xref"))
			it->list = empty ? -1 : L_XREF;
	}
	else if (k == 3 && it->in_refs)
	{
		if (xml_node_is(r, "ref"))
		{
			Str			type = xml_attribute(r, "type");
			Str			id;
			int			l;

			if (str_eq(type, "cve"))
				l = L_REF_CVE;
			else if (str_eq(type, "cwe"))
				l = L_REF_CWE;
			else if (str_eq(type, "url"))
				l = L_REF_URL;
			else
				return;
			id = xml_attribute(r, "id");
			if (id.s != NULL)
				strlist_add(&it->lists[l], cstr(escape_xml(id.s)));
		}
	}
	else if (k == 3 && it->in_severities)
	{
		if (xml_node_is(r, "severity") && !empty)
		{
			it->in_severity = true;
			it->value_seen = false;
			it->value_text = NULL;
			initStringInfo(&it->first_value);
		}
	}
	else if (k == 4 && it->in_severity)
	{
		if (xml_node_is(r, "value"))
		{
			if (!it->value_seen)
			{
				it->value_seen = true;
				it->in_first_value = !empty;
			}
			it->in_value = !empty;
		}
	}
}

/* An element ends at depth k within the result */
static void
item_element_end(OvItem *it, int k)
{
	if (it->field >= 0 && k == it->field_depth)
		it->field = -1;
	switch (k)
	{
		case 0:
			it->done = true;
			break;
		case 1:
			it->in_host = false;
			it->in_nvt = false;
			break;
		case 2:
			it->in_severities = false;
			it->in_refs = false;
			it->list = -1;
			break;
		case 3:
			/* severity[starts-with(value, "CVSS:")]/value/text(), the first */
			if (it->in_severity && it->sev_vector == NULL && it->value_text != NULL &&
				it->first_value.len >= CVSS_PREFIX_LEN &&
				memcmp(it->first_value.data, CVSS_PREFIX, CVSS_PREFIX_LEN) == 0)
				it->sev_vector = it->value_text;
			it->in_severity = false;
			break;
		case 4:
			it->in_value = false;
			it->in_first_value = false;
			break;
		default:
			break;
	}
}

/* A text, CDATA or whitespace node at depth k within the result */
static void
item_text(OvItem *it, int type, int k, const char *v)
{
	if (it->field >= 0 && k > it->field_depth)
		appendStringInfoString(&it->fields[it->field], v);
	if (it->in_host && k == 2 && it->host == NULL)
	{
		it->host = pstrdup(v);
		it->in_host = false;
	}
	if (it->list >= 0 && k == 3)
		strlist_add(&it->lists[it->list], cstr(xml_text_node_value(type, v)));
	if (it->in_first_value && k >= 5 && it->first_value.len < CVSS_PREFIX_LEN)
		appendStringInfoString(&it->first_value, v);
	if (it->in_value && k == 5 && it->value_text == NULL)
		it->value_text = xml_text_node_value(type, v);
}

static void
element_start(OvReader *ov, int depth, bool empty)
{
	xmlTextReaderPtr r = ov->xs.reader;
	const xmlChar *entity;

	if (depth + 1 >= ov->results_cap)
	{
		int			cap = Max(64, ov->results_cap * 2);

		ov->results_at = ov->results_at == NULL
			? MemoryContextAllocZero(ov->callcxt, cap * sizeof(bool))
			: repalloc(ov->results_at, cap * sizeof(bool));
		ov->results_cap = cap;
	}
	if (!ov->failed && depth > 0 && ov->results_at[depth - 1] && xml_node_is(r, "result"))
		start_item(ov, depth);

	if (ov->head != NULL)
	{
		entity = xml_attribute_entity(r);
		for (OvItem *it = ov->head; it != NULL; it = it->next)
		{
			MemoryContext old;

			if (it->done)
				continue;
			if (entity != NULL)
				xml_item_error_set(&it->error, XML_ITEM_ENTITY, (const char *) entity, it->cxt);
			old = MemoryContextSwitchTo(it->cxt);
			item_element(ov, it, depth - it->depth, empty);
			if (empty)
				item_element_end(it, depth - it->depth);
			MemoryContextSwitchTo(old);
		}
	}
	ov->results_at[depth] = !empty && xml_node_is(r, "results");
	if (empty && ov->tail != NULL && ov->tail->done)
		flush_items(ov);
}

static void
element_end(OvReader *ov, int depth)
{
	bool		ended = false;

	ov->results_at[depth] = false;
	for (OvItem *it = ov->head; it != NULL; it = it->next)
	{
		if (it->done)
			continue;
		item_element_end(it, depth - it->depth);
		ended |= it->done;
	}
	if (ended)
		flush_items(ov);
}

static void
text_node(OvReader *ov, int type, int depth)
{
	xmlTextReaderPtr r = ov->xs.reader;
	const char *v;

	if (type == XML_READER_TYPE_ENTITY_REFERENCE)
	{
		for (OvItem *it = ov->head; it != NULL; it = it->next)
			if (!it->done)
				xml_item_error_set(&it->error, XML_ITEM_ENTITY, (const char *) xmlTextReaderConstName(r), it->cxt);
		return;
	}
	v = (const char *) xmlTextReaderConstValue(r);
	if (v == NULL)
		v = "";
	for (OvItem *it = ov->head; it != NULL; it = it->next)
	{
		MemoryContext old;

		if (it->done)
			continue;
		old = MemoryContextSwitchTo(it->cxt);
		item_text(it, type, depth - it->depth, v);
		MemoryContextSwitchTo(old);
	}
}

/*
 * compmap.map_openvas_text(document text) RETURNS SETOF compmap.ingest_record
 */
PG_FUNCTION_INFO_V1(compmap_map_openvas_text);
Datum
compmap_map_openvas_text(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	OvReader	ov;

	InitMaterializedSRF(fcinfo, 0);
	memset(&ov, 0, sizeof(ov));
	ov.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ov.callcxt = CurrentMemoryContext;
	ingest_state_init(&ov.st);
	xml_stream_open(&ov.xs, doc, "openvas");
	PG_TRY();
	{
		xmlTextReaderPtr r = ov.xs.reader;

		while (xml_stream_next(&ov.xs))
		{
			int			type = xmlTextReaderNodeType(r);

			switch (type)
			{
				case XML_READER_TYPE_ELEMENT:
					element_start(&ov, xmlTextReaderDepth(r), xmlTextReaderIsEmptyElement(r) == 1);
					break;
				case XML_READER_TYPE_END_ELEMENT:
					element_end(&ov, xmlTextReaderDepth(r));
					break;
				case XML_READER_TYPE_TEXT:
				case XML_READER_TYPE_CDATA:
				case XML_READER_TYPE_WHITESPACE:
				case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
				case XML_READER_TYPE_ENTITY_REFERENCE:
					if (ov.head != NULL)
						text_node(&ov, type, xmlTextReaderDepth(r));
					break;
				default:
					break;
			}
		}
	}
	PG_CATCH();
	{
		xml_stream_abort(&ov.xs);
		PG_RE_THROW();
	}
	PG_END_TRY();
	xml_stream_close(&ov.xs);
	if (ov.failed)
		xml_item_error_raise(&ov.error);
	if (ov.spare != NULL)
		MemoryContextDelete(ov.spare);
	return (Datum) 0;
}
