package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.server.migration.MigrationSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * backend-server alone carries no database: without {@code DATABASE_URL} and without backend-embedded-postgres
 * (absent from this module's class path) a start fails before anything runs, saying what to add or set.
 */
class DevelopmentDatabaseTest {

    private static final String MESSAGE = "Invalid configuration: DATABASE_URL is not set and no embedded development "
            + "database is on the class path: set DATABASE_URL, such as postgres://user:password@localhost:5432/app, "
            + "or, for development, add the dependency dev.backend:backend-embedded-postgres";

    @TempDir
    Path temp;

    private Config config() {
        return Config.fromEnvironment(Map.of("PORT", "0", "HOST", "127.0.0.1",
                "EMBEDDED_DATABASE_DIR", temp.resolve("postgres").toString()));
    }

    @Test
    void startFailsAtOnceNamingTheDependencyToAddAndTheVariableToSet() {
        long begin = System.nanoTime();
        ConfigException e = assertThrows(ConfigException.class, () -> BackendServer.builder().config(config()).start());

        assertTrue(e.getMessage().startsWith(MESSAGE), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (it starts a real PostgreSQL with its data in EMBEDDED_DATABASE_DIR)"),
                e.getMessage());
        assertFalse(Files.exists(temp.resolve("postgres")), "nothing was started");
        assertTrue(Duration.ofNanos(System.nanoTime() - begin).toSeconds() < 30, "at once, not after a timeout");
    }

    @Test
    void theMigrationCommandsSayTheSameWithTheConfigurationExitCode() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MigrationCommand.INFO.run(config(), MigrationSource.directory(temp), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(ConfigException.EXIT_CODE, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("info failed: " + MESSAGE), err.toString(StandardCharsets.UTF_8));
    }
}
