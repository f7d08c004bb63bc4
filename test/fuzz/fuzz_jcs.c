/*
 * fuzz_jcs.c: libFuzzer target for the RFC 8785 core (src/jcs_core.c):
 * string escaping, number formatting and member key order.
 *
 * The first input byte picks the mode (bits 0-1), the output window (bit 2:
 * the smallest a sink may have, so that the core writes in pieces between
 * drains, or one large enough for its direct writes) and a number of bytes
 * written before the operand (bits 3-7), the rest is the operand.  Every
 * drain must come with a full window and ask for 1..CM_JCS_SINK_MIN bytes.
 *
 *	0: string escaping.  The literal equals a byte-by-byte reference
 *	   escaper written here, is quoted, holds no byte below 0x20,
 *	   unescapes (a JSON string decoder written here) to the input bytes,
 *	   and is valid UTF-8 whenever the input is.
 *	1: decimal text as numeric_out prints it (built from the bytes).  The
 *	   number is refused exactly when strtod overflows; otherwise the output
 *	   parses back to the same double, and integers of up to 15 digits come
 *	   out as their own text.
 *	2: any finite double (8 raw bytes).  The output parses back to the same
 *	   double (-0 prints as 0); no output with fewer significant digits
 *	   parses back to it; and it equals the layout of ECMA-262
 *	   Number::toString applied to digits found with snprintf("%.*e"),
 *	   unless snprintf's digits need more places (near a power of two,
 *	   where the shortest digits are not the closest ones).
 *	3: key order on three keys (two length bytes, then the bytes).  For any
 *	   bytes the order is total: cmp(a, a) = 0, only equal keys compare
 *	   equal, cmp(a, b) = -cmp(b, a), and it is transitive; for valid UTF-8
 *	   the sign equals that of comparing the keys' UTF-16 code units (an
 *	   encoder written here); the inline comparison gives the same signs.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jcs_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} Buf;

static void
buf_write(Buf *b, const char *bytes, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		if (b->data == NULL)
			abort();
	}
	memcpy(b->data + b->len, bytes, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/*
 * The core writes into a window of wcap bytes that is drained into a Buf
 * when full, the way the server's digest sink feeds SHA-256.  Small windows
 * take the core's chunked paths, large ones its direct writes.
 */
static void
check_need(size_t need, const CmJcsSink *sink)
{
	if (need == 0 || need > CM_JCS_SINK_MIN || sink->len != sink->cap)
	{
		fprintf(stderr, "fuzz_jcs: property violated: the core drains only a full window, asking for 1..%d bytes\n",
				CM_JCS_SINK_MIN);
		abort();
	}
}

typedef struct Out
{
	CmJcsSink	sink;
	Buf			b;
	char	   *window;
} Out;

static void
out_drain(CmJcsSink *sink, size_t need)
{
	Out		   *o = sink->ctx;

	check_need(need, sink);
	buf_write(&o->b, sink->buf, sink->len);
	sink->len = 0;
}

static void
out_open(Out *o, size_t wcap)
{
	memset(o, 0, sizeof(*o));
	if (wcap < CM_JCS_SINK_MIN)
		wcap = CM_JCS_SINK_MIN;
	o->window = malloc(wcap);
	if (o->window == NULL)
		abort();
	o->sink.buf = o->window;
	o->sink.cap = wcap;
	o->sink.drain = out_drain;
	o->sink.ctx = o;
	buf_write(&o->b, "", 0);
}

/* Drains what is left; o->b then holds the whole output, NUL-terminated. */
static void
out_close(Out *o)
{
	buf_write(&o->b, o->sink.buf, o->sink.len);
	o->sink.len = 0;
	free(o->window);
	o->window = NULL;
}

