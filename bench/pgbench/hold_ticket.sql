-- hold_ticket.sql: pgbench's ceiling for one hold made directly at
-- ticket-app (POST /api/bookings): the statements, in order, with the
-- commits, that ticket-app (booking_flow.c, booking_store.c, seat_store.c)
-- and payment-app (invoice_store.c) run for one successful single-seat
-- hold, and nothing else: no HTTP, no JSON, no threads. It runs in
-- ticket-app's database; payment-app's table is the copy in schema
-- bench_payment (same cluster, same WAL, so the same commit cost).
-- Where the services bind a string parameter ($1 = booking id, ...), this
-- script computes it inline from pgbench's integers (pgbench has no string
-- variables); the statements are otherwise verbatim, but for one spelling:
-- pgbench reads ":name" as a variable even inside quotes, so the to_char
-- format HH24:MI:SS is written HH24":"MI":"SS (the same output), and a
-- literal colon before a digit is split off ('...:' || '8082...').
-- Keep it in step with the services: when their statements change, so does
-- this (bench/run checks that every transaction held its seat, not that the
-- text matches).
-- Variables (-D): n=0 nclients base range tag exp_ms. Each client takes
-- seat base + (k * 104729) mod range for its k-th hold, like bench/wrk/hold.lua.
\set k :n * :nclients + :client_id
\set n :n + 1
\set idx :base + (:k * 104729) % :range
-- booking_store_try_hold: the hold in one autocommitted call (the function
-- booking_try_hold of migrations/ticket/090_hold_until_start.sql: the HOLD transition)
SELECT * FROM booking_try_hold((lpad(:tag::text, 8, '0') || '-0000-4000-8000-' || lpad(:k::text, 12, '0'))::uuid, '0000beef-0000-4000-8000-' || lpad((:k % 10000)::text, 12, '0'), '00000001-0000-4000-8000-000000000000', ('{00000001-0000-4000-8000-' || lpad(:idx::text, 12, '0') || '}')::uuid[], '', 'direct', 3600::int, 1000000::int, false, NULL);
-- continue_flow: the organizer's acceptance is noted with the invoice below
-- payment-app: invoice_store_create (autocommit, payment-app's database)
INSERT INTO bench_payment.invoices (invoice_number, booking_id, amount, currency, description, expires_at) VALUES ('INV-' || lpad(:tag::text, 4, '0') || lpad(:k::text, 8, '0'), (lpad(:tag::text, 8, '0') || '-0000-4000-8000-' || lpad(:k::text, 12, '0'))::uuid, 150000::bigint, 'IDR', 'Bench steady pool: R' || (:idx / 1000) || '-' || (:idx % 1000), to_timestamp(:exp_ms::bigint / 1000.0)) ON CONFLICT (booking_id) DO NOTHING RETURNING invoice_number, booking_id::text AS booking_id, amount, currency, description, status, coalesce(method, '') AS method, coalesce(failure_reason, '') AS failure_reason, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms, (extract(epoch FROM updated_at) * 1000)::bigint AS updated_ms, (extract(epoch FROM expires_at) * 1000)::bigint AS expires_ms, coalesce((extract(epoch FROM paid_at) * 1000)::bigint, 0) AS paid_ms;
-- booking_store_attach_invoices: the invoice (autocommit), as a group of
-- one; under load ticket-app writes several holds' invoices with one such
-- statement and commit (attach_batch.c), which pgbench cannot: the ceiling
-- pays one commit here per hold. The answer is built from what is in hand.
WITH v AS (SELECT l.id, l.number, l.url FROM json_to_recordset(json_build_array(json_build_object('id', (lpad(:tag::text, 8, '0') || '-0000-4000-8000-' || lpad(:k::text, 12, '0')), 'number', 'INV-' || lpad(:tag::text, 4, '0') || lpad(:k::text, 8, '0'), 'url', 'http://localhost:' || '8082/pay/' || 'INV-' || lpad(:tag::text, 4, '0') || lpad(:k::text, 8, '0')))) AS l(id uuid, number text, url text) JOIN bookings k ON k.id = l.id ORDER BY l.id FOR UPDATE OF k), u AS (UPDATE bookings b SET invoice_number = v.number, payment_url = v.url, version = b.version + 1, updated_at = now(), organizer_held_at = CASE WHEN b.status = 'PENDING_PAYMENT' THEN COALESCE(b.organizer_held_at, now()) ELSE b.organizer_held_at END FROM v WHERE b.id = v.id AND b.invoice_number IS NULL RETURNING b.id, b.version, b.updated_at, b.status, b.origin, b.invoice_number), f AS (INSERT INTO followups (booking_id, kind, invoice_number) SELECT id, 'VOID', invoice_number FROM u WHERE status IN ('FAILED', 'EXPIRED', 'CANCELLED') ON CONFLICT (booking_id, kind) DO UPDATE SET invoice_number = COALESCE(followups.invoice_number, EXCLUDED.invoice_number)) SELECT id::text AS id, version, status, origin, to_char((updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"') AS updated_at FROM u;
