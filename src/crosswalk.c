/*-------------------------------------------------------------------------
 *
 * crosswalk.c
 *	  compmap.crosswalk(): direct and transitive mappings between controls
 *	  of different frameworks, composing NIST IR 8477 relationships with the
 *	  RCC-5 composition table, plus the statement trigger that invalidates
 *	  the cached graph when the catalogue changes.
 *
 * Semantics (docs/catalogue.md): every stored edge S -> T is read in both
 * directions, the reverse of subset being superset.  All simple paths of at
 * most max_hops edges from the start control are enumerated (no control
 * twice on a path, so no cycles).  Along a path the relationship set is
 * composed edge by edge.  A control reached by several paths gets one row:
 * hops is the shortest path length, path the first shortest path in byte
 * order of its "framework:control" names, and relationships the
 * intersection of the sets of every path (each edge is taken to be true, so
 * the real relationship lies in every set); should published edges
 * contradict each other so that the intersection is empty, the union is
 * returned instead.  A pass propagates when the set lies within
 * {equal, superset}, a fail when it lies within {equal, subset}.
 *
 * Memory and caching: the graph (controls, an index by name, adjacency in
 * both directions) is built once per backend with SPI and kept in its own
 * memory context under CacheMemoryContext.  The statement trigger
 * compmap_catalogue_changed sends a relcache invalidation for the changed
 * table; the relcache callback registered here marks the graph stale, and
 * the next call rebuilds it.  Invalidations are processed locally at the
 * next command of the changing transaction (so the same session never sees
 * a stale graph), at commit in other backends, and locally again on abort.
 *
 * Locking: none beyond the AccessShareLock SPI takes to read the tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "compmap.h"

/* Relationship bits; a set of possible relationships is an OR of these. */
#define CW_EQUAL		0x01
#define CW_SUBSET		0x02
#define CW_SUPERSET		0x04
#define CW_INTERSECTS	0x08
#define CW_NOT_RELATED	0x10
#define CW_ALL			0x1F
#define CW_NREL			5

#define CW_MAX_HOPS		5
/* framework (63) + ':' + control (64) + NUL, rounded up */
#define CW_KEY_LEN		136

static const char *const cw_rel_names[CW_NREL] = {
	"equal", "subset", "superset", "intersects", "not_related"
};

/*
 * RCC-5 composition (../shared/reference/grc-anchors.md 2.3): cell [a][b] is
 * the set A->C may take when A->B is a and B->C is b.  The SQL table
 * compmap.rcc5_composition holds the same cells; the regression test checks
 * both agree.
 */
static const uint8 cw_compose[CW_NREL][CW_NREL] = {
	/* equal */
	{CW_EQUAL, CW_SUBSET, CW_SUPERSET, CW_INTERSECTS, CW_NOT_RELATED},
	/* subset */
	{CW_SUBSET, CW_SUBSET, CW_ALL, CW_SUBSET | CW_INTERSECTS | CW_NOT_RELATED, CW_NOT_RELATED},
	/* superset */
	{CW_SUPERSET, CW_EQUAL | CW_SUBSET | CW_SUPERSET | CW_INTERSECTS, CW_SUPERSET,
	CW_SUPERSET | CW_INTERSECTS, CW_SUPERSET | CW_INTERSECTS | CW_NOT_RELATED},
	/* intersects */
	{CW_INTERSECTS, CW_SUBSET | CW_INTERSECTS, CW_SUPERSET | CW_INTERSECTS | CW_NOT_RELATED,
	CW_ALL, CW_SUPERSET | CW_INTERSECTS | CW_NOT_RELATED},
	/* not_related */
	{CW_NOT_RELATED, CW_SUBSET | CW_INTERSECTS | CW_NOT_RELATED, CW_NOT_RELATED,
	CW_SUBSET | CW_INTERSECTS | CW_NOT_RELATED, CW_ALL},
};

typedef struct CwNameEntry
{
	char		key[CW_KEY_LEN];	/* "framework:control" */
	int			node;
} CwNameEntry;

