/*-------------------------------------------------------------------------
 *
 * compmap.h
 *	  Declarations shared by compmap's C files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPMAP_H
#define COMPMAP_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"
#include "utils/uuid.h"

#include "merkle.h"
#include "compat.h"

/* Encoding version written into every leaf (docs/evidence-format.md). */
#define COMPMAP_ENC_VERSION 1
/* Complete subtrees of 2^COMPMAP_NODE_MIN_LEVEL leaves and up are stored. */
#define COMPMAP_NODE_MIN_LEVEL 4

/* Unix epoch minus PostgreSQL epoch, in microseconds. */
#define COMPMAP_UNIX_EPOCH_OFFSET_US INT64CONST(946684800000000)

/* jcs.c */
extern void compmap_jcs_append(StringInfo out, Jsonb *jb);
extern void compmap_payload_digest(Jsonb *jb, uint8 *out);
extern void compmap_fingerprint_digest(const char *asset, size_t asset_len, Jsonb *extra,
									   const char *location, size_t location_len,
									   const char *rule, size_t rule_len,
									   const char *scanner, size_t scanner_len, uint8 *out);

/* leaf.c */
typedef struct CompmapLeaf
{
	pg_uuid_t	tenant_id;
	int64		leaf_index;
	pg_uuid_t	subject_id;
	int64		subject_seq;
	uint8		subject_prev[CM_HASH_LEN];
	const char *event_type;
	int			event_type_len;
	const char *actor;
	int			actor_len;
	int64		occurred_at;	/* PostgreSQL TimestampTz */
	int64		recorded_at;	/* PostgreSQL TimestampTz */
	uint8		payload_digest[CM_HASH_LEN];
} CompmapLeaf;

extern void compmap_leaf_hash(const CompmapLeaf *leaf, uint8 *out);
extern void compmap_hash_or_error(bool ok);

/* evidence.c */
typedef struct OwnerSwitch
{
	Oid			save_uid;
	int			save_sec;
} OwnerSwitch;
extern void compmap_owner_begin(OwnerSwitch *sw, Oid owner);
extern void compmap_owner_end(OwnerSwitch *sw);
extern Oid	compmap_log_owner(void);
extern void compmap_evidence_read_begin(void);
extern void compmap_evidence_read_end(void);
extern void compmap_evidence_init(void);
extern bool compmap_redacting;
extern void compmap_require_tenant(pg_uuid_t *tenant);
extern void compmap_check_evidence_relation(Relation rel);

/* evidence_tree.c */
extern bool compmap_tree_root_at(pg_uuid_t *tenant, uint64 size, uint8 *out);
extern uint64 compmap_tree_size(pg_uuid_t *tenant);
extern bool compmap_consistency_check(pg_uuid_t *tenant, uint64 size1, uint64 size2);

/* cvss.c */
extern PGDLLEXPORT Datum compmap_cvss_severity(PG_FUNCTION_ARGS);

/* ingest_sarif.c: SARIF results mapped to ingest_record rows */
typedef struct SarifMapper SarifMapper;
struct ReturnSetInfo;
extern SarifMapper *sarif_mapper_create(struct ReturnSetInfo *rsinfo);
extern void sarif_mapper_start_run(SarifMapper *m, const JsonbValue *tool,
								   const JsonbValue *artifacts, const JsonbValue *vcp);
extern void sarif_mapper_put_result(SarifMapper *m, const JsonbValue *result);
extern void sarif_mapper_end_run(SarifMapper *m);
extern void sarif_mapper_discard_rows(SarifMapper *m);
extern void sarif_mapper_destroy(SarifMapper *m);
extern Datum sarif_scanner_name(const JsonbValue *tool);
extern void sarif_check_runs_array(bool is_container, bool is_array);

/* ingest_trivy.c: Trivy items mapped to ingest_record rows, in this order */
typedef enum TrivyClass
{
	TRIVY_VULNERABILITY,
	TRIVY_MISCONFIGURATION,
	TRIVY_SECRET
} TrivyClass;
typedef struct TrivyMapper TrivyMapper;
extern TrivyMapper *trivy_mapper_create(struct ReturnSetInfo *rsinfo);
extern void trivy_mapper_set_report(TrivyMapper *m, const JsonbValue *artifact_type,
									const JsonbValue *artifact_name);
extern void trivy_mapper_start_result(TrivyMapper *m, const JsonbValue *target);
extern void trivy_mapper_put_item(TrivyMapper *m, TrivyClass class, const JsonbValue *item);
extern void trivy_mapper_discard_rows(TrivyMapper *m);
extern void trivy_mapper_destroy(TrivyMapper *m);

/* ingest_grype.c: Grype matches mapped to ingest_record rows */
typedef struct GrypeMapper GrypeMapper;
extern GrypeMapper *grype_mapper_create(struct ReturnSetInfo *rsinfo);
extern void grype_mapper_set_source(GrypeMapper *m, const JsonbValue *source);
extern void grype_mapper_put_match(GrypeMapper *m, const JsonbValue *match);
extern void grype_mapper_discard_rows(GrypeMapper *m);
extern void grype_mapper_destroy(GrypeMapper *m);
extern void grype_check_matches_array(bool is_container);

/* helpers for bytea / hash arguments */
extern bytea *compmap_hash_to_bytea(const uint8 *hash);
extern void compmap_bytea_to_hash(bytea *b, uint8 *out, const char *what);

#endif							/* COMPMAP_H */
