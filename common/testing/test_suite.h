/* test_suite.h: the three daemons (client-app, ticket-app, payment-app)
 * started together on fresh databases and free ports, wired to each other
 * (ticket-app's payments and notifications, payment-app's webhooks), for
 * e2e tests. Tests then talk to each daemon through its API only.
 *
 * The binaries are the test's: pass TEST_SUITE_BINARIES in the options of
 * a test built with CLIENT_APP_BIN, TICKET_APP_BIN and PAYMENT_APP_BIN.
 *
 * A harness that runs the processes itself (kills them, restarts them,
 * runs two of each behind a gateway: tests/chaos, tests/security) takes
 * the same databases and wiring from test_suite_prepare and starts each
 * daemon with s->env[which] and s->port[which]. The databases are made on
 * the server the TEST_PG* variables name (testsupport.h). */
#ifndef COMMON_TEST_SUITE_H
#define COMMON_TEST_SUITE_H

#include "testsupport.h"

/* The tokens and secrets the three share (the defaults below). */
#define TS_ADMIN_TOKEN "e2e-ticket-admin-token"
#define TS_SERVICE_TOKEN "e2e-ticket-service-token"
#define TS_PAY_TOKEN "e2e-payment-service-token"
#define TS_WEBHOOK_SECRET "e2e-webhook-secret"
#define TS_NOTIFY_SECRET "e2e-notify-secret"
#define TS_ADMIN_PASSWORD "e2e-admin-pass"

#define TEST_SUITE_BINARIES                                                                        \
    .client_bin = CLIENT_APP_BIN, .ticket_bin = TICKET_APP_BIN, .pay_bin = PAYMENT_APP_BIN

/* The three, as indexes of the arrays below and of test_suite's. */
enum test_suite_which { TS_CLIENT, TS_TICKET, TS_PAY, TS_NDAEMONS };
/* "client-app", "ticket-app", "payment-app" */
extern const char *const test_suite_names[TS_NDAEMONS];
/* The variable each takes its port in: "CLIENT_APP_PORT", ... */
extern const char *const test_suite_port_vars[TS_NDAEMONS];

struct test_suite_opts {
    const char *name; /* database name prefix: "<name>_client", ... */
    const char *client_bin, *ticket_bin, *pay_bin;
    /* Extra "NAME=value" entries per daemon (NULL-terminated, may be NULL);
     * they win over the defaults (test_env_merge). */
    const char *const *client_env;
    const char *const *ticket_env;
    const char *const *pay_env;
    /* 1: ticket-app's NOTIFY_URL names a port nobody listens on, so no
     * notification reaches client-app (what it must do without them). */
    int no_notifications;
    /* The port of each (by test_suite_which); 0: a free one is chosen. */
    int ports[TS_NDAEMONS];
    /* The base URL the others reach each at (by test_suite_which); NULL:
     * http://127.0.0.1:<its port>. A gateway's routes, say. */
    const char *urls[TS_NDAEMONS];
};

struct test_suite {
    struct test_daemon client, ticket, pay;
    char client_db[512], ticket_db[512], pay_db[512];
    const char *C, *T, *P;      /* base URLs */
    int port[TS_NDAEMONS];      /* each one's port */
    char url[TS_NDAEMONS][128]; /* where the others reach it */
    /* each one's environment (NULL-terminated "NAME=value", without its
     * port variable): the entries built here, the defaults, the test's */
    const char *env[TS_NDAEMONS][64];
    char own[TS_NDAEMONS][4][600]; /* the entries built here: database, URLs */
    struct test_suite_opts opts;
};

/* Creates the three databases (empty: each daemon applies its migrations),
 * picks the ports and builds each daemon's environment (s->env, s->port,
 * s->url; s->C, s->T and s->P point at s->url); starts nothing. 0, or -1
 * after a message. */
int test_suite_prepare(struct test_suite *s, const struct test_suite_opts *o);
/* test_suite_prepare, then starts payment-app, ticket-app and
 * client-app (each healthy, migrations applied). 0, or -1 after a message
 * (what was started is stopped). */
int test_suite_start(struct test_suite *s, const struct test_suite_opts *o);
/* The set-up of an e2e test: test_require_pg (skips without a test
 * PostgreSQL), test_suite_start, then *c, *t and *p (each may be NULL) set
 * to the base URLs. 0 or -1. */
int test_suite_open(struct test_suite *s, const struct test_suite_opts *o, const char **c,
                    const char **t, const char **p);
/* The cmocka group set-up of an e2e test file: test_suite_open, then
 * *state = s for test_suite_teardown. 0 or -1. */
int test_suite_setup(void **state, struct test_suite *s, const struct test_suite_opts *o,
                     const char **c, const char **t, const char **p);
/* The cmocka group tear-down to pair with it: test_suite_stop(*state), so
 * the group fails unless client-app and ticket-app exit cleanly (no
 * sanitizer report, a graceful shutdown). */
int test_suite_teardown(void **state);
/* Starts ticket-app again (after test_daemon_stop(&s->ticket)) on the same
 * port, database and environment. 0 or -1. */
int test_suite_restart_ticket(struct test_suite *s);
/* Starts payment-app again (after test_daemon_stop(&s->pay)) on the same
 * port and database, its environment with extra's entries (NULL-terminated,
 * may be NULL) winning, e.g. another PAYMENT_FAILURE_RATE. 0 or -1. */
int test_suite_restart_pay(struct test_suite *s, const char *const *extra);
/* Stops the three (SIGTERM). Returns 0 when client-app and ticket-app
 * exited cleanly (status 0), else -1. */
int test_suite_stop(struct test_suite *s);

#endif
