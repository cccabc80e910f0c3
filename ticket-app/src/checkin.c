/* checkin.c: the pure part of check-in (checkin.h). */
#include "checkin.h"

#include <stdlib.h>
#include <string.h>

void checkin_result_init(struct checkin_result *r)
{
    memset(r, 0, sizeof *r);
}

void checkin_result_cleanup(struct checkin_result *r)
{
    free(r->label);
    free(r->section);
    free(r->checked_in_at);
    checkin_result_init(r);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int checkin_parse_request(const json_t *body, char code[TICKET_CODE_LEN + 1], const char **why)
{
    code[0] = '\0';
    const json_t *v = json_is_object(body) ? json_object_get(body, "ticket_code") : NULL;
    if (!v || json_is_null(v)) {
        *why = "ticket_code is required";
        return -1;
    }
    if (!json_is_string(v)) {
        *why = "ticket_code must be a string";
        return -1;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n) /* an escaped NUL inside: not a code */
        return 0;
    while (n > 0 && is_blank(*s))
        s++, n--;
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n > TICKET_CODE_LEN) /* verification would refuse it anyway */
        return 0;
    memcpy(code, s, n);
    code[n] = '\0';
    return 0;
}

json_t *checkin_seat_json(const struct checkin_result *r)
{
    return json_pack("{s:s, s:s?, s:s?}", "id", r->seat_id, "label", r->label, "section",
                     r->section);
}

json_t *checkin_admitted_json(const struct checkin_result *r)
{
    return json_pack("{s:s, s:s, s:o, s:s?}", "status", "ADMITTED", "booking_id", r->booking_id,
                     "seat", checkin_seat_json(r), "checked_in_at", r->checked_in_at);
}

json_t *checkin_already_extra(const struct checkin_result *r)
{
    return json_pack("{s:s, s:o, s:s?}", "booking_id", r->booking_id, "seat", checkin_seat_json(r),
                     "checked_in_at", r->checked_in_at);
}

json_t *checkin_already_details(const struct checkin_result *r)
{
    return json_pack("{s:s?, s:I}", "checked_in_at", r->checked_in_at, "scans",
                     (json_int_t)r->scans);
}
