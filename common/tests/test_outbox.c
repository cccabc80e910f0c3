/* test_outbox.c: outbox delivery against a real PostgreSQL and a real
 * receiver (libmicrohttpd in this process) that fails the first attempts:
 * every event ends delivered, every attempt is recorded, retries carry the
 * same id and a valid signature, backoff grows, and no transaction or row
 * lock is held while a request is in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/bg.h"
#include "common/db.h"
#include "common/outbox.h"
#include "common/rand.h"
#include "common/sig.h"
#include "common/util.h"
#include "testsupport.h"

#define SECRET "whsec_outbox_test"
#define MAX_HITS 512

struct hit {
    char id[64];
    int64_t at_ms;
    enum sig_result sig;
    char *body;
    int tx_open;  /* sessions with a transaction open during the request */
    int locked;   /* outbox rows locked during the request */
    int status;   /* what the receiver answered */
};

/* The receiver. fail_first: answer 500 to the first N requests of each
 * event id, then 204. */
static struct receiver {
    struct MHD_Daemon *mhd;
    int port;
    char url[96];
    pthread_mutex_t lock;
    int fail_first;
    int delay_ms; /* each answer waits this long (outside the lock) */
    int inflight, max_inflight;
    struct hit hits[MAX_HITS];
    int nhits;
    struct db_conn *check; /* sees what the database looks like mid-request */
    char dbname[128];
} rx;

static const struct db_stmt st_tx_open = {
    "t_tx_open", "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1"
                 " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"};
static const struct db_stmt st_locked = {
    "t_locked", "SELECT (SELECT count(*) FROM outbox) -"
                " (SELECT count(*) FROM (SELECT 1 FROM outbox FOR UPDATE SKIP LOCKED) s) AS n"};

static long check_count(const struct db_stmt *s, int n, const char *const *p)
{
    PGresult *res;
    if (db_exec(rx.check, s, n, p, &res) != DB_OK)
        return -1;
    long v = atol(db_get(res, 0, "n"));
    PQclear(res);
    return v;
}

struct upload {
    struct sbuf body;
};

static enum MHD_Result rx_handle(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *data,
                                 size_t *data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    struct upload *up = *con_cls;
    if (!up) {
        up = calloc(1, sizeof *up);
        sbuf_init(&up->body);
        *con_cls = up;
        return MHD_YES;
    }
    if (*data_size) {
        sbuf_add(&up->body, data, *data_size);
        *data_size = 0;
        return MHD_YES;
    }
    if (rx.delay_ms > 0) {
        pthread_mutex_lock(&rx.lock);
        if (++rx.inflight > rx.max_inflight)
            rx.max_inflight = rx.inflight;
        pthread_mutex_unlock(&rx.lock);
        usleep((useconds_t)rx.delay_ms * 1000);
        pthread_mutex_lock(&rx.lock);
        rx.inflight--;
        pthread_mutex_unlock(&rx.lock);
    }
    const char *sighdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Signature");
    const char *body = up->body.buf ? up->body.buf : "";
    json_t *j = json_loads(body, 0, NULL);
    const char *id = j ? json_str(j, "id") : NULL;

    pthread_mutex_lock(&rx.lock);
    int status = 400;
    if (rx.nhits < MAX_HITS && id) {
        struct hit *h = &rx.hits[rx.nhits++];
        snprintf(h->id, sizeof h->id, "%s", id);
        h->at_ms = mono_ms();
        h->sig = sig_verify(SECRET, sighdr, body, up->body.len, (long)(now_ms() / 1000),
                            SIG_TOLERANCE_S);
        h->body = xstrdup(body);
        const char *p[] = {rx.dbname};
        h->tx_open = (int)check_count(&st_tx_open, 1, p);
        h->locked = (int)check_count(&st_locked, 0, NULL);
        int seen = 0;
        for (int i = 0; i < rx.nhits; i++)
            seen += strcmp(rx.hits[i].id, id) == 0;
        status = h->sig != SIG_OK ? 401 : seen <= rx.fail_first ? 500 : 204;
        h->status = status;
    }
    pthread_mutex_unlock(&rx.lock);
    json_decref(j);

    const char *text = status == 500 ? "boom\n\x01\xff" : "";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static void rx_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct upload *up = *con_cls;
    if (up) {
        sbuf_cleanup(&up->body);
        free(up);
    }
    *con_cls = NULL;
}

