/* waitlist.c: join validation, join rules, entry JSON (see waitlist.h). */
#include "waitlist.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "valid.h"

int waitlist_parse_join(const json_t *body, struct waitlist_join *out, json_t *details)
{
    memset(out, 0, sizeof *out);
    const char *user = NULL;
    if (valid_string(body, "user_id", 1, USER_ID_MAX, &user, details) > 0)
        snprintf(out->user_id, sizeof out->user_id, "%s", user);
    valid_uuid(body, "event_id", 1, out->event_id, details);
    valid_uuid(body, "seat_id", 1, out->seat_id, details);
    return json_object_size(details) > 0 ? -1 : 0;
}

int waitlist_user_id_valid(const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    return n >= 1 && n <= USER_ID_MAX && utf8_valid(s, n);
}

/* A waitlist entry's statuses: the one table of their names. */
enum wl_status {
    WL_UNKNOWN = 0,
    WL_WAITING,
    WL_OFFERED,
    WL_FULFILLED,
    WL_EXPIRED,
    WL_CANCELLED,
    WL_COUNT
};
static const char *const statuses[WL_COUNT] = {
    [WL_WAITING] = "WAITING", [WL_OFFERED] = "OFFERED",     [WL_FULFILLED] = "FULFILLED",
    [WL_EXPIRED] = "EXPIRED", [WL_CANCELLED] = "CANCELLED",
};

/* WL_UNKNOWN for NULL or any other string. */
static enum wl_status wl_status_parse(const char *s)
{
    for (int i = WL_UNKNOWN + 1; s && i < WL_COUNT; i++)
        if (strcmp(s, statuses[i]) == 0)
            return (enum wl_status)i;
    return WL_UNKNOWN;
}

int waitlist_status_valid(const char *s)
{
    return wl_status_parse(s) != WL_UNKNOWN;
}

enum waitlist_join_outcome waitlist_join_check(const char *seat_status, int hold_expired,
                                               int has_waiters, const char *holder_user,
                                               const char *user)
{
    if (!seat_status || strcmp(seat_status, "OPEN") == 0)
        return JOIN_SEAT_AVAILABLE;
    /* A hold that ran out is free to book, unless people wait for the seat:
     * then the sweeper is about to hand it to the first of them, and the
     * caller queues behind them (even if the expired hold was the caller's). */
    if (strcmp(seat_status, "ON_GOING") == 0 && hold_expired)
        return has_waiters ? JOIN_OK : JOIN_SEAT_AVAILABLE;
    if (holder_user && user && strcmp(holder_user, user) == 0)
        return JOIN_HELD_BY_YOU;
    return JOIN_OK;
}

void waitlist_join_refuse(struct http_res *res, enum waitlist_join_outcome out)
{
    switch (out) {
    case JOIN_NO_EVENT:
        http_res_error(res, 404, "NOT_FOUND", "event not found");
        return;
    case JOIN_NO_SEAT:
        http_res_error(res, 404, "SEAT_NOT_FOUND", "seat not found");
        return;
    case JOIN_FOREIGN_SEAT:
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the seat belongs to another event",
                            json_pack("{s:s}", "seat_id", "must be a seat of event_id"), NULL);
        return;
    case JOIN_SEAT_AVAILABLE:
        http_res_error(res, 409, "SEAT_AVAILABLE", "the seat is open: book it instead");
        return;
    case JOIN_HELD_BY_YOU:
        http_res_error(res, 409, "SEAT_HELD_BY_YOU", "you already hold this seat");
        return;
    case JOIN_ALREADY_WAITING:
        http_res_error(res, 409, "ALREADY_WAITING", "you are already waiting for this seat");
        return;
    case JOIN_OK:
        break;
    }
    http_res_error(res, 500, "INTERNAL", "unexpected join outcome");
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *waitlist_entry_json(const struct waitlist_entry *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", str_or_null(e->id));
    json_object_set_new(o, "user_id", str_or_null(e->user_id));
    json_object_set_new(o, "event_id", str_or_null(e->event_id));
    json_object_set_new(o, "event_name", str_or_null(e->event_name));
    json_object_set_new(o, "seat_id", str_or_null(e->seat_id));
    json_object_set_new(o, "seat_label", str_or_null(e->seat_label));
    json_object_set_new(o, "status", str_or_null(e->status));
    int waiting = wl_status_parse(e->status) == WL_WAITING && e->position > 0;
    json_object_set_new(o, "position", waiting ? json_integer(e->position) : json_null());
    json_object_set_new(o, "booking_id", str_or_null(e->booking_id));
    json_object_set_new(o, "created_at", str_or_null(e->created_at));
    json_object_set_new(o, "updated_at", str_or_null(e->updated_at));
    return o;
}

const char *waitlist_status_after(enum lc_state booking_state)
{
    switch (booking_state) {
    case LC_CONFIRMED:
        return statuses[WL_FULFILLED];
    case LC_EXPIRED:
    case LC_FAILED:
        return statuses[WL_EXPIRED];
    case LC_CANCELLED:
        return statuses[WL_CANCELLED];
    default:
        return NULL;
    }
}

enum waitlist_leave_outcome waitlist_leave_outcome_for(const char *status)
{
    if (!status)
        return LEAVE_NOT_FOUND;
    enum wl_status st = wl_status_parse(status);
    if (st == WL_OFFERED)
        return LEAVE_OFFERED;
    if (st == WL_FULFILLED)
        return LEAVE_FULFILLED;
    /* CANCELLED (a repeated DELETE), EXPIRED (out of the queue already,
     * holding nothing) and WAITING (cancelled meanwhile by the caller's
     * own retry) all mean the caller is no longer in the queue. */
    return LEAVE_LEFT;
}

long waitlist_offer_retry_ms(int attempts, double jitter01)
{
    return backoff_ms(250, 2000, attempts, jitter01);
}
