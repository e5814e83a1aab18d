package dev.backend.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPostgresTest {

    @TempDir
    Path temp;

    @Test
    void keepsItsDataAcrossStopsAndStartsEvenWhenPostgresExitedOnItsOwn() throws Exception {
        Path dir = temp.resolve("postgres");
        LocalPostgres first = LocalPostgres.start(dir);
        execute(first, "CREATE TABLE notes (body text)", "INSERT INTO notes VALUES ('kept')");
        ProcessHandle postmaster = first.postmaster().orElseThrow();
        first.close();
        assertFalse(postmaster.isAlive(), "the stop waits for the postmaster to exit");
        assertFalse(Files.exists(dir.resolve("postmaster.pid")), "a clean stop removes the pid file");
        first.close(); // a second close is a no-op

        LocalPostgres second = LocalPostgres.start(dir);
        assertEquals("kept", queryOne(second, "SELECT body FROM notes"));
        ProcessHandle secondPostmaster = second.postmaster().orElseThrow();
        secondPostmaster.destroy(); // SIGTERM, PostgreSQL's smart shutdown, as if an operator had signalled it
        secondPostmaster.onExit().get(60, TimeUnit.SECONDS);
        try (LogCapture log = LogCapture.of(LocalPostgres.class)) {
            second.close();
            assertTrue(log.lines().getFirst().startsWith("WARN Embedded PostgreSQL (pid " + secondPostmaster.pid()
                    + ") had exited before the stop"), log.lines().toString());
        }

        try (LocalPostgres third = LocalPostgres.start(dir)) {
            assertEquals("kept", queryOne(third, "SELECT body FROM notes"));
        }
    }

    @Test
    void refusesASecondInstanceOnTheSameDataWithAClearMessage() throws SQLException {
        Path dir = temp.resolve("postgres");
        try (LocalPostgres first = LocalPostgres.start(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> LocalPostgres.start(dir));
            assertEquals("Another server is already using the embedded PostgreSQL data in " + dir.toAbsolutePath()
                    + " (it holds " + dir.toAbsolutePath() + ".lock). Stop it, set EMBEDDED_DATABASE_DIR to another "
                    + "directory, or set DATABASE_URL.", e.getMessage());
            assertEquals("ok", queryOne(first, "SELECT 'ok'"), "the first instance is unharmed");
        }
    }

    private static void execute(LocalPostgres database, String... statements) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String queryOne(LocalPostgres database, String sql) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertTrue(rows.next());
            return rows.getString(1);
        }
    }

    private static Connection connect(LocalPostgres database) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), "");
    }
}
