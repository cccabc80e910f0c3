/* chaos.c: the fault-injection suite. The three real daemons on a dedicated
 * PostgreSQL take bookings (client-app), payments (payment-app) and
 * cancellations from parallel workers while the driver kills each daemon
 * with SIGKILL at random moments and restarts it on the same database,
 * keeps ticket-app (payment-app's webhook receiver) and client-app
 * (ticket-app's notification receiver) down for a while, and restarts
 * PostgreSQL under load (the daemons must answer 503 meanwhile, keep
 * running and recover by themselves). Then it waits for quiescence and
 * reconciles the three databases with SQL: paid means confirmed everywhere
 * or refunded, a booked seat has exactly one confirmed, paid booking, no
 * hold outlives its time, every booking reaches a final state in time,
 * every event is delivered and applied once, and client-app's history
 * agrees with ticket-app. Any violation fails the test.
 *
 * Environment: CHAOS_DURATION_S (load phase, default 75), CHAOS_OUTAGE_S
 * (how long a receiver stays down; default 10, or 60 from 300 s of load),
 * CHAOS_THREADS (6), CHAOS_HOLD_TTL_S (8), CHAOS_RETRY_WINDOW_S (60),
 * CHAOS_SEED (random), CHAOS_KEEP (1: keep the data folder and logs),
 * CHAOS_INSTANCES (1, or 2: two instances of each daemon on the same
 * databases behind the API gateway, HAProxy from gateway/haproxy.cfg.in, as
 * `REPLICAS=2 make up` runs them: the load and every call between services
 * go through the gateway's routes; a kill takes one instance, an outage
 * both; some refused buyers join the waitlist, so offers run on both). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "test_suite.h"

#define ADMIN_TOKEN TS_ADMIN_TOKEN

#define NUSERS 8
#define MAX_EVENTS 256
#define SEATS_PER_EVENT 50
#define LIVE_EVENTS 3 /* workers book in the newest few events */

static struct {
    int duration_s, outage_s, threads, hold_ttl_s, window_s, pg_down_s;
    unsigned seed;
    int keep, instances;
} cfg;

static struct hdaemon pay, ticket, client;
static struct test_suite suite; /* the databases and the wiring, not the processes */
static struct hpg pg;
static char uri_pay[1024], uri_ticket[1024], uri_client[1024], uri_recon[1024];
static char workdir[512];

struct user {
    char id[37];
    char token[160];
};
static struct user users[NUSERS];

struct event {
    char id[37];
    int nseats;
    char seats[SEATS_PER_EVENT][37];
};
static struct event events[MAX_EVENTS];
static int nevents;
static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;

/* With CHAOS_INSTANCES=2: the second instances and the gateway. The load,
 * the set-up calls and the services' calls to each other use u_pay,
 * u_ticket, u_client: a daemon's own address with one instance, the
 * gateway's route to any live instance with two. */
static struct hdaemon pay2, ticket2, client2, gw;
static struct hdaemon *instances[6]; /* every daemon process but the gateway */
static int ninstances;
static char u_pay[80], u_ticket[80], u_client[80];

static atomic_int stop_load;

/* What the workers did. */
static atomic_long n_book, n_book_201, n_book_409, n_book_503, n_book_down, n_book_other;
static atomic_long n_pay, n_pay_202, n_pay_409, n_pay_down, n_pay_other, n_pay_late;
static atomic_long n_cancel, n_cancel_200, n_cancel_409, n_cancel_503, n_cancel_down,
    n_cancel_other, n_cancel_paid;
static atomic_long n_5xx; /* answers >= 500 other than 503: a daemon's own fault */
static atomic_long n_401; /* a valid token refused */
static atomic_long n_wl_join, n_wl_201;
/* the gateway's 502/504: a request in flight at an instance that was killed
 * (a POST is not retried elsewhere: it may have been applied); the load
 * treats it as a lost connection */
static atomic_long n_gw_5xx;

/* What the driver did. */
static int f_kill[3], f_down[3], f_pg_fast, f_pg_crash;
static long pg_down_healthz_503, pg_down_healthz_other, pg_recover_ms_max;
static long violations;

static void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void violation(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "VIOLATION: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    violations++;
}

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : def;
}

/* Per-thread random numbers (rand_r state). */
static unsigned rnd(unsigned *st, unsigned n)
{
    return n ? (unsigned)rand_r(st) % n : 0;
}

/* With the gateway, its 502 and 504 (an instance died under the request)
 * count apart and read as a lost connection; other answers unchanged. */
static long via_gw(long st)
{
    if (cfg.instances == 2 && (st == 502 || st == 504)) {
        atomic_fetch_add(&n_gw_5xx, 1);
        return 0;
    }
    return st;
}

static void note_status(long st)
{
    if (st >= 500 && st != 503)
        atomic_fetch_add(&n_5xx, 1);
    if (st == 401)
        atomic_fetch_add(&n_401, 1);
}

/* ---- set-up ---- */

static int create_event(unsigned *rs)
{
    static atomic_int serial;
    int n = atomic_fetch_add(&serial, 1) + 1;
    char body[600];
    snprintf(body, sizeof body,
             "{\"name\":\"Chaos night %d\",\"venue\":\"Hall %u\",\"starts_at\":"
             "\"2031-01-01T19:00:00Z\",\"description\":\"fault injection\",\"currency\":\"IDR\","
             "\"layout\":{\"sections\":[{\"name\":\"Floor\",\"rows\":[\"A\",\"B\",\"C\",\"D\","
             "\"E\"],\"seats_per_row\":%d,\"price\":%u}]}}",
             n, rnd(rs, 100), SEATS_PER_EVENT / 5, 50000 + 1000 * rnd(rs, 100));
    struct hres r;
    if (h_callz("POST", u_ticket, "/api/events", ADMIN_TOKEN, body, &r) != 201) {
        hres_free(&r);
        return -1;
    }
    struct event ev = {0};
    snprintf(ev.id, sizeof ev.id, "%s", h_str(&r, "id"));
    hres_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/api/events/%s/seats", ev.id);
    if (h_callz("GET", u_ticket, path, NULL, NULL, &r) != 200) {
        hres_free(&r);
        return -1;
    }
    json_t *items = json_object_get(r.json, "items"), *s;
    size_t i;
    json_array_foreach(items, i, s)
    {
        if (ev.nseats < SEATS_PER_EVENT)
            snprintf(ev.seats[ev.nseats++], 37, "%s", json_string_value(json_object_get(s, "id")));
    }
    hres_free(&r);
    pthread_mutex_lock(&events_lock);
    int ok = nevents < MAX_EVENTS;
    if (ok)
        events[nevents++] = ev;
    pthread_mutex_unlock(&events_lock);
    return ok ? 0 : -1;
}

static int create_users(void)
{
    for (int i = 0; i < NUSERS; i++) {
        char body[300];
        struct hres r;
        snprintf(body, sizeof body,
                 "{\"username\":\"chaos%d\",\"email\":\"chaos%d@example.com\","
                 "\"password\":\"chaos-password-%d\",\"full_name\":\"Chaos User %d\"}",
                 i, i, i, i);
        if (h_callz("POST", u_client, "/api/users", NULL, body, &r) != 201) {
            fprintf(stderr, "create user: %ld %s\n", r.status, r.body);
            hres_free(&r);
            return -1;
        }
        snprintf(users[i].id, sizeof users[i].id, "%s", h_str(&r, "id"));
        hres_free(&r);
        snprintf(body, sizeof body, "{\"login\":\"chaos%d\",\"password\":\"chaos-password-%d\"}", i,
                 i);
        if (h_callz("POST", u_client, "/api/sessions", NULL, body, &r) != 201) {
            fprintf(stderr, "login: %ld %s\n", r.status, r.body);
            hres_free(&r);
            return -1;
        }
        snprintf(users[i].token, sizeof users[i].token, "%s", h_str(&r, "token"));
        hres_free(&r);
    }
    return 0;
}

/* A free port none of the n in used has. */
static int other_port(const int *used, int n)
{
    for (;;) {
        int p = test_free_port(), clash = 0;
        for (int i = 0; i < n; i++)
            clash |= used[i] == p;
        if (!clash)
            return p;
    }
}

