/*-------------------------------------------------------------------------
 *
 * jcs_core.c
 *	  RFC 8785 string escaping, number formatting and key order on plain
 *	  bytes (see jcs_core.h).
 *
 * No allocation, no globals and no server runtime: output goes through the
 * caller's sink, every read stays within the given length, and the only
 * PostgreSQL code used is libpgcommon's shortest round-trip conversion of a
 * double (common/shortest_dec.h, which needs no other header).  src/jcs.c
 * uses it inside the server, test/fuzz/fuzz_jcs.c outside.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/shortest_dec.h"

#include "jcs_core.h"

#define put cm_jcs_put
#define put_char cm_jcs_putc

/* Out of line: the bytes do not fit, so they go in pieces between drains. */
void
cm_jcs_put_slow(CmJcsSink *sink, const char *bytes, size_t n)
{
	while (n > sink->cap - sink->len)
	{
		size_t		k = sink->cap - sink->len;

		memcpy(sink->buf + sink->len, bytes, k);
		sink->len += k;
		bytes += k;
		n -= k;
		sink->drain(sink, n < CM_JCS_SINK_MIN ? n : CM_JCS_SINK_MIN);
	}
	memcpy(sink->buf + sink->len, bytes, n);
	sink->len += n;
}

/*
 * What each byte becomes inside a string literal: 0 when copied as it is,
 * else the second character of its short escape, or 'u' for \u00xx.
 */
static const char jcs_escape[256] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	['"'] = '"',['\\'] = '\\'
};

/*
 * Strings: '"' and '\\' and the control characters below U+0020 are
 * escaped, with the short forms where JSON has them and \u00xx (lower-case
 * hex) otherwise; every other byte is copied as it is, in runs.
 */
void
cm_jcs_string(CmJcsSink *sink, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	/* the usual case: even escaping every byte would fit, so write directly */
	if (sink->cap - sink->len >= 2 && len <= (sink->cap - sink->len - 2) / 6)
	{
		char	   *o = sink->buf + sink->len;

		*o++ = '"';
		for (; i < len; i++)
		{
			unsigned char c = p[i];
			char		e = jcs_escape[c];

			if (e == 0)
				*o++ = (char) c;
			else
			{
				*o++ = '\\';
				*o++ = e;
				if (e == 'u')
				{
					*o++ = '0';
					*o++ = '0';
					*o++ = hex[c >> 4];
					*o++ = hex[c & 0xF];
				}
			}
		}
		*o++ = '"';
		sink->len = o - sink->buf;
		return;
	}

	put_char(sink, '"');
	while (i < len)
	{
		size_t		run = i;
		char		e;

		while (i < len && jcs_escape[p[i]] == 0)
			i++;
		if (i > run)
			put(sink, s + run, i - run);
		if (i == len)
			break;
		e = jcs_escape[p[i]];
		if (e == 'u')
		{
			char		u[6] = {'\\', 'u', '0', '0', hex[p[i] >> 4], hex[p[i] & 0xF]};

			put(sink, u, 6);
		}
		else
		{
			char		esc[2] = {'\\', e};

			put(sink, esc, 2);
		}
		i++;
	}
	put_char(sink, '"');
}

/*
 * Whether a (positive, finite) rounded to p significant digits reads back
 * as a; if so and digits is given, stores those digits without trailing
 * zeros and the exponent n with value = 0.digits x 10^n.
 */
