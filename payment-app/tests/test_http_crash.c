/* test_http_crash.c: kill -9 of payment-app inside an open settlement
 * transaction (test-only pause), then while it settles invoices and
 * delivers webhooks (the receiver answers 500 at first), several times, each
 * restart on the same database. At the end every paid invoice is settled
 * exactly once (one job outcome, one paid/failed event per invoice) and
 * every event is delivered; the receiver saw only one event id per invoice
 * (copies in transit carry the same id). */
#include <string.h>

#include "common/util.h"
#include "payment_testlib.h"

#define N_INVOICES 150

static char numbers[N_INVOICES][32];

static void state(const char *db, const char *when)
{
    printf("%-28s processing=%ld settled=%ld events=%ld delivered=%ld\n", when,
           pt_sql_long(db, "SELECT count(*) FROM invoices WHERE status = 'PROCESSING'"),
           pt_sql_long(db, "SELECT count(*) FROM invoices WHERE status IN ('PAID','FAILED')"),
           pt_sql_long(db, "SELECT count(*) FROM outbox"),
           pt_sql_long(db, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL"));
}

static void pay_range(const char *base, int from, int to)
{
    const char *methods[] = {"card", "bank_transfer", "ewallet"};
    for (int i = from; i < to; i++) {
        json_t *out = NULL;
        CHECK_STATUS(pt_pay(base, numbers[i], methods[i % 3], &out), 202);
        json_decref(out);
    }
}

int main(void)
{
    test_require_pg();
    char db[512];
    struct receiver hooks;
    struct test_daemon d;
    CHECK(pt_db_create("payment_crash", db, sizeof db) == 0);
    CHECK(receiver_start(&hooks, 0) == 0);
    receiver_fail_for(&hooks, 7000, 500);
    int64_t t0 = now_ms();
    const char *extra[] = {"PAYMENT_FAILURE_RATE=0.1", "PAYMENT_DELAY_MS=400",
                           "WEBHOOK_TIMEOUT_MS=500",   "WEBHOOK_RETRY_BASE_MS=100",
                           "WEBHOOK_RETRY_MAX_MS=800", "PAYMENT_WORKERS=3",
                           "LOG_LEVEL=warn",           NULL};
    CHECK(pt_start(&d, "payment-app-crash1", db, hooks.rx.url, extra) == 0);

    for (int i = 0; i < N_INVOICES; i++) {
        char booking[37];
        pt_uuid(booking);
        json_t *inv = NULL;
        CHECK_STATUS(pt_create_invoice(d.base_url, booking, 1000 + i, "IDR", 600000, "crash", &inv),
                     201);
        snprintf(numbers[i], sizeof numbers[i], "%s", json_str(inv, "invoice_number"));
        json_decref(inv);
    }

    /* 0: a kill -9 inside an open settlement transaction (held open by the
     * test-only pause, after the invoices were updated and their events
     * written, before the commit): all of it is rolled back */
    const char *paused[] = {"PAYMENT_FAILURE_RATE=0.1", "PAYMENT_DELAY_MS=0",
                            "PAYMENT_TEST_SETTLE_PAUSE_MS=5000", "LOG_LEVEL=warn", NULL};
    pt_kill(&d);
    CHECK(pt_start(&d, "payment-app-crash0", db, hooks.rx.url, paused) == 0);
    pay_range(d.base_url, 0, 10);
    CHECK(pt_wait_sql(db,
                      "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = "
                      "current_database() AND state = 'idle in transaction' AND query LIKE "
                      "'%payment_jobs SET done_at%'",
                      "t", 10000) == 0);
    pt_kill(&d);
    state(db, "after kill -9 #0 (open tx):");
    CHECK(pt_sql_long(db, "SELECT count(*) FROM invoices WHERE status = 'PROCESSING'") == 10);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM payment_jobs WHERE done_at IS NOT NULL") == 0);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox") == 0);
    CHECK(pt_start(&d, "payment-app-crash1", db, hooks.rx.url, extra) == 0);

    /* 1: pay 90 more, kill -9 while their jobs come due and settle */
    pay_range(d.base_url, 10, 100);
    sleep_ms(300);
    pt_kill(&d);
    state(db, "after kill -9 #1:");

    /* 2: restart, pay the rest, kill again mid-way */
    CHECK(pt_start(&d, "payment-app-crash2", db, hooks.rx.url, extra) == 0);
    pay_range(d.base_url, 100, N_INVOICES);
    sleep_ms(450);
    pt_kill(&d);
    state(db, "after kill -9 #2:");

    /* 3: restart, let it settle and deliver (into 500s) for a while, kill */
    CHECK(pt_start(&d, "payment-app-crash3", db, hooks.rx.url, extra) == 0);
    sleep_ms(700);
    pt_kill(&d);
    state(db, "after kill -9 #3:");

    /* 4: restart once the receiver has recovered and is answering 200
     * while the daemon delivers; kill during delivery */
    long wait = (long)(t0 + 7000 - now_ms());
    if (wait > 0)
        sleep_ms(wait);
    pthread_mutex_lock(&hooks.lock);
    hooks.delay_ms = 20; /* a slow receiver, so the kill lands mid-delivery */
    pthread_mutex_unlock(&hooks.lock);
    CHECK(pt_start(&d, "payment-app-crash4", db, hooks.rx.url, extra) == 0);
    sleep_ms(600);
    pt_kill(&d);
    pthread_mutex_lock(&hooks.lock);
    hooks.delay_ms = 0;
    pthread_mutex_unlock(&hooks.lock);
    state(db, "after kill -9 #4:");

    /* final run: everything settles and is delivered (leases of killed
     * instances run out first) */
    int64_t t_final = now_ms();
    CHECK(pt_start(&d, "payment-app-final", db, hooks.rx.url, extra) == 0);
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM invoices WHERE status IN ('PAID','FAILED')", "150",
                      60000) == 0);
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL", "0", 60000) ==
          0);
    state(db, "final:");
    printf("final run settled and delivered the rest in %lld ms\n",
           (long long)(now_ms() - t_final));

    /* settled once: one job per invoice, done, outcome = status */
    CHECK(pt_sql_long(db, "SELECT count(*) FROM payment_jobs") == N_INVOICES);
    CHECK(pt_sql_long(db,
                      "SELECT count(*) FROM payment_jobs j JOIN invoices i USING "
                      "(invoice_number) WHERE j.done_at IS NULL OR j.outcome <> i.status") == 0);
    /* no invoice with two paid/failed events; every final invoice has a
     * delivered event that matches its status */
    CHECK(pt_sql_long(db, "SELECT count(*) FROM (SELECT payload::json->'data'->'invoice'->>"
                          "'invoice_number' FROM outbox WHERE topic IN ('invoice.paid', "
                          "'invoice.failed') GROUP BY 1 HAVING count(*) > 1) x") == 0);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM invoices i WHERE status IN ('PAID','FAILED') AND "
                          "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.delivered_at IS NOT NULL "
                          "AND o.topic = 'invoice.' || lower(i.status) AND "
                          "o.payload::json->'data'->'invoice'->>'invoice_number' = "
                          "i.invoice_number)") == 0);
    long failed = pt_sql_long(db, "SELECT count(*) FROM invoices WHERE status = 'FAILED'");

    /* the receiver: one event id per invoice, every event acknowledged */
    size_t distinct;
    int max_acks;
    receiver_ack_stats(&hooks, &distinct, &max_acks);
    CHECK(distinct == N_INVOICES);
    CHECK(receiver_bad_sigs(&hooks) == 0);
    pthread_mutex_lock(&hooks.lock);
    size_t hits = hooks.n;
    for (size_t i = 0; i < hooks.n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(hooks.hits[i].number, hooks.hits[j].number) == 0)
                CHECK(strcmp(hooks.hits[i].id, hooks.hits[j].id) == 0);
    pthread_mutex_unlock(&hooks.lock);
    long attempts = pt_sql_long(db, "SELECT count(*) FROM outbox_attempts");
    printf("kill -9 x5: %d invoices settled once (failed=%ld), %d events delivered; receiver "
           "hits=%zu, logged attempts=%ld, max 2xx per event=%d (more than 1 only when a kill "
           "fell between the 2xx and its record)\n",
           N_INVOICES, failed, N_INVOICES, hits, attempts, max_acks);

    CHECK(pt_stop(&d) == 0);
    receiver_stop(&hooks);
    printf("payment_http_crash: passed\n");
    return 0;
}
