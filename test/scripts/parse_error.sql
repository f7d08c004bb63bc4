-- A statement's error as SQLSTATE, message, detail and hint, as a caller
-- of ingest_parse sees it (loaded by json_stream_compare.sql and
-- xml_stream_compare.sql).
CREATE FUNCTION parse_error(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text;
    msg text;
    det text;
    hint text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || ' / ' || coalesce(det, '(none)') || ' / ' || coalesce(hint, '(none)');
END
$$;
