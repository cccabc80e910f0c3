#!/usr/bin/env bash
# up.sh (make up): build, start the project-local PostgreSQL, create one role
# and database per service, start the three daemons (each applies its
# migrations at start), load the seeds, wait for /healthz, print how to use it.
# REPLICAS=N: N instances of each daemon behind the API gateway (HAProxy,
# gateway/haproxy.cfg.in) on GATEWAY_PORT; see lib.sh for the ports.
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

export ORGANIZER_FAILURE_RATE PAYMENT_FAILURE_RATE PAYMENT_DELAY_MS HOLD_TTL_SECONDS SELECTION_TTL_SECONDS RATE_LIMIT_PER_MINUTE MAX_SEATS_PER_USER
export CLIENT_APP_PORT TICKET_APP_PORT PAYMENT_APP_PORT
# With REPLICAS these ports are the gateway's internal routes, each reaching
# any live instance of its service: calls and deliveries between services
# never depend on one instance.
export PAYMENT_APP_URL="http://127.0.0.1:$PAYMENT_APP_PORT"
export TICKET_APP_URL="http://127.0.0.1:$TICKET_APP_PORT"
export WEBHOOK_URL="${WEBHOOK_URL:-http://127.0.0.1:$TICKET_APP_PORT/webhooks/payment}"
export NOTIFY_URL="${NOTIFY_URL:-http://127.0.0.1:$CLIENT_APP_PORT/internal/notifications}"

