/* log.c: leveled log lines on stderr, one write(2) each, so lines from
 * concurrent threads never interleave. */
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/util.h"

#define LOG_LINE_MAX 4096

enum log_level log_min_level = LOG_INFO;

static const char *log_service = "-";
/* Each thread prints the request it is serving; set by the server's workers. */
static _Thread_local char log_rid[80];

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void log_init(const char *service, enum log_level min)
{
    log_service = service && *service ? service : "-";
    log_min_level = min;
}

int log_level_parse(const char *s)
{
    if (!s)
        return -1;
    if (!strcasecmp(s, "debug"))
        return LOG_DEBUG;
    if (!strcasecmp(s, "info"))
        return LOG_INFO;
    if (!strcasecmp(s, "warn") || !strcasecmp(s, "warning"))
        return LOG_WARN;
    if (!strcasecmp(s, "error"))
        return LOG_ERROR;
    return -1;
}

void log_set_request_id(const char *request_id)
{
    if (!request_id) {
        log_rid[0] = '\0';
        return;
    }
    snprintf(log_rid, sizeof log_rid, "%s", request_id);
}

const char *log_request_id(void)
{
    return log_rid[0] ? log_rid : NULL;
}

void log_write(enum log_level level, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    char ts[40];
    if ((int)level < LOG_DEBUG || level > LOG_ERROR)
        level = LOG_ERROR;
    time_rfc3339(now_ms(), ts, sizeof ts);
    int head = snprintf(line, sizeof line, "%s %s %s %s ", ts, level_names[level], log_service,
                        log_rid[0] ? log_rid : "-");
    if (head < 0 || (size_t)head >= sizeof line)
        head = 0;
    size_t room = sizeof line - (size_t)head - 1; /* keep one byte for '\n' */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + head, room, fmt, ap);
    va_end(ap);
    size_t len;
    if (n < 0) {
        len = (size_t)head;
    } else if ((size_t)n >= room) {
        len = sizeof line - 2;
        memcpy(line + len - 3, "...", 3);
    } else {
        len = (size_t)head + (size_t)n;
    }
    /* A message may carry client input or a multi-line libpq error: keep the
     * event on one line and free of terminal control bytes. */
    for (size_t i = (size_t)head; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == '\n' || c == '\r' || c == '\t')
            line[i] = ' ';
        else if (c < 0x20 || c == 0x7f)
            line[i] = '?';
    }
    while (len > (size_t)head && line[len - 1] == ' ')
        len--;
    line[len++] = '\n';
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(STDERR_FILENO, line + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        off += (size_t)w;
    }
}
