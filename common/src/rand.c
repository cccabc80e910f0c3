/* rand.c: random ids and tokens from libsodium, and a seedable generator
 * for simulated failures, so tests can replay a sequence. */
#include "common/rand.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void rand_init(void)
{
    if (sodium_init() < 0)
        abort();
}

void rand_hex(char *out, size_t nbytes)
{
    unsigned char chunk[64];
    char *p = out;
    while (nbytes > 0) {
        size_t n = nbytes < sizeof chunk ? nbytes : sizeof chunk;
        randombytes_buf(chunk, n);
        sodium_bin2hex(p, 2 * n + 1, chunk, n);
        p += 2 * n;
        nbytes -= n;
    }
    *p = '\0';
}

void rand_uuid(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 0x0f];
    }
    *p = '\0';
}

int uuid_valid(const char *s)
{
    if (!s)
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                     (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return s[36] == '\0';
}

void rng_init(struct rng *r, uint64_t seed)
{
    if (seed == 0) {
        if (sodium_init() < 0)
            abort();
        randombytes_buf(&seed, sizeof seed);
    }
    r->state = seed;
    pthread_mutex_init(&r->lock, NULL);
}

uint64_t rng_next(struct rng *r)
{
    pthread_mutex_lock(&r->lock);
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    pthread_mutex_unlock(&r->lock);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double rng_double(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

int rng_chance(struct rng *r, double p)
{
    if (!(p > 0))
        return 0;
    if (p >= 1)
        return 1;
    return rng_double(r) < p;
}
