/*-------------------------------------------------------------------------
 *
 * ingest_nuclei.c
 *	  Nuclei results read from the document's text, one line at a time:
 *
 *	  compmap.map_nuclei_text(text): the rows that
 *	  map_nuclei_reference(ingest_parse_jsonl(document, 'nuclei')) returns,
 *	  in the same order, with the same errors;
 *	  compmap.jsonl_scan(text, text): ingest_parse_jsonl(document, label)'s
 *	  checks (and errors) without building anything, for ingest_parse.
 *
 * The mapping is map_nuclei_reference() (src/sql/70_ingest.sql) in C, over
 * one line's jsonb with the readers and string functions of
 * src/ingest_json.c; test/scripts/zap_nuclei_stream.sh checks that both
 * give the same rows.  Keep the two in step.
 *
 * ingest_parse_jsonl reads a document whose first non-blank character is
 * '[' as one JSON array (nuclei -json-export), each element an object;
 * that form is read with the events of one parse (src/json_stream.c), each
 * element built and mapped as it completes.  Any other document is JSON
 * lines: the lines split at \n (a \r before it dropped), those blank but
 * for spaces and tabs skipped, and the rest parsed as the elements of one
 * array ('[' || lines joined by ',' || ']'); when that fails, or does not
 * give one object per line, the first line that is not a JSON object on
 * its own is named in the error.  Here each line is parsed on its own and
 * mapped.  When every line is an object, the joined array is exactly those
 * objects; when a line is not, the joined array is parsed as the
 * reference parses it (it may still be one object per line, an object
 * split over two lines making up for two objects on one) and either read
 * instead or the line named with the error of its own ::jsonb.  Errors
 * other than data exceptions (stack depth, jsonb's limits) are raised as
 * they come, as the reference raises them.
 *
 * Memory: one line (or element) is held as jsonb at a time, in a context
 * reset as the next begins; each line's parse has a context reset after
 * it.  The joined copy of the document exists only on the way to an error
 * or for the odd document above.  Interrupts are checked per line, per row
 * and every few thousand scalars.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "compmap.h"
#include "ingest_json.h"
#include "json_stream.h"

#define NUCLEI_HINT "JSON lines need exactly one JSON object on every non-empty line."

/* What is built of a document */
enum
{
	TAG_LINE = 1,				/* a line's value */
	TAG_ELEMENT					/* an element of the array form */
};

typedef struct NucleiReader
{
	ReturnSetInfo *rsinfo;		/* NULL: check only (jsonl_scan) */
	const char *label;
	IngestState st;
	JsonStream js;

	/* the value read */
	const char *root_type;		/* jsonb_typeof of a line */
	Jsonb	   *line;			/* a line's jsonb (mapping only) */
	bool		not_object;		/* array form: an element is not an object */
	int64		elements;		/* array form: elements read */

	/* the first line that is not an object on its own */
	int			bad_line;
	char	   *bad_msg;
	char	   *bad_detail;		/* NULL: none given */

	MemoryContext value_cxt;	/* the value built */
	MemoryContext parse_cxt;	/* one parse */
	MemoryContext row_cxt;		/* one row */
} NucleiReader;


/* ---------------------------------------------------------------------
 * The mapping of one line object (map_nuclei_reference)
 * ---------------------------------------------------------------------
 */

/* The elements of an array as text, else nothing (ingest_array) */
static void
array_elements_text(const Jv *j, StrList *out)
{
	array_texts(array_or_null(j), out);
}

