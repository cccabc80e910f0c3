-- Event payloads are stored as they are: a ticket notification carries its
-- PDF in base64 (tens of KB that pglz cannot shrink), so trying to compress
-- each one only burnt CPU on every insert. Large payloads still go to
-- TOAST, uncompressed.
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;
