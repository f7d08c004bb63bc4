/*
 * fuzz_checkpoint.c: libFuzzer target for the signed checkpoint note parser
 * (src/checkpoint_core.c) and its strict base64 decoder.
 *
 * Properties: no crash or out-of-bounds read for any bytes; an accepted
 * note's body and signature ranges lie inside the input, the body ends in
 * "\n" right before the blank line, and size and time are non-negative; a
 * base64 string accepted for n bytes re-encodes to itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64_encode(const uint8_t *in, int n, char *out)
{
	int			o = 0;

	for (int i = 0; i < n; i += 3)
	{
		uint32_t	w = (uint32_t) in[i] << 16;

		if (i + 1 < n)
			w |= (uint32_t) in[i + 1] << 8;
		if (i + 2 < n)
			w |= in[i + 2];
		out[o++] = b64[(w >> 18) & 63];
		out[o++] = b64[(w >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(w >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[w & 63] : '=';
	}
	out[o] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CmCheckpointNote cp;
	char	   *note;
	uint8_t		buf[100];
	char		re[140];

	if (size > 65536)
		return 0;
	/* an exact-size copy, so ASan sees any read past the end */
	note = malloc(size ? size : 1);
	memcpy(note, data, size);
	if (cm_checkpoint_parse(note, (int) size, &cp) == NULL)
	{
		if (cp.body != note || cp.body_len < 1 || cp.body_len > (int) size ||
			cp.body[cp.body_len - 1] != '\n' || cp.body_len >= (int) size || note[cp.body_len] != '\n' ||
			cp.sigs != note + cp.body_len + 1 || cp.sigs_len < 1 ||
			cp.sigs + cp.sigs_len != note + size || cp.size < 0 || cp.time_us < 0)
			abort();
	}
	/* the decoder alone, for every output length it could produce */
	if (size >= 1)
	{
		int			outlen = data[0] % 76;

		if (cm_b64_decode_exact(note + 1, (int) size - 1, buf, outlen))
		{
			b64_encode(buf, outlen, re);
			if ((int) strlen(re) != (int) size - 1 || memcmp(re, note + 1, size - 1) != 0)
				abort();
		}
	}
	free(note);
	return 0;
}
