#!/usr/bin/env bash
# run.sh (make postman): runs the Postman collection with newman.
#
# Default: against private copies of the `make up` suite (demo/suite.sh,
# named "postman": ports 18180-18182, PostgreSQL 55442, data and secrets in
# .run/suite-postman/), because the collection forces outcomes through
# API.md's variables, which the daemons read at start; the suite `make up`
# runs is not touched. Four newman runs, the suite restarted between them:
#   1. the numbered folders (a whole session, every endpoint)
#        ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0 PAYMENT_DELAY_MS=1500
#   2. "Forced: hold rejected"                 ORGANIZER_FAILURE_RATE=1
#   3. "Forced: payment fails, hold expires"   PAYMENT_FAILURE_RATE=1 HOLD_TTL_SECONDS=4
#   4. "Forced: two-phase hold, selection lapses"   SELECTION_TTL_SECONDS=3
# The suite is stopped at the end (its data stays; demo/suite.sh wipe postman).
#
# POSTMAN_TARGET=running: instead, runs the numbered folders once against
# the suite `make up` already runs (ports and secrets from .run/secrets.env;
# start it with ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0 for a clean
# result, else some holds and payments fail at random, as configured).
#
# Installs Node.js/npm from Debian if absent, and newman from the npm
# registry into postman/node_modules with `npm ci` (package-lock.json).
#
# Then openapi/check.sh validates every request and answer of the runs
# against the OpenAPI documents (openapi/*.json) with Ajv, checks that the
# collection exercises every documented operation, and lints the
# documents: a drift between the services and their documents fails too.
# POSTMAN_KEEP_REPORTS=DIR keeps newman's JSON reports there.
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$DIR")
cd "$DIR"

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] || EXTRA_PACKAGES="${missing[*]}" "$REPO/scripts/deps.sh" run
if ! [ -x node_modules/.bin/newman ] || ! cmp -s package-lock.json node_modules/.installed-lock; then
    echo "postman: npm ci (newman)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock
fi
NEWMAN=("$DIR/node_modules/.bin/newman")

work=$(mktemp -d)
results=()
failed=0
cleanup() {
    [ -z "${POSTMAN_KEEP_REPORTS:-}" ] || { mkdir -p "$POSTMAN_KEEP_REPORTS" && cp "$work"/report-*.json "$POSTMAN_KEEP_REPORTS"/ 2>/dev/null; } || true
    rm -rf "$work"
    [ "${POSTMAN_TARGET:-suite}" = running ] || "$REPO/demo/suite.sh" down postman || true
}
trap cleanup EXIT

# env_file SECRETS_FILE CLIENT TICKET PAYMENT: a newman environment (mode
# 600, removed at exit) with the URLs and the secrets of that suite.
env_file() {
    local f="$work/env.json" s=$1
    val() { grep -E "^$1=" "$s" | cut -d= -f2-; }
    (umask 077
     jq --arg c "$2" --arg t "$3" --arg p "$4" \
        --arg admin "$(val ADMIN_PASSWORD)" --arg tadmin "$(val TICKET_ADMIN_TOKEN)" \
        --arg tsvc "$(val TICKET_SERVICE_TOKEN)" --arg psvc "$(val PAYMENT_SERVICE_TOKEN)" \
        --arg wh "$(val WEBHOOK_SECRET)" --arg ns "$(val NOTIFY_SECRET)" --arg tc "$(val TICKET_CODE_SECRET)" \
        '.values |= map(.value = ({client_url: $c, ticket_url: $t, payment_url: $p,
            admin_password: $admin, ticket_admin_token: $tadmin, ticket_service_token: $tsvc,
            payment_service_token: $psvc, webhook_secret: $wh, notify_secret: $ns,
            ticket_code_secret: $tc}[.key] // .value))' \
        ticketing.postman_environment.json >"$f")
    echo "$f"
}