wait_healthy() { # name port pidfile
    local name=$1 port=$2 pidf=$3
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

if [ -z "$REPLICAS" ]; then
    if [ -f "$RUN/replicas" ]; then
        echo "this checkout runs REPLICAS=$(cat "$RUN/replicas"): make down first, or set REPLICAS" >&2
        exit 1
    fi
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
    wait_healthy payment-app "$PAYMENT_APP_PORT" "$RUN/payment-app.pid"
    wait_healthy ticket-app "$TICKET_APP_PORT" "$RUN/ticket-app.pid"
    wait_healthy client-app "$CLIENT_APP_PORT" "$RUN/client-app.pid"
else
    if ! [[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || [ "$REPLICAS" -gt "$REPLICAS_MAX" ]; then
        echo "REPLICAS must be 1..$REPLICAS_MAX" >&2
        exit 2
    fi
    for svc in "${SERVICES[@]}"; do
        if pid_alive "$RUN/$svc-app.pid"; then
            echo "$svc-app runs as a single instance: make down first" >&2
            exit 1
        fi
    done
    "$REPO/scripts/deps.sh" gateway
    # every link handed out (payment_url) goes through the gateway
    export PAYMENT_PUBLIC_URL="${PAYMENT_PUBLIC_URL:-http://localhost:$GATEWAY_PORT}"
    SERVERS_CLIENT="" SERVERS_TICKET="" SERVERS_PAYMENT=""
    for i in $(seq 1 "$REPLICAS"); do
        SERVERS_PAYMENT+="127.0.0.1:$(instance_port payment "$i") "
        SERVERS_TICKET+="127.0.0.1:$(instance_port ticket "$i") "
        SERVERS_CLIENT+="127.0.0.1:$(instance_port client "$i") "
    done
    mkdir -p "$RUN/gateway"
    gateway_render "$RUN/gateway/haproxy.cfg.new"
    echo "$REPLICAS" >"$RUN/replicas"
    if ! pid_alive "$RUN/gateway.pid"; then
        for port in "$GATEWAY_PORT" "$CLIENT_APP_PORT" "$TICKET_APP_PORT" "$PAYMENT_APP_PORT"; do
            port_free "$port" || { echo "port $port of the gateway is taken by another program" >&2; exit 1; }
        done
    fi
    if pid_alive "$RUN/gateway.pid"; then
        # a running gateway reloads a changed configuration (instance count)
        if ! cmp -s "$RUN/gateway/haproxy.cfg.new" "$RUN/gateway/haproxy.cfg"; then
            mv "$RUN/gateway/haproxy.cfg.new" "$RUN/gateway/haproxy.cfg"
            kill -USR2 "$(cat "$RUN/gateway.pid")"
        fi
    else
        mv "$RUN/gateway/haproxy.cfg.new" "$RUN/gateway/haproxy.cfg"
        (ulimit -n "$(ulimit -Hn)"; exec setsid haproxy -W -db -f "$RUN/gateway/haproxy.cfg") >>"$LOGS/gateway.log" 2>&1 </dev/null &
        echo $! >"$RUN/gateway.pid"
    fi
    # instances listen on 127.0.0.1 only (the gateway reaches them); the
    # rate limit is the gateway's (per client, whatever the instance count)
    start_instance() {
        local svc=$1 i=$2 name="$1-app-$2" pidf="$RUN/$1-app-$2.pid" port_var="${1^^}_APP_PORT"
        if pid_alive "$pidf"; then
            echo "$name already running (pid $(cat "$pidf"))"
            return
        fi
        # another program on the port would answer the health check in its
        # place and get this instance's traffic
        if ! port_free "$(instance_port "$svc" "$i")"; then
            echo "port $(instance_port "$svc" "$i") of $name is taken by another program:" \
                "choose REPLICA_PORT_BASE (and REPLICA_PORT_STRIDE)" >&2
            exit 1
        fi
        env DATABASE_URL="$(db_url "$svc")" "$port_var=$(instance_port "$svc" "$i")" \
            BIND_ADDR=127.0.0.1 RATE_LIMIT_PER_MINUTE=0 \
            setsid "$BUILD/$svc-app/$svc-app" >>"$LOGS/$name.log" 2>&1 </dev/null &
        echo $! >"$pidf"
    }
    for svc in "${SERVICES[@]}"; do
        for i in $(seq 1 "$REPLICAS"); do start_instance "$svc" "$i"; done
    done
    for svc in "${SERVICES[@]}"; do
        for i in $(seq 1 "$REPLICAS"); do
            wait_healthy "$svc-app-$i" "$(instance_port "$svc" "$i")" "$RUN/$svc-app-$i.pid"
        done
    done
    # the gateway has seen them (its checks run every second)
    for port in "$PAYMENT_APP_PORT" "$TICKET_APP_PORT" "$CLIENT_APP_PORT" "$GATEWAY_PORT"; do
        wait_healthy gateway "$port" "$RUN/gateway.pid"
    done
fi

for svc in "${SERVICES[@]}"; do
    if [ -f "$REPO/seeds/$svc.sql" ]; then
        PGPASSWORD="$(v="DB_PASSWORD_${svc^^}"; echo "${!v}")" psql -X -q -v ON_ERROR_STOP=1 \
            -h 127.0.0.1 -p "$PG_PORT" -U "${svc}_app" -d "$svc" -f "$REPO/seeds/$svc.sql" >/dev/null
    fi
done

if [ -z "$REPLICAS" ]; then
cat <<MSG

The ticketing suite is up.
  client-app   http://localhost:$CLIENT_APP_PORT   (users, bookings, web UI)
  ticket-app   http://localhost:$TICKET_APP_PORT   (events, seats, holds)
  payment-app  http://localhost:$PAYMENT_APP_PORT   (invoices, payment pages)
  API docs     http://localhost:$CLIENT_APP_PORT/docs   (OpenAPI; each service also at /openapi.json)
  PostgreSQL   127.0.0.1:$PG_PORT (data in $PGDIR)
MSG
else
cat <<MSG

The ticketing suite is up: $REPLICAS instances of each service behind the gateway.
  gateway      http://localhost:$GATEWAY_PORT   (web UI and client-app API; /pay/ and
               /api/invoices/ to payment-app; /ticket-app/... to ticket-app's API)
  statistics   http://localhost:$GATEWAY_PORT/gateway/stats   (Prometheus: /gateway/metrics)
  API docs     http://localhost:$GATEWAY_PORT/docs   (OpenAPI)
  routes       client-app :$CLIENT_APP_PORT  ticket-app :$TICKET_APP_PORT  payment-app :$PAYMENT_APP_PORT
               (the gateway, reaching any live instance)
  instances    payment $(instance_port payment 1)-$(instance_port payment "$REPLICAS"), ticket $(instance_port ticket 1)-$(instance_port ticket "$REPLICAS"), client $(instance_port client 1)-$(instance_port client "$REPLICAS") (127.0.0.1)
  PostgreSQL   127.0.0.1:$PG_PORT (data in $PGDIR)
MSG
fi
cat <<MSG

  client-app admin:  username "admin", password "$ADMIN_PASSWORD"
  ticket-app admin:  Authorization: Bearer $TICKET_ADMIN_TOKEN
  (all secrets of this checkout: $RUN/secrets.env)

  Logs:  make logs     Stop:  make down     Wipe all data:  make clean
MSG
