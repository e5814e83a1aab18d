package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keep-alive, pipelining and closing (RFC 9112 §9), and 100-continue (RFC 9110 §10.1.1), over real sockets:
 * which requests share a connection, when it ends, and that a byte left over from one request is never read as
 * the next.
 */
class PersistenceTest {

    private static HttpServer server;

    @BeforeAll
    static void start() {
        server = TestServers.backend(HttpServerOptions.defaults().withDrainAmount(16));
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            InMemory.answer(exchange, 200, exchange.getRequestURI() + " " + new String(body, StandardCharsets.UTF_8));
        });
        server.createContext("/ignore", exchange -> InMemory.answer(exchange, 200, "ignored"));
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            InMemory.answer(exchange, 200, "slow");
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static RawClient client() throws IOException {
        return new RawClient(TestServers.port(server));
    }

    @Test
    void http11KeepsTheConnectionAndSendsNoKeepAliveField() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response first = client.exchange("GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response second = client.exchange("GET /echo?2 HTTP/1.1\r\nHost: x\r\n\r\n");

            assertNull(first.header("Connection"));
            assertEquals("/echo?2 ", second.text());
        }
    }

    @Test
    void aConnectionThatWaitedLongBetweenRequestsKeepsAnswering() throws Exception {
        try (RawClient client = client()) {
            client.exchange("GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\n");
            Thread.sleep(1200);
            assertEquals("/echo?2 ", client.exchange("GET /echo?2 HTTP/1.1\r\nHost: x\r\n\r\n").text());
            // That long wait made the connection give up its write buffer before this one: a new one is made.
            assertEquals("/echo?3 ", client.exchange("GET /echo?3 HTTP/1.1\r\nHost: x\r\n\r\n").text());
        }
    }

    @Test
    void eightEmptyLinesBeforeARequestAreSkippedHowEverTheyAreSplit() throws Exception {
        try (RawClient client = client()) {
            client.exchange("GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\n");
            sendSplitAfterFirstCr(client, 8, "GET /echo?2 HTTP/1.1\r\nHost: x\r\n\r\n");

            assertEquals("/echo?2 ", client.read(false).text(),
                    "RFC 9112 §2.2: empty lines before a request are ignored");
        }
    }

    @Test
    void aNinthEmptyLineIsA400HowEverTheLinesAreSplit() throws Exception {
        try (RawClient whole = client(); RawClient split = client()) {
            whole.exchange("GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\n");
            whole.send("\r\n".repeat(9) + "GET /echo?2 HTTP/1.1\r\nHost: x\r\n\r\n");
            split.exchange("GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\n");
            sendSplitAfterFirstCr(split, 9, "GET /echo?2 HTTP/1.1\r\nHost: x\r\n\r\n");

            assertEquals(400, whole.read(false).status());
            assertEquals(400, split.read(false).status(), "the same bytes get the same answer");
        }
    }

    @Test
    void aCrThatCannotEndAnEmptyLineIsA400AtOnce() throws Exception {
        try (RawClient client = client()) {
            client.exchange("GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\n");
            client.send("\r");
            Thread.sleep(100);
            client.send("G");
            long begin = System.nanoTime();

            assertEquals(400, client.read(false).status(), "a bare CR (RFC 9112 §2.2)");
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(2), "not after REQUEST_READ_TIMEOUT");
        }
    }

    /** Sends {@code count} empty lines and then {@code request}, the first CRLF split across two reads. */
    private static void sendSplitAfterFirstCr(RawClient client, int count, String request) throws Exception {
        client.send("\r");
        Thread.sleep(100);
        client.send("\n" + "\r\n".repeat(count - 1) + request);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (RawClient client = client()) {
            client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo?2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "POST /echo?3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nd\r\n0\r\n\r\n"
                    + "GET /echo?4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

            assertEquals("slow", client.read(false).text());
            assertEquals("/echo?2 abc", client.read(false).text());
            assertEquals("/echo?3 d", client.read(false).text());
            RawClient.Response last = client.read(false);
            assertEquals("/echo?4 ", last.text());
            assertEquals("close", last.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aBufferedResponseGoesOutBeforeWaitingForTheRestOfAPipelinedRequest() throws IOException {
        try (RawClient client = client()) {
            // The first response is held back while the second request's bytes are waiting; a client that sends
            // the rest only after reading the first response must not deadlock with the server.
            client.send("GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?2 HTTP/1.1\r\n");
            assertEquals("/echo?1 ", client.read(false).text());
            client.send("Host: x\r\n\r\nPOST /echo?3 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab");
            assertEquals("/echo?2 ", client.read(false).text());
            client.send("cd");
            assertEquals("/echo?3 abcd", client.read(false).text());
        }
    }

    @Test
    void aClientsConnectionCloseEndsTheConnectionAfterTheResponse() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange("GET /echo HTTP/1.0\r\n\r\n");

            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void theLastResponseArrivesEvenWhenTheClientKeepsSending() throws IOException {
        try (RawClient client = client()) {
            // The server closes after the first response while more bytes are in flight: without the graceful
            // close they would make the kernel reset the connection and destroy the response.
            byte[] flood = ("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + "x".repeat(200_000))
                    .getBytes(StandardCharsets.ISO_8859_1);
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    client.send(flood);
                } catch (IOException e) {
                    // The server may close before it has read everything: that is the point.
                }
            });
            RawClient.Response response = client.read(false);
            assertEquals(200, response.status());
            assertEquals("/echo ", response.text());
            sender.interrupt();
        }
    }

    @Test
    void anUnreadSmallBodyIsDrainedAndTheConnectionKept() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response ignored = client.exchange("POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789");
            RawClient.Response next = client.exchange("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");

            assertNull(ignored.header("Connection"));
            assertEquals("/echo ", next.text());
        }
    }

    @Test
    void anUnreadBodyLargerThanTheDrainAmountClosesAndIsNeverParsed() throws IOException {
        try (RawClient client = client()) {
            // The body looks like a request: if it were parsed as one, a second response would follow.
            String smuggled = "GET /echo?smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
            RawClient.Response response = client.exchange("POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + smuggled.length() + "\r\n\r\n" + smuggled);

            assertEquals("close", response.header("Connection"));
            assertFalse(new String(client.readToEnd(), StandardCharsets.ISO_8859_1).contains("smuggled"));
        }
    }

    @Test
    void anUnreadChunkedBodyClosesTheConnection() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange("POST /ignore HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nab\r\n0\r\n\r\n");

            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aChunkedBodyWithTrailersLeavesNothingBehind() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response first = client.exchange("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nab\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n");
            RawClient.Response second = client.exchange("GET /echo?next HTTP/1.1\r\nHost: x\r\n\r\n");

            assertEquals("/echo ab", first.text());
            assertEquals("/echo?next ", second.text(), "the trailers were not read as a request");
        }
    }

    @Test
    void continueIsSentWhenTheHandlerReadsTheBody() throws IOException {
        try (RawClient client = client()) {
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
            RawClient.Response interim = client.read(false);
            client.send("abc");
            RawClient.Response response = client.read(false);

            assertEquals("HTTP/1.1 100 Continue", interim.statusLine());
            assertEquals("/echo abc", response.text());
            assertNull(response.header("Connection"));
        }
    }

    @Test
    void continueIsLeftOutWhenTheBodyCameWithTheHead() throws IOException {
        try (RawClient client = client()) {
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc");
            RawClient.Response response = client.read(false);

            assertEquals(200, response.status(), "RFC 9110 §10.1.1: no 100 once the content has begun to arrive");
            assertEquals("/echo abc", response.text());
            assertNull(response.header("Connection"));
        }
    }

    @Test
    void aHandlerThatAnswersWithoutReadingClosesInsteadOfWaitingForTheBody() throws IOException {
        try (RawClient client = client()) {
            client.send("POST /ignore HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
            RawClient.Response response = client.read(false);

            assertEquals(200, response.status(), "no 100 Continue before the final response");
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void expectContinueIsIgnoredOnHttp10() throws IOException {
        try (RawClient client = client()) {
            client.send("POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc");
            RawClient.Response response = client.read(false);

            assertEquals(200, response.status());
            assertEquals("/echo abc", response.text());
        }
    }
}
