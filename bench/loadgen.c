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
 *   loadgen queue CLIENT_URL PAYMENT_URL --event-id UUID --seats-file F --users N
 *                    --conc C [--poll-ms P] [--timeout-ms T]
 * The race's users 0..N-1 ask for seat (user mod S), so each seat has N/S
 * contenders. In the lifecycle each of the C connections is one user at a
 * time who books seat B, B+1, ... (at most S), pays, and waits until the
 * booking is final at client-app before the next user starts; its rate is
 * the bookings CONFIRMED (with their PDF) per second. The queue run is a
 * sale opening behind a waiting room: every user joins the event's line at
 * once, polls the ticket every P ms until admitted, then selects the next
 * unsold seat of F (checkout:false, with the pass), checks out and pays;
 * once every seat is sold, those admitted after are done (sold out). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

#define TOKEN_PREFIX "beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0"

struct opts {
    const char *url, *url2, *service_token, *event_id, *seats_file;
    long poll_ms;
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

/* ---- a sale behind the waiting room ---- */

enum q_step { Q_JOIN, Q_POLL, Q_BOOK, Q_CHECKOUT, Q_PAY, Q_DONE };

struct q_user {
    enum q_step step;
    int tries;         /* seats tried with this pass */
    int admitted_seen; /* how many answers said ADMITTED (1 expected) */
    double due_ms;     /* a poll's time */
    char pass[300];
    char booking[37];
    char invoice[64];
};

/* FIFO of user numbers; polls are pushed with due times that only grow. */
struct q_fifo {
    long *v;
    long head, tail, cap;
};

static void fifo_push(struct q_fifo *f, long u)
{
    f->v[f->tail++ % f->cap] = u;
}

static long fifo_len(const struct q_fifo *f)
{
    return f->tail - f->head;
}

struct qrun {
    const struct opts *o;
    struct q_user *u;
    struct q_fifo ready, polls;
    char (*seats)[37];
    long nseats, next_seat, sold, paid, admitted, sold_out_users, done;
    double first_admit_ms, last_admit_ms, sold_out_ms;
    struct tally join, poll, book, checkout, pay;
    struct lat poll_lat, book_lat;
};

static void q_auth(const struct qrun *q, struct load_item *it, long user)
{
    (void)q;
    snprintf(it->auth, sizeof it->auth, "Authorization: Bearer %s%016ld", TOKEN_PREFIX, user);
}

static void q_finish(struct qrun *q, struct q_user *u);

static int queue_next(void *ctx, int slot, struct load_item *it, double now_ms)
{
    struct qrun *q = ctx;
    (void)slot;
    long user;
    if (fifo_len(&q->ready) > 0) {
        user = q->ready.v[q->ready.head++ % q->ready.cap];
    } else if (fifo_len(&q->polls) > 0 &&
               q->u[q->polls.v[q->polls.head % q->polls.cap]].due_ms <= now_ms) {
        user = q->polls.v[q->polls.head++ % q->polls.cap];
    } else {
        return q->done >= q->o->users ? -1 : 0;
    }
    struct q_user *u = &q->u[user];
    q_auth(q, it, user);
    it->tag = user;
    switch (u->step) {
    case Q_JOIN:
        snprintf(it->method, sizeof it->method, "POST");
        snprintf(it->url, sizeof it->url, "%s/api/events/%s/queue", q->o->url, q->o->event_id);
        break;
    case Q_POLL:
        snprintf(it->method, sizeof it->method, "GET");
        snprintf(it->url, sizeof it->url, "%s/api/events/%s/queue/me", q->o->url, q->o->event_id);
        break;
    case Q_BOOK: {
        if (q->next_seat >= q->nseats) { /* sold out since this user was admitted */
            q->sold_out_users++;
            q_finish(q, u);
            return 0;
        }
        long k = q->next_seat++;
        snprintf(it->method, sizeof it->method, "POST");
        snprintf(it->url, sizeof it->url, "%s/api/bookings", q->o->url);
        snprintf(it->extra, sizeof it->extra, "X-Queue-Pass: %s", u->pass);
        it->body = malloc(256);
        if (it->body)
            snprintf(it->body, 256,
                     "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"],\"checkout\":false}",
                     q->o->event_id, q->seats[k]);
        break;
    }
    case Q_CHECKOUT:
        snprintf(it->method, sizeof it->method, "POST");
        snprintf(it->url, sizeof it->url, "%s/api/bookings/%s/checkout", q->o->url, u->booking);
        break;
    case Q_PAY:
        snprintf(it->method, sizeof it->method, "POST");
        snprintf(it->url, sizeof it->url, "%s/api/invoices/%s/pay", q->o->url2, u->invoice);
        it->auth[0] = '\0';
        it->body = strdup("{\"method\":\"card\"}");
        break;
    case Q_DONE:
        return 0;
    }
    return 1;
}

