/*-------------------------------------------------------------------------
 *
 * ingest_sarif_stream.c
 *	  SARIF 2.1.0 read from the document's text with PostgreSQL's JSON
 *	  parser, without the jsonb of the whole log:
 *
 *	  compmap.map_sarif_text(text): the rows map_sarif(document::jsonb)
 *	  returns, in the same order, with the same errors;
 *	  compmap.sarif_scan(text, text): what ingest checks and detects of a
 *	  JSON document (its type, whether it is SARIF, version, the type of
 *	  runs, the runs' scanner names), with the parse errors ingest raises;
 *	  compmap.json_scan(text, text): the same, and what detection and the
 *	  Trivy, Grype and ZAP checks of ingest read (the format of an object
 *	  or an array, SchemaVersion, the types of Results, matches and site;
 *	  a Trivy Kubernetes report is told by ClusterName and its lists).
 *
 * The JSON events of pg_parse_json() are followed by depth.  Only these
 * values are built, each as a jsonb of its own, exactly as jsonb_in would
 * build it (duplicate keys keep the last value, numbers go through
 * numeric_in, strings are checked for jsonb's length limit):
 *   * each element of a run's results array, one at a time;
 *   * a run's tool, artifacts and versionControlProvenance members, the
 *     only parts of a run outside its results that the mapping reads;
 *   * the log's version and $schema members (sarif_scan).
 * Everything else is only checked the way jsonb_in checks it, so that a
 * document is refused here exactly when document::jsonb refuses it, with
 * the same error.  Where a duplicate key replaces a member, the last one
 * wins as in jsonb: a repeated runs member drops the rows put so far.
 *
 * A result is mapped as soon as it is complete, with the run's members read
 * so far.  JSON objects are unordered, so a run may name its tool,
 * artifacts or versionControlProvenance (or a second results array) after
 * results were mapped; the rest of the document is then only checked and
 * the whole document read again, keeping where each result of a run lies
 * in the text until the run ends, when each is parsed again on its own
 * and mapped.
 *
 * Memory: a captured value is built in a context reset as soon as it has
 * been mapped or copied out; a run's members and held results live in
 * contexts reset when the run ends.  Peak memory besides the document is
 * therefore the largest single result, plus one run's tool and artifacts,
 * plus (only when a run names its members after its results) 8 bytes per
 * result of that run.  The
 * parser's recursion is bounded by check_stack_depth(); interrupts are
 * checked per run, per result and every few thousand scalars.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/jsonfuncs.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "compmap.h"
#include "json_stream.h"

typedef enum StreamMode
{
	STREAM_SCAN,				/* sarif_scan: check, no results built */
	STREAM_MAP					/* map_sarif_text: results mapped */
} StreamMode;

/* What a captured value is; the run members index parts[]. */
typedef enum Capture
{
	CAP_TOOL,
	CAP_ARTIFACTS,
	CAP_VCP,
	CAP_RESULT,
	CAP_VERSION,
	CAP_SCHEMA,
	CAP_SCHEMA_VERSION,
	CAP_NONE
} Capture;

#define NUM_PARTS (CAP_VCP + 1)

/* Members of the log (depth 1) and of a run (depth 3) that matter. */
typedef enum Member
{
	MEMBER_OTHER,
	MEMBER_RUNS,
	MEMBER_RESULTS
} Member;

/* A result of the run, as the span of the document's text it was read from */
typedef struct HeldResult
{
	int			start;
	int			len;
} HeldResult;

