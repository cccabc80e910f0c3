/* ticket_render.h: renders the PDF ticket of a confirmed booking (ticket
 * codes + ticket_pdf_render, no transaction open), stores it and enqueues
 * the booking.confirmed notification that carries it. */
#ifndef TICKET_RENDER_H
#define TICKET_RENDER_H

#include <stddef.h>

struct app;

/* 0 when done (rendered and stored, or the booking is no longer
 * CONFIRMED), -1 to try again later (err gets why). */
int ticket_render_booking(struct app *app, const char *booking_id, char *err, size_t errlen);

/* As ticket_render_booking for a claimed RENDER follow-up (followup_id
 * under token): when the booking is unchanged since it was loaded, the
 * ticket, its notification (handed to the notification loop in memory)
 * and the follow-up's completion are one statement, and *closed = 1 (the
 * caller does not mark it done again). */
int ticket_render_followup(struct app *app, const char *booking_id, long followup_id,
                           const char *token, int *closed, char *err, size_t errlen);

#endif
