package dev.backend.server.migration;

import static dev.backend.server.migration.Fixtures.awaitLockWaiters;
import static dev.backend.server.migration.Fixtures.column;
import static dev.backend.server.migration.Fixtures.lock;
import static dev.backend.server.migration.Fixtures.unlock;
import static dev.backend.server.migration.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.server.Config;
import dev.backend.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many runners at once apply each migration exactly once. To make them really race, the test holds the
 * advisory lock itself until every runner is queued on it, then lets go.
 */
class ConcurrentMigrationTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final int MIGRATIONS = 6;

    @TempDir
    Path dir;

    private String schema;
    private DataSource ds;

    @BeforeEach
    void migrationsThatEachLeaveOneRow() {
        schema = Fixtures.newSchema(DB);
        ds = Fixtures.dataSource(DB, schema);
        // No unique constraint: a second application would show as a second row, not as an error.
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text NOT NULL);\nINSERT INTO log VALUES ('1');");
        for (int v = 2; v <= MIGRATIONS; v++) {
            write(dir, "V" + v + "__step.sql", "SELECT pg_sleep(0.02);\nINSERT INTO log VALUES ('" + v + "');");
        }
    }

    @Test
    void eightThreadsWithTheirOwnConnectionsApplyEachMigrationOnce() throws Exception {
        int runners = 8;
        ExecutorService pool = Executors.newFixedThreadPool(runners);
        try (Connection holder = DB.connect()) {
            lock(holder);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < runners; i++) {
                DataSource own = Fixtures.dataSource(DB, schema);
                results.add(pool.submit(() -> Migrator.create(own, MigrationSource.directory(dir), Fixtures.SETTINGS)
                        .migrate()));
            }
            awaitLockWaiters(holder, runners);
            unlock(holder);
            int applied = 0;
            for (Future<Integer> result : results) {
                applied += result.get(60, TimeUnit.SECONDS);
            }
            assertEquals(MIGRATIONS, applied);
        } finally {
            pool.shutdownNow();
        }
        assertAppliedOnce();
    }

    @Test
    void separateJvmProcessesApplyEachMigrationOnce() throws Exception {
        int runners = 3;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        try (Connection holder = DB.connect()) {
            lock(holder);
            for (int i = 0; i < runners; i++) {
                Path output = dir.resolve("process-" + i + ".out");
                outputs.add(output);
                processes.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        MigrateProcess.class.getName(), DB.jdbcUrl(), DB.user(), DB.password(), schema, dir.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start());
            }
            awaitLockWaiters(holder, runners);
            unlock(holder);
            int applied = 0;
            for (int i = 0; i < runners; i++) {
                assertTrue(processes.get(i).waitFor(60, TimeUnit.SECONDS), "process " + i + " did not finish");
                String out = Files.readString(outputs.get(i));
                assertEquals(0, processes.get(i).exitValue(), out);
                applied += Integer.parseInt(out.lines().filter(l -> l.startsWith("applied=")).findFirst()
                        .orElseThrow(() -> new AssertionError(out)).substring("applied=".length()));
            }
            assertEquals(MIGRATIONS, applied);
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
        assertAppliedOnce();
    }

    @Test
    void waitingForTheLockIsBoundedByTheTimeoutWithAClearError() throws Exception {
        Config.Migrations oneSecond = new Config.Migrations(Optional.empty(), Duration.ofSeconds(1), false, false);
        try (Connection holder = DB.connect()) {
            lock(holder);
            int pid = pid(holder);
            long begin = System.nanoTime();
            MigrationException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                    MigrationException.class,
                    () -> Migrator.create(ds, MigrationSource.directory(dir), oneSecond).migrate()));
            long waited = Duration.ofNanos(System.nanoTime() - begin).toMillis();
            assertTrue(waited >= 900, "gave up after " + waited + " ms");
            assertTrue(e.getMessage().startsWith("Timed out after 1000 ms (MIGRATION_LOCK_TIMEOUT) waiting for the "
                    + "migration lock pg_advisory_lock(" + Migrator.LOCK_KEY + "), held by PostgreSQL backend pid " + pid
                    + " (application "), e.getMessage());
            assertTrue(e.getMessage().endsWith("Another instance is probably applying migrations: let it finish, or "
                    + "raise MIGRATION_LOCK_TIMEOUT"), e.getMessage());
            assertEquals(List.of("f"), column(ds, "SELECT to_regclass('schema_migrations') IS NOT NULL"));
            unlock(holder);
        }
        assertEquals(MIGRATIONS, Migrator.create(ds, MigrationSource.directory(dir), oneSecond).migrate());
    }

    private void assertAppliedOnce() {
        List<String> expected = new ArrayList<>();
        for (int v = 1; v <= MIGRATIONS; v++) {
            expected.add(Integer.toString(v));
        }
        assertEquals(expected, column(ds, "SELECT version FROM log ORDER BY version::int"));
        assertEquals(expected, column(ds, "SELECT version FROM schema_migrations WHERE success ORDER BY version::int"));
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
