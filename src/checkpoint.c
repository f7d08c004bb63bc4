/*-------------------------------------------------------------------------
 *
 * checkpoint.c
 *	  Signed checkpoints of a tenant's evidence log (docs/evidence-format.md,
 *	  section 4): the body to sign, Ed25519 verification of signed notes,
 *	  and recording a checkpoint once it provably extends the previous one.
 *
 * The database never holds a private key: compmap.checkpoint_body() hands
 * out the text, a signer outside (tools/sign-checkpoint.sh) signs it, and
 * compmap.record_checkpoint() checks the signature against the tenant's
 * registered public keys.  Ed25519 comes from OpenSSL's EVP interface.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/evp.h>

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compmap.h"
#include "checkpoint.h"
#include "checkpoint_core.h"

#define EM_DASH "\xE2\x80\x94"

char *
compmap_b64(const uint8 *data, int len)
{
	int			enclen = pg_b64_enc_len(len);
	char	   *out = palloc(enclen + 1);
	int			n = pg_b64_encode((const char *) data, len, out, enclen);

	if (n < 0)
		elog(ERROR, "base64 encoding failed");
	out[n] = '\0';
	return out;
}

bool
compmap_ed25519_verify(const uint8 *pubkey, const uint8 *sig,
					   const char *msg, size_t msglen)
{
	EVP_PKEY   *pkey;
	EVP_MD_CTX *ctx;
	bool		ok = false;

	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pubkey, 32);
	if (pkey == NULL)
		return false;
	ctx = EVP_MD_CTX_new();
	if (ctx != NULL &&
		EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
		EVP_DigestVerify(ctx, sig, 64, (const unsigned char *) msg, msglen) == 1)
		ok = true;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

void
compmap_key_id(const char *name, int namelen, const uint8 *pubkey, uint8 *out)
{
	uint8		h[CM_HASH_LEN];
	uint8		sep[2] = {'\n', 0x01};
	StringInfoData buf;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, name, namelen);
	appendBinaryStringInfo(&buf, (const char *) sep, 2);
	compmap_hash_or_error(cm_sha256(buf.data, buf.len, pubkey, 32, NULL, 0, h));
	memcpy(out, h, 4);
	pfree(buf.data);
}

/*
 * Splits a signed note into body and signatures and parses the body
 * (src/checkpoint_core.c).  Returns NULL when well formed, else a reason.
 */
const char *
compmap_checkpoint_parse(const char *note, int len, CompmapCheckpoint *cp)
{
	CmCheckpointNote n;
	const char *reason = cm_checkpoint_parse(note, len, &n);

	memset(cp, 0, sizeof(*cp));
	if (reason)
		return reason;
	cp->body = n.body;
	cp->body_len = n.body_len;
	StaticAssertStmt(sizeof(cp->tenant.data) == CM_UUID_LEN, "uuid size");
	memcpy(cp->tenant.data, n.tenant, CM_UUID_LEN);
	cp->size = n.size;
	memcpy(cp->root, n.root, CM_HASH_LEN);
	cp->time_us = n.time_us;
	cp->has_prev = n.has_prev;
	memcpy(cp->prev, n.prev, CM_HASH_LEN);
	cp->sigs = n.sigs;
	cp->sigs_len = n.sigs_len;
	return NULL;
}

/*
 * Checks the note's signature lines against one public key.  Returns true
 * when a line for key_name carries a valid signature of the body.
 */
bool
compmap_checkpoint_signed_by(const CompmapCheckpoint *cp, const char *key_name,
							 const uint8 *pubkey)
{
	const char *line = cp->sigs;
	const char *end = cp->sigs + cp->sigs_len;
	int			namelen = strlen(key_name);
	uint8		key_id[4];

	compmap_key_id(key_name, namelen, pubkey, key_id);
	while (line < end)
	{
		const char *nl = memchr(line, '\n', end - line);
		int			llen = (nl ? nl : end) - line;
		int			prefix = 4 + namelen + 1;	/* "— " + name + " " */

		if (llen > prefix && memcmp(line, EM_DASH " ", 4) == 0 &&
			memcmp(line + 4, key_name, namelen) == 0 && line[4 + namelen] == ' ')
		{
			uint8		blob[68];

			if (cm_b64_decode_exact(line + prefix, llen - prefix, blob, 68) &&
				memcmp(blob, key_id, 4) == 0 &&
				compmap_ed25519_verify(pubkey, blob + 4, cp->body, cp->body_len))
				return true;
		}
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	return false;
}

static void
checkpoint_refused(const char *reason, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("checkpoint refused: %s", reason),
			 detail ? errdetail("%s", detail) : 0));
}

