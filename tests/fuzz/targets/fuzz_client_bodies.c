/* fuzz_client_bodies.c: client-app's pure parsers of what arrives from
 * outside: user and booking bodies, waitlist bodies, ticket-app's
 * TicketBooking answers and signed notifications, the answer classifier,
 * base64 PDFs and Idempotency-Keys. Invariants: what is accepted is what
 * the store relies on (UUIDs, known statuses, 1-10 seats). Input: a JSON
 * document (or bare bytes). */
#include <string.h>

#include "booking.h"
#include "common/rand.h"
#include "fuzz.h"
#include "user.h"
#include "waitlist.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    rand_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *pdf = NULL;
    size_t pdf_len = 0;
    if (booking_pdf_decode((const char *)data, size, &pdf, &pdf_len) == 0) {
        FUZZ_CHECK(pdf_len >= 5 && pdf_len <= BOOKING_PDF_MAX && memcmp(pdf, "%PDF-", 5) == 0);
        free(pdf);
    }
    char *s = fuzz_strndup(data, size);
    if (idem_key_valid(s))
        FUZZ_CHECK(strlen(s) >= 1 && strlen(s) <= IDEM_KEY_MAX);
    (void)booking_status_valid(s);
    (void)booking_reason_valid(s);
    free(s);

    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!body)
        return 0;
    json_t *details = NULL;
    struct user_input ui;
    if (user_parse_create(body, &ui, &details) == 0)
        FUZZ_CHECK(ui.username && ui.email && ui.password && user_username_valid(ui.username));
    json_decref(details);
    details = NULL;
    (void)user_parse_patch(body, &ui, &details);
    json_decref(details);
    details = NULL;

    struct booking_request br;
    if (booking_request_parse(body, &br, &details) == 0) {
        FUZZ_CHECK(uuid_valid(br.event_id) && br.nseats >= 1 && br.nseats <= BOOKING_SEATS_MAX);
        char hash[65];
        booking_request_hash(&br, hash);
        json_t *tb = booking_request_ticket_body(&br, "00000000-0000-4000-8000-000000000000",
                                                 "00000000-0000-4000-8000-000000000001");
        json_decref(tb);
    }
    json_decref(details);
    details = NULL;

    struct waitlist_request wr;
    (void)waitlist_request_parse(body, &wr, &details);
    json_decref(details);

    char err[160];
    struct ticket_booking tb;
    if (ticket_booking_parse(body, &tb, 1, err, sizeof err) == 0) {
        FUZZ_CHECK(uuid_valid(tb.booking_id) && booking_status_valid(tb.status));
        ticket_booking_cleanup(&tb);
    }
    if (ticket_reply_booking(body, &tb) == 0)
        ticket_booking_cleanup(&tb);

    struct notification n;
    if (notification_parse(body, &n, err, sizeof err) == 0) {
        FUZZ_CHECK(notification_type_known(n.type));
        FUZZ_CHECK(n.booking.user_id && n.booking.event_id);
        notification_cleanup(&n);
    }

    /* ticket-app's answer to a booking, for each kind of status */
    static const long statuses[] = {201, 200, 409, 400, 404, 422, 503, 500, 0};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        int have = 0;
        const char *code = NULL;
        enum booking_outcome o =
            booking_classify(statuses[i] ? 0 : -1, statuses[i], body,
                             "00000000-0000-4000-8000-000000000000", &tb, &have, &code);
        FUZZ_CHECK(o == OUT_HELD || o == OUT_REFUSED || o == OUT_INVALID || o == OUT_UNAVAILABLE);
        if (have)
            ticket_booking_cleanup(&tb);
    }
    json_decref(body);
    return 0;
}
