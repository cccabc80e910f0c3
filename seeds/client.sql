-- Demo users of client-app: alice, bob and carol, role user, each with the
-- password "demo-password" (Argon2id hashes as crypto_pwhash_str makes them,
-- opslimit 3, memlimit 12 MiB). The admin user is created by client-app at
-- start-up from ADMIN_PASSWORD. Idempotent: existing users are left alone.
INSERT INTO users (id, username, email, full_name, password_hash, role) VALUES
    ('a11ce000-0000-4000-8000-000000000001', 'alice', 'alice@example.com', 'Alice Demo',
     '$argon2id$v=19$m=12288,t=3,p=1$tO6XbMkbnVwO12y8UvWgkA$Ziymdxg1dHU4rNaCjjR44Z/fmpc+dba2t/+HLxX1qY4',
     'user'),
    ('b0b00000-0000-4000-8000-000000000002', 'bob', 'bob@example.com', 'Bob Demo',
     '$argon2id$v=19$m=12288,t=3,p=1$XjE2/FeVBoGOUFoKR8seAA$D45KVK7SSHHE9TkU0sgW9yYJ+PDmTIzp462MgJdnpJA',
     'user'),
    ('ca201000-0000-4000-8000-000000000003', 'carol', 'carol@example.com', 'Carol Demo',
     '$argon2id$v=19$m=12288,t=3,p=1$60Q90R3FVDcrzczOZy+omg$P8KEKC07V0OdNgap0Zy3gxVfcBD5uaOohEpC7kgMtLI',
     'user')
ON CONFLICT DO NOTHING;
