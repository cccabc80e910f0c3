-- Ticket PDFs are compressed already (libharu deflates their streams):
-- stored without another compression attempt on every update.
ALTER TABLE bookings ALTER COLUMN ticket_pdf SET STORAGE EXTERNAL;
