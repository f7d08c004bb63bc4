/*-------------------------------------------------------------------------
 *
 * ingest_json.h
 *	  What the C mapping functions (map_sarif, map_trivy, map_grype) share:
 *	  the columns of compmap.ingest_record, reading jsonb in place as ->,
 *	  ->>, -> n and #> read it, and the string functions of the SQL helpers
 *	  ingest_title, ingest_cve_ids, ingest_cwe_ids and ingest_urls
 *	  (src/ingest_json.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_INGEST_JSON_H
#define COMPMAP_INGEST_JSON_H

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

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
typedef struct IngestState
{
	bool		ctype_is_c;
	const char *ellipsis;		/* U+2026 in the database encoding */
	int			ellipsis_len;
} IngestState;

/* Reading values (ingest_json.c) */
extern Jv	jv_path_step(const Jv *j, const char *key);
extern Str	jv_text(const Jv *j);
extern Str	get2_text(const Jv *j, const char *k1, const char *k2);
extern void array_texts(JsonbContainer *arr, StrList *out);

/* Strings and lists */
extern Str	str_cat(int n, const Str *parts);
extern Str	str_btrim(Str a, const char *set);
extern Str	str_cat2(Str a, Str b);
extern Str	str_concat_ws(const char *sep, int n, const Str *parts);
extern int	cmp_str_bytes(Str a, Str b);
extern void strlist_add(StrList *l, Str s);
extern void int64list_add(Int64List *l, int64 v);
extern void strlist_distinct(StrList *l);
extern Datum strlist_array(StrList *l);

/* The SQL helpers' string functions */
extern void ingest_state_init(IngestState *st);
extern Str	ingest_title_of(IngestState *st, Str x);
extern int64 ingest_cwe_number(Str c);
extern void ingest_find_cves(Str c, StrList *out);
extern void ingest_find_urls(IngestState *st, Str x, StrList *out);
extern Datum ingest_cve_array(StrList *cves);
extern Datum ingest_url_array(StrList *urls);
extern Datum ingest_cwe_array(Int64List *cwes);

/* jsonb building */
extern void push_stripped(JsonbParseState **state, JsonbValue *v);
extern Datum ingest_text_object(int n, const char *const *keys, const Str *values);


/* Small readers and string tests, inline for the per-result paths. */

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
static inline Jv
jv_get(const Jv *j, const char *key)
{
	Jv			r = {false};	/* all of it, for the compiler's sake */

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
static inline Jv
jv_elem(const Jv *j, uint32 n)
{
	Jv			r = {false};	/* all of it, for the compiler's sake */

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

/* j -> key for a key given as text; missing when the key is NULL. */
static inline Jv
jv_get_str(const Jv *j, Str key)
{
	Jv			r = {false};	/* all of it, for the compiler's sake */

	if (key.s != NULL && jv_is_object(j) &&
		getKeyJsonValueFromContainer(j->v.val.binary.data, key.s, key.len, &r.v) != NULL)
		r.present = true;
	return r;
}

/* Shorthands for chains of -> ending in ->>. */
static inline Str
get_text(const Jv *j, const char *key)
{
	Jv			v = jv_get(j, key);

	return jv_text(&v);
}

/* nullif(x, '') */
static inline Str
str_nullif_empty(Str x)
{
	return (x.s != NULL && x.len > 0) ? x : NullStr;
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

/* A text column's value, or its null flag for a NULL */
static inline void
set_text(Datum *values, bool *nulls, int col, Str s)
{
	if (s.s != NULL)
		values[col] = str_datum(s);
	else
		nulls[col] = true;
}

/* The container of an array value, or NULL: the SQL's "if array else '[]'" */
static inline JsonbContainer *
array_or_null(const Jv *j)
{
	return jv_is_array(j) ? j->v.val.binary.data : NULL;
}

#endif							/* COMPMAP_INGEST_JSON_H */
