/*-------------------------------------------------------------------------
 *
 * evidence_verify.c
 *	  compmap.verify(tenant): recomputes a tenant's whole evidence log from
 *	  its rows and checks every stored derived value against it.
 *
 * One pass in leaf_index order recomputes each payload digest (RFC 8785),
 * each leaf hash, each subject's back-link chain and the tree; every stored
 * Merkle node, the head and every stored checkpoint (root, signature, and
 * the hash chain of checkpoint bodies) must agree.  The first disagreement
 * in log order is reported with its leaf index and a reason.
 *
 * Reads run as the calling role (row-level security applies), through a
 * cursor fetched in batches with a per-batch memory context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compmap.h"
#include "checkpoint.h"

#define VERIFY_BATCH 10000
#define REDACTION_EVENT "evidence.redacted"

typedef struct NodeKey
{
	int64		level;
	int64		index;
} NodeKey;

typedef struct StoredNode
{
	NodeKey		key;
	uint8		hash[CM_HASH_LEN];
	bool		seen;
} StoredNode;

typedef struct SubjectLink
{
	pg_uuid_t	subject;
	int64		seq;
	uint8		hash[CM_HASH_LEN];
} SubjectLink;

typedef struct StoredCheckpoint
{
	int64		number;
	int64		size;
	uint8		root[CM_HASH_LEN];
} StoredCheckpoint;

typedef struct VerifyState
{
	bool		bad;
	int64		bad_index;		/* -1 when no single index applies */
	char	   *reason;
	HTAB	   *nodes;
} VerifyState;

static void
fail(VerifyState *st, int64 index, const char *fmt,...) pg_attribute_printf(3, 4);

static void
fail(VerifyState *st, int64 index, const char *fmt,...)
{
	va_list		ap;
	StringInfoData buf;

	if (st->bad)
		return;
	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(ap, fmt);
		needed = appendStringInfoVA(&buf, fmt, ap);
		va_end(ap);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	st->bad = true;
	st->bad_index = index;
	st->reason = buf.data;
}

/* Remembers which entry an evidence.redacted event accounts for. */
static void
note_redaction_event(HTAB *redactions, Jsonb *payload)
{
	JsonbValue	key;
	JsonbValue *v;

	key.type = jbvString;
	key.val.string.val = "redacted_leaf_index";
	key.val.string.len = strlen(key.val.string.val);
	v = findJsonbValueFromContainer(&payload->root, JB_FOBJECT, &key);
	if (v != NULL && v->type == jbvNumeric)
	{
		char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out,
															NumericGetDatum(v->val.numeric)));
		char	   *end;
		int64		target;

		errno = 0;
		target = strtoll(text, &end, 10);
		if (errno == 0 && *end == '\0' && end != text)
			hash_search(redactions, &target, HASH_ENTER, NULL);
	}
}

static void
check_node(void *arg, int level, uint64_t index, const uint8_t *hash)
{
	VerifyState *st = arg;
	NodeKey		key = {level, (int64) index};
	StoredNode *n;

	if (level < COMPMAP_NODE_MIN_LEVEL || st->bad)
		return;
	n = hash_search(st->nodes, &key, HASH_FIND, NULL);
	if (n == NULL)
		fail(st, (int64) (index << level), "stored tree node (level %d, index " UINT64_FORMAT ") is missing",
			 level, index);
	else if (!cm_hash_equal(n->hash, hash))
		fail(st, (int64) (index << level), "entries " UINT64_FORMAT " to " UINT64_FORMAT " no longer hash to stored tree node (level %d, index " UINT64_FORMAT "): one of them, or the node, was changed",
			 index << level, ((index + 1) << level) - 1, level, index);
	else
		n->seen = true;
}

static bytea *
get_bytea(HeapTuple t, TupleDesc d, int col, bool *isnull)
{
	Datum		v = SPI_getbinval(t, d, col, isnull);

	return *isnull ? NULL : DatumGetByteaPP(v);
}

static bool
get_hash(HeapTuple t, TupleDesc d, int col, uint8 *out)
{
	bool		isnull;
	bytea	   *b = get_bytea(t, d, col, &isnull);

	if (isnull || VARSIZE_ANY_EXHDR(b) != CM_HASH_LEN)
		return false;
	memcpy(out, VARDATA_ANY(b), CM_HASH_LEN);
	return true;
}

