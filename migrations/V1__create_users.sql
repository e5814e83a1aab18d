-- The reference service's users. Emails are unique regardless of case: the API compares them
-- case-insensitively, so the index is on lower(email) and a duplicate in another case is a 409.
CREATE TABLE users (
    id         uuid        PRIMARY KEY,
    email      text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- Newest-first keyset pagination: ORDER BY created_at DESC, id DESC with (created_at, id) < (?, ?).
CREATE INDEX users_created_at_id_idx ON users (created_at DESC, id DESC);
