/*-------------------------------------------------------------------------
 *
 * ingest_json.c
 *	  Helpers of the C mapping functions (src/ingest_sarif.c,
 *	  src/ingest_trivy.c, src/ingest_grype.c): reading jsonb in place as the
 *	  SQL's ->, ->>, -> n and #> read it, and the string functions of the
 *	  SQL helpers ingest_title(), ingest_cve_ids(), ingest_cwe_ids() and
 *	  ingest_urls() (src/sql/70_ingest.sql), each exactly equivalent to its
 *	  expression.
 *
 * The regular expressions of the SQL are hand-written matchers here.  They
 * work on bytes: in every server encoding a byte below 0x80 is the ASCII
 * character and never part of a multibyte one, and every pattern looks only
 * at ASCII.  The one class that depends on the locale, \s in the URL
 * pattern, is decided by PostgreSQL's regular expression engine whenever a
 * URL runs into a non-ASCII character and LC_CTYPE is not C.
 *
 * Memory: everything is allocated in the current memory context, which the
 * callers reset per result; the Str values returned point into the jsonb
 * being read or into that context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "regex/regex.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/pg_locale.h"
#include "utils/varlena.h"

#include "ingest_json.h"

/*
 * One step of #> with a key: an object's member, or when the value is an
 * array and the key an integer, its element; nothing through a scalar.
 */
Jv
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
Str
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

Str
get2_text(const Jv *j, const char *k1, const char *k2)
{
	Jv			v = jv_get(j, k1);
	Jv			w = jv_get(&v, k2);

	return jv_text(&w);
}

/* Str concatenation in the current memory context. */
Str
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

/*
 * btrim(s, chars) for a set of ASCII characters: bytes are enough, as the
 * bytes of a multibyte character are never ASCII.
 */
Str
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

/*
 * ingest_title(): first line of the text trimmed of blanks, at most
 * TITLE_MAX_CHARS characters (longer ones: 199 and an ellipsis); NULL when
 * empty.  That is
 *   nullif(btrim(split_part(btrim(x, E' \t\r\n'), E'\n', 1)), '')
 * then the cut, which counts characters.
 */
Str
ingest_title_of(IngestState *st, Str x)
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
int64
ingest_cwe_number(Str c)
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

void
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

void
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
void
ingest_find_cves(Str c, StrList *out)
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
void
ingest_find_urls(IngestState *st, Str x, StrList *out)
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

int
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
void
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

Datum
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

/* jsonb_strip_nulls() of a value, pushed into a jsonb being built */
void
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

/* The elements of an array as text (jsonb_array_elements_text), into a list */
void
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

/* Per-call state: the locale's ctype and the ellipsis in the database encoding. */
void
ingest_state_init(IngestState *st)
{
	char	   *ellipsis;

	st->ctype_is_c = lc_ctype_is_c(DEFAULT_COLLATION_OID);
	ellipsis = pg_any_to_server("\xe2\x80\xa6", 3, PG_UTF8);
	st->ellipsis = ellipsis;
	st->ellipsis_len = strlen(ellipsis);
}

/*
 * ingest_cve_ids() of the texts whose CVE ids ingest_find_cves() collected:
 * distinct, sorted by text in the database's default collation.
 */
Datum
ingest_cve_array(StrList *cves)
{
	strlist_distinct(cves);
	if (cves->n > 1)
		qsort(cves->items, cves->n, sizeof(StrItem), cmp_stritem_collated);
	return strlist_array(cves);
}

/*
 * ingest_urls() of the texts whose URLs ingest_find_urls() collected, in
 * order: distinct, each where it first appeared.
 */
Datum
ingest_url_array(StrList *urls)
{
	for (int i = 0; i < urls->n; i++)
		urls->items[i].seq = i;
	strlist_distinct(urls);
	if (urls->n > 1)
		qsort(urls->items, urls->n, sizeof(StrItem), cmp_stritem_seq);
	return strlist_array(urls);
}

/*
 * ingest_cwe_ids() of the numbers ingest_cwe_number() read (0 for none):
 * the positive ones, distinct and sorted, as CWE-n.
 */
Datum
ingest_cwe_array(Int64List *cwes)
{
	int			n = 0;
	Datum	   *d;

	if (cwes->n > 1)
		qsort(cwes->items, cwes->n, sizeof(int64), cmp_int64);
	d = palloc((cwes->n + 1) * sizeof(Datum));
	for (int i = 0; i < cwes->n; i++)
	{
		char		buf[32];

		if (cwes->items[i] <= 0 || (i > 0 && cwes->items[i] == cwes->items[i - 1]))
			continue;
		snprintf(buf, sizeof(buf), "CWE-" INT64_FORMAT, cwes->items[i]);
		d[n++] = CStringGetTextDatum(buf);
	}
	return PointerGetDatum(n == 0 ? construct_empty_array(TEXTOID)
						   : construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* a || b: NULL when either is */
Str
str_cat2(Str a, Str b)
{
	Str			parts[2] = {a, b};

	if (a.s == NULL || b.s == NULL)
		return NullStr;
	return str_cat(2, parts);
}

/*
 * concat_ws(sep, parts...): the parts that are not NULL joined by sep;
 * never NULL (all parts NULL give the empty string).
 */
Str
str_concat_ws(const char *sep, int n, const Str *parts)
{
	Str		   *use = palloc((2 * n + 1) * sizeof(Str));
	int			k = 0;

	for (int i = 0; i < n; i++)
	{
		if (parts[i].s == NULL)
			continue;
		if (k > 0)
			use[k++] = cstr(sep);
		use[k++] = parts[i];
	}
	if (k == 0)
		return cstr("");
	return str_cat(k, use);
}

/*
 * jsonb_strip_nulls(jsonb_build_object(key, value, ...)) for text values:
 * an object of the values that are not NULL, as JSON strings.
 */
Datum
ingest_text_object(int n, const char *const *keys, const Str *values)
{
	JsonbParseState *state = NULL;
	JsonbValue	k,
				v,
			   *res;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < n; i++)
	{
		if (values[i].s == NULL)
			continue;
		k.type = jbvString;
		k.val.string.val = (char *) keys[i];
		k.val.string.len = strlen(keys[i]);
		pushJsonbValue(&state, WJB_KEY, &k);
		v.type = jbvString;
		v.val.string.val = (char *) values[i].s;
		v.val.string.len = values[i].len;
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(res));
}
