-- client_seed.sql: the benchmark's users and their sessions in client-app's
-- schema, by bulk SQL. One precomputed Argon2id hash (of "demo-password",
-- the same as seeds/client.sql) serves every user: nobody logs in, each
-- user already has a session. client-app stores only the SHA-256 of a
-- token, so the token of user n is computable: 48 chars of "beb0..." and
-- n as 16 decimal digits (lowercase hex to client-app).
-- psql variable: users (how many).
\set ON_ERROR_STOP on
INSERT INTO users (id, username, email, password_hash, role)
SELECT ('0000beef-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'bench' || n,
       'bench' || n || '@example.com',
       '$argon2id$v=19$m=12288,t=3,p=1$tO6XbMkbnVwO12y8UvWgkA$Ziymdxg1dHU4rNaCjjR44Z/fmpc+dba2t/+HLxX1qY4',
       'user'
  FROM generate_series(0, :users - 1) AS n;

INSERT INTO sessions (token_hash, user_id, expires_at)
SELECT encode(sha256(convert_to(repeat('beb0', 12) || lpad(n::text, 16, '0'), 'UTF8')), 'hex'),
       ('0000beef-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, now() + interval '1 day'
  FROM generate_series(0, :users - 1) AS n;

VACUUM (ANALYZE) users;
VACUUM (ANALYZE) sessions;
