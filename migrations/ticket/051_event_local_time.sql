-- local_rfc3339(at, tz): the instant `at` as RFC 3339 in the IANA zone tz,
-- with the offset in force there at that instant (DST included), e.g.
-- "2026-12-24T19:30:00+07:00". Events' starts_at_local is this of
-- (starts_at, timezone).
CREATE FUNCTION local_rfc3339(at timestamptz, tz text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT to_char(l.t, 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN l.m < 0 THEN '-' ELSE '+' END
           || lpad((abs(l.m) / 60)::text, 2, '0') || ':' || lpad((abs(l.m) % 60)::text, 2, '0')
      FROM (SELECT at AT TIME ZONE tz AS t,
                   (extract(epoch FROM (at AT TIME ZONE tz) - (at AT TIME ZONE 'UTC')) / 60)::int AS m) l
$$;

-- A zone PostgreSQL does not know is refused at write time (ticket-app
-- checks the system zoneinfo first and answers 400; this is the backstop).
ALTER TABLE events ADD CONSTRAINT events_timezone_known
    CHECK (('2000-01-01 00:00Z'::timestamptz AT TIME ZONE timezone) IS NOT NULL);
