/* testsupport.c: what db/http/e2e tests share: a fresh database on the test
 * PostgreSQL, real daemons on free ports, and plain HTTP calls. */
#include "testsupport.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/db.h"
#include "common/migrate.h"
#include "common/rand.h"
#include "common/util.h"

extern char **environ;

static const char *test_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int test_pg_available(void)
{
    return test_env("TEST_PGHOST") && test_env("TEST_PGPORT");
}

void test_require_pg(void)
{
    if (!test_pg_available()) {
        fprintf(stderr, "skipped: TEST_PGHOST/TEST_PGPORT not set (no test PostgreSQL)\n");
        exit(TEST_SKIP);
    }
}

/* Percent-encodes everything but unreserved characters, so a socket
 * folder ("/tmp/pg/socket") is a valid URI host. */
static void test_pct(struct sbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            sbuf_add(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            sbuf_add(b, e, 3);
        }
    }
}

/* postgresql://user@host:port/db with host percent-encoded. */
void test_db_uri(const char *db, char *out, size_t outlen)
{
    if (!test_pg_available()) {
        snprintf(out, outlen, "%s", "");
        return;
    }
    struct sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "postgresql://");
    const char *user = test_env("TEST_PGUSER");
    if (user) {
        test_pct(&b, user);
        sbuf_puts(&b, "@");
    }
    test_pct(&b, test_env("TEST_PGHOST"));
    sbuf_puts(&b, ":");
    test_pct(&b, test_env("TEST_PGPORT"));
    sbuf_puts(&b, "/");
    test_pct(&b, db);
    snprintf(out, outlen, "%s", b.buf);
    sbuf_cleanup(&b);
}

static const struct db_stmt test_create_sql = {"test_create_sql",
                                               "SELECT format('CREATE DATABASE %I', $1::text)"};

int test_db_create(const char *prefix, const char *const *migration_dirs, char *uri, size_t urilen)
{
    if (!test_pg_available()) {
        fprintf(stderr, "test_db_create: no test PostgreSQL configured\n");
        return -1;
    }
    rand_init();
    char name[64], hex[9], admin[512], err[512];
    rand_hex(hex, 4);
    size_t n = 0;
    for (const char *p = prefix ? prefix : "t"; *p && n < 40; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        name[n++] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? c : '_';
    }
    name[n++] = '_';
    memcpy(name + n, hex, 9);

    test_db_uri("postgres", admin, sizeof admin);
    struct db_conn *conn = db_connect(admin, err, sizeof err);
    if (!conn) {
        fprintf(stderr, "test_db_create: cannot connect to %s: %s\n", admin, err);
        return -1;
    }
    /* CREATE DATABASE takes no parameters: the server quotes the name. */
    const char *params[] = {name};
    PGresult *res;
    int rc = -1;
    if (db_exec(conn, &test_create_sql, 1, params, &res) == DB_OK) {
        char *sql = xstrdup(PQgetvalue(res, 0, 0));
        PQclear(res);
        rc = db_exec_simple(conn, sql) == DB_OK ? 0 : -1;
        free(sql);
    }
    if (rc != 0)
        fprintf(stderr, "test_db_create: CREATE DATABASE %s failed: %s\n", name,
                db_last_error(conn));
    db_disconnect(conn);
    if (rc != 0)
        return -1;
    test_db_uri(name, uri, urilen);

    if (migration_dirs && migration_dirs[0]) {
        conn = db_connect(uri, err, sizeof err);
        if (!conn) {
            fprintf(stderr, "test_db_create: cannot connect to %s: %s\n", uri, err);
            return -1;
        }
        size_t nd = 0;
        while (migration_dirs[nd])
            nd++;
        char **paths = xcalloc(nd + 1, sizeof *paths);
        for (size_t i = 0; i < nd; i++) {
            struct sbuf b;
            sbuf_init(&b);
            if (!strchr(migration_dirs[i], '/')) {
                sbuf_puts(&b, MIGRATIONS_ROOT);
                sbuf_puts(&b, "/");
            }
            sbuf_puts(&b, migration_dirs[i]);
            paths[i] = sbuf_steal(&b, NULL);
        }
        if (migrate_run(conn, (const char *const *)paths, err, sizeof err) < 0) {
            fprintf(stderr, "test_db_create: migrations failed: %s\n", err);
            rc = -1;
        }
        for (size_t i = 0; i < nd; i++)
            free(paths[i]);
        free(paths);
        db_disconnect(conn);
    }
    return rc;
}

