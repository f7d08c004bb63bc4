/*-------------------------------------------------------------------------
 *
 * compmap.c
 *	  Module entry point of the compmap extension.
 *
 * Registers the transaction callbacks the evidence log needs
 * (evidence.c).  Every other capability lives in its own file.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "compmap.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	compmap_evidence_init();
}
