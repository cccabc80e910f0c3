/* handler_common.c: steps the endpoint families share (declared in app.h). */
#include "app.h"

#include "common/errors.h"

void app_answer_rows(struct http_res *res, enum db_status st, PGresult *r,
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
    http_res_json(res, 200,
                  json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
                            "limit", (json_int_t)limit, "offset", (json_int_t)offset));
}
