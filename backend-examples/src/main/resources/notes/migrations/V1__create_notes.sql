-- The notes example's own schema, applied by BackendServer on start from the classpath location
-- notes/migrations, exactly as the reference service's migrations/ are.
CREATE TABLE notes (
    id         uuid        PRIMARY KEY,
    title      text        NOT NULL,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX notes_created_at_idx ON notes (created_at DESC);
