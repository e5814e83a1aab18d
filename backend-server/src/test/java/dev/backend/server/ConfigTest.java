package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.http.HttpServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void defaultsMatchTheDocumentedTable() {
        Config config = Config.defaults();
        assertEquals("0.0.0.0", config.http().host());
        assertEquals(8080, config.http().port());
        assertEquals(Config.HttpProvider.BACKEND, config.http().provider());
        assertEquals(Duration.ofSeconds(30), config.http().requestTimeout());
        assertEquals(503, config.http().requestTimeoutStatus());
        assertEquals(10L << 20, config.http().bodyLimit());
        assertEquals(Optional.empty(), config.database().url());
        assertEquals(Path.of("./data/postgres"), config.database().embeddedDirectory());
        assertEquals(20, config.database().maxConnections());
        assertEquals(5, config.database().minConnections());
        assertEquals(Duration.ofSeconds(3), config.database().acquireTimeout());
        assertEquals(Duration.ofMinutes(10), config.database().idleTimeout());
        assertEquals(Duration.ofMinutes(30), config.database().maxLifetime());
        assertEquals(Duration.ofSeconds(30), config.shutdownTimeout());
        // Unset: the application's own logging configuration decides.
        assertEquals(Optional.empty(), config.log().level());
        assertEquals(Optional.empty(), config.log().format());
        assertEquals(new Config.Metrics(true, Optional.empty()), config.metrics());
    }

    @Test
    void readsEveryVariable() {
        Config config = Config.fromEnvironment(Map.ofEntries(
                Map.entry("DATABASE_URL", "postgres://app:pw@db:5433/users?sslmode=require"),
                Map.entry("HOST", "127.0.0.1"),
                Map.entry("PORT", "0"),
                Map.entry("HTTP_PROVIDER", "JDK"),
                Map.entry("MAX_HTTP_CONNECTIONS", "500"),
                Map.entry("MAX_CONNECTIONS", "8"),
                Map.entry("MIN_CONNECTIONS", "0"),
                Map.entry("ACQUIRE_TIMEOUT", "500ms"),
                Map.entry("IDLE_TIMEOUT", "0"),
                Map.entry("MAX_LIFETIME", "1h"),
                Map.entry("REQUEST_TIMEOUT", "5s"),
                Map.entry("REQUEST_TIMEOUT_STATUS", "504"),
                Map.entry("BODY_LIMIT", "1MB"),
                Map.entry("SHUTDOWN_TIMEOUT", "2m"),
                Map.entry("LOG_LEVEL", "debug"),
                Map.entry("LOG_FORMAT", "json"),
                Map.entry("EMBEDDED_DATABASE_DIR", "/var/lib/app/pg")));
        assertEquals("jdbc:postgresql://db:5433/users?sslmode=require", config.database().url().orElseThrow().jdbcUrl());
        assertEquals("127.0.0.1", config.http().host());
        assertEquals(0, config.http().port());
        assertEquals(Config.HttpProvider.JDK, config.http().provider());
        assertEquals(500, config.http().maxHttpConnections());
        assertEquals(8, config.database().maxConnections());
        assertEquals(0, config.database().minConnections());
        assertEquals(Duration.ofMillis(500), config.database().acquireTimeout());
        assertEquals(Duration.ZERO, config.database().idleTimeout());
        assertEquals(Duration.ofHours(1), config.database().maxLifetime());
        assertEquals(Duration.ofSeconds(5), config.http().requestTimeout());
        assertEquals(504, config.http().requestTimeoutStatus());
        assertEquals(1L << 20, config.http().bodyLimit());
        assertEquals(Duration.ofMinutes(2), config.shutdownTimeout());
        assertEquals(Optional.of("DEBUG"), config.log().level());
        assertEquals(Optional.of(Config.LogFormat.JSON), config.log().format());
        assertEquals(Path.of("/var/lib/app/pg"), config.database().embeddedDirectory());
    }

    @Test
    void namesVariableValueAndAllowedValuesForEachProblemAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnvironment(Map.of(
                "PORT", "80a",
                "MAX_CONNECTIONS", "-1",
                "ACQUIRE_TIMEOUT", "100ms",
                "LOG_FORMAT", "xml",
                "HTTP_PROVIDER", "netty",
                "SHUTDOWN_TIMEOUT", "soon")));
        assertEquals(java.util.List.of(
                "HTTP_PROVIDER=netty is not valid: expected one of backend, jdk",
                "PORT=80a is not valid: expected an integer from 0 to 65535",
                "MAX_CONNECTIONS=-1 is not valid: expected an integer from 1 to 10000",
                "ACQUIRE_TIMEOUT=100ms is not valid: expected a duration from 250ms to 24h, such as 500ms, 3s, 10m or 1h",
                "LOG_FORMAT=xml is not valid: expected one of text, json",
                "SHUTDOWN_TIMEOUT=soon is not valid: expected a duration from 1ms to 24h, such as 500ms, 3s, 10m or 1h"),
                e.problems());
        assertTrue(e.getMessage().startsWith("Invalid configuration:\n  - HTTP_PROVIDER=netty"), e.getMessage());
    }

    @Test
    void maxHttpConnectionsLeavesTheOpenFilesTheRestOfTheProcessNeeds() {
        long limit = OpenFiles.limit().orElseThrow();
        // The listener, the pool, the engine's overflow lane and a reserve for jars, logs and the like.
        assertEquals(limit - 1 - 20 - 64 - 256, Config.defaults().http().maxHttpConnections());
        assertEquals(limit - 1 - 100 - 64 - 256,
                Config.fromEnvironment(Map.of("MAX_CONNECTIONS", "100")).http().maxHttpConnections());
        assertEquals(1024 - 1 - 20 - 64 - 256, OpenFiles.forLimit(1024, 20));
        assertEquals(16, OpenFiles.forLimit(256, 20), "never fewer than 16, however low the limit");
        assertEquals(List.of("MAX_HTTP_CONNECTIONS=0 is not valid: expected an integer from 1 to 10000000"),
                problems(Map.of("MAX_HTTP_CONNECTIONS", "0")));
    }

    @Test
    void bodyMemoryLimitIsAnEighthOfTheHeapAtLeastOneBodyAndNeverBelowBodyLimit() {
        long heap = Runtime.getRuntime().maxMemory();
        assertEquals(Math.max(10L << 20, heap / 8), Config.defaults().http().bodyMemoryLimit());
        assertEquals(Math.max(heap / 8, 1L << 30), Config.fromEnvironment(Map.of("BODY_LIMIT", "1GB")).http()
                .bodyMemoryLimit(), "at least one body the limit allows");
        assertEquals(64L << 20, Config.fromEnvironment(Map.of("BODY_MEMORY_LIMIT", "64MB")).http().bodyMemoryLimit());
        assertEquals(List.of("BODY_MEMORY_LIMIT (1MB) must be at least BODY_LIMIT (10MB): a body the limit allows "
                + "must fit"), problems(Map.of("BODY_MEMORY_LIMIT", "1MB")));
    }

    @Test
    void theListenerLimitsBecomeTheBackendEnginesOptions() {
        HttpServerOptions options = HttpListener.options(Config.fromEnvironment(Map.of("MAX_HEADER_SIZE", "64KB",
                "REQUEST_READ_TIMEOUT", "3s", "IDLE_CONNECTION_TIMEOUT", "1500ms", "MAX_HTTP_CONNECTIONS", "700")).http());
        assertEquals(64 << 10, options.maxHeaderSize());
        assertEquals(Duration.ofSeconds(3), options.requestReadTimeout());
        assertEquals(Duration.ofMillis(1500), options.idleTimeout());
        assertEquals(700, options.maxConnections());
        assertEquals(HttpServerOptions.defaults().overflowConnections(), options.overflowConnections());
        assertEquals(1024, options.minRequestBodyRate());
        assertTrue(options.jsonErrors(), "the engine's own errors are JSON, as the application's are");
        assertEquals(0, HttpListener.options(Config.fromEnvironment(Map.of("MIN_REQUEST_BODY_RATE", "0")).http())
                .minRequestBodyRate());
        assertEquals(8 << 10, HttpListener.options(Config.fromEnvironment(Map.of("MIN_REQUEST_BODY_RATE", "8KB")).http())
                .minRequestBodyRate());
        assertEquals(List.of("MAX_HEADER_SIZE=1GB is not valid: expected a size from 1KB to 16MB, such as 512KB, 10MB "
                + "or 1GB, or a number of bytes"), problems(Map.of("MAX_HEADER_SIZE", "1GB")));
    }

    @Test
    void shutdownDelayIsZeroUnlessSetAndAcceptsZeroToADay() {
        assertEquals(Duration.ZERO, Config.defaults().shutdownDelay());
        assertEquals(Duration.ofSeconds(15), Config.fromEnvironment(Map.of("SHUTDOWN_DELAY", "15s")).shutdownDelay());
        assertEquals(Duration.ZERO, Config.fromEnvironment(Map.of("SHUTDOWN_DELAY", "0")).shutdownDelay());
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.fromEnvironment(Map.of("SHUTDOWN_DELAY", "-5s")));
        assertEquals("Invalid configuration: SHUTDOWN_DELAY=-5s is not valid: expected a duration from 0s to 24h, "
                + "such as 500ms, 3s, 10m or 1h", e.getMessage());
        IllegalArgumentException inCode = assertThrows(IllegalArgumentException.class,
                () -> Config.defaults().withShutdownDelay(Duration.ofDays(2)));
        assertEquals("SHUTDOWN_DELAY must be from 0s to 24h, was 48h", inCode.getMessage());
    }

    @Test
    void migrationDatabaseUrlIsReadAsDatabaseUrlIsAndNeverEchoed() {
        assertEquals(Optional.empty(), Config.defaults().migrations().url());
        Config config = Config.fromEnvironment(Map.of("DATABASE_URL", "postgres://app@pgbouncer:6432/app?prepareThreshold=0",
                "MIGRATION_DATABASE_URL", "postgres://app:secret@pg_primary:5432/app"));
        assertEquals("jdbc:postgresql://pg_primary:5432/app", config.migrations().url().orElseThrow().jdbcUrl());
        assertEquals("jdbc:postgresql://pgbouncer:6432/app?prepareThreshold=0",
                config.database().url().orElseThrow().jdbcUrl());
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.fromEnvironment(Map.of("MIGRATION_DATABASE_URL", "mysql://root:hunter2@db/app")));
        assertTrue(e.getMessage().startsWith("Invalid configuration: MIGRATION_DATABASE_URL is not valid: "), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void acceptsOnlyTheTimeoutStatusesThatSayWhoWasSlow() {
        assertEquals(408, Config.fromEnvironment(Map.of("REQUEST_TIMEOUT_STATUS", "408")).http().requestTimeoutStatus());
        assertEquals(java.util.List.of("REQUEST_TIMEOUT_STATUS=500 is not valid: expected one of 503, 504, 408"),
                problems(Map.of("REQUEST_TIMEOUT_STATUS", "500")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Config.Http("0.0.0.0", 0,
                Config.HttpProvider.JDK, Duration.ofSeconds(1), 200, 1, 1, Optional.empty(), 1024, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Config.defaults().http().trace(), Optional.empty(),
                Config.defaults().http().securityHeaders(), 100, 1L << 20, 1L << 10));
        assertEquals("REQUEST_TIMEOUT_STATUS must be one of 503, 504, 408, was 200", e.getMessage());
    }

    @Test
    void rejectsAnOverflowingBodyLimit() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.fromEnvironment(Map.of("BODY_LIMIT", "99999999999GB")));
        assertEquals("Invalid configuration: BODY_LIMIT=99999999999GB is not valid: it is larger than the largest "
                + "size, 8589934591GB; expected a size of at least 1 byte, such as 512KB, 10MB or 1GB, or a number of "
                + "bytes", e.getMessage());
    }

    @Test
    void checksRulesThatSpanTwoVariables() {
        assertEquals(java.util.List.of("MIN_CONNECTIONS (30) must not be greater than MAX_CONNECTIONS (20)"),
                problems(Map.of("MIN_CONNECTIONS", "30")));
        assertEquals(java.util.List.of("IDLE_TIMEOUT (1h) must be shorter than MAX_LIFETIME (30m)"),
                problems(Map.of("IDLE_TIMEOUT", "1h")));
    }

    @Test
    void acceptsZeroToDisableIdleTimeoutAndMaxLifetimeButNotTinyValues() {
        Config config = Config.fromEnvironment(Map.of("IDLE_TIMEOUT", "0", "MAX_LIFETIME", "0s"));
        assertEquals(Duration.ZERO, config.database().maxLifetime());
        assertEquals(java.util.List.of(
                "IDLE_TIMEOUT=5s is not valid: expected 0 (never) or a duration from 10s to 24h, such as 500ms, 3s, 10m or 1h"),
                problems(Map.of("IDLE_TIMEOUT", "5s")));
    }

    @Test
    void rejectsAHostThatDoesNotResolve() {
        assertTrue(problems(Map.of("HOST", "no such host.invalid")).getFirst()
                .startsWith("HOST=no such host.invalid is not valid: expected an IP address"));
    }

    @Test
    void neverRepeatsADatabasePasswordInItsMessage() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.fromEnvironment(Map.of("DATABASE_URL", "postgres://app:Zq9@secret@db/users")));
        assertFalse(e.getMessage().contains("Zq9"), e.getMessage());
        assertTrue(e.getMessage().startsWith("Invalid configuration: DATABASE_URL is not valid: the host is not a host "
                + "name or IP address"), e.getMessage());
    }

    @Test
    void recordsBuiltInCodeCheckTheSameRules() {
        Config.Database database = Config.defaults().database();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> database.withAcquireTimeout(Duration.ofMillis(10)));
        assertEquals("ACQUIRE_TIMEOUT must be from 250ms to 24h, was 10ms", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Config.defaults().withShutdownTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Config.defaults().withShutdownTimeout(Duration.ofDays(2)));
    }

    @Test
    void metricsAreOnByDefaultAndCanBeServedOnAPortOfTheirOwnOrTurnedOff() {
        assertEquals(Config.Metrics.onPort(9464), Config.fromEnvironment(Map.of("METRICS_PORT", "9464")).metrics());
        assertEquals(Config.Metrics.off(), Config.fromEnvironment(Map.of("METRICS", "false")).metrics());
        assertEquals(java.util.List.of("METRICS_PORT=x is not valid: expected an integer from 0 to 65535"),
                problems(Map.of("METRICS_PORT", "x")));
        assertEquals(java.util.List.of("METRICS_PORT is set but METRICS=false turns metrics off: unset one of them"),
                problems(Map.of("METRICS", "false", "METRICS_PORT", "9464")));
        assertEquals(java.util.List.of("METRICS_PORT (8080) must differ from PORT: leave METRICS_PORT unset to serve "
                + "/metrics on the main port"), problems(Map.of("METRICS_PORT", "8080")));
    }

    private static java.util.List<String> problems(Map<String, String> environment) {
        return assertThrows(ConfigException.class, () -> Config.fromEnvironment(environment)).problems();
    }
}