/* What chaos changes in the suite's defaults (test_suite.c): failures and
 * delays to live with, short timeouts and retries, info logs. */
static const char *const chaos_pay_env[] = {
    "PAYMENT_FAILURE_RATE=0.10",
    "PAYMENT_DELAY_MS=300",
    "WEBHOOK_TIMEOUT_MS=2000",
    "WEBHOOK_RETRY_BASE_MS=200",
    "WEBHOOK_RETRY_MAX_MS=3000",
    "PAYMENT_EXPIRY_INTERVAL_MS=500",
    "DB_POOL_SIZE=4",
    "HTTP_WORKERS=6",
    "LOG_LEVEL=info",
    "DB_STARTUP_WAIT_S=60",
    NULL,
};
static char chaos_hold_ttl[64]; /* HOLD_TTL_SECONDS=<cfg.hold_ttl_s> */
static const char *const chaos_ticket_env[] = {
    "TICKET_CODE_SECRET=chaos-code-secret",
    "ORGANIZER_FAILURE_RATE=0.10",
    chaos_hold_ttl,
    "PAYMENT_TIMEOUT_MS=2000",
    "NOTIFY_TIMEOUT_MS=2000",
    "NOTIFY_RETRY_BASE_MS=200",
    "NOTIFY_RETRY_MAX_MS=3000",
    "SWEEP_INTERVAL_MS=250",
    "DB_POOL_SIZE=4",
    "HTTP_WORKERS=6",
    "LOG_LEVEL=info",
    "DB_STARTUP_WAIT_S=60",
    NULL,
};
static const char *const chaos_client_env[] = {
    "TICKET_TIMEOUT_MS=3000",
    "MAINTENANCE_INTERVAL_MS=500",
    "DB_POOL_SIZE=4",
    "HTTP_WORKERS=6",
    "LOG_LEVEL=info",
    "DB_STARTUP_WAIT_S=60",
    NULL,
};

/* The gateway's configuration for two instances of each daemon, rendered
 * by scripts/lib.sh from gateway/haproxy.cfg.in (the one `REPLICAS=N make
 * up` uses), routes on ports[0..2] (payment, ticket, client) and the public
 * port ports[3]. 0 or -1. */
static int render_gateway(const int *ports, char *cfg_path, size_t cfg_len)
{
    snprintf(cfg_path, cfg_len, "%s/haproxy.cfg", workdir);
    char cmd[3000];
    snprintf(cmd, sizeof cmd,
             "env GATEWAY_RUN='%s' GATEWAY_BIND=127.0.0.1 SERVICE_BIND=127.0.0.1 "
             "PAYMENT_APP_PORT=%d TICKET_APP_PORT=%d CLIENT_APP_PORT=%d GATEWAY_PORT=%d "
             "RATE_LIMIT_PER_MINUTE=0 SERVERS_PAYMENT='127.0.0.1:%d 127.0.0.1:%d' "
             "SERVERS_TICKET='127.0.0.1:%d 127.0.0.1:%d' "
             "SERVERS_CLIENT='127.0.0.1:%d 127.0.0.1:%d' "
             "bash -c 'source \"%s/scripts/lib.sh\" && gateway_render \"%s\"'",
             workdir, ports[0], ports[1], ports[2], ports[3], pay.port, pay2.port, ticket.port,
             ticket2.port, client.port, client2.port, REPO_DIR, cfg_path);
    int rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "could not render the gateway's configuration (%d)\n", rc);
        return -1;
    }
    return 0;
}

/* Appends a fresh port to used (n entries) and returns it. */
static int add_port(int *used, int *n)
{
    int p = other_port(used, *n);
    used[(*n)++] = p;
    return p;
}

/* The three on fresh databases of the dedicated PostgreSQL, wired as
 * test_suite (common/testing) wires them; with two instances, a second of
 * each on the same database and environment, and every call between them
 * through the gateway's routes. */
static int setup_daemons(void)
{
    int used[10], n = 0;
    add_port(used, &n);
    add_port(used, &n);
    add_port(used, &n);
    snprintf(chaos_hold_ttl, sizeof chaos_hold_ttl, "HOLD_TTL_SECONDS=%d", cfg.hold_ttl_s);
    struct test_suite_opts o = {
        .name = "chaos",
        TEST_SUITE_BINARIES,
        .client_env = chaos_client_env,
        .ticket_env = chaos_ticket_env,
        .pay_env = chaos_pay_env,
        .ports = {[TS_CLIENT] = used[2], [TS_TICKET] = used[1], [TS_PAY] = used[0]}};
    int routes[4];
    if (cfg.instances == 2) {
        for (int i = 0; i < 3; i++)
            add_port(used, &n);
        for (int i = 0; i < 4; i++)
            routes[i] = add_port(used, &n);
        snprintf(u_pay, sizeof u_pay, "http://127.0.0.1:%d", routes[0]);
        snprintf(u_ticket, sizeof u_ticket, "http://127.0.0.1:%d", routes[1]);
        snprintf(u_client, sizeof u_client, "http://127.0.0.1:%d", routes[2]);
        o.urls[TS_PAY] = u_pay;
        o.urls[TS_TICKET] = u_ticket;
        o.urls[TS_CLIENT] = u_client;
    }
    /* the databases on the dedicated server, not the suite's */
    hpg_test_env(&pg);
    if (test_suite_prepare(&suite, &o) != 0)
        return -1;
    snprintf(uri_pay, sizeof uri_pay, "%s", suite.pay_db);
    snprintf(uri_ticket, sizeof uri_ticket, "%s", suite.ticket_db);
    snprintf(uri_client, sizeof uri_client, "%s", suite.client_db);
    snprintf(u_pay, sizeof u_pay, "%s", suite.P);
    snprintf(u_ticket, sizeof u_ticket, "%s", suite.T);
    snprintf(u_client, sizeof u_client, "%s", suite.C);

    static const char *const bins[TS_NDAEMONS] = {
        [TS_CLIENT] = CLIENT_APP_BIN, [TS_TICKET] = TICKET_APP_BIN, [TS_PAY] = PAYMENT_APP_BIN};
    struct hdaemon *first[TS_NDAEMONS] = {
        [TS_CLIENT] = &client, [TS_TICKET] = &ticket, [TS_PAY] = &pay};
    struct hdaemon *second[TS_NDAEMONS] = {
        [TS_CLIENT] = &client2, [TS_TICKET] = &ticket2, [TS_PAY] = &pay2};
    static const int order[TS_NDAEMONS] = {TS_PAY, TS_TICKET, TS_CLIENT}; /* the start order */
    for (int k = 0; k < TS_NDAEMONS; k++) {
        int w = order[k];
        hd_init(first[w], test_suite_names[w], bins[w], test_suite_port_vars[w], suite.port[w],
                workdir);
        hd_env_list(first[w], suite.env[w]);
        instances[ninstances++] = first[w];
    }
    if (cfg.instances == 2) {
        for (int k = 0; k < TS_NDAEMONS; k++) {
            int w = order[k];
            char name[32];
            snprintf(name, sizeof name, "%s-2", test_suite_names[w]);
            hd_init(second[w], name, bins[w], test_suite_port_vars[w], used[3 + k], workdir);
            hd_env_list(second[w], suite.env[w]);
            instances[ninstances++] = second[w];
        }
        char cfg_path[700];
        if (render_gateway(routes, cfg_path, sizeof cfg_path) != 0)
            return -1;
        char run[600];
        snprintf(run, sizeof run, "%s/gateway/run", REPO_DIR);
        hd_init(&gw, "gateway", run, "GATEWAY_PORT", routes[3], workdir);
        hd_env(&gw, "GATEWAY_CONFIG=%s", cfg_path);
    }
    return 0;
}

/* The daemons of one service: 1 or 2. */
static int service_instances(const struct hdaemon *first, struct hdaemon **out)
{
    int n = 0;
    out[n++] = (struct hdaemon *)first;
    if (cfg.instances == 2)
        out[n++] = first == &pay ? &pay2 : first == &ticket ? &ticket2 : &client2;
    return n;
}

/* ---- the load ---- */

