/* ticket_testlib.c: see ticket_testlib.h. */
#include "ticket_testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/db.h"
#include "common/rand.h"
#include "common/sig.h"
#include "common/util.h"

void tt_uuid(char out[37])
{
    rand_uuid(out);
}

const char *tt_str(json_t *o, const char *key)
{
    const char *v = json_str(o, key);
    return v ? v : "";
}

/* ---- notification receiver ---- */

static void record(struct notes *n, const char *body, size_t len)
{
    json_error_t err;
    json_t *o = json_loadb(body, len, 0, &err);
    struct note x = {0};
    snprintf(x.id, sizeof x.id, "%s", tt_str(o, "id"));
    snprintf(x.type, sizeof x.type, "%s", tt_str(o, "type"));
    json_t *data = json_object_get(o, "data");
    json_t *b = json_object_get(data, "booking");
    snprintf(x.booking_id, sizeof x.booking_id, "%s", tt_str(b, "booking_id"));
    snprintf(x.status, sizeof x.status, "%s", tt_str(b, "status"));
    x.version = (long)json_integer_value(json_object_get(b, "version"));
    const char *pdf = json_str(data, "ticket_pdf_base64");
    x.has_pdf = pdf && strncmp(pdf, "JVBERi", 6) == 0; /* base64 of "%PDF" */
    json_decref(o);
    pthread_mutex_lock(&n->lock);
    if (n->n == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 64;
        n->v = xrealloc(n->v, n->cap * sizeof *n->v);
    }
    n->v[n->n++] = x;
    pthread_mutex_unlock(&n->lock);
}

/* Only notifications with a good signature are recorded. */
static int on_note(void *ctx, const struct test_delivery *d)
{
    struct notes *n = ctx;
    if (strcmp(d->method, "POST") != 0 || strcmp(d->path, "/internal/notifications") != 0)
        return 404;
    if (!d->signature || sig_verify(TT_NOTIFY_SECRET, d->signature, d->body, d->len,
                                    (long)time(NULL), SIG_TOLERANCE_S) != SIG_OK) {
        pthread_mutex_lock(&n->lock);
        n->bad_sigs++;
        pthread_mutex_unlock(&n->lock);
        return 401;
    }
    record(n, d->body, d->len);
    return 204;
}

static int notes_start(struct notes *n)
{
    memset(n, 0, sizeof *n);
    pthread_mutex_init(&n->lock, NULL);
    return test_receiver_start(&n->rx, "/internal/notifications", on_note, n);
}

static void notes_stop(struct notes *n)
{
    test_receiver_stop(&n->rx);
    free(n->v);
    n->v = NULL;
    n->n = n->cap = 0;
}

static int notes_find(struct notes *n, const char *booking_id, const char *type, struct note *out)
{
    int found = 0;
    pthread_mutex_lock(&n->lock);
    for (size_t i = 0; i < n->n && !found; i++)
        if (strcmp(n->v[i].booking_id, booking_id) == 0 && strcmp(n->v[i].type, type) == 0) {
            found = 1;
            if (out)
                *out = n->v[i];
        }
    pthread_mutex_unlock(&n->lock);
    return found;
}

int notes_wait(struct notes *n, const char *booking_id, const char *type, int timeout_ms,
               struct note *out)
{
    int64_t until = now_ms() + timeout_ms;
    do {
        if (notes_find(n, booking_id, type, out))
            return 1;
        sleep_ms(50);
    } while (now_ms() < until);
    return 0;
}

size_t notes_count(struct notes *n, const char *booking_id, const char *type)
{
    size_t k = 0;
    pthread_mutex_lock(&n->lock);
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(n->v[i].booking_id, booking_id) == 0 && strcmp(n->v[i].type, type) == 0)
            k++;
    pthread_mutex_unlock(&n->lock);
    return k;
}

/* ---- daemons ---- */

