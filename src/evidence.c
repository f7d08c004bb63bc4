/*-------------------------------------------------------------------------
 *
 * evidence.c
 *	  The append trigger of compmap.evidence: per-tenant serialization,
 *	  gapless leaf indexes, per-subject back-links and leaf hashes, plus
 *	  the append-only guard and redaction.
 *
 * Locking: the first append to a tenant in a transaction locks that
 * tenant's row in compmap.evidence_head (SELECT ... FOR UPDATE) and keeps
 * the lock to the end of the transaction; later appends in the same
 * transaction take no lock.  A head row, not an advisory lock or "the last
 * row", because only the head row keeps the log linear under READ
 * COMMITTED, REPEATABLE READ and SERIALIZABLE alike (REPEATABLE READ and
 * SERIALIZABLE report a concurrent append as SQLSTATE 40001).
 *
 * The head row and the stored Merkle nodes are written once per
 * transaction, at PRE_COMMIT (or PRE_PREPARE), not once per row: updating
 * one row per append makes a large transaction quadratic
 * (docs/performance.md).  Until then the appended leaf hashes wait in
 * memory.  Functions that read the tree flush first.
 *
 * Per row, an append to a tenant whose head this transaction already holds
 * runs no SQL: the subject's chain head comes from this transaction's
 * table, the backend's cache or a direct probe of the evidence_subject_chain
 * index.  That is why the trigger function carries no SET search_path (a
 * GUC save and restore per row cost a tenth of an appended row): the SQL it runs
 * to lock, reload and flush the head pins search_path itself (pin_search_path).
 *
 * Memory: per-transaction state lives in TopTransactionContext and is
 * forgotten at transaction end.  A subtransaction abort (ROLLBACK TO
 * SAVEPOINT, a PL/pgSQL exception block) marks every tenant's state for
 * reload from the table, because the rows and possibly the head lock it
 * described are gone; reload reads the head and this transaction's own
 * rows beyond it.
 *
 * Privileges: head and node rows are written as the owner of the log (the
 * extension's owner), so callers need only INSERT on compmap.evidence.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "compmap.h"

/* Column numbers of compmap.evidence, checked against the catalog. */
enum
{
	EV_TENANT_ID = 1,
	EV_LEAF_INDEX,
	EV_ENC_VERSION,
	EV_SUBJECT_ID,
	EV_SUBJECT_SEQ,
	EV_SUBJECT_PREV,
	EV_EVENT_TYPE,
	EV_ACTOR,
	EV_OCCURRED_AT,
	EV_RECORDED_AT,
	EV_PAYLOAD,
	EV_PAYLOAD_DIGEST,
	EV_LEAF_HASH,
	EV_NATTS = EV_LEAF_HASH
};

static const char *const ev_colnames[EV_NATTS] = {
	"tenant_id", "leaf_index", "enc_version", "subject_id", "subject_seq",
	"subject_prev", "event_type", "actor", "occurred_at", "recorded_at",
	"payload", "payload_digest", "leaf_hash"
};

typedef struct SubjectState
{
	pg_uuid_t	subject;		/* hash key */
	int64		seq;
	uint8		hash[CM_HASH_LEN];
} SubjectState;

/*
 * Subject chain heads kept across transactions, per tenant and backend, so
 * that appending to a subject seen in an earlier transaction needs no index
 * lookup.  An entry describes the log exactly as of (size, frontier digest);
 * it is used only when the head, freshly locked, still matches, which no
 * other transaction can change while the lock is held.  Entries merged at
 * PRE_COMMIT are dropped if the transaction then aborts.
 */
typedef struct SubjectCache
{
	pg_uuid_t	tenant;			/* hash key */
	uint64		size;
	uint8		frontier_digest[CM_HASH_LEN];
	bool		committing;
	MemoryContext cxt;
	HTAB	   *subjects;		/* SubjectState entries */
} SubjectCache;

/* Bound on one tenant's cache; past it the cache is dropped, not grown. */
#define SUBJECT_CACHE_MAX 200000

typedef struct TenantLog
{
	pg_uuid_t	tenant;			/* hash key */
	SubjectCache *cache;		/* validated when the lock was taken, or NULL */
	uint8		head_digest[CM_HASH_LEN];	/* of the frontier when locked */
	bool		locked;
	bool		needs_reload;
	bool		appended;		/* an append to it ever succeeded in this transaction */
	SubTransactionId lock_subid;
	CmFrontier	base;			/* the head as stored on disk */
	uint8	   *pending;		/* leaf hashes appended since, in order */
	int64		npending;
	int64		maxpending;
	HTAB	   *subjects;
} TenantLog;

bool		compmap_redacting = false;

static HTAB *tenant_logs = NULL;
static TenantLog *last_log = NULL;	/* the entry the previous append used */
static HTAB *subject_caches = NULL;
static Oid	checked_relid = InvalidOid;
static Oid	chain_index_for = InvalidOid;	/* evidence relid it belongs to */
static Oid	chain_index = InvalidOid;

static SPIPlanPtr plan_lock = NULL;
static SPIPlanPtr plan_head_create = NULL;
static SPIPlanPtr plan_own_rows = NULL;
static SPIPlanPtr plan_head_update = NULL;
static SPIPlanPtr plan_nodes_insert = NULL;

static const uint8 zero_hash[CM_HASH_LEN] = {0};

static void compmap_evidence_flush_all(void);

/* ---------- transaction state ---------- */

static void
subject_cache_drop(SubjectCache *c)
{
	MemoryContextDelete(c->cxt);
	hash_search(subject_caches, &c->tenant, HASH_REMOVE, NULL);
}

