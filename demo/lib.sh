# demo/lib.sh: what the demo scripts and scripts/compose-check share: HTTP
# calls printed readably (request line, status, a short body), checks that
# stop the story with the full answer when a status is not the expected one,
# and small waits. Sourced, not run. Needs curl and jq; the check-in part
# also pdftoppm (poppler-utils) and zbarimg (zbar-tools).
#
# Where the services are (defaults: the ports of `make up`):
#   CLIENT_URL  TICKET_URL  PAYMENT_URL
# Secrets (ticket-app admin token, client-app admin password): from the
# environment, else from .run/secrets.env of this checkout (what `make up`
# generated): TICKET_ADMIN_TOKEN, ADMIN_PASSWORD.

DEMO_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLIENT_URL=${CLIENT_URL:-http://127.0.0.1:8080}
TICKET_URL=${TICKET_URL:-http://127.0.0.1:8081}
PAYMENT_URL=${PAYMENT_URL:-http://127.0.0.1:8082}
DEMO_PASSWORD=demo-password # the seeded users' password (seeds/client.sql)

DEMO_TMP=$(mktemp -d)
BODY_FILE=$DEMO_TMP/body
HDR_FILE=$DEMO_TMP/headers
demo_cleanup() { rm -rf "$DEMO_TMP"; }
trap demo_cleanup EXIT

if [ -t 1 ]; then
    C_STEP=$'\e[1;34m' C_OK=$'\e[32m' C_BAD=$'\e[1;31m' C_DIM=$'\e[2m' C_OFF=$'\e[0m'
else
    C_STEP='' C_OK='' C_BAD='' C_DIM='' C_OFF=''
fi

DEMO_T0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - DEMO_T0) / 1000000 ))" | awk '{printf "%.1fs", $1/1000}'; }