static void
map_line(IngestState *st, const Jv *l, Datum *values, bool *nulls)
{
	Jv			info = jv_get(l, "info");
	Jv			cls = jv_get(&info, "classification");
	Str			tid = coalesce_str(coalesce_str(get_text(l, "template-id"),
											   get_text(l, "templateID")),
								   get_text(l, "template"));
	Str			matcher = coalesce_str(get_text(l, "matcher-name"),
									   get_text(l, "matcher_name"));
	Str			matched = coalesce_str(get_text(l, "matched-at"), get_text(l, "matched"));
	Str			host = get_text(l, "host");

	values[COL_SCANNER] = CStringGetTextDatum("nuclei");
	set_text(values, nulls, COL_RULE_ID, tid);
	{
		Str			title = coalesce_str(coalesce_str(ingest_title_of(st, get_text(&info, "name")), tid),
										 cstr("Nuclei result"));

		if (matcher.s != NULL && matcher.len > 0)
		{
			Str			parts[4] = {title, cstr(" ["), matcher, cstr("]")};

			title = str_cat(4, parts);
		}
		values[COL_TITLE] = str_datum(title);
	}
	values[COL_SCANNER_SEVERITY] = str_datum(coalesce_str(get_text(&info, "severity"), cstr("unknown")));
	set_text(values, nulls, COL_CVSS_VECTOR, get_text(&cls, "cvss-metrics"));

	/* cve-id, then the template id when it starts with cve- (~* '^cve-') */
	{
		Jv			ids = jv_get(&cls, "cve-id");
		StrList		texts = {0},
					cves = {0};

		array_elements_text(&ids, &texts);
		for (int i = 0; i < texts.n; i++)
			ingest_find_cves(texts.items[i].str, &cves);
		if (tid.s != NULL && tid.len >= 4 && ascii_lower(tid.s[0]) == 'c' &&
			ascii_lower(tid.s[1]) == 'v' && ascii_lower(tid.s[2]) == 'e' && tid.s[3] == '-')
			ingest_find_cves(tid, &cves);
		values[COL_CVE_IDS] = ingest_cve_array(&cves);
	}
	{
		Jv			ids = jv_get(&cls, "cwe-id");
		StrList		texts = {0};
		Int64List	cwes = {0};

		array_elements_text(&ids, &texts);
		for (int i = 0; i < texts.n; i++)
			int64list_add(&cwes, ingest_cwe_number(texts.items[i].str));
		values[COL_CWE_IDS] = ingest_cwe_array(&cwes);
	}
	values[COL_ASSET_KIND] = CStringGetTextDatum("url");
	values[COL_ASSET_NAME] = str_datum(host.s != NULL && host.len > 0 ? host
									   : coalesce_str(matched, cstr("unknown")));
	set_text(values, nulls, COL_LOCATION, matched);
	set_text(values, nulls, COL_DESCRIPTION, get_text(&info, "description"));
	{
		Jv			ref = jv_get(&info, "reference");
		StrList		texts = {0},
					urls = {0};

		if (jv_is_array(&ref))
			array_elements_text(&ref, &texts);
		else
			strlist_add(&texts, jv_text(&ref));
		for (int i = 0; i < texts.n; i++)
			ingest_find_urls(st, texts.items[i].str, &urls);
		values[COL_REFERENCE_URLS] = ingest_url_array(&urls);
	}
	set_text(values, nulls, COL_FP_LOCATION, matched);
	{
		static const char *const keys[] = {"matcher", "type"};
		Str			vals[2] = {matcher, get_text(l, "type")};

		values[COL_FP_EXTRA] = ingest_text_object(2, keys, vals);
	}
	values[COL_SKIP] = BoolGetDatum(false);
}

/* One row, for an object's jsonb */
static void
put_row(NucleiReader *r, Jsonb *jb)
{
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Jv			l;
	MemoryContext old;

	CHECK_FOR_INTERRUPTS();
	old = MemoryContextSwitchTo(r->row_cxt);
	memset(nulls, 0, sizeof(nulls));
	l.present = true;
	jsonb_root_value(jb, &l.v);
	map_line(&r->st, &l, values, nulls);
	tuplestore_putvalues(r->rsinfo->setResult, r->rsinfo->setDesc, values, nulls);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->row_cxt);
}


/* ---------------------------------------------------------------------
 * The array form: one parse, each element built and mapped
 * ---------------------------------------------------------------------
 */

static int
array_element(JsonStream *js, int d)
{
	NucleiReader *r = js->arg;

	if (d != 1)
		return 0;
	r->elements++;
	/* once an element is not an object the document is refused at the end */
	return r->rsinfo != NULL && !r->not_object ? TAG_ELEMENT : 0;
}

static void
array_value(JsonStream *js, const char *type, int d)
{
	NucleiReader *r = js->arg;

	if (d == 1 && strcmp(type, "object") != 0)
		r->not_object = true;
}

static void
array_built(JsonStream *js, int tag, Jsonb *jb)
{
	NucleiReader *r = js->arg;

	if (!JB_ROOT_IS_OBJECT(jb))
		r->not_object = true;
	else
		put_row(r, jb);
}

static const JsonStreamHandler array_handler = {
	.element = array_element,
	.value = array_value,
	.built = array_built
};

/*
 * Reads text as the array form: ingest_parse_json(text, label), then
 * every element an object.  (text starts with '[', so the value is an
 * array when it parses.)
 */
static void
read_array(NucleiReader *r, const char *text, int len)
{
	MemoryContext old = MemoryContextSwitchTo(r->parse_cxt);

	r->not_object = false;
	r->elements = 0;
	json_stream_init(&r->js, &array_handler, r, r->value_cxt);
	json_stream_parse(&r->js, text, len, 0, r->label);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->parse_cxt);
	MemoryContextReset(r->value_cxt);
}


