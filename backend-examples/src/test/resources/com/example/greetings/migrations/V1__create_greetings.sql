-- The README's GreetingService: one table, one row to find.
CREATE TABLE greetings (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text text NOT NULL
);

INSERT INTO greetings (text) VALUES ('Hello from PostgreSQL');
