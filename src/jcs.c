/*-------------------------------------------------------------------------
 *
 * jcs.c
 *	  RFC 8785 JSON Canonicalization Scheme for jsonb values.
 *
 * The evidence log hashes each event's payload as the SHA-256 of its JCS
 * bytes, so the digest never depends on how a client spelled the JSON or on
 * jsonb's internal key order.  jsonb sorts object keys by length then bytes;
 * JCS sorts them by UTF-16 code units, so every object's members are
 * collected and re-sorted here.  Numbers are converted to IEEE doubles and
 * printed as ECMAScript's Number::toString does (jcs_core.c: PostgreSQL's
 * shortest round-trip conversion, shortened further where ECMAScript's
 * digits are shorter).  String escaping, number
 * layout and key order live in jcs_core.c, free of the server runtime so
 * that test/fuzz/fuzz_jcs.c exercises them outside the server.
 *
 * Memory: everything is palloc'd in the caller's context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "compmap.h"
#include "jcs_core.h"

typedef struct JcsMember
{
	const char *key;
	int			keylen;
	JsonbValue	value;
} JcsMember;

static void jcs_value(StringInfo out, JsonbValue *v);

/* The core's output sink: appends to a StringInfo. */
static void
jcs_sink_write(void *ctx, const char *bytes, size_t n)
{
	appendBinaryStringInfo((StringInfo) ctx, bytes, (int) n);
}

static int
jcs_member_cmp(const void *a, const void *b)
{
	const JcsMember *ma = a;
	const JcsMember *mb = b;

	return cm_jcs_key_cmp(ma->key, ma->keylen, mb->key, mb->keylen);
}

static void
jcs_string(StringInfo out, const char *s, int len)
{
	CmJcsSink	sink = {jcs_sink_write, out};

	cm_jcs_string(&sink, s, len);
}

static void
jcs_number(StringInfo out, Numeric num)
{
	CmJcsSink	sink = {jcs_sink_write, out};
	/* strtod, not numeric_float8: an overflow gets compmap's own error */
	char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));

	if (!cm_jcs_number(&sink, text))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number in evidence payload is out of range for canonical JSON"),
				 errdetail("RFC 8785 numbers are IEEE 754 doubles."),
				 errhint("Store very large numbers as strings.")));
	pfree(text);
}

static void
jcs_container(StringInfo out, JsonbContainer *container)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	check_stack_depth();
	it = JsonbIteratorInit(container);
	tok = JsonbIteratorNext(&it, &v, true);

	if (tok == WJB_BEGIN_ARRAY)
	{
		bool		raw_scalar = v.val.array.rawScalar;
		bool		first = true;

		if (!raw_scalar)
			appendStringInfoChar(out, '[');
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_END_ARRAY)
		{
			Assert(tok == WJB_ELEM);
			if (!first)
				appendStringInfoChar(out, ',');
			first = false;
			jcs_value(out, &v);
		}
		if (!raw_scalar)
			appendStringInfoChar(out, ']');
	}
	else if (tok == WJB_BEGIN_OBJECT)
	{
		int			n = v.val.object.nPairs;
		int			i = 0;
		JcsMember  *members = palloc(sizeof(JcsMember) * Max(n, 1));

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_END_OBJECT)
		{
			if (tok == WJB_KEY)
			{
				Assert(i < n);
				members[i].key = v.val.string.val;
				members[i].keylen = v.val.string.len;
			}
			else
			{
				Assert(tok == WJB_VALUE);
				members[i++].value = v;
			}
		}
		/* most objects are small: insertion sort beats qsort's overhead */
		if (i > 32)
			qsort(members, i, sizeof(JcsMember), jcs_member_cmp);
		else for (int a = 1; a < i; a++)
		{
			JcsMember	m = members[a];
			int			b = a - 1;

			while (b >= 0 && jcs_member_cmp(&members[b], &m) > 0)
			{
				members[b + 1] = members[b];
				b--;
			}
			members[b + 1] = m;
		}
		appendStringInfoChar(out, '{');
		for (int j = 0; j < i; j++)
		{
			if (j > 0)
				appendStringInfoChar(out, ',');
			jcs_string(out, members[j].key, members[j].keylen);
			appendStringInfoChar(out, ':');
			jcs_value(out, &members[j].value);
		}
		appendStringInfoChar(out, '}');
		pfree(members);
	}
	else
		elog(ERROR, "unexpected jsonb iterator token %d", (int) tok);
}

static void
jcs_value(StringInfo out, JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			appendBinaryStringInfo(out, "null", 4);
			break;
		case jbvBool:
			if (v->val.boolean)
				appendBinaryStringInfo(out, "true", 4);
			else
				appendBinaryStringInfo(out, "false", 5);
			break;
		case jbvString:
			jcs_string(out, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			jcs_number(out, v->val.numeric);
			break;
		case jbvBinary:
			jcs_container(out, v->val.binary.data);
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
}

void
compmap_jcs_append(StringInfo out, Jsonb *jb)
{
	jcs_container(out, &jb->root);
}

void
compmap_payload_digest(Jsonb *jb, uint8 *out)
{
	StringInfoData buf;

	initStringInfo(&buf);
	compmap_jcs_append(&buf, jb);
	compmap_hash_or_error(cm_sha256(buf.data, buf.len, NULL, 0, NULL, 0, out));
	pfree(buf.data);
}

PG_FUNCTION_INFO_V1(compmap_jcs);
/* compmap.jcs(payload jsonb) returns text: the RFC 8785 canonical form */
Datum
compmap_jcs(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	compmap_jcs_append(&buf, jb);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

PG_FUNCTION_INFO_V1(compmap_payload_digest_sql);
/* compmap.payload_digest(payload jsonb) returns bytea: SHA-256 of its JCS bytes */
Datum
compmap_payload_digest_sql(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	uint8		digest[CM_HASH_LEN];

	compmap_payload_digest(jb, digest);
	PG_RETURN_BYTEA_P(compmap_hash_to_bytea(digest));
}
