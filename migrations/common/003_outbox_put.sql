-- The outbox's one writer inside the database: a trigger that reports a
-- change (client-app's mail of an inbox entry) enqueues its event through
-- this function, as the services do through common/src/outbox.c, instead of
-- its own INSERT. An id already there is left as it is (the event was
-- enqueued once already).
CREATE FUNCTION outbox_put(event_id text, event_topic text, event_payload text)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO outbox (id, topic, payload) VALUES (event_id, event_topic, event_payload)
    ON CONFLICT (id) DO NOTHING
$$;
