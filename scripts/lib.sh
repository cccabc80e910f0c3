# lib.sh: what up.sh, down.sh and the others share: where things live, the
# ports, and the secrets of this checkout. Sourced, not run. RUN_DIR moves
# the run folder (pids, logs, secrets, data) elsewhere (scripts/scale-check).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN="${RUN_DIR:-$REPO/.run}"
BUILD="${BUILD_DIR:-$REPO/build}"
LOGS="$RUN/logs"
SERVICES=(payment ticket client)

PG_PORT=${PG_PORT:-55432}
CLIENT_APP_PORT=${CLIENT_APP_PORT:-8080}
TICKET_APP_PORT=${TICKET_APP_PORT:-8081}
PAYMENT_APP_PORT=${PAYMENT_APP_PORT:-8082}

# REPLICAS=N (1..8): N instances of each daemon behind the API gateway
# (HAProxy) on GATEWAY_PORT; the three ports above then belong to the
# gateway's internal routes. Instance i of payment-app, ticket-app and
# client-app listens on REPLICA_PORT_BASE + i, + S + i, + 2S + i, where S is
# REPLICA_PORT_STRIDE (8, the most instances of a service).
REPLICAS=${REPLICAS:-}
GATEWAY_PORT=${GATEWAY_PORT:-8000}
REPLICA_PORT_BASE=${REPLICA_PORT_BASE:-9000}
REPLICA_PORT_STRIDE=${REPLICA_PORT_STRIDE:-8}
REPLICAS_MAX=$REPLICA_PORT_STRIDE

# The port of instance i (1-based) of a service.
instance_port() {
    local svc=$1 i=$2 off
    case "$svc" in payment) off=0 ;; ticket) off=1 ;; client) off=2 ;; esac
    echo $((REPLICA_PORT_BASE + off * REPLICA_PORT_STRIDE + i))
}

# 0 if nothing listens on 127.0.0.1:port.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# gateway_render OUT: writes the gateway's configuration from
# gateway/haproxy.cfg.in. SERVERS_CLIENT, SERVERS_TICKET, SERVERS_PAYMENT
# are space-separated host:port lists; the ports, GATEWAY_BIND (default
# 0.0.0.0), SERVICE_BIND (default 0.0.0.0), RATE_LIMIT_PER_MINUTE (per
# bearer token; 0: no limit at all), RATE_LIMIT_PER_ADDR (per client
# address; default the same), GATEWAY_RUN (its socket folder), GATEWAY_THREADS, GATEWAY_DNS (1:
# instances named by host) come from the environment. Then `haproxy -c`
# checks it (GATEWAY_CHECK=0: not, e.g. where haproxy is absent).
gateway_render() {
    local out=$1 hard maxconn
    # two descriptors per connection (client and server side) within the
    # hard limit of open files
    hard=$(ulimit -Hn)
    [ "$hard" = unlimited ] && hard=1048576
    maxconn=$(((hard - 256) / 2))
    [ "$maxconn" -gt 20000 ] && maxconn=20000
    GW_GATEWAY_DIR="${GATEWAY_DIR:-$REPO/gateway}" \
    GW_GATEWAY_RUN="${GATEWAY_RUN:-$RUN/gateway}" \
    GW_GATEWAY_BIND="${GATEWAY_BIND:-0.0.0.0}" \
    GW_SERVICE_BIND="${SERVICE_BIND:-0.0.0.0}" \
    GW_GATEWAY_PORT="$GATEWAY_PORT" \
    GW_CLIENT_APP_PORT="$CLIENT_APP_PORT" GW_TICKET_APP_PORT="$TICKET_APP_PORT" \
    GW_PAYMENT_APP_PORT="$PAYMENT_APP_PORT" \
    GW_RATE_LIMIT_PER_MINUTE="${RATE_LIMIT_PER_MINUTE:-500}" \
    GW_RATE_LIMIT_PER_ADDR="${RATE_LIMIT_PER_ADDR:-${RATE_LIMIT_PER_MINUTE:-500}}" \
    GW_GATEWAY_MAXCONN="${GATEWAY_MAXCONN:-$maxconn}" \
    GW_SERVER_MAXCONN="${GATEWAY_SERVER_MAXCONN:-1000}" \
    GW_GATEWAY_THREADS="${GATEWAY_THREADS:-1}" \
    GW_SERVERS_CLIENT="$SERVERS_CLIENT" GW_SERVERS_TICKET="$SERVERS_TICKET" \
    GW_SERVERS_PAYMENT="$SERVERS_PAYMENT" GW_GATEWAY_DNS="${GATEWAY_DNS:-0}" \
    awk '
        function servers(svc, list,   n, a, i) {
            n = split(list, a, " ")
            for (i = 1; i <= n; i++) printf "    server %s-%d %s\n", svc, i, a[i]
        }
        /^@IF_RATE_LIMIT@$/ { skip = (ENVIRON["GW_RATE_LIMIT_PER_MINUTE"] + 0 <= 0); next }
        /^@IF_DNS@$/ { skip = (ENVIRON["GW_GATEWAY_DNS"] != "1"); next }
        /^@END@$/ { skip = 0; next }
        skip { next }
        /^@SERVERS_CLIENT@$/ { servers("client", ENVIRON["GW_SERVERS_CLIENT"]); next }
        /^@SERVERS_TICKET@$/ { servers("ticket", ENVIRON["GW_SERVERS_TICKET"]); next }
        /^@SERVERS_PAYMENT@$/ { servers("payment", ENVIRON["GW_SERVERS_PAYMENT"]); next }
        {
            while (match($0, /@[A-Z_]+@/)) {
                k = substr($0, RSTART + 1, RLENGTH - 2)
                $0 = substr($0, 1, RSTART - 1) ENVIRON["GW_" k] substr($0, RSTART + RLENGTH)
            }
            print
        }' "$REPO/gateway/haproxy.cfg.in" >"$out.tmp"
    if [ "${GATEWAY_CHECK:-1}" = 1 ]; then haproxy -c -q -f "$out.tmp" || return 1; fi
    mv "$out.tmp" "$out"
}

