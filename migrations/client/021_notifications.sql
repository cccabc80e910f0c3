-- The inbox: what a user is told (booking confirmed, failed, expired, a hold
-- about to run out, a waitlist offer, cancelled, refunded, the event moved
-- or cancelled), each entry written in the transaction of the change that
-- causes it, and, when mail is on, its e-mail enqueued in the same
-- transaction (common outbox, topic 'mail', delivered by client-app's
-- mailer). Subject and body are rendered from kind and params by
-- client-app/src/inbox.c.
CREATE TABLE notifications (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('booking.confirmed', 'booking.failed',
                                             'booking.expired', 'hold.expiring',
                                             'waitlist.offered', 'booking.cancelled',
                                             'booking.refunded', 'event.changed',
                                             'event.cancelled')),
    booking_id uuid,
    params     jsonb NOT NULL DEFAULT '{}'::jsonb, -- what the text says, as it was then
    -- one entry per cause: "<booking>:<status>:<version>", "hold.expiring:<booking>:<until>",
    -- or the id of the ticket-app notification that caused it
    dedupe_key text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user_recent ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Whether entries are also e-mailed: one row, set by client-app at start-up
-- from SMTP_URL (every instance of a deployment is configured alike).
CREATE TABLE mail_config (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    enabled  boolean NOT NULL DEFAULT false
);
INSERT INTO mail_config DEFAULT VALUES;

-- A new entry is mailed through the outbox, once: the outbox id is the
-- entry's. The payload names the entry; the mailer renders it when it sends.
CREATE FUNCTION notifications_mail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT enabled FROM mail_config) THEN
        INSERT INTO outbox (id, topic, payload)
        VALUES ('mail_' || NEW.id, 'mail', json_build_object('notification_id', NEW.id)::text)
        ON CONFLICT (id) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_mail AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_mail();

-- The facts an entry about booking b tells (client-app/src/inbox.c).
CREATE FUNCTION booking_inbox_params(b bookings) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'event_name', b.event_name,
        'event_id', b.event_id,
        'seats', (SELECT COALESCE(jsonb_agg(s->>'label'), '[]'::jsonb)
                    FROM jsonb_array_elements(b.seats) s),
        'amount', b.amount, 'currency', b.currency,
        'pay_by', to_char(b.payment_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'payment_url', b.payment_url,
        'failure_reason', b.failure_reason,
        'code', to_jsonb(b)->>'code')
$$;

-- A booking's status change tells its holder, in the transaction of the
-- change, whichever path made it (a ticket-app notification, a refresh, a
-- cancel). The cause of the transaction (set_config('inbox.cause', ...),
-- client-app/src/inbox_store.c) turns a cancellation into event.cancelled.
-- Failures at the attempt itself (REQUESTED -> FAILED) are answered to the
-- request and not told again.
CREATE FUNCTION bookings_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_status text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END;
    k text;
BEGIN
    IF old_status IS NOT DISTINCT FROM NEW.status THEN
        RETURN NULL;
    END IF;
    k := CASE
        WHEN NEW.status = 'CONFIRMED' THEN 'booking.confirmed'
        WHEN NEW.status = 'FAILED' AND old_status IS NOT NULL AND old_status <> 'REQUESTED'
            THEN 'booking.failed'
        WHEN NEW.status = 'EXPIRED' THEN 'booking.expired'
        WHEN NEW.status = 'CANCELLED'
             AND current_setting('inbox.cause', true) = 'event.cancelled' THEN 'event.cancelled'
        WHEN NEW.status = 'CANCELLED' AND old_status = 'CONFIRMED' THEN 'booking.refunded'
        WHEN NEW.status = 'CANCELLED' THEN 'booking.cancelled'
        WHEN NEW.status = 'PENDING_PAYMENT' AND NEW.origin = 'waitlist'
             AND (old_status IS NULL OR old_status = 'REQUESTED') THEN 'waitlist.offered'
    END;
    IF k IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO notifications (user_id, kind, booking_id, params, dedupe_key)
    VALUES (NEW.user_id, k, NEW.id,
            booking_inbox_params(NEW),
            NEW.id || ':' || NEW.status || ':' || NEW.version)
    ON CONFLICT (dedupe_key) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER bookings_inbox AFTER INSERT OR UPDATE OF status ON bookings
    FOR EACH ROW EXECUTE FUNCTION bookings_inbox();

-- Payment windows about to end, found by the hold.expiring loop.
CREATE INDEX bookings_pending_until ON bookings (payment_expires_at)
    WHERE status = 'PENDING_PAYMENT';
