/*-------------------------------------------------------------------------
 *
 * json_stream.c
 *	  The parts of reading a JSON document from its text (pg_parse_json()
 *	  events) that the SARIF, Trivy and Grype readers share:
 *
 *	  * every scalar checked and converted exactly as jsonb_in does
 *	    (strings against jsonb's length limit, numbers through
 *	    numeric_in), so that a reader refuses a document exactly when
 *	    document::jsonb refuses it, with the same error;
 *	  * a JsonCapture, which builds one value (a result, an item, a
 *	    member) from its events as a jsonb of its own, with jsonb's
 *	    semantics (a duplicate key keeps the last value);
 *	  * a JsonStream, the event handlers themselves: depth followed, the
 *	    values a reader asks for (by the member or element they begin)
 *	    built with a JsonCapture and handed to it, the rest only checked;
 *	    the Nuclei and ZAP readers are written on it (the SARIF, Trivy and
 *	    Grype readers predate it and have handlers of their own);
 *	  * ingest's error for a malformed document ("malformed <label>
 *	    document", with the parser's detail and line), as
 *	    compmap.ingest_parse_json() raises it;
 *	  * compmap.document_sha256(text), the digest ingest records of the
 *	    document, over the text's bytes in place (sha256(textsend(...))
 *	    made a copy of the whole document first).
 *
 * Memory: a capture builds in the context its owner gives it and leaves
 * the resetting to the owner; a JsonStream resets that context as each
 * value it builds begins, so a reader copies what it keeps longer.
 * Nothing here keeps memory across calls.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonfuncs.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "json_stream.h"
#include "compmap.h"

/* jsonb's limit on a string's length, with jsonb_in's error */
void
json_check_string_len(size_t len)
{
	if (len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("string too long to represent as jsonb string"),
				 errdetail("Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
						   JENTRY_OFFLENMASK)));
}

/* A scalar token as jsonb_in reads it (numbers through numeric_in). */
void
json_scalar_value(char *token, JsonTokenType type, JsonbValue *v)
{
	switch (type)
	{
		case JSON_TOKEN_STRING:
			v->type = jbvString;
			v->val.string.len = strlen(token);
			json_check_string_len(v->val.string.len);
			v->val.string.val = token;
			break;
		case JSON_TOKEN_NUMBER:
			v->type = jbvNumeric;
			v->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																 CStringGetDatum(token),
																 ObjectIdGetDatum(InvalidOid),
																 Int32GetDatum(-1)));
			break;
		case JSON_TOKEN_TRUE:
			v->type = jbvBool;
			v->val.boolean = true;
			break;
		case JSON_TOKEN_FALSE:
			v->type = jbvBool;
			v->val.boolean = false;
			break;
		case JSON_TOKEN_NULL:
			v->type = jbvNull;
			break;
		default:
			elog(ERROR, "unexpected json token type %d", (int) type);
	}
}

/* jsonb_typeof of a scalar */
const char *
json_scalar_type_name(JsonTokenType type)
{
	switch (type)
	{
		case JSON_TOKEN_STRING:
			return "string";
		case JSON_TOKEN_NUMBER:
			return "number";
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			return "boolean";
		default:
			return "null";
	}
}

/* A member's name as a jsonb key, checked as jsonb_in checks it */
void
json_key_value(char *fname, JsonbValue *k)
{
	size_t		len = strlen(fname);

	json_check_string_len(len);
	k->type = jbvString;
	k->val.string.val = fname;
	k->val.string.len = len;
}

/* The value a jsonb holds: its scalar, or its container. */
void
jsonb_root_value(Jsonb *jb, JsonbValue *v)
{
	if (JB_ROOT_IS_SCALAR(jb))
		JsonbExtractScalar(&jb->root, v);
	else
	{
		v->type = jbvBinary;
		v->val.binary.data = &jb->root;
		v->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	}
}

/* ->> of a value: NULL for JSON null, else the text SQL gives */
text *
jsonb_root_text(Jsonb *jb)
{
	JsonbValue	v;

	jsonb_root_value(jb, &v);
	switch (v.type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return cstring_to_text_with_len(v.val.string.val, v.val.string.len);
		case jbvNumeric:
			return cstring_to_text(DatumGetCString(DirectFunctionCall1(numeric_out,
																	   NumericGetDatum(v.val.numeric))));
		case jbvBool:
			return cstring_to_text(v.val.boolean ? "true" : "false");
		default:
			return cstring_to_text(JsonbToCString(NULL, v.val.binary.data, v.val.binary.len));
	}
}

/* A copy of a jsonb in cxt, of exactly its size */
Jsonb *
jsonb_copy_to(MemoryContext cxt, Jsonb *jb)
{
	Jsonb	   *copy = MemoryContextAlloc(cxt, VARSIZE(jb));

	memcpy(copy, jb, VARSIZE(jb));
	return copy;
}

