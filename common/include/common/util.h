/* util.h: small helpers shared by all services: allocation that aborts on
 * out-of-memory (so callers never check), a growable string buffer, time,
 * and input checks. */
#ifndef COMMON_UTIL_H
#define COMMON_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Growable NUL-terminated buffer; buf owned, free with sbuf_cleanup. */
struct sbuf {
    char *buf;
    size_t len, cap;
};
void sbuf_init(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the buffer (caller frees) and leaves b empty. */
char *sbuf_steal(struct sbuf *b, size_t *len);
void sbuf_cleanup(struct sbuf *b);

/* Milliseconds since the epoch / a monotonic clock. */
int64_t now_ms(void);
int64_t mono_ms(void);
/* RFC 3339 UTC with milliseconds: 2026-11-23T10:00:00.123Z (out >= 32 bytes). */
void time_rfc3339(int64_t epoch_ms, char *out, size_t outlen);
/* Parses RFC 3339 ("...Z" or "+hh:mm", fraction optional) into epoch ms;
 * 0 on success, -1 if malformed. */
int time_parse_rfc3339(const char *s, int64_t *epoch_ms);

/* 1 if the n bytes at s are valid UTF-8 with no NUL, else 0. */
int utf8_valid(const char *s, size_t n);

/* Borrowed string member of obj, or NULL if absent or not a string. */
const char *json_str(const json_t *obj, const char *key);

/* Parses a decimal integer that fits in long, whole string; 0 or -1. */
int parse_long(const char *s, long *out);

/* The value of a hex digit (either case), or -1. */
int hex_digit(char c);

/* Decodes %XX in place and returns the new length. %00 stays as the three
 * characters: a NUL would cut a path or an argument short, so
 * "/assets/app.js%00.css" would be served as app.js and "/x/special%00y"
 * routed to "/x/special". */
size_t url_unescape_keep_nul(char *s);

/* Characters (code points) in a NUL-terminated UTF-8 string. */
size_t utf8_chars(const char *s);

/* Sleeps ms milliseconds, whatever signals arrive meanwhile. */
void sleep_ms(long ms);

/* The one retry delay of every loop that tries again (the outbox, ticket-
 * app's follow-ups and waitlist offers): before attempt number attempts+1
 * (attempts >= 1 already failed), min(max_ms, base_ms * 2^(attempts-1))
 * scaled by a jitter in [0.5, 1.5) (jitter01 in [0, 1), clamped). base_ms
 * below 1 counts as 1, max_ms below base_ms as base_ms. Pure. */
long backoff_ms(long base_ms, long max_ms, int attempts, double jitter01);

#endif