static HTAB *
subject_table_create(MemoryContext cxt, long size)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(pg_uuid_t);
	ctl.entrysize = sizeof(SubjectState);
	ctl.hcxt = cxt;
	return hash_create("compmap subjects", size, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/*
 * Carries a committing transaction's subject heads into the backend cache.
 * Runs at PRE_COMMIT, after the heads were written, where an error still
 * aborts cleanly.
 */
static void
subject_cache_merge(TenantLog *log)
{
	SubjectCache *c;
	bool		found;
	HASH_SEQ_STATUS seq;
	SubjectState *s;
	size_t		fbytes = cm_frontier_bytes(log->base.size);
	uint8	   *fbuf;

	if (subject_caches == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(pg_uuid_t);
		ctl.entrysize = sizeof(SubjectCache);
		ctl.hcxt = TopMemoryContext;
		subject_caches = hash_create("compmap subject caches", 16, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	c = hash_search(subject_caches, &log->tenant, HASH_FIND, NULL);
	if (c != NULL && c != log->cache)
	{
		/* it described a state this transaction did not start from */
		subject_cache_drop(c);
		c = NULL;
	}
	if (c != NULL && hash_get_num_entries(c->subjects) + hash_get_num_entries(log->subjects) > SUBJECT_CACHE_MAX)
	{
		subject_cache_drop(c);
		return;
	}
	if (c == NULL)
	{
		c = hash_search(subject_caches, &log->tenant, HASH_ENTER, &found);
		c->cxt = AllocSetContextCreate(TopMemoryContext, "compmap subject cache", ALLOCSET_DEFAULT_SIZES);
		c->subjects = subject_table_create(c->cxt, 1024);
	}
	c->committing = true;
	hash_seq_init(&seq, log->subjects);
	while ((s = hash_seq_search(&seq)) != NULL)
	{
		SubjectState *t = hash_search(c->subjects, &s->subject, HASH_ENTER, &found);

		t->seq = s->seq;
		memcpy(t->hash, s->hash, CM_HASH_LEN);
	}
	fbuf = palloc(fbytes + 1);
	cm_frontier_serialize(&log->base, fbuf);
	compmap_hash_or_error(cm_sha256(fbuf, fbytes, NULL, 0, NULL, 0, c->frontier_digest));
	c->size = log->base.size;
	pfree(fbuf);
}

/*
 * Pins search_path to pg_catalog, pg_temp for the SQL the log runs itself,
 * as a SET clause on the function would.  Undone by AtEOXact_GUC(true,
 * level), or by the abort of the (sub)transaction if an error comes first.
 */
static int
pin_search_path(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/*
 * Writes every head this transaction appended to, just before it commits
 * or prepares.  Deferred triggers have fired by then, so nothing appends
 * after this; an error here still aborts the transaction.  Returns false
 * when the log no longer exists (DROP EXTENSION after the appends).
 */
static bool
flush_before_commit(void)
{
	Oid			nsp = get_namespace_oid("compmap", true);

	/* the extension was dropped after the appends: nothing left to write */
	if (!OidIsValid(nsp) || !OidIsValid(get_relname_relid("evidence_head", nsp)))
		return false;
	PushActiveSnapshot(GetTransactionSnapshot());
	compmap_evidence_flush_all();
	PopActiveSnapshot();
	return true;
}

static void
compmap_xact_callback(XactEvent event, void *arg)
{
	HASH_SEQ_STATUS seq;
	TenantLog  *log;
	SubjectCache *c;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (tenant_logs == NULL || !flush_before_commit())
				break;

			/*
			 * A prepared transaction may still roll back: leave the cache
			 * alone; the head check at the next lock settles it.
			 */
			if (event != XACT_EVENT_PRE_COMMIT)
				break;
			hash_seq_init(&seq, tenant_logs);
			while ((log = hash_seq_search(&seq)) != NULL)
			{
				if (log->locked && !log->needs_reload)
					subject_cache_merge(log);
			}
			break;
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			/* parallel workers never append */
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (subject_caches != NULL)
			{
				hash_seq_init(&seq, subject_caches);
				while ((c = hash_seq_search(&seq)) != NULL)
				{
					if (c->committing && event == XACT_EVENT_ABORT)
						subject_cache_drop(c);
					else
						c->committing = false;
				}
			}
			/* the transaction's own state goes with TopTransactionContext */
			tenant_logs = NULL;
			last_log = NULL;
			compmap_redacting = false;
			break;
	}
}

static void
compmap_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS seq;
	TenantLog  *log;

	if (event != SUBXACT_EVENT_ABORT_SUB || tenant_logs == NULL)
		return;
	compmap_redacting = false;
	hash_seq_init(&seq, tenant_logs);
	while ((log = hash_seq_search(&seq)) != NULL)
	{
		log->needs_reload = true;
		/* a row lock taken inside the aborted subtransaction is released */
		if (log->locked && log->lock_subid >= mySubid)
			log->locked = false;
	}
}

void
compmap_evidence_init(void)
{
	RegisterXactCallback(compmap_xact_callback, NULL);
	RegisterSubXactCallback(compmap_subxact_callback, NULL);
}

Oid
compmap_log_owner(void)
{
	Oid			nsp = get_namespace_oid("compmap", false);
	Oid			relid = get_relname_relid("evidence", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(relid))
		elog(ERROR, "table compmap.evidence does not exist");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * A statement prepared once per backend.  Generic plans (CURSOR_OPT_GENERIC_PLAN)
 * for key lookups and small writes, which a custom plan would plan again in
 * every transaction; a custom plan (CURSOR_OPT_CUSTOM_PLAN) where only the
 * parameter's value tells the planner to use the index.
 */
static SPIPlanPtr
prepare_kept(const char *sql, int nargs, Oid *argtypes, int cursor_options)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, cursor_options);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

static void
prepare_plans(void)
{
	Oid			uuid_arg[1] = {UUIDOID};
	Oid			create_args[2] = {UUIDOID, BOOLOID};
	Oid			rows_args[2] = {UUIDOID, INT8OID};
	Oid			upd_args[3] = {UUIDOID, INT8OID, BYTEAOID};
	Oid			node_args[4] = {UUIDOID, INT2ARRAYOID, INT8ARRAYOID, BYTEAARRAYOID};

	if (plan_lock != NULL)
		return;
	plan_lock = prepare_kept(
		"SELECT size, frontier FROM compmap.evidence_head WHERE tenant_id = $1 FOR UPDATE",
		1, uuid_arg, CURSOR_OPT_GENERIC_PLAN);
	plan_head_create = prepare_kept(
		"INSERT INTO compmap.evidence_head (tenant_id, size, frontier) "
		"SELECT $1, 0, '\\x'::bytea "
		"WHERE $2 OR EXISTS (SELECT 1 FROM compmap.tenant t WHERE t.tenant_id = $1) "
		"ON CONFLICT (tenant_id) DO NOTHING",
		2, create_args, CURSOR_OPT_GENERIC_PLAN);
	/*
	 * Custom: planned generically, leaf_index >= $2 looks like a third of
	 * the log, and every transaction that appended read the whole table.
	 */
	plan_own_rows = prepare_kept(
		"SELECT leaf_index, leaf_hash, subject_id, subject_seq FROM compmap.evidence "
		"WHERE tenant_id = $1 AND leaf_index >= $2 ORDER BY leaf_index",
		2, rows_args, CURSOR_OPT_CUSTOM_PLAN);
	plan_head_update = prepare_kept(
		"UPDATE compmap.evidence_head SET size = $2, frontier = $3, updated_at = pg_catalog.now() "
		"WHERE tenant_id = $1",
		3, upd_args, CURSOR_OPT_GENERIC_PLAN);
	plan_nodes_insert = prepare_kept(
		"INSERT INTO compmap.evidence_node (tenant_id, level, node_index, hash) "
		"SELECT $1, u.l, u.i, u.h FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4)) AS u(l, i, h)",
		4, node_args, CURSOR_OPT_GENERIC_PLAN);
}

/*
 * Runs the SPI work of the log as the log's owner, so that callers need no
 * privileges on the head and node tables.  Callers are connected to SPI.
 */

void
compmap_owner_begin(OwnerSwitch *sw, Oid owner)
{
	GetUserIdAndSecContext(&sw->save_uid, &sw->save_sec);
	SetUserIdAndSecContext(owner, sw->save_sec | SECURITY_LOCAL_USERID_CHANGE);
}

void
compmap_owner_end(OwnerSwitch *sw)
{
	SetUserIdAndSecContext(sw->save_uid, sw->save_sec);
}

static bytea *
spi_get_bytea(int row, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);

	return *isnull ? NULL : DatumGetByteaPP(d);
}

static TenantLog *
tenant_log_lookup(pg_uuid_t *tenant)
{
	bool		found;
	TenantLog  *log;

	/* dynahash entries never move, and none is removed before the end */
	if (last_log != NULL && memcmp(&last_log->tenant, tenant, sizeof(pg_uuid_t)) == 0)
		return last_log;
	if (tenant_logs == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(pg_uuid_t);
		ctl.entrysize = sizeof(TenantLog);
		ctl.hcxt = TopTransactionContext;
		tenant_logs = hash_create("compmap tenant logs", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	log = hash_search(tenant_logs, tenant, HASH_ENTER, &found);
	if (!found)
	{
		log->cache = NULL;
		log->locked = false;
		log->needs_reload = true;
		log->appended = false;
		log->lock_subid = InvalidSubTransactionId;
		cm_frontier_init(&log->base);
		log->maxpending = 64;
		log->pending = MemoryContextAlloc(TopTransactionContext, log->maxpending * CM_HASH_LEN);
		log->npending = 0;
		log->subjects = subject_table_create(TopTransactionContext, 64);
	}
	last_log = log;
	return log;
}

static void
pending_push(TenantLog *log, const uint8 *hash)
{
	if (log->npending == log->maxpending)
	{
		log->maxpending *= 2;
		log->pending = repalloc_huge(log->pending, log->maxpending * CM_HASH_LEN);
	}
	memcpy(log->pending + log->npending * CM_HASH_LEN, hash, CM_HASH_LEN);
	log->npending++;
	log->appended = true;
}

/*
 * Makes the tenant's state current: takes the head lock when this
 * transaction does not hold it, and (re)reads the head and this
 * transaction's unflushed rows.  Connected to SPI, running as the owner.
 */
static void
tenant_log_load(TenantLog *log, bool allow_create_without_tenant)
{
	Datum		arg[2];
	int			ret;
	bool		isnull;
	int64		size;
	bytea	   *frontier;

	if (!log->needs_reload && log->locked)
		return;

	prepare_plans();
	arg[0] = UUIDPGetDatum(&log->tenant);
	ret = SPI_execute_plan(plan_lock, arg, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "locking the evidence head failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		arg[1] = BoolGetDatum(allow_create_without_tenant);
		ret = SPI_execute_plan(plan_head_create, arg, NULL, false, 0);
		if (ret != SPI_OK_INSERT)
			elog(ERROR, "creating the evidence head failed: %s", SPI_result_code_string(ret));
		ret = SPI_execute_plan(plan_lock, arg, NULL, false, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "locking the evidence head failed: %s", SPI_result_code_string(ret));
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("tenant %s does not exist",
							DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&log->tenant)))),
					 errhint("Create tenants with compmap.create_tenant().")));
	}
	size = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	frontier = spi_get_bytea(0, 2, &isnull);
	if (isnull || size < 0 ||
		!cm_frontier_deserialize(&log->base, (uint64) size,
								 (const uint8 *) VARDATA_ANY(frontier), VARSIZE_ANY_EXHDR(frontier)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("evidence head of tenant %s is corrupt",
						DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&log->tenant)))),
				 errhint("Run compmap.verify() to locate the damage.")));
	if (!log->locked)
	{
		SubjectCache *c = NULL;

		log->locked = true;
		log->lock_subid = GetCurrentSubTransactionId();
		compmap_hash_or_error(cm_sha256(VARDATA_ANY(frontier), VARSIZE_ANY_EXHDR(frontier),
										NULL, 0, NULL, 0, log->head_digest));
		if (subject_caches != NULL)
			c = hash_search(subject_caches, &log->tenant, HASH_FIND, NULL);
		if (c != NULL && (c->size != (uint64) size || !cm_hash_equal(c->frontier_digest, log->head_digest)))
		{
			subject_cache_drop(c);
			c = NULL;
		}
		log->cache = c;
	}

	/* Rows this transaction appended but has not flushed yet. */
	log->npending = 0;
	{
		HASH_SEQ_STATUS seq;
		SubjectState *s;

		/* removing the entry just returned is allowed during a scan */
		hash_seq_init(&seq, log->subjects);
		while ((s = hash_seq_search(&seq)) != NULL)
			hash_search(log->subjects, &s->subject, HASH_REMOVE, NULL);
	}
	arg[1] = Int64GetDatum(size);
	ret = SPI_execute_plan(plan_own_rows, arg, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading unflushed evidence failed: %s", SPI_result_code_string(ret));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int64		idx = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		bytea	   *h = spi_get_bytea(i, 2, &isnull);

		if (idx != size + (int64) i || isnull || VARSIZE_ANY_EXHDR(h) != CM_HASH_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("evidence log of tenant %s has an entry beyond its head at index " INT64_FORMAT,
							DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(&log->tenant))), idx),
					 errhint("Run compmap.verify() to locate the damage.")));
		pending_push(log, (const uint8 *) VARDATA_ANY(h));

		/*
		 * The backend cache predates this transaction: subjects this
		 * transaction appended to must come from its own rows.
		 */
		{
			pg_uuid_t  *subject = DatumGetUUIDP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &isnull));
			SubjectState *st = hash_search(log->subjects, subject, HASH_ENTER, NULL);

			st->seq = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4, &isnull));
			memcpy(st->hash, VARDATA_ANY(h), CM_HASH_LEN);
		}
	}
	log->needs_reload = false;
}

