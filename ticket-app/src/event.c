/* event.c: validation of event and seat bodies and the layout generator. */
#include "event.h"

#include <string.h>

#include "common/util.h"
#include "tz.h"
#include "valid.h"

int event_row_name_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > ROW_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

json_t *event_layout_expand(const json_t *layout, long *total, json_t *details)
{
    *total = 0;
    if (!json_is_object(layout)) {
        valid_fail(details, "layout", "must be an object");
        return NULL;
    }
    json_t *sections = json_object_get(layout, "sections");
    if (!json_is_array(sections) || json_array_size(sections) == 0) {
        valid_fail(details, "layout.sections", "must be a non-empty array");
        return NULL;
    }
    if (json_array_size(sections) > LAYOUT_MAX_SECTIONS) {
        valid_fail(details, "layout.sections", "too many sections");
        return NULL;
    }
    json_t *rows_out = json_array();
    json_t *seen_rows = json_object();
    json_t *seen_sections = json_object();
    size_t i;
    json_t *sec;
    int ok = 1;
    json_array_foreach(sections, i, sec)
    {
        json_t *d = json_object();
        const char *name = NULL;
        long per_row = 0, price = 0;
        if (!json_is_object(sec)) {
            valid_fail(details, "layout.sections", "each section must be an object");
            ok = 0;
            json_decref(d);
            break;
        }
        valid_string(sec, "name", 1, SECTION_NAME_MAX, &name, d);
        valid_long(sec, "seats_per_row", 1, 1, LAYOUT_MAX_SEATS_PER_ROW, &per_row, d);
        valid_long(sec, "price", 1, 0, PRICE_MAX, &price, d);
        json_t *rows = json_object_get(sec, "rows");
        if (!json_is_array(rows) || json_array_size(rows) == 0)
            valid_fail(d, "rows", "must be a non-empty array of row names");
        else if (json_array_size(rows) > LAYOUT_MAX_ROWS)
            valid_fail(d, "rows", "too many rows");
        if (name && json_object_get(seen_sections, name))
            valid_fail(d, "name", "duplicate section name");
        if (json_object_size(d) > 0) {
            json_t *k;
            const char *key;
            json_object_foreach(d, key, k)
            {
                char path[160];
                snprintf(path, sizeof path, "layout.sections[%zu].%s", i, key);
                valid_fail(details, path, json_string_value(k));
            }
            json_decref(d);
            ok = 0;
            continue;
        }
        json_decref(d);
        json_object_set_new(seen_sections, name, json_true());
        size_t j;
        json_t *row;
        json_array_foreach(rows, j, row)
        {
            const char *rn = json_is_string(row) ? json_string_value(row) : NULL;
            char path[96];
            snprintf(path, sizeof path, "layout.sections[%zu].rows[%zu]", i, j);
            if (!rn || !event_row_name_valid(rn)) {
                valid_fail(details, path, "must be 1-16 characters of A-Z a-z 0-9 _ .");
                ok = 0;
                continue;
            }
            if (json_object_get(seen_rows, rn)) {
                valid_fail(details, path, "duplicate row name in the event");
                ok = 0;
                continue;
            }
            json_object_set_new(seen_rows, rn, json_true());
            *total += per_row;
            if (*total > LAYOUT_MAX_SEATS) {
                valid_fail(details, "layout", "too many seats (at most 100000 per event)");
                ok = 0;
                break;
            }
            json_array_append_new(rows_out, json_pack("{s:s, s:s, s:I, s:I}", "section", name,
                                                      "row", rn, "seats", (json_int_t)per_row,
                                                      "price", (json_int_t)price));
        }
        if (*total > LAYOUT_MAX_SEATS)
            break;
    }
    json_decref(seen_rows);
    json_decref(seen_sections);
    if (!ok) {
        json_decref(rows_out);
        *total = 0;
        return NULL;
    }
    return rows_out;
}

/* An optional RFC 3339 time member into out (normalised to UTC) and *ms:
 * returns 1 if present, 2 if null (out ""), 0 if absent, -1 if invalid. */
static int parse_time(const json_t *body, const char *key, char out[40], int64_t *ms,
                      json_t *details)
{
    json_t *v = json_object_get(body, key);
    out[0] = '\0';
    if (!v)
        return 0;
    if (json_is_null(v))
        return 2;
    const char *s = NULL;
    if (valid_string(body, key, 0, 64, &s, details) <= 0)
        return -1;
    if (time_parse_rfc3339(s, ms) != 0) {
        valid_fail(details, key, "must be an RFC 3339 time");
        return -1;
    }
    time_rfc3339(*ms, out, 40);
    return 1;
}

/* The event's life: timezone and the sale window. starts_ms is starts_at
 * when the body has it (else 0: the window is checked against itself). */
static void parse_life(const json_t *body, struct event_input *in, int64_t starts_ms,
                       json_t *details)
{
    if (valid_string(body, "timezone", 0, TZ_NAME_MAX, &in->timezone, details) > 0 &&
        !tz_valid(in->timezone))
        valid_fail(details, "timezone", "must be an IANA time zone name, e.g. Asia/Jakarta");
    int64_t from = 0, to = 0;
    int rf = parse_time(body, "sales_start_at", in->sales_start_at, &from, details);
    int rt = parse_time(body, "sales_end_at", in->sales_end_at, &to, details);
    in->sales_start_set = rf > 0;
    in->sales_end_set = rt > 0;
    if (rt == 1 && starts_ms && to > starts_ms)
        valid_fail(details, "sales_end_at", "must not be after starts_at");
    if (rf == 1 && rt == 1 && from >= to)
        valid_fail(details, "sales_start_at", "must be before sales_end_at");
    else if (rf == 1 && rt != 1 && starts_ms && from >= starts_ms)
        valid_fail(details, "sales_start_at", "must be before starts_at");
}