static int pick_seats(unsigned *rs, char ev[37], char seats[3][37])
{
    pthread_mutex_lock(&events_lock);
    int first = nevents > LIVE_EVENTS ? nevents - LIVE_EVENTS : 0;
    const struct event *e = &events[first + (int)rnd(rs, (unsigned)(nevents - first))];
    memcpy(ev, e->id, 37);
    unsigned r = rnd(rs, 10);
    int n = r < 6 ? 1 : r < 9 ? 2 : 3;
    int idx[3];
    for (int i = 0; i < n; i++) {
        int again;
        do {
            idx[i] = (int)rnd(rs, (unsigned)e->nseats);
            again = 0;
            for (int j = 0; j < i; j++)
                again |= idx[j] == idx[i];
        } while (again);
        memcpy(seats[i], e->seats[idx[i]], 37);
    }
    pthread_mutex_unlock(&events_lock);
    return n;
}

/* Pays an invoice as a payer would: again after a transport failure or a
 * 503, a few times. */
static void do_pay(unsigned *rs, const char *invoice)
{
    static const char *methods[] = {"card", "bank_transfer", "ewallet"};
    char path[128], body[64];
    snprintf(path, sizeof path, "/api/invoices/%s/pay", invoice);
    snprintf(body, sizeof body, "{\"method\":\"%s\"}", methods[rnd(rs, 3)]);
    atomic_fetch_add(&n_pay, 1);
    for (int attempt = 0; attempt < 4; attempt++) {
        struct hres r;
        long st = via_gw(h_callz("POST", u_pay, path, NULL, body, &r));
        hres_free(&r);
        note_status(st);
        if (st == 202) {
            atomic_fetch_add(&n_pay_202, 1);
            return;
        }
        if (st == 409) {
            atomic_fetch_add(&n_pay_409, 1);
            return;
        }
        if (st != 0 && st != 503) {
            atomic_fetch_add(&n_pay_other, 1);
            fprintf(stderr, "pay %s: unexpected %ld\n", invoice, st);
            return;
        }
        if (attempt == 3 || atomic_load(&stop_load)) {
            atomic_fetch_add(&n_pay_down, 1);
            return;
        }
        sleep_ms(1000);
    }
}

static void do_cancel(const struct user *u, const char *booking)
{
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", booking);
    atomic_fetch_add(&n_cancel, 1);
    for (int attempt = 0; attempt < 3; attempt++) {
        struct hres r;
        long st = via_gw(h_callz("POST", u_client, path, u->token, NULL, &r));
        hres_free(&r);
        note_status(st);
        if (st == 200) {
            atomic_fetch_add(&n_cancel_200, 1);
            return;
        }
        if (st == 409) {
            atomic_fetch_add(&n_cancel_409, 1);
            return;
        }
        if (st != 0 && st != 503) {
            atomic_fetch_add(&n_cancel_other, 1);
            fprintf(stderr, "cancel %s: unexpected %ld\n", booking, st);
            return;
        }
        if (attempt == 2 || atomic_load(&stop_load)) {
            atomic_fetch_add(st == 503 ? &n_cancel_503 : &n_cancel_down, 1);
            return;
        }
        sleep_ms(1000);
    }
}

/* Waits (bounded) until client-app shows the booking CONFIRMED. */
static int wait_confirmed(const struct user *u, const char *booking, long ms)
{
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", booking);
    for (long long until = (long long)mono_ms() + ms;
         (long long)mono_ms() < until && !atomic_load(&stop_load);) {
        struct hres r;
        long st = via_gw(h_callz("GET", u_client, path, u->token, NULL, &r));
        note_status(st);
        int done = st == 200 && strcmp(h_str(&r, "status"), "CONFIRMED") == 0;
        int final = st == 200 && strcmp(h_str(&r, "status"), "PENDING_PAYMENT") != 0;
        hres_free(&r);
        if (done)
            return 1;
        if (final)
            return 0;
        sleep_ms(300);
    }
    return 0;
}

/* One booking's life: book (again with the same Idempotency-Key after a
 * transport failure), then pay soon, pay late, cancel, pay and cancel the
 * confirmed booking, or walk away. */
static void one_booking(unsigned *rs)
{
    const struct user *u = &users[rnd(rs, NUSERS)];
    char ev[37], seats[3][37];
    int n = pick_seats(rs, ev, seats);
    char body[400], key[80], keyh[120];
    int k = snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[", ev);
    for (int i = 0; i < n; i++)
        k += snprintf(body + k, sizeof body - (size_t)k, "%s\"%s\"", i ? "," : "", seats[i]);
    snprintf(body + k, sizeof body - (size_t)k, "]}");
    snprintf(key, sizeof key, "chaos-%08x%08x", (unsigned)rand_r(rs), (unsigned)rand_r(rs));
    snprintf(keyh, sizeof keyh, "Idempotency-Key: %s", key);
    const char *headers[] = {keyh, NULL};

    atomic_fetch_add(&n_book, 1);
    struct hres r = {0};
    long st = 0;
    long long booked_at = 0;
    for (int attempt = 0; attempt < 4; attempt++) {
        booked_at = (long long)mono_ms();
        st = via_gw(h_call("POST", u_client, "/api/bookings", u->token, body, strlen(body), headers,
                           15000, &r));
        note_status(st);
        const char *code =
            json_string_value(json_object_get(json_object_get(r.json, "error"), "code"));
        int in_progress = st == 409 && code && strcmp(code, "IDEMPOTENCY_IN_PROGRESS") == 0;
        if (st != 0 && !in_progress)
            break;
        hres_free(&r);
        if (atomic_load(&stop_load))
            break;
        sleep_ms(1000);
    }
    if (st == 0) {
        atomic_fetch_add(&n_book_down, 1);
        hres_free(&r);
        sleep_ms(1000 + rnd(rs, 1000));
        return;
    }
    if (st == 409) {
        atomic_fetch_add(&n_book_409, 1);
        hres_free(&r);
        /* with two instances, some refused buyers wait for the seat: its
         * release offers it, from either instance's loop */
        if (cfg.instances == 2 && rnd(rs, 100) < 40) {
            snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_id\":\"%s\"}", ev, seats[0]);
            atomic_fetch_add(&n_wl_join, 1);
            st = via_gw(h_callz("POST", u_client, "/api/waitlist", u->token, body, &r));
            note_status(st);
            if (st == 201)
                atomic_fetch_add(&n_wl_201, 1);
            hres_free(&r);
        }
        return;
    }
    if (st == 503) {
        atomic_fetch_add(&n_book_503, 1);
        hres_free(&r);
        sleep_ms(1000 + rnd(rs, 1000)); /* as a person would: try again a little later */
        return;
    }
    if (st != 201) {
        atomic_fetch_add(&n_book_other, 1);
        fprintf(stderr, "book: unexpected %ld %s\n", st, r.body);
        hres_free(&r);
        return;
    }
    atomic_fetch_add(&n_book_201, 1);
    char bid[37], inv[40];
    snprintf(bid, sizeof bid, "%s", h_str(&r, "id"));
    const char *in =
        json_string_value(json_object_get(json_object_get(r.json, "payment"), "invoice_number"));
    snprintf(inv, sizeof inv, "%s", in ? in : "");
    hres_free(&r);

    unsigned action = rnd(rs, 100);
    if (action < 50) { /* pay soon */
        sleep_ms(rnd(rs, 1000));
        if (inv[0])
            do_pay(rs, inv);
    } else if (action < 62) { /* pay, then cancel the confirmed booking: refund */
        if (inv[0])
            do_pay(rs, inv);
        if (wait_confirmed(u, bid, (cfg.hold_ttl_s + 5) * 1000L)) {
            atomic_fetch_add(&n_cancel_paid, 1);
            do_cancel(u, bid);
        }
    } else if (action < 70) { /* pay and cancel at once: settlement races cancel */
        if (inv[0])
            do_pay(rs, inv);
        sleep_ms(rnd(rs, 400));
        do_cancel(u, bid);
    } else if (action < 80) { /* cancel while pending */
        sleep_ms(rnd(rs, 1500));
        do_cancel(u, bid);
    } else if (action < 90) { /* pay around the end of the hold */
        long long at = booked_at + cfg.hold_ttl_s * 1000L - 400 + rnd(rs, 900);
        while ((long long)mono_ms() < at && !atomic_load(&stop_load))
            sleep_ms(50);
        if (inv[0]) {
            atomic_fetch_add(&n_pay_late, 1);
            do_pay(rs, inv);
        }
    } /* else: walk away, the hold expires */
}

