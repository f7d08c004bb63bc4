/*-------------------------------------------------------------------------
 *
 * jcs_core.h
 *	  The parts of RFC 8785 (JSON Canonicalization Scheme) that work on
 *	  plain bytes: string escaping, number formatting and member key order.
 *	  Free of the server runtime so that the fuzzing harness in test/fuzz
 *	  builds it unchanged; src/jcs.c walks jsonb values and calls these.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_JCS_CORE_H
#define COMPMAP_JCS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*
 * Where output goes: a buffer the writers fill directly (len of cap bytes
 * used), and drain(sink, need), called when it is full, which makes room
 * for at least need bytes (need <= CM_JCS_SINK_MIN) by consuming the
 * buffered bytes (hashing them, say) or by growing the buffer.  Writing
 * through a buffer rather than a call per piece matters: canonical JSON is
 * written a few bytes at a time.
 */
typedef struct CmJcsSink
{
	char	   *buf;
	size_t		len;
	size_t		cap;
	void		(*drain) (struct CmJcsSink *sink, size_t need);
	void	   *ctx;
} CmJcsSink;

#define CM_JCS_SINK_MIN 64

extern void cm_jcs_put_slow(CmJcsSink *sink, const char *bytes, size_t n);

static inline void
cm_jcs_put(CmJcsSink *sink, const char *bytes, size_t n)
{
	if (n <= sink->cap - sink->len)
	{
		memcpy(sink->buf + sink->len, bytes, n);
		sink->len += n;
	}
	else
		cm_jcs_put_slow(sink, bytes, n);
}

static inline void
cm_jcs_putc(CmJcsSink *sink, char c)
{
	if (sink->len == sink->cap)
		sink->drain(sink, 1);
	sink->buf[sink->len++] = c;
}

/* Writes s (len bytes of UTF-8) as a JCS string literal, quotes included. */
extern void cm_jcs_string(CmJcsSink *sink, const char *s, size_t len);

/*
 * Writes the number whose plain decimal text (as numeric_out prints it:
 * optional '-', digits, optional '.' and digits; NUL-terminated) is given,
 * converted to an IEEE double and laid out as ECMAScript's Number::toString
 * does.  Returns false, writing nothing, when the value is out of the double
 * range.
 */
extern bool cm_jcs_number(CmJcsSink *sink, const char *text);

/*
 * Same layout for a finite double (not -0 special: -0 prints "0").  Exposed
 * for the fuzzing harness.
 */
extern void cm_jcs_double(CmJcsSink *sink, double d);

/*
 * Compares two member keys (UTF-8) in the order JCS sorts them: by their
 * UTF-16 code units.  Returns <0, 0 or >0.
 */
extern int	cm_jcs_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

/*
 * The same order, answered inline when the keys' first bytes differ and
 * are both ASCII (whole characters, so byte order is UTF-16 order), which
 * is how most member names differ; sorting calls this.
 */
static inline int
cm_jcs_key_cmp_quick(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > 0 && blen > 0)
	{
		unsigned char ca = (unsigned char) a[0];
		unsigned char cb = (unsigned char) b[0];

		if (ca != cb && ca < 0x80 && cb < 0x80)
			return ca < cb ? -1 : 1;
	}
	return cm_jcs_key_cmp(a, alen, b, blen);
}

#endif							/* COMPMAP_JCS_CORE_H */
