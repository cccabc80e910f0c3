/* test_http_event_life.c: http tests of an event's life against a real
 * ticket-app, payment-app and notification receiver: the Event's timezone,
 * starts_at_local (a DST zone too), sale window and status over time,
 * drafts and publishing, the lists (upcoming / past / all) and their order,
 * and a postponement: holders told (event.changed), confirmed tickets
 * re-rendered and delivered again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ticket_testlib.h"

static struct suite S;

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    return suite_start(&S, NULL, NULL);
}

static int teardown(void **state)
{
    (void)state;
    suite_stop(&S);
    return 0;
}

/* tt_call with a body it takes. */
static long callt(const char *method, const char *path, const char *bearer, json_t *body,
                  json_t **out)
{
    long st = tt_call(&S, method, path, bearer, body, out);
    json_decref(body);
    return st;
}

/* An RFC 3339 UTC time at now + offset_ms. */
static void at(int64_t offset_ms, char out[40])
{
    int64_t t = now_ms() + offset_ms;
    time_t s = (time_t)(t / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%s.%03dZ", buf, (int)(t % 1000));
}

/* POST /api/events with body (taken) as admin; the status, *ev the answer
 * (new reference, may be NULL), id filled on 201. */
static long create(json_t *body, json_t **ev, char id[37])
{
    json_t *out = NULL;
    long st = tt_call(&S, "POST", "/api/events", TT_ADMIN, body, &out);
    json_decref(body);
    if (st == 201 && id)
        snprintf(id, 37, "%s", tt_str(out, "id"));
    if (ev)
        *ev = out;
    else
        json_decref(out);
    return st;
}

/* A small event (one row of n seats) starting at starts, named name; extra
 * members merged in (taken, may be NULL). */
static long create_simple(const char *name, const char *starts, int n, json_t *extra, char id[37],
                          json_t **ev)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "name", name, "venue", "Hall", "starts_at", starts);
    if (n > 0)
        json_object_set_new(body, "layout",
                            json_pack("{s:[{s:s, s:[s], s:i, s:i}]}", "sections", "name", "Main",
                                      "rows", "A", "seats_per_row", n, "price", 1000));
    if (extra) {
        json_object_update(body, extra);
        json_decref(extra);
    }
    return create(body, ev, id);
}

static json_t *get_event(const char *id, const char *bearer, long *status)
{
    char path[96];
    snprintf(path, sizeof path, "/api/events/%s", id);
    json_t *ev = NULL;
    *status = tt_call(&S, "GET", path, bearer, NULL, &ev);
    return ev;
}

static const char *status_of(const char *id, char out[24])
{
    long st = 0;
    json_t *ev = get_event(id, TT_ADMIN, &st);
    snprintf(out, 24, "%s", st == 200 ? tt_str(ev, "status") : "?");
    json_decref(ev);
    return out;
}

