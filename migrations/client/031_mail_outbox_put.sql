-- A new inbox entry is mailed through the common outbox's own writer
-- (migrations/common/003_outbox_put.sql), not an INSERT of client-app's.
CREATE OR REPLACE FUNCTION notifications_mail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT enabled FROM mail_config) THEN
        PERFORM outbox_put('mail_' || NEW.id, 'mail',
                           json_build_object('notification_id', NEW.id)::text);
    END IF;
    RETURN NULL;
END $$;