/* The user is finished (paid, sold out, or given up). */
static void q_finish(struct qrun *q, struct q_user *u)
{
    u->step = Q_DONE;
    q->done++;
}

/* What an admitted user does next: the next unsold seat, or nothing left. */
static void q_to_book(struct qrun *q, long user, double now_ms)
{
    struct q_user *u = &q->u[user];
    if (q->next_seat >= q->nseats || u->tries >= 3) {
        if (q->next_seat >= q->nseats)
            q->sold_out_users++;
        q_finish(q, u);
        return;
    }
    (void)now_ms;
    u->tries++;
    u->step = Q_BOOK;
    fifo_push(&q->ready, user);
}

static void queue_done(void *ctx, struct load_item *it)
{
    struct qrun *q = ctx;
    long user = it->tag;
    struct q_user *u = &q->u[user];
    json_t *j = it->failed || !it->resp ? NULL : json_loads(it->resp, 0, NULL);
    switch (u->step) {
    case Q_JOIN:
    case Q_POLL: {
        tally_add(u->step == Q_JOIN ? &q->join : &q->poll, it);
        if (u->step == Q_POLL)
            lat_add(&q->poll_lat, it->done_ms - it->sent_ms);
        const char *st = json_string_value(json_object_get(j, "status"));
        const char *pass = json_string_value(json_object_get(j, "pass"));
        if (st && strcmp(st, "ADMITTED") == 0 && pass && strlen(pass) < sizeof u->pass) {
            u->admitted_seen++;
            q->admitted++;
            if (q->admitted == 1)
                q->first_admit_ms = it->done_ms;
            q->last_admit_ms = it->done_ms;
            snprintf(u->pass, sizeof u->pass, "%s", pass);
            q_to_book(q, user, it->done_ms);
        } else if (st && (strcmp(st, "EXPIRED") == 0 || strcmp(st, "LEFT") == 0)) {
            q_finish(q, u);
        } else {
            /* waiting, or an error: ask again later (a join that did not
             * go through is sent again) */
            if (!(u->step == Q_JOIN && it->status != 200 && it->status != 201))
                u->step = Q_POLL;
            u->due_ms = it->done_ms + (double)q->o->poll_ms;
            fifo_push(&q->polls, user);
        }
        break;
    }
    case Q_BOOK: {
        tally_add(&q->book, it);
        lat_add(&q->book_lat, it->done_ms - it->sent_ms);
        const char *id = json_string_value(json_object_get(j, "id"));
        if (it->status == 201 && id && strlen(id) < sizeof u->booking) {
            snprintf(u->booking, sizeof u->booking, "%s", id);
            u->step = Q_CHECKOUT;
            fifo_push(&q->ready, user);
        } else {
            q_to_book(q, user, it->done_ms); /* refused: the pass tries another seat */
        }
        break;
    }
    case Q_CHECKOUT: {
        tally_add(&q->checkout, it);
        const char *inv =
            json_string_value(json_object_get(json_object_get(j, "payment"), "invoice_number"));
        if (it->status == 201 && inv && strlen(inv) < sizeof u->invoice) {
            snprintf(u->invoice, sizeof u->invoice, "%s", inv);
            u->step = Q_PAY;
            fifo_push(&q->ready, user);
        } else {
            q_finish(q, u);
        }
        break;
    }
    case Q_PAY:
        tally_add(&q->pay, it);
        if (it->status == 202) {
            q->paid++;
            if (q->paid == q->nseats)
                q->sold_out_ms = it->done_ms;
        }
        q_finish(q, u);
        break;
    case Q_DONE:
        break;
    }
    json_decref(j);
}