static void test_timezone_and_local_time(void **state)
{
    (void)state;
    json_t *ev = NULL;
    char id[37], path[96];
    /* New York in summer: EDT, -04:00 */
    assert_int_equal(create_simple("NY summer", "2030-07-04T23:30:00Z", 2,
                                   json_pack("{s:s}", "timezone", "America/New_York"), id, &ev),
                     201);
    assert_string_equal(tt_str(ev, "timezone"), "America/New_York");
    assert_string_equal(tt_str(ev, "starts_at_local"), "2030-07-04T19:30:00-04:00");
    assert_string_equal(tt_str(ev, "sales_end_at"), tt_str(ev, "starts_at")); /* default */
    assert_true(json_is_null(json_object_get(ev, "sales_start_at")));
    assert_string_equal(tt_str(ev, "status"), "ON_SALE");
    json_decref(ev);
    /* moved into winter: EST, -05:00 (the offset follows the date) */
    snprintf(path, sizeof path, "/api/events/%s", id);
    assert_int_equal(callt("PATCH", path, TT_ADMIN,
                           json_pack("{s:s}", "starts_at", "2030-12-04T23:30:00Z"), &ev),
                     200);
    assert_string_equal(tt_str(ev, "starts_at_local"), "2030-12-04T18:30:00-05:00");
    json_decref(ev);
    /* the zone itself can change */
    assert_int_equal(
        callt("PATCH", path, TT_ADMIN, json_pack("{s:s}", "timezone", "Asia/Jakarta"), &ev), 200);
    assert_string_equal(tt_str(ev, "starts_at_local"), "2030-12-05T06:30:00+07:00");
    json_decref(ev);
    /* a half-hour zone, and the default UTC */
    assert_int_equal(create_simple("Kolkata", "2030-01-01T12:00:00Z", 1,
                                   json_pack("{s:s}", "timezone", "Asia/Kolkata"), NULL, &ev),
                     201);
    assert_string_equal(tt_str(ev, "starts_at_local"), "2030-01-01T17:30:00+05:30");
    json_decref(ev);
    assert_int_equal(create_simple("UTC", "2030-01-01T12:00:00Z", 1, NULL, NULL, &ev), 201);
    assert_string_equal(tt_str(ev, "timezone"), "UTC");
    assert_string_equal(tt_str(ev, "starts_at_local"), "2030-01-01T12:00:00+00:00");
    json_decref(ev);

    /* zones that are not in the system zoneinfo: 400 naming the field */
    const char *bad[] = {"Mars/Olympus_Mons", "../../etc/passwd",       "Asia", "",
                         "Asia//Jakarta",     "/usr/share/zoneinfo/UTC"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *err = NULL;
        assert_int_equal(create_simple("bad zone", "2030-01-01T12:00:00Z", 1,
                                       json_pack("{s:s}", "timezone", bad[i]), NULL, &err),
                         400);
        json_t *e = json_object_get(err, "error");
        assert_string_equal(tt_str(e, "code"), "VALIDATION_FAILED");
        assert_non_null(json_object_get(json_object_get(e, "details"), "timezone"));
        json_decref(err);
    }
    assert_int_equal(
        callt("PATCH", path, TT_ADMIN, json_pack("{s:s}", "timezone", "Nowhere/City"), NULL), 400);
    assert_int_equal(callt("PATCH", path, TT_ADMIN, json_pack("{s:i}", "timezone", 7), NULL), 400);
    /* a window that ends after the show or starts after it ends: 400 */
    assert_int_equal(create_simple("bad window", "2030-01-01T12:00:00Z", 1,
                                   json_pack("{s:s}", "sales_end_at", "2030-01-02T00:00:00Z"), NULL,
                                   NULL),
                     400);
    assert_int_equal(create_simple("bad window", "2030-01-01T12:00:00Z", 1,
                                   json_pack("{s:s, s:s}", "sales_start_at", "2029-12-01T00:00:00Z",
                                             "sales_end_at", "2029-11-01T00:00:00Z"),
                                   NULL, NULL),
                     400);
    assert_int_equal(create_simple("bad publish", "2030-01-01T12:00:00Z", 1,
                                   json_pack("{s:s}", "publish", "yes"), NULL, NULL),
                     400);
}

/* The one status rule (SQL event_status) at chosen instants, then the
 * real clock moving one event through SCHEDULED -> ON_SALE -> SALES_CLOSED. */
