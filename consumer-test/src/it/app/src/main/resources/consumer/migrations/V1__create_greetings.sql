CREATE TABLE greetings (id bigserial PRIMARY KEY, text text NOT NULL);
INSERT INTO greetings (text) VALUES ('Hello from PostgreSQL');