static void rx_start(const char *uri, int fail_first)
{
    char err[256];
    memset(&rx, 0, sizeof rx);
    pthread_mutex_init(&rx.lock, NULL);
    rx.fail_first = fail_first;
    snprintf(rx.dbname, sizeof rx.dbname, "%s", strrchr(uri, '/') + 1);
    rx.check = db_connect(uri, err, sizeof err);
    assert_non_null(rx.check);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int tries = 0; tries < 5 && !rx.mhd; tries++) {
        rx.port = test_free_port();
        a.sin_port = htons((uint16_t)rx.port);
        rx.mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                  (uint16_t)rx.port, NULL, NULL, rx_handle, NULL,
                                  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a,
                                  MHD_OPTION_NOTIFY_COMPLETED, rx_done, NULL, MHD_OPTION_END);
    }
    assert_non_null(rx.mhd);
    snprintf(rx.url, sizeof rx.url, "http://127.0.0.1:%d/webhooks", rx.port);
}

static void rx_stop(void)
{
    MHD_stop_daemon(rx.mhd);
    for (int i = 0; i < rx.nhits; i++)
        free(rx.hits[i].body);
    db_disconnect(rx.check);
    pthread_mutex_destroy(&rx.lock);
}

static int rx_count(const char *id)
{
    pthread_mutex_lock(&rx.lock);
    int n = 0;
    for (int i = 0; i < rx.nhits; i++)
        n += strcmp(rx.hits[i].id, id) == 0;
    pthread_mutex_unlock(&rx.lock);
    return n;
}

static struct outbox_config config(const char *url)
{
    return (struct outbox_config){
        .url = url,
        .secret = SECRET,
        .timeout_ms = 2000,
        .retry_base_ms = 200,
        .retry_max_ms = 1600,
        .batch = 10,
        .lease_ms = 30000,
    };
}

static void fresh_db(const char *prefix, char *uri, size_t len)
{
    const char *dirs[] = {"common", NULL};
    assert_int_equal(test_db_create(prefix, dirs, uri, len), 0);
}

static char *scalar(const char *uri, const char *sql)
{
    int ok;
    char *v = test_db_scalar(uri, sql, &ok);
    assert_true(ok);
    return v;
}

static long scalar_long(const char *uri, const char *sql)
{
    char *v = scalar(uri, sql);
    long n = v ? atol(v) : -1;
    free(v);
    return n;
}

static void event_json(char *out, size_t len, const char *id)
{
    snprintf(out, len, "{\"id\":\"%s\",\"type\":\"test.event\",\"data\":{\"n\":1}}", id);
}