static void
check(int cond, const char *what, const Buf *out)
{
	if (!cond)
	{
		fprintf(stderr, "fuzz_jcs: property violated: %s (output: %.200s)\n", what, out && out->data ? out->data : "");
		abort();
	}
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		uint32_t	cp;
		size_t		n;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		if (i + n >= len)
			return 0;
		for (size_t j = 1; j <= n; j++)
		{
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Valid UTF-8 to UTF-16 code units; returns the count. */
static size_t
utf16(const unsigned char *s, size_t len, uint16_t *out)
{
	size_t		i = 0,
				o = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		uint32_t	cp;
		size_t		n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;

		cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
		for (size_t j = 1; j <= n; j++)
			cp = (cp << 6) | (s[i + j] & 0x3F);
		i += n + 1;
		if (cp >= 0x10000)
		{
			cp -= 0x10000;
			out[o++] = (uint16_t) (0xD800 + (cp >> 10));
			out[o++] = (uint16_t) (0xDC00 + (cp & 0x3FF));
		}
		else
			out[o++] = (uint16_t) cp;
	}
	return o;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;					/* JCS writes lower case only */
}

/* The escaping rules written out byte by byte: the reference. */
static void
ref_string(Buf *b, const uint8_t *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	buf_write(b, "\"", 1);
	for (size_t i = 0; i < len; i++)
	{
		char		u[6] = {'\\', 'u', '0', '0', hex[s[i] >> 4], hex[s[i] & 0xF]};

		switch (s[i])
		{
			case '"':
				buf_write(b, "\\\"", 2);
				break;
			case '\\':
				buf_write(b, "\\\\", 2);
				break;
			case '\b':
				buf_write(b, "\\b", 2);
				break;
			case '\f':
				buf_write(b, "\\f", 2);
				break;
			case '\n':
				buf_write(b, "\\n", 2);
				break;
			case '\r':
				buf_write(b, "\\r", 2);
				break;
			case '\t':
				buf_write(b, "\\t", 2);
				break;
			default:
				buf_write(b, s[i] < 0x20 ? u : (const char *) s + i, s[i] < 0x20 ? 6 : 1);
		}
	}
	buf_write(b, "\"", 1);
}

static void
mode_string(const uint8_t *s, size_t len, size_t wcap, size_t prefill)
{
	Out			o;
	Buf			out;
	Buf			ref = {0};
	unsigned char *back = malloc(len + 1);
	size_t		n = 0;

	/* prefill: bytes already in the window, so strings meet a part-full one */
	out_open(&o, wcap);
	for (size_t i = 0; i < prefill; i++)
		cm_jcs_putc(&o.sink, 'x');
	cm_jcs_string(&o.sink, (const char *) s, len);
	out_close(&o);
	out = o.b;
	check(out.len >= prefill && strspn(out.data, "x") >= prefill, "bytes written before stay", &out);
	memmove(out.data, out.data + prefill, out.len - prefill + 1);
	out.len -= prefill;
	ref_string(&ref, s, len);
	check(out.len == ref.len && memcmp(out.data, ref.data, ref.len) == 0,
		  "the core's escaping equals the byte-by-byte reference", &out);
	free(ref.data);
	check(out.len >= 2 && out.data[0] == '"' && out.data[out.len - 1] == '"', "the literal is quoted", &out);
	for (size_t i = 0; i < out.len; i++)
		check((unsigned char) out.data[i] >= 0x20, "no raw control character", &out);
	/* unescape */
	for (size_t i = 1; i < out.len - 1; i++)
	{
		char		c = out.data[i];

		check(c != '"', "no bare quote inside", &out);
		if (c != '\\')
		{
			back[n++] = (unsigned char) c;
			continue;
		}
		check(i + 1 < out.len - 1, "an escape is complete", &out);
		c = out.data[++i];
		switch (c)
		{
			case '"':
			case '\\':
				back[n++] = (unsigned char) c;
				break;
			case 'b':
				back[n++] = '\b';
				break;
			case 'f':
				back[n++] = '\f';
				break;
			case 'n':
				back[n++] = '\n';
				break;
			case 'r':
				back[n++] = '\r';
				break;
			case 't':
				back[n++] = '\t';
				break;
			case 'u':
				{
					int			v = 0;

					check(i + 4 < out.len - 1, "a \\u escape has four digits", &out);
					for (int j = 1; j <= 4; j++)
					{
						int			h = hexval(out.data[i + j]);

						check(h >= 0, "\\u digits are lower-case hex", &out);
						v = v * 16 + h;
					}
					check(v < 0x20 && v != '\b' && v != '\f' && v != '\n' && v != '\r' && v != '\t',
						  "\\u only for controls without a short form", &out);
					back[n++] = (unsigned char) v;
					i += 4;
					break;
				}
			default:
				check(0, "a known escape", &out);
		}
	}
	check(n == len && memcmp(back, s, len) == 0, "escaping round-trips", &out);
	if (utf8_valid(s, len))
		check(utf8_valid((const unsigned char *) out.data, out.len), "output is valid UTF-8", &out);
	free(back);
	free(out.data);
}

static void
mode_text(const uint8_t *s, size_t len, size_t wcap)
{
	char		text[100];
	size_t		t = 0,
				i = 0,
				ndig = 0;
	int			integral = 1;
	Out			o;
	Buf			out = {0};
	double		want;
	bool		ok;

	/* optional '-', 1..40 digits, optional '.' and 1..40 digits */
	if (i < len && (s[i] & 1))
		text[t++] = '-';
	i++;
	for (; i < len && ndig < 40 && s[i] != 0xFF; i++, ndig++)
		text[t++] = '0' + s[i] % 10;
	if (ndig == 0)
		text[t++] = '0';
	/* numeric_out prints no leading zeros, but the core must cope anyway */
	if (i < len && s[i] == 0xFF)
	{
		size_t		f = 0;

		integral = 0;
		text[t++] = '.';
		for (i++; i < len && f < 40; i++, f++)
			text[t++] = '0' + s[i] % 10;
		if (f == 0)
			text[t++] = '0';
	}
	text[t] = '\0';
	want = strtod(text, NULL);
	out_open(&o, wcap);
	ok = cm_jcs_number(&o.sink, text);
	out_close(&o);
	out = o.b;
	if (!ok)
	{
		check(isinf(want), "only an overflow is refused", &out);
		check(out.len == 0, "a refusal writes nothing", &out);
		free(out.data);
		return;
	}
	check(out.len > 0, "a number is written", &out);
	if (integral && strlen(text) - (text[0] == '-') <= 15 && strcmp(text, "-0") != 0)
		check(strcmp(out.data, text) == 0, "short integers are their own text", &out);
	else
		check(strtod(out.data, NULL) == want, "the output parses back to the same double", &out);
	free(out.data);
}

/* ECMA-262 Number::toString layout of digits D (k of them) and exponent n. */
static void
ecma_layout(char *dst, const char *D, int k, int n, int negative)
{
	char	   *p = dst;

	if (negative)
		*p++ = '-';
	if (k <= n && n <= 21)
	{
		memcpy(p, D, k);
		p += k;
		for (int i = 0; i < n - k; i++)
			*p++ = '0';
	}
	else if (0 < n && n <= 21)
	{
		memcpy(p, D, n);
		p += n;
		*p++ = '.';
		memcpy(p, D + n, k - n);
		p += k - n;
	}
	else if (-6 < n && n <= 0)
	{
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -n; i++)
			*p++ = '0';
		memcpy(p, D, k);
		p += k;
	}
	else
	{
		*p++ = D[0];
		if (k > 1)
		{
			*p++ = '.';
			memcpy(p, D + 1, k - 1);
			p += k - 1;
		}
		p += sprintf(p, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
	*p = '\0';
}

/* Digits and exponent of "%.*e" output: D without the point, n = exp + 1. */
static int
split_e(const char *e, char *D, int *n)
{
	int			k = 0;
	const char *p = e;

	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			D[k++] = *p;
	*n = atoi(p + 1) + 1;
	while (k > 1 && D[k - 1] == '0')
		k--;
	D[k] = '\0';
	return k;
}

/* Significant digits of a number as the core writes it. */
static int
sig_digits(const char *num)
{
	char		dig[64];
	int			k = 0,
				lead = 0;
	int			point = 0;

	for (const char *c = num; *c && *c != 'e' && k < 63; c++)
	{
		if (*c >= '0' && *c <= '9')
			dig[k++] = *c;
		else if (*c == '.')
			point = 1;
	}
	while (lead < k && dig[lead] == '0')
		lead++;
	if (!point)
		while (k > lead && dig[k - 1] == '0')
			k--;
	return k - lead;
}

static void
mode_double(const uint8_t *s, size_t len, size_t wcap)
{
	double		d;
	Out			o;
	Buf			out = {0};
	char		e[64],
				D[32],
				ref[64];
	int			p,
				k,
				n,
				outk = 0;
	double		a;

	if (len < 8)
		return;
	memcpy(&d, s, 8);
	if (!isfinite(d))
		return;
	out_open(&o, wcap);
	cm_jcs_double(&o.sink, d);
	out_close(&o);
	out = o.b;
	if (d == 0)
	{
		check(strcmp(out.data, "0") == 0, "zero prints as 0", &out);
		free(out.data);
		return;
	}
	check(strtod(out.data, NULL) == d, "the output parses back to the same double", &out);
	outk = sig_digits(out.data);
	a = fabs(d);
	/* no shorter digits round-trip: the correctly rounded ones and neighbours */
	if (outk > 1)
	{
		char		Dm[32];
		int			km = outk - 1;

		snprintf(e, sizeof(e), "%.*e", km - 1, a);
		{
			int			nn;
			int			kk;
			long long	v;

			kk = split_e(e, Dm, &nn);
			while (kk < km)
				Dm[kk++] = '0';
			Dm[km] = '\0';
			v = atoll(Dm);
			for (long long dv = -1; dv <= 1; dv++)
			{
				char		cand[64];

				snprintf(cand, sizeof(cand), "%llde%d", v + dv, nn - km);
				check(strtod(cand, NULL) != a, "no output with fewer digits round-trips", &out);
			}
		}
	}
	/* reference: shortest round-tripping %.*e digits, ECMA layout */
	for (p = 1; p <= 17; p++)
	{
		snprintf(e, sizeof(e), "%.*e", p - 1, a);
		if (strtod(e, NULL) == a)
			break;
	}
	k = split_e(e, D, &n);
	ecma_layout(ref, D, k, n, d < 0);
	if (strcmp(ref, out.data) != 0)
		check(outk < k, "the output equals the ECMA-262 layout of the shortest digits", &out);
	free(out.data);
}

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* The sign of comparing two valid UTF-8 keys by UTF-16 code units. */
static int
utf16_order(const char *a, size_t alen, const char *b, size_t blen)
{
	uint16_t   *ua = malloc(sizeof(uint16_t) * (alen + 1));
	uint16_t   *ub = malloc(sizeof(uint16_t) * (blen + 1));
	size_t		na = utf16((const unsigned char *) a, alen, ua);
	size_t		nb = utf16((const unsigned char *) b, blen, ub);
	size_t		i = 0;
	int			want;

	while (i < na && i < nb && ua[i] == ub[i])
		i++;
	want = i < na && i < nb ? (ua[i] < ub[i] ? -1 : 1) : (na < nb ? -1 : na > nb ? 1 : 0);
	free(ua);
	free(ub);
	return want;
}

static void
mode_keys(const uint8_t *s, size_t len)
{
	const char *k[3];
	size_t		kl[3];
	size_t		pos = 2;
	int			c[3][3];

	if (len < 2)
		return;
	/* three keys: lengths from the first two bytes, the rest is the third */
	for (int j = 0; j < 2; j++)
	{
		kl[j] = s[j] < len - pos ? s[j] : len - pos;
		k[j] = (const char *) s + pos;
		pos += kl[j];
	}
	k[2] = (const char *) s + pos;
	kl[2] = len - pos;
	for (int x = 0; x < 3; x++)
		for (int y = 0; y < 3; y++)
			c[x][y] = sign(cm_jcs_key_cmp(k[x], kl[x], k[y], kl[y]));
	for (int x = 0; x < 3; x++)
	{
		check(c[x][x] == 0, "cmp(a, a) = 0", NULL);
		for (int y = 0; y < 3; y++)
			check(sign(cm_jcs_key_cmp_quick(k[x], kl[x], k[y], kl[y])) == c[x][y],
				  "the inline comparison agrees with the full one", NULL);
		for (int y = 0; y < 3; y++)
		{
			check(c[x][y] == -c[y][x], "cmp(a, b) = -cmp(b, a)", NULL);
			if (c[x][y] == 0)
				check(kl[x] == kl[y] && memcmp(k[x], k[y], kl[x]) == 0, "only equal keys compare equal", NULL);
			for (int z = 0; z < 3; z++)
				if (c[x][y] <= 0 && c[y][z] <= 0)
					check(c[x][z] <= 0, "the order is transitive", NULL);
			if (utf8_valid((const unsigned char *) k[x], kl[x]) && utf8_valid((const unsigned char *) k[y], kl[y]))
				check(c[x][y] == utf16_order(k[x], kl[x], k[y], kl[y]), "key order is UTF-16 code unit order", NULL);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		wcap;

	if (size < 1 || size > 4096)
		return 0;
	/* the window: the smallest allowed, or large enough for direct writes */
	wcap = (data[0] & 4) ? CM_JCS_SINK_MIN + (data[0] >> 3) : 4096 * 6 + 64;
	switch (data[0] & 3)
	{
		case 0:
			mode_string(data + 1, size - 1, wcap, (data[0] >> 3) * 3);
			break;
		case 1:
			mode_text(data + 1, size - 1, wcap);
			break;
		case 2:
			mode_double(data + 1, size - 1, wcap);
			break;
		case 3:
			mode_keys(data + 1, size - 1);
			break;
	}
	return 0;
}