static void test_status_over_time(void **state)
{
    (void)state;
    char id[37], s[24];
    assert_int_equal(create_simple("windowed", "2030-06-01T12:00:00Z", 2,
                                   json_pack("{s:s, s:s}", "sales_start_at", "2030-05-01T00:00:00Z",
                                             "sales_end_at", "2030-05-31T00:00:00Z"),
                                   id, NULL),
                     201);
    const char *q = "SELECT event_status(e, $2::timestamptz) FROM events e WHERE id = $1";
    struct {
        const char *at, *want;
    } cases[] = {
        {"2030-04-30T23:59:59Z", "SCHEDULED"},    {"2030-05-01T00:00:00Z", "ON_SALE"},
        {"2030-05-30T23:59:59Z", "ON_SALE"},      {"2030-05-31T00:00:00Z", "SALES_CLOSED"},
        {"2030-06-01T12:00:00Z", "SALES_CLOSED"}, {"2031-01-01T00:00:00Z", "SALES_CLOSED"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = tt_q(&S, q, id, cases[i].at);
        assert_non_null(got);
        if (strcmp(got, cases[i].want) != 0)
            fprintf(stderr, "at %s: %s, want %s\n", cases[i].at, got, cases[i].want);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
    assert_string_equal(status_of(id, s), "SCHEDULED"); /* now: 2026 */
    /* no window: on sale until it starts */
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM events e WHERE id = $1 AND "
                               "event_status(e, $2::timestamptz) = 'SALES_CLOSED'",
                               id, "2030-05-31T00:00:00Z"),
                     1);
    tt_q(&S, "UPDATE events SET sales_start_at = NULL, sales_end_at = NULL WHERE id = $1", id,
         NULL);
    char *got = tt_q(&S, q, id, "2030-06-01T11:59:59Z");
    assert_string_equal(got, "ON_SALE");
    free(got);
    got = tt_q(&S, q, id, "2030-06-01T12:00:00Z");
    assert_string_equal(got, "SALES_CLOSED");
    free(got);
    /* a cancelled event is CANCELLED whatever the time; a draft DRAFT */
    tt_q(&S, "UPDATE events SET cancelled_at = now() WHERE id = $1", id, NULL);
    assert_string_equal(status_of(id, s), "CANCELLED");
    tt_q(&S, "UPDATE events SET cancelled_at = NULL, published_at = NULL WHERE id = $1", id, NULL);
    assert_string_equal(status_of(id, s), "DRAFT");

    /* The clock itself: sales open in 1.5 s, close in 3 s, show in 4.5 s. */
    char starts[40], from[40], to[40];
    at(4500, starts);
    at(1500, from);
    at(3000, to);
    assert_int_equal(
        create_simple("soon", starts, 2,
                      json_pack("{s:s, s:s}", "sales_start_at", from, "sales_end_at", to), id,
                      NULL),
        201);
    assert_string_equal(status_of(id, s), "SCHEDULED");
    sleep_ms(2000);
    assert_string_equal(status_of(id, s), "ON_SALE");
    sleep_ms(1500);
    assert_string_equal(status_of(id, s), "SALES_CLOSED");
    sleep_ms(1500);
    assert_string_equal(status_of(id, s), "SALES_CLOSED"); /* started */
    /* and one that started already */
    at(-60000, starts);
    assert_int_equal(create_simple("started", starts, 1, NULL, id, NULL), 201);
    assert_string_equal(status_of(id, s), "SALES_CLOSED");
}

static int list_has(json_t *list, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(list, "items"), i,
                       e) if (strcmp(tt_str(e, "id"), id) == 0) return (int)i +
        1;
    return 0;
}

static json_t *list(const char *when, const char *bearer)
{
    char path[96];
    if (when)
        snprintf(path, sizeof path, "/api/events?limit=500&when=%s", when);
    else
        snprintf(path, sizeof path, "/api/events?limit=500");
    json_t *out = NULL;
    assert_int_equal(tt_call(&S, "GET", path, bearer, NULL, &out), 200);
    return out;
}

static void test_draft_and_publish(void **state)
{
    (void)state;
    char id[37], path[128];
    json_t *ev = NULL;
    assert_int_equal(create_simple("draft", "2030-03-01T12:00:00Z", 3,
                                   json_pack("{s:b}", "publish", 0), id, &ev),
                     201);
    assert_string_equal(tt_str(ev, "status"), "DRAFT");
    assert_true(json_is_null(json_object_get(ev, "published_at")));
    json_decref(ev);
    long st = 0;
    json_decref(get_event(id, NULL, &st));
    assert_int_equal(st, 404); /* anyone */
    json_decref(get_event(id, TT_SERVICE, &st));
    assert_int_equal(st, 404); /* client-app's service token is not an admin */
    json_decref(get_event(id, TT_ADMIN, &st));
    assert_int_equal(st, 200);
    snprintf(path, sizeof path, "/api/events/%s/seats", id);
    assert_int_equal(tt_call(&S, "GET", path, NULL, NULL, NULL), 404);
    assert_int_equal(tt_call(&S, "GET", path, TT_ADMIN, NULL, NULL), 200);
    json_t *l = list("all", NULL);
    assert_false(list_has(l, id));
    json_decref(l);
    l = list("upcoming", NULL);
    assert_false(list_has(l, id));
    json_decref(l);
    l = list("all", TT_ADMIN);
    assert_true(list_has(l, id));
    json_decref(l);

    snprintf(path, sizeof path, "/api/events/%s/publish", id);
    assert_int_equal(tt_call(&S, "POST", path, NULL, NULL, NULL), 401);
    assert_int_equal(tt_call(&S, "POST", path, TT_SERVICE, NULL, NULL), 403);
    assert_int_equal(tt_call(&S, "POST", path, TT_ADMIN, NULL, &ev), 200);
    assert_string_equal(tt_str(ev, "status"), "ON_SALE");
    char published[40];
    snprintf(published, sizeof published, "%s", tt_str(ev, "published_at"));
    assert_true(published[0] != '\0');
    json_decref(ev);
    /* again: the same event, first publication kept */
    assert_int_equal(tt_call(&S, "POST", path, TT_ADMIN, NULL, &ev), 200);
    assert_string_equal(tt_str(ev, "published_at"), published);
    json_decref(ev);
    json_decref(get_event(id, NULL, &st));
    assert_int_equal(st, 200);
    l = list("upcoming", NULL);
    assert_true(list_has(l, id));
    json_decref(l);
    assert_int_equal(tt_call(&S, "POST", "/api/events/00000000-0000-4000-8000-000000000000/publish",
                             TT_ADMIN, NULL, NULL),
                     404);
    /* a cancelled event is not published again */
    tt_q(&S, "UPDATE events SET cancelled_at = now(), published_at = NULL WHERE id = $1", id, NULL);
    json_t *err = NULL;
    assert_int_equal(tt_call(&S, "POST", path, TT_ADMIN, NULL, &err), 409);
    assert_string_equal(tt_str(json_object_get(err, "error"), "code"), "EVENT_CANCELLED");
    json_decref(err);
    /* PATCH does not publish */
    snprintf(path, sizeof path, "/api/events/%s", id);
    assert_int_equal(callt("PATCH", path, TT_ADMIN, json_pack("{s:b}", "publish", 1), NULL), 400);
}

