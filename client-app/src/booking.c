/* booking.c: validation and JSON mapping of bookings and notifications. */
#include "booking.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "common/util.h"

static void add_detail(json_t **details, const char *field, const char *msg)
{
    if (!*details)
        *details = json_object();
    json_object_set_new(*details, field, json_string(msg));
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

/* 1 if s is 1..max characters of UTF-8 without control characters. */
static int person_text_ok(const json_t *v, size_t max)
{
    if (!json_is_string(v))
        return 0;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len == 0 || strlen(s) != len || !utf8_valid(s, len))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return utf8_chars(s) <= max;
}

/* attendees: [{seat_id, name (1..100), id_number? (1..64)}], at most one
 * per requested seat, into out->attendees_json. */
static void parse_attendees(const json_t *body, struct booking_request *out, json_t **details)
{
    const json_t *arr = json_object_get(body, "attendees");
    if (!arr || json_is_null(arr))
        return;
    const char *why = NULL;
    json_t *map = json_object();
    size_t i;
    const json_t *a;
    if (!json_is_array(arr) || json_array_size(arr) > out->nseats)
        why = "must be an array of at most one {seat_id, name, id_number?} per seat";
    else
        json_array_foreach(arr, i, a)
        {
            const json_t *sid = json_object_get(a, "seat_id"),
                         *idn = json_object_get(a, "id_number");
            char id[37] = "";
            int known = 0;
            if (json_is_string(sid) && uuid_valid(json_string_value(sid)))
                lower_copy(id, json_string_value(sid), sizeof id);
            for (size_t k = 0; k < out->nseats && id[0]; k++)
                known |= strcmp(out->seat_ids[k], id) == 0;
            if (!known) {
                why = "every attendee needs the seat_id of one of seat_ids";
                break;
            }
            if (json_object_get(map, id)) {
                why = "a seat is named twice";
                break;
            }
            if (!person_text_ok(json_object_get(a, "name"), 100)) {
                why = "every attendee needs a name of 1 to 100 characters";
                break;
            }
            if (idn && !json_is_null(idn) && !person_text_ok(idn, 64)) {
                why = "id_number must be 1 to 64 characters";
                break;
            }
            json_object_set_new(map, id,
                                json_pack("{s:O, s:O}", "name", json_object_get(a, "name"),
                                          "id_number", idn ? idn : json_null()));
        }
    if (!why && json_object_size(map) > 0) {
        char *text = json_dumps(map, JSON_COMPACT | JSON_SORT_KEYS);
        if (strlen(text) < sizeof out->attendees_json)
            memcpy(out->attendees_json, text, strlen(text) + 1);
        else
            why = "too long";
        free(text);
    }
    json_decref(map);
    if (why)
        add_detail(details, "attendees", why);
}

int booking_request_parse(const json_t *body, struct booking_request *out, json_t **details)
{
    memset(out, 0, sizeof(*out));
    *details = NULL;
    json_t *ev = json_object_get(body, "event_id");
    if (!json_is_string(ev) || !uuid_valid(json_string_value(ev)))
        add_detail(details, "event_id", "must be a UUID");
    else
        lower_copy(out->event_id, json_string_value(ev), sizeof(out->event_id));

    json_t *seats = json_object_get(body, "seat_ids");
    if (!json_is_array(seats) || json_array_size(seats) < 1 ||
        json_array_size(seats) > BOOKING_SEATS_MAX) {
        add_detail(details, "seat_ids", "must be an array of 1 to 10 seat UUIDs");
    } else {
        size_t i;
        json_t *s;
        json_array_foreach(seats, i, s)
        {
            if (!json_is_string(s) || !uuid_valid(json_string_value(s))) {
                add_detail(details, "seat_ids", "every element must be a UUID");
                break;
            }
            char id[37];
            lower_copy(id, json_string_value(s), sizeof(id));
            for (size_t j = 0; j < out->nseats; j++)
                if (strcmp(out->seat_ids[j], id) == 0) {
                    add_detail(details, "seat_ids", "must not repeat a seat");
                    break;
                }
            if (*details)
                break;
            memcpy(out->seat_ids[out->nseats++], id, sizeof(id));
        }
    }
    json_t *checkout = json_object_get(body, "checkout");
    if (checkout && !json_is_null(checkout) && !json_is_boolean(checkout))
        add_detail(details, "checkout", "must be true or false");
    out->selection = json_is_false(checkout);
    if (!*details)
        parse_attendees(body, out, details);
    return *details ? -1 : 0;
}