typedef struct CwFwEntry
{
	char		key[NAMEDATALEN + 8];
	int			fw;
} CwFwEntry;

typedef struct CwAdj
{
	int			to;
	uint8		rel;			/* one relationship index, 0..4 */
} CwAdj;

typedef struct CwGraph
{
	MemoryContext cxt;
	int			nnodes;
	char	  **name;			/* "framework:control" */
	int		   *ctl_off;		/* offset of the control part in name */
	int		   *fw;				/* framework index of each node */
	int		   *name_rank;		/* rank of name in byte order */
	int			nfw;
	char	  **fw_name;
	int		   *adj_start;		/* nnodes + 1 offsets into adj */
	CwAdj	   *adj;
	HTAB	   *by_name;
	HTAB	   *by_fw;
} CwGraph;

static CwGraph *cw_graph = NULL;
static bool cw_graph_valid = false;
static bool cw_callback_registered = false;
static Oid	cw_rel_oids[3] = {InvalidOid, InvalidOid, InvalidOid};

/* Per-call search state. */
typedef struct CwAcc
{
	int16		hops;			/* 0: not reached */
	uint8		and_mask;
	uint8		or_mask;
	int			best[CW_MAX_HOPS + 1];
} CwAcc;

typedef struct CwSearch
{
	CwGraph    *g;
	int			max_hops;
	CwAcc	   *acc;
	bool	   *on_path;
	int			path[CW_MAX_HOPS + 1];
	int		   *reached;
	int			nreached;
} CwSearch;

static void
compmap_crosswalk_relcache_cb(Datum arg, Oid relid)
{
	int			i;

	if (relid == InvalidOid)
	{
		cw_graph_valid = false;
		return;
	}
	for (i = 0; i < 3; i++)
		if (cw_rel_oids[i] == relid)
			cw_graph_valid = false;
}

static int
compmap_rel_index(const char *s)
{
	int			i;

	for (i = 0; i < CW_NREL; i++)
		if (strcmp(s, cw_rel_names[i]) == 0)
			return i;
	elog(ERROR, "unknown relationship \"%s\" in compmap.control_edge", s);
	return -1;					/* keep compiler quiet */
}

static int
compmap_inverse_rel(int r)
{
	if (r == 1)
		return 2;
	if (r == 2)
		return 1;
	return r;
}

static CwGraph *cw_sort_graph;

static int
compmap_cmp_node_name(const void *a, const void *b)
{
	return strcmp(cw_sort_graph->name[*(const int *) a],
				  cw_sort_graph->name[*(const int *) b]);
}

static int
compmap_graph_node(CwGraph *g, const char *key)
{
	CwNameEntry *e;
	char		buf[CW_KEY_LEN];

	if (strlen(key) >= CW_KEY_LEN)
		return -1;
	memset(buf, 0, sizeof(buf));
	strlcpy(buf, key, sizeof(buf));
	e = (CwNameEntry *) hash_search(g->by_name, buf, HASH_FIND, NULL);
	return e ? e->node : -1;
}

static int
compmap_graph_fw(CwGraph *g, const char *name)
{
	CwFwEntry  *e;
	char		buf[NAMEDATALEN + 8];

	if (strlen(name) >= sizeof(buf))
		return -1;
	memset(buf, 0, sizeof(buf));
	strlcpy(buf, name, sizeof(buf));
	e = (CwFwEntry *) hash_search(g->by_fw, buf, HASH_FIND, NULL);
	return e ? e->fw : -1;
}

/*
 * Build the graph from the catalogue tables.  Everything allocated lives in
 * the graph's own context; SPI results are copied out before SPI_finish.
 */
