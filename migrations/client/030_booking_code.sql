-- The booking's short human code (8 characters of Crockford base32, made by
-- ticket-app), as ticket-app's answers and notifications carry it. NULL for
-- bookings ticket-app has not answered (REQUESTED) or refused here.
ALTER TABLE bookings ADD COLUMN code text;
