/*
 * fuzz_cvss.c: libFuzzer target for the CVSS vector parser, normaliser and
 * scorers of src/cvss.c, built outside the server (pgstub.c).
 *
 * Properties checked on every input:
 *	- parsing never crashes; a rejection is always SQLSTATE 22P02;
 *	- an accepted vector normalises to text that parses again to the same
 *	  text (normalisation is idempotent);
 *	- every score is within 0.0 .. 10.0.
 */
#include "../../src/cvss.c"

#include <stdio.h>
#include <stdlib.h>

#include "pgstub.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool cond, const char *what)
{
	if (!cond)
	{
		fprintf(stderr, "fuzz_cvss: property violated: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CompmapCvss c;
	CompmapCvss c2;
	text	   *norm = NULL;
	text	   *norm2 = NULL;
	int			score = 0,
				base = 0;
	bool		err;

	if (size > 4096)
		return 0;
	err = PGSTUB_TRY_ERRORED(compmap_cvss_parse((const char *) data, (int) size, &c));
	if (err)
	{
		check(pgstub_last_sqlstate == ERRCODE_INVALID_TEXT_REPRESENTATION, "rejections are 22P02");
		pgstub_reset();
		return 0;
	}
	err = PGSTUB_TRY_ERRORED(norm = compmap_cvss_format(&c));
	check(!err, "an accepted vector formats");
	err = PGSTUB_TRY_ERRORED(compmap_cvss_parse(VARDATA(norm), VARSIZE(norm) - VARHDRSZ, &c2));
	check(!err, "the normalised vector parses");
	err = PGSTUB_TRY_ERRORED(norm2 = compmap_cvss_format(&c2));
	check(!err && VARSIZE(norm) == VARSIZE(norm2) &&
		  memcmp(VARDATA(norm), VARDATA(norm2), VARSIZE(norm) - VARHDRSZ) == 0,
		  "normalisation is idempotent");
	err = PGSTUB_TRY_ERRORED((score = compmap_cvss_score_tenths(&c), base = compmap_cvss_base_tenths(&c)));
	check(!err, "an accepted vector scores");
	check(score >= 0 && score <= 100 && base >= 0 && base <= 100, "scores are within 0.0 .. 10.0");
	(void) compmap_cvss_severity_name(score);
	pfree(norm);
	pfree(norm2);
	pgstub_reset();
	return 0;
}
