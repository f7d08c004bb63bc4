/*-------------------------------------------------------------------------
 *
 * evidence_tree.c
 *	  Tree roots, inclusion proofs and consistency proofs over the stored
 *	  evidence log, and the pure proof checkers.
 *
 * A complete subtree hash comes from compmap.evidence_node for levels of
 * COMPMAP_NODE_MIN_LEVEL and up, and is recomputed from at most
 * 2^COMPMAP_NODE_MIN_LEVEL leaf hashes below that, so a proof costs
 * O(log n) index lookups.  Lookups are memoised per call.
 *
 * Reads run as the calling role: row-level security limits them to the
 * tenants the caller may see.  Each function reads between
 * compmap_evidence_read_begin() and _end(), so it sees one state of the
 * log that includes this transaction's own appends.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"

#include "compmap.h"

typedef struct NodeKey
{
	int64		level;
	int64		index;
} NodeKey;

typedef struct NodeMemo
{
	NodeKey		key;
	uint8		hash[CM_HASH_LEN];
} NodeMemo;

typedef struct TreeReader
{
	pg_uuid_t	tenant;
	HTAB	   *memo;
	SPIPlanPtr	node_plan;
	SPIPlanPtr	leaves_plan;
} TreeReader;

static SPIPlanPtr node_plan = NULL;
static SPIPlanPtr leaves_plan = NULL;

static void
reader_init(TreeReader *r, pg_uuid_t *tenant)
{
	HASHCTL		ctl;
	Oid			node_args[3] = {UUIDOID, INT2OID, INT8OID};
	Oid			leaf_args[3] = {UUIDOID, INT8OID, INT8OID};

	memcpy(&r->tenant, tenant, sizeof(pg_uuid_t));
	ctl.keysize = sizeof(NodeKey);
	ctl.entrysize = sizeof(NodeMemo);
	ctl.hcxt = CurrentMemoryContext;
	r->memo = hash_create("compmap node memo", 128, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	/* prepared once per backend: a proof is a handful of index lookups */
	if (node_plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(
			"SELECT hash FROM compmap.evidence_node WHERE tenant_id = $1 AND level = $2 AND node_index = $3",
			3, node_args);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		node_plan = p;
	}
	if (leaves_plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(
			"SELECT leaf_hash FROM compmap.evidence WHERE tenant_id = $1 AND leaf_index >= $2 AND leaf_index < $3 "
			"ORDER BY leaf_index",
			3, leaf_args);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		leaves_plan = p;
	}
	r->node_plan = node_plan;
	r->leaves_plan = leaves_plan;
}

static void
tree_corrupt(TreeReader *r, const char *what, int level, uint64 index)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("evidence tree of tenant %s is incomplete: %s at level %d, index " UINT64_FORMAT,
					DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&r->tenant))),
					what, level, index),
			 errhint("Run compmap.verify() to locate the damage.")));
}

/* MTH of leaf hashes held in memory (n is a power of two). */
static void
hash_leaves(const uint8 *leaves, uint64 n, uint8 *out)
{
	if (n == 1)
	{
		memcpy(out, leaves, CM_HASH_LEN);
		return;
	}
	{
		uint8		l[CM_HASH_LEN],
					rr[CM_HASH_LEN];

		hash_leaves(leaves, n / 2, l);
		hash_leaves(leaves + (n / 2) * CM_HASH_LEN, n / 2, rr);
		compmap_hash_or_error(cm_node_hash(l, rr, out));
	}
}

static bool
reader_fetch(void *arg, int level, uint64_t index, uint8_t *out)
{
	TreeReader *r = arg;
	NodeKey		key = {level, (int64) index};
	bool		found;
	NodeMemo   *m = hash_search(r->memo, &key, HASH_ENTER, &found);
	Datum		args[3];
	bool		isnull;
	int			ret;

	if (found)
	{
		memcpy(out, m->hash, CM_HASH_LEN);
		return true;
	}
	args[0] = UUIDPGetDatum(&r->tenant);
	if (level >= COMPMAP_NODE_MIN_LEVEL)
	{
		bytea	   *h;

		args[1] = Int16GetDatum(level);
		args[2] = Int64GetDatum((int64) index);
		ret = SPI_execute_plan(r->node_plan, args, NULL, true, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "reading evidence nodes failed: %s", SPI_result_code_string(ret));
		if (SPI_processed != 1)
			tree_corrupt(r, "stored node missing", level, index);
		h = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (isnull || VARSIZE_ANY_EXHDR(h) != CM_HASH_LEN)
			tree_corrupt(r, "stored node malformed", level, index);
		memcpy(m->hash, VARDATA_ANY(h), CM_HASH_LEN);
	}
	else
	{
		uint64		n = (uint64) 1 << level;
		uint8		leaves[CM_HASH_LEN << COMPMAP_NODE_MIN_LEVEL];

		args[1] = Int64GetDatum((int64) (index << level));
		args[2] = Int64GetDatum((int64) ((index + 1) << level));
		ret = SPI_execute_plan(r->leaves_plan, args, NULL, true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "reading evidence leaves failed: %s", SPI_result_code_string(ret));
		if (SPI_processed != n)
			tree_corrupt(r, "leaves missing", level, index);
		for (uint64 i = 0; i < n; i++)
		{
			bytea	   *h = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));

			if (isnull || VARSIZE_ANY_EXHDR(h) != CM_HASH_LEN)
				tree_corrupt(r, "leaf hash malformed", 0, (index << level) + i);
			memcpy(leaves + i * CM_HASH_LEN, VARDATA_ANY(h), CM_HASH_LEN);
		}
		hash_leaves(leaves, n, m->hash);
	}
	memcpy(out, m->hash, CM_HASH_LEN);
	return true;
}