static void *worker(void *arg)
{
    unsigned rs = cfg.seed ^ (unsigned)(uintptr_t)arg * 2654435761u;
    while (!atomic_load(&stop_load)) {
        one_booking(&rs);
        sleep_ms(50 + rnd(&rs, 200));
    }
    return NULL;
}

/* ---- faults ---- */

/* Checks that every daemon that should run does; restarts one that died. */
static void check_alive(const char *when)
{
    for (int i = 0; i <= ninstances; i++) {
        struct hdaemon *d = i < ninstances ? instances[i] : &gw;
        if (d->pid > 0 && !hd_alive(d)) {
            violation("%s died %s (status %d)", d->name, when, d->last_status);
            hd_log_tail(d, 6000);
            hd_start(d, 30000);
        }
    }
}

/* Sleeps ms in small steps, checking the daemons and adding events. */
static void wait_checking(long ms, unsigned *rs)
{
    static long long next_event;
    if (!next_event)
        next_event = (long long)mono_ms() + 15000;
    for (long long until = (long long)mono_ms() + ms; (long long)mono_ms() < until;) {
        sleep_ms(200);
        check_alive("under load");
        if ((long long)mono_ms() >= next_event && ticket.pid > 0) {
            if (create_event(rs) == 0)
                next_event = (long long)mono_ms() + 15000;
        }
    }
}

static double elapsed_s(long long t0)
{
    return (double)((long long)mono_ms() - t0) / 1000.0;
}

static int restart(struct hdaemon *d)
{
    if (hd_start(d, 30000) == 0)
        return 0;
    violation("%s did not restart on its database", d->name);
    return -1;
}

static void fault_kill(struct hdaemon *first, int idx, unsigned *rs, long long t0)
{
    struct hdaemon *all[2];
    int n = service_instances(first, all);
    struct hdaemon *d = all[rnd(rs, (unsigned)n)];
    fprintf(stderr, "[%6.1f s] kill -9 %s (pid %d)\n", elapsed_s(t0), d->name, (int)d->pid);
    hd_kill(d);
    f_kill[idx]++;
    sleep_ms(200 + rnd(rs, 1800));
    restart(d);
    fprintf(stderr, "[%6.1f s] %s restarted (pid %d)\n", elapsed_s(t0), d->name, (int)d->pid);
}

static void fault_down(struct hdaemon *first, int idx, unsigned *rs, long long t0)
{
    struct hdaemon *all[2];
    int n = service_instances(first, all);
    fprintf(stderr, "[%6.1f s] %s down for %d s (%d instance%s)\n", elapsed_s(t0), first->name,
            cfg.outage_s, n, n == 1 ? "" : "s");
    for (int i = 0; i < n; i++)
        hd_kill(all[i]);
    f_down[idx]++;
    wait_checking(cfg.outage_s * 1000L, rs);
    for (int i = 0; i < n; i++) {
        restart(all[i]);
        fprintf(stderr, "[%6.1f s] %s back (pid %d)\n", elapsed_s(t0), all[i]->name,
                (int)all[i]->pid);
    }
}

static void fault_pg(int crash, long long t0)
{
    pid_t before[6];
    for (int i = 0; i < ninstances; i++)
        before[i] = instances[i]->pid;
    fprintf(stderr, "[%6.1f s] PostgreSQL %s\n", elapsed_s(t0),
            crash ? "crash (immediate shutdown)" : "fast shutdown");
    if (crash) {
        hpg_crash(&pg);
        f_pg_crash++;
    } else {
        hpg_stop(&pg);
        f_pg_fast++;
    }
    /* meanwhile: every daemon up, answering /healthz with 503 */
    for (long long until = (long long)mono_ms() + cfg.pg_down_s * 1000L;
         (long long)mono_ms() < until;) {
        for (int i = 0; i < ninstances; i++) {
            struct hres r;
            long st =
                h_call("GET", instances[i]->base_url, "/healthz", NULL, NULL, 0, NULL, 5000, &r);
            hres_free(&r);
            if (st == 503)
                pg_down_healthz_503++;
            else
                pg_down_healthz_other++;
        }
        check_alive("while PostgreSQL was down");
        sleep_ms(500);
    }
    if (hpg_restart(&pg) != 0) {
        violation("PostgreSQL did not start again");
        return;
    }
    long long up = (long long)mono_ms();
    fprintf(stderr, "[%6.1f s] PostgreSQL back\n", elapsed_s(t0));
    /* they recover by themselves: no restart, the same processes */
    for (int i = 0; i < ninstances; i++) {
        struct hdaemon *d = instances[i];
        int healthy = 0;
        while (!healthy && (long long)mono_ms() - up < 30000) {
            struct hres r;
            healthy = h_call("GET", d->base_url, "/healthz", NULL, NULL, 0, NULL, 5000, &r) == 200;
            hres_free(&r);
            if (!healthy)
                sleep_ms(100);
        }
        if (!healthy)
            violation("%s did not recover within 30 s of PostgreSQL's return", d->name);
        if (d->pid != before[i] || !hd_alive(d))
            violation("%s did not survive the PostgreSQL restart", d->name);
    }
    long ms = (long)((long long)mono_ms() - up);
    if (ms > pg_recover_ms_max)
        pg_recover_ms_max = ms;
    fprintf(stderr, "[%6.1f s] all %d healthy again after %ld ms (same pids)\n", elapsed_s(t0),
            ninstances, ms);
}

static void run_faults(long long t0, unsigned *rs)
{
    long long end = t0 + cfg.duration_s * 1000L;
    int next = 0;
    wait_checking(3000 + rnd(rs, 2000), rs);
    while ((long long)mono_ms() < end) {
        long left = (long)(end - (long long)mono_ms());
        int kind = next % 6;
        /* an outage that cannot end before the load does becomes a kill */
        if ((kind == 3 || kind == 4) && left < cfg.outage_s * 1000L + 3000)
            kind = (int)rnd(rs, 3);
        if (kind == 5 && left < cfg.pg_down_s * 1000L + 3000)
            kind = (int)rnd(rs, 3);
        switch (kind) {
        case 0:
            fault_kill(&pay, 0, rs, t0);
            break;
        case 1:
            fault_kill(&ticket, 1, rs, t0);
            break;
        case 2:
            fault_kill(&client, 2, rs, t0);
            break;
        case 3:
            fault_down(&ticket, 1, rs, t0);
            break;
        case 4:
            fault_down(&client, 2, rs, t0);
            break;
        case 5:
            fault_pg((f_pg_fast + f_pg_crash) % 2 == 1, t0);
            break;
        }
        next++;
        long gap = 2500 + rnd(rs, 4000);
        left = (long)(end - (long long)mono_ms());
        wait_checking(gap < left ? gap : (left > 0 ? left : 0), rs);
    }
}

/* ---- quiescence and reconciliation ---- */

static const char q_ticket_busy[] =
    "SELECT (SELECT count(*) FROM bookings WHERE status = 'PENDING_PAYMENT') "
    "     + (SELECT count(*) FROM followups WHERE status = 'PENDING') "
    "     + (SELECT count(*) FROM outbox WHERE delivered_at IS NULL)";
static const char q_pay_busy[] =
    "SELECT (SELECT count(*) FROM invoices WHERE status IN ('PENDING', 'PROCESSING')) "
    "     + (SELECT count(*) FROM payment_jobs WHERE done_at IS NULL) "
    "     + (SELECT count(*) FROM outbox WHERE delivered_at IS NULL)";
static const char q_client_busy[] =
    "SELECT count(*) FROM bookings WHERE status IN ('REQUESTED', 'PENDING_PAYMENT')";

static long quiesce(long limit_ms)
{
    long long t = (long long)mono_ms();
    while ((long long)mono_ms() - t < limit_ms) {
        long a = h_sql_long(uri_ticket, q_ticket_busy, -1);
        long b = h_sql_long(uri_pay, q_pay_busy, -1);
        long c = h_sql_long(uri_client, q_client_busy, -1);
        if (a == 0 && b == 0 && c == 0)
            return (long)((long long)mono_ms() - t);
        check_alive("while settling");
        sleep_ms(1000);
    }
    return -1;
}

