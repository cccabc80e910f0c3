-- Attempts still waiting for ticket-app's answer, for the reconciler that
-- settles those whose request died with the process.
CREATE INDEX bookings_requested ON bookings (created_at) WHERE status = 'REQUESTED';
