-- client-app users and their sessions. Usernames and emails are unique
-- case-insensitively among live users; a deleted user keeps its row (its
-- booking history stays visible to admins) but frees its name and email.
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL CHECK (char_length(username) BETWEEN 3 AND 32),
    email         text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    full_name     text CHECK (full_name IS NULL OR char_length(full_name) <= 100),
    password_hash text NOT NULL,            -- libsodium crypto_pwhash_str (Argon2id)
    role          text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz
);
-- The index names are what the handlers read from a unique violation to tell
-- USERNAME_TAKEN from EMAIL_TAKEN.
CREATE UNIQUE INDEX users_username_key ON users (lower(username)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX users_live_created ON users (created_at, id) WHERE deleted_at IS NULL;

-- Only the SHA-256 of a bearer token is stored: a leaked table gives no
-- usable token.
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,            -- hex SHA-256 of the token
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
