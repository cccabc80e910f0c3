/* test_http_race.c: concurrency of the hold against a real ticket-app:
 * 200 threads racing for one seat (exactly one hold), then overlapping
 * multi-seat requests (each all or none, no seat held twice), checked in
 * the database. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ticket_testlib.h"

static struct suite S;

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    const char *tenv[] = {"HTTP_WORKERS=8", "DB_POOL_SIZE=8", NULL};
    return suite_start(&S, NULL, tenv);
}

static int teardown(void **state)
{
    (void)state;
    suite_stop(&S);
    return 0;
}

struct attempt {
    const char *event_id;
    const char *seats[3];
    size_t n;
    char booking_id[37];
    long status;
};

static pthread_barrier_t gate;

static void *run(void *arg)
{
    struct attempt *a = arg;
    pthread_barrier_wait(&gate);
    a->status = tt_book(&S, a->booking_id, "racer", a->event_id, a->seats, a->n, NULL);
    return NULL;
}

static void race(struct attempt *as, int n)
{
    pthread_t *th = calloc((size_t)n, sizeof *th);
    pthread_barrier_init(&gate, NULL, (unsigned)n);
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_create(&th[i], NULL, run, &as[i]), 0);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&gate);
    free(th);
}

static void test_one_seat_200_threads(void **state)
{
    (void)state;
    char ev[37];
    json_t *seats = tt_create_event(
        &S, "[{\"name\":\"Front\",\"rows\":[\"A\"],\"seats_per_row\":1,\"price\":100}]", ev);
    assert_non_null(seats);
    enum { N = 200 };
    static struct attempt as[N];
    for (int i = 0; i < N; i++) {
        as[i] = (struct attempt){.event_id = ev, .n = 1};
        as[i].seats[0] = tt_str(json_array_get(seats, 0), "id");
        tt_uuid(as[i].booking_id);
    }
    race(as, N);
    int created = 0, conflict = 0, other = 0;
    const char *winner = NULL;
    for (int i = 0; i < N; i++) {
        if (as[i].status == 201) {
            created++;
            winner = as[i].booking_id;
        } else if (as[i].status == 409) {
            conflict++;
        } else {
            other++;
            fprintf(stderr, "attempt %d: %ld\n", i, as[i].status);
        }
    }
    fprintf(stderr, "200 racers: %d held, %d SEAT_UNAVAILABLE, %d other\n", created, conflict,
            other);
    assert_int_equal(created, 1);
    assert_int_equal(conflict, N - 1);
    /* Every attempt recorded; the seat held by the winner only. */
    assert_int_equal(tt_q_long(&S, "SELECT count(*) FROM bookings WHERE event_id = $1", ev, NULL),
                     N);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM bookings WHERE event_id = $1 "
                               "AND status = 'FAILED' AND failure_reason = 'SEAT_UNAVAILABLE'",
                               ev, NULL),
                     N - 1);
    char *holder = tt_q(&S,
                        "SELECT booking_id::text FROM seats WHERE event_id = $1 "
                        "AND status = 'ON_GOING'",
                        ev, NULL);
    assert_non_null(holder);
    assert_string_equal(holder, winner);
    free(holder);
    json_decref(seats);
}