void booking_request_hash(const struct booking_request *r, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->event_id, 36);
    for (size_t i = 0; i < r->nseats; i++) {
        crypto_hash_sha256_update(&st, (const unsigned char *)",", 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)r->seat_ids[i], 36);
    }
    if (r->selection) /* a selection is another request than a one-step hold */
        crypto_hash_sha256_update(&st, (const unsigned char *)";selection", 10);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

json_t *booking_request_seats(const struct booking_request *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->nseats; i++)
        json_array_append_new(a,
                              json_pack("{s:s, s:n, s:n}", "id", r->seat_ids[i], "label", "price"));
    return a;
}

json_t *booking_request_ticket_body(const struct booking_request *r, const char *booking_id,
                                    const char *user_id)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < r->nseats; i++)
        json_array_append_new(ids, json_string(r->seat_ids[i]));
    json_t *b = json_pack("{s:s, s:s, s:s, s:o, s:s}", "booking_id", booking_id, "user_id", user_id,
                          "event_id", r->event_id, "seat_ids", ids, "origin", "direct");
    if (r->holder[0])
        json_object_set_new(b, "holder", json_string(r->holder));
    if (r->selection)
        json_object_set_new(b, "checkout", json_false());
    json_t *map = r->attendees_json[0] ? json_loads(r->attendees_json, 0, NULL) : NULL;
    if (map) {
        json_t *arr = json_array();
        const char *sid;
        json_t *v;
        json_object_foreach(map, sid, v)
        {
            json_t *a = json_pack("{s:s, s:O}", "seat_id", sid, "name", json_object_get(v, "name"));
            if (json_is_string(json_object_get(v, "id_number")))
                json_object_set(a, "id_number", json_object_get(v, "id_number"));
            json_array_append_new(arr, a);
        }
        json_object_set_new(b, "attendees", arr);
        json_decref(map);
    }
    return b;
}

int idem_key_valid(const char *key)
{
    size_t n = 0;
    if (!key)
        return 0;
    for (; key[n]; n++)
        if (n >= IDEM_KEY_MAX || (unsigned char)key[n] < 0x20 || (unsigned char)key[n] > 0x7E)
            return 0;
    return n >= 1;
}

static int in_list(const char *s, const char *const *list)
{
    if (!s)
        return 0;
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* The one table of client-app's booking status names. */
static const char *const statuses[BS_COUNT] = {
    [BS_REQUESTED] = "REQUESTED", [BS_PENDING_PAYMENT] = "PENDING_PAYMENT",
    [BS_CONFIRMED] = "CONFIRMED", [BS_FAILED] = "FAILED",
    [BS_EXPIRED] = "EXPIRED",     [BS_CANCELLED] = "CANCELLED",
    [BS_HELD] = "HELD",
};
static const char *const reasons[] = {"SEAT_UNAVAILABLE",
                                      "HOLD_REJECTED",
                                      "PAYMENT_FAILED",
                                      "TICKET_SERVICE_UNAVAILABLE",
                                      "EVENT_CANCELLED",
                                      "SALES_NOT_OPEN",
                                      "SALES_CLOSED",
                                      "LIMIT_REACHED",
                                      NULL};
/* The refusals of a hold that ticket-app answers 409 with (API.md): the
 * attempt is recorded FAILED with failure_reason = the code. */
static const char *const refusals[] = {"SEAT_UNAVAILABLE",
                                       "HOLD_REJECTED",
                                       "EVENT_CANCELLED",
                                       "SALES_NOT_OPEN",
                                       "SALES_CLOSED",
                                       "LIMIT_REACHED",
                                       NULL};
static const char *const ntypes[] = {
    "booking.created",   "booking.confirmed", "booking.failed",  "booking.expired",
    "booking.cancelled", "event.changed",     "event.cancelled", NULL};

enum booking_status booking_status_parse(const char *s)
{
    for (int i = BS_UNKNOWN + 1; s && i < BS_COUNT; i++)
        if (strcmp(s, statuses[i]) == 0)
            return (enum booking_status)i;
    return BS_UNKNOWN;
}

const char *booking_status_name(enum booking_status s)
{
    return s > BS_UNKNOWN && s < BS_COUNT ? statuses[s] : NULL;
}

int booking_status_valid(const char *s)
{
    enum booking_status st = booking_status_parse(s);
    return st != BS_UNKNOWN && st != BS_REQUESTED;
}

int booking_reason_valid(const char *s)
{
    return in_list(s, reasons);
}

int notification_type_known(const char *type)
{
    return in_list(type, ntypes);
}

const char *booking_public_status(const char *stored)
{
    if (booking_status_parse(stored) == BS_REQUESTED)
        return booking_status_name(BS_PENDING_PAYMENT);
    return stored;
}

int booking_version_newer(long long stored, long long incoming)
{
    return incoming > stored;
}

/* Optional string member: 0 (absent/null: *out NULL, or valid), -1 wrong
 * type or longer than max bytes or not UTF-8. */
static int opt_str(const json_t *obj, const char *key, size_t max, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) > max ||
        !utf8_valid(json_string_value(v), json_string_length(v)))
        return -1;
    *out = json_string_value(v);
    return 0;
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        ticket_booking_cleanup(out);                                                               \
        return -1;                                                                                 \
    } while (0)

