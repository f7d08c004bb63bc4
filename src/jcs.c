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
 * printed as ECMAScript's Number::toString does, using PostgreSQL's
 * shortest round-trip conversion for the digits.
 *
 * Memory: everything is palloc'd in the caller's context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "compmap.h"

typedef struct JcsMember
{
	const char *key;
	int			keylen;
	JsonbValue	value;
} JcsMember;

static void jcs_value(StringInfo out, JsonbValue *v);

/* Next UTF-16 code unit of a UTF-8 string; *pending holds a low surrogate. */
static int
jcs_next_unit(const unsigned char **p, const unsigned char *end, int *pending)
{
	pg_wchar	cp;
	int			len;

	if (*pending)
	{
		int			u = *pending;

		*pending = 0;
		return u;
	}
	if (*p >= end)
		return -1;
	len = pg_utf_mblen(*p);
	if (len > end - *p)
		len = end - *p;
	cp = utf8_to_unicode(*p);
	*p += len;
	if (cp >= 0x10000)
	{
		cp -= 0x10000;
		*pending = 0xDC00 + (cp & 0x3FF);
		return 0xD800 + (cp >> 10);
	}
	return (int) cp;
}

/* UTF-16 order, the slow way: only needed near surrogates (see below). */
static int
jcs_utf16_cmp(const JcsMember *ma, const JcsMember *mb)
{
	const unsigned char *pa = (const unsigned char *) ma->key;
	const unsigned char *pb = (const unsigned char *) mb->key;
	const unsigned char *ea = pa + ma->keylen;
	const unsigned char *eb = pb + mb->keylen;
	int			qa = 0,
				qb = 0;

	for (;;)
	{
		int			ua = jcs_next_unit(&pa, ea, &qa);
		int			ub = jcs_next_unit(&pb, eb, &qb);

		if (ua != ub)
			return ua < ub ? -1 : 1;
		if (ua < 0)
			return 0;
	}
}

/*
 * Byte order of UTF-8 is code point order, which equals UTF-16 order except
 * between U+E000..U+FFFF (lead bytes 0xEE, 0xEF) and supplementary
 * characters (lead bytes 0xF0 and up).  Keys are compared bytewise unless
 * the first difference involves such a lead byte.
 */
static int
jcs_member_cmp(const void *a, const void *b)
{
	const JcsMember *ma = a;
	const JcsMember *mb = b;
	int			n = Min(ma->keylen, mb->keylen);
	const unsigned char *pa = (const unsigned char *) ma->key;
	const unsigned char *pb = (const unsigned char *) mb->key;
	int			i = 0;

	while (i < n && pa[i] == pb[i])
		i++;
	if (i == n)
		return ma->keylen < mb->keylen ? -1 : ma->keylen > mb->keylen ? 1 : 0;
	{
		/* the differing bytes sit in characters that start at or before i */
		int			start = i;

		while (start > 0 && (pa[start] & 0xC0) == 0x80)
			start--;
		if (pa[start] >= 0xEE || pb[start] >= 0xEE)
			return jcs_utf16_cmp(ma, mb);
	}
	return pa[i] < pb[i] ? -1 : 1;
}

static void
jcs_string(StringInfo out, const char *s, int len)
{
	int			run = 0;			/* start of the bytes copied as they are */

	appendStringInfoCharMacro(out, '"');
	for (int i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		const char *esc;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		appendBinaryStringInfo(out, s + run, i - run);
		run = i + 1;
		switch (c)
		{
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			default:
				appendStringInfo(out, "\\u%04x", c);
				continue;
		}
		appendBinaryStringInfo(out, esc, 2);
	}
	appendBinaryStringInfo(out, s + run, len - run);
	appendStringInfoCharMacro(out, '"');
}

/*
 * Formats a double as ECMAScript Number::toString (ECMA-262 6.1.6.1.20).
 * PostgreSQL's shortest round-trip output gives the digits and exponent;
 * only the layout differs.
 */
static void
jcs_number(StringInfo out, Numeric num)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN + 1];
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN + 1];
	double		d;
	int			k = 0,
				intdigits = -1,
				exp10 = 0,
				n,
				lead = 0;
	bool		negative = false;
	char	   *p;

	{
		/* strtod, not numeric_float8: an overflow gets compmap's own error */
		char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
		int			digits = 0;
		bool		integral = true;

		for (const char *c = text + (text[0] == '-'); *c; c++)
		{
			if (*c < '0' || *c > '9')
			{
				integral = false;
				break;
			}
			digits++;
		}

		/*
		 * Integers of up to 15 digits are exact doubles and ECMAScript prints
		 * them as their digits: no conversion needed.
		 */
		if (integral && digits <= 15 && strcmp(text, "-0") != 0)
		{
			appendStringInfoString(out, text);
			pfree(text);
			return;
		}
		d = strtod(text, NULL);
		pfree(text);
	}
	if (isinf(d) || isnan(d))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number in evidence payload is out of range for canonical JSON"),
				 errdetail("RFC 8785 numbers are IEEE 754 doubles."),
				 errhint("Store very large numbers as strings.")));
	if (d == 0)
	{
		appendStringInfoChar(out, '0');
		return;
	}
	double_to_shortest_decimal_buf(d, buf);

	p = buf;
	if (*p == '-')
	{
		negative = true;
		p++;
	}
	for (; *p && *p != 'e' && *p != 'E'; p++)
	{
		if (*p == '.')
			intdigits = k;
		else
			digits[k++] = *p;
	}
	if (intdigits < 0)
		intdigits = k;
	if (*p == 'e' || *p == 'E')
		exp10 = atoi(p + 1);
	digits[k] = '\0';

	/* value = 0.digits x 10^n once leading and trailing zeros are gone */
	while (lead < k && digits[lead] == '0')
		lead++;
	n = intdigits + exp10 - lead;
	memmove(digits, digits + lead, k - lead + 1);
	k -= lead;
	while (k > 0 && digits[k - 1] == '0')
		digits[--k] = '\0';

	if (negative)
		appendStringInfoChar(out, '-');
	if (k <= n && n <= 21)
	{
		appendBinaryStringInfo(out, digits, k);
		for (int i = 0; i < n - k; i++)
			appendStringInfoChar(out, '0');
	}
	else if (0 < n && n <= 21)
	{
		appendBinaryStringInfo(out, digits, n);
		appendStringInfoChar(out, '.');
		appendBinaryStringInfo(out, digits + n, k - n);
	}
	else if (-6 < n && n <= 0)
	{
		appendBinaryStringInfo(out, "0.", 2);
		for (int i = 0; i < -n; i++)
			appendStringInfoChar(out, '0');
		appendBinaryStringInfo(out, digits, k);
	}
	else
	{
		int			e = n - 1;

		appendStringInfoChar(out, digits[0]);
		if (k > 1)
		{
			appendStringInfoChar(out, '.');
			appendBinaryStringInfo(out, digits + 1, k - 1);
		}
		appendStringInfo(out, "e%c%d", e >= 0 ? '+' : '-', e >= 0 ? e : -e);
	}
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
