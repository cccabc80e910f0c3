-- People: who sits in each seat and who holds each booking.
--   booking_seats.attendee_name / attendee_id_number: the passenger or guest
--     named at booking (POST /api/bookings attendees[]), NULL when none was.
--   bookings.holder_name: the holder's full name as client-app knew it at
--     booking, printed on the ticket where a seat names no attendee.
--   events.attendees_required: a name per seat is required to book.
ALTER TABLE booking_seats
    ADD COLUMN attendee_name      text CHECK (char_length(attendee_name) BETWEEN 1 AND 100),
    ADD COLUMN attendee_id_number text CHECK (char_length(attendee_id_number) <= 64);
ALTER TABLE bookings ADD COLUMN holder_name text CHECK (char_length(holder_name) <= 100);
ALTER TABLE events ADD COLUMN attendees_required boolean NOT NULL DEFAULT false;
