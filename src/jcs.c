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
 * The payload is read straight from jsonb's binary containers (the on-disk
 * layout described in utils/jsonb.h) rather than through JsonbIterator,
 * which builds a JsonbValue and allocates for every token; verification
 * canonicalises every payload of a log, so this is its main cost.  Bytes go
 * into a buffered sink that either feeds SHA-256 as it fills (payload
 * digests: no copy of the whole text, no size limit) or grows a StringInfo.
 * The iterator-based walk is kept as compmap_jcs_reference(), the slow
 * reference that test/scripts/jcs_reference.sh compares the fast walk with.
 *
 * Memory: only objects of more than JCS_STACK_MEMBERS members and numbers
 * allocate, in the caller's context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#define OPENSSL_SUPPRESS_DEPRECATED	/* see sha256.c */
#include <openssl/sha.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "compmap.h"
#include "jcs_core.h"

/* Objects up to this many members are sorted in a stack array. */
#define JCS_STACK_MEMBERS 32
/* Bytes buffered between SHA-256 updates. */
#define JCS_DIGEST_BUF 8192

/* StringInfo sink: buf is the StringInfo's data, grown on demand. */
static void
jcs_stringinfo_drain(CmJcsSink *sink, size_t need)
{
	StringInfo	si = sink->ctx;

	si->len = (int) sink->len;
	enlargeStringInfo(si, (int) Max(need, (size_t) CM_JCS_SINK_MIN));
	sink->buf = si->data;
	sink->cap = (size_t) si->maxlen - 1;	/* room for the terminating NUL */
}

static void
jcs_stringinfo_begin(CmJcsSink *sink, StringInfo si)
{
	sink->ctx = si;
	sink->drain = jcs_stringinfo_drain;
	sink->buf = si->data;
	sink->len = si->len;
	sink->cap = (size_t) si->maxlen - 1;
}

static void
jcs_stringinfo_end(CmJcsSink *sink)
{
	StringInfo	si = sink->ctx;

	si->len = (int) sink->len;
	si->data[si->len] = '\0';
}

/* SHA-256 sink: ctx is a SHA256_CTX, fed as the buffer fills. */
static void
jcs_digest_drain(CmJcsSink *sink, size_t need)
{
	if (SHA256_Update((SHA256_CTX *) sink->ctx, sink->buf, sink->len) != 1)
		compmap_hash_or_error(false);
	sink->len = 0;
}

/* Numbers: numeric_out's plain decimal text, laid out by jcs_core.c. */
static void
jcs_number(CmJcsSink *sink, Numeric num)
{
	/* strtod, not numeric_float8: an overflow gets compmap's own error */
	char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));

	if (!cm_jcs_number(sink, text))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number in evidence payload is out of range for canonical JSON"),
				 errdetail("RFC 8785 numbers are IEEE 754 doubles."),
				 errhint("Store very large numbers as strings.")));
	pfree(text);
}

/*
 * Integers of up to 15 digits, read from the numeric's on-disk layout
 * (utils/adt/numeric.c; stable, since pg_upgrade keeps it): a header word,
 * a weight, base-10000 digits.  Their canonical form is numeric_out's text
 * (jcs_core.c prints such integers as they are), so the common case skips
 * numeric_out's conversion and allocation.  Returns false, writing nothing,
 * for anything else.
 */