char *test_db_scalar(const char *uri, const char *sql, int *ok)
{
    return test_db_scalar_params(uri, sql, 0, NULL, ok);
}

char *test_db_scalar_params(const char *uri, const char *sql, int nparams,
                            const char *const *params, int *ok)
{
    char err[512];
    if (ok)
        *ok = 0;
    struct db_conn *conn = db_connect(uri, err, sizeof err);
    if (!conn) {
        fprintf(stderr, "test_db_scalar: cannot connect: %s\n", err);
        return NULL;
    }
    PGresult *res = nparams > 0
                        ? PQexecParams(db_pgconn(conn), sql, nparams, NULL, params, NULL, NULL, 0)
                        : PQexec(db_pgconn(conn), sql);
    ExecStatusType st = PQresultStatus(res);
    char *out = NULL;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        if (ok)
            *ok = 1;
        if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
            out = xstrdup(PQgetvalue(res, 0, 0));
    } else {
        fprintf(stderr, "test_db_scalar: %s: %s", sql, PQresultErrorMessage(res));
    }
    PQclear(res);
    db_disconnect(conn);
    return out;
}

int test_db_exec(const char *uri, const char *sql)
{
    int ok;
    free(test_db_scalar(uri, sql, &ok));
    return ok ? 0 : -1;
}

/* 1 if nothing is bound to 127.0.0.1:port now (SO_REUSEADDR, as the
 * daemons bind, so a connection in TIME_WAIT does not count). */
static int test_port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

int test_free_port(void)
{
    /* Below the kernel's ephemeral range (32768 and up by default): a port
     * bind(0) hands out is one that any outgoing connection of a test
     * running beside may take as its local port before the daemon binds
     * it ("Address already in use"). */
    rand_init();
    for (int i = 0; i < 200; i++) {
        char hex[5];
        rand_hex(hex, 2);
        int port = TEST_PORT_MIN + (int)(strtoul(hex, NULL, 16) % (TEST_PORT_MAX - TEST_PORT_MIN));
        if (test_port_free(port))
            return port;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void test_print_log_tail(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long from = size > 8192 ? size - 8192 : 0;
    fseek(f, from, SEEK_SET);
    fprintf(stderr, "---- last lines of %s ----\n", path);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    fprintf(stderr, "---- end of %s ----\n", path);
    fclose(f);
}

/* The environment of the child: ours, with env's names replaced. */
static char **test_child_env(const char *const *env, const char *port_assign)
{
    size_t n = 0, ne = 0;
    while (environ[n])
        n++;
    while (env && env[ne])
        ne++;
    char **out = xcalloc(n + ne + 2, sizeof *out);
    size_t k = 0;
    const char *extra[] = {port_assign};
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t nl = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < ne && !replaced; j++)
            replaced = strncmp(env[j], environ[i], nl) == 0 && env[j][nl] == '=';
        if (port_assign && strncmp(port_assign, environ[i], nl) == 0 && port_assign[nl] == '=')
            replaced = 1;
        if (!replaced)
            out[k++] = environ[i];
    }
    for (size_t j = 0; j < ne; j++)
        out[k++] = (char *)env[j];
    if (extra[0])
        out[k++] = (char *)extra[0];
    out[k] = NULL;
    return out;
}

