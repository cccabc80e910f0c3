/* sqltz.h: a timestamptz printed as RFC 3339 in a venue's zone, with that
 * zone's offset at that instant ("2026-12-24T19:30:00+07:00"), pasted into
 * statement strings at compile time. tz is an IANA name expression. */
#ifndef TICKET_SQLTZ_H
#define TICKET_SQLTZ_H

#define SQL_TZ_OFFSET(col, tz)                                                                     \
    "(((" col ") AT TIME ZONE (" tz ")) - ((" col ") AT TIME ZONE 'UTC'))"

#define SQL_TS_LOCAL(col, tz)                                                                      \
    "(to_char((" col ") AT TIME ZONE (" tz "), 'YYYY-MM-DD\"T\"HH24:MI:SS') || "                   \
    "CASE WHEN " SQL_TZ_OFFSET(col, tz) " < interval '0' THEN '' ELSE '+' END || "                 \
                                        "to_char(" SQL_TZ_OFFSET(col, tz) ", 'HH24:MI'))"

/* The zone of the event row alias (migrations/ticket/050_event_life.sql). */
#define SQL_EVENT_TZ(alias) alias ".timezone"

#endif
