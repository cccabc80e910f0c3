-- A booking as the API answers it, in one row: the booking, its event's
-- name, venue and start, its seats as a JSON array (label order), and
-- whether a ticket is stored. Timestamps are RFC 3339 UTC with
-- milliseconds (the format of ticket-app/src/sqlts.h); the ids are uuids, so
-- that a lookup by id uses the primary key. Loading a booking is one round
-- trip.
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
                   FROM booking_seats s WHERE s.booking_id = b.id), '[]'::json)::text AS seats
  FROM bookings b JOIN events e ON e.id = b.event_id;

-- booking_try_hold: POST /api/bookings in one round trip and one commit for
-- the cases nearly every request is: a new booking id, an existing event,
-- existing seats of that event that are either all OPEN (held: the booking
-- PENDING_PAYMENT, its seats ON_GOING until now() + p_ttl seconds) or not
-- all OPEN (refused: the attempt stored FAILED SEAT_UNAVAILABLE with the
-- seats it asked for, nothing else changed). It answers one row: the
-- outcome and the booking as booking_view shows it.
--
-- Every other case answers its outcome alone, with nothing changed, and
-- the caller takes its general path (booking_store_hold and friends):
--   NO_EVENT  the event does not exist;
--   EXISTS    the booking id is already used (an idempotent replay);
--   SLOW      a seat does not exist, belongs to another event, or is a hold
--             that ran out (its booking must expire in the same
--             transaction, and the seat may belong to its waitlist).
--
-- Concurrency: the seats are locked in id order (as every seat writer does)
-- and only the rows still OPEN under the lock are taken, so a seat is held
-- by one booking whatever runs beside it; a refusal decided on the unlocked
-- look is the same answer as arriving a moment later.
CREATE FUNCTION booking_try_hold(p_id uuid, p_user text, p_event uuid, p_seats uuid[],
                                 p_holder text, p_origin text, p_ttl integer)
RETURNS TABLE (outcome text, id uuid, user_id text, event_id uuid, event_name text,
               venue text, starts_at text, status text, failure_reason text, holder text,
               origin text, currency text, invoice_number text, payment_url text,
               expires_at text, created_at text, updated_at text, organizer_held_at text,
               amount bigint, version integer, seat_count integer, has_ticket boolean,
               seats text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_want     integer := cardinality(p_seats);
    v_currency text;
    v_found    integer;
    v_foreign  integer;
    v_open     integer;
    v_lapsed   integer;
    v_locked   integer;
    v_expires  timestamptz;
    v_outcome  text;
BEGIN
    SELECT e.currency INTO v_currency FROM events e WHERE e.id = p_event;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'NO_EVENT'::text, NULL::uuid, NULL::text, NULL::uuid, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::bigint, NULL::integer, NULL::integer, NULL::boolean, NULL::text;
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM bookings b WHERE b.id = p_id) THEN
        v_outcome := 'EXISTS';
    ELSE
        SELECT count(*),
               count(*) FILTER (WHERE s.event_id <> p_event),
               count(*) FILTER (WHERE s.event_id = p_event AND s.status = 'OPEN'),
               count(*) FILTER (WHERE s.status = 'ON_GOING' AND s.held_until < now())
          INTO v_found, v_foreign, v_open, v_lapsed
          FROM seats s WHERE s.id = ANY (p_seats);
        IF v_found < v_want OR v_foreign > 0 OR v_lapsed > 0 THEN
            v_outcome := 'SLOW';
        ELSIF v_open = v_want THEN
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
                ON CONFLICT DO NOTHING;
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
            -- not all OPEN: the refused attempt, with the seats it asked for
            INSERT INTO bookings AS b (id, user_id, event_id, status, failure_reason, holder,
                                       origin, currency, seat_count, amount)
            VALUES (p_id, p_user, p_event, 'FAILED', 'SEAT_UNAVAILABLE', NULLIF(p_holder, ''),
                    p_origin, v_currency, v_want,
                    (SELECT COALESCE(sum(s.price), 0) FROM seats s WHERE s.id = ANY (p_seats)))
            ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN
                v_outcome := 'EXISTS';
            ELSE
                INSERT INTO booking_seats (booking_id, seat_id, label, section, price)
                SELECT p_id, s.id, s.label, s.section, s.price
                  FROM seats s WHERE s.id = ANY (p_seats);
                v_outcome := 'UNAVAILABLE';
            END IF;
        END IF;
    END IF;
    IF v_outcome IN ('HELD', 'UNAVAILABLE') THEN
        RETURN QUERY SELECT v_outcome, v.* FROM booking_view v WHERE v.id = p_id;
    ELSE
        RETURN QUERY SELECT v_outcome, NULL::uuid, NULL::text, NULL::uuid, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::bigint, NULL::integer, NULL::integer, NULL::boolean, NULL::text;
    END IF;
END;
$$;
