-- compmap install script, generated from src/sql/*.sql by the Makefile.
-- Do not edit the generated file; edit the pieces.

\echo Use "CREATE EXTENSION compmap CASCADE" to load this file. \quit

DO $check$
BEGIN
    -- The evidence log hashes text as UTF-8 bytes exactly as stored.
    IF pg_catalog.getdatabaseencoding() <> 'UTF8' THEN
        RAISE EXCEPTION 'compmap requires a UTF8 database, not %', pg_catalog.getdatabaseencoding()
            USING ERRCODE = 'feature_not_supported';
    END IF;
END
$check$;