/*
 * The newest entry of a subject, read straight from the
 * evidence_subject_chain index (tenant_id, subject_id, subject_seq),
 * newest first: no SQL, so no name is resolved.  Called with the tenant's
 * head locked, so no other transaction can add to the subject meanwhile;
 * the snapshot is the one a new statement would take, as SPI would.  This
 * transaction's own entries are never needed here: they are in its
 * subject table.
 */
static void
subject_probe(Relation rel, pg_uuid_t *tenant, pg_uuid_t *subject, int64 *seq, uint8 *hash)
{
	Relation	idx;
	ScanKeyData keys[2];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	Snapshot	snap;

	/* the index is looked up and its columns checked once per relation */
	if (chain_index_for != RelationGetRelid(rel))
	{
		chain_index = get_relname_relid("evidence_subject_chain", RelationGetNamespace(rel));
		if (!OidIsValid(chain_index))
			elog(ERROR, "index compmap.evidence_subject_chain does not exist");
		idx = index_open(chain_index, AccessShareLock);
		if (idx->rd_index->indrelid != RelationGetRelid(rel) || idx->rd_index->indnkeyatts != 3 ||
			idx->rd_index->indkey.values[0] != EV_TENANT_ID ||
			idx->rd_index->indkey.values[1] != EV_SUBJECT_ID ||
			idx->rd_index->indkey.values[2] != EV_SUBJECT_SEQ)
			elog(ERROR, "index compmap.evidence_subject_chain is not on (tenant_id, subject_id, subject_seq)");
		chain_index_for = RelationGetRelid(rel);
	}
	else
		idx = index_open(chain_index, AccessShareLock);

	snap = RegisterSnapshot(IsolationUsesXactSnapshot() ? GetTransactionSnapshot() : GetLatestSnapshot());
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(tenant));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(subject));
	scan = index_beginscan(rel, idx, snap, 2, 0);
	index_rescan(scan, keys, 2, NULL, 0);
	slot = table_slot_create(rel, NULL);
	if (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool		seq_null,
					hash_null;
		Datum		seq_d = slot_getattr(slot, EV_SUBJECT_SEQ, &seq_null);
		Datum		hash_d = slot_getattr(slot, EV_LEAF_HASH, &hash_null);
		bytea	   *h = hash_null ? NULL : DatumGetByteaPP(hash_d);

		if (seq_null || h == NULL || VARSIZE_ANY_EXHDR(h) != CM_HASH_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("evidence entry of subject has a malformed leaf hash")));
		*seq = DatumGetInt64(seq_d);
		memcpy(hash, VARDATA_ANY(h), CM_HASH_LEN);
	}
	else
	{
		*seq = 0;
		memcpy(hash, zero_hash, CM_HASH_LEN);
	}
	ExecDropSingleTupleTableSlot(slot);
	index_endscan(scan);
	UnregisterSnapshot(snap);
	index_close(idx, AccessShareLock);
}