/*
 * Starts building the value whose first event comes next, at depth
 * (containers open before it); the caller has set c->cxt.
 */
void
json_capture_begin(JsonCapture *c, int depth)
{
	c->active = true;
	c->depth = depth;
	c->ps = NULL;
	c->back = MemoryContextSwitchTo(c->cxt);
}

static Jsonb *
capture_done(JsonCapture *c, JsonbValue *root)
{
	Jsonb	   *jb = JsonbValueToJsonb(root);

	c->active = false;
	c->ps = NULL;
	MemoryContextSwitchTo(c->back);
	return jb;
}

void
json_capture_open(JsonCapture *c, bool object)
{
	(void) pushJsonbValue(&c->ps, object ? WJB_BEGIN_OBJECT : WJB_BEGIN_ARRAY, NULL);
}

/* A container closes at depth; the jsonb when that completes the value */
Jsonb *
json_capture_close(JsonCapture *c, bool object, int depth)
{
	JsonbValue *res = pushJsonbValue(&c->ps, object ? WJB_END_OBJECT : WJB_END_ARRAY, NULL);

	return depth == c->depth ? capture_done(c, res) : NULL;
}

/* (the name stays with the value being built: do not free it) */
void
json_capture_key(JsonCapture *c, char *fname)
{
	JsonbValue	k;

	json_key_value(fname, &k);
	(void) pushJsonbValue(&c->ps, WJB_KEY, &k);
}

/* A scalar; the jsonb when the value is that scalar alone */
Jsonb *
json_capture_scalar(JsonCapture *c, JsonbValue *v)
{
	if (c->ps == NULL)
		return capture_done(c, v);
	(void) pushJsonbValue(&c->ps,
						  c->ps->contVal.type == jbvArray ? WJB_ELEM : WJB_VALUE, v);
	return NULL;
}

/* ---------------------------------------------------------------------
 * JsonStream: the events of one parse followed by depth, the values the
 * handler asks for built as jsonb (the readers of ZAP and Nuclei use it)
 * ---------------------------------------------------------------------
 */

/* The value beginning at depth d: begins building it when it was asked for */
static bool
stream_begin(JsonStream *js, int d)
{
	int			tag = js->pending;

	js->pending = 0;
	if (tag == 0 || js->pending_depth != d)
		return false;
	/* the value built last is kept until the next one begins */
	MemoryContextReset(js->cap.cxt);
	js->building = tag;
	json_capture_begin(&js->cap, d);
	return true;
}

static void
stream_built(JsonStream *js, Jsonb *jb)
{
	int			tag = js->building;

	js->building = 0;
	if (js->h->built)
		js->h->built(js, tag, jb);
}

static void
stream_container_start(JsonStream *js, bool object)
{
	int			d = js->depth++;

	if (js->building != 0 || stream_begin(js, d))
		json_capture_open(&js->cap, object);
	else if (js->h->value)
		js->h->value(js, object ? "object" : "array", d);
}

static void
stream_container_end(JsonStream *js, bool object)
{
	int			d = --js->depth;

	if (js->building != 0)
	{
		Jsonb	   *jb = json_capture_close(&js->cap, object, d);

		if (jb != NULL)
			stream_built(js, jb);
	}
	else if (js->h->end)
		js->h->end(js, object, d);
}

static void
stream_object_start(void *arg)
{
	stream_container_start(arg, true);
}

static void
stream_object_end(void *arg)
{
	stream_container_end(arg, true);
}

static void
stream_array_start(void *arg)
{
	stream_container_start(arg, false);
}

static void
stream_array_end(void *arg)
{
	stream_container_end(arg, false);
}

static void
stream_field_start(void *arg, char *fname, bool isnull)
{
	JsonStream *js = arg;

	if (js->building != 0)
	{
		json_capture_key(&js->cap, fname);
		return;
	}
	json_check_string_len(strlen(fname));
	js->pending = js->h->member ? js->h->member(js, fname, js->depth) : 0;
	js->pending_depth = js->depth;
}

static void
stream_field_end(void *arg, char *fname, bool isnull)
{
	JsonStream *js = arg;

	/* inside a value being built the name may be one of its keys */
	if (js->building == 0)
		pfree(fname);
}

static void
stream_element_start(void *arg, bool isnull)
{
	JsonStream *js = arg;

	if (js->building != 0)
		return;
	js->pending = js->h->element ? js->h->element(js, js->depth) : 0;
	js->pending_depth = js->depth;
}

