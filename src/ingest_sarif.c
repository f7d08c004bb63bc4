/*-------------------------------------------------------------------------
 *
 * ingest_sarif.c
 *	  compmap.map_sarif(jsonb): a SARIF 2.1.0 log as rows of
 *	  compmap.ingest_record, one per result, runs in order and results in
 *	  order within each run.
 *
 * This is the SQL function compmap.map_sarif_reference() (in
 * src/sql/70_ingest.sql) done in one pass over jsonb's binary containers:
 * every field is looked up in place with getKeyJsonValueFromContainer() and
 * getIthJsonbValueFromContainer(); nothing but the values SQL's ->> would
 * turn into text (numbers, booleans, nested containers) is ever converted,
 * and no run or result is copied.  test/scripts/sarif_reference.sh checks
 * that both functions return the same rows for the fixtures and for
 * generated logs; keep the two in step.
 *
 * The SQL's semantics are kept to the letter, including its treatment of
 * unexpected types: a field is read the way ->, ->> and #> read it (a
 * string where an object is expected yields NULL; ->> of a number, boolean
 * or container yields its JSON text; -> 0 of a scalar yields the scalar).
 * The regular expressions of the SQL are hand-written matchers here, each
 * exactly equivalent to its expression (see each one).  They work on bytes:
 * in every server encoding a byte below 0x80 is the ASCII character and
 * never part of a multibyte one, and every pattern looks only at ASCII.
 * The one class that depends on the locale, \s in the URL pattern, is
 * decided by PostgreSQL's regular expression engine whenever a URL runs
 * into a non-ASCII character and LC_CTYPE is not C.
 *
 * Memory: what a run contributes (scanner name, rules by id) lives in a
 * context reset after the run; each result's values are built in a context
 * reset after its row went into the tuplestore.  Both are children of the
 * caller's context and deleted at the end.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/pg_locale.h"
#include "utils/varlena.h"

#include "compmap.h"

/* Columns of compmap.ingest_record. */
enum
{
	COL_SCANNER,
	COL_RULE_ID,
	COL_TITLE,
	COL_SCANNER_SEVERITY,
	COL_CVSS_VECTOR,
	COL_CVE_IDS,
	COL_CWE_IDS,
	COL_ASSET_KIND,
	COL_ASSET_NAME,
	COL_LOCATION,
	COL_DESCRIPTION,
	COL_REFERENCE_URLS,
	COL_FP_LOCATION,
	COL_FP_EXTRA,
	COL_SKIP,
	NUM_COLS
};

/* ingest_title: longer titles are cut to 199 characters and the ellipsis. */
#define TITLE_MAX_CHARS 200
/* Messages of one line up to this many characters are titles themselves. */
#define MESSAGE_TITLE_MAX_CHARS 160

/* A text value that may be SQL NULL (s == NULL); not NUL-terminated. */
typedef struct Str
{
	const char *s;
	int			len;
} Str;

static const Str NullStr = {NULL, 0};

/* A jsonb value that may be missing (SQL NULL); JSON null is present. */
typedef struct Jv
{
	bool		present;
	JsonbValue	v;
} Jv;

/* One rule of the id index: the id as ->> reads it, and the rule. */
typedef struct RuleEntry
{
	Str			id;
	int			seq;			/* later entries win, as in the SQL */
	JsonbValue	rule;
} RuleEntry;

/* What a run contributes to each of its results. */
typedef struct RunInfo
{
	Datum		scanner;
	Str			repository;
	Jv			artifacts;
	JsonbContainer *rules;		/* driver rules, if an array */
	JsonbContainer *extensions; /* tool.extensions, if an array */
	RuleEntry  *rule_index;		/* sorted by id, one entry per id */
	int			nrule_index;
} RunInfo;

/* Growable lists of strings and numbers for the identifier columns. */
typedef struct StrItem
{
	Str			str;
	int			seq;
} StrItem;

typedef struct StrList
{
	StrItem    *items;
	int			n;
	int			cap;
} StrList;

typedef struct Int64List
{
	int64	   *items;
	int			n;
	int			cap;
} Int64List;

/* Per-call state shared by the helpers. */
typedef struct SarifState
{
	bool		ctype_is_c;
	const char *ellipsis;		/* U+2026 in the database encoding */
	int			ellipsis_len;
} SarifState;


/* ---------------------------------------------------------------------
 * Reading values as ->, ->>, -> n and #> do
 * ---------------------------------------------------------------------
 */

static inline bool
jv_is_object(const Jv *j)
{
	return j->present && j->v.type == jbvBinary &&
		JsonContainerIsObject(j->v.val.binary.data);
}

static inline bool
jv_is_array(const Jv *j)
{
	return j->present && j->v.type == jbvBinary &&
		JsonContainerIsArray(j->v.val.binary.data);
}

/* j -> 'key': missing unless j is an object with that key. */
static Jv
jv_get(const Jv *j, const char *key)
{
	Jv			r;

	r.present = false;
	if (jv_is_object(j) &&
		getKeyJsonValueFromContainer(j->v.val.binary.data, key, strlen(key), &r.v) != NULL)
		r.present = true;
	return r;
}

/*
 * j -> n (n >= 0): the element of an array; a scalar, JSON null included,
 * acts as a one-element array (jsonb keeps a top-level scalar as one, and
 * jsonb_array_element() does not tell them apart).
 */
static Jv
jv_elem(const Jv *j, uint32 n)
{
	Jv			r;

	r.present = false;
	if (!j->present)
		return r;
	if (j->v.type == jbvBinary)
	{
		JsonbValue *e;

		if (!JsonContainerIsArray(j->v.val.binary.data))
			return r;
		e = getIthJsonbValueFromContainer(j->v.val.binary.data, n);
		if (e != NULL)
		{
			r.present = true;
			r.v = *e;
		}
	}
	else if (n == 0)
		r = *j;
	return r;
}

/*
 * One step of #> with a key: an object's member, or when the value is an
 * array and the key an integer, its element; nothing through a scalar.
 */