/*
 * The subject's chain state: from this transaction's table, the backend's
 * cache, or the index.  The head is locked and current.
 */
static SubjectState *
subject_lookup(TenantLog *log, Relation rel, pg_uuid_t *subject)
{
	/* both tables hash the same 16-byte key the same way */
	uint32		hashvalue = get_hash_value(log->subjects, subject);
	bool		found;
	SubjectState *s = hash_search_with_hash_value(log->subjects, subject, hashvalue,
												  HASH_ENTER, &found);
	SubjectState *c = NULL;

	/*
	 * A new entry is filled before anything can fail but the probe; if the
	 * probe fails, the (sub)transaction's abort discards the table.
	 */
	if (found)
		return s;
	if (log->cache != NULL)
		c = hash_search_with_hash_value(log->cache->subjects, subject, hashvalue, HASH_FIND, NULL);
	if (c != NULL)
	{
		s->seq = c->seq;
		memcpy(s->hash, c->hash, CM_HASH_LEN);
	}
	else
		subject_probe(rel, &log->tenant, subject, &s->seq, s->hash);
	return s;
}

/*
 * Takes the tenant's head lock if needed and (re)loads its state, through
 * SPI as the log's owner with search_path pinned.
 */
static void
tenant_log_prepare(TenantLog *log, Oid owner, bool allow_create_without_tenant)
{
	OwnerSwitch sw;
	MemoryContext oldcxt = CurrentMemoryContext;
	int			guc_level;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	guc_level = pin_search_path();
	compmap_owner_begin(&sw, owner);
	PG_TRY();
	{
		prepare_plans();
		tenant_log_load(log, allow_create_without_tenant);
	}
	PG_FINALLY();
	{
		compmap_owner_end(&sw);
	}
	PG_END_TRY();
	AtEOXact_GUC(true, guc_level);
	SPI_finish();
	MemoryContextSwitchTo(oldcxt);
}

