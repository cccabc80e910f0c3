/* test_http_multi.c: two payment-app instances on one database, started at
 * the same time (migrations race too), each with several settlement
 * workers, invoices paid through both: every invoice is settled once (the
 * two instances' settlement counters add up to exactly the number of
 * invoices), one event each, each acknowledged once. */
#include <dirent.h>
#include <pthread.h>
#include <string.h>

#include "common/util.h"
#include "payment_testlib.h"

#define N_INVOICES 200

struct starter {
    struct test_daemon d;
    const char *name, *db, *url;
    const char *const *extra;
    int rc;
};

/* The daemons die with the thread that forked them (PR_SET_PDEATHSIG is
 * per thread), so each starter thread stays until the test ends. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int started, finished;

/* The migration files payment-app applies (migrations/common and
 * migrations/payment). */
static long migration_files(void)
{
    static const char *const dirs[] = {MIGRATIONS_ROOT "/common", MIGRATIONS_ROOT "/payment"};
    long n = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        DIR *d = opendir(dirs[i]);
        CHECK(d != NULL);
        for (struct dirent *e; (e = readdir(d));) {
            size_t len = strlen(e->d_name);
            n += len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0;
        }
        closedir(d);
    }
    return n;
}

static void *start_one(void *arg)
{
    struct starter *s = arg;
    s->rc = pt_start(&s->d, s->name, s->db, s->url, s->extra);
    pthread_mutex_lock(&lock);
    started++;
    pthread_cond_broadcast(&cond);
    while (!finished)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static long metric(const char *base, const char *line_prefix)
{
    char url[200], *body = NULL;
    snprintf(url, sizeof url, "%s/metrics", base);
    CHECK_STATUS(test_http("GET", url, NULL, NULL, &body), 200);
    const char *p = strstr(body, line_prefix);
    long v = p ? strtol(p + strlen(line_prefix), NULL, 10) : -1;
    free(body);
    return v;
}

int main(void)
{
    test_require_pg();
    char db[512];
    struct receiver hooks;
    /* an empty database: both instances migrate it at once */
    CHECK(test_db_create("payment_multi", NULL, db, sizeof db) == 0);
    CHECK(receiver_start(&hooks, 0) == 0);
    const char *extra[] = {"PAYMENT_FAILURE_RATE=0.1", "PAYMENT_DELAY_MS=50", "PAYMENT_WORKERS=4",
                           "LOG_LEVEL=warn", NULL};
    struct starter a = {.name = "payment-app-a", .db = db, .url = hooks.rx.url, .extra = extra};
    struct starter b = {.name = "payment-app-b", .db = db, .url = hooks.rx.url, .extra = extra};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, start_one, &a);
    pthread_create(&tb, NULL, start_one, &b);
    pthread_mutex_lock(&lock);
    while (started < 2)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    CHECK(a.rc == 0 && b.rc == 0);
    /* each migration applied once although both started together */
    long files = migration_files();
    CHECK(files >= 3);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM schema_migrations") == files);
    CHECK(pt_sql_long(db, "SELECT count(DISTINCT version) FROM schema_migrations") == files);

    /* create through one, pay through the other, alternating */
    for (int i = 0; i < N_INVOICES; i++) {
        const char *c = i % 2 ? a.d.base_url : b.d.base_url;
        const char *p = i % 2 ? b.d.base_url : a.d.base_url;
        char booking[37];
        pt_uuid(booking);
        json_t *inv = NULL, *out = NULL;
        CHECK_STATUS(pt_create_invoice(c, booking, 100 + i, "IDR", 600000, "multi", &inv), 201);
        CHECK_STATUS(pt_pay(p, json_str(inv, "invoice_number"), "card", &out), 202);
        /* paying again through the other instance is the same 202 or final */
        json_decref(out);
        long st = pt_pay(c, json_str(inv, "invoice_number"), "card", &out);
        CHECK(st == 202 || (st == 409 && strcmp(pt_error_code(out), "INVOICE_FINAL") == 0));
        json_decref(out);
        json_decref(inv);
    }
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM invoices WHERE status IN ('PAID','FAILED')", "200",
                      60000) == 0);
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL", "0", 30000) ==
          0);

    long pa = metric(a.d.base_url, "payment_settlements_total{outcome=\"paid\"} ");
    long fa = metric(a.d.base_url, "payment_settlements_total{outcome=\"failed\"} ");
    long pb = metric(b.d.base_url, "payment_settlements_total{outcome=\"paid\"} ");
    long fb = metric(b.d.base_url, "payment_settlements_total{outcome=\"failed\"} ");
    printf("instance a settled %ld (paid %ld, failed %ld), instance b settled %ld (paid %ld, "
           "failed %ld): total %ld for %d invoices\n",
           pa + fa, pa, fa, pb + fb, pb, fb, pa + fa + pb + fb, N_INVOICES);
    CHECK(pa + fa + pb + fb == N_INVOICES);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM outbox") == N_INVOICES);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM (SELECT payload::json->'data'->'invoice'->>"
                          "'invoice_number' FROM outbox GROUP BY 1 HAVING count(*) > 1) x") == 0);
    CHECK(pt_sql_long(db, "SELECT count(*) FROM payment_jobs WHERE outcome NOT IN ('PAID', "
                          "'FAILED') OR done_at IS NULL") == 0);

    size_t distinct;
    int max_acks;
    receiver_ack_stats(&hooks, &distinct, &max_acks);
    printf("receiver: %zu hits, %zu distinct events, max acks per event %d\n",
           receiver_hits(&hooks), distinct, max_acks);
    CHECK(distinct == N_INVOICES && max_acks == 1);
    CHECK(receiver_bad_sigs(&hooks) == 0);

    CHECK(pt_stop(&a.d) == 0);
    CHECK(pt_stop(&b.d) == 0);
    pthread_mutex_lock(&lock);
    finished = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    receiver_stop(&hooks);
    printf("payment_http_multi: passed\n");
    return 0;
}
