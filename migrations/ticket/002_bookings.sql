-- Bookings (every attempt, successful or not) and the seats each one asked for.
-- bookings: status PENDING_PAYMENT | CONFIRMED | FAILED | EXPIRED | CANCELLED;
-- failure_reason only when FAILED (SEAT_UNAVAILABLE, HOLD_REJECTED,
-- PAYMENT_FAILED, TICKET_SERVICE_UNAVAILABLE). version goes up by one on
-- every change (notifications carry it). A ticket admits only while the
-- booking is CONFIRMED. The id is client-app's booking id (idempotency key).
CREATE TABLE bookings (
    id                uuid PRIMARY KEY,
    user_id           text NOT NULL,
    event_id          uuid NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    status            text NOT NULL CHECK (status IN ('PENDING_PAYMENT', 'CONFIRMED', 'FAILED',
                                                      'EXPIRED', 'CANCELLED')),
    failure_reason    text,
    holder            text,             -- name printed on the ticket (optional)
    origin            text NOT NULL DEFAULT 'direct' CHECK (origin IN ('direct', 'waitlist')),
    amount            bigint NOT NULL DEFAULT 0,
    currency          text NOT NULL,
    seat_count        integer NOT NULL,
    invoice_number    text,
    payment_url       text,
    expires_at        timestamptz,      -- end of the hold (= seats.held_until)
    organizer_held_at timestamptz,      -- the organizer accepted the hold
    confirmed_at      timestamptz,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_event ON bookings (event_id, status);
CREATE INDEX bookings_pending_expiry ON bookings (expires_at) WHERE status = 'PENDING_PAYMENT';
CREATE INDEX bookings_invoice ON bookings (invoice_number) WHERE invoice_number IS NOT NULL;

-- booking_seats: the seats a booking asked for, with label/section/price as
-- they were at booking time (a ticket prints these). No foreign key to
-- seats, so an OPEN seat can still be deleted once its old attempts exist.
-- Whether the booking actually holds the seat is seats.booking_id.
CREATE TABLE booking_seats (
    booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    seat_id    uuid NOT NULL,
    label      text NOT NULL,
    section    text NOT NULL,
    price      bigint NOT NULL,
    PRIMARY KEY (booking_id, seat_id)
);
CREATE INDEX booking_seats_seat ON booking_seats (seat_id);

-- booking_tickets: the rendered ticket PDF of a CONFIRMED booking.
CREATE TABLE booking_tickets (
    booking_id  uuid PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
    pdf         bytea NOT NULL,
    rendered_at timestamptz NOT NULL DEFAULT now()
);