void
compmap_check_evidence_relation(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (RelationGetRelid(rel) == checked_relid)
		return;
	if (desc->natts != EV_NATTS)
		elog(ERROR, "compmap.evidence has %d columns, expected %d", desc->natts, EV_NATTS);
	for (int i = 0; i < EV_NATTS; i++)
		if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), ev_colnames[i]) != 0)
			elog(ERROR, "compmap.evidence column %d is \"%s\", expected \"%s\"",
				 i + 1, NameStr(TupleDescAttr(desc, i)->attname), ev_colnames[i]);
	checked_relid = RelationGetRelid(rel);
}

static bool
may_restore(void)
{
	Oid			admin = get_role_oid("compmap_admin", true);

	return superuser() || (OidIsValid(admin) && has_privs_of_role(GetUserId(), admin));
}

static void
validate_event_type(const char *s, int len)
{
	bool		ok = len > 0 && len <= 100;
	bool		seg_start = true;

	for (int i = 0; ok && i < len; i++)
	{
		char		c = s[i];

		if (c == '.')
		{
			ok = !seg_start;
			seg_start = true;
		}
		else if (c >= 'a' && c <= 'z')
			seg_start = false;
		else if ((c >= '0' && c <= '9') || c == '_')
			ok = !seg_start;
		else
			ok = false;
	}
	if (ok && seg_start)
		ok = false;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid evidence event type \"%.*s\"", len, s),
				 errdetail("An event type is 1 to 100 characters of dot-separated lower-case words, such as \"finding.status_changed\"."),
				 errhint("Words start with a letter and contain only a-z, 0-9 and underscores.")));
}

static void
refuse_supplied(const char *column)
{
	ereport(ERROR,
			(errcode(ERRCODE_GENERATED_ALWAYS),
			 errmsg("column \"%s\" of compmap.evidence is assigned by compmap", column),
			 errdetail("Only a restore by a superuser or a member of compmap_admin may supply leaf_index and leaf_hash, and then every assigned column must verify."),
			 errhint("Omit the column, or use compmap.record_event().")));
}

static void
restore_mismatch(const char *what, int64 index)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("restored evidence entry " INT64_FORMAT " does not verify: %s", index, what),
			 errhint("Restore the log in leaf_index order from an unmodified dump; compmap never renumbers restored entries.")));
}

PG_FUNCTION_INFO_V1(compmap_evidence_append);
/*
 * compmap.evidence_append() returns trigger: BEFORE INSERT FOR EACH ROW on
 * compmap.evidence, named zz_evidence_append so that it fires after any
 * other BEFORE trigger could change the row.
 */
Datum
compmap_evidence_append(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tuple;
	Datum		values[EV_NATTS];
	bool		nulls[EV_NATTS];
	CompmapLeaf leaf;
	TenantLog  *log;
	SubjectState *subj = NULL;
	bool		restoring;
	text	   *event_type;
	text	   *actor;
	uint8		leaf_hash[CM_HASH_LEN];

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "compmap_evidence_append: not called by trigger manager");
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		elog(ERROR, "compmap_evidence_append: must be fired BEFORE INSERT FOR EACH ROW");

	rel = trigdata->tg_relation;
	compmap_check_evidence_relation(rel);
	desc = RelationGetDescr(rel);
	tuple = trigdata->tg_trigtuple;
	heap_deform_tuple(tuple, desc, values, nulls);