/* The log's size as stored (after flushing this transaction's appends). */
static uint64
stored_size(pg_uuid_t *tenant)
{
	Datum		arg[1] = {UUIDPGetDatum(tenant)};
	Oid			argtypes[1] = {UUIDOID};
	bool		isnull;
	int			ret;

	ret = SPI_execute_with_args("SELECT size FROM compmap.evidence_head WHERE tenant_id = $1",
								1, argtypes, arg, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading the evidence head failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		return 0;
	return (uint64) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

static void
check_size(uint64 size, uint64 have, const char *what)
{
	if (size > have)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s " UINT64_FORMAT " exceeds the evidence log's size " UINT64_FORMAT, what, size, have)));
}

static int64
arg_size(FunctionCallInfo fcinfo, int argno, const char *what)
{
	int64		v = PG_GETARG_INT64(argno);

	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", what)));
	return v;
}

uint64
compmap_tree_size(pg_uuid_t *tenant)
{
	uint64		size;

	compmap_evidence_read_begin();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	compmap_require_tenant(tenant);
	size = stored_size(tenant);
	SPI_finish();
	compmap_evidence_read_end();
	return size;
}

/* Root of the first `size` leaves; caller is not connected to SPI. */
bool
compmap_tree_root_at(pg_uuid_t *tenant, uint64 size, uint8 *out)
{
	TreeReader	r;
	MemoryContext oldcxt = CurrentMemoryContext;

	compmap_evidence_read_begin();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	check_size(size, stored_size(tenant), "tree size");
	if (size == 0)
		compmap_hash_or_error(cm_sha256(NULL, 0, NULL, 0, NULL, 0, out));
	else
	{
		reader_init(&r, tenant);
		cm_range_hash(0, size, reader_fetch, &r, out);
	}
	SPI_finish();
	compmap_evidence_read_end();
	MemoryContextSwitchTo(oldcxt);
	return true;
}

static ArrayType *
hashes_to_array(cm_hash *hashes, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		elems[i] = PointerGetDatum(compmap_hash_to_bytea(hashes[i]));
	return construct_array(elems, n, BYTEAOID, -1, false, TYPALIGN_INT);
}

static int
array_to_hashes(ArrayType *arr, cm_hash *out, const char *what)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, BYTEAOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n > CM_MAX_PROOF)
		return -1;
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what)));
		if (VARSIZE_ANY_EXHDR(DatumGetByteaPP(elems[i])) != CM_HASH_LEN)
			return -1;
		memcpy(out[i], VARDATA_ANY(DatumGetByteaPP(elems[i])), CM_HASH_LEN);
	}
	return n;
}

PG_FUNCTION_INFO_V1(compmap_tree_size_sql);
/* compmap.tree_size(tenant uuid) returns bigint */
Datum
compmap_tree_size_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) compmap_tree_size(PG_GETARG_UUID_P(0)));
}

PG_FUNCTION_INFO_V1(compmap_tree_root);
/* compmap.tree_root(tenant uuid, tree_size bigint DEFAULT NULL) returns bytea */
Datum
compmap_tree_root(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *tenant = PG_GETARG_UUID_P(0);
	uint64		size;
	uint8		root[CM_HASH_LEN];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	size = PG_ARGISNULL(1) ? compmap_tree_size(tenant) : (uint64) arg_size(fcinfo, 1, "tree size");
	compmap_tree_root_at(tenant, size, root);
	PG_RETURN_BYTEA_P(compmap_hash_to_bytea(root));
}

