/* fuzz_ticket_code.c: the gate's ticket-code check (ticket-app
 * ticket_code_parse_verify) and the check-in body. Invariants: only a code
 * made with the secret verifies, and it is then exactly what
 * ticket_code_make prints for the ids it names; on refusal both ids are
 * empty. Input: a code (or a check-in JSON body). */
#include <string.h>

#include "checkin.h"
#include "common/rand.h"
#include "fuzz.h"
#include "ticket_code.h"

#define SECRET "fuzz-code-secret"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    rand_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *code = fuzz_strndup(data, size);
    char booking[37] = "x", seat[37] = "y";
    if (ticket_code_parse_verify(SECRET, code, booking, seat) == 0) {
        char again[TICKET_CODE_LEN + 1];
        FUZZ_CHECK(ticket_code_make(SECRET, booking, seat, again, sizeof again) == 0);
        FUZZ_CHECK(strcmp(again, code) == 0);
        FUZZ_CHECK(ticket_code_parse_verify("another-secret", code, booking, seat) != 0);
    } else {
        FUZZ_CHECK(booking[0] == '\0' && seat[0] == '\0');
    }
    /* a code made from any ids that are UUIDs verifies */
    if (size >= 72) {
        char b[37], s[37];
        memcpy(b, code, 36);
        memcpy(s, code + 36, 36);
        b[36] = s[36] = '\0';
        char made[TICKET_CODE_LEN + 1];
        if (ticket_code_make(SECRET, b, s, made, sizeof made) == 0) {
            FUZZ_CHECK(uuid_valid(b) && uuid_valid(s));
            FUZZ_CHECK(ticket_code_parse_verify(SECRET, made, booking, seat) == 0);
        }
    }

    json_t *body = json_loadb((const char *)data, size, 0, NULL);
    if (body) {
        char c[TICKET_CODE_LEN + 1];
        char ev[37];
        const char *why = NULL, *field = NULL;
        if (checkin_parse_request(body, c, ev, &field, &why) == 0)
            FUZZ_CHECK(strlen(c) <= TICKET_CODE_LEN);
        else
            FUZZ_CHECK(why != NULL);
        json_decref(body);
    }
    free(code);
    return 0;
}
