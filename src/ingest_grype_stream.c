/*-------------------------------------------------------------------------
 *
 * ingest_grype_stream.c
 *	  compmap.map_grype_text(text): the rows map_grype(document::jsonb)
 *	  returns, in the same order and with the same errors, read from the
 *	  document's text with PostgreSQL's JSON parser, without the jsonb of
 *	  the whole report.
 *
 * The events of pg_parse_json() are followed by depth, and only these
 * values are built, each as a jsonb of its own with the scalars checked
 * as jsonb_in checks them (src/json_stream.c):
 *   * the report's source member, the only part outside matches that the
 *     mapping reads;
 *   * each element of matches, one at a time, mapped by the GrypeMapper of
 *     src/ingest_grype.c as soon as it is complete.
 * Everything else is only checked, so that a document is refused exactly
 * when document::jsonb refuses it, with the same error.  A matches member
 * that is not an array raises map_grype's error once the whole document
 * has been read, as document::jsonb is complete before map_grype runs.
 *
 * JSON objects are unordered and a repeated key keeps its last value in
 * jsonb: a repeated matches member drops the rows put so far, and a source
 * member after the first row abandons the first reading (the rest is only
 * checked, source still read); the document is then read again with the
 * source known from the start.
 *
 * Memory: a match is built in a context reset as soon as it is mapped;
 * peak memory besides the document is the largest match and the source.
 * The parser's recursion is bounded by check_stack_depth(); interrupts are
 * checked per match and every few thousand scalars.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/jsonfuncs.h"
#include "utils/memutils.h"

#include "compmap.h"
#include "json_stream.h"

typedef enum GrypeCapture
{
	GCAP_NONE,
	GCAP_SOURCE,
	GCAP_MATCH
} GrypeCapture;

typedef struct GrypeStream
{
	GrypeMapper *mapper;
	bool		source_known;	/* second reading: source read already */
	bool		abandoned;		/* source came after rows */
	int			depth;			/* containers open */
	uint32		scalars;

	bool		matches_member; /* reading the report's matches member */
	bool		matches_seen;
	const char *matches_type;	/* jsonb_typeof of the last matches member */
	bool		in_matches;		/* inside the last matches member's array */
	Jsonb	   *source;			/* the last source member, or NULL */
	bool		source_set;		/* the mapper has the source */

	GrypeCapture pending;		/* for the next value at pending_depth */
	int			pending_depth;
	GrypeCapture capture;
	JsonCapture cap;

	MemoryContext parse_cxt;	/* the parse */
	MemoryContext cap_cxt;		/* one captured value while it is built */
	MemoryContext source_cxt;	/* the source member */
} GrypeStream;

static void
set_source(GrypeStream *st)
{
	JsonbValue	v;

	if (st->source != NULL)
		jsonb_root_value(st->source, &v);
	grype_mapper_set_source(st->mapper, st->source ? &v : NULL);
	st->source_set = true;
}

static bool
begin_capture(GrypeStream *st, int d)
{
	if (st->pending == GCAP_NONE || st->pending_depth != d)
	{
		st->pending = GCAP_NONE;
		return false;
	}
	st->capture = st->pending;
	st->pending = GCAP_NONE;
	json_capture_begin(&st->cap, d);
	return true;
}

static void
end_capture(GrypeStream *st, Jsonb *jb)
{
	GrypeCapture c = st->capture;

	st->capture = GCAP_NONE;
	if (c == GCAP_MATCH)
	{
		JsonbValue	v;

		if (!st->source_set)
			set_source(st);
		jsonb_root_value(jb, &v);
		grype_mapper_put_match(st->mapper, &v);
	}
	else if (c == GCAP_SOURCE)
	{
		MemoryContextReset(st->source_cxt);
		st->source = jsonb_copy_to(st->source_cxt, jb);
	}
	MemoryContextReset(st->cap_cxt);
}

static void
ev_object_start(void *arg)
{
	GrypeStream *st = arg;
	int			d = st->depth++;

	if (st->capture != GCAP_NONE || begin_capture(st, d))
		json_capture_open(&st->cap, true);
	else if (d == 1 && st->matches_member)
		st->matches_type = "object";
}

static void
ev_object_end(void *arg)
{
	GrypeStream *st = arg;
	int			d = --st->depth;

	if (st->capture != GCAP_NONE)
	{
		Jsonb	   *jb = json_capture_close(&st->cap, true, d);

		if (jb != NULL)
			end_capture(st, jb);
	}
}

static void
ev_array_start(void *arg)
{
	GrypeStream *st = arg;
	int			d = st->depth++;

	if (st->capture != GCAP_NONE || begin_capture(st, d))
		json_capture_open(&st->cap, false);
	else if (d == 1 && st->matches_member)
	{
		st->matches_type = "array";
		st->in_matches = true;
	}
}

static void
ev_array_end(void *arg)
{
	GrypeStream *st = arg;
	int			d = --st->depth;

	if (st->capture != GCAP_NONE)
	{
		Jsonb	   *jb = json_capture_close(&st->cap, false, d);

		if (jb != NULL)
			end_capture(st, jb);
		return;
	}
	if (d == 1)
		st->in_matches = false;
}

