-- Functions the XML streaming comparison scripts (openvas_stream.sh,
-- zap_xml_stream.sh) load into their scratch database: the outcome of a mapping from the text
-- (map_<format>_text) or from the parsed document
-- (map_<format>_reference(text::xml)), and the error of a statement, each
-- as one text to compare.
-- The rows of a mapping as one digest, or its error (SQLSTATE, message,
-- and the detail's first line unless it is a line number of the serialized
-- item the reference parses again, which the reader does not build).
CREATE FUNCTION outcome(fmt text, t text, streamed boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
    c bigint;
    st text;
    msg text;
    det text;
BEGIN
    EXECUTE format('SELECT md5(coalesce(string_agg(m::text, E''\n'' ORDER BY m.ordinality), '''')), count(*)
                      FROM compmap.map_%s%s WITH ORDINALITY AS m',
                   fmt, CASE WHEN streamed THEN '_text($1)' ELSE '_reference($1::xml)' END)
       INTO r, c USING t;
    RETURN 'rows ' || c || ' ' || r;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN 'error ' || st || ': ' || msg || ' / '
           || coalesce(regexp_replace(split_part(det, E'\n', 1), '^line [0-9]+: ', ''), '');
END
$$;
\ir parse_error.sql
