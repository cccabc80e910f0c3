/* testsupport.h: helpers for db, http and e2e tests: a fresh database on the
 * throwaway PostgreSQL that `make test` starts, real daemons started on free
 * ports, and HTTP calls. Tests read the server from the environment:
 *   TEST_PGHOST (socket folder or host), TEST_PGPORT, TEST_PGUSER (superuser).
 * A test run without them is skipped (exit 77, which CTest counts as skipped
 * through SKIP_RETURN_CODE). */
#ifndef COMMON_TESTSUPPORT_H
#define COMMON_TESTSUPPORT_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#define TEST_SKIP 77

/* 1 if the TEST_PG* variables are set. */
int test_pg_available(void);
/* Exits with TEST_SKIP (after a message) when no test PostgreSQL is set. */
void test_require_pg(void);

/* Creates an empty database named "<prefix>_<random>" and writes its libpq
 * URI into uri. Returns 0 or -1. If migration_dirs is not NULL
 * (NULL-terminated), applies those migrations too: an entry without '/' is
 * a folder of the source tree's migrations/ ("common", "payment"), one with
 * '/' a path. */
int test_db_create(const char *prefix, const char *const *migration_dirs, char *uri, size_t urilen);
/* The libpq URI of database dbname on the test server (e.g. "postgres" for
 * administrative statements). */
void test_db_uri(const char *dbname, char *uri, size_t urilen);
/* Runs SQL (no parameters) against the database at uri; returns the first
 * column of the first row as a malloc'ed string (or NULL if no row or on
 * error; *ok set to 0 on error if ok not NULL). */
char *test_db_scalar(const char *uri, const char *sql, int *ok);
/* As test_db_scalar, with $1..$n text parameters (one statement). */
char *test_db_scalar_params(const char *uri, const char *sql, int nparams,
                            const char *const *params, int *ok);
/* Runs SQL, returns 0 or -1. */
int test_db_exec(const char *uri, const char *sql);

/* A port nobody is bound to right now, from [TEST_PORT_MIN, TEST_PORT_MAX):
 * below the kernel's ephemeral ports, so no outgoing connection takes it
 * before the daemon binds it. */
#define TEST_PORT_MIN 20000
#define TEST_PORT_MAX 32000
int test_free_port(void);

/* A TCP connection to 127.0.0.1:port for requests curl will not send;
 * the fd, or -1. */
int test_connect(int port);
/* 1 once the peer of fd closed (EOF or reset), 0 while it is open. */
int test_peer_closed(int fd);

struct test_daemon {
    pid_t pid;
    int port;
    char name[64];
    char log_path[256];
    char base_url[64]; /* "http://127.0.0.1:<port>" */
};

/* Starts binary with the current environment plus env (NULL-terminated
 * "NAME=value" strings; they win over inherited ones). The daemon's stderr
 * goes to log_path (a temp file). If port is 0 a free port is chosen; it is
 * passed in the variable named port_var (e.g. "PAYMENT_APP_PORT"). Waits up
 * to 15 s for GET /healthz to answer 200. Returns 0 or -1 (then the log is
 * printed to stderr). */
/* Starts binary (no arguments) with exactly the environment envp, its
 * stdout and stderr to log_path (appended to, or truncated first), stdin
 * from /dev/null; the child dies with the caller (PR_SET_PDEATHSIG).
 * Returns its pid, or -1 after a message. */
pid_t test_spawn(const char *binary, char *const *envp, const char *log_path, int append);

int test_daemon_start(struct test_daemon *d, const char *name, const char *binary,
                      const char *port_var, int port, const char *const *env);
/* The env for test_daemon_start from a starter's defaults and a test's
 * extra entries (both NULL-terminated "NAME=value" lists; extra may be
 * NULL): the defaults whose NAME extra does not set again, then extra, so
 * the test's setting wins. out gets at most cap - 1 entries (borrowed) and a
 * NULL; returns how many. */
size_t test_env_merge(const char **out, size_t cap, const char *const *defaults,
                      const char *const *extra);
/* SIGTERM, wait up to 10 s, then SIGKILL. Returns the exit status
 * (waitpid's) or -1. */
int test_daemon_stop(struct test_daemon *d);
/* SIGKILL at once and reap. */
void test_daemon_kill(struct test_daemon *d);
/* Waits until GET /healthz answers 200 (timeout_ms); 0 or -1. */
int test_wait_healthy(const char *base_url, int timeout_ms);

/* HTTP for tests. headers: NULL-terminated "Name: value" list or NULL.
 * Returns the status (0 on transport failure); *body (if not NULL) gets
 * the malloc'ed response body. */
/* This thread's libcurl easy handle (a CURL *), reset for a new request;
 * one per thread, kept for the thread's life, so load tests reuse their
 * connections. NULL if libcurl cannot make one. */
void *test_curl(void);
/* A libcurl CURLOPT_WRITEFUNCTION that appends what arrives to the struct
 * sbuf (common/util.h) given as CURLOPT_WRITEDATA. */
size_t test_curl_sink(char *data, size_t size, size_t n, void *sbuf);

long test_http(const char *method, const char *url, const char *const *headers, const char *body,
               char **resp_body);
/* The one HTTP call under every test helper (test_http, the chaos and
 * security harness): method url with headers (NULL-terminated "Name: value",
 * may be NULL; "Expect:" added unless one is given), body of len bytes
 * (NULL: none; a POST sends an empty one), timeout_ms (0: 30 s), the answer's
 * body appended to out (an initialised struct sbuf, common/util.h). With
 * TEST_HTTP_PATH_AS_IS the path goes as given ("/../" and all). The
 * status, 0 on transport failure; recorded under TEST_HTTP_RECORD. */
#define TEST_HTTP_PATH_AS_IS 1
struct sbuf;
long test_http_send(const char *method, const char *url, const char *const *headers,
                    const char *body, size_t len, long timeout_ms, int flags, struct sbuf *out);
/* JSON variant: body_json borrowed (may be NULL); *out new reference or
 * NULL when the response is not JSON. bearer may be NULL. */
long test_http_json(const char *method, const char *url, const char *bearer, json_t *body_json,
                    json_t **out);

#endif
