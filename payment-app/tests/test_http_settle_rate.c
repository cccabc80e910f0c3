/* test_http_settle_rate.c: 300 invoices paid with PAYMENT_FAILURE_RATE=0.1
 * and PAYMENT_DELAY_MS=0: the observed failure fraction is within tolerance,
 * every invoice is settled once with exactly one paid/failed event that
 * matches its status, and the receiver acknowledges each event once. */
#include <string.h>

#include "common/util.h"
#include "payment_testlib.h"

#define N_INVOICES 300
#define RATE_MIN 0.05
#define RATE_MAX 0.16

int main(void)
{
    test_require_pg();
    char db[512];
    struct receiver hooks;
    struct test_daemon d;
    CHECK(pt_db_create("payment_rate", db, sizeof db) == 0);
    CHECK(receiver_start(&hooks, 0) == 0);
    /* A fixed seed makes the run repeatable: the draws are consumed in one
     * sequence whichever worker takes which invoice. PAYMENT_RATE_SEED
     * overrides it for exploring. */
    char seed[64];
    const char *s = getenv("PAYMENT_RATE_SEED");
    snprintf(seed, sizeof seed, "PAYMENT_SEED=%s", s ? s : "42");
    const char *extra[] = {"PAYMENT_FAILURE_RATE=0.1", "PAYMENT_DELAY_MS=0", seed,
                           "PAYMENT_WORKERS=2",        "LOG_LEVEL=warn",     NULL};
    CHECK(pt_start(&d, "payment-app-rate", db, hooks.rx.url, extra) == 0);

    const char *methods[] = {"card", "bank_transfer", "ewallet"};
    int64_t t0 = now_ms();
    for (int i = 0; i < N_INVOICES; i++) {
        char booking[37];
        pt_uuid(booking);
        json_t *inv = NULL, *out = NULL;
        CHECK_STATUS(pt_create_invoice(d.base_url, booking, 10000 + i, "IDR", 600000, "rate", &inv),
                     201);
        CHECK_STATUS(pt_pay(d.base_url, json_str(inv, "invoice_number"), methods[i % 3], &out),
                     202);
        json_decref(inv);
        json_decref(out);
    }
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM invoices WHERE status IN ('PAID', 'FAILED')", "300",
                      60000) == 0);
    int64_t settled_ms = now_ms() - t0;

    long failed = pt_sql_long(db, "SELECT count(*) FROM invoices WHERE status = 'FAILED'");
    long paid = pt_sql_long(db, "SELECT count(*) FROM invoices WHERE status = 'PAID'");
    double frac = (double)failed / N_INVOICES;
    printf("settled %d invoices in %lld ms: paid=%ld failed=%ld failure fraction=%.3f "
           "(tolerance %.2f..%.2f)\n",
           N_INVOICES, (long long)settled_ms, paid, failed, frac, RATE_MIN, RATE_MAX);
    CHECK(paid + failed == N_INVOICES);
    CHECK(frac >= RATE_MIN && frac <= RATE_MAX);

    /* every failure has a reason, no success has one */
    CHECK(pt_sql_long(db, "SELECT count(*) FROM invoices WHERE (status = 'FAILED') <> "
                          "(failure_reason IS NOT NULL)") == 0);
    char *reasons = test_db_scalar(db,
                                   "SELECT string_agg(failure_reason || '=' || n, ' ' ORDER BY "
                                   "failure_reason) FROM (SELECT failure_reason, count(*) n FROM "
                                   "invoices WHERE status = 'FAILED' GROUP BY 1) r",
                                   NULL);
    printf("failure reasons: %s\n", reasons ? reasons : "-");
    free(reasons);

    /* exactly one paid/failed event per invoice, matching its status */
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox WHERE topic IN ('invoice.paid', "
                          "'invoice.failed')") == N_INVOICES);
    CHECK(pt_sql_long(db,
                      "SELECT count(*) FROM (SELECT payload::json->'data'->'invoice'->>"
                      "'invoice_number' AS n FROM outbox GROUP BY 1 HAVING count(*) <> 1) x") == 0);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox o JOIN invoices i ON i.invoice_number = "
                          "o.payload::json->'data'->'invoice'->>'invoice_number' "
                          "WHERE o.topic <> 'invoice.' || lower(i.status)") == 0);
    /* jobs are all done, their outcome is the invoice's status */
    CHECK(pt_sql_long(db,
                      "SELECT count(*) FROM payment_jobs j JOIN invoices i USING "
                      "(invoice_number) WHERE j.done_at IS NULL OR j.outcome <> i.status") == 0);

    /* the receiver acknowledged each event once, all signatures good */
    CHECK(receiver_wait_acked(&hooks, N_INVOICES, 30000) == 0);
    size_t distinct;
    int max_acks;
    receiver_ack_stats(&hooks, &distinct, &max_acks);
    printf("receiver: %zu hits, %zu distinct events acknowledged, max acks per event %d\n",
           receiver_hits(&hooks), distinct, max_acks);
    CHECK(distinct == N_INVOICES && max_acks == 1);
    CHECK(receiver_bad_sigs(&hooks) == 0);
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL", "0", 10000) ==
          0);

    /* the daemon's own counters agree */
    char url[200], *metrics = NULL;
    snprintf(url, sizeof url, "%s/metrics", d.base_url);
    CHECK_STATUS(test_http("GET", url, NULL, NULL, &metrics), 200);
    char want[160];
    snprintf(want, sizeof want, "payment_settlements_total{outcome=\"failed\"} %ld\n", failed);
    CHECK(strstr(metrics, want) != NULL);
    snprintf(want, sizeof want, "payment_settlements_total{outcome=\"paid\"} %ld\n", paid);
    CHECK(strstr(metrics, want) != NULL);
    free(metrics);

    CHECK(pt_stop(&d) == 0);
    receiver_stop(&hooks);
    printf("payment_http_settle_rate: passed\n");
    return 0;
}
