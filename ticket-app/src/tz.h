/* tz.h: IANA time zone names checked against the system's zoneinfo (the
 * files PostgreSQL's AT TIME ZONE reads on Debian). Reads the file system. */
#ifndef TICKET_TZ_H
#define TICKET_TZ_H

#define TZ_NAME_MAX 64

/* 1 if name is a zone of the system zoneinfo ($TZDIR, default
 * /usr/share/zoneinfo): 1..TZ_NAME_MAX characters of A-Z a-z 0-9 _ + - /,
 * no empty, "." or ".." part, naming a TZif file. Else 0. */
int tz_valid(const char *name);

#endif
