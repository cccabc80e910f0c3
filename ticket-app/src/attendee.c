/* attendee.c: parsing the attendees of a booking request (attendee.h). */
#include "attendee.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "valid.h"

/* 1 if s is 1..max characters of UTF-8 without control characters. */
static int text_ok(const char *s, size_t len, size_t max)
{
    if (len == 0 || strlen(s) != len || !utf8_valid(s, len))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return utf8_chars(s) <= max;
}

int attendee_parse(const json_t *body, const struct booking_request *rq, struct attendee_list *out,
                   json_t *details)
{
    memset(out, 0, sizeof *out);
    const json_t *arr = json_object_get(body, "attendees");
    if (!arr || json_is_null(arr))
        return 0;
    const char *why = NULL;
    if (!json_is_array(arr) || json_array_size(arr) > rq->nseats) {
        why = "must be an array of at most one {seat_id, name, id_number?} per seat";
        goto bad;
    }
    size_t i;
    const json_t *a;
    json_array_foreach(arr, i, a)
    {
        const json_t *sid = json_object_get(a, "seat_id"), *name = json_object_get(a, "name"),
                     *idn = json_object_get(a, "id_number");
        char seat[37];
        if (!json_is_object(a) || !json_is_string(sid) ||
            valid_uuid_norm(json_string_value(sid), seat) != 0) {
            why = "every attendee needs the seat_id of one of the booked seats";
            goto bad;
        }
        int known = 0;
        for (size_t k = 0; k < rq->nseats; k++)
            known |= strcmp(rq->seat_ids[k], seat) == 0;
        for (size_t k = 0; k < out->n; k++)
            if (strcmp(out->items[k].seat_id, seat) == 0) {
                why = "a seat is named twice";
                goto bad;
            }
        if (!known) {
            why = "an attendee's seat_id is not one of seat_ids";
            goto bad;
        }
        if (!json_is_string(name) ||
            !text_ok(json_string_value(name), json_string_length(name), ATTENDEE_NAME_MAX)) {
            why = "every attendee needs a name of 1 to 100 characters";
            goto bad;
        }
        if (idn && !json_is_null(idn) &&
            (!json_is_string(idn) ||
             !text_ok(json_string_value(idn), json_string_length(idn), ATTENDEE_ID_MAX))) {
            why = "id_number must be 1 to 64 characters";
            goto bad;
        }
        struct attendee *t = &out->items[out->n++];
        memcpy(t->seat_id, seat, sizeof seat);
        snprintf(t->name, sizeof t->name, "%s", json_string_value(name));
        snprintf(t->id_number, sizeof t->id_number, "%s",
                 json_is_string(idn) ? json_string_value(idn) : "");
    }
    return 0;
bad:
    json_object_set_new(details, "attendees", json_string(why));
    memset(out, 0, sizeof *out);
    return -1;
}

json_t *attendee_missing(const struct booking_request *rq, const struct attendee_list *al)
{
    json_t *miss = json_array();
    for (size_t k = 0; k < rq->nseats; k++) {
        int named = 0;
        for (size_t i = 0; i < al->n; i++)
            named |= strcmp(al->items[i].seat_id, rq->seat_ids[k]) == 0;
        if (!named)
            json_array_append_new(miss, json_string(rq->seat_ids[k]));
    }
    return miss;
}

char *attendee_list_json(const struct attendee_list *al)
{
    if (al->n == 0)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < al->n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s?}", "seat_id", al->items[i].seat_id, "name",
                                        al->items[i].name, "id_number",
                                        al->items[i].id_number[0] ? al->items[i].id_number : NULL));
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return s;
}
