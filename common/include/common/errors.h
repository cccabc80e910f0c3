/* errors.h: the one table that maps outcomes to HTTP statuses and codes. */
#ifndef COMMON_ERRORS_H
#define COMMON_ERRORS_H

#include "common/db.h"
#include "common/http.h"

/* Answers res for a non-OK database outcome: NOT_FOUND 404, CONFLICT 409,
 * INVALID 400 VALIDATION_FAILED, RETRY/UNAVAILABLE 503 SERVICE_UNAVAILABLE,
 * ERROR 500 INTERNAL. */
void http_res_db_error(struct http_res *res, enum db_status st);

/* Status and code for an outcome, for callers that build their own body. */
int db_status_http(enum db_status st, const char **code);

/* Borrows a connection from pool (waiting up to wait_ms), or answers res
 * 503 SERVICE_UNAVAILABLE with Retry-After and returns NULL. */
struct db_conn *db_acquire_or_503(struct db_pool *pool, int wait_ms, struct http_res *res);

/* The start of a handler on one thing: its UUID path parameter "id" into
 * *id (else 404 "no such <what>", http_req_uuid_param), then
 * db_acquire_or_503. The connection, or NULL when res is answered. */
struct db_conn *db_acquire_for_id(struct db_pool *pool, int wait_ms, const struct http_req *req,
                                  struct http_res *res, const char *what, const char **id);

/* The paged list answer of every service: 200 {items, total, limit,
 * offset}; items is stolen. */
void http_res_page(struct http_res *res, json_t *items, long total, long limit, long offset);
/* As http_res_page with items built from the rows of r (row_json(r, i) a
 * new reference each), r cleared; or the error answer for st. */
void http_res_rows(struct http_res *res, enum db_status st, PGresult *r,
                   json_t *(*row_json)(const PGresult *r, int i), long total, long limit,
                   long offset);

#endif
