/* user_handler.c: users and sessions: request -> validation -> store ->
 * response. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "app.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/util.h"
#include "password.h"
#include "user.h"
#include "user_store.h"

#define LOGIN_MAX 254

static json_t *user_json_row(const PGresult *res, int r)
{
    struct user_view v;
    user_view_from(res, r, &v);
    return user_to_json(&v);
}

/* The {id} the caller may act on, or NULL after answering 404: a user
 * asking for someone else's id learns nothing about whether it exists. */
static const char *own_or_admin_id(struct http_req *req, struct http_res *res)
{
    const struct auth_user *u = auth_current(req);
    const char *id = http_req_param(req, "id");
    if (!id || !uuid_valid(id) || !(u->is_admin || strcasecmp(id, u->id) == 0)) {
        http_res_error(res, 404, "NOT_FOUND", "no such user");
        return NULL;
    }
    return id;
}

void user_handle_create(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *caller = auth_current(req);
    json_t *body = http_req_json(req, res), *details = NULL;
    if (!body)
        return;
    struct user_input in;
    char hash[PASSWORD_HASH_MAX], id[37];
    struct db_conn *c = NULL;
    PGresult *r = NULL;

    if (user_parse_create(body, &in, &details) < 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid user", details, NULL);
        goto out;
    }
    if (in.role && strcmp(in.role, "user") != 0 && !(caller && caller->is_admin)) {
        http_res_error(res, 403, "FORBIDDEN", "only an admin may set role");
        goto out;
    }
    if (password_hash(in.password, in.password_len, hash) < 0) {
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "cannot hash the password now");
        goto out;
    }
    rand_uuid(id);
    if (!(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res)))
        goto out;
    enum db_status st = user_store_insert(c, id, &in, hash, in.role ? in.role : "user", &r);
    if (st == DB_CONFLICT) {
        const char *code = user_store_conflict_code(c);
        http_res_error(res, 409, code, "%s",
                       strcmp(code, "EMAIL_TAKEN") == 0 ? "email already registered"
                                                        : "username already taken");
    } else if (st != DB_OK) {
        http_res_db_error(res, st);
    } else {
        log_info("user created user_id=%s", id);
        http_res_json(res, 201, user_json_row(r, 0));
    }
out:
    sodium_memzero(hash, sizeof(hash));
    PQclear(r);
    db_release(app->pool, c);
    json_decref(body);
}

static void answer_user(struct client_app *app, struct http_res *res, const char *id)
{
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    PGresult *r = NULL;
    enum db_status st = user_store_get(c, id, &r);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such user");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_json(res, 200, user_json_row(r, 0));
    PQclear(r);
}

void user_handle_me(struct http_req *req, struct http_res *res, void *app)
{
    answer_user(app, res, auth_current(req)->id);
}

void user_handle_get(struct http_req *req, struct http_res *res, void *app)
{
    const char *id = own_or_admin_id(req, res);
    if (id)
        answer_user(app, res, id);
}

void user_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    long limit, offset, total = 0;
    if (http_req_paging(req, res, &limit, &offset) < 0)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    PGresult *r = NULL;
    enum db_status st = user_store_list(c, limit, offset, &r, &total);
    db_release(app->pool, c);
    http_res_rows(res, st, r, user_json_row, total, limit, offset);
}

void user_handle_patch(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id = own_or_admin_id(req, res);
    if (!id)
        return;
    json_t *body = http_req_json(req, res), *details = NULL;
    if (!body)
        return;
    struct user_input in;
    char hash[PASSWORD_HASH_MAX] = "";
    struct db_conn *c = NULL;
    PGresult *r = NULL;
    enum db_status st;
    int last_admin = 0;

    if (user_parse_patch(body, &in, &details) < 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid user", details, NULL);
        goto out;
    }
    if (in.role && !auth_current(req)->is_admin) {
        http_res_error(res, 403, "FORBIDDEN", "only an admin may change role");
        goto out;
    }
    if (in.password && password_hash(in.password, in.password_len, hash) < 0) {
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "cannot hash the password now");
        goto out;
    }
    if (!(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res)))
        goto out;
    /* a new password and the end of every session of that user commit together */
    st = db_begin(c);
    if (st == DB_OK)
        st = user_store_update(c, id, &in, in.password ? hash : NULL, &r, &last_admin);
    if (st == DB_OK && in.password)
        st = session_store_delete_user(c, id);
    if (st == DB_OK)
        st = db_commit(c);
    if (st == DB_CONFLICT && last_admin) {
        http_res_error(res, 409, "LAST_ADMIN", "the last admin cannot lose the role");
    } else if (st == DB_CONFLICT) {
        http_res_error(res, 409, user_store_conflict_code(c), "email already registered");
    } else if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "no such user");
    } else if (st != DB_OK) {
        http_res_db_error(res, st);
    } else {
        if (in.password)
            log_info("password changed, sessions revoked user_id=%s", id);
        http_res_json(res, 200, user_json_row(r, 0));
    }