STEP_NO=0
title() { printf '\n%s%s%s\n%s\n' "$C_STEP" "$*" "$C_OFF" "$(printf '%*s' "${#1}" '' | tr ' ' =)"; }
step() { STEP_NO=$((STEP_NO + 1)); printf '\n%s%d. %s%s %s[%s]%s\n' "$C_STEP" "$STEP_NO" "$*" "$C_OFF" "$C_DIM" "$(elapsed)" "$C_OFF"; }
say() { printf '   %s\n' "$*"; }
ok() { printf '   %s✓ %s%s\n' "$C_OK" "$*" "$C_OFF"; }
die() {
    printf '   %s✗ %s%s\n' "$C_BAD" "$*" "$C_OFF" >&2
    exit 1
}

# secret NAME: the value from the environment, else from .run/secrets.env.
secret() {
    local n=$1 v=${!1:-}
    if [ -z "$v" ] && [ -f "${DEMO_SECRETS:-$DEMO_REPO/.run/secrets.env}" ]; then
        v=$(grep -E "^$n=" "${DEMO_SECRETS:-$DEMO_REPO/.run/secrets.env}" | cut -d= -f2- || true)
    fi
    [ -n "$v" ] || die "$n is not set and not in .run/secrets.env (run make up first)"
    printf '%s' "$v"
}

# The body printed after a call: tokens and passwords masked, at most one
# line of 220 characters (JSON) or a size (anything else).
show_body() {
    local type
    type=$(grep -i '^content-type:' "$HDR_FILE" | tail -n1 | cut -d: -f2- | tr -d ' \r' || true)
    if [ ! -s "$BODY_FILE" ]; then
        return
    elif [[ $type == application/json* ]]; then
        jq -c 'walk(if type == "object" then
                   with_entries(if (.key == "token" or .key == "password") and (.value | type) == "string"
                                then .value = "…" else . end)
                 else . end)' "$BODY_FILE" 2>/dev/null | cut -c1-220 | sed 's/^/      /'
    else
        printf '      %s(%s, %d bytes)%s\n' "$C_DIM" "${type:-no type}" "$(stat -c %s "$BODY_FILE")" "$C_OFF"
    fi
}

# call METHOD URL [JSON] [curl options...]: sends the request (with
# Authorization: Bearer $AUTH when AUTH is set; AUTH_AS names whose it is in
# the printout), prints it and the answer; sets STATUS, keeps the body in
# $BODY_FILE. QUIET=1 prints nothing.
call() {
    local method=$1 url=$2 body=${3:-}
    shift $(($# < 3 ? $# : 3))
    local args=(-sS -o "$BODY_FILE" -D "$HDR_FILE" -w '%{http_code}' -X "$method" -m 30)
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    [ -n "${AUTH:-}" ] && args+=(-H "Authorization: Bearer $AUTH")
    : >"$HDR_FILE"
    STATUS=$(curl "${args[@]}" "$@" "$url" 2>"$DEMO_TMP/curl.err") || STATUS=000
    [ "${QUIET:-0}" = 1 ] && return 0
    local shown=$body
    [ -n "$shown" ] && shown=$(jq -c 'if type == "object" and has("password") then .password = "…" else . end' <<<"$body" 2>/dev/null || echo "$body")
    printf '   %s→ %s %s%s%s\n' "$C_DIM" "$method" "$url" "${AUTH_AS:+  (as $AUTH_AS)}" "$C_OFF"
    [ -n "$shown" ] && printf '     %s%s%s\n' "$C_DIM" "$(cut -c1-200 <<<"$shown")" "$C_OFF"
    if [ "$STATUS" = 000 ]; then
        printf '   ← no answer: %s\n' "$(cat "$DEMO_TMP/curl.err")"
    else
        printf '   ← %s\n' "$STATUS"
        show_body
    fi
}

# expect STATUS...: the last call answered one of these, else stop with its body.
expect() {
    local s
    for s in "$@"; do [ "$STATUS" = "$s" ] && return 0; done
    printf '   %s✗ expected %s, got %s%s\n' "$C_BAD" "$*" "$STATUS" "$C_OFF" >&2
    [ -s "$BODY_FILE" ] && head -c 2000 "$BODY_FILE" >&2 && echo >&2
    if [ "$(jq -r '.error.code? // empty' "$BODY_FILE" 2>/dev/null)" = HOLD_REJECTED ]; then
        echo "   (the organizer refused the hold: this suite runs with ORGANIZER_FAILURE_RATE" \
            "above 0; make demo, or ORGANIZER_FAILURE_RATE=0 make up, forces 0)" >&2
    fi
    exit 1
}

# j [jq options] FILTER: jq -r over the last body.
j() { jq -r "$@" "$BODY_FILE"; }

# as NAME TOKEN: later calls carry this bearer token.
as() { AUTH_AS=$1 AUTH=$2; }
nobody() { AUTH_AS='' AUTH=''; }

# login USER PASSWORD: logs in at client-app, prints it, sets TOKEN.
login() {
    nobody
    call POST "$CLIENT_URL/api/sessions" "$(jq -nc --arg l "$1" --arg p "$2" '{login:$l, password:$p}')"
    expect 201
    TOKEN=$(j .token)
}

# first_open_seat EVENT_ID [SECTION]: id and label of an OPEN seat, as
# "id label"; prefers the back rows so that demos leave the front seats
# to people trying the UI.
first_open_seat() {
    QUIET=1 call GET "$CLIENT_URL/api/events/$1/seats"
    [ "$STATUS" = 200 ] || die "GET seats answered $STATUS"
    jq -r --arg s "${2:-}" '[.items[] | select(.status == "OPEN" and ($s == "" or .section == $s))]
                            | last | select(.) | "\(.id) \(.label) \(.price)"' "$BODY_FILE"
}

# wait_booking ID STATUS [SECONDS]: polls client-app's GET /api/bookings/ID
# (with the current token) until its status is STATUS; prints what it saw.
wait_booking() {
    local id=$1 want=$2 limit=${3:-60} seen='' now
    local deadline=$(($(date +%s) + limit))
    while :; do
        QUIET=1 call GET "$CLIENT_URL/api/bookings/$id"
        now=$(j '.status // empty' 2>/dev/null || true)
        if [ "$now" != "$seen" ]; then
            say "booking is $now${C_DIM} [$(elapsed)]${C_OFF}"
            seen=$now
        fi
        [ "$now" = "$want" ] && return 0
        [ "$(date +%s)" -ge "$deadline" ] && die "booking $id still $now after ${limit}s (wanted $want)"
        sleep 0.3
    done
}

# ticket_codes PDF: the ticket codes in the PDF's QR codes, one per line
# (a page per seat).
ticket_codes() {
    command -v pdftoppm >/dev/null && command -v zbarimg >/dev/null ||
        die "pdftoppm and zbarimg are needed to read the QR codes (scripts/deps.sh installs them)"
    rm -f "$DEMO_TMP"/page*.png
    pdftoppm -r 150 -png "$1" "$DEMO_TMP/page"
    local p
    for p in "$DEMO_TMP"/page*.png; do zbarimg -q --raw "$p" 2>/dev/null; done
}

uuid() { cat /proc/sys/kernel/random/uuid; }
