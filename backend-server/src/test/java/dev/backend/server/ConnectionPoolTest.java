package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConnectionPoolTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static int backendsOfThisDatabase() throws SQLException {
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity "
                        + "WHERE application_name = 'backend-server' AND datname = current_database()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void logsTheFirstTimeoutOfABurstOnly() {
        ConnectionPool.TimeoutReporter reporter = new ConnectionPool.TimeoutReporter(20, 3000);
        try (LogCapture log = LogCapture.of(ConnectionPool.class)) {
            assertTrue(reporter.record(0, Optional.empty()));
            for (int i = 1; i <= 50; i++) {
                assertFalse(reporter.record(i * 10_000_000L, Optional.empty())); // 50 more within half a second
            }
            assertEquals(List.of("WARN Connection pool exhausted: requests that wait 3000 ms for one of 20 connections "
                    + "get 503 (logged once per burst, then every 30 s while it lasts)"), log.lines());
        }
    }

    @Test
    void reportsALongBurstEveryThirtySecondsWithACount() {
        ConnectionPool.TimeoutReporter reporter = new ConnectionPool.TimeoutReporter(20, 3000);
        try (LogCapture log = LogCapture.of(ConnectionPool.class)) {
            int logged = 0;
            for (long t = 0; t <= 61 * SECOND; t += SECOND) { // one timeout a second for a minute
                logged += reporter.record(t, Optional.empty()) ? 1 : 0;
            }
            assertEquals(3, logged);
            assertEquals("WARN Connection pool still exhausted: 30 more request(s) got 503 in the last 30 s",
                    log.lines().get(1));
        }
    }

    @Test
    void startsANewBurstAfterAQuietGapAndCountsTheTailOfThePreviousOne() {
        ConnectionPool.TimeoutReporter reporter = new ConnectionPool.TimeoutReporter(20, 3000);
        try (LogCapture log = LogCapture.of(ConnectionPool.class)) {
            assertTrue(reporter.record(0, Optional.empty()));
            assertFalse(reporter.record(SECOND, Optional.empty()));
            assertFalse(reporter.record(2 * SECOND, Optional.empty()));
            assertTrue(reporter.record(20 * SECOND, Optional.empty()), "more than twice the acquire timeout later");
            assertTrue(log.lines().get(1).endsWith("; 2 more got 503 late in the previous burst"), log.lines().get(1));
        }
    }

    @Test
    void saysWhenPostgresqlRefusesConnectionsRatherThanThePoolBeingBusy() {
        ConnectionPool.TimeoutReporter reporter = new ConnectionPool.TimeoutReporter(20, 3000);
        try (LogCapture log = LogCapture.of(ConnectionPool.class)) {
            assertTrue(reporter.record(0, Optional.of("53300 FATAL: too many connections for role \"app\"")));
            assertEquals(List.of("WARN New connections to PostgreSQL fail: requests that wait 3000 ms for a connection "
                    + "get 503 (logged once per burst, then every 30 s while it lasts); the last attempt got 53300 "
                    + "FATAL: too many connections for role \"app\""), log.lines());
        }
    }

    @Test
    void answers503WithRetryAfterToRequestsOverThePoolSizeAfterTheAcquireTimeout() throws Exception {
        CountDownLatch holding = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Config config = Config.fromEnvironment(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0",
                "MAX_CONNECTIONS", "2", "MIN_CONNECTIONS", "1", "ACQUIRE_TIMEOUT", "500ms"));
        try (LogCapture log = LogCapture.of(ConnectionPool.class);
                BackendServer server = BackendServer.builder().config(config).routes(dataSource -> Router.create()
                        .get("/slow-query", request -> {
                            try (Connection connection = dataSource.getConnection();
                                    Statement statement = connection.createStatement()) {
                                statement.execute("SELECT pg_sleep(0.05)");
                                holding.countDown();
                                release.await(); // holds the connection, as a long query would
                            }
                            return Response.text("done");
                        })).start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/slow-query");
            List<CompletableFuture<HttpResponse<String>>> holders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                holders.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
            }
            assertTrue(holding.await(30, TimeUnit.SECONDS), "both connections taken");

            long begin = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> extra = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                extra.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> future : extra) {
                HttpResponse<String> response = future.get(30, TimeUnit.SECONDS);
                assertEquals(503, response.statusCode());
                assertEquals("{\"error\":\"The service is busy, retry shortly\"}", response.body());
                assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            }
            assertTrue(System.nanoTime() - begin >= TimeUnit.MILLISECONDS.toNanos(450), "they waited the acquire timeout");

            release.countDown();
            for (CompletableFuture<HttpResponse<String>> future : holders) {
                assertEquals(200, future.get(30, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(1, log.lines().size(), log.lines().toString());
        }
        // A backend leaves pg_stat_activity a moment after its client said goodbye, later on a busy machine.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (backendsOfThisDatabase() > 0) {
            assertTrue(System.nanoTime() < end, "the stop closed every pooled connection");
            Thread.sleep(20);
        }
    }
}