/* Copies seats to [{id,label,price}] keeping only what the Booking shows. */
static char *normalise_seats(const json_t *seats)
{
    json_t *a = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(seats, i, s)
    {
        json_t *id = json_object_get(s, "id"), *label = json_object_get(s, "label"),
               *price = json_object_get(s, "price");
        if (!json_is_object(s) || !json_is_string(id) || !uuid_valid(json_string_value(id)) ||
            (label && !json_is_null(label) &&
             (!json_is_string(label) || json_string_length(label) > 100)) ||
            (price && !json_is_null(price) && !json_is_integer(price))) {
            json_decref(a);
            return NULL;
        }
        json_array_append_new(
            a, json_pack("{s:O, s:O?, s:O?}", "id", id, "label", label, "price", price));
    }
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

int ticket_booking_parse(const json_t *obj, struct ticket_booking *out, long long default_version,
                         char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(obj))
        FAIL("booking is not an object");
    if (opt_str(obj, "booking_id", 36, &out->booking_id) < 0 || !out->booking_id ||
        !uuid_valid(out->booking_id))
        FAIL("booking_id is not a UUID");
    if (opt_str(obj, "user_id", 36, &out->user_id) < 0 ||
        (out->user_id && !uuid_valid(out->user_id)))
        FAIL("user_id is not a UUID");
    if (opt_str(obj, "event_id", 36, &out->event_id) < 0 ||
        (out->event_id && !uuid_valid(out->event_id)))
        FAIL("event_id is not a UUID");
    if (opt_str(obj, "status", 32, &out->status) < 0 || !booking_status_valid(out->status))
        FAIL("status is not a booking status");
    if (opt_str(obj, "failure_reason", 64, &out->failure_reason) < 0 ||
        (out->failure_reason && !booking_reason_valid(out->failure_reason)))
        FAIL("failure_reason is not a known reason");
    out->state = booking_status_parse(out->status);
    if (out->state != BS_FAILED)
        out->failure_reason = NULL;
    if (opt_str(obj, "event_name", 400, &out->event_name) < 0)
        FAIL("event_name is not a string");
    if (opt_str(obj, "currency", 8, &out->currency) < 0)
        FAIL("currency is not a string");
    if (opt_str(obj, "invoice_number", 64, &out->invoice_number) < 0)
        FAIL("invoice_number is not a string");
    if (opt_str(obj, "payment_url", 2048, &out->payment_url) < 0)
        FAIL("payment_url is not a string");
    int64_t ms;
    if (opt_str(obj, "expires_at", 64, &out->expires_at) < 0 ||
        (out->expires_at && time_parse_rfc3339(out->expires_at, &ms) < 0))
        FAIL("expires_at is not an RFC 3339 time");
    if (opt_str(obj, "code", 16, &out->code) < 0)
        FAIL("code is not a string");
    if (opt_str(obj, "origin", 16, &out->origin) < 0 ||
        (out->origin && strcmp(out->origin, "direct") != 0 && strcmp(out->origin, "waitlist") != 0))
        FAIL("origin is not direct or waitlist");

    json_t *amount = json_object_get(obj, "amount");
    if (json_is_integer(amount))
        snprintf(out->amount, sizeof(out->amount), "%lld", (long long)json_integer_value(amount));
    else if (amount && !json_is_null(amount))
        FAIL("amount is not an integer");

    json_t *version = json_object_get(obj, "version");
    if (json_is_integer(version) && json_integer_value(version) >= 1)
        out->version_n = json_integer_value(version);
    else if (!version && default_version > 0)
        out->version_n = default_version;
    else
        FAIL("version is not a positive integer");
    snprintf(out->version, sizeof(out->version), "%lld", out->version_n);

    json_t *seats = json_object_get(obj, "seats");
    if (seats && !json_is_null(seats)) {
        if (!json_is_array(seats) || json_array_size(seats) > 100 ||
            !(out->seats_json = normalise_seats(seats)))
            FAIL("seats is not an array of {id,label,price}");
    }
    return 0;
}

