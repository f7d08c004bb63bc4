/*
 * fuzz_finding_status.c: libFuzzer target for the finding_status text input
 * of src/finding_status.c, built outside the server (pgstub.c).
 *
 * Properties: no crash; a rejection is SQLSTATE 22P02; an accepted name
 * round-trips through the output function to the same bytes; the
 * transition table stays in bounds for every pair of states.
 */
#include "../../src/finding_status.c"

#include <stdio.h>
#include <stdlib.h>

#include "pgstub.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Datum
call1(PGFunction fn, Datum arg)
{
	LOCAL_FCINFO(fcinfo, 1);

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = arg;
	fcinfo->args[0].isnull = false;
	return fn(fcinfo);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *str;
	Datum		d = 0;
	char	   *out = NULL;
	bool		err;

	if (size > 1024)
		return 0;
	str = malloc(size + 1);
	memcpy(str, data, size);
	str[size] = '\0';
	err = PGSTUB_TRY_ERRORED(d = call1(compmap_finding_status_in, CStringGetDatum(str)));
	if (err)
	{
		if (pgstub_last_sqlstate != ERRCODE_INVALID_TEXT_REPRESENTATION)
			abort();
	}
	else
	{
		err = PGSTUB_TRY_ERRORED(out = DatumGetCString(call1(compmap_finding_status_out, d)));
		if (err || strcmp(out, str) != 0)
			abort();
		for (int b = 0; b < FS_NSTATES; b++)
			(void) (compmap_fs_next[compmap_fs_check(DatumGetUInt8(d))] & (1 << b));
	}
	free(str);
	pgstub_reset();
	return 0;
}
