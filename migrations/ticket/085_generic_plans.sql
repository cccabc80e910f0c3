-- The transitions implemented in PL/pgSQL run their statements with generic
-- plans. Each of their statements is keyed by primary keys or by the
-- partial indexes of live bookings, so a plan made for one set of values
-- is the plan for any; PostgreSQL's default (plan_cache_mode = auto) plans
-- every call afresh for its first five calls per connection and then
-- whenever the generic plan's estimate looks dearer, which for these
-- statements was about half of the function's CPU (a hold in one session,
-- 10,000 times: 1.12 ms of backend CPU per hold with custom plans, 0.61 ms
-- with generic ones; a refusal 0.92 and 0.50 ms).
-- A later migration that redefines one of these functions must carry the
-- setting in its CREATE FUNCTION (SET plan_cache_mode = force_generic_plan):
-- ticket-app/tests/test_lifecycle_db.c checks it.
ALTER FUNCTION booking_try_hold(uuid, text, uuid, uuid[], text, text, integer, integer, boolean,
                                json, boolean)
    SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION booking_apply_paid(text, uuid, text) SET plan_cache_mode = force_generic_plan;
