# lib.sh: what up.sh, down.sh and the others share: where things live, the
# ports, and the secrets of this checkout. Sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN="$REPO/.run"
BUILD="${BUILD_DIR:-$REPO/build}"
LOGS="$RUN/logs"
SERVICES=(payment ticket client)

PG_PORT=${PG_PORT:-55432}
CLIENT_APP_PORT=${CLIENT_APP_PORT:-8080}
TICKET_APP_PORT=${TICKET_APP_PORT:-8081}
PAYMENT_APP_PORT=${PAYMENT_APP_PORT:-8082}

# The PostgreSQL data folder: under .run/ when the postgres user can reach
# it; otherwise (a parent folder closed to other users) outside the checkout,
# keyed by the checkout's path.
pg_dir() {
    if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$REPO" 2>/dev/null; then
        echo "$RUN/pg"
    else
        echo "/var/tmp/ticketing-$(printf %s "$REPO" | md5sum | cut -c1-12)/pg"
    fi
}

random_hex() { head -c "${1:-24}" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Secrets are generated once per checkout into .run/secrets.env (mode 600);
# a value set in the environment wins.
SECRET_NAMES=(ADMIN_PASSWORD TICKET_ADMIN_TOKEN WEBHOOK_SECRET PAYMENT_SERVICE_TOKEN
              TICKET_SERVICE_TOKEN NOTIFY_SECRET TICKET_CODE_SECRET
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
    local svc=$1 pw_var="DB_PASSWORD_${1^^}"
    echo "postgresql://${svc}_app:${!pw_var}@127.0.0.1:$PG_PORT/$svc"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
