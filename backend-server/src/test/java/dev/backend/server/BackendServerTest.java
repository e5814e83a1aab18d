package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.RawHttp;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.testing.TestDatabase;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BackendServerTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static Config config(Config.HttpProvider provider) {
        return Config.fromEnvironment(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0",
                "MAX_CONNECTIONS", "2", "MIN_CONNECTIONS", "1", "HTTP_PROVIDER", provider.name(),
                "SHUTDOWN_TIMEOUT", "60s"));
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void logsOneStartupLineWithThePortEngineConnectionLimitPoolAndTime(Config.HttpProvider provider) {
        try (LogCapture log = LogCapture.of(BackendServer.class);
                BackendServer server = BackendServer.builder().config(config(provider)).start()) {
            String line = log.lines().getFirst();
            String engine = provider == Config.HttpProvider.BACKEND ? "backend-http" : "jdk sun.net.httpserver";
            String expected = "INFO Listening on http://127.0.0.1:" + server.port() + " (engine " + engine
                    + ", at most " + server.config().http().maxHttpConnections()
                    + " connections, virtual threads, pool 1-2 connections to postgres://" + DB.user() + "@";
            assertTrue(line.startsWith(expected), line);
            assertTrue(line.matches(".*/" + DB.name() + ", metrics on /metrics\\) in \\d+ ms"), line);
            assertTrue(server.port() > 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void stopsInOrderAfterTheRequestInFlightFinishes(Config.HttpProvider provider) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (LogCapture log = LogCapture.of(BackendServer.class)) {
            BackendServer server = BackendServer.builder().config(config(provider))
                    .routes(dataSource -> Router.create().get("/slow", request -> {
                        entered.countDown();
                        release.await();
                        return Response.text("finished");
                    }))
                    .start();
            assertEquals(200, get(server, "/health").statusCode());
            CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                    HttpRequest.newBuilder(uri(server, "/slow")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(30, TimeUnit.SECONDS));

            long begin = System.nanoTime();
            CompletableFuture<Void> stop = CompletableFuture.runAsync(server::stop);
            RawHttp.awaitRefused(server.port());
            release.countDown();
            assertEquals("finished", slow.get(30, TimeUnit.SECONDS).body());
            stop.get(30, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(30), "did not wait for SHUTDOWN_TIMEOUT");

            List<String> lines = log.lines();
            assertTrue(lines.get(1).startsWith("INFO Stopping: readiness answers 503"), lines.toString());
            assertTrue(lines.get(2).matches("INFO Listener closed, 1 in-flight request\\(s\\) finished \\(\\d+ ms\\)"),
                    lines.toString());
            assertTrue(lines.get(3).matches("INFO Connection pool closed \\(\\d+ ms\\)"), lines.toString());
            assertTrue(lines.get(4).matches("INFO Stopped in \\d+ ms"), lines.toString());
            assertThrows(SQLException.class, () -> server.dataSource().getConnection());
            server.stop(); // a second stop returns at once
            server.awaitStop();
        }
    }

    @Test
    void answersHealthProbesWhileLoadSheddingTurnsApplicationRequestsAway() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Config config = config(Config.defaults().http().provider());
        config = config.withHttp(Config.fromEnvironment(Map.of("HOST", "127.0.0.1", "PORT", "0", "MAX_IN_FLIGHT", "1"))
                .http());
        try (BackendServer server = BackendServer.builder().config(config)
                .routes(dataSource -> Router.create()
                        .get("/busy", request -> {
                            entered.countDown();
                            release.await();
                            return Response.text("done");
                        })
                        .get("/other", request -> Response.text("other")))
                .start()) {
            CompletableFuture<HttpResponse<String>> busy = client.sendAsync(
                    HttpRequest.newBuilder(uri(server, "/busy")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(30, TimeUnit.SECONDS));

            assertEquals(503, get(server, "/other").statusCode(), "the one slot is taken");
            assertEquals(200, get(server, "/health/live").statusCode());
            assertEquals(200, get(server, "/health/ready").statusCode());
            assertEquals(503, get(server, "/health/unknown").statusCode(),
                    "paths the server does not own belong to the application, and are shed with it");
            release.countDown();
            assertEquals("done", busy.get(30, TimeUnit.SECONDS).body());
            assertEquals(200, get(server, "/other").statusCode());
        }
    }

    @Test
    void aFailedStartUndoesWhatItOpened() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Config config = config(Config.HttpProvider.BACKEND).withHttp(
                    config(Config.HttpProvider.BACKEND).http().withPort(taken.getLocalPort()));
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> BackendServer.builder().config(config).start());
            assertTrue(e.getMessage().startsWith("Cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
        // A closed connection's backend leaves pg_stat_activity a moment later, the previous test's too.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (serverConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, serverConnections(), "the pool opened before the bind was closed");
    }

    private static int serverConnections() throws SQLException {
        try (var connection = DB.connect(); var statement = connection.createStatement();
                var rows = statement.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'backend-server'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void servesTheApplicationsReadinessChecksNextToTheDatabaseAndKeepsLivenessFreeOfThem() throws Exception {
        try (BackendServer server = BackendServer.builder().config(config(Config.defaults().http().provider()))
                .readinessCheck("payments", Duration.ofSeconds(5), () -> {
                    throw new IllegalStateException("payments.internal refused the connection");
                })
                .start()) {
            HttpResponse<String> ready = get(server, "/health/ready");
            HttpResponse<String> live = get(server, "/health/live");

            assertEquals(503, ready.statusCode());
            assertEquals("{\"status\":\"DOWN\",\"checks\":[{\"name\":\"server\",\"status\":\"UP\"},{\"name\":"
                    + "\"database\",\"status\":\"UP\"},{\"name\":\"payments\",\"status\":\"DOWN\"}]}", ready.body());
            assertEquals(200, live.statusCode());
        }
    }

    private HttpResponse<String> get(BackendServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(server, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(BackendServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