static void test_lists(void **state)
{
    (void)state;
    char later[37], sooner[37], past[37], seatless[37], cancelled[37], starts[40];
    at(2 * 86400000LL, starts);
    assert_int_equal(create_simple("later", starts, 1, NULL, later, NULL), 201);
    at(86400000LL, starts);
    assert_int_equal(create_simple("sooner", starts, 1, NULL, sooner, NULL), 201);
    at(-86400000LL, starts);
    assert_int_equal(create_simple("past", starts, 1, NULL, past, NULL), 201);
    at(3 * 86400000LL, starts);
    assert_int_equal(create_simple("seatless", starts, 0, NULL, seatless, NULL), 201);
    at(4 * 86400000LL, starts);
    assert_int_equal(create_simple("cancelled", starts, 1, NULL, cancelled, NULL), 201);
    tt_q(&S, "UPDATE events SET cancelled_at = now() WHERE id = $1", cancelled, NULL);

    json_t *l = list("upcoming", NULL);
    int a = list_has(l, sooner), b = list_has(l, later);
    assert_true(a && b && a < b); /* soonest first */
    assert_false(list_has(l, past));
    assert_false(list_has(l, seatless)); /* nothing to sell */
    assert_false(list_has(l, cancelled));
    /* every item upcoming, in order */
    size_t i;
    json_t *e;
    const char *prev = "";
    json_array_foreach(json_object_get(l, "items"), i, e)
    {
        assert_true(strcmp(tt_str(e, "starts_at"), prev) >= 0);
        prev = tt_str(e, "starts_at");
        assert_string_not_equal(tt_str(e, "status"), "CANCELLED");
        assert_string_not_equal(tt_str(e, "status"), "DRAFT");
    }
    assert_int_equal(json_integer_value(json_object_get(l, "total")),
                     json_array_size(json_object_get(l, "items")));
    json_decref(l);

    l = list("past", NULL);
    assert_true(list_has(l, past));
    assert_false(list_has(l, sooner));
    json_decref(l);

    l = list("all", NULL);
    a = list_has(l, past);
    b = list_has(l, sooner);
    assert_true(a && b && a < b);
    assert_true(list_has(l, seatless) && list_has(l, cancelled) && list_has(l, later));
    json_decref(l);
    l = list(NULL, NULL); /* ticket-app's default: all */
    assert_true(list_has(l, past));
    json_decref(l);

    /* paging keeps the filter: total counts the filtered list */
    json_t *one = NULL;
    assert_int_equal(
        tt_call(&S, "GET", "/api/events?when=upcoming&limit=1&offset=100000", NULL, NULL, &one),
        200);
    l = list("upcoming", NULL);
    assert_int_equal(json_integer_value(json_object_get(one, "total")),
                     json_integer_value(json_object_get(l, "total")));
    json_decref(l);
    json_decref(one);
    assert_int_equal(tt_call(&S, "GET", "/api/events?when=tomorrow", NULL, NULL, NULL), 400);
}

