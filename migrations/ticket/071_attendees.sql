-- Attendees: the person named for each seat of a booking (a train's
-- passenger, a family member), given with POST /api/bookings (attendees[])
-- and printed on that seat's ticket; without one the ticket shows the
-- booking's holder (bookings.holder). Written before the hold is tried
-- (ticket-app/src/attendee_store.c), keyed by the booking id client-app
-- chose: rows of an attempt that failed name nothing anyone reads.
-- They replace the columns 070 added to booking_seats and bookings.
ALTER TABLE booking_seats DROP COLUMN attendee_name, DROP COLUMN attendee_id_number;
ALTER TABLE bookings DROP COLUMN holder_name;

CREATE TABLE booking_attendees (
    booking_id uuid NOT NULL,
    seat_id    uuid NOT NULL,
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    id_number  text CHECK (char_length(id_number) BETWEEN 1 AND 64),
    PRIMARY KEY (booking_id, seat_id)
);
-- The box office finds bookings by attendee name.
CREATE INDEX booking_attendees_name ON booking_attendees (lower(name));
