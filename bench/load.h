/* load.h: a small HTTP load engine on libcurl multi, for what wrk cannot
 * do: send each of N prepared requests exactly once with C of them in
 * flight (the flash race), or run a chain of requests per connection across
 * two services (the full lifecycle). One thread, keep-alive connections,
 * latency measured from hand-off to libcurl until the whole answer arrived.
 * Used by bench/loadgen.c and the e2e race test (tests/e2e/test_race.c). */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <stddef.h>

#define LOAD_URL_MAX 512
#define LOAD_AUTH_MAX 256
#define LOAD_EXTRA_MAX 320

/* One request and, once done, its outcome. The producer fills the first
 * part; the engine the second. */
struct load_item {
    char method[8]; /* "GET", "POST" */
    char url[LOAD_URL_MAX];
    char auth[LOAD_AUTH_MAX];   /* a whole header line ("Authorization: Bearer x") or "" */
    char extra[LOAD_EXTRA_MAX]; /* one more header line ("X-Queue-Pass: ...") or "" */
    char *body;                 /* malloc'ed JSON or NULL; freed by the engine */
    long tag;                   /* the producer's own (e.g. which user, which step) */
    int slot;                   /* the concurrent slot that runs it (set by the engine) */

    long status;    /* HTTP status, 0 on a transport failure */
    int timed_out;  /* 1 when the request ran past the timeout */
    int failed;     /* 1 on any transport failure (timeouts included) */
    double sent_ms; /* since load_run began */
    double done_ms;
    char *resp; /* the answer's body (NUL-terminated), when keep_body */
    size_t resp_len;
};

struct load_ops {
    /* Fills it for slot. Returns 1 when it made a request, 0 when it has
     * none for this slot right now (asked again within a few ms), -1 when
     * it will never have one for this slot again. */
    int (*next)(void *ctx, int slot, struct load_item *it, double now_ms);
    /* An answer (or failure) arrived; it is reused after this returns. */
    void (*done)(void *ctx, struct load_item *it);
};

struct load_cfg {
    int conc;           /* requests in flight at most (= connections) */
    long timeout_ms;    /* per request, connect included */
    double duration_ms; /* stop producing after this (0: when next says -1) */
    int keep_body;      /* collect answers' bodies into it->resp */
};

/* Runs until every slot is finished (or the duration passed) and nothing
 * is in flight. Returns the elapsed milliseconds, or -1 if libcurl could
 * not be set up. */
double load_run(const struct load_cfg *cfg, const struct load_ops *ops, void *ctx);

/* Milliseconds of a monotonic clock. */
double load_now_ms(void);

#endif
