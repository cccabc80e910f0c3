-- Two-phase hold: a booking may be HELD (seats held for selection, no
-- invoice yet) until its owner checks out. payment_expires_at keeps the
-- booking's expires_at as ticket-app says it: the selection lock's end
-- while HELD, the payment window's once checked out.
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('REQUESTED', 'HELD', 'PENDING_PAYMENT', 'CONFIRMED', 'FAILED', 'EXPIRED',
                      'CANCELLED'));
