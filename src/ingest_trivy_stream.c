/*-------------------------------------------------------------------------
 *
 * ingest_trivy_stream.c
 *	  compmap.map_trivy_text(text): the rows map_trivy(document::jsonb)
 *	  returns, in the same order and with the same errors, read from the
 *	  document's text with PostgreSQL's JSON parser, without the jsonb of
 *	  the whole report.
 *
 * The events of pg_parse_json() are followed by depth, and only these
 * values are built, each as a jsonb of its own with the scalars checked
 * as jsonb_in checks them (src/json_stream.c):
 *   * the report's ArtifactType and ArtifactName members;
 *   * each Result's Target member;
 *   * each element of a Result's Vulnerabilities, Misconfigurations and
 *     Secrets arrays, one at a time, mapped by the TrivyMapper of
 *     src/ingest_trivy.c as soon as it is complete.
 * Everything else is only checked, so that a document is refused exactly
 * when document::jsonb refuses it, with the same error.
 *
 * JSON objects are unordered and a repeated key keeps its last value in
 * jsonb.  Rows go out in map_trivy's order (by Result, then class, then
 * item), so an item can be mapped early only while nothing that comes
 * later can change it or come before it: a repeated Results member drops
 * the rows put so far; ArtifactType or ArtifactName after the first row,
 * Target after a row of its Result, or a class (again or out of order)
 * after rows of that or a later class of its Result abandon the first
 * reading.  The rest of the document is then only checked (the report's
 * members still read), and the document read again: with the report's
 * members known, each Result's items are held as the spans of text they
 * lie in, per class, until the Result ends, when each is parsed again on
 * its own and mapped.
 *
 * Memory: an item is built in a context reset as soon as it is mapped;
 * a Result's Target and held spans live in a context reset when the
 * Result ends.  Peak memory besides the document is the largest item,
 * plus (only when a Result's members come out of order) 8 bytes per item
 * of that Result.  The parser's recursion is bounded by
 * check_stack_depth(); interrupts are checked per Result, per item and
 * every few thousand scalars.
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

/* The values captured; the classes are TrivyClass. */
typedef enum TrivyCapture
{
	TCAP_NONE,
	TCAP_TYPE,
	TCAP_NAME,
	TCAP_TARGET,
	TCAP_ITEM
} TrivyCapture;

#define NO_CLASS (-1)

/* An item of a Result, as the span of the document's text it lies in */
typedef struct HeldItem
{
	int			start;
	int			len;
} HeldItem;

typedef struct HeldList
{
	HeldItem   *items;
	int			n;
	int			cap;
} HeldList;

typedef struct TrivyStream
{
	TrivyMapper *mapper;
	bool		hold;			/* second reading: hold each Result's items */
	bool		abandoned;		/* something came after rows it changes */
	int			depth;			/* containers open */
	uint32		scalars;
	const char *doc;
	JsonLexContext *lex;

	/* the report */
	bool		results_member; /* reading the report's Results member */
	bool		results_seen;
	bool		in_results;		/* inside the last Results member's array */
	Jsonb	   *artifact_type;	/* the last members, or NULL */
	Jsonb	   *artifact_name;
	bool		report_set;		/* the mapper has the report */

	/* the Result being read: an element of Results */
	bool		in_result;
	bool		result_is_object;
	int			result_member;	/* the class member being read, or NO_CLASS */
	int			in_items;		/* inside that class's array, or NO_CLASS */
	Jsonb	   *target;
	bool		result_started; /* the mapper has this Result's Target */
	int			last_class_put; /* highest class with rows, or NO_CLASS */
	HeldList	held[TRIVY_SECRET + 1];
	int			held_start;		/* of the item being read */

	/* the value being captured */
	TrivyCapture pending;		/* for the next value at pending_depth */
	int			pending_depth;
	int			pending_class;
	TrivyCapture capture;
	int			capture_class;
	JsonCapture cap;

	MemoryContext parse_cxt;	/* the parse */
	MemoryContext cap_cxt;		/* one captured value while it is built */
	MemoryContext report_cxt;	/* the report's members */
	MemoryContext result_cxt;	/* a Result's Target and held items */
	MemoryContext replay_cxt;	/* the parse of one held item */
} TrivyStream;

static void trivy_events(TrivyStream *st, JsonSemAction *sem);

static const char *const class_keys[] = {"Vulnerabilities", "Misconfigurations", "Secrets"};

