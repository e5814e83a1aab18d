package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code stop(delay)}: the listener closes at once, idle connections are closed at once, running exchanges may
 * finish within the delay and their responses say {@code Connection: close}, and stop returns as soon as none
 * runs.
 */
class StopTest {

    private static final int BIG = 16 << 20;

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch interrupted = new CountDownLatch(1);
    private HttpServer server;
    private volatile Thread connectionThread;
    private final AtomicInteger quickHandled = new AtomicInteger();

    private int start() {
        server = TestServers.backend(HttpServerOptions.defaults());
        server.createContext("/", exchange -> {
            quickHandled.incrementAndGet();
            InMemory.answer(exchange, 200, "quick");
        });
        server.createContext("/held", exchange -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
            }
            InMemory.answer(exchange, 200, "held");
        });
        server.createContext("/held-big", exchange -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
            }
            // Far more than the socket's buffers hold: the answer's writes wait for the client to read.
            byte[] big = new byte[BIG];
            Arrays.fill(big, (byte) 'x');
            exchange.sendResponseHeaders(503, big.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(big);
            }
        });
        server.createContext("/deaf", exchange -> {
            entered.countDown();
            // Ignores interrupts, as a handler spinning in a loop does.
            while (release.getCount() > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            InMemory.answer(exchange, 200, "deaf");
        });
        server.createContext("/read-body", exchange -> {
            entered.countDown();
            try {
                exchange.getRequestBody().readAllBytes();
                InMemory.answer(exchange, 200, "read");
            } catch (IOException e) {
                InMemory.answer(exchange, 503, "stopping");
            }
        });
        server.createContext("/handed-off", exchange -> {
            connectionThread = Thread.currentThread();
            Thread.ofPlatform().start(() -> {
                entered.countDown();
                try {
                    release.await();
                    InMemory.answer(exchange, 200, "handed off");
                } catch (InterruptedException | IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        });
        server.createContext("/streaming", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("first ".getBytes(StandardCharsets.UTF_8));
            out.flush();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write("second".getBytes(StandardCharsets.UTF_8));
            out.close();
        });
        server.createContext("/fails-midway", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("partial".getBytes(StandardCharsets.UTF_8));
            out.flush();
            entered.countDown();
            throw new IllegalStateException("the source failed");
        });
        server.start();
        return TestServers.port(server);
    }

    @AfterEach
    void cleanUp() {
        release.countDown();
        server.stop(0);
    }

    private static long stopTimed(HttpServer server, int delay) {
        long started = System.nanoTime();
        server.stop(delay);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    @Test
    void stopReturnsAtOnceWhenNothingRuns() throws IOException {
        int port = start();
        try (RawClient idle = new RawClient(port)) {
            idle.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

            assertTrue(stopTimed(server, 30) < 10_000, "no waiting for an idle keep-alive connection");
            assertTrue(idle.closedByServer());
        }
    }

    @Test
    void aRunningExchangeFinishesWithConnectionCloseWhileIdleConnectionsAndTheListenerCloseAtOnce() throws Exception {
        int port = start();
        try (RawClient busy = new RawClient(port); RawClient idle = new RawClient(port)) {
            idle.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            busy.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));

            long[] took = new long[1];
            Thread stopper = Thread.ofPlatform().start(() -> took[0] = stopTimed(server, 60));

            assertTrue(idle.closedByServer(), "the idle connection is closed while the exchange still runs");
            assertTrue(ServerContractTest.waitFor(() -> refused(port)), "the listener is closed");
            assertTrue(stopper.isAlive(), "stop waits for the running exchange");
            release.countDown();
            RawClient.Response response = busy.read(false);
            stopper.join(TimeUnit.SECONDS.toMillis(30));

            assertEquals("held", response.text());
            assertEquals("close", response.header("Connection"), "a client must take its next request elsewhere");
            assertTrue(busy.closedByServer());
            assertFalse(stopper.isAlive());
            assertTrue(took[0] < 30_000, "stop returned once the exchange ended, not after the delay: " + took[0] + " ms");
        }
    }

    @Test
    void afterKeepAliveIsDisabledEveryResponseClosesItsConnectionButIdleOnesStayOpen() throws Exception {
        int port = start();
        try (RawClient busy = new RawClient(port); RawClient idle = new RawClient(port);
                RawClient ping = new RawClient(port)) {
            idle.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            busy.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            // Only the held request in progress: the other connection waits for its next request.
            assertTrue(ServerContractTest.waitFor(() -> BackendHttp.requestsInProgress(server) == 1));

            BackendHttp.disableKeepAlive(server);
            release.countDown();
            RawClient.Response held = busy.read(false);
            RawClient.Response next = idle.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response options = ping.exchange("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");

            assertEquals("close", held.header("Connection"), "a handler running when it was disabled too");
            assertTrue(busy.closedByServer());
            assertEquals("quick", next.text(), "an idle connection is not closed under its client");
            assertEquals("close", next.header("Connection"));
            assertTrue(idle.closedByServer());
            assertEquals(200, options.status());
            assertEquals("close", options.header("Connection"), "the engine's own answers too");
            assertTrue(ping.closedByServer());
        }
    }

    @Test
    void aResponseWhoseHeadersWentOutBeforeKeepAliveWasDisabledEndsItsConnectionRightAfter() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            RawClient.Response streamed = disableKeepAliveWhileStreaming(client, STREAMING);

            assertEquals("first second", streamed.text());
            assertEquals(null, streamed.header("Connection"), "its headers were out before");
            assertTrue(client.closedByServer(), "closed behind it, not when the stop closes it under a request");
        }
    }

    @Test
    void aRequestPipelinedBehindSuchAResponseIsAnsweredWithConnectionClose() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            RawClient.Response streamed = disableKeepAliveWhileStreaming(client, STREAMING + "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response pipelined = client.read(false);

            assertEquals("first second", streamed.text());
            assertEquals("quick", pipelined.text());
            assertEquals("close", pipelined.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    private static final String STREAMING = "GET /streaming HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void suchAResponseEndsItsConnectionAlsoAfterTheUnreadBodyIsDrained() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            RawClient.Response streamed = disableKeepAliveWhileStreaming(client,
                    "POST /streaming HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");

            assertEquals("first second", streamed.text());
            assertTrue(client.closedByServer(), "the handler did not read the body; the drain does not keep it open");
        }
    }

    @Test
    void aRequestThatArrivedWhileSuchAResponseWasWrittenIsAnsweredWithConnectionClose() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            client.send(STREAMING);
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Thread.sleep(200); // in the server's hands, though no read of the connection has taken it yet
            BackendHttp.disableKeepAlive(server);
            release.countDown();
            RawClient.Response streamed = client.read(false);
            RawClient.Response next = client.read(false);

            assertEquals("first second", streamed.text());
            assertEquals("quick", next.text());
            assertEquals("close", next.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void suchAResponseEndsItsConnectionThoughEmptyLinesFollowedItsRequest() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            client.send(STREAMING);
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            client.send("\r\n\r");
            Thread.sleep(200);
            BackendHttp.disableKeepAlive(server);
            release.countDown();

            assertEquals("first second", client.read(false).text());
            long begin = System.nanoTime();
            assertTrue(client.closedByServer());
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(2),
                    "empty lines begin no request (RFC 9112 §2.2): the connection ends right behind the response");
        }
    }

    @Test
    void anEmptyLineAfterSuchAResponseDoesNotHoldTheStop() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            client.send(STREAMING);
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            client.send("\r\n");
            Thread.sleep(200);
            BackendHttp.disableKeepAlive(server);
            release.countDown();

            assertEquals("first second", client.read(false).text());
            assertTrue(stopTimed(server, 30) < 5_000, "RFC 9112 §2.2: an empty line begins no request to wait for");
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aRequestSentRightBehindAnEmptyLineIsAnsweredAfterKeepAliveIsDisabled() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            client.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            // Idle, waiting for its next request: disabled any sooner, the response just read would end it.
            assertTrue(ServerContractTest.waitFor(() -> BackendHttp.requestsInProgress(server) == 0));
            BackendHttp.disableKeepAlive(server);
            client.send("\r\n");
            Thread.sleep(50);
            RawClient.Response next = client.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

            assertEquals("quick", next.text(), "a client may send an empty line before its request (RFC 9112 §2.2)");
            assertEquals("close", next.header("Connection"));
        }
    }

    @Test
    void anEmptyLineInTheSameReadAsTheLastRequestDoesNotHoldTheStop() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            client.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\n");
            Thread.sleep(200);

            assertTrue(stopTimed(server, 30) < 5_000, "the trailing empty line begins no request");
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aStopDoesNotWaitForAnIdleConnectionWhoseEmptyLineCameInTwoReads() throws Exception {
        int port = start();
        try (RawClient idle = new RawClient(port)) {
            idle.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            idle.send("\r");
            Thread.sleep(100);
            idle.send("\n");
            Thread.sleep(200);

            assertTrue(stopTimed(server, 30) < 5_000, "an empty line begins no request, however it was split");
            assertTrue(idle.closedByServer());
        }
    }

    @Test
    void aStopDoesNotWaitForAConnectionThatSentOnlyACr() throws Exception {
        int port = start();
        try (RawClient fresh = new RawClient(port)) {
            fresh.send("\r");
            Thread.sleep(200);

            assertTrue(stopTimed(server, 30) < 5_000,
                    "a CR cannot begin a request line: a method is a token (RFC 9112 §3)");
            assertTrue(fresh.closedByServer());
        }
    }

    @Test
    void aRequestAfterALoneCrIsRefusedAsOneWholeSegmentIs() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            client.send("\r");
            Thread.sleep(100);
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

            assertEquals(400, client.read(false).status(), "a CR anywhere but before LF is a 400");
        }
    }

    @Test
    void aStopDoesNotWaitForAnIdleConnectionThatSentOnlyAnEmptyLine() throws Exception {
        int port = start();
        try (RawClient idle = new RawClient(port)) {
            idle.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            idle.send("\r\n");
            Thread.sleep(200);

            assertTrue(stopTimed(server, 30) < 5_000, "an empty line begins no request (RFC 9112 §2.2)");
            assertTrue(idle.closedByServer());
        }
    }

    /**
     * Sends {@code requests}, the first for a body streamed in two parts, disables keep-alive once the first part
     * (and the headers) went out, and reads the streamed response.
     */
    private RawClient.Response disableKeepAliveWhileStreaming(RawClient client, String requests) throws Exception {
        client.send(requests);
        assertTrue(entered.await(20, TimeUnit.SECONDS));
        BackendHttp.disableKeepAlive(server);
        release.countDown();
        return client.read(false);
    }

    @Test
    void aHandlerStillRunningAfterTheDelayIsInterruptedAndItsAnswerGoesOutWithConnectionClose() throws Exception {
        int port = start();
        try (RawClient busy = new RawClient(port)) {
            busy.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));

            long took = stopTimed(server, 1);
            RawClient.Response response = busy.read(false);

            assertTrue(took >= 900 && took < 20_000, took + " ms");
            assertTrue(interrupted.await(20, TimeUnit.SECONDS), "the handler cut off is interrupted");
            assertEquals(200, response.status());
            assertEquals("held", response.text());
            assertEquals("close", response.header("Connection"));
            assertTrue(busy.closedByServer());
        }
    }

    @Test
    void anInterruptedHandlersAnswerLargerThanTheSocketBuffersGoesOutWhole() throws Exception {
        int port = start();
        try (RawClient busy = new RawClient(port)) {
            busy.send("GET /held-big HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            Thread stopper = Thread.ofPlatform().start(() -> server.stop(0));

            RawClient.Response response = busy.read(false);
            stopper.join(TimeUnit.SECONDS.toMillis(30));

            assertEquals(503, response.status());
            assertTrue(response.complete(), "the whole body arrived");
            assertEquals(BIG, response.body().length);
            assertEquals("close", response.header("Connection"));
        }
    }

    @Test
    void anExchangeHandedToAnotherThreadCanAnswerWithinTheWindowAndItsConnectionsThreadDoesNotSpin() throws Exception {
        int port = start();
        try (RawClient busy = new RawClient(port)) {
            busy.send("GET /handed-off HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            Thread stopper = Thread.ofPlatform().start(() -> server.stop(0));
            Thread.sleep(150);

            // Its handler returned: an interrupt left on the thread waiting for the exchange would make its park
            // return at once, again and again, for the whole window.
            assertFalse(connectionThread.isInterrupted(), "the connection's thread spins, interrupted");
            release.countDown();
            RawClient.Response response = busy.read(false);
            stopper.join(TimeUnit.SECONDS.toMillis(30));

            assertEquals(200, response.status());
            assertEquals("handed off", response.text());
            assertEquals("close", response.header("Connection"));
        }
    }

    /**
     * Break test 18's F2: a response whose headers went out before the stop could not say close, and the request
     * pipelined behind it was handed to a handler once it ended, after the cut-off, on the thread the stop had
     * interrupted.
     */
    @Test
    void aRequestPipelinedBehindOneTheStopCutOffIsNotHandled() throws Exception {
        int port = start();
        try (RawClient busy = new RawClient(port)) {
            busy.send("GET /streaming HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));

            server.stop(0);
            byte[] received = busy.readToEnd();

            assertEquals(0, quickHandled.get(), "the pipelined request's handler ran after the cut-off");
            assertFalse(new String(received, StandardCharsets.ISO_8859_1).contains("quick"));
        }
    }

    /** Break test 18's F1: the interrupt closed the socket under the body's read, so no answer could go out. */
    @Test
    void aHandlerReadingABodyStillArrivingAtTheCutOffCanAnswer() throws Exception {
        int port = start();
        try (RawClient slow = new RawClient(port)) {
            slow.send("POST /read-body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            Thread.sleep(100); // the handler waits in the read

            server.stop(0);
            RawClient.Response response = slow.read(false);

            assertEquals(503, response.status());
            assertEquals("stopping", response.text());
            assertEquals("close", response.header("Connection"));
        }
    }

    @Test
    void aHandlerThatIgnoresTheInterruptIsCutOffHalfASecondLater() throws Exception {
        int port = start();
        try (RawClient busy = new RawClient(port)) {
            busy.send("GET /deaf HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));

            long took = stopTimed(server, 1);

            assertTrue(took >= 1_400 && took < 20_000, took + " ms: the delay, then the answer window");
            assertTrue(busy.closedByServer(), "cut off without an answer");
        }
    }

    @Test
    void aResponseCutOffMidwayDoesNotKeepStopWaiting() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            RawClient.Response response = client.exchange("GET /fails-midway HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));

            assertFalse(response.complete());
            assertTrue(stopTimed(server, 60) < 20_000, "the failed exchange counts as finished");
        }
    }

    @Test
    void aRequestWhoseFirstBytesArrivedBeforeTheStopIsAnsweredWithConnectionClose() throws Exception {
        int port = start();
        try (RawClient client = new RawClient(port)) {
            client.send("GET / HT");
            Engine engine = ((PlainServer) server).engine();
            assertTrue(ServerContractTest.waitFor(() -> engine.busyConnections() == 1), "the engine began reading");

            Thread stopper = Thread.ofPlatform().start(() -> server.stop(60));
            assertTrue(ServerContractTest.waitFor(() -> refused(port)), "the listener is closed");
            assertTrue(stopper.isAlive(), "stop waits for the request being read");
            client.send("TP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response response = client.read(false);
            stopper.join(TimeUnit.SECONDS.toMillis(30));

            assertEquals(200, response.status());
            assertEquals("quick", response.text());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
            assertFalse(stopper.isAlive(), "stop returned once the request was answered");
        }
    }

    @Test
    void aSecondStopWithAShorterDelayCutsTheFirstStopsWaitShort() throws Exception {
        int port = start();
        try (RawClient busy = new RawClient(port)) {
            busy.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(entered.await(20, TimeUnit.SECONDS));
            Thread first = Thread.ofPlatform().start(() -> server.stop(600));
            assertTrue(ServerContractTest.waitFor(() -> refused(port)), "the first stop began");

            long took = stopTimed(server, 0);
            first.join(TimeUnit.SECONDS.toMillis(30));

            assertFalse(first.isAlive(), "the first stop ended with the second");
            assertTrue(took < 20_000, "not the first stop's 600 s: " + took + " ms");
            assertTrue(interrupted.await(20, TimeUnit.SECONDS), "the running exchange was cut off");
        }
    }

    @Test
    void aStoppedServerCannotStartAgain() {
        start();
        server.stop(0);

        try {
            server.start();
        } catch (IllegalStateException expected) {
            return;
        }
        throw new AssertionError("a stopped server started again");
    }

    private static boolean refused(int port) {
        try {
            new Socket(InetAddress.getLoopbackAddress(), port).close();
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