/* Runs outbox_tick until every event is delivered or timeout_ms passes. */
static void drive(struct db_pool *pool, const struct outbox_config *cfg, const char *uri,
                  int timeout_ms)
{
    int64_t end = mono_ms() + timeout_ms;
    while (mono_ms() < end) {
        int n = outbox_tick(pool, cfg);
        assert_true(n >= 0);
        if (n == 0) {
            if (scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL") == 0)
                return;
            usleep(20 * 1000);
        }
    }
    fail_msg("events still pending after %d ms", timeout_ms);
}

static void test_retries_until_delivered(void **state)
{
    (void)state;
    char uri[512];
    fresh_db("common_outbox", uri, sizeof uri);
    rx_start(uri, 3);
    struct outbox_config cfg = config(rx.url);
    struct db_pool *pool = db_pool_create(uri, 2);

    /* Three events in one committed transaction, one in a rolled-back one. */
    const char *ids[] = {"evt_a1", "evt_b2", "evt_c3"};
    char payload[3][256];
    struct db_conn *c = db_acquire(pool, 1000);
    assert_int_equal(db_begin(c), DB_OK);
    for (int i = 0; i < 3; i++) {
        event_json(payload[i], sizeof payload[i], ids[i]);
        assert_int_equal(outbox_enqueue(c, ids[i], "test.event", payload[i]), DB_OK);
    }
    assert_int_equal(db_commit(c), DB_OK);
    assert_int_equal(db_begin(c), DB_OK);
    char ghost[256];
    event_json(ghost, sizeof ghost, "evt_ghost");
    assert_int_equal(outbox_enqueue(c, "evt_ghost", "test.event", ghost), DB_OK);
    db_rollback(c);
    /* An id is unique. */
    assert_int_equal(outbox_enqueue(c, "evt_a1", "test.event", payload[0]), DB_CONFLICT);
    db_release(pool, c);

    drive(pool, &cfg, uri, 30000);

    assert_int_equal(rx_count("evt_ghost"), 0);
    for (int i = 0; i < 3; i++) {
        const char *id = ids[i];
        assert_int_equal(rx_count(id), 4);
        /* Every try: same bytes, valid signature; the gaps grow. */
        int64_t at[4];
        int k = 0;
        for (int h = 0; h < rx.nhits; h++) {
            struct hit *x = &rx.hits[h];
            if (strcmp(x->id, id) != 0)
                continue;
            assert_int_equal(x->sig, SIG_OK);
            assert_string_equal(x->body, payload[i]);
            at[k++] = x->at_ms;
        }
        long g1 = (long)(at[1] - at[0]), g2 = (long)(at[2] - at[1]), g3 = (long)(at[3] - at[2]);
        /* base 200: gaps of 200, 400, 800 ms scaled by [0.5, 1.5). */
        if (g1 < 90 || g2 < 190 || g3 < 390 || g3 <= g1)
            fail_msg("%s: gaps %ld, %ld, %ld ms do not grow as the backoff says", id, g1, g2, g3);
    }
    /* No request ever saw a transaction open or an outbox row locked. */
    for (int h = 0; h < rx.nhits; h++) {
        assert_int_equal(rx.hits[h].tx_open, 0);
        assert_int_equal(rx.hits[h].locked, 0);
    }

    /* The database agrees: delivered, and every attempt on record. */
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL"
                                      " AND last_status = 204 AND attempts = 4 AND last_error IS NULL"),
                     3);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox_attempts"), 12);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox_attempts WHERE status = 500"
                                      " AND error LIKE 'HTTP 500: boom%'"),
                     9);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox_attempts WHERE status = 204"
                                      " AND error IS NULL AND duration_ms >= 0"),
                     3);

    /* The same through the API. */
    c = db_acquire(pool, 1000);
    json_t *items;
    assert_int_equal(outbox_attempts(c, "evt_b2", &items), DB_OK);
    assert_int_equal(json_array_size(items), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *a = json_array_get(items, i);
        assert_int_equal(json_integer_value(json_object_get(a, "status")), i < 3 ? 500 : 204);
        assert_true(json_is_string(json_object_get(a, "attempted_at")));
        assert_true(json_is_integer(json_object_get(a, "duration_ms")));
        assert_true(i < 3 ? json_is_string(json_object_get(a, "error"))
                          : json_is_null(json_object_get(a, "error")));
    }
    json_decref(items);

    long total = -1;
    assert_int_equal(outbox_list(c, NULL, 10, 0, &items, &total), DB_OK);
    assert_int_equal(total, 3);
    assert_int_equal(json_array_size(items), 3);
    json_t *first = json_array_get(items, 0);
    assert_true(json_is_object(json_object_get(first, "payload")));
    assert_string_equal(json_string_value(json_object_get(first, "topic")), "test.event");
    assert_int_equal(json_integer_value(json_object_get(first, "attempts")), 4);
    assert_int_equal(json_integer_value(json_object_get(first, "last_status")), 204);
    assert_true(json_is_string(json_object_get(first, "delivered_at")));
    assert_true(json_is_string(json_object_get(first, "created_at")));
    assert_true(json_is_null(json_object_get(first, "last_error")));
    json_decref(items);
    assert_int_equal(outbox_list(c, "pending", 10, 0, &items, &total), DB_OK);
    assert_int_equal(total, 0);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
    assert_int_equal(outbox_list(c, "delivered", 10, 0, &items, &total), DB_OK);
    assert_int_equal(total, 3);
    json_decref(items);
    db_release(pool, c);

    /* Nothing due any more. */
    assert_int_equal(outbox_tick(pool, &cfg), 0);
    db_pool_destroy(pool);
    rx_stop();
}

/* Nobody listening: the attempt is recorded with no status, retried later,
 * and a replay sends it at once to the receiver now in place. */
