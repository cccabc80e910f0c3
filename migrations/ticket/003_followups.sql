-- followups: cross-service work decided by a state change and written in the
-- same transaction, executed later by a background loop with no transaction
-- open (lease claim, retried with backoff): VOID the invoice of a booking
-- that will not be paid, REFUND a payment that cannot be honoured (late or
-- cancelled), ORG_RELEASE the organizer's hold, RENDER the ticket PDF and
-- send the confirmed notification. One row per (booking, kind).
CREATE TABLE followups (
    id              bigserial PRIMARY KEY,
    booking_id      uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('VOID', 'REFUND', 'ORG_RELEASE', 'RENDER')),
    invoice_number  text,               -- NULL: resolve from the booking / payment-app
    status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    lease_token     text,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    done_at         timestamptz,
    UNIQUE (booking_id, kind)
);
CREATE INDEX followups_due ON followups (next_attempt_at) WHERE status = 'PENDING';

-- processed_events: payment webhook event ids already applied; inserted in
-- the same transaction as the event's effect, so each id takes effect once.
CREATE TABLE processed_events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
