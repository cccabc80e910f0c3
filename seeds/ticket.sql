-- seeds/ticket.sql: demo data for ticket-app (scripts/up.sh loads it after
-- the migrations). Idempotent: fixed event ids, seat ids derived from
-- (event, label), ON CONFLICT DO NOTHING, so loading it again changes
-- nothing. Every price in IDR; every seat OPEN; start times are set, the
-- first time the file is loaded, to days ahead at a local (Jakarta) hour.
--   a concert                       3 sections, 415 seats
--   a theatre show, two showtimes   2 events x 2 sections x 184 seats
--   a train journey                 5 carriages of 3 classes, 328 seats
-- Seats are expanded as the layout generator does (ticket-app/src/
-- event_store.c): one row of the table below per (section, row names),
-- seats numbered 1..n, label "<row>-<n>" (train seats "<car>-<row><letter>").
BEGIN;

INSERT INTO events (id, name, venue, starts_at, description, currency, timezone, published_at) VALUES
    ('5eed0000-0000-4000-8000-000000000001',
     'Nusantara Symphony Night',
     'Jakarta International Expo, Hall D',
     (date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta') + interval '30 days 19:30')
         AT TIME ZONE 'Asia/Jakarta',
     'An evening of orchestral arrangements of songs from across the archipelago. '
     'VIP rows A-C, Gold rows D-J, Silver tribune rows K-P.',
     'IDR', 'Asia/Jakarta', now()),
    ('5eed0000-0000-4000-8000-000000000002',
     'Bawang Merah Bawang Putih: The Musical (Saturday evening)',
     'Gedung Kesenian Jakarta',
     (date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta') + interval '21 days 19:30')
         AT TIME ZONE 'Asia/Jakarta',
     'The folk tale retold in song and dance. Orchestra rows A-H, balcony rows J-M.',
     'IDR', 'Asia/Jakarta', now()),
    ('5eed0000-0000-4000-8000-000000000003',
     'Bawang Merah Bawang Putih: The Musical (Sunday matinee)',
     'Gedung Kesenian Jakarta',
     (date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta') + interval '22 days 14:00')
         AT TIME ZONE 'Asia/Jakarta',
     'The folk tale retold in song and dance. Orchestra rows A-H, balcony rows J-M.',
     'IDR', 'Asia/Jakarta', now()),
    ('5eed0000-0000-4000-8000-000000000004',
     'Argo Nusantara 7: Jakarta Gambir - Surabaya Pasar Turi',
     'Stasiun Gambir, Jakarta (departure)',
     (date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta') + interval '14 days 20:15')
         AT TIME ZONE 'Asia/Jakarta',
     'Night train, about 8 hours. Carriages EKS1-EKS2 Executive, BIS1 Business, '
     'EKO1-EKO2 Economy; seats 1A-13D (Executive), 1A-16D (Business), 1A-20D (Economy).',
     'IDR', 'Asia/Jakarta', now())
ON CONFLICT DO NOTHING;

-- Concert and theatre: "<row>-<n>" labels, rows listed per section.
INSERT INTO seats (id, event_id, label, section, row, number, price)
SELECT md5(l.event_id || '/' || r.row || '-' || n)::uuid, l.event_id::uuid, r.row || '-' || n,
       l.section, r.row, n, l.price
  FROM (VALUES
        ('5eed0000-0000-4000-8000-000000000001', 'VIP',    'A,B,C',         20, 2500000),
        ('5eed0000-0000-4000-8000-000000000001', 'Gold',   'D,E,F,G,H,I,J', 25, 1500000),
        ('5eed0000-0000-4000-8000-000000000001', 'Silver', 'K,L,M,N,O,P',   30,  750000),
        ('5eed0000-0000-4000-8000-000000000002', 'Orchestra', 'A,B,C,D,E,F,G,H', 16, 850000),
        ('5eed0000-0000-4000-8000-000000000002', 'Balcony',   'J,K,L,M',         14, 450000),
        ('5eed0000-0000-4000-8000-000000000003', 'Orchestra', 'A,B,C,D,E,F,G,H', 16, 750000),
        ('5eed0000-0000-4000-8000-000000000003', 'Balcony',   'J,K,L,M',         14, 400000)
       ) AS l(event_id, section, rows, seats, price)
 CROSS JOIN LATERAL unnest(string_to_array(l.rows, ',')) AS r(row)
 CROSS JOIN LATERAL generate_series(1, l.seats) AS n
ON CONFLICT DO NOTHING;

-- Train: each carriage is a section and its code the row; seats are numbered
-- 1..n along the carriage and labelled like the tickets of Indonesian
-- railways, "EKS1-12A": seat row 12, letter A-D across the aisle (2-2).
INSERT INTO seats (id, event_id, label, section, row, number, price)
SELECT md5(l.event_id || '/' || l.car || '-' || n)::uuid, l.event_id::uuid,
       l.car || '-' || ((n - 1) / 4 + 1) || chr(ascii('A') + (n - 1) % 4),
       l.section, l.car, n, l.price
  FROM (VALUES
        ('5eed0000-0000-4000-8000-000000000004', 'Executive 1 (EKS1)', 'EKS1', 52, 650000),
        ('5eed0000-0000-4000-8000-000000000004', 'Executive 2 (EKS2)', 'EKS2', 52, 650000),
        ('5eed0000-0000-4000-8000-000000000004', 'Business 1 (BIS1)',  'BIS1', 64, 450000),
        ('5eed0000-0000-4000-8000-000000000004', 'Economy 1 (EKO1)',   'EKO1', 80, 250000),
        ('5eed0000-0000-4000-8000-000000000004', 'Economy 2 (EKO2)',   'EKO2', 80, 250000)
       ) AS l(event_id, section, car, seats, price)
 CROSS JOIN LATERAL generate_series(1, l.seats) AS n
ON CONFLICT DO NOTHING;

-- The train carries named passengers: a name per seat is required to book.
UPDATE events SET attendees_required = true
 WHERE id = '5eed0000-0000-4000-8000-000000000004' AND NOT attendees_required;

COMMIT;
