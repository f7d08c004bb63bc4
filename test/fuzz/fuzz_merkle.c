/*
 * fuzz_merkle.c: libFuzzer target for RFC 9162 proof verification and the
 * frontier decoder in src/merkle.c (with src/sha256.c), on arbitrary proof
 * bytes, sizes and indexes.
 *
 * Input layout: 8 bytes index or old size, 8 bytes size, 1 byte selector,
 * then proof hashes (any length; a trailing partial hash is dropped).
 * Properties: no crash, no out-of-bounds read; a proof that verifies for
 * one root does not verify for a different root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merkle.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t	a,
				b;
	uint8_t		sel;
	int			n;
	cm_hash    *proof;
	uint8_t		leaf[CM_HASH_LEN],
				root[CM_HASH_LEN],
				root2[CM_HASH_LEN],
				other[CM_HASH_LEN];
	CmFrontier	f;

	if (size < 17)
		return 0;
	a = get64(data);
	b = get64(data + 8);
	sel = data[16];
	data += 17;
	size -= 17;
	/* proof lengths beyond CM_MAX_PROOF are passed on as they are */
	n = (int) (size / CM_HASH_LEN);
	proof = malloc((size_t) (n > 0 ? n : 1) * CM_HASH_LEN);
	memcpy(proof, data, (size_t) n * CM_HASH_LEN);
	memset(leaf, sel, sizeof(leaf));
	memset(other, sel ^ 0xff, sizeof(other));
	if (n > 0)
		memcpy(root, proof[n - 1], CM_HASH_LEN);
	else
		memset(root, 0, CM_HASH_LEN);

	switch (sel & 3)
	{
		case 0:
			if (cm_verify_inclusion(a, b, leaf, proof, n, root) &&
				cm_verify_inclusion(a, b, leaf, proof, n, other) && !cm_hash_equal(root, other))
				abort();
			break;
		case 1:
			if (cm_root_from_inclusion(a, b, leaf, proof, n, root2) &&
				!cm_verify_inclusion(a, b, leaf, proof, n, root2))
				abort();
			break;
		case 2:
			/* (from the empty tree every tree is consistent, whatever its root) */
			if (a != 0 && cm_verify_consistency(a, b, leaf, root, proof, n) &&
				cm_verify_consistency(a, b, leaf, other, proof, n) && !cm_hash_equal(root, other))
				abort();
			break;
		case 3:
			if (cm_frontier_deserialize(&f, b, data, size))
			{
				uint8_t    *ser = malloc(cm_frontier_bytes(b) + 1);

				if (cm_frontier_bytes(b) != size)
					abort();
				cm_frontier_serialize(&f, ser);
				if (memcmp(ser, data, size) != 0)
					abort();
				(void) cm_frontier_root(&f, root2);
				if (f.size < (UINT64_MAX >> 1))
					(void) cm_frontier_append(&f, leaf, NULL, NULL);
				free(ser);
			}
			break;
	}
	free(proof);
	return 0;
}
