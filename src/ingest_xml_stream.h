/*-------------------------------------------------------------------------
 *
 * ingest_xml_stream.h
 *	  What the XML readers (map_nessus_text, map_openvas_text,
 *	  map_zap_xml_text) share: a document's text read with libxml2's
 *	  streaming xmlTextReader as PostgreSQL's XMLPARSE would parse it, the
 *	  error XMLPARSE's caller ingest_parse_xml() raises for a malformed one,
 *	  and the node tests the mappings' XPath expressions make
 *	  (src/ingest_xml_stream.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_INGEST_XML_STREAM_H
#define COMPMAP_INGEST_XML_STREAM_H

#include <libxml/xmlreader.h>

#include "utils/xml.h"

#include "ingest_json.h"

/* One document being read. */
typedef struct XmlStream
{
	const char *label;			/* the format, as ingest_parse_xml() names it */
	text	   *doc;
	const char *utf8;			/* the text in UTF-8 (doc's own bytes in a UTF-8 database) */
	int			len;
	xmlTextReaderPtr reader;
	PgXmlErrorContext *xerr;
	uint32		nodes;
} XmlStream;

/*
 * Reading: xml_stream_open(), then xml_stream_next() until it returns
 * false, inside a PG_TRY() whose PG_CATCH() calls xml_stream_abort(); then
 * xml_stream_close().  xml_stream_next() raises ingest_parse_xml()'s 22P02
 * for a malformed document and checks for interrupts every 4,096 nodes.
 */
extern void xml_stream_open(XmlStream *xs, text *doc, const char *label);
extern bool xml_stream_next(XmlStream *xs);
extern void xml_stream_close(XmlStream *xs);
extern void xml_stream_abort(XmlStream *xs);
extern void xml_stream_raise_malformed(XmlStream *xs) pg_attribute_noreturn();

/* Whether the reader's node is <name> outside any namespace */
static inline bool
xml_node_is(xmlTextReaderPtr r, const char *name)
{
	const xmlChar *local = xmlTextReaderConstLocalName(r);

	return xmlTextReaderConstNamespaceUri(r) == NULL && local != NULL &&
		strcmp((const char *) local, name) == 0;
}

/* An attribute outside any namespace (as XPath's @name), copied, or NullStr */
extern Str	xml_attribute(xmlTextReaderPtr r, const char *name);

/*
 * The name of the first reference to a DTD entity in the attributes of the
 * element the reader is on, or NULL.
 */
extern const xmlChar *xml_attribute_entity(xmlTextReaderPtr r);

/*
 * The string value of an entity reference node (the entity's text, as
 * XPath's string() reads through it); "" when it cannot be resolved.
 */
extern char *xml_entity_text(xmlTextReaderPtr r);

/*
 * The error the references raise for a row whose element holds a reference
 * to an entity of the document's DTD: the item column (xml) is that
 * element serialized, where the entity is undefined when it is parsed
 * again (xml_in's 2200N "invalid XML content"; the reference's detail
 * also gives the line within the serialized element).
 */
extern void xml_entity_error(const char *name) pg_attribute_noreturn();

/* XMLTABLE's error for a second node of a single-valued text column */
extern void xml_cardinality_error(void) pg_attribute_noreturn();

/*
 * An item's own error (a DTD entity inside it, a repeated single-valued
 * child), kept until the whole document has been read: a malformed
 * document must fail as XMLPARSE fails it first.  Within one item the
 * reference's XMLTABLE raises 21000 while it builds the row, before
 * xpath() over the serialized item raises 2200N, so the repeated child
 * wins.
 */
typedef enum XmlItemErrorKind
{
	XML_ITEM_OK = 0,
	XML_ITEM_ENTITY,			/* 2200N, entity holds the name */
	XML_ITEM_CARDINALITY		/* 21000 */
} XmlItemErrorKind;

typedef struct XmlItemError
{
	XmlItemErrorKind kind;
	char	   *entity;
} XmlItemError;

extern void xml_item_error_set(XmlItemError *e, XmlItemErrorKind kind, const char *entity, MemoryContext cxt);
extern void xml_item_error_raise(const XmlItemError *e) pg_attribute_noreturn();

/* How xpath() returns a text node (escaped) or a CDATA node (its markup) */
extern char *xml_text_node_value(int type, const char *v);

/* XPath's normalize-space() */
extern Str	xml_normalize_space(Str s);

/*
 * The string value an item's child element f was read into (fields[f]),
 * or NULL when the item had no such child.
 */
static inline Str
xml_field_str(const StringInfoData *fields, const bool *have, int f)
{
	Str			s = NullStr;

	if (have[f])
	{
		s.s = fields[f].data;
		s.len = fields[f].len;
	}
	return s;
}

#endif							/* COMPMAP_INGEST_XML_STREAM_H */