static CwGraph *
compmap_load_graph(void)
{
	MemoryContext cxt;
	MemoryContext old;
	CwGraph    *g;
	HASHCTL		hctl;
	uint64		i;
	uint64		nedges;
	int		   *deg;
	int		   *edge_from;
	int		   *edge_to;
	uint8	   *edge_rel;
	int		   *order;
	int			rc;

	cxt = AllocSetContextCreate(CacheMemoryContext, "compmap crosswalk graph",
								ALLOCSET_DEFAULT_SIZES);
	g = MemoryContextAllocZero(cxt, sizeof(CwGraph));
	g->cxt = cxt;

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));

	rc = SPI_execute("SELECT f.framework, c.control "
					 "FROM compmap.control c JOIN compmap.framework f USING (framework) "
					 "ORDER BY f.framework COLLATE \"C\", c.sort_key, c.control COLLATE \"C\"",
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading compmap.control failed: %s", SPI_result_code_string(rc));

	old = MemoryContextSwitchTo(cxt);
	g->nnodes = (int) SPI_processed;
	g->name = palloc(sizeof(char *) * Max(g->nnodes, 1));
	g->ctl_off = palloc(sizeof(int) * Max(g->nnodes, 1));
	g->fw = palloc(sizeof(int) * Max(g->nnodes, 1));
	g->name_rank = palloc(sizeof(int) * Max(g->nnodes, 1));
	g->fw_name = palloc(sizeof(char *) * Max(g->nnodes, 1));

	memset(&hctl, 0, sizeof(hctl));
	hctl.keysize = CW_KEY_LEN;
	hctl.entrysize = sizeof(CwNameEntry);
	hctl.hcxt = cxt;
	g->by_name = hash_create("compmap crosswalk controls", Max(g->nnodes, 16), &hctl,
							 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	memset(&hctl, 0, sizeof(hctl));
	hctl.keysize = NAMEDATALEN + 8;
	hctl.entrysize = sizeof(CwFwEntry);
	hctl.hcxt = cxt;
	g->by_fw = hash_create("compmap crosswalk frameworks", 32, &hctl,
						   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *fw = SPI_getvalue(tup, desc, 1);
		char	   *ctl = SPI_getvalue(tup, desc, 2);
		char		key[CW_KEY_LEN];
		CwNameEntry *ne;
		CwFwEntry  *fe;
		bool		found;

		if (strlen(fw) + strlen(ctl) + 2 > CW_KEY_LEN || strlen(fw) >= NAMEDATALEN)
			elog(ERROR, "control name \"%s:%s\" too long", fw, ctl);
		memset(key, 0, sizeof(key));
		snprintf(key, sizeof(key), "%s:%s", fw, ctl);
		g->name[i] = pstrdup(key);
		g->ctl_off[i] = (int) strlen(fw) + 1;

		memset(key, 0, sizeof(key));
		strlcpy(key, fw, NAMEDATALEN + 8);
		fe = (CwFwEntry *) hash_search(g->by_fw, key, HASH_ENTER, &found);
		if (!found)
		{
			fe->fw = g->nfw;
			g->fw_name[g->nfw++] = pstrdup(fw);
		}
		g->fw[i] = fe->fw;

		ne = (CwNameEntry *) hash_search(g->by_name, g->name[i], HASH_ENTER, &found);
		ne->node = (int) i;
	}

	/* Rank of every name in byte order, for the path tie-break. */
	order = palloc(sizeof(int) * Max(g->nnodes, 1));
	for (i = 0; i < (uint64) g->nnodes; i++)
		order[i] = (int) i;
	cw_sort_graph = g;
	qsort(order, g->nnodes, sizeof(int), compmap_cmp_node_name);
	for (i = 0; i < (uint64) g->nnodes; i++)
		g->name_rank[order[i]] = (int) i;
	pfree(order);
	MemoryContextSwitchTo(old);

	rc = SPI_execute("SELECT source_framework || ':' || source_control, "
					 "target_framework || ':' || target_control, relationship "
					 "FROM compmap.control_edge",
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading compmap.control_edge failed: %s", SPI_result_code_string(rc));

	old = MemoryContextSwitchTo(cxt);
	nedges = SPI_processed;
	edge_from = palloc(sizeof(int) * Max(nedges, 1));
	edge_to = palloc(sizeof(int) * Max(nedges, 1));
	edge_rel = palloc(sizeof(uint8) * Max(nedges, 1));
	deg = palloc0(sizeof(int) * (g->nnodes + 1));
	for (i = 0; i < nedges; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *s = SPI_getvalue(tup, desc, 1);
		char	   *t = SPI_getvalue(tup, desc, 2);
		char	   *r = SPI_getvalue(tup, desc, 3);

		edge_from[i] = compmap_graph_node(g, s);
		edge_to[i] = compmap_graph_node(g, t);
		if (edge_from[i] < 0 || edge_to[i] < 0)
			elog(ERROR, "edge %s -> %s names an unknown control", s, t);
		edge_rel[i] = (uint8) compmap_rel_index(r);
		deg[edge_from[i]]++;
		deg[edge_to[i]]++;
	}
	g->adj_start = palloc(sizeof(int) * (g->nnodes + 1));
	g->adj_start[0] = 0;
	for (i = 0; i < (uint64) g->nnodes; i++)
		g->adj_start[i + 1] = g->adj_start[i] + deg[i];
	g->adj = palloc(sizeof(CwAdj) * Max(2 * nedges, 1));
	memset(deg, 0, sizeof(int) * (g->nnodes + 1));
	for (i = 0; i < nedges; i++)
	{
		int			f = edge_from[i];
		int			t = edge_to[i];
		CwAdj	   *a;

		a = &g->adj[g->adj_start[f] + deg[f]++];
		a->to = t;
		a->rel = edge_rel[i];
		a = &g->adj[g->adj_start[t] + deg[t]++];
		a->to = f;
		a->rel = (uint8) compmap_inverse_rel(edge_rel[i]);
	}
	pfree(deg);
	pfree(edge_from);
	pfree(edge_to);
	pfree(edge_rel);
	MemoryContextSwitchTo(old);

	SPI_finish();
	return g;
}

static CwGraph *
compmap_get_graph(void)
{
	if (!cw_callback_registered)
	{
		CacheRegisterRelcacheCallback(compmap_crosswalk_relcache_cb, (Datum) 0);
		cw_callback_registered = true;
	}
	if (cw_graph != NULL && cw_graph_valid)
		return cw_graph;

	if (cw_graph != NULL)
	{
		MemoryContextDelete(cw_graph->cxt);
		cw_graph = NULL;
	}
	cw_rel_oids[0] = get_relname_relid("framework", get_namespace_oid("compmap", false));
	cw_rel_oids[1] = get_relname_relid("control", get_namespace_oid("compmap", false));
	cw_rel_oids[2] = get_relname_relid("control_edge", get_namespace_oid("compmap", false));
	/* An invalidation arriving during the load marks this copy stale again. */
	cw_graph_valid = true;
	cw_graph = compmap_load_graph();
	return cw_graph;
}

/*
 * Up to three names closest to what the user typed, for the hint: an exact
 * case-insensitive match first, then the smallest Levenshtein distances.
 */
static char *
compmap_close_matches(CwGraph *g, const char *typed, int fw)
{
	int			best[3] = {-1, -1, -1};
	int			bestd[3] = {INT_MAX, INT_MAX, INT_MAX};
	int			n = fw < 0 ? g->nfw : g->nnodes;
	int			tlen = (int) strlen(typed);
	int			i;
	int			k;
	StringInfoData buf;

	for (i = 0; i < n; i++)
	{
		const char *cand;
		int			d;

		if (fw >= 0)
		{
			if (g->fw[i] != fw)
				continue;
			cand = g->name[i] + g->ctl_off[i];
		}
		else
			cand = g->fw_name[i];
		if (pg_strcasecmp(cand, typed) == 0)
			d = 0;
		else
			d = 1 + varstr_levenshtein(typed, tlen, cand, (int) strlen(cand), 1, 1, 1, true);
		for (k = 0; k < 3; k++)
		{
			if (d < bestd[k])
			{
				memmove(&best[k + 1], &best[k], sizeof(int) * (2 - k));
				memmove(&bestd[k + 1], &bestd[k], sizeof(int) * (2 - k));
				best[k] = i;
				bestd[k] = d;
				break;
			}
		}
	}
	initStringInfo(&buf);
	for (k = 0; k < 3 && best[k] >= 0; k++)
	{
		if (k > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, fw < 0 ? g->fw_name[best[k]] : g->name[best[k]]);
	}
	return buf.data;
}

static int
compmap_lookup_fw(CwGraph *g, const char *name)
{
	int			fw = compmap_graph_fw(g, name);

	if (fw < 0)
	{
		if (g->nfw > 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("unknown framework \"%s\"", name),
					 errhint("Close matches: %s.", compmap_close_matches(g, name, -1))));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("unknown framework \"%s\"", name),
				 errhint("The catalogue is empty.")));
	}
	return fw;
}