static void
set_report(TrivyStream *st)
{
	JsonbValue	t,
				n;

	if (st->artifact_type != NULL)
		jsonb_root_value(st->artifact_type, &t);
	if (st->artifact_name != NULL)
		jsonb_root_value(st->artifact_name, &n);
	trivy_mapper_set_report(st->mapper,
							st->artifact_type ? &t : NULL,
							st->artifact_name ? &n : NULL);
	st->report_set = true;
}

static void
start_result(TrivyStream *st)
{
	JsonbValue	t;

	if (st->target != NULL)
		jsonb_root_value(st->target, &t);
	trivy_mapper_start_result(st->mapper, st->target ? &t : NULL);
	st->result_started = true;
}

static void
begin_result(TrivyStream *st)
{
	CHECK_FOR_INTERRUPTS();
	st->in_result = true;
	st->result_is_object = false;
	st->result_member = NO_CLASS;
	st->in_items = NO_CLASS;
	st->target = NULL;
	st->result_started = false;
	st->last_class_put = NO_CLASS;
	memset(st->held, 0, sizeof(st->held));
	MemoryContextReset(st->result_cxt);
}

/* Maps a held item: its text parsed again on its own (already checked). */
static void
replay_item(TrivyStream *st, int class, const HeldItem *h)
{
	MemoryContext old = MemoryContextSwitchTo(st->replay_cxt);
	JsonLexContext *lex;
	JsonSemAction sem;
	int			depth = st->depth;

	lex = makeJsonLexContextCstringLen((char *) st->doc + h->start, h->len,
									   GetDatabaseEncoding(), true);
	trivy_events(st, &sem);
	st->depth = 0;
	st->pending = TCAP_ITEM;
	st->pending_depth = 0;
	st->pending_class = class;
	pg_parse_json_or_ereport(lex, &sem);
	st->depth = depth;
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->replay_cxt);
}

static void
end_result(TrivyStream *st)
{
	if (st->hold && !st->abandoned)
	{
		start_result(st);
		for (int c = TRIVY_VULNERABILITY; c <= TRIVY_SECRET; c++)
			for (int i = 0; i < st->held[c].n; i++)
				replay_item(st, c, &st->held[c].items[i]);
	}
	st->in_result = false;
	st->target = NULL;
	memset(st->held, 0, sizeof(st->held));
	MemoryContextReset(st->result_cxt);
}

/* Something changes rows already put: read again, holding items. */
static void
abandon(TrivyStream *st)
{
	Assert(!st->hold);
	st->abandoned = true;
	st->pending = TCAP_NONE;
}

static bool
begin_capture(TrivyStream *st, int d)
{
	if (st->pending == TCAP_NONE || st->pending_depth != d)
	{
		st->pending = TCAP_NONE;
		return false;
	}
	st->capture = st->pending;
	st->capture_class = st->pending_class;
	st->pending = TCAP_NONE;
	json_capture_begin(&st->cap, d);
	return true;
}

static void
end_capture(TrivyStream *st, Jsonb *jb)
{
	TrivyCapture c = st->capture;

	st->capture = TCAP_NONE;
	switch (c)
	{
		case TCAP_ITEM:
			{
				JsonbValue	v;

				if (!st->report_set)
					set_report(st);
				if (!st->result_started)
					start_result(st);
				jsonb_root_value(jb, &v);
				trivy_mapper_put_item(st->mapper, st->capture_class, &v);
				if (st->capture_class > st->last_class_put)
					st->last_class_put = st->capture_class;
			}
			break;
		case TCAP_TYPE:
			st->artifact_type = jsonb_copy_to(st->report_cxt, jb);
			break;
		case TCAP_NAME:
			st->artifact_name = jsonb_copy_to(st->report_cxt, jb);
			break;
		case TCAP_TARGET:
			st->target = jsonb_copy_to(st->result_cxt, jb);
			break;
		case TCAP_NONE:
			break;
	}
	MemoryContextReset(st->cap_cxt);
}

static void
ev_object_start(void *arg)
{
	TrivyStream *st = arg;
	int			d = st->depth++;

	if (st->capture != TCAP_NONE)
		json_capture_open(&st->cap, true);
	else if (begin_capture(st, d))
		json_capture_open(&st->cap, true);
	else if (d == 1 && st->results_member)
		st->in_results = false;
	else if (d == 2 && st->in_result)
		st->result_is_object = true;
}