/* Copies the rows of a COPY ... TO STDOUT on src into a COPY ... FROM STDIN
 * on dst. 0 or -1. */
static int copy_rows(const char *src_uri, const char *out_sql, PGconn *dst, const char *in_sql)
{
    PGconn *src = PQconnectdb(src_uri);
    int rc = -1;
    PGresult *r1 = NULL, *r2 = NULL;
    if (PQstatus(src) != CONNECTION_OK)
        goto out;
    r1 = PQexec(src, out_sql);
    if (PQresultStatus(r1) != PGRES_COPY_OUT) {
        fprintf(stderr, "copy out: %s", PQerrorMessage(src));
        goto out;
    }
    r2 = PQexec(dst, in_sql);
    if (PQresultStatus(r2) != PGRES_COPY_IN) {
        fprintf(stderr, "copy in: %s", PQerrorMessage(dst));
        goto out;
    }
    char *buf;
    int n;
    while ((n = PQgetCopyData(src, &buf, 0)) > 0) {
        PQputCopyData(dst, buf, n);
        PQfreemem(buf);
    }
    PQputCopyEnd(dst, NULL);
    PGresult *e;
    rc = 0;
    while ((e = PQgetResult(dst))) {
        if (PQresultStatus(e) != PGRES_COMMAND_OK) {
            fprintf(stderr, "copy in: %s", PQresultErrorMessage(e));
            rc = -1;
        }
        PQclear(e);
    }
    while ((e = PQgetResult(src)))
        PQclear(e);
out:
    PQclear(r1);
    PQclear(r2);
    PQfinish(src);
    return rc;
}

/* The recon database: copies of what the checks need from all three. */
static const char recon_schema[] =
    "CREATE TABLE inv (invoice_number text, booking_id uuid, status text, amount bigint, "
    "                  expires_at timestamptz, updated_at timestamptz);"
    "CREATE TABLE pout (id text, topic text, delivered boolean, invoice_number text);"
    "CREATE TABLE pjob (invoice_number text, done boolean);"
    "CREATE TABLE tb (id uuid, user_id text, status text, failure_reason text, "
    "                 invoice_number text, amount bigint, version bigint, "
    "                 created_at timestamptz, updated_at timestamptz, expires_at timestamptz);"
    "CREATE TABLE tseat (id uuid, status text, booking_id uuid, held_until timestamptz);"
    "CREATE TABLE tbs (booking_id uuid, seat_id uuid);"
    "CREATE TABLE tproc (id text, type text);"
    "CREATE TABLE tout (id text, topic text, delivered boolean);"
    "CREATE TABLE tfollow (booking_id uuid, kind text, status text, last_error text);"
    "CREATE TABLE cb (id uuid, user_id uuid, status text, failure_reason text, version bigint, "
    "                 invoice_number text, has_pdf boolean, created_at timestamptz);"
    "CREATE TABLE cev (booking_id uuid, status text, source text, version bigint, "
    "                  created_at timestamptz);"
    "CREATE TABLE cproc (id text, type text, booking_id uuid);"
    "CREATE TABLE twl (id text, user_id text, seat_id uuid, status text, booking_id uuid, "
    "                  offered_at timestamptz);";

struct copy_spec {
    const char *const *src;
    const char *out_sql;
    const char *in_sql;
};

static const char *const src_pay = uri_pay, *const src_ticket = uri_ticket,
                         *const src_client = uri_client;

static const struct copy_spec copies[] = {
    {&src_pay,
     "COPY (SELECT invoice_number, booking_id, status, amount, expires_at, updated_at "
     "FROM invoices) TO STDOUT",
     "COPY inv FROM STDIN"},
    {&src_pay,
     "COPY (SELECT id, topic, delivered_at IS NOT NULL, "
     "payload::json->'data'->'invoice'->>'invoice_number' FROM outbox) TO STDOUT",
     "COPY pout FROM STDIN"},
    {&src_pay, "COPY (SELECT invoice_number, done_at IS NOT NULL FROM payment_jobs) TO STDOUT",
     "COPY pjob FROM STDIN"},
    {&src_ticket,
     "COPY (SELECT id, user_id, status, failure_reason, invoice_number, amount, version, "
     "created_at, updated_at, expires_at FROM bookings) TO STDOUT",
     "COPY tb FROM STDIN"},
    {&src_ticket, "COPY (SELECT id, status, booking_id, held_until FROM seats) TO STDOUT",
     "COPY tseat FROM STDIN"},
    {&src_ticket, "COPY (SELECT booking_id, seat_id FROM booking_seats) TO STDOUT",
     "COPY tbs FROM STDIN"},
    {&src_ticket, "COPY (SELECT id, type FROM processed_events) TO STDOUT",
     "COPY tproc FROM STDIN"},
    {&src_ticket, "COPY (SELECT id, topic, delivered_at IS NOT NULL FROM outbox) TO STDOUT",
     "COPY tout FROM STDIN"},
    {&src_ticket, "COPY (SELECT booking_id, kind, status, last_error FROM followups) TO STDOUT",
     "COPY tfollow FROM STDIN"},
    {&src_client,
     "COPY (SELECT id, user_id, status, failure_reason, version, invoice_number, "
     "ticket_pdf IS NOT NULL, created_at FROM bookings) TO STDOUT",
     "COPY cb FROM STDIN"},
    {&src_client,
     "COPY (SELECT booking_id, status, source, version, created_at FROM booking_events) "
     "TO STDOUT",
     "COPY cev FROM STDIN"},
    {&src_client, "COPY (SELECT id, type, booking_id FROM processed_notifications) TO STDOUT",
     "COPY cproc FROM STDIN"},
    {&src_ticket,
     "COPY (SELECT id, user_id, seat_id, status, booking_id, offered_at FROM waitlist_entries) "
     "TO STDOUT",
     "COPY twl FROM STDIN"},
};

/* Each check selects one text column per violation. $1 is the hold time
 * plus the retry window in seconds. */
struct check {
    const char *name;
    const char *sql;
    /* A change to the copies that this check must catch: run on every
     * reconciliation (and rolled back) so no check passes vacuously. */
    const char *breaks;
};

