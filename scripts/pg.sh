#!/usr/bin/env bash
# pg.sh: a project-local PostgreSQL server in its own folder, port and socket
# folder, listening on 127.0.0.1 only.
#   pg.sh start DATADIR PORT   initdb if needed, start, wait until ready
#   pg.sh stop DATADIR         fast shutdown
#   pg.sh status DATADIR       exit 0 if running
#   pg.sh env DATADIR PORT     print PGHOST/PGPORT/PGUSER exports
# PG_FSYNC (on) and PG_OPTS (more "-c name=value" server settings) apply
# to start.
# initdb and postgres refuse to run as root: as root they run as the
# "postgres" user, which must be able to reach DATADIR.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|status|env DATADIR [PORT]}
datadir=${2:?DATADIR required}
port=${3:-55432}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/pg_ctl" ] || { echo "pg.sh: PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
owner() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }

sockdir="$datadir/socket"
case "$cmd" in
start)
    mkdir -p "$datadir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$datadir"; fi
    if [ ! -f "$datadir/db/PG_VERSION" ]; then
        as_pg mkdir -p "$datadir/db" "$sockdir"
        as_pg "$bindir/initdb" -D "$datadir/db" -U "$(owner)" --auth-local=trust --auth-host="${PG_AUTH_HOST:-trust}" -E UTF8 \
            --locale=C.UTF-8 >"$datadir/initdb.log" 2>&1 ||
            { cat "$datadir/initdb.log" >&2; exit 1; }
    fi
    as_pg mkdir -p "$sockdir"
    if as_pg "$bindir/pg_ctl" -D "$datadir/db" status >/dev/null 2>&1; then
        exit 0
    fi
    as_pg "$bindir/pg_ctl" -D "$datadir/db" -l "$datadir/server.log" -w -t 60 \
        -o "-p $port -k $sockdir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=${PG_FSYNC:-on} ${PG_OPTS:-}" \
        start >/dev/null || { tail -n 30 "$datadir/server.log" >&2; exit 1; }
    ;;
stop)
    if [ -f "$datadir/db/PG_VERSION" ]; then
        as_pg "$bindir/pg_ctl" -D "$datadir/db" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
status)
    as_pg "$bindir/pg_ctl" -D "$datadir/db" status >/dev/null 2>&1
    ;;
env)
    echo "export PGHOST=$sockdir PGPORT=$port PGUSER=$(owner)"
    ;;
*)
    echo "pg.sh: unknown command $cmd" >&2; exit 2 ;;
esac
