/*-------------------------------------------------------------------------
 *
 * ingest_nessus_stream.c
 *	  compmap.map_nessus_text(text): the rows map_nessus(document::xml)
 *	  returns, in the same order, read from the document's text with
 *	  libxml2's streaming xmlTextReader instead of the tree of the whole
 *	  file (the reading itself, and compmap.xml_scan() that ingest_parse
 *	  calls first, are in ingest_xml_stream.c).
 *
 * The reader keeps only the node it is on and its ancestors; this file
 * keeps one ReportHost's name and one ReportItem's attributes and child
 * texts, mapped as soon as the item ends.  The SQL reference is
 * compmap.map_nessus_reference() (src/sql/70_ingest.sql), an XMLTABLE over
 * /NessusClientData_v2/Report/ReportHost/ReportItem; what it does is kept:
 *   * a text column is the XPath string value of the one direct child of
 *     that name: all descendant text and CDATA, whitespace kept as the
 *     text-to-xml cast keeps it; NULL when missing; a second child of the
 *     same name is XMLTABLE's error 21000;
 *   * see_also may repeat (Tenable's web application scanner writes one
 *     per URL): the URLs are looked for in each one's string value, in
 *     order, which is the same as looking in their values joined by
 *     newlines (a URL ends at white space);
 *   * cve, cwe and xref are xpath('/ReportItem/x/text()', item)::text[]:
 *     one value per direct text child, XML-escaped as xpath() returns text
 *     nodes, and a CDATA child as its markup, as xpath() serializes it;
 *   * names match only elements and attributes outside any namespace;
 *   * a reference to an entity of the document's DTD inside an item (its
 *     content or attributes) fails with 2200N, as xpath() fails on the
 *     reference's serialized item;
 *   * an item's 21000 or 2200N is raised once the whole document has been
 *     read (XmlItemError), so that a malformed document fails as XMLPARSE
 *     fails it, whatever comes first in the text.
 * test/scripts/nessus_stream.sh compares the two row by row.
 *
 * Parsing is PostgreSQL's, as ingest_xml_stream.c reads a document: a
 * malformed one fails as ingest_parse_xml(document, 'nessus') does.
 *
 * Memory: a ReportHost's name lives in a context reset by the next host,
 * an item's values in one reset once its row is in the tuplestore.
 * Interrupts are checked per item and every few thousand nodes.
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

/* The single-valued children of a ReportItem that the mapping reads. */
enum
{
	F_RISK_FACTOR,
	F_SYNOPSIS,
	F_DESCRIPTION,
	F_SOLUTION,
	F_SEE_ALSO,
	F_CVSS3,
	F_CVSS4,
	NUM_FIELDS
};

static const char *const field_names[NUM_FIELDS] = {
	"risk_factor", "synopsis", "description", "solution", "see_also",
	"cvss3_vector", "cvss4_vector"
};

/* The repeated children read as lists of text nodes. */
enum
{
	L_CVE,
	L_CWE,
	L_XREF,
	NUM_LISTS
};

static const char *const list_names[NUM_LISTS] = {"cve", "cwe", "xref"};

/* ReportItem attributes, in the order read. */
enum
{
	A_PLUGIN_ID,
	A_PLUGIN_NAME,
	A_PORT,
	A_PROTOCOL,
	A_SVC,
	A_SEVERITY,
	NUM_ATTRS
};

static const char *const attr_names[NUM_ATTRS] = {
	"pluginID", "pluginName", "port", "protocol", "svc_name", "severity"
};

/* One ReportItem being read. */
typedef struct NessusItem
{
	Str			attrs[NUM_ATTRS];
	StringInfoData fields[NUM_FIELDS];
	bool		have[NUM_FIELDS];
	StrList		lists[NUM_LISTS];
	XmlItemError error;		/* raised once the document has been read */
} NessusItem;

typedef struct NessusReader
{
	ReturnSetInfo *rsinfo;
	IngestState st;
	XmlStream	xs;
	xmlTextReaderPtr reader;
	MemoryContext host_cxt;
	MemoryContext item_cxt;

	/* where the reader is */
	bool		root_ok;		/* the root is NessusClientData_v2 */
	bool		in_report;
	bool		in_host;
	bool		in_item;
	int			field;			/* the depth-4 child being read, or -1 */
	int			list;
	Str			host;
	NessusItem *item;

	/* the first item's error, raised at the end; nothing is mapped after it */
	bool		failed;
	XmlItemError error;
} NessusReader;