static bool
shorter_round_trips(double a, int p, char *digits, int *n)
{
	char		e[40];
	int			k = 0;
	const char *c;

	snprintf(e, sizeof(e), "%.*e", p - 1, a);
	if (strtod(e, NULL) != a)
		return false;
	if (digits == NULL)
		return true;
	for (c = e; *c && *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			digits[k++] = *c;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	*n = atoi(c + 1) + 1;
	return true;
}

/*
 * Formats a finite double as ECMAScript Number::toString (ECMA-262
 * 6.1.6.1.20).  The shortest round-trip output gives the digits and
 * exponent; only the layout differs.
 */
void
cm_jcs_double(CmJcsSink *sink, double d)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN + 1];
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN + 1];
	int			k = 0,
				intdigits = -1,
				exp10 = 0,
				n,
				lead = 0;
	const char *p;

	if (d == 0)
	{
		put_char(sink, '0');
		return;
	}
	double_to_shortest_decimal_buf(d, buf);

	p = buf;
	if (*p == '-')
	{
		put_char(sink, '-');
		p++;
	}
	for (; *p && *p != 'e' && *p != 'E'; p++)
	{
		if (*p == '.')
			intdigits = k;
		else
			digits[k++] = *p;
	}
	if (intdigits < 0)
		intdigits = k;
	if (*p == 'e' || *p == 'E')
		exp10 = atoi(p + 1);
	digits[k] = '\0';

	/* value = 0.digits x 10^n once leading and trailing zeros are gone */
	while (lead < k && digits[lead] == '0')
		lead++;
	n = intdigits + exp10 - lead;
	memmove(digits, digits + lead, k - lead + 1);
	k -= lead;
	while (k > 0 && digits[k - 1] == '0')
		digits[--k] = '\0';

	/*
	 * PostgreSQL's conversion is not always the shortest: for some doubles
	 * (4447326476380319744 prints as 4.4473264763803197e+18, where
	 * 4.44732647638032e+18 reads back to the same double) it gives more
	 * digits than ECMAScript's Number::toString, which RFC 8785 follows.
	 * When the correctly rounded value with one digit fewer reads back to
	 * the same double, the shortest is found by bisection (a p-digit value
	 * that reads back implies that the p+1-digit one does too); the
	 * correctly rounded digits are the closest ones, as ECMAScript wants.
	 */
	if (k > 1 && shorter_round_trips(fabs(d), k - 1, NULL, NULL))
	{
		int			lo = 1,
					hi = k - 1;	/* hi digits read back */

		while (lo < hi)
		{
			int			mid = (lo + hi) / 2;

			if (shorter_round_trips(fabs(d), mid, NULL, NULL))
				hi = mid;
			else
				lo = mid + 1;
		}
		shorter_round_trips(fabs(d), hi, digits, &n);
		k = strlen(digits);
	}

	if (k <= n && n <= 21)
	{
		put(sink, digits, k);
		for (int i = 0; i < n - k; i++)
			put_char(sink, '0');
	}
	else if (0 < n && n <= 21)
	{
		put(sink, digits, n);
		put_char(sink, '.');
		put(sink, digits + n, k - n);
	}
	else if (-6 < n && n <= 0)
	{
		put(sink, "0.", 2);
		for (int i = 0; i < -n; i++)
			put_char(sink, '0');
		put(sink, digits, k);
	}
	else
	{
		int			e = n - 1;
		char		ebuf[16];
		int			elen;

		put_char(sink, digits[0]);
		if (k > 1)
		{
			put_char(sink, '.');
			put(sink, digits + 1, k - 1);
		}
		elen = snprintf(ebuf, sizeof(ebuf), "e%c%d", e >= 0 ? '+' : '-', e >= 0 ? e : -e);
		put(sink, ebuf, elen);
	}
}