static void test_transport_failure_and_replay(void **state)
{
    (void)state;
    char uri[512], dead[96];
    fresh_db("common_outbox_dead", uri, sizeof uri);
    rx_start(uri, 0);
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d/x", test_free_port());
    struct outbox_config cfg = config(dead);
    cfg.retry_base_ms = 60000; /* not due again during this test */
    struct db_pool *pool = db_pool_create(uri, 2);
    char p[256];
    event_json(p, sizeof p, "evt_d1");
    struct db_conn *c = db_acquire(pool, 1000);
    assert_int_equal(outbox_enqueue(c, "evt_d1", "test.event", p), DB_OK);
    db_release(pool, c);

    assert_int_equal(outbox_tick(pool, &cfg), 1);
    assert_int_equal(outbox_tick(pool, &cfg), 0);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox_attempts WHERE status IS NULL"
                                      " AND length(error) > 0"),
                     1);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL"
                                      " AND last_status IS NULL AND attempts = 1"
                                      " AND next_attempt_at > now() + interval '20 seconds'"),
                     1);

    c = db_acquire(pool, 1000);
    json_t *items;
    long total;
    assert_int_equal(outbox_list(c, "pending", 10, 0, &items, &total), DB_OK);
    assert_int_equal(total, 1);
    assert_true(json_is_null(json_object_get(json_array_get(items, 0), "last_status")));
    assert_true(json_is_string(json_object_get(json_array_get(items, 0), "last_error")));
    json_decref(items);
    assert_int_equal(outbox_replay(c, "evt_d1"), DB_OK);
    assert_int_equal(outbox_replay(c, "evt_nope"), DB_NOT_FOUND);
    db_release(pool, c);

    cfg.url = rx.url;
    assert_int_equal(outbox_tick(pool, &cfg), 1);
    assert_int_equal(rx_count("evt_d1"), 1);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL"
                                      " AND attempts = 2"),
                     1);

    /* Replay a delivered event: sent again. */
    c = db_acquire(pool, 1000);
    assert_int_equal(outbox_replay(c, "evt_d1"), DB_OK);
    db_release(pool, c);
    assert_int_equal(outbox_tick(pool, &cfg), 1);
    assert_int_equal(rx_count("evt_d1"), 2);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox_attempts"), 3);
    db_pool_destroy(pool);
    rx_stop();
}

static void test_list_and_attempts_api(void **state)
{
    (void)state;
    char uri[512];
    fresh_db("common_outbox_list", uri, sizeof uri);
    struct db_pool *pool = db_pool_create(uri, 1);
    struct db_conn *c = db_acquire(pool, 1000);
    char id[32], p[256];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "evt_l%d", i);
        event_json(p, sizeof p, id);
        assert_int_equal(outbox_enqueue(c, id, i % 2 ? "odd" : "even", p), DB_OK);
    }
    /* A payload that is not JSON is listed as a string. */
    assert_int_equal(outbox_enqueue(c, "evt_raw", "raw", "not json"), DB_OK);
    json_t *items;
    long total;
    assert_int_equal(outbox_list(c, NULL, 2, 0, &items, &total), DB_OK);
    assert_int_equal(total, 6);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    assert_int_equal(outbox_list(c, "pending", 100, 4, &items, &total), DB_OK);
    assert_int_equal(total, 6);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    assert_int_equal(outbox_list(c, NULL, 10, 50, &items, &total), DB_OK);
    assert_int_equal(total, 6); /* past the end: empty page, the total still comes */
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
    assert_int_equal(outbox_list(c, NULL, 10, 0, &items, NULL), DB_OK);
    int raw_seen = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *o = json_array_get(items, i);
        if (strcmp(json_string_value(json_object_get(o, "id")), "evt_raw") == 0) {
            raw_seen = 1;
            assert_string_equal(json_string_value(json_object_get(o, "payload")), "not json");
        }
        assert_true(json_is_null(json_object_get(o, "delivered_at")));
    }
    assert_true(raw_seen);
    json_decref(items);
    assert_int_equal(outbox_list(c, "bogus", 10, 0, &items, &total), DB_INVALID);
    assert_null(items);
    assert_int_equal(outbox_list(c, NULL, -1, 0, &items, &total), DB_INVALID);

    assert_int_equal(outbox_attempts(c, "evt_l1", &items), DB_OK);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
    assert_int_equal(outbox_attempts(c, "evt_none", &items), DB_NOT_FOUND);
    assert_null(items);
    db_release(pool, c);
    db_pool_destroy(pool);
}

struct deliverer {
    struct db_pool *pool;
    const struct outbox_config *cfg;
    const char *uri;
    int errors;
};

