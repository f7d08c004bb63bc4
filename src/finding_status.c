/*-------------------------------------------------------------------------
 *
 * finding_status.c
 *	  The compmap.finding_status base type: the lifecycle state of a
 *	  security finding, and the transition graph between states.
 *
 * A finding_status is stored as a one-byte, pass-by-value state code
 * (INTERNALLENGTH = 1, ALIGNMENT = char).  The code of a state is fixed
 * for ever once released, because it is what sits on disk; the sort order
 * is a separate rank table.  Today code and rank coincide (0 = new ...
 * 9 = duplicate).  A state added later gets the next free code and a rank
 * wherever it belongs; the relative order of existing states never
 * changes, so existing btree indexes stay valid.
 *
 * The binary send/receive format is the state's name as text (like the
 * built-in enum types), so it does not depend on the internal codes.
 *
 * The transition graph (can_transition, allowed_transitions) is a constant
 * table below; docs/findings-lifecycle.md gives the reason for each edge.
 *
 * Locking: none.  Memory: only the result of output/send functions and the
 * set-returning functions' per-call state, all in the caller's contexts.
 *
 * Errors raised:
 *	  22P02 (invalid_text_representation)	unknown state name on input
 *	  22P03 (invalid_binary_representation) unknown state name on receive
 *
 * IDENTIFICATION
 *	  src/finding_status.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

/* State codes: the on-disk representation.  Never renumber. */
typedef enum CompmapFindingState
{
	FS_NEW = 0,
	FS_TRIAGED = 1,
	FS_ASSIGNED = 2,
	FS_IN_PROGRESS = 3,
	FS_FIXED = 4,
	FS_VERIFIED = 5,
	FS_REOPENED = 6,
	FS_RISK_ACCEPTED = 7,
	FS_FALSE_POSITIVE = 8,
	FS_DUPLICATE = 9
} CompmapFindingState;

#define FS_NSTATES 10

#define DatumGetFindingStatus(X)	((uint8) DatumGetUInt8(X))
#define FindingStatusGetDatum(X)	UInt8GetDatum(X)
#define PG_GETARG_FINDING_STATUS(n) compmap_fs_check(DatumGetFindingStatus(PG_GETARG_DATUM(n)))
#define PG_RETURN_FINDING_STATUS(x) return FindingStatusGetDatum(x)

/* State names, indexed by code. */
static const char *const compmap_fs_names[FS_NSTATES] = {
	"new",
	"triaged",
	"assigned",
	"in_progress",
	"fixed",
	"verified",
	"reopened",
	"risk_accepted",
	"false_positive",
	"duplicate"
};

/* Sort rank, indexed by code. */
static const uint8 compmap_fs_rank[FS_NSTATES] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

/* Codes in sort order (inverse of compmap_fs_rank). */
static const uint8 compmap_fs_by_rank[FS_NSTATES] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

#define B(s) (1U << (s))

/*
 * The transition graph: compmap_fs_next[from] has bit "to" set when the
 * transition from -> to is allowed.  No state may move to itself, and no
 * state may move to "new".  See docs/findings-lifecycle.md for the reason
 * behind every edge.
 */
static const uint16 compmap_fs_next[FS_NSTATES] = {
	/* new: first look at a scanner result */
	[FS_NEW] = B(FS_TRIAGED) | B(FS_FIXED) | B(FS_FALSE_POSITIVE) | B(FS_DUPLICATE),
	/* triaged: confirmed and prioritised, waiting for an owner */
	[FS_TRIAGED] = B(FS_ASSIGNED) | B(FS_FIXED) | B(FS_RISK_ACCEPTED) |
	B(FS_FALSE_POSITIVE) | B(FS_DUPLICATE),
	/* assigned: has an owner */
	[FS_ASSIGNED] = B(FS_TRIAGED) | B(FS_IN_PROGRESS) | B(FS_FIXED) |
	B(FS_RISK_ACCEPTED) | B(FS_FALSE_POSITIVE) | B(FS_DUPLICATE),
	/* in_progress: the owner is working on it */
	[FS_IN_PROGRESS] = B(FS_ASSIGNED) | B(FS_FIXED) | B(FS_RISK_ACCEPTED) |
	B(FS_FALSE_POSITIVE) | B(FS_DUPLICATE),
	/* fixed: remediation claimed, not yet confirmed */
	[FS_FIXED] = B(FS_VERIFIED) | B(FS_REOPENED),
	/* verified: remediation confirmed; closed */
	[FS_VERIFIED] = B(FS_REOPENED),
	/* reopened: seen again, or a closing decision was withdrawn */
	[FS_REOPENED] = B(FS_TRIAGED) | B(FS_ASSIGNED) | B(FS_IN_PROGRESS) |
	B(FS_FIXED) | B(FS_RISK_ACCEPTED) | B(FS_FALSE_POSITIVE) | B(FS_DUPLICATE),
	/* risk_accepted: a risk owner accepted it, until the acceptance ends */
	[FS_RISK_ACCEPTED] = B(FS_FIXED) | B(FS_REOPENED),
	/* false_positive: not a real finding; closed */
	[FS_FALSE_POSITIVE] = B(FS_REOPENED),
	/* duplicate: tracked by another finding; closed */
	[FS_DUPLICATE] = B(FS_REOPENED)
};