PG_FUNCTION_INFO_V1(compmap_checkpoint_body);
/* compmap.checkpoint_body(tenant uuid) returns text */
Datum
compmap_checkpoint_body(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *tenant = PG_GETARG_UUID_P(0);
	uint64		size = compmap_tree_size(tenant);
	uint8		root[CM_HASH_LEN];
	StringInfoData buf;
	Datum		arg[1] = {UUIDPGetDatum(tenant)};
	Oid			argtypes[1] = {UUIDOID};
	int64		now_us = GetCurrentTimestamp() + COMPMAP_UNIX_EPOCH_OFFSET_US;
	char	   *prev = "-";
	int			ret;

	compmap_tree_root_at(tenant, size, root);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(
		"SELECT pg_catalog.sha256(pg_catalog.convert_to(body, 'UTF8')), time_us "
		"FROM compmap.checkpoint WHERE tenant_id = $1 ORDER BY checkpoint_no DESC LIMIT 1",
		1, argtypes, arg, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading checkpoints failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		bool		isnull;
		bytea	   *h = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		int64		prev_us = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		MemoryContext spicxt = MemoryContextSwitchTo(CurTransactionContext);

		prev = compmap_b64((const uint8 *) VARDATA_ANY(h), CM_HASH_LEN);
		MemoryContextSwitchTo(spicxt);
		if (now_us <= prev_us)
			now_us = prev_us + 1;
	}
	SPI_finish();

	initStringInfo(&buf);
	appendStringInfo(&buf, "compmap.evidence/%s\n" UINT64_FORMAT "\n%s\ntime " INT64_FORMAT "\nprev %s\n",
					 DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(tenant))),
					 size, compmap_b64(root, CM_HASH_LEN), now_us, prev);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

PG_FUNCTION_INFO_V1(compmap_record_checkpoint);
/*
 * compmap.record_checkpoint(tenant uuid, signed text) returns bigint:
 * verifies and stores a signed checkpoint, returns its number.
 */