# run_newman LABEL ENVFILE FOLDER...: one newman run; its JSON report feeds
# the final count.
run_newman() {
    local label=$1 envf=$2
    shift 2
    local args=() f
    for f in "$@"; do args+=(--folder "$f"); done
    local report="$work/report-${#results[@]}.json"
    printf '\n### newman: %s\n' "$label"
    if ! "${NEWMAN[@]}" run ticketing.postman_collection.json -e "$envf" "${args[@]}" \
        --timeout-request 30000 -r cli,json --reporter-json-export "$report" --color off; then
        failed=1
    fi
    results+=("$report")
}

numbered=()
while IFS= read -r f; do numbered+=("$f"); done < <(jq -r '.item[].name | select(test("^[0-9]"))' ticketing.postman_collection.json)

if [ "${POSTMAN_TARGET:-suite}" = running ]; then
    source "$REPO/scripts/lib.sh"
    [ -f "$RUN/secrets.env" ] || { echo "postman: no .run/secrets.env: run make up first" >&2; exit 1; }
    envf=$(env_file "$RUN/secrets.env" "http://127.0.0.1:$CLIENT_APP_PORT" \
        "http://127.0.0.1:$TICKET_APP_PORT" "http://127.0.0.1:$PAYMENT_APP_PORT")
    run_newman "the session, against make up" "$envf" "${numbered[@]}"
else
    export PG_PORT=${POSTMAN_PG_PORT:-55442}
    export CLIENT_APP_PORT=${POSTMAN_CLIENT_PORT:-18180}
    export TICKET_APP_PORT=${POSTMAN_TICKET_PORT:-18181}
    export PAYMENT_APP_PORT=${POSTMAN_PAYMENT_PORT:-18182}
    export PAYMENT_PUBLIC_URL=http://localhost:$PAYMENT_APP_PORT RATE_LIMIT_PER_MINUTE=0
    secrets="$REPO/.run/suite-postman/repo/.run/secrets.env"
    suite() {
        printf '\n### suite: %s\n' "$*"
        env "$@" "$REPO/demo/suite.sh" up postman
    }
    suite ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0 PAYMENT_DELAY_MS=1500
    envf=$(env_file "$secrets" "http://127.0.0.1:$CLIENT_APP_PORT" \
        "http://127.0.0.1:$TICKET_APP_PORT" "http://127.0.0.1:$PAYMENT_APP_PORT")
    run_newman "the session (every endpoint)" "$envf" "${numbered[@]}"
    export SUITE_BUILD=0 # built once above
    suite ORGANIZER_FAILURE_RATE=1 PAYMENT_FAILURE_RATE=0 PAYMENT_DELAY_MS=300
    run_newman "forced: hold rejected" "$envf" "Forced: hold rejected"
    suite ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=1 PAYMENT_DELAY_MS=300 HOLD_TTL_SECONDS=4
    run_newman "forced: payment fails, hold expires" "$envf" "Forced: payment fails, hold expires"
    suite ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0 PAYMENT_DELAY_MS=300 SELECTION_TTL_SECONDS=3
    run_newman "forced: two-phase hold, selection lapses" "$envf" "Forced: two-phase hold, selection lapses"
fi

printf '\n### OpenAPI: the documents, the collection, every request and answer above\n'
if ! OPENAPI_REQUIRE=1 "$REPO/openapi/check.sh" "${results[@]}"; then
    failed=1
fi

printf '\n### postman summary\n'
jq -rs '
  [.[].run.stats] as $s
  | def sum(k): [$s[][k].total] | add; def bad(k): [$s[][k].failed] | add;
  "\(length) newman run(s): \(sum("requests")) requests, \(sum("assertions")) assertions, " +
  "\(bad("assertions")) failed assertions, \(bad("requests")) failed requests"' "${results[@]}"
jq -r '.run.failures[] | "  FAILED: \(.source.name // "?"): \(.error.test // "") \(.error.message)"' "${results[@]}" |
    head -n 50 || true
exit "$failed"
