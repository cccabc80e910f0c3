#!/usr/bin/env bash
# 03-failed-payment.sh: the payment fails (forced with PAYMENT_FAILURE_RATE=1).
# Carol's seat is held and invoiced; she pays; payment-app settles the
# invoice as FAILED and tells ticket-app by a signed webhook; ticket-app
# releases the seat and client-app shows the booking FAILED with
# PAYMENT_FAILED. There is no ticket.
# needs: ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=1
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TRAIN=5eed0000-0000-4000-8000-000000000004

title "A payment that fails"
step "Carol logs in"
login carol "$DEMO_PASSWORD"
as carol "$TOKEN"
read -r seat label price < <(first_open_seat "$TRAIN")
ok "she wants train seat $label ($price IDR)"

step "She books it, naming the passenger (the train asks a name per seat): held and invoiced"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$TRAIN" --arg s "$seat" \
    '{event_id:$e, seat_ids:[$s], attendees:[{seat_id:$s, name:"Carol Demo"}]}')"
[ "$STATUS" = 409 ] && [ "$(j .booking.failure_reason)" = HOLD_REJECTED ] &&
    die "the organizer refused the hold: this suite runs with ORGANIZER_FAILURE_RATE > 0 (make demo sets 0)"
expect 201
booking=$(j .id)
invoice=$(j .payment.invoice_number)
ok "booking $booking $(j .status), invoice $invoice"

step "She pays with her e-wallet"
nobody
call POST "$PAYMENT_URL/api/invoices/$invoice/pay" '{"method":"ewallet"}'
expect 202
ok "invoice $(j .status)"

step "The payment is declined; the booking turns FAILED"
as carol "$TOKEN"
wait_booking "$booking" FAILED 60
ok "failure_reason $(j .failure_reason)"
ok "history: $(j '[.history[]? | "\(.status) (\(.source))"] | join(" -> ")')"

step "The invoice says why"
nobody
call GET "$PAYMENT_URL/api/invoices/$invoice"
expect 200
[ "$(j .status)" = FAILED ] || die "invoice is $(j .status)"
ok "invoice FAILED: $(j .failure_reason)"

step "No ticket for a failed booking"
as carol "$TOKEN"
call GET "$CLIENT_URL/api/bookings/$booking/ticket.pdf"
expect 409
ok "$(j .error.code)"

step "Paying again is refused: the invoice is final"
nobody
call POST "$PAYMENT_URL/api/invoices/$invoice/pay" '{"method":"card"}'
expect 409
ok "$(j .error.code)"

step "The seat is OPEN again"
QUIET=1 call GET "$CLIENT_URL/api/events/$TRAIN/seats"
ok "seat $label: $(j --arg s "$seat" '.items[] | select(.id == $s) | .status')"
