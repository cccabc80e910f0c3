/* queue_handler.c: the waiting room (docs/waitroom.md): a user's ticket,
 * the admin's figures, the admission loop every instance runs (the
 * database's row lock makes each step happen once), the pass check of
 * POST /api/bookings, and the queue part of the admin's event answers. */
#include "queue_handler.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "common/bg.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/sig.h"
#include "common/util.h"
#include "queue_store.h"

/* Whether an event's queue is on, as read a moment ago: a booking for an
 * event without a waiting room (nearly all of them) costs no statement
 * more. Only a cache: an admin's change made through this instance drops
 * its entry at once; one made through another is seen here within
 * QUEUE_SEEN_MS. */
#define QUEUE_SEEN_SLOTS 1024
#define QUEUE_SEEN_MS 1000

struct queue_seen {
    pthread_mutex_t lock;
    struct {
        char event_id[37];
        int enabled;
        int64_t at_ms; /* mono_ms of the read; 0 = empty */
    } slot[QUEUE_SEEN_SLOTS];
};

static size_t seen_slot(const char *event_id)
{
    size_t h = 5381;
    for (const char *p = event_id; *p; p++)
        h = h * 33 + (unsigned char)(*p | 0x20);
    return h % QUEUE_SEEN_SLOTS;
}

/* 1 with *enabled set when event_id was read under QUEUE_SEEN_MS ago. */
static int seen_get(struct queue_seen *s, const char *event_id, int *enabled)
{
    if (!s)
        return 0;
    size_t i = seen_slot(event_id);
    int hit = 0;
    pthread_mutex_lock(&s->lock);
    if (s->slot[i].at_ms && mono_ms() - s->slot[i].at_ms < QUEUE_SEEN_MS &&
        strcasecmp(s->slot[i].event_id, event_id) == 0) {
        *enabled = s->slot[i].enabled;
        hit = 1;
    }
    pthread_mutex_unlock(&s->lock);
    return hit;
}

static void seen_put(struct queue_seen *s, const char *event_id, int enabled, int drop)
{
    if (!s)
        return;
    size_t i = seen_slot(event_id);
    pthread_mutex_lock(&s->lock);
    if (drop) {
        if (strcasecmp(s->slot[i].event_id, event_id) == 0)
            s->slot[i].at_ms = 0;
    } else {
        snprintf(s->slot[i].event_id, sizeof s->slot[i].event_id, "%s", event_id);
        s->slot[i].enabled = enabled;
        s->slot[i].at_ms = mono_ms();
    }
    pthread_mutex_unlock(&s->lock);
}

/* The {id} of an event path, or NULL after answering 404. */
static const char *queue_event_id(struct http_req *req, struct http_res *res)
{
    const char *id = http_req_param(req, "id");
    if (!id || !uuid_valid(id)) {
        http_res_error(res, 404, "NOT_FOUND", "no such event");
        return NULL;
    }
    return id;
}

/* The QueueTicket JSON of t, its pass signed when it is admitted. */
static json_t *ticket_json(struct client_app *app, const struct queue_ticket *t)
{
    char pass[QUEUE_PASS_MAX];
    int have = queue_ticket_status(t) == QS_ADMITTED &&
               queue_pass_sign(app->queue_secret, t->id, t->event_id, t->user_id,
                               t->pass_expires_ms / 1000, pass, sizeof pass) == 0;
    return queue_ticket_json(t, have ? pass : NULL);
}

void queue_handle_join(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    const char *event_id = queue_event_id(req, res);
    if (!event_id)
        return;
    char id[37];
    rand_uuid(id);
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    enum queue_join joined = QJ_NONE;
    struct queue_ticket t;
    enum db_status st = queue_store_join(c, event_id, u->id, id, &joined);
    if (st == DB_OK)
        st = queue_store_ticket(c, event_id, u->id, &t);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 409, "QUEUE_NOT_ENABLED", "this event has no waiting room");
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    if (joined == QJ_NEW)
        atomic_fetch_add(&app->n_queue_joined, 1);
    http_res_json(res, joined == QJ_NEW ? 201 : 200, ticket_json(app, &t));
}

