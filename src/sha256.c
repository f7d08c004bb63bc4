/*-------------------------------------------------------------------------
 *
 * sha256.c
 *	  SHA-256 for the evidence log, through OpenSSL's direct SHA-256
 *	  functions.
 *
 * Not through EVP: for the small inputs of the log (leaves of about 230
 * bytes, 65-byte nodes) EVP's provider dispatch and context cleansing cost
 * a quarter of each hash (about 70 of 290 ns here); the direct functions
 * use the same compression code, with the CPU's SHA instructions where
 * present.  OpenSSL 3 marks them deprecated, hence
 * OPENSSL_SUPPRESS_DEPRECATED; they are what EVP's own SHA-256 provider
 * calls.  No PostgreSQL headers: this file is also built into the
 * harnesses in test/fuzz.
 *
 *-------------------------------------------------------------------------
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "merkle.h"

bool
cm_sha256(const void *a, size_t alen, const void *b, size_t blen,
		  const void *c, size_t clen, uint8_t *out)
{
	SHA256_CTX	ctx;

	if (SHA256_Init(&ctx) != 1)
		return false;
	if (alen > 0 && SHA256_Update(&ctx, a, alen) != 1)
		return false;
	if (blen > 0 && SHA256_Update(&ctx, b, blen) != 1)
		return false;
	if (clen > 0 && SHA256_Update(&ctx, c, clen) != 1)
		return false;
	return SHA256_Final(out, &ctx) == 1;
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
