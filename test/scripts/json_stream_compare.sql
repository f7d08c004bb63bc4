-- Functions the streaming comparison scripts (sarif_stream.sh,
-- trivy_grype_stream.sh, zap_nuclei_stream.sh) load into their scratch
-- database: the outcome of a mapping from the text or from jsonb, and the
-- error of a statement, each as one text to compare.
-- The rows of a mapping as one digest, or its error with what a reader sees.
CREATE FUNCTION outcome(fmt text, t text, streamed boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
    c bigint;
    st text;
    msg text;
    det text;
    ctx text;
BEGIN
    EXECUTE format('SELECT md5(coalesce(string_agg(m::text, E''\n'' ORDER BY m.ordinality), '''')), count(*)
                      FROM compmap.map_%s%s WITH ORDINALITY AS m',
                   fmt, CASE WHEN streamed THEN '_text($1)' ELSE '($1::jsonb)' END)
       INTO r, c USING t;
    RETURN 'rows ' || c || ' ' || r;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, ctx = PG_EXCEPTION_CONTEXT;
    RETURN 'error ' || st || ': ' || msg || ' / ' || coalesce(det, '') || ' / '
           || coalesce((SELECT l FROM regexp_split_to_table(ctx, E'\n') AS l WHERE l LIKE 'JSON data, line %' LIMIT 1), '');
END
$$;
\ir parse_error.sql
-- The rows of a query over the text $1 as one digest, or its error with
-- SQLSTATE, message, detail, hint and the "JSON data, line" context: for
-- mappings whose reference is not map_<format>(text::jsonb).
CREATE FUNCTION query_outcome(query text, t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
    c bigint;
    st text;
    msg text;
    det text;
    hint text;
    ctx text;
BEGIN
    EXECUTE format('SELECT md5(coalesce(string_agg(m::text, E''\n'' ORDER BY m.ordinality), '''')), count(*)
                      FROM %s WITH ORDINALITY AS m', query)
       INTO r, c USING t;
    RETURN 'rows ' || c || ' ' || r;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                            hint = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
    RETURN 'error ' || st || ': ' || msg || ' / ' || coalesce(det, '') || ' / ' || coalesce(hint, '') || ' / '
           || coalesce((SELECT l FROM regexp_split_to_table(ctx, E'\n') AS l WHERE l LIKE 'JSON data, line %' LIMIT 1), '');
END
$$;
