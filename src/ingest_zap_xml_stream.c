/*-------------------------------------------------------------------------
 *
 * ingest_zap_xml_stream.c
 *	  compmap.map_zap_xml_text(text): the rows map_zap_xml(document::xml)
 *	  returns, in the same order, read from the report's text with
 *	  libxml2's streaming xmlTextReader (ingest_xml_stream.c) instead of the
 *	  tree of the whole report.
 *
 * This file keeps one site's name and one alertitem's values, mapped as
 * soon as the alertitem ends; the instances (in the "xml-plus" format with
 * their requests and responses, most of a big report) are read past,
 * except for the first uri.  The SQL reference is
 * compmap.map_zap_xml_reference() (src/sql/70_ingest.sql), an XMLTABLE over
 * /OWASPZAPReport/site/alerts/alertitem; what it does is kept:
 *   * a text column is the XPath string value of the one child of that
 *     name: all descendant text and CDATA, a reference to an entity of the
 *     document's DTD read as the entity's text; NULL when missing; a second
 *     child of the same name is XMLTABLE's error 21000;
 *   * the uri is normalize-space((instances/instance/uri | uri)[1]), the
 *     string value of whichever of those comes first;
 *   * the site is the site element's name attribute;
 *   * names match only elements and attributes outside any namespace.
 * An error of an alertitem is raised once the whole document has been
 * read, so that a malformed document fails as XMLPARSE would have first
 * refused it.  test/scripts/zap_xml_stream.sh compares the two row by row.
 *
 * Memory: a site's name lives in a context reset by the next site, an
 * alertitem's values in one reset once its row is in the tuplestore.
 * Interrupts are checked per alertitem and every few thousand nodes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "compmap.h"
#include "ingest_json.h"
#include "ingest_xml_stream.h"

/* The text columns of an alertitem */
enum
{
	F_PLUGIN_ID,
	F_ALERT_REF,
	F_ALERT,
	F_NAME,
	F_RISKCODE,
	F_RISKDESC,
	F_DESC,
	F_SOLUTION,
	F_REFERENCE,
	F_CWEID,
	F_COUNT,
	NUM_FIELDS
};

static const char *const field_names[NUM_FIELDS] = {
	"pluginid", "alertRef", "alert", "name", "riskcode", "riskdesc", "desc",
	"solution", "reference", "cweid", "count"
};

/* One alertitem being read */
typedef struct ZapItem
{
	StringInfoData fields[NUM_FIELDS];
	bool		have[NUM_FIELDS];
	StringInfoData uri;
	bool		have_uri;
} ZapItem;

typedef struct ZapReader
{
	ReturnSetInfo *rsinfo;
	IngestState st;
	XmlStream	xs;
	MemoryContext callcxt;
	MemoryContext site_cxt;
	MemoryContext item_cxt;

	/* where the reader is */
	bool		root_ok;		/* the root is OWASPZAPReport */
	bool		in_site;
	bool		in_alerts;
	bool		in_item;
	bool		in_instances;	/* alertitem/instances */
	bool		in_instance;	/* alertitem/instances/instance */
	StringInfo	capture;		/* the string value being read, or NULL */
	int			capture_depth;
	Str			site;
	ZapItem    *item;

	/* the first alertitem's error (21000), raised at the end */
	bool		failed;
} ZapReader;

/* replace(x, from, to), from not empty */
static Str
str_replace_all(Str x, const char *from, const char *to)
{
	int			flen = strlen(from);
	StringInfoData out;
	int			p = 0;

	if (x.s == NULL || x.len < flen)
		return x;
	initStringInfo(&out);
	for (int i = 0; i + flen <= x.len;)
	{
		if (x.s[i] == from[0] && memcmp(x.s + i, from, flen) == 0)
		{
			appendBinaryStringInfo(&out, x.s + p, i - p);
			appendStringInfoString(&out, to);
			i += flen;
			p = i;
		}
		else
			i++;
	}
	if (p == 0)
		return x;
	appendBinaryStringInfo(&out, x.s + p, x.len - p);
	x.s = out.data;
	x.len = out.len;
	return x;
}