static bool
jcs_small_integer(CmJcsSink *sink, Numeric num)
{
	const char *p = VARDATA(num);
	uint16		h;
	int16		weight;
	int			dscale;
	bool		neg;
	int			hdr;
	int			ndigits;
	int64		v = 0;
	char		out[20];
	int			o = sizeof(out);

	if (VARATT_IS_1B(num))
		return false;
	memcpy(&h, p, sizeof(uint16));
	switch (h & 0xC000)
	{
		case 0x8000:			/* short: sign, dscale and weight in h */
			neg = (h & 0x2000) != 0;
			dscale = (h & 0x1F80) >> 7;
			weight = (h & 0x0040) ? (int16) (h | ~0x003F) : (int16) (h & 0x003F);
			hdr = sizeof(uint16);
			break;
		case 0x0000:			/* long, positive or negative */
		case 0x4000:
			neg = (h & 0xC000) == 0x4000;
			dscale = h & 0x3FFF;
			memcpy(&weight, p + sizeof(uint16), sizeof(int16));
			hdr = sizeof(uint16) + sizeof(int16);
			break;
		default:				/* NaN, infinities: not in jsonb */
			return false;
	}
	ndigits = (int) (VARSIZE(num) - VARHDRSZ - hdr) / (int) sizeof(int16);
	if (dscale != 0 || weight > 3 || ndigits < 0 || ndigits > weight + 1)
		return false;
	for (int i = 0; i <= weight; i++)
	{
		int16		d = 0;

		if (i < ndigits)
			memcpy(&d, p + hdr + i * sizeof(int16), sizeof(int16));
		if (d < 0 || d > 9999)
			return false;
		v = v * 10000 + d;
	}
	if (v >= INT64CONST(1000000000000000))
		return false;
	do
	{
		out[--o] = '0' + (char) (v % 10);
		v /= 10;
	} while (v > 0);
	if (neg && !(o == sizeof(out) - 1 && out[o] == '0'))
		out[--o] = '-';
	cm_jcs_put(sink, out + o, sizeof(out) - o);
	return true;
}

/*
 * Walking the binary container.  A container is a header word (count and
 * kind), count JEntries (2 x count for an object: keys, then values), then
 * the data.  A JEntry holds its type and either its length or, every
 * JB_OFFSET_STRIDE entries, its end offset; walking entries in order gives
 * every offset.  Numerics and containers start at the next int-aligned
 * offset.  Sizes are checked against the enclosing value, so a damaged
 * value gives an error rather than a read out of bounds.
 */
typedef struct JcsMember
{
	const char *key;
	uint32		keylen;
	JEntry		je;				/* the value's */
	uint32		off;			/* the value's data offset from base */
	uint32		len;
} JcsMember;

static void jcs_container(CmJcsSink *sink, const JsonbContainer *c, uint32 size);

static void
jcs_corrupt(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("jsonb value is corrupt")));
}

static void
jcs_entry(CmJcsSink *sink, JEntry je, const char *base, uint32 off, uint32 len)
{
	uint32		pad;

	switch (je & JENTRY_TYPEMASK)
	{
		case JENTRY_ISSTRING:
			cm_jcs_string(sink, base + off, len);
			break;
		case JENTRY_ISNUMERIC:
			pad = INTALIGN(off) - off;
			if (len < pad + VARHDRSZ || VARSIZE_ANY(base + off + pad) > len - pad)
				jcs_corrupt();
			if (!jcs_small_integer(sink, (Numeric) (base + off + pad)))
				jcs_number(sink, (Numeric) (base + off + pad));
			break;
		case JENTRY_ISBOOL_FALSE:
			cm_jcs_put(sink, "false", 5);
			break;
		case JENTRY_ISBOOL_TRUE:
			cm_jcs_put(sink, "true", 4);
			break;
		case JENTRY_ISNULL:
			cm_jcs_put(sink, "null", 4);
			break;
		case JENTRY_ISCONTAINER:
			pad = INTALIGN(off) - off;
			if (len < pad + sizeof(uint32))
				jcs_corrupt();
			jcs_container(sink, (const JsonbContainer *) (base + off + pad), len - pad);
			break;
		default:
			jcs_corrupt();
	}
}

static int
jcs_member_cmp(const void *a, const void *b)
{
	const JcsMember *ma = a;
	const JcsMember *mb = b;

	return cm_jcs_key_cmp_quick(ma->key, ma->keylen, mb->key, mb->keylen);
}

