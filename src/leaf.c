/*-------------------------------------------------------------------------
 *
 * leaf.c
 *	  The versioned binary encoding of an evidence-log leaf and its hash
 *	  (docs/evidence-format.md, section 1).
 *
 * The encoding uses only the stored values: integers big-endian, uuids as
 * their 16 bytes, text as stored UTF-8, timestamps as microseconds since the
 * Unix epoch.  No output function is called, so no session setting
 * (TimeZone, DateStyle, bytea_output, extra_float_digits, search_path,
 * client_encoding) can change a byte.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "compmap.h"

static const char compmap_domain_tag[16] = {
	'c', 'o', 'm', 'p', 'm', 'a', 'p', '.', 'e', 'v', 'i', 'd', 'e', 'n', 'c', 'e'
};

/* Bytes of a leaf's encoding besides its event type and actor. */
#define LEAF_FIXED_BYTES (1 + sizeof(compmap_domain_tag) + 10 * 5 + \
						  2 * UUID_LEN + 4 * 8 + 2 * CM_HASH_LEN)
/* Leaves up to this size are encoded on the stack. */
#define LEAF_STACK_BYTES 512

static inline uint8 *
put_field(uint8 *p, uint8 tag, const void *value, uint32 len)
{
	p[0] = tag;
	p[1] = (uint8) (len >> 24);
	p[2] = (uint8) (len >> 16);
	p[3] = (uint8) (len >> 8);
	p[4] = (uint8) len;
	memcpy(p + 5, value, len);
	return p + 5 + len;
}

static inline uint8 *
put_i64_field(uint8 *p, uint8 tag, int64 v)
{
	uint8		b[8];
	uint64		u = (uint64) v;

	for (int i = 7; i >= 0; i--)
	{
		b[i] = (uint8) (u & 0xFF);
		u >>= 8;
	}
	return put_field(p, tag, b, 8);
}

static size_t
leaf_encoded_len(const CompmapLeaf *leaf)
{
	return LEAF_FIXED_BYTES + (size_t) leaf->event_type_len + (size_t) leaf->actor_len;
}

/* Writes the encoding into out, which has leaf_encoded_len() bytes. */
static void
leaf_encode_into(uint8 *out, const CompmapLeaf *leaf)
{
	uint8	   *p = out;

	*p++ = (uint8) COMPMAP_ENC_VERSION;
	memcpy(p, compmap_domain_tag, sizeof(compmap_domain_tag));
	p += sizeof(compmap_domain_tag);
	p = put_field(p, 0x01, leaf->tenant_id.data, UUID_LEN);
	p = put_i64_field(p, 0x02, leaf->leaf_index);
	p = put_field(p, 0x03, leaf->subject_id.data, UUID_LEN);
	p = put_i64_field(p, 0x04, leaf->subject_seq);
	p = put_field(p, 0x05, leaf->subject_prev, CM_HASH_LEN);
	p = put_field(p, 0x06, leaf->event_type, leaf->event_type_len);
	p = put_field(p, 0x07, leaf->actor, leaf->actor_len);
	p = put_i64_field(p, 0x08, leaf->occurred_at + COMPMAP_UNIX_EPOCH_OFFSET_US);
	p = put_i64_field(p, 0x09, leaf->recorded_at + COMPMAP_UNIX_EPOCH_OFFSET_US);
	p = put_field(p, 0x0A, leaf->payload_digest, CM_HASH_LEN);
	Assert((size_t) (p - out) == leaf_encoded_len(leaf));
}

static void
compmap_leaf_encode(StringInfo out, const CompmapLeaf *leaf)
{
	size_t		len = leaf_encoded_len(leaf);

	enlargeStringInfo(out, (int) len);
	leaf_encode_into((uint8 *) out->data + out->len, leaf);
	out->len += (int) len;
	out->data[out->len] = '\0';
}

void
compmap_hash_or_error(bool ok)
{
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute SHA-256")));
}

