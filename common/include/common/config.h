/* config.h: configuration from environment variables through one table with
 * defaults and bounds. A bad value stops start-up with a clear message. */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stddef.h>

enum cfg_type {
    CFG_INT,     /* dest: long *;  min/max inclusive */
    CFG_DOUBLE,  /* dest: double *; min/max inclusive */
    CFG_STRING,  /* dest: const char **; points into the environment or def */
    CFG_SECRET,  /* as CFG_STRING, never printed; def NULL means required */
    CFG_BOOL,    /* dest: int *; "1/0/true/false/yes/no/on/off" */
};

struct cfg_entry {
    const char *name;   /* environment variable */
    enum cfg_type type;
    const char *def;    /* default as text; NULL = required */
    double min, max;    /* bounds for INT and DOUBLE */
    void *dest;
    const char *help;   /* one line for --help and error messages */
};

/* Looks a name up; returns borrowed text or NULL. getenv by default. */
typedef const char *(*cfg_getter)(const char *name, void *ctx);

/* Loads every entry. Returns 0, or -1 with a message naming the variable,
 * the bad value (not for secrets) and the accepted range in err. An empty
 * value counts as unset: the default applies, a required entry is missing.
 * Integers are strict decimal; doubles must be finite; both within min/max. */
int cfg_load(const struct cfg_entry *table, size_t n, char *err, size_t errlen);
int cfg_load_from(const struct cfg_entry *table, size_t n, cfg_getter get, void *ctx, char *err,
                  size_t errlen);
/* Logs one line per entry at info level, secrets shown as "(set)" and
 * passwords inside connection strings masked. */
void cfg_log(const struct cfg_entry *table, size_t n);

#endif