Datum
compmap_record_checkpoint(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *tenant = PG_GETARG_UUID_P(0);
	text	   *signed_text = PG_GETARG_TEXT_PP(1);
	char	   *note = VARDATA_ANY(signed_text);
	int			len = VARSIZE_ANY_EXHDR(signed_text);
	CompmapCheckpoint cp;
	const char *reason;
	uint8		root[CM_HASH_LEN];
	uint64		size;
	char	   *signer = NULL;
	Datum		arg[8];
	Oid			argtypes[8] = {UUIDOID, INT8OID, BYTEAOID, INT8OID, TEXTOID, TEXTOID, TEXTOID, BYTEAOID};
	int			ret;
	bool		isnull;
	int64		number = 1;
	int64		prev_size = 0;
	OwnerSwitch sw;
	MemoryContext oldcxt = CurrentMemoryContext;

	reason = compmap_checkpoint_parse(note, len, &cp);
	if (reason)
		checkpoint_refused("malformed signed note", reason);
	if (memcmp(&cp.tenant, tenant, UUID_LEN) != 0)
		checkpoint_refused("the origin names another tenant", NULL);

	size = compmap_tree_size(tenant);
	if ((uint64) cp.size > size)
		checkpoint_refused("the checkpoint is larger than the log", NULL);
	compmap_tree_root_at(tenant, cp.size, root);
	if (!cm_hash_equal(root, cp.root))
		checkpoint_refused("the root does not match the log at that size",
						   "The log's entries before the checkpoint size hash to a different root.");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* A signature by a registered, unrevoked key of this tenant. */
	arg[0] = UUIDPGetDatum(tenant);
	ret = SPI_execute_with_args(
		"SELECT key_name, public_key FROM compmap.signing_key "
		"WHERE tenant_id = $1 AND revoked_at IS NULL ORDER BY key_name",
		1, argtypes, arg, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading signing keys failed: %s", SPI_result_code_string(ret));
	for (uint64 i = 0; i < SPI_processed && signer == NULL; i++)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		bytea	   *pk = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));

		if (VARSIZE_ANY_EXHDR(pk) == 32 &&
			compmap_checkpoint_signed_by(&cp, name, (const uint8 *) VARDATA_ANY(pk)))
			signer = MemoryContextStrdup(oldcxt, name);
	}
	if (signer == NULL)
		checkpoint_refused("no valid signature by a registered key of the tenant",
						   "Register the signer's public key with compmap.register_signing_key().");

	/* It must extend the previous checkpoint. */
	ret = SPI_execute_with_args(
		"SELECT checkpoint_no, tree_size, root, time_us, "
		"pg_catalog.sha256(pg_catalog.convert_to(body, 'UTF8')) "
		"FROM compmap.checkpoint WHERE tenant_id = $1 ORDER BY checkpoint_no DESC LIMIT 1 FOR UPDATE",
		1, argtypes, arg, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading checkpoints failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		int64		prev_time = DatumGetInt64(SPI_getbinval(t, d, 4, &isnull));
		bytea	   *prev_hash = DatumGetByteaPP(SPI_getbinval(t, d, 5, &isnull));

		number = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull)) + 1;
		prev_size = DatumGetInt64(SPI_getbinval(t, d, 2, &isnull));
		if (cp.size < prev_size)
			checkpoint_refused("the checkpoint is smaller than the previous one", NULL);
		if (cp.time_us <= prev_time)
			checkpoint_refused("the checkpoint time is not later than the previous one", NULL);
		if (!cp.has_prev || memcmp(cp.prev, VARDATA_ANY(prev_hash), CM_HASH_LEN) != 0)
			checkpoint_refused("prev is not the hash of the previous checkpoint", NULL);
	}
	else if (cp.has_prev)
		checkpoint_refused("prev names a checkpoint, but the tenant has none", NULL);
	SPI_finish();
	MemoryContextSwitchTo(oldcxt);

	if (prev_size > 0 && !compmap_consistency_check(tenant, prev_size, cp.size))
		checkpoint_refused("the log is not consistent with the previous checkpoint", NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	arg[1] = Int64GetDatum(number);
	arg[2] = PointerGetDatum(compmap_hash_to_bytea(cp.root));
	arg[3] = Int64GetDatum(cp.size);
	arg[4] = PointerGetDatum(cstring_to_text_with_len(cp.body, cp.body_len));
	arg[5] = PointerGetDatum(signed_text);
	arg[6] = PointerGetDatum(cstring_to_text(signer));
	arg[7] = Int64GetDatum(cp.time_us);
	argtypes[7] = INT8OID;
	/*
	 * Stored as the log's owner: no role may insert checkpoint rows itself,
	 * so every stored checkpoint went through the checks above.
	 */
	compmap_owner_begin(&sw, compmap_log_owner());
	PG_TRY();
	{
		ret = SPI_execute_with_args(
			"INSERT INTO compmap.checkpoint (tenant_id, checkpoint_no, tree_size, root, time_us, "
			"body, signed_note, key_name) "
			"VALUES ($1, $2, $4, $3, $8, $5, $6, $7)",
			8, argtypes, arg, NULL, false, 0);
	}
	PG_FINALLY();
	{
		compmap_owner_end(&sw);
	}
	PG_END_TRY();
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "storing the checkpoint failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute_with_args(
		"INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload) "
		"VALUES ($1, $1, 'checkpoint.recorded', $7, pg_catalog.jsonb_build_object("
		"'checkpoint_no', $2, 'tree_size', $4, 'root', pg_catalog.encode($3, 'base64')))",
		8, argtypes, arg, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "logging the checkpoint failed: %s", SPI_result_code_string(ret));
	SPI_finish();
	PG_RETURN_INT64(number);
}

PG_FUNCTION_INFO_V1(compmap_verify_checkpoint);
/*
 * compmap.verify_checkpoint(signed text, key_name text, public_key bytea)
 * returns boolean: whether the note is well formed and signed by that key.
 */
Datum
compmap_verify_checkpoint(PG_FUNCTION_ARGS)
{
	text	   *signed_text = PG_GETARG_TEXT_PP(0);
	char	   *key_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bytea	   *pk = PG_GETARG_BYTEA_PP(2);
	CompmapCheckpoint cp;

	if (VARSIZE_ANY_EXHDR(pk) != 32)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an Ed25519 public key is 32 bytes, not %d", (int) VARSIZE_ANY_EXHDR(pk))));
	if (compmap_checkpoint_parse(VARDATA_ANY(signed_text), VARSIZE_ANY_EXHDR(signed_text), &cp) != NULL)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(compmap_checkpoint_signed_by(&cp, key_name, (const uint8 *) VARDATA_ANY(pk)));
}