static Jv
jv_path_step(const Jv *j, const char *key)
{
	Jv			r;

	r.present = false;
	if (!j->present || j->v.type != jbvBinary)
		return r;
	if (JsonContainerIsObject(j->v.val.binary.data))
		return jv_get(j, key);
	else
	{
		char	   *end;
		long		i;

		errno = 0;
		i = strtol(key, &end, 10);
		if (end == key || *end != '\0' || errno != 0 || i < 0 || i > PG_INT32_MAX)
			return r;			/* only the literal keys below reach here */
		return jv_elem(j, (uint32) i);
	}
}

/* ->> : text of a scalar or of a container, NULL for missing and null. */
static Str
jv_text(const Jv *j)
{
	Str			r = NullStr;

	if (!j->present)
		return r;
	switch (j->v.type)
	{
		case jbvNull:
			break;
		case jbvString:
			r.s = j->v.val.string.val;
			r.len = j->v.val.string.len;
			break;
		case jbvNumeric:
			r.s = DatumGetCString(DirectFunctionCall1(numeric_out,
													  NumericGetDatum(j->v.val.numeric)));
			r.len = strlen(r.s);
			break;
		case jbvBool:
			r.s = j->v.val.boolean ? "true" : "false";
			r.len = strlen(r.s);
			break;
		case jbvBinary:
			r.s = JsonbToCString(NULL, j->v.val.binary.data, j->v.val.binary.len);
			r.len = strlen(r.s);
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) j->v.type);
	}
	return r;
}

/* Shorthands for chains of -> ending in ->>. */
static Str
get_text(const Jv *j, const char *key)
{
	Jv			v = jv_get(j, key);

	return jv_text(&v);
}

static Str
get2_text(const Jv *j, const char *k1, const char *k2)
{
	Jv			v = jv_get(j, k1);
	Jv			w = jv_get(&v, k2);

	return jv_text(&w);
}

static inline Str
coalesce_str(Str a, Str b)
{
	return a.s != NULL ? a : b;
}

static inline Str
cstr(const char *s)
{
	Str			r = {s, (int) strlen(s)};

	return r;
}

static inline bool
str_eq(Str a, const char *b)
{
	return a.s != NULL && a.len == (int) strlen(b) && memcmp(a.s, b, a.len) == 0;
}

static inline Datum
str_datum(Str a)
{
	return PointerGetDatum(cstring_to_text_with_len(a.s, a.len));
}

/* Str concatenation in the current memory context. */
static Str
str_cat(int n, const Str *parts)
{
	int			len = 0;
	char	   *buf;
	Str			r;

	for (int i = 0; i < n; i++)
		len += parts[i].len;
	buf = palloc(len + 1);
	r.s = buf;
	r.len = len;
	for (int i = 0; i < n; i++)
	{
		memcpy(buf, parts[i].s, parts[i].len);
		buf += parts[i].len;
	}
	*buf = '\0';
	return r;
}


/* ---------------------------------------------------------------------
 * The string functions and patterns of the SQL
 * ---------------------------------------------------------------------
 */

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_ascii_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/*
 * btrim(s, chars) for a set of ASCII characters: bytes are enough, as the
 * bytes of a multibyte character are never ASCII.
 */
static Str
str_btrim(Str a, const char *set)
{
	if (a.s == NULL)
		return a;
	while (a.len > 0 && strchr(set, a.s[0]) != NULL && a.s[0] != '\0')
	{
		a.s++;
		a.len--;
	}
	while (a.len > 0 && strchr(set, a.s[a.len - 1]) != NULL && a.s[a.len - 1] != '\0')
		a.len--;
	return a;
}

/* Does s contain "cwe" in any letter case (ILIKE '%cwe%', see below)? */
static bool
contains_cwe_ci(Str a)
{
	for (int i = 0; i + 3 <= a.len; i++)
		if (ascii_lower(a.s[i]) == 'c' && ascii_lower(a.s[i + 1]) == 'w' &&
			ascii_lower(a.s[i + 2]) == 'e')
			return true;
	return false;
}

/*
 * x ILIKE 'cwe' and x ILIKE '%cwe%': ILIKE compares lower(x) with the
 * pattern, and the only characters whose lower case is c, w or e are C, W
 * and E, in every locale; so these are ASCII case-insensitive tests.
 */
static bool
ilike_cwe(Str a)
{
	return a.s != NULL && a.len == 3 && contains_cwe_ci(a);
}

/*
 * ingest_title(): first line of the text trimmed of blanks, at most
 * TITLE_MAX_CHARS characters (longer ones: 199 and an ellipsis); NULL when
 * empty.  That is
 *   nullif(btrim(split_part(btrim(x, E' \t\r\n'), E'\n', 1)), '')
 * then the cut, which counts characters.
 */
static Str
title_of(SarifState *st, Str x)
{
	const char *nl;

	x = str_btrim(x, " \t\r\n");
	if (x.s == NULL)
		return x;
	nl = memchr(x.s, '\n', x.len);
	if (nl != NULL)
		x.len = nl - x.s;
	x = str_btrim(x, " ");
	if (x.len == 0)
		return NullStr;
	/* more than 200 characters needs more than 200 bytes */
	if (x.len > TITLE_MAX_CHARS && pg_mbstrlen_with_len(x.s, x.len) > TITLE_MAX_CHARS)
	{
		Str			parts[2];

		parts[0].s = x.s;
		parts[0].len = pg_mbcharcliplen(x.s, x.len, TITLE_MAX_CHARS - 1);
		parts[1].s = st->ellipsis;
		parts[1].len = st->ellipsis_len;
		return str_cat(2, parts);
	}
	return x;
}

/*
 * The band of a security-severity score, or NULL:
 *   CASE WHEN btrim(s) ~ '^[0-9]+(\.[0-9]+)?$' THEN
 *       CASE WHEN btrim(s)::numeric >= 9.0 THEN 'critical' ... END END
 * The pattern admits only plain decimals, so the comparisons need the
 * integer part without its leading zeros and whether the fraction is zero.
 */
