#!/bin/sh
# Entry point of the PostgreSQL image. On the first start (empty data
# volume) it creates the cluster (superuser postgres, reachable only through
# the local socket) and one login role POSTGRES_USER with POSTGRES_PASSWORD
# owning database POSTGRES_DB; then it runs the server as postgres, listening
# on every address of the container with password (SCRAM) authentication.
set -eu
: "${POSTGRES_USER:?}" "${POSTGRES_PASSWORD:?}" "${POSTGRES_DB:?}"
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    as_postgres initdb -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >/dev/null
    printf '%s\n' "host all all 0.0.0.0/0 scram-sha-256" "host all all ::/0 scram-sha-256" \
        >>"$PGDATA/pg_hba.conf"
    as_postgres pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start >/dev/null
    # Names and password are read from the environment by psql and quoted by
    # format(): no SQL is built by the shell, no password on a command line.
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
\getenv role POSTGRES_USER
\getenv pw POSTGRES_PASSWORD
\getenv db POSTGRES_DB
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') \gexec
SQL
    as_postgres pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "pg-entrypoint: created role $POSTGRES_USER and database $POSTGRES_DB"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups \
    postgres -D "$PGDATA" -c listen_addresses='*' -c max_connections=100
