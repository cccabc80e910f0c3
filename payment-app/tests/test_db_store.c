/* test_db_store.c: payment-app's SQL (invoice_store.c) and its background
 * ticks (settle.c) against a real PostgreSQL with the migrations applied:
 * idempotent create, the database's own checks, conditional updates under
 * races (16 threads paying one invoice: one wins), settlement and expiry
 * ticks run concurrently from several threads (each invoice settled and
 * expired exactly once, with one event each). */
#include <pthread.h>
#include <string.h>

#include "app.h"
#include "common/db.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/util.h"
#include "invoice_store.h"
#include "payment_testlib.h"
#include "settle.h"

static char db[512];

static struct db_conn *connect_or_die(void)
{
    char err[256];
    struct db_conn *c = db_connect(db, err, sizeof err);
    if (!c) {
        fprintf(stderr, "connect: %s\n", err);
        exit(1);
    }
    return c;
}

/* Inserts an invoice for a fresh booking; number out. */
static void make_invoice(struct db_conn *c, long long amount, int64_t expires_ms, char *number)
{
    char booking[37];
    pt_uuid(booking);
    struct invoice_create in = {booking, amount, "IDR", expires_ms, "db test"};
    struct invoice inv;
    int created = 0;
    invoice_number_generate(number);
    CHECK(invoice_store_create(c, &in, number, &inv, &created) == DB_OK && created);
    invoice_cleanup(&inv);
}

static void test_create(struct db_conn *c)
{
    char booking[37], number[INVOICE_NUMBER_LEN + 1], other[INVOICE_NUMBER_LEN + 1];
    pt_uuid(booking);
    struct invoice_create in = {booking, 4200, "IDR", now_ms() + 600000, "caf\xc3\xa9 <b>"};
    struct invoice inv;
    int created = -1;
    invoice_number_generate(number);
    CHECK(invoice_store_create(c, &in, number, &inv, &created) == DB_OK && created == 1);
    CHECK(strcmp(inv.number, number) == 0 && strcmp(inv.booking_id, booking) == 0);
    CHECK(inv.amount == 4200 && inv.status == INVOICE_PENDING && inv.method[0] == '\0');
    CHECK(strcmp(inv.description, "caf\xc3\xa9 <b>") == 0);
    CHECK(inv.created_ms > 0 && inv.paid_ms == 0);
    CHECK(llabs((long long)(inv.expires_ms - in.expires_ms)) <= 1);
    invoice_cleanup(&inv);

    /* same booking: the existing invoice, whatever number was offered */
    invoice_number_generate(other);
    CHECK(invoice_store_create(c, &in, other, &inv, &created) == DB_OK && created == 0);
    CHECK(strcmp(inv.number, number) == 0);
    invoice_cleanup(&inv);
    /* same number, another booking: a collision the caller retries */
    char booking2[37];
    pt_uuid(booking2);
    struct invoice_create in2 = in;
    in2.booking_id = booking2;
    CHECK(invoice_store_create(c, &in2, number, &inv, &created) == DB_CONFLICT);
    /* the database refuses what validation should have caught */
    in2.amount = 0;
    invoice_number_generate(other);
    CHECK(invoice_store_create(c, &in2, other, &inv, &created) == DB_INVALID);
    in2.amount = 5;
    in2.currency = "idr";
    CHECK(invoice_store_create(c, &in2, other, &inv, &created) == DB_INVALID);
    CHECK(invoice_store_get(c, "INV-000000000000", &inv) == DB_NOT_FOUND);
    printf("create: idempotent on booking, collision DB_CONFLICT, checks DB_INVALID ok\n");
}

struct race {
    const char *number;
    int wins, lost;
    pthread_mutex_t lock;
};