void queue_handle_me(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    const char *event_id = queue_event_id(req, res);
    if (!event_id)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    struct queue_ticket t;
    enum db_status st = queue_store_ticket(c, event_id, u->id, &t);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "you are not in this event's queue");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_json(res, 200, ticket_json(app, &t));
}

void queue_handle_leave(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    const char *event_id = queue_event_id(req, res);
    if (!event_id)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    enum db_status st = queue_store_leave(c, event_id, u->id);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "you are not in this event's queue");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_no_content(res);
}

static json_t *count_of(const PGresult *r, const char *col)
{
    const char *v = db_get(r, 0, col);
    return v ? json_integer(strtoll(v, NULL, 10)) : json_null();
}

static json_t *text_of(const PGresult *r, const char *col)
{
    const char *v = db_get(r, 0, col);
    return v ? json_string(v) : json_null();
}

void queue_handle_stats(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *event_id = queue_event_id(req, res);
    if (!event_id)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    PGresult *r = NULL;
    enum db_status st = queue_store_stats(c, event_id, &r);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "this event has no waiting room");
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "event_id", json_string(event_id));
    json_object_set_new(o, "enabled", json_boolean(db_get(r, 0, "enabled")[0] == 't'));
    json_object_set_new(o, "waiting", count_of(r, "waiting"));
    json_object_set_new(o, "admitted", count_of(r, "admitted"));
    json_object_set_new(o, "expired", count_of(r, "expired"));
    json_object_set_new(o, "left", count_of(r, "left_line"));
    json_object_set_new(o, "admitted_total", count_of(r, "admitted_total"));
    json_object_set_new(o, "admit_per_minute", count_of(r, "admit_per_minute"));
    json_object_set_new(o, "pass_ttl_seconds", count_of(r, "pass_ttl_seconds"));
    json_object_set_new(o, "sales_start_at", text_of(r, "sales_start_at"));
    json_object_set_new(o, "opened_at", text_of(r, "opened_at"));
    PQclear(r);
    http_res_json(res, 200, o);
}

int queue_tick(void *appv)
{
    struct client_app *app = appv;
    struct db_conn *c = db_acquire(app->pool, 1000);
    if (!c)
        return -1;
    PGresult *r = NULL;
    enum db_status st = queue_store_due(c, &r);
    long total = 0;
    for (int i = 0; st == DB_OK && i < PQntuples(r); i++) {
        long numbered = 0, admitted = 0;
        const char *ev = db_get(r, i, "event_id");
        DB_RETRYING(st, queue_store_advance(c, ev, &numbered, &admitted));
        if (st == DB_OK && numbered > 0)
            log_info("queue numbered event_id=%s tickets=%ld", ev, numbered);
        total += admitted;
    }
    PQclear(r);
    db_release(app->pool, c);
    if (st != DB_OK) {
        log_warn("queue step failed: %s", db_status_name(st));
        return -1;
    }
    atomic_fetch_add(&app->n_queue_admitted, total);
    return 0; /* the next step after the interval: admissions are due by time */
}

static int queue_loop_tick(void *appv)
{
    return queue_tick(appv) < 0 ? -1 : 0;
}

int queue_start(struct client_app *app)
{
    if (app->queue_pass_secret && app->queue_pass_secret[0]) {
        snprintf(app->queue_secret, sizeof app->queue_secret, "%s", app->queue_pass_secret);
    } else {
        /* a key of its own, derived: the pass MAC never uses the
         * notification key itself */
        static const char label[] = "client-app queue pass key v1";
        hmac_sha256_hex(app->notify_secret, label, sizeof label - 1, app->queue_secret);
    }
    app->queue_seen = xcalloc(1, sizeof *app->queue_seen);
    pthread_mutex_init(&app->queue_seen->lock, NULL);
    app->queue_loop = bg_start("client-queue", queue_loop_tick, app, (int)app->queue_interval_ms);
    return 0;
}

void queue_stop(struct client_app *app)
{
    if (app->queue_loop)
        bg_stop(app->queue_loop);
    app->queue_loop = NULL;
    if (app->queue_seen) {
        pthread_mutex_destroy(&app->queue_seen->lock);
        free(app->queue_seen);
    }
    app->queue_seen = NULL;
}

