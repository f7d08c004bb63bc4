/*-------------------------------------------------------------------------
 *
 * sha256.c
 *	  SHA-256 for the evidence log, through OpenSSL's EVP interface.
 *
 * The digest method is fetched once per process and one context is reused:
 * OpenSSL 3's implicit fetch and one-shot calls cost two to three times as
 * much per small input (docs/performance.md).  The state is process-local
 * and never shared, so no locking is needed.  No PostgreSQL headers: this
 * file is also built into the harnesses in test/unit.
 *
 *-------------------------------------------------------------------------
 */
#include <openssl/evp.h>

#include "merkle.h"

static EVP_MD *cm_md = NULL;
static EVP_MD_CTX *cm_ctx = NULL;

bool
cm_sha256(const void *a, size_t alen, const void *b, size_t blen,
		  const void *c, size_t clen, uint8_t *out)
{
	unsigned int outlen = 0;

	if (cm_md == NULL)
	{
		cm_md = EVP_MD_fetch(NULL, "SHA256", NULL);
		if (cm_md == NULL)
			return false;
	}
	if (cm_ctx == NULL)
	{
		cm_ctx = EVP_MD_CTX_new();
		if (cm_ctx == NULL)
			return false;
	}
	if (EVP_DigestInit_ex2(cm_ctx, cm_md, NULL) != 1)
		return false;
	if (alen > 0 && EVP_DigestUpdate(cm_ctx, a, alen) != 1)
		return false;
	if (blen > 0 && EVP_DigestUpdate(cm_ctx, b, blen) != 1)
		return false;
	if (clen > 0 && EVP_DigestUpdate(cm_ctx, c, clen) != 1)
		return false;
	if (EVP_DigestFinal_ex(cm_ctx, out, &outlen) != 1 || outlen != CM_HASH_LEN)
		return false;
	return true;
}

bool
cm_leaf_hash(const uint8_t *data, size_t len, uint8_t *out)
{
	static const uint8_t prefix = 0x00;

	return cm_sha256(&prefix, 1, data, len, NULL, 0, out);
}

bool
cm_node_hash(const uint8_t *left, const uint8_t *right, uint8_t *out)
{
	static const uint8_t prefix = 0x01;

	return cm_sha256(&prefix, 1, left, CM_HASH_LEN, right, CM_HASH_LEN, out);
}
