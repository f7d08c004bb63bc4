/*-------------------------------------------------------------------------
 *
 * ingest_xml_stream.c
 *	  The XML readers' common part (ingest_xml_stream.h): a document's text
 *	  read with libxml2's streaming xmlTextReader, refused where XMLPARSE
 *	  refuses it and with ingest_parse_xml()'s words; node and value helpers
 *	  that read as the references' XPath expressions do; and
 *	  compmap.xml_scan(text, label), what ingest_parse needs of an XML
 *	  document (its root, and the Nessus and OpenVAS checks).
 *
 * Parsing is PostgreSQL's: the text converted to UTF-8 and read as UTF-8,
 * errors collected by pg_xml_init()'s handler, so that a document is
 * refused where XMLPARSE refuses it, with ingest_parse_xml()'s 22P02
 * "malformed <label> document"; the detail comes from a second pass of
 * the pull parser XMLPARSE uses (parse_errors()).  No entity is loaded
 * from outside and the network is never used (no XML_PARSE_NOENT, DTDLOAD
 * or DTDATTR; XML_PARSE_NONET); nesting is bounded by libxml2's own depth
 * limit (no XML_PARSE_HUGE), as for XMLPARSE.  The reader keeps only the
 * node it is on and its ancestors.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "compmap.h"
#include "ingest_xml_stream.h"

/*
 * Parses the text again with libxml2's pull parser, as XMLPARSE does, but
 * through SAX callbacks that build nothing, and returns the error context
 * if it refused the text (NULL if not).
 *
 * The streaming reader feeds libxml2's push parser, which words some errors
 * differently (a truncated file is "Extra content at the end of the
 * document" where XMLPARSE says "Premature end of data in tag ..."); this
 * second pass gives the error exactly as ingest_parse_xml() reported it,
 * without the tree XMLPARSE would build (one copy of the text, as
 * xml_parse() makes).  Only a refused document pays for it.
 */
static PgXmlErrorContext *
parse_errors(XmlStream *xs)
{
	PgXmlErrorContext *volatile xerr = pg_xml_init(PG_XML_STRICTNESS_WELLFORMED);
	xmlParserCtxtPtr volatile ctxt = NULL;
	char	   *copy = pnstrdup(xs->utf8, xs->len); /* xmlCtxtReadDoc wants a C string */

	PG_TRY();
	{
		xmlDocPtr	doc;

		ctxt = xmlNewParserCtxt();
		if (ctxt == NULL || ctxt->sax == NULL)
			xml_ereport(xerr, ERROR, ERRCODE_OUT_OF_MEMORY,
						"could not allocate parser context");
		/* SAX2's DTD handling (entities, the document), but no nodes */
		ctxt->sax->startElementNs = NULL;
		ctxt->sax->endElementNs = NULL;
		ctxt->sax->startElement = NULL;
		ctxt->sax->endElement = NULL;
		ctxt->sax->characters = NULL;
		ctxt->sax->cdataBlock = NULL;
		ctxt->sax->ignorableWhitespace = NULL;
		ctxt->sax->comment = NULL;
		ctxt->sax->processingInstruction = NULL;
		ctxt->sax->reference = NULL;
		/* the call xml_parse() makes, read as UTF-8 */
		doc = xmlCtxtReadDoc(ctxt, (xmlChar *) copy, NULL, "UTF-8", XML_PARSE_NONET);
		if (doc != NULL)
			xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		ctxt = NULL;
	}
	PG_CATCH();
	{
		if (ctxt != NULL)
		{
			if (ctxt->myDoc != NULL)
				xmlFreeDoc(ctxt->myDoc);
			xmlFreeParserCtxt(ctxt);
		}
		pg_xml_done(xerr, true);
		PG_RE_THROW();
	}
	PG_END_TRY();

	pfree(copy);
	if (pg_xml_error_occurred(xerr))
		return xerr;
	pg_xml_done(xerr, false);
	return NULL;
}

