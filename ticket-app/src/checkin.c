/* checkin.c: the pure part of check-in (checkin.h). */
#include "checkin.h"

#include <stdlib.h>
#include <string.h>

#include "common/rand.h"
#include "lifecycle.h"

void checkin_result_init(struct checkin_result *r)
{
    memset(r, 0, sizeof *r);
}

void checkin_event_cleanup(struct checkin_event *e)
{
    free(e->name);
    free(e->starts_at_local);
    memset(e, 0, sizeof *e);
}

void checkin_result_cleanup(struct checkin_result *r)
{
    free(r->label);
    free(r->section);
    free(r->checked_in_at);
    free(r->booking_status);
    free(r->booking_code);
    free(r->attendee_name);
    checkin_event_cleanup(&r->event);
    checkin_result_init(r);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int checkin_parse_request(const json_t *body, char code[TICKET_CODE_LEN + 1], char event_id[37],
                          const char **field, const char **why)
{
    code[0] = '\0';
    event_id[0] = '\0';
    *field = "ticket_code";
    const json_t *v = json_is_object(body) ? json_object_get(body, "ticket_code") : NULL;
    if (!v || json_is_null(v)) {
        *why = "ticket_code is required";
        return -1;
    }
    if (!json_is_string(v)) {
        *why = "ticket_code must be a string";
        return -1;
    }
    const json_t *ev = json_object_get(body, "event_id");
    if (ev && !json_is_null(ev)) {
        if (!json_is_string(ev) || !uuid_valid(json_string_value(ev))) {
            *field = "event_id";
            *why = "event_id must be the gate's event id (a UUID)";
            return -1;
        }
        memcpy(event_id, json_string_value(ev), 36);
        event_id[36] = '\0';
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

enum checkin_outcome checkin_decide(const char *booking_status, int seat_held,
                                    const char *ticket_event, const char *gate_event, long scans)
{
    if (!booking_status)
        return CHECKIN_UNKNOWN;
    /* The gate's event first: a ticket of another night is told as such,
     * whatever became of it. */
    if (gate_event && gate_event[0] && ticket_event && strcmp(ticket_event, gate_event) != 0)
        return CHECKIN_WRONG_EVENT;
    /* the booking's state as the lifecycle names it (lifecycle.h) */
    enum lc_state state = lifecycle_state_parse(booking_status);
    if (state == LC_CANCELLED)
        return CHECKIN_CANCELLED;
    if (state != LC_CONFIRMED || !seat_held || scans < 1)
        return CHECKIN_NOT_CONFIRMED;
    return scans == 1 ? CHECKIN_ADMITTED : CHECKIN_ALREADY;
}

json_t *checkin_event_json(const struct checkin_event *e)
{
    if (!e->id[0])
        return json_null();
    return json_pack("{s:s, s:s?, s:s?}", "id", e->id, "name", e->name, "starts_at_local",
                     e->starts_at_local);
}

json_t *checkin_seat_json(const struct checkin_result *r)
{
    return json_pack("{s:s, s:s?, s:s?}", "id", r->seat_id, "label", r->label, "section",
                     r->section);
}

static json_t *attendee_json(const struct checkin_result *r)
{
    return r->attendee_name ? json_pack("{s:s}", "name", r->attendee_name) : json_null();
}

json_t *checkin_admitted_json(const struct checkin_result *r)
{
    return json_pack("{s:s, s:s, s:s?, s:o, s:o, s:s?, s:o}", "status", "ADMITTED", "booking_id",
                     r->booking_id, "booking_code", r->booking_code, "seat", checkin_seat_json(r),
                     "attendee", attendee_json(r), "checked_in_at", r->checked_in_at, "event",
                     checkin_event_json(&r->event));
}

json_t *checkin_refusal_extra(const struct checkin_result *r, const struct checkin_event *gate)
{
    return json_pack("{s:s, s:s?, s:o, s:o, s:s?, s:o}", "booking_id", r->booking_id,
                     "booking_code", r->booking_code, "seat", checkin_seat_json(r), "attendee",
                     attendee_json(r), "checked_in_at", r->checked_in_at, "event",
                     checkin_event_json(gate ? gate : &r->event));
}

json_t *checkin_already_details(const struct checkin_result *r)
{
    return json_pack("{s:s?, s:I}", "checked_in_at", r->checked_in_at, "scans",
                     (json_int_t)r->scans);
}

json_t *checkin_wrong_event_details(const struct checkin_result *r)
{
    return json_pack("{s:s, s:s?, s:s?}", "event_id", r->event.id, "name", r->event.name,
                     "starts_at_local", r->event.starts_at_local);
}
