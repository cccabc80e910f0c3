#!/usr/bin/env bash
# config-check.sh: the gateway's configuration (gateway/haproxy.cfg.in
# rendered by scripts/lib.sh gateway_render) is valid to `haproxy -c` in each
# of its shapes (rate limits on and off, per-address limit apart, instances
# by address and by name), and routes as documented: public paths to their
# service, the /ticket-app/ prefix removed, service routes not public, the
# limits in stick tables, errors in the API's JSON shape.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v haproxy >/dev/null || { echo "skipped: haproxy is not installed (scripts/deps.sh test)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$REPO/scripts/lib.sh"
export GATEWAY_RUN="$tmp" GATEWAY_PORT=18000 CLIENT_APP_PORT=18001 TICKET_APP_PORT=18002 PAYMENT_APP_PORT=18003
fail=0
expect() { # name file pattern (grep -E): the rendered file has it
    if grep -qE -- "$3" "$2"; then echo "ok   $1"; else echo "FAIL $1: no /$3/ in $2"; fail=1; fi
}
expect_not() {
    if grep -qE -- "$3" "$2"; then echo "FAIL $1: /$3/ in $2"; fail=1; else echo "ok   $1"; fi
}
render() { # out, then env assignments
    local out=$1; shift
    if env "$@" bash -c "source '$REPO/scripts/lib.sh' && gateway_render '$out'"; then
        echo "ok   haproxy -c: $(basename "$out") ($*)"
    else
        echo "FAIL haproxy -c refused $(basename "$out") ($*)"; fail=1
    fi
}
render "$tmp/local.cfg" RATE_LIMIT_PER_MINUTE=500 SERVERS_CLIENT="127.0.0.1:1 127.0.0.1:2" \
    SERVERS_TICKET="127.0.0.1:3 127.0.0.1:4" SERVERS_PAYMENT="127.0.0.1:5 127.0.0.1:6"
render "$tmp/nolimit.cfg" RATE_LIMIT_PER_MINUTE=0 SERVERS_CLIENT=127.0.0.1:1 \
    SERVERS_TICKET=127.0.0.1:3 SERVERS_PAYMENT=127.0.0.1:5
render "$tmp/addr.cfg" RATE_LIMIT_PER_MINUTE=500 RATE_LIMIT_PER_ADDR=100000 SERVERS_CLIENT=127.0.0.1:1 \
    SERVERS_TICKET=127.0.0.1:3 SERVERS_PAYMENT=127.0.0.1:5
render "$tmp/dns.cfg" GATEWAY_DNS=1 SERVERS_CLIENT="client-app:8080 client-app-2:8080" \
    SERVERS_TICKET="ticket-app:8081 ticket-app-2:8081" SERVERS_PAYMENT="payment-app:8082 payment-app-2:8082"

expect "two client instances" "$tmp/local.cfg" '^    server client-2 127\.0\.0\.1:2$'
expect "payment pages and payer endpoints to payment-app" "$tmp/local.cfg" 'acl pay_path path_beg /pay/ /api/invoices/'
expect "ticket-app's API under /ticket-app/, prefix removed" "$tmp/local.cfg" 'replace-path /ticket-app\(/\.\*\) \\1'
expect "service routes not public" "$tmp/local.cfg" 'deny deny_status 404 if internal_path'
expect "per-token limit" "$tmp/local.cfg" 'sc_http_req_rate\(1\) gt 500'
expect "per-address limit" "$tmp/local.cfg" 'sc_http_req_rate\(0\) gt 500'
expect "per-address limit apart" "$tmp/addr.cfg" 'sc_http_req_rate\(0\) gt 100000'
expect_not "no limit when 0" "$tmp/nolimit.cfg" 'sc_http_req_rate'
expect "health checks on /healthz" "$tmp/local.cfg" 'option httpchk GET /healthz'
expect "retries on another instance" "$tmp/local.cfg" 'option redispatch 1'
expect "request ids" "$tmp/local.cfg" 'set-header X-Request-Id %\[unique-id\] unless'
expect "statistics page" "$tmp/local.cfg" 'stats uri /gateway/stats'
expect "instances by name looked up while running" "$tmp/dns.cfg" 'resolvers sys'
expect_not "no resolvers for addresses" "$tmp/local.cfg" 'resolvers'
expect_not "no placeholder left" "$tmp/local.cfg" '@[A-Z_]+@'
for f in "$REPO"/gateway/errors/*.http; do
    body=$(sed -n '/^\r$/,$p' "$f" | tail -n +2)
    len=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "$f")
    if jq -e '.error.code and .error.message' <<<"$body" >/dev/null 2>&1 && [ "$len" = "$(printf '%s\n' "$body" | wc -c)" ]; then
        echo "ok   $(basename "$f"): JSON error, Content-Length right"
    else
        echo "FAIL $(basename "$f"): not a JSON error or a wrong Content-Length"; fail=1
    fi
done
exit "$fail"
