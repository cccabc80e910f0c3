#!/usr/bin/env bash
# 02-rejected-hold.sh: the organizer's system refuses the hold (forced with
# ORGANIZER_FAILURE_RATE=1). Bob's booking is answered 409 HOLD_REJECTED,
# recorded as FAILED in his history, and the seat is OPEN again at once.
# needs: ORGANIZER_FAILURE_RATE=1
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MUSICAL=5eed0000-0000-4000-8000-000000000002

title "A hold the organizer rejects"
step "Bob logs in"
login bob "$DEMO_PASSWORD"
as bob "$TOKEN"
read -r seat label price < <(first_open_seat "$MUSICAL" Orchestra)
ok "he wants Orchestra seat $label of the Saturday musical ($price IDR)"

step "He books it; ticket-app holds the seat, then the organizer says no"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$MUSICAL" --arg s "$seat" '{event_id:$e, seat_ids:[$s]}')"
if [ "$STATUS" = 201 ]; then
    die "the hold was accepted: this suite runs with ORGANIZER_FAILURE_RATE < 1 (make demo sets 1)"
fi
expect 409
booking=$(j .booking.id)
ok "$(j .error.code): $(j .error.message)"
ok "booking $booking is $(j .booking.status) with failure_reason $(j .booking.failure_reason); no invoice: payment=$(j -c .booking.payment)"

step "The attempt stays in his history"
call GET "$CLIENT_URL/api/bookings?status=FAILED&limit=3"
expect 200
ok "$(j '.total') FAILED booking(s); newest: $(j '.items[0] | "\(.id) \(.failure_reason)"')"

step "The seat was released in the same step: it is OPEN"
nobody
QUIET=1 call GET "$CLIENT_URL/api/events/$MUSICAL/seats"
ok "seat $label: $(j --arg s "$seat" '.items[] | select(.id == $s) | .status')"
