/*-------------------------------------------------------------------------
 *
 * cvss.c
 *	  The compmap.cvss base type: a validated, normalised CVSS v3.0, v3.1 or
 *	  v4.0 vector, and its scores.
 *
 * Storage: a varlena holding the normalised vector text (the type's output
 * form), so output is a copy and equality, ordering and hashing work on the
 * bytes of the normalised text.  Ordering is plain byte order (what the C
 * collation gives for text); it exists for btree indexes, DISTINCT and
 * merge joins, not as a severity order: sort by compmap_cvss_score() for that.
 *
 * Normalisation (docs/cvss.md):
 *	- leading and trailing white space is removed;
 *	- v3.x metrics may come in any order and are put in the specification's
 *	  order (base, temporal, environmental); v4.0 fixes the order and any
 *	  other order is rejected;
 *	- metrics given explicitly as "X" (Not Defined) are kept as given, so
 *	  "E:X" is part of the stored vector and compares unequal to the same
 *	  vector without it.  Scores treat "X" exactly like an absent metric.
 *
 * Scores are computed on demand by re-parsing the stored text; parsing is a
 * single pass over at most a few hundred bytes.
 *	- v3.0/v3.1: the specification's formulas (v3.1 section 7 and Appendix A
 *	  Roundup; v3.0 section 8 with its ceiling-based round up).
 *	- v4.0: the MacroVector lookup table and the severity-distance
 *	  interpolation of FIRST's reference calculator, computed exactly in
 *	  integer arithmetic (see compmap_cvss4_score for why this equals the
 *	  reference's floating-point result rounded half up after adding 1e-6).
 *
 * Locking: none.  Memory: results are palloc'd in the caller's context;
 * nothing is cached.
 *
 * Errors raised: 22P02 (invalid_text_representation) for any malformed
 * vector, with a message naming the offending metric; 22P03
 * (invalid_binary_representation) is never raised: binary input is parsed
 * like text input and fails with 22P02.
 *
 * IDENTIFICATION
 *	  src/cvss.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

/* Metric groups, for "which score" decisions and messages. */
#define CG_BASE			0
#define CG_TEMPORAL		1		/* v3.x temporal, v4.0 threat */
#define CG_ENV			2
#define CG_SUPPLEMENTAL 3

typedef struct CompmapCvssMetric
{
	const char *name;
	uint8		group;
	const char *const *values;	/* NULL-terminated; "X" first if allowed */
} CompmapCvssMetric;

typedef enum CompmapCvssVersion
{
	CVSS_V30,
	CVSS_V31,
	CVSS_V40
} CompmapCvssVersion;

#define CVSS_MAX_METRICS 32

/*
 * A parsed vector: v[i] is 0 when metric i is absent, else 1 + the index of
 * its value in the metric's value list.
 */
typedef struct CompmapCvss
{
	CompmapCvssVersion version;
	const CompmapCvssMetric *metrics;
	int			nmetrics;
	uint8		v[CVSS_MAX_METRICS];
} CompmapCvss;

/*
 * Value lists.  The order of values in each list is what the weight and
 * level tables below are indexed by; a modified metric's list is "X"
 * followed by its base metric's list, so modified index k means base
 * index k - 1.
 */
static const char *const v_nalp[] = {"N", "A", "L", "P", NULL};
static const char *const v_lh[] = {"L", "H", NULL};
static const char *const v_nlh[] = {"N", "L", "H", NULL};
static const char *const v_nr[] = {"N", "R", NULL};
static const char *const v_uc[] = {"U", "C", NULL};
static const char *const v_hln[] = {"H", "L", "N", NULL};
static const char *const v_np[] = {"N", "P", NULL};
static const char *const v_npa[] = {"N", "P", "A", NULL};
static const char *const v_x_nalp[] = {"X", "N", "A", "L", "P", NULL};
static const char *const v_x_lh[] = {"X", "L", "H", NULL};
static const char *const v_x_nlh[] = {"X", "N", "L", "H", NULL};
static const char *const v_x_nr[] = {"X", "N", "R", NULL};
static const char *const v_x_uc[] = {"X", "U", "C", NULL};
static const char *const v_x_hln[] = {"X", "H", "L", "N", NULL};
static const char *const v_x_np[] = {"X", "N", "P", NULL};
static const char *const v_x_npa[] = {"X", "N", "P", "A", NULL};
static const char *const v_x_shln[] = {"X", "S", "H", "L", "N", NULL};

/* v3.x only */
static const char *const v3_e[] = {"X", "U", "P", "F", "H", NULL};
static const char *const v3_rl[] = {"X", "O", "T", "W", "U", NULL};
static const char *const v3_rc[] = {"X", "U", "R", "C", NULL};
static const char *const v3_req[] = {"X", "L", "M", "H", NULL};

/* v4.0 only */
static const char *const v4_e[] = {"X", "A", "P", "U", NULL};
static const char *const v4_req[] = {"X", "H", "M", "L", NULL};
static const char *const v4_au[] = {"X", "N", "Y", NULL};
static const char *const v4_r[] = {"X", "A", "U", "I", NULL};
static const char *const v4_v[] = {"X", "D", "C", NULL};
static const char *const v4_re[] = {"X", "L", "M", "H", NULL};
static const char *const v4_u[] = {"X", "Clear", "Green", "Amber", "Red", NULL};

/*
 * CVSS v3.0 and v3.1 metrics in specification order (v3.1 specification,
 * section 6, "Vector String").  Both versions share names and values.
 */
enum
{
	V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A,
	V3_E, V3_RL, V3_RC,
	V3_CR, V3_IR, V3_AR, V3_MAV, V3_MAC, V3_MPR, V3_MUI, V3_MS, V3_MC, V3_MI, V3_MA,
	V3_NMETRICS
};

static const CompmapCvssMetric compmap_cvss3_metrics[V3_NMETRICS] = {
	{"AV", CG_BASE, v_nalp},
	{"AC", CG_BASE, v_lh},
	{"PR", CG_BASE, v_nlh},
	{"UI", CG_BASE, v_nr},
	{"S", CG_BASE, v_uc},
	{"C", CG_BASE, v_hln},
	{"I", CG_BASE, v_hln},
	{"A", CG_BASE, v_hln},
	{"E", CG_TEMPORAL, v3_e},
	{"RL", CG_TEMPORAL, v3_rl},
	{"RC", CG_TEMPORAL, v3_rc},
	{"CR", CG_ENV, v3_req},
	{"IR", CG_ENV, v3_req},
	{"AR", CG_ENV, v3_req},
	{"MAV", CG_ENV, v_x_nalp},
	{"MAC", CG_ENV, v_x_lh},
	{"MPR", CG_ENV, v_x_nlh},
	{"MUI", CG_ENV, v_x_nr},
	{"MS", CG_ENV, v_x_uc},
	{"MC", CG_ENV, v_x_hln},
	{"MI", CG_ENV, v_x_hln},
	{"MA", CG_ENV, v_x_hln}
};

