/* errors.c: the one table from database outcomes to HTTP statuses, error
 * codes and messages, so every service answers the same way; and the
 * answers built on it: a connection or 503, the paged list. */
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

struct db_conn *db_acquire_or_503(struct db_pool *pool, int wait_ms, struct http_res *res)
{
    struct db_conn *c = db_acquire(pool, wait_ms);
    if (!c)
        http_res_db_error(res, DB_UNAVAILABLE);
    return c;
}

struct db_conn *db_acquire_for_id(struct db_pool *pool, int wait_ms, const struct http_req *req,
                                  struct http_res *res, const char *what, const char **id)
{
    *id = http_req_uuid_param(req, res, "id", what);
    return *id ? db_acquire_or_503(pool, wait_ms, res) : NULL;
}

void http_res_page(struct http_res *res, json_t *items, long total, long limit, long offset)
{
    http_res_json(res, 200,
                  json_pack("{s:o, s:I, s:I, s:I}", "items", items ? items : json_array(), "total",
                            (json_int_t)total, "limit", (json_int_t)limit, "offset",
                            (json_int_t)offset));
}

void http_res_rows(struct http_res *res, enum db_status st, PGresult *r,
                   json_t *(*row_json)(const PGresult *r, int i), long total, long limit,
                   long offset)
{
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(items, row_json(r, i));
    PQclear(r);
    http_res_page(res, items, total, limit, offset);
}
