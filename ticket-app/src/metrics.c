/* metrics.c: ticket-app's own Prometheus lines (the server adds the HTTP
 * and pool figures). */
#include "app.h"
#include "attach_batch.h"
#include "common/util.h"
#include "handlers.h"

void ticket_metrics(struct sbuf *out, void *arg)
{
    struct app *a = arg;
    sbuf_puts(out, "# TYPE ticket_booking_attempts_total counter\n");
    sbuf_printf(out, "ticket_booking_attempts_total{outcome=\"held\"} %ld\n",
                atomic_load(&a->n_holds));
    sbuf_printf(out, "ticket_booking_attempts_total{outcome=\"seat_unavailable\"} %ld\n",
                atomic_load(&a->n_seat_unavailable));
    sbuf_puts(out, "# TYPE ticket_hold_rejected_total counter\n");
    sbuf_printf(out, "ticket_hold_rejected_total %ld\n", atomic_load(&a->n_hold_rejected));
    sbuf_puts(out, "# TYPE ticket_invoice_failures_total counter\n");
    sbuf_printf(out, "ticket_invoice_failures_total %ld\n", atomic_load(&a->n_payment_unavailable));
    long statements = 0, bookings = 0;
    if (a->attach)
        attach_batch_counts(a->attach, &statements, &bookings);
    sbuf_puts(out, "# TYPE ticket_invoice_attach_statements_total counter\n");
    sbuf_printf(out, "ticket_invoice_attach_statements_total %ld\n", statements);
    sbuf_puts(out, "# TYPE ticket_invoice_attach_bookings_total counter\n");
    sbuf_printf(out, "ticket_invoice_attach_bookings_total %ld\n", bookings);
    sbuf_puts(out, "# TYPE ticket_payment_webhooks_total counter\n");
    sbuf_printf(out, "ticket_payment_webhooks_total{result=\"applied\"} %ld\n",
                atomic_load(&a->n_webhooks));
    sbuf_printf(out, "ticket_payment_webhooks_total{result=\"duplicate\"} %ld\n",
                atomic_load(&a->n_webhooks_duplicate));
    sbuf_printf(out, "ticket_payment_webhooks_total{result=\"refused\"} %ld\n",
                atomic_load(&a->n_webhooks_refused));
}
