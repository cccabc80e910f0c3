/* user_store.h: SQL for users and sessions. Results are PGresults the
 * caller PQclear()s; user rows carry the columns read by user_view_from. */
#ifndef CLIENT_USER_STORE_H
#define CLIENT_USER_STORE_H

#include "common/db.h"
#include "user.h"

/* Fills v with borrowed values of row r of a user result. */
void user_view_from(const PGresult *res, int r, struct user_view *v);

/* DB_CONFLICT when username or email is taken (see user_store_conflict_code). */
enum db_status user_store_insert(struct db_conn *c, const char *id, const struct user_input *in,
                                 const char *hash, const char *role, PGresult **out);
/* "EMAIL_TAKEN" if the last unique violation on c was the email index,
 * else "USERNAME_TAKEN". */
const char *user_store_conflict_code(const struct db_conn *c);
/* Creates username with role if no live user has that name (or email);
 * never overwrites. */
enum db_status user_store_ensure(struct db_conn *c, const char *id, const char *username,
                                 const char *email, const char *hash, const char *role);
/* A live user; DB_NOT_FOUND if absent or deleted. */
enum db_status user_store_get(struct db_conn *c, const char *id, PGresult **out);
/* The live user whose username or email is login, with password_hash. */
enum db_status user_store_find_login(struct db_conn *c, const char *login, PGresult **out);
enum db_status user_store_list(struct db_conn *c, long limit, long offset, PGresult **out,
                               long *total);
/* Applies the members of in that are set (hash replaces the password).
 * Taking the role from the last admin is refused: DB_CONFLICT with
 * *last_admin 1 (race-safe: call it inside a transaction; it locks the
 * admins' rows first, held until that transaction ends). DB_CONFLICT with *last_admin 0: the e-mail is taken. */
enum db_status user_store_update(struct db_conn *c, const char *id, const struct user_input *in,
                                 const char *hash, PGresult **out, int *last_admin);
/* Soft delete; DB_NOT_FOUND if not a live user; the last admin is refused
 * (DB_CONFLICT, *last_admin 1) as in user_store_update (inside a
 * transaction too). */
enum db_status user_store_delete(struct db_conn *c, const char *id, int *last_admin);
/* *last = 1 if id is the only live admin (a check before work that a
 * refusal would undo; the guard of user_store_delete still decides). */
enum db_status user_store_is_last_admin(struct db_conn *c, const char *id, int *last);

enum db_status session_store_create(struct db_conn *c, const char *token_hash, const char *user_id,
                                    long ttl_s, PGresult **out);
/* user id, role and holder (full name, else username) of the live session
 * with that hash; DB_NOT_FOUND if none. */
enum db_status session_store_lookup(struct db_conn *c, const char *token_hash, PGresult **out);
enum db_status session_store_delete(struct db_conn *c, const char *token_hash);
enum db_status session_store_delete_user(struct db_conn *c, const char *user_id);
/* Deletes up to 1000 expired sessions; *n (if not NULL) how many. */
enum db_status session_store_purge(struct db_conn *c, long *n);

#endif
