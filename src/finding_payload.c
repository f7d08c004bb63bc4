/*-------------------------------------------------------------------------
 *
 * finding_payload.c
 *	  The payload of a finding.created evidence entry, built in C.
 *
 * compmap.finding_log_created() (src/sql/60_findings.sql) writes one
 * finding.created entry per new finding.  Its payload was
 *
 *	  jsonb_strip_nulls(jsonb_build_object('title', title, ..., 'first_seen',
 *	  first_seen))
 *
 * and building that per row (jsonb_build_object looks up the type of each
 * of its 26 arguments on every call) was a large part of creating findings
 * by the ten thousand.  compmap.finding_created_payload() builds the same
 * jsonb value, key by key and value by value, in one pass: SQL NULLs are
 * left out, text is a JSON string, arrays are JSON arrays (NULL elements are
 * JSON null), the fingerprint is lower-case hex, uuid and cvss are their
 * text output, and date and timestamptz are rendered as jsonb renders them
 * (JsonEncodeDateTime, in the session's time zone).  sql/findings.sql
 * compares it with the jsonb_build_object() expression.
 *
 * Memory: the result in the caller's context.  No locks, no SQL.
 *
 * IDENTIFICATION
 *	  src/finding_payload.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"

#include "compmap.h"

/* The arguments, in order: (key, kind of value). */
typedef enum PayloadKind
{
	PK_TEXT,
	PK_HEX,
	PK_CVSS,
	PK_TEXT_ARRAY,
	PK_UUID,
	PK_DATE,
	PK_TIMESTAMPTZ
} PayloadKind;

static const struct
{
	const char *key;
	PayloadKind kind;
}			payload_fields[] = {
	{"title", PK_TEXT},
	{"scanner", PK_TEXT},
	{"rule_id", PK_TEXT},
	{"fingerprint", PK_HEX},
	{"severity", PK_TEXT},
	{"cvss", PK_CVSS},
	{"cve_ids", PK_TEXT_ARRAY},
	{"cwe_ids", PK_TEXT_ARRAY},
	{"category", PK_TEXT},
	{"asset_id", PK_UUID},
	{"location", PK_TEXT},
	{"due_date", PK_DATE},
	{"first_seen", PK_TIMESTAMPTZ}
};

static void
push_string(JsonbParseState **state, JsonbIteratorToken token, char *str, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = str;
	v.val.string.len = len;
	pushJsonbValue(state, token, &v);
}