static const struct check checks[] = {
    {"every PAID invoice has a CONFIRMED booking in ticket-app and client-app",
     "SELECT i.invoice_number || ' booking ' || i.booking_id || ' ticket=' || "
     "coalesce(t.status, 'none') || ' client=' || coalesce(c.status, 'none') "
     "FROM inv i LEFT JOIN tb t ON t.id = i.booking_id LEFT JOIN cb c ON c.id = i.booking_id "
     "WHERE i.status = 'PAID' AND (t.status IS DISTINCT FROM 'CONFIRMED' "
     "OR c.status IS DISTINCT FROM 'CONFIRMED')",
     "UPDATE cb SET status = 'CANCELLED' WHERE id = (SELECT booking_id FROM inv WHERE "
     "status = 'PAID' LIMIT 1)"},
    {"no REFUNDED invoice keeps a CONFIRMED booking",
     "SELECT i.invoice_number || ' booking ' || i.booking_id FROM inv i JOIN tb t "
     "ON t.id = i.booking_id WHERE i.status = 'REFUNDED' AND t.status = 'CONFIRMED'",
     "UPDATE tb SET status = 'CONFIRMED' WHERE id = (SELECT booking_id FROM inv WHERE "
     "status = 'REFUNDED' LIMIT 1)"},
    {"every CONFIRMED booking has its PAID invoice, same number and amount",
     "SELECT t.id || ' invoice ' || coalesce(i.invoice_number, 'none') || ' ' || "
     "coalesce(i.status, '-') || ' amounts ' || t.amount || '/' || coalesce(i.amount, -1) "
     "FROM tb t LEFT JOIN inv i ON i.booking_id = t.id WHERE t.status = 'CONFIRMED' AND "
     "(i.status IS DISTINCT FROM 'PAID' OR i.amount IS DISTINCT FROM t.amount OR "
     "i.invoice_number IS DISTINCT FROM t.invoice_number)",
     "UPDATE inv SET amount = amount + 1 WHERE booking_id = (SELECT id FROM tb WHERE "
     "status = 'CONFIRMED' LIMIT 1)"},
    {"every BOOKED seat has exactly one CONFIRMED booking, its holder",
     "SELECT s.id || ' holder ' || coalesce(s.booking_id::text, 'none') || ' ' || "
     "coalesce(h.status, '-') || ' confirmed bookings ' || "
     "(SELECT count(*) FROM tbs x JOIN tb b ON b.id = x.booking_id "
     " WHERE x.seat_id = s.id AND b.status = 'CONFIRMED') "
     "FROM tseat s LEFT JOIN tb h ON h.id = s.booking_id WHERE s.status = 'BOOKED' AND "
     "(h.status IS DISTINCT FROM 'CONFIRMED' OR (SELECT count(*) FROM tbs x JOIN tb b "
     " ON b.id = x.booking_id WHERE x.seat_id = s.id AND b.status = 'CONFIRMED') <> 1)",
     "INSERT INTO tbs SELECT b.id, s.id FROM tseat s, tb b WHERE s.status = 'BOOKED' "
     "AND b.status = 'CONFIRMED' AND b.id <> s.booking_id LIMIT 1"},
    {"every seat of a CONFIRMED booking is BOOKED by it",
     "SELECT b.id || ' seat ' || x.seat_id || ' is ' || coalesce(s.status, 'gone') "
     "FROM tb b JOIN tbs x ON x.booking_id = b.id LEFT JOIN tseat s ON s.id = x.seat_id "
     "WHERE b.status = 'CONFIRMED' AND (s.status IS DISTINCT FROM 'BOOKED' OR "
     "s.booking_id IS DISTINCT FROM b.id)",
     "UPDATE tseat SET status = 'OPEN', booking_id = NULL WHERE id = (SELECT x.seat_id "
     "FROM tbs x JOIN tb b ON b.id = x.booking_id WHERE b.status = 'CONFIRMED' LIMIT "
     "1)"},
    {"no ON_GOING seat outlives its hold or its booking",
     "SELECT s.id || ' held until ' || s.held_until || ' by ' || coalesce(b.status, 'none') "
     "FROM tseat s LEFT JOIN tb b ON b.id = s.booking_id WHERE s.status = 'ON_GOING' AND "
     "(s.held_until < now() OR b.status IS DISTINCT FROM 'PENDING_PAYMENT')",
     "UPDATE tseat SET status = 'ON_GOING', held_until = now() - interval '1 minute', "
     "booking_id = (SELECT id FROM tb LIMIT 1) WHERE id = (SELECT id FROM tseat WHERE "
     "status = 'OPEN' LIMIT 1)"},
    {"no seat is held by a booking that ended",
     "SELECT s.id || ' ' || s.status || ' by ' || b.id || ' ' || b.status FROM tseat s "
     "JOIN tb b ON b.id = s.booking_id WHERE s.status <> 'OPEN' AND "
     "b.status IN ('FAILED', 'EXPIRED', 'CANCELLED')",
     "UPDATE tseat SET status = 'BOOKED', booking_id = (SELECT id FROM tb WHERE status "
     "= 'EXPIRED' LIMIT 1) WHERE id = (SELECT id FROM tseat WHERE status = 'OPEN' "
     "LIMIT 1)"},
    {"every booking and invoice reached a final state",
     "SELECT 'ticket ' || id || ' ' || status FROM tb WHERE status = 'PENDING_PAYMENT' "
     "UNION ALL SELECT 'client ' || id || ' ' || status FROM cb "
     " WHERE status IN ('REQUESTED', 'PENDING_PAYMENT') "
     "UNION ALL SELECT 'invoice ' || invoice_number || ' ' || status FROM inv "
     " WHERE status IN ('PENDING', 'PROCESSING') "
     "UNION ALL SELECT 'payment job ' || invoice_number FROM pjob WHERE NOT done",
     "UPDATE tb SET status = 'PENDING_PAYMENT' WHERE id = (SELECT id FROM tb WHERE "
     "status = 'EXPIRED' LIMIT 1)"},
    {"every booking reached its final state within hold time plus retry window",
     "SELECT c.id || ' final after ' || "
     "round(extract(epoch FROM min(e.created_at) - c.created_at)) || ' s' "
     "FROM cb c JOIN cev e ON e.booking_id = c.id "
     "WHERE e.status IN ('CONFIRMED', 'FAILED', 'EXPIRED', 'CANCELLED') "
     "GROUP BY c.id, c.created_at "
     "HAVING min(e.created_at) - c.created_at > make_interval(secs => $1::int) "
     "UNION ALL SELECT t.id || ' expired ' || round(extract(epoch FROM t.updated_at - "
     "t.expires_at)) || ' s after its hold' FROM tb t WHERE t.status = 'EXPIRED' AND "
     "t.expires_at IS NOT NULL AND t.updated_at - t.expires_at > "
     "make_interval(secs => $1::int)",
     "UPDATE cev SET created_at = created_at + interval '1 hour' WHERE booking_id = "
     "(SELECT id FROM cb WHERE status = 'CONFIRMED' LIMIT 1)"},
    {"every follow-up (void, refund, release, ticket) done",
     "SELECT booking_id || ' ' || kind || ' ' || status || ' ' || coalesce(last_error, '') "
     "FROM tfollow WHERE status <> 'DONE'",
     "UPDATE tfollow SET status = 'FAILED' WHERE ctid = (SELECT ctid FROM tfollow "
     "LIMIT 1)"},
    {"every webhook and notification delivered",
     "SELECT 'payment ' || id || ' ' || topic FROM pout WHERE NOT delivered "
     "UNION ALL SELECT 'ticket ' || id || ' ' || topic FROM tout WHERE NOT delivered",
     "UPDATE tout SET delivered = false WHERE ctid = (SELECT ctid FROM tout LIMIT 1)"},
    {"every payment event applied by ticket-app, and only those",
     "SELECT 'not applied ' || p.id || ' ' || p.topic FROM pout p "
     " WHERE NOT EXISTS (SELECT 1 FROM tproc t WHERE t.id = p.id AND t.type = p.topic) "
     "UNION ALL SELECT 'unknown event applied ' || t.id FROM tproc t "
     " WHERE NOT EXISTS (SELECT 1 FROM pout p WHERE p.id = t.id)",
     "DELETE FROM tproc WHERE ctid = (SELECT ctid FROM tproc LIMIT 1)"},
    {"every notification applied by client-app, and only those",
     "SELECT 'not applied ' || o.id || ' ' || o.topic FROM tout o "
     " WHERE NOT EXISTS (SELECT 1 FROM cproc c WHERE c.id = o.id) "
     "UNION ALL SELECT 'unknown notification applied ' || c.id FROM cproc c "
     " WHERE NOT EXISTS (SELECT 1 FROM tout o WHERE o.id = c.id)",
     "INSERT INTO cproc VALUES ('ntf_forged', 'booking.confirmed', NULL)"},
    {"no event applied twice",
     "SELECT 'client booking ' || booking_id || ' version ' || version || ' applied ' || "
     "count(*) || ' times' FROM cev WHERE version IS NOT NULL "
     "GROUP BY booking_id, version HAVING count(*) > 1 "
     "UNION ALL SELECT 'invoice ' || invoice_number || ' ' || topic || ' sent as ' || count(*) "
     "|| ' events' FROM pout GROUP BY invoice_number, topic HAVING count(*) > 1 "
     "UNION ALL SELECT 'invoice ' || invoice_number || ' settled by ' || count(*) || ' jobs' "
     "FROM pjob GROUP BY invoice_number HAVING count(*) > 1",
     "INSERT INTO cev SELECT * FROM cev WHERE version IS NOT NULL LIMIT 1"},
    {"client-app's history agrees with ticket-app",
     "SELECT 'client ' || c.id || ' ' || c.status || ' v' || c.version || ' vs ticket ' || "
     "coalesce(t.status, 'none') || ' v' || coalesce(t.version, 0) FROM cb c "
     "LEFT JOIN tb t ON t.id = c.id WHERE (t.id IS NULL AND NOT (c.status = 'FAILED' AND "
     "c.failure_reason = 'TICKET_SERVICE_UNAVAILABLE')) OR (t.id IS NOT NULL AND "
     "(c.status <> t.status OR c.version <> t.version OR c.failure_reason IS DISTINCT FROM "
     "t.failure_reason OR c.invoice_number IS DISTINCT FROM t.invoice_number)) "
     "UNION ALL SELECT 'ticket ' || t.id || ' ' || t.status || ' unknown to client-app' "
     "FROM tb t WHERE NOT EXISTS (SELECT 1 FROM cb c WHERE c.id = t.id)",
     "UPDATE cb SET version = version - 1 WHERE id = (SELECT id FROM cb WHERE status = "
     "'CONFIRMED' LIMIT 1)"},
    {"every waitlist offer is one booking of the waiting user for the seat",
     "SELECT w.id || ' booking ' || w.booking_id || ' ' || coalesce(b.user_id, 'none') FROM twl w "
     "LEFT JOIN tb b ON b.id = w.booking_id WHERE w.booking_id IS NOT NULL AND (b.id IS NULL "
     "OR b.user_id <> w.user_id OR NOT EXISTS (SELECT 1 FROM tbs x WHERE x.booking_id = "
     "w.booking_id AND x.seat_id = w.seat_id))",
     "UPDATE twl SET user_id = 'someone-else' WHERE ctid = (SELECT ctid FROM twl WHERE "
     "booking_id IS NOT NULL LIMIT 1)"},
    {"no seat offered to two waiting buyers at once",
     "SELECT a.id || ' and ' || b.id || ' on seat ' || a.seat_id FROM twl a JOIN twl b ON "
     "b.seat_id = a.seat_id AND a.id < b.id JOIN tb ba ON ba.id = a.booking_id "
     "JOIN tb bb ON bb.id = b.booking_id WHERE tstzrange(ba.created_at, CASE WHEN ba.status = "
     "'CONFIRMED' THEN 'infinity' ELSE ba.updated_at END) && tstzrange(bb.created_at, CASE "
     "WHEN bb.status = 'CONFIRMED' THEN 'infinity' ELSE bb.updated_at END)",
     "INSERT INTO twl SELECT id || '-copy', user_id, seat_id, status, booking_id, offered_at "
     "FROM twl WHERE booking_id IS NOT NULL LIMIT 1"},
    {"every CONFIRMED booking's PDF ticket is stored in client-app",
     "SELECT id::text FROM cb WHERE status = 'CONFIRMED' AND NOT has_pdf",
     "UPDATE cb SET has_pdf = false WHERE id = (SELECT id FROM cb WHERE status = "
     "'CONFIRMED' LIMIT 1)"},
};

