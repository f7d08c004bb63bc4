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

/*
 * palloc and friends, tracked: an ERROR jumps past the code that would
 * pfree, so each harness frees what one input left behind with
 * pgstub_reset(), as the server does by resetting a memory context.
 * Without it a run's memory grows with the number of rejected inputs.
 */
typedef struct StubChunk
{
	struct StubChunk *prev;
	struct StubChunk *next;
	max_align_t	align[];		/* the caller's memory follows */
} StubChunk;

static StubChunk stub_chunks = {&stub_chunks, &stub_chunks};

static void *
stub_link(StubChunk *c)
{
	if (c == NULL)
	{
		fprintf(stderr, "pgstub: out of memory\n");
		abort();
	}
	c->next = stub_chunks.next;
	c->prev = &stub_chunks;
	stub_chunks.next->prev = c;
	stub_chunks.next = c;
	return c->align;
}

static StubChunk *
stub_unlink(void *p)
{
	StubChunk  *c = (StubChunk *) ((char *) p - offsetof(StubChunk, align));

	c->prev->next = c->next;
	c->next->prev = c->prev;
	return c;
}

void *
palloc(Size size)
{
	return stub_link(malloc(sizeof(StubChunk) + size));
}

void *
palloc0(Size size)
{
	return stub_link(calloc(1, sizeof(StubChunk) + size));
}

void *
palloc_extended(Size size, int flags)
{
	return (flags & MCXT_ALLOC_ZERO) ? palloc0(size) : palloc(size);
}

void *
repalloc(void *pointer, Size size)
{
	return stub_link(realloc(stub_unlink(pointer), sizeof(StubChunk) + size));
}

void
pfree(void *pointer)
{
	free(stub_unlink(pointer));
}

char *
pstrdup(const char *in)
{
	size_t		n = strlen(in) + 1;

	return memcpy(palloc(n), in, n);
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

void
pgstub_reset(void)
{
	while (stub_chunks.next != &stub_chunks)
		free(stub_unlink(stub_chunks.next->align));
}

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
