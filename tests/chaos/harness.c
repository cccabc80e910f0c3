/* harness.c: daemons as killable children, a restartable PostgreSQL, HTTP
 * and SQL for the chaos and security suites (see harness.h). */
#include "harness.h"

#include "common/util.h"
#include "testsupport.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- daemons ---- */

void hd_init(struct hdaemon *d, const char *name, const char *binary, const char *port_var,
             int port, const char *log_dir)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    snprintf(d->binary, sizeof d->binary, "%s", binary);
    snprintf(d->port_var, sizeof d->port_var, "%s", port_var);
    d->port = port;
    snprintf(d->base_url, sizeof d->base_url, "http://127.0.0.1:%d", port);
    snprintf(d->log_path, sizeof d->log_path, "%s/%s.log", log_dir, name);
    hd_env(d, "%s=%d", port_var, port);
}

void hd_env(struct hdaemon *d, const char *fmt, ...)
{
    if (d->nenv >= HD_MAX_ENV) {
        fprintf(stderr, "harness: too many environment entries for %s\n", d->name);
        abort();
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&d->env[d->nenv], fmt, ap) < 0)
        abort();
    va_end(ap);
    d->nenv++;
    d->env[d->nenv] = NULL;
}

void hd_env_list(struct hdaemon *d, const char *const *env)
{
    for (size_t i = 0; env && env[i]; i++)
        hd_env(d, "%s", env[i]);
}

/* The child's environment: ours minus the names d sets, then d's. */
static char **hd_child_env(const struct hdaemon *d)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **out = calloc(n + d->nenv + 1, sizeof *out);
    if (!out)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t nl = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < d->nenv && !replaced; j++)
            replaced = strncmp(d->env[j], environ[i], nl) == 0 && d->env[j][nl] == '=';
        if (!replaced)
            out[k++] = environ[i];
    }
    for (size_t j = 0; j < d->nenv; j++)
        out[k++] = d->env[j];
    out[k] = NULL;
    return out;
}

int hd_alive(struct hdaemon *d)
{
    if (d->pid <= 0)
        return 0;
    int status;
    pid_t r = waitpid(d->pid, &status, WNOHANG);
    if (r == d->pid) {
        d->last_status = status;
        d->pid = 0;
        return 0;
    }
    return 1;
}

void hd_log_tail(const struct hdaemon *d, long bytes)
{
    FILE *f = fopen(d->log_path, "r");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > bytes ? size - bytes : 0, SEEK_SET);
    fprintf(stderr, "---- last lines of %s ----\n", d->log_path);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    fprintf(stderr, "---- end of %s ----\n", d->log_path);
    fclose(f);
}

long hd_log_count(const struct hdaemon *d, const char *needle)
{
    FILE *f = fopen(d->log_path, "r");
    if (!f)
        return 0;
    long count = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0)
        if (strstr(line, needle))
            count++;
    free(line);
    fclose(f);
    return count;
}

int hd_start(struct hdaemon *d, int wait_ms)
{
    char **envp = hd_child_env(d);
    pid_t pid = test_spawn(d->binary, envp, d->log_path, 1);
    free(envp);
    if (pid < 0)
        return -1;
    d->pid = pid;
    d->starts++;
    if (wait_ms <= 0)
        return 0;
    char url[128];
    snprintf(url, sizeof url, "%s/healthz", d->base_url);
    for (long long until = (long long)mono_ms() + wait_ms; (long long)mono_ms() < until;) {
        if (!hd_alive(d)) {
            fprintf(stderr, "harness: %s exited at start (status %d)\n", d->name, d->last_status);
            hd_log_tail(d, 4096);
            return -1;
        }
        struct hres r;
        long st = h_call("GET", d->base_url, "/healthz", NULL, NULL, 0, NULL, 2000, &r);
        hres_free(&r);
        if (st == 200)
            return 0;
        sleep_ms(50);
    }
    fprintf(stderr, "harness: %s not healthy within %d ms\n", d->name, wait_ms);
    hd_log_tail(d, 4096);
    return -1;
}

