/*-------------------------------------------------------------------------
 *
 * checkpoint.h
 *	  Signed checkpoint parsing and verification, shared by checkpoint.c
 *	  and the log verifier.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_CHECKPOINT_H
#define COMPMAP_CHECKPOINT_H

typedef struct CompmapCheckpoint
{
	const char *body;			/* points into the note */
	int			body_len;		/* including the final newline */
	pg_uuid_t	tenant;
	int64		size;
	uint8		root[CM_HASH_LEN];
	int64		time_us;		/* since the Unix epoch */
	bool		has_prev;
	uint8		prev[CM_HASH_LEN];
	const char *sigs;
	int			sigs_len;
} CompmapCheckpoint;

extern const char *compmap_checkpoint_parse(const char *note, int len, CompmapCheckpoint *cp);
extern bool compmap_checkpoint_signed_by(const CompmapCheckpoint *cp, const char *key_name,
										 const uint8 *pubkey);
extern bool compmap_ed25519_verify(const uint8 *pubkey, const uint8 *sig,
								   const char *msg, size_t msglen);
extern void compmap_key_id(const char *name, int namelen, const uint8 *pubkey, uint8 *out);
extern char *compmap_b64(const uint8 *data, int len);

#endif							/* COMPMAP_CHECKPOINT_H */
