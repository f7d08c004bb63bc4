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
 * Reads run as the calling role: stored nodes, checkpoints and the head
 * through SPI (row-level security applies), the entries through the
 * primary-key index in leaf_index order after the checks row-level security
 * would make (scan_leaves), with a memory context reset per entry.  Stored
 * nodes are held sorted by level and index, so checking the nodes the pass
 * completes walks forward through them (NodeSet).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compmap.h"
#include "checkpoint.h"

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

/*
 * Stored nodes, sorted by level and index.  The tree's nodes complete in
 * index order at every level, so each level's cursor only moves forward:
 * a lookup is a step through memory rather than a hash probe into a table
 * the size of the log / 8.
 */
typedef struct NodeSet
{
	StoredNode *nodes;
	int64		n;
	int64		start[CM_MAX_LEVELS + 1];	/* level L: [start[L], start[L + 1]) */
	int64		cursor[CM_MAX_LEVELS];
} NodeSet;

typedef struct VerifyState
{
	bool		bad;
	int64		bad_index;		/* -1 when no single index applies */
	char	   *reason;
	NodeSet		nodes;
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
	NodeSet    *ns = &st->nodes;
	StoredNode *n = NULL;

	if (level < COMPMAP_NODE_MIN_LEVEL || st->bad)
		return;
	while (ns->cursor[level] < ns->start[level + 1] &&
		   ns->nodes[ns->cursor[level]].key.index < (int64) index)
		ns->cursor[level]++;
	if (ns->cursor[level] < ns->start[level + 1] &&
		ns->nodes[ns->cursor[level]].key.index == (int64) index)
		n = &ns->nodes[ns->cursor[level]];
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

/* Loads stored nodes and checks the stored checkpoints' own integrity. */
static StoredCheckpoint *
load_stored(VerifyState *st, pg_uuid_t *tenant, int *ncp)
{
	Datum		arg[1] = {UUIDPGetDatum(tenant)};
	Oid			argtypes[1] = {UUIDOID};
	NodeSet    *ns = &st->nodes;
	StoredCheckpoint *cps;
	uint8		prev_body_hash[CM_HASH_LEN];
	int64		prev_time = 0;
	int64		prev_size = 0;
	int			ret;

	ret = SPI_execute_with_args("SELECT level, node_index, hash FROM compmap.evidence_node WHERE tenant_id = $1 "
								"ORDER BY level, node_index",
								1, argtypes, arg, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading evidence nodes failed: %s", SPI_result_code_string(ret));
	ns->n = (int64) SPI_processed;
	ns->nodes = palloc_extended(sizeof(StoredNode) * Max(ns->n, 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < ns->n; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		bool		isnull;
		StoredNode *n = &ns->nodes[i];

		n->key.level = DatumGetInt16(SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull));
		n->key.index = DatumGetInt64(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull));
		n->seen = false;
		if (!get_hash(t, SPI_tuptable->tupdesc, 3, n->hash))
			memset(n->hash, 0xFF, CM_HASH_LEN);
	}
	/* level L's nodes; levels outside 0..63 are never visited, so never seen */
	for (int level = 0, i = 0; level <= CM_MAX_LEVELS; level++)
	{
		while (i < ns->n && ns->nodes[i].key.level < level)
			i++;
		ns->start[level] = i;
		if (level < CM_MAX_LEVELS)
			ns->cursor[level] = i;
	}
	SPI_freetuptable(SPI_tuptable);

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

/* What the pass over the leaves carries from one entry to the next. */
typedef struct LeafPass
{
	VerifyState *st;
	pg_uuid_t  *tenant;
	CmFrontier	f;
	HTAB	   *subjects;
	HTAB	   *redactions;
	int64	   *removed;
	int			nremoved;
	int			maxremoved;
	StoredCheckpoint *cps;
	int			ncp;
	int			next_cp;
} LeafPass;

/* Column numbers of compmap.evidence (checked by compmap_check_evidence_relation). */
enum
{
	V_LEAF_INDEX = 2, V_ENC_VERSION, V_SUBJECT_ID, V_SUBJECT_SEQ, V_SUBJECT_PREV,
	V_EVENT_TYPE, V_ACTOR, V_OCCURRED_AT, V_RECORDED_AT, V_PAYLOAD, V_PAYLOAD_DIGEST, V_LEAF_HASH
};

static bool
datum_hash(Datum v, bool isnull, uint8 *out)
{
	bytea	   *b;

	if (isnull)
		return false;
	b = DatumGetByteaPP(v);
	if (VARSIZE_ANY_EXHDR(b) != CM_HASH_LEN)
		return false;
	memcpy(out, VARDATA_ANY(b), CM_HASH_LEN);
	return true;
}

static bool
datum_text(Datum v, bool isnull, const char **data, int *len)
{
	text	   *tx;

	if (isnull)
		return false;
	tx = DatumGetTextPP(v);
	*data = VARDATA_ANY(tx);
	*len = VARSIZE_ANY_EXHDR(tx);
	return true;
}

/* Checks one entry (values indexed by attribute number); false when bad. */
static bool
verify_entry(LeafPass *p, Datum *vals, bool *nulls)
{
	VerifyState *st = p->st;
	int64		index = DatumGetInt64(vals[V_LEAF_INDEX]);
	int64		expect = (int64) p->f.size;
	CompmapLeaf leaf;
	uint8		stored_hash[CM_HASH_LEN];
	uint8		hash[CM_HASH_LEN];
	uint8		stored_digest[CM_HASH_LEN];
	SubjectLink *s;
	bool		found;
	static const uint8 zero[CM_HASH_LEN] = {0};

	if (index != expect)
	{
		if (index > expect)
			fail(st, expect, "entry %ld is missing (the next entry has index %ld)", (long) expect, (long) index);
		else
			fail(st, index, "entry %ld appears twice", (long) index);
		return false;
	}
	memcpy(&leaf.tenant_id, p->tenant, UUID_LEN);
	leaf.leaf_index = index;
	if (nulls[V_ENC_VERSION] || DatumGetInt16(vals[V_ENC_VERSION]) != COMPMAP_ENC_VERSION)
		fail(st, index, "entry %ld has an unknown encoding version", (long) index);
	if (nulls[V_SUBJECT_ID])
		fail(st, index, "entry %ld has no subject", (long) index);
	else
		memcpy(&leaf.subject_id, DatumGetUUIDP(vals[V_SUBJECT_ID]), UUID_LEN);
	leaf.subject_seq = nulls[V_SUBJECT_SEQ] ? 0 : DatumGetInt64(vals[V_SUBJECT_SEQ]);
	if (!datum_hash(vals[V_SUBJECT_PREV], nulls[V_SUBJECT_PREV], leaf.subject_prev))
		fail(st, index, "entry %ld has a malformed subject_prev", (long) index);
	if (!datum_text(vals[V_EVENT_TYPE], nulls[V_EVENT_TYPE], &leaf.event_type, &leaf.event_type_len))
		fail(st, index, "entry %ld has no event type", (long) index);
	if (!datum_text(vals[V_ACTOR], nulls[V_ACTOR], &leaf.actor, &leaf.actor_len))
		fail(st, index, "entry %ld has no actor", (long) index);
	if (nulls[V_OCCURRED_AT] || nulls[V_RECORDED_AT])
		fail(st, index, "entry %ld has no occurred_at or recorded_at", (long) index);
	else
	{
		leaf.occurred_at = DatumGetTimestampTz(vals[V_OCCURRED_AT]);
		leaf.recorded_at = DatumGetTimestampTz(vals[V_RECORDED_AT]);
	}
	if (!datum_hash(vals[V_PAYLOAD_DIGEST], nulls[V_PAYLOAD_DIGEST], stored_digest))
		fail(st, index, "entry %ld has a malformed payload digest", (long) index);
	if (!datum_hash(vals[V_LEAF_HASH], nulls[V_LEAF_HASH], stored_hash))
		fail(st, index, "entry %ld has a malformed leaf hash", (long) index);
	if (st->bad)
		return false;

	if (!nulls[V_PAYLOAD])
	{
		Jsonb	   *payload = DatumGetJsonbP(vals[V_PAYLOAD]);

		compmap_payload_digest(payload, leaf.payload_digest);
		if (!cm_hash_equal(leaf.payload_digest, stored_digest))
		{
			fail(st, index, "entry %ld: payload does not match its digest", (long) index);
			return false;
		}
		if (leaf.event_type_len == strlen(REDACTION_EVENT) &&
			memcmp(leaf.event_type, REDACTION_EVENT, leaf.event_type_len) == 0)
			note_redaction_event(p->redactions, payload);
	}
	else
	{
		/* removed payload: a redaction event must account for it */
		memcpy(leaf.payload_digest, stored_digest, CM_HASH_LEN);
		if (p->nremoved == p->maxremoved)
		{
			p->maxremoved *= 2;
			p->removed = repalloc(p->removed, sizeof(int64) * p->maxremoved);
		}
		p->removed[p->nremoved++] = index;
	}

	compmap_leaf_hash(&leaf, hash);
	if (!cm_hash_equal(hash, stored_hash))
	{
		fail(st, index, "entry %ld: leaf hash does not match the entry's fields", (long) index);
		return false;
	}

	s = hash_search(p->subjects, &leaf.subject_id, HASH_ENTER, &found);
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
	if (st->bad)
		return false;

	compmap_hash_or_error(cm_frontier_append(&p->f, hash, check_node, st));
	if (!st->bad)
		check_checkpoints(st, &p->f, p->cps, p->ncp, &p->next_cp);
	return !st->bad;
}

/*
 * Reads the tenant's entries in leaf_index order straight from the primary
 * key index: no SPI, no tuple copies.  The caller has checked that the role
 * may read compmap.evidence and can see the tenant, which is exactly what
 * the table's row-level security policy would allow.
 */
static void
scan_leaves(LeafPass *p)
{
	Oid			nsp = get_namespace_oid("compmap", false);
	Relation	rel = table_open(get_relname_relid("evidence", nsp), AccessShareLock);
	Relation	idx = index_open(get_relname_relid("evidence_pkey", nsp), AccessShareLock);
	ScanKeyData key;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	MemoryContext row_cxt = AllocSetContextCreate(CurrentMemoryContext, "compmap verify row",
												  ALLOCSET_DEFAULT_SIZES);
	Datum		vals[V_LEAF_HASH + 1];
	bool		nulls[V_LEAF_HASH + 1];

	compmap_check_evidence_relation(rel);
	if (pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, "evidence");
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(p->tenant));
	scan = index_beginscan(rel, idx, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	slot = table_slot_create(rel, NULL);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		MemoryContext old = MemoryContextSwitchTo(row_cxt);
		bool		ok;

		CHECK_FOR_INTERRUPTS();
		slot_getallattrs(slot);
		for (int i = 1; i <= V_LEAF_HASH; i++)
		{
			vals[i] = slot->tts_values[i - 1];
			nulls[i] = slot->tts_isnull[i - 1];
		}
		ok = verify_entry(p, vals, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(row_cxt);
		if (!ok)
			break;
	}
	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
	MemoryContextDelete(row_cxt);
}

static void
verify_tenant(VerifyState *st, pg_uuid_t *tenant, int64 *checked)
{
	Datum		arg[1] = {UUIDPGetDatum(tenant)};
	Oid			argtypes[1] = {UUIDOID};
	HASHCTL		ctl;
	LeafPass	pass = {0};
	LeafPass   *p = &pass;

	p->st = st;
	p->tenant = tenant;
	p->cps = load_stored(st, tenant, &p->ncp);
	p->maxremoved = 16;
	p->removed = palloc(sizeof(int64) * p->maxremoved);
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(int64);
	ctl.hcxt = CurrentMemoryContext;
	p->redactions = hash_create("compmap verify redactions", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(pg_uuid_t);
	ctl.entrysize = sizeof(SubjectLink);
	ctl.hcxt = CurrentMemoryContext;
	p->subjects = hash_create("compmap verify subjects", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	cm_frontier_init(&p->f);
	check_checkpoints(st, &p->f, p->cps, p->ncp, &p->next_cp);

	if (!st->bad)
		scan_leaves(p);
	*checked = (int64) p->f.size;
	if (st->bad)
		return;

	/* Removed payloads without the redaction event compmap.redact() logs. */
	for (int i = 0; i < p->nremoved; i++)
		if (hash_search(p->redactions, &p->removed[i], HASH_FIND, NULL) == NULL)
		{
			fail(st, p->removed[i], "entry %ld: payload was removed without a redaction event",
				 (long) p->removed[i]);
			return;
		}

	/*
	 * Stored nodes the leaves do not account for: the one covering the
	 * earliest entries, the largest of those.
	 */
	{
		int64		first = -1;
		StoredNode *firstn = NULL;

		for (int64 i = 0; i < st->nodes.n; i++)
		{
			StoredNode *n = &st->nodes.nodes[i];
			int64		start;

			if (n->seen)
				continue;
			if (n->key.level < 0 || n->key.level > 62 || n->key.index < 0 ||
				n->key.index > (PG_INT64_MAX >> n->key.level))
				start = PG_INT64_MAX;
			else
				start = n->key.index << n->key.level;
			if (first < 0 || start < first || (start == first && n->key.level > firstn->key.level))
			{
				first = start;
				firstn = n;
			}
		}
		if (firstn)
		{
			fail(st, first, "stored tree node (level %ld, index %ld) is not backed by the log's entries",
				 (long) firstn->key.level, (long) firstn->key.index);
			return;
		}
	}

	if (p->next_cp < p->ncp)
	{
		fail(st, (int64) p->f.size, "the log has %ld entries but signed checkpoint %ld covers %ld: entries were removed",
			 (long) p->f.size, (long) p->cps[p->next_cp].number, (long) p->cps[p->next_cp].size);
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
		if (SPI_processed == 0 && p->f.size > 0)
			fail(st, 0, "the evidence head is missing");
		else if (size < (int64) p->f.size)
			fail(st, size, "the head says the log has %ld entries, but it has %ld: the head was rewound",
				 (long) size, (long) p->f.size);
		else if (size > (int64) p->f.size)
			fail(st, (int64) p->f.size, "the head says the log has %ld entries, but only %ld remain: entries were removed at the tail",
				 (long) size, (long) p->f.size);
		else if (fb != NULL)
		{
			uint8	   *expect = palloc(cm_frontier_bytes(p->f.size) + 1);

			cm_frontier_serialize(&p->f, expect);
			if (VARSIZE_ANY_EXHDR(fb) != cm_frontier_bytes(p->f.size) ||
				memcmp(VARDATA_ANY(fb), expect, cm_frontier_bytes(p->f.size)) != 0)
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

	/* the rows and the head they produced, this transaction's included */
	compmap_evidence_read_begin();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	compmap_require_tenant(tenant);
	verify_tenant(&st, tenant, &checked);
	if (st.bad)
		reason = MemoryContextStrdup(oldcxt, st.reason);
	SPI_finish();
	compmap_evidence_read_end();
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