/* States that count as open exposure (see is_open). */
static const uint16 compmap_fs_open =
B(FS_NEW) | B(FS_TRIAGED) | B(FS_ASSIGNED) | B(FS_IN_PROGRESS) |
B(FS_FIXED) | B(FS_REOPENED);

/* Closed states: the only way out is "reopened" (see is_terminal). */
static const uint16 compmap_fs_terminal =
B(FS_VERIFIED) | B(FS_FALSE_POSITIVE) | B(FS_DUPLICATE);

#undef B

/*
 * Guards against a corrupt on-disk byte.  Cheap, and it keeps every table
 * lookup below in bounds.
 */
static inline uint8
compmap_fs_check(uint8 code)
{
	if (code >= FS_NSTATES)
		elog(ERROR, "invalid finding_status code %u", (unsigned int) code);
	return code;
}

/* Returns the code for a state name, or -1 if there is none. */
static int
compmap_fs_lookup(const char *name, size_t len)
{
	int			i;

	for (i = 0; i < FS_NSTATES; i++)
	{
		if (strlen(compmap_fs_names[i]) == len &&
			memcmp(compmap_fs_names[i], name, len) == 0)
			return i;
	}
	return -1;
}

/* The hint listing every valid state in sort order. */
static char *
compmap_fs_valid_list(void)
{
	StringInfoData buf;
	int			r;

	initStringInfo(&buf);
	for (r = 0; r < FS_NSTATES; r++)
	{
		if (r > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, compmap_fs_names[compmap_fs_by_rank[r]]);
	}
	return buf.data;
}

static inline int
compmap_fs_cmp(uint8 a, uint8 b)
{
	int			ra = compmap_fs_rank[a];
	int			rb = compmap_fs_rank[b];

	return (ra > rb) - (ra < rb);
}

/* compmap.finding_status_in(cstring) RETURNS finding_status */
PG_FUNCTION_INFO_V1(compmap_finding_status_in);
Datum
compmap_finding_status_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	int			code = compmap_fs_lookup(str, strlen(str));

	if (code < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"",
						"finding_status", str),
				 errhint("Valid states are: %s.", compmap_fs_valid_list())));
	PG_RETURN_FINDING_STATUS((uint8) code);
}

/* compmap.finding_status_out(finding_status) RETURNS cstring */
PG_FUNCTION_INFO_V1(compmap_finding_status_out);
Datum
compmap_finding_status_out(PG_FUNCTION_ARGS)
{
	uint8		code = PG_GETARG_FINDING_STATUS(0);

	PG_RETURN_CSTRING(pstrdup(compmap_fs_names[code]));
}

/*
 * compmap_finding_status_recv(internal) RETURNS finding_status
 *
 * The wire format is the state name as text in the client encoding (state
 * names are ASCII, so every encoding agrees).
 */
PG_FUNCTION_INFO_V1(compmap_finding_status_recv);
Datum
compmap_finding_status_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const char *name = buf->data + buf->cursor;
	int			len = buf->len - buf->cursor;
	int			code = compmap_fs_lookup(name, len);

	if (code < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external value for type %s: \"%s\"",
						"finding_status", pnstrdup(name, len)),
				 errhint("Valid states are: %s.", compmap_fs_valid_list())));
	buf->cursor = buf->len;
	PG_RETURN_FINDING_STATUS((uint8) code);
}

