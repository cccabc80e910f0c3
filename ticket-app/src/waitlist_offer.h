/* waitlist_offer.h: the second half of a waitlist offer. The releasing
 * transaction created the offered booking and an OFFER follow-up; this loop
 * carries the follow-up out with no transaction open: the organizer's hold,
 * the invoice at payment-app, then lifecycle_attach_invoices stores it
 * and enqueues booking.created (payment filled) for client-app. Every step
 * checks the stored state first, so a retry or a second instance resumes
 * where the last attempt stopped. */
#ifndef TICKET_WAITLIST_OFFER_H
#define TICKET_WAITLIST_OFFER_H

#include <stddef.h>

struct app;

/* Runs the OFFER follow-up of booking_id: 0 done (also when the booking is
 * no longer pending: nothing left to offer), -1 try again later (err gets
 * why). An organizer refusal is retried while the hold lasts: an offer
 * that never gets through expires like an unpaid one. */
int waitlist_offer_run(struct app *app, const char *booking_id, char *err, size_t errlen);

/* One tick of the offer loop (bg.h contract): claims due OFFER follow-ups
 * and runs them. */
int waitlist_offer_tick(void *app);

/* Starts / stops the offer loop (main.c); wake after recording an offer. */
void waitlist_offer_start(struct app *app);
void waitlist_offer_stop(void);
void waitlist_offer_wake(void);

#endif