/* regexp_replace(x, pattern, replacement, 'g'), PostgreSQL's own */
static Str
regexp_replace_g(Str x, const char *pattern, const char *replacement)
{
	text	   *r;

	r = DatumGetTextPP(DirectFunctionCall4Coll(textregexreplace, DEFAULT_COLLATION_OID,
											   PointerGetDatum(cstring_to_text_with_len(x.s, x.len)),
											   CStringGetTextDatum(pattern),
											   CStringGetTextDatum(replacement),
											   CStringGetTextDatum("g")));
	x.s = VARDATA_ANY(r);
	x.len = VARSIZE_ANY_EXHDR(r);
	return x;
}

/*
 * ingest_strip_html(html):
 *   nullif(btrim(replace(replace(replace(replace(replace(
 *       regexp_replace(regexp_replace(html, '</p>\s*<p>', E'\n', 'g'), '<[^>]*>', '', 'g'),
 *       '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&'), E' \t\r\n'), '')
 * (the regular expressions by PostgreSQL's engine, only on text that has a
 * tag to match)
 */
static Str
strip_html(Str x)
{
	if (x.s == NULL)
		return x;
	if (memchr(x.s, '<', x.len) != NULL)
	{
		x = regexp_replace_g(x, "</p>\\s*<p>", "\n");
		if (memchr(x.s, '<', x.len) != NULL)
			x = regexp_replace_g(x, "<[^>]*>", "");
	}
	if (memchr(x.s, '&', x.len) != NULL)
	{
		x = str_replace_all(x, "&lt;", "<");
		x = str_replace_all(x, "&gt;", ">");
		x = str_replace_all(x, "&quot;", "\"");
		x = str_replace_all(x, "&#39;", "'");
		x = str_replace_all(x, "&amp;", "&");
	}
	return str_nullif_empty(str_btrim(x, " \t\r\n"));
}

/* split_part(x, ' ', 1) */
static Str
first_word(Str x)
{
	const char *sp;

	if (x.s == NULL)
		return x;
	sp = memchr(x.s, ' ', x.len);
	if (sp != NULL)
		x.len = sp - x.s;
	return x;
}

/* The row of one alertitem, as map_zap_xml_reference builds it */
static void
put_item(ZapReader *zr)
{
	ZapItem    *it = zr->item;
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Str			plugin_id = xml_field_str(it->fields, it->have, F_PLUGIN_ID);
	Str			risk = xml_field_str(it->fields, it->have, F_RISKCODE);
	Str			site = zr->site;
	Str			uri;
	Str			title;

	memset(nulls, 0, sizeof(nulls));
	values[COL_SCANNER] = CStringGetTextDatum("zap");
	set_text(values, nulls, COL_RULE_ID, coalesce_str(str_nullif_empty(xml_field_str(it->fields, it->have, F_ALERT_REF)), plugin_id));

	title = ingest_title_of(&zr->st, xml_field_str(it->fields, it->have, F_NAME));
	if (title.s == NULL)
		title = ingest_title_of(&zr->st, xml_field_str(it->fields, it->have, F_ALERT));
	if (title.s == NULL)
		title = str_cat2(cstr("ZAP alert "), plugin_id);
	set_text(values, nulls, COL_TITLE, title);

	if (risk.s != NULL && risk.len == 1 && risk.s[0] >= '0' && risk.s[0] <= '3')
	{
		static const char *const names[] = {"info", "low", "medium", "high"};

		values[COL_SCANNER_SEVERITY] = CStringGetTextDatum(names[risk.s[0] - '0']);
	}
	else
		set_text(values, nulls, COL_SCANNER_SEVERITY, first_word(xml_field_str(it->fields, it->have, F_RISKDESC)));

	nulls[COL_CVSS_VECTOR] = true;
	values[COL_CVE_IDS] = PointerGetDatum(construct_empty_array(TEXTOID));
	{
		Int64List	cwes = {0};

		int64list_add(&cwes, ingest_cwe_number(xml_field_str(it->fields, it->have, F_CWEID)));
		values[COL_CWE_IDS] = ingest_cwe_array(&cwes);
	}
	values[COL_ASSET_KIND] = CStringGetTextDatum("url");
	values[COL_ASSET_NAME] = str_datum(coalesce_str(str_nullif_empty(site), cstr("unknown")));

	uri = xml_normalize_space(it->have_uri ? (Str) {it->uri.data, it->uri.len} : cstr(""));
	set_text(values, nulls, COL_LOCATION, coalesce_str(str_nullif_empty(uri), site));
	{
		Str			parts[3] = {
			strip_html(xml_field_str(it->fields, it->have, F_DESC)),
			str_cat2(cstr("Solution: "), strip_html(xml_field_str(it->fields, it->have, F_SOLUTION))),
			str_cat2(cstr("Instances: "), str_nullif_empty(xml_field_str(it->fields, it->have, F_COUNT)))
		};

		values[COL_DESCRIPTION] = str_datum(str_concat_ws("\n\n", 3, parts));
	}
	{
		StrList		urls = {0};

		ingest_find_urls(&zr->st, xml_field_str(it->fields, it->have, F_REFERENCE), &urls);
		values[COL_REFERENCE_URLS] = ingest_url_array(&urls);
	}
	nulls[COL_FP_LOCATION] = true;
	values[COL_FP_EXTRA] = ingest_text_object(0, NULL, NULL);
	values[COL_SKIP] = BoolGetDatum(false);

	tuplestore_putvalues(zr->rsinfo->setResult, zr->rsinfo->setDesc, values, nulls);
}

