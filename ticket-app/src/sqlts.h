/* sqlts.h: the one SQL expression that prints a timestamptz as RFC 3339 UTC
 * with milliseconds, pasted into statement strings at compile time. */
#ifndef TICKET_SQLTS_H
#define TICKET_SQLTS_H

#define SQL_TS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#endif
