-- Reliable outgoing events (payment webhooks, ticket notifications): written
-- in the same transaction as the change they report, delivered by
-- common/src/outbox.c until the receiver answers 2xx.
CREATE TABLE outbox (
    id              text PRIMARY KEY,               -- event id, sent as "id"
    topic           text NOT NULL,                  -- event type
    payload         text NOT NULL,                  -- exact JSON body
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_status     integer,
    last_error      text
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

CREATE TABLE outbox_attempts (
    id           bigserial PRIMARY KEY,
    event_id     text NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    status       integer,            -- HTTP status, NULL on transport failure
    error        text,
    duration_ms  integer NOT NULL
);
CREATE INDEX outbox_attempts_event ON outbox_attempts (event_id, id);
