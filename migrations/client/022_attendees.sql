-- The people named for the seats of a booking, as the user gave them
-- ({"<seat id>": {"name": ..., "id_number": ...}}), shown in the Booking's
-- seats[].attendee; ticket-app keeps its own copy for the ticket and the gate.
ALTER TABLE bookings ADD COLUMN attendees jsonb;
