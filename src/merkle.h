/*-------------------------------------------------------------------------
 *
 * merkle.h
 *	  RFC 9162 Merkle tree arithmetic and SHA-256, free of PostgreSQL
 *	  dependencies so that the same code is built into the extension and
 *	  into the fuzzing and unit harnesses outside the server.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_MERKLE_H
#define COMPMAP_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_HASH_LEN 32
#define CM_MAX_LEVELS 64
/* The deepest proof for a tree of up to 2^63 leaves has 2 * 63 + 1 hashes. */
#define CM_MAX_PROOF 130

typedef uint8_t cm_hash[CM_HASH_LEN];

/* SHA-256 over up to three concatenated parts; returns false on failure. */
extern bool cm_sha256(const void *a, size_t alen, const void *b, size_t blen,
					  const void *c, size_t clen, uint8_t *out);

extern bool cm_leaf_hash(const uint8_t *data, size_t len, uint8_t *out);
extern bool cm_node_hash(const uint8_t *left, const uint8_t *right, uint8_t *out);

/*
 * The compact range ("frontier") of a tree of `size` leaves: for every set
 * bit b of size, the hash of the complete subtree of 2^b leaves that bit
 * stands for.  Appending a leaf merges equal-sized subtrees, reporting every
 * completed subtree through the callback.
 */
typedef struct CmFrontier
{
	uint64_t	size;
	cm_hash		level[CM_MAX_LEVELS];	/* valid where bit `i` of size is set */
} CmFrontier;

typedef void (*cm_node_cb) (void *arg, int level, uint64_t index, const uint8_t *hash);

extern void cm_frontier_init(CmFrontier *f);
extern bool cm_frontier_append(CmFrontier *f, const uint8_t *leaf_hash,
							   cm_node_cb cb, void *arg);
extern bool cm_frontier_root(const CmFrontier *f, uint8_t *out);

/* Serialized form: the hashes of the set bits, highest level first. */
extern size_t cm_frontier_bytes(uint64_t size);
extern void cm_frontier_serialize(const CmFrontier *f, uint8_t *out);
extern bool cm_frontier_deserialize(CmFrontier *f, uint64_t size,
									const uint8_t *in, size_t len);

/*
 * Proof generation works on any store that can produce the hash of a
 * complete, aligned subtree (level, index); it returns false when the store
 * cannot.
 */
typedef bool (*cm_subtree_fn) (void *arg, int level, uint64_t index, uint8_t *out);

extern bool cm_range_hash(uint64_t begin, uint64_t end, cm_subtree_fn fetch,
						  void *arg, uint8_t *out);
extern bool cm_inclusion_proof(uint64_t index, uint64_t size, cm_subtree_fn fetch,
							   void *arg, cm_hash *proof, int *len);
extern bool cm_consistency_proof(uint64_t size1, uint64_t size2, cm_subtree_fn fetch,
								 void *arg, cm_hash *proof, int *len);

/* RFC 9162 section 2.1.3.2 and 2.1.4.2 verification. */
extern bool cm_verify_inclusion(uint64_t index, uint64_t size, const uint8_t *leaf_hash,
								const cm_hash *proof, int len, const uint8_t *root);
extern bool cm_root_from_inclusion(uint64_t index, uint64_t size, const uint8_t *leaf_hash,
								   const cm_hash *proof, int len, uint8_t *root);
extern bool cm_verify_consistency(uint64_t size1, uint64_t size2,
								  const uint8_t *root1, const uint8_t *root2,
								  const cm_hash *proof, int len);

extern bool cm_hash_equal(const uint8_t *a, const uint8_t *b);

#endif							/* COMPMAP_MERKLE_H */
