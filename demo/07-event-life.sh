#!/usr/bin/env bash
# 07-event-life.sh: an event's life and an account's end. The admin creates
# a draft in Jakarta time (nobody else sees it), publishes it; Dina, a new
# user, buys a seat; the admin postpones the show by a week: Dina's inbox
# says so and her ticket is re-issued. Dina closes her account: refused
# while she holds a ticket to come, then done with cancel_bookings=true (her
# payment refunded). The last admin cannot give up the role; the admin
# cancels the event and it leaves the list.
# needs: ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0
set -euo pipefail
source "$(dirname "$0")/lib.sh"

title "An event's life, and an account's end"
login admin "$(secret ADMIN_PASSWORD)" >/dev/null
admin=$TOKEN
admin_id=$(j .user.id)
say "the admin is logged in"

step "The admin creates a draft: a show in ten days, Jakarta time"
starts=$(date -u -d '+10 days' +%Y-%m-%dT12:30:00Z)
as admin "$admin"
call POST "$CLIENT_URL/api/admin/events" "$(jq -nc --arg s "$starts" '{
    name: "Wayang Kulit Night", venue: "Bentara Budaya Jakarta", starts_at: $s,
    timezone: "Asia/Jakarta", currency: "IDR", publish: false,
    layout: {sections: [{name: "Pendopo", rows: ["A", "B"], seats_per_row: 6, price: 200000}]}}')"
expect 201
ev=$(j .id)
ok "$(j .status): starts $(j .starts_at) = $(j .starts_at_local) in $(j .timezone)"

step "Nobody but the admin sees a draft"
nobody
call GET "$CLIENT_URL/api/events/$ev"
expect 404
QUIET=1 call GET "$CLIENT_URL/api/events?limit=500"
[ "$(j --arg e "$ev" '[.items[] | select(.id == $e)] | length')" = 0 ] || die "the draft is listed"
ok "not in the public list either"

step "The admin publishes it"
as admin "$admin"
call POST "$CLIENT_URL/api/admin/events/$ev/publish"
expect 200
ok "$(j .status) since $(j .published_at)"
nobody
QUIET=1 call GET "$CLIENT_URL/api/events?limit=500"
ok "listed now, soonest first: at position $(j -c --arg e "$ev" '[.items[] | .id == $e] | index(true) + 1') of $(j .total) upcoming events"

step "Dina registers and buys a seat"
dina="dina$(date +%s%N | tail -c 7)"
call POST "$CLIENT_URL/api/users" "$(jq -nc --arg u "$dina" '{username:$u, email:($u + "@example.com"), password:"dina-password", full_name:"Dina Lestari"}')"
expect 201
dina_id=$(j .id)
login "$dina" dina-password >/dev/null
dina_tok=$TOKEN
read -r seat label price < <(first_open_seat "$ev")
as dina "$dina_tok"
call POST "$CLIENT_URL/api/bookings" "$(jq -nc --arg e "$ev" --arg s "$seat" '{event_id:$e, seat_ids:[$s]}')"
expect 201
booking=$(j .id)
invoice=$(j .payment.invoice_number)
nobody
QUIET=1 call POST "$PAYMENT_URL/api/invoices/$invoice/pay" '{"method":"ewallet"}'
expect 202
as dina "$dina_tok"
wait_booking "$booking" CONFIRMED 60
ok "Dina has seat $label"

step "The admin postpones the show by a week"
later=$(date -u -d '+17 days' +%Y-%m-%dT12:30:00Z)
as admin "$admin"
call PATCH "$CLIENT_URL/api/admin/events/$ev" "$(jq -nc --arg s "$later" '{starts_at:$s}')"
expect 200
ok "now $(j .starts_at_local)"

step "Dina's inbox tells her"
as dina "$dina_tok"
for _ in $(seq 1 50); do
    QUIET=1 call GET "$CLIENT_URL/api/notifications?limit=20"
    [ "$(j --arg b "$booking" '[.items[] | select(.kind == "event.changed" and .booking_id == $b)] | length')" -gt 0 ] && break
    sleep 0.2
done
[ "$(j --arg b "$booking" '[.items[] | select(.kind == "event.changed" and .booking_id == $b)] | length')" -gt 0 ] ||
    die "no event.changed in Dina's inbox"
ok "$(j -r --arg b "$booking" '[.items[] | select(.kind == "event.changed" and .booking_id == $b)][0].subject')"
QUIET=1 call GET "$CLIENT_URL/api/bookings/$booking/ticket.pdf"
expect 200
ok "her re-issued ticket: $(stat -c %s "$BODY_FILE") bytes of PDF"

step "Dina closes her account: she still holds a ticket to come"
call DELETE "$CLIENT_URL/api/users/$dina_id"
expect 409
ok "$(j .error.code): $(j -c .error.details.booking_ids)"

step "With cancel_bookings=true her booking is cancelled and refunded first"
call DELETE "$CLIENT_URL/api/users/$dina_id?cancel_bookings=true"
expect 204
nobody
for _ in $(seq 1 50); do
    QUIET=1 call GET "$PAYMENT_URL/api/invoices/$invoice"
    [ "$(j .status)" = REFUNDED ] && break
    sleep 0.2
done
[ "$(j .status)" = REFUNDED ] || die "invoice $invoice is $(j .status)"
ok "account gone, invoice $invoice REFUNDED"
QUIET=1 call GET "$CLIENT_URL/api/events/$ev/seats"
ok "seat $label is $(j -r --arg s "$seat" '.items[] | select(.id == $s) | .status') again"

step "The last admin cannot give up the role"
as admin "$admin"
call PATCH "$CLIENT_URL/api/users/$admin_id" '{"role":"user"}'
expect 409
ok "$(j .error.code)"

step "The admin cancels the event: it leaves the list"
call POST "$CLIENT_URL/api/admin/events/$ev/cancel"
expect 200
ok "$(j .status)"
nobody
QUIET=1 call GET "$CLIENT_URL/api/events?limit=500"
[ "$(j --arg e "$ev" '[.items[] | select(.id == $e)] | length')" = 0 ] || die "a cancelled event is listed"
ok "not listed any more; ?when=all still shows it as CANCELLED"
