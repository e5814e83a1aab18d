package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Timeouts and the connection limit, per server, over real sockets; waits are bounded with generous ceilings. */
class LimitsTest {

    private HttpServer server;

    private int start(HttpServerOptions options) {
        server = TestServers.backend(options);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            InMemory.answer(exchange, 200, "read " + body.length);
        });
        server.start();
        return TestServers.port(server);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static HttpServerOptions shortTimeouts() {
        return HttpServerOptions.defaults().withRequestReadTimeout(Duration.ofMillis(300)).withIdleTimeout(Duration.ofMillis(300));
    }

    @Test
    void aRequestHeadNotCompleteInTimeGets408AndTheConnectionCloses() throws IOException {
        try (RawClient client = new RawClient(start(shortTimeouts().withIdleTimeout(Duration.ofSeconds(30))))) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n");
            RawClient.Response response = client.read(false);

            assertEquals(408, response.status());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aClientTricklingItsHeadIsCutOffFromItsFirstByte() throws Exception {
        try (RawClient client = new RawClient(start(shortTimeouts().withIdleTimeout(Duration.ofSeconds(30))))) {
            long started = System.nanoTime();
            String head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(100);
            RawClient.Response[] response = new RawClient.Response[1];
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    response[0] = client.read(false);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (char c : head.toCharArray()) {
                if (!reader.isAlive()) {
                    break;
                }
                try {
                    client.send(String.valueOf(c));
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(20);
            }
            reader.join(TimeUnit.SECONDS.toMillis(20));

            assertEquals(408, response[0].status());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15), "cut off well before the trickle ends");
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedWithoutAResponse() throws IOException {
        try (RawClient client = new RawClient(start(shortTimeouts()))) {
            assertEquals(200, client.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status());

            assertEquals(0, client.readToEnd().length, "closed quietly: no 408 a client could take for its next request");
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws IOException {
        try (RawClient client = new RawClient(start(shortTimeouts()))) {
            assertEquals(0, client.readToEnd().length);
        }
    }

    @Test
    void aBodyThatStopsArrivingFailsTheHandlersReadAndGets408() throws IOException {
        try (RawClient client = new RawClient(start(shortTimeouts().withIdleTimeout(Duration.ofSeconds(30))))) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
            RawClient.Response response = client.read(false);

            assertEquals(408, response.status());
            assertEquals("close", response.header("Connection"));
        }
    }

    @Test
    void aBodyTrickledBelowTheMinimumRateIsCutOffThoughEachByteArrivesWithinTheReadTimeout() throws Exception {
        // One byte every 100 ms never lets a single read wait the 1 s read timeout, but averages 10 bytes a
        // second, far below 1,000: after the grace of one read timeout the body read fails.
        HttpServerOptions options = HttpServerOptions.defaults().withRequestReadTimeout(Duration.ofSeconds(1))
                .withMinRequestBodyRate(1000);
        try (RawClient client = new RawClient(start(options))) {
            long started = System.nanoTime();
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
            Thread trickle = trickle(client, 100);
            RawClient.Response response = client.read(false);
            trickle.interrupt();

            assertEquals(408, response.status());
            assertEquals("close", response.header("Connection"));
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15), "cut off long before the body ends");
        }
    }

    /**
     * However the slowness is noticed (the watchdog ending a read, or the next read finding the deadline passed),
     * the handler's read fails with a {@link SocketTimeoutException}: the type backend-core answers 408 for, where
     * any other {@code IOException} is a broken body (400).
     */
    @Test
    void aBodyTooSlowFailsTheHandlersReadWithASocketTimeoutException() throws Exception {
        CompletableFuture<IOException> failure = new CompletableFuture<>();
        server = TestServers.backend(HttpServerOptions.defaults().withRequestReadTimeout(Duration.ofSeconds(1))
                .withMinRequestBodyRate(1000));
        server.createContext("/", exchange -> {
            try {
                exchange.getRequestBody().readAllBytes();
                failure.complete(null);
            } catch (IOException e) {
                failure.complete(e);
                throw e;
            }
        });
        server.start();
        try (RawClient client = new RawClient(TestServers.port(server))) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
            Thread trickle = trickle(client, 100);
            IOException thrown = failure.get(30, TimeUnit.SECONDS);
            trickle.interrupt();

            assertTrue(thrown instanceof SocketTimeoutException, "was " + thrown);
        }
    }

    /**
     * A TLS client on the plain port: the ClientHello's record header (0x16, then the version) cannot start a
     * request line, so it is refused at once instead of waiting the read timeout for a line end that never comes.
     */
    @Test
    void aTlsHandshakeOnThePlainPortIsRefusedAtOnceNotAfterTheReadTimeout() throws IOException {
        try (RawClient client = new RawClient(start(HttpServerOptions.defaults()
                .withRequestReadTimeout(Duration.ofMinutes(5))))) {
            client.send(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});
            RawClient.Response response = client.read(false);

            assertEquals(400, response.status());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aBodyAtTheMinimumRateIsReadWhole() throws IOException {
        HttpServerOptions options = HttpServerOptions.defaults().withRequestReadTimeout(Duration.ofMillis(500))
                .withMinRequestBodyRate(1000);
        try (RawClient client = new RawClient(start(options))) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n");
            for (int i = 0; i < 3; i++) {
                client.send("a".repeat(1000));
                sleep(200);
            }

            assertEquals("read 3000", client.read(false).text());
        }
    }

    @Test
    void theUnreadRestOfAnAnsweredBodyIsDrainedWithinTheReadTimeoutThenTheConnectionCloses() throws Exception {
        server = TestServers.backend(HttpServerOptions.defaults().withRequestReadTimeout(Duration.ofSeconds(1))
                .withMinRequestBodyRate(0));
        server.createContext("/", exchange -> InMemory.answer(exchange, 404, "not read"));
        server.start();
        try (RawClient client = new RawClient(TestServers.port(server))) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\na");
            RawClient.Response response = client.read(false);
            assertEquals(404, response.status());
            assertNull(response.header("Connection"), "small enough to drain: the connection may stay");
            long answered = System.nanoTime();
            Thread trickle = trickle(client, 200);

            assertTrue(client.closedByServer(), "the drain gave up");
            trickle.interrupt();
            assertTrue(System.nanoTime() - answered < TimeUnit.SECONDS.toNanos(10), "within the read timeout, not 200 s");
        }
    }

    @Test
    void aStopDoesNotWaitForADrain() throws Exception {
        server = TestServers.backend(HttpServerOptions.defaults());
        server.createContext("/", exchange -> InMemory.answer(exchange, 404, "not read"));
        server.start();
        try (RawClient client = new RawClient(TestServers.port(server))) {
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\na");
            assertEquals(404, client.read(false).status());

            long stopping = System.nanoTime();
            server.stop(30);

            assertTrue(System.nanoTime() - stopping < TimeUnit.SECONDS.toNanos(10), "the stop did not wait 30 s");
            assertTrue(client.closedByServer());
        }
    }

    /** Sends a byte every {@code millis} until the server closes the connection or the thread is interrupted. */
    private static Thread trickle(RawClient client, long millis) {
        return Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    client.send("a");
                    Thread.sleep(millis);
                }
            } catch (IOException | InterruptedException closed) {
                // The server closed the connection, or the test is over: so is the trickle.
            }
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffAfterTheIdleTimeout() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        server = TestServers.backend(shortTimeouts());
        server.createContext("/", exchange -> {
            byte[] megabyte = new byte[1 << 20];
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 256; i++) {
                    out.write(megabyte);
                }
                failure.complete(null);
            } catch (IOException e) {
                failure.complete(e);
            }
        });
        server.start();
        try (RawClient client = new RawClient(TestServers.port(server))) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

            assertNotNull(failure.get(20, TimeUnit.SECONDS), "the stalled write failed");
        }
    }

    @Test
    void overTheLimitAConnectionGetsOneRequestAndBeyondTheLaneItIsClosed() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger("dev.backend.http");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            int port = start(HttpServerOptions.defaults().withMaxConnections(2).withOverflowConnections(1));
            try (RawClient first = new RawClient(port); RawClient second = new RawClient(port)) {
                assertEquals(200, first.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status());
                assertEquals(200, second.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status());
                try (RawClient probe = new RawClient(port)) {
                    // The lane's one place is taken by the probe: the next connection is closed at once.
                    assertTrue(ServerContractTest.waitFor(() -> !logged.isEmpty()), "reaching the limit is logged");
                    try (RawClient refused = new RawClient(port)) {
                        assertTrue(refused.closedByServer());
                    }
                    RawClient.Response answer = probe.exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertEquals(200, answer.status());
                    assertEquals("close", answer.header("Connection"));
                    assertTrue(probe.closedByServer());
                }
                String message = logged.getFirst().getMessage();
                assertTrue(message.contains("connection limit reached"), message);
            }
            // Once the regular connections are gone, a new one is regular again.
            assertTrue(ServerContractTest.waitFor(() -> {
                try (RawClient again = new RawClient(port)) {
                    // Until the old connections have ended, this one may land in the lane or be closed at once.
                    RawClient.Response response = again.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    return response != null && response.header("Connection") == null;
                } catch (IOException e) {
                    return false;
                }
            }));
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void limitsArePerServer() throws IOException {
        HttpServer other = TestServers.backend(HttpServerOptions.defaults().withRequestReadTimeout(Duration.ofSeconds(30)));
        other.createContext("/", exchange -> InMemory.answer(exchange, 200, "other"));
        other.start();
        try (RawClient strict = new RawClient(start(shortTimeouts().withIdleTimeout(Duration.ofSeconds(30))));
                RawClient lenient = new RawClient(TestServers.port(other))) {
            strict.send("GET / HTTP/1.1\r\n");
            lenient.send("GET / HTTP/1.1\r\n");

            assertEquals(408, strict.read(false).status());
            assertTrue(lenient.quietFor(500), "the other server still waits for the rest");
            lenient.send("Host: x\r\n\r\n");
            assertNull(lenient.read(false).header("Connection"));
        } finally {
            other.stop(0);
        }
    }
}