static uint8
compmap_compose_set(uint8 set, int rel)
{
	uint8		out = 0;
	int			b;

	for (b = 0; b < CW_NREL; b++)
		if (set & (1 << b))
			out |= cw_compose[b][rel];
	return out;
}

/* Is the path held in s->path[0..depth] before the stored best of node? */
static bool
compmap_path_before(CwSearch *s, int node, int depth)
{
	CwAcc	   *a = &s->acc[node];
	int			i;

	for (i = 0; i <= depth; i++)
	{
		int			x = s->g->name_rank[s->path[i]];
		int			y = s->g->name_rank[a->best[i]];

		if (x != y)
			return x < y;
	}
	return false;
}

static void
compmap_walk(CwSearch *s, int node, int depth, uint8 set)
{
	CwGraph    *g = s->g;
	int			i;

	CHECK_FOR_INTERRUPTS();
	for (i = g->adj_start[node]; i < g->adj_start[node + 1]; i++)
	{
		int			to = g->adj[i].to;
		uint8		nset;
		CwAcc	   *a;

		if (s->on_path[to])
			continue;
		nset = depth == 0 ? (uint8) (1 << g->adj[i].rel) : compmap_compose_set(set, g->adj[i].rel);
		s->path[depth + 1] = to;
		a = &s->acc[to];
		if (a->hops == 0)
		{
			a->hops = (int16) (depth + 1);
			a->and_mask = nset;
			a->or_mask = nset;
			memcpy(a->best, s->path, sizeof(int) * (depth + 2));
			s->reached[s->nreached++] = to;
		}
		else
		{
			a->and_mask &= nset;
			a->or_mask |= nset;
			if (depth + 1 < a->hops ||
				(depth + 1 == a->hops && compmap_path_before(s, to, depth + 1)))
			{
				a->hops = (int16) (depth + 1);
				memcpy(a->best, s->path, sizeof(int) * (depth + 2));
			}
		}
		if (depth + 1 < s->max_hops)
		{
			s->on_path[to] = true;
			compmap_walk(s, to, depth + 1, nset);
			s->on_path[to] = false;
		}
	}
}