/* A string value starts: the reader's element at depth d */
static void
start_capture(ZapReader *zr, StringInfo buf, int depth, bool empty)
{
	MemoryContext old = MemoryContextSwitchTo(zr->item_cxt);

	initStringInfo(buf);
	MemoryContextSwitchTo(old);
	if (!empty)
	{
		zr->capture = buf;
		zr->capture_depth = depth;
	}
}

/* An element start (the reader is on it) */
static void
element_start(ZapReader *zr, int depth, bool empty)
{
	xmlTextReaderPtr r = zr->xs.reader;

	switch (depth)
	{
		case 0:
			zr->root_ok = xml_node_is(r, "OWASPZAPReport");
			break;
		case 1:
			if (zr->root_ok && xml_node_is(r, "site") && !empty)
			{
				MemoryContext old;

				MemoryContextReset(zr->site_cxt);
				old = MemoryContextSwitchTo(zr->site_cxt);
				zr->site = xml_attribute(r, "name");
				MemoryContextSwitchTo(old);
				zr->in_site = true;
			}
			break;
		case 2:
			if (zr->in_site && xml_node_is(r, "alerts") && !empty)
				zr->in_alerts = true;
			break;
		case 3:
			if (zr->in_alerts && !zr->failed && xml_node_is(r, "alertitem"))
			{
				CHECK_FOR_INTERRUPTS();
				MemoryContextReset(zr->item_cxt);
				zr->item = MemoryContextAllocZero(zr->item_cxt, sizeof(ZapItem));
				zr->in_item = true;
				if (empty)
				{
					MemoryContext old = MemoryContextSwitchTo(zr->item_cxt);

					put_item(zr);
					MemoryContextSwitchTo(old);
					zr->in_item = false;
				}
			}
			break;
		case 4:
			if (!zr->in_item)
				break;
			for (int f = 0; f < NUM_FIELDS; f++)
			{
				if (!xml_node_is(r, field_names[f]))
					continue;
				if (zr->item->have[f])
				{
					/* XMLTABLE's 21000: nothing more is mapped */
					zr->failed = true;
					zr->in_item = false;
					return;
				}
				zr->item->have[f] = true;
				start_capture(zr, &zr->item->fields[f], depth, empty);
				return;
			}
			if (xml_node_is(r, "uri") && !zr->item->have_uri)
			{
				zr->item->have_uri = true;
				start_capture(zr, &zr->item->uri, depth, empty);
			}
			else if (xml_node_is(r, "instances"))
				zr->in_instances = !empty;
			break;
		case 5:
			if (zr->in_instances && xml_node_is(r, "instance"))
				zr->in_instance = !empty;
			break;
		case 6:
			if (zr->in_instance && xml_node_is(r, "uri") && !zr->item->have_uri)
			{
				zr->item->have_uri = true;
				start_capture(zr, &zr->item->uri, depth, empty);
			}
			break;
		default:
			break;
	}
}

