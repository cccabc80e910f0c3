/* log.h: leveled logging, one line per event on stderr:
 *   2026-11-23T10:00:00.123Z INFO payment-app <request_id> message key=value
 * The level is checked before formatting. Never log a password, token or
 * secret. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

extern enum log_level log_min_level;

/* service: name printed on each line (borrowed, must outlive logging). */
void log_init(const char *service, enum log_level min);
/* Parses "debug|info|warn|error"; -1 if none. */
int log_level_parse(const char *s);
/* The request id printed on this thread's lines ("-" when NULL). The server
 * sets it around each handler; background loops may set their own. */
void log_set_request_id(const char *request_id);
/* This thread's request id (borrowed, thread-local), or NULL when none is set. */
const char *log_request_id(void);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_AT(lvl, ...)                                                                          \
    do {                                                                                          \
        if ((lvl) >= log_min_level)                                                               \
            log_write((lvl), __VA_ARGS__);                                                        \
    } while (0)
#define log_debug(...) LOG_AT(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) LOG_AT(LOG_INFO, __VA_ARGS__)
#define log_warn(...) LOG_AT(LOG_WARN, __VA_ARGS__)
#define log_error(...) LOG_AT(LOG_ERROR, __VA_ARGS__)

#endif