static void *deliver_all(void *arg)
{
    struct deliverer *d = arg;
    int64_t end = mono_ms() + 30000;
    while (mono_ms() < end) {
        int n = outbox_tick(d->pool, d->cfg);
        if (n < 0)
            d->errors++;
        if (n == 0) {
            char *v = test_db_scalar(d->uri,
                                     "SELECT count(*) FROM outbox WHERE delivered_at IS NULL", NULL);
            int left = v ? atoi(v) : 1;
            free(v);
            if (left == 0)
                break;
            usleep(10 * 1000);
        }
    }
    return NULL;
}

/* Two delivery loops share the table: the lease and SKIP LOCKED give each
 * event to one of them. */
static void test_two_deliverers(void **state)
{
    (void)state;
    char uri[512];
    fresh_db("common_outbox_two", uri, sizeof uri);
    rx_start(uri, 0);
    struct outbox_config cfg = config(rx.url);
    cfg.batch = 3;
    struct db_pool *pool = db_pool_create(uri, 4);
    struct db_conn *c = db_acquire(pool, 1000);
    char id[32], p[256];
    for (int i = 0; i < 30; i++) {
        snprintf(id, sizeof id, "evt_t%02d", i);
        event_json(p, sizeof p, id);
        assert_int_equal(outbox_enqueue(c, id, "test.event", p), DB_OK);
    }
    db_release(pool, c);
    struct deliverer d[2] = {{pool, &cfg, uri, 0}, {pool, &cfg, uri, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, deliver_all, &d[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(d[0].errors + d[1].errors, 0);
    for (int i = 0; i < 30; i++) {
        snprintf(id, sizeof id, "evt_t%02d", i);
        assert_int_equal(rx_count(id), 1);
    }
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL"
                                      " AND attempts = 1"),
                     30);
    db_pool_destroy(pool);
    rx_stop();
}

static int loop_tick(void *arg)
{
    void **a = arg;
    return outbox_tick(a[0], a[1]);
}

/* The way services run it: a background loop, woken after enqueueing. */
static void test_background_loop(void **state)
{
    (void)state;
    char uri[512];
    fresh_db("common_outbox_loop", uri, sizeof uri);
    rx_start(uri, 1);
    struct outbox_config cfg = config(rx.url);
    cfg.retry_base_ms = 100;
    struct db_pool *pool = db_pool_create(uri, 2);
    void *arg[] = {pool, &cfg};
    /* A long idle period: only bg_wake and the retry schedule move it. */
    struct bg_loop *loop = bg_start("outbox-test", loop_tick, arg, 100);
    char p[256];
    event_json(p, sizeof p, "evt_bg");
    struct db_conn *c = db_acquire(pool, 1000);
    assert_int_equal(outbox_enqueue(c, "evt_bg", "test.event", p), DB_OK);
    db_release(pool, c);
    bg_wake(loop);
    int64_t end = mono_ms() + 10000;
    while (mono_ms() < end &&
           scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL") != 1)
        usleep(20 * 1000);
    bg_stop(loop);
    assert_int_equal(rx_count("evt_bg"), 2);
    db_pool_destroy(pool);
    rx_stop();
}


/* A batch goes out at once: ten events at a receiver that takes 300 ms
 * each are delivered by one tick in well under ten times that, each once,
 * and recorded together. */
static void test_batch_sent_concurrently(void **state)
{
    (void)state;
    char uri[512];
    fresh_db("common_outbox_conc", uri, sizeof uri);
    rx_start(uri, 0);
    rx.delay_ms = 300;
    struct outbox_config cfg = config(rx.url);
    struct db_pool *pool = db_pool_create(uri, 2);
    struct db_conn *c = db_acquire(pool, 1000);
    char id[32], p[256];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "evt_c%02d", i);
        event_json(p, sizeof p, id);
        assert_int_equal(outbox_enqueue(c, id, "test.event", p), DB_OK);
    }
    db_release(pool, c);
    int64_t t0 = mono_ms();
    assert_int_equal(outbox_tick(pool, &cfg), 10);
    long took = (long)(mono_ms() - t0);
    if (took > 1500)
        fail_msg("10 events at 300 ms each took %ld ms: not sent at once", took);
    assert_true(rx.max_inflight >= 5);
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "evt_c%02d", i);
        assert_int_equal(rx_count(id), 1);
    }
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL"
                                      " AND attempts = 1 AND last_status = 204"),
                     10);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox_attempts WHERE status = 204"
                                      " AND duration_ms >= 250"),
                     10);
    assert_int_equal(outbox_tick(pool, &cfg), 0);
    db_pool_destroy(pool);
    rx_stop();
}