static void test_overlapping_multi_seat(void **state)
{
    (void)state;
    char ev[37];
    json_t *seats = tt_create_event(&S,
                                    "[{\"name\":\"Floor\",\"rows\":[\"A\",\"B\",\"C\",\"D\"],"
                                    "\"seats_per_row\":6,\"price\":100}]",
                                    ev);
    assert_non_null(seats);
    enum { N = 60, NS = 24 };
    static struct attempt as[N];
    for (int i = 0; i < N; i++) {
        as[i] = (struct attempt){.event_id = ev, .n = 3};
        /* Windows over the seat list in both orders, so requests overlap
         * and ask for the same seats in different orders. */
        for (int k = 0; k < 3; k++) {
            int idx = (i * 5 + (i % 2 ? 2 - k : k) * (1 + i % 3)) % NS;
            as[i].seats[k] = tt_str(json_array_get(seats, (size_t)idx), "id");
        }
        if (strcmp(as[i].seats[0], as[i].seats[1]) == 0 ||
            strcmp(as[i].seats[0], as[i].seats[2]) == 0 ||
            strcmp(as[i].seats[1], as[i].seats[2]) == 0)
            as[i].n = 1; /* keep requests valid (no duplicates) */
        tt_uuid(as[i].booking_id);
    }
    race(as, N);
    int created = 0, conflict = 0;
    for (int i = 0; i < N; i++) {
        if (as[i].status == 201)
            created++;
        else if (as[i].status == 409)
            conflict++;
        else
            fail_msg("attempt %d answered %ld", i, as[i].status);
    }
    fprintf(stderr, "%d overlapping requests: %d held, %d SEAT_UNAVAILABLE\n", N, created,
            conflict);
    assert_true(created >= 1);
    /* All or none: a pending booking holds exactly its seats, a failed one
     * none, and the held seats are exactly the pending bookings' seats. */
    assert_int_equal(
        tt_q_long(&S,
                  "SELECT count(*) FROM bookings b WHERE b.event_id = $1 "
                  "AND b.status = 'PENDING_PAYMENT' AND b.seat_count <> "
                  "(SELECT count(*) FROM seats s WHERE s.booking_id = b.id AND s.status = "
                  "'ON_GOING')",
                  ev, NULL),
        0);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM seats s JOIN bookings b ON b.id = "
                               "s.booking_id WHERE s.event_id = $1 AND b.status <> "
                               "'PENDING_PAYMENT'",
                               ev, NULL),
                     0);
    assert_int_equal(tt_q_long(&S,
                               "SELECT (SELECT count(*) FROM seats WHERE event_id = $1 AND "
                               "status = 'ON_GOING') - (SELECT COALESCE(sum(seat_count), 0) "
                               "FROM bookings WHERE event_id = $1 AND status = "
                               "'PENDING_PAYMENT')",
                               ev, NULL),
                     0);
    assert_int_equal(tt_q_long(&S, "SELECT count(*) FROM bookings WHERE event_id = $1", ev, NULL),
                     N);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM bookings WHERE event_id = $1 AND status = "
                               "'PENDING_PAYMENT'",
                               ev, NULL),
                     created);
    json_decref(seats);
}

/* A slow organizer (1 s per hold) does not serialise bookings: eight of
 * them in flight at once finish together, not one after the other. */
static void test_bookings_in_flight_in_parallel(void **state)
{
    (void)state;
    const char *tenv[] = {"ORGANIZER_LATENCY_MS=1000", "HTTP_WORKERS=16", NULL};
    assert_int_equal(suite_restart_ticket(&S, tenv), 0);
    char ev[37];
    json_t *seats = tt_create_event(
        &S, "[{\"name\":\"Box\",\"rows\":[\"K\"],\"seats_per_row\":8,\"price\":100}]", ev);
    assert_non_null(seats);
    enum { N = 8 };
    static struct attempt as[N];
    for (int i = 0; i < N; i++) {
        as[i] = (struct attempt){.event_id = ev, .n = 1};
        as[i].seats[0] = tt_str(json_array_get(seats, (size_t)i), "id");
        tt_uuid(as[i].booking_id);
    }
    int64_t t0 = now_ms();
    race(as, N);
    int64_t took = now_ms() - t0;
    fprintf(stderr, "%d bookings with a 1 s organizer took %lld ms\n", N, (long long)took);
    for (int i = 0; i < N; i++)
        assert_int_equal(as[i].status, 201);
    assert_true(took < 4000); /* serially it would be 8 s and more */
    /* Their invoices, attached together or not, each on its own booking,
     * with the organizer's acceptance. */
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(DISTINCT invoice_number) FROM bookings "
                               "WHERE event_id = $1 AND status = 'PENDING_PAYMENT' AND "
                               "organizer_held_at IS NOT NULL AND version = 2",
                               ev, NULL),
                     N);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM bookings b JOIN booking_seats s ON "
                               "s.booking_id = b.id WHERE b.event_id = $1 AND "
                               "b.invoice_number IS NULL",
                               ev, NULL),
                     0);
    json_decref(seats);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_seat_200_threads),
        cmocka_unit_test(test_overlapping_multi_seat),
        cmocka_unit_test(test_bookings_in_flight_in_parallel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
