#!/usr/bin/env bash
# Upgrade path: for every released version frozen in src/sql/released/,
# install it, run ALTER EXTENSION compmap UPDATE, and compare the resulting
# schema with a fresh install of the current version.  Skips while only one
# version exists.  Needs PGHOST/PGPORT of a running cluster.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
current=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$top/compmap.control")
olds=()
for f in "$top"/src/sql/released/compmap--*.sql; do
    [ -e "$f" ] || continue
    v=${f##*/compmap--}; v=${v%.sql}
    [ "$v" = "$current" ] || olds+=("$v")
done
if [ ${#olds[@]} -eq 0 ]; then
    echo "1..0 # SKIP only version $current exists; no upgrade path to test yet"
    exit 0
fi
echo "1..$(( ${#olds[@]} * 2 ))"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
schema() { pg_dump -s -n compmap "$1" | grep -v '^--' | sed '/^$/d' | sort; }
createdb cm_upgrade_fresh
psql -X -q -d cm_upgrade_fresh -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
fresh=$(schema cm_upgrade_fresh)
for v in "${olds[@]}"; do
    createdb cm_upgrade_old
    psql -X -q -v ON_ERROR_STOP=1 -d cm_upgrade_old -c "CREATE EXTENSION compmap VERSION '$v' CASCADE" \
        -c 'ALTER EXTENSION compmap UPDATE' 2>/dev/null
    ok $? "$v installs and updates to $current"
    [ "$(schema cm_upgrade_old)" = "$fresh" ]; ok $? "$v updated to $current has the same schema as a fresh $current"
    dropdb cm_upgrade_old
done
dropdb cm_upgrade_fresh