pid_t test_spawn(const char *binary, char *const *envp, const char *log_path, int append)
{
    int logfd =
        open(log_path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0644);
    if (logfd < 0) {
        fprintf(stderr, "test_spawn: cannot open %s: %s\n", log_path, strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "test_spawn: fork: %s\n", strerror(errno));
        close(logfd);
        return -1;
    }
    if (pid == 0) {
        /* A test that crashes or times out must not leave daemons behind. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(logfd, STDOUT_FILENO);
        dup2(logfd, STDERR_FILENO);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, STDIN_FILENO);
        char *argv[] = {(char *)binary, NULL};
        execve(binary, argv, envp);
        dprintf(STDERR_FILENO, "exec %s: %s\n", binary, strerror(errno));
        _exit(127);
    }
    close(logfd);
    return pid;
}

int test_daemon_start(struct test_daemon *d, const char *name, const char *binary,
                      const char *port_var, int port, const char *const *env)
{
    memset(d, 0, sizeof *d);
    if (port == 0)
        port = test_free_port();
    d->port = port;
    snprintf(d->name, sizeof d->name, "%s", name ? name : "daemon");
    snprintf(d->log_path, sizeof d->log_path, "/tmp/test-%s-%d-%d.log", d->name, (int)getpid(),
             port);
    snprintf(d->base_url, sizeof d->base_url, "http://127.0.0.1:%d", port);

    char port_assign[128];
    snprintf(port_assign, sizeof port_assign, "%s=%d", port_var ? port_var : "PORT", port);
    char **envp = test_child_env(env, port_assign);

    pid_t pid = test_spawn(binary, envp, d->log_path, 0);
    free(envp);
    if (pid < 0)
        return -1;
    d->pid = pid;

    /* Wait for /healthz, giving up early if the daemon died. */
    for (int waited = 0; waited < 15000; waited += 50) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            d->pid = 0;
            fprintf(stderr, "test_daemon_start: %s exited early (status %d)\n", d->name, status);
            test_print_log_tail(d->log_path);
            return -1;
        }
        char url[128];
        snprintf(url, sizeof url, "%s/healthz", d->base_url);
        if (test_http("GET", url, NULL, NULL, NULL) == 200)
            return 0;
        sleep_ms(50);
    }
    fprintf(stderr, "test_daemon_start: %s did not answer /healthz within 15 s\n", d->name);
    test_print_log_tail(d->log_path);
    test_daemon_kill(d);
    return -1;
}

/* 1 if extra sets the variable named like entry ("NAME=..."). */
static int env_overridden(const char *entry, const char *const *extra)
{
    size_t n = strcspn(entry, "=");
    for (size_t i = 0; extra && extra[i]; i++)
        if (strncmp(extra[i], entry, n + 1) == 0)
            return 1;
    return 0;
}

size_t test_env_merge(const char **out, size_t cap, const char *const *defaults,
                      const char *const *extra)
{
    size_t k = 0;
    for (size_t i = 0; defaults && defaults[i] && k + 1 < cap; i++)
        if (!env_overridden(defaults[i], extra))
            out[k++] = defaults[i];
    for (size_t i = 0; extra && extra[i] && k + 1 < cap; i++)
        out[k++] = extra[i];
    out[k] = NULL;
    return k;
}

int test_daemon_stop(struct test_daemon *d)
{
    if (!d || d->pid <= 0)
        return -1;
    int status = -1;
    kill(d->pid, SIGTERM);
    for (int waited = 0; waited < 10000; waited += 20) {
        pid_t r = waitpid(d->pid, &status, WNOHANG);
        if (r == d->pid) {
            d->pid = 0;
            return status;
        }
        if (r < 0) {
            d->pid = 0;
            return -1;
        }
        sleep_ms(20);
    }
    fprintf(stderr, "test_daemon_stop: %s ignored SIGTERM for 10 s, killing\n", d->name);
    kill(d->pid, SIGKILL);
    if (waitpid(d->pid, &status, 0) != d->pid)
        status = -1;
    d->pid = 0;
    return status;
}

void test_daemon_kill(struct test_daemon *d)
{
    if (!d || d->pid <= 0)
        return;
    kill(d->pid, SIGKILL);
    int status;
    waitpid(d->pid, &status, 0);
    d->pid = 0;
}

int test_wait_healthy(const char *base_url, int timeout_ms)
{
    char url[256];
    snprintf(url, sizeof url, "%s/healthz", base_url);
    for (int waited = 0;; waited += 50) {
        if (test_http("GET", url, NULL, NULL, NULL) == 200)
            return 0;
        if (waited >= timeout_ms)
            return -1;
        sleep_ms(50);
    }
}

static pthread_once_t test_curl_once = PTHREAD_ONCE_INIT;
static pthread_key_t test_curl_key;

