/* config.c: reads the environment through one table with defaults and
 * bounds, so a bad value stops start-up with a message naming it. */
#include "common/config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/util.h"

static const char *cfg_getenv(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

/* A value fit to quote in a message: at most 64 bytes, control and
 * non-ASCII bytes shown as '?', so a stray escape cannot garble a log. */
static void cfg_quote(const char *v, char out[72])
{
    size_t i = 0;
    for (; v[i] && i < 64; i++) {
        unsigned char c = (unsigned char)v[i];
        out[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    if (v[i]) {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
}

/* Strict decimal: optional '-', digits only, no blanks, fits in long. */
static int cfg_parse_long(const char *s, long *out)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p)
        return -1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return -1;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int cfg_parse_double(const char *s, double *out)
{
    /* strtod skips leading blanks and takes "inf", "nan", "0x..": none of
     * them is a sensible setting. */
    if (!*s || !(s[0] == '-' || s[0] == '+' || s[0] == '.' || (s[0] >= '0' && s[0] <= '9')))
        return -1;
    if (strchr(s, 'x') || strchr(s, 'X'))
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int cfg_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* Parses one value into e->dest. from_default: the text is the table's,
 * which helps say whose mistake it is. */
static int cfg_set(const struct cfg_entry *e, const char *v, int from_default, char *err,
                   size_t errlen)
{
    char q[72];
    const char *help = e->help ? e->help : "";
    const char *origin = from_default ? " (built-in default)" : "";
    switch (e->type) {
    case CFG_INT: {
        long x;
        if (cfg_parse_long(v, &x) != 0 || (double)x < e->min || (double)x > e->max) {
            cfg_quote(v, q);
            snprintf(err, errlen, "%s: invalid value \"%s\"%s: expected an integer in [%.0f, %.0f]%s%s",
                     e->name, q, origin, e->min, e->max, *help ? " - " : "", help);
            return -1;
        }
        *(long *)e->dest = x;
        return 0;
    }
    case CFG_DOUBLE: {
        double x;
        if (cfg_parse_double(v, &x) != 0 || x < e->min || x > e->max) {
            cfg_quote(v, q);
            snprintf(err, errlen, "%s: invalid value \"%s\"%s: expected a number in [%g, %g]%s%s",
                     e->name, q, origin, e->min, e->max, *help ? " - " : "", help);
            return -1;
        }
        *(double *)e->dest = x;
        return 0;
    }
    case CFG_BOOL: {
        int x;
        if (cfg_parse_bool(v, &x) != 0) {
            cfg_quote(v, q);
            snprintf(err, errlen,
                     "%s: invalid value \"%s\"%s: expected one of 1/0/true/false/yes/no/on/off%s%s",
                     e->name, q, origin, *help ? " - " : "", help);
            return -1;
        }
        *(int *)e->dest = x;
        return 0;
    }
    case CFG_STRING:
    case CFG_SECRET:
        *(const char **)e->dest = v;
        return 0;
    }
    snprintf(err, errlen, "%s: unknown configuration type", e->name);
    return -1;
}

int cfg_load_from(const struct cfg_entry *table, size_t n, cfg_getter get, void *ctx, char *err,
                  size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!get)
        get = cfg_getenv;
    for (size_t i = 0; i < n; i++) {
        const struct cfg_entry *e = &table[i];
        const char *v = get(e->name, ctx);
        /* Empty counts as unset: compose files and shells pass VAR= for
         * "not given". */
        int from_default = 0;
        if (!v || !*v) {
            v = e->def;
            from_default = 1;
        }
        if (!v) {
            snprintf(err, errlen, "%s is required and not set%s%s", e->name,
                     e->help && *e->help ? " - " : "", e->help ? e->help : "");
            return -1;
        }
        if (cfg_set(e, v, from_default, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int cfg_load(const struct cfg_entry *table, size_t n, char *err, size_t errlen)
{
    return cfg_load_from(table, n, cfg_getenv, NULL, err, errlen);
}

/* Connection strings may carry a password: postgresql://user:pw@host/db or
 * "... password=pw ...". Shown with it masked. */
static void cfg_redact(const char *v, struct sbuf *out)
{
    const char *scheme = strstr(v, "://");
    if (scheme) {
        const char *auth = scheme + 3;
        const char *end = auth + strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *p = auth; p < end; p++)
            if (*p == '@')
                at = p;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            sbuf_add(out, v, (size_t)(colon + 1 - v));
            sbuf_puts(out, "***");
            v = at;
        }
    }
    for (;;) {
        const char *pw = strstr(v, "password=");
        if (!pw) {
            sbuf_puts(out, v);
            return;
        }
        pw += strlen("password=");
        sbuf_add(out, v, (size_t)(pw - v));
        sbuf_puts(out, "***");
        if (*pw == '\'') {
            pw++;
            while (*pw && *pw != '\'')
                pw += (*pw == '\\' && pw[1]) ? 2 : 1;
            if (*pw)
                pw++;
        } else {
            pw += strcspn(pw, " &");
        }
        v = pw;
    }
}

void cfg_log(const struct cfg_entry *table, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct cfg_entry *e = &table[i];
        switch (e->type) {
        case CFG_INT:
            log_info("config %s=%ld", e->name, *(const long *)e->dest);
            break;
        case CFG_DOUBLE:
            log_info("config %s=%g", e->name, *(const double *)e->dest);
            break;
        case CFG_BOOL:
            log_info("config %s=%s", e->name, *(const int *)e->dest ? "true" : "false");
            break;
        case CFG_SECRET:
            log_info("config %s=%s", e->name, *(const char *const *)e->dest ? "(set)" : "(unset)");
            break;
        case CFG_STRING: {
            const char *v = *(const char *const *)e->dest;
            struct sbuf b;
            sbuf_init(&b);
            cfg_redact(v ? v : "(unset)", &b);
            log_info("config %s=%s", e->name, b.buf ? b.buf : "");
            sbuf_cleanup(&b);
            break;
        }
        }
    }
}