/* Raises ingest_parse_xml()'s error for a document the reader refused. */
void
xml_stream_raise_malformed(XmlStream *xs)
{
	MemoryContext cxt = CurrentMemoryContext;
	ErrorData  *volatile edata = NULL;
	PgXmlErrorContext *again = parse_errors(xs);
	char	   *detail;

	/* xml_ereport() words the error and its detail as XMLPARSE does */
	PG_TRY();
	{
		xml_ereport(again != NULL ? again : xs->xerr, ERROR, ERRCODE_INVALID_XML_DOCUMENT,
					"invalid XML document");
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	if (again != NULL)
		pg_xml_done(again, true);

	/* ingest_parse_xml keeps the detail's first line */
	detail = edata->detail;
	if (detail != NULL)
	{
		char	   *nl = strchr(detail, '\n');

		if (nl != NULL)
			*nl = '\0';
		if (*detail == '\0')
			detail = NULL;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("malformed %s document: %s", xs->label, edata->message),
			 detail ? errdetail_internal("%s", detail) : 0,
			 errhint("The document must be well-formed XML, as the scanner wrote it.")));
}

void
xml_stream_open(XmlStream *xs, text *doc, const char *label)
{
	char	   *utf8;
	int			len = VARSIZE_ANY_EXHDR(doc);

	memset(xs, 0, sizeof(*xs));
	xs->label = label;
	xs->doc = doc;
	/* as xml_parse(): the text in UTF-8, read as UTF-8 */
	utf8 = (char *) pg_do_encoding_conversion((unsigned char *) VARDATA_ANY(doc), len,
											  GetDatabaseEncoding(), PG_UTF8);
	if (utf8 != VARDATA_ANY(doc))
		len = strlen(utf8);
	xs->utf8 = utf8;
	xs->len = len;
	xs->xerr = pg_xml_init(PG_XML_STRICTNESS_WELLFORMED);
	xs->reader = xmlReaderForMemory(utf8, len, NULL, "UTF-8", XML_PARSE_NONET);
	if (xs->reader == NULL)
	{
		pg_xml_done(xs->xerr, true);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not allocate an XML reader")));
	}
}

/* The next node; false at the end of the document */
bool
xml_stream_next(XmlStream *xs)
{
	int			ret = xmlTextReaderRead(xs->reader);

	if (ret < 0 || pg_xml_error_occurred(xs->xerr))
		xml_stream_raise_malformed(xs);
	if (ret == 0)
		return false;
	if ((++xs->nodes & 0xFFF) == 0)
		CHECK_FOR_INTERRUPTS();
	return true;
}

void
xml_stream_abort(XmlStream *xs)
{
	xmlFreeTextReader(xs->reader);
	pg_xml_done(xs->xerr, true);
}

void
xml_stream_close(XmlStream *xs)
{
	xmlFreeTextReader(xs->reader);
	pg_xml_done(xs->xerr, false);
	if (xs->utf8 != VARDATA_ANY(xs->doc))
		pfree((char *) xs->utf8);
}

Str
xml_attribute(xmlTextReaderPtr r, const char *name)
{
	xmlChar    *v = xmlTextReaderGetAttribute(r, (const xmlChar *) name);
	Str			s;

	if (v == NULL)
		return NullStr;
	s.s = pstrdup((const char *) v);
	s.len = strlen(s.s);
	xmlFree(v);
	return s;
}

const xmlChar *
xml_attribute_entity(xmlTextReaderPtr r)
{
	xmlNodePtr	node = xmlTextReaderCurrentNode(r);

	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return NULL;
	for (xmlAttrPtr a = node->properties; a != NULL; a = a->next)
		for (xmlNodePtr c = a->children; c != NULL; c = c->next)
			if (c->type == XML_ENTITY_REF_NODE)
				return c->name;
	return NULL;
}

char *
xml_entity_text(xmlTextReaderPtr r)
{
	xmlNodePtr	node = xmlTextReaderCurrentNode(r);
	xmlChar    *v;
	char	   *s;

	if (node == NULL)
		return pstrdup("");
	v = xmlNodeGetContent(node);
	if (v == NULL)
		return pstrdup("");
	s = pstrdup((const char *) v);
	xmlFree(v);
	return s;
}

