/* poster_store.c: SQL for event posters (see poster_store.h). Bytes travel
 * as hex text, as the ticket PDFs do, since db_exec takes text parameters. */
#include "poster_store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

static const struct db_stmt st_put = {
    "client_poster_put",
    "INSERT INTO event_posters (event_id, content_type, width, height, size, sha256, data, "
    "                           uploaded_by) "
    "VALUES ($1, $2, $3::int, $4::int, $5::int, $6, decode($7, 'hex'), $8) "
    "ON CONFLICT (event_id) DO UPDATE SET content_type = EXCLUDED.content_type, "
    "    width = EXCLUDED.width, height = EXCLUDED.height, size = EXCLUDED.size, "
    "    sha256 = EXCLUDED.sha256, data = EXCLUDED.data, uploaded_by = EXCLUDED.uploaded_by, "
    "    updated_at = now() "
    "RETURNING " SQL_TS("updated_at") " AS updated_at"};

static const struct db_stmt st_get = {"client_poster_get",
                                      "SELECT content_type, width, height, size, sha256, " SQL_TS(
                                          "updated_at") " AS updated_at, "
                                                        "       encode(data, 'hex') AS data_hex "
                                                        "  FROM event_posters WHERE event_id = $1"};

static const struct db_stmt st_get_meta = {
    "client_poster_get_meta", "SELECT content_type, width, height, size, sha256, " SQL_TS(
                                  "updated_at") " AS updated_at "
                                                "  FROM event_posters WHERE event_id = $1"};

static const struct db_stmt st_versions = {
    "client_poster_versions", "SELECT event_id::text AS event_id, left(sha256, 16) AS version "
                              "  FROM event_posters WHERE event_id = ANY($1::uuid[])"};

static const struct db_stmt st_delete = {
    "client_poster_delete", "DELETE FROM event_posters WHERE event_id = $1 RETURNING event_id"};

enum db_status poster_store_put(struct db_conn *c, const char *event_id, const char *user_id,
                                const unsigned char *data, size_t len, struct poster_meta *meta)
{
    char w[16], h[16], n[24];
    snprintf(w, sizeof w, "%u", meta->width);
    snprintf(h, sizeof h, "%u", meta->height);
    snprintf(n, sizeof n, "%zu", len);
    char *hex = xmalloc(len * 2 + 1);
    sodium_bin2hex(hex, len * 2 + 1, data, len);
    const char *p[8] = {event_id, meta->content_type, w, h, n, meta->sha256, hex, user_id};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_put, 8, p, &r);
    free(hex);
    if (st != DB_OK)
        return st;
    meta->size = len;
    snprintf(meta->updated_at, sizeof meta->updated_at, "%s",
             PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return DB_OK;
}

enum db_status poster_store_get(struct db_conn *c, const char *event_id, int want_data,
                                unsigned char **data, struct poster_meta *meta)
{
    const char *p[1] = {event_id};
    PGresult *r = NULL;
    if (data)
        *data = NULL;
    memset(meta, 0, sizeof *meta);
    enum db_status st = db_exec(c, want_data ? &st_get : &st_get_meta, 1, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return DB_NOT_FOUND;
    }
    snprintf(meta->content_type, sizeof meta->content_type, "%s", db_get(r, 0, "content_type"));
    meta->width = (unsigned)strtoul(db_get(r, 0, "width"), NULL, 10);
    meta->height = (unsigned)strtoul(db_get(r, 0, "height"), NULL, 10);
    meta->size = (size_t)strtoull(db_get(r, 0, "size"), NULL, 10);
    snprintf(meta->sha256, sizeof meta->sha256, "%s", db_get(r, 0, "sha256"));
    snprintf(meta->updated_at, sizeof meta->updated_at, "%s", db_get(r, 0, "updated_at"));
    if (want_data && data) {
        const char *hex = db_get(r, 0, "data_hex");
        size_t hlen = hex ? strlen(hex) : 0, blen = 0;
        unsigned char *buf = xmalloc(hlen / 2 + 1);
        if (!hex || sodium_hex2bin(buf, hlen / 2 + 1, hex, hlen, NULL, &blen, NULL) != 0) {
            free(buf);
            PQclear(r);
            return DB_ERROR;
        }
        meta->size = blen;
        *data = buf;
    }
    PQclear(r);
    return DB_OK;
}

enum db_status poster_store_delete(struct db_conn *c, const char *event_id)
{
    const char *p[1] = {event_id};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_delete, 1, p, &r);
    if (st != DB_OK)
        return st;
    int n = PQntuples(r);
    PQclear(r);
    return n ? DB_OK : DB_NOT_FOUND;
}

enum db_status poster_store_versions(struct db_conn *c, const char *const *ids, size_t n,
                                     char (*versions)[17])
{
    for (size_t i = 0; i < n; i++)
        versions[i][0] = '\0';
    if (n == 0)
        return DB_OK;
    /* the ids as one array parameter: "{id,id,...}" (UUIDs need no quoting) */
    size_t cap = n * 38 + 3, len = 0;
    char *arr = xmalloc(cap);
    arr[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(arr + len, cap - len, "%s%.36s", i ? "," : "", ids[i]);
    snprintf(arr + len, cap - len, "}");
    const char *p[1] = {arr};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_versions, 1, p, &r);
    free(arr);
    if (st != DB_OK)
        return st;
    for (int row = 0; row < PQntuples(r); row++) {
        const char *id = db_get(r, row, "event_id");
        for (size_t i = 0; i < n; i++)
            if (strcasecmp(ids[i], id) == 0)
                snprintf(versions[i], 17, "%s", db_get(r, row, "version"));
    }
    PQclear(r);
    return DB_OK;
}
