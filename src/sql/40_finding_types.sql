
-- ---------------------------------------------------------------------------
-- 40_finding_types: the finding_status and cvss base types (src/finding_status.c,
-- src/cvss.c).  Reference: docs/findings-lifecycle.md and docs/cvss.md.
--
-- Privileges: the functions a type cannot work without (input/output,
-- send/receive, comparison, hashing, the cast from text) stay executable by
-- PUBLIC, like those of every built-in type: they read no data.  Every other
-- function is revoked from PUBLIC and granted to the compmap roles at the end
-- of this piece.
--
-- search_path: these C functions resolve no names at all, so a SET clause
-- protects nothing here, while it costs each call a save and restore of the
-- setting: four times the cost of is_open() on every row a scoring query
-- reads (docs/performance.md).  They are the only compmap functions without
-- SET search_path (docs/security.md; test/pgtap/function_rules.sql).
-- ---------------------------------------------------------------------------

-- finding_status ------------------------------------------------------------

CREATE TYPE @extschema@.finding_status;

CREATE FUNCTION @extschema@.finding_status_in(pg_catalog.cstring)
RETURNS @extschema@.finding_status
AS 'MODULE_PATHNAME', 'compmap_finding_status_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.finding_status_out(@extschema@.finding_status)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'compmap_finding_status_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.finding_status_recv(pg_catalog.internal)
RETURNS @extschema@.finding_status
AS 'MODULE_PATHNAME', 'compmap_finding_status_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.finding_status_send(@extschema@.finding_status)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'compmap_finding_status_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- One byte, passed by value: the state code (see src/finding_status.c).
CREATE TYPE @extschema@.finding_status (
    INPUT = @extschema@.finding_status_in,
    OUTPUT = @extschema@.finding_status_out,
    RECEIVE = @extschema@.finding_status_recv,
    SEND = @extschema@.finding_status_send,
    INTERNALLENGTH = 1,
    PASSEDBYVALUE,
    ALIGNMENT = char,
    STORAGE = plain
);

COMMENT ON TYPE @extschema@.finding_status IS
    'lifecycle state of a finding: new, triaged, assigned, in_progress, fixed, verified, reopened, risk_accepted, false_positive, duplicate (also the sort order)';

CREATE FUNCTION @extschema@.finding_status_eq(@extschema@.finding_status, @extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.finding_status_ne(@extschema@.finding_status, @extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.finding_status_lt(@extschema@.finding_status, @extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.finding_status_le(@extschema@.finding_status, @extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.finding_status_gt(@extschema@.finding_status, @extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.finding_status_ge(@extschema@.finding_status, @extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.finding_status_cmp(@extschema@.finding_status, @extschema@.finding_status)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'compmap_finding_status_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.finding_status_hash(@extschema@.finding_status)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'compmap_finding_status_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.finding_status_hash_extended(@extschema@.finding_status, pg_catalog.int8)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'compmap_finding_status_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.finding_status,
    RIGHTARG = @extschema@.finding_status,
    FUNCTION = @extschema@.finding_status_eq,
    COMMUTATOR = OPERATOR(@extschema@.=),
    NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel,
    JOIN = pg_catalog.eqjoinsel,
    HASHES,
    MERGES
);

CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.finding_status,
    RIGHTARG = @extschema@.finding_status,
    FUNCTION = @extschema@.finding_status_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>),
    NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel,
    JOIN = pg_catalog.neqjoinsel
);

CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.finding_status,
    RIGHTARG = @extschema@.finding_status,
    FUNCTION = @extschema@.finding_status_lt,
    COMMUTATOR = OPERATOR(@extschema@.>),
    NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel,
    JOIN = pg_catalog.scalarltjoinsel
);

CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.finding_status,
    RIGHTARG = @extschema@.finding_status,
    FUNCTION = @extschema@.finding_status_le,
    COMMUTATOR = OPERATOR(@extschema@.>=),
    NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel,
    JOIN = pg_catalog.scalarlejoinsel
);

CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.finding_status,
    RIGHTARG = @extschema@.finding_status,
    FUNCTION = @extschema@.finding_status_gt,
    COMMUTATOR = OPERATOR(@extschema@.<),
    NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel,
    JOIN = pg_catalog.scalargtjoinsel
);

CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.finding_status,
    RIGHTARG = @extschema@.finding_status,
    FUNCTION = @extschema@.finding_status_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=),
    NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel,
    JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR CLASS @extschema@.finding_status_btree_ops
DEFAULT FOR TYPE @extschema@.finding_status USING btree AS
    OPERATOR 1 @extschema@.<,
    OPERATOR 2 @extschema@.<=,
    OPERATOR 3 @extschema@.=,
    OPERATOR 4 @extschema@.>=,
    OPERATOR 5 @extschema@.>,
    FUNCTION 1 @extschema@.finding_status_cmp(@extschema@.finding_status, @extschema@.finding_status);

