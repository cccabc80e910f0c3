#!/usr/bin/env bash
# 11-waiting-room.sh: a queued sale. The admin puts a new event on sale in
# 6 seconds behind a waiting room letting in 20 buyers a minute (one each
# 3 s). Alice, Bob and Carol join the line before sales open: they have no
# place yet (an early click buys none); at the opening their order is drawn
# at random, and Dave, who joins after, queues behind them. Each polls the
# ticket (position, estimated wait) until admitted; the pass that comes
# with admission is what POST /api/bookings wants in X-Queue-Pass. Without
# it, or with another's, the answer is 403 QUEUE_PASS_REQUIRED. The first
# admitted selects a seat (the two-phase hold), checks out and pays; the
# spent pass buys nothing more. The third admitted leaves the line unbought;
# the admin reads the queue's figures.
# needs: ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0
set -euo pipefail
source "$(dirname "$0")/lib.sh"

declare -A tok pass
ticket_of() { # NAME: GET .../queue/me as NAME, quietly; prints "status position wait"
    as "$1" "${tok[$1]}"
    QUIET=1 call GET "$CLIENT_URL/api/events/$event/queue/me"
    [ "$STATUS" = 200 ] || die "queue/me for $1 answered $STATUS"
    j '"\(.status) \(.position) \(.estimated_wait_seconds)"'
}
book() { # NAME SEAT [PASS]: POST /api/bookings as NAME with checkout:false
    as "$1" "${tok[$1]}"
    call POST "$CLIENT_URL/api/bookings" \
        "$(jq -nc --arg e "$event" --arg s "$2" '{event_id:$e, seat_ids:[$s], checkout:false}')" \
        ${3:+-H "X-Queue-Pass: $3"}
}

title "A sale behind a waiting room"
step "The admin creates the event: sales open in 6 s, 20 admissions a minute"
login admin "$(secret ADMIN_PASSWORD)"
as admin "$TOKEN"
tok[admin]=$TOKEN
sales=$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)
call POST "$CLIENT_URL/api/admin/events" "$(jq -nc --arg s "$sales" \
    --arg st "$(date -u -d '+30 days' +%Y-%m-%dT19:30:00Z)" \
    '{name:"Queued Sale Night", venue:"Istora Senayan", starts_at:$st, sales_start_at:$s,
      timezone:"Asia/Jakarta", currency:"IDR",
      layout:{sections:[{name:"Floor", rows:["A","B"], seats_per_row:5, price:350000}]},
      queue:{enabled:true, admit_per_minute:20, pass_ttl_seconds:300}}')"
expect 201
event=$(j .id)
ok "event $event $(j .status), queue $(j -c .queue)"

step "A request without a pass is refused, even before the line opens"
as admin "${tok[admin]}"
QUIET=1 call GET "$CLIENT_URL/api/events/$event/seats"
mapfile -t seats < <(j '.items[].id')
login bob "$DEMO_PASSWORD"
tok[bob]=$TOKEN
book bob "${seats[0]}"
expect 403
ok "$(j .error.code) ($(j .error.details.reason))"

step "Alice, Bob and Carol join the line before sales open"
for u in alice bob carol; do
    [ -n "${tok[$u]:-}" ] || { login "$u" "$DEMO_PASSWORD"; tok[$u]=$TOKEN; }
    as "$u" "${tok[$u]}"
    call POST "$CLIENT_URL/api/events/$event/queue"
    expect 201
    ok "$u: $(j .status), position $(j .position) (drawn at the opening), sales open in $(j .estimated_wait_seconds) s"
done
as bob "${tok[bob]}"
call POST "$CLIENT_URL/api/events/$event/queue"
expect 200
ok "Bob clicks again: the same ticket ($(j .id | cut -c1-8)…), no better place"

step "Sales open: the early joiners' order is drawn; Dave joins after them"
while [ "$(date +%s)" -lt "$(date -d "$sales" +%s)" ]; do sleep 0.3; done
sleep 0.5
dave="dave_$(date +%s)"
nobody
call POST "$CLIENT_URL/api/users" "$(jq -nc --arg u "$dave" \
    '{username:$u, email:($u + "@example.com"), password:"dave-password-1", full_name:"Dave"}')"
expect 201
login "$dave" dave-password-1
tok[dave]=$TOKEN
as dave "${tok[dave]}"
call POST "$CLIENT_URL/api/events/$event/queue"
expect 201
sleep 0.5
for u in alice bob carol dave; do
    read -r st pos wait < <(ticket_of "$u")
    ok "$u: $st, position $pos, about $wait s to wait"
done

step "Each polls the ticket until admitted (one admission each 3 s)"
order=()
deadline=$(($(date +%s) + 40))
while [ ${#order[@]} -lt 4 ]; do
    for u in alice bob carol dave; do
        [ -n "${pass[$u]:-}" ] && continue
        read -r st pos wait < <(ticket_of "$u")
        if [ "$st" = ADMITTED ]; then
            pass[$u]=$(j -r .pass)
            order+=("$u")
            ok "$u ADMITTED [$(elapsed)]: pass valid until $(j .pass_expires_at)"
        fi
    done
    [ "$(date +%s)" -lt "$deadline" ] || die "not everybody admitted in 40 s: ${order[*]}"
    sleep 0.5
done
[ "${order[3]}" = dave ] || die "Dave, who came after the opening, was admitted before ${order[3]}"
ok "order of admission: ${order[*]} (Dave, who joined after the opening, last)"

first=${order[0]}
other=${order[1]}
step "$first tries with $other's pass: refused"
book "$first" "${seats[0]}" "${pass[$other]}"
expect 403
ok "$(j .error.code) ($(j .error.details.reason))"

step "$first books with the pass: selects a seat, checks out, pays"
book "$first" "${seats[0]}" "${pass[$first]}"
expect 201
booking=$(j .id)
ok "$(j .status) until $(j .hold_expires_at)"
call POST "$CLIENT_URL/api/bookings/$booking/checkout"
expect 201
invoice=$(j .payment.invoice_number)
ok "$(j .status), invoice $invoice"
nobody
call POST "$PAYMENT_URL/api/invoices/$invoice/pay" '{"method":"card"}'
expect 202
as "$first" "${tok[$first]}"
wait_booking "$booking" CONFIRMED 60

step "The pass is spent: it buys nothing more"
book "$first" "${seats[1]}" "${pass[$first]}"
expect 403
ok "$(j .error.code) ($(j .error.details.reason))"

leaver=${order[2]}
step "$leaver, admitted third, leaves the line unbought: the pass stops working"
as "$leaver" "${tok[$leaver]}"
call DELETE "$CLIENT_URL/api/events/$event/queue/me"
expect 204
book "$leaver" "${seats[2]}" "${pass[$leaver]}"
expect 403
ok "$(j .error.code) ($(j .error.details.reason))"

step "The admin's figures"
as admin "${tok[admin]}"
call GET "$CLIENT_URL/api/events/$event/queue"
expect 200
ok "waiting $(j .waiting), admitted $(j .admitted), expired $(j .expired), left $(j .left), at $(j .admit_per_minute) a minute"