/* The lease of a claim covers one attempt, not the batch's sum. */
static void test_lease_covers_one_attempt(void **state)
{
    (void)state;
    struct outbox_config cfg = config("http://127.0.0.1:1/");
    cfg.timeout_ms = 5000;
    cfg.batch = 10;
    cfg.lease_ms = 0;
    assert_int_equal(outbox_lease_ms(&cfg), 10000);
    cfg.lease_ms = 15000;
    assert_int_equal(outbox_lease_ms(&cfg), 15000);
}

/* A committed event handed over in memory is sent without a claim (its
 * first attempt counted at the insert); a rolled-back one is never pushed
 * nor sent; one whose writer died before the hand-over is claimed once its
 * lease runs out; a mixed batch with a failing receiver is retried. Each
 * event reaches the receiver exactly once. */
static void test_queue_hand_over(void **state)
{
    (void)state;
    char uri[512];
    fresh_db("common_outbox_queue", uri, sizeof uri);
    rx_start(uri, 0);
    struct outbox_config cfg = config(rx.url);
    struct db_pool *pool = db_pool_create(uri, 2);
    struct outbox_queue *q = outbox_queue_create(4);
    long lease = outbox_lease_ms(&cfg);
    assert_int_equal(lease, 30000);

    char p[8][256], id[32];
    struct db_conn *c = db_acquire(pool, 1000);
    assert_int_equal(db_begin(c), DB_OK);
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "evt_q%d", i);
        event_json(p[i], sizeof p[i], id);
        assert_int_equal(outbox_enqueue_leased(c, id, "test.event", p[i], lease), DB_OK);
    }
    assert_int_equal(db_commit(c), DB_OK);
    /* written leased: a claim does not see them */
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox WHERE attempts = 1"
                                      " AND next_attempt_at > now() + interval '25 seconds'"),
                     3);
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "evt_q%d", i);
        assert_int_equal(outbox_queue_push(q, id, p[i], lease), 0);
    }
    /* the queue is bounded */
    assert_int_equal(outbox_queue_push(q, "evt_x", "{}", lease), 0);
    assert_int_equal(outbox_queue_push(q, "evt_y", "{}", lease), -1);
    assert_int_equal(outbox_queue_len(q), 4);
    outbox_queue_destroy(q);
    q = outbox_queue_create(16);
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "evt_q%d", i);
        assert_int_equal(outbox_queue_push(q, id, p[i], lease), 0);
    }
    /* a writer that dies between commit and hand-over: a short lease */
    event_json(p[3], sizeof p[3], "evt_orphan");
    assert_int_equal(outbox_enqueue_leased(c, "evt_orphan", "test.event", p[3], 1500), DB_OK);
    db_release(pool, c);

    assert_true(outbox_tick_queue(pool, &cfg, q) >= 0);
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "evt_q%d", i);
        assert_int_equal(rx_count(id), 1);
    }
    assert_int_equal(rx_count("evt_orphan"), 0);
    assert_int_equal(outbox_queue_len(q), 0);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL"
                                      " AND attempts = 1 AND id LIKE 'evt_q%'"),
                     3);
    /* the orphan comes back through a claim once its lease is over */
    int64_t end = mono_ms() + 10000;
    while (rx_count("evt_orphan") == 0 && mono_ms() < end) {
        assert_true(outbox_tick_queue(pool, &cfg, q) >= 0);
        usleep(100 * 1000);
    }
    assert_int_equal(rx_count("evt_orphan"), 1);
    assert_int_equal(scalar_long(uri, "SELECT attempts FROM outbox WHERE id = 'evt_orphan'"
                                      " AND delivered_at IS NOT NULL"),
                     2);

    /* An event pushed too close to the end of its lease is not sent from
     * memory: the claim after the lease sends it, once. */
    c = db_acquire(pool, 1000);
    event_json(p[4], sizeof p[4], "evt_late");
    assert_int_equal(outbox_enqueue_leased(c, "evt_late", "test.event", p[4], 2500), DB_OK);
    db_release(pool, c);
    assert_int_equal(outbox_queue_push(q, "evt_late", p[4], 2500), 0);
    assert_int_equal(outbox_tick_queue(pool, &cfg, q), 0);
    assert_int_equal(rx_count("evt_late"), 0);
    end = mono_ms() + 10000;
    while (rx_count("evt_late") == 0 && mono_ms() < end) {
        assert_true(outbox_tick_queue(pool, &cfg, q) >= 0);
        usleep(100 * 1000);
    }
    assert_int_equal(rx_count("evt_late"), 1);

    /* Failures from memory are retried by the table like any other. */
    rx.fail_first = 1;
    cfg.retry_base_ms = 100;
    c = db_acquire(pool, 1000);
    event_json(p[5], sizeof p[5], "evt_retry");
    assert_int_equal(outbox_enqueue_leased(c, "evt_retry", "test.event", p[5], lease), DB_OK);
    db_release(pool, c);
    assert_int_equal(outbox_queue_push(q, "evt_retry", p[5], lease), 0);
    end = mono_ms() + 10000;
    while (scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL") > 0 &&
           mono_ms() < end) {
        assert_true(outbox_tick_queue(pool, &cfg, q) >= 0);
        usleep(50 * 1000);
    }
    assert_int_equal(rx_count("evt_retry"), 2);
    assert_int_equal(scalar_long(uri, "SELECT attempts FROM outbox WHERE id = 'evt_retry'"
                                      " AND delivered_at IS NOT NULL"),
                     2);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox_attempts"
                                      " WHERE event_id = 'evt_retry'"),
                     2);
    for (int h = 0; h < rx.nhits; h++) {
        assert_int_equal(rx.hits[h].sig, SIG_OK);
        assert_int_equal(rx.hits[h].tx_open, 0);
    }
    outbox_queue_destroy(q);
    db_pool_destroy(pool);
    rx_stop();
}

