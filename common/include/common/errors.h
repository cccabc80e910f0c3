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

#endif