static CwSearch *cw_sort_search;

static int
compmap_cmp_result(const void *pa, const void *pb)
{
	int			a = *(const int *) pa;
	int			b = *(const int *) pb;
	CwAcc	   *x = &cw_sort_search->acc[a];
	CwAcc	   *y = &cw_sort_search->acc[b];

	if (x->hops != y->hops)
		return x->hops - y->hops;
	return a - b;				/* framework, then catalogue order */
}

/*
 * compmap.crosswalk(control text, target_framework text DEFAULT NULL,
 *                   max_hops integer DEFAULT 2)
 * RETURNS TABLE (framework text, control text, relationships text[],
 *                hops integer, path text[], pass_propagates boolean,
 *                fail_propagates boolean)
 */
PG_FUNCTION_INFO_V1(compmap_crosswalk);
Datum
compmap_crosswalk(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CwGraph    *g;
	char	   *ref;
	char	   *colon;
	char	   *fwname;
	int			fw;
	int			start;
	int			target_fw = -1;
	int			max_hops;
	CwSearch	s;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		return (Datum) 0;

	max_hops = PG_GETARG_INT32(2);
	if (max_hops < 1 || max_hops > CW_MAX_HOPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_hops must be between 1 and %d, not %d", CW_MAX_HOPS, max_hops),
				 errhint("Most published mappings are \"intersects\": beyond two hops the possible relationships are almost always all five.")));

	ref = text_to_cstring(PG_GETARG_TEXT_PP(0));
	colon = strchr(ref, ':');
	if (colon == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("control reference \"%s\" is not of the form framework:control", ref),
				 errhint("Write the framework code, a colon and the control, e.g. iso27001_2022:A.8.8.")));

	g = compmap_get_graph();

	fwname = pnstrdup(ref, colon - ref);
	fw = compmap_lookup_fw(g, fwname);
	start = compmap_graph_node(g, ref);
	if (start < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("unknown control \"%s\"", ref),
				 errhint("Close matches in %s: %s.", fwname,
						 compmap_close_matches(g, colon + 1, fw))));
	if (!PG_ARGISNULL(1))
		target_fw = compmap_lookup_fw(g, text_to_cstring(PG_GETARG_TEXT_PP(1)));

	memset(&s, 0, sizeof(s));
	s.g = g;
	s.max_hops = max_hops;
	s.acc = palloc0(sizeof(CwAcc) * Max(g->nnodes, 1));
	s.on_path = palloc0(sizeof(bool) * Max(g->nnodes, 1));
	s.reached = palloc(sizeof(int) * Max(g->nnodes, 1));
	s.path[0] = start;
	s.on_path[start] = true;
	compmap_walk(&s, start, 0, 0);

	cw_sort_search = &s;
	qsort(s.reached, s.nreached, sizeof(int), compmap_cmp_result);

	for (i = 0; i < s.nreached; i++)
	{
		int			node = s.reached[i];
		CwAcc	   *a = &s.acc[node];
		uint8		set = a->and_mask ? a->and_mask : a->or_mask;
		Datum		values[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};
		Datum		rels[CW_NREL];
		Datum	   *path;
		int			nrel = 0;
		int			b;
		int			k;

		if (target_fw >= 0 && g->fw[node] != target_fw)
			continue;
		for (b = 0; b < CW_NREL; b++)
			if (set & (1 << b))
				rels[nrel++] = CStringGetTextDatum(cw_rel_names[b]);
		path = palloc(sizeof(Datum) * (a->hops + 1));
		for (k = 0; k <= a->hops; k++)
			path[k] = CStringGetTextDatum(g->name[a->best[k]]);

		values[0] = CStringGetTextDatum(g->fw_name[g->fw[node]]);
		values[1] = CStringGetTextDatum(g->name[node] + g->ctl_off[node]);
		values[2] = PointerGetDatum(construct_array(rels, nrel, TEXTOID, -1, false, TYPALIGN_INT));
		values[3] = Int32GetDatum(a->hops);
		values[4] = PointerGetDatum(construct_array(path, a->hops + 1, TEXTOID, -1, false, TYPALIGN_INT));
		values[5] = BoolGetDatum((set & ~(CW_EQUAL | CW_SUPERSET)) == 0);
		values[6] = BoolGetDatum((set & ~(CW_EQUAL | CW_SUBSET)) == 0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * compmap.catalogue_changed() RETURNS trigger
 *
 * AFTER ... FOR EACH STATEMENT on compmap.framework, compmap.control and
 * compmap.control_edge: queue a relcache invalidation for the table, which
 * every backend's crosswalk graph cache listens for.
 */
PG_FUNCTION_INFO_V1(compmap_catalogue_changed);
Datum
compmap_catalogue_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("compmap.catalogue_changed() must be called as a trigger")));
	if (!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("compmap.catalogue_changed() must fire AFTER ... FOR EACH STATEMENT")));

	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}
