/* test_http_webhook_retry.c: webhooks survive a receiver that is down
 * (connection refused), then answers 500, then 200: every event ends
 * acknowledged exactly once, every copy in transit carries the same id and
 * body, every attempt is in the delivery log (with the error), and the
 * delivery API shows it. */
#include <string.h>

#include "common/util.h"
#include "payment_testlib.h"

#define N_INVOICES 20
#define DOWN_MS 1500 /* nobody listening */
#define FAIL_MS 3000 /* then 500s */

int main(void)
{
    test_require_pg();
    char db[512];
    struct receiver hooks;
    struct test_daemon d;
    CHECK(pt_db_create("payment_retry", db, sizeof db) == 0);
    receiver_prepare(&hooks, 0); /* the URL exists, the port is closed */
    const char *extra[] = {"PAYMENT_FAILURE_RATE=0.1", "WEBHOOK_RETRY_BASE_MS=200",
                           "WEBHOOK_RETRY_MAX_MS=1500", "WEBHOOK_TIMEOUT_MS=1000", NULL};
    CHECK(pt_start(&d, "payment-app-retry", db, hooks.rx.url, extra) == 0);

    int64_t t0 = now_ms();
    for (int i = 0; i < N_INVOICES; i++) {
        char booking[37];
        pt_uuid(booking);
        json_t *inv = NULL, *out = NULL;
        CHECK_STATUS(pt_create_invoice(d.base_url, booking, 5000, "IDR", 600000, "retry", &inv),
                     201);
        CHECK_STATUS(pt_pay(d.base_url, json_str(inv, "invoice_number"), "card", &out), 202);
        json_decref(inv);
        json_decref(out);
    }
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM invoices WHERE status IN ('PAID', 'FAILED')", "20",
                      20000) == 0);
    long elapsed = (long)(now_ms() - t0);
    if (elapsed < DOWN_MS)
        sleep_ms(DOWN_MS - elapsed);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL") == 0);
    long refused = pt_sql_long(db, "SELECT count(*) FROM outbox_attempts WHERE status IS NULL");
    CHECK(refused >= N_INVOICES); /* each event tried at least once while down */

    /* up, but failing */
    CHECK(receiver_start(&hooks, hooks.rx.port) == 0);
    receiver_fail_for(&hooks, FAIL_MS, 500);
    int64_t recovered_at = now_ms() + FAIL_MS;
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL", "0", 60000) ==
          0);
    long delivered_after = (long)(now_ms() - recovered_at);

    /* exactly once acknowledged; every copy of an id has the same body */
    size_t distinct;
    int max_acks;
    receiver_ack_stats(&hooks, &distinct, &max_acks);
    CHECK(distinct == N_INVOICES && max_acks == 1);
    CHECK(receiver_bad_sigs(&hooks) == 0);
    size_t fails = 0;
    pthread_mutex_lock(&hooks.lock);
    for (size_t i = 0; i < hooks.n; i++) {
        if (hooks.hits[i].answered == 500)
            fails++;
        for (size_t j = 0; j < i; j++)
            if (strcmp(hooks.hits[i].id, hooks.hits[j].id) == 0)
                CHECK(strcmp(hooks.hits[i].body, hooks.hits[j].body) == 0);
    }
    size_t hits = hooks.n;
    pthread_mutex_unlock(&hooks.lock);
    CHECK(fails >= N_INVOICES); /* each event met a 500 at least once */

    /* every attempt is logged: the counter matches the log, the log matches
     * what the receiver saw (refused attempts never reached it) */
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox o WHERE attempts <> (SELECT count(*) FROM "
                          "outbox_attempts a WHERE a.event_id = o.id)") == 0);
    long logged = pt_sql_long(db, "SELECT count(*) FROM outbox_attempts");
    long logged_http = pt_sql_long(db, "SELECT count(*) FROM outbox_attempts WHERE status IS NOT "
                                       "NULL");
    long logged_500 = pt_sql_long(db, "SELECT count(*) FROM outbox_attempts WHERE status = 500");
    long max_attempts = pt_sql_long(db, "SELECT max(attempts) FROM outbox");
    refused = logged - logged_http;
    long min_attempts = pt_sql_long(db, "SELECT min(attempts) FROM outbox");
    CHECK(logged_http == (long)hits);
    CHECK(logged_500 == (long)fails);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox_attempts WHERE status IS NULL AND "
                          "(error IS NULL OR error = '')") == 0);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox_attempts WHERE status = 500 AND error NOT "
                          "LIKE 'HTTP 500%'") == 0);
    printf("events=%d attempts=%ld (refused=%ld, HTTP 500=%ld, 2xx=%d) per event min=%ld "
           "max=%ld; receiver hits=%zu; all delivered %ld ms after the receiver recovered\n",
           N_INVOICES, logged, refused, logged_500, N_INVOICES, min_attempts, max_attempts, hits,
           delivered_after);

    /* the retries back off: the last gap before success is longer than the
     * first one for the busiest event (base 200 ms, cap 1500 ms) */
    char *gaps = test_db_scalar(
        db,
        "SELECT string_agg(g::text, ',' ORDER BY id) FROM (SELECT a.id, (extract(epoch FROM "
        "a.attempted_at - lag(a.attempted_at) OVER (ORDER BY a.id)) * 1000)::int AS g FROM "
        "outbox_attempts a WHERE a.event_id = (SELECT id FROM outbox ORDER BY attempts DESC, id "
        "LIMIT 1)) x WHERE g IS NOT NULL",
        NULL);
    printf("gaps between attempts of the busiest event (ms): %s\n", gaps ? gaps : "-");
    free(gaps);

    /* the delivery API shows the whole history of one event */
    char *id = test_db_scalar(db, "SELECT id FROM outbox ORDER BY attempts DESC, id LIMIT 1", NULL);
    CHECK(id != NULL);
    char url[300];
    snprintf(url, sizeof url, "%s/api/webhook-deliveries/%s", d.base_url, id);
    json_t *dl = NULL;
    CHECK_STATUS(test_http_json("GET", url, PT_TOKEN, NULL, &dl), 200);
    json_t *log = json_object_get(dl, "attempt_log");
    CHECK((long)json_array_size(log) == max_attempts);
    CHECK(json_is_null(json_object_get(json_array_get(log, 0), "status"))); /* refused */
    CHECK(json_str(json_array_get(log, 0), "error") != NULL);
    CHECK(json_integer_value(
              json_object_get(json_array_get(log, json_array_size(log) - 1), "status")) == 204);
    CHECK(json_str(dl, "delivered_at") != NULL);
    json_decref(dl);
    free(id);

    CHECK(pt_stop(&d) == 0);
    receiver_stop(&hooks);
    printf("payment_http_webhook_retry: passed\n");
    return 0;
}