typedef struct StreamState
{
	StreamMode	mode;
	bool		hold;			/* hold a run's results until it ends */
	bool		abandoned;		/* a run member came after mapped results */
	SarifMapper *mapper;		/* STREAM_MAP */
	int			depth;			/* containers open */
	uint32		scalars;

	/* the log */
	const char *top_type;		/* jsonb_typeof of the document */
	Member		top_member;		/* the member of the log being read */
	bool		runs_seen;
	const char *runs_type;		/* jsonb_typeof of the last runs member */
	bool		in_runs;		/* inside the last runs member's array */
	Jsonb	   *version;		/* the last version member, or NULL */
	Jsonb	   *schema;			/* the last $schema member, or NULL */

	/* json_scan: what detection and the Trivy and Grype checks read */
	uint32		top_keys;		/* bit i: the log has detect_keys[i] */
	const char **top_slot;		/* jsonb_typeof of the member being read */
	const char *results_type;	/* of the last Results member */
	const char *matches_type;	/* of the last matches member */
	const char *site_type;		/* of the last site member (ZAP) */
	Jsonb	   *schema_version; /* the last SchemaVersion member, or NULL */

	/* json_scan of an array: are all its elements Nuclei results? */
	bool		top_is_array;
	int64		top_elements;
	bool		all_template;	/* each element ? a template key so far */
	bool		elem_template;	/* the element being read does */
	bool		elem_is_array;

	/* the run being read: an element of runs */
	bool		in_run;
	bool		run_is_object;
	Member		run_member;		/* the run's member being read */
	bool		results_seen;
	bool		in_results;		/* inside the last results member's array */
	bool		run_started;	/* the mapper has this run's members */
	Jsonb	   *parts[NUM_PARTS];
	HeldResult *held;			/* hold mode: where the run's results are */
	int			nheld;
	int			held_cap;
	int			held_start;		/* of the result being read */
	bool		replaying;		/* mapping a held result */
	JsonLexContext *lex;
	const char *doc;			/* the document's text */

	/* sarif_scan: the runs' scanner names */
	Datum	   *scanners;
	int			nscanners;
	int			scanners_cap;

	/* the value being captured */
	Capture		pending;		/* for the next value at pending_depth */
	int			pending_depth;
	Capture		capture;
	JsonCapture cap;

	MemoryContext parse_cxt;	/* the parse and the log's members */
	MemoryContext cap_cxt;		/* one captured value while it is built */
	MemoryContext parts_cxt;	/* the run's members */
	MemoryContext held_cxt;		/* the run's held results */
	MemoryContext replay_cxt;	/* the parse of one held result */
} StreamState;

static void stream_events(StreamState *st, JsonSemAction *sem);

/* The top-level keys of ingest_json_format() besides runs and $schema */
typedef enum DetectKey
{
	KEY_SCHEMA_VERSION,
	KEY_ARTIFACT_NAME,
	KEY_RESULTS,
	KEY_MATCHES,
	KEY_PROGRAM_NAME,
	KEY_SITE,
	KEY_VERSION_AT,
	KEY_TEMPLATE_ID,
	KEY_TEMPLATE_ID2,
	KEY_TEMPLATE,
	KEY_CLUSTER_NAME,
	KEY_RESOURCES,
	KEY_VULNERABILITIES,
	KEY_MISCONFIGURATIONS,
	NUM_DETECT_KEYS
} DetectKey;

static const char *const detect_keys[NUM_DETECT_KEYS] = {
	"SchemaVersion", "ArtifactName", "Results", "matches", "@programName",
	"site", "@version", "template-id", "templateID", "template",
	"ClusterName", "Resources", "Vulnerabilities", "Misconfigurations"
};

#define HAS_KEY(st, k) (((st)->top_keys & (1 << (k))) != 0)

/* One of the keys that make an array element a Nuclei result */
static bool
is_template_key(const char *s)
{
	return strcmp(s, "template-id") == 0 || strcmp(s, "templateID") == 0 ||
		strcmp(s, "template") == 0;
}


/* ---------------------------------------------------------------------
 * Runs
 * ---------------------------------------------------------------------
 */

/* Gives the mapper the run's members read so far. */
static void
start_mapper_run(StreamState *st)
{
	JsonbValue	v[NUM_PARTS];

	for (int i = 0; i < NUM_PARTS; i++)
		if (st->parts[i] != NULL)
			jsonb_root_value(st->parts[i], &v[i]);
	sarif_mapper_start_run(st->mapper,
						   st->parts[CAP_TOOL] ? &v[CAP_TOOL] : NULL,
						   st->parts[CAP_ARTIFACTS] ? &v[CAP_ARTIFACTS] : NULL,
						   st->parts[CAP_VCP] ? &v[CAP_VCP] : NULL);
	st->run_started = true;
}

static void
begin_run(StreamState *st)
{
	CHECK_FOR_INTERRUPTS();
	st->in_run = true;
	st->run_is_object = false;
	st->run_member = MEMBER_OTHER;
	st->results_seen = false;
	st->in_results = false;
	st->run_started = false;
	memset(st->parts, 0, sizeof(st->parts));
	st->held = NULL;
	st->nheld = st->held_cap = 0;
}

/*
 * Maps a held result: its text is parsed again on its own, captured and
 * mapped as in eager mode.  (The first pass checked it already.)
 */