/*
 * CVSS v4.0 metrics in the order the v4.0 specification (section 7,
 * "Vector String") requires.
 */
enum
{
	V4_AV, V4_AC, V4_AT, V4_PR, V4_UI, V4_VC, V4_VI, V4_VA, V4_SC, V4_SI, V4_SA,
	V4_E,
	V4_CR, V4_IR, V4_AR, V4_MAV, V4_MAC, V4_MAT, V4_MPR, V4_MUI,
	V4_MVC, V4_MVI, V4_MVA, V4_MSC, V4_MSI, V4_MSA,
	V4_S, V4_AU, V4_R, V4_V, V4_RE, V4_U,
	V4_NMETRICS
};

StaticAssertDecl(V4_NMETRICS <= CVSS_MAX_METRICS, "CVSS_MAX_METRICS too small");

static const CompmapCvssMetric compmap_cvss4_metrics[V4_NMETRICS] = {
	{"AV", CG_BASE, v_nalp},
	{"AC", CG_BASE, v_lh},
	{"AT", CG_BASE, v_np},
	{"PR", CG_BASE, v_nlh},
	{"UI", CG_BASE, v_npa},
	{"VC", CG_BASE, v_hln},
	{"VI", CG_BASE, v_hln},
	{"VA", CG_BASE, v_hln},
	{"SC", CG_BASE, v_hln},
	{"SI", CG_BASE, v_hln},
	{"SA", CG_BASE, v_hln},
	{"E", CG_TEMPORAL, v4_e},
	{"CR", CG_ENV, v4_req},
	{"IR", CG_ENV, v4_req},
	{"AR", CG_ENV, v4_req},
	{"MAV", CG_ENV, v_x_nalp},
	{"MAC", CG_ENV, v_x_lh},
	{"MAT", CG_ENV, v_x_np},
	{"MPR", CG_ENV, v_x_nlh},
	{"MUI", CG_ENV, v_x_npa},
	{"MVC", CG_ENV, v_x_hln},
	{"MVI", CG_ENV, v_x_hln},
	{"MVA", CG_ENV, v_x_hln},
	{"MSC", CG_ENV, v_x_hln},
	{"MSI", CG_ENV, v_x_shln},
	{"MSA", CG_ENV, v_x_shln},
	{"S", CG_SUPPLEMENTAL, v_x_np},
	{"AU", CG_SUPPLEMENTAL, v4_au},
	{"R", CG_SUPPLEMENTAL, v4_r},
	{"V", CG_SUPPLEMENTAL, v4_v},
	{"RE", CG_SUPPLEMENTAL, v4_re},
	{"U", CG_SUPPLEMENTAL, v4_u}
};

static const char *const compmap_cvss_version_names[] = {"3.0", "3.1", "4.0"};

/* Longest part of the input quoted in an error message, in bytes. */
#define CVSS_MSG_MAXLEN 64

/* A printable, length-limited copy of s[0..len) for error messages. */
static char *
compmap_cvss_quote(const char *s, int len)
{
	if (len > CVSS_MSG_MAXLEN)
		len = pg_mbcliplen(s, len, CVSS_MSG_MAXLEN);
	return pnstrdup(s, len);
}

/* "A, B, C" from a NULL-terminated list */
static char *
compmap_cvss_join(const char *const *list)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; list[i] != NULL; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, list[i]);
	}
	return buf.data;
}

/* The names of the metrics of one group (or all, for group < 0), in order. */
static char *
compmap_cvss_metric_list(const CompmapCvss *c, int group)
{
	const char *names[CVSS_MAX_METRICS + 1];
	int			i;
	int			n = 0;

	for (i = 0; i < c->nmetrics; i++)
	{
		if (group < 0 || c->metrics[i].group == group)
			names[n++] = c->metrics[i].name;
	}
	names[n] = NULL;
	return compmap_cvss_join(names);
}

/*
 * True when NUL-terminated "name" equals s[0..len).  Not strncmp: a NUL
 * inside s would end the comparison early and name[len] would be read past
 * its end (found by test/fuzz/fuzz_cvss).
 */
static inline bool
compmap_cvss_name_eq(const char *name, const char *s, int len)
{
	return len >= 0 && strlen(name) == (size_t) len && memcmp(name, s, len) == 0;
}

/*
 * Index of the metric called s[0..len), or -1.  The search starts at
 * "from" (the metric after the previous one) and wraps around, so vectors
 * in specification order cost one comparison per metric.
 */
static int
compmap_cvss_find_metric(const CompmapCvss *c, const char *s, int len, int from)
{
	int			i;

	for (i = 0; i < c->nmetrics; i++)
	{
		int			m = (from + i) % c->nmetrics;

		if (compmap_cvss_name_eq(c->metrics[m].name, s, len))
			return m;
	}
	return -1;
}

/*
 * Parses a vector string of "len" bytes (not necessarily NUL-terminated)
 * into *c.  Every problem is reported with ereport(ERROR, 22P02).
 */
