package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code migrate}, {@code info} and {@code validate} through {@link Main#run}, in-process. */
class MainMigrationVerbsTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    @TempDir
    Path dir;

    private Map<String, String> env;

    private record Run(int exit, String out, String err) {}

    @BeforeEach
    void ownSchemaAndDirectory() throws SQLException {
        // Each test its own schema: the history table lives in the current schema.
        String schema = "m" + SCHEMAS.incrementAndGet();
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        env = new HashMap<>(Map.of("DATABASE_URL", DB.url() + "?currentSchema=" + schema,
                "MIGRATIONS_DIR", dir.toString()));
    }

    private Run run(String verb) throws InterruptedException {
        return run(verb, env);
    }

    private static Run run(String verb, Map<String, String> env) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {verb}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void infoListsPendingMigrateAppliesAndValidatePasses() throws Exception {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text);");
        write(dir, "V1.1__add_index.sql", "CREATE INDEX log_version_idx ON log (version);");

        Run info = run("info");
        assertEquals(0, info.exit(), info.err());
        assertEquals("""
                Migrations from %s
                Version  Description  State    Installed on  Time
                1        create log   pending
                1.1      add index    pending
                0 applied, 2 pending, 0 problems
                """.formatted(dir.toAbsolutePath()), info.out());

        Run migrate = run("migrate");
        assertEquals(0, migrate.exit(), migrate.err());
        assertTrue(migrate.out().matches("Applied 2 migration\\(s\\) from " + dir.toAbsolutePath()
                + " to postgres://.*; now 2 applied, 0 pending, 0 problems\n"), migrate.out());

        Run validate = run("validate");
        assertEquals(0, validate.exit(), validate.err());
        assertEquals("Migrations valid: 2 applied, 0 pending, 0 problems (" + dir.toAbsolutePath() + ")\n", validate.out());

        assertTrue(run("info").out().lines().anyMatch(l -> l.matches("1\\.1 +add index +applied +\\d{4}-.*Z +\\d+ ms")));
    }

    @Test
    void infoShowsEveryStateAndValidateFailsListingEveryProblem() throws Exception {
        write(dir, "V1__create_log.sql", "CREATE TABLE log (version text, code int);\nINSERT INTO log VALUES ('a', 1), ('b', 1);");
        write(dir, "V2__changed_later.sql", "SELECT 2;");
        write(dir, "V3__deleted_later.sql", "SELECT 3;");
        write(dir, "V4__fails.sql", "-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY log_code_key ON log (code);");
        assertEquals(1, run("migrate").exit());
        write(dir, "V2__changed_later.sql", "SELECT 22;");
        Files.delete(dir.resolve("V3__deleted_later.sql"));
        write(dir, "V1.5__late.sql", "SELECT 15;");
        write(dir, "V5__next.sql", "SELECT 5;");

        Run info = run("info");

        assertEquals(0, info.exit(), info.err());
        List<String> lines = info.out().lines().toList();
        assertEquals("Version  Description    State         Installed on          Time", lines.get(1));
        assertTrue(lines.get(2).matches("1 +create log +applied +\\S+ +\\d+ ms"), lines.get(2));
        assertTrue(lines.get(3).matches("1\\.5 +late +out-of-order"), lines.get(3));
        assertTrue(lines.get(4).matches("2 +changed later +changed +\\S+ +\\d+ ms"), lines.get(4));
        assertTrue(lines.get(5).matches("3 +deleted later +missing +\\S+ +\\d+ ms"), lines.get(5));
        assertTrue(lines.get(6).matches("4 +fails +failed +\\S+ +\\d+ ms"), lines.get(6));
        assertTrue(lines.get(7).matches("5 +next +pending"), lines.get(7));
        assertEquals("1 applied, 1 pending, 1 out-of-order, 1 changed, 1 missing, 1 failed, 4 problems", lines.get(8));
        assertEquals(4, lines.stream().filter(l -> l.startsWith("Problem: ")).count(), info.out());

        Run validate = run("validate");
        assertEquals(1, validate.exit());
        assertEquals("", validate.out());
        List<String> problems = validate.err().lines().toList();
        assertEquals("Migrations not valid: 1 applied, 1 pending, 1 out-of-order, 1 changed, 1 missing, 1 failed, "
                + "4 problems (" + dir.toAbsolutePath() + ")", problems.get(0));
        assertTrue(problems.get(1).startsWith("  - V1.5 (late) is not applied but is lower than the latest applied"));
        assertTrue(problems.get(2).startsWith("  - V2 (changed later) was changed after it was applied"));
        assertTrue(problems.get(3).startsWith("  - V4 (fails) failed on "));
        assertTrue(problems.get(4).startsWith("  - V3 (deleted later) was applied on "));

        env.put("MIGRATIONS_OUT_OF_ORDER", "true");
        env.put("MIGRATIONS_IGNORE_MISSING", "true");
        Run allowed = run("validate");
        assertEquals(1, allowed.exit());
        List<String> remaining = allowed.err().lines().toList();
        assertEquals(3, remaining.size(), allowed.err());
        assertTrue(remaining.get(0).endsWith(", 2 problems (" + dir.toAbsolutePath() + ")"), remaining.get(0));
        assertTrue(remaining.get(1).startsWith("  - V2 (changed later) was changed"), remaining.get(1));
        assertTrue(remaining.get(2).startsWith("  - V4 (fails) failed on "), remaining.get(2));
    }

    @Test
    void aFailedMigrationExitsOneWithOneLineNamingFileAndLine() throws Exception {
        write(dir, "V1__broken.sql", "CREATE TABLE t (id int);\nINSERT INTO t VALUES ('not a number');\n");

        Run migrate = run("migrate");

        assertEquals(1, migrate.exit());
        assertEquals("migrate failed: Migration V1__broken.sql failed at line 2 (statement 2 of 2, starting at line 2): "
                + "ERROR: invalid input syntax for type integer: \"not a number\" [22P02]. Rolled back: nothing of it "
                + "was applied.\n", migrate.err());
        assertEquals(1, run("serve").exit(), "serve refuses to start on the same failure");
    }

    @Test
    void badFileNamesMakeValidateFail() throws Exception {
        write(dir, "create_users.sql", "SELECT 1;");
        Run validate = run("validate");
        assertEquals(1, validate.exit());
        assertEquals("validate failed: " + dir.resolve("create_users.sql").toAbsolutePath() + " is not a valid migration "
                + "name: expected V<version>__<description>.sql, such as V1__create_users.sql or V1.1__add_index.sql "
                + "(version: numbers separated by dots; two underscores before the description)\n", validate.err());
    }

    @Test
    void anUnreachableDatabaseExitsOne() throws Exception {
        Run info = run("info", Map.of("DATABASE_URL", "postgres://nobody@127.0.0.1:1/db", "ACQUIRE_TIMEOUT", "1s"));
        assertEquals(1, info.exit());
        assertTrue(info.err().startsWith("info failed: Cannot connect to PostgreSQL at postgres://nobody@127.0.0.1:1/db"),
                info.err());
    }

    @Test
    void aBadMigrationSettingIsAConfigurationErrorWithExitTwo() throws Exception {
        env.put("MIGRATION_LOCK_TIMEOUT", "soon");
        Run validate = run("validate");
        assertEquals(2, validate.exit());
        assertEquals("Invalid configuration: MIGRATION_LOCK_TIMEOUT=soon is not valid: expected a duration from 1ms "
                + "to 24h, such as 500ms, 3s, 10m or 1h\n", validate.err());
    }

    @Test
    void withoutDatabaseUrlTheVerbsUseEmbeddedPostgresAndTheBundledMigrationsWithoutBindingThePort() throws Exception {
        Map<String, String> embedded = Map.of("EMBEDDED_DATABASE_DIR", dir.resolve("pg").toString());
        // Holding the port proves the verbs never try to bind it.
        try (ServerSocket port = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> withPort = new HashMap<>(embedded);
            withPort.put("PORT", Integer.toString(port.getLocalPort()));
            withPort.put("HOST", "127.0.0.1");

            Run migrate = run("migrate", withPort);
            assertEquals(0, migrate.exit(), migrate.err());
            assertTrue(migrate.out().startsWith("Applied 1 migration(s) from classpath:dev/backend/reference/migrations to postgres://postgres@"),
                    migrate.out());

            Run info = run("info", withPort);
            assertEquals(0, info.exit(), info.err());
            assertTrue(info.out().startsWith("Migrations from classpath:dev/backend/reference/migrations\n"), info.out());
            assertTrue(info.out().lines().anyMatch(l -> l.matches("1 +create users +applied .*")), info.out());
        }
    }

    private static void write(Path dir, String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }
}