static void print_counts(const char *label, const char *uri, const char *sql)
{
    PGresult *r = h_sql(uri, sql);
    printf("  %-22s", label);
    for (int i = 0; r && i < PQntuples(r); i++)
        printf("%s%s %s", i ? ", " : "", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    printf("\n");
    PQclear(r);
}

static void reconcile(void)
{
    char admin[1100];
    hpg_uri(&pg, "postgres", admin, sizeof admin);
    h_sql_exec(admin, "CREATE DATABASE chaos_recon");
    PGconn *dst = PQconnectdb(uri_recon);
    if (PQstatus(dst) != CONNECTION_OK) {
        violation("cannot open the reconciliation database: %s", PQerrorMessage(dst));
        PQfinish(dst);
        return;
    }
    PGresult *r = PQexec(dst, recon_schema);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        violation("recon schema: %s", PQresultErrorMessage(r));
    PQclear(r);
    for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++)
        if (copy_rows(*copies[i].src, copies[i].out_sql, dst, copies[i].in_sql) != 0)
            violation("could not copy for reconciliation: %s", copies[i].out_sql);

    char window[16];
    snprintf(window, sizeof window, "%d", cfg.hold_ttl_s + cfg.window_s);
    const char *params[] = {window};
    printf("reconciliation (%zu checks over the three databases):\n",
           sizeof checks / sizeof checks[0]);
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int np = strstr(checks[i].sql, "$1") ? 1 : 0;
        r = PQexecParams(dst, checks[i].sql, np, NULL, np ? params : NULL, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            violation("check \"%s\" failed to run: %s", checks[i].name, PQresultErrorMessage(r));
            PQclear(r);
            continue;
        }
        int n = PQntuples(r);
        printf("  [%s] %s: %d violation%s\n", n ? "FAIL" : " ok ", checks[i].name, n,
               n == 1 ? "" : "s");
        for (int k = 0; k < n && k < 10; k++)
            printf("      %s\n", PQgetvalue(r, k, 0));
        violations += n;
        PQclear(r);
    }

    /* each check must catch the damage it is about, or it proves nothing */
    int proven = 0, unexercised = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        PQclear(PQexec(dst, "BEGIN"));
        r = PQexec(dst, checks[i].breaks);
        int changed = PQresultStatus(r) == PGRES_COMMAND_OK && atoi(PQcmdTuples(r)) > 0;
        PQclear(r);
        int np = strstr(checks[i].sql, "$1") ? 1 : 0;
        r = PQexecParams(dst, checks[i].sql, np, NULL, np ? params : NULL, NULL, NULL, 0);
        int caught = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
        PQclear(r);
        PQclear(PQexec(dst, "ROLLBACK"));
        if (!changed)
            unexercised++;
        else if (caught)
            proven++;
        else
            violation("check \"%s\" did not catch its own damage", checks[i].name);
    }
    printf("  checks proven to catch a planted inconsistency: %d of %zu (%d without data to "
           "plant it in)\n",
           proven, sizeof checks / sizeof checks[0], unexercised);
    PQfinish(dst);

    printf("final states:\n");
    print_counts("ticket-app bookings", uri_recon,
                 "SELECT status, count(*) FROM tb GROUP BY 1 ORDER BY 1");
    print_counts("ticket-app failures", uri_recon,
                 "SELECT failure_reason, count(*) FROM tb WHERE status = 'FAILED' "
                 "GROUP BY 1 ORDER BY 1");
    print_counts("client-app bookings", uri_recon,
                 "SELECT status, count(*) FROM cb GROUP BY 1 ORDER BY 1");
    print_counts("invoices", uri_recon, "SELECT status, count(*) FROM inv GROUP BY 1 ORDER BY 1");
    print_counts("seats", uri_recon, "SELECT status, count(*) FROM tseat GROUP BY 1 ORDER BY 1");
    print_counts("webhooks / notifs", uri_recon,
                 "SELECT 'payment events', count(*) FROM pout UNION ALL "
                 "SELECT 'notifications', count(*) FROM tout");
    print_counts("waitlist entries", uri_recon,
                 "SELECT status, count(*) FROM twl GROUP BY 1 ORDER BY 1");
    print_counts("ticket-app follow-ups", uri_recon,
                 "SELECT kind, count(*) FROM tfollow GROUP BY 1 ORDER BY 1");
}

/* Attempts per delivered event, from the senders' own records. */
static void print_delivery_figures(void)
{
    static const char q[] =
        "SELECT count(*), coalesce(sum(attempts), 0), coalesce(max(attempts), 0), "
        "coalesce(round(extract(epoch FROM max(delivered_at - created_at))), 0) "
        "FROM outbox WHERE delivered_at IS NOT NULL";
    const char *names[] = {"payment webhooks", "ticket notifications"};
    const char *uris[] = {uri_pay, uri_ticket};
    for (int i = 0; i < 2; i++) {
        PGresult *r = h_sql(uris[i], q);
        if (r && PQntuples(r) == 1)
            printf("  %-22s %s delivered, %s attempts in all, at most %s for one, longest %s s "
                   "from event to delivery\n",
                   names[i], PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
                   PQgetvalue(r, 0, 3));
        PQclear(r);
    }
}

