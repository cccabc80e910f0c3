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

#endif
