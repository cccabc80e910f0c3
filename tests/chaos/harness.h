/* harness.h: what the chaos and security suites share: the three daemons
 * as child processes that can be killed and restarted on the same port and
 * database, a dedicated PostgreSQL server that can be restarted under load,
 * HTTP calls with any header, and SQL reads for the checks afterwards.
 * Which daemons run with which databases and environment is
 * common/testing/test_suite's (test_suite_prepare); the processes are
 * run here. */
#ifndef SUITE_HARNESS_H
#define SUITE_HARNESS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/util.h"
#include "testsupport.h"

#define HD_MAX_ENV 48

/* One daemon. env holds "NAME=value" strings (owned) that are added to the
 * inherited environment; the port goes in port_var. The log is appended to
 * across restarts. */
struct hdaemon {
    char name[32];
    char binary[512];
    char port_var[32];
    int port;
    char base_url[64];
    char log_path[512];
    char *env[HD_MAX_ENV + 1];
    size_t nenv;
    pid_t pid;         /* 0 when not running */
    int last_status;   /* waitpid status of the last exit seen */
    int starts, kills; /* counters for the report */
};

/* Fills d (no process yet). log_dir gets "<name>.log". */
void hd_init(struct hdaemon *d, const char *name, const char *binary, const char *port_var,
             int port, const char *log_dir);
/* Adds "NAME=value" (formatted) to the daemon's environment. */
void hd_env(struct hdaemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds each "NAME=value" of env (NULL-terminated), e.g. a test_suite's
 * s->env[which]. */
void hd_env_list(struct hdaemon *d, const char *const *env);
/* Starts it and waits up to wait_ms for /healthz 200 (0 = do not wait).
 * Returns 0, or -1 (exited early or never healthy; the log tail printed). */
int hd_start(struct hdaemon *d, int wait_ms);
/* kill -9 and reap. */
void hd_kill(struct hdaemon *d);
/* SIGTERM, wait up to 20 s (then SIGKILL); the waitpid status or -1. */
int hd_stop(struct hdaemon *d);
/* 1 if the process still runs; 0 if it exited (status in last_status). */
int hd_alive(struct hdaemon *d);
/* Prints the last bytes of the daemon's log to stderr. */
void hd_log_tail(const struct hdaemon *d, long bytes);
/* Counts lines of the log containing needle. */
long hd_log_count(const struct hdaemon *d, const char *needle);

/* Free ports: test_free_port (common/testing), below the kernel's
 * ephemeral range, so an outgoing connection cannot take a port while its
 * daemon is down. */

/* A dedicated PostgreSQL (scripts/pg.sh) in dir on port. A watchdog child
 * stops it and removes remove_dir (dir or a folder above it) when this
 * process ends, however it ends, unless hpg_keep was called. */
struct hpg {
    char script[512];
    char dir[512];
    char remove_dir[512];
    int port;
    char user[64];
    pid_t watchdog;
    int watch_fd;
    int restarts;
};
/* 0, or -1 (message printed). */
int hpg_start(struct hpg *pg, const char *script, const char *dir, const char *remove_dir,
              int port);
/* At exit the server is stopped but its folder kept (for a post-mortem). */
void hpg_keep(struct hpg *pg);
/* Fast shutdown (pg.sh stop). */
void hpg_stop(struct hpg *pg);
/* Immediate shutdown (SIGQUIT to the postmaster: no checkpoint, crash
 * recovery at the next start). */
void hpg_crash(struct hpg *pg);
/* Start again after hpg_stop/hpg_crash; 0 or -1. */
int hpg_restart(struct hpg *pg);
/* Points the TEST_PG* variables of this process at it, so that
 * test_db_create and test_suite_prepare (common/testing) make their
 * databases there. */
void hpg_test_env(const struct hpg *pg);
/* libpq URI of database db on it. */
void hpg_uri(const struct hpg *pg, const char *db, char *out, size_t outlen);

/* Runs sql on the database at uri; returns the result (caller PQclears) or
 * NULL after printing the error. */
PGresult *h_sql(const char *uri, const char *sql);
/* The first column of the first row as a long (def if none or error). */
long h_sql_long(const char *uri, const char *sql, long def);
/* Runs sql; 0 or -1. */
int h_sql_exec(const char *uri, const char *sql);
/* The MD5 of every row of table (ordered), for "nothing changed" checks;
 * out gets 32 hex chars or "error". */
void h_table_digest(const char *uri, const char *table, char out[40]);

/* One HTTP answer. */
struct hres {
    long status; /* 0 on transport failure */
    char *body;  /* malloc'ed, NUL-terminated ("" if none) */
    size_t len;
    json_t *json; /* parsed body or NULL */
};
void hres_free(struct hres *r);

/* method base+path with an optional bearer, body (len bytes; NULL = none)
 * and extra headers (NULL-terminated "Name: value"; may be NULL). The
 * Content-Type is application/json when a body is sent unless headers set
 * one; no Expect: 100-continue unless headers ask for it. timeout_ms 0 means
 * 15 s. Returns r->status. */
long h_call(const char *method, const char *base, const char *path, const char *bearer,
            const char *body, size_t len, const char *const *headers, long timeout_ms,
            struct hres *r);
/* As h_call with a NUL-terminated body. */
long h_callz(const char *method, const char *base, const char *path, const char *bearer,
             const char *body, struct hres *r);
/* String member of r->json (or of r->json.key1), or "" (borrowed). */
const char *h_str(const struct hres *r, const char *key);

/* Sleeping and the monotonic clock: sleep_ms and mono_ms (common/util.h);
 * the names these had before, for code written against them. */
#define h_sleep_ms sleep_ms
#define h_now_ms() ((long long)mono_ms())

#endif
