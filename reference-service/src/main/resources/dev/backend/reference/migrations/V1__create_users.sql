-- The reference service's users (issue 5: /api/v1/users).
CREATE TABLE users (
    id         uuid        PRIMARY KEY,
    email      text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Emails are stored as the user typed them (trimmed) but compared case-insensitively, so uniqueness is on
-- lower(email): Alice@Example.com and alice@example.com are the same address. This one index replaces a plain
-- UNIQUE (email), which it implies; lookups by email use it as WHERE lower(email) = lower($1). Chosen over
-- citext (an extension some managed servers do not offer) and nondeterministic ICU collations (which need
-- ICU and rule out LIKE before PostgreSQL 18). A duplicate raises unique_violation (23505) on this name.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- The list is newest first with keyset pagination:
--   WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3
-- This index serves that order and the row-comparison seek directly, one page at a time.
CREATE INDEX users_created_at_id_idx ON users (created_at DESC, id DESC);
