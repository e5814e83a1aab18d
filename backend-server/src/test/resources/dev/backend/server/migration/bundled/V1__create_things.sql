CREATE TABLE things (id bigint PRIMARY KEY, name text NOT NULL);
