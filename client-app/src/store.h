/* store.h: SQL helpers shared by client-app's *_store.c files. */
#ifndef CLIENT_STORE_H
#define CLIENT_STORE_H

/* A timestamptz column as RFC 3339 UTC with milliseconds. */
#define SQL_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#endif
