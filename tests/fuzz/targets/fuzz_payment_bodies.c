/* fuzz_payment_bodies.c: payment-app's invoice-creation body and the
 * small parsers of invoice numbers, statuses and methods. Invariants: an
 * accepted invoice has a UUID booking, a positive amount within the
 * maximum, a three-letter currency, a deadline in the allowed window.
 * Input: a JSON document (or bare text for the small parsers). */
#include <string.h>

#include "common/rand.h"
#include "fuzz.h"
#include "invoice.h"

#define NOW_MS 1800000000000LL
#define MAX_AMOUNT 1000000000000LL
#define MAX_TTL_MS (7LL * 24 * 3600 * 1000)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    rand_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    enum invoice_status st;
    if (invoice_status_parse(s, &st) == 0)
        FUZZ_CHECK(strcmp(invoice_status_name(st), s) == 0);
    if (invoice_number_valid(s))
        FUZZ_CHECK(strlen(s) == INVOICE_NUMBER_LEN && strncmp(s, "INV-", 4) == 0);
    (void)invoice_method_valid(s);
    free(s);

    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!body)
        return 0;
    struct invoice_create in;
    json_t *details = NULL;
    if (invoice_create_parse(body, NOW_MS, MAX_AMOUNT, MAX_TTL_MS, &in, &details) == 0) {
        FUZZ_CHECK(uuid_valid(in.booking_id));
        FUZZ_CHECK(in.amount > 0 && in.amount <= MAX_AMOUNT);
        FUZZ_CHECK(strlen(in.currency) == 3);
        FUZZ_CHECK(in.expires_ms > NOW_MS - 1000 && in.expires_ms <= NOW_MS + MAX_TTL_MS + 1000);
        FUZZ_CHECK(in.description != NULL);
    } else {
        FUZZ_CHECK(details && json_object_size(details) > 0);
    }
    json_decref(details);
    json_decref(body);
    return 0;
}
