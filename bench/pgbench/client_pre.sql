-- client_pre.sql: what client-app runs for one booking before it calls
-- ticket-app: the session lookup, then the attempt recorded REQUESTED with
-- its history entry (one statement). bench/run places it, with
-- client_post.sql, around the body of hold_ticket.sql to make the ceiling
-- of a hold made through client-app; client-app's tables are the copies in
-- schema bench_client. The booking id is the one ticket-app gets, as in the
-- services.
SELECT u.id, u.role FROM bench_client.sessions s JOIN bench_client.users u ON u.id = s.user_id WHERE s.token_hash = encode(sha256(convert_to(repeat('beb0', 12) || lpad((:k % 10000)::text, 16, '0'), 'UTF8')), 'hex') AND s.expires_at > now() AND u.deleted_at IS NULL;
WITH b AS (INSERT INTO bench_client.bookings (id, user_id, event_id, status, seats)            VALUES ((lpad(:tag::text, 8, '0') || '-0000-4000-8000-' || lpad(:k::text, 12, '0'))::uuid, ('0000beef-0000-4000-8000-' || lpad((:k % 10000)::text, 12, '0'))::uuid, '00000001-0000-4000-8000-000000000000', 'REQUESTED', ('[{"id": "00000001-0000-4000-8000-' || lpad(:idx::text, 12, '0') || '", "label": null, "price": null}]')::jsonb) RETURNING id) INSERT INTO bench_client.booking_events (booking_id, status, reason, source, version) SELECT id, 'REQUESTED', NULL, 'request', NULL FROM b;
