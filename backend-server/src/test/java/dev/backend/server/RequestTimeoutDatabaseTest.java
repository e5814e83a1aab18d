package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** REQUEST_TIMEOUT against a real PostgreSQL: a timed-out query gives its connection back. */
class RequestTimeoutDatabaseTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final int POOL = 10;

    @Test
    void hundredTimedOutQueriesLeakNoConnection() throws Exception {
        AtomicInteger queriesStarted = new AtomicInteger();
        Config config = Config.fromEnvironment(Map.of(
                "DATABASE_URL", DB.url(),
                "HOST", "127.0.0.1",
                "PORT", "0",
                "REQUEST_TIMEOUT", "200ms",
                "MAX_CONNECTIONS", Integer.toString(POOL),
                "MIN_CONNECTIONS", Integer.toString(POOL),
                "ACQUIRE_TIMEOUT", "5s",
                "ACCESS_LOG", "false",
                "SHUTDOWN_TIMEOUT", "1s"));
        try (BackendServer server = BackendServer.builder().config(config).routes(dataSource -> Router.create()
                .get("/sleep", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        queriesStarted.incrementAndGet();
                        statement.execute("SELECT pg_sleep(3)");
                    }
                    return Response.text("slept");
                })
                .get("/one", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement();
                            ResultSet one = statement.executeQuery("SELECT 1")) {
                        one.next();
                        return Response.text(Integer.toString(one.getInt(1)));
                    }
                }))
                .start()) {
            HikariPoolMXBean pool = ((HikariDataSource) server.dataSource()).getHikariPoolMXBean();
            HttpClient client = HttpClient.newHttpClient();
            // In waves of the pool's size, each started once the pool is full again, so that every request
            // holds a connection and is inside pg_sleep when its deadline interrupts it.
            for (int wave = 0; wave < 100 / POOL; wave++) {
                await(() -> pool.getIdleConnections() == POOL, "the pool to refill");
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < POOL; i++) {
                    responses.add(client.sendAsync(get(server, "/sleep"), BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> response : responses) {
                    assertEquals(503, response.get(30, TimeUnit.SECONDS).statusCode());
                }
            }

            assertEquals(100, queriesStarted.get());
            await(() -> pool.getActiveConnections() == 0, "every connection to return to the pool");
            long begin = System.nanoTime();
            HttpResponse<String> next = client.send(get(server, "/one"), BodyHandlers.ofString());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

            assertEquals(200, next.statusCode());
            assertEquals("1", next.body());
            assertTrue(millis < 2_000, "the next request waited " + millis + " ms for a connection");
        }
    }

    private static HttpRequest get(BackendServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).build();
    }

    /** Polls {@code condition} for up to 30 s: pool state changes on HikariCP's own threads. */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
