#!/usr/bin/env bash
# 04-waitlist.sh: a cancellation handed to the waitlist. Alice holds a
# confirmed seat; Bob and then Carol join its waitlist; Alice cancels (her
# payment is refunded); the seat goes straight to Bob, the head of the
# queue: ticket-app holds it for him and makes an invoice, and a new booking
# with origin "waitlist" appears in his history. He pays; Carol moves up.
# needs: ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MATINEE=5eed0000-0000-4000-8000-000000000003

title "A cancellation handed to the waitlist"
login alice "$DEMO_PASSWORD" >/dev/null
alice=$TOKEN
login bob "$DEMO_PASSWORD" >/dev/null
bob=$TOKEN
login carol "$DEMO_PASSWORD" >/dev/null
carol=$TOKEN
say "Alice, Bob and Carol are logged in"

step "Alice books a Balcony seat of the Sunday matinee and pays"
read -r seat label price < <(first_open_seat "$MATINEE" Balcony)
as alice "$alice"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$MATINEE" --arg s "$seat" '{event_id:$e, seat_ids:[$s]}')"
expect 201
abooking=$(j .id)
invoice=$(j .payment.invoice_number)
nobody
QUIET=1 call POST "$PAYMENT_URL/api/invoices/$invoice/pay" '{"method":"bank_transfer"}'
expect 202
as alice "$alice"
wait_booking "$abooking" CONFIRMED 60
ok "Alice has seat $label"

step "Bob wants the same seat: it is taken"
as bob "$bob"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$MATINEE" --arg s "$seat" '{event_id:$e, seat_ids:[$s]}')"
expect 409
ok "$(j .error.code) (his attempt is recorded as $(j .booking.status))"

step "Bob joins the seat's waitlist"
call POST "$CLIENT_URL/api/waitlist" "$(jq -nc --arg e "$MATINEE" --arg s "$seat" '{event_id:$e, seat_id:$s}')"
if [ "$STATUS" = 404 ] || [ "$STATUS" = 405 ]; then
    die "client-app has no waitlist yet (answered $STATUS): the waitlist issue has not landed"
fi
expect 201
bentry=$(j .id)
ok "entry $bentry $(j .status), position $(j .position)"

step "Carol joins it too"
as carol "$carol"
call POST "$CLIENT_URL/api/waitlist" "$(jq -nc --arg e "$MATINEE" --arg s "$seat" '{event_id:$e, seat_id:$s}')"
expect 201
centry=$(j .id)
ok "entry $centry $(j .status), position $(j .position)"

step "Alice cancels her booking (paid, so payment-app refunds it)"
as alice "$alice"
call POST "$CLIENT_URL/api/bookings/$abooking/cancel"
expect 200
ok "booking $(j .status)"

step "The seat is offered to Bob: a waitlist booking appears in his history"
as bob "$bob"
deadline=$(($(date +%s) + 60))
while :; do
    QUIET=1 call GET "$CLIENT_URL/api/waitlist"
    st=$(j --arg id "$bentry" '.items[] | select(.id == $id) | .status')
    [ "$st" = OFFERED ] && [ "$(j --arg id "$bentry" '.items[] | select(.id == $id) | .booking_id // empty')" != "" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || die "Bob's entry is still $st after 60 s"
    sleep 0.3
done
bbooking=$(j --arg id "$bentry" '.items[] | select(.id == $id) | .booking_id')
ok "Bob's entry is OFFERED with booking $bbooking"
wait_booking "$bbooking" PENDING_PAYMENT 30
call GET "$CLIENT_URL/api/bookings/$bbooking"
expect 200
ok "origin $(j .origin), $(j .status), seat $(j '.seats[0].label'), invoice $(j .payment.invoice_number)"
binvoice=$(j .payment.invoice_number)
[ -n "$binvoice" ] && [ "$binvoice" != null ] || die "the offered booking has no invoice yet"

step "Bob pays"
nobody
QUIET=1 call POST "$PAYMENT_URL/api/invoices/$binvoice/pay" '{"method":"card"}'
expect 202
as bob "$bob"
wait_booking "$bbooking" CONFIRMED 60
call GET "$CLIENT_URL/api/waitlist"
ok "Bob's entry: $(j --arg id "$bentry" '.items[] | select(.id == $id) | .status')"

step "Carol is still waiting, now first in line"
as carol "$carol"
call GET "$CLIENT_URL/api/waitlist"
expect 200
ok "Carol's entry: $(j --arg id "$centry" '.items[] | select(.id == $id) | "\(.status), position \(.position)"')"

step "Carol gives up and leaves the waitlist"
call DELETE "$CLIENT_URL/api/waitlist/$centry"
expect 204
ok "left"
