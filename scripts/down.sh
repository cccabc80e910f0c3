#!/usr/bin/env bash
# down.sh (make down): stops the daemons (SIGTERM, then SIGKILL after 15 s),
# every instance and the gateway of a REPLICAS run included, and the
# project-local PostgreSQL. Data stays.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

stop_pidfile() { # pidfile name
    local pidf=$1 name=$2 pid
    if pid_alive "$pidf"; then
        pid=$(cat "$pidf")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        echo "stopped $name"
    fi
    rm -f "$pidf"
}
for svc in client ticket payment; do
    stop_pidfile "$RUN/$svc-app.pid" "$svc-app"
    for pidf in "$RUN/$svc-app-"*.pid; do
        [ -e "$pidf" ] || continue
        name=$(basename "$pidf" .pid)
        stop_pidfile "$pidf" "$name"
    done
done
stop_pidfile "$RUN/gateway.pid" gateway
rm -f "$RUN/replicas"
if [ -f "$RUN/pgdir" ]; then
    "$REPO/scripts/pg.sh" stop "$(cat "$RUN/pgdir")"
    echo "stopped PostgreSQL"
fi
