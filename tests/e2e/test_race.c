/* test_race.c: a small flash sale through the whole suite: 1,000 users with
 * sessions ask client-app for the 100 seats of one event, each user once,
 * ten per seat in a shuffled order, 300 connections at once (the engine of
 * the benchmark, bench/load.c). Exactly 100 are sold, every other user gets
 * 409 SEAT_UNAVAILABLE, nothing answers 5xx or times out, and the three
 * services agree: each held seat has one live booking, which has one
 * invoice, and every attempt is in client-app's history. client-app, the
 * daemon under test, is read in its database (and seeded there with its
 * users); ticket-app and payment-app through their APIs only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "load.h"
#include "test_suite.h"

#define ADMIN_TOKEN TS_ADMIN_TOKEN
#define NSEATS 100
#define NUSERS 1000
#define CONC 300
#define TOKEN_PREFIX "beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0"

static struct test_suite suite;

/* Users 0..999 with a session each: token = TOKEN_PREFIX + n in 16 digits
 * (client-app stores only its SHA-256), one shared password hash. */
static const char seed_users_sql[] =
    "INSERT INTO users (id, username, email, password_hash, role) "
    "SELECT ('0000beef-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'racer' || n, "
    "       'racer' || n || '@example.com', "
    "       '$argon2id$v=19$m=12288,t=3,p=1$tO6XbMkbnVwO12y8UvWgkA$Ziymdxg1dHU4rNaCjjR44Z/"
    "fmpc+dba2t/+HLxX1qY4', 'user' "
    "  FROM generate_series(0, 999) AS n;"
    "INSERT INTO sessions (token_hash, user_id, expires_at) "
    "SELECT encode(sha256(convert_to(repeat('beb0', 12) || lpad(n::text, 16, '0'), 'UTF8')), "
    "              'hex'), "
    "       ('0000beef-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, "
    "       now() + interval '1 hour' "
    "  FROM generate_series(0, 999) AS n";

/* The daemons' own sizes (8 connections, 8 workers), quiet logs. */
static const char *const race_env[] = {"LOG_LEVEL=warn", "DB_POOL_SIZE=8", "HTTP_WORKERS=8", NULL};
static const char *const race_client_env[] = {"LOG_LEVEL=warn", "DB_POOL_SIZE=8", "HTTP_WORKERS=8",
                                              "MAINTENANCE_INTERVAL_MS=30000", NULL};

static int start_suite(void)
{
    const struct test_suite_opts o = {.name = "e2e_race",
                                      TEST_SUITE_BINARIES,
                                      .client_env = race_client_env,
                                      .ticket_env = race_env,
                                      .pay_env = race_env};
    if (test_suite_start(&suite, &o) != 0)
        return -1;
    /* client-app applied its migrations before answering /healthz */
    return test_db_exec(suite.client_db, seed_users_sql);
}

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    return start_suite();
}

static int teardown(void **state)
{
    (void)state;
    test_suite_stop(&suite);
    return 0;
}

/* ---- the race ---- */

struct race {
    const char *url;
    char event_id[37];
    char seat_ids[NSEATS][37];
    long order[NUSERS];
    long next;
    long s201, s409, s4xx, s5xx, other, timeouts, failures;
};

static int race_next(void *ctx, int slot, struct load_item *it, double now_ms)
{
    struct race *r = ctx;
    (void)slot;
    (void)now_ms;
    if (r->next >= NUSERS)
        return -1;
    long user = r->order[r->next++];
    snprintf(it->method, sizeof it->method, "POST");
    snprintf(it->url, sizeof it->url, "%s/api/bookings", r->url);
    snprintf(it->auth, sizeof it->auth, "Authorization: Bearer %s%016ld", TOKEN_PREFIX, user);
    json_t *b =
        json_pack("{s:s, s:[s]}", "event_id", r->event_id, "seat_ids", r->seat_ids[user % NSEATS]);
    it->body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return 1;
}

static void race_done(void *ctx, struct load_item *it)
{
    struct race *r = ctx;
    if (it->failed) {
        r->failures++;
        r->timeouts += it->timed_out;
    } else if (it->status == 201) {
        r->s201++;
    } else if (it->status == 409) {
        r->s409++;
    } else if (it->status >= 500) {
        r->s5xx++;
    } else if (it->status >= 400) {
        r->s4xx++;
    } else {
        r->other++;
    }
}