void ticket_booking_cleanup(struct ticket_booking *tb)
{
    free(tb->seats_json);
    tb->seats_json = NULL;
}

#undef FAIL
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return -1;                                                                                 \
    } while (0)

int notification_parse(const json_t *obj, struct notification *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(obj))
        FAIL("not an object");
    json_t *id = json_object_get(obj, "id"), *type = json_object_get(obj, "type");
    if (!json_is_string(id) || json_string_length(id) < 1 || json_string_length(id) > 100 ||
        !utf8_valid(json_string_value(id), json_string_length(id)))
        FAIL("id must be a string of 1 to 100 characters");
    out->id = json_string_value(id);
    if (!json_is_string(type) || !notification_type_known(json_string_value(type)))
        FAIL("unknown type");
    out->type = json_string_value(type);
    json_t *data = json_object_get(obj, "data");
    if (!json_is_object(data))
        FAIL("data must be an object");
    char berr[128];
    if (ticket_booking_parse(json_object_get(data, "booking"), &out->booking, 0, berr,
                             sizeof(berr)) < 0)
        FAIL("data.booking: %s", berr);
    if (!out->booking.user_id || !out->booking.event_id) {
        notification_cleanup(out);
        FAIL("data.booking needs user_id and event_id");
    }
    json_t *pdf = json_object_get(data, "ticket_pdf_base64");
    if (json_is_string(pdf)) {
        out->pdf_base64 = json_string_value(pdf);
        out->pdf_base64_len = json_string_length(pdf);
    } else if (pdf && !json_is_null(pdf)) {
        notification_cleanup(out);
        FAIL("data.ticket_pdf_base64 must be a string");
    }
    return 0;
}

void notification_cleanup(struct notification *n)
{
    ticket_booking_cleanup(&n->booking);
}