#define COL(c) ((c) - 1)
	if (nulls[COL(EV_TENANT_ID)])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("evidence entries need a tenant_id")));
	if (nulls[COL(EV_SUBJECT_ID)])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("evidence entries need a subject_id"),
				 errhint("Use the finding, scan or other object the event is about; for tenant-wide events use the tenant id.")));
	if (nulls[COL(EV_EVENT_TYPE)] || nulls[COL(EV_ACTOR)] || nulls[COL(EV_OCCURRED_AT)])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("evidence entries need event_type, actor and occurred_at")));
	if (!nulls[COL(EV_ENC_VERSION)] && DatumGetInt16(values[COL(EV_ENC_VERSION)]) != COMPMAP_ENC_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported evidence encoding version %d", DatumGetInt16(values[COL(EV_ENC_VERSION)])),
				 errdetail("This version of compmap writes encoding version %d.", COMPMAP_ENC_VERSION)));

	restoring = !nulls[COL(EV_LEAF_INDEX)] || !nulls[COL(EV_LEAF_HASH)];
	if (restoring)
	{
		if (!may_restore())
			refuse_supplied(!nulls[COL(EV_LEAF_INDEX)] ? "leaf_index" : "leaf_hash");
		if (nulls[COL(EV_LEAF_INDEX)] || nulls[COL(EV_LEAF_HASH)] || nulls[COL(EV_SUBJECT_SEQ)] ||
			nulls[COL(EV_SUBJECT_PREV)] || nulls[COL(EV_RECORDED_AT)] || nulls[COL(EV_PAYLOAD_DIGEST)])
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("a restored evidence entry must carry every assigned column")));
	}
	else
	{
		if (!nulls[COL(EV_SUBJECT_SEQ)])
			refuse_supplied("subject_seq");
		if (!nulls[COL(EV_SUBJECT_PREV)])
			refuse_supplied("subject_prev");
		if (!nulls[COL(EV_RECORDED_AT)])
			refuse_supplied("recorded_at");
		if (!nulls[COL(EV_PAYLOAD_DIGEST)])
			refuse_supplied("payload_digest");
		if (nulls[COL(EV_PAYLOAD)])
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("evidence entries need a payload"),
					 errhint("Use '{}' for an event without details.")));
	}

	event_type = DatumGetTextPP(values[COL(EV_EVENT_TYPE)]);
	actor = DatumGetTextPP(values[COL(EV_ACTOR)]);
	leaf.event_type = VARDATA_ANY(event_type);
	leaf.event_type_len = VARSIZE_ANY_EXHDR(event_type);
	leaf.actor = VARDATA_ANY(actor);
	leaf.actor_len = VARSIZE_ANY_EXHDR(actor);
	validate_event_type(leaf.event_type, leaf.event_type_len);
	if (leaf.actor_len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("evidence actor must not be empty")));

	memcpy(&leaf.tenant_id, DatumGetUUIDP(values[COL(EV_TENANT_ID)]), UUID_LEN);
	memcpy(&leaf.subject_id, DatumGetUUIDP(values[COL(EV_SUBJECT_ID)]), UUID_LEN);
	leaf.occurred_at = DatumGetTimestampTz(values[COL(EV_OCCURRED_AT)]);
	if (TIMESTAMP_NOT_FINITE(leaf.occurred_at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("evidence occurred_at must be a finite timestamp")));

	/* Payload digest first: it needs no lock. */
	if (!nulls[COL(EV_PAYLOAD)])
		compmap_payload_digest(DatumGetJsonbP(values[COL(EV_PAYLOAD)]), leaf.payload_digest);
	if (restoring)
	{
		uint8		supplied[CM_HASH_LEN];

		compmap_bytea_to_hash(DatumGetByteaPP(values[COL(EV_PAYLOAD_DIGEST)]), supplied, "payload_digest");
		if (!nulls[COL(EV_PAYLOAD)] && !cm_hash_equal(supplied, leaf.payload_digest))
			restore_mismatch("payload_digest differs from the payload", DatumGetInt64(values[COL(EV_LEAF_INDEX)]));
		memcpy(leaf.payload_digest, supplied, CM_HASH_LEN);
	}

	/*
	 * Serialize on the tenant's head, then assign the chain fields.  Only
	 * the transaction's first append to a tenant (or the first after a
	 * rollback to a savepoint) runs SQL.
	 */
	log = tenant_log_lookup(&leaf.tenant_id);
	if (!log->locked || log->needs_reload)
		tenant_log_prepare(log, rel->rd_rel->relowner,
						   restoring && DatumGetInt64(values[COL(EV_LEAF_INDEX)]) == 0);
	subj = subject_lookup(log, rel, &leaf.subject_id);

	leaf.leaf_index = (int64) log->base.size + log->npending;
	leaf.subject_seq = subj->seq + 1;
	memcpy(leaf.subject_prev, subj->hash, CM_HASH_LEN);

	if (restoring)
	{
		uint8		supplied[CM_HASH_LEN];

		if (DatumGetInt64(values[COL(EV_LEAF_INDEX)]) != leaf.leaf_index)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("restored evidence entry " INT64_FORMAT " does not extend the log, whose next index is " INT64_FORMAT,
							DatumGetInt64(values[COL(EV_LEAF_INDEX)]), leaf.leaf_index),
					 errhint("Restore the log in leaf_index order from an unmodified dump; compmap never renumbers restored entries.")));
		if (DatumGetInt64(values[COL(EV_SUBJECT_SEQ)]) != leaf.subject_seq)
			restore_mismatch("subject_seq breaks the subject's chain", leaf.leaf_index);
		compmap_bytea_to_hash(DatumGetByteaPP(values[COL(EV_SUBJECT_PREV)]), supplied, "subject_prev");
		if (!cm_hash_equal(supplied, leaf.subject_prev))
			restore_mismatch("subject_prev is not the subject's previous leaf hash", leaf.leaf_index);
		leaf.recorded_at = DatumGetTimestampTz(values[COL(EV_RECORDED_AT)]);
		compmap_leaf_hash(&leaf, leaf_hash);
		compmap_bytea_to_hash(DatumGetByteaPP(values[COL(EV_LEAF_HASH)]), supplied, "leaf_hash");
		if (!cm_hash_equal(supplied, leaf_hash))
			restore_mismatch("leaf_hash differs from the recomputed leaf", leaf.leaf_index);
	}
	else
	{
		leaf.recorded_at = GetCurrentTimestamp();
		compmap_leaf_hash(&leaf, leaf_hash);
	}

	/* Only now, with nothing left to fail, change the in-memory state. */
	subj->seq = leaf.subject_seq;
	memcpy(subj->hash, leaf_hash, CM_HASH_LEN);
	pending_push(log, leaf_hash);

	/* A fresh tuple from the deformed values: cheaper than heap_modify_tuple. */
	values[COL(EV_LEAF_INDEX)] = Int64GetDatum(leaf.leaf_index);
	values[COL(EV_ENC_VERSION)] = Int16GetDatum(COMPMAP_ENC_VERSION);
	values[COL(EV_SUBJECT_SEQ)] = Int64GetDatum(leaf.subject_seq);
	values[COL(EV_SUBJECT_PREV)] = PointerGetDatum(compmap_hash_to_bytea(leaf.subject_prev));
	values[COL(EV_RECORDED_AT)] = TimestampTzGetDatum(leaf.recorded_at);
	values[COL(EV_PAYLOAD_DIGEST)] = PointerGetDatum(compmap_hash_to_bytea(leaf.payload_digest));
	values[COL(EV_LEAF_HASH)] = PointerGetDatum(compmap_hash_to_bytea(leaf_hash));
	nulls[COL(EV_LEAF_INDEX)] = nulls[COL(EV_ENC_VERSION)] = nulls[COL(EV_SUBJECT_SEQ)] = false;
	nulls[COL(EV_SUBJECT_PREV)] = nulls[COL(EV_RECORDED_AT)] = false;
	nulls[COL(EV_PAYLOAD_DIGEST)] = nulls[COL(EV_LEAF_HASH)] = false;

	return PointerGetDatum(heap_form_tuple(desc, values, nulls));
}