static void *pay_racer(void *arg)
{
    struct race *r = arg;
    struct db_conn *c = connect_or_die();
    struct invoice inv;
    enum db_status st = invoice_store_pay(c, r->number, "card", 3600000, &inv);
    pthread_mutex_lock(&r->lock);
    if (st == DB_OK) {
        r->wins++;
        invoice_cleanup(&inv);
    } else if (st == DB_NOT_FOUND) {
        r->lost++;
    }
    pthread_mutex_unlock(&r->lock);
    db_disconnect(c);
    return NULL;
}

static void test_conditional_updates(struct db_conn *c)
{
    char number[INVOICE_NUMBER_LEN + 1];
    make_invoice(c, 1000, now_ms() + 600000, number);

    struct race r = {number, 0, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t t[16];
    for (int i = 0; i < 16; i++)
        pthread_create(&t[i], NULL, pay_racer, &r);
    for (int i = 0; i < 16; i++)
        pthread_join(t[i], NULL);
    printf("16 concurrent pays of one invoice: %d applied, %d refused\n", r.wins, r.lost);
    CHECK(r.wins == 1 && r.lost == 15);
    CHECK(pt_sql_long_params(db, "SELECT count(*) FROM payment_jobs WHERE invoice_number = $1", 1,
                             (const char *[]){number}) == 1);

    struct invoice inv;
    CHECK(invoice_store_void(c, number, &inv) == DB_NOT_FOUND); /* PROCESSING */
    CHECK(db_begin(c) == DB_OK);
    CHECK(invoice_store_refund(c, number, &inv) == DB_NOT_FOUND);
    db_rollback(c);
    /* settle twice: the second does not apply, and writes no event */
    struct invoice settled = {0};
    snprintf(settled.number, sizeof settled.number, "%s", number);
    settled.status = INVOICE_PAID;
    int applied = 0;
    CHECK(db_begin(c) == DB_OK);
    CHECK(payment_settle_job(c, &settled, now_ms(), "evt_settle_once_1", "invoice.paid", "{}",
                             60000, &applied) == DB_OK &&
          applied == 1);
    settled.status = INVOICE_FAILED;
    snprintf(settled.failure_reason, sizeof settled.failure_reason, "CARD_DECLINED");
    CHECK(payment_settle_job(c, &settled, now_ms(), "evt_settle_once_2", "invoice.failed", "{}",
                             60000, &applied) == DB_OK &&
          applied == 0);
    CHECK(db_commit(c) == DB_OK);
    CHECK(invoice_store_get(c, number, &inv) == DB_OK && inv.status == INVOICE_PAID &&
          inv.paid_ms > 0);
    invoice_cleanup(&inv);
    CHECK(pt_sql_long_params(db, "SELECT count(*) FROM outbox WHERE id LIKE 'evt_settle_once_%'", 0,
                             NULL) == 1);
    CHECK(pt_sql_long_params(db,
                             "SELECT count(*) FROM payment_jobs WHERE invoice_number = $1 AND "
                             "done_at IS NOT NULL AND outcome = 'PAID'",
                             1, (const char *[]){number}) == 1);
    /* refund once */
    CHECK(db_begin(c) == DB_OK);
    CHECK(invoice_store_refund(c, number, &inv) == DB_OK && inv.status == INVOICE_REFUNDED);
    invoice_cleanup(&inv);
    CHECK(invoice_store_refund(c, number, &inv) == DB_NOT_FOUND);
    CHECK(db_commit(c) == DB_OK);

    /* an expired PENDING invoice cannot be paid, and is expired once */
    make_invoice(c, 1000, now_ms() + 600000, number);
    CHECK(pt_exec_params(db,
                         "UPDATE invoices SET expires_at = now() - interval '1 s' "
                         "WHERE invoice_number = $1",
                         1, (const char *[]){number}) == 0);
    CHECK(invoice_store_pay(c, number, "card", 0, &inv) == DB_NOT_FOUND);
    CHECK(db_begin(c) == DB_OK);
    CHECK(invoice_store_expire_one(c, number, &inv) == DB_OK && inv.status == INVOICE_EXPIRED);
    invoice_cleanup(&inv);
    CHECK(invoice_store_expire_one(c, number, &inv) == DB_NOT_FOUND);
    CHECK(db_commit(c) == DB_OK);
    CHECK(invoice_store_void(c, number, &inv) == DB_NOT_FOUND);
    printf("conditional updates: void/refund/settle/expire apply once ok\n");
}

static struct payment_app app;

struct ticker {
    int (*tick)(void *);
    long done;
};

static void *run_ticks(void *arg)
{
    struct ticker *t = arg;
    int n;
    int idle = 0;
    /* Several idle rounds in a row mean the others took the rest. */
    while (idle < 3) {
        n = t->tick(&app);
        CHECK(n >= 0);
        if (n == 0) {
            idle++;
            sleep_ms(20);
        } else {
            idle = 0;
            t->done += n;
        }
    }
    return NULL;
}

static long run_concurrently(int (*tick)(void *), int threads)
{
    struct ticker t[8];
    pthread_t th[8];
    for (int i = 0; i < threads; i++) {
        t[i].tick = tick;
        t[i].done = 0;
        pthread_create(&th[i], NULL, run_ticks, &t[i]);
    }
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        total += t[i].done;
        printf("  thread %d handled %ld\n", i, t[i].done);
    }
    return total;
}