static void test_curl_free(void *h)
{
    curl_easy_cleanup(h);
}

static void test_curl_init(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    pthread_key_create(&test_curl_key, test_curl_free);
}

size_t test_curl_sink(char *data, size_t size, size_t n, void *p)
{
    sbuf_add(p, data, size * n);
    return size * n;
}

/* TEST_HTTP_RECORD=FILE: each exchange appended to FILE as one JSON line
 * {method, url, status, content_type, request, response} (the bodies as
 * text; a response that is not JSON or text is left out), for
 * openapi/validate.js --exchanges. */
static pthread_mutex_t test_record_lock = PTHREAD_MUTEX_INITIALIZER;

static void test_http_record(const char *path, const char *method, const char *url, long status,
                             const char *ctype, const char *req, const struct sbuf *resp)
{
    int text = ctype && (strstr(ctype, "json") || strncmp(ctype, "text/", 5) == 0);
    json_t *line = json_pack("{s:s, s:s, s:I, s:s?, s:s?}", "method", method, "url", url, "status",
                             (json_int_t)status, "content_type", ctype, "request", req);
    if (!line)
        return;
    json_t *r = text && resp->buf ? json_stringn(resp->buf, resp->len) : NULL;
    json_object_set_new(line, "response", r ? r : json_null());
    char *s = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    pthread_mutex_lock(&test_record_lock);
    FILE *f = s ? fopen(path, "a") : NULL;
    if (f) {
        fprintf(f, "%s\n", s);
        fclose(f);
    }
    pthread_mutex_unlock(&test_record_lock);
    free(s);
}

void *test_curl(void)
{
    pthread_once(&test_curl_once, test_curl_init);
    CURL *h = pthread_getspecific(test_curl_key);
    if (!h) {
        if ((h = curl_easy_init()))
            pthread_setspecific(test_curl_key, h);
    } else {
        curl_easy_reset(h);
    }
    return h;
}

long test_http_send(const char *method, const char *url, const char *const *headers,
                    const char *body, size_t len, long timeout_ms, int flags, struct sbuf *out)
{
    if (!url || !*url)
        return 0;
    CURL *h = test_curl();
    if (!h)
        return 0;
    struct curl_slist *list = NULL;
    int has_expect = 0;
    for (size_t i = 0; headers && headers[i]; i++) {
        list = curl_slist_append(list, headers[i]);
        has_expect |= strncasecmp(headers[i], "Expect:", 7) == 0;
    }
    if (!has_expect) /* no 100-continue round trip unless asked for */
        list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 30000L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, test_curl_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (flags & TEST_HTTP_PATH_AS_IS)
        curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    if (!method)
        method = "GET";
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (body || strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    }
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    const char *record = getenv("TEST_HTTP_RECORD");
    if (record && *record && status) {
        char *ctype = NULL;
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
        test_http_record(record, method, url, status, ctype, body, out);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(list);
    return status;
}

long test_http(const char *method, const char *url, const char *const *headers, const char *body,
               char **resp_body)
{
    if (resp_body)
        *resp_body = NULL;
    struct sbuf b;
    sbuf_init(&b);
    long status = test_http_send(method, url, headers, body, body ? strlen(body) : 0, 30000, 0, &b);
    if (resp_body && status)
        *resp_body = sbuf_steal(&b, NULL);
    sbuf_cleanup(&b);
    return status;
}

long test_http_json(const char *method, const char *url, const char *bearer, json_t *body_json,
                    json_t **out)
{
    if (out)
        *out = NULL;
    char *body = body_json ? json_dumps(body_json, JSON_COMPACT) : NULL;
    char auth[1024];
    const char *headers[4];
    size_t n = 0;
    headers[n++] = "Accept: application/json";
    if (body)
        headers[n++] = "Content-Type: application/json";
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        headers[n++] = auth;
    }
    headers[n] = NULL;
    char *resp = NULL;
    long status = test_http(method, url, headers, body, out ? &resp : NULL);
    if (out && resp && *resp)
        *out = json_loads(resp, 0, NULL);
    free(resp);
    free(body);
    return status;
}

int test_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int test_peer_closed(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return 0;
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}