typedef struct NodeBatch
{
	ArrayBuildState *levels;
	ArrayBuildState *indexes;
	ArrayBuildState *hashes;
	int			count;
} NodeBatch;

static void
collect_node(void *arg, int level, uint64_t index, const uint8_t *hash)
{
	NodeBatch  *b = arg;

	if (level < COMPMAP_NODE_MIN_LEVEL)
		return;
	b->levels = accumArrayResult(b->levels, Int16GetDatum(level), false, INT2OID, CurrentMemoryContext);
	b->indexes = accumArrayResult(b->indexes, Int64GetDatum((int64) index), false, INT8OID, CurrentMemoryContext);
	b->hashes = accumArrayResult(b->hashes, PointerGetDatum(compmap_hash_to_bytea(hash)), false, BYTEAOID, CurrentMemoryContext);
	b->count++;
}

/* Writes one tenant's head and completed nodes.  Connected to SPI, as owner. */
static void
tenant_log_flush(TenantLog *log)
{
	CmFrontier	f;
	NodeBatch	batch = {0};
	Datum		arg[4];
	bytea	   *fb;
	int			ret;

	tenant_log_load(log, false);
	if (log->npending == 0)
		return;
	f = log->base;
	for (int64 i = 0; i < log->npending; i++)
		if (!cm_frontier_append(&f, log->pending + i * CM_HASH_LEN, collect_node, &batch))
			compmap_hash_or_error(false);

	arg[0] = UUIDPGetDatum(&log->tenant);
	if (batch.count > 0)
	{
		arg[1] = makeArrayResult(batch.levels, CurrentMemoryContext);
		arg[2] = makeArrayResult(batch.indexes, CurrentMemoryContext);
		arg[3] = makeArrayResult(batch.hashes, CurrentMemoryContext);
		ret = SPI_execute_plan(plan_nodes_insert, arg, NULL, false, 0);
		if (ret != SPI_OK_INSERT)
			elog(ERROR, "writing evidence nodes failed: %s", SPI_result_code_string(ret));
	}
	fb = palloc(VARHDRSZ + cm_frontier_bytes(f.size));
	SET_VARSIZE(fb, VARHDRSZ + cm_frontier_bytes(f.size));
	cm_frontier_serialize(&f, (uint8 *) VARDATA(fb));
	arg[1] = Int64GetDatum((int64) f.size);
	arg[2] = PointerGetDatum(fb);
	ret = SPI_execute_plan(plan_head_update, arg, NULL, false, 0);
	if (ret != SPI_OK_UPDATE || SPI_processed != 1)
		elog(ERROR, "writing the evidence head failed: %s", SPI_result_code_string(ret));

	log->base = f;
	log->npending = 0;
}

/*
 * Whether the tenant's head may need writing: it has unflushed appends, or
 * a rollback to a savepoint left unknown which of its appends remain.  A
 * tenant whose every append failed (say, one that does not exist) needs
 * nothing.
 */
static bool
tenant_log_dirty(TenantLog *log)
{
	return log->npending > 0 || (log->needs_reload && log->appended);
}