/* The first column of the first row of sql at uri, as a number (-1 on
 * error). */
static long scalar(const char *uri, const char *sql)
{
    int ok = 1;
    char *v = test_db_scalar(uri, sql, &ok);
    long n = ok && v ? atol(v) : -1;
    free(v);
    return n;
}

static char *text(const char *uri, const char *sql)
{
    int ok = 1;
    char *v = test_db_scalar(uri, sql, &ok);
    assert_true(ok);
    return v ? v : strdup("");
}

/* GET base + path (printf-formatted with arg) with an optional bearer:
 * asserts 200 and returns the JSON answer (new reference). */
static json_t *api_get(const char *base, const char *fmt, const char *bearer, const char *arg)
{
    char path[256], url[512];
    snprintf(path, sizeof path, fmt, arg);
    snprintf(url, sizeof url, "%s%s", base, path);
    json_t *out = NULL;
    long st = test_http_json("GET", url, bearer, NULL, &out);
    if (st != 200)
        fail_msg("GET %s answered %ld", url, st);
    assert_non_null(out);
    return out;
}

/* The integer member key of o, 0 when absent. */
static long count_of(const json_t *o, const char *key)
{
    return (long)json_integer_value(json_object_get(o, key));
}

static void create_event(struct race *r)
{
    json_t *body = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:[{s:s, s:[s,s,s,s,s,s,s,s,s,s], s:i, s:i}]}}", "name",
        "Race night", "venue", "Hall", "starts_at", "2031-05-01T19:00:00Z", "description",
        "flash sale", "currency", "IDR", "layout", "sections", "name", "Floor", "rows", "A", "B",
        "C", "D", "E", "F", "G", "H", "I", "J", "seats_per_row", 10, "price", 50000);
    char url[128];
    json_t *out = NULL;
    snprintf(url, sizeof url, "%s/api/events", suite.ticket.base_url);
    assert_int_equal(test_http_json("POST", url, ADMIN_TOKEN, body, &out), 201);
    json_decref(body);
    snprintf(r->event_id, sizeof r->event_id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);

    snprintf(url, sizeof url, "%s/api/events/%s/seats", suite.ticket.base_url, r->event_id);
    assert_int_equal(test_http_json("GET", url, NULL, NULL, &out), 200);
    json_t *items = json_object_get(out, "items");
    assert_int_equal(json_array_size(items), NSEATS);
    for (size_t i = 0; i < NSEATS; i++)
        snprintf(r->seat_ids[i], sizeof r->seat_ids[i], "%s",
                 json_string_value(json_object_get(json_array_get(items, i), "id")));
    json_decref(out);
}

