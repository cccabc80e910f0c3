#!/usr/bin/env bash
# suite.sh up|down|wipe NAME: a private copy of the `make up` suite, for the
# demos and the Postman run. They need outcomes forced through API.md's
# variables (ORGANIZER_FAILURE_RATE=1, PAYMENT_FAILURE_RATE=1, ...), which
# the daemons read at start, so they restart the suite with other values;
# doing that to the suite `make up` runs would pull it from under whoever
# uses it. So each NAME gets its own PostgreSQL (data, port), its own ports,
# secrets and logs, under .run/suite-NAME/.
#
# It runs the very scripts of `make up` and `make down` (scripts/up.sh,
# scripts/down.sh), from a shadow checkout .run/suite-NAME/repo: a symlink to
# every top-level entry of this checkout except .run, so those scripts find
# the same sources, build and seeds, but keep their .run (pids, logs,
# secrets, database) there.
#
#   up    (re)starts the suite with the current environment: ports from
#         CLIENT_APP_PORT, TICKET_APP_PORT, PAYMENT_APP_PORT, PG_PORT, and
#         every other variable of `make up` (rates, delays, secrets).
#         Builds the daemons first (make daemons; SUITE_BUILD=0 skips that
#         and uses the binaries already in build/). Prints the URLs.
#   down  stops it (data stays); wipe: stops it and removes its data.
# `make clean` removes .run, hence every suite, too.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
name=${2:-}
[[ $cmd =~ ^(up|down|wipe)$ && $name =~ ^[a-z0-9-]+$ ]] || {
    echo "usage: demo/suite.sh up|down|wipe NAME" >&2
    exit 2
}
base="$REPO/.run/suite-$name"
shadow="$base/repo"

make_shadow() {
    mkdir -p "$shadow"
    local e
    for e in "$REPO"/* "$REPO"/.[!.]*; do
        [ -e "$e" ] || continue
        case "${e##*/}" in .run | .git) continue ;; esac
        ln -sfn "$e" "$shadow/${e##*/}"
    done
    # The build folder is made by `make daemons` below; link it even before.
    ln -sfn "$REPO/${BUILD_DIR:-build}" "$shadow/build"
}

stop() {
    [ -d "$shadow/scripts" ] || return 0
    "$shadow/scripts/down.sh" >"$base/down.log" 2>&1 || { cat "$base/down.log" >&2; return 1; }
}

case "$cmd" in
up)
    mkdir -p "$base"
    if [ "${SUITE_BUILD:-1}" != 0 ] && ! make -s -C "$REPO" daemons >"$base/build.log" 2>&1; then
        cat "$base/build.log" >&2
        exit 1
    fi
    make_shadow
    stop
    if ! "$shadow/scripts/up.sh" >"$base/up.log" 2>&1; then
        cat "$base/up.log" >&2
        exit 1
    fi
    echo "suite $name: client-app :${CLIENT_APP_PORT:-8080}, ticket-app :${TICKET_APP_PORT:-8081}," \
        "payment-app :${PAYMENT_APP_PORT:-8082}, PostgreSQL :${PG_PORT:-55432}" \
        "(logs and secrets in ${base#"$REPO"/}/repo/.run)"
    ;;
down) stop ;;
wipe)
    stop
    pgdir=$(cat "$shadow/.run/pgdir" 2>/dev/null || true)
    case "$pgdir" in /var/tmp/ticketing-*) rm -rf "$(dirname "$pgdir")" ;; esac
    rm -rf "$base"
    ;;
esac
