-- Ticket PDFs are compressed already (libharu deflates their streams):
-- stored without another compression attempt on every insert.
ALTER TABLE booking_tickets ALTER COLUMN pdf SET STORAGE EXTERNAL;