static void refuse(struct http_res *res, enum queue_pass_check why)
{
    static const char *const message[] = {
        [QP_OK] = "a queue pass is required",
        [QP_MISSING] = "this event's sale goes through its waiting room: join the queue, then "
                       "book with the pass in X-Queue-Pass",
        [QP_FORGED] = "the queue pass is not valid",
        [QP_WRONG_EVENT] = "the queue pass is for another event",
        [QP_WRONG_USER] = "the queue pass is another user's",
        [QP_EXPIRED] = "the queue pass has expired: join the queue again",
    };
    http_res_error_full(res, 403, "QUEUE_PASS_REQUIRED", message[why],
                        json_pack("{s:s}", "reason", queue_pass_check_name(why)), NULL);
}

int queue_gate_check(struct client_app *app, struct http_req *req, struct http_res *res,
                     const char *user_id, const char *event_id, struct queue_gate *g)
{
    memset(g, 0, sizeof *g);
    int enabled = 0;
    if (!seen_get(app->queue_seen, event_id, &enabled)) {
        struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
        if (!c)
            return -1;
        struct queue_config cfg;
        enum db_status st = queue_store_config_get(c, event_id, &cfg);
        db_release(app->pool, c);
        if (st != DB_OK && st != DB_NOT_FOUND) {
            http_res_db_error(res, st);
            return -1;
        }
        enabled = st == DB_OK && cfg.enabled;
        seen_put(app->queue_seen, event_id, enabled, 0);
    }
    if (!enabled)
        return 0;
    enum queue_pass_check why =
        queue_pass_verify(app->queue_secret, http_req_header(req, "X-Queue-Pass"), user_id,
                          event_id, now_ms() / 1000, g->ticket_id);
    if (why != QP_OK) {
        atomic_fetch_add(&app->n_queue_pass_refused, 1);
        refuse(res, why);
        return -1;
    }
    g->required = 1;
    return 0;
}

enum db_status queue_gate_claim(struct client_app *app, struct db_conn *c,
                                const struct queue_gate *g, const char *user_id,
                                const char *event_id, const char *booking_id)
{
    /* an attempt recorded nowhere after this long died (or was invalid) */
    long stale_ms = app->ticket_timeout_ms + 5000;
    return queue_store_claim(c, event_id, user_id, g->ticket_id, booking_id, stale_ms);
}

void queue_gate_refuse(struct client_app *app, struct http_res *res, const char *user_id,
                       const char *event_id)
{
    struct queue_ticket t;
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    enum db_status st = c ? queue_store_ticket(c, event_id, user_id, &t) : DB_UNAVAILABLE;
    db_release(app->pool, c);
    enum queue_status now = st == DB_OK ? queue_ticket_status(&t) : QS_UNKNOWN;
    atomic_fetch_add(&app->n_queue_pass_refused, 1);
    if (now == QS_EXPIRED) {
        refuse(res, QP_EXPIRED);
    } else if (now == QS_LEFT || now == QS_WAITING) { /* left, perhaps joined again */
        http_res_error_full(res, 403, "QUEUE_PASS_REQUIRED",
                            "this pass's ticket left the line: wait for the new pass",
                            json_pack("{s:s}", "reason", "LEFT"), NULL);
    } else {
        http_res_error_full(res, 403, "QUEUE_PASS_REQUIRED",
                            "this queue pass bought a booking already (or one is being made "
                            "with it): join the queue again to buy more",
                            json_pack("{s:s}", "reason", "SPENT"), NULL);
    }
}

int queue_admin_parse(struct client_app *app, struct http_res *res, const char *event_id,
                      json_t *body, struct queue_config *cfg)
{
    struct queue_config stored;
    int have_stored = 0;
    if (event_id && json_object_get(body, "queue")) {
        struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
        if (!c)
            return -1;
        enum db_status st = queue_store_config_get(c, event_id, &stored);
        db_release(app->pool, c);
        if (st != DB_OK && st != DB_NOT_FOUND) {
            http_res_db_error(res, st);
            return -1;
        }
        have_stored = st == DB_OK;
    }
    json_t *details = json_object();
    int rc = queue_config_parse(body, have_stored ? &stored : NULL, cfg, details);
    if (rc < 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the request has invalid fields",
                            details, NULL);
        return -1;
    }
    json_decref(details);
    json_object_del(body, "queue");
    return rc;
}