static void test_flash_sale(void **state)
{
    (void)state;
    static struct race r;
    memset(&r, 0, sizeof r);
    r.url = suite.client.base_url;
    create_event(&r);

    /* each seat has NUSERS / NSEATS contenders, arriving shuffled */
    for (long i = 0; i < NUSERS; i++)
        r.order[i] = i;
    unsigned long long x = 0x9E3779B97F4A7C15ULL;
    for (long i = NUSERS - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        long j = (long)(x % (unsigned long long)(i + 1)), t = r.order[i];
        r.order[i] = r.order[j];
        r.order[j] = t;
    }
    struct load_cfg cfg = {.conc = CONC, .timeout_ms = 60000};
    struct load_ops ops = {race_next, race_done};
    double ms = load_run(&cfg, &ops, &r);
    print_message("race: %ld users, %d connections, %.0f ms: 201=%ld 409=%ld 4xx=%ld 5xx=%ld "
                  "other=%ld failures=%ld (timeouts %ld)\n",
                  r.next, CONC, ms, r.s201, r.s409, r.s4xx, r.s5xx, r.other, r.failures,
                  r.timeouts);
    assert_true(ms >= 0);
    assert_int_equal(r.s201, NSEATS);
    assert_int_equal(r.s409, NUSERS - NSEATS);
    assert_int_equal(r.s4xx + r.s5xx + r.other + r.failures, 0);

    /* ticket-app, through its API: each seat held once, by a live booking
     * that asked for it; payment-app, through its API: one invoice for each
     * live booking, and no other. The live bookings are client-app's (the
     * daemon under test: its database is read), by the same ids. */
    json_t *seats = api_get(suite.T, "/api/events/%s/seats", NULL, r.event_id);
    json_t *on_going = json_object();
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(seats, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "status")), "ON_GOING") == 0)
            json_object_set_new(on_going, json_string_value(json_object_get(it, "id")),
                                json_null());
    }
    json_decref(seats);
    assert_int_equal(json_object_size(on_going), NSEATS);
    json_t *stats = api_get(suite.T, "/api/events/%s/stats", ADMIN_TOKEN, r.event_id);
    json_t *by_status = json_object_get(stats, "bookings");
    assert_int_equal(count_of(by_status, "PENDING_PAYMENT"), NSEATS);
    /* every refusal decided once: by ticket-app (stored there too), or by
     * client-app for a seat it had just been told was taken */
    long at_ticket = count_of(by_status, "FAILED");
    long by_hint = scalar(suite.client_db, "SELECT count(*) FROM booking_events WHERE status = "
                                           "'FAILED' AND source = 'client-app'");
    print_message("refused by ticket-app %ld, by client-app's taken-seat hint %ld\n", at_ticket,
                  by_hint);
    assert_int_equal(at_ticket + by_hint, NUSERS - NSEATS);
    long all = 0;
    const char *key;
    json_t *n;
    json_object_foreach(by_status, key, n) all += (long)json_integer_value(n);
    assert_int_equal(all, NSEATS + at_ticket);
    json_decref(stats);

    json_t *invoices =
        api_get(suite.P, "/api/invoices?status=PENDING&limit=500", TS_PAY_TOKEN, NULL);
    assert_int_equal(json_integer_value(json_object_get(invoices, "total")), NSEATS);
    json_t *invoice_of = json_object(); /* booking id -> invoice number */
    json_array_foreach(json_object_get(invoices, "items"), i, it)
        json_object_set(invoice_of, json_string_value(json_object_get(it, "booking_id")),
                        json_object_get(it, "invoice_number"));
    json_decref(invoices);
    assert_int_equal(json_object_size(invoice_of), NSEATS);
    invoices = api_get(suite.P, "/api/invoices?limit=1", TS_PAY_TOKEN, NULL);
    assert_int_equal(json_integer_value(json_object_get(invoices, "total")), NSEATS);
    json_decref(invoices);

    char *live = text(suite.client_db, "SELECT string_agg(id::text, ',' ORDER BY id) FROM bookings "
                                       "WHERE status = 'PENDING_PAYMENT'");
    long checked = 0;
    for (char *save = NULL, *id = strtok_r(live, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        json_t *b = api_get(suite.T, "/api/bookings/%s", ADMIN_TOKEN, id);
        assert_string_equal(json_string_value(json_object_get(b, "status")), "PENDING_PAYMENT");
        json_t *held = json_object_get(b, "seats");
        assert_int_equal(json_array_size(held), 1);
        const char *seat = json_string_value(json_object_get(json_array_get(held, 0), "id"));
        assert_non_null(json_object_get(on_going, seat)); /* held, and by this booking only */
        json_object_del(on_going, seat);
        const char *inv = json_string_value(json_object_get(b, "invoice_number"));
        assert_non_null(inv);
        assert_string_equal(inv, json_string_value(json_object_get(invoice_of, id)));
        json_decref(b);
        checked++;
    }
    free(live);
    assert_int_equal(checked, NSEATS);
    assert_int_equal(json_object_size(on_going), 0);
    json_decref(on_going);
    json_decref(invoice_of);
    /* client-app: every attempt in the history, the held ones by distinct users */
    assert_int_equal(
        scalar(suite.client_db, "SELECT count(*) FROM bookings WHERE status = 'PENDING_PAYMENT'"),
        NSEATS);
    assert_int_equal(scalar(suite.client_db, "SELECT count(DISTINCT user_id) FROM bookings "
                                             "WHERE status = 'PENDING_PAYMENT'"),
                     NSEATS);
    assert_int_equal(scalar(suite.client_db,
                            "SELECT count(*) FROM bookings WHERE status = 'FAILED' "
                            "AND failure_reason = 'SEAT_UNAVAILABLE'"),
                     NUSERS - NSEATS);
    assert_int_equal(scalar(suite.client_db, "SELECT count(*) FROM bookings"), NUSERS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flash_sale),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
