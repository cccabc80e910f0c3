-- Events and their seats.
-- events: one show/journey; currency is the ISO code of every price in it.
CREATE TABLE events (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    venue       text NOT NULL,
    starts_at   timestamptz NOT NULL,
    description text NOT NULL DEFAULT '',
    currency    text NOT NULL DEFAULT 'IDR',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_starts_at ON events (starts_at, id);

-- seats: status OPEN | ON_GOING (held by booking_id until held_until) |
-- BOOKED (sold to booking_id). An ON_GOING seat whose held_until has passed
-- counts as OPEN (lazy expiry): a new hold may take it, and the booking that
-- held it is marked EXPIRED in the same transaction. Only conditional
-- UPDATEs ... WHERE status=... change status; locks are taken in id order.
CREATE TABLE seats (
    id          uuid PRIMARY KEY,
    event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    label       text NOT NULL,          -- "<row>-<number>", e.g. "A-12"
    section     text NOT NULL,
    row         text NOT NULL,
    number      integer NOT NULL,
    price       bigint NOT NULL CHECK (price >= 0),
    status      text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'ON_GOING', 'BOOKED')),
    booking_id  uuid,                   -- holder while ON_GOING/BOOKED, else NULL
    held_until  timestamptz,            -- end of an ON_GOING hold
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, label),
    CHECK ((status = 'OPEN') = (booking_id IS NULL))
);
CREATE INDEX seats_event ON seats (event_id, section, row, number);
CREATE INDEX seats_booking ON seats (booking_id) WHERE booking_id IS NOT NULL;
