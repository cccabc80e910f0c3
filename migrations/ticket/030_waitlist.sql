-- The waitlist: users queue for a seat that is ON_GOING or BOOKED; when the
-- seat is released, the first WAITING entry is OFFERED the seat in the same
-- transaction (seat_store_release -> waitlist_store_pass_on).
--
-- waitlist_entries: status WAITING | OFFERED (booking_id is the offered
-- booking, PENDING_PAYMENT, origin 'waitlist') | FULFILLED (that booking was
-- paid) | EXPIRED (not paid in time, or its payment failed) | CANCELLED (the
-- user left, or cancelled the offered booking). Order is seq, an identity:
-- first come, first served does not depend on clocks. Joins lock the seat
-- row first, so the seq order of one seat's entries is their commit order.
CREATE TABLE waitlist_entries (
    id         uuid PRIMARY KEY,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    user_id    text NOT NULL,
    event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    seat_id    uuid NOT NULL REFERENCES seats (id) ON DELETE CASCADE,
    status     text NOT NULL DEFAULT 'WAITING'
               CHECK (status IN ('WAITING', 'OFFERED', 'FULFILLED', 'EXPIRED', 'CANCELLED')),
    booking_id uuid,                    -- set when OFFERED, kept afterwards
    offered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'WAITING') = (booking_id IS NULL) OR status = 'CANCELLED'),
    UNIQUE (seq)
);
-- One live entry per user and seat (409 ALREADY_WAITING).
CREATE UNIQUE INDEX waitlist_live_user_seat ON waitlist_entries (user_id, seat_id)
    WHERE status IN ('WAITING', 'OFFERED');
-- The queue of a seat, in order (the release takes its head).
CREATE INDEX waitlist_queue ON waitlist_entries (seat_id, seq) WHERE status = 'WAITING';
CREATE INDEX waitlist_user ON waitlist_entries (user_id, seq);
CREATE UNIQUE INDEX waitlist_booking ON waitlist_entries (booking_id) WHERE booking_id IS NOT NULL;

-- OFFER: make the offered booking's organizer hold and invoice, then send
-- booking.created (waitlist_offer.c), outside the releasing transaction.
ALTER TABLE followups DROP CONSTRAINT followups_kind_check;
ALTER TABLE followups ADD CONSTRAINT followups_kind_check
    CHECK (kind IN ('VOID', 'REFUND', 'ORG_RELEASE', 'RENDER', 'OFFER'));