static void
jcs_container(CmJcsSink *sink, const JsonbContainer *c, uint32 size)
{
	uint32		count = c->header & JB_CMASK;
	uint32		nentries;
	const char *base;
	uint32		datalen;
	uint32		off = 0;

	check_stack_depth();
	nentries = (c->header & JB_FOBJECT) ? count * 2 : count;
	if ((uint64) nentries * sizeof(JEntry) + sizeof(uint32) > size)
		jcs_corrupt();
	base = (const char *) &c->children[nentries];
	datalen = size - (uint32) (base - (const char *) c);

/* next entry's offset and length; off moves past it */
#define NEXT_ENTRY(i, eoff, elen) \
	do { \
		JEntry		je_ = c->children[i]; \
		uint32		end_ = JBE_HAS_OFF(je_) ? JBE_OFFLENFLD(je_) : off + JBE_OFFLENFLD(je_); \
		if (end_ < off || end_ > datalen) \
			jcs_corrupt(); \
		(eoff) = off; \
		(elen) = end_ - off; \
		off = end_; \
	} while (0)

	if (c->header & JB_FOBJECT)
	{
		JcsMember	stack[JCS_STACK_MEMBERS];
		JcsMember  *m = count <= JCS_STACK_MEMBERS ? stack : palloc(sizeof(JcsMember) * count);

		for (uint32 i = 0; i < count; i++)
		{
			uint32		koff,
						klen;

			if ((c->children[i] & JENTRY_TYPEMASK) != JENTRY_ISSTRING)
				jcs_corrupt();
			NEXT_ENTRY(i, koff, klen);
			m[i].key = base + koff;
			m[i].keylen = klen;
		}
		for (uint32 i = 0; i < count; i++)
		{
			m[i].je = c->children[count + i];
			NEXT_ENTRY(count + i, m[i].off, m[i].len);
		}
		/* most objects are small: insertion sort beats qsort's overhead */
		if (count > 32)
			qsort(m, count, sizeof(JcsMember), jcs_member_cmp);
		else
			for (uint32 a = 1; a < count; a++)
			{
				JcsMember	x = m[a];
				uint32		b = a;

				while (b > 0 && cm_jcs_key_cmp_quick(m[b - 1].key, m[b - 1].keylen, x.key, x.keylen) > 0)
				{
					m[b] = m[b - 1];
					b--;
				}
				m[b] = x;
			}
		cm_jcs_putc(sink, '{');
		for (uint32 j = 0; j < count; j++)
		{
			if (j > 0)
				cm_jcs_putc(sink, ',');
			cm_jcs_string(sink, m[j].key, m[j].keylen);
			cm_jcs_putc(sink, ':');
			jcs_entry(sink, m[j].je, base, m[j].off, m[j].len);
		}
		cm_jcs_putc(sink, '}');
		if (m != stack)
			pfree(m);
	}
	else if (c->header & JB_FARRAY)
	{
		/* a raw scalar is stored as a one-element array */
		bool		raw_scalar = (c->header & JB_FSCALAR) != 0;

		if (raw_scalar && count != 1)
			jcs_corrupt();
		if (!raw_scalar)
			cm_jcs_putc(sink, '[');
		for (uint32 i = 0; i < count; i++)
		{
			uint32		eoff,
						elen;

			if (i > 0)
				cm_jcs_putc(sink, ',');
			NEXT_ENTRY(i, eoff, elen);
			jcs_entry(sink, c->children[i], base, eoff, elen);
		}
		if (!raw_scalar)
			cm_jcs_putc(sink, ']');
	}
	else
		jcs_corrupt();
#undef NEXT_ENTRY
}

static void
jcs_jsonb(CmJcsSink *sink, Jsonb *jb)
{
	jcs_container(sink, &jb->root, VARSIZE(jb) - VARHDRSZ);
}

void
compmap_jcs_append(StringInfo out, Jsonb *jb)
{
	CmJcsSink	sink;

	jcs_stringinfo_begin(&sink, out);
	jcs_jsonb(&sink, jb);
	jcs_stringinfo_end(&sink);
}

void
compmap_payload_digest(Jsonb *jb, uint8 *out)
{
	char		buf[JCS_DIGEST_BUF];
	SHA256_CTX	ctx;
	CmJcsSink	sink = {buf, 0, sizeof(buf), jcs_digest_drain, &ctx};

	compmap_hash_or_error(SHA256_Init(&ctx) == 1);
	jcs_jsonb(&sink, jb);
	if (sink.len > 0)
		jcs_digest_drain(&sink, 0);
	compmap_hash_or_error(SHA256_Final(out, &ctx) == 1);
}

/*
 * SHA-256 of the canonical JSON of the finding fingerprint object
 *   {"asset": asset, "extra": extra, "location": location, "rule": rule,
 *    "scanner": scanner}
 * (keys already in JCS order), streamed without building the object:
 * the same digest as compmap_payload_digest() of that jsonb value.
 */