static void
replay_result(StreamState *st, const HeldResult *h)
{
	MemoryContext old = MemoryContextSwitchTo(st->replay_cxt);
	JsonLexContext *lex;
	JsonSemAction sem;
	JsonLexContext *outer = st->lex;
	int			depth = st->depth;

	lex = makeJsonLexContextCstringLen((char *) st->doc + h->start, h->len,
									   GetDatabaseEncoding(), true);
	stream_events(st, &sem);
	st->lex = lex;
	st->depth = 0;
	st->pending = CAP_RESULT;
	st->pending_depth = 0;
	st->replaying = true;
	pg_parse_json_or_ereport(lex, &sem);
	st->replaying = false;
	st->depth = depth;
	st->lex = outer;
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->replay_cxt);
}

static void
end_run(StreamState *st)
{
	if (st->mode == STREAM_SCAN)
	{
		JsonbValue	tool;

		if (st->parts[CAP_TOOL] != NULL)
			jsonb_root_value(st->parts[CAP_TOOL], &tool);
		if (st->nscanners == st->scanners_cap)
		{
			st->scanners_cap = st->scanners_cap ? st->scanners_cap * 2 : 8;
			st->scanners = st->scanners
				? repalloc(st->scanners, st->scanners_cap * sizeof(Datum))
				: palloc(st->scanners_cap * sizeof(Datum));
		}
		st->scanners[st->nscanners++] =
			sarif_scanner_name(st->parts[CAP_TOOL] ? &tool : NULL);
	}
	else
	{
		if (st->hold && st->nheld > 0)
		{
			start_mapper_run(st);
			for (int i = 0; i < st->nheld; i++)
				replay_result(st, &st->held[i]);
		}
		if (st->run_started)
			sarif_mapper_end_run(st->mapper);
	}
	st->in_run = false;
	st->run_started = false;
	st->held = NULL;
	st->nheld = st->held_cap = 0;
	memset(st->parts, 0, sizeof(st->parts));
	MemoryContextReset(st->parts_cxt);
	MemoryContextReset(st->held_cxt);
}


/* ---------------------------------------------------------------------
 * Captured values
 * ---------------------------------------------------------------------
 */

/* Starts capturing the value at depth d when it is the one pending. */
static bool
begin_capture(StreamState *st, int d)
{
	if (st->pending == CAP_NONE || st->pending_depth != d)
	{
		st->pending = CAP_NONE;
		return false;
	}
	st->capture = st->pending;
	st->pending = CAP_NONE;
	json_capture_begin(&st->cap, d);
	return true;
}

/* The captured value is complete: map it or keep it. */
static void
end_capture(StreamState *st, Jsonb *jb)
{
	Capture		c = st->capture;

	/* (jb is in cap_cxt; the capture is back in the parse's context) */
	st->capture = CAP_NONE;

	switch (c)
	{
		case CAP_RESULT:
			{
				JsonbValue	v;

				if (!st->run_started)
					start_mapper_run(st);
				jsonb_root_value(jb, &v);
				sarif_mapper_put_result(st->mapper, &v);
			}
			break;
		case CAP_TOOL:
		case CAP_ARTIFACTS:
		case CAP_VCP:
			st->parts[c] = jsonb_copy_to(st->parts_cxt, jb);
			break;
		case CAP_VERSION:
			st->version = jsonb_copy_to(st->parse_cxt, jb);
			break;
		case CAP_SCHEMA:
			st->schema = jsonb_copy_to(st->parse_cxt, jb);
			break;
		case CAP_SCHEMA_VERSION:
			st->schema_version = jsonb_copy_to(st->parse_cxt, jb);
			break;
		case CAP_NONE:
			break;
	}
	MemoryContextReset(st->cap_cxt);
}

/*
 * A run member arrives after results of the run were mapped (eager mode):
 * the rows already put may be wrong, so the rest is only checked and the
 * document is read again holding results.
 */
static bool
late_member(StreamState *st)
{
	if (st->mode == STREAM_MAP && !st->hold && st->run_started)
	{
		st->abandoned = true;
		return true;
	}
	return false;
}


/* ---------------------------------------------------------------------
 * The parser's events
 * ---------------------------------------------------------------------
 */