/* Pays booking b's invoice and waits for CONFIRMED and its ticket. */
static void book_and_pay(const char *ev, const char *seat, const char *user, char b[37])
{
    tt_uuid(b);
    const char *seats[] = {seat};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, user, ev, seats, 1, &out), 201);
    assert_int_equal(tt_pay(&S, tt_str(out, "invoice_number")), 202);
    json_decref(out);
    assert_int_equal(tt_wait_status(&S, b, "CONFIRMED", 15000), 0);
    assert_true(notes_wait(&S.notes, b, "booking.confirmed", 15000, NULL));
}

static void test_postponement(void **state)
{
    (void)state;
    char ev[37], starts[40], paid[37], pending[37], path[128];
    json_t *e = NULL;
    at(10 * 86400000LL, starts);
    assert_int_equal(create_simple("postponed", starts, 3,
                                   json_pack("{s:s}", "timezone", "Europe/Berlin"), ev, &e),
                     201);
    json_decref(e);
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    json_t *seats = NULL;
    assert_int_equal(tt_call(&S, "GET", path, NULL, NULL, &seats), 200);
    json_t *items = json_object_get(seats, "items");
    book_and_pay(ev, tt_str(json_array_get(items, 0), "id"), "user-paid", paid);
    tt_uuid(pending);
    const char *s1[] = {tt_str(json_array_get(items, 1), "id")};
    assert_int_equal(tt_book(&S, pending, "user-pending", ev, s1, 1, NULL), 201);
    long v_paid = tt_q_long(&S, "SELECT version FROM bookings WHERE id = $1", paid, NULL);
    char *rendered =
        tt_q(&S, "SELECT rendered_at::text FROM booking_tickets WHERE booking_id = $1", paid, NULL);
    assert_non_null(rendered);
    size_t confirmed_before = notes_count(&S.notes, paid, "booking.confirmed");

    /* the currency still cannot change under live bookings */
    snprintf(path, sizeof path, "/api/events/%s", ev);
    assert_int_equal(callt("PATCH", path, TT_ADMIN, json_pack("{s:s}", "currency", "USD"), NULL),
                     409);
    /* a rename tells nobody */
    assert_int_equal(
        callt("PATCH", path, TT_ADMIN, json_pack("{s:s}", "name", "Postponed show"), NULL), 200);
    /* the postponement: a week later */
    at(17 * 86400000LL, starts);
    assert_int_equal(callt("PATCH", path, TT_ADMIN, json_pack("{s:s}", "starts_at", starts), &e),
                     200);
    char local[40];
    snprintf(local, sizeof local, "%s", tt_str(e, "starts_at_local"));
    json_decref(e);

    /* both holders hear of it */
    struct note n;
    assert_true(notes_wait(&S.notes, paid, "event.changed", 15000, &n));
    assert_int_equal(n.version, v_paid);
    assert_true(notes_wait(&S.notes, pending, "event.changed", 15000, NULL));
    assert_int_equal(notes_count(&S.notes, paid, "event.changed"), 1);
    /* the payload names the event as it is now */
    char *payload = tt_q(
        &S,
        "SELECT payload::jsonb->'data'->'event'->>'starts_at_local' FROM outbox "
        "WHERE topic = 'event.changed' AND payload::jsonb->'data'->'booking'->>'booking_id' = $1",
        paid, NULL);
    assert_non_null(payload);
    assert_string_equal(payload, local);
    free(payload);
    /* the paid ticket is rendered again and delivered with a new version */
    for (int i = 0; i < 150 && notes_count(&S.notes, paid, "booking.confirmed") <= confirmed_before;
         i++)
        sleep_ms(100);
    assert_int_equal(notes_count(&S.notes, paid, "booking.confirmed"), confirmed_before + 1);
    assert_int_equal(tt_q_long(&S, "SELECT version FROM bookings WHERE id = $1", paid, NULL),
                     v_paid + 1);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM booking_tickets WHERE booking_id = $1 "
                               "AND rendered_at > $2::timestamptz",
                               paid, rendered),
                     1);
    free(rendered);
    /* the pending one is not rendered, nor its version moved */
    assert_int_equal(notes_count(&S.notes, pending, "booking.confirmed"), 0);
    json_decref(seats);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timezone_and_local_time),
        cmocka_unit_test(test_status_over_time),
        cmocka_unit_test(test_draft_and_publish),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_postponement),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