/* The elements of one dimension of a text array, from *pos on (recursive, as to_jsonb nests them). */
static void
push_text_array_dim(JsonbParseState **state, int dim, int ndims, const int *dims,
					Datum *elems, bool *nulls, int *pos)
{
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < dims[dim]; i++)
	{
		if (dim + 1 < ndims)
			push_text_array_dim(state, dim + 1, ndims, dims, elems, nulls, pos);
		else
		{
			if (nulls[*pos])
			{
				JsonbValue	v;

				v.type = jbvNull;
				pushJsonbValue(state, WJB_ELEM, &v);
			}
			else
			{
				text	   *t = DatumGetTextPP(elems[*pos]);

				push_string(state, WJB_ELEM, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			}
			(*pos)++;
		}
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

static void
push_text_array(JsonbParseState **state, ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int			pos = 0;

	if (ARR_ELEMTYPE(arr) != TEXTOID)
		elog(ERROR, "finding_created_payload: expected a text array");
	if (ARR_NDIM(arr) <= 0 || ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) <= 0)
	{
		pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
		pushJsonbValue(state, WJB_END_ARRAY, NULL);
		return;
	}
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
	push_text_array_dim(state, 0, ARR_NDIM(arr), ARR_DIMS(arr), elems, nulls, &pos);
}

PG_FUNCTION_INFO_V1(compmap_finding_created_payload);

/*
 * compmap.finding_created_payload(title text, scanner text, rule_id text,
 *	   fingerprint bytea, severity text, cvss cvss, cve_ids text[],
 *	   cwe_ids text[], category text, asset_id uuid, location text,
 *	   due_date date, first_seen timestamptz) RETURNS jsonb
 */
Datum
compmap_finding_created_payload(PG_FUNCTION_ARGS)
{
	JsonbParseState *state = NULL;
	JsonbValue *result;

	if (PG_NARGS() != lengthof(payload_fields))
		elog(ERROR, "finding_created_payload: expected %d arguments", (int) lengthof(payload_fields));

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < (int) lengthof(payload_fields); i++)
	{
		Datum		value;

		if (PG_ARGISNULL(i))
			continue;			/* jsonb_strip_nulls */
		value = PG_GETARG_DATUM(i);
		push_string(&state, WJB_KEY, (char *) payload_fields[i].key, strlen(payload_fields[i].key));
		switch (payload_fields[i].kind)
		{
			case PK_TEXT:
				{
					text	   *t = DatumGetTextPP(value);

					push_string(&state, WJB_VALUE, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
					break;
				}
			case PK_HEX:
				{
					bytea	   *b = DatumGetByteaPP(value);
					int			len = VARSIZE_ANY_EXHDR(b);
					char	   *hex = palloc(2 * len + 1);
					int			hexlen = (int) hex_encode(VARDATA_ANY(b), len, hex);

					push_string(&state, WJB_VALUE, hex, hexlen);
					break;
				}
			case PK_CVSS:
				{
					FmgrInfo   *cvss_out = (FmgrInfo *) fcinfo->flinfo->fn_extra;
					char	   *s;

					/* the argument's type is the cvss type; its output is the vector */
					if (cvss_out == NULL)
					{
						Oid			typoutput;
						bool		typisvarlena;

						getTypeOutputInfo(get_fn_expr_argtype(fcinfo->flinfo, i), &typoutput, &typisvarlena);
						cvss_out = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(FmgrInfo));
						fmgr_info_cxt(typoutput, cvss_out, fcinfo->flinfo->fn_mcxt);
						fcinfo->flinfo->fn_extra = cvss_out;
					}
					s = OutputFunctionCall(cvss_out, value);
					push_string(&state, WJB_VALUE, s, strlen(s));
					break;
				}
			case PK_TEXT_ARRAY:
				push_text_array(&state, DatumGetArrayTypeP(value));
				break;
			case PK_UUID:
				{
					char	   *s = DatumGetCString(DirectFunctionCall1(uuid_out, value));

					push_string(&state, WJB_VALUE, s, strlen(s));
					break;
				}
			case PK_DATE:
				{
					char	   *s = JsonEncodeDateTime(NULL, value, DATEOID, NULL);

					push_string(&state, WJB_VALUE, s, strlen(s));
					break;
				}
			case PK_TIMESTAMPTZ:
				{
					char	   *s = JsonEncodeDateTime(NULL, value, TIMESTAMPTZOID, NULL);

					push_string(&state, WJB_VALUE, s, strlen(s));
					break;
				}
		}
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_POINTER(JsonbValueToJsonb(result));
}

/* The text of a nullable text argument, '' for NULL (coalesce(x, '')). */
static void
text_arg_or_empty(FunctionCallInfo fcinfo, int n, const char **s, size_t *len)
{
	if (PG_ARGISNULL(n))
	{
		*s = "";
		*len = 0;
	}
	else
	{
		text	   *t = PG_GETARG_TEXT_PP(n);

		*s = VARDATA_ANY(t);
		*len = VARSIZE_ANY_EXHDR(t);
	}
}

PG_FUNCTION_INFO_V1(compmap_finding_fingerprint);

/*
 * compmap.finding_fingerprint(scanner text, rule_id text, asset_kind text,
 *	   asset_name text, location text, extra jsonb DEFAULT '{}') RETURNS bytea
 *
 * The documented fingerprint (docs/findings.md): SHA-256 of the canonical
 * JSON of
 *	 jsonb_build_object('scanner', coalesce(scanner, ''),
 *		'rule', coalesce(rule_id, ''),
 *		'asset', coalesce(asset_kind, '') || ':' || coalesce(asset_name, ''),
 *		'location', coalesce(location, ''), 'extra', coalesce(extra, '{}'))
 * computed without building that object (ingest calls it per result);
 * sql/findings.sql compares it with the expression.
 */
Datum
compmap_finding_fingerprint(PG_FUNCTION_ARGS)
{
	const char *scanner,
			   *rule,
			   *kind,
			   *name,
			   *location;
	size_t		scanner_len,
				rule_len,
				kind_len,
				name_len,
				location_len;
	char	   *asset;
	Jsonb	   *extra;
	uint8		digest[CM_HASH_LEN];

	text_arg_or_empty(fcinfo, 0, &scanner, &scanner_len);
	text_arg_or_empty(fcinfo, 1, &rule, &rule_len);
	text_arg_or_empty(fcinfo, 2, &kind, &kind_len);
	text_arg_or_empty(fcinfo, 3, &name, &name_len);
	text_arg_or_empty(fcinfo, 4, &location, &location_len);
	if (PG_NARGS() > 5 && !PG_ARGISNULL(5))
		extra = PG_GETARG_JSONB_P(5);
	else
		extra = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));

	asset = palloc(kind_len + 1 + name_len);
	memcpy(asset, kind, kind_len);
	asset[kind_len] = ':';
	memcpy(asset + kind_len + 1, name, name_len);

	compmap_fingerprint_digest(asset, kind_len + 1 + name_len, extra,
							   location, location_len, rule, rule_len,
							   scanner, scanner_len, digest);
	PG_RETURN_BYTEA_P(compmap_hash_to_bytea(digest));
}