static const char *
severity_band(Str s)
{
	int			i = 0,
				int_start,
				int_end;
	bool		frac_nonzero = false;

	s = str_btrim(s, " ");
	if (s.s == NULL)
		return NULL;
	while (i < s.len && is_digit(s.s[i]))
		i++;
	if (i == 0)
		return NULL;
	int_end = i;
	if (i < s.len)
	{
		if (s.s[i] != '.' || i + 1 >= s.len)
			return NULL;
		for (i++; i < s.len; i++)
		{
			if (!is_digit(s.s[i]))
				return NULL;
			if (s.s[i] != '0')
				frac_nonzero = true;
		}
	}
	int_start = 0;
	while (int_start < int_end - 1 && s.s[int_start] == '0')
		int_start++;
	if (int_end - int_start > 1)
		return "critical";		/* 10 or more */
	switch (s.s[int_start])
	{
		case '9':
			return "critical";
		case '7':
		case '8':
			return "high";
		case '4':
		case '5':
		case '6':
			return "medium";
		case '0':
			return frac_nonzero ? "low" : "none";
		default:
			return "low";
	}
}

/* x ~ '^[0-9]{1,9}$', and its value */
static bool
small_index(Str x, uint32 *out)
{
	uint32		v = 0;

	if (x.s == NULL || x.len < 1 || x.len > 9)
		return false;
	for (int i = 0; i < x.len; i++)
	{
		if (!is_digit(x.s[i]))
			return false;
		v = v * 10 + (x.s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * Length in bytes of the "http(s)://host" prefix of a URI, or 0:
 *   uri ~* '^https?://[^/?#]+', substring(uri, '(?i)^(https?://[^/?#]+)')
 * (the greedy run takes everything up to the first /, ? or #).
 */
static int
url_host_prefix(Str uri)
{
	int			i;

	if (uri.s == NULL || uri.len < 4)
		return 0;
	for (i = 0; i < 4; i++)
		if (ascii_lower(uri.s[i]) != "http"[i])
			return 0;
	if (i < uri.len && ascii_lower(uri.s[i]) == 's')
		i++;
	if (uri.len - i < 3 || memcmp(uri.s + i, "://", 3) != 0)
		return 0;
	i += 3;
	if (i >= uri.len || uri.s[i] == '/' || uri.s[i] == '?' || uri.s[i] == '#')
		return 0;
	while (i < uri.len && uri.s[i] != '/' && uri.s[i] != '?' && uri.s[i] != '#')
		i++;
	return i;
}

/*
 * The CWE number of one candidate, or 0 for none:
 *   substring(lower(btrim(c)), '(?:^|cwe[-_/: ]*)0*([0-9]{1,9})$')::bigint
 * The match ends at the end of the text, so its digits are the text's
 * whole trailing run of digits (what precedes them, the start or a
 * separator or the e of cwe, is no digit).  The pattern matches when that
 * run is not empty, has at most nine digits after its leading zeros, and
 * is the whole text or follows "cwe" and any of - _ / : and space; lower()
 * can only make c, w and e of C, W and E, so the test is ASCII
 * case-insensitive.  The value of the run is the same whatever the split
 * between 0* and the group.
 */
static int64
cwe_number(Str c)
{
	int			end,
				start,
				sig;
	int64		n = 0;

	c = str_btrim(c, " ");
	if (c.s == NULL)
		return 0;
	end = c.len;
	start = end;
	while (start > 0 && is_digit(c.s[start - 1]))
		start--;
	if (start == end)
		return 0;
	sig = start;
	while (sig < end && c.s[sig] == '0')
		sig++;
	if (end - sig > 9)
		return 0;
	if (start > 0)
	{
		int			p = start;

		while (p > 0 && strchr("-_/: ", c.s[p - 1]) != NULL)
			p--;
		if (p < 3 || ascii_lower(c.s[p - 3]) != 'c' || ascii_lower(c.s[p - 2]) != 'w' ||
			ascii_lower(c.s[p - 1]) != 'e')
			return 0;
	}
	for (int i = sig; i < end; i++)
		n = n * 10 + (c.s[i] - '0');
	return n;
}

static void
strlist_add(StrList *l, Str s)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = l->items ? repalloc(l->items, l->cap * sizeof(StrItem))
			: palloc(l->cap * sizeof(StrItem));
	}
	l->items[l->n].str = s;
	l->items[l->n].seq = l->n;
	l->n++;
}

static void
int64list_add(Int64List *l, int64 v)
{
	if (l->n == l->cap)
	{
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = l->items ? repalloc(l->items, l->cap * sizeof(int64))
			: palloc(l->cap * sizeof(int64));
	}
	l->items[l->n++] = v;
}

/*
 * Every CVE id in a text, upper case:
 *   regexp_matches(c, '(?:^|[^A-Za-z0-9])(cve-[0-9]{4}-[0-9]{4,})(?![0-9])', 'gi')
 * A match starts at the text's start or at a character other than an ASCII
 * letter or digit (in any locale: the class is ASCII, and case-insensitive
 * matching adds only the other case of each ASCII letter); the second group
 * of digits must be the whole run of digits there, since a shorter one is
 * followed by a digit.  The search goes on after the match, where ^ no
 * longer matches.
 */
static void
find_cves(Str c, StrList *out)
{
	int			pos = 0;

	if (c.s == NULL)
		return;
	while (pos < c.len)
	{
		int			p,
					q;
		bool		found = false;

		/* the smallest start p >= pos; the id begins at q */
		for (p = pos; p < c.len; p++)
		{
			if (p == 0 && ascii_lower(c.s[0]) == 'c')
				q = 0;
			else if (!is_ascii_alnum(c.s[p]))
				q = p + 1;
			else
				continue;
			/* "cve-" 4 digits "-" then 4 or more digits to the run's end */
			if (c.len - q >= 13 &&
				ascii_lower(c.s[q]) == 'c' && ascii_lower(c.s[q + 1]) == 'v' &&
				ascii_lower(c.s[q + 2]) == 'e' && c.s[q + 3] == '-' &&
				is_digit(c.s[q + 4]) && is_digit(c.s[q + 5]) &&
				is_digit(c.s[q + 6]) && is_digit(c.s[q + 7]) && c.s[q + 8] == '-')
			{
				int			e = q + 9;

				while (e < c.len && is_digit(c.s[e]))
					e++;
				if (e - (q + 9) >= 4)
				{
					char	   *id = palloc(e - q + 1);
					Str			found_id = {id, e - q};

					for (int i = 0; i < e - q; i++)
						id[i] = pg_ascii_toupper((unsigned char) c.s[q + i]);
					id[e - q] = '\0';
					strlist_add(out, found_id);
					pos = e;
					found = true;
					break;
				}
			}
		}
		if (!found)
			break;
	}
}

/*
 * The URLs of a text through PostgreSQL's regular expression engine, as
 * regexp_matches(x, '(https?://[^\s<>"]+)', 'g') finds them; used where
 * the locale decides what \s is.
 */
static void
find_urls_regex(Str x, StrList *out)
{
	static const char pattern[] = "(https?://[^\\s<>\"]+)";
	text	   *re_text = cstring_to_text(pattern);
	regex_t    *re = RE_compile_and_cache(re_text, REG_ADVANCED, DEFAULT_COLLATION_OID);
	pg_wchar   *wide = palloc((x.len + 1) * sizeof(pg_wchar));
	int			wlen = pg_mb2wchar_with_len(x.s, wide, x.len);
	int			start = 0;
	int			maxlen = pg_database_encoding_max_length();

	while (start <= wlen)
	{
		regmatch_t	m[2];
		int			rc;
		int			n;
		char	   *buf;

		rc = pg_regexec(re, wide, wlen, start, NULL, 2, m, 0);
		if (rc == REG_NOMATCH)
			break;
		if (rc != REG_OKAY)
		{
			char		msg[100];

			pg_regerror(rc, re, msg, sizeof(msg));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
					 errmsg("regular expression failed: %s", msg)));
		}
		n = m[1].rm_eo - m[1].rm_so;
		buf = palloc(n * maxlen + 1);
		{
			Str			url = {buf, pg_wchar2mb_with_len(wide + m[1].rm_so, buf, n)};

			strlist_add(out, url);
		}
		start = m[0].rm_eo > m[0].rm_so ? m[0].rm_eo : m[0].rm_eo + 1;
	}
}

