/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  PostgreSQL version differences, in one place.  compmap builds for
 *	  PostgreSQL 15; the guards mark what a port to later versions touches.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_COMPAT_H
#define COMPMAP_COMPAT_H

#if PG_VERSION_NUM < 150000
#error "compmap requires PostgreSQL 15 or later"
#endif

#endif							/* COMPMAP_COMPAT_H */
