package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.backend.core.Json;
import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.LogCapture;
import dev.backend.server.PoolBackends;
import dev.backend.server.migration.Migrator;
import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The users API when PostgreSQL is slower than REQUEST_TIMEOUT: the reported timed-out insert that committed later. */
class RequestTimeoutTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase()
            .withMigrations(dataSource -> Migrator.create(dataSource, Main.MIGRATIONS, Config.defaults().migrations())
                    .migrate())
            .withResetBeforeEachTest();

    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * With REQUEST_TIMEOUT=5s, a {@code POST /api/v1/users} blocked 8 s behind {@code LOCK TABLE users IN ACCESS
     * EXCLUSIVE MODE}, held by another session, answered 408 and then committed when the lock was released.
     */
    @Test
    void aCreateBlockedPastTheTimeoutAnswers503AndNeverCommits() throws Exception {
        try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "5s", "MAX_CONNECTIONS", "2",
                "MIN_CONNECTIONS", "2"))) {
            HikariPoolMXBean pool = server.dataSource().unwrap(HikariDataSource.class).getHikariPoolMXBean();
            long poolEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.getTotalConnections() < 2) {
                assertTrue(System.nanoTime() < poolEnd, "the pool opened its connections");
                Thread.sleep(20);
            }
            Set<Integer> connections = PoolBackends.of(DB);
            try (LogCapture log = LogCapture.all()) {
                try (Connection locker = DB.connect(); Statement lock = locker.createStatement()) {
                    locker.setAutoCommit(false);
                    lock.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
                    long begin = System.nanoTime();

                    HttpResponse<String> response = create(server, "late@example.com", "Late");

                    assertEquals(503, response.statusCode());
                    assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
                    assertEquals("{\"error\":\"Request timed out after 5s\"}", response.body());
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, TimeUnit.SECONDS.toNanos(8) - (System.nanoTime() - begin)));
                    locker.commit();
                }

                // Had PostgreSQL still been running the insert, it would have committed at the release.
                assertEquals(0, users("late@example.com"));
                assertEquals(connections, PoolBackends.of(DB), "the cancelled insert cost no connection");
                assertEquals(201, create(server, "next@example.com", "Next").statusCode());
                List<String> lines = log.linesAtInfo().stream().filter(l -> !l.contains(" dev.backend.access ")).toList();
                assertEquals(1, lines.size(), lines.toString());
                assertTrue(lines.getFirst().startsWith("WARN dev.backend.core.middleware.Timeout Request timed out after "
                        + "5s, answered 503;"), lines.getFirst());
                assertTrue(lines.getFirst().endsWith(", with 57014 ERROR: canceling statement due to user request"),
                        lines.getFirst());
                assertEquals(0, log.traces());
            }
        }
    }

    private static BackendServer start(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1",
                "PORT", "0", "SHUTDOWN_TIMEOUT", "1s"));
        environment.putAll(settings);
        return Main.referenceService().config(Config.fromEnvironment(environment)).start();
    }

    private HttpResponse<String> create(BackendServer server, String email, String name) throws Exception {
        String body = Json.mapper().writeValueAsString(Map.of("email", email, "name", name));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/users"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60))
                .build(), BodyHandlers.ofString());
    }

    private static int users(String email) throws SQLException {
        try (Connection connection = DB.connect();
                PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM users WHERE email = ?")) {
            query.setString(1, email);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