static int start_ticket(struct suite *s, const char *const *ticket_env)
{
    char db[600], pay_url[600], notify_url[600];
    snprintf(db, sizeof db, "DATABASE_URL=%s", s->ticket_db);
    snprintf(pay_url, sizeof pay_url, "PAYMENT_APP_URL=%s", s->pay.base_url);
    snprintf(notify_url, sizeof notify_url, "NOTIFY_URL=%s", s->notes.rx.url);
    const char *defaults[] = {db,
                              "TICKET_ADMIN_TOKEN=" TT_ADMIN,
                              "TICKET_SERVICE_TOKEN=" TT_SERVICE,
                              "PAYMENT_SERVICE_TOKEN=" TT_PAY_TOKEN,
                              "WEBHOOK_SECRET=" TT_WEBHOOK_SECRET,
                              "NOTIFY_SECRET=" TT_NOTIFY_SECRET,
                              "TICKET_CODE_SECRET=" TT_CODE_SECRET,
                              pay_url,
                              notify_url,
                              "ORGANIZER_FAILURE_RATE=0",
                              "NOTIFY_RETRY_BASE_MS=200",
                              "DB_POOL_SIZE=8",
                              NULL};
    const char *env[48];
    test_env_merge(env, 48, defaults, ticket_env);
    if (test_daemon_start(&s->ticket, "ticket-app", TICKET_APP_BIN, "TICKET_APP_PORT",
                          s->ticket_port, env) != 0)
        return -1;
    s->ticket_running = 1;
    return 0;
}

int suite_start(struct suite *s, const char *const *pay_env, const char *const *ticket_env)
{
    memset(s, 0, sizeof *s);
    rand_init();
    if (test_db_create("ticket_t", NULL, s->ticket_db, sizeof s->ticket_db) != 0 ||
        test_db_create("ticket_pay", NULL, s->pay_db, sizeof s->pay_db) != 0)
        return -1;
    if (notes_start(&s->notes) != 0)
        return -1;
    s->ticket_port = test_free_port();
    char db[600], hook_url[600];
    snprintf(db, sizeof db, "DATABASE_URL=%s", s->pay_db);
    snprintf(hook_url, sizeof hook_url, "WEBHOOK_URL=http://127.0.0.1:%d/webhooks/payment",
             s->ticket_port);
    const char *defaults[] = {db,
                              hook_url,
                              "WEBHOOK_SECRET=" TT_WEBHOOK_SECRET,
                              "PAYMENT_SERVICE_TOKEN=" TT_PAY_TOKEN,
                              "PAYMENT_FAILURE_RATE=0",
                              "PAYMENT_DELAY_MS=0",
                              "WEBHOOK_RETRY_BASE_MS=200",
                              NULL};
    const char *env[32];
    test_env_merge(env, 32, defaults, pay_env);
    if (test_daemon_start(&s->pay, "payment-app", PAYMENT_APP_BIN, "PAYMENT_APP_PORT", 0, env) != 0)
        return -1;
    s->pay_running = 1;
    return start_ticket(s, ticket_env);
}

int suite_restart_ticket(struct suite *s, const char *const *ticket_env)
{
    if (s->ticket_running)
        test_daemon_stop(&s->ticket);
    s->ticket_running = 0;
    return start_ticket(s, ticket_env);
}

void suite_stop_payment(struct suite *s)
{
    if (s->pay_running)
        test_daemon_stop(&s->pay);
    s->pay_running = 0;
}

void suite_stop(struct suite *s)
{
    if (s->ticket_running) {
        int st = test_daemon_stop(&s->ticket);
        if (st != 0)
            fprintf(stderr, "ticket-app exit status %d (log %s)\n", st, s->ticket.log_path);
    }
    suite_stop_payment(s);
    s->ticket_running = 0;
    notes_stop(&s->notes);
}

/* ---- HTTP helpers ---- */

long tt_call(struct suite *s, const char *method, const char *path, const char *bearer,
             json_t *body, json_t **out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->ticket.base_url, path);
    return test_http_json(method, url, bearer, body, out);
}

long tt_pay_call(struct suite *s, const char *method, const char *path, json_t *body, json_t **out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->pay.base_url, path);
    return test_http_json(method, url, TT_PAY_TOKEN, body, out);
}