static bool
get_text(HeapTuple t, TupleDesc d, int col, const char **data, int *len)
{
	bool		isnull;
	Datum		v = SPI_getbinval(t, d, col, &isnull);
	text	   *tx;

	if (isnull)
		return false;
	tx = DatumGetTextPP(v);
	*data = VARDATA_ANY(tx);
	*len = VARSIZE_ANY_EXHDR(tx);
	return true;
}

/* Loads stored nodes and checks the stored checkpoints' own integrity. */
static StoredCheckpoint *
load_stored(VerifyState *st, pg_uuid_t *tenant, int *ncp)
{
	Datum		arg[1] = {UUIDPGetDatum(tenant)};
	Oid			argtypes[1] = {UUIDOID};
	HASHCTL		ctl;
	StoredCheckpoint *cps;
	uint8		prev_body_hash[CM_HASH_LEN];
	int64		prev_time = 0;
	int64		prev_size = 0;
	int			ret;

	ctl.keysize = sizeof(NodeKey);
	ctl.entrysize = sizeof(StoredNode);
	ctl.hcxt = CurrentMemoryContext;
	st->nodes = hash_create("compmap verify nodes", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ret = SPI_execute_with_args("SELECT level, node_index, hash FROM compmap.evidence_node WHERE tenant_id = $1",
								1, argtypes, arg, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading evidence nodes failed: %s", SPI_result_code_string(ret));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		bool		isnull;
		NodeKey		key;
		StoredNode *n;

		key.level = DatumGetInt16(SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull));
		key.index = DatumGetInt64(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull));
		n = hash_search(st->nodes, &key, HASH_ENTER, NULL);
		n->seen = false;
		if (!get_hash(t, SPI_tuptable->tupdesc, 3, n->hash))
			memset(n->hash, 0xFF, CM_HASH_LEN);
	}

	ret = SPI_execute_with_args(
		"SELECT c.checkpoint_no, c.tree_size, c.root, c.time_us, c.body, c.signed_note, c.key_name, k.public_key "
		"FROM compmap.checkpoint c LEFT JOIN compmap.signing_key k "
		"  ON k.tenant_id = c.tenant_id AND k.key_name = c.key_name "
		"WHERE c.tenant_id = $1 ORDER BY c.checkpoint_no",
		1, argtypes, arg, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading checkpoints failed: %s", SPI_result_code_string(ret));
	*ncp = (int) SPI_processed;
	cps = palloc0(sizeof(StoredCheckpoint) * Max(*ncp, 1));
	for (int i = 0; i < *ncp; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		char	   *signed_note = SPI_getvalue(t, d, 6);
		char	   *body = SPI_getvalue(t, d, 5);
		char	   *key_name = SPI_getvalue(t, d, 7);
		bytea	   *pk = get_bytea(t, d, 8, &isnull);
		int64		time_us = DatumGetInt64(SPI_getbinval(t, d, 4, &isnull));
		CompmapCheckpoint cp;
		const char *why;

		cps[i].number = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
		cps[i].size = DatumGetInt64(SPI_getbinval(t, d, 2, &isnull));
		if (!get_hash(t, d, 3, cps[i].root))
			memset(cps[i].root, 0xFF, CM_HASH_LEN);
		if (st->bad)
			continue;
		why = signed_note ? compmap_checkpoint_parse(signed_note, strlen(signed_note), &cp) : "no signed note";
		if (why)
			fail(st, -1, "checkpoint %ld is malformed: %s", (long) cps[i].number, why);
		else if (body == NULL || cp.body_len != (int) strlen(body) || memcmp(cp.body, body, cp.body_len) != 0)
			fail(st, -1, "checkpoint %ld: stored body differs from the signed note", (long) cps[i].number);
		else if (cp.size != cps[i].size || !cm_hash_equal(cp.root, cps[i].root) || cp.time_us != time_us ||
				 memcmp(&cp.tenant, tenant, UUID_LEN) != 0)
			fail(st, -1, "checkpoint %ld: stored size, root, time or tenant differ from the signed note", (long) cps[i].number);
		else if (pk == NULL || key_name == NULL || VARSIZE_ANY_EXHDR(pk) != 32 ||
				 !compmap_checkpoint_signed_by(&cp, key_name, (const uint8 *) VARDATA_ANY(pk)))
			fail(st, -1, "checkpoint %ld: signature does not verify with key \"%s\"", (long) cps[i].number,
				 key_name ? key_name : "");
		else if (i == 0 ? cp.has_prev : (!cp.has_prev || !cm_hash_equal(cp.prev, prev_body_hash)))
			fail(st, -1, "checkpoint %ld: prev does not name the previous checkpoint", (long) cps[i].number);
		else if (i > 0 && (cp.size < prev_size || cp.time_us <= prev_time))
			fail(st, -1, "checkpoint %ld: size or time goes backwards", (long) cps[i].number);
		if (body)
			compmap_hash_or_error(cm_sha256(body, strlen(body), NULL, 0, NULL, 0, prev_body_hash));
		prev_time = time_us;
		prev_size = cps[i].size;
	}
	return cps;
}