/* nullif(btrim(x), '') */
static inline Str
trimmed_or_null(Str x)
{
	return str_nullif_empty(str_btrim(x, " "));
}

/* ILIKE 'CWE:%' */
static inline bool
starts_cwe(Str x)
{
	return x.len >= 4 && ascii_lower(x.s[0]) == 'c' && ascii_lower(x.s[1]) == 'w' &&
		ascii_lower(x.s[2]) == 'e' && x.s[3] == ':';
}

/* The row of one ReportItem, as map_nessus_reference builds it */
static void
put_item(NessusReader *nr)
{
	NessusItem *it = nr->item;
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Str			plugin_id = it->attrs[A_PLUGIN_ID];
	Str			sev = it->attrs[A_SEVERITY];
	Str			host = (nr->host.s != NULL && nr->host.len > 0) ? nr->host : cstr("unknown");
	Str			port_proto;
	Str			title;
	Str			cvss4,
				cvss3;

	memset(nulls, 0, sizeof(nulls));
	values[COL_SCANNER] = CStringGetTextDatum("nessus");
	set_text(values, nulls, COL_RULE_ID, plugin_id);

	title = ingest_title_of(&nr->st, it->attrs[A_PLUGIN_NAME]);
	if (title.s == NULL)
		title = str_cat2(cstr("Nessus plugin "), plugin_id);
	set_text(values, nulls, COL_TITLE, title);

	if (sev.s != NULL && sev.len == 1 && sev.s[0] >= '0' && sev.s[0] <= '4')
	{
		static const char *const names[] = {"info", "low", "medium", "high", "critical"};

		values[COL_SCANNER_SEVERITY] = CStringGetTextDatum(names[sev.s[0] - '0']);
	}
	else
		set_text(values, nulls, COL_SCANNER_SEVERITY, xml_field_str(it->fields, it->have, F_RISK_FACTOR));

	cvss4 = trimmed_or_null(xml_field_str(it->fields, it->have, F_CVSS4));
	cvss3 = trimmed_or_null(xml_field_str(it->fields, it->have, F_CVSS3));
	if (cvss4.s != NULL)
		set_text(values, nulls, COL_CVSS_VECTOR, cvss4);
	else if (cvss3.s != NULL && cvss3.len >= 5 && memcmp(cvss3.s, "CVSS:", 5) == 0)
		set_text(values, nulls, COL_CVSS_VECTOR, cvss3);
	else if (cvss3.s != NULL)
		set_text(values, nulls, COL_CVSS_VECTOR, str_cat2(cstr("CVSS:3.0/"), cvss3));
	else
		nulls[COL_CVSS_VECTOR] = true;

	{
		StrList		cves = {0};
		Int64List	cwes = {0};

		for (int i = 0; i < it->lists[L_CVE].n; i++)
			ingest_find_cves(it->lists[L_CVE].items[i].str, &cves);
		values[COL_CVE_IDS] = ingest_cve_array(&cves);
		for (int i = 0; i < it->lists[L_CWE].n; i++)
			int64list_add(&cwes, ingest_cwe_number(it->lists[L_CWE].items[i].str));
		for (int i = 0; i < it->lists[L_XREF].n; i++)
			if (starts_cwe(it->lists[L_XREF].items[i].str))
				int64list_add(&cwes, ingest_cwe_number(it->lists[L_XREF].items[i].str));
		values[COL_CWE_IDS] = ingest_cwe_array(&cwes);
	}

	values[COL_ASSET_KIND] = CStringGetTextDatum("host");
	values[COL_ASSET_NAME] = str_datum(host);

	/* coalesce(port, '0') || '/' || coalesce(protocol, '') */
	{
		Str			parts[3] = {coalesce_str(it->attrs[A_PORT], cstr("0")), cstr("/"),
		coalesce_str(it->attrs[A_PROTOCOL], cstr(""))};

		port_proto = str_cat(3, parts);
	}
	{
		Str			svc = it->attrs[A_SVC];

		if (svc.s != NULL && svc.len > 0)
		{
			Str			parts[4] = {port_proto, cstr(" ("), svc, cstr(")")};

			values[COL_LOCATION] = str_datum(str_cat(4, parts));
		}
		else
			values[COL_LOCATION] = str_datum(port_proto);
	}
	{
		Str			parts[3] = {
			trimmed_or_null(xml_field_str(it->fields, it->have, F_SYNOPSIS)),
			trimmed_or_null(xml_field_str(it->fields, it->have, F_DESCRIPTION)),
			str_cat2(cstr("Solution: "), trimmed_or_null(xml_field_str(it->fields, it->have, F_SOLUTION)))
		};

		values[COL_DESCRIPTION] = str_datum(str_concat_ws("\n\n", 3, parts));
	}
	{
		StrList		urls = {0};

		ingest_find_urls(&nr->st, xml_field_str(it->fields, it->have, F_SEE_ALSO), &urls);
		values[COL_REFERENCE_URLS] = ingest_url_array(&urls);
	}
	values[COL_FP_LOCATION] = str_datum(port_proto);
	{
		static const char *const keys[] = {"host"};

		values[COL_FP_EXTRA] = ingest_text_object(1, keys, &host);
	}
	values[COL_SKIP] = BoolGetDatum(false);

	tuplestore_putvalues(nr->rsinfo->setResult, nr->rsinfo->setDesc, values, nulls);
}