json_t *tt_create_event(struct suite *s, const char *sections_json, char id[37])
{
    json_error_t err;
    json_t *sections = json_loads(sections_json, 0, &err);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:{s:o}}", "name", "Test Concert", "venue",
                             "Hall 1", "starts_at", "2030-01-01T19:00:00Z", "currency", "IDR",
                             "layout", "sections", sections);
    json_t *ev = NULL;
    long st = tt_call(s, "POST", "/api/events", TT_ADMIN, body, &ev);
    json_decref(body);
    if (st != 201) {
        fprintf(stderr, "create event: %ld\n", st);
        json_decref(ev);
        return NULL;
    }
    snprintf(id, 37, "%s", tt_str(ev, "id"));
    json_decref(ev);
    char path[128];
    snprintf(path, sizeof path, "/api/events/%s/seats", id);
    json_t *seats = NULL;
    if (tt_call(s, "GET", path, NULL, NULL, &seats) != 200) {
        json_decref(seats);
        return NULL;
    }
    json_t *items = json_incref(json_object_get(seats, "items"));
    json_decref(seats);
    return items;
}

long tt_book(struct suite *s, const char *booking_id, const char *user, const char *event_id,
             const char *const *seat_ids, size_t n, json_t **out)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, json_string(seat_ids[i]));
    json_t *body = json_pack("{s:s, s:s, s:s, s:o}", "booking_id", booking_id, "user_id", user,
                             "event_id", event_id, "seat_ids", ids);
    long st = tt_call(s, "POST", "/api/bookings", TT_SERVICE, body, out);
    json_decref(body);
    return st;
}

int tt_wait_status(struct suite *s, const char *booking_id, const char *status, int timeout_ms)
{
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", booking_id);
    int64_t until = now_ms() + timeout_ms;
    do {
        json_t *b = NULL;
        long st = tt_call(s, "GET", path, TT_SERVICE, NULL, &b);
        int ok = st == 200 && strcmp(tt_str(b, "status"), status) == 0;
        json_decref(b);
        if (ok)
            return 0;
        sleep_ms(100);
    } while (now_ms() < until);
    return -1;
}

long tt_pay(struct suite *s, const char *invoice_number)
{
    char path[128];
    snprintf(path, sizeof path, "/api/invoices/%s/pay", invoice_number);
    json_t *body = json_pack("{s:s}", "method", "card");
    long st = tt_pay_call(s, "POST", path, body, NULL);
    json_decref(body);
    return st;
}

long tt_webhook(struct suite *s, const char *body, long t, const char *sig)
{
    char header[SIG_HEADER_MAX + 32], url[256];
    char sigv[SIG_HEADER_MAX];
    if (!sig) {
        sig_sign(TT_WEBHOOK_SECRET, body, strlen(body), t ? t : (long)time(NULL), sigv,
                 sizeof sigv);
        sig = sigv;
    }
    snprintf(header, sizeof header, "X-Signature: %s", sig);
    snprintf(url, sizeof url, "%s/webhooks/payment", s->ticket.base_url);
    const char *headers[] = {header, "Content-Type: application/json", NULL};
    return test_http("POST", url, headers, body, NULL);
}

/* ---- SQL ---- */

char *tt_q(struct suite *s, const char *sql, const char *p1, const char *p2)
{
    char err[256];
    struct db_conn *c = db_connect(s->ticket_db, err, sizeof err);
    if (!c) {
        fprintf(stderr, "tt_q: %s\n", err);
        return NULL;
    }
    struct db_stmt st = {"tt_q", sql};
    const char *p[] = {p1, p2};
    int np = p2 ? 2 : p1 ? 1 : 0;
    PGresult *r = NULL;
    char *out = NULL;
    if (db_exec(c, &st, np, p, &r) == DB_OK) {
        if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
            out = xstrdup(PQgetvalue(r, 0, 0));
        PQclear(r);
    } else {
        fprintf(stderr, "tt_q failed: %s: %s\n", sql, db_last_error(c));
    }
    db_disconnect(c);
    return out;
}

long tt_q_long(struct suite *s, const char *sql, const char *p1, const char *p2)
{
    char *v = tt_q(s, sql, p1, p2);
    long x = v ? atol(v) : -1;
    free(v);
    return x;
}

const char *tt_seat_status(struct suite *s, const char *seat_id)
{
    static char buf[32];
    char *v = tt_q(s, "SELECT status FROM seats WHERE id = $1", seat_id, NULL);
    snprintf(buf, sizeof buf, "%s", v ? v : "?");
    free(v);
    return buf;
}
