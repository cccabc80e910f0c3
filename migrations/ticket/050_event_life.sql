-- Events have a life, a place in time and a sale window.
--   timezone:       IANA name of the venue's zone; starts_at_local is
--                   starts_at shown in it (timezone(timezone, starts_at)).
--   sales_start_at: NULL = on sale from publication.
--   sales_end_at:   NULL = until starts_at.
--   published_at:   NULL = DRAFT (visible to admins only).
--   cancelled_at:   set once the event is cancelled.
-- Events that existed before this migration were on sale: they are published.
ALTER TABLE events
    ADD COLUMN timezone       text NOT NULL DEFAULT 'UTC',
    ADD COLUMN sales_start_at timestamptz NULL,
    ADD COLUMN sales_end_at   timestamptz NULL,
    ADD COLUMN published_at   timestamptz NULL,
    ADD COLUMN cancelled_at   timestamptz NULL;

UPDATE events SET published_at = created_at WHERE published_at IS NULL;

-- event_status(e, at): the one definition of an event's status at time `at`
-- (every query and guard calls it; no copy in C).
--   CANCELLED     cancelled_at is set
--   DRAFT         not published
--   SALES_CLOSED  at >= coalesce(sales_end_at, starts_at), or the event started
--   SCHEDULED     at < sales_start_at
--   ON_SALE       otherwise
-- A one-expression SQL function: the planner inlines it.
CREATE FUNCTION event_status(e events, at timestamptz DEFAULT now()) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN e.cancelled_at IS NOT NULL THEN 'CANCELLED'
        WHEN e.published_at IS NULL THEN 'DRAFT'
        WHEN at >= coalesce(e.sales_end_at, e.starts_at) OR at >= e.starts_at THEN 'SALES_CLOSED'
        WHEN at < e.sales_start_at THEN 'SCHEDULED'
        ELSE 'ON_SALE'
    END
$$;