static void test_ticks(struct db_conn *c)
{
    app.pool = db_pool_create(db, 8);
    app.failure_rate = 0.1;
    app.workers = 0;
    snprintf(app.public_url, sizeof app.public_url, "http://pay.test");
    rng_init(&app.rng, 7);
    app.outbox.timeout_ms = 5000;
    app.webhooks = outbox_queue_create(1024);
    CHECK(test_db_exec(db, "DELETE FROM outbox") == 0);

    /* 120 invoices paid with no delay; 4 threads running settle_tick */
    for (int i = 0; i < 120; i++) {
        char number[INVOICE_NUMBER_LEN + 1];
        struct invoice inv;
        make_invoice(c, 100 + i, now_ms() + 600000, number);
        CHECK(invoice_store_pay(c, number, i % 2 ? "card" : "ewallet", 0, &inv) == DB_OK);
        invoice_cleanup(&inv);
    }
    long settled = run_concurrently(settle_tick, 4);
    printf("settle_tick x4 threads: %ld jobs handled\n", settled);
    CHECK(settled == 120);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM invoices WHERE status = 'PROCESSING'") == 0);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox WHERE topic IN ('invoice.paid', "
                          "'invoice.failed')") == 120);
    CHECK(atomic_load(&app.paid) + atomic_load(&app.failed) == 120);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM (SELECT payload::json->'data'->'invoice'->>"
                          "'invoice_number' FROM outbox GROUP BY 1 HAVING count(*) > 1) x") == 0);
    /* each event was written leased (first attempt counted) and handed to
     * the delivery loop in memory after the commit */
    CHECK(outbox_queue_len(app.webhooks) == 120);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox WHERE attempts = 1 AND "
                          "next_attempt_at > now() + interval '5 seconds'") == 120);
    /* the payload computed before the statement is what the row says */
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox o JOIN invoices i ON i.invoice_number = "
                          "o.payload::json->'data'->'invoice'->>'invoice_number' WHERE "
                          "o.topic = 'invoice.' || lower(i.status) AND "
                          "(o.payload::json->'data'->'invoice'->>'updated_at')::timestamptz = "
                          "date_trunc('milliseconds', i.updated_at) AND "
                          "(i.status = 'FAILED') = (o.payload::json->'data'->'invoice'->>"
                          "'failure_reason' IS NOT NULL) AND (i.status = 'PAID') = "
                          "((o.payload::json->'data'->'invoice'->>'paid_at')::timestamptz IS NOT "
                          "DISTINCT FROM date_trunc('milliseconds', i.paid_at) AND "
                          "i.paid_at IS NOT NULL)") == 120);
    CHECK(pt_sql_long(
              db, "SELECT count(*) FROM payment_jobs j JOIN invoices i USING "
                  "(invoice_number) WHERE j.done_at IS NOT NULL AND j.outcome = i.status") == 120);

    /* a job whose invoice is no longer PROCESSING is closed as SKIPPED */
    char number[INVOICE_NUMBER_LEN + 1];
    struct invoice inv;
    make_invoice(c, 77, now_ms() + 600000, number);
    CHECK(invoice_store_pay(c, number, "card", 0, &inv) == DB_OK);
    invoice_cleanup(&inv);
    CHECK(pt_exec_params(db,
                         "UPDATE invoices SET status = 'PAID', paid_at = now() "
                         "WHERE invoice_number = $1",
                         1, (const char *[]){number}) == 0);
    CHECK(settle_tick(&app) == 1);
    char *outcome =
        test_db_scalar_params(db, "SELECT outcome FROM payment_jobs WHERE invoice_number = $1", 1,
                              (const char *[]){number}, NULL);
    CHECK(outcome && strcmp(outcome, "SKIPPED") == 0);
    free(outcome);
    CHECK(settle_tick(&app) == 0);

    /* 150 overdue invoices (plus test_create's, still PENDING: 151); 4
     * threads running expiry_tick */
    for (int i = 0; i < 150; i++) {
        make_invoice(c, 10, now_ms() + 600000, number);
    }
    CHECK(test_db_exec(db, "UPDATE invoices SET expires_at = now() - interval '1 s' "
                           "WHERE status = 'PENDING'") == 0);
    long expired = run_concurrently(expiry_tick, 4);
    printf("expiry_tick x4 threads: %ld invoices expired\n", expired);
    CHECK(expired == 151);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox WHERE topic = 'invoice.expired'") == 151);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM invoices WHERE status = 'PENDING'") == 0);

    /* list and stats */
    json_t *items = NULL;
    long total = 0;
    CHECK(invoice_store_list(c, "EXPIRED", NULL, 10, 145, "http://x", &items, &total) == DB_OK);
    CHECK(total == 152 && json_array_size(items) == 7); /* 151 + the one expired above */
    json_decref(items);
    CHECK(invoice_store_list(c, NULL, NULL, 10, 100000, "http://x", &items, &total) == DB_OK);
    CHECK(json_array_size(items) == 0 && total > 270);
    json_decref(items);
    long counts[INVOICE_STATUS_COUNT], undelivered, jobs;
    CHECK(invoice_store_stats(c, counts, &undelivered, &jobs) == DB_OK);
    /* the invoice settled by hand above closed its job (its event went with
     * the outbox emptied before the settlement ticks) */
    CHECK(counts[INVOICE_EXPIRED] == 152 && jobs == 0 && undelivered == 120 + 151);

    /* a delivery row by id */
    char *id = test_db_scalar(db, "SELECT id FROM outbox LIMIT 1", NULL);
    json_t *d = NULL;
    CHECK(outbox_get(c, id, &d) == DB_OK);
    CHECK(strcmp(json_str(d, "id"), id) == 0 && json_is_object(json_object_get(d, "payload")));
    CHECK(json_is_null(json_object_get(d, "delivered_at")));
    CHECK(json_is_array(json_object_get(d, "attempt_log")));
    json_decref(d);
    free(id);
    CHECK(outbox_get(c, "evt_none", &d) == DB_NOT_FOUND);
    db_pool_destroy(app.pool);
    outbox_queue_destroy(app.webhooks);
    app.webhooks = NULL;
    printf("ticks, list, stats, delivery lookup ok\n");
}

int main(void)
{
    test_require_pg();
    rand_init();
    log_init("payment-db-test", LOG_WARN);
    CHECK(pt_db_create("payment_store", db, sizeof db) == 0);
    struct db_conn *c = connect_or_die();
    test_create(c);
    test_conditional_updates(c);
    test_ticks(c);
    db_disconnect(c);
    printf("payment_db_store: passed\n");
    return 0;
}
