-- A hold ends at the latest when the event starts: the hold's expiry (and
-- with it the invoice's, which ticket-app gives payment-app from the
-- booking) is now + the TTL or the event's start, whichever comes first; so
-- is the payment window CHECKOUT opens (booking_store.c, st_pay_window).
-- A seat held a minute before the doors open is no longer payable after
-- they did. Otherwise booking_try_hold is 080's, with 085's generic plans
-- in its definition.
DROP FUNCTION booking_try_hold(uuid, text, uuid, uuid[], text, text, integer, integer, boolean,
                               json, boolean);

-- booking_try_hold: the HOLD and HOLD_SELECTION transitions, their only
-- implementation. One
-- round trip and one commit. Answers one row: the outcome, the booking as
-- booking_view shows it (HELD, REFUSED), and for LAPSED the bookings whose
-- run-out holds sit on requested seats (a JSON array of ids).
--   NO_EVENT  no such event, or a DRAFT one: nothing changed;
--   NAMES_MISSING  the event requires a name per seat (attendees_required)
--             and p_attendees names fewer than the seats: nothing changed
--             (the caller answers 400 with the seats left unnamed);
--   EXISTS    the booking id is already used (a replay): nothing changed;
--   SLOW      a seat does not exist or belongs to another event: nothing
--             changed (the caller answers 404 / 400);
--   LAPSED    a requested seat is held by a booking whose hold ran out and
--             p_lapsed_taken is false: nothing changed. The caller ends
--             those bookings through the model (EXPIRE, which asks
--             payment-app first) and calls again with p_lapsed_taken =
--             true, when a seat still held counts as unavailable;
--   HELD      the guards passed and every seat was OPEN: booking
--             PENDING_PAYMENT (HELD when p_checkout is false), seats
--             ON_GOING until now() + p_ttl or the event's start, the earlier;
--   REFUSED   stored FAILED with failure_reason = the first guard that
--             failed, in the table's order: EVENT_CANCELLED, SALES_NOT_OPEN,
--             SALES_CLOSED (event_status), LIMIT_REACHED (the user's live
--             bookings of the event, HELD ones too, plus these seats exceed
--             p_max_seats;
--             0 = no limit), SEAT_UNAVAILABLE (unavailable_seats names the
--             requested seats that were not OPEN).
-- p_attendees: NULL or a JSON array [{seat_id, name, id_number}] naming
-- distinct requested seats (checked by the caller); a HELD booking's
-- attendees are stored with it, in the same statement.
-- Concurrency: the limit is counted under a transaction-scoped advisory
-- lock of (user, event), so two holds of one user serialise on it and the
-- second counts the first; seats are locked in id order and only the rows
-- still OPEN under the lock are taken.
CREATE FUNCTION booking_try_hold(p_id uuid, p_user text, p_event uuid, p_seats uuid[],
                                 p_holder text, p_origin text, p_ttl integer,
                                 p_max_seats integer, p_lapsed_taken boolean,
                                 p_attendees json, p_checkout boolean DEFAULT true)
RETURNS TABLE (outcome text, id uuid, user_id text, event_id uuid, event_name text,
               venue text, starts_at text, status text, failure_reason text, holder text,
               origin text, currency text, invoice_number text, payment_url text,
               expires_at text, created_at text, updated_at text, organizer_held_at text,
               amount bigint, version integer, seat_count integer, has_ticket boolean,
               seats text, code text, unavailable_seats text, lapsed text)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    v_want     integer := cardinality(p_seats);
    v_currency text;
    v_estatus  text;
    v_starts   timestamptz;
    v_required boolean;
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
    SELECT e.currency, event_status(e), e.attendees_required, e.starts_at
      INTO v_currency, v_estatus, v_required, v_starts
      FROM events e WHERE e.id = p_event;
    IF NOT FOUND OR v_estatus = 'DRAFT' THEN
        v_outcome := 'NO_EVENT';
    ELSIF v_required AND COALESCE(json_array_length(p_attendees), 0) < v_want THEN
        v_outcome := 'NAMES_MISSING';
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
           AND b.status IN ('HELD', 'PENDING_PAYMENT', 'CONFIRMED');
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
            v_expires := LEAST(now() + make_interval(secs => p_ttl), v_starts);
            INSERT INTO bookings AS b (id, user_id, event_id, status, holder, origin,
                                       currency, seat_count, expires_at)
            VALUES (p_id, p_user, p_event,
                    CASE WHEN p_checkout THEN 'PENDING_PAYMENT' ELSE 'HELD' END,
                    NULLIF(p_holder, ''),
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
                IF p_attendees IS NOT NULL THEN
                    INSERT INTO booking_attendees (booking_id, seat_id, name, id_number)
                    SELECT p_id, a.seat_id, a.name, NULLIF(a.id_number, '')
                      FROM json_to_recordset(p_attendees)
                           AS a(seat_id uuid, name text, id_number text)
                    ON CONFLICT (booking_id, seat_id) DO NOTHING;
                END IF;
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
