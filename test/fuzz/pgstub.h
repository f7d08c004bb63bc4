/*-------------------------------------------------------------------------
 *
 * pgstub.h
 *	  A minimal stand-in for the server runtime, so that compmap's C parsers
 *	  (src/cvss.c, src/finding_status.c, src/jcs.c) build and run inside a
 *	  libFuzzer harness outside PostgreSQL.
 *
 * ereport(ERROR) jumps back to the harness through pgstub_catch.  palloc,
 * repalloc and pfree are pgstub.c's own, which track every chunk so that a
 * harness frees what an error jump abandoned with pgstub_reset() after each
 * input; StringInfo comes from the frontend libpgcommon on top of them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_PGSTUB_H
#define COMPMAP_PGSTUB_H

#include <setjmp.h>

extern sigjmp_buf *pgstub_catch;
extern int	pgstub_last_sqlstate;

/* Frees everything palloc'd since the last call (end of each input). */
extern void pgstub_reset(void);

/* Runs stmt; evaluates to true when it raised an ERROR. */
#define PGSTUB_TRY_ERRORED(stmt) \
	({ \
		sigjmp_buf	pgstub_jb_; \
		sigjmp_buf *pgstub_save_ = pgstub_catch; \
		bool		pgstub_err_ = false; \
		pgstub_catch = &pgstub_jb_; \
		if (sigsetjmp(pgstub_jb_, 0) == 0) \
		{ \
			stmt; \
		} \
		else \
			pgstub_err_ = true; \
		pgstub_catch = pgstub_save_; \
		pgstub_err_; \
	})

#endif