static void
ev_object_start(void *arg)
{
	StreamState *st = arg;
	int			d = st->depth++;

	if (st->capture == CAP_NONE && !st->abandoned && !begin_capture(st, d))
	{
		if (d == 0)
			st->top_type = "object";
		else if (d == 1 && st->top_member == MEMBER_RUNS)
			st->runs_type = "object";
		else if (d == 1 && st->top_slot != NULL)
			*st->top_slot = "object";
		else if (d == 2 && st->in_run)
			st->run_is_object = true;
		return;
	}
	if (st->capture != CAP_NONE)
		json_capture_open(&st->cap, true);
}

static void
ev_object_end(void *arg)
{
	StreamState *st = arg;
	int			d = --st->depth;

	if (st->capture != CAP_NONE)
	{
		Jsonb	   *jb = json_capture_close(&st->cap, true, d);

		if (jb != NULL)
			end_capture(st, jb);
	}
}

static void
ev_array_start(void *arg)
{
	StreamState *st = arg;
	int			d = st->depth++;

	if (st->capture == CAP_NONE && !st->abandoned && !begin_capture(st, d))
	{
		if (d == 0)
		{
			st->top_type = "array";
			st->top_is_array = true;
		}
		else if (d == 1 && st->top_is_array)
			st->elem_is_array = true;
		else if (d == 1 && st->top_member == MEMBER_RUNS)
		{
			st->runs_type = "array";
			st->in_runs = true;
		}
		else if (d == 1 && st->top_slot != NULL)
			*st->top_slot = "array";
		else if (d == 3 && st->in_run && st->run_is_object &&
				 st->run_member == MEMBER_RESULTS)
			st->in_results = true;
		return;
	}
	if (st->capture != CAP_NONE)
		json_capture_open(&st->cap, false);
}

static void
ev_array_end(void *arg)
{
	StreamState *st = arg;
	int			d = --st->depth;

	if (st->capture != CAP_NONE)
	{
		Jsonb	   *jb = json_capture_close(&st->cap, false, d);

		if (jb != NULL)
			end_capture(st, jb);
		return;
	}
	if (d == 1)
		st->in_runs = false;
	else if (d == 3)
		st->in_results = false;
}

static void
ev_field_start(void *arg, char *fname, bool isnull)
{
	StreamState *st = arg;
	int			d = st->depth;	/* of the member's value */

	if (st->capture != CAP_NONE)
	{
		json_capture_key(&st->cap, fname);
		return;
	}
	json_check_string_len(strlen(fname));
	if (st->abandoned)
		return;
	if (d == 1)
	{
		st->top_member = MEMBER_OTHER;
		st->top_slot = NULL;
		for (int k = 0; k < NUM_DETECT_KEYS; k++)
			if (strcmp(fname, detect_keys[k]) == 0)
				st->top_keys |= 1 << k;
		if (strcmp(fname, "Results") == 0)
			st->top_slot = &st->results_type;
		else if (strcmp(fname, "matches") == 0)
			st->top_slot = &st->matches_type;
		else if (strcmp(fname, "site") == 0)
			st->top_slot = &st->site_type;
		else if (strcmp(fname, "SchemaVersion") == 0 && st->mode == STREAM_SCAN)
		{
			st->pending = CAP_SCHEMA_VERSION;
			st->pending_depth = d;
		}
		if (strcmp(fname, "runs") == 0)
		{
			/* a repeated runs member replaces the earlier one */
			if (st->runs_seen)
			{
				if (st->mode == STREAM_MAP)
					sarif_mapper_discard_rows(st->mapper);
				st->nscanners = 0;
			}
			st->runs_seen = true;
			st->top_member = MEMBER_RUNS;
		}
		else if (strcmp(fname, "version") == 0)
		{
			st->pending = CAP_VERSION;
			st->pending_depth = d;
		}
		else if (strcmp(fname, "$schema") == 0)
		{
			st->pending = CAP_SCHEMA;
			st->pending_depth = d;
		}
	}
	else if (d == 2 && st->top_is_array && is_template_key(fname))
		st->elem_template = true;	/* an object element with the key */
	else if (d == 3 && st->in_run && st->run_is_object)
	{
		Capture		part = CAP_NONE;

		st->run_member = MEMBER_OTHER;
		if (strcmp(fname, "tool") == 0)
			part = CAP_TOOL;
		else if (strcmp(fname, "artifacts") == 0)
			part = CAP_ARTIFACTS;
		else if (strcmp(fname, "versionControlProvenance") == 0)
			part = CAP_VCP;
		else if (strcmp(fname, "results") == 0)
		{
			if (st->results_seen && late_member(st))
				return;
			/* a repeated results member replaces the earlier one */
			st->results_seen = true;
			st->run_member = MEMBER_RESULTS;
			st->held = NULL;
			st->nheld = st->held_cap = 0;
			MemoryContextReset(st->held_cxt);
		}
		/* a scan needs only the tool, for the scanner name */
		if (st->mode == STREAM_SCAN && part != CAP_TOOL)
			part = CAP_NONE;
		if (part != CAP_NONE)
		{
			if (late_member(st))
				return;
			st->pending = part;
			st->pending_depth = d;
		}
	}
}

