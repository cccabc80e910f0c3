/* test_suite.c: the three daemons on fresh databases, wired together (see
 * test_suite.h). */
#include "test_suite.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

enum { CLIENT = TS_CLIENT, TICKET = TS_TICKET, PAY = TS_PAY };

const char *const test_suite_names[TS_NDAEMONS] = {"client-app", "ticket-app", "payment-app"};
const char *const test_suite_port_vars[TS_NDAEMONS] = {"CLIENT_APP_PORT", "TICKET_APP_PORT",
                                                       "PAYMENT_APP_PORT"};

static const char *const client_defaults[] = {
    "TICKET_SERVICE_TOKEN=" TS_SERVICE_TOKEN,
    "NOTIFY_SECRET=" TS_NOTIFY_SECRET,
    "ADMIN_PASSWORD=" TS_ADMIN_PASSWORD,
    "RATE_LIMIT_PER_MINUTE=0",
    "MAINTENANCE_INTERVAL_MS=200",
    "DB_POOL_SIZE=6",
    "HTTP_WORKERS=8",
    NULL,
};

static const char *const ticket_defaults[] = {
    "TICKET_ADMIN_TOKEN=" TS_ADMIN_TOKEN,
    "TICKET_SERVICE_TOKEN=" TS_SERVICE_TOKEN,
    "PAYMENT_SERVICE_TOKEN=" TS_PAY_TOKEN,
    "WEBHOOK_SECRET=" TS_WEBHOOK_SECRET,
    "NOTIFY_SECRET=" TS_NOTIFY_SECRET,
    "TICKET_CODE_SECRET=e2e-code-secret",
    "ORGANIZER_FAILURE_RATE=0",
    "NOTIFY_RETRY_BASE_MS=100",
    "DB_POOL_SIZE=6",
    "HTTP_WORKERS=8",
    NULL,
};

static const char *const pay_defaults[] = {
    "WEBHOOK_SECRET=" TS_WEBHOOK_SECRET,
    "PAYMENT_SERVICE_TOKEN=" TS_PAY_TOKEN,
    "PAYMENT_FAILURE_RATE=0",
    "PAYMENT_DELAY_MS=0",
    "WEBHOOK_RETRY_BASE_MS=100",
    "DB_POOL_SIZE=4",
    "HTTP_WORKERS=4",
    NULL,
};

/* Three distinct ports (the given ones, free ones for 0), and a fourth
 * nobody will listen on. */
static void pick_ports(const int given[3], int ports[4])
{
    for (int i = 0; i < 4; i++) {
        int again;
        do {
            ports[i] = i < 3 && given[i] ? given[i] : test_free_port();
            again = 0;
            for (int j = 0; j < i; j++)
                again |= ports[j] == ports[i];
        } while (again);
    }
}

/* The env of daemon which: the entries built here, then the defaults and
 * the test's own merged (the test's win). */
static void build_env(struct test_suite *s, int which, int nown, const char *const *defaults,
                      const char *const *extra)
{
    const char *merged[64];
    size_t n = test_env_merge(merged, 64 - (size_t)nown, defaults, extra);
    size_t k = 0;
    for (int i = 0; i < nown; i++)
        s->env[which][k++] = s->own[which][i];
    for (size_t i = 0; i < n; i++)
        s->env[which][k++] = merged[i];
    s->env[which][k] = NULL;
}

