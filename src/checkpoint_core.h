/*-------------------------------------------------------------------------
 *
 * checkpoint_core.h
 *	  Parsing of signed checkpoint notes (docs/evidence-format.md, section
 *	  4), free of PostgreSQL dependencies so that the fuzzing harness in
 *	  test/fuzz builds it unchanged.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_CHECKPOINT_CORE_H
#define COMPMAP_CHECKPOINT_CORE_H

#include <stdbool.h>
#include <stdint.h>

#define CM_UUID_LEN 16

typedef struct CmCheckpointNote
{
	const char *body;			/* points into the note */
	int			body_len;		/* including the final newline */
	uint8_t		tenant[CM_UUID_LEN];
	int64_t		size;
	uint8_t		root[32];
	int64_t		time_us;		/* since the Unix epoch */
	bool		has_prev;
	uint8_t		prev[32];
	const char *sigs;			/* the signature lines, after the blank line */
	int			sigs_len;
} CmCheckpointNote;

/* Returns NULL when the note is well formed, else the reason it is not. */
extern const char *cm_checkpoint_parse(const char *note, int len, CmCheckpointNote *cp);

/*
 * Decodes canonical base64 (RFC 4648 alphabet, padded, no white space,
 * zero unused bits) of exactly outlen bytes; false otherwise.
 */
extern bool cm_b64_decode_exact(const char *s, int len, uint8_t *out, int outlen);

#endif							/* COMPMAP_CHECKPOINT_CORE_H */