void hd_kill(struct hdaemon *d)
{
    if (d->pid <= 0)
        return;
    kill(d->pid, SIGKILL);
    int status;
    if (waitpid(d->pid, &status, 0) == d->pid)
        d->last_status = status;
    d->pid = 0;
    d->kills++;
}

int hd_stop(struct hdaemon *d)
{
    if (d->pid <= 0)
        return -1;
    kill(d->pid, SIGTERM);
    int status = -1;
    for (long long until = (long long)mono_ms() + 20000; (long long)mono_ms() < until;) {
        pid_t r = waitpid(d->pid, &status, WNOHANG);
        if (r == d->pid) {
            d->pid = 0;
            d->last_status = status;
            return status;
        }
        sleep_ms(20);
    }
    fprintf(stderr, "harness: %s ignored SIGTERM for 20 s\n", d->name);
    kill(d->pid, SIGKILL);
    waitpid(d->pid, &status, 0);
    d->pid = 0;
    return -1;
}

/* ---- PostgreSQL ---- */

static int hpg_run(const struct hpg *pg, const char *cmd)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char port[16];
        snprintf(port, sizeof port, "%d", pg->port);
        int nul = open("/dev/null", O_WRONLY);
        if (nul >= 0)
            dup2(nul, STDOUT_FILENO);
        setenv("PG_FSYNC", "off", 0);
        execl("/bin/bash", "bash", pg->script, cmd, pg->dir, port, (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Waits for EOF on fd (the suite ended), then stops the server and removes
 * its folder. */
static void hpg_watchdog(const struct hpg *pg, int fd)
{
    char c = 0;
    int keep = 0;
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n == 1 && c == 'k')
            keep = 1;
        if (n == 0 || (n < 0 && errno != EINTR))
            break;
    }
    hpg_run(pg, "stop");
    if (keep)
        _exit(0);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/rm", "rm", "-rf", pg->remove_dir, (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
    _exit(0);
}

int hpg_start(struct hpg *pg, const char *script, const char *dir, const char *remove_dir, int port)
{
    memset(pg, 0, sizeof *pg);
    snprintf(pg->script, sizeof pg->script, "%s", script);
    snprintf(pg->dir, sizeof pg->dir, "%s", dir);
    snprintf(pg->remove_dir, sizeof pg->remove_dir, "%s", remove_dir ? remove_dir : dir);
    pg->port = port;
    snprintf(pg->user, sizeof pg->user, "%s", getuid() == 0 ? "postgres" : getenv("USER"));
    if (!getenv("USER") && getuid() != 0) {
        fprintf(stderr, "harness: USER not set\n");
        return -1;
    }
    mkdir(dir, 0755);
    chmod(dir, 0755);
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    fflush(NULL);
    pid_t w = fork();
    if (w < 0)
        return -1;
    if (w == 0) {
        setsid(); /* outlives a kill of the suite's process group */
        close(fds[1]);
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        hpg_watchdog(pg, fds[0]);
    }
    close(fds[0]);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* daemons must not keep it open */
    pg->watchdog = w;
    pg->watch_fd = fds[1];
    if (hpg_run(pg, "start") != 0) {
        fprintf(stderr, "harness: PostgreSQL did not start in %s (see %s/server.log)\n", dir, dir);
        return -1;
    }
    return 0;
}

void hpg_keep(struct hpg *pg)
{
    if (write(pg->watch_fd, "k", 1) != 1)
        perror("hpg_keep");
}

void hpg_stop(struct hpg *pg)
{
    hpg_run(pg, "stop");
}

