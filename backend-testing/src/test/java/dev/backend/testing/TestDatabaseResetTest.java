package dev.backend.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Migrations applied once per class, and every test method starting from the state they left. */
class TestDatabaseResetTest {

    private static final AtomicInteger MIGRATION_RUNS = new AtomicInteger();

    /** A schema with what makes a reset hard: seed rows referencing seed rows, identities, a free sequence. */
    private static final String SCHEMA = """
            CREATE TABLE history (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO history (version) VALUES (1), (2);
            CREATE TABLE roles (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
                shout text GENERATED ALWAYS AS (upper(name)) STORED);
            INSERT INTO roles (name) VALUES ('admin'), ('member');
            CREATE TABLE grants (role int NOT NULL REFERENCES roles, permission text NOT NULL);
            INSERT INTO grants VALUES (1, 'write'), (2, 'read');
            CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, role int NOT NULL REFERENCES roles,
                manager bigint REFERENCES users);
            CREATE SEQUENCE invoice_numbers START 1000;
            SELECT nextval('invoice_numbers');
            CREATE SCHEMA billing;
            CREATE TABLE billing.invoices (number int PRIMARY KEY, customer bigint NOT NULL REFERENCES users);
            """;

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase()
            .withMigrations(dataSource -> {
                MIGRATION_RUNS.incrementAndGet();
                try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                    statement.execute(SCHEMA);
                }
            })
            .withResetBeforeEachTest();

    /** Each repetition checks the migrated state, then spoils it every way a test could. */
    @RepeatedTest(3)
    void everyTestStartsFromTheDataTheMigrationsLeft() throws Exception {
        assertEquals(1, MIGRATION_RUNS.get(), "migrations run once per class");
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement()) {
            assertEquals(List.of("1", "2"), column(statement, "SELECT version FROM history ORDER BY 1"));
            assertEquals(List.of("1 admin ADMIN", "2 member MEMBER"),
                    column(statement, "SELECT id || ' ' || name || ' ' || shout FROM roles ORDER BY 1"));
            assertEquals(List.of("1 write", "2 read"), column(statement, "SELECT role || ' ' || permission FROM grants ORDER BY 1"));
            assertEquals(List.of("0 0"), column(statement, "SELECT (SELECT count(*) FROM users) || ' ' || "
                    + "(SELECT count(*) FROM billing.invoices)"));
            assertEquals(List.of("1"), column(statement, "INSERT INTO users (email, role) VALUES ('a@example.com', 1) RETURNING id"));
            assertEquals(List.of("3"), column(statement, "INSERT INTO roles (name) VALUES ('guest') RETURNING id"));
            assertEquals(List.of("1001"), column(statement, "SELECT nextval('invoice_numbers')"));

            statement.execute("INSERT INTO users (email, role, manager) VALUES ('b@example.com', 2, 1)");
            statement.execute("INSERT INTO billing.invoices VALUES (1001, 1)");
            statement.execute("DELETE FROM grants WHERE permission = 'read'");
            statement.execute("UPDATE roles SET name = 'owner' WHERE id = 1");
            statement.execute("INSERT INTO history (version) VALUES (3)");
        }
    }

    @Test
    void aResetBlockedByATransactionLeftOpenFailsSayingSoInsteadOfHanging() throws Exception {
        try (Connection open = DB.connect(); Connection resetting = DB.connect()) {
            Baseline baseline = Baseline.take(resetting);
            open.setAutoCommit(false);
            try (Statement statement = open.createStatement()) {
                statement.execute("INSERT INTO users (email, role) VALUES ('left@example.com', 1)");
            }

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> baseline.restore(resetting, Duration.ofMillis(200)));

            assertTrue(e.getMessage().startsWith("Could not reset database " + DB.name() + " within 200 ms: another "
                    + "connection holds a lock on its tables"), e.getMessage());
            open.rollback();
        }
    }

    private static List<String> column(Statement statement, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
