/*-------------------------------------------------------------------------
 *
 * ingest_json_nul.c
 *	  compmap.json_nul_replaced(document text): a JSON document with every
 *	  \u0000 escape written as \ufffd, or NULL when it has none.
 *
 *	  PostgreSQL's text cannot hold the NUL character, so jsonb, and the
 *	  readers that check their input as jsonb does, refuse a document in
 *	  which any string carries \u0000 ("unsupported Unicode escape
 *	  sequence").  Real scanner output does: Grype has reported Java
 *	  package versions read from binaries with a NUL inside.  Ingest reads
 *	  such a string with U+FFFD (the replacement character) in place of the
 *	  NUL, and records the digest of the document as it was passed.
 *
 *	  Only documents that start (after a byte order mark and white space)
 *	  with { or [ are JSON or JSON lines; XML text can say \u0000 and mean
 *	  those six characters.  The escapes are paired from the start, so the
 *	  "\\u0000" of an escaped backslash followed by text is left alone.
 *	  The replacement has the same length, so the parser's line numbers and
 *	  positions in any later error are those of the original.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"


PG_FUNCTION_INFO_V1(compmap_json_nul_replaced);

/* compmap.json_nul_replaced(document text) RETURNS text */
Datum
compmap_json_nul_replaced(PG_FUNCTION_ARGS)
{
	text	   *document = PG_GETARG_TEXT_PP(0);
	const char *start = VARDATA_ANY(document);
	const char *end = start + VARSIZE_ANY_EXHDR(document);
	const char *p = start;
	text	   *replaced = NULL;

	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p == end || (*p != '{' && *p != '['))
		PG_RETURN_NULL();

	while ((p = memchr(p, '\\', end - p)) != NULL)
	{
		/* p starts an escape; the character after it is escaped */
		if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
		{
			if (replaced == NULL)
			{
				/* the first one: copy the document once */
				replaced = (text *) palloc(VARHDRSZ + (end - start));
				SET_VARSIZE(replaced, VARHDRSZ + (end - start));
				memcpy(VARDATA(replaced), start, end - start);
			}
			memcpy(VARDATA(replaced) + (p - start) + 2, "fffd", 4);
			p += 6;
		}
		else
			p += 2;
		if (p >= end)
			break;
	}
	if (replaced == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(replaced);
}