void
xml_entity_error(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_XML_CONTENT),
			 errmsg("invalid XML content"),
			 errdetail_internal("Entity '%s' not defined", name)));
}

void
xml_cardinality_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_CARDINALITY_VIOLATION),
			 errmsg("more than one value returned by column XPath expression")));
}

/* Keeps the graver of an item's errors (the entity's name copied into cxt) */
void
xml_item_error_set(XmlItemError *e, XmlItemErrorKind kind, const char *entity, MemoryContext cxt)
{
	if (kind <= e->kind)
		return;
	e->kind = kind;
	e->entity = entity != NULL ? MemoryContextStrdup(cxt, entity) : NULL;
}

void
xml_item_error_raise(const XmlItemError *e)
{
	if (e->kind == XML_ITEM_CARDINALITY)
		xml_cardinality_error();
	xml_entity_error(e->entity);
}

char *
xml_text_node_value(int type, const char *v)
{
	if (type == XML_READER_TYPE_CDATA)
		return psprintf("<![CDATA[%s]]>", v);
	return escape_xml(v);
}

Str
xml_normalize_space(Str s)
{
	char	   *out;
	int			n = 0;
	bool		space = false;

	if (s.s == NULL)
		return s;
	out = palloc(s.len + 1);
	for (int i = 0; i < s.len; i++)
	{
		char		c = s.s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		{
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = c;
	}
	out[n] = '\0';
	s.s = out;
	s.len = n;
	return s;
}

/*
 * compmap.xml_scan(document text, label text, OUT root_name text,
 *					OUT nessus_report boolean, OUT openvas_results boolean)
 *
 * The qualified name of the root element (XPath name() of the root),
 * whether /NessusClientData_v2/Report exists and whether //results does;
 * malformed XML raises 22P02 "malformed <label> document" as
 * ingest_parse_xml(document, label) does.  A document whose root is not
 * one of the formats read from the text (NessusClientData_v2, report,
 * get_reports_response, OWASPZAPReport) is read only up to the root's
 * start tag: ingest_parse parses such documents whole anyway.
 */
PG_FUNCTION_INFO_V1(compmap_xml_scan);
Datum
compmap_xml_scan(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	char	   *label = text_to_cstring(PG_GETARG_TEXT_PP(1));
	XmlStream	xs;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char	   *volatile root_name = NULL;
	volatile bool nessus_root = false;
	volatile bool nessus_report = false;
	volatile bool openvas_results = false;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	xml_stream_open(&xs, doc, label);
	PG_TRY();
	{
		while (xml_stream_next(&xs))
		{
			xmlTextReaderPtr r = xs.reader;
			int			depth;

			if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
				continue;
			depth = xmlTextReaderDepth(r);
			if (depth == 0)
			{
				root_name = pstrdup((const char *) xmlTextReaderConstName(r));
				nessus_root = xml_node_is(r, "NessusClientData_v2");
				/* another format's document: nothing more is needed */
				if (strcmp(root_name, "NessusClientData_v2") != 0 &&
					strcmp(root_name, "report") != 0 &&
					strcmp(root_name, "get_reports_response") != 0 &&
					strcmp(root_name, "OWASPZAPReport") != 0)
					break;
			}
			if (depth == 1 && nessus_root && xml_node_is(r, "Report"))
				nessus_report = true;
			if (!openvas_results && xml_node_is(r, "results"))
				openvas_results = true;
		}
	}
	PG_CATCH();
	{
		xml_stream_abort(&xs);
		PG_RE_THROW();
	}
	PG_END_TRY();
	xml_stream_close(&xs);

	if (root_name != NULL)
		values[0] = CStringGetTextDatum(root_name);
	else
		nulls[0] = true;
	values[1] = BoolGetDatum(nessus_report);
	values[2] = BoolGetDatum(openvas_results);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
