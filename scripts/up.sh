#!/usr/bin/env bash
# up.sh (make up): build, start the project-local PostgreSQL, create one role
# and database per service, start the three daemons (each applies its
# migrations at start), load the seeds, wait for /healthz, print how to use it.
# Safe to run twice: what already runs is left alone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

load_secrets
mkdir -p "$LOGS"
PGDIR=$(pg_dir)
echo "$PGDIR" >"$RUN/pgdir"

PG_AUTH_HOST=scram-sha-256 "$REPO/scripts/pg.sh" start "$PGDIR" "$PG_PORT"
eval "$("$REPO/scripts/pg.sh" env "$PGDIR" "$PG_PORT")"
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

for svc in "${SERVICES[@]}"; do
    pw_var="DB_PASSWORD_${svc^^}"
    psql_admin -v role="${svc}_app" -v pw="${!pw_var}" -v db="$svc" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
done

export ORGANIZER_FAILURE_RATE PAYMENT_FAILURE_RATE PAYMENT_DELAY_MS HOLD_TTL_SECONDS RATE_LIMIT_PER_MINUTE
export CLIENT_APP_PORT TICKET_APP_PORT PAYMENT_APP_PORT
export PAYMENT_APP_URL="http://127.0.0.1:$PAYMENT_APP_PORT"
export TICKET_APP_URL="http://127.0.0.1:$TICKET_APP_PORT"
export WEBHOOK_URL="${WEBHOOK_URL:-http://127.0.0.1:$TICKET_APP_PORT/webhooks/payment}"
export NOTIFY_URL="${NOTIFY_URL:-http://127.0.0.1:$CLIENT_APP_PORT/internal/notifications}"
export PAYMENT_PUBLIC_URL="${PAYMENT_PUBLIC_URL:-http://localhost:$PAYMENT_APP_PORT}"

start_service() {
    local svc=$1 pidf="$RUN/$1-app.pid"
    if pid_alive "$pidf"; then
        echo "$svc-app already running (pid $(cat "$pidf"))"
        return
    fi
    DATABASE_URL=$(db_url "$svc") setsid "$BUILD/$svc-app/$svc-app" \
        >>"$LOGS/$svc-app.log" 2>&1 </dev/null &
    echo $! >"$pidf"
}
for svc in "${SERVICES[@]}"; do start_service "$svc"; done

wait_healthy() {
    local name=$1 port=$2 pidf="$RUN/$1.pid"
    for _ in $(seq 1 150); do
        if curl -fsS -m 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
        if ! pid_alive "$pidf"; then
            echo "$name exited; last lines of $LOGS/$name.log:" >&2
            tail -n 20 "$LOGS/$name.log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$name did not answer /healthz in 30 s; see $LOGS/$name.log" >&2
    return 1
}
wait_healthy payment-app "$PAYMENT_APP_PORT"
wait_healthy ticket-app "$TICKET_APP_PORT"
wait_healthy client-app "$CLIENT_APP_PORT"

for svc in "${SERVICES[@]}"; do
    if [ -f "$REPO/seeds/$svc.sql" ]; then
        PGPASSWORD="$(v="DB_PASSWORD_${svc^^}"; echo "${!v}")" psql -X -q -v ON_ERROR_STOP=1 \
            -h 127.0.0.1 -p "$PG_PORT" -U "${svc}_app" -d "$svc" -f "$REPO/seeds/$svc.sql" >/dev/null
    fi
done

cat <<MSG

The ticketing suite is up.
  client-app   http://localhost:$CLIENT_APP_PORT   (users, bookings, web UI)
  ticket-app   http://localhost:$TICKET_APP_PORT   (events, seats, holds)
  payment-app  http://localhost:$PAYMENT_APP_PORT   (invoices, payment pages)
  PostgreSQL   127.0.0.1:$PG_PORT (data in $PGDIR)

  client-app admin:  username "admin", password "$ADMIN_PASSWORD"
  ticket-app admin:  Authorization: Bearer $TICKET_ADMIN_TOKEN
  (all secrets of this checkout: $RUN/secrets.env)

  Logs:  make logs     Stop:  make down     Wipe all data:  make clean
MSG