void hpg_crash(struct hpg *pg)
{
    char path[600];
    snprintf(path, sizeof path, "%s/db/postmaster.pid", pg->dir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    if (pid <= 0) {
        hpg_stop(pg);
        return;
    }
    kill((pid_t)pid, SIGQUIT);
    for (int i = 0; i < 300 && kill((pid_t)pid, 0) == 0; i++)
        sleep_ms(100);
}

int hpg_restart(struct hpg *pg)
{
    pg->restarts++;
    for (int i = 0; i < 3; i++) {
        if (hpg_run(pg, "start") == 0)
            return 0;
        sleep_ms(1000);
    }
    return -1;
}

void hpg_test_env(const struct hpg *pg)
{
    char v[600];
    snprintf(v, sizeof v, "%s/socket", pg->dir);
    setenv("TEST_PGHOST", v, 1);
    snprintf(v, sizeof v, "%d", pg->port);
    setenv("TEST_PGPORT", v, 1);
    setenv("TEST_PGUSER", pg->user, 1);
}

void hpg_uri(const struct hpg *pg, const char *db, char *out, size_t outlen)
{
    /* the socket folder, percent-encoded as a URI host */
    char host[1024];
    size_t k = 0;
    char sock[600];
    snprintf(sock, sizeof sock, "%s/socket", pg->dir);
    for (const char *p = sock; *p && k + 4 < sizeof host; p++) {
        if (*p == '/') {
            memcpy(host + k, "%2F", 3);
            k += 3;
        } else {
            host[k++] = *p;
        }
    }
    host[k] = '\0';
    snprintf(out, outlen, "postgresql://%s@%s:%d/%s", pg->user, host, pg->port, db);
}

/* ---- SQL ---- */

PGresult *h_sql(const char *uri, const char *sql)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "harness: connect: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        fprintf(stderr, "harness: %s\n  -> %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        r = NULL;
    }
    PQfinish(c);
    return r;
}

long h_sql_long(const char *uri, const char *sql, long def)
{
    PGresult *r = h_sql(uri, sql);
    long v = def;
    if (r && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

int h_sql_exec(const char *uri, const char *sql)
{
    PGresult *r = h_sql(uri, sql);
    PQclear(r);
    return r ? 0 : -1;
}

void h_table_digest(const char *uri, const char *table, char out[40])
{
    /* the server quotes the table name: format('%I') */
    static const char sql[] =
        "SELECT format('SELECT md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) "
        "FROM %I t', $1::text)";
    snprintf(out, 40, "error");
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) == CONNECTION_OK) {
        const char *p[] = {table};
        PGresult *q = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(q) == PGRES_TUPLES_OK && PQntuples(q) == 1) {
            PGresult *r = PQexec(c, PQgetvalue(q, 0, 0));
            if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
                snprintf(out, 40, "%s", PQgetvalue(r, 0, 0));
            PQclear(r);
        }
        PQclear(q);
    }
    PQfinish(c);
}

/* ---- HTTP ---- */

void hres_free(struct hres *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

long h_call(const char *method, const char *base, const char *path, const char *bearer,
            const char *body, size_t len, const char *const *headers, long timeout_ms,
            struct hres *r)
{
    memset(r, 0, sizeof *r);
    char auth[1200];
    size_t ulen = strlen(base) + strlen(path) + 1;
    char *url = malloc(ulen);
    if (!url)
        abort();
    snprintf(url, ulen, "%s%s", base, path);
    size_t given = 0;
    while (headers && headers[given])
        given++;
    const char **all = calloc(given + 3, sizeof *all);
    if (!all)
        abort();
    size_t n = 0;
    int has_ct = 0;
    for (size_t i = 0; i < given; i++) {
        all[n++] = headers[i];
        has_ct |= strncasecmp(headers[i], "Content-Type:", 13) == 0;
    }
    if (body && !has_ct)
        all[n++] = "Content-Type: application/json";
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        all[n++] = auth;
    }
    all[n] = NULL;
    struct sbuf b;
    sbuf_init(&b);
    /* paths with odd bytes are sent as given: the server decides */
    r->status = test_http_send(method, url, all, body, len, timeout_ms > 0 ? timeout_ms : 15000L,
                               TEST_HTTP_PATH_AS_IS, &b);
    free(all);
    free(url);
    r->body = sbuf_steal(&b, &r->len);
    if (r->status && r->len)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

long h_callz(const char *method, const char *base, const char *path, const char *bearer,
             const char *body, struct hres *r)
{
    return h_call(method, base, path, bearer, body, body ? strlen(body) : 0, NULL, 0, r);
}

const char *h_str(const struct hres *r, const char *key)
{
    const char *v = json_string_value(json_object_get(r->json, key));
    return v ? v : "";
}