/* Flushes every tenant this transaction appended to. */
static void
compmap_evidence_flush_all(void)
{
	HASH_SEQ_STATUS seq;
	TenantLog  *log;
	OwnerSwitch sw;
	MemoryContext oldcxt = CurrentMemoryContext;
	bool		any = false;
	int			guc_level;

	if (tenant_logs == NULL)
		return;
	hash_seq_init(&seq, tenant_logs);
	while ((log = hash_seq_search(&seq)) != NULL)
		any |= tenant_log_dirty(log);
	if (!any)
		return;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	guc_level = pin_search_path();
	compmap_owner_begin(&sw, compmap_log_owner());
	PG_TRY();
	{
		prepare_plans();
		hash_seq_init(&seq, tenant_logs);
		while ((log = hash_seq_search(&seq)) != NULL)
		{
			if (tenant_log_dirty(log))
				tenant_log_flush(log);
		}
	}
	PG_FINALLY();
	{
		compmap_owner_end(&sw);
	}
	PG_END_TRY();
	AtEOXact_GUC(true, guc_level);
	SPI_finish();
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Starts a read of the stored tree: writes this transaction's pending heads
 * and nodes, then pushes a snapshot that sees them (the statement's own
 * snapshot predates the write).  Every read up to the matching
 * compmap_evidence_read_end() uses it, so a function sees one state of the
 * log, including the transaction's own appends.  An error pops it with the
 * (sub)transaction.
 */
void
compmap_evidence_read_begin(void)
{
	compmap_evidence_flush_all();
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
}

void
compmap_evidence_read_end(void)
{
	PopActiveSnapshot();
}

PG_FUNCTION_INFO_V1(compmap_evidence_guard);
/*
 * compmap.evidence_guard() returns trigger: refuses UPDATE, DELETE and
 * TRUNCATE of the log.  The only update let through is compmap.redact()'s
 * removal of a payload, which keeps every hashed column.
 */
Datum
compmap_evidence_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "compmap_evidence_guard: not called by trigger manager");

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) && compmap_redacting &&
		TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
		bool		ok = true;

		for (int i = 1; i <= desc->natts && ok; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i - 1);
			bool		n1,
						n2;
			Datum		d1 = heap_getattr(trigdata->tg_trigtuple, i, desc, &n1);
			Datum		d2 = heap_getattr(trigdata->tg_newtuple, i, desc, &n2);

			if (i == EV_PAYLOAD)
				ok = n2;
			else
				ok = (n1 == n2) && (n1 || datumIsEqual(d1, d2, att->attbyval, att->attlen));
		}
		if (ok)
			return PointerGetDatum(trigdata->tg_newtuple);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("compmap.%s is append-only", RelationGetRelationName(trigdata->tg_relation)),
			 errdetail("%s is refused for every role.",
					   TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "UPDATE" :
					   TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ? "DELETE" : "TRUNCATE"),
			 errhint("Remove personal data with compmap.redact(), which keeps the log verifiable.")));
	PG_RETURN_NULL();
}

PG_FUNCTION_INFO_V1(compmap_redact);
/*
 * compmap.redact(tenant uuid, leaf_index bigint, actor text, reason text)
 * returns bigint: removes one entry's payload, keeps its digest (so the log
 * still verifies) and appends an evidence.redacted event to the same
 * subject; returns that event's leaf index.
 */
Datum
compmap_redact(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *tenant;
	int64		index;
	text	   *actor;
	text	   *reason;
	Oid			admin = get_role_oid("compmap_admin", true);
	Datum		arg[5];
	Oid			argtypes[5] = {UUIDOID, INT8OID, TEXTOID, TEXTOID, UUIDOID};
	int			ret;
	bool		isnull;
	Datum		subject;
	volatile int64 result = 0;
	OwnerSwitch sw;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("redact needs a tenant, a leaf index, an actor and a reason")));
	tenant = PG_GETARG_UUID_P(0);
	index = PG_GETARG_INT64(1);
	actor = PG_GETARG_TEXT_PP(2);
	reason = PG_GETARG_TEXT_PP(3);
	if (VARSIZE_ANY_EXHDR(reason) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a redaction needs a reason")));
	if (!superuser() && !(OidIsValid(admin) && has_privs_of_role(GetUserId(), admin)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only members of compmap_admin may redact evidence")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	compmap_require_tenant(tenant);

	arg[0] = UUIDPGetDatum(tenant);
	compmap_owner_begin(&sw, compmap_log_owner());
	PG_TRY();
	{
		arg[1] = Int64GetDatum(index);
		compmap_redacting = true;
		ret = SPI_execute_with_args(
			"UPDATE compmap.evidence SET payload = NULL "
			"WHERE tenant_id = $1 AND leaf_index = $2 AND payload IS NOT NULL "
			"AND event_type <> 'evidence.redacted' "
			"RETURNING subject_id",
			2, argtypes, arg, NULL, false, 0);
		compmap_redacting = false;
		if (ret != SPI_OK_UPDATE_RETURNING)
			elog(ERROR, "redaction failed: %s", SPI_result_code_string(ret));
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("evidence entry " INT64_FORMAT " of tenant %s does not exist, is already redacted or is itself a redaction event",
							index, DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(tenant))))));
		subject = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		arg[2] = PointerGetDatum(actor);
		arg[3] = PointerGetDatum(reason);
		arg[4] = subject;
		ret = SPI_execute_with_args(
			"INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload) "
			"VALUES ($1, $5, 'evidence.redacted', $3, "
			"pg_catalog.jsonb_build_object('redacted_leaf_index', $2, 'reason', $4)) "
			"RETURNING leaf_index",
			5, argtypes, arg, NULL, false, 0);
		if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "recording the redaction failed: %s", SPI_result_code_string(ret));
		result = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	PG_FINALLY();
	{
		compmap_redacting = false;
		compmap_owner_end(&sw);
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_INT64(result);
}

/*
 * Raises an error unless the calling role can see the tenant.  The same
 * message for "does not exist" and "not yours", so nothing leaks across
 * tenants.  Caller is connected to SPI.
 */
void
compmap_require_tenant(pg_uuid_t *tenant)
{
	Datum		arg[1] = {UUIDPGetDatum(tenant)};
	Oid			argtypes[1] = {UUIDOID};
	int			ret;

	ret = SPI_execute_with_args("SELECT 1 FROM compmap.tenant WHERE tenant_id = $1",
								1, argtypes, arg, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading tenants failed: %s", SPI_result_code_string(ret));
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("tenant %s does not exist or is not visible to role \"%s\"",
						DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(tenant))),
						GetUserNameFromId(GetUserId(), false))));
}
