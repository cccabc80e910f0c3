-- ticket_seed.sql: the benchmark's events and seats in ticket-app's schema,
-- by bulk SQL (not through the API). Ids are computable from an index, so
-- the wrk scripts, pgbench and the load generator name seats without a
-- lookup: seat n of event E is 0000000E-0000-4000-8000-<n, 12 decimal
-- digits> (decimal digits are valid hex).
--   event 1: the steady pool, 1,000,000 seats
--   event 2: the flash race, 1,000 seats
--   event 3: the full lifecycle, 100,000 seats
\set ON_ERROR_STOP on
-- published (on sale): a DRAFT event is unknown to a hold
INSERT INTO events (id, name, venue, starts_at, description, currency, published_at)
VALUES ('00000001-0000-4000-8000-000000000000', 'Bench steady pool', 'Bench Arena',
        now() + interval '30 days', 'benchmark', 'IDR', now()),
       ('00000002-0000-4000-8000-000000000000', 'Bench flash race', 'Bench Arena',
        now() + interval '30 days', 'benchmark', 'IDR', now()),
       ('00000003-0000-4000-8000-000000000000', 'Bench lifecycle', 'Bench Arena',
        now() + interval '30 days', 'benchmark', 'IDR', now());

INSERT INTO seats (id, event_id, label, section, row, number, price)
SELECT ('0000000' || e.no || '-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
       ('0000000' || e.no || '-0000-4000-8000-000000000000')::uuid,
       'R' || (i / 1000) || '-' || (i % 1000), 'S' || (i / 100000), 'R' || (i / 1000), i % 1000,
       150000
  FROM (VALUES (1, 1000000), (2, 1000), (3, 100000)) AS e(no, n),
       generate_series(0, e.n - 1) AS i;

VACUUM (ANALYZE) events;
VACUUM (ANALYZE) seats;