void queue_admin_answer(struct client_app *app, struct http_res *res,
                        const struct queue_config *cfg)
{
    if (res->status < 200 || res->status >= 300 || !res->body)
        return;
    json_t *ev = json_loadb(res->body, res->body_len, 0, NULL);
    const char *id = json_str(ev, "id");
    if (!id || !uuid_valid(id)) {
        json_decref(ev);
        return;
    }
    const char *sales = json_str(ev, "sales_start_at");
    struct queue_config now_cfg;
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    enum db_status st = c ? DB_OK : DB_UNAVAILABLE;
    if (st == DB_OK && cfg)
        st = queue_store_config_put(c, id, cfg, sales);
    if (cfg)
        seen_put(app->queue_seen, id, 0, 1); /* the new setting holds at once here */
    else if (st == DB_OK)
        st = queue_store_sales_start(c, id, sales);
    if (st == DB_OK)
        st = queue_store_config_get(c, id, &now_cfg);
    db_release(app->pool, c);
    if (st != DB_OK && st != DB_NOT_FOUND) {
        /* the event was changed at ticket-app; its queue was not */
        log_warn("queue of event %s not stored: %s", id, db_status_name(st));
        int code = (int)res->status;
        json_decref(ev);
        http_res_error(res, 503, "QUEUE_NOT_STORED",
                       "the event was saved but its queue setting was not (HTTP %d): send the "
                       "queue again",
                       code);
        return;
    }
    json_object_set_new(ev, "queue", st == DB_OK ? queue_config_json(&now_cfg) : json_null());
    http_res_json(res, (int)res->status, ev);
}

void queue_event_ended(struct client_app *app, const char *event_id, int deleted)
{
    struct db_conn *c = db_acquire(app->pool, 2000);
    enum db_status st = c ? queue_store_end(c, event_id, deleted) : DB_UNAVAILABLE;
    db_release(app->pool, c);
    seen_put(app->queue_seen, event_id, 0, 1);
    if (st != DB_OK)
        log_warn("queue of ended event %s not closed: %s", event_id, db_status_name(st));
}

void queue_add_to_events(struct client_app *app, json_t *events, int fresh)
{
    size_t n = json_array_size(events);
    if (n == 0)
        return;
    const char **ids = xmalloc(n * sizeof *ids);
    struct queue_config *cfgs = xcalloc(n, sizeof *cfgs);
    int *found = xcalloc(n, sizeof *found);
    for (size_t i = 0; i < n; i++) {
        const char *id = json_str(json_array_get(events, i), "id");
        ids[i] = id && uuid_valid(id) ? id : "00000000-0000-0000-0000-000000000000";
    }
    struct db_conn *c = db_acquire(app->pool, 2000);
    enum db_status st = c ? queue_store_configs(c, ids, n, cfgs, found) : DB_UNAVAILABLE;
    /* a sale moved at ticket-app itself: the queue's copy of its opening
     * follows what ticket-app says (a no-op statement when it agrees) */
    for (size_t i = 0; fresh && st == DB_OK && i < n; i++)
        if (found[i] && cfgs[i].enabled &&
            queue_store_sales_start(c, ids[i],
                                    json_str(json_array_get(events, i), "sales_start_at")) != DB_OK)
            log_warn("queue of event %s: sales_start_at not brought in step", ids[i]);
    db_release(app->pool, c);
    if (st != DB_OK) {
        log_warn("queue settings left out of events: %s", db_status_name(st));
    } else {
        for (size_t i = 0; i < n; i++)
            json_object_set_new(json_array_get(events, i), "queue",
                                found[i] ? queue_config_json(&cfgs[i]) : json_null());
    }
    free(ids);
    free(cfgs);
    free(found);
}