static void
ev_field_end(void *arg, char *fname, bool isnull)
{
	StreamState *st = arg;

	/* inside a capture the name may be a key of the value being built */
	if (st->capture == CAP_NONE)
		pfree(fname);
}

static void
ev_element_start(void *arg, bool isnull)
{
	StreamState *st = arg;
	int			d = st->depth;

	if (d == 1 && st->top_is_array)
	{
		st->top_elements++;
		st->elem_template = st->elem_is_array = false;
	}
	if (st->capture != CAP_NONE || st->abandoned)
		return;
	if (d == 2 && st->in_runs)
		begin_run(st);
	else if (d == 4 && st->in_results && st->mode == STREAM_MAP)
	{
		CHECK_FOR_INTERRUPTS();
		if (st->hold)
			st->held_start = st->lex->token_start - st->doc;
		else
		{
			st->pending = CAP_RESULT;
			st->pending_depth = d;
		}
	}
}

static void
ev_element_end(void *arg, bool isnull)
{
	StreamState *st = arg;

	if (st->depth == 1 && st->top_is_array && !st->elem_template)
		st->all_template = false;
	if (st->capture != CAP_NONE || st->abandoned)
		return;
	if (st->depth == 2 && st->in_run)
		end_run(st);
	else if (st->depth == 4 && st->in_results && st->hold)
	{
		/* the element ends with the token before the current one */
		if (st->nheld == st->held_cap)
		{
			st->held_cap = st->held_cap ? st->held_cap * 2 : 64;
			st->held = st->held
				? repalloc(st->held, st->held_cap * sizeof(HeldResult))
				: MemoryContextAlloc(st->held_cxt, st->held_cap * sizeof(HeldResult));
		}
		st->held[st->nheld].start = st->held_start;
		st->held[st->nheld].len = (st->lex->prev_token_terminator - st->doc) - st->held_start;
		st->nheld++;
	}
}

static void
ev_scalar(void *arg, char *token, JsonTokenType type)
{
	StreamState *st = arg;
	int			d = st->depth;
	JsonbValue	v;

	if (++st->scalars % JSON_STREAM_SCALARS_PER_INTERRUPT_CHECK == 0)
		CHECK_FOR_INTERRUPTS();

	/* what jsonb_in checks of every scalar, in the same order */
	json_scalar_value(token, type, &v);

	if (st->capture != CAP_NONE)
	{
		/* token and number stay with the value being built */
		(void) json_capture_scalar(&st->cap, &v);
		return;
	}
	if (!st->abandoned)
	{
		if (begin_capture(st, d))
			end_capture(st, json_capture_scalar(&st->cap, &v));
		else if (d == 0)
			st->top_type = json_scalar_type_name(type);
		else if (d == 1 && st->top_member == MEMBER_RUNS)
			st->runs_type = json_scalar_type_name(type);
		else if (d == 1 && st->top_slot != NULL)
			*st->top_slot = json_scalar_type_name(type);
		/* e ? key: a string element equal to it, or in an array element */
		if (type == JSON_TOKEN_STRING && st->top_is_array &&
			(d == 1 || (d == 2 && st->elem_is_array)) && is_template_key(token))
			st->elem_template = true;
	}
	if (v.type == jbvNumeric)
		pfree(v.val.numeric);
	pfree(token);
}

/*
 * Reads the whole document once.  Errors are those of document::jsonb.
 */
static void
stream_events(StreamState *st, JsonSemAction *sem)
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

/* label: raise ingest's error for malformed JSON (else document::jsonb's) */
static void
stream_parse(StreamState *st, text *doc, const char *label)
{
	JsonSemAction sem;

	stream_events(st, &sem);
	MemoryContextSwitchTo(st->parse_cxt);
	st->doc = VARDATA_ANY(doc);
	st->lex = makeJsonLexContextCstringLen(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc),
										   GetDatabaseEncoding(), true);
	if (label != NULL)
		json_parse_as_ingest(st->lex, &sem, label);
	else
		pg_parse_json_or_ereport(st->lex, &sem);
}