/* compmap.finding_status_send(finding_status) RETURNS bytea */
PG_FUNCTION_INFO_V1(compmap_finding_status_send);
Datum
compmap_finding_status_send(PG_FUNCTION_ARGS)
{
	uint8		code = PG_GETARG_FINDING_STATUS(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendtext(&buf, compmap_fs_names[code], strlen(compmap_fs_names[code]));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* compmap.finding_status_cmp(finding_status, finding_status) RETURNS integer */
PG_FUNCTION_INFO_V1(compmap_finding_status_cmp);
Datum
compmap_finding_status_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(compmap_fs_cmp(PG_GETARG_FINDING_STATUS(0),
								   PG_GETARG_FINDING_STATUS(1)));
}

/* compmap.finding_status_eq(finding_status, finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_eq);
Datum
compmap_finding_status_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_FINDING_STATUS(0) == PG_GETARG_FINDING_STATUS(1));
}

/* compmap.finding_status_ne(finding_status, finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_ne);
Datum
compmap_finding_status_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_FINDING_STATUS(0) != PG_GETARG_FINDING_STATUS(1));
}

/* compmap.finding_status_lt(finding_status, finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_lt);
Datum
compmap_finding_status_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_fs_cmp(PG_GETARG_FINDING_STATUS(0),
								  PG_GETARG_FINDING_STATUS(1)) < 0);
}

/* compmap.finding_status_le(finding_status, finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_le);
Datum
compmap_finding_status_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_fs_cmp(PG_GETARG_FINDING_STATUS(0),
								  PG_GETARG_FINDING_STATUS(1)) <= 0);
}

/* compmap.finding_status_gt(finding_status, finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_gt);
Datum
compmap_finding_status_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_fs_cmp(PG_GETARG_FINDING_STATUS(0),
								  PG_GETARG_FINDING_STATUS(1)) > 0);
}

/* compmap.finding_status_ge(finding_status, finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_ge);
Datum
compmap_finding_status_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_fs_cmp(PG_GETARG_FINDING_STATUS(0),
								  PG_GETARG_FINDING_STATUS(1)) >= 0);
}

/* compmap.finding_status_hash(finding_status) RETURNS integer */
PG_FUNCTION_INFO_V1(compmap_finding_status_hash);
Datum
compmap_finding_status_hash(PG_FUNCTION_ARGS)
{
	return hash_uint32((uint32) PG_GETARG_FINDING_STATUS(0));
}

/* compmap.finding_status_hash_extended(finding_status, bigint) RETURNS bigint */
PG_FUNCTION_INFO_V1(compmap_finding_status_hash_extended);
Datum
compmap_finding_status_hash_extended(PG_FUNCTION_ARGS)
{
	return hash_uint32_extended((uint32) PG_GETARG_FINDING_STATUS(0),
								(uint64) PG_GETARG_INT64(1));
}

/* can_transition(from finding_status, to finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_can_transition);
Datum
compmap_finding_status_can_transition(PG_FUNCTION_ARGS)
{
	uint8		from = PG_GETARG_FINDING_STATUS(0);
	uint8		to = PG_GETARG_FINDING_STATUS(1);

	PG_RETURN_BOOL((compmap_fs_next[from] & (1U << to)) != 0);
}

/* is_open(finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_is_open);
Datum
compmap_finding_status_is_open(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL((compmap_fs_open & (1U << PG_GETARG_FINDING_STATUS(0))) != 0);
}

/* is_terminal(finding_status) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_finding_status_is_terminal);
Datum
compmap_finding_status_is_terminal(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL((compmap_fs_terminal & (1U << PG_GETARG_FINDING_STATUS(0))) != 0);
}

/*
 * Shared body of the two set-returning functions: returns, in sort order,
 * every state whose bit is set in "mask".  The first call lists the codes
 * in an array in the multi-call context; later calls step through it.
 */
static Datum
compmap_fs_srf(FunctionCallInfo fcinfo, uint16 mask)
{
	FuncCallContext *funcctx;
	uint8	   *codes;

	if (SRF_IS_FIRSTCALL())
	{
		int			rank;
		int			n = 0;

		funcctx = SRF_FIRSTCALL_INIT();
		codes = MemoryContextAlloc(funcctx->multi_call_memory_ctx, FS_NSTATES);
		for (rank = 0; rank < FS_NSTATES; rank++)
		{
			uint8		code = compmap_fs_by_rank[rank];

			if (mask & (1U << code))
				codes[n++] = code;
		}
		funcctx->user_fctx = codes;
		funcctx->max_calls = n;
	}
	funcctx = SRF_PERCALL_SETUP();
	codes = (uint8 *) funcctx->user_fctx;

	if (funcctx->call_cntr < funcctx->max_calls)
	{
		/* fetch first: SRF_RETURN_NEXT advances call_cntr before returning */
		Datum		result = FindingStatusGetDatum(codes[funcctx->call_cntr]);

		SRF_RETURN_NEXT(funcctx, result);
	}
	SRF_RETURN_DONE(funcctx);
}

/* finding_states() RETURNS SETOF finding_status */
PG_FUNCTION_INFO_V1(compmap_finding_status_all);
Datum
compmap_finding_status_all(PG_FUNCTION_ARGS)
{
	return compmap_fs_srf(fcinfo, (uint16) ((1U << FS_NSTATES) - 1));
}

/* allowed_transitions(from finding_status) RETURNS SETOF finding_status */
PG_FUNCTION_INFO_V1(compmap_finding_status_allowed_transitions);
Datum
compmap_finding_status_allowed_transitions(PG_FUNCTION_ARGS)
{
	uint8		from = PG_GETARG_FINDING_STATUS(0);

	return compmap_fs_srf(fcinfo, compmap_fs_next[from]);
}
