-- checkins: one row per ticket (booking, seat) let in at the gate. The
-- primary key is what makes a second scan, even one racing the first,
-- ALREADY_CHECKED_IN: the first scan inserts, every later one finds the row
-- (ticket-app/src/checkin_store.c). scans counts every valid scan of the
-- ticket, the first included, so repeated scans of a copied ticket show.
-- seat_id has no foreign key, like booking_seats.
CREATE TABLE checkins (
    booking_id    uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    seat_id       uuid NOT NULL,
    event_id      uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    checked_in_at timestamptz NOT NULL DEFAULT now(),
    scans         integer NOT NULL DEFAULT 1,
    last_scan_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (booking_id, seat_id)
);
CREATE INDEX checkins_event ON checkins (event_id);
