/* limits.h: the limits of the API contract (/work/shared/API.md) that more
 * than one service checks, under one name each. */
#ifndef COMMON_LIMITS_H
#define COMMON_LIMITS_H

/* Seats in one booking: 1 to this many. */
#define BOOKING_SEATS_MAX 10

#endif
