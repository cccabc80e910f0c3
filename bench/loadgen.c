/* loadgen.c: the benchmark's load generator for the two scenarios wrk cannot
 * express (see load.h): the flash race (each of N users asks once, C at a
 * time) and the full lifecycle (book through client-app, then pay at
 * payment-app, per connection, for a while). Seat, user and token names are
 * the ones bench/sql/ticket_seed.sql and client_seed.sql create. Prints one "key=value" line.
 *
 *   loadgen race URL --event E --seats S --users N --conc C [--timeout-ms T]
 *                    [--service-token TOKEN --tag T]   (direct to ticket-app)
 *   loadgen lifecycle CLIENT_URL PAYMENT_URL --event E --seats S --users N
 *                    --conc C --duration-s D [--seat-base B] [--timeout-ms T]
 * The race's users 0..N-1 ask for seat (user mod S), so each seat has N/S
 * contenders. In the lifecycle each of the C connections is one user at a
 * time who books seat B, B+1, ... (at most S), pays, and waits until the
 * booking is final at client-app before the next user starts; its rate is
 * the bookings CONFIRMED (with their PDF) per second. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

#define TOKEN_PREFIX "beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0"

struct opts {
    const char *url, *url2, *service_token;
    int event, seats, users, conc;
    long seat_base, timeout_ms, tag;
    double duration_s;
};

struct lat {
    double *v;
    size_t n, cap;
};

static void lat_add(struct lat *l, double ms)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) {
            fprintf(stderr, "loadgen: out of memory\n");
            exit(1);
        }
    }
    l->v[l->n++] = ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Prints p50/p99/max of l as name_p50_ms=... */
static void lat_print(struct lat *l, const char *name)
{
    if (l->n == 0) {
        printf(" %s_p50_ms=0 %s_p99_ms=0 %s_max_ms=0", name, name, name);
        return;
    }
    qsort(l->v, l->n, sizeof *l->v, cmp_double);
    printf(" %s_p50_ms=%.1f %s_p99_ms=%.1f %s_max_ms=%.1f", name, l->v[l->n / 2], name,
           l->v[(size_t)((double)(l->n - 1) * 0.99)], name, l->v[l->n - 1]);
}

struct tally {
    long s2xx, s409, s4xx, s5xx, other, timeouts, failures;
};

static void tally_add(struct tally *t, const struct load_item *it)
{
    if (it->failed) {
        t->failures++;
        if (it->timed_out)
            t->timeouts++;
    } else if (it->status >= 200 && it->status < 300) {
        t->s2xx++;
    } else if (it->status == 409) {
        t->s409++;
    } else if (it->status >= 400 && it->status < 500) {
        t->s4xx++;
    } else if (it->status >= 500) {
        t->s5xx++;
    } else {
        t->other++;
    }
}

static void tally_print(const struct tally *t, const char *name)
{
    printf(" %s_2xx=%ld %s_409=%ld %s_4xx=%ld %s_5xx=%ld %s_other=%ld %s_timeouts=%ld "
           "%s_failures=%ld",
           name, t->s2xx, name, t->s409, name, t->s4xx, name, t->s5xx, name, t->other, name,
           t->timeouts, name, t->failures);
}

static void seat_id(int event, long n, char out[37])
{
    snprintf(out, 37, "%08d-0000-4000-8000-%012ld", event, n);
}

static char *booking_body(const struct opts *o, long user, long seat, long serial)
{
    char ev[37], st[37];
    seat_id(o->event, 0, ev);
    seat_id(o->event, seat, st);
    char *b = malloc(512);
    if (!b)
        return NULL;
    if (o->service_token) /* ticket-app's own shape: the caller names booking and user */
        snprintf(b, 512,
                 "{\"booking_id\":\"%08lx-0000-4000-8000-%012ld\",\"user_id\":"
                 "\"0000beef-0000-4000-8000-%012ld\",\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}",
                 o->tag, serial, user, ev, st);
    else
        snprintf(b, 512, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}", ev, st);
    return b;
}

static void booking_request(const struct opts *o, struct load_item *it, long user, long seat,
                            long serial)
{
    snprintf(it->method, sizeof it->method, "POST");
    snprintf(it->url, sizeof it->url, "%s/api/bookings", o->url);
    if (o->service_token)
        snprintf(it->auth, sizeof it->auth, "Authorization: Bearer %s", o->service_token);
    else
        snprintf(it->auth, sizeof it->auth, "Authorization: Bearer %s%016ld", TOKEN_PREFIX, user);
    it->body = booking_body(o, user, seat, serial);
}

/* ---- the flash race ---- */

struct race {
    const struct opts *o;
    long *order; /* users in the order they press "buy" */
    long next;
    long sold;
    double sold_out_ms, last_ms;
    struct tally t;
    struct lat lat;
};

