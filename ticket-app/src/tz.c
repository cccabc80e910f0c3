/* tz.c: zone names checked against the system zoneinfo (see tz.h). */
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 if name is made of safe parts: no path tricks reach outside the
 * zoneinfo folder. */
static int name_safe(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '/'))
            return 0;
        if (c == '/' && name[i + 1] == '/')
            return 0;
    }
    return 1; /* '.' is not allowed at all, so no "." or ".." part */
}

int tz_valid(const char *name)
{
    if (!name || !name_safe(name))
        return 0;
    const char *dir = getenv("TZDIR");
    if (!dir || !dir[0])
        dir = "/usr/share/zoneinfo";
    char path[512];
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= sizeof path)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char magic[4];
    size_t got = fread(magic, 1, sizeof magic, f); /* a folder reads nothing */
    fclose(f);
    return got == sizeof magic && memcmp(magic, "TZif", 4) == 0;
}
