-- Event posters uploaded by admins through the web UI. The event itself
-- lives in ticket-app; this is client-app's own picture of it, checked by
-- content (PNG or JPEG) before it is stored and served back as that type.
CREATE TABLE event_posters (
    event_id     uuid PRIMARY KEY,
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    size         integer NOT NULL CHECK (size > 0 AND size <= 524288),
    sha256       text NOT NULL,              -- hex, the ETag
    data         bytea NOT NULL,
    uploaded_by  uuid REFERENCES users (id),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
