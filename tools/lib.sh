# tools/lib.sh: shared shell helpers for compmap's demo, test and bench
# commands.  Sourced, not executed.
#
# Builds and installs the extension, and starts a throw-away PostgreSQL 15
# cluster on a private socket directory and a free loopback port.  When run
# as root the cluster runs as the "postgres" OS user, because PostgreSQL
# refuses to run as root.

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PG_CONFIG=${PG_CONFIG:-$PG_BINDIR/pg_config}
export PATH="$PG_BINDIR:$PATH"

# Debian packages compmap's build and tests need beyond the server itself.
# (libxml2-dev: the XML readers link libxml2; llvm-14-dev pulls it in
# today, but the build should not depend on that.  flawfinder: the demo's
# scanner, and the demo is part of the test command.)
COMPMAP_DEPS="postgresql-server-dev-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl libipc-run-perl libssl-dev libxml2-dev make gcc openssl python3 clang-14 libclang-rt-14-dev python3-jsonschema python3-regex postgresql-15-cron flawfinder"

log() { printf '%s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_deps() {
    local missing=() p
    for p in $COMPMAP_DEPS "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing: ${missing[*]} (log in /tmp/compmap-apt.log)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update >/tmp/compmap-apt.log 2>&1 || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >>/tmp/compmap-apt.log 2>&1 \
        || { tail -20 /tmp/compmap-apt.log >&2; return 1; }
}

build_install() {
    local top=$1
    make -C "$top" -s -j2 COMPMAP_WERROR=-Werror >/tmp/compmap-build.log 2>&1 \
        || { cat /tmp/compmap-build.log >&2; return 1; }
    as_root make -C "$top" -s install >>/tmp/compmap-build.log 2>&1 \
        || { cat /tmp/compmap-build.log >&2; return 1; }
}

# Runs a command as the cluster's OS user.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    local port=${1:-54329}
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    echo "$port"
}

# start_cluster NAME: sets WORK, PGHOST, PGPORT, PGUSER and an EXIT trap.
start_cluster() {
    local name=$1
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
    fi
    # Leftovers from killed runs: remove those whose postmaster is dead.
    local d
    for d in /tmp/compmap-"$name".*; do
        [ -d "$d" ] || continue
        if [ -f "$d/data/postmaster.pid" ] && kill -0 "$(head -1 "$d/data/postmaster.pid")" 2>/dev/null; then continue; fi
        rm -rf "$d"
    done
    WORK=$(mktemp -d "/tmp/compmap-$name.XXXXXX")
    chmod 755 "$WORK"
    [ "$(id -u)" = 0 ] && chown postgres: "$WORK"
    as_pg initdb -D "$WORK/data" -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions >"$WORK/initdb.log" 2>&1 \
        || { cat "$WORK/initdb.log" >&2; return 1; }
    PGPORT=$(free_port "${COMPMAP_PORT_BASE:-54329}")
    cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$WORK'
fsync = off
synchronous_commit = off
full_page_writes = off
max_prepared_transactions = 10
max_connections = 60
${COMPMAP_PG_CONF:-}
CONF
    as_pg pg_ctl -D "$WORK/data" -l "$WORK/server.log" -w -t 60 start >/dev/null \
        || { tail -30 "$WORK/server.log" >&2; return 1; }
    export PGHOST=$WORK PGPORT PGUSER=postgres PGDATABASE=postgres
    trap stop_cluster EXIT
}

stop_cluster() {
    [ -n "${WORK:-}" ] || return 0
    as_pg pg_ctl -D "$WORK/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
        || as_pg pg_ctl -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
    if [ -z "${COMPMAP_KEEP:-}" ]; then rm -rf "$WORK"; else log "kept $WORK"; fi
    WORK=
}