/*
 * Every URL of a text, in order:
 *   regexp_matches(x, '(https?://[^\s<>"]+)', 'g')
 * A match is "http://" or "https://" (lower case) and the longest run of
 * at least one character that is not white space, <, > or ".  White space
 * is [[:space:]]: the ASCII blanks, and further characters where LC_CTYPE
 * is not C; a URL that reaches a non-ASCII character then goes to the
 * regular expression engine (the whole text, so that its matches are the
 * engine's).
 */
static void
find_urls(SarifState *st, Str x, StrList *out)
{
	int			pos = 0;
	int			first = out->n;

	if (x.s == NULL)
		return;
	while (pos + 8 <= x.len)
	{
		int			p,
					b = -1,
					e;

		for (p = pos; p + 8 <= x.len; p++)
		{
			if (x.s[p] != 'h' || memcmp(x.s + p, "http", 4) != 0)
				continue;
			b = p + 4;
			if (x.s[b] == 's')
				b++;
			if (x.len - b >= 4 && memcmp(x.s + b, "://", 3) == 0)
			{
				b += 3;
				break;
			}
			b = -1;
		}
		if (b < 0)
			break;
		for (e = b; e < x.len; e++)
		{
			unsigned char ch = (unsigned char) x.s[e];

			if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
				ch == '\f' || ch == '<' || ch == '>' || ch == '"')
				break;
			if (ch >= 0x80 && !st->ctype_is_c)
			{
				out->n = first;
				find_urls_regex(x, out);
				return;
			}
		}
		if (e == b)
		{
			pos = p + 1;		/* nothing after "://": no match here */
			continue;
		}
		{
			Str			url = {x.s + p, e - p};

			strlist_add(out, url);
		}
		pos = e;
	}
}

static int
cmp_str_bytes(Str a, Str b)
{
	int			r = memcmp(a.s, b.s, Min(a.len, b.len));

	if (r != 0)
		return r;
	return (a.len > b.len) - (a.len < b.len);
}