int test_suite_prepare(struct test_suite *s, const struct test_suite_opts *o)
{
    memset(s, 0, sizeof *s);
    s->opts = *o;
    char prefix[96];
    snprintf(prefix, sizeof prefix, "%s_pay", o->name);
    if (test_db_create(prefix, NULL, s->pay_db, sizeof s->pay_db) < 0)
        return -1;
    snprintf(prefix, sizeof prefix, "%s_ticket", o->name);
    if (test_db_create(prefix, NULL, s->ticket_db, sizeof s->ticket_db) < 0)
        return -1;
    snprintf(prefix, sizeof prefix, "%s_client", o->name);
    if (test_db_create(prefix, NULL, s->client_db, sizeof s->client_db) < 0)
        return -1;
    int port[4];
    pick_ports(o->ports, port); /* client, ticket, pay, nobody */
    for (int i = 0; i < TS_NDAEMONS; i++) {
        s->port[i] = port[i];
        if (o->urls[i])
            snprintf(s->url[i], sizeof s->url[i], "%s", o->urls[i]);
        else
            snprintf(s->url[i], sizeof s->url[i], "http://127.0.0.1:%d", port[i]);
    }

    snprintf(s->own[PAY][0], 600, "DATABASE_URL=%s", s->pay_db);
    snprintf(s->own[PAY][1], 600, "WEBHOOK_URL=%s/webhooks/payment", s->url[TICKET]);
    snprintf(s->own[PAY][2], 600, "PAYMENT_PUBLIC_URL=%s", s->url[PAY]);
    build_env(s, PAY, 3, pay_defaults, o->pay_env);

    snprintf(s->own[TICKET][0], 600, "DATABASE_URL=%s", s->ticket_db);
    snprintf(s->own[TICKET][1], 600, "PAYMENT_APP_URL=%s", s->url[PAY]);
    if (o->no_notifications)
        snprintf(s->own[TICKET][2], 600, "NOTIFY_URL=http://127.0.0.1:%d/internal/notifications",
                 port[3]);
    else
        snprintf(s->own[TICKET][2], 600, "NOTIFY_URL=%s/internal/notifications", s->url[CLIENT]);
    build_env(s, TICKET, 3, ticket_defaults, o->ticket_env);

    snprintf(s->own[CLIENT][0], 600, "DATABASE_URL=%s", s->client_db);
    snprintf(s->own[CLIENT][1], 600, "TICKET_APP_URL=%s", s->url[TICKET]);
    build_env(s, CLIENT, 2, client_defaults, o->client_env);
    s->C = s->url[CLIENT];
    s->T = s->url[TICKET];
    s->P = s->url[PAY];
    return 0;
}

int test_suite_start(struct test_suite *s, const struct test_suite_opts *o)
{
    if (test_suite_prepare(s, o) != 0)
        return -1;
    if (test_daemon_start(&s->pay, test_suite_names[PAY], o->pay_bin, test_suite_port_vars[PAY],
                          s->port[PAY], s->env[PAY]) != 0 ||
        test_daemon_start(&s->ticket, test_suite_names[TICKET], o->ticket_bin,
                          test_suite_port_vars[TICKET], s->port[TICKET], s->env[TICKET]) != 0 ||
        test_daemon_start(&s->client, test_suite_names[CLIENT], o->client_bin,
                          test_suite_port_vars[CLIENT], s->port[CLIENT], s->env[CLIENT]) != 0) {
        test_suite_stop(s);
        return -1;
    }
    s->C = s->client.base_url;
    s->T = s->ticket.base_url;
    s->P = s->pay.base_url;
    return 0;
}

int test_suite_open(struct test_suite *s, const struct test_suite_opts *o, const char **c,
                    const char **t, const char **p)
{
    test_require_pg();
    if (test_suite_start(s, o) != 0)
        return -1;
    if (c)
        *c = s->C;
    if (t)
        *t = s->T;
    if (p)
        *p = s->P;
    return 0;
}

int test_suite_setup(void **state, struct test_suite *s, const struct test_suite_opts *o,
                     const char **c, const char **t, const char **p)
{
    if (test_suite_open(s, o, c, t, p) != 0)
        return -1;
    *state = s;
    return 0;
}

int test_suite_teardown(void **state)
{
    return test_suite_stop(*state);
}

int test_suite_restart_ticket(struct test_suite *s)
{
    return test_daemon_start(&s->ticket, test_suite_names[TICKET], s->opts.ticket_bin,
                             test_suite_port_vars[TICKET], s->ticket.port, s->env[TICKET]);
}

int test_suite_restart_pay(struct test_suite *s, const char *const *extra)
{
    const char *env[64];
    test_env_merge(env, 64, s->env[PAY], extra);
    return test_daemon_start(&s->pay, test_suite_names[PAY], s->opts.pay_bin,
                             test_suite_port_vars[PAY], s->pay.port, env);
}

static int clean(int status)
{
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int test_suite_stop(struct test_suite *s)
{
    int c = s->client.pid > 0 ? test_daemon_stop(&s->client) : 0;
    int t = s->ticket.pid > 0 ? test_daemon_stop(&s->ticket) : 0;
    if (s->pay.pid > 0)
        test_daemon_stop(&s->pay);
    return clean(c) && clean(t) ? 0 : -1;
}
