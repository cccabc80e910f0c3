-- booking_apply_paid: a payment webhook's common case in one round trip and
-- one commit: invoice.paid (event p_event, not applied before) for a
-- booking still PENDING_PAYMENT whose seats are all still held by it. The
-- booking row is locked, then its seats; the seats become BOOKED, the
-- booking CONFIRMED (its invoice number noted, version + 1, confirmed_at),
-- an offered waitlist entry FULFILLED, the RENDER follow-up recorded and
-- the event id marked applied: what booking_store_apply_payment does for
-- this case (ticket-app/src/booking_store.c, tx_paid). Answers
-- 'confirmed', 'duplicate' (the event was applied before: nothing done),
-- or 'general' (any other case: nothing done, the caller takes the general
-- path in its own transaction).
CREATE FUNCTION booking_apply_paid(p_event text, p_booking uuid, p_invoice text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
    v_count integer;
    v_held integer;
BEGIN
    PERFORM 1 FROM processed_events WHERE id = p_event;
    IF FOUND THEN
        RETURN 'duplicate';
    END IF;
    SELECT status, seat_count INTO v_status, v_count FROM bookings WHERE id = p_booking FOR UPDATE;
    IF NOT FOUND OR v_status <> 'PENDING_PAYMENT' THEN
        RETURN 'general';
    END IF;
    SELECT count(*) INTO v_held
      FROM (SELECT id FROM seats WHERE booking_id = p_booking AND status = 'ON_GOING'
             ORDER BY id FOR UPDATE) l;
    IF v_held <> v_count THEN
        RETURN 'general';
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
    INSERT INTO processed_events (id, type) VALUES (p_event, 'invoice.paid');
    RETURN 'confirmed';
END;
$$;