int main(void)
{
    if (!getenv("TEST_PGHOST") || !*getenv("TEST_PGHOST")) {
        fprintf(stderr, "skipped: no test PostgreSQL configured (TEST_PGHOST)\n");
        return 77;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    cfg.duration_s = env_int("CHAOS_DURATION_S", 75);
    cfg.outage_s = env_int("CHAOS_OUTAGE_S", cfg.duration_s >= 300 ? 60 : 10);
    cfg.threads = env_int("CHAOS_THREADS", 6);
    cfg.hold_ttl_s = env_int("CHAOS_HOLD_TTL_S", 8);
    cfg.window_s = env_int("CHAOS_RETRY_WINDOW_S", 60);
    cfg.pg_down_s = env_int("CHAOS_PG_DOWN_S", cfg.duration_s >= 300 ? 10 : 3);
    cfg.seed = (unsigned)env_int("CHAOS_SEED", (int)(time(NULL) ^ getpid()));
    cfg.keep = env_int("CHAOS_KEEP", 0);
    cfg.instances = env_int("CHAOS_INSTANCES", 1) == 2 ? 2 : 1;
    if (cfg.window_s < cfg.outage_s + 20)
        cfg.window_s = cfg.outage_s + 20;
    srand(cfg.seed);
    unsigned rs = cfg.seed;

    const char *base = getenv("TEST_TMPDIR");
    snprintf(workdir, sizeof workdir, "%s/chaos.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(workdir)) {
        perror("mkdtemp");
        return 1;
    }
    chmod(workdir, 0755);
    char pgdir[600];
    snprintf(pgdir, sizeof pgdir, "%s/pg", workdir);
    printf("chaos: %d instance%s of each daemon%s, load %d s, outages %d s, PostgreSQL down %d s, "
           "%d workers, hold %d s, seed %u, logs in %s\n",
           cfg.instances, cfg.instances == 1 ? "" : "s",
           cfg.instances == 1 ? "" : " behind the gateway", cfg.duration_s, cfg.outage_s,
           cfg.pg_down_s, cfg.threads, cfg.hold_ttl_s, cfg.seed, workdir);

    int pgport = test_free_port();
    if (hpg_start(&pg, PG_SCRIPT, pgdir, workdir, pgport) != 0)
        return 1;
    hpg_uri(&pg, "chaos_recon", uri_recon, sizeof uri_recon);

    if (setup_daemons() != 0)
        return 1;
    for (int i = 0; i < ninstances; i++)
        if (hd_start(instances[i], 30000) != 0)
            return 1;
    if (cfg.instances == 2 && hd_start(&gw, 30000) != 0)
        return 1;
    if (create_users() != 0)
        return 1;
    for (int i = 0; i < LIVE_EVENTS; i++)
        if (create_event(&rs) != 0) {
            fprintf(stderr, "could not create the events\n");
            return 1;
        }

    long long t0 = (long long)mono_ms();
    pthread_t th[64];
    int nth = cfg.threads < 64 ? cfg.threads : 64;
    for (int i = 0; i < nth; i++)
        pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1));
    run_faults(t0, &rs);
    atomic_store(&stop_load, 1);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    double load_s = elapsed_s(t0);
    fprintf(stderr, "[%6.1f s] load stopped; waiting for quiescence\n", load_s);

    for (int i = 0; i < ninstances; i++)
        if (instances[i]->pid <= 0 || !hd_alive(instances[i]))
            restart(instances[i]);
    long settle_ms = quiesce((cfg.hold_ttl_s + cfg.window_s) * 1000L);

    printf("\n==== chaos report ====\n");
    printf("load: %.0f s with %d workers (seed %u)\n", load_s, nth, cfg.seed);
    printf("operations: %ld done\n",
           atomic_load(&n_book) + atomic_load(&n_pay) + atomic_load(&n_cancel));
    printf("  bookings      %ld: 201 held %ld, 409 refused %ld, 503 unavailable %ld, "
           "client-app unreachable %ld, other %ld\n",
           atomic_load(&n_book), atomic_load(&n_book_201), atomic_load(&n_book_409),
           atomic_load(&n_book_503), atomic_load(&n_book_down), atomic_load(&n_book_other));
    printf("  payments      %ld (%ld around hold expiry): 202 %ld, 409 final/expired %ld, "
           "unreachable %ld, other %ld\n",
           atomic_load(&n_pay), atomic_load(&n_pay_late), atomic_load(&n_pay_202),
           atomic_load(&n_pay_409), atomic_load(&n_pay_down), atomic_load(&n_pay_other));
    printf("  cancellations %ld (%ld of confirmed bookings): 200 %ld, 409 %ld, 503 %ld, "
           "unreachable %ld, other %ld\n",
           atomic_load(&n_cancel), atomic_load(&n_cancel_paid), atomic_load(&n_cancel_200),
           atomic_load(&n_cancel_409), atomic_load(&n_cancel_503), atomic_load(&n_cancel_down),
           atomic_load(&n_cancel_other));
    if (cfg.instances == 2)
        printf("  waitlist      %ld joins: 201 %ld (the rest: seat open again, already waiting)\n",
               atomic_load(&n_wl_join), atomic_load(&n_wl_201));
    printf("faults injected: %d\n",
           f_kill[0] + f_kill[1] + f_kill[2] + f_down[1] + f_down[2] + f_pg_fast + f_pg_crash);
    printf("  kill -9 + restart: payment-app %d, ticket-app %d, client-app %d\n", f_kill[0],
           f_kill[1], f_kill[2]);
    printf("  down %d s: ticket-app (webhook receiver) %d, client-app (notification receiver) "
           "%d\n",
           cfg.outage_s, f_down[1], f_down[2]);
    printf("  PostgreSQL restarts under load (%d s down): fast %d, crash %d; /healthz meanwhile: "
           "503 x%ld, other x%ld; all healthy again within %ld ms, same pids\n",
           cfg.pg_down_s, f_pg_fast, f_pg_crash, pg_down_healthz_503, pg_down_healthz_other,
           pg_recover_ms_max);
    if (settle_ms >= 0)
        printf("quiescence: reached %.1f s after the load stopped (limit %d s)\n",
               settle_ms / 1000.0, cfg.hold_ttl_s + cfg.window_s);
    else
        violation("no quiescence within %d s of the load stopping", cfg.hold_ttl_s + cfg.window_s);
    print_delivery_figures();
    if (pg_down_healthz_other > 0)
        violation("/healthz answered other than 503 %ld time(s) while PostgreSQL was down",
                  pg_down_healthz_other);
    if (cfg.instances == 2) {
        int kills = f_kill[0] + f_kill[1] + f_kill[2] + 2 * (f_down[1] + f_down[2]);
        long bound = (long)kills * (cfg.threads + 2);
        printf("gateway: %ld answer(s) 502/504 for requests in flight at a killed instance "
               "(bound %ld: %d instance kills x (%d workers + 2))\n",
               atomic_load(&n_gw_5xx), bound, kills, cfg.threads);
        if (atomic_load(&n_gw_5xx) > bound)
            violation("%ld gateway 5xx for %d instance kills", atomic_load(&n_gw_5xx), kills);
    }
    if (atomic_load(&n_5xx))
        violation("%ld answer(s) of 500 or another 5xx but 503", atomic_load(&n_5xx));
    if (atomic_load(&n_401))
        violation("%ld valid token(s) refused with 401", atomic_load(&n_401));
    if (atomic_load(&n_book_other) + atomic_load(&n_pay_other) + atomic_load(&n_cancel_other))
        violation("unexpected answers to the load (see above)");

    reconcile();

    /* a clean exit, and no sanitizer report in any log */
    for (int i = 0; i < ninstances; i++) {
        struct hdaemon *d = instances[i];
        int st = hd_stop(d);
        if (!(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            violation("%s did not exit cleanly on SIGTERM (status %d)", d->name, st);
            hd_log_tail(d, 4000);
        }
        long bad = hd_log_count(d, "runtime error:") + hd_log_count(d, "AddressSanitizer") +
                   hd_log_count(d, "LeakSanitizer");
        if (bad) {
            violation("%s: %ld sanitizer report line(s) in %s", d->name, bad, d->log_path);
            hd_log_tail(d, 8000);
        }
    }
    if (cfg.instances == 2)
        hd_stop(&gw);
    printf("violations = %ld\n", violations);
    if (violations || cfg.keep) {
        /* kept for a post-mortem: logs, and the data folder with PostgreSQL stopped */
        hpg_keep(&pg);
        printf("kept: %s (logs; start the databases with scripts/pg.sh start %s %d)\n", workdir,
               pgdir, pgport);
    }
    /* otherwise the watchdog stops PostgreSQL and removes the folder once we exit */
    return violations ? 1 : 0;
}
