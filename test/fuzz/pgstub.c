/*-------------------------------------------------------------------------
 *
 * pgstub.c
 *	  Server functions compmap's parsers call, reimplemented for the fuzzing
 *	  harnesses (see pgstub.h).  Anything only the SQL-level wrappers use
 *	  aborts: a harness that reaches it is wrong.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "pgstub.h"

sigjmp_buf *pgstub_catch = NULL;
int			pgstub_last_sqlstate = 0;
static int	pgstub_elevel = 0;

bool
errstart(int elevel, const char *domain)
{
	pgstub_elevel = elevel;
	return elevel >= ERROR;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (pgstub_elevel >= ERROR)
	{
		if (pgstub_catch == NULL)
		{
			fprintf(stderr, "ERROR outside a harness catch at %s:%d\n", filename, lineno);
			abort();
		}
		siglongjmp(*pgstub_catch, 1);
	}
}

int
errcode(int sqlerrcode)
{
	pgstub_last_sqlstate = sqlerrcode;
	return 0;
}

/*
 * The message functions format nothing, but they check their arguments
 * the way the server would: every %s must be a readable string.
 */
static void
pgstub_check_format(const char *fmt, va_list ap)
{
	char		buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
}

#define PGSTUB_MSGFN(name) \
int \
name(const char *fmt, ...) \
{ \
	va_list		ap; \
	va_start(ap, fmt); \
	pgstub_check_format(fmt, ap); \
	va_end(ap); \
	return 0; \
}
PGSTUB_MSGFN(errmsg)
PGSTUB_MSGFN(errmsg_internal)
PGSTUB_MSGFN(errdetail)
PGSTUB_MSGFN(errhint)

text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *t = palloc(len + VARHDRSZ);

	SET_VARSIZE(t, len + VARHDRSZ);
	memcpy(VARDATA(t), s, len);
	return t;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}

char *
text_to_cstring(const text *t)
{
	int			len = VARSIZE_ANY_EXHDR(t);
	char	   *s = palloc(len + 1);

	memcpy(s, VARDATA_ANY(t), len);
	s[len] = '\0';
	return s;
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	return datum;
}

struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	return datum;
}

bool
scanner_isspace(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* UTF-8 only, as in the test clusters. */
int
pg_mbcliplen(const char *mbstr, int len, int limit)
{
	int			l = 0;

	while (l < len && l < limit)
	{
		int			w = pg_utf_mblen((const unsigned char *) mbstr + l);

		if (l + w > limit || l + w > len)
			break;
		l += w;
	}
	return l;
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return palloc(size);
}

void
check_stack_depth(void)
{
}

#define PGSTUB_UNUSED(name) \
void name(void); \
void \
name(void) \
{ \
	fprintf(stderr, "pgstub: %s is not available outside the server\n", #name); \
	abort(); \
}
PGSTUB_UNUSED(pq_begintypsend)
PGSTUB_UNUSED(pq_endtypsend)
PGSTUB_UNUSED(pq_getmsgtext)
PGSTUB_UNUSED(pq_sendtext)
PGSTUB_UNUSED(int64_div_fast_to_numeric)
PGSTUB_UNUSED(init_MultiFuncCall)
PGSTUB_UNUSED(per_MultiFuncCall)
PGSTUB_UNUSED(end_MultiFuncCall)
PGSTUB_UNUSED(compmap_hash_to_bytea)