static int run_queue(const struct opts *o)
{
    struct qrun q = {.o = o, .sold_out_ms = -1, .first_admit_ms = -1};
    FILE *f = fopen(o->seats_file, "r");
    if (!f) {
        perror(o->seats_file);
        return 1;
    }
    char line[64];
    long cap = 1024;
    q.seats = malloc((size_t)cap * sizeof *q.seats);
    while (q.seats && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strlen(line) != 36)
            continue;
        if (q.nseats == cap) {
            cap *= 2;
            q.seats = realloc(q.seats, (size_t)cap * sizeof *q.seats);
            if (!q.seats)
                break;
        }
        memcpy(q.seats[q.nseats], line, 37); /* 36 characters and the NUL */
        q.nseats++;
    }
    fclose(f);
    q.u = calloc((size_t)o->users, sizeof *q.u);
    q.ready.cap = q.polls.cap = o->users + 1;
    q.ready.v = calloc((size_t)q.ready.cap, sizeof(long));
    q.polls.v = calloc((size_t)q.polls.cap, sizeof(long));
    if (!q.seats || !q.u || !q.ready.v || !q.polls.v || q.nseats == 0)
        return 1;
    for (long i = 0; i < o->users; i++)
        fifo_push(&q.ready, i); /* everybody joins at once */
    struct load_cfg cfg = {.conc = o->conc, .timeout_ms = o->timeout_ms, .keep_body = 1};
    struct load_ops ops = {queue_next, queue_done};
    double ms = load_run(&cfg, &ops, &q);
    if (ms < 0)
        return 1;
    long twice = 0;
    for (long i = 0; i < o->users; i++)
        twice += q.u[i].admitted_seen > 1;
    printf("QUEUE elapsed_ms=%.0f conc=%d users=%d seats=%ld admitted=%ld admitted_twice=%ld "
           "booked_seats=%ld paid=%ld sold_out_users=%ld sold_out_ms=%.0f first_admit_ms=%.0f "
           "last_admit_ms=%.0f unfinished=%ld",
           ms, o->conc, o->users, q.nseats, q.admitted, twice, q.next_seat, q.paid,
           q.sold_out_users, q.sold_out_ms, q.first_admit_ms, q.last_admit_ms,
           (long)o->users - q.done);
    tally_print(&q.join, "join");
    tally_print(&q.poll, "poll");
    tally_print(&q.book, "book");
    tally_print(&q.checkout, "checkout");
    tally_print(&q.pay, "pay");
    lat_print(&q.poll_lat, "poll");
    lat_print(&q.book_lat, "book");
    printf("\n");
    free(q.seats);
    free(q.u);
    free(q.ready.v);
    free(q.polls.v);
    free(q.poll_lat.v);
    free(q.book_lat.v);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen race URL --event E --seats S --users N --conc C "
                    "[--timeout-ms T] [--service-token TOKEN --tag T]\n"
                    "       loadgen lifecycle CLIENT_URL PAYMENT_URL --event E --seats S "
                    "--users N --conc C --duration-s D [--seat-base B] [--timeout-ms T]\n"
                    "       loadgen queue CLIENT_URL PAYMENT_URL --event-id UUID --seats-file F "
                    "--users N --conc C [--poll-ms P] [--timeout-ms T]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    struct opts o = {
        .conc = 64, .timeout_ms = 10000, .users = 1, .seats = 1, .tag = 0xfeed, .poll_ms = 2000};
    int life = strcmp(argv[1], "lifecycle") == 0, queue = strcmp(argv[1], "queue") == 0;
    if (!life && !queue && strcmp(argv[1], "race") != 0)
        usage();
    o.url = argv[2];
    int i = 3;
    if (life || queue) {
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
        else if (strcmp(k, "--event-id") == 0)
            o.event_id = v;
        else if (strcmp(k, "--seats-file") == 0)
            o.seats_file = v;
        else if (strcmp(k, "--poll-ms") == 0)
            o.poll_ms = atol(v);
        else
            usage();
    }
    if (queue) {
        if (i != argc || !o.event_id || !o.seats_file || o.users <= 0 || o.conc <= 0 ||
            o.poll_ms <= 0)
            usage();
        return run_queue(&o);
    }
    if (i != argc || o.event <= 0 || o.seats <= 0 || o.users <= 0 || o.conc <= 0)
        usage();
    return life ? run_lifecycle(&o) : run_race(&o);
}
