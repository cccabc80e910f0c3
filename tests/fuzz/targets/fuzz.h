/* fuzz.h: what every fuzz target shares. A target defines the two libFuzzer
 * entry points; built with clang -fsanitize=fuzzer it is a fuzzer, built
 * with replay.c it replays its corpus and regressions as a unit test. An
 * invariant that does not hold aborts, which both count as a crash. */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of the n bytes at p (caller frees). */
static inline char *fuzz_strndup(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    for (size_t i = 0; i < n; i++)
        s[i] = (char)p[i];
    s[n] = '\0';
    return s;
}

/* Splits data at the first '\n': the part before into *head (malloc'ed),
 * the rest stays in data/size. Without a '\n', head is "" and the rest
 * all of it. */
static inline char *fuzz_take_line(const uint8_t **data, size_t *size)
{
    for (size_t i = 0; i < *size; i++) {
        if ((*data)[i] == '\n') {
            char *head = fuzz_strndup(*data, i);
            *data += i + 1;
            *size -= i + 1;
            return head;
        }
    }
    return fuzz_strndup(*data, 0);
}

#endif