static void
stream_init(StreamState *st, StreamMode mode, bool hold, MemoryContext parent)
{
	memset(st, 0, sizeof(*st));
	st->mode = mode;
	st->hold = hold;
	st->top_member = MEMBER_OTHER;
	st->all_template = true;
	st->pending = CAP_NONE;
	st->capture = CAP_NONE;
	st->parse_cxt = AllocSetContextCreate(parent, "sarif stream",
										  ALLOCSET_DEFAULT_SIZES);
	st->cap_cxt = AllocSetContextCreate(parent, "sarif stream value",
										ALLOCSET_DEFAULT_SIZES);
	st->cap.cxt = st->cap_cxt;
	st->parts_cxt = AllocSetContextCreate(parent, "sarif stream run",
										  ALLOCSET_DEFAULT_SIZES);
	st->held_cxt = AllocSetContextCreate(parent, "sarif stream results",
										 ALLOCSET_DEFAULT_SIZES);
	st->replay_cxt = AllocSetContextCreate(parent, "sarif stream result",
										   ALLOCSET_DEFAULT_SIZES);
}

static void
stream_done(StreamState *st, MemoryContext back)
{
	MemoryContextSwitchTo(back);
	MemoryContextDelete(st->replay_cxt);
	MemoryContextDelete(st->held_cxt);
	MemoryContextDelete(st->parts_cxt);
	MemoryContextDelete(st->cap_cxt);
}


/*
 * compmap.map_sarif_text(document text) RETURNS SETOF compmap.ingest_record
 *
 * The rows of map_sarif(document::jsonb).
 */
PG_FUNCTION_INFO_V1(compmap_map_sarif_text);
Datum
compmap_map_sarif_text(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext fn_cxt;
	SarifMapper *mapper;
	StreamState st;

	InitMaterializedSRF(fcinfo, 0);
	fn_cxt = CurrentMemoryContext;
	mapper = sarif_mapper_create(rsinfo);

	stream_init(&st, STREAM_MAP, false, fn_cxt);
	st.mapper = mapper;
	stream_parse(&st, doc, NULL);
	if (st.abandoned)
	{
		/* read again, holding each run's results until the run ends */
		stream_done(&st, fn_cxt);
		MemoryContextDelete(st.parse_cxt);
		sarif_mapper_discard_rows(mapper);
		stream_init(&st, STREAM_MAP, true, fn_cxt);
		st.mapper = mapper;
		stream_parse(&st, doc, NULL);
		Assert(!st.abandoned);
	}
	stream_done(&st, fn_cxt);

	/* map_sarif's error for runs that are not an array */
	if (st.top_type != NULL && strcmp(st.top_type, "object") == 0 && st.runs_seen)
		sarif_check_runs_array(strcmp(st.runs_type, "array") == 0 ||
							   strcmp(st.runs_type, "object") == 0,
							   strcmp(st.runs_type, "array") == 0);
	MemoryContextDelete(st.parse_cxt);
	sarif_mapper_destroy(mapper);
	return (Datum) 0;
}


/* ingest_json_format() of an object, from what the scan read */
static const char *
scan_format(StreamState *st, bool is_sarif)
{
	if (is_sarif)
		return "sarif";
	if (HAS_KEY(st, KEY_SCHEMA_VERSION) ||
		(HAS_KEY(st, KEY_ARTIFACT_NAME) && HAS_KEY(st, KEY_RESULTS)))
		return "trivy";
	/* trivy k8s: Resources, or in older releases Vulnerabilities and Misconfigurations */
	if (HAS_KEY(st, KEY_CLUSTER_NAME) &&
		(HAS_KEY(st, KEY_RESOURCES) || HAS_KEY(st, KEY_VULNERABILITIES) ||
		 HAS_KEY(st, KEY_MISCONFIGURATIONS)))
		return "trivy";
	if (HAS_KEY(st, KEY_MATCHES))
		return "grype";
	if (HAS_KEY(st, KEY_PROGRAM_NAME) ||
		(HAS_KEY(st, KEY_SITE) && HAS_KEY(st, KEY_VERSION_AT)))
		return "zap";
	if (HAS_KEY(st, KEY_TEMPLATE_ID) || HAS_KEY(st, KEY_TEMPLATE_ID2) ||
		HAS_KEY(st, KEY_TEMPLATE))
		return "nuclei";
	return NULL;
}