# The PostgreSQL data folder: under .run/ when the postgres user can reach
# it; otherwise (a parent folder closed to other users) outside the checkout,
# keyed by the checkout's path.
pg_dir() {
    if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$RUN" 2>/dev/null ||
        { [ ! -e "$RUN" ] && runuser -u postgres -- test -x "$(dirname "$RUN")" 2>/dev/null; }; then
        echo "$RUN/pg"
    else
        echo "/var/tmp/ticketing-$(printf %s "${RUN_DIR:-$REPO}" | md5sum | cut -c1-12)/pg"
    fi
}

random_hex() { head -c "${1:-24}" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Secrets are generated once per checkout into .run/secrets.env (mode 600);
# a value set in the environment wins.
SECRET_NAMES=(ADMIN_PASSWORD TICKET_ADMIN_TOKEN WEBHOOK_SECRET PAYMENT_SERVICE_TOKEN
              TICKET_SERVICE_TOKEN NOTIFY_SECRET TICKET_CODE_SECRET QUEUE_PASS_SECRET
              DB_PASSWORD_CLIENT DB_PASSWORD_TICKET DB_PASSWORD_PAYMENT)
load_secrets() {
    mkdir -p "$RUN"
    local f="$RUN/secrets.env"
    if [ ! -f "$f" ]; then
        (umask 077
         for n in "${SECRET_NAMES[@]}"; do
             echo "$n=$(random_hex 24)"
         done >"$f")
    fi
    local n saved
    for n in "${SECRET_NAMES[@]}"; do
        saved=$(grep -E "^$n=" "$f" | cut -d= -f2- || true)
        if [ -z "$saved" ]; then saved=$(random_hex 24); echo "$n=$saved" >>"$f"; fi
        if [ -z "${!n:-}" ]; then export "$n=$saved"; else export "$n"; fi
    done
}

db_url() { # service -> libpq URI for that service's own role and database
    # The daemons run beside the project's PostgreSQL: they reach it through
    # its Unix socket (PGHOST, the socket folder of pg.sh env) when known, a
    # round trip costing both sides less CPU than TCP loopback; else over
    # TCP on 127.0.0.1.
    local svc=$1 pw_var="DB_PASSWORD_${1^^}"
    if [ -n "${PGHOST:-}" ] && [ "${PGHOST:0:1}" = / ]; then
        echo "postgresql://${svc}_app:${!pw_var}@/$svc?host=$PGHOST&port=$PG_PORT"
    else
        echo "postgresql://${svc}_app:${!pw_var}@127.0.0.1:$PG_PORT/$svc"
    fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
