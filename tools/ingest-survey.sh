#!/usr/bin/env bash
# tools/ingest-survey.sh FILE_OR_DIR...: ingests every file given (folders:
# every file below them) with format auto into a scratch database, one
# tenant, one transaction per file, and prints one line per file
#
#   <format>|<results>|<error: SQLSTATE, message / detail>|<file>
#
# then the outcomes counted by format and by error message (line numbers
# and quoted values blanked out).  For trying compmap's readers on a
# collection of real scanner output before relying on them (docs/ingest.md,
# "Real output beyond the fixtures").  Nothing is kept: the database is
# dropped at the end.  Uses the PG* environment of a running cluster with
# compmap installed; the server reads the files (pg_read_file), so they
# must be readable by its OS user.
set -uo pipefail
[ $# -gt 0 ] || { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
db=compmap_survey_$$
trap 'dropdb --if-exists $db >/dev/null 2>&1' EXIT
createdb $db || exit 1
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q >/dev/null <<'SQL'
CREATE TABLE outcome (file text, format text, results bigint, error text);
CREATE FUNCTION survey(t uuid, f text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
    st text;
    msg text;
    det text;
BEGIN
    SELECT * INTO r FROM compmap.ingest(t, pg_catalog.pg_read_file(f), 'auto', pg_catalog.now(), f);
    INSERT INTO outcome VALUES (f, r.format, r.results, NULL);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    INSERT INTO outcome VALUES (f, NULL, NULL, st || ': ' || msg || coalesce(' / ' || det, ''));
END
$$;
SQL
tenant=$(q -c "SELECT compmap.create_tenant('survey')")
find "$@" -type f -print0 | sort -z | while IFS= read -r -d '' f; do
    f=$(realpath "$f")
    # (psql interpolates :'f' only in what it reads, not in -c)
    echo "SELECT survey('$tenant', :'f')" | q -v f="$f" >/dev/null 2>&1 \
        || echo "INSERT INTO outcome VALUES (:'f', NULL, NULL, 'the session ended: see the server log')" | q -v f="$f"
done
q -F '|' -c "SELECT coalesce(format, ''), coalesce(results::text, ''), coalesce(left(error, 200), ''), file FROM outcome ORDER BY file"
echo
echo "by format:"
q -F '|' -c "SELECT coalesce(format, '(refused)'), count(*) || ' files', coalesce(sum(results), 0) || ' results' FROM outcome GROUP BY 1 ORDER BY 1"
echo "refusals:"
q -F '|' -c "SELECT count(*), left(regexp_replace(error, '(line [0-9]+|\"[^\"]*\")', '…', 'g'), 160) FROM outcome WHERE error IS NOT NULL GROUP BY 2 ORDER BY 1 DESC"