/* A tick that begins only once its loop is asked to stop. */
static int stopping_tick(void *arg)
{
    void **a = arg;
    while (!bg_stopping())
        usleep(10 * 1000);
    return outbox_tick_queue(a[0], a[1], a[2]);
}

/* A loop that is stopping sends nothing more: the events it claimed go
 * back to the table due now, their attempt not counted, instead of waiting
 * out a lease. */
static void test_stop_hands_back(void **state)
{
    (void)state;
    char uri[512];
    fresh_db("common_outbox_stop", uri, sizeof uri);
    rx_start(uri, 0);
    struct outbox_config cfg = config(rx.url);
    struct db_pool *pool = db_pool_create(uri, 2);
    struct db_conn *c = db_acquire(pool, 1000);
    char id[32], p[256];
    for (int i = 0; i < 3; i++) {
        snprintf(id, sizeof id, "evt_s%d", i);
        event_json(p, sizeof p, id);
        assert_int_equal(outbox_enqueue(c, id, "test.event", p), DB_OK);
    }
    db_release(pool, c);
    void *arg[] = {pool, &cfg, NULL};
    struct bg_loop *loop = bg_start("outbox-stop", stopping_tick, arg, 50);
    usleep(50 * 1000);
    bg_stop(loop);
    assert_int_equal(rx.nhits, 0);
    assert_int_equal(scalar_long(uri, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL"
                                      " AND attempts = 0 AND next_attempt_at <= now()"),
                     3);
    /* and the next loop sends them at once */
    assert_int_equal(outbox_tick(pool, &cfg), 3);
    assert_int_equal(rx.nhits, 3);
    db_pool_destroy(pool);
    rx_stop();
}

static void test_database_unreachable(void **state)
{
    (void)state;
    char bad[128];
    snprintf(bad, sizeof bad, "postgresql://127.0.0.1:%d/x", test_free_port());
    struct db_pool *pool = db_pool_create(bad, 1);
    struct outbox_config cfg = config("http://127.0.0.1:1/");
    assert_int_equal(outbox_tick(pool, &cfg), -1);
    db_pool_destroy(pool);
}

int main(void)
{
    test_require_pg();
    rand_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retries_until_delivered),
        cmocka_unit_test(test_transport_failure_and_replay),
        cmocka_unit_test(test_list_and_attempts_api),
        cmocka_unit_test(test_two_deliverers),
        cmocka_unit_test(test_background_loop),
        cmocka_unit_test(test_database_unreachable),
        cmocka_unit_test(test_batch_sent_concurrently),
        cmocka_unit_test(test_lease_covers_one_attempt),
        cmocka_unit_test(test_queue_hand_over),
        cmocka_unit_test(test_stop_hands_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