static void
ev_field_start(void *arg, char *fname, bool isnull)
{
	GrypeStream *st = arg;

	if (st->capture != GCAP_NONE)
	{
		json_capture_key(&st->cap, fname);
		return;
	}
	json_check_string_len(strlen(fname));
	if (st->depth != 1)
		return;
	st->matches_member = false;
	if (strcmp(fname, "matches") == 0)
	{
		/* a repeated matches member replaces the earlier one */
		if (st->matches_seen)
			grype_mapper_discard_rows(st->mapper);
		st->matches_seen = true;
		st->matches_member = true;
	}
	else if (strcmp(fname, "source") == 0 && !st->source_known)
	{
		if (st->source_set)
			st->abandoned = true;
		st->pending = GCAP_SOURCE;
		st->pending_depth = 1;
	}
}

static void
ev_field_end(void *arg, char *fname, bool isnull)
{
	GrypeStream *st = arg;

	/* inside a capture the name may be a key of the value being built */
	if (st->capture == GCAP_NONE)
		pfree(fname);
}

static void
ev_element_start(void *arg, bool isnull)
{
	GrypeStream *st = arg;

	if (st->capture == GCAP_NONE && !st->abandoned &&
		st->depth == 2 && st->in_matches)
	{
		CHECK_FOR_INTERRUPTS();
		st->pending = GCAP_MATCH;
		st->pending_depth = 2;
	}
}

static void
ev_scalar(void *arg, char *token, JsonTokenType type)
{
	GrypeStream *st = arg;
	JsonbValue	v;

	if (++st->scalars % JSON_STREAM_SCALARS_PER_INTERRUPT_CHECK == 0)
		CHECK_FOR_INTERRUPTS();

	/* what jsonb_in checks of every scalar, in the same order */
	json_scalar_value(token, type, &v);
	if (st->capture != GCAP_NONE)
	{
		/* token and number stay with the value being built */
		(void) json_capture_scalar(&st->cap, &v);
		return;
	}
	if (begin_capture(st, st->depth))
	{
		end_capture(st, json_capture_scalar(&st->cap, &v));
		return;
	}
	if (st->depth == 1 && st->matches_member)
		st->matches_type = json_scalar_type_name(type);
	if (v.type == jbvNumeric)
		pfree(v.val.numeric);
	pfree(token);
}

/* One reading of the whole document; errors are those of document::jsonb. */
static void
grype_read(GrypeStream *st, text *doc)
{
	JsonSemAction sem;
	JsonLexContext *lex;
	MemoryContext old = MemoryContextSwitchTo(st->parse_cxt);

	st->abandoned = false;
	st->depth = 0;
	st->matches_member = st->matches_seen = st->in_matches = false;
	st->matches_type = NULL;
	st->pending = st->capture = GCAP_NONE;

	memset(&sem, 0, sizeof(sem));
	sem.semstate = st;
	sem.object_start = ev_object_start;
	sem.object_end = ev_object_end;
	sem.array_start = ev_array_start;
	sem.array_end = ev_array_end;
	sem.object_field_start = ev_field_start;
	sem.object_field_end = ev_field_end;
	sem.array_element_start = ev_element_start;
	sem.scalar = ev_scalar;
	lex = makeJsonLexContextCstringLen(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc),
									   GetDatabaseEncoding(), true);
	pg_parse_json_or_ereport(lex, &sem);
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->parse_cxt);
}

/*
 * compmap.map_grype_text(document text) RETURNS SETOF compmap.ingest_record
 *
 * The rows of map_grype(document::jsonb).
 */
PG_FUNCTION_INFO_V1(compmap_map_grype_text);
Datum
compmap_map_grype_text(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext fn_cxt;
	GrypeStream st;

	InitMaterializedSRF(fcinfo, 0);
	fn_cxt = CurrentMemoryContext;
	memset(&st, 0, sizeof(st));
	st.mapper = grype_mapper_create(rsinfo);
	st.parse_cxt = AllocSetContextCreate(fn_cxt, "grype stream",
										 ALLOCSET_DEFAULT_SIZES);
	st.cap_cxt = AllocSetContextCreate(fn_cxt, "grype stream value",
									   ALLOCSET_DEFAULT_SIZES);
	st.cap.cxt = st.cap_cxt;
	st.source_cxt = AllocSetContextCreate(fn_cxt, "grype stream source",
										  ALLOCSET_SMALL_SIZES);

	grype_read(&st, doc);
	if (st.abandoned)
	{
		/* read again with the last source member from the start */
		grype_mapper_discard_rows(st.mapper);
		st.source_known = true;
		set_source(&st);
		grype_read(&st, doc);
	}
	/* map_grype's error for a matches member that is not an array */
	if (st.matches_type != NULL && strcmp(st.matches_type, "array") != 0)
		grype_check_matches_array(strcmp(st.matches_type, "object") == 0);

	MemoryContextDelete(st.source_cxt);
	MemoryContextDelete(st.cap_cxt);
	MemoryContextDelete(st.parse_cxt);
	grype_mapper_destroy(st.mapper);
	return (Datum) 0;
}