static void
start_item(NessusReader *nr)
{
	NessusItem *it;

	CHECK_FOR_INTERRUPTS();
	MemoryContextReset(nr->item_cxt);
	it = MemoryContextAllocZero(nr->item_cxt, sizeof(NessusItem));
	MemoryContextSwitchTo(nr->item_cxt);
	for (int i = 0; i < NUM_ATTRS; i++)
		it->attrs[i] = xml_attribute(nr->reader, attr_names[i]);
	nr->item = it;
	nr->field = -1;
	nr->list = -1;
}

static void
end_item(NessusReader *nr, MemoryContext callcxt)
{
	if (!nr->failed && nr->item->error.kind != XML_ITEM_OK)
	{
		nr->failed = true;
		xml_item_error_set(&nr->error, nr->item->error.kind, nr->item->error.entity, callcxt);
	}
	if (!nr->failed)
		put_item(nr);
	MemoryContextSwitchTo(callcxt);
	MemoryContextReset(nr->item_cxt);
	nr->item = NULL;
	nr->in_item = false;
}

/*
 * The reference's item column is each item serialized, where a reference
 * to an entity of the document's DTD is undefined when it is parsed again:
 * it fails with 2200N, and so does this (at the end), for such a reference in the
 * item's content (item_text()) or in an attribute of the item or an
 * element in it.
 */
static void
check_attribute_entities(NessusReader *nr)
{
	const xmlChar *name = xml_attribute_entity(nr->reader);

	if (name != NULL)
		xml_item_error_set(&nr->item->error, XML_ITEM_ENTITY, (const char *) name, nr->item_cxt);
}

/* An element start (the reader is on it) */
static void
element_start(NessusReader *nr, int depth, bool empty, MemoryContext callcxt)
{
	xmlTextReaderPtr r = nr->reader;

	if (nr->in_item && depth >= 4)
		check_attribute_entities(nr);
	switch (depth)
	{
		case 0:
			nr->root_ok = xml_node_is(r, "NessusClientData_v2");
			break;
		case 1:
			if (nr->root_ok && xml_node_is(r, "Report"))
				nr->in_report = !empty;
			break;
		case 2:
			if (nr->in_report && xml_node_is(r, "ReportHost") && !empty)
			{
				MemoryContext old;

				MemoryContextReset(nr->host_cxt);
				old = MemoryContextSwitchTo(nr->host_cxt);
				nr->host = xml_attribute(r, "name");
				MemoryContextSwitchTo(old);
				nr->in_host = true;
			}
			break;
		case 3:
			if (nr->in_host && xml_node_is(r, "ReportItem"))
			{
				start_item(nr);
				check_attribute_entities(nr);
				nr->in_item = true;
				if (empty)
					end_item(nr, callcxt);
			}
			break;
		case 4:
			if (!nr->in_item)
				break;
			for (int f = 0; f < NUM_FIELDS; f++)
			{
				if (!xml_node_is(r, field_names[f]))
					continue;
				if (nr->item->have[f] && f == F_SEE_ALSO)
					appendStringInfoChar(&nr->item->fields[f], '\n');
				else if (nr->item->have[f])
				{
					xml_item_error_set(&nr->item->error, XML_ITEM_CARDINALITY, NULL, nr->item_cxt);
					return;
				}
				else
					initStringInfo(&nr->item->fields[f]);
				nr->item->have[f] = true;
				if (!empty)
					nr->field = f;
				return;
			}
			for (int l = 0; l < NUM_LISTS; l++)
			{
				if (xml_node_is(r, list_names[l]))
				{
					if (!empty)
						nr->list = l;
					return;
				}
			}
			break;
		default:
			break;
	}
}

