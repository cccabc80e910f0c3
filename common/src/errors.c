/* errors.c: the one table from database outcomes to HTTP statuses, error
 * codes and messages, so every service answers the same way. */
#include "common/errors.h"

static const struct {
    int status;
    const char *code;
    const char *message;
} db_errors[] = {
    [DB_OK] = {200, "OK", "ok"},
    [DB_NOT_FOUND] = {404, "NOT_FOUND", "not found"},
    [DB_CONFLICT] = {409, "CONFLICT", "conflicts with the current state"},
    [DB_INVALID] = {400, "VALIDATION_FAILED", "invalid input"},
    [DB_RETRY] = {503, "SERVICE_UNAVAILABLE", "temporarily unavailable, please retry"},
    [DB_UNAVAILABLE] = {503, "SERVICE_UNAVAILABLE", "database unavailable, please retry"},
    [DB_ERROR] = {500, "INTERNAL", "internal error"},
};

static int db_index(enum db_status st)
{
    if ((int)st < 0 || (size_t)st >= sizeof db_errors / sizeof db_errors[0])
        return DB_ERROR;
    return (int)st;
}

int db_status_http(enum db_status st, const char **code)
{
    int i = db_index(st);
    if (code)
        *code = db_errors[i].code;
    return db_errors[i].status;
}

void http_res_db_error(struct http_res *res, enum db_status st)
{
    int i = db_index(st);
    if (i == DB_OK) /* a caller's slip: never answer 200 with an error body */
        i = DB_ERROR;
    if (db_errors[i].status == 503)
        http_res_header(res, "Retry-After", "1");
    http_res_error(res, db_errors[i].status, db_errors[i].code, "%s", db_errors[i].message);
}