static void
ev_object_end(void *arg)
{
	TrivyStream *st = arg;
	int			d = --st->depth;

	if (st->capture != TCAP_NONE)
	{
		Jsonb	   *jb = json_capture_close(&st->cap, true, d);

		if (jb != NULL)
			end_capture(st, jb);
	}
}

static void
ev_array_start(void *arg)
{
	TrivyStream *st = arg;
	int			d = st->depth++;

	if (st->capture != TCAP_NONE)
		json_capture_open(&st->cap, false);
	else if (begin_capture(st, d))
		json_capture_open(&st->cap, false);
	else if (d == 1 && st->results_member)
		st->in_results = true;
	else if (d == 3 && st->in_result && st->result_is_object &&
			 st->result_member != NO_CLASS)
		st->in_items = st->result_member;
}

static void
ev_array_end(void *arg)
{
	TrivyStream *st = arg;
	int			d = --st->depth;

	if (st->capture != TCAP_NONE)
	{
		Jsonb	   *jb = json_capture_close(&st->cap, false, d);

		if (jb != NULL)
			end_capture(st, jb);
		return;
	}
	if (d == 1)
		st->in_results = false;
	else if (d == 3)
		st->in_items = NO_CLASS;
}

static void
ev_field_start(void *arg, char *fname, bool isnull)
{
	TrivyStream *st = arg;
	int			d = st->depth;	/* of the member's value */

	if (st->capture != TCAP_NONE)
	{
		json_capture_key(&st->cap, fname);
		return;
	}
	json_check_string_len(strlen(fname));
	if (d == 1)
	{
		TrivyCapture part = TCAP_NONE;

		st->results_member = false;
		if (strcmp(fname, "Results") == 0)
		{
			/* a repeated Results member replaces the earlier one */
			if (st->results_seen)
				trivy_mapper_discard_rows(st->mapper);
			st->results_seen = true;
			st->results_member = true;
		}
		else if (strcmp(fname, "ArtifactType") == 0)
			part = TCAP_TYPE;
		else if (strcmp(fname, "ArtifactName") == 0)
			part = TCAP_NAME;
		/* the second reading knows the report's members already */
		if (part != TCAP_NONE && !st->hold)
		{
			if (st->report_set && !st->abandoned)
				abandon(st);
			st->pending = part;
			st->pending_depth = d;
		}
	}
	else if (d == 3 && st->in_result && st->result_is_object && !st->abandoned)
	{
		st->result_member = NO_CLASS;
		if (strcmp(fname, "Target") == 0)
		{
			if (st->result_started && !st->hold)
				abandon(st);
			else
			{
				st->pending = TCAP_TARGET;
				st->pending_depth = d;
			}
			return;
		}
		for (int c = TRIVY_VULNERABILITY; c <= TRIVY_SECRET; c++)
		{
			if (strcmp(fname, class_keys[c]) != 0)
				continue;
			if (st->hold)
				st->held[c].n = 0;	/* a repeated member replaces the earlier */
			else if (st->last_class_put >= c)
			{
				abandon(st);
				return;
			}
			st->result_member = c;
		}
	}
}

static void
ev_field_end(void *arg, char *fname, bool isnull)
{
	TrivyStream *st = arg;

	/* inside a capture the name may be a key of the value being built */
	if (st->capture == TCAP_NONE)
		pfree(fname);
}

static void
ev_element_start(void *arg, bool isnull)
{
	TrivyStream *st = arg;
	int			d = st->depth;

	if (st->capture != TCAP_NONE || st->abandoned)
		return;
	if (d == 2 && st->in_results)
		begin_result(st);
	else if (d == 4 && st->in_result && st->in_items != NO_CLASS)
	{
		CHECK_FOR_INTERRUPTS();
		if (st->hold)
			st->held_start = st->lex->token_start - st->doc;
		else
		{
			st->pending = TCAP_ITEM;
			st->pending_depth = d;
			st->pending_class = st->in_items;
		}
	}
}

static void
ev_element_end(void *arg, bool isnull)
{
	TrivyStream *st = arg;
	int			d = st->depth;

	if (st->capture != TCAP_NONE || st->abandoned)
		return;
	if (d == 2 && st->in_result)
		end_result(st);
	else if (d == 4 && st->in_result && st->in_items != NO_CLASS && st->hold)
	{
		HeldList   *l = &st->held[st->in_items];

		if (l->n == l->cap)
		{
			l->cap = l->cap ? l->cap * 2 : 64;
			l->items = l->items
				? repalloc(l->items, l->cap * sizeof(HeldItem))
				: MemoryContextAlloc(st->result_cxt, l->cap * sizeof(HeldItem));
		}
		/* the element ends with the token before the current one */
		l->items[l->n].start = st->held_start;
		l->items[l->n].len = (st->lex->prev_token_terminator - st->doc) - st->held_start;
		l->n++;
	}
}