/* ---------------------------------------------------------------------
 * JSON lines
 * ---------------------------------------------------------------------
 */

static void
line_value(JsonStream *js, const char *type, int d)
{
	NucleiReader *r = js->arg;

	if (d == 0)
		r->root_type = type;
}

static void
line_built(JsonStream *js, int tag, Jsonb *jb)
{
	NucleiReader *r = js->arg;

	r->line = jb;
	r->root_type = JB_ROOT_IS_OBJECT(jb) ? "object"
		: JB_ROOT_IS_ARRAY(jb) && !JB_ROOT_IS_SCALAR(jb) ? "array" : NULL;
	if (r->root_type == NULL)
	{
		JsonbValue	v;

		jsonb_root_value(jb, &v);
		r->root_type = v.type == jbvString ? "string" : v.type == jbvNumeric ? "number"
			: v.type == jbvBool ? "boolean" : "null";
	}
}

static const JsonStreamHandler line_handler = {
	.value = line_value,
	.built = line_built
};

/* blank for btrim(line, ' \t') = '' */
static bool
line_is_blank(const char *p, int len)
{
	for (int i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/*
 * Parses one line as line::jsonb does.  A data exception (what the
 * reference catches) makes it the bad line, with its message and detail;
 * so does a value that is not an object.  Returns whether it is an object.
 */
static bool
read_line(NucleiReader *r, const char *p, int len, int lineno)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool parsed = false;

	r->line = NULL;
	r->root_type = NULL;
	MemoryContextSwitchTo(r->parse_cxt);
	PG_TRY();
	{
		json_stream_parse(&r->js, p, len, r->rsinfo != NULL ? TAG_LINE : 0, NULL);
		parsed = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
		r->bad_line = lineno;
		r->bad_msg = edata->message;
		/* GET STACKED DIAGNOSTICS gives '' for no detail */
		r->bad_detail = edata->detail ? edata->detail : "";
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	if (!parsed)
		return false;
	if (strcmp(r->root_type, "object") != 0)
	{
		r->bad_line = lineno;
		r->bad_msg = psprintf("line is a JSON %s, not an object", r->root_type);
		r->bad_detail = NULL;
		return false;
	}
	return true;
}

/*
 * The lines of text, split as regexp_split_to_array(text, E'\r?\n') splits
 * them: each not blank is read (and mapped) until one is not an object.
 * Returns whether all were objects.
 */
static bool
read_lines(NucleiReader *r, const char *text, int len)
{
	const char *p = text;
	const char *end = text + len;
	int			lineno = 0;

	json_stream_init(&r->js, &line_handler, r, r->value_cxt);
	for (;;)
	{
		const char *nl = memchr(p, '\n', end - p);
		int			l = (nl ? nl : end) - p;

		lineno++;
		if (nl != NULL && l > 0 && p[l - 1] == '\r')
			l--;
		if (!line_is_blank(p, l))
		{
			CHECK_FOR_INTERRUPTS();
			if (!read_line(r, p, l, lineno))
				return false;
			if (r->rsinfo != NULL)
				put_row(r, r->line);
			MemoryContextReset(r->parse_cxt);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	MemoryContextReset(r->value_cxt);
	return true;
}

/* '[' || the lines that are not blank, joined by ',' || ']' */
static StringInfo
joined_lines(const char *text, int len)
{
	StringInfo	buf = makeStringInfo();
	const char *p = text;
	const char *end = text + len;
	bool		first = true;

	appendStringInfoChar(buf, '[');
	for (;;)
	{
		const char *nl = memchr(p, '\n', end - p);
		int			l = (nl ? nl : end) - p;

		if (nl != NULL && l > 0 && p[l - 1] == '\r')
			l--;
		if (!line_is_blank(p, l))
		{
			if (!first)
				appendStringInfoChar(buf, ',');
			appendBinaryStringInfo(buf, p, l);
			first = false;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	appendStringInfoChar(buf, ']');
	return buf;
}

/*
 * Whether the joined lines parse as an array of one object per line, as
 * the reference's ::jsonb of them does; a data exception is a no, other
 * errors are raised.
 */
static bool
joined_is_one_object_per_line(NucleiReader *r, StringInfo joined, int64 lines)
{
	MemoryContext cxt = CurrentMemoryContext;
	ReturnSetInfo *rsinfo = r->rsinfo;
	volatile bool parsed = false;

	r->rsinfo = NULL;			/* check only */
	r->not_object = false;
	r->elements = 0;
	json_stream_init(&r->js, &array_handler, r, r->value_cxt);
	MemoryContextSwitchTo(r->parse_cxt);
	PG_TRY();
	{
		json_stream_parse(&r->js, joined->data, joined->len, 0, NULL);
		parsed = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	MemoryContextReset(r->parse_cxt);
	r->rsinfo = rsinfo;
	return parsed && !r->not_object && r->elements == lines;
}

static int64
count_lines(const char *text, int len)
{
	const char *p = text;
	const char *end = text + len;
	int64		n = 0;

	for (;;)
	{
		const char *nl = memchr(p, '\n', end - p);
		int			l = (nl ? nl : end) - p;

		if (nl != NULL && l > 0 && p[l - 1] == '\r')
			l--;
		if (!line_is_blank(p, l))
			n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return n;
}

/* ingest_parse_jsonl's error for the bad line */
static void
bad_line_error(NucleiReader *r)
{
	if (r->bad_detail != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed %s document: line %d: %s", r->label, r->bad_line, r->bad_msg),
				 errdetail_internal("%s", r->bad_detail),
				 errhint(NUCLEI_HINT)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("malformed %s document: line %d: %s", r->label, r->bad_line, r->bad_msg),
			 errhint(NUCLEI_HINT)));
}

/* The array form's error for an element that is not an object */
static void
not_objects_error(NucleiReader *r)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("malformed %s document: expected JSON objects, one per line", r->label)));
}

/* ltrim(text, E' \t\r\n') LIKE '[%' */
static bool
is_array_form(const char *text, int len)
{
	for (int i = 0; i < len; i++)
	{
		if (text[i] == '[')
			return true;
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			return false;
	}
	return false;
}

/* Reads the whole document, mapping when r->rsinfo is set */
static void
nuclei_read(NucleiReader *r, text *doc)
{
	const char *text = VARDATA_ANY(doc);
	int			len = VARSIZE_ANY_EXHDR(doc);

	if (is_array_form(text, len))
	{
		read_array(r, text, len);
		if (r->not_object)
			not_objects_error(r);
		return;
	}
	if (!read_lines(r, text, len))
	{
		StringInfo	joined = joined_lines(text, len);

		if (!joined_is_one_object_per_line(r, joined, count_lines(text, len)))
			bad_line_error(r);
		/* the joined lines are one object per line after all: map those */
		if (r->rsinfo != NULL)
		{
			tuplestore_clear(r->rsinfo->setResult);
			read_array(r, joined->data, joined->len);
		}
		pfree(joined->data);
		pfree(joined);
	}
}

static void
reader_init(NucleiReader *r, ReturnSetInfo *rsinfo, const char *label)
{
	memset(r, 0, sizeof(*r));
	r->rsinfo = rsinfo;
	r->label = label;
	ingest_state_init(&r->st);
	r->value_cxt = AllocSetContextCreate(CurrentMemoryContext, "nuclei stream value",
										 ALLOCSET_DEFAULT_SIZES);
	r->parse_cxt = AllocSetContextCreate(CurrentMemoryContext, "nuclei stream parse",
										 ALLOCSET_DEFAULT_SIZES);
	r->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "nuclei stream row",
									   ALLOCSET_DEFAULT_SIZES);
}

static void
reader_done(NucleiReader *r)
{
	MemoryContextDelete(r->row_cxt);
	MemoryContextDelete(r->parse_cxt);
	MemoryContextDelete(r->value_cxt);
}

/*
 * compmap.map_nuclei_text(document text) RETURNS SETOF compmap.ingest_record
 *
 * The rows of map_nuclei_reference(ingest_parse_jsonl(document, 'nuclei')).
 */
PG_FUNCTION_INFO_V1(compmap_map_nuclei_text);
Datum
compmap_map_nuclei_text(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	NucleiReader r;

	InitMaterializedSRF(fcinfo, 0);
	reader_init(&r, (ReturnSetInfo *) fcinfo->resultinfo, "nuclei");
	nuclei_read(&r, doc);
	reader_done(&r);
	return (Datum) 0;
}

/*
 * compmap.jsonl_scan(document text, label text) RETURNS void
 *
 * Raises what ingest_parse_jsonl(document, label) raises, building nothing.
 */
PG_FUNCTION_INFO_V1(compmap_jsonl_scan);
Datum
compmap_jsonl_scan(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	NucleiReader r;

	reader_init(&r, NULL, text_to_cstring(PG_GETARG_TEXT_PP(1)));
	nuclei_read(&r, doc);
	reader_done(&r);
	PG_RETURN_VOID();
}
