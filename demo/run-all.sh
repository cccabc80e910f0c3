#!/usr/bin/env bash
# run-all.sh (make demo): tells every story of demo/ in order, each against
# a private copy of the `make up` suite (demo/suite.sh, named "demo": ports
# 18280-18282, PostgreSQL 55452, data in .run/suite-demo) started with the
# variables the script's "# needs:" line names, so outcomes are forced
# rather than left to chance; the suite `make up` runs is not touched. The
# suite is restarted only when the next script needs other values, and
# stopped at the end (its data stays; `demo/suite.sh wipe demo` removes it).
# Arguments: demo scripts to run (default: all NN-*.sh, 01-booking.sh to
# 10-two-phase.sh).
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$DIR")
export PG_PORT=${DEMO_PG_PORT:-55452}
export CLIENT_APP_PORT=${DEMO_CLIENT_PORT:-18280}
export TICKET_APP_PORT=${DEMO_TICKET_PORT:-18281}
export PAYMENT_APP_PORT=${DEMO_PAYMENT_PORT:-18282}
export CLIENT_URL=http://127.0.0.1:$CLIENT_APP_PORT
export TICKET_URL=http://127.0.0.1:$TICKET_APP_PORT
export PAYMENT_URL=http://127.0.0.1:$PAYMENT_APP_PORT
export PAYMENT_PUBLIC_URL=http://localhost:$PAYMENT_APP_PORT
export DEMO_SECRETS=$REPO/.run/suite-demo/repo/.run/secrets.env
# A second of settlement shows the PENDING_PAYMENT -> CONFIRMED step.
export PAYMENT_DELAY_MS=${PAYMENT_DELAY_MS:-1000}

if [ $# -gt 0 ]; then scripts=("$@"); else scripts=("$DIR"/[0-9][0-9]-*.sh); fi
trap '"$DIR/suite.sh" down demo' EXIT

current=''
passed=0
failed=()
for s in "${scripts[@]}"; do
    needs=$(sed -n 's/^# needs: *//p' "$s" | head -n1)
    if [ "$needs" != "$current" ]; then
        printf '\n### starting the demo suite with %s\n' "${needs:-the defaults}"
        # Unnamed rates are 0, so that only the named outcome is forced.
        env ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0 $needs "$DIR/suite.sh" up demo
        current=$needs
    fi
    if "$s"; then
        passed=$((passed + 1))
    else
        failed+=("$(basename "$s")")
    fi
done
printf '\n### demos: %d passed' "$passed"
[ ${#failed[@]} -eq 0 ] && { echo; exit 0; }
echo ", failed: ${failed[*]}"
exit 1
