#!/usr/bin/env bash
# down.sh (make down): stops the three daemons (SIGTERM, then SIGKILL after
# 15 s) and the project-local PostgreSQL. Data stays.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

for svc in client ticket payment; do
    pidf="$RUN/$svc-app.pid"
    if pid_alive "$pidf"; then
        pid=$(cat "$pidf")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        echo "stopped $svc-app"
    fi
    rm -f "$pidf"
done
if [ -f "$RUN/pgdir" ]; then
    "$REPO/scripts/pg.sh" stop "$(cat "$RUN/pgdir")"
    echo "stopped PostgreSQL"
fi
