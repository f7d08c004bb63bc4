/*-------------------------------------------------------------------------
 *
 * merkle.c
 *	  RFC 9162 Merkle tree hashing, compact-range appends, proof generation
 *	  and proof verification.
 *
 * Pure computation on caller-provided memory: no allocation, no globals
 * (SHA-256 state lives in sha256.c), no PostgreSQL headers, so the harnesses
 * in test/unit build it unchanged.  All sizes and indexes are uint64_t.
 * Proof generation recurses at most 64 levels deep.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "merkle.h"

static int
cm_ctz64(uint64_t x)
{
	return __builtin_ctzll(x);
}

/* Largest power of two strictly less than n, for n >= 2. */
static uint64_t
cm_split_point(uint64_t n)
{
	return (uint64_t) 1 << (63 - __builtin_clzll(n - 1));
}

static bool
cm_is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

bool
cm_hash_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t		diff = 0;

	/* constant time, so a proof checker leaks nothing about the root */
	for (int i = 0; i < CM_HASH_LEN; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

void
cm_frontier_init(CmFrontier *f)
{
	memset(f, 0, sizeof(*f));
}

bool
cm_frontier_append(CmFrontier *f, const uint8_t *leaf_hash, cm_node_cb cb, void *arg)
{
	uint64_t	index = f->size;
	cm_hash		h;
	int			level = 0;

	if (f->size == UINT64_MAX >> 1)
		return false;
	memcpy(h, leaf_hash, CM_HASH_LEN);
	while ((f->size >> level) & 1)
	{
		if (!cm_node_hash(f->level[level], h, h))
			return false;
		level++;
		if (cb)
			cb(arg, level, index >> level, h);
	}
	memcpy(f->level[level], h, CM_HASH_LEN);
	f->size++;
	return true;
}

bool
cm_frontier_root(const CmFrontier *f, uint8_t *out)
{
	cm_hash		r;
	bool		have = false;

	if (f->size == 0)
		return cm_sha256(NULL, 0, NULL, 0, NULL, 0, out);
	for (int b = 0; b < CM_MAX_LEVELS; b++)
	{
		if (!((f->size >> b) & 1))
			continue;
		if (!have)
		{
			memcpy(r, f->level[b], CM_HASH_LEN);
			have = true;
		}
		else if (!cm_node_hash(f->level[b], r, r))
			return false;
	}
	memcpy(out, r, CM_HASH_LEN);
	return true;
}

size_t
cm_frontier_bytes(uint64_t size)
{
	return (size_t) __builtin_popcountll(size) * CM_HASH_LEN;
}

void
cm_frontier_serialize(const CmFrontier *f, uint8_t *out)
{
	for (int b = CM_MAX_LEVELS - 1; b >= 0; b--)
	{
		if ((f->size >> b) & 1)
		{
			memcpy(out, f->level[b], CM_HASH_LEN);
			out += CM_HASH_LEN;
		}
	}
}

bool
cm_frontier_deserialize(CmFrontier *f, uint64_t size, const uint8_t *in, size_t len)
{
	cm_frontier_init(f);
	if (len != cm_frontier_bytes(size))
		return false;
	f->size = size;
	for (int b = CM_MAX_LEVELS - 1; b >= 0; b--)
	{
		if ((size >> b) & 1)
		{
			memcpy(f->level[b], in, CM_HASH_LEN);
			in += CM_HASH_LEN;
		}
	}
	return true;
}

bool
cm_range_hash(uint64_t begin, uint64_t end, cm_subtree_fn fetch, void *arg, uint8_t *out)
{
	uint64_t	n = end - begin;
	uint64_t	k;
	cm_hash		left,
				right;

	if (end <= begin)
		return false;
	if (cm_is_pow2(n) && (begin & (n - 1)) == 0)
	{
		int			level = cm_ctz64(n);

		return fetch(arg, level, begin >> level, out);
	}
	k = cm_split_point(n);
	if (!cm_range_hash(begin, begin + k, fetch, arg, left) ||
		!cm_range_hash(begin + k, end, fetch, arg, right))
		return false;
	return cm_node_hash(left, right, out);
}

static bool
cm_path(uint64_t m, uint64_t begin, uint64_t end, cm_subtree_fn fetch, void *arg,
		cm_hash *proof, int *len)
{
	uint64_t	n = end - begin;
	uint64_t	k;

	if (n == 1)
		return true;
	if (*len >= CM_MAX_PROOF)
		return false;
	k = cm_split_point(n);
	if (m < begin + k)
		return cm_path(m, begin, begin + k, fetch, arg, proof, len) &&
			cm_range_hash(begin + k, end, fetch, arg, proof[(*len)++]);
	return cm_path(m, begin + k, end, fetch, arg, proof, len) &&
		cm_range_hash(begin, begin + k, fetch, arg, proof[(*len)++]);
}

bool
cm_inclusion_proof(uint64_t index, uint64_t size, cm_subtree_fn fetch, void *arg,
				   cm_hash *proof, int *len)
{
	*len = 0;
	if (index >= size)
		return false;
	return cm_path(index, 0, size, fetch, arg, proof, len);
}

/* RFC 9162 SUBPROOF(m, D[begin:end], b); m counts leaves from begin. */
static bool
cm_subproof(uint64_t m, uint64_t begin, uint64_t end, bool complete,
			cm_subtree_fn fetch, void *arg, cm_hash *proof, int *len)
{
	uint64_t	n = end - begin;
	uint64_t	k;

	if (*len >= CM_MAX_PROOF)
		return false;
	if (m == n)
	{
		if (complete)
			return true;
		return cm_range_hash(begin, end, fetch, arg, proof[(*len)++]);
	}
	k = cm_split_point(n);
	if (m <= k)
		return cm_subproof(m, begin, begin + k, complete, fetch, arg, proof, len) &&
			cm_range_hash(begin + k, end, fetch, arg, proof[(*len)++]);
	return cm_subproof(m - k, begin + k, end, false, fetch, arg, proof, len) &&
		cm_range_hash(begin, begin + k, fetch, arg, proof[(*len)++]);
}

bool
cm_consistency_proof(uint64_t size1, uint64_t size2, cm_subtree_fn fetch, void *arg,
					 cm_hash *proof, int *len)
{
	*len = 0;
	if (size1 > size2)
		return false;
	if (size1 == size2 || size1 == 0)
		return true;
	return cm_subproof(size1, 0, size2, true, fetch, arg, proof, len);
}

bool
cm_root_from_inclusion(uint64_t index, uint64_t size, const uint8_t *leaf_hash,
					   const cm_hash *proof, int len, uint8_t *root)
{
	uint64_t	fn = index,
				sn = size - 1;
	cm_hash		r;

	if (index >= size || len < 0 || len > CM_MAX_PROOF)
		return false;
	memcpy(r, leaf_hash, CM_HASH_LEN);
	for (int i = 0; i < len; i++)
	{
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn)
		{
			if (!cm_node_hash(proof[i], r, r))
				return false;
			while (!(fn & 1) && fn != 0)
			{
				fn >>= 1;
				sn >>= 1;
			}
		}
		else if (!cm_node_hash(r, proof[i], r))
			return false;
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return false;
	memcpy(root, r, CM_HASH_LEN);
	return true;
}

bool
cm_verify_inclusion(uint64_t index, uint64_t size, const uint8_t *leaf_hash,
					const cm_hash *proof, int len, const uint8_t *root)
{
	cm_hash		r;

	return cm_root_from_inclusion(index, size, leaf_hash, proof, len, r) &&
		cm_hash_equal(r, root);
}

bool
cm_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t *root1,
					  const uint8_t *root2, const cm_hash *proof, int len)
{
	uint64_t	fn,
				sn;
	cm_hash		fr,
				sr;
	int			i = 0;
	bool		prepend;

	if (size1 > size2 || len < 0 || len > CM_MAX_PROOF)
		return false;
	if (size1 == size2)
		return len == 0 && cm_hash_equal(root1, root2);
	if (size1 == 0)
		return len == 0;
	if (len == 0)
		return false;

	/* When size1 is a power of two its root is the implicit first element. */
	prepend = cm_is_pow2(size1);
	if (prepend)
		memcpy(fr, root1, CM_HASH_LEN);
	else
		memcpy(fr, proof[i++], CM_HASH_LEN);
	memcpy(sr, fr, CM_HASH_LEN);

	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1)
	{
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++)
	{
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn)
		{
			if (!cm_node_hash(proof[i], fr, fr) || !cm_node_hash(proof[i], sr, sr))
				return false;
			while (!(fn & 1) && fn != 0)
			{
				fn >>= 1;
				sn >>= 1;
			}
		}
		else if (!cm_node_hash(sr, proof[i], sr))
			return false;
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && cm_hash_equal(fr, root1) && cm_hash_equal(sr, root2);
}