/* A text column, NULL when s is */
static void
set_cstring(Datum *values, bool *nulls, int col, const char *s)
{
	nulls[col] = s == NULL;
	values[col] = s ? CStringGetTextDatum(s) : (Datum) 0;
}

/*
 * compmap.sarif_scan(document text, label text, OUT json_type text,
 *                    OUT is_sarif boolean, OUT version text,
 *                    OUT runs_type text, OUT scanners text[])
 * compmap.json_scan(document text, label text, the columns of sarif_scan,
 *                   OUT format text, OUT schema_version jsonb,
 *                   OUT results_type text, OUT matches_type text,
 *                   OUT site_type text)
 *
 * One pass over a JSON document that builds none of its results: its
 * jsonb_typeof, whether ingest_json_format() would call it SARIF, the
 * version member as ->> reads it, jsonb_typeof of the runs member, and
 * the scanner name of every run in order; json_scan adds the format
 * ingest_json_format() gives an object or an array, the SchemaVersion
 * member (as -> reads it) and jsonb_typeof of the Results, matches and
 * site members, what ingest_parse checks of Trivy, Grype and ZAP.  A document document::jsonb
 * refuses raises what ingest_parse_json(document, label) raises: 22P02
 * "malformed <label> document: <message>" with the same detail and hint.
 */
static Datum
json_scan(FunctionCallInfo fcinfo)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	char	   *label = text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext fn_cxt = CurrentMemoryContext;
	TupleDesc	tupdesc;
	StreamState st;
	Datum		values[10];
	bool		nulls[10] = {false};
	bool		is_object;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != 5 && tupdesc->natts != 10)
		elog(ERROR, "unexpected number of result columns %d", tupdesc->natts);

	stream_init(&st, STREAM_SCAN, false, fn_cxt);
	stream_parse(&st, doc, label);
	stream_done(&st, fn_cxt);

	is_object = strcmp(st.top_type, "object") == 0;
	values[0] = CStringGetTextDatum(st.top_type);
	/* ingest_json_format: document ? 'runs' OR (document->>'$schema') ILIKE '%sarif%' */
	if (!is_object)
		values[1] = BoolGetDatum(false);
	else if (st.runs_seen)
		values[1] = BoolGetDatum(true);
	else
	{
		text	   *schema = st.schema ? jsonb_root_text(st.schema) : NULL;

		values[1] = BoolGetDatum(schema != NULL &&
								 DatumGetBool(DirectFunctionCall2Coll(texticlike, DEFAULT_COLLATION_OID,
																	  PointerGetDatum(schema),
																	  CStringGetTextDatum("%sarif%"))));
	}
	{
		text	   *version = st.version ? jsonb_root_text(st.version) : NULL;

		values[2] = PointerGetDatum(version);
		nulls[2] = version == NULL;
	}
	set_cstring(values, nulls, 3, st.runs_type);
	if (st.runs_type != NULL && strcmp(st.runs_type, "array") == 0 && st.nscanners > 0)
		values[4] = PointerGetDatum(construct_array(st.scanners, st.nscanners, TEXTOID,
													-1, false, TYPALIGN_INT));
	else
		values[4] = PointerGetDatum(construct_empty_array(TEXTOID));
	if (tupdesc->natts == 10)
	{
		/* ingest_json_format: an array is nuclei when every element ? a key */
		set_cstring(values, nulls, 5,
					is_object ? scan_format(&st, DatumGetBool(values[1]))
					: st.top_is_array && st.top_elements > 0 && st.all_template ? "nuclei"
					: NULL);
		values[6] = PointerGetDatum(st.schema_version);
		nulls[6] = st.schema_version == NULL;
		set_cstring(values, nulls, 7, st.results_type);
		set_cstring(values, nulls, 8, st.matches_type);
		set_cstring(values, nulls, 9, st.site_type);
	}

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

PG_FUNCTION_INFO_V1(compmap_sarif_scan);
Datum
compmap_sarif_scan(PG_FUNCTION_ARGS)
{
	return json_scan(fcinfo);
}

PG_FUNCTION_INFO_V1(compmap_json_scan);
Datum
compmap_json_scan(PG_FUNCTION_ARGS)
{
	return json_scan(fcinfo);
}
