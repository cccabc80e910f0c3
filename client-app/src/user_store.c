/* user_store.c: SQL for users and sessions. */
#include "user_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS "id, username, email, full_name, role, " SQL_TS("created_at") " AS created_at"

static const struct db_stmt st_insert = {
    "client_user_insert", "INSERT INTO users (id, username, email, full_name, password_hash, role) "
                          "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " USER_COLS};
static const struct db_stmt st_ensure = {
    "client_user_ensure", "INSERT INTO users (id, username, email, password_hash, role) "
                          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"};
static const struct db_stmt st_get = {
    "client_user_get", "SELECT " USER_COLS " FROM users WHERE id = $1 AND deleted_at IS NULL"};
static const struct db_stmt st_find_login = {
    "client_user_find_login",
    "SELECT " USER_COLS ", password_hash FROM users WHERE deleted_at IS NULL AND "
    "(lower(username) = lower($1) OR lower(email) = lower($1)) LIMIT 1"};
static const struct db_stmt st_list = {"client_user_list",
                                       "SELECT " USER_COLS " FROM users WHERE deleted_at IS NULL "
                                       "ORDER BY created_at, id LIMIT $1 OFFSET $2"};
static const struct db_stmt st_count = {"client_user_count",
                                        "SELECT count(*) FROM users WHERE deleted_at IS NULL"};
/* The last admin keeps the role and the account: a change that would take
 * the role away from an admin (or delete one) applies only while another
 * admin remains. Race-safe: the caller's transaction first locks every
 * admin row in id order (st_lock_admins), so two admins demoting each
 * other at once are serialised without a deadlock, and the second one's
 * statement, with a snapshot taken after the first committed, finds no
 * other admin and is refused. */
#define OTHER_ADMIN                                                                                \
    "EXISTS (SELECT 1 FROM users o WHERE o.role = 'admin' AND o.deleted_at IS NULL "               \
    "          AND o.id <> $1)"
static const struct db_stmt st_lock_admins = {
    "client_user_lock_admins",
    "SELECT id FROM users WHERE role = 'admin' AND deleted_at IS NULL ORDER BY id FOR UPDATE"};

/* $3 says whether full_name was sent (then $4, possibly NULL, replaces it). */
static const struct db_stmt st_update = {
    "client_user_update",
    "UPDATE users SET email = COALESCE($2, email), "
    "full_name = CASE WHEN $3::boolean THEN $4 ELSE full_name END, "
    "password_hash = COALESCE($5, password_hash), role = COALESCE($6, role), "
    "updated_at = now() WHERE id = $1 AND deleted_at IS NULL "
    "  AND ($6::text IS NULL OR $6 = 'admin' OR role <> 'admin' OR " OTHER_ADMIN ") "
    "RETURNING " USER_COLS};
static const struct db_stmt st_delete = {"client_user_delete",
                                         "UPDATE users SET deleted_at = now(), updated_at = now() "
                                         "WHERE id = $1 AND deleted_at IS NULL "
                                         "  AND (role <> 'admin' OR " OTHER_ADMIN ") RETURNING id"};
static const struct db_stmt st_is_admin = {
    "client_user_is_admin",
    "SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL AND role = 'admin'"};

static const struct db_stmt st_session_create = {
    "client_session_create", "INSERT INTO sessions (token_hash, user_id, expires_at) "
                             "VALUES ($1, $2, now() + make_interval(secs => $3::bigint)) "
                             "RETURNING " SQL_TS("expires_at") " AS expires_at"};
static const struct db_stmt st_session_lookup = {
    "client_session_lookup",
    "SELECT u.id, u.role, COALESCE(NULLIF(u.full_name, ''), u.username) AS holder "
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = $1 AND s.expires_at > now() AND u.deleted_at IS NULL"};
static const struct db_stmt st_session_delete = {"client_session_delete",
                                                 "DELETE FROM sessions WHERE token_hash = $1"};
static const struct db_stmt st_session_delete_user = {"client_session_delete_user",
                                                      "DELETE FROM sessions WHERE user_id = $1"};
static const struct db_stmt st_session_purge = {
    "client_session_purge",
    "DELETE FROM sessions WHERE token_hash IN "
    "(SELECT token_hash FROM sessions WHERE expires_at <= now() LIMIT 1000)"};

void user_view_from(const PGresult *res, int r, struct user_view *v)
{
    v->id = db_get(res, r, "id");
    v->username = db_get(res, r, "username");
    v->email = db_get(res, r, "email");
    v->full_name = db_get(res, r, "full_name");
    v->role = db_get(res, r, "role");
    v->created_at = db_get(res, r, "created_at");
}

/* Turns an empty result of a statement that must return a row into NOT_FOUND. */
static enum db_status one_row(enum db_status st, PGresult **out)
{
    if (st == DB_OK && PQntuples(*out) == 0) {
        PQclear(*out);
        *out = NULL;
        return DB_NOT_FOUND;
    }
    return st;
}

enum db_status user_store_insert(struct db_conn *c, const char *id, const struct user_input *in,
                                 const char *hash, const char *role, PGresult **out)
{
    const char *p[6] = {id, in->username, in->email, in->full_name, hash, role};
    return one_row(db_exec(c, &st_insert, 6, p, out), out);
}

const char *user_store_conflict_code(const struct db_conn *c)
{
    return strstr(db_last_error(c), "users_email_key") ? "EMAIL_TAKEN" : "USERNAME_TAKEN";
}

enum db_status user_store_ensure(struct db_conn *c, const char *id, const char *username,
                                 const char *email, const char *hash, const char *role)
{
    const char *p[5] = {id, username, email, hash, role};
    PGresult *res = NULL;
    enum db_status st = db_exec(c, &st_ensure, 5, p, &res);
    PQclear(res);
    return st;
}

enum db_status user_store_get(struct db_conn *c, const char *id, PGresult **out)
{
    const char *p[1] = {id};
    return one_row(db_exec(c, &st_get, 1, p, out), out);
}

enum db_status user_store_find_login(struct db_conn *c, const char *login, PGresult **out)
{
    const char *p[1] = {login};
    return one_row(db_exec(c, &st_find_login, 1, p, out), out);
}

enum db_status user_store_list(struct db_conn *c, long limit, long offset, PGresult **out,
                               long *total)
{
    char l[24], o[24];
    PGresult *cnt = NULL;
    snprintf(l, sizeof(l), "%ld", limit);
    snprintf(o, sizeof(o), "%ld", offset);
    const char *p[2] = {l, o};
    enum db_status st = db_exec(c, &st_count, 0, NULL, &cnt);
    if (st != DB_OK)
        return st;
    *total = atol(PQgetvalue(cnt, 0, 0));
    PQclear(cnt);
    return db_exec(c, &st_list, 2, p, out);
}

/* After a guarded change matched no row: DB_CONFLICT with *last_admin set if
 * id is a live admin (the guard refused), else DB_NOT_FOUND. */
static enum db_status refused_or_absent(struct db_conn *c, const char *id, int *last_admin)
{
    const char *p[1] = {id};
    PGresult *res = NULL;
    enum db_status st = db_exec(c, &st_is_admin, 1, p, &res);
    if (st == DB_OK && PQntuples(res) > 0) {
        *last_admin = 1;
        st = DB_CONFLICT;
    } else if (st == DB_OK) {
        st = DB_NOT_FOUND;
    }
    PQclear(res);
    return st;
}

enum db_status user_store_update(struct db_conn *c, const char *id, const struct user_input *in,
                                 const char *hash, PGresult **out, int *last_admin)
{
    const char *p[6] = {id,   in->email, in->full_name_set ? "true" : "false", in->full_name,
                        hash, in->role};
    *last_admin = 0;
    enum db_status st = DB_OK;
    if (in->role && strcmp(in->role, "admin") != 0)
        st = db_exec(c, &st_lock_admins, 0, NULL, NULL);
    if (st != DB_OK)
        return st;
    st = one_row(db_exec(c, &st_update, 6, p, out), out);
    return st == DB_NOT_FOUND ? refused_or_absent(c, id, last_admin) : st;
}

enum db_status user_store_delete(struct db_conn *c, const char *id, int *last_admin)
{
    const char *p[1] = {id};
    PGresult *res = NULL;
    *last_admin = 0;
    enum db_status st = db_exec(c, &st_lock_admins, 0, NULL, NULL);
    if (st != DB_OK)
        return st;
    st = one_row(db_exec(c, &st_delete, 1, p, &res), &res);
    PQclear(res);
    return st == DB_NOT_FOUND ? refused_or_absent(c, id, last_admin) : st;
}

enum db_status user_store_is_last_admin(struct db_conn *c, const char *id, int *last)
{
    static const struct db_stmt st_last = {
        "client_user_is_last_admin",
        "SELECT count(*) FILTER (WHERE id = $1) AS me, count(*) AS admins FROM users "
        " WHERE role = 'admin' AND deleted_at IS NULL"};
    const char *p[1] = {id};
    PGresult *res = NULL;
    enum db_status st = db_exec(c, &st_last, 1, p, &res);
    if (st == DB_OK)
        *last = atol(db_get(res, 0, "me")) == 1 && atol(db_get(res, 0, "admins")) == 1;
    PQclear(res);
    return st;
}

enum db_status session_store_create(struct db_conn *c, const char *token_hash, const char *user_id,
                                    long ttl_s, PGresult **out)
{
    char ttl[24];
    snprintf(ttl, sizeof(ttl), "%ld", ttl_s);
    const char *p[3] = {token_hash, user_id, ttl};
    return one_row(db_exec(c, &st_session_create, 3, p, out), out);
}

enum db_status session_store_lookup(struct db_conn *c, const char *token_hash, PGresult **out)
{
    const char *p[1] = {token_hash};
    return one_row(db_exec(c, &st_session_lookup, 1, p, out), out);
}

static enum db_status exec_noresult(struct db_conn *c, const struct db_stmt *stmt, const char *arg,
                                    long *n)
{
    const char *p[1] = {arg};
    PGresult *res = NULL;
    enum db_status st = db_exec(c, stmt, arg ? 1 : 0, arg ? p : NULL, &res);
    if (st == DB_OK && n)
        *n = atol(PQcmdTuples(res));
    PQclear(res);
    return st;
}

enum db_status session_store_delete(struct db_conn *c, const char *token_hash)
{
    return exec_noresult(c, &st_session_delete, token_hash, NULL);
}

enum db_status session_store_delete_user(struct db_conn *c, const char *user_id)
{
    return exec_noresult(c, &st_session_delete_user, user_id, NULL);
}

enum db_status session_store_purge(struct db_conn *c, long *n)
{
    return exec_noresult(c, &st_session_purge, NULL, n);
}