static void
compmap_cvss_parse(const char *str, int len, CompmapCvss *c)
{
	const char *p;
	const char *end;
	const char *vstart;
	int			vlen;
	int			last = -1;		/* index of the previous metric (v4.0 order) */
	const char *prev = NULL;	/* previous component, for messages */
	int			prevlen = 0;
	int			i;

	/* Trim surrounding white space. */
	while (len > 0 && scanner_isspace(str[0]))
	{
		str++;
		len--;
	}
	while (len > 0 && scanner_isspace(str[len - 1]))
		len--;
	end = str + len;

	if (len < 5 || memcmp(str, "CVSS:", 5) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"",
						"cvss", compmap_cvss_quote(str, len)),
				 errdetail("A CVSS vector starts with \"CVSS:3.0/\", \"CVSS:3.1/\" or \"CVSS:4.0/\".")));

	vstart = str + 5;
	p = vstart;
	while (p < end && *p != '/')
		p++;
	vlen = p - vstart;
	if (vlen == 3 && memcmp(vstart, "3.0", 3) == 0)
		c->version = CVSS_V30;
	else if (vlen == 3 && memcmp(vstart, "3.1", 3) == 0)
		c->version = CVSS_V31;
	else if (vlen == 3 && memcmp(vstart, "4.0", 3) == 0)
		c->version = CVSS_V40;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: unsupported CVSS version \"%s\"",
						"cvss", compmap_cvss_quote(vstart, vlen)),
				 errhint("Supported versions are 3.0, 3.1 and 4.0.")));

	if (c->version == CVSS_V40)
	{
		c->metrics = compmap_cvss4_metrics;
		c->nmetrics = V4_NMETRICS;
	}
	else
	{
		c->metrics = compmap_cvss3_metrics;
		c->nmetrics = V3_NMETRICS;
	}
	memset(c->v, 0, sizeof(c->v));
	prev = str;					/* "CVSS:x.y" */
	prevlen = 5 + vlen;

	/* p is at the '/' after the version, or at the end. */
	while (p < end)
	{
		const char *comp = p + 1;
		const char *colon = NULL;
		const char *q;
		int			complen;
		int			namelen;
		int			m;
		int			k;
		const char *const *values;

		for (q = comp; q < end && *q != '/'; q++)
		{
			if (*q == ':' && colon == NULL)
				colon = q;
		}
		complen = q - comp;

		if (complen == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: empty metric after \"%s\"",
							"cvss", compmap_cvss_quote(prev, prevlen)),
					 errdetail("Metrics are separated by a single \"/\" and the vector does not end with \"/\".")));
		if (colon == NULL || colon == comp || colon == q - 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: malformed metric \"%s\"",
							"cvss", compmap_cvss_quote(comp, complen)),
					 errdetail("Each metric is written NAME:VALUE, for example \"AV:N\".")));

		namelen = colon - comp;
		m = compmap_cvss_find_metric(c, comp, namelen, last + 1);
		if (m < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: unknown metric \"%s\"",
							"cvss", compmap_cvss_quote(comp, namelen)),
					 errhint("CVSS %s metrics are: %s.",
							 compmap_cvss_version_names[c->version],
							 compmap_cvss_metric_list(c, -1))));
		if (c->v[m] != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: duplicate metric \"%s\"",
							"cvss", c->metrics[m].name)));
		if (c->version == CVSS_V40 && m < last)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: metric \"%s\" is out of order",
							"cvss", c->metrics[m].name),
					 errdetail("CVSS 4.0 requires \"%s\" to come before \"%s\".",
							   c->metrics[m].name, c->metrics[last].name),
					 errhint("The CVSS 4.0 metric order is: %s.",
							 compmap_cvss_metric_list(c, -1))));

		values = c->metrics[m].values;
		for (k = 0; values[k] != NULL; k++)
		{
			if (compmap_cvss_name_eq(values[k], colon + 1, complen - namelen - 1))
				break;
		}
		if (values[k] == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: invalid value \"%s\" for metric \"%s\"",
							"cvss", compmap_cvss_quote(colon + 1, complen - namelen - 1),
							c->metrics[m].name),
					 errhint("Valid values for %s are: %s.",
							 c->metrics[m].name, compmap_cvss_join(values))));

		c->v[m] = (uint8) (k + 1);
		last = m;
		prev = comp;
		prevlen = complen;
		p = q;
	}

	for (i = 0; i < c->nmetrics; i++)
	{
		if (c->metrics[i].group == CG_BASE && c->v[i] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: missing base metric \"%s\"",
							"cvss", c->metrics[i].name),
					 errdetail("CVSS %s requires every base metric: %s.",
							   compmap_cvss_version_names[c->version],
							   compmap_cvss_metric_list(c, CG_BASE))));
	}
}

/* Builds the normalised vector text as a text varlena. */
static text *
compmap_cvss_format(const CompmapCvss *c)
{
	StringInfoData buf;
	int			i;
	text	   *result;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, "\0\0\0\0", VARHDRSZ);	/* header placeholder */
	appendStringInfoString(&buf, "CVSS:");
	appendStringInfoString(&buf, compmap_cvss_version_names[c->version]);
	for (i = 0; i < c->nmetrics; i++)
	{
		if (c->v[i] == 0)
			continue;
		appendStringInfoChar(&buf, '/');
		appendStringInfoString(&buf, c->metrics[i].name);
		appendStringInfoChar(&buf, ':');
		appendStringInfoString(&buf, c->metrics[i].values[c->v[i] - 1]);
	}
	result = (text *) buf.data;
	SET_VARSIZE(result, buf.len);
	return result;
}

/* Parses a stored (or any text) value. */
static void
compmap_cvss_parse_text(const text *t, CompmapCvss *c)
{
	compmap_cvss_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), c);
}

