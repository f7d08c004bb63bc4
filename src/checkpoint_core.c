/*-------------------------------------------------------------------------
 *
 * checkpoint_core.c
 *	  The signed checkpoint note parser: splits a note into body and
 *	  signature lines and parses the five body lines (origin with the
 *	  tenant uuid, size, root, time, prev).
 *
 * Pure computation on caller-provided memory: no allocation, no globals,
 * no PostgreSQL headers (base64 and uuid parsing are done here), so the
 * fuzzing harness in test/fuzz builds it unchanged.  Every input length is
 * bounded by `len`; nothing reads past it.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "checkpoint_core.h"

static int
cm_b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool
cm_b64_decode_exact(const char *s, int len, uint8_t *out, int outlen)
{
	int			pad = 0;
	int			n = 0;

	if (len <= 0 || len > 100 || len % 4 != 0 || outlen < 0 || (len / 4) * 3 < outlen)
		return false;
	if (s[len - 1] == '=')
		pad = (s[len - 2] == '=') ? 2 : 1;
	if ((len / 4) * 3 - pad != outlen)
		return false;
	for (int i = 0; i < len; i += 4)
	{
		int			v[4];
		uint32_t	w;
		int			quad_pad = (i + 4 == len) ? pad : 0;

		for (int j = 0; j < 4; j++)
		{
			if (j >= 4 - quad_pad)
			{
				if (s[i + j] != '=')
					return false;
				v[j] = 0;
			}
			else if ((v[j] = cm_b64_value(s[i + j])) < 0)
				return false;
		}
		w = ((uint32_t) v[0] << 18) | ((uint32_t) v[1] << 12) | ((uint32_t) v[2] << 6) | (uint32_t) v[3];
		/* canonical form: the bits the padding drops must be zero */
		if ((quad_pad == 1 && (w & 0xFF) != 0) || (quad_pad == 2 && (w & 0xFFFF) != 0))
			return false;
		out[n++] = (uint8_t) (w >> 16);
		if (quad_pad < 2)
			out[n++] = (uint8_t) (w >> 8);
		if (quad_pad < 1)
			out[n++] = (uint8_t) w;
	}
	return n == outlen;
}

/* Decimal without sign or leading zeros, at most 19 digits, no overflow. */
static bool
cm_parse_int64(const char *s, int len, int64_t *out)
{
	int64_t		v = 0;

	if (len <= 0 || len > 19 || (len > 1 && s[0] == '0'))
		return false;
	for (int i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int
cm_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The canonical lower-case 8-4-4-4-12 form only. */
static bool
cm_parse_uuid(const char *s, uint8_t *out)
{
	int			n = 0;

	for (int i = 0; i < 36;)
	{
		int			hi,
					lo;

		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (s[i] != '-')
				return false;
			i++;
			continue;
		}
		hi = cm_hex_value(s[i]);
		lo = cm_hex_value(s[i + 1]);
		if (hi < 0 || lo < 0 || i + 1 == 8 || i + 1 == 13 || i + 1 == 18 || i + 1 == 23)
			return false;
		out[n++] = (uint8_t) ((hi << 4) | lo);
		i += 2;
	}
	return n == CM_UUID_LEN;
}

const char *
cm_checkpoint_parse(const char *note, int len, CmCheckpointNote *cp)
{
	const char *sep = NULL;
	const char *line;
	const char *end;
	const char *lines[5];
	int			lens[5];
	int			nlines = 0;

	memset(cp, 0, sizeof(*cp));
	if (len <= 0 || note[len - 1] != '\n')
		return "the note does not end with a newline";
	for (int i = 0; i + 1 < len; i++)
		if (note[i] == '\n' && note[i + 1] == '\n')
		{
			sep = note + i;
			break;
		}
	if (sep == NULL)
		return "no blank line separates the body from the signatures";
	cp->body = note;
	cp->body_len = (int) (sep - note) + 1;

	line = note;
	end = note + cp->body_len;
	while (line < end)
	{
		const char *nl = memchr(line, '\n', end - line);

		if (nlines == 5)
			return "the body has more than five lines";
		lines[nlines] = line;
		lens[nlines] = (int) (nl - line);
		nlines++;
		line = nl + 1;
	}
	if (nlines != 5)
		return "the body does not have five lines";
	if (lens[0] != 17 + 36 || memcmp(lines[0], "compmap.evidence/", 17) != 0)
		return "the origin line is not compmap.evidence/<tenant>";
	if (!cm_parse_uuid(lines[0] + 17, cp->tenant))
		return "the origin line does not name a tenant uuid in lower case";
	if (!cm_parse_int64(lines[1], lens[1], &cp->size))
		return "the size line is not a decimal number";
	if (!cm_b64_decode_exact(lines[2], lens[2], cp->root, 32))
		return "the root line is not the base64 of 32 bytes";
	if (lens[3] < 6 || memcmp(lines[3], "time ", 5) != 0 || !cm_parse_int64(lines[3] + 5, lens[3] - 5, &cp->time_us))
		return "the time line is not \"time <microseconds>\"";
	if (lens[4] < 6 || memcmp(lines[4], "prev ", 5) != 0)
		return "the prev line is not \"prev <hash>\"";
	if (lens[4] == 6 && lines[4][5] == '-')
		cp->has_prev = false;
	else if (cm_b64_decode_exact(lines[4] + 5, lens[4] - 5, cp->prev, 32))
		cp->has_prev = true;
	else
		return "the prev line is neither \"-\" nor the base64 of 32 bytes";

	cp->sigs = sep + 2;
	cp->sigs_len = (int) ((note + len) - cp->sigs);
	if (cp->sigs_len == 0)
		return "the note has no signature lines";
	return NULL;
}