void
compmap_fingerprint_digest(const char *asset, size_t asset_len, Jsonb *extra,
						   const char *location, size_t location_len,
						   const char *rule, size_t rule_len,
						   const char *scanner, size_t scanner_len, uint8 *out)
{
	char		buf[JCS_DIGEST_BUF];
	SHA256_CTX	ctx;
	CmJcsSink	sink = {buf, 0, sizeof(buf), jcs_digest_drain, &ctx};

	compmap_hash_or_error(SHA256_Init(&ctx) == 1);
	cm_jcs_put(&sink, "{\"asset\":", 9);
	cm_jcs_string(&sink, asset, asset_len);
	cm_jcs_put(&sink, ",\"extra\":", 9);
	jcs_jsonb(&sink, extra);
	cm_jcs_put(&sink, ",\"location\":", 12);
	cm_jcs_string(&sink, location, location_len);
	cm_jcs_put(&sink, ",\"rule\":", 8);
	cm_jcs_string(&sink, rule, rule_len);
	cm_jcs_put(&sink, ",\"scanner\":", 11);
	cm_jcs_string(&sink, scanner, scanner_len);
	cm_jcs_putc(&sink, '}');
	jcs_digest_drain(&sink, 0);
	compmap_hash_or_error(SHA256_Final(out, &ctx) == 1);
}

/*
 * The reference walk: JsonbIterator, as compmap did before the binary walk.
 * Slow, but built from the server's own reader; only for comparison.
 */
typedef struct JcsRefMember
{
	const char *key;
	int			keylen;
	JsonbValue	value;
} JcsRefMember;

static void jcs_ref_value(CmJcsSink *sink, JsonbValue *v);

static int
jcs_ref_member_cmp(const void *a, const void *b)
{
	const JcsRefMember *ma = a;
	const JcsRefMember *mb = b;

	return cm_jcs_key_cmp(ma->key, ma->keylen, mb->key, mb->keylen);
}

static void
jcs_ref_container(CmJcsSink *sink, JsonbContainer *container)
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
			cm_jcs_putc(sink, '[');
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_END_ARRAY)
		{
			if (!first)
				cm_jcs_putc(sink, ',');
			first = false;
			jcs_ref_value(sink, &v);
		}
		if (!raw_scalar)
			cm_jcs_putc(sink, ']');
	}
	else if (tok == WJB_BEGIN_OBJECT)
	{
		int			n = v.val.object.nPairs;
		int			i = 0;
		JcsRefMember *members = palloc(sizeof(JcsRefMember) * Max(n, 1));

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_END_OBJECT)
		{
			if (tok == WJB_KEY)
			{
				members[i].key = v.val.string.val;
				members[i].keylen = v.val.string.len;
			}
			else
				members[i++].value = v;
		}
		qsort(members, i, sizeof(JcsRefMember), jcs_ref_member_cmp);
		cm_jcs_putc(sink, '{');
		for (int j = 0; j < i; j++)
		{
			if (j > 0)
				cm_jcs_putc(sink, ',');
			cm_jcs_string(sink, members[j].key, members[j].keylen);
			cm_jcs_putc(sink, ':');
			jcs_ref_value(sink, &members[j].value);
		}
		cm_jcs_putc(sink, '}');
		pfree(members);
	}
	else
		elog(ERROR, "unexpected jsonb iterator token %d", (int) tok);
}

static void
jcs_ref_value(CmJcsSink *sink, JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			cm_jcs_put(sink, "null", 4);
			break;
		case jbvBool:
			if (v->val.boolean)
				cm_jcs_put(sink, "true", 4);
			else
				cm_jcs_put(sink, "false", 5);
			break;
		case jbvString:
			cm_jcs_string(sink, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			jcs_number(sink, v->val.numeric);
			break;
		case jbvBinary:
			jcs_ref_container(sink, v->val.binary.data);
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
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

PG_FUNCTION_INFO_V1(compmap_jcs_reference);
/*
 * compmap_jcs_reference(jsonb) returns text: the same through the reference
 * walk.  Not part of the extension's SQL; tests declare it themselves.
 */
Datum
compmap_jcs_reference(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	StringInfoData buf;
	CmJcsSink	sink;

	initStringInfo(&buf);
	jcs_stringinfo_begin(&sink, &buf);
	jcs_ref_container(&sink, &jb->root);
	jcs_stringinfo_end(&sink);
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
