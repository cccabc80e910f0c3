/* password.c: Argon2id hashing with a bound on concurrent hashes (memory). */
#include "password.h"

#include <pthread.h>
#include <semaphore.h>
#include <string.h>

static sem_t pw_sem;
static pthread_once_t pw_once = PTHREAD_ONCE_INIT;

static void pw_sem_init(void)
{
    sem_init(&pw_sem, 0, PASSWORD_PARALLEL);
}

static void pw_enter(void)
{
    pthread_once(&pw_once, pw_sem_init);
    while (sem_wait(&pw_sem) != 0) {
        /* EINTR: try again */
    }
}

static void pw_leave(void)
{
    sem_post(&pw_sem);
}

int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX])
{
    pw_enter();
    int rc = crypto_pwhash_str_alg(out, pw, len, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
                                   crypto_pwhash_ALG_ARGON2ID13);
    pw_leave();
    return rc == 0 ? 0 : -1;
}

int password_verify(const char *hash, const char *pw, size_t len)
{
    if (!hash || strnlen(hash, PASSWORD_HASH_MAX) >= PASSWORD_HASH_MAX)
        return 0;
    pw_enter();
    int rc = crypto_pwhash_str_verify(hash, pw, len);
    pw_leave();
    return rc == 0;
}
