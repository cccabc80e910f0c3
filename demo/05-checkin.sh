#!/usr/bin/env bash
# 05-checkin.sh: the gate. Carol books and pays; the PDF ticket carries a QR
# code of a signed ticket code; gate staff (ticket-app's admin token) scan
# it: ADMITTED once, then ALREADY_CHECKED_IN; a forged code is refused.
# needs: ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0
set -euo pipefail
source "$(dirname "$0")/lib.sh"
CONCERT=5eed0000-0000-4000-8000-000000000001
ADMIN_TOKEN=$(secret TICKET_ADMIN_TOKEN)

title "A gate check-in"
step "Carol books two Silver seats of the concert and pays"
login carol "$DEMO_PASSWORD" >/dev/null
as carol "$TOKEN"
nobody
QUIET=1 call GET "$CLIENT_URL/api/events/$CONCERT/seats"
seats=$(j -c '[.items[] | select(.status == "OPEN" and .section == "Silver") | .id] | .[-2:]')
as carol "$TOKEN"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$CONCERT" --argjson s "$seats" '{event_id:$e, seat_ids:$s}')"
expect 201
booking=$(j .id)
invoice=$(j .payment.invoice_number)
ok "booking $booking, seats $(j '[.seats[].label] | join(", ")')"
nobody
QUIET=1 call POST "$PAYMENT_URL/api/invoices/$invoice/pay" '{"method":"card"}'
expect 202
as carol "$TOKEN"
wait_booking "$booking" CONFIRMED 60

step "Her ticket PDF: one page per seat, each with a QR code"
QUIET=1 call GET "$CLIENT_URL/api/bookings/$booking/ticket.pdf"
expect 200
cp "$BODY_FILE" "$DEMO_TMP/ticket.pdf"
mapfile -t codes < <(ticket_codes "$DEMO_TMP/ticket.pdf")
[ "${#codes[@]}" -ge 1 ] || die "no QR code found"
ok "${#codes[@]} QR code(s) decoded (pdftoppm + zbarimg)"
for c in "${codes[@]}"; do say "  $c"; done

step "Gate staff scan the first one"
as gate-staff "$ADMIN_TOKEN"
call POST "$TICKET_URL/api/checkins" "$(jq -nc --arg c "${codes[0]}" '{ticket_code:$c}')"
expect 200
ok "$(j .status): seat $(j .seat.label), booking $(j .booking_id)"

step "Someone shows a copy of the same ticket"
call POST "$TICKET_URL/api/checkins" "$(jq -nc --arg c "${codes[0]}" '{ticket_code:$c}')"
expect 409
ok "$(j .error.code) (first admitted at $(j .error.details.checked_in_at))"

step "A forged ticket: the same code with one character of its signature changed"
forged=${codes[0]%?}
[ "${codes[0]: -1}" = 0 ] && forged+=1 || forged+=0
call POST "$TICKET_URL/api/checkins" "$(jq -nc --arg c "$forged" '{ticket_code:$c}')"
expect 404
ok "$(j .error.code)"

if [ "${#codes[@]}" -ge 2 ]; then
    step "The second seat's ticket is admitted on its own"
    call POST "$TICKET_URL/api/checkins" "$(jq -nc --arg c "${codes[1]}" '{ticket_code:$c}')"
    expect 200
    ok "$(j .status): seat $(j .seat.label)"
fi

step "The event's statistics count the check-ins"
call GET "$TICKET_URL/api/events/$CONCERT/stats"
expect 200
ok "checked in: $(j .checked_in); seats booked: $(j .seats.booked)"