CREATE OPERATOR CLASS @extschema@.finding_status_hash_ops
DEFAULT FOR TYPE @extschema@.finding_status USING hash AS
    OPERATOR 1 @extschema@.=,
    FUNCTION 1 @extschema@.finding_status_hash(@extschema@.finding_status),
    FUNCTION 2 @extschema@.finding_status_hash_extended(@extschema@.finding_status, pg_catalog.int8);

-- Lifecycle functions (graph and reasons: docs/findings-lifecycle.md).

CREATE FUNCTION @extschema@.can_transition("from" @extschema@.finding_status, "to" @extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_can_transition'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.can_transition(@extschema@.finding_status, @extschema@.finding_status) IS
    'true when a finding may move from the first state to the second (docs/findings-lifecycle.md)';

CREATE FUNCTION @extschema@.is_open(@extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_is_open'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.is_open(@extschema@.finding_status) IS
    'true for states that count as open exposure: new, triaged, assigned, in_progress, fixed (until verified), reopened';

CREATE FUNCTION @extschema@.is_terminal(@extschema@.finding_status)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_finding_status_is_terminal'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.is_terminal(@extschema@.finding_status) IS
    'true for closed states that only a reopen can leave: verified, false_positive, duplicate';

CREATE FUNCTION @extschema@.finding_states()
RETURNS SETOF @extschema@.finding_status
AS 'MODULE_PATHNAME', 'compmap_finding_status_all'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

COMMENT ON FUNCTION @extschema@.finding_states() IS
    'every finding_status, in sort order';

CREATE FUNCTION @extschema@.allowed_transitions("from" @extschema@.finding_status)
RETURNS SETOF @extschema@.finding_status
AS 'MODULE_PATHNAME', 'compmap_finding_status_allowed_transitions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 7;

COMMENT ON FUNCTION @extschema@.allowed_transitions(@extschema@.finding_status) IS
    'the states a finding in the given state may move to, in sort order';

-- cvss ------------------------------------------------------------------------

CREATE TYPE @extschema@.cvss;

CREATE FUNCTION @extschema@.cvss_in(pg_catalog.cstring)
RETURNS @extschema@.cvss
AS 'MODULE_PATHNAME', 'compmap_cvss_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.cvss_out(@extschema@.cvss)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'compmap_cvss_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.cvss_recv(pg_catalog.internal)
RETURNS @extschema@.cvss
AS 'MODULE_PATHNAME', 'compmap_cvss_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.cvss_send(@extschema@.cvss)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'compmap_cvss_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Variable length: the normalised vector text (see src/cvss.c).
CREATE TYPE @extschema@.cvss (
    INPUT = @extschema@.cvss_in,
    OUTPUT = @extschema@.cvss_out,
    RECEIVE = @extschema@.cvss_recv,
    SEND = @extschema@.cvss_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended,
    COLLATABLE = false
);

COMMENT ON TYPE @extschema@.cvss IS
    'validated CVSS v3.0, v3.1 or v4.0 vector, stored normalised (docs/cvss.md)';

CREATE FUNCTION @extschema@.cvss(pg_catalog.text)
RETURNS @extschema@.cvss
AS 'MODULE_PATHNAME', 'compmap_cvss_from_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (pg_catalog.text AS @extschema@.cvss)
    WITH FUNCTION @extschema@.cvss(pg_catalog.text) AS ASSIGNMENT;

CREATE FUNCTION @extschema@.cvss_eq(@extschema@.cvss, @extschema@.cvss)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_cvss_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.cvss_ne(@extschema@.cvss, @extschema@.cvss)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_cvss_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.cvss_lt(@extschema@.cvss, @extschema@.cvss)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_cvss_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.cvss_le(@extschema@.cvss, @extschema@.cvss)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_cvss_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.cvss_gt(@extschema@.cvss, @extschema@.cvss)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_cvss_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.cvss_ge(@extschema@.cvss, @extschema@.cvss)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'compmap_cvss_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.cvss_cmp(@extschema@.cvss, @extschema@.cvss)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'compmap_cvss_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.cvss_hash(@extschema@.cvss)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'compmap_cvss_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION @extschema@.cvss_hash_extended(@extschema@.cvss, pg_catalog.int8)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'compmap_cvss_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.cvss,
    RIGHTARG = @extschema@.cvss,
    FUNCTION = @extschema@.cvss_eq,
    COMMUTATOR = OPERATOR(@extschema@.=),
    NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel,
    JOIN = pg_catalog.eqjoinsel,
    HASHES,
    MERGES
);

CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.cvss,
    RIGHTARG = @extschema@.cvss,
    FUNCTION = @extschema@.cvss_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>),
    NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel,
    JOIN = pg_catalog.neqjoinsel
);

CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.cvss,
    RIGHTARG = @extschema@.cvss,
    FUNCTION = @extschema@.cvss_lt,
    COMMUTATOR = OPERATOR(@extschema@.>),
    NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel,
    JOIN = pg_catalog.scalarltjoinsel
);

CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.cvss,
    RIGHTARG = @extschema@.cvss,
    FUNCTION = @extschema@.cvss_le,
    COMMUTATOR = OPERATOR(@extschema@.>=),
    NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel,
    JOIN = pg_catalog.scalarlejoinsel
);

CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.cvss,
    RIGHTARG = @extschema@.cvss,
    FUNCTION = @extschema@.cvss_gt,
    COMMUTATOR = OPERATOR(@extschema@.<),
    NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel,
    JOIN = pg_catalog.scalargtjoinsel
);

CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.cvss,
    RIGHTARG = @extschema@.cvss,
    FUNCTION = @extschema@.cvss_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=),
    NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel,
    JOIN = pg_catalog.scalargejoinsel
);

-- Byte order of the normalised text: for indexes and DISTINCT, not severity.
CREATE OPERATOR CLASS @extschema@.cvss_btree_ops
DEFAULT FOR TYPE @extschema@.cvss USING btree AS
    OPERATOR 1 @extschema@.<,
    OPERATOR 2 @extschema@.<=,
    OPERATOR 3 @extschema@.=,
    OPERATOR 4 @extschema@.>=,
    OPERATOR 5 @extschema@.>,
    FUNCTION 1 @extschema@.cvss_cmp(@extschema@.cvss, @extschema@.cvss);

CREATE OPERATOR CLASS @extschema@.cvss_hash_ops
DEFAULT FOR TYPE @extschema@.cvss USING hash AS
    OPERATOR 1 @extschema@.=,
    FUNCTION 1 @extschema@.cvss_hash(@extschema@.cvss),
    FUNCTION 2 @extschema@.cvss_hash_extended(@extschema@.cvss, pg_catalog.int8);

CREATE FUNCTION @extschema@.cvss_score(@extschema@.cvss)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'compmap_cvss_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cvss_score(@extschema@.cvss) IS
    'score of the vector: v3.x environmental if set, else temporal if set, else base; v4.0 CVSS-B/BT/BE/BTE (see cvss_score_kind)';

CREATE FUNCTION @extschema@.cvss_base_score(@extschema@.cvss)
RETURNS pg_catalog.numeric
AS 'MODULE_PATHNAME', 'compmap_cvss_base_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cvss_base_score(@extschema@.cvss) IS
    'base score only: v3.x base score; v4.0 CVSS-B (threat and environmental metrics ignored)';

CREATE FUNCTION @extschema@.cvss_severity(@extschema@.cvss)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'compmap_cvss_severity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cvss_severity(@extschema@.cvss) IS
    'qualitative rating of cvss_score: none, low, medium, high or critical';

CREATE FUNCTION @extschema@.cvss_version(@extschema@.cvss)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'compmap_cvss_version'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cvss_version(@extschema@.cvss) IS
    'CVSS version of the vector: 3.0, 3.1 or 4.0';

CREATE FUNCTION @extschema@.cvss_score_kind(@extschema@.cvss)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'compmap_cvss_score_kind'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cvss_score_kind(@extschema@.cvss) IS
    'which score cvss_score reports: base, temporal or environmental (v3.x); CVSS-B, CVSS-BT, CVSS-BE or CVSS-BTE (v4.0)';

-- Privileges -------------------------------------------------------------------

REVOKE ALL ON FUNCTION
    @extschema@.can_transition(@extschema@.finding_status, @extschema@.finding_status),
    @extschema@.is_open(@extschema@.finding_status),
    @extschema@.is_terminal(@extschema@.finding_status),
    @extschema@.finding_states(),
    @extschema@.allowed_transitions(@extschema@.finding_status),
    @extschema@.cvss_score(@extschema@.cvss),
    @extschema@.cvss_base_score(@extschema@.cvss),
    @extschema@.cvss_severity(@extschema@.cvss),
    @extschema@.cvss_version(@extschema@.cvss),
    @extschema@.cvss_score_kind(@extschema@.cvss)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
    @extschema@.can_transition(@extschema@.finding_status, @extschema@.finding_status),
    @extschema@.is_open(@extschema@.finding_status),
    @extschema@.is_terminal(@extschema@.finding_status),
    @extschema@.finding_states(),
    @extschema@.allowed_transitions(@extschema@.finding_status),
    @extschema@.cvss_score(@extschema@.cvss),
    @extschema@.cvss_base_score(@extschema@.cvss),
    @extschema@.cvss_severity(@extschema@.cvss),
    @extschema@.cvss_version(@extschema@.cvss),
    @extschema@.cvss_score_kind(@extschema@.cvss)
TO compmap_reader, compmap_writer, compmap_auditor, compmap_admin;
