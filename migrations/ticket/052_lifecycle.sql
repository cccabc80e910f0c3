-- The booking lifecycle as one model (ticket-app/src/lifecycle.c holds the
-- table). This migration makes the two SQL functions the ONLY
-- implementations of their transitions (no C copy beside them):
--   HOLD  booking_try_hold: held, or refused and stored FAILED with the
--         guard's code (EVENT_CANCELLED, SALES_NOT_OPEN, SALES_CLOSED,
--         LIMIT_REACHED, SEAT_UNAVAILABLE);
--   PAID  booking_apply_paid: every case of invoice.paid.
-- It also adds the booking code, the seats a refusal could not have, and
-- the sweeper's re-check time (a hold whose payment is in flight waits).

-- Booking code: 8 characters of Crockford base32 (40 bits), unique by
-- construction: a Feistel permutation of a sequence number, so codes look
-- random but never collide and need no retry.
CREATE SEQUENCE booking_code_seq;

CREATE FUNCTION booking_code_of(n bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    l bigint := (n >> 20) & 1048575;
    r bigint := n & 1048575;
    t bigint;
    v bigint;
    alphabet constant text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    s text := '';
BEGIN
    FOR i IN 1..4 LOOP
        t := r;
        r := l # ((((r * 1103515245 + 12345 * i) # (r >> 7)) >> 4) & 1048575);
        l := t;
    END LOOP;
    v := (l << 20) | r;
    FOR i IN 0..7 LOOP
        s := substr(alphabet, ((v >> (5 * i)) & 31)::int + 1, 1) || s;
    END LOOP;
    RETURN s;
END;
$$;

ALTER TABLE bookings
    ADD COLUMN code text NOT NULL DEFAULT booking_code_of(nextval('booking_code_seq')),
    ADD COLUMN unavailable_seats text NULL,  -- JSON array of the seat ids a refusal lacked
    ADD COLUMN sweep_after timestamptz NULL; -- the sweeper looks again after this
CREATE UNIQUE INDEX bookings_code ON bookings (code);
-- LIMIT_REACHED counts a user's live bookings of an event.
CREATE INDEX bookings_user_live ON bookings (user_id, event_id)
    WHERE status IN ('PENDING_PAYMENT', 'CONFIRMED');

DROP FUNCTION booking_try_hold(uuid, text, uuid, uuid[], text, text, integer);
DROP VIEW booking_view;

-- A booking as the API answers it, in one row (see 035): now with its code
-- and the seats its refusal lacked.
CREATE VIEW booking_view AS
SELECT b.id, b.user_id, b.event_id, e.name AS event_name, e.venue,
       to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS starts_at,
       b.status, b.failure_reason, b.holder, b.origin, b.currency, b.invoice_number,
       b.payment_url,
       to_char(b.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at,
       to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
       to_char(b.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
       to_char(b.organizer_held_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
           AS organizer_held_at,
       b.amount, b.version, b.seat_count,
       EXISTS (SELECT 1 FROM booking_tickets t WHERE t.booking_id = b.id) AS has_ticket,
       COALESCE((SELECT json_agg(json_build_object('id', s.seat_id::text, 'label', s.label,
                                                  'section', s.section, 'price', s.price)
                                 ORDER BY s.label, s.seat_id)
                   FROM booking_seats s WHERE s.booking_id = b.id), '[]'::json)::text AS seats,
       b.code, b.unavailable_seats
  FROM bookings b JOIN events e ON e.id = b.event_id;

-- booking_try_hold: the HOLD transition, its only implementation. One
-- round trip and one commit. Answers one row: the outcome, the booking as
-- booking_view shows it (HELD, REFUSED), and for LAPSED the bookings whose
-- run-out holds sit on requested seats (a JSON array of ids).
--   NO_EVENT  no such event, or a DRAFT one: nothing changed;
--   EXISTS    the booking id is already used (a replay): nothing changed;
--   SLOW      a seat does not exist or belongs to another event: nothing
--             changed (the caller answers 404 / 400);
--   LAPSED    a requested seat is held by a booking whose hold ran out and
--             p_lapsed_taken is false: nothing changed. The caller ends
--             those bookings through the model (EXPIRE, which asks
--             payment-app first) and calls again with p_lapsed_taken =
--             true, when a seat still held counts as unavailable;
--   HELD      the guards passed and every seat was OPEN: booking
--             PENDING_PAYMENT, seats ON_GOING until now() + p_ttl;
--   REFUSED   stored FAILED with failure_reason = the first guard that
--             failed, in the table's order: EVENT_CANCELLED, SALES_NOT_OPEN,
--             SALES_CLOSED (event_status), LIMIT_REACHED (the user's live
--             bookings of the event plus these seats exceed p_max_seats;
--             0 = no limit), SEAT_UNAVAILABLE (unavailable_seats names the
--             requested seats that were not OPEN).
-- Concurrency: the limit is counted under a transaction-scoped advisory
-- lock of (user, event), so two holds of one user serialise on it and the
-- second counts the first; seats are locked in id order and only the rows
-- still OPEN under the lock are taken.
CREATE FUNCTION booking_try_hold(p_id uuid, p_user text, p_event uuid, p_seats uuid[],
                                 p_holder text, p_origin text, p_ttl integer,
                                 p_max_seats integer, p_lapsed_taken boolean)
RETURNS TABLE (outcome text, id uuid, user_id text, event_id uuid, event_name text,
               venue text, starts_at text, status text, failure_reason text, holder text,
               origin text, currency text, invoice_number text, payment_url text,
               expires_at text, created_at text, updated_at text, organizer_held_at text,
               amount bigint, version integer, seat_count integer, has_ticket boolean,
               seats text, code text, unavailable_seats text, lapsed text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_want     integer := cardinality(p_seats);
    v_currency text;
    v_estatus  text;
    v_found    integer;
    v_foreign  integer;
    v_open     integer;
    v_lapsed   integer;
    v_locked   integer;
    v_have     bigint;
    v_expires  timestamptz;
    v_reason   text;
    v_missing  text;
    v_outcome  text;
BEGIN
    SELECT e.currency, event_status(e) INTO v_currency, v_estatus
      FROM events e WHERE e.id = p_event;
    IF NOT FOUND OR v_estatus = 'DRAFT' THEN
        v_outcome := 'NO_EVENT';
    ELSIF EXISTS (SELECT 1 FROM bookings b WHERE b.id = p_id) THEN
        v_outcome := 'EXISTS';
    ELSE
        SELECT count(*),
               count(*) FILTER (WHERE s.event_id <> p_event),
               count(*) FILTER (WHERE s.event_id = p_event AND s.status = 'OPEN'),
               count(*) FILTER (WHERE s.status = 'ON_GOING' AND s.held_until < now()
                                  AND NOT EXISTS (SELECT 1 FROM waitlist_entries w
                                                   WHERE w.seat_id = s.id
                                                     AND w.status = 'WAITING'))
          INTO v_found, v_foreign, v_open, v_lapsed
          FROM seats s WHERE s.id = ANY (p_seats);
        IF v_found < v_want OR v_foreign > 0 THEN
            v_outcome := 'SLOW';
        END IF;
    END IF;
    IF v_outcome IS NOT NULL THEN
        RETURN QUERY SELECT v_outcome, NULL::uuid, NULL::text, NULL::uuid, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::bigint, NULL::integer, NULL::integer, NULL::boolean, NULL::text, NULL::text,
            NULL::text, NULL::text;
        RETURN;
    END IF;

    -- the guards of HOLD, in the table's order
    v_reason := CASE v_estatus WHEN 'CANCELLED' THEN 'EVENT_CANCELLED'
                               WHEN 'SCHEDULED' THEN 'SALES_NOT_OPEN'
                               WHEN 'SALES_CLOSED' THEN 'SALES_CLOSED' END;
    IF v_reason IS NULL AND p_max_seats > 0 THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_user || '/' || p_event::text, 51));
        SELECT COALESCE(sum(b.seat_count), 0) INTO v_have
          FROM bookings b
         WHERE b.user_id = p_user AND b.event_id = p_event
           AND b.status IN ('PENDING_PAYMENT', 'CONFIRMED');
        IF v_have + v_want > p_max_seats THEN
            v_reason := 'LIMIT_REACHED';
        END IF;
    END IF;
    IF v_reason IS NULL AND v_lapsed > 0 AND NOT p_lapsed_taken THEN
        RETURN QUERY SELECT 'LAPSED'::text, NULL::uuid, NULL::text, NULL::uuid, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::bigint, NULL::integer, NULL::integer, NULL::boolean, NULL::text, NULL::text,
            NULL::text,
            (SELECT json_agg(DISTINCT s.booking_id)::text FROM seats s
              WHERE s.id = ANY (p_seats) AND s.status = 'ON_GOING' AND s.held_until < now());
        RETURN;
    END IF;
    IF v_reason IS NULL AND v_open = v_want THEN
        SELECT count(*) INTO v_locked
          FROM (SELECT s.id FROM seats s
                 WHERE s.id = ANY (p_seats) AND s.event_id = p_event AND s.status = 'OPEN'
                 ORDER BY s.id FOR UPDATE) l;
        IF v_locked = v_want THEN
            v_expires := now() + make_interval(secs => p_ttl);
            INSERT INTO bookings AS b (id, user_id, event_id, status, holder, origin,
                                       currency, seat_count, expires_at)
            VALUES (p_id, p_user, p_event, 'PENDING_PAYMENT', NULLIF(p_holder, ''),
                    p_origin, v_currency, v_want, v_expires)
            ON CONFLICT (id) DO NOTHING;
            IF NOT FOUND THEN
                v_outcome := 'EXISTS'; -- the same id arrived beside us
            ELSE
                UPDATE seats s SET status = 'ON_GOING', booking_id = p_id,
                                   held_until = v_expires, updated_at = now()
                 WHERE s.id = ANY (p_seats);
                WITH ins AS (
                    INSERT INTO booking_seats (booking_id, seat_id, label, section, price)
                    SELECT p_id, s.id, s.label, s.section, s.price
                      FROM seats s WHERE s.id = ANY (p_seats)
                    RETURNING price)
                UPDATE bookings b SET amount = (SELECT COALESCE(sum(price), 0) FROM ins)
                 WHERE b.id = p_id;
                v_outcome := 'HELD';
            END IF;
        END IF;
    END IF;
    IF v_outcome IS NULL THEN
        IF v_reason IS NULL THEN
            v_reason := 'SEAT_UNAVAILABLE';
            SELECT json_agg(s.id ORDER BY s.id)::text INTO v_missing
              FROM seats s WHERE s.id = ANY (p_seats) AND s.status <> 'OPEN';
            v_missing := COALESCE(v_missing, '[]');
        END IF;
        INSERT INTO bookings AS b (id, user_id, event_id, status, failure_reason, holder,
                                   origin, currency, seat_count, amount, unavailable_seats)
        VALUES (p_id, p_user, p_event, 'FAILED', v_reason, NULLIF(p_holder, ''),
                p_origin, v_currency, v_want,
                (SELECT COALESCE(sum(s.price), 0) FROM seats s WHERE s.id = ANY (p_seats)),
                v_missing)
        ON CONFLICT (id) DO NOTHING;
        IF NOT FOUND THEN
            v_outcome := 'EXISTS';
        ELSE
            INSERT INTO booking_seats (booking_id, seat_id, label, section, price)
            SELECT p_id, s.id, s.label, s.section, s.price
              FROM seats s WHERE s.id = ANY (p_seats);
            v_outcome := 'REFUSED';
        END IF;
    END IF;
    IF v_outcome IN ('HELD', 'REFUSED') THEN
        RETURN QUERY SELECT v_outcome, v.*, NULL::text FROM booking_view v WHERE v.id = p_id;
    ELSE
        RETURN QUERY SELECT v_outcome, NULL::uuid, NULL::text, NULL::uuid, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::bigint, NULL::integer, NULL::integer, NULL::boolean, NULL::text, NULL::text,
            NULL::text, NULL::text;
    END IF;
END;
$$;

-- booking_apply_paid: the PAID transition, its only implementation, for
-- every case of an invoice.paid event (p_event applied once: its id is
-- recorded in the same transaction). Answers:
--   'duplicate'  the event was applied before: nothing done;
--   'unknown'    no such booking: the event recorded, nothing else;
--   'already'    the booking is CONFIRMED: nothing else;
--   'late'       the booking ended before the money came (FAILED, EXPIRED,
--                CANCELLED): its seats may be sold again, so a REFUND
--                follow-up is recorded;
--   'confirmed'  PENDING_PAYMENT -> CONFIRMED: seats BOOKED, invoice number
--                noted, version + 1, confirmed_at, an offered waitlist
--                entry FULFILLED, the RENDER follow-up recorded.
-- A waiting booking always holds its seats (they are released only by a
-- transition, under the booking's row lock, which this takes first); if
-- one ever did not, this raises rather than confirm a short booking.
DROP FUNCTION booking_apply_paid(text, uuid, text);
CREATE FUNCTION booking_apply_paid(p_event text, p_booking uuid, p_invoice text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
    v_count integer;
    v_held integer;
BEGIN
    INSERT INTO processed_events (id, type) VALUES (p_event, 'invoice.paid')
        ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 'duplicate';
    END IF;
    SELECT status, seat_count INTO v_status, v_count FROM bookings WHERE id = p_booking FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'unknown';
    END IF;
    IF v_status = 'CONFIRMED' THEN
        RETURN 'already';
    END IF;
    IF v_status <> 'PENDING_PAYMENT' THEN
        INSERT INTO followups (booking_id, kind, invoice_number)
        VALUES (p_booking, 'REFUND', p_invoice)
        ON CONFLICT (booking_id, kind) DO UPDATE
           SET invoice_number = COALESCE(followups.invoice_number, EXCLUDED.invoice_number);
        RETURN 'late';
    END IF;
    SELECT count(*) INTO v_held
      FROM (SELECT id FROM seats WHERE booking_id = p_booking AND status = 'ON_GOING'
             ORDER BY id FOR UPDATE) l;
    IF v_held <> v_count THEN
        RAISE EXCEPTION 'booking % holds % of its % seats', p_booking, v_held, v_count;
    END IF;
    UPDATE seats SET status = 'BOOKED', held_until = NULL, updated_at = now()
     WHERE booking_id = p_booking AND status = 'ON_GOING';
    UPDATE bookings SET invoice_number = COALESCE(invoice_number, p_invoice),
           status = 'CONFIRMED', failure_reason = NULL, version = version + 1,
           updated_at = now(), confirmed_at = now()
     WHERE id = p_booking;
    UPDATE waitlist_entries SET status = 'FULFILLED', updated_at = now()
     WHERE booking_id = p_booking AND status = 'OFFERED';
    INSERT INTO followups (booking_id, kind) VALUES (p_booking, 'RENDER')
        ON CONFLICT (booking_id, kind) DO NOTHING;
    RETURN 'confirmed';
END;
$$;