/* Shared by create and patch: the scalar fields. */
static void parse_fields(const json_t *body, struct event_input *in, int create, json_t *details)
{
    valid_string(body, "name", create, EVENT_NAME_MAX, &in->name, details);
    valid_string(body, "venue", create, EVENT_NAME_MAX, &in->venue, details);
    json_t *d = json_object_get(body, "description");
    if (json_is_string(d) && json_string_length(d) == 0)
        in->description = ""; /* clearing it is allowed */
    else
        valid_string(body, "description", 0, EVENT_DESCRIPTION_MAX, &in->description, details);
    if (valid_string(body, "currency", 0, 3, &in->currency, details) > 0 &&
        !valid_currency(in->currency))
        valid_fail(details, "currency", "must be a three-letter uppercase code");
    const char *starts = NULL;
    if (valid_string(body, "starts_at", create, 64, &starts, details) > 0) {
        int64_t ms;
        if (time_parse_rfc3339(starts, &ms) != 0)
            valid_fail(details, "starts_at", "must be an RFC 3339 time");
        else
            time_rfc3339(ms, in->starts_at, sizeof in->starts_at);
    }
    int64_t starts_ms = 0;
    if (in->starts_at[0])
        time_parse_rfc3339(in->starts_at, &starts_ms);
    parse_life(body, in, starts_ms, details);
}

/* attendees_required: a boolean (a name per seat to book), optional. */
static void parse_attendees_required(const json_t *body, struct event_input *in, json_t *details)
{
    const json_t *v = json_object_get(body, "attendees_required");
    if (json_is_boolean(v))
        in->attendees_required = json_is_true(v) ? "true" : "false";
    else if (v && !json_is_null(v))
        valid_fail(details, "attendees_required", "must be a boolean");
}

int event_parse_create(const json_t *body, struct event_input *in, json_t *details)
{
    memset(in, 0, sizeof *in);
    parse_fields(body, in, 1, details);
    if (!in->currency || !valid_currency(in->currency))
        in->currency = "IDR";
    if (!in->description)
        in->description = "";
    if (!in->timezone)
        in->timezone = "UTC";
    parse_attendees_required(body, in, details);
    json_t *publish = json_object_get(body, "publish");
    in->publish = 1;
    if (json_is_boolean(publish))
        in->publish = json_is_true(publish);
    else if (publish && !json_is_null(publish))
        valid_fail(details, "publish", "must be a boolean");
    json_t *layout = json_object_get(body, "layout");
    if (layout && !json_is_null(layout))
        in->layout_rows = event_layout_expand(layout, &in->total_seats, details);
    if (json_object_size(details) > 0) {
        event_input_cleanup(in);
        return -1;
    }
    return 0;
}

int event_parse_patch(const json_t *body, struct event_input *in, json_t *details)
{
    memset(in, 0, sizeof *in);
    parse_fields(body, in, 0, details);
    parse_attendees_required(body, in, details);
    if (json_object_get(body, "layout"))
        valid_fail(details, "layout", "cannot be changed; add, edit or delete seats instead");
    if (json_object_get(body, "publish"))
        valid_fail(details, "publish", "use POST /api/events/{id}/publish");
    if (json_object_size(details) == 0 && !in->name && !in->venue && !in->description &&
        !in->currency && !in->starts_at[0] && !in->timezone && !in->sales_start_set &&
        !in->sales_end_set && !in->attendees_required)
        valid_fail(details, "body", "nothing to change");
    return json_object_size(details) > 0 ? -1 : 0;
}

void event_input_cleanup(struct event_input *in)
{
    json_decref(in->layout_rows);
    in->layout_rows = NULL;
}

int seat_parse_create(const json_t *body, struct seat_input *in, json_t *details)
{
    memset(in, 0, sizeof *in);
    valid_string(body, "section", 1, SECTION_NAME_MAX, &in->section, details);
    if (valid_string(body, "row", 1, ROW_NAME_MAX, &in->row, details) > 0 &&
        !event_row_name_valid(in->row))
        valid_fail(details, "row", "must be 1-16 characters of A-Z a-z 0-9 _ .");
    in->has_number =
        valid_long(body, "number", 1, 1, LAYOUT_MAX_SEATS_PER_ROW * 100L, &in->number, details) > 0;
    in->has_price = valid_long(body, "price", 1, 0, PRICE_MAX, &in->price, details) > 0;
    valid_string(body, "label", 0, SEAT_LABEL_MAX, &in->label, details);
    return json_object_size(details) > 0 ? -1 : 0;
}

int seat_parse_patch(const json_t *body, struct seat_input *in, json_t *details)
{
    memset(in, 0, sizeof *in);
    in->has_price = valid_long(body, "price", 0, 0, PRICE_MAX, &in->price, details) > 0;
    valid_string(body, "label", 0, SEAT_LABEL_MAX, &in->label, details);
    if (json_object_size(details) == 0 && !in->has_price && !in->label)
        valid_fail(details, "body", "nothing to change (price, label)");
    return json_object_size(details) > 0 ? -1 : 0;
}