static void
ev_scalar(void *arg, char *token, JsonTokenType type)
{
	TrivyStream *st = arg;
	JsonbValue	v;

	if (++st->scalars % JSON_STREAM_SCALARS_PER_INTERRUPT_CHECK == 0)
		CHECK_FOR_INTERRUPTS();

	/* what jsonb_in checks of every scalar, in the same order */
	json_scalar_value(token, type, &v);
	if (st->capture != TCAP_NONE)
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
	if (v.type == jbvNumeric)
		pfree(v.val.numeric);
	pfree(token);
}

static void
trivy_events(TrivyStream *st, JsonSemAction *sem)
{
	memset(sem, 0, sizeof(*sem));
	sem->semstate = st;
	sem->object_start = ev_object_start;
	sem->object_end = ev_object_end;
	sem->array_start = ev_array_start;
	sem->array_end = ev_array_end;
	sem->object_field_start = ev_field_start;
	sem->object_field_end = ev_field_end;
	sem->array_element_start = ev_element_start;
	sem->array_element_end = ev_element_end;
	sem->scalar = ev_scalar;
}

/* One reading of the whole document; errors are those of document::jsonb. */
static void
trivy_read(TrivyStream *st, text *doc)
{
	JsonSemAction sem;
	MemoryContext old = MemoryContextSwitchTo(st->parse_cxt);

	trivy_events(st, &sem);
	st->doc = VARDATA_ANY(doc);
	st->lex = makeJsonLexContextCstringLen(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc),
										   GetDatabaseEncoding(), true);
	pg_parse_json_or_ereport(st->lex, &sem);
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->parse_cxt);
}

/* The state of a reading; the report's members are kept across readings. */
static void
trivy_reset(TrivyStream *st, bool hold)
{
	st->hold = hold;
	st->abandoned = false;
	st->depth = 0;
	st->results_member = st->results_seen = st->in_results = false;
	st->in_result = false;
	st->result_member = st->in_items = st->last_class_put = NO_CLASS;
	st->pending = st->capture = TCAP_NONE;
}

/*
 * compmap.map_trivy_text(document text) RETURNS SETOF compmap.ingest_record
 *
 * The rows of map_trivy(document::jsonb).
 */
PG_FUNCTION_INFO_V1(compmap_map_trivy_text);
Datum
compmap_map_trivy_text(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext fn_cxt;
	TrivyStream st;

	InitMaterializedSRF(fcinfo, 0);
	fn_cxt = CurrentMemoryContext;
	memset(&st, 0, sizeof(st));
	st.mapper = trivy_mapper_create(rsinfo);
	st.parse_cxt = AllocSetContextCreate(fn_cxt, "trivy stream",
										 ALLOCSET_DEFAULT_SIZES);
	st.cap_cxt = AllocSetContextCreate(fn_cxt, "trivy stream value",
									   ALLOCSET_DEFAULT_SIZES);
	st.cap.cxt = st.cap_cxt;
	st.report_cxt = AllocSetContextCreate(fn_cxt, "trivy stream report",
										  ALLOCSET_SMALL_SIZES);
	st.result_cxt = AllocSetContextCreate(fn_cxt, "trivy stream result",
										  ALLOCSET_DEFAULT_SIZES);
	st.replay_cxt = AllocSetContextCreate(fn_cxt, "trivy stream item",
										  ALLOCSET_DEFAULT_SIZES);

	trivy_reset(&st, false);
	trivy_read(&st, doc);
	if (st.abandoned)
	{
		/* read again, the report known, holding each Result's items */
		trivy_mapper_discard_rows(st.mapper);
		trivy_reset(&st, true);
		set_report(&st);
		trivy_read(&st, doc);
		Assert(!st.abandoned);
	}

	MemoryContextDelete(st.replay_cxt);
	MemoryContextDelete(st.result_cxt);
	MemoryContextDelete(st.report_cxt);
	MemoryContextDelete(st.cap_cxt);
	MemoryContextDelete(st.parse_cxt);
	trivy_mapper_destroy(st.mapper);
	return (Datum) 0;
}
