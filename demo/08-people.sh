#!/usr/bin/env bash
# 08-people.sh: the people around a sale. Bob books the night train for his
# family: the train needs a passenger name per seat (refused without), then
# two named seats; he pays; his inbox tells him (booking confirmed), and
# each seat's ticket page names its passenger. The admin makes Gita gate
# staff: she sees no bookings, only the gate. At the concert's gate Bob's
# train ticket is WRONG_EVENT (naming the train); at the train's gate it is
# ADMITTED with the passenger's name, and a second scan is refused. The box
# office finds the booking by a passenger's name and prints the manifest.
# needs: ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TRAIN=5eed0000-0000-4000-8000-000000000004
CONCERT=5eed0000-0000-4000-8000-000000000001

title "Passengers, the inbox, the gate and the box office"
login admin "$(secret ADMIN_PASSWORD)" >/dev/null
admin=$TOKEN
login bob "$DEMO_PASSWORD" >/dev/null
bob=$TOKEN

step "The train asks a name for every seat"
nobody
QUIET=1 call GET "$CLIENT_URL/api/events/$TRAIN"
ok "$(j .name): attendees_required=$(j .attendees_required), departs $(j .starts_at_local) ($(j .timezone))"
QUIET=1 call GET "$CLIENT_URL/api/events/$TRAIN/seats"
seats=$(j -c '[.items[] | select(.status == "OPEN" and (.section | startswith("Executive"))) | .id] | .[-2:]')
as bob "$bob"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$TRAIN" --argjson s "$seats" '{event_id:$e, seat_ids:$s}')"
expect 400
ok "$(j .error.code): $(j .error.details.attendees)"

step "Bob names the two passengers"
body=$(jq -nc --arg e "$TRAIN" --argjson s "$seats" '{event_id:$e, seat_ids:$s, attendees:[
    {seat_id:$s[0], name:"Bob Demo", id_number:"3174010101800001"},
    {seat_id:$s[1], name:"Ayu Lestari"}]}')
call POST "$CLIENT_URL/api/bookings" "$body"
expect 201
booking=$(j .id)
invoice=$(j .payment.invoice_number)
ok "booking $(j .code): $(j '[.seats[] | "\(.label) \(.attendee.name)"] | join(", ")')"
nobody
QUIET=1 call POST "$PAYMENT_URL/api/invoices/$invoice/pay" '{"method":"card"}'
expect 202
as bob "$bob"
wait_booking "$booking" CONFIRMED 60

step "Bob's inbox"
for _ in $(seq 1 50); do
    QUIET=1 call GET "$CLIENT_URL/api/notifications"
    [ "$(j --arg b "$booking" '[.items[] | select(.booking_id == $b and .kind == "booking.confirmed")] | length')" -ge 1 ] && break
    sleep 0.2
done
call GET "$CLIENT_URL/api/notifications?limit=3"
expect 200
ok "$(j .unread) unread; newest: $(j '.items[0].kind'): \"$(j '.items[0].subject')\""
QUIET=1 call GET "$CLIENT_URL/api/bookings/$booking/ticket.pdf"
expect 200
cp "$BODY_FILE" "$DEMO_TMP/train.pdf"
if command -v pdftotext >/dev/null; then
    ok "the ticket names: $(pdftotext "$DEMO_TMP/train.pdf" - | grep -E 'Bob Demo|Ayu Lestari' | sort -u | paste -sd, -)"
    ok "departs: $(pdftotext "$DEMO_TMP/train.pdf" - | grep -m1 'Asia/Jakarta')"
fi
mapfile -t codes < <(ticket_codes "$DEMO_TMP/train.pdf")
[ "${#codes[@]}" -ge 2 ] || die "expected two QR codes"

step "The admin makes Gita gate staff"
nobody
name=gita$(date +%s)
call POST "$CLIENT_URL/api/users" "$(jq -nc --arg u "$name" '{username:$u, email:($u + "@example.com"), password:"gate-password-1", full_name:"Gita Gate"}')"
expect 201
gita_id=$(j .id)
as admin "$admin"
call PATCH "$CLIENT_URL/api/users/$gita_id" '{"role":"staff"}'
expect 200
login "$name" gate-password-1 >/dev/null
gita=$TOKEN
as gita "$gita"
call GET "$CLIENT_URL/api/bookings"
expect 403
ok "staff see no bookings: $(j .error.message)"

step "Bob's train ticket at the concert's gate"
call POST "$CLIENT_URL/api/checkins" "$(jq -nc --arg c "${codes[1]}" --arg e "$CONCERT" '{ticket_code:$c, event_id:$e}')"
expect 409
ok "$(j .error.code): this ticket is for $(j .error.details.name), $(j .error.details.starts_at_local)"

step "At the train's gate"
call POST "$CLIENT_URL/api/checkins" "$(jq -nc --arg c "${codes[1]}" --arg e "$TRAIN" '{ticket_code:$c, event_id:$e}')"
expect 200
ok "$(j .status): seat $(j .seat.label), $(j .attendee.name)"
call POST "$CLIENT_URL/api/checkins" "$(jq -nc --arg c "${codes[1]}" --arg e "$TRAIN" '{ticket_code:$c, event_id:$e}')"
expect 409
ok "a second scan: $(j .error.code)"
call GET "$CLIENT_URL/api/events/$TRAIN/checkins"
expect 200
ok "the train's gate: $(j .counts.checked_in) in, $(j .counts.not_checked_in) to come"

step "The box office finds the booking by a passenger's name"
as admin "$admin"
call GET "$CLIENT_URL/api/bookings?q=Ayu%20Lestari"
expect 200
ok "$(j .total) found: $(j '[.items[] | .code] | join(", ")')"
QUIET=1 call GET "$CLIENT_URL/api/admin/events/$TRAIN/attendees.csv"
expect 200
say "the manifest (attendees.csv):"
head -n 5 "$BODY_FILE" | sed 's/^/     /'