/* The leaf hash, with the encoding on the stack when it fits (every leaf but huge ones). */
void
compmap_leaf_hash(const CompmapLeaf *leaf, uint8 *out)
{
	size_t		len = leaf_encoded_len(leaf);
	uint8		stack[LEAF_STACK_BYTES];
	uint8	   *buf = len <= sizeof(stack) ? stack : palloc(len);

	leaf_encode_into(buf, leaf);
	compmap_hash_or_error(cm_leaf_hash(buf, len, out));
	if (buf != stack)
		pfree(buf);
}

bytea *
compmap_hash_to_bytea(const uint8 *hash)
{
	bytea	   *b = palloc(VARHDRSZ + CM_HASH_LEN);

	SET_VARSIZE(b, VARHDRSZ + CM_HASH_LEN);
	memcpy(VARDATA(b), hash, CM_HASH_LEN);
	return b;
}

void
compmap_bytea_to_hash(bytea *b, uint8 *out, const char *what)
{
	if (VARSIZE_ANY_EXHDR(b) != CM_HASH_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %d bytes, not %d", what, CM_HASH_LEN,
						(int) VARSIZE_ANY_EXHDR(b))));
	memcpy(out, VARDATA_ANY(b), CM_HASH_LEN);
}

PG_FUNCTION_INFO_V1(compmap_encode_leaf);
/*
 * compmap.encode_leaf(tenant uuid, leaf_index bigint, subject uuid,
 *     subject_seq bigint, subject_prev bytea, event_type text, actor text,
 *     occurred_at timestamptz, recorded_at timestamptz,
 *     payload_digest bytea) returns bytea
 */
Datum
compmap_encode_leaf(PG_FUNCTION_ARGS)
{
	CompmapLeaf leaf;
	text	   *event_type = PG_GETARG_TEXT_PP(5);
	text	   *actor = PG_GETARG_TEXT_PP(6);
	StringInfoData buf;

	memcpy(&leaf.tenant_id, PG_GETARG_UUID_P(0), UUID_LEN);
	leaf.leaf_index = PG_GETARG_INT64(1);
	memcpy(&leaf.subject_id, PG_GETARG_UUID_P(2), UUID_LEN);
	leaf.subject_seq = PG_GETARG_INT64(3);
	compmap_bytea_to_hash(PG_GETARG_BYTEA_PP(4), leaf.subject_prev, "subject_prev");
	leaf.event_type = VARDATA_ANY(event_type);
	leaf.event_type_len = VARSIZE_ANY_EXHDR(event_type);
	leaf.actor = VARDATA_ANY(actor);
	leaf.actor_len = VARSIZE_ANY_EXHDR(actor);
	leaf.occurred_at = PG_GETARG_TIMESTAMPTZ(7);
	leaf.recorded_at = PG_GETARG_TIMESTAMPTZ(8);
	compmap_bytea_to_hash(PG_GETARG_BYTEA_PP(9), leaf.payload_digest, "payload_digest");

	initStringInfo(&buf);
	compmap_leaf_encode(&buf, &leaf);
	PG_RETURN_BYTEA_P(cstring_to_text_with_len(buf.data, buf.len));
}

PG_FUNCTION_INFO_V1(compmap_leaf_hash_sql);
/* compmap.leaf_hash(leaf_bytes bytea) returns bytea: SHA-256(0x00 || leaf) */
Datum
compmap_leaf_hash_sql(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	uint8		h[CM_HASH_LEN];

	compmap_hash_or_error(cm_leaf_hash((const uint8 *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), h));
	PG_RETURN_BYTEA_P(compmap_hash_to_bytea(h));
}

PG_FUNCTION_INFO_V1(compmap_node_hash_sql);
/* compmap.node_hash(left bytea, right bytea) returns bytea: SHA-256(0x01 || l || r) */
Datum
compmap_node_hash_sql(PG_FUNCTION_ARGS)
{
	uint8		l[CM_HASH_LEN],
				r[CM_HASH_LEN],
				h[CM_HASH_LEN];

	compmap_bytea_to_hash(PG_GETARG_BYTEA_PP(0), l, "left");
	compmap_bytea_to_hash(PG_GETARG_BYTEA_PP(1), r, "right");
	compmap_hash_or_error(cm_node_hash(l, r, h));
	PG_RETURN_BYTEA_P(compmap_hash_to_bytea(h));
}
