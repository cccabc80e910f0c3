#!/usr/bin/env bash
# 10-two-phase.sh: the two-phase hold. Bob picks a seat with
# "checkout": false: it is HELD for him while he decides (the selection
# lock, SELECTION_TTL_SECONDS), with no invoice yet; Alice cannot take it.
# He checks out: the invoice is made and the payment window opens
# (HOLD_TTL_SECONDS); a retried checkout answers the same booking; he pays
# and gets his ticket. A second seat he selects and leaves alone: the lock
# runs out, the booking turns EXPIRED, the seat is OPEN again, and a
# checkout now is refused with 409 HOLD_EXPIRED.
# needs: ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0 SELECTION_TTL_SECONDS=5
set -euo pipefail
source "$(dirname "$0")/lib.sh"
CONCERT=5eed0000-0000-4000-8000-000000000001

# left SECONDS-UNTIL: the seconds from now to an RFC 3339 time.
left() { echo $(( $(date -d "$1" +%s) - $(date +%s) )); }
seat_status() {
    QUIET=1 call GET "$CLIENT_URL/api/events/$CONCERT/seats"
    j --arg s "$1" '.items[] | select(.id == $s) | .status'
}

title "Two-phase hold: select, then check out"
step "Bob logs in and picks a seat of the concert"
login bob "$DEMO_PASSWORD"
as bob "$TOKEN"
bob_token=$TOKEN
read -r seat label price < <(first_open_seat "$CONCERT" Silver)
ok "seat $label ($price IDR)"

step "He selects it (\"checkout\": false): HELD for him, no invoice yet"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$CONCERT" --arg s "$seat" \
    '{event_id:$e, seat_ids:[$s], checkout:false}')"
expect 201
[ "$(j .status)" = HELD ] || die "status $(j .status), wanted HELD"
[ "$(j .payment)" = null ] || die "a payment already: $(j -c .payment)"
booking=$(j .id)
ok "booking $booking HELD until $(j .hold_expires_at) ($(left "$(j .hold_expires_at)") s to decide)"
ok "seat $label is $(seat_status "$seat")"

step "Alice tries the same seat meanwhile: it is taken"
login alice "$DEMO_PASSWORD"
as alice "$TOKEN"
alice_token=$TOKEN
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$CONCERT" --arg s "$seat" \
    '{event_id:$e, seat_ids:[$s]}')"
expect 409
ok "$(j .error.code)"

step "Alice cannot check out Bob's booking"
call POST "$CLIENT_URL/api/bookings/$booking/checkout"
expect 404
ok "$(j .error.code)"

step "Bob checks out: the invoice, and the payment window opens"
as bob "$bob_token"
call POST "$CLIENT_URL/api/bookings/$booking/checkout"
expect 201
[ "$(j .status)" = PENDING_PAYMENT ] || die "status $(j .status)"
invoice=$(j .payment.invoice_number)
ok "PENDING_PAYMENT, invoice $invoice, pay within $(left "$(j .payment.expires_at)") s"

step "His app retries the checkout (a lost answer): the same booking, nothing new"
call POST "$CLIENT_URL/api/bookings/$booking/checkout"
expect 201
[ "$(j .payment.invoice_number)" = "$invoice" ] || die "another invoice: $(j .payment.invoice_number)"
ok "still invoice $invoice"

step "He pays; the booking turns CONFIRMED"
nobody
call POST "$PAYMENT_URL/api/invoices/$invoice/pay" '{"method":"card"}'
expect 202
as bob "$bob_token"
wait_booking "$booking" CONFIRMED 60
ok "history: $(j '[.history[]? | "\(.status) (\(.source))"] | join(" -> ")')"

title "Two-phase hold: a selection that lapses"
step "Bob selects another seat and walks away"
read -r seat2 label2 _ < <(first_open_seat "$CONCERT" Silver)
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$CONCERT" --arg s "$seat2" \
    '{event_id:$e, seat_ids:[$s], checkout:false}')"
expect 201
booking2=$(j .id)
wait_s=$(left "$(j .hold_expires_at)")
ok "booking $booking2 HELD on $label2 for $wait_s s"

step "The lock runs out: ticket-app's sweeper ends the selection"
wait_booking "$booking2" EXPIRED $((wait_s + 30))
ok "history: $(j '[.history[]? | "\(.status) (\(.source))"] | join(" -> ")')"
ok "seat $label2 is $(seat_status "$seat2") again"

step "A checkout now is too late"
call POST "$CLIENT_URL/api/bookings/$booking2/checkout"
expect 409
[ "$(j .error.code)" = HOLD_EXPIRED ] || die "code $(j .error.code), wanted HOLD_EXPIRED"
ok "$(j .error.code): the booking is $(j .booking.status)"

step "Alice can take that seat now"
as alice "$alice_token"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$CONCERT" --arg s "$seat2" \
    '{event_id:$e, seat_ids:[$s], checkout:false}')"
expect 201
ok "booking $(j .id) $(j .status)"
call POST "$CLIENT_URL/api/bookings/$(j .id)/cancel"
expect 200
ok "and she lets it go: $(j .status), seat $label2 $(seat_status "$seat2")"