/* For distinct: bytes, then order of appearance. */
static int
cmp_stritem_bytes_seq(const void *a, const void *b)
{
	const StrItem *x = a,
			   *y = b;
	int			r = cmp_str_bytes(x->str, y->str);

	if (r != 0)
		return r;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int
cmp_stritem_seq(const void *a, const void *b)
{
	const StrItem *x = a,
			   *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* ORDER BY id: text in the database's default collation. */
static int
cmp_stritem_collated(const void *a, const void *b)
{
	const StrItem *x = a,
			   *y = b;

	return varstr_cmp(x->str.s, x->str.len, y->str.s, y->str.len, DEFAULT_COLLATION_OID);
}

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Drops repeated strings (bytewise), keeping the first of each. */
static void
strlist_distinct(StrList *l)
{
	int			n = 0;

	if (l->n < 2)
		return;
	qsort(l->items, l->n, sizeof(StrItem), cmp_stritem_bytes_seq);
	for (int i = 0; i < l->n; i++)
		if (n == 0 || cmp_str_bytes(l->items[n - 1].str, l->items[i].str) != 0)
			l->items[n++] = l->items[i];
	l->n = n;
}

static Datum
strlist_array(StrList *l)
{
	Datum	   *d;

	if (l->n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	d = palloc(l->n * sizeof(Datum));
	for (int i = 0; i < l->n; i++)
		d[i] = str_datum(l->items[i].str);
	return PointerGetDatum(construct_array(d, l->n, TEXTOID, -1, false, TYPALIGN_INT));
}


/* ---------------------------------------------------------------------
 * Runs and rules
 * ---------------------------------------------------------------------
 */

static int
cmp_rule_entry(const void *a, const void *b)
{
	const RuleEntry *x = a,
			   *y = b;
	int			r = cmp_str_bytes(x->id, y->id);

	if (r != 0)
		return r;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
rule_index_add(RuleEntry **entries, int *n, int *cap, JsonbValue *rule)
{
	Jv			r = {true, *rule};
	Str			id = get_text(&r, "id");

	if (id.s == NULL)
		return;
	if (*n == *cap)
	{
		*cap = *cap ? *cap * 2 : 16;
		*entries = *entries ? repalloc(*entries, *cap * sizeof(RuleEntry))
			: palloc(*cap * sizeof(RuleEntry));
	}
	(*entries)[*n].id = id;
	(*entries)[*n].seq = *n;
	(*entries)[*n].rule = *rule;
	(*n)++;
}

/*
 * The rules by id, as the SQL's jsonb_object_agg(r->>'id', r ORDER BY src
 * DESC, ...) builds them: extension rules first, then driver rules, each in
 * document order, the last rule of an id winning; so a driver rule wins
 * over an extension rule of the same id.
 */
static void
build_rule_index(RunInfo *run)
{
	RuleEntry  *entries = NULL;
	int			n = 0,
				cap = 0,
				kept = 0;

	if (run->extensions != NULL)
	{
		uint32		next = JsonContainerSize(run->extensions);

		for (uint32 e = 0; e < next; e++)
		{
			JsonbValue *ext = getIthJsonbValueFromContainer(run->extensions, e);
			Jv			extv = {true, *ext};
			Jv			rules = jv_get(&extv, "rules");

			if (jv_is_array(&rules))
			{
				JsonbContainer *rc = rules.v.val.binary.data;
				uint32		nr = JsonContainerSize(rc);

				for (uint32 i = 0; i < nr; i++)
					rule_index_add(&entries, &n, &cap, getIthJsonbValueFromContainer(rc, i));
			}
		}
	}
	if (run->rules != NULL)
	{
		uint32		nr = JsonContainerSize(run->rules);

		for (uint32 i = 0; i < nr; i++)
			rule_index_add(&entries, &n, &cap, getIthJsonbValueFromContainer(run->rules, i));
	}
	if (n > 1)
		qsort(entries, n, sizeof(RuleEntry), cmp_rule_entry);
	/* keep the last entry of each id */
	for (int i = 0; i < n; i++)
	{
		if (i + 1 < n && cmp_str_bytes(entries[i].id, entries[i + 1].id) == 0)
			continue;
		entries[kept++] = entries[i];
	}
	run->rule_index = entries;
	run->nrule_index = kept;
}

static Jv
rule_by_id(const RunInfo *run, Str id)
{
	Jv			r;
	int			lo = 0,
				hi = run->nrule_index - 1;

	r.present = false;
	if (id.s == NULL)
		return r;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = cmp_str_bytes(run->rule_index[mid].id, id);

		if (c == 0)
		{
			r.present = true;
			r.v = run->rule_index[mid].rule;
			return r;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return r;
}

/* The container of an array value, or NULL: the SQL's "if array else '[]'" */
static JsonbContainer *
array_or_null(const Jv *j)
{
	return jv_is_array(j) ? j->v.val.binary.data : NULL;
}

static void
read_run(RunInfo *run, const Jv *runv)
{
	Jv			tool = jv_path_step(runv, "tool");
	Jv			driver = jv_path_step(&tool, "driver");
	Jv			name = jv_path_step(&driver, "name");
	Jv			rules = jv_path_step(&driver, "rules");
	Jv			extensions = jv_path_step(&tool, "extensions");
	Jv			vcp = jv_path_step(runv, "versionControlProvenance");
	Jv			vcp0 = jv_path_step(&vcp, "0");
	Jv			repo = jv_path_step(&vcp0, "repositoryUri");
	Str			scanner = str_btrim(jv_text(&name), " ");

	/* lower(coalesce(nullif(btrim(name), ''), 'sarif')) */
	if (scanner.s == NULL || scanner.len == 0)
		scanner = cstr("sarif");
	run->scanner = DirectFunctionCall1Coll(lower, DEFAULT_COLLATION_OID, str_datum(scanner));
	run->repository = jv_text(&repo);
	if (run->repository.s != NULL && run->repository.len == 0)
		run->repository = NullStr;
	run->artifacts = jv_path_step(runv, "artifacts");
	run->rules = array_or_null(&rules);
	run->extensions = array_or_null(&extensions);
	build_rule_index(run);
}


/* ---------------------------------------------------------------------
 * One result
 * ---------------------------------------------------------------------
 */

/*
 * The merged properties (rule properties || result properties) read by
 * key: an object only when both sides are objects (a missing side counts
 * as {}); the result's key wins.  Any other jsonb || gives an array, where
 * ->> of a key is NULL.
 */
typedef struct Props
{
	bool		is_object;
	Jv			rule;
	Jv			res;
} Props;

static Jv
props_get(const Props *p, const char *key)
{
	Jv			v;

	v.present = false;
	if (!p->is_object)
		return v;
	v = jv_get(&p->res, key);
	if (!v.present)
		v = jv_get(&p->rule, key);
	return v;
}

static Str
props_text(const Props *p, const char *key)
{
	Jv			v = props_get(p, key);

	return jv_text(&v);
}

/* left(s, 1): the first character */
static Str
first_char(Str s)
{
	if (s.s != NULL && s.len > 0)
		s.len = pg_mblen(s.s);
	return s;
}

/*
 * The cvss_vector column: the first of the vector properties, else one
 * built from dependency-check's metric properties when all of them are
 * there (the || of a NULL makes the SQL's vector NULL otherwise).
 */
static Str
cvss_vector(const Props *p)
{
	static const char *const names[] = {"cvssv4_vector", "cvssv3_vector", "cvss_vector", "cvssV3_vector"};
	static const char *const metrics[][2] = {
		{"/AV:", "cvssv3_attackVector"},
		{"/AC:", "cvssv3_attackComplexity"},
		{"/PR:", "cvssv3_privilegesRequired"},
		{"/UI:", "cvssv3_userInteraction"},
		{"/S:", "cvssv3_scope"},
		{"/C:", "cvssv3_confidentialityImpact"},
		{"/I:", "cvssv3_integrityImpact"},
		{"/A:", "cvssv3_availabilityImpact"},
	};
	Str			parts[2 + 2 * lengthof(metrics)];

	if (!p->is_object)
		return NullStr;
	for (int i = 0; i < (int) lengthof(names); i++)
	{
		Str			v = props_text(p, names[i]);

		if (v.s != NULL)
			return v;
	}
	parts[0] = cstr("CVSS:");
	parts[1] = coalesce_str(props_text(p, "cvssv3_version"), cstr("3.1"));
	for (int i = 0; i < (int) lengthof(metrics); i++)
	{
		Str			v = props_text(p, metrics[i][1]);

		if (v.s == NULL)
			return NullStr;
		parts[2 + 2 * i] = cstr(metrics[i][0]);
		parts[3 + 2 * i] = first_char(v);
	}
	return str_cat(lengthof(parts), parts);
}

/* jsonb_strip_nulls() of a value, pushed into a jsonb being built */
static void
push_stripped(JsonbParseState **state, JsonbValue *v)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	cur;

	if (v->type != jbvBinary)
	{
		pushJsonbValue(state, WJB_VALUE, v);
		return;
	}
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &cur, false)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			JsonbValue	key = cur;

			tok = JsonbIteratorNext(&it, &cur, false);
			if (tok == WJB_VALUE && cur.type == jbvNull)
				continue;
			pushJsonbValue(state, WJB_KEY, &key);
		}
		pushJsonbValue(state, tok, (tok == WJB_VALUE || tok == WJB_ELEM) ? &cur : NULL);
	}
}

/*
 * fp_extra: jsonb_strip_nulls(jsonb_build_object('fingerprints', given,
 * 'logical', logical)).
 */
static Datum
fp_extra(const Jv *given_fp, Str logical)
{
	JsonbParseState *state = NULL;
	JsonbValue	k,
				v,
			   *res;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (given_fp->present && given_fp->v.type != jbvNull)
	{
		JsonbValue	fp = given_fp->v;

		k.type = jbvString;
		k.val.string.val = (char *) "fingerprints";
		k.val.string.len = strlen("fingerprints");
		pushJsonbValue(&state, WJB_KEY, &k);
		push_stripped(&state, &fp);
	}
	if (logical.s != NULL)
	{
		k.type = jbvString;
		k.val.string.val = (char *) "logical";
		k.val.string.len = strlen("logical");
		pushJsonbValue(&state, WJB_KEY, &k);
		v.type = jbvString;
		v.val.string.val = (char *) logical.s;
		v.val.string.len = logical.len;
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(res));
}

/* The elements of an array as text (jsonb_array_elements_text), into a list */
static void
array_texts(JsonbContainer *arr, StrList *out)
{
	uint32		n;

	if (arr == NULL)
		return;
	n = JsonContainerSize(arr);
	for (uint32 i = 0; i < n; i++)
	{
		Jv			e = {true, *getIthJsonbValueFromContainer(arr, i)};

		strlist_add(out, jv_text(&e));
	}
}

/* nullif(v, '{}') */
static bool
is_empty_object(const Jv *j)
{
	return jv_is_object(j) && JsonContainerSize(j->v.val.binary.data) == 0;
}

static void
map_result(SarifState *st, const RunInfo *run, const Jv *res, Datum *values, bool *nulls)
{
	Jv			res_rule = jv_get(res, "rule");
	Str			res_rule_id = coalesce_str(get_text(res, "ruleId"), get_text(&res_rule, "id"));
	Str			rule_index_txt = coalesce_str(get_text(res, "ruleIndex"), get_text(&res_rule, "index"));
	Jv			rule = {false};
	uint32		ri,
				ci;
	Str			rid,
				kind,
				uri,
				line,
				logical,
				message,
				title,
				sev,
				loc_text;
	Jv			locations,
				loc,
				phys,
				artloc,
				logicals,
				logical0,
				given_fp,
				res_props,
				rule_props,
				tags,
				refs,
				taxa,
				rels;
	Props		props;
	StrList		cand = {0},
				cves = {0},
				urls = {0};
	Int64List	cwes = {0};
	int			host_len;

	/* the rule: by index (driver, or the extension named), else by id */
	if (small_index(rule_index_txt, &ri))
	{
		Str			ci_txt;
		Jv			tc = jv_get(&res_rule, "toolComponent");

		ci_txt = get_text(&tc, "index");
		if (small_index(ci_txt, &ci))
		{
			Jv			exts = {false},
						ext,
						ext_rules;

			if (run->extensions != NULL)
			{
				exts.present = true;
				exts.v.type = jbvBinary;
				exts.v.val.binary.data = run->extensions;
				exts.v.val.binary.len = 0;	/* not read */
			}
			ext = jv_elem(&exts, ci);
			ext_rules = jv_get(&ext, "rules");
			rule = jv_elem(&ext_rules, ri);
		}
		else if (run->rules != NULL)
		{
			JsonbValue *r = getIthJsonbValueFromContainer(run->rules, ri);

			if (r != NULL)
			{
				rule.present = true;
				rule.v = *r;
			}
		}
	}
	if (!rule.present)
		rule = rule_by_id(run, res_rule_id);

	rid = coalesce_str(res_rule_id, get_text(&rule, "id"));
	kind = coalesce_str(get_text(res, "kind"), cstr("fail"));

	/* the first location */
	locations = jv_get(res, "locations");
	loc = jv_elem(&locations, 0);
	phys = jv_get(&loc, "physicalLocation");
	artloc = jv_get(&phys, "artifactLocation");
	uri = get_text(&artloc, "uri");
	if (uri.s == NULL)
	{
		uint32		ai;

		if (small_index(get_text(&artloc, "index"), &ai))
		{
			Jv			art = jv_elem(&run->artifacts, ai);

			uri = get2_text(&art, "location", "uri");
		}
	}
	{
		Jv			region = jv_get(&phys, "region");

		line = get_text(&region, "startLine");
	}
	logicals = jv_get(&loc, "logicalLocations");
	logical0 = jv_elem(&logicals, 0);
	logical = coalesce_str(get_text(&logical0, "fullyQualifiedName"), get_text(&logical0, "name"));

	/* fingerprints given by the scanner, unless missing or {} */
	given_fp = jv_get(res, "fingerprints");
	if (!given_fp.present || is_empty_object(&given_fp))
	{
		given_fp = jv_get(res, "partialFingerprints");
		if (is_empty_object(&given_fp))
			given_fp.present = false;
	}

	{
		Jv			msg = jv_get(res, "message");

		message = coalesce_str(get_text(&msg, "text"), get_text(&msg, "markdown"));
	}

	res_props = jv_get(res, "properties");
	rule_props = jv_get(&rule, "properties");
	props.rule = rule_props;
	props.res = res_props;
	props.is_object = (!rule_props.present || jv_is_object(&rule_props)) &&
		(!res_props.present || jv_is_object(&res_props));

	values[COL_SCANNER] = run->scanner;
	if (rid.s != NULL)
		values[COL_RULE_ID] = str_datum(rid);
	else
		nulls[COL_RULE_ID] = true;

	/*
	 * title: the message when it is one line of at most 160 characters
	 * (strpos(btrim(message, E' \t\r\n'), E'\n') = 0 AND length(message) <=
	 * 160), else the rule's short description, name, the message's first
	 * line, the rule id.
	 */
	title = NullStr;
	if (message.s != NULL)
	{
		Str			tm = str_btrim(message, " \t\r\n");

		if (memchr(tm.s, '\n', tm.len) == NULL &&
			(message.len <= MESSAGE_TITLE_MAX_CHARS ||
			 pg_mbstrlen_with_len(message.s, message.len) <= MESSAGE_TITLE_MAX_CHARS))
			title = title_of(st, message);
	}
	if (title.s == NULL)
	{
		Jv			sd = jv_get(&rule, "shortDescription");

		title = title_of(st, get_text(&sd, "text"));
	}
	if (title.s == NULL)
		title = title_of(st, get_text(&rule, "name"));
	if (title.s == NULL)
		title = title_of(st, message);
	if (title.s == NULL)
		title = coalesce_str(rid, cstr("SARIF result"));
	values[COL_TITLE] = str_datum(title);

	/* scanner_severity */
	{
		const char *band = severity_band(coalesce_str(get2_text(res, "properties", "security-severity"),
													  get2_text(&rule, "properties", "security-severity")));

		if (band != NULL)
			sev = cstr(band);
		else
		{
			Jv			dc = jv_get(&rule, "defaultConfiguration");

			sev = coalesce_str(get_text(res, "level"), get_text(&dc, "level"));
			if (sev.s == NULL)
				sev = cstr(str_eq(kind, "fail") ? "warning" : "none");
		}
		values[COL_SCANNER_SEVERITY] = str_datum(sev);
	}

	{
		Str			v = cvss_vector(&props);

		if (v.s != NULL)
			values[COL_CVSS_VECTOR] = str_datum(v);
		else
			nulls[COL_CVSS_VECTOR] = true;
	}

	/* tags: properties.tags when an array */
	tags = props_get(&props, "tags");
	refs = props_get(&props, "references");

	/* cve_ids: the rule id, rule name, descriptions and tags */
	strlist_add(&cand, rid);
	strlist_add(&cand, get_text(&rule, "name"));
	{
		Jv			sd = jv_get(&rule, "shortDescription");
		Jv			fd = jv_get(&rule, "fullDescription");

		strlist_add(&cand, get_text(&sd, "text"));
		strlist_add(&cand, get_text(&fd, "text"));
	}
	array_texts(array_or_null(&tags), &cand);
	for (int i = 0; i < cand.n; i++)
		find_cves(cand.items[i].str, &cves);
	strlist_distinct(&cves);
	if (cves.n > 1)
		qsort(cves.items, cves.n, sizeof(StrItem), cmp_stritem_collated);
	values[COL_CVE_IDS] = strlist_array(&cves);

	/*
	 * cwe_ids: taxa of a component named cwe (any case), rule relationships
	 * whose target's component is cwe, tags that mention cwe.
	 */
	taxa = jv_get(res, "taxa");
	if (jv_is_array(&taxa))
	{
		JsonbContainer *c = taxa.v.val.binary.data;
		uint32		n = JsonContainerSize(c);

		for (uint32 i = 0; i < n; i++)
		{
			Jv			x = {true, *getIthJsonbValueFromContainer(c, i)};
			Jv			tc = jv_get(&x, "toolComponent");

			if (ilike_cwe(get_text(&tc, "name")))
				int64list_add(&cwes, cwe_number(get_text(&x, "id")));
		}
	}
	rels = jv_get(&rule, "relationships");
	if (jv_is_array(&rels))
	{
		JsonbContainer *c = rels.v.val.binary.data;
		uint32		n = JsonContainerSize(c);

		for (uint32 i = 0; i < n; i++)
		{
			Jv			rel = {true, *getIthJsonbValueFromContainer(c, i)};
			Jv			target = jv_get(&rel, "target");
			Jv			tc = jv_get(&target, "toolComponent");

			if (ilike_cwe(get_text(&tc, "name")))
				int64list_add(&cwes, cwe_number(get_text(&target, "id")));
		}
	}
	/* the tags are the candidates after the first four */
	for (int i = 4; i < cand.n; i++)
		if (cand.items[i].str.s != NULL && contains_cwe_ci(cand.items[i].str))
			int64list_add(&cwes, cwe_number(cand.items[i].str));
	{
		int			n = 0;
		Datum	   *d;

		if (cwes.n > 1)
			qsort(cwes.items, cwes.n, sizeof(int64), cmp_int64);
		d = palloc((cwes.n + 1) * sizeof(Datum));
		for (int i = 0; i < cwes.n; i++)
		{
			char		buf[32];

			if (cwes.items[i] <= 0 || (i > 0 && cwes.items[i] == cwes.items[i - 1]))
				continue;
			snprintf(buf, sizeof(buf), "CWE-" INT64_FORMAT, cwes.items[i]);
			d[n++] = CStringGetTextDatum(buf);
		}
		values[COL_CWE_IDS] = PointerGetDatum(n == 0 ? construct_empty_array(TEXTOID)
											  : construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
	}

	/* asset: package, repository, url host or file */
	host_len = url_host_prefix(uri);
	if (logical.s != NULL && logical.len >= 4 && memcmp(logical.s, "pkg:", 4) == 0)
	{
		values[COL_ASSET_KIND] = CStringGetTextDatum("package");
		values[COL_ASSET_NAME] = str_datum(logical);
	}
	else if (run->repository.s != NULL)
	{
		values[COL_ASSET_KIND] = CStringGetTextDatum("repository");
		values[COL_ASSET_NAME] = str_datum(run->repository);
	}
	else if (host_len > 0)
	{
		Str			host = {uri.s, host_len};

		values[COL_ASSET_KIND] = CStringGetTextDatum("url");
		values[COL_ASSET_NAME] = str_datum(host);
	}
	else if (uri.s != NULL)
	{
		values[COL_ASSET_KIND] = CStringGetTextDatum("file");
		values[COL_ASSET_NAME] = str_datum(uri);
	}
	else
	{
		nulls[COL_ASSET_KIND] = true;
		nulls[COL_ASSET_NAME] = true;
	}

	/* location: uri:line, else the logical location */
	if (uri.s != NULL)
	{
		if (line.s != NULL)
		{
			Str			parts[3] = {uri, {":", 1}, line};

			loc_text = str_cat(3, parts);
		}
		else
			loc_text = uri;
	}
	else
		loc_text = logical;
	if (loc_text.s != NULL)
		values[COL_LOCATION] = str_datum(loc_text);
	else
		nulls[COL_LOCATION] = true;

	{
		Jv			fd = jv_get(&rule, "fullDescription");
		Str			d = coalesce_str(message, get_text(&fd, "text"));

		if (d.s != NULL)
			values[COL_DESCRIPTION] = str_datum(d);
		else
			nulls[COL_DESCRIPTION] = true;
	}

	/* reference_urls: helpUri, then properties.references */
	find_urls(st, get_text(&rule, "helpUri"), &urls);
	{
		StrList		ref_texts = {0};

		array_texts(array_or_null(&refs), &ref_texts);
		for (int i = 0; i < ref_texts.n; i++)
			find_urls(st, ref_texts.items[i].str, &urls);
	}
	for (int i = 0; i < urls.n; i++)
		urls.items[i].seq = i;
	strlist_distinct(&urls);
	if (urls.n > 1)
		qsort(urls.items, urls.n, sizeof(StrItem), cmp_stritem_seq);
	values[COL_REFERENCE_URLS] = strlist_array(&urls);

	/* fp_location: uri:line, or just the uri when fingerprints are given */
	{
		Str			fpl = given_fp.present ? uri : loc_text;

		if (fpl.s != NULL)
			values[COL_FP_LOCATION] = str_datum(fpl);
		else
			nulls[COL_FP_LOCATION] = true;
	}
	values[COL_FP_EXTRA] = fp_extra(&given_fp, logical);
	values[COL_SKIP] = BoolGetDatum(str_eq(kind, "pass") || str_eq(kind, "notApplicable"));
}


/*
 * compmap.map_sarif(document jsonb) RETURNS SETOF compmap.ingest_record
 */
PG_FUNCTION_INFO_V1(compmap_map_sarif);
Datum
compmap_map_sarif(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SarifState	st;
	Jv			root,
				runs;
	uint32		nruns;
	MemoryContext run_cxt,
				row_cxt,
				old;
	char	   *ellipsis;

	InitMaterializedSRF(fcinfo, 0);

	/* the runs: none unless the document is an object */
	if (!JB_ROOT_IS_OBJECT(doc))
		return (Datum) 0;
	root.present = true;
	root.v.type = jbvBinary;
	root.v.val.binary.data = &doc->root;
	root.v.val.binary.len = VARSIZE(doc) - VARHDRSZ;
	runs = jv_get(&root, "runs");
	if (!runs.present)
		return (Datum) 0;
	/* as jsonb_array_length(document->'runs') fails */
	if (runs.v.type != jbvBinary)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot get array length of a scalar")));
	if (!JsonContainerIsArray(runs.v.val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot get array length of a non-array")));

	st.ctype_is_c = lc_ctype_is_c(DEFAULT_COLLATION_OID);
	ellipsis = pg_any_to_server("\xe2\x80\xa6", 3, PG_UTF8);
	st.ellipsis = ellipsis;
	st.ellipsis_len = strlen(ellipsis);

	run_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_sarif run",
									ALLOCSET_DEFAULT_SIZES);
	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "map_sarif result",
									ALLOCSET_DEFAULT_SIZES);
	nruns = JsonContainerSize(runs.v.val.binary.data);
	for (uint32 k = 0; k < nruns; k++)
	{
		RunInfo		run;
		Jv			runv,
					results;
		JsonbContainer *rc;
		uint32		nresults;

		old = MemoryContextSwitchTo(run_cxt);
		runv = jv_elem(&runs, k);
		memset(&run, 0, sizeof(run));
		read_run(&run, &runv);
		results = jv_path_step(&runv, "results");
		rc = array_or_null(&results);
		nresults = rc != NULL ? JsonContainerSize(rc) : 0;
		MemoryContextSwitchTo(old);

		for (uint32 i = 0; i < nresults; i++)
		{
			Datum		values[NUM_COLS];
			bool		nulls[NUM_COLS];
			Jv			res;

			CHECK_FOR_INTERRUPTS();
			old = MemoryContextSwitchTo(row_cxt);
			memset(nulls, 0, sizeof(nulls));
			res.present = true;
			res.v = *getIthJsonbValueFromContainer(rc, i);
			map_result(&st, &run, &res, values, nulls);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			MemoryContextSwitchTo(old);
			MemoryContextReset(row_cxt);
		}
		MemoryContextReset(run_cxt);
	}
	MemoryContextDelete(row_cxt);
	MemoryContextDelete(run_cxt);
	return (Datum) 0;
}