static void
element_end(ZapReader *zr, int depth)
{
	if (zr->capture != NULL && depth == zr->capture_depth)
		zr->capture = NULL;
	switch (depth)
	{
		case 1:
			zr->in_site = false;
			break;
		case 2:
			zr->in_alerts = false;
			break;
		case 3:
			if (zr->in_item)
			{
				MemoryContext old = MemoryContextSwitchTo(zr->item_cxt);

				put_item(zr);
				MemoryContextSwitchTo(old);
				MemoryContextReset(zr->item_cxt);
				zr->item = NULL;
				zr->in_item = false;
			}
			zr->in_instances = false;
			zr->in_instance = false;
			zr->capture = NULL;
			break;
		case 4:
			zr->in_instances = false;
			break;
		case 5:
			zr->in_instance = false;
			break;
		default:
			break;
	}
}

/* A text, CDATA, whitespace or entity reference node inside a string value */
static void
captured_text(ZapReader *zr, int type)
{
	xmlTextReaderPtr r = zr->xs.reader;
	MemoryContext old = MemoryContextSwitchTo(zr->item_cxt);

	if (type == XML_READER_TYPE_ENTITY_REFERENCE)
		appendStringInfoString(zr->capture, xml_entity_text(r));
	else
	{
		const char *v = (const char *) xmlTextReaderConstValue(r);

		if (v != NULL)
			appendStringInfoString(zr->capture, v);
	}
	MemoryContextSwitchTo(old);
}

/*
 * compmap.map_zap_xml_text(document text) RETURNS SETOF compmap.ingest_record
 */
PG_FUNCTION_INFO_V1(compmap_map_zap_xml_text);
Datum
compmap_map_zap_xml_text(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	ZapReader	zr;

	InitMaterializedSRF(fcinfo, 0);
	memset(&zr, 0, sizeof(zr));
	zr.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	zr.callcxt = CurrentMemoryContext;
	ingest_state_init(&zr.st);
	zr.site_cxt = AllocSetContextCreate(zr.callcxt, "map_zap_xml site", ALLOCSET_SMALL_SIZES);
	zr.item_cxt = AllocSetContextCreate(zr.callcxt, "map_zap_xml alertitem", ALLOCSET_DEFAULT_SIZES);
	xml_stream_open(&zr.xs, doc, "zap");
	PG_TRY();
	{
		xmlTextReaderPtr r = zr.xs.reader;

		while (xml_stream_next(&zr.xs))
		{
			int			type = xmlTextReaderNodeType(r);

			switch (type)
			{
				case XML_READER_TYPE_ELEMENT:
					element_start(&zr, xmlTextReaderDepth(r), xmlTextReaderIsEmptyElement(r) == 1);
					break;
				case XML_READER_TYPE_END_ELEMENT:
					element_end(&zr, xmlTextReaderDepth(r));
					break;
				case XML_READER_TYPE_TEXT:
				case XML_READER_TYPE_CDATA:
				case XML_READER_TYPE_WHITESPACE:
				case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
				case XML_READER_TYPE_ENTITY_REFERENCE:
					if (zr.capture != NULL)
						captured_text(&zr, type);
					break;
				default:
					break;
			}
		}
	}
	PG_CATCH();
	{
		xml_stream_abort(&zr.xs);
		PG_RE_THROW();
	}
	PG_END_TRY();
	xml_stream_close(&zr.xs);
	if (zr.failed)
		xml_cardinality_error();
	MemoryContextDelete(zr.item_cxt);
	MemoryContextDelete(zr.site_cxt);
	return (Datum) 0;
}
