package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.HttpAdapter;
import dev.backend.core.RawHttp;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The socket side under both providers: HTTP framing, keep-alive, and the drain on stop. */
class HttpListenerTest {

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch interrupted = new CountDownLatch(1);
    private HttpListener listener;

    @AfterEach
    void stopListener() {
        release.countDown();
        if (listener != null) {
            listener.stop(Duration.ofSeconds(1));
        }
    }

    private HttpListener start(Config.HttpProvider provider) {
        Config.Http http = Config.fromEnvironment(Map.of("HOST", "127.0.0.1", "PORT", "0")).http().withProvider(provider);
        Router routes = Router.create()
                .get("/json", request -> Response.json(Map.of("hello", "world")))
                .get("/empty", request -> Response.noContent())
                .get("/stream", request -> Response.stream(200, "text/plain", -1,
                        out -> out.write("streamed".getBytes(StandardCharsets.UTF_8))))
                .post("/echo", request -> Response.text(request.bodyText()))
                .get("/fails-midway", request -> Response.stream(200, "text/plain", Long.parseLong(
                        request.query("length").orElse("-1")), out -> {
                            out.write("partial".getBytes(StandardCharsets.UTF_8), 0, 6);
                            out.flush();
                            throw new IllegalStateException("the source failed");
                        }))
                .get("/slow", request -> {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return Response.text("done");
                });
        listener = HttpListener.start(http, HttpAdapter.of(routes.build()));
        return listener;
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void aRequestRunningWhenTheDrainBeginsIsAnsweredWithConnectionCloseOnTheBackendEngine(Config.HttpProvider provider)
            throws Exception {
        HttpListener listener = start(provider);
        try (RawHttp http = new RawHttp(listener.port())) {
            CompletableFuture<RawHttp.Reply> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return http.send("GET", "/slow");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(entered.await(20, TimeUnit.SECONDS));

            listener.retire(Duration.ZERO);
            release.countDown();
            RawHttp.Reply answer = reply.get(20, TimeUnit.SECONDS);

            assertEquals("done", answer.text());
            if (provider == Config.HttpProvider.BACKEND) {
                // Else its client may send its next request just as the listener closes, and lose it.
                assertEquals("close", answer.header("Connection"));
                assertTrue(http.closedByServer());
            } else {
                // Pinned: the JDK's provider gets the field only from handlers that start while draining.
                assertNull(answer.header("Connection"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void answersJsonWithContentLengthAndKeepsTheConnectionOpen(Config.HttpProvider provider) throws IOException {
        try (RawHttp http = new RawHttp(start(provider).port())) {
            for (int i = 0; i < 2; i++) {
                RawHttp.Reply reply = http.send("GET", "/json");
                assertEquals(200, reply.status());
                assertEquals("{\"hello\":\"world\"}", reply.text());
                assertEquals(Integer.toString(reply.body().length), reply.header("Content-Length"));
                assertTrue(reply.header("Content-Type").startsWith("application/json"));
            }
        }
    }

    @Test
    void theBackendEnginesOwnRefusalsAreJsonAsTheApplicationsErrorsAre() throws IOException {
        int port = start(Config.HttpProvider.BACKEND).port();
        try (RawHttp http = new RawHttp(port)) {
            RawHttp.Reply refused = http.send("GET", "/%zz");
            assertEquals(400, refused.status());
            assertEquals("application/json", refused.header("Content-Type"));
            assertEquals("{\"error\":\"Bad Request: invalid request target\"}", refused.text());
        }
        try (RawHttp http = new RawHttp(port)) {
            RawHttp.Reply unrouted = http.send("GET", "//evil");
            assertEquals(404, unrouted.status());
            assertTrue(unrouted.text().startsWith("{\"error\":"), unrouted.text());
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void answersHeadWithTheLengthOfGetAndNoBody(Config.HttpProvider provider) throws IOException {
        try (RawHttp http = new RawHttp(start(provider).port())) {
            RawHttp.Reply head = http.send("HEAD", "/json");
            assertEquals(200, head.status());
            assertEquals("17", head.header("Content-Length"));
            // The connection is still in sync: no stray body bytes precede the next reply.
            assertEquals("{\"hello\":\"world\"}", http.send("GET", "/json").text());
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void answersNoContentWithoutABody(Config.HttpProvider provider) throws IOException {
        try (RawHttp http = new RawHttp(start(provider).port())) {
            RawHttp.Reply reply = http.send("GET", "/empty");
            assertEquals(204, reply.status());
            assertNull(reply.header("Transfer-Encoding"));
            assertEquals(200, http.send("GET", "/json").status());
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void streamsABodyOfUnknownLengthChunked(Config.HttpProvider provider) throws IOException {
        try (RawHttp http = new RawHttp(start(provider).port())) {
            RawHttp.Reply reply = http.send("GET", "/stream");
            assertEquals("chunked", reply.header("Transfer-Encoding"));
            assertEquals("streamed", reply.text());
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void readsARequestBody(Config.HttpProvider provider) throws IOException {
        String body = "x".repeat(1 << 20);
        try (RawHttp http = new RawHttp(start(provider).port())) {
            assertEquals(body, http.sendWithBody("POST", "/echo", body, "Content-Type: text/plain").text());
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void answersUnknownPathsAndMethodsWithJsonErrors(Config.HttpProvider provider) throws IOException {
        try (RawHttp http = new RawHttp(start(provider).port())) {
            RawHttp.Reply missing = http.send("GET", "/nope");
            assertEquals(404, missing.status());
            assertTrue(missing.text().startsWith("{\"error\":"), missing.text());
            RawHttp.Reply wrongMethod = http.send("DELETE", "/json");
            assertEquals(405, wrongMethod.status());
            assertEquals("GET, HEAD", wrongMethod.header("Allow"));
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void stopRefusesNewConnectionsAtOnceAndReturnsWhenTheLastRequestFinishes(Config.HttpProvider provider)
            throws Exception {
        HttpListener server = start(provider);
        int port = server.port();
        try (RawHttp http = new RawHttp(port)) {
            http.sendRaw("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(entered.await(30, TimeUnit.SECONDS));
            long begin = System.nanoTime();
            CompletableFuture<Integer> stop = CompletableFuture.supplyAsync(() -> server.stop(Duration.ofSeconds(60)));
            RawHttp.awaitRefused(port);
            assertEquals(1, server.inFlight());
            release.countDown();
            RawHttp.Reply reply = http.read(false);
            assertEquals(200, reply.status());
            assertEquals("done", reply.text());
            assertEquals(0, stop.get(30, TimeUnit.SECONDS));
            assertTrue(http.closedByServer());
            // Far below the 60 s grace: the stop ended with the request, not with the timeout.
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(30));
        }
        listener = null;
    }

    /** The JDK's provider cannot do this: it reads its limits from system properties, once per JVM. */
    @Test
    void theBackendEnginesLimitsBelongToEachServerNotToTheJvm() throws Exception {
        Config.Http quick = Config.fromEnvironment(Map.of("HOST", "127.0.0.1", "PORT", "0",
                "IDLE_CONNECTION_TIMEOUT", "300ms")).http();
        HttpListener impatient = HttpListener.start(quick, HttpAdapter.of(request -> Response.text("quick")));
        HttpListener patient = start(Config.HttpProvider.BACKEND);
        try (RawHttp short1 = new RawHttp(impatient.port()); RawHttp long1 = new RawHttp(patient.port())) {
            assertEquals(200, short1.send("GET", "/").status());
            assertEquals(200, long1.send("GET", "/json").status());

            assertTrue(short1.closedByServer(), "closed after its own 300 ms idle timeout");
            assertEquals(200, long1.send("GET", "/json").status(), "the other server's 60 s still hold");
        } finally {
            impatient.stop(Duration.ofSeconds(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void responsesCutOffMidwayDoNotKeepTheDrainWaiting(Config.HttpProvider provider) throws IOException {
        HttpListener server = start(provider);
        for (String length : new String[] {"-1", "100"}) {
            try (RawHttp http = new RawHttp(server.port())) {
                http.sendRaw("GET /fails-midway?length=" + length + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                try {
                    assertTrue(http.read(false).body().length < 100, "cut off");
                } catch (IOException cutOffMidChunk) {
                    // the chunked one: the connection closed before the last chunk
                }
                assertTrue(http.closedByServer());
            }
        }
        long begin = System.nanoTime();
        assertEquals(0, server.stop(Duration.ofSeconds(60)));
        assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(20), "the drain waited for a cut-off response");
        listener = null;
    }

    @Test
    void aStopDoesNotWaitForTheBackendEngineToDrainAnAnsweredBody() throws IOException {
        HttpListener server = start(Config.HttpProvider.BACKEND);
        try (RawHttp http = new RawHttp(server.port())) {
            // Answered without reading the body; the client then trickles the rest, a byte a second: a drain
            // the stop waited for would outlast its 60 s.
            http.sendRaw("POST /nowhere HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\na");
            assertEquals(404, http.read(false).status());
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Thread.sleep(1000);
                        http.sendRaw("a");
                    }
                } catch (IOException | InterruptedException closed) {
                    // The server closed the connection, or the test is over.
                }
            });

            long begin = System.nanoTime();
            assertEquals(0, server.stop(Duration.ofSeconds(60)));
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(20), "the stop waited for the drain");
            assertTrue(http.closedByServer());
            trickle.interrupt();
        }
        listener = null;
    }

    @Test
    void turnsNaglesAlgorithmOffForTheJdkProviderAsBackendHttpDoes() {
        start(Config.HttpProvider.JDK);

        assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"),
                "a response in two writes would wait for the client's delayed ACK");
    }

    /** The JDK's provider reads a request in the executor's task, which starts with the request's first bytes. */
    @Test
    void stopAnswersARequestTheProviderStartedReadingBeforeAnyHandlerRan() throws Exception {
        HttpListener server = start(Config.HttpProvider.JDK);
        int port = server.port();
        try (RawHttp http = new RawHttp(port)) {
            http.sendRaw("GET /json HT");
            // Not a request yet for the handler, but an exchange the drain must wait for.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.exchanges() == 0) {
                assertTrue(System.nanoTime() < deadline, "the provider never started reading the request");
                Thread.sleep(10);
            }
            CompletableFuture<Integer> stop = CompletableFuture.supplyAsync(() -> server.stop(Duration.ofSeconds(60)));
            RawHttp.awaitRefused(port);
            http.sendRaw("TP/1.1\r\nHost: localhost\r\n\r\n");
            RawHttp.Reply reply = http.read(false);
            assertEquals(200, reply.status());
            assertEquals("close", reply.header("Connection"));
            assertEquals(0, stop.get(30, TimeUnit.SECONDS));
        }
        listener = null;
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void stopWithNothingInFlightDoesNotWaitForTheGrace(Config.HttpProvider provider) throws IOException {
        HttpListener server = start(provider);
        try (RawHttp http = new RawHttp(server.port())) {
            assertEquals(200, http.send("GET", "/json").status()); // an idle keep-alive connection stays open
        }
        long begin = System.nanoTime();
        assertEquals(0, server.stop(Duration.ofSeconds(60)));
        assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(30));
        listener = null;
    }

    @Test
    void aRequestStillBeingReadCountsAsInFlightAndAsCutOffOnTheBackendEngine() throws Exception {
        HttpListener server = start(Config.HttpProvider.BACKEND);
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("GET /json HTTP/1.1\r\nHost: localhost\r\n"); // the head's last line never comes
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.inFlight() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(1, server.inFlight(), "the stop's log line counts it as in flight");
            assertEquals(1, server.stop(Duration.ofMillis(200)), "and as cut off when the grace runs out");
        }
        listener = null;
    }

    @Test
    void stopInterruptsARequestThatOutlastsTheGraceAndItsAnswerSays503OnTheBackendEngine() throws Exception {
        HttpListener server = start(Config.HttpProvider.BACKEND);
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(entered.await(30, TimeUnit.SECONDS));
            assertEquals(1, server.stop(Duration.ofMillis(200)));
            RawHttp.Reply response = http.read(false);

            assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the handler cut off was interrupted");
            assertEquals(503, response.status());
            assertEquals("{\"error\":\"The server is stopping\"}", response.text());
            assertEquals("close", response.header("Connection"));
        }
        listener = null;
    }

    /** Break test 18's F1: a body still arriving at the cut-off was a 400 in the log, and nothing for the client. */
    @Test
    void stopAnswersARequestWhoseBodyIsStillArrivingAtTheCutOffWith503OnTheBackendEngine() throws Exception {
        HttpListener server = start(Config.HttpProvider.BACKEND);
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.inFlight() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(1, server.stop(Duration.ofMillis(200)));
            RawHttp.Reply response = http.read(false);

            assertEquals(503, response.status());
            assertEquals("{\"error\":\"The server is stopping\"}", response.text());
            assertEquals("close", response.header("Connection"));
        }
        listener = null;
    }

    /** The JDK's provider closes its connections before its executor's threads are interrupted. */
    @Test
    void stopCutsOffARequestThatOutlastsTheGraceOnTheJdkProvider() throws Exception {
        HttpListener server = start(Config.HttpProvider.JDK);
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(entered.await(30, TimeUnit.SECONDS));
            assertEquals(1, server.stop(Duration.ofMillis(200)));
            assertThrows(IOException.class, () -> http.read(false));
            assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the handler cut off was interrupted");
        }
        listener = null;
    }
}
