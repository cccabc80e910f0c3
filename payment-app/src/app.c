/* app.c: small operations on the shared payment-app state (app.h) that
 * handlers and loops use, kept out of main.c so tests can link them. */
#include "app.h"

#include "common/bg.h"

void payment_wake_settlers(struct payment_app *a)
{
    /* One pay is one job: waking every worker for it made all but one
     * run an empty claim. Taken in turn, so a busy worker's turn passes;
     * a worker woken mid-tick runs again and picks the job up. */
    long n = a->workers < PAYMENT_WORKERS_MAX ? a->workers : PAYMENT_WORKERS_MAX;
    if (n <= 0)
        return;
    unsigned long k = atomic_fetch_add(&a->wake_next, 1);
    struct bg_loop *l = a->settlers[k % (unsigned long)n];
    if (l)
        bg_wake(l);
}

void payment_wake_delivery(struct payment_app *a)
{
    if (a->deliverer)
        bg_wake(a->deliverer);
}
