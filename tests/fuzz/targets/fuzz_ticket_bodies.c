/* fuzz_ticket_bodies.c: ticket-app's request-body validation (pure): the
 * booking from client-app, events with their layouts, seats. Invariants:
 * an accepted body holds what the handlers rely on (UUIDs lowercase, 1-10
 * distinct seats, bounded layouts); a refused one names a field. Input: a
 * JSON document. */
#include <string.h>

#include "booking.h"
#include "common/rand.h"
#include "common/util.h"
#include "event.h"
#include "fuzz.h"
#include "valid.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    rand_init();
    return 0;
}

static int lower_uuid(const char *s)
{
    if (!uuid_valid(s))
        return 0;
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'F')
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!body)
        return 0;
    json_t *details = json_object();
    struct booking_request rq;
    if (booking_parse_request(body, &rq, details) == 0) {
        FUZZ_CHECK(lower_uuid(rq.booking_id) && lower_uuid(rq.event_id));
        FUZZ_CHECK(rq.nseats >= 1 && rq.nseats <= BOOKING_SEATS_MAX);
        for (size_t i = 0; i < rq.nseats; i++) {
            FUZZ_CHECK(lower_uuid(rq.seat_ids[i]));
            for (size_t k = 0; k < i; k++)
                FUZZ_CHECK(strcmp(rq.seat_ids[i], rq.seat_ids[k]) != 0);
        }
        FUZZ_CHECK(strcmp(rq.origin, "direct") == 0 || strcmp(rq.origin, "waitlist") == 0);
        FUZZ_CHECK(strlen(rq.user_id) >= 1 && strlen(rq.user_id) <= USER_ID_MAX);
    } else {
        FUZZ_CHECK(json_object_size(details) > 0);
    }
    json_object_clear(details);

    struct event_input in;
    memset(&in, 0, sizeof in);
    if (event_parse_create(body, &in, details) == 0) {
        FUZZ_CHECK(in.name && in.venue && in.starts_at[0] && in.currency);
        /* the layout is optional: seats may be added one by one later */
        if (in.layout_rows)
            FUZZ_CHECK(json_is_array(in.layout_rows) && in.total_seats >= 1 &&
                       in.total_seats <= LAYOUT_MAX_SEATS);
        else
            FUZZ_CHECK(in.total_seats == 0);
        int64_t ms;
        FUZZ_CHECK(time_parse_rfc3339(in.starts_at, &ms) == 0);
    }
    event_input_cleanup(&in);
    json_object_clear(details);
    memset(&in, 0, sizeof in);
    (void)event_parse_patch(body, &in, details);
    event_input_cleanup(&in);
    json_object_clear(details);

    long total = 0;
    json_t *rows = event_layout_expand(json_object_get(body, "layout"), &total, details);
    if (rows)
        FUZZ_CHECK(total >= 1 && total <= LAYOUT_MAX_SEATS);
    json_decref(rows);
    json_object_clear(details);

    struct seat_input si;
    memset(&si, 0, sizeof si);
    if (seat_parse_create(body, &si, details) == 0)
        FUZZ_CHECK(si.section && si.row && si.has_number && si.has_price && si.price >= 0);
    json_object_clear(details);
    memset(&si, 0, sizeof si);
    (void)seat_parse_patch(body, &si, details);

    json_decref(details);
    json_decref(body);
    return 0;
}