static void
stream_scalar(void *arg, char *token, JsonTokenType type)
{
	JsonStream *js = arg;
	JsonbValue	v;

	if (++js->scalars % JSON_STREAM_SCALARS_PER_INTERRUPT_CHECK == 0)
		CHECK_FOR_INTERRUPTS();

	/* what jsonb_in checks of every scalar, in the same order */
	json_scalar_value(token, type, &v);
	if (js->building != 0)
	{
		/* token and number stay with the value being built */
		(void) json_capture_scalar(&js->cap, &v);
		return;
	}
	if (stream_begin(js, js->depth))
	{
		stream_built(js, json_capture_scalar(&js->cap, &v));
		return;
	}
	if (js->h->value)
		js->h->value(js, json_scalar_type_name(type), js->depth);
	if (v.type == jbvNumeric)
		pfree(v.val.numeric);
	pfree(token);
}

/*
 * A reader with handler h and state arg; the values asked for are built in
 * build_cxt, which is reset as each one begins: a value stays valid until
 * the next begins (or build_cxt is reset or deleted).
 */
void
json_stream_init(JsonStream *js, const JsonStreamHandler *h, void *arg,
				 MemoryContext build_cxt)
{
	memset(js, 0, sizeof(*js));
	js->h = h;
	js->arg = arg;
	js->cap.cxt = build_cxt;
}

/*
 * Reads text[0..len) as one JSON value; root_tag, when not 0, builds the
 * whole value.  Errors are those of the text's ::jsonb, or with a label
 * those of ingest_parse_json(text, label).  The parser's own allocations go
 * to the current context.
 */
void
json_stream_parse(JsonStream *js, const char *text, int len, int root_tag,
				  const char *label)
{
	JsonSemAction sem;

	js->depth = 0;
	js->building = 0;
	js->cap.active = false;
	js->pending = root_tag;
	js->pending_depth = 0;
	memset(&sem, 0, sizeof(sem));
	sem.semstate = js;
	sem.object_start = stream_object_start;
	sem.object_end = stream_object_end;
	sem.array_start = stream_array_start;
	sem.array_end = stream_array_end;
	sem.object_field_start = stream_field_start;
	sem.object_field_end = stream_field_end;
	sem.array_element_start = stream_element_start;
	sem.scalar = stream_scalar;
	js->lex = makeJsonLexContextCstringLen(unconstify(char *, text), len,
										   GetDatabaseEncoding(), true);
	if (label != NULL)
		json_parse_as_ingest(js->lex, &sem, label);
	else
		pg_parse_json_or_ereport(js->lex, &sem);
}

/*
 * The line "JSON data, line N: ..." of an error's context, without
 * trailing blanks, as ingest_parse_json() picks it; NULL when none.
 */
char *
json_context_line(const char *context)
{
	const char *p = context;

	while (p != NULL && *p != '\0')
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? (int) (eol - p) : (int) strlen(p);

		if (strncmp(p, "JSON data, line ", strlen("JSON data, line ")) == 0)
		{
			while (len > 0 && p[len - 1] == ' ')
				len--;
			return pnstrdup(p, len);
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/*
 * Parses with sem; a document document::jsonb refuses raises what
 * ingest_parse_json(document, label) raises: 22P02 "malformed <label>
 * document: <message>" with the same detail and hint.
 */
void
json_parse_as_ingest(JsonLexContext *lex, JsonSemAction *sem, const char *label)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		pg_parse_json_or_ereport(lex, sem);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		char	   *line;
		StringInfoData detail;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
		/* concat_ws(' ', nullif(detail, ''), the context's JSON line) */
		initStringInfo(&detail);
		if (edata->detail != NULL && edata->detail[0] != '\0')
			appendStringInfoString(&detail, edata->detail);
		line = edata->context ? json_context_line(edata->context) : NULL;
		if (line != NULL)
		{
			if (detail.len > 0)
				appendStringInfoChar(&detail, ' ');
			appendStringInfoString(&detail, line);
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed %s document: %s", label, edata->message),
				 errdetail_internal("%s", detail.data),
				 errhint("The whole document must be one JSON value, as the scanner wrote it.")));
	}
	PG_END_TRY();
}

PG_FUNCTION_INFO_V1(compmap_document_sha256);

/* compmap.document_sha256(document text) RETURNS bytea */
Datum
compmap_document_sha256(PG_FUNCTION_ARGS)
{
	text	   *document = PG_GETARG_TEXT_PP(0);
	uint8		digest[CM_HASH_LEN];

	compmap_hash_or_error(cm_sha256(VARDATA_ANY(document), VARSIZE_ANY_EXHDR(document),
									NULL, 0, NULL, 0, digest));
	PG_RETURN_BYTEA_P(compmap_hash_to_bytea(digest));
}