/* True when any metric of "group" is present with a value other than X. */
static bool
compmap_cvss_has_group(const CompmapCvss *c, int group)
{
	int			i;

	for (i = 0; i < c->nmetrics; i++)
	{
		if (c->metrics[i].group == group && c->v[i] != 0 &&
			strcmp(c->metrics[i].values[c->v[i] - 1], "X") != 0)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------
 * CVSS v3.0 / v3.1 scoring
 *
 * Weights from the CVSS v3.1 specification, section 7.4 "Metric Values"
 * (identical in v3.0, section 8.4), indexed like the value lists above.
 * ---------------------------------------------------------------------
 */
static const double w3_av[] = {0.85, 0.62, 0.55, 0.2};	/* N A L P */
static const double w3_ac[] = {0.77, 0.44};	/* L H */
static const double w3_pr_u[] = {0.85, 0.62, 0.27};	/* N L H, scope unchanged */
static const double w3_pr_c[] = {0.85, 0.68, 0.5};	/* N L H, scope changed */
static const double w3_ui[] = {0.85, 0.62};	/* N R */
static const double w3_cia[] = {0.56, 0.22, 0};	/* H L N */
static const double w3_e[] = {1, 0.91, 0.94, 0.97, 1};	/* X U P F H */
static const double w3_rl[] = {1, 0.95, 0.96, 0.97, 1};	/* X O T W U */
static const double w3_rc[] = {1, 0.92, 0.96, 1};	/* X U R C */
static const double w3_req[] = {1, 0.5, 1, 1.5};	/* X L M H */

/* Value index of a present metric. */
#define CV_IDX(c, m)	((c)->v[m] - 1)
/* Value index of an optional metric, absent counting as X (index 0). */
#define CV_OPT(c, m)	((c)->v[m] ? (c)->v[m] - 1 : 0)
/* Value index of base metric "bm" as modified by "mm" (X: unmodified). */
#define CV_MOD(c, mm, bm) (CV_OPT(c, mm) > 0 ? CV_OPT(c, mm) - 1 : CV_IDX(c, bm))

/*
 * The "round up to one decimal" of each version, returning tenths.
 * v3.1: Appendix A of the v3.1 specification, which works on the value
 * times 100000 rounded to an integer to avoid floating-point artefacts.
 * v3.0: the smallest number with one decimal that is >= the input,
 * computed as ceil(x * 10) like the v3.0 reference calculator.
 */
static int
compmap_cvss3_roundup(CompmapCvssVersion version, double x)
{
	if (version == CVSS_V31)
	{
		int64		i = (int64) llround(x * 100000.0);

		if (i % 10000 == 0)
			return (int) (i / 10000);
		return (int) (i / 10000) + 1;
	}
	return (int) ceil(x * 10.0);
}

/* Base score in tenths. */
static int
compmap_cvss3_base(const CompmapCvss *c)
{
	bool		changed = CV_IDX(c, V3_S) == 1;
	double		iss;
	double		impact;
	double		expl;

	iss = 1 - ((1 - w3_cia[CV_IDX(c, V3_C)]) *
			   (1 - w3_cia[CV_IDX(c, V3_I)]) *
			   (1 - w3_cia[CV_IDX(c, V3_A)]));
	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	else
		impact = 6.42 * iss;
	expl = 8.22 * w3_av[CV_IDX(c, V3_AV)] * w3_ac[CV_IDX(c, V3_AC)] *
		(changed ? w3_pr_c : w3_pr_u)[CV_IDX(c, V3_PR)] * w3_ui[CV_IDX(c, V3_UI)];

	if (impact <= 0)
		return 0;
	if (changed)
		return compmap_cvss3_roundup(c->version, fmin(1.08 * (impact + expl), 10));
	return compmap_cvss3_roundup(c->version, fmin(impact + expl, 10));
}

/* Temporal score in tenths. */
static int
compmap_cvss3_temporal(const CompmapCvss *c)
{
	double		base = compmap_cvss3_base(c) / 10.0;

	return compmap_cvss3_roundup(c->version,
								 base * w3_e[CV_OPT(c, V3_E)] *
								 w3_rl[CV_OPT(c, V3_RL)] * w3_rc[CV_OPT(c, V3_RC)]);
}

/* Environmental score in tenths (v3.1 section 7.3; v3.0 section 8.3). */
static int
compmap_cvss3_environmental(const CompmapCvss *c)
{
	int			ms = CV_MOD(c, V3_MS, V3_S);
	bool		changed = ms == 1;
	double		miss;
	double		impact;
	double		expl;
	double		rounded;

	miss = fmin(1 - ((1 - w3_req[CV_OPT(c, V3_CR)] * w3_cia[CV_MOD(c, V3_MC, V3_C)]) *
					 (1 - w3_req[CV_OPT(c, V3_IR)] * w3_cia[CV_MOD(c, V3_MI, V3_I)]) *
					 (1 - w3_req[CV_OPT(c, V3_AR)] * w3_cia[CV_MOD(c, V3_MA, V3_A)])),
				0.915);
	if (!changed)
		impact = 6.42 * miss;
	else if (c->version == CVSS_V31)
		impact = 7.52 * (miss - 0.029) - 3.25 * pow(miss * 0.9731 - 0.02, 13);
	else
		impact = 7.52 * (miss - 0.029) - 3.25 * pow(miss - 0.02, 15);
	expl = 8.22 * w3_av[CV_MOD(c, V3_MAV, V3_AV)] * w3_ac[CV_MOD(c, V3_MAC, V3_AC)] *
		(changed ? w3_pr_c : w3_pr_u)[CV_MOD(c, V3_MPR, V3_PR)] *
		w3_ui[CV_MOD(c, V3_MUI, V3_UI)];

	if (impact <= 0)
		return 0;
	if (changed)
		rounded = compmap_cvss3_roundup(c->version, fmin(1.08 * (impact + expl), 10)) / 10.0;
	else
		rounded = compmap_cvss3_roundup(c->version, fmin(impact + expl, 10)) / 10.0;
	return compmap_cvss3_roundup(c->version,
								 rounded * w3_e[CV_OPT(c, V3_E)] *
								 w3_rl[CV_OPT(c, V3_RL)] * w3_rc[CV_OPT(c, V3_RC)]);
}

/* ---------------------------------------------------------------------
 * CVSS v4.0 scoring
 *
 * Data below comes from FIRST's CVSS v4.0 reference calculator
 * (github.com/FIRSTdotorg/cvss-v4-calculator, files cvss_lookup.js,
 * max_composed.js, max_severity.js and the level tables of compmap_cvss_score.js;
 * the same values are in CVSS40.LOOKUP_TABLE, MAX_COMPOSED, MAX_SEVERITY
 * and METRIC_LEVELS of cvss40.js in github.com/RedHatProductSecurity/
 * cvss-v4-calculator).  Typed in here as data, scores in tenths.
 * ---------------------------------------------------------------------
 */

/*
 * MacroVector scores in tenths, -1 where the MacroVector does not exist.
 * Row: EQ1 EQ2 EQ3 EQ4 (as in the comment); the six columns are
 * EQ5 EQ6 = 00, 01, 10, 11, 20, 21.
 */
static const int16 compmap_cvss4_lookup[3 * 2 * 3 * 3 * 3 * 2] = {
	/* 0000 */ 100,  99,  98,  95,  95,  92,
	/* 0001 */ 100,  96,  93,  87,  91,  81,
	/* 0002 */  93,  90,  89,  80,  81,  68,
	/* 0010 */  98,  95,  95,  92,  90,  84,
	/* 0011 */  93,  92,  89,  81,  81,  65,
	/* 0012 */  88,  80,  78,  70,  69,  48,
	/* 0020 */  -1,  92,  -1,  82,  -1,  72,
	/* 0021 */  -1,  79,  -1,  69,  -1,  50,
	/* 0022 */  -1,  69,  -1,  55,  -1,  27,
	/* 0100 */  99,  97,  95,  92,  92,  85,
	/* 0101 */  95,  91,  90,  83,  84,  71,
	/* 0102 */  92,  81,  82,  71,  72,  53,
	/* 0110 */  95,  93,  92,  85,  85,  73,
	/* 0111 */  92,  82,  80,  72,  70,  59,
	/* 0112 */  84,  70,  71,  52,  50,  30,
	/* 0120 */  -1,  86,  -1,  75,  -1,  52,
	/* 0121 */  -1,  71,  -1,  52,  -1,  29,
	/* 0122 */  -1,  63,  -1,  29,  -1,  17,
	/* 1000 */  98,  95,  94,  87,  91,  81,
	/* 1001 */  94,  89,  86,  74,  77,  64,
	/* 1002 */  87,  75,  74,  63,  63,  49,
	/* 1010 */  94,  89,  88,  77,  76,  67,
	/* 1011 */  86,  76,  74,  58,  59,  50,
	/* 1012 */  72,  57,  57,  52,  52,  25,
	/* 1020 */  -1,  83,  -1,  70,  -1,  54,
	/* 1021 */  -1,  65,  -1,  58,  -1,  26,
	/* 1022 */  -1,  53,  -1,  21,  -1,  13,
	/* 1100 */  95,  90,  88,  76,  76,  70,
	/* 1101 */  90,  77,  75,  62,  61,  53,
	/* 1102 */  77,  66,  68,  59,  52,  30,
	/* 1110 */  89,  78,  76,  67,  62,  58,
	/* 1111 */  74,  59,  57,  57,  47,  23,
	/* 1112 */  61,  52,  57,  29,  24,  16,
	/* 1120 */  -1,  71,  -1,  59,  -1,  30,
	/* 1121 */  -1,  58,  -1,  26,  -1,  15,
	/* 1122 */  -1,  23,  -1,  13,  -1,   6,
	/* 2000 */  93,  87,  86,  72,  75,  58,
	/* 2001 */  86,  74,  74,  61,  56,  34,
	/* 2002 */  70,  54,  52,  40,  40,  22,
	/* 2010 */  85,  75,  74,  55,  62,  51,
	/* 2011 */  72,  57,  55,  41,  46,  19,
	/* 2012 */  53,  36,  34,  19,  19,   8,
	/* 2020 */  -1,  64,  -1,  51,  -1,  20,
	/* 2021 */  -1,  47,  -1,  21,  -1,  11,
	/* 2022 */  -1,  24,  -1,   9,  -1,   4,
	/* 2100 */  88,  75,  73,  53,  60,  50,
	/* 2101 */  73,  55,  59,  40,  41,  20,
	/* 2102 */  54,  43,  45,  22,  20,  11,
	/* 2110 */  75,  55,  58,  45,  40,  21,
	/* 2111 */  61,  51,  48,  18,  20,   9,
	/* 2112 */  46,  18,  17,   7,   8,   2,
	/* 2120 */  -1,  53,  -1,  24,  -1,  14,
	/* 2121 */  -1,  24,  -1,  12,  -1,   5,
	/* 2122 */  -1,  10,  -1,   3,  -1,   1,
};

/* Depth of each MacroVector ("max severity" table), in tenths. */
static const int compmap_cvss4_depth_eq1[3] = {1, 4, 5};
static const int compmap_cvss4_depth_eq2[2] = {1, 2};
static const int compmap_cvss4_depth_eq3eq6[3][2] = {{7, 6}, {8, 8}, {0, 10}};
static const int compmap_cvss4_depth_eq4[3] = {6, 5, 4};

/*
 * Highest-severity vectors of each MacroVector ("max composed" table),
 * as the metric letters in the order given in each comment; at most five
 * per class, NULL-terminated.
 */
#define CVSS4_MAXV 6
/* AV PR UI */
static const char *const compmap_cvss4_max_eq1[3][CVSS4_MAXV] = {
	{"NNN"},
	{"ANN", "NLN", "NNP"},
	{"PNN", "ALP"}
};

/* AC AT */
static const char *const compmap_cvss4_max_eq2[2][CVSS4_MAXV] = {
	{"LN"},
	{"HN", "LP"}
};

/* VC VI VA CR IR AR; indexed by EQ3, then EQ6 */
static const char *const compmap_cvss4_max_eq3eq6[3][2][CVSS4_MAXV] = {
	{{"HHHHHH"}, {"HHLMMH", "HHHMMM"}},
	{{"LHHHHH", "HLHHHH"}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
	{{NULL}, {"LLLHHH"}}
};

/* SC SI SA */
static const char *const compmap_cvss4_max_eq4[3][CVSS4_MAXV] = {
	{"HSS"},
	{"HHH"},
	{"LLL"}
};

/* E */
static const char compmap_cvss4_max_eq5[3] = {'A', 'P', 'U'};

/*
 * Severity levels in tenths: the position of a letter in these strings.
 * ("SC" has no "S" value; its levels start at 1.)
 */
#define L4_AV	"NALP"
#define L4_PR	"NLH"
#define L4_UI	"NPA"
#define L4_AC	"LH"
#define L4_AT	"NP"
#define L4_CIA	"HLN"
#define L4_SC	"_HLN"
#define L4_SISA "SHLN"
#define L4_REQ	"HML"
#define L4_E	"APU"

static inline int
compmap_cvss4_level(const char *levels, char v)
{
	const char *p = strchr(levels, v);

	if (p == NULL || v == '\0')
		elog(ERROR, "unexpected CVSS 4.0 metric value '%c'", v);
	return p - levels;
}

/* The effective metric values that scoring uses. */
typedef struct CompmapCvss4Eff
{
	char		av, ac, at, pr, ui, vc, vi, va, sc, si, sa, e, cr, ir, ar;
} CompmapCvss4Eff;

/* First letter of the value of metric m (v[m] != 0). */
#define CV_LETTER(c, m) ((c)->metrics[m].values[(c)->v[m] - 1][0])
/* True when optional metric m is present with a value other than X. */
#define CV_SET(c, m)	((c)->v[m] > 1)

static char
compmap_cvss4_eff_base(const CompmapCvss *c, int bm, int mm, bool env)
{
	if (env && CV_SET(c, mm))
		return CV_LETTER(c, mm);
	return CV_LETTER(c, bm);
}

/*
 * Effective values: a modified base metric replaces its base metric, an
 * absent (or X) E counts as A (Attacked), absent (or X) CR/IR/AR count as
 * H.  With threat/env false the threat/environmental metrics are ignored,
 * which gives the CVSS-B score.
 */
static void
compmap_cvss4_effective(const CompmapCvss *c, bool threat, bool env,
						CompmapCvss4Eff *f)
{
	f->av = compmap_cvss4_eff_base(c, V4_AV, V4_MAV, env);
	f->ac = compmap_cvss4_eff_base(c, V4_AC, V4_MAC, env);
	f->at = compmap_cvss4_eff_base(c, V4_AT, V4_MAT, env);
	f->pr = compmap_cvss4_eff_base(c, V4_PR, V4_MPR, env);
	f->ui = compmap_cvss4_eff_base(c, V4_UI, V4_MUI, env);
	f->vc = compmap_cvss4_eff_base(c, V4_VC, V4_MVC, env);
	f->vi = compmap_cvss4_eff_base(c, V4_VI, V4_MVI, env);
	f->va = compmap_cvss4_eff_base(c, V4_VA, V4_MVA, env);
	f->sc = compmap_cvss4_eff_base(c, V4_SC, V4_MSC, env);
	f->si = compmap_cvss4_eff_base(c, V4_SI, V4_MSI, env);
	f->sa = compmap_cvss4_eff_base(c, V4_SA, V4_MSA, env);
	f->e = (threat && CV_SET(c, V4_E)) ? CV_LETTER(c, V4_E) : 'A';
	f->cr = (env && CV_SET(c, V4_CR)) ? CV_LETTER(c, V4_CR) : 'H';
	f->ir = (env && CV_SET(c, V4_IR)) ? CV_LETTER(c, V4_IR) : 'H';
	f->ar = (env && CV_SET(c, V4_AR)) ? CV_LETTER(c, V4_AR) : 'H';
}

/* Score of a MacroVector in tenths, or -1 if it does not exist. */
static int
compmap_cvss4_macro_score(int eq1, int eq2, int eq3, int eq4, int eq5, int eq6)
{
	if (eq1 > 2 || eq2 > 1 || eq3 > 2 || eq4 > 2 || eq5 > 2 || eq6 > 1)
		return -1;
	return compmap_cvss4_lookup[((((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 3 + eq5) * 2 + eq6];
}

/*
 * CVSS v4.0 score in tenths (v4.0 specification section 8.2 and the
 * reference calculator's compmap_cvss_score()).
 *
 * The reference computes in binary floating point and rounds
 * Math.round((x + 1e-6) * 10) / 10.  Here every quantity is kept exact:
 * scores, severity distances and MacroVector depths are all whole tenths,
 * the depths divide 840 and there are at most five terms, so the score
 * times 10 is N / (840 * n) with integers N and n, and it is rounded half
 * up exactly.  Because such a score lies on a grid of 1/8400, a value that
 * is not exactly half-way is at least 1.19e-4 away from a rounding
 * boundary, far more than both the reference's 1e-6 epsilon and its
 * floating-point error: both methods give the same result for every
 * vector, and exact half-way cases round up in both.
 */
static int
compmap_cvss4_score(const CompmapCvss *c, bool threat, bool env)
{
	CompmapCvss4Eff f;
	int			eq1,
				eq2,
				eq3,
				eq4,
				eq5,
				eq6;
	int			value;
	int			lower[5];
	int			cur[5] = {0, 0, 0, 0, 0};
	int			depth[4];
	int			i1,
				i2,
				i3,
				i4;
	bool		found = false;
	int64		sum = 0;
	int64		n = 0;
	int64		denom;
	int64		num;
	int			k;

	compmap_cvss4_effective(c, threat, env, &f);

	/* No impact on either system: 0.0 by definition. */
	if (f.vc == 'N' && f.vi == 'N' && f.va == 'N' &&
		f.sc == 'N' && f.si == 'N' && f.sa == 'N')
		return 0;

	/* The MacroVector (specification section 8.2, table 24). */
	if (f.av == 'N' && f.pr == 'N' && f.ui == 'N')
		eq1 = 0;
	else if ((f.av == 'N' || f.pr == 'N' || f.ui == 'N') && f.av != 'P')
		eq1 = 1;
	else
		eq1 = 2;
	eq2 = (f.ac == 'L' && f.at == 'N') ? 0 : 1;
	if (f.vc == 'H' && f.vi == 'H')
		eq3 = 0;
	else if (f.vc == 'H' || f.vi == 'H' || f.va == 'H')
		eq3 = 1;
	else
		eq3 = 2;
	if (f.si == 'S' || f.sa == 'S')
		eq4 = 0;
	else if (f.sc == 'H' || f.si == 'H' || f.sa == 'H')
		eq4 = 1;
	else
		eq4 = 2;
	eq5 = compmap_cvss4_level(L4_E, f.e);
	eq6 = ((f.cr == 'H' && f.vc == 'H') || (f.ir == 'H' && f.vi == 'H') ||
		   (f.ar == 'H' && f.va == 'H')) ? 0 : 1;

	value = compmap_cvss4_macro_score(eq1, eq2, eq3, eq4, eq5, eq6);
	if (value < 0)
		elog(ERROR, "CVSS 4.0 MacroVector %d%d%d%d%d%d does not exist",
			 eq1, eq2, eq3, eq4, eq5, eq6);

	/* Scores of the next lower MacroVector along each EQ (-1: none). */
	lower[0] = compmap_cvss4_macro_score(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
	lower[1] = compmap_cvss4_macro_score(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
	if (eq3 == 0 && eq6 == 0)
	{
		/* two ways down: 00 -> 01 and 00 -> 10; take the higher score */
		int			left = compmap_cvss4_macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
		int			right = compmap_cvss4_macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);

		lower[2] = Max(left, right);
	}
	else if (eq3 == 1 && eq6 == 0)
		lower[2] = compmap_cvss4_macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
	else						/* 01 -> 11, 11 -> 21, 21 -> none */
		lower[2] = compmap_cvss4_macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
	lower[3] = compmap_cvss4_macro_score(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
	lower[4] = compmap_cvss4_macro_score(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

	/*
	 * Severity distances from the first highest-severity vector of this
	 * MacroVector (in the reference's composition order) that is at least
	 * as severe as the vector in every metric.  If none is, the reference
	 * keeps the distances of the last candidate; so do we.
	 */
	for (i1 = 0; !found && i1 < CVSS4_MAXV && compmap_cvss4_max_eq1[eq1][i1]; i1++)
		for (i2 = 0; !found && i2 < CVSS4_MAXV && compmap_cvss4_max_eq2[eq2][i2]; i2++)
			for (i3 = 0; !found && i3 < CVSS4_MAXV && compmap_cvss4_max_eq3eq6[eq3][eq6][i3]; i3++)
				for (i4 = 0; !found && i4 < CVSS4_MAXV && compmap_cvss4_max_eq4[eq4][i4]; i4++)
				{
					const char *m1 = compmap_cvss4_max_eq1[eq1][i1];
					const char *m2 = compmap_cvss4_max_eq2[eq2][i2];
					const char *m3 = compmap_cvss4_max_eq3eq6[eq3][eq6][i3];
					const char *m4 = compmap_cvss4_max_eq4[eq4][i4];
					int			d[15];

					d[0] = compmap_cvss4_level(L4_AV, f.av) - compmap_cvss4_level(L4_AV, m1[0]);
					d[1] = compmap_cvss4_level(L4_PR, f.pr) - compmap_cvss4_level(L4_PR, m1[1]);
					d[2] = compmap_cvss4_level(L4_UI, f.ui) - compmap_cvss4_level(L4_UI, m1[2]);
					d[3] = compmap_cvss4_level(L4_AC, f.ac) - compmap_cvss4_level(L4_AC, m2[0]);
					d[4] = compmap_cvss4_level(L4_AT, f.at) - compmap_cvss4_level(L4_AT, m2[1]);
					d[5] = compmap_cvss4_level(L4_CIA, f.vc) - compmap_cvss4_level(L4_CIA, m3[0]);
					d[6] = compmap_cvss4_level(L4_CIA, f.vi) - compmap_cvss4_level(L4_CIA, m3[1]);
					d[7] = compmap_cvss4_level(L4_CIA, f.va) - compmap_cvss4_level(L4_CIA, m3[2]);
					d[8] = compmap_cvss4_level(L4_REQ, f.cr) - compmap_cvss4_level(L4_REQ, m3[3]);
					d[9] = compmap_cvss4_level(L4_REQ, f.ir) - compmap_cvss4_level(L4_REQ, m3[4]);
					d[10] = compmap_cvss4_level(L4_REQ, f.ar) - compmap_cvss4_level(L4_REQ, m3[5]);
					d[11] = compmap_cvss4_level(L4_SC, f.sc) - compmap_cvss4_level(L4_SC, m4[0]);
					d[12] = compmap_cvss4_level(L4_SISA, f.si) - compmap_cvss4_level(L4_SISA, m4[1]);
					d[13] = compmap_cvss4_level(L4_SISA, f.sa) - compmap_cvss4_level(L4_SISA, m4[2]);
					d[14] = compmap_cvss4_level(L4_E, f.e) -
						compmap_cvss4_level(L4_E, compmap_cvss4_max_eq5[eq5]);

					found = true;
					for (k = 0; k < 15; k++)
						if (d[k] < 0)
							found = false;
					cur[0] = d[0] + d[1] + d[2];
					cur[1] = d[3] + d[4];
					cur[2] = d[5] + d[6] + d[7] + d[8] + d[9] + d[10];
					cur[3] = d[11] + d[12] + d[13];
					cur[4] = 0;		/* EQ5 has a depth of one: no distance */
				}

	depth[0] = compmap_cvss4_depth_eq1[eq1];
	depth[1] = compmap_cvss4_depth_eq2[eq2];
	depth[2] = compmap_cvss4_depth_eq3eq6[eq3][eq6];
	depth[3] = compmap_cvss4_depth_eq4[eq4];

	/*
	 * For each EQ with a lower MacroVector: (available distance) x (current
	 * distance / depth), scaled by 840 to stay in integers.  EQ5 counts in
	 * the mean but contributes nothing.
	 */
	for (k = 0; k < 5; k++)
	{
		if (lower[k] < 0)
			continue;
		n++;
		if (k < 4)
			sum += (int64) (value - lower[k]) * cur[k] * (840 / depth[k]);
	}
	if (n == 0)
		n = 1;

	/* score x 10 = value - sum / (840 n), clamped to [0, 100], half up */
	denom = 840 * n;
	num = (int64) value * denom - sum;
	if (num < 0)
		num = 0;
	if (num > 100 * denom)
		num = 100 * denom;
	return (int) ((2 * num + denom) / (2 * denom));
}

/* ---------------------------------------------------------------------
 * Score selection
 * ---------------------------------------------------------------------
 */

/*
 * The score compmap_cvss_score() reports, in tenths: v3.x environmental if an
 * environmental metric is set (other than X), else temporal if a temporal
 * metric is set, else base; v4.0 with every metric given (CVSS-B, -BT, -BE
 * or -BTE, see compmap_cvss_score_kind()).
 */
static int
compmap_cvss_score_tenths(const CompmapCvss *c)
{
	if (c->version == CVSS_V40)
		return compmap_cvss4_score(c, true, true);
	if (compmap_cvss_has_group(c, CG_ENV))
		return compmap_cvss3_environmental(c);
	if (compmap_cvss_has_group(c, CG_TEMPORAL))
		return compmap_cvss3_temporal(c);
	return compmap_cvss3_base(c);
}

static int
compmap_cvss_base_tenths(const CompmapCvss *c)
{
	if (c->version == CVSS_V40)
		return compmap_cvss4_score(c, false, false);
	return compmap_cvss3_base(c);
}

/* Qualitative rating (v3.1 section 5, v4.0 section 6): same bands. */
static const char *
compmap_cvss_severity_name(int tenths)
{
	if (tenths == 0)
		return "none";
	if (tenths < 40)
		return "low";
	if (tenths < 70)
		return "medium";
	if (tenths < 90)
		return "high";
	return "critical";
}

/* ---------------------------------------------------------------------
 * SQL-callable functions
 * ---------------------------------------------------------------------
 */

/* compmap.cvss_in(cstring) RETURNS cvss */
PG_FUNCTION_INFO_V1(compmap_cvss_in);
Datum
compmap_cvss_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	CompmapCvss c;

	compmap_cvss_parse(str, (int) strlen(str), &c);
	PG_RETURN_TEXT_P(compmap_cvss_format(&c));
}

/* compmap.cvss_out(cvss) RETURNS cstring */
PG_FUNCTION_INFO_V1(compmap_cvss_out);
Datum
compmap_cvss_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(text_to_cstring(PG_GETARG_TEXT_PP(0)));
}

/*
 * compmap_cvss_recv(internal) RETURNS cvss
 *
 * The binary format is the vector text; it is validated and normalised
 * exactly like text input.
 */
PG_FUNCTION_INFO_V1(compmap_cvss_recv);
Datum
compmap_cvss_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes;
	char	   *str = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
	CompmapCvss c;

	compmap_cvss_parse(str, nbytes, &c);
	PG_RETURN_TEXT_P(compmap_cvss_format(&c));
}

/* compmap.cvss_send(cvss) RETURNS bytea */
PG_FUNCTION_INFO_V1(compmap_cvss_send);
Datum
compmap_cvss_send(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendtext(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* cvss(text) RETURNS cvss: the cast from text */
PG_FUNCTION_INFO_V1(compmap_cvss_from_text);
Datum
compmap_cvss_from_text(PG_FUNCTION_ARGS)
{
	CompmapCvss c;

	compmap_cvss_parse_text(PG_GETARG_TEXT_PP(0), &c);
	PG_RETURN_TEXT_P(compmap_cvss_format(&c));
}

/* Byte-wise comparison of two stored vectors, like bytea. */
static int
compmap_cvss_cmp_internal(FunctionCallInfo fcinfo)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	int			la = VARSIZE_ANY_EXHDR(a);
	int			lb = VARSIZE_ANY_EXHDR(b);
	int			r = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	if (r == 0 && la != lb)
		r = (la < lb) ? -1 : 1;
	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return (r > 0) - (r < 0);
}

/* compmap.cvss_eq(cvss, cvss) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_cvss_eq);
Datum
compmap_cvss_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_cvss_cmp_internal(fcinfo) == 0);
}

/* compmap.cvss_ne(cvss, cvss) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_cvss_ne);
Datum
compmap_cvss_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_cvss_cmp_internal(fcinfo) != 0);
}

/* compmap.cvss_lt(cvss, cvss) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_cvss_lt);
Datum
compmap_cvss_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_cvss_cmp_internal(fcinfo) < 0);
}

/* compmap.cvss_le(cvss, cvss) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_cvss_le);
Datum
compmap_cvss_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_cvss_cmp_internal(fcinfo) <= 0);
}

/* compmap.cvss_gt(cvss, cvss) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_cvss_gt);
Datum
compmap_cvss_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_cvss_cmp_internal(fcinfo) > 0);
}

/* compmap.cvss_ge(cvss, cvss) RETURNS boolean */
PG_FUNCTION_INFO_V1(compmap_cvss_ge);
Datum
compmap_cvss_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(compmap_cvss_cmp_internal(fcinfo) >= 0);
}

/* compmap.cvss_cmp(cvss, cvss) RETURNS integer */
PG_FUNCTION_INFO_V1(compmap_cvss_cmp);
Datum
compmap_cvss_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(compmap_cvss_cmp_internal(fcinfo));
}

/* compmap.cvss_hash(cvss) RETURNS integer */
PG_FUNCTION_INFO_V1(compmap_cvss_hash);
Datum
compmap_cvss_hash(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	Datum		h = hash_any((unsigned char *) VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	PG_FREE_IF_COPY(t, 0);
	return h;
}

/* compmap.cvss_hash_extended(cvss, bigint) RETURNS bigint */
PG_FUNCTION_INFO_V1(compmap_cvss_hash_extended);
Datum
compmap_cvss_hash_extended(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	Datum		h = hash_any_extended((unsigned char *) VARDATA_ANY(t),
									  VARSIZE_ANY_EXHDR(t),
									  (uint64) PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(t, 0);
	return h;
}

/* compmap.cvss_score(cvss) RETURNS numeric */
PG_FUNCTION_INFO_V1(compmap_cvss_score);
Datum
compmap_cvss_score(PG_FUNCTION_ARGS)
{
	CompmapCvss c;

	compmap_cvss_parse_text(PG_GETARG_TEXT_PP(0), &c);
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(compmap_cvss_score_tenths(&c), 1));
}

/* compmap.cvss_base_score(cvss) RETURNS numeric */
PG_FUNCTION_INFO_V1(compmap_cvss_base_score);
Datum
compmap_cvss_base_score(PG_FUNCTION_ARGS)
{
	CompmapCvss c;

	compmap_cvss_parse_text(PG_GETARG_TEXT_PP(0), &c);
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(compmap_cvss_base_tenths(&c), 1));
}

/* compmap.cvss_severity(cvss) RETURNS text */
PG_FUNCTION_INFO_V1(compmap_cvss_severity);
Datum
compmap_cvss_severity(PG_FUNCTION_ARGS)
{
	CompmapCvss c;

	compmap_cvss_parse_text(PG_GETARG_TEXT_PP(0), &c);
	PG_RETURN_TEXT_P(cstring_to_text(compmap_cvss_severity_name(compmap_cvss_score_tenths(&c))));
}

/* compmap.cvss_version(cvss) RETURNS text */
PG_FUNCTION_INFO_V1(compmap_cvss_version);
Datum
compmap_cvss_version(PG_FUNCTION_ARGS)
{
	CompmapCvss c;

	compmap_cvss_parse_text(PG_GETARG_TEXT_PP(0), &c);
	PG_RETURN_TEXT_P(cstring_to_text(compmap_cvss_version_names[c.version]));
}

/*
 * compmap_cvss_score_kind(cvss) RETURNS text
 *
 * Which score compmap_cvss_score() reports: "base", "temporal" or "environmental"
 * for v3.x; the v4.0 nomenclature "CVSS-B", "CVSS-BT", "CVSS-BE" or
 * "CVSS-BTE" for v4.0.
 */
PG_FUNCTION_INFO_V1(compmap_cvss_score_kind);
Datum
compmap_cvss_score_kind(PG_FUNCTION_ARGS)
{
	CompmapCvss c;
	bool		t;
	bool		e;
	const char *kind;

	compmap_cvss_parse_text(PG_GETARG_TEXT_PP(0), &c);
	t = compmap_cvss_has_group(&c, CG_TEMPORAL);
	e = compmap_cvss_has_group(&c, CG_ENV);
	if (c.version == CVSS_V40)
		kind = t ? (e ? "CVSS-BTE" : "CVSS-BT") : (e ? "CVSS-BE" : "CVSS-B");
	else
		kind = e ? "environmental" : (t ? "temporal" : "base");
	PG_RETURN_TEXT_P(cstring_to_text(kind));
}