static int race_next(void *ctx, int slot, struct load_item *it, double now_ms)
{
    struct race *r = ctx;
    (void)slot;
    (void)now_ms;
    if (r->next >= r->o->users)
        return -1;
    long user = r->order[r->next++];
    booking_request(r->o, it, user, user % r->o->seats, user);
    it->tag = user;
    return 1;
}

static void race_done(void *ctx, struct load_item *it)
{
    struct race *r = ctx;
    tally_add(&r->t, it);
    lat_add(&r->lat, it->done_ms - it->sent_ms);
    if (it->done_ms > r->last_ms)
        r->last_ms = it->done_ms;
    if (!it->failed && it->status == 201 && ++r->sold == r->o->seats)
        r->sold_out_ms = it->done_ms;
}

static int run_race(const struct opts *o)
{
    struct race r = {.o = o};
    r.order = calloc((size_t)o->users, sizeof *r.order);
    if (!r.order)
        return 1;
    /* every seat gets users/seats contenders, arriving in a shuffled order
     * (fixed seed: runs are comparable) */
    for (long i = 0; i < o->users; i++)
        r.order[i] = i;
    unsigned long long x = 0x9E3779B97F4A7C15ULL;
    for (long i = o->users - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        long j = (long)(x % (unsigned long long)(i + 1));
        long t = r.order[i];
        r.order[i] = r.order[j];
        r.order[j] = t;
    }
    struct load_cfg cfg = {.conc = o->conc, .timeout_ms = o->timeout_ms};
    struct load_ops ops = {race_next, race_done};
    double ms = load_run(&cfg, &ops, &r);
    if (ms < 0)
        return 1;
    printf("RACE requests=%ld conc=%d seats=%d sold=%ld sold_out_ms=%.0f all_done_ms=%.0f", r.next,
           o->conc, o->seats, r.sold, r.sold == o->seats ? r.sold_out_ms : -1.0, r.last_ms);
    tally_print(&r.t, "s");
    lat_print(&r.lat, "lat");
    printf("\n");
    free(r.order);
    free(r.lat.v);
    return 0;
}

/* ---- the full lifecycle ---- */

/* Each slot is one user at a time: book through client-app, pay the
 * invoice at payment-app, then look at the booking in client-app every
 * POLL_MS until it is final (CONFIRMED arrives with the PDF, by
 * notification) - only then the next user. So the rate counted is bookings
 * carried all the way through, and nothing is left half-way. */
#define POLL_MS 50
#define WAIT_MAX_MS 120000 /* a booking not final by then counts as stuck */

enum life_step { STEP_BOOK, STEP_PAY, STEP_POLL };

struct life_slot {
    enum life_step step;
    long user;
    char booking[37];
    char invoice[64];
    double started_ms, poll_at_ms;
};

struct life {
    const struct opts *o;
    struct life_slot *slots;
    long next_seat;
    long confirmed, failed, stuck;
    struct tally hold, pay, poll;
    struct lat hold_lat, pay_lat, total_lat;
};

static void life_request(struct load_item *it, const char *method, const char *url, long user,
                         char *body)
{
    snprintf(it->method, sizeof it->method, "%s", method);
    snprintf(it->url, sizeof it->url, "%s", url);
    if (user >= 0)
        snprintf(it->auth, sizeof it->auth, "Authorization: Bearer %s%016ld", TOKEN_PREFIX, user);
    it->body = body;
}

static int life_next(void *ctx, int slot, struct load_item *it, double now_ms)
{
    struct life *l = ctx;
    struct life_slot *s = &l->slots[slot];
    char url[LOAD_URL_MAX];
    it->tag = s->step;
    switch (s->step) {
    case STEP_PAY:
        snprintf(url, sizeof url, "%s/api/invoices/%s/pay", l->o->url2, s->invoice);
        life_request(it, "POST", url, -1, strdup("{\"method\":\"card\"}"));
        return 1;
    case STEP_POLL:
        if (now_ms < s->poll_at_ms)
            return 0;
        snprintf(url, sizeof url, "%s/api/bookings/%s", l->o->url, s->booking);
        life_request(it, "GET", url, s->user, NULL);
        return 1;
    case STEP_BOOK:
        break;
    }
    /* no new booking once the time is up; those under way finish */
    if (l->next_seat >= l->o->seats || now_ms >= l->o->duration_s * 1000.0)
        return -1;
    long k = l->next_seat++;
    s->user = k % l->o->users;
    s->started_ms = now_ms;
    booking_request(l->o, it, s->user, l->o->seat_base + k, k);
    it->tag = STEP_BOOK;
    return 1;
}

/* The answer's JSON, or NULL. */
static json_t *life_json(const struct load_item *it)
{
    return it->failed || !it->resp ? NULL : json_loads(it->resp, 0, NULL);
}

