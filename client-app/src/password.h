/* password.h: Argon2id password hashing (libsodium crypto_pwhash_str).
 *
 * Parameters: Argon2id13, opslimit 3, memlimit 12 MiB (OWASP's "m=12 MiB,
 * t=3" profile). libsodium's INTERACTIVE preset needs 64 MiB per hash, which
 * alone is the daemon's whole memory budget; and at most PASSWORD_PARALLEL
 * hashes run at once (a semaphore), so logins cost at most 24 MiB together
 * however many arrive. The parameters are encoded in each stored hash, so
 * they can be raised later without invalidating old hashes. */
#ifndef CLIENT_PASSWORD_H
#define CLIENT_PASSWORD_H

#include <sodium.h>
#include <stddef.h>

#define PASSWORD_OPSLIMIT 3ULL
#define PASSWORD_MEMLIMIT ((size_t)12 * 1024 * 1024)
#define PASSWORD_PARALLEL 2
#define PASSWORD_HASH_MAX crypto_pwhash_STRBYTES

/* Hashes pw (len bytes) into out (NUL-terminated). 0, or -1 if out of memory. */
int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX]);
/* 1 if pw matches hash, else 0 (also for a malformed hash). */
int password_verify(const char *hash, const char *pw, size_t len);

#endif
