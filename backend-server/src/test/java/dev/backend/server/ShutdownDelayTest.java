package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.RawHttp;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code SHUTDOWN_DELAY}: after a stop begins, readiness fails at once while the listener goes on serving, every
 * response with {@code Connection: close}, until the delay is over; only then does the listener close.
 */
class ShutdownDelayTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    /**
     * Long enough for the few requests below on a loaded machine; the test takes about this long. At 4 s a run under
     * a busy CI machine reached its last request as the delay ended, and found the connection closed by the drain.
     */
    private static final Duration DELAY = Duration.ofSeconds(8);

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void readinessFailsAtOnceWhileTheListenerServesWithConnectionCloseUntilTheDelayEnds(Config.HttpProvider provider)
            throws Exception {
        Config config = Config.fromEnvironment(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0",
                "MAX_CONNECTIONS", "2", "MIN_CONNECTIONS", "1", "HTTP_PROVIDER", provider.name(),
                "SHUTDOWN_DELAY", DELAY.toMillis() + "ms"));
        try (LogCapture log = LogCapture.of(BackendServer.class);
                BackendServer server = BackendServer.builder().config(config).start();
                RawHttp pooled = new RawHttp(server.port())) {
            int port = server.port();
            RawHttp.Reply before = pooled.send("GET", "/health/live");
            assertEquals(200, before.status());
            assertEquals(null, before.header("Connection"), "kept alive before the stop");
            // Idle before the stop, as the test means: a response still being finished when the stop disables
            // keep-alive ends its connection right behind it, by design (BackendHttp.disableKeepAlive).
            awaitIdle(server);

            long begin = System.nanoTime();
            CompletableFuture<Void> stop = CompletableFuture.runAsync(server::stop);
            awaitReadiness(port, 503);

            try (RawHttp fresh = new RawHttp(port)) {
                RawHttp.Reply reply = fresh.send("GET", "/health/live");
                assertEquals(200, reply.status(), "a new connection is still served during the delay");
                assertEquals("close", reply.header("Connection"));
                assertTrue(fresh.closedByServer(), "the server closes the connection after that response");
            }
            try (RawHttp serverWide = new RawHttp(port)) {
                serverWide.sendRaw("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Reply reply = serverWide.read(false);
                assertEquals(provider == Config.HttpProvider.BACKEND ? 200 : 404, reply.status());
                assertEquals("close", reply.header("Connection"), "the engine's own answer closes too");
            }
            RawHttp.Reply last = pooled.send("GET", "/health/live");
            assertEquals(200, last.status(), "a connection idle since before the stop is not closed under its client");
            assertEquals("close", last.header("Connection"));
            assertTrue(pooled.closedByServer());

            RawHttp.awaitRefused(port);
            long closedAfter = System.nanoTime() - begin;
            assertTrue(closedAfter >= DELAY.toNanos(), "closed after " + closedAfter / 1_000_000 + " ms");
            stop.get(60, TimeUnit.SECONDS);

            List<String> lines = log.lines();
            assertEquals("INFO Stopping: readiness answers 503; the listener serves for SHUTDOWN_DELAY ("
                    + DELAY.toMillis() + " ms) more, every response with Connection: close", lines.get(1));
            assertEquals("INFO SHUTDOWN_DELAY over: the listener takes no new connections", lines.get(2));
            assertTrue(lines.get(3).startsWith("INFO Listener closed, 0 in-flight request(s) finished"), lines.toString());
        }
    }

    private static void awaitIdle(BackendServer server) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (server.requestsInFlight() > 0) {
            assertTrue(System.nanoTime() < end, "the server never went idle");
            Thread.sleep(10);
        }
    }

    private static void awaitReadiness(int port, int status) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (RawHttp probe = new RawHttp(port)) {
                int answer = probe.send("GET", "/health/ready").status();
                if (answer == status) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline, "readiness still answers " + answer);
            }
            Thread.sleep(10);
        }
    }
}