out:
    sodium_memzero(hash, sizeof(hash));
    PQclear(r);
    db_release(app->pool, c); /* rolls back a transaction left open */
    json_decref(body);
}

void user_handle_delete(struct http_req *req, struct http_res *res, void *appv)
{
    const char *id = own_or_admin_id(req, res);
    if (!id)
        return;
    const char *cb = http_req_query(req, "cancel_bookings");
    account_delete(appv, res, id, cb && (strcmp(cb, "true") == 0 || strcmp(cb, "1") == 0));
}

void session_handle_create(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    json_t *body = http_req_json(req, res), *details = NULL;
    if (!body)
        return;
    json_t *jl = json_object_get(body, "login"), *jp = json_object_get(body, "password");
    struct db_conn *c = NULL;
    PGresult *r = NULL, *s = NULL;
    char token[65], hash[65];
    enum db_status st;

    if (!json_is_string(jl))
        details = json_pack("{s:s}", "login", "is required (username or email)");
    if (!json_is_string(jp)) {
        if (!details)
            details = json_object();
        json_object_set_new(details, "password", json_string("is required"));
    }
    if (details) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "login and password required", details,
                            NULL);
        goto out;
    }
    const char *login = json_string_value(jl), *pw = json_string_value(jp);
    size_t pwlen = json_string_length(jp);
    if (json_string_length(jl) > LOGIN_MAX || strlen(login) != json_string_length(jl) ||
        pwlen > USER_PASSWORD_MAX)
        goto bad;
    if (!(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res)))
        goto out;
    st = user_store_find_login(c, login, &r);
    /* the slow hash runs without a pooled connection held */
    db_release(app->pool, c);
    c = NULL;
    if (st != DB_OK && st != DB_NOT_FOUND) {
        http_res_db_error(res, st);
        goto out;
    }
    /* an unknown login costs one verification too, so timing tells nothing */
    int ok =
        password_verify(st == DB_OK ? db_get(r, 0, "password_hash") : app->dummy_hash, pw, pwlen);
    if (st != DB_OK || !ok)
        goto bad;

    rand_hex(token, 32);
    auth_token_hash(token, hash);
    if (!(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res)))
        goto out;
    st = session_store_create(c, hash, db_get(r, 0, "id"), app->session_ttl_s, &s);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        goto out;
    }
    log_info("session created user_id=%s", db_get(r, 0, "id"));
    http_res_json(res, 201,
                  json_pack("{s:s, s:s, s:o}", "token", token, "expires_at", PQgetvalue(s, 0, 0),
                            "user", user_json_row(r, 0)));
    goto out;
bad:
    atomic_fetch_add(&app->n_logins_failed, 1);
    http_res_error(res, 401, "INVALID_CREDENTIALS", "wrong login or password");
out:
    sodium_memzero(token, sizeof(token));
    PQclear(r);
    PQclear(s);
    db_release(app->pool, c);
    json_decref(body);
}

void session_handle_delete(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    enum db_status st = session_store_delete(c, auth_current(req)->token_hash);
    db_release(app->pool, c);
    if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_no_content(res);
}

int user_ensure_admin(struct client_app *app)
{
    char hash[PASSWORD_HASH_MAX], id[37];
    size_t len = strlen(app->admin_password);
    if (!user_password_valid(app->admin_password, len)) {
        log_error("ADMIN_PASSWORD must be 8 to 128 bytes of UTF-8");
        return -1;
    }
    if (password_hash(app->admin_password, len, hash) < 0)
        return -1;
    rand_uuid(id);
    struct db_conn *c = db_acquire(app->pool, 10000);
    if (!c) {
        log_error("cannot reach the database to create the admin user");
        return -1;
    }
    /* ON CONFLICT DO NOTHING: a password changed through the API stays */
    enum db_status st = user_store_ensure(c, id, "admin", "admin@example.com", hash, "admin");
    db_release(app->pool, c);
    sodium_memzero(hash, sizeof(hash));
    if (st != DB_OK) {
        log_error("cannot create the admin user: %s", db_status_name(st));
        return -1;
    }
    return 0;
}