PG_FUNCTION_INFO_V1(compmap_inclusion_proof);
/* compmap.inclusion_proof(tenant uuid, leaf_index bigint, tree_size bigint) returns bytea[] */
Datum
compmap_inclusion_proof(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *tenant = PG_GETARG_UUID_P(0);
	int64		index = arg_size(fcinfo, 1, "leaf index");
	int64		size = arg_size(fcinfo, 2, "tree size");
	cm_hash		proof[CM_MAX_PROOF];
	int			len;
	TreeReader	r;
	ArrayType  *result;
	MemoryContext oldcxt = CurrentMemoryContext;

	if (index >= size)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("leaf index " INT64_FORMAT " is not below tree size " INT64_FORMAT, index, size)));
	compmap_evidence_read_begin();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	check_size(size, stored_size(tenant), "tree size");
	reader_init(&r, tenant);
	cm_inclusion_proof(index, size, reader_fetch, &r, proof, &len);
	SPI_finish();
	compmap_evidence_read_end();
	MemoryContextSwitchTo(oldcxt);
	result = hashes_to_array(proof, len);
	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(compmap_consistency_proof);
/* compmap.consistency_proof(tenant uuid, old_size bigint, new_size bigint) returns bytea[] */
Datum
compmap_consistency_proof(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *tenant = PG_GETARG_UUID_P(0);
	int64		size1 = arg_size(fcinfo, 1, "old size");
	int64		size2 = arg_size(fcinfo, 2, "new size");
	cm_hash		proof[CM_MAX_PROOF];
	int			len;
	TreeReader	r;
	MemoryContext oldcxt = CurrentMemoryContext;

	if (size1 > size2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("old size " INT64_FORMAT " is larger than new size " INT64_FORMAT, size1, size2)));
	compmap_evidence_read_begin();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	check_size(size2, stored_size(tenant), "new size");
	reader_init(&r, tenant);
	cm_consistency_proof(size1, size2, reader_fetch, &r, proof, &len);
	SPI_finish();
	compmap_evidence_read_end();
	MemoryContextSwitchTo(oldcxt);
	PG_RETURN_ARRAYTYPE_P(hashes_to_array(proof, len));
}

bool
compmap_consistency_check(pg_uuid_t *tenant, uint64 size1, uint64 size2)
{
	cm_hash		proof[CM_MAX_PROOF];
	int			len;
	TreeReader	r;
	uint8		root1[CM_HASH_LEN],
				root2[CM_HASH_LEN];
	MemoryContext oldcxt = CurrentMemoryContext;

	compmap_evidence_read_begin();
	compmap_tree_root_at(tenant, size1, root1);
	compmap_tree_root_at(tenant, size2, root2);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	reader_init(&r, tenant);
	cm_consistency_proof(size1, size2, reader_fetch, &r, proof, &len);
	SPI_finish();
	compmap_evidence_read_end();
	MemoryContextSwitchTo(oldcxt);
	return cm_verify_consistency(size1, size2, root1, root2, proof, len);
}

PG_FUNCTION_INFO_V1(compmap_verify_inclusion);
/*
 * compmap.verify_inclusion(leaf_hash bytea, leaf_index bigint,
 *     tree_size bigint, proof bytea[], root bytea) returns boolean
 */
Datum
compmap_verify_inclusion(PG_FUNCTION_ARGS)
{
	uint8		leaf[CM_HASH_LEN],
				root[CM_HASH_LEN];
	cm_hash		proof[CM_MAX_PROOF];
	int64		index = PG_GETARG_INT64(1);
	int64		size = PG_GETARG_INT64(2);
	int			len;

	compmap_bytea_to_hash(PG_GETARG_BYTEA_PP(0), leaf, "leaf hash");
	compmap_bytea_to_hash(PG_GETARG_BYTEA_PP(4), root, "root");
	len = array_to_hashes(PG_GETARG_ARRAYTYPE_P(3), proof, "proof");
	if (len < 0 || index < 0 || size < 0)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(cm_verify_inclusion((uint64) index, (uint64) size, leaf, proof, len, root));
}

PG_FUNCTION_INFO_V1(compmap_verify_consistency);
/*
 * compmap.verify_consistency(old_size bigint, new_size bigint,
 *     old_root bytea, new_root bytea, proof bytea[]) returns boolean
 */
Datum
compmap_verify_consistency(PG_FUNCTION_ARGS)
{
	int64		size1 = PG_GETARG_INT64(0);
	int64		size2 = PG_GETARG_INT64(1);
	uint8		root1[CM_HASH_LEN],
				root2[CM_HASH_LEN];
	cm_hash		proof[CM_MAX_PROOF];
	int			len;

	compmap_bytea_to_hash(PG_GETARG_BYTEA_PP(2), root1, "old root");
	compmap_bytea_to_hash(PG_GETARG_BYTEA_PP(3), root2, "new root");
	len = array_to_hashes(PG_GETARG_ARRAYTYPE_P(4), proof, "proof");
	if (len < 0 || size1 < 0 || size2 < 0)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(cm_verify_consistency((uint64) size1, (uint64) size2, root1, root2, proof, len));
}