static void
check_checkpoints(VerifyState *st, CmFrontier *f, StoredCheckpoint *cps, int ncp, int *next_cp)
{
	while (*next_cp < ncp && (uint64) cps[*next_cp].size == f->size && !st->bad)
	{
		uint8		root[CM_HASH_LEN];

		compmap_hash_or_error(cm_frontier_root(f, root));
		if (!cm_hash_equal(root, cps[*next_cp].root))
			fail(st, -1, "entries before index %ld no longer match signed checkpoint %ld: the log was rewritten after it was signed",
				 (long) cps[*next_cp].size, (long) cps[*next_cp].number);
		(*next_cp)++;
	}
}

static void
verify_tenant(VerifyState *st, pg_uuid_t *tenant, int64 *checked)
{
	Datum		arg[1] = {UUIDPGetDatum(tenant)};
	Oid			argtypes[1] = {UUIDOID};
	Portal		portal;
	CmFrontier	f;
	HTAB	   *subjects;
	HASHCTL		ctl;
	StoredCheckpoint *cps;
	int			ncp,
				next_cp = 0;
	MemoryContext batch_cxt;
	HTAB	   *redactions;
	int64	   *removed;
	int			nremoved = 0,
				maxremoved = 16;
	static const uint8 zero[CM_HASH_LEN] = {0};

	cps = load_stored(st, tenant, &ncp);
	removed = palloc(sizeof(int64) * maxremoved);
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(int64);
	ctl.hcxt = CurrentMemoryContext;
	redactions = hash_create("compmap verify redactions", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(pg_uuid_t);
	ctl.entrysize = sizeof(SubjectLink);
	ctl.hcxt = CurrentMemoryContext;
	subjects = hash_create("compmap verify subjects", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	cm_frontier_init(&f);
	check_checkpoints(st, &f, cps, ncp, &next_cp);

	batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "compmap verify batch", ALLOCSET_DEFAULT_SIZES);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT leaf_index, enc_version, subject_id, subject_seq, subject_prev, event_type, "
									   "actor, occurred_at, recorded_at, payload, payload_digest, leaf_hash "
									   "FROM compmap.evidence WHERE tenant_id = $1 ORDER BY leaf_index",
									   1, argtypes, arg, NULL, true, 0);
	*checked = 0;
	while (!st->bad)
	{
		SPI_cursor_fetch(portal, true, VERIFY_BATCH);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed && !st->bad; i++)
		{
			HeapTuple	t = SPI_tuptable->vals[i];
			TupleDesc	d = SPI_tuptable->tupdesc;
			MemoryContext old = MemoryContextSwitchTo(batch_cxt);
			bool		isnull;
			int64		index = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
			int64		expect = (int64) f.size;
			CompmapLeaf leaf;
			uint8		stored_hash[CM_HASH_LEN];
			uint8		hash[CM_HASH_LEN];
			uint8		stored_digest[CM_HASH_LEN];
			Datum		v;
			SubjectLink *s;
			bool		found;

			if (index != expect)
			{
				if (index > expect)
					fail(st, expect, "entry %ld is missing (the next entry has index %ld)", (long) expect, (long) index);
				else
					fail(st, index, "entry %ld appears twice", (long) index);
				MemoryContextSwitchTo(old);
				break;
			}
			memcpy(&leaf.tenant_id, tenant, UUID_LEN);
			leaf.leaf_index = index;
			if (DatumGetInt16(SPI_getbinval(t, d, 2, &isnull)) != COMPMAP_ENC_VERSION || isnull)
				fail(st, index, "entry %ld has an unknown encoding version", (long) index);
			v = SPI_getbinval(t, d, 3, &isnull);
			if (isnull)
				fail(st, index, "entry %ld has no subject", (long) index);
			else
				memcpy(&leaf.subject_id, DatumGetUUIDP(v), UUID_LEN);
			leaf.subject_seq = DatumGetInt64(SPI_getbinval(t, d, 4, &isnull));
			if (!get_hash(t, d, 5, leaf.subject_prev))
				fail(st, index, "entry %ld has a malformed subject_prev", (long) index);
			if (!get_text(t, d, 6, &leaf.event_type, &leaf.event_type_len))
				fail(st, index, "entry %ld has no event type", (long) index);
			if (!get_text(t, d, 7, &leaf.actor, &leaf.actor_len))
				fail(st, index, "entry %ld has no actor", (long) index);
			leaf.occurred_at = DatumGetTimestampTz(SPI_getbinval(t, d, 8, &isnull));
			if (isnull)
				fail(st, index, "entry %ld has no occurred_at", (long) index);
			leaf.recorded_at = DatumGetTimestampTz(SPI_getbinval(t, d, 9, &isnull));
			if (isnull)
				fail(st, index, "entry %ld has no recorded_at", (long) index);
			if (!get_hash(t, d, 11, stored_digest))
				fail(st, index, "entry %ld has a malformed payload digest", (long) index);
			if (!get_hash(t, d, 12, stored_hash))
				fail(st, index, "entry %ld has a malformed leaf hash", (long) index);
			if (st->bad)
			{
				MemoryContextSwitchTo(old);
				break;
			}
			v = SPI_getbinval(t, d, 10, &isnull);
			if (!isnull)
			{
				Jsonb	   *payload = DatumGetJsonbP(v);

				compmap_payload_digest(payload, leaf.payload_digest);
				if (!cm_hash_equal(leaf.payload_digest, stored_digest))
				{
					fail(st, index, "entry %ld: payload does not match its digest", (long) index);
					MemoryContextSwitchTo(old);
					break;
				}
				if (leaf.event_type_len == strlen(REDACTION_EVENT) &&
					memcmp(leaf.event_type, REDACTION_EVENT, leaf.event_type_len) == 0)
					note_redaction_event(redactions, payload);
			}
			else
			{
				/* removed payload: a redaction event must account for it */
				memcpy(leaf.payload_digest, stored_digest, CM_HASH_LEN);
				if (nremoved == maxremoved)
				{
					maxremoved *= 2;
					removed = repalloc(removed, sizeof(int64) * maxremoved);
				}
				removed[nremoved++] = index;
			}

			compmap_leaf_hash(&leaf, hash);
			if (!cm_hash_equal(hash, stored_hash))
			{
				fail(st, index, "entry %ld: leaf hash does not match the entry's fields", (long) index);
				MemoryContextSwitchTo(old);
				break;
			}

			s = hash_search(subjects, &leaf.subject_id, HASH_ENTER, &found);
			if (!found)
			{
				s->seq = 0;
				memcpy(s->hash, zero, CM_HASH_LEN);
			}
			if (leaf.subject_seq != s->seq + 1)
				fail(st, index, "entry %ld: subject sequence %ld does not follow %ld", (long) index,
					 (long) leaf.subject_seq, (long) s->seq);
			else if (!cm_hash_equal(leaf.subject_prev, s->hash))
				fail(st, index, "entry %ld: subject_prev is not the subject's previous leaf hash", (long) index);
			s->seq = leaf.subject_seq;
			memcpy(s->hash, hash, CM_HASH_LEN);

			if (!st->bad)
				compmap_hash_or_error(cm_frontier_append(&f, hash, check_node, st));
			MemoryContextSwitchTo(old);
			MemoryContextReset(batch_cxt);
			if (!st->bad)
				check_checkpoints(st, &f, cps, ncp, &next_cp);
		}
		*checked = (int64) f.size;
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	*checked = (int64) f.size;
	if (st->bad)
		return;

	/* Removed payloads without the redaction event compmap.redact() logs. */
	for (int i = 0; i < nremoved; i++)
		if (hash_search(redactions, &removed[i], HASH_FIND, NULL) == NULL)
		{
			fail(st, removed[i], "entry %ld: payload was removed without a redaction event",
				 (long) removed[i]);
			return;
		}

	/* Stored nodes the leaves do not account for. */
	{
		HASH_SEQ_STATUS seq;
		StoredNode *n;
		int64		first = -1;
		StoredNode *firstn = NULL;

		hash_seq_init(&seq, st->nodes);
		while ((n = hash_seq_search(&seq)) != NULL)
			if (!n->seen && (first < 0 || (n->key.index << n->key.level) < first))
			{
				first = n->key.index << n->key.level;
				firstn = n;
			}
		if (firstn)
		{
			fail(st, first, "stored tree node (level %ld, index %ld) is not backed by the log's entries",
				 (long) firstn->key.level, (long) firstn->key.index);
			return;
		}
	}

	if (next_cp < ncp)
	{
		fail(st, (int64) f.size, "the log has %ld entries but signed checkpoint %ld covers %ld: entries were removed",
			 (long) f.size, (long) cps[next_cp].number, (long) cps[next_cp].size);
		return;
	}

	/* The head must describe exactly these leaves. */
	{
		int			r = SPI_execute_with_args("SELECT size, frontier FROM compmap.evidence_head WHERE tenant_id = $1",
											  1, argtypes, arg, NULL, true, 1);
		bool		isnull;
		int64		size = 0;
		bytea	   *fb = NULL;

		if (r != SPI_OK_SELECT)
			elog(ERROR, "reading the evidence head failed: %s", SPI_result_code_string(r));
		if (SPI_processed == 1)
		{
			size = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
			fb = get_bytea(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		}
		if (SPI_processed == 0 && f.size > 0)
			fail(st, 0, "the evidence head is missing");
		else if (size < (int64) f.size)
			fail(st, size, "the head says the log has %ld entries, but it has %ld: the head was rewound",
				 (long) size, (long) f.size);
		else if (size > (int64) f.size)
			fail(st, (int64) f.size, "the head says the log has %ld entries, but only %ld remain: entries were removed at the tail",
				 (long) size, (long) f.size);
		else if (fb != NULL)
		{
			uint8	   *expect = palloc(cm_frontier_bytes(f.size) + 1);

			cm_frontier_serialize(&f, expect);
			if (VARSIZE_ANY_EXHDR(fb) != cm_frontier_bytes(f.size) ||
				memcmp(VARDATA_ANY(fb), expect, cm_frontier_bytes(f.size)) != 0)
				fail(st, size > 0 ? size - 1 : 0, "the stored head frontier does not match the log");
		}
	}
}

PG_FUNCTION_INFO_V1(compmap_verify);
/*
 * compmap.verify(tenant uuid) returns table(ok boolean, checked bigint,
 *     first_bad_index bigint, reason text)
 */
Datum
compmap_verify(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *tenant = PG_GETARG_UUID_P(0);
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	VerifyState st = {0};
	int64		checked = 0;
	MemoryContext oldcxt = CurrentMemoryContext;
	char	   *reason = NULL;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);

	compmap_evidence_flush_all();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	compmap_require_tenant(tenant);
	verify_tenant(&st, tenant, &checked);
	if (st.bad)
		reason = MemoryContextStrdup(oldcxt, st.reason);
	SPI_finish();
	MemoryContextSwitchTo(oldcxt);

	values[0] = BoolGetDatum(!st.bad);
	values[1] = Int64GetDatum(checked);
	if (st.bad && st.bad_index >= 0)
		values[2] = Int64GetDatum(st.bad_index);
	else
		nulls[2] = true;
	if (st.bad)
		values[3] = CStringGetTextDatum(reason);
	else
		nulls[3] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
