/* payment_testlib.h: shared pieces of payment-app's db/http tests: a real
 * webhook receiver (libmicrohttpd on its own port) that verifies X-Signature
 * and records every delivery, starting payment-app daemons on a test
 * database, and small HTTP/SQL helpers. */
#ifndef PAYMENT_TESTLIB_H
#define PAYMENT_TESTLIB_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/util.h"
#include "test_receiver.h"
#include "testsupport.h"

#define PT_SECRET "whsec_test_0123456789abcdef"
#define PT_TOKEN "svc_test_token_0123456789"

/* One delivery as the receiver saw it. */
struct hook_hit {
    char id[64];
    char type[32];
    char number[24];
    char status[16];
    char reason[32];
    int sig_ok;   /* signature verified */
    int answered; /* the status the receiver answered */
    int64_t at_ms;
    char *body; /* owned */
};

struct receiver {
    struct test_receiver rx; /* rx.url: where payment-app sends webhooks */
    pthread_mutex_t lock;
    int64_t fail_until_ms; /* answer fail_status while now < this */
    int fail_status;
    long delay_ms; /* sleep before answering */
    struct hook_hit *hits;
    size_t n, cap;
};

/* Starts listening on port (0 = a free one). r->rx.url becomes
 * http://127.0.0.1:<port>/hooks/payment. 0 or -1. */
int receiver_start(struct receiver *r, int port);
/* Sets url for port without listening yet (to start it later). */
void receiver_prepare(struct receiver *r, int port);
void receiver_stop(struct receiver *r);
void receiver_fail_for(struct receiver *r, long ms, int status);
/* Counters under the lock. */
size_t receiver_hits(struct receiver *r);
/* Number of distinct event ids acknowledged with 2xx, and the largest number
 * of 2xx answers any one id got. */
void receiver_ack_stats(struct receiver *r, size_t *distinct, int *max_acks);
/* Number of hits with a bad signature. */
size_t receiver_bad_sigs(struct receiver *r);
/* The acknowledged event (first 2xx) of type for invoice number: copies it
 * into out and returns 1, or 0. */
int receiver_find(struct receiver *r, const char *number, const char *type, struct hook_hit *out);
/* Waits until at least n distinct event ids were acknowledged; 0 or -1. */
int receiver_wait_acked(struct receiver *r, size_t n, int timeout_ms);

/* Creates a database with payment-app's migrations; uri out. 0 or -1. */
int pt_db_create(const char *prefix, char *uri, size_t len);

/* Starts payment-app on db_uri with the test secret/token, webhooks to
 * hook_url and extra "NAME=value" entries (NULL-terminated, may be NULL;
 * they win over the defaults here). 0 or -1. */
int pt_start(struct test_daemon *d, const char *name, const char *db_uri, const char *hook_url,
             const char *const *extra);

/* Stops (SIGTERM) or kills (SIGKILL) a daemon started by pt_start. Every
 * daemon still running when the test exits (a failed CHECK) is killed and
 * the tail of its log printed. */
int pt_stop(struct test_daemon *d);
void pt_kill(struct test_daemon *d);

/* POST /api/invoices with the service token. expires_in_ms from now.
 * Returns the HTTP status; *out the response (new reference) if not NULL. */
long pt_create_invoice(const char *base, const char *booking_id, long long amount,
                       const char *currency, long expires_in_ms, const char *description,
                       json_t **out);
/* POST /api/invoices/{number}/pay {method}. */
long pt_pay(const char *base, const char *number, const char *method, json_t **out);
/* GET /api/invoices/{number}. */
long pt_get(const char *base, const char *number, json_t **out);

/* The error code of an error body, "" if none (borrowed). */
const char *pt_error_code(const json_t *body);

/* HTTP with response headers: returns the status, *headers and *body
 * malloc'ed (either may be NULL to ignore). */
long pt_http_full(const char *method, const char *url, const char *const *req_headers,
                  const char *body, char **headers, char **resp_body);

/* Polls SQL until its scalar result equals expect; 0 or -1 on timeout. */
int pt_wait_sql(const char *uri, const char *sql, const char *expect, int timeout_ms);
/* The scalar as a long (-1 on error). */
long pt_sql_long(const char *uri, const char *sql);
/* As pt_sql_long, with $1..$n text parameters (one statement). */
long pt_sql_long_params(const char *uri, const char *sql, int nparams, const char *const *params);
/* Runs one statement with $1..$n text parameters; 0 or -1. */
int pt_exec_params(const char *uri, const char *sql, int nparams, const char *const *params);

/* A fresh UUID (static buffer per call site: copy it). */
void pt_uuid(char out[37]);
/* The names these had before sleep_ms and now_ms (common/util.h) served
 * every test: kept for tests written against them. */
#define pt_sleep_ms sleep_ms
#define pt_now_ms now_ms

/* Reports a failed check with its location and exits 1. */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)
#define CHECK_STATUS(got, want)                                                                    \
    do {                                                                                           \
        long g_ = (got), w_ = (want);                                                              \
        if (g_ != w_) {                                                                            \
            fprintf(stderr, "%s:%d: status %ld, want %ld (%s)\n", __FILE__, __LINE__, g_, w_,      \
                    #got);                                                                         \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#endif
