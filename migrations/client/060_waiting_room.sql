-- The waiting room of an event (API.md round 2, docs/waitroom.md): the queue
-- an admin set on the event, and one ticket per user in it. client-app's own
-- state: every instance on this database reads and admits from these rows.
CREATE TABLE event_queues (
    event_id          uuid PRIMARY KEY,
    enabled           boolean NOT NULL,
    admit_per_minute  integer NOT NULL CHECK (admit_per_minute BETWEEN 1 AND 1000000),
    pass_ttl_seconds  integer NOT NULL DEFAULT 600 CHECK (pass_ttl_seconds BETWEEN 10 AND 86400),
    -- ticket-app's sales_start_at, copied when the admin sets the queue or
    -- edits the event through client-app (NULL: sales are open)
    sales_start_at    timestamptz,
    -- set when the pre-queue was shuffled and numbering began
    opened_at         timestamptz,
    -- the last position number given (tickets are numbered 1, 2, ...)
    next_seq          bigint NOT NULL DEFAULT 0,
    -- every ticket numbered up to this one was admitted (or left before):
    -- a waiting ticket's position is seq - admitted_upto
    admitted_upto     bigint NOT NULL DEFAULT 0,
    admitted_total    bigint NOT NULL DEFAULT 0,
    -- the admission clock, microseconds since the epoch: one admission is
    -- due each 60e6 / admit_per_minute after it (queue.h)
    admit_clock_us    bigint NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Arrival order across instances (a sequence is never rolled back or
-- locked, so joining touches no shared row).
CREATE SEQUENCE queue_arrival;

CREATE TABLE queue_tickets (
    event_id        uuid NOT NULL REFERENCES event_queues (event_id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id              uuid NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'WAITING'
                    CHECK (status IN ('WAITING', 'ADMITTED', 'LEFT')),
    joined_at       timestamptz NOT NULL DEFAULT now(),
    arrival         bigint NOT NULL DEFAULT nextval('queue_arrival'),
    -- position number, given by the queue's tick: NULL until then
    seq             bigint,
    admitted_at     timestamptz,
    pass_expires_at timestamptz,
    -- the booking attempt that spent the pass (queue_store.h's claim rule)
    pass_booking_id uuid,
    pass_claimed_at timestamptz,
    -- one ticket per user per event; a position read is this key's lookup
    PRIMARY KEY (event_id, user_id),
    UNIQUE (event_id, seq)
);
-- the tick's work: the next tickets to number (in arrival order) and to
-- admit (in position order), and a position's neighbours
CREATE INDEX queue_tickets_unnumbered ON queue_tickets (event_id, arrival) WHERE seq IS NULL;
CREATE INDEX queue_tickets_line ON queue_tickets (event_id, status, seq);