static void
element_end(NessusReader *nr, int depth, MemoryContext callcxt)
{
	switch (depth)
	{
		case 1:
			nr->in_report = false;
			break;
		case 2:
			nr->in_host = false;
			break;
		case 3:
			if (nr->in_item)
				end_item(nr, callcxt);
			break;
		case 4:
			nr->field = -1;
			nr->list = -1;
			break;
		default:
			break;
	}
}

/* A text, CDATA, whitespace or entity reference node inside an item */
static void
item_text(NessusReader *nr, int type, int depth)
{
	xmlTextReaderPtr r = nr->reader;
	const char *v;

	/* as xpath() of the reference's serialized item fails */
	if (type == XML_READER_TYPE_ENTITY_REFERENCE)
	{
		xml_item_error_set(&nr->item->error, XML_ITEM_ENTITY, (const char *) xmlTextReaderConstName(r), nr->item_cxt);
		return;
	}
	v = (const char *) xmlTextReaderConstValue(r);
	if (v == NULL)
		v = "";

	if (nr->field >= 0 && depth >= 5)
		appendStringInfoString(&nr->item->fields[nr->field], v);
	else if (nr->list >= 0 && depth == 5)
		strlist_add(&nr->item->lists[nr->list], cstr(xml_text_node_value(type, v)));
}

/* The reader's loop; the caller cleans up after an error */
static void
read_nodes(NessusReader *nr, MemoryContext callcxt)
{
	xmlTextReaderPtr reader = nr->reader;

	while (xml_stream_next(&nr->xs))
	{
		int			type = xmlTextReaderNodeType(reader);
		int			depth = xmlTextReaderDepth(reader);

		switch (type)
		{
			case XML_READER_TYPE_ELEMENT:
				element_start(nr, depth, xmlTextReaderIsEmptyElement(reader) == 1, callcxt);
				break;
			case XML_READER_TYPE_END_ELEMENT:
				element_end(nr, depth, callcxt);
				break;
			case XML_READER_TYPE_TEXT:
			case XML_READER_TYPE_CDATA:
			case XML_READER_TYPE_WHITESPACE:
			case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			case XML_READER_TYPE_ENTITY_REFERENCE:
				if (nr->in_item)
					item_text(nr, type, depth);
				break;
			default:
				break;
		}
	}
}

/*
 * compmap.map_nessus_text(document text) RETURNS SETOF compmap.ingest_record
 */
PG_FUNCTION_INFO_V1(compmap_map_nessus_text);
Datum
compmap_map_nessus_text(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	MemoryContext callcxt = CurrentMemoryContext;
	NessusReader nr;

	InitMaterializedSRF(fcinfo, 0);
	memset(&nr, 0, sizeof(nr));
	nr.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ingest_state_init(&nr.st);
	nr.host_cxt = AllocSetContextCreate(callcxt, "map_nessus host", ALLOCSET_SMALL_SIZES);
	nr.item_cxt = AllocSetContextCreate(callcxt, "map_nessus item", ALLOCSET_DEFAULT_SIZES);
	nr.field = -1;
	nr.list = -1;
	xml_stream_open(&nr.xs, doc, "nessus");
	nr.reader = nr.xs.reader;
	PG_TRY();
	{
		read_nodes(&nr, callcxt);
	}
	PG_CATCH();
	{
		xml_stream_abort(&nr.xs);
		PG_RE_THROW();
	}
	PG_END_TRY();
	xml_stream_close(&nr.xs);
	if (nr.failed)
		xml_item_error_raise(&nr.error);
	MemoryContextSwitchTo(callcxt);
	MemoryContextDelete(nr.item_cxt);
	MemoryContextDelete(nr.host_cxt);
	return (Datum) 0;
}