bool
cm_jcs_number(CmJcsSink *sink, const char *text)
{
	int			ndigits = 0;
	bool		integral = true;
	double		d;

	for (const char *c = text + (text[0] == '-'); *c; c++)
	{
		if (*c < '0' || *c > '9')
		{
			integral = false;
			break;
		}
		ndigits++;
	}

	/*
	 * Integers of up to 15 digits are exact doubles and ECMAScript prints
	 * them as their digits: no conversion needed.
	 */
	if (integral && ndigits <= 15 && strcmp(text, "-0") != 0)
	{
		put(sink, text, strlen(text));
		return true;
	}
	d = strtod(text, NULL);
	if (isinf(d) || isnan(d))
		return false;
	cm_jcs_double(sink, d);
	return true;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 when there is none;
 * *cp receives its code point.
 */
static size_t
utf8_char(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t		n;
	unsigned char lo = 0x80,
				hi = 0xBF;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, *cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3, *cp = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4, *cp = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;
	if (n > avail || s[1] < lo || s[1] > hi)
		return 0;
	*cp = (*cp << 6) | (s[1] & 0x3F);
	for (size_t j = 2; j < n; j++)
	{
		if ((s[j] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[j] & 0x3F);
	}
	return n;
}

/*
 * Next UTF-16 code unit of a UTF-8 string, -1 at its end; *pending holds a
 * low surrogate.  A byte that starts no well-formed sequence (possible only
 * in a database whose encoding is not UTF8) becomes the unit 0x10000 + byte:
 * above every UTF-16 unit, in byte order, so that keys still sort in one
 * total order.
 */
static int32_t
next_unit(const unsigned char **p, const unsigned char *end, int32_t *pending)
{
	uint32_t	cp;
	size_t		len;

	if (*pending)
	{
		int32_t		u = *pending;

		*pending = 0;
		return u;
	}
	if (*p >= end)
		return -1;
	len = utf8_char(*p, end - *p, &cp);
	if (len == 0)
		return 0x10000 + *(*p)++;
	*p += len;
	if (cp >= 0x10000)
	{
		cp -= 0x10000;
		*pending = 0xDC00 + (cp & 0x3FF);
		return 0xD800 + (cp >> 10);
	}
	return cp;
}

/* UTF-16 order, the slow way: only needed near surrogates (see below). */
static int
utf16_cmp(const unsigned char *pa, size_t alen, const unsigned char *pb, size_t blen)
{
	const unsigned char *ea = pa + alen;
	const unsigned char *eb = pb + blen;
	int32_t		qa = 0,
				qb = 0;

	for (;;)
	{
		int32_t		ua = next_unit(&pa, ea, &qa);
		int32_t		ub = next_unit(&pb, eb, &qb);

		if (ua != ub)
			return ua < ub ? -1 : 1;
		if (ua < 0)
			return 0;
	}
}

/*
 * Byte order of UTF-8 is code point order, which equals UTF-16 order except
 * between U+E000..U+FFFF (lead bytes 0xEE, 0xEF) and supplementary
 * characters (lead bytes 0xF0 and up).  Keys are compared bytewise when the
 * first difference lies in characters that start at the same place in both
 * keys, are well formed and lie below U+E000; otherwise unit by unit.  The
 * bytewise shortcut then always agrees with the unit order, also for bytes
 * that are not UTF-8, so the order stays total.
 */
int
cm_jcs_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *pa = (const unsigned char *) a;
	const unsigned char *pb = (const unsigned char *) b;
	size_t		n = alen < blen ? alen : blen;
	size_t		i = 0;
	size_t		sa,
				sb;
	uint32_t	cpa,
				cpb;

	while (i < n && pa[i] == pb[i])
		i++;
	/* two ASCII bytes after equal bytes: whole characters, bytewise order */
	if (i < n && pa[i] < 0x80 && pb[i] < 0x80)
		return pa[i] < pb[i] ? -1 : 1;
	if (i == n)
	{
		/*
		 * One key is a prefix of the other.  It sorts first unless the
		 * longer key goes on with a continuation byte, which the shorter
		 * one's decoding cannot share (only when the bytes are not UTF-8).
		 */
		if (alen == blen)
			return 0;
		if (((alen < blen ? pb[n] : pa[n]) & 0xC0) != 0x80)
			return alen < blen ? -1 : 1;
		return utf16_cmp(pa, alen, pb, blen);
	}
	/* the differing bytes sit in characters that start at or before i */
	sa = sb = i;
	while (sa > 0 && (pa[sa] & 0xC0) == 0x80)
		sa--;
	while (sb > 0 && (pb[sb] & 0xC0) == 0x80)
		sb--;
	if (sa != sb || pa[sa] >= 0xEE || pb[sb] >= 0xEE ||
		utf8_char(pa + sa, alen - sa, &cpa) == 0 || utf8_char(pb + sb, blen - sb, &cpb) == 0)
		return utf16_cmp(pa, alen, pb, blen);
	return pa[i] < pb[i] ? -1 : 1;
}
