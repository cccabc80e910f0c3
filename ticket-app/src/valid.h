/* valid.h: field checks for JSON request bodies. Each check records a
 * message under the field's name in details (a JSON object the caller owns)
 * so one 400 answer lists every bad field. Pure, no I/O. */
#ifndef TICKET_VALID_H
#define TICKET_VALID_H

#include <jansson.h>
#include <stddef.h>

/* A string member of 1..maxlen bytes (after checking UTF-8). Returns 1 if
 * present and valid (*out borrowed from obj), 0 if absent or null (and not
 * required), -1 if invalid or required and absent (details gets a message). */
int valid_string(const json_t *obj, const char *key, int required, size_t maxlen, const char **out,
                 json_t *details);

/* An integer member in [min, max]; same returns as valid_string. */
int valid_long(const json_t *obj, const char *key, int required, long min, long max, long *out,
               json_t *details);

/* A UUID string member, written lowercase into out; same returns. */
int valid_uuid(const json_t *obj, const char *key, int required, char out[37], json_t *details);

/* Lowercase copy of a UUID string into out; 0, or -1 if s is not a UUID. */
int valid_uuid_norm(const char *s, char out[37]);

/* Records a message for key in details (first message per key wins). */
void valid_fail(json_t *details, const char *key, const char *msg);

/* 1 if s (a NUL-terminated string) is a three-letter uppercase currency. */
int valid_currency(const char *s);

#endif