int booking_pdf_decode(const char *b64, size_t b64len, unsigned char **pdf, size_t *len)
{
    *pdf = NULL;
    *len = 0;
    if (b64len / 4 * 3 > BOOKING_PDF_MAX + 3)
        return -1;
    size_t cap = b64len / 4 * 3 + 3;
    unsigned char *buf = xmalloc(cap ? cap : 1);
    size_t n = 0;
    if (sodium_base642bin(buf, cap, b64, b64len, " \r\n\t", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n < 5 || n > BOOKING_PDF_MAX || memcmp(buf, "%PDF-", 5) != 0) {
        free(buf);
        return -1;
    }
    *pdf = buf;
    *len = n;
    return 0;
}

json_t *booking_to_json(const struct booking_view *b)
{
    json_t *seats = b->seats_json ? json_loads(b->seats_json, 0, NULL) : NULL;
    if (!seats)
        seats = json_array();
    /* each seat's attendee ({name, id_number}) or null */
    json_t *people = b->attendees_json ? json_loads(b->attendees_json, 0, NULL) : NULL;
    size_t si;
    json_t *seat;
    json_array_foreach(seats, si, seat)
    {
        json_t *who = json_object_get(people, json_str(seat, "id") ? json_str(seat, "id") : "");
        if (json_is_object(seat))
            json_object_set_new(seat, "attendee", who ? json_deep_copy(who) : json_null());
    }
    json_decref(people);
    json_t *payment = json_null();
    if (b->invoice_number)
        payment = json_pack("{s:s, s:s?, s:s?}", "invoice_number", b->invoice_number, "payment_url",
                            b->payment_url, "expires_at", b->payment_expires_at);
    json_t *amount = json_null();
    long v;
    if (b->amount && parse_long(b->amount, &v) == 0)
        amount = json_integer(v);
    const char *status = booking_public_status(b->status);
    enum booking_status state = booking_status_parse(status);
    json_t *ticket_url = json_null();
    if (state == BS_CONFIRMED) {
        char url[96];
        snprintf(url, sizeof(url), "/api/bookings/%s/ticket.pdf", b->id);
        ticket_url = json_string(url);
    }
    const char *reason = state == BS_FAILED ? b->failure_reason : NULL;
    const char *hold_until = state == BS_HELD ? b->payment_expires_at : NULL;
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s?, s:o, s:s, s:s?, s:o, s:s?, s:o, s:o, s:s, s:s, s:s}", "id", b->id,
        "user_id", b->user_id, "event_id", b->event_id, "event_name", b->event_name, "seats", seats,
        "status", status, "failure_reason", reason, "amount", amount, "currency", b->currency,
        "payment", payment, "ticket_url", ticket_url, "origin", b->origin ? b->origin : "direct",
        "created_at", b->created_at, "updated_at", b->updated_at);
    if (o) {
        json_object_set_new(o, "code", b->code ? json_string(b->code) : json_null());
        json_object_set_new(o, "hold_expires_at",
                            hold_until ? json_string(hold_until) : json_null());
    }
    return o;
}

/* Parses a TicketBooking from ticket-app's body: at the top level (201,
 * 200) or under "booking" (error answers carry it there). */
int ticket_reply_booking(const json_t *reply, struct ticket_booking *tb)
{
    char err[128];
    if (!reply)
        return -1;
    if (ticket_booking_parse(reply, tb, 1, err, sizeof(err)) == 0)
        return 0;
    const json_t *inner = json_object_get(reply, "booking");
    if (inner && ticket_booking_parse(inner, tb, 1, err, sizeof(err)) == 0)
        return 0;
    return -1;
}

/* Reads ticket-app's answer to POST /api/bookings into an outcome; tb is
 * filled (and *have_tb set) when the body is a usable TicketBooking. */
enum booking_outcome booking_classify(int rc, long status, const json_t *reply, const char *bid,
                                      struct ticket_booking *tb, int *have_tb, const char **code)
{
    *have_tb = 0;
    *code = NULL;
    if (rc < 0)
        return OUT_UNAVAILABLE;
    if ((status == 200 || status == 201 || status == 409 || status == 503) &&
        ticket_reply_booking(reply, tb) == 0) {
        if (strcasecmp(tb->booking_id, bid) == 0)
            *have_tb = 1;
        else
            ticket_booking_cleanup(tb);
    }
    if ((status == 200 || status == 201) && *have_tb) {
        if (tb->state != BS_FAILED)
            return OUT_HELD;
        if (tb->failure_reason && strcmp(tb->failure_reason, "TICKET_SERVICE_UNAVAILABLE") == 0)
            return OUT_UNAVAILABLE;
    }
    if (status == 409 || ((status == 200 || status == 201) && *have_tb)) {
        const char *c = json_str(json_object_get(reply, "error"), "code");
        if (c && in_list(c, refusals))
            *code = c;
        else if (*have_tb && tb->failure_reason && in_list(tb->failure_reason, refusals))
            *code = tb->failure_reason;
        else
            *code = "SEAT_UNAVAILABLE";
        return OUT_REFUSED;
    }
    if (status == 400 || status == 404 || status == 422)
        return OUT_INVALID;
    return OUT_UNAVAILABLE;
}