static void life_done(void *ctx, struct load_item *it)
{
    struct life *l = ctx;
    struct life_slot *s = &l->slots[it->slot];
    double ms = it->done_ms - it->sent_ms;
    json_t *j = NULL;
    switch ((enum life_step)it->tag) {
    case STEP_BOOK:
        tally_add(&l->hold, it);
        lat_add(&l->hold_lat, ms);
        s->step = STEP_BOOK;
        j = life_json(it);
        if (it->status == 201 && j) {
            const char *id = json_string_value(json_object_get(j, "id"));
            const char *inv =
                json_string_value(json_object_get(json_object_get(j, "payment"), "invoice_number"));
            if (id && inv && strlen(id) < sizeof s->booking && strlen(inv) < sizeof s->invoice) {
                snprintf(s->booking, sizeof s->booking, "%s", id);
                snprintf(s->invoice, sizeof s->invoice, "%s", inv);
                s->step = STEP_PAY;
            }
        } else if (it->status == 409) {
            l->failed++; /* refused at once: that user's booking is over */
        }
        break;
    case STEP_PAY:
        tally_add(&l->pay, it);
        lat_add(&l->pay_lat, ms);
        s->step = STEP_POLL; /* whatever the answer: the booking will tell */
        s->poll_at_ms = it->done_ms + POLL_MS;
        break;
    case STEP_POLL: {
        tally_add(&l->poll, it);
        j = life_json(it);
        const char *st = json_string_value(json_object_get(j, "status"));
        s->poll_at_ms = it->done_ms + POLL_MS;
        if (st && strcmp(st, "CONFIRMED") == 0) {
            l->confirmed++;
            lat_add(&l->total_lat, it->done_ms - s->started_ms);
            s->step = STEP_BOOK;
        } else if (st && (strcmp(st, "FAILED") == 0 || strcmp(st, "EXPIRED") == 0 ||
                          strcmp(st, "CANCELLED") == 0)) {
            l->failed++;
            s->step = STEP_BOOK;
        } else if (it->done_ms - s->started_ms > WAIT_MAX_MS) {
            l->stuck++;
            s->step = STEP_BOOK;
        }
        break;
    }
    }
    json_decref(j);
}

static int run_lifecycle(const struct opts *o)
{
    struct life l = {.o = o};
    l.slots = calloc((size_t)o->conc, sizeof *l.slots);
    if (!l.slots)
        return 1;
    struct load_cfg cfg = {.conc = o->conc, .timeout_ms = o->timeout_ms, .keep_body = 1};
    struct load_ops ops = {life_next, life_done};
    double ms = load_run(&cfg, &ops, &l);
    if (ms < 0)
        return 1;
    printf("LIFECYCLE elapsed_ms=%.0f conc=%d bookings=%ld confirmed=%ld failed=%ld stuck=%ld "
           "rate=%.1f",
           ms, o->conc, l.next_seat, l.confirmed, l.failed, l.stuck,
           (double)l.confirmed * 1000.0 / ms);
    tally_print(&l.hold, "hold");
    tally_print(&l.pay, "pay");
    tally_print(&l.poll, "poll");
    lat_print(&l.hold_lat, "hold");
    lat_print(&l.pay_lat, "pay");
    lat_print(&l.total_lat, "total");
    printf("\n");
    free(l.slots);
    free(l.hold_lat.v);
    free(l.pay_lat.v);
    free(l.total_lat.v);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen race URL --event E --seats S --users N --conc C "
                    "[--timeout-ms T] [--service-token TOKEN --tag T]\n"
                    "       loadgen lifecycle CLIENT_URL PAYMENT_URL --event E --seats S "
                    "--users N --conc C --duration-s D [--seat-base B] [--timeout-ms T]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    struct opts o = {.conc = 64, .timeout_ms = 10000, .users = 1, .seats = 1, .tag = 0xfeed};
    int life = strcmp(argv[1], "lifecycle") == 0;
    if (!life && strcmp(argv[1], "race") != 0)
        usage();
    o.url = argv[2];
    int i = 3;
    if (life) {
        if (argc < 4)
            usage();
        o.url2 = argv[3];
        i = 4;
    }
    for (; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--event") == 0)
            o.event = atoi(v);
        else if (strcmp(k, "--seats") == 0)
            o.seats = atoi(v);
        else if (strcmp(k, "--seat-base") == 0)
            o.seat_base = atol(v);
        else if (strcmp(k, "--users") == 0)
            o.users = atoi(v);
        else if (strcmp(k, "--conc") == 0)
            o.conc = atoi(v);
        else if (strcmp(k, "--timeout-ms") == 0)
            o.timeout_ms = atol(v);
        else if (strcmp(k, "--duration-s") == 0)
            o.duration_s = atof(v);
        else if (strcmp(k, "--service-token") == 0)
            o.service_token = v;
        else if (strcmp(k, "--tag") == 0)
            o.tag = strtol(v, NULL, 16);
        else
            usage();
    }
    if (i != argc || o.event <= 0 || o.seats <= 0 || o.users <= 0 || o.conc <= 0)
        usage();
    return life ? run_lifecycle(&o) : run_race(&o);
}
